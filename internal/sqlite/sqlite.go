// Package sqlite opens the embedded store: one SQLite file through the pure-Go
// driver modernc.org/sqlite, with one writer connection and a read pool.
package sqlite

import (
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"time"

	"github.com/pressly/goose/v3"
	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"

	"xinyong/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations returns the embedded migration files.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// Dialect is SQLite's dialect.
var Dialect = sqlstore.Dialect{
	Name:        "sqlite",
	Goose:       goose.DialectSQLite3,
	PrepareInTx: true,
	IsUnique: func(err error) bool {
		var e *sqlite3.Error
		if errors.As(err, &e) {
			c := e.Code()
			return c == sqlite3lib.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3lib.SQLITE_CONSTRAINT_PRIMARYKEY
		}
		return false
	},
}

// dsn builds the connection string. Each pragma is set on every connection:
//   - journal_mode(WAL): readers never block the writer and vice versa, so the
//     server keeps answering while an import writes;
//   - synchronous(NORMAL): durable at each WAL checkpoint; with WAL this loses
//     at most the last transactions on power loss, never corrupts;
//   - foreign_keys(1): SQLite leaves them off by default;
//   - busy_timeout(10000): a second process (xinyong import beside a running
//     server) waits up to 10 s for the write lock instead of failing;
//   - cache_size: writerCacheMiB of page cache for the writer (64 MiB
//     when 0), 32 MiB per reader;
//   - _txlock=immediate on the writer: take the write lock at BEGIN so two
//     writers never deadlock upgrading a read lock.
func dsn(path string, writer bool, writerCacheMiB int) string {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(1)", "busy_timeout(10000)", "temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	if writer {
		q.Set("_txlock", "immediate")
		if writerCacheMiB <= 0 {
			writerCacheMiB = 64
		}
		q.Add("_pragma", fmt.Sprintf("cache_size(-%d)", writerCacheMiB*1024)) // KiB when negative
	} else {
		// 32 MiB per reader: the OS page cache holds the file anyway, and
		// a server's resident memory stays within its budget (issue 4:
		// ≤ 500 MB with the page caches counted).
		q.Add("_pragma", "query_only(1)")
		q.Add("_pragma", "cache_size(-32768)")
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the SQLite database at path with the
// writer's default page cache. It does not migrate; call Migrate.
func Open(path string, clock func() time.Time) (*sqlstore.DB, error) {
	return OpenCache(path, clock, 0)
}

// OpenCache is Open with the writer's page cache in MiB (0: 64 MiB).
func OpenCache(path string, clock func() time.Time, writerCacheMiB int) (*sqlstore.DB, error) {
	w, err := sql.Open("sqlite", dsn(path, true, writerCacheMiB))
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1) // one writer
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.Ping(); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", dsn(path, false, 0))
	if err != nil {
		w.Close()
		return nil, err
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	return &sqlstore.DB{W: w, R: r, D: Dialect, Migrations: Migrations(), Clock: clock}, nil
}
