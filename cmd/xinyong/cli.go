package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/user"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"xinyong"
	"xinyong/internal/app"
	"xinyong/internal/config"
	"xinyong/internal/refdata"
	"xinyong/internal/server"
)

// Version is set at build time with -ldflags "-X main.Version=…".
var Version = ""

// exitError carries an exit status (1 = a checked thing failed, 2 = usage).
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

// Main is the program: tests construct one, call Run with arguments and a
// context, and for serve wait on Ready to learn the URL.
type Main struct {
	Stdout, Stderr io.Writer
	Stdin          io.Reader
	Clock          func() time.Time

	// Ready is closed when serve listens; URL is then set.
	Ready chan struct{}
	URL   string

	mu  sync.Mutex
	app *app.App
}

// NewMain returns a Main on the process's standard streams.
func NewMain() *Main {
	return &Main{Stdout: os.Stdout, Stderr: os.Stderr, Stdin: os.Stdin, Ready: make(chan struct{})}
}

// Close releases the store.
func (m *Main) Close() error { return m.close(false) }

// CloseForExit releases the store of a process about to exit (the store's
// memory is left to the exit: app.App.CloseForExit).
func (m *Main) CloseForExit() error { return m.close(true) }

func (m *Main) close(exit bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.app == nil {
		return nil
	}
	a := m.app
	m.app = nil
	if exit {
		return a.CloseForExit()
	}
	return a.Close()
}

type command struct {
	name, summary string
	run           func(m *Main, ctx context.Context, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "start the platform (HTTP API, portal, console)", (*Main).serve},
		{"migrate", "bring the database schema to this binary's version", (*Main).migrate},
		{"department", "add, list and change departments", (*Main).department},
		{"user", "add, list, disable accounts and reset passwords", (*Main).user},
		{"token", "create, list and revoke API tokens", (*Main).token},
		{"catalogue", "list the catalogue, load a provincial supplement, move items through approval", (*Main).catalogue},
		{"ident", "validate unified social credit codes and citizen ID numbers", (*Main).ident},
		{"import", "import a 双公示 CSV or XLSX file of penalty or licensing decisions", (*Main).importCmd},
		{"ledger", "verify the tamper-evident ledger and print proofs", (*Main).ledgerCmd},
		{"gen", "generate a synthetic province into a store or as 双公示 files", (*Main).genCmd},
		{"grade", "grade subjects in a batch run (everyone or a department's subjects) under a grading model", (*Main).gradeCmd},
		{"bench", "run a benchmark scenario (import, profile, search, check, page, grade)", (*Main).benchCmd},
		{"receipt", "verify a measures-check receipt offline (receipt verify --key KEYFILE FILE)", (*Main).receipt},
		{"peer", "register peer platforms whose signed repair decisions are applied here (peer add --name N --key FILE)", (*Main).peer},
		{"version", "print the version", (*Main).version},
	}
}

func (m *Main) usage() string {
	var b strings.Builder
	b.WriteString("xinyong: the public credit information platform (公共信用信息平台)\n\nUsage: xinyong COMMAND [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-11s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun `xinyong COMMAND -h` for a command's flags. Every flag has an XINYONG_* environment equivalent.\n")
	return b.String()
}

// Run runs one subcommand.
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(m.Stdout, m.usage())
		if len(args) == 0 {
			return exitError{code: 2}
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(m, ctx, args[1:])
		}
	}
	fmt.Fprint(m.Stderr, m.usage())
	return exitError{code: 2, msg: fmt.Sprintf("unknown command %q", args[0])}
}

// flags returns a flag set that prints its usage to Stderr and reports
// errors as usage errors.
func (m *Main) flags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() {
		hideSecretDefaults(fs)
		fmt.Fprintf(m.Stderr, "Usage: xinyong %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// hideSecretDefaults keeps secrets taken from the environment out of the
// usage text (printed on -h and on every flag error): the database URL's
// password is redacted, a token's default not shown.
func hideSecretDefaults(fs *flag.FlagSet) {
	if f := fs.Lookup("db"); f != nil {
		f.DefValue = config.Redacted(f.DefValue)
	}
	if f := fs.Lookup("token"); f != nil && f.DefValue != "" {
		f.DefValue = "(set from XINYONG_TOKEN, not shown)"
	}
	if f := fs.Lookup("size-token"); f != nil && f.DefValue != "" {
		f.DefValue = "(set from XINYONG_SIZE_TOKEN, not shown)"
	}
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return exitError{code: 2, msg: err.Error()}
	}
	return nil
}

var errHelp = exitError{code: 0}

func helpOK(err error) error {
	if err == errHelp {
		return nil
	}
	return err
}

func (m *Main) logger(cfg config.Config) *slog.Logger {
	level := slog.LevelInfo
	switch cfg.LogLevel {
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	opts := &slog.HandlerOptions{Level: level}
	format := cfg.LogFormat
	if format == "auto" {
		format = "json"
		if f, ok := m.Stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(m.Stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(m.Stderr, opts))
}

// open validates cfg and opens the platform on m.Clock.
func (m *Main) open(ctx context.Context, cfg *config.Config, migrate bool) (*app.App, error) {
	return m.openOn(ctx, cfg, m.Clock, migrate)
}

// openOn is open on another clock (gen runs the store on simulated days);
// Close closes what it opened.
func (m *Main) openOn(ctx context.Context, cfg *config.Config, clock func() time.Time, migrate bool) (*app.App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, exitError{code: 2, msg: err.Error()}
	}
	a, err := app.Open(ctx, *cfg, m.logger(*cfg), app.Options{Clock: clock, Migrate: migrate})
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	m.app = a
	m.mu.Unlock()
	return a, nil
}

// cliActor is whoever runs the command line: it has the database, so it
// acts with the admin role, and the audit log names the OS user.
func cliActor() xinyong.Actor {
	name := "cli"
	if u, err := user.Current(); err == nil {
		name = "cli:" + u.Username
	}
	return xinyong.Actor{Kind: "cli", ID: name, Name: name, Role: xinyong.RoleAdmin}
}

func (m *Main) version(ctx context.Context, args []string) error {
	fs := m.flags("version", "version")
	if err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	fmt.Fprintln(m.Stdout, "xinyong", versionString())
	return nil
}

func versionString() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		rev, dirty := "", ""
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "+dirty"
				}
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			return "dev-" + rev + dirty + " (" + bi.GoVersion + ")"
		}
		return "dev (" + bi.GoVersion + ")"
	}
	return "dev"
}

func (m *Main) migrate(ctx context.Context, args []string) error {
	var cfg config.Config
	fs := m.flags("migrate", "migrate [--db URL]")
	cfg.Flags(fs)
	if err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	a, err := m.open(ctx, &cfg, true)
	if err != nil {
		return err
	}
	set, err := refdata.Load()
	if err != nil {
		return fmt.Errorf("reference data: %w", err)
	}
	if err := a.Service.LoadReference(ctx, set); err != nil {
		return err
	}
	cur, latest, err := a.Store.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "schema version %d (binary %d), reference data loaded, database %s\n", cur, latest, config.Redacted(cfg.DB))
	return nil
}

func (m *Main) serve(ctx context.Context, args []string) error {
	var cfg config.Config
	fs := m.flags("serve", "serve [--db URL] [--addr HOST:PORT]")
	cfg.ServeFlags(fs)
	if err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	a, err := m.open(ctx, &cfg, true)
	if err != nil {
		return err
	}
	set, err := refdata.Load()
	if err != nil {
		return fmt.Errorf("reference data: %w", err)
	}
	pw, err := a.Service.Bootstrap(ctx, set)
	if err != nil {
		return fmt.Errorf("first start: %w", err)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	srv := server.New(a.Service, a.Log)
	srv.MaxBody, srv.MaxUpload, srv.Version = cfg.MaxBody, cfg.MaxUpload, versionString()
	if srv.TrustedProxies, err = cfg.Proxies(); err != nil {
		return err
	}
	srv.UploadDir = "xinyong-uploads" // uploaded files wait here for their import job
	if p, ok := cfg.SQLitePath(); ok {
		srv.UploadDir = p + ".uploads"
	}
	if err := srv.Start(ctx); err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn)}
	url := "http://" + ln.Addr().String()
	if cfg.BaseURL != "" {
		url = strings.TrimSuffix(cfg.BaseURL, "/")
	}
	m.URL = url
	fmt.Fprintf(m.Stdout, "Xinyong is serving %s (database %s)\n", url, config.Redacted(cfg.DB))
	if pw != "" {
		fmt.Fprintf(m.Stdout, "First start: sign in at %s/login as admin with this one-time password (it is not shown again):\n  %s\n", url, pw)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	close(m.Ready)
	select {
	case err := <-errc:
		srv.Stop()
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down: finishing in-flight requests", "grace", cfg.Shutdown.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.Shutdown)
	defer cancel()
	err = hs.Shutdown(sctx)
	srv.Stop()
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
