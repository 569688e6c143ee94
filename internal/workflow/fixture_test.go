package workflow_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/app"
	"xinyong/internal/config"
	"xinyong/internal/refdata"
)

// What the workflow tests share: a settable clock (nothing sleeps), days
// at 10:00 in Shanghai, valid codes, and a migrated platform with the
// national reference data.

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

func day(s string) time.Time {
	d := xinyong.MustDate(s)
	return time.Date(d.Year, d.Month, d.Day, 10, 0, 0, 0, xinyong.Shanghai)
}

func uscc(tb testing.TB, prefix16 string) string {
	tb.Helper()
	oc, err := xinyong.OrgCodeCheckChar(prefix16[8:16])
	if err != nil {
		tb.Fatal(err)
	}
	cc, err := xinyong.USCCCheckChar(prefix16 + string(oc))
	if err != nil {
		tb.Fatal(err)
	}
	return prefix16 + string(oc) + string(cc)
}

// openApp opens a fresh SQLite platform on clk, migrated and bootstrapped;
// it is closed when t ends.
func openApp(t *testing.T, clk *clock) (*app.App, config.Config) {
	t.Helper()
	return openAppIn(t, clk, t.TempDir(), "")
}

// openAppIn opens a fresh platform on db ("" for SQLite in dir), its keys
// in dir, migrated and bootstrapped, on clk; it is closed when tb ends.
func openAppIn(tb testing.TB, clk *clock, dir, db string) (*app.App, config.Config) {
	tb.Helper()
	if db == "" {
		db = "sqlite:" + filepath.Join(dir, "x.db")
	}
	cfg := config.Config{DB: db, KeyDir: filepath.Join(dir, "keys"), Origin: "test.xinyong/ledger", LogFormat: "json", LogLevel: "error"}
	if err := cfg.Validate(); err != nil {
		tb.Fatal(err)
	}
	a, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{Clock: clk.Now, Migrate: true})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { a.Close() })
	set, err := refdata.Load()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := a.Service.Bootstrap(context.Background(), set); err != nil {
		tb.Fatal(err)
	}
	return a, cfg
}
