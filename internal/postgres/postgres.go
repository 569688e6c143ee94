// Package postgres opens the production store on PostgreSQL through pgx.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"xinyong/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations returns the embedded migration files.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// Dialect is PostgreSQL's dialect. The ledger head row is locked with FOR
// UPDATE: whichever transaction holds it is the only appender, so appends
// are serialised even with several server processes on one database.
var Dialect = sqlstore.Dialect{
	Name:             "postgres",
	Goose:            goose.DialectPostgres,
	Dollar:           true,
	LockLedgerSuffix: " FOR UPDATE",
	ClaimSuffix:      " FOR UPDATE SKIP LOCKED",
	ReadOnlyTx:       true,
	IsUnique: func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && e.Code == "23505"
	},
}

// Open connects to the PostgreSQL database at dsn (postgres://…). It does not
// migrate; call Migrate.
func Open(ctx context.Context, dsn string, clock func() time.Time) (*sqlstore.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if err := preferLZ4(ctx, cfg); err != nil {
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	return &sqlstore.DB{W: db, R: db, D: Dialect, Migrations: Migrations(), Clock: clock}, nil
}

var _ = stdlib.GetDefaultDriver // registers the "pgx" database/sql driver

// preferLZ4 makes the store's connections compress the values they write
// with LZ4 rather than pglz, when the server was built with it and the DSN
// does not choose: a record row carries ~3 KB of documents, which
// PostgreSQL compresses, and COPY of an import's records took 28% less
// server time with LZ4 (doc/intake.md "PostgreSQL"). Values written before
// keep their compression; reads do not depend on it.
func preferLZ4(ctx context.Context, cfg *pgx.ConnConfig) error {
	if _, set := cfg.RuntimeParams["default_toast_compression"]; set {
		return nil
	}
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	var lz4 bool
	if err := c.QueryRow(ctx, `SELECT COALESCE(bool_or('lz4' = ANY (enumvals)), false) FROM pg_settings WHERE name = 'default_toast_compression'`).Scan(&lz4); err != nil {
		return err
	}
	if lz4 {
		cfg.RuntimeParams["default_toast_compression"] = "lz4"
	}
	return nil
}
