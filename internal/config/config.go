// Package config declares every setting in one place: flags with XINYONG_*
// environment equivalents, defaults beside each declaration, validated at
// start-up.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Config is the typed configuration of a xinyong process.
type Config struct {
	DB        string        // sqlite:PATH or postgres://…
	Addr      string        // listen address
	KeyDir    string        // where the ledger signing key and the ID-hash key live (outside the database)
	Origin    string        // the ledger's checkpoint origin (key name)
	LogFormat string        // text or json
	LogLevel  string        // debug, info, warn, error
	BaseURL   string        // public URL printed at start; derived from Addr when empty
	MaxBody   int64         // largest JSON request body, bytes
	MaxUpload int64         // largest uploaded file, bytes
	Shutdown  time.Duration // grace period for in-flight requests
	// TrustedProxies: comma-separated addresses or CIDR prefixes of the
	// reverse proxies in front of serve, whose X-Forwarded-For names the
	// client for the anonymous report limit and login throttling.
	TrustedProxies string

	// Sharing policy (issue 5): consent length, query flagging, retention.
	ConsentMaxDays      int
	QueryFlagLimit      int
	QueryRetentionYears int

	// Credit repair materials (issue 7): kept outside the database.
	FilesDir string // content-addressed files directory
	MaxProof int64  // largest repair material, bytes

	// SQLiteCacheMiB is the SQLite writer connection's page cache, MiB; 0
	// is the command's default (DefaultSQLiteCacheMiB, or
	// BulkSQLiteCacheMiB for gen).
	SQLiteCacheMiB int

	envErrs []error // XINYONG_* values that did not parse
}

// Flags declares the store-related flags shared by every subcommand that
// opens the database, with XINYONG_* defaults.
func (c *Config) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.DB, "db", env("XINYONG_DB", "sqlite:./xinyong.db"), "database: sqlite:PATH or postgres://… (env XINYONG_DB)")
	fs.StringVar(&c.KeyDir, "key-dir", env("XINYONG_KEY_DIR", ""), "directory of the ledger signing key and the ID-hash key, kept outside the database (env XINYONG_KEY_DIR; default: beside the SQLite file, or ./xinyong-keys for PostgreSQL)")
	fs.StringVar(&c.Origin, "origin", env("XINYONG_ORIGIN", "xinyong.local/ledger"), "ledger checkpoint origin, the name of the signing key (env XINYONG_ORIGIN)")
	fs.StringVar(&c.LogFormat, "log-format", env("XINYONG_LOG_FORMAT", "auto"), "log format: text, json or auto (text on a terminal) (env XINYONG_LOG_FORMAT)")
	fs.StringVar(&c.LogLevel, "log-level", env("XINYONG_LOG_LEVEL", "info"), "log level: debug, info, warn, error (env XINYONG_LOG_LEVEL)")
	fs.IntVar(&c.ConsentMaxDays, "consent-max-days", int(c.envInt("XINYONG_CONSENT_MAX_DAYS", 366)), "the longest a personal-information consent may run, in days; never unlimited (env XINYONG_CONSENT_MAX_DAYS)")
	fs.IntVar(&c.QueryFlagLimit, "query-flag-limit", int(c.envInt("XINYONG_QUERY_FLAG_LIMIT", 50)), "distinct subjects one account may read per hour before its queries are flagged for the auditor (env XINYONG_QUERY_FLAG_LIMIT)")
	fs.IntVar(&c.QueryRetentionYears, "query-retention-years", int(c.envInt("XINYONG_QUERY_RETENTION_YEARS", 5)), "years query-use entries are kept; at least 5 (env XINYONG_QUERY_RETENTION_YEARS)")
	fs.StringVar(&c.FilesDir, "files-dir", env("XINYONG_FILES_DIR", ""), "directory of uploaded repair materials, named by SHA-256, outside the database (env XINYONG_FILES_DIR; default: xinyong-files beside the SQLite file, or ./xinyong-files for PostgreSQL)")
	fs.Int64Var(&c.MaxProof, "max-proof", c.envInt("XINYONG_MAX_PROOF", 10<<20), "largest repair material (proof of correction) in bytes (env XINYONG_MAX_PROOF)")
	fs.IntVar(&c.SQLiteCacheMiB, "sqlite-cache", int(c.envInt("XINYONG_SQLITE_CACHE_MB", 0)), fmt.Sprintf("SQLite writer page cache in MiB (env XINYONG_SQLITE_CACHE_MB; default %d, and %d for gen, whose index inserts slow down once the indexes outgrow it)", DefaultSQLiteCacheMiB, BulkSQLiteCacheMiB))
}

// SQLite writer page cache defaults, MiB. The server's is small: its
// resident memory stays within its budget (issue 4: ≤ 500 MB with the page
// caches counted) and the OS page cache holds the file anyway. gen inserts
// into indexes at random places; with 1 GiB instead of 64 MiB, generating
// 1,000,000 records took 259 s instead of 331 s. A 1,000,000-row import
// into an empty store gained nothing from it (309 s against 301 s, 2.4 GB
// of memory against 338 MB), so import keeps the default (BENCHMARKS.md).
const (
	DefaultSQLiteCacheMiB = 64
	BulkSQLiteCacheMiB    = 1024
)

// SQLiteCacheOr returns the writer cache to use: the configured one, or def
// when none is configured.
func (c *Config) SQLiteCacheOr(def int) int {
	if c.SQLiteCacheMiB > 0 {
		return c.SQLiteCacheMiB
	}
	return def
}

// Proxies parses TrustedProxies: each entry an address (a prefix of its
// own length) or a CIDR prefix.
func (c *Config) Proxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(c.TrustedProxies, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if a, err := netip.ParseAddr(f); err == nil {
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxies: %q is neither an address nor a CIDR prefix such as 10.0.0.0/8", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// ServeFlags declares the flags of `xinyong serve`.
func (c *Config) ServeFlags(fs *flag.FlagSet) {
	c.Flags(fs)
	fs.StringVar(&c.Addr, "addr", env("XINYONG_ADDR", "127.0.0.1:8080"), "listen address HOST:PORT (env XINYONG_ADDR)")
	fs.StringVar(&c.BaseURL, "base-url", env("XINYONG_BASE_URL", ""), "public base URL (env XINYONG_BASE_URL; default http://ADDR)")
	fs.Int64Var(&c.MaxBody, "max-body", c.envInt("XINYONG_MAX_BODY", 32<<20), "largest JSON request body in bytes (env XINYONG_MAX_BODY)")
	fs.Int64Var(&c.MaxUpload, "max-upload", c.envInt("XINYONG_MAX_UPLOAD", 2<<30), "largest uploaded 双公示 file in bytes (env XINYONG_MAX_UPLOAD)")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", env("XINYONG_TRUSTED_PROXIES", ""), "comma-separated addresses or CIDR prefixes of reverse proxies whose X-Forwarded-For header names the client, for the anonymous report limit and sign-in throttling (env XINYONG_TRUSTED_PROXIES; default none: the connecting address is the client)")
	fs.DurationVar(&c.Shutdown, "shutdown-grace", c.envDuration("XINYONG_SHUTDOWN_GRACE", 20*time.Second), "time in-flight requests get to finish on SIGINT/SIGTERM (env XINYONG_SHUTDOWN_GRACE)")
}

// Validate checks the configuration and fills derived defaults.
func (c *Config) Validate() error {
	errs := append([]error(nil), c.envErrs...)
	switch {
	case strings.HasPrefix(c.DB, "sqlite:"):
		if strings.TrimPrefix(c.DB, "sqlite:") == "" {
			errs = append(errs, errors.New("--db sqlite: needs a file path, e.g. sqlite:./xinyong.db"))
		}
	case strings.HasPrefix(c.DB, "postgres://"), strings.HasPrefix(c.DB, "postgresql://"):
	default:
		errs = append(errs, fmt.Errorf("--db %q: use sqlite:PATH or postgres://USER@HOST/DB", c.DB))
	}
	if c.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			errs = append(errs, fmt.Errorf("--addr %q: want HOST:PORT (%v)", c.Addr, err))
		}
	}
	if c.SQLiteCacheMiB < 0 || c.SQLiteCacheMiB > 1<<20 {
		errs = append(errs, fmt.Errorf("--sqlite-cache %d: a number of MiB from 1 to %d (0 for the default)", c.SQLiteCacheMiB, 1<<20))
	}
	if _, err := c.Proxies(); err != nil {
		errs = append(errs, err)
	}
	switch c.LogFormat {
	case "text", "json", "auto":
	default:
		errs = append(errs, fmt.Errorf("--log-format %q: want text, json or auto", c.LogFormat))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("--log-level %q: want debug, info, warn or error", c.LogLevel))
	}
	if c.Origin == "" || strings.ContainsAny(c.Origin, " +\n") {
		errs = append(errs, fmt.Errorf("--origin %q: a key name without spaces or +", c.Origin))
	}
	if c.KeyDir == "" {
		if p, ok := c.SQLitePath(); ok {
			c.KeyDir = filepath.Join(filepath.Dir(p), "xinyong-keys")
		} else {
			c.KeyDir = "xinyong-keys"
		}
	}
	if c.FilesDir == "" {
		if p, ok := c.SQLitePath(); ok {
			c.FilesDir = filepath.Join(filepath.Dir(p), "xinyong-files")
		} else {
			c.FilesDir = "xinyong-files"
		}
	}
	if c.MaxProof == 0 {
		c.MaxProof = 10 << 20
	}
	if c.MaxProof < 0 {
		errs = append(errs, errors.New("--max-proof must not be negative"))
	}
	// Zero values (a Config built in code) take the defaults.
	if c.ConsentMaxDays == 0 {
		c.ConsentMaxDays = 366
	}
	if c.QueryFlagLimit == 0 {
		c.QueryFlagLimit = 50
	}
	if c.QueryRetentionYears == 0 {
		c.QueryRetentionYears = 5
	}
	if c.ConsentMaxDays < 1 || c.ConsentMaxDays > 5*366 {
		errs = append(errs, fmt.Errorf("--consent-max-days %d: between 1 and 1830 (a consent is never unlimited)", c.ConsentMaxDays))
	}
	if c.QueryFlagLimit < 1 {
		errs = append(errs, fmt.Errorf("--query-flag-limit %d: at least 1", c.QueryFlagLimit))
	}
	if c.QueryRetentionYears < 5 {
		errs = append(errs, fmt.Errorf("--query-retention-years %d: query-use entries are kept at least 5 years", c.QueryRetentionYears))
	}
	if c.MaxBody < 0 || c.MaxUpload < 0 {
		errs = append(errs, errors.New("--max-body and --max-upload must not be negative"))
	}
	return errors.Join(errs...)
}

// SQLitePath returns the SQLite file path when the database is SQLite.
func (c *Config) SQLitePath() (string, bool) {
	if strings.HasPrefix(c.DB, "sqlite:") {
		return strings.TrimPrefix(c.DB, "sqlite:"), true
	}
	return "", false
}

// Redacted returns the database URL with any password masked, for logs:
// the one in USER:PASSWORD@ (which may itself hold an @) and a password=
// query parameter, both of which the PostgreSQL driver accepts.
func Redacted(dsn string) string {
	i := strings.Index(dsn, "://")
	if i < 0 {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn[:i+3] + "***" // unparsable: show none of it
	}
	if u.RawQuery != "" {
		params := strings.Split(u.RawQuery, "&")
		for j, p := range params {
			k, _, _ := strings.Cut(p, "=")
			if name, err := url.QueryUnescape(k); err != nil || name == "password" {
				params[j] = k + "=***"
			}
		}
		u.RawQuery = strings.Join(params, "&")
	}
	return u.Redacted() // USER:xxxxx@
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return def
}

func (c *Config) envInt(key string, def int64) int64 {
	if v, ok := os.LookupEnv(key); ok {
		var n int64
		if _, err := fmt.Sscan(v, &n); err == nil {
			return n
		}
		c.envErrs = append(c.envErrs, fmt.Errorf("%s=%q is not a number", key, v))
	}
	return def
}

func (c *Config) envDuration(key string, def time.Duration) time.Duration {
	if v, ok := os.LookupEnv(key); ok {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
		c.envErrs = append(c.envErrs, fmt.Errorf("%s=%q is not a duration such as 20s", key, v))
	}
	return def
}
