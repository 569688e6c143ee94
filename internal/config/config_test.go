package config

import (
	"flag"
	"fmt"
	"strings"
	"testing"
)

// TestValidate: bad values stop start-up with a message naming the flag;
// defaults fill a Config built in code.
func TestValidate(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		env  map[string]string
		want string // "" = valid
	}{
		{"defaults", nil, nil, ""},
		{"bad db", []string{"--db", "mysql://x"}, nil, "--db"},
		{"bad addr", []string{"--addr", "nonsense"}, nil, "--addr"},
		{"bad log level", []string{"--log-level", "loud"}, nil, "--log-level"},
		{"unlimited consent refused", []string{"--consent-max-days", "100000"}, nil, "never unlimited"},
		{"retention below five years", []string{"--query-retention-years", "4"}, nil, "at least 5 years"},
		{"env value that does not parse", nil, map[string]string{"XINYONG_MAX_BODY": "lots"}, "XINYONG_MAX_BODY"},
		{"sqlite cache", []string{"--sqlite-cache", "512"}, nil, ""},
		{"negative sqlite cache", []string{"--sqlite-cache", "-1"}, nil, "--sqlite-cache"},
		{"sqlite cache from the environment that does not parse", nil, map[string]string{"XINYONG_SQLITE_CACHE_MB": "big"}, "XINYONG_SQLITE_CACHE_MB"},
		{"trusted proxies", []string{"--trusted-proxies", "10.0.0.0/8, 192.0.2.1,fd00::/64"}, nil, ""},
		{"trusted proxy that is no address", []string{"--trusted-proxies", "10.0.0.0/8,proxy.local"}, nil, `--trusted-proxies: "proxy.local"`},
		{"trusted proxies from the environment", nil, map[string]string{"XINYONG_TRUSTED_PROXIES": "10.0.0.0/33"}, "--trusted-proxies"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			var c Config
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			c.ServeFlags(fs)
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("valid config refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	// The writer cache: the command's default unless one is configured.
	if got := (&Config{}).SQLiteCacheOr(BulkSQLiteCacheMiB); got != BulkSQLiteCacheMiB {
		t.Errorf("no cache configured: %d, want the command's default %d", got, BulkSQLiteCacheMiB)
	}
	if got := (&Config{SQLiteCacheMiB: 200}).SQLiteCacheOr(BulkSQLiteCacheMiB); got != 200 {
		t.Errorf("--sqlite-cache 200: %d", got)
	}
	proxies, err := (&Config{TrustedProxies: "192.0.2.1, 10.1.2.3/8,::ffff:198.51.100.2"}).Proxies()
	if err != nil || fmt.Sprint(proxies) != "[192.0.2.1/32 10.0.0.0/8 198.51.100.2/32]" {
		t.Errorf("proxies: %v %v", proxies, err)
	}
	var c Config
	c.DB, c.Origin, c.LogFormat, c.LogLevel = "sqlite:x.db", "o", "json", "info"
	if err := c.Validate(); err != nil || c.ConsentMaxDays != 366 || c.QueryRetentionYears != 5 || c.KeyDir == "" {
		t.Fatalf("defaults not filled: %v %+v", err, c)
	}
}

// TestRedacted: no part of a database password reaches the printed URL,
// wherever the driver would find it.
func TestRedacted(t *testing.T) {
	for _, tt := range []struct{ dsn, want string }{
		{"sqlite:./xinyong.db", "sqlite:./xinyong.db"},
		{"postgres://root@127.0.0.1:5432/test?sslmode=disable", "postgres://root@127.0.0.1:5432/test?sslmode=disable"},
		{"postgres://u:hunter2@db/x", "postgres://u:xxxxx@db/x"},
		{"postgres://u:hun@ter2@db/x", "postgres://u:xxxxx@db/x"},
		{"postgres://u@db/x?sslmode=disable&password=hunter2", "postgres://u@db/x?sslmode=disable&password=***"},
		{"postgresql://u@db/x?pass%77ord=hunter2", "postgresql://u@db/x?pass%77ord=***"},
		{"postgres://u:hunter2@db:port/x", "postgres://***"},
	} {
		got := Redacted(tt.dsn)
		if got != tt.want || strings.Contains(got, "hunter2") || strings.Contains(got, "ter2") {
			t.Errorf("Redacted(%q) = %q, want %q", tt.dsn, got, tt.want)
		}
	}
}
