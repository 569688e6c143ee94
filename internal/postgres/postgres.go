// Package postgres opens the production store on PostgreSQL through pgx.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

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
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
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
