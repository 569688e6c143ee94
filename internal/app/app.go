// Package app opens what every subcommand needs: the configured store, the
// keys kept outside the database, and the workflow service over them.
package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"xinyong"
	"xinyong/internal/config"
	"xinyong/internal/holiday"
	"xinyong/internal/ledger"
	"xinyong/internal/postgres"
	"xinyong/internal/sqlite"
	"xinyong/internal/workflow"
)

// App is an opened platform.
type App struct {
	Config  config.Config
	Store   xinyong.Store
	Service *workflow.Service
	Log     *slog.Logger
}

// Options adjust Open for tests.
type Options struct {
	Clock   func() time.Time
	Migrate bool // migrate to the binary's schema (serve and migrate do; other commands require it current)
}

// OpenStore opens the store named by cfg.DB.
func OpenStore(ctx context.Context, cfg config.Config, clock func() time.Time) (xinyong.Store, error) {
	if p, ok := cfg.SQLitePath(); ok {
		if dir := filepath.Dir(p); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return nil, fmt.Errorf("create database directory: %w", err)
			}
		}
		return sqlite.OpenCache(p, clock, cfg.SQLiteCacheOr(config.DefaultSQLiteCacheMiB))
	}
	return postgres.Open(ctx, cfg.DB, clock)
}

// Open opens the store, checks or migrates the schema, loads the keys and
// builds the service.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger, opt Options) (*App, error) {
	st, err := OpenStore(ctx, cfg, opt.Clock)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*App, error) {
		st.Close()
		return nil, err
	}
	if !opt.Migrate {
		cur, latest, err := st.SchemaVersion(ctx)
		if err != nil {
			return fail(err)
		}
		if cur != latest {
			if cur > latest {
				return fail(fmt.Errorf("the database is at schema version %d but this binary knows only up to %d; use a newer xinyong", cur, latest))
			}
			return fail(fmt.Errorf("the database is at schema version %d, this binary needs %d: run `xinyong migrate --db ...` or start `xinyong serve` once", cur, latest))
		}
	}
	if err := os.MkdirAll(cfg.KeyDir, 0o700); err != nil {
		return fail(fmt.Errorf("create key directory: %w", err))
	}
	signer, verifier, err := ledger.LoadOrCreateKey(filepath.Join(cfg.KeyDir, "ledger.key"), cfg.Origin)
	if err != nil {
		return fail(fmt.Errorf("ledger key: %w", err))
	}
	idKey, err := loadOrCreateSecret(filepath.Join(cfg.KeyDir, "id-hash.key"))
	if err != nil {
		return fail(fmt.Errorf("ID-hash key: %w", err))
	}
	// Migrate once the keys are loaded: what follows a migration in the
	// process that applied it (the seal below) then cannot be kept from
	// running by a key that fails to load.
	var migErr error
	if opt.Migrate {
		migErr = st.Migrate(ctx)
	}
	svc := &workflow.Service{Store: st, Clock: opt.Clock, Signer: signer, Verifier: verifier, IDKey: idKey, Holiday: holiday.New(), Log: log,
		Sharing: xinyong.SharingPolicy{ConsentMaxDuration: time.Duration(cfg.ConsentMaxDays) * 24 * time.Hour, QueryFlagLimit: cfg.QueryFlagLimit, QueryRetentionYears: cfg.QueryRetentionYears}}
	svc.RepairFiles = workflow.RepairConfig{FilesDir: cfg.FilesDir, MaxProof: cfg.MaxProof}
	if opt.Migrate {
		// Only here, right after this process applied migration 0017
		// (the store reports it once), never at a later start — also when
		// a later migration failed after 0017 applied: the next start,
		// which applies that one, no longer sees 0017 applied, and the
		// rows 0017 rewrote would stay unsealed for good.
		if _, err := svc.SealObjectionMigration(ctx); err != nil {
			return fail(errors.Join(migErr, err))
		}
	}
	if migErr != nil {
		return fail(migErr)
	}
	return &App{Config: cfg, Store: st, Service: svc, Log: log}, nil
}

// Close closes the store.
func (a *App) Close() error { return a.Store.Close() }

// CloseForExit closes the store for a process about to exit: a store that
// can leave its writer's memory to the exit does (sqlstore.DB.CloseForExit).
func (a *App) CloseForExit() error {
	if c, ok := a.Store.(interface{ CloseForExit() error }); ok {
		return c.CloseForExit()
	}
	return a.Store.Close()
}

// loadOrCreateSecret reads a 32-byte secret, creating it (mode 0600) once.
func loadOrCreateSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		if len(b) != 32 {
			return nil, fmt.Errorf("%s: want 32 bytes, found %d", path, len(b))
		}
		return b, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	b = make([]byte, 32)
	rand.Read(b)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return loadOrCreateSecret(path)
	}
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return nil, err
	}
	return b, f.Close()
}
