// Package sqlstore implements xinyong.Store over database/sql with SQL that
// both SQLite and PostgreSQL accept. Everything dialect-specific (opening,
// pragmas, placeholders, the sequencer lock, bulk paths, migrations) comes
// from a Dialect supplied by internal/sqlite or internal/postgres; no SQL in
// this package uses a feature only one of them has.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pressly/goose/v3"

	"xinyong"
)

// Dialect is what differs between the databases.
type Dialect struct {
	Name  string        // "sqlite" or "postgres"
	Goose goose.Dialect // migration dialect
	// Dollar: placeholders are $1, $2… (PostgreSQL) rather than ?.
	Dollar bool
	// LockLedgerSuffix is appended to the ledger head SELECT to take the
	// sequencer lock (" FOR UPDATE" on PostgreSQL; SQLite's single writer
	// already serialises).
	LockLedgerSuffix string
	// ClaimSuffix is appended to the SELECT that claims due webhook
	// deliveries (" FOR UPDATE SKIP LOCKED" on PostgreSQL; SQLite's single
	// writer already serialises).
	ClaimSuffix string
	// ReadOnlyTx: begin View transactions with ReadOnly set.
	ReadOnlyTx bool
	// PrepareInTx: prepare statements that repeat within a transaction
	// (SQLite; pgx caches prepared statements per connection itself).
	PrepareInTx bool
	// IsUnique reports whether err is a uniqueness violation.
	IsUnique func(error) bool
	// Search is the dialect's name search (search.go).
	Search SearchDialect
	// CopyRows, when set, is the bulk path of insertMany for batches of at
	// least CopyMinRows rows: it writes n new rows into table's columns
	// within the transaction t (PostgreSQL: COPY … FROM STDIN through pgx,
	// internal/postgres/copy.go). A copy cannot skip or update a row that
	// conflicts, so insertMany, whose statements are plain INSERTs, is its
	// only user; a uniqueness violation fails the copy and is reported
	// like an INSERT's. Transactions of a dialect with CopyRows run on a
	// dedicated connection (sql.Conn), which Tx.Raw exposes.
	CopyRows func(t *Tx, table string, cols []string, n int, rowArgs func(i int, args []any) []any) error
	// DocKeyLookup, when set, is RecordsByDocKeys' query: %s stands for
	// the selected columns and its arguments are the decision numbers (one
	// array), the department and the kind. PostgreSQL probes the unique
	// index once per number (internal/postgres/copy.go): with statistics
	// taken while the table was small, the portable IN list is planned as
	// a scan of the department's every record, filtered against the list,
	// which made a bulk import quadratic in the department's size.
	DocKeyLookup string
}

// CopyMinRows is the smallest batch insertMany gives to Dialect.CopyRows;
// smaller ones are cheaper as one multi-row INSERT.
const CopyMinRows = 100

// DB is a store over a writer pool and a reader pool (the same pool on
// PostgreSQL; a single writer connection on SQLite).
type DB struct {
	W, R       *sql.DB
	D          Dialect
	Migrations fs.FS
	Clock      func() time.Time

	rebound sync.Map // query → rebound query
	// Statements prepared per pool (stmtcache.go), SQLite only.
	rStmts, wStmts stmtCache

	// applied holds the migrations Migrate applied on this DB value, that
	// is in this process, not yet claimed (ClaimApplied).
	appliedMu sync.Mutex
	applied   map[int64]bool
}

var _ xinyong.Store = (*DB)(nil)

// Dialect returns the dialect name.
func (db *DB) Dialect() string { return db.D.Name }

// Close closes both pools.
func (db *DB) Close() error {
	db.rStmts.close()
	db.wStmts.close()
	err := db.W.Close()
	if db.R != db.W {
		if e := db.R.Close(); err == nil {
			err = e
		}
	}
	return err
}

// CloseForExit is Close for a process about to exit. On SQLite the
// writer's WAL is checkpointed into the database file (as closing the last
// connection would) and the writer's connection is left to the exit:
// closing it frees its page cache one page at a time, which for gen's
// 1 GiB cache took 16 of a run's 91 seconds in system calls
// (modernc.org/memory decommits each freed slab); the exit hands the
// memory back at once. The -wal file stays, empty.
func (db *DB) CloseForExit() error {
	if db.D.Name != "sqlite" || db.R == db.W {
		return db.Close()
	}
	db.rStmts.close()
	db.wStmts.close()
	err := db.R.Close()
	if _, e := db.W.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err == nil {
		err = e
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.R.PingContext(ctx) }

// now is a transaction's "now": in UTC at microsecond precision, the
// precision times are stored at, so that a time a caller takes from Tx.Now
// reads back unchanged.
func (db *DB) now() time.Time {
	if db.Clock != nil {
		return UTC(db.Clock())
	}
	return UTC(time.Now())
}

// UTC returns t in UTC at microsecond precision (the zero time stays zero).
func UTC(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

// q rebinds ? placeholders to $n for PostgreSQL, once per query text.
func (db *DB) q(query string) string {
	if !db.D.Dollar {
		return query
	}
	if v, ok := db.rebound.Load(query); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	s := b.String()
	db.rebound.Store(query, s)
	return s
}

// Update runs fn in one read-write transaction.
func (db *DB) Update(ctx context.Context, fn func(xinyong.Tx) error) error {
	var conn *sql.Conn
	if db.D.CopyRows != nil {
		// The bulk path needs the transaction's driver connection (Tx.Raw).
		c, err := db.W.Conn(ctx)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		defer c.Close() // after the rollback deferred below
		conn = c
	}
	var sqlTx *sql.Tx
	var err error
	if conn != nil {
		sqlTx, err = conn.BeginTx(ctx, nil)
	} else {
		sqlTx, err = db.W.BeginTx(ctx, nil)
	}
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	// Roll back on an error and on a panic alike: a transaction left open
	// would hold SQLite's only writer connection for ever.
	committed := false
	defer func() {
		if !committed {
			_ = sqlTx.Rollback()
		}
	}()
	tx := &Tx{db: db, tx: sqlTx, q: sqlTx, conn: conn, ctx: ctx, now: db.now()}
	if err := fn(tx); err != nil {
		return err
	}
	committed = true
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// View runs fn in a read-only transaction.
func (db *DB) View(ctx context.Context, fn func(xinyong.Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: db.D.ReadOnlyTx}
	if db.D.ReadOnlyTx {
		// One snapshot for the whole read (PostgreSQL's default, read
		// committed, takes a new one per statement).
		opts.Isolation = sql.LevelRepeatableRead
	}
	sqlTx, err := db.R.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer sqlTx.Rollback()
	tx := &Tx{db: db, tx: sqlTx, q: sqlTx, ctx: ctx, now: db.now(), readOnly: true}
	return fn(tx)
}

// Read runs fn's statements each on its own on the read pool, without
// BEGIN and COMMIT around them: a lookup of one statement needs no common
// snapshot, and a hot path (an API token, a page of records) saves the two
// round trips. fn must not write (SQLite's read pool is query_only).
func (db *DB) Read(ctx context.Context, fn func(xinyong.Tx) error) error {
	return fn(&Tx{db: db, q: db.R, ctx: ctx, now: db.now(), readOnly: true})
}

func (db *DB) provider() (*goose.Provider, error) {
	return goose.NewProvider(db.D.Goose, db.W, db.Migrations)
}

// Size counts the records and subjects (the data size benchmarks report).
func (db *DB) Size(ctx context.Context) (records, subjects int64, err error) {
	if err := db.R.QueryRowContext(ctx, `SELECT count(*) FROM record`).Scan(&records); err != nil {
		return 0, 0, fmt.Errorf("count records: %w", err)
	}
	if err := db.R.QueryRowContext(ctx, `SELECT count(*) FROM subject`).Scan(&subjects); err != nil {
		return 0, 0, fmt.Errorf("count subjects: %w", err)
	}
	return records, subjects, nil
}

// SchemaVersion returns the database's version and the binary's latest.
func (db *DB) SchemaVersion(ctx context.Context) (int64, int64, error) {
	p, err := db.provider()
	if err != nil {
		return 0, 0, err
	}
	var latest int64
	for _, s := range p.ListSources() {
		latest = max(latest, s.Version)
	}
	cur, err := p.GetDBVersion(ctx)
	if err != nil {
		// A database without the goose table is at version 0.
		if strings.Contains(err.Error(), "no such table") || strings.Contains(err.Error(), "does not exist") {
			return 0, latest, nil
		}
		return 0, latest, err
	}
	return cur, latest, nil
}

// ErrSchemaNewer is returned when the database was migrated by a newer binary.
var ErrSchemaNewer = errors.New("schema newer than binary")

// Migrate applies pending migrations; it refuses a schema newer than the binary.
func (db *DB) Migrate(ctx context.Context) error {
	cur, latest, err := db.SchemaVersion(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if cur > latest {
		return fmt.Errorf("%w: the database is at schema version %d but this binary knows only up to %d; run a newer xinyong (refusing to start rather than corrupt data)", ErrSchemaNewer, cur, latest)
	}
	p, err := db.provider()
	if err != nil {
		return err
	}
	res, err := p.Up(ctx)
	if pe := (*goose.PartialError)(nil); errors.As(err, &pe) {
		res = pe.Applied // those before the one that failed
	}
	db.appliedMu.Lock()
	for _, r := range res {
		if r != nil && r.Error == nil && r.Source != nil {
			if db.applied == nil {
				db.applied = map[int64]bool{}
			}
			db.applied[r.Source.Version] = true
		}
	}
	db.appliedMu.Unlock()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// ClaimApplied reports whether Migrate applied migration version in this
// process (on this DB value) and nobody claimed it before; it claims it, so
// it reports true once. What must follow one migration, in the process that
// applied it and never at a later start (workflow.SealObjectionMigration
// after 0017), asks here.
func (db *DB) ClaimApplied(version int64) bool {
	db.appliedMu.Lock()
	defer db.appliedMu.Unlock()
	if !db.applied[version] {
		return false
	}
	delete(db.applied, version)
	return true
}

// CheckCurrent returns an error unless the schema is exactly the binary's.
func CheckCurrent(ctx context.Context, s xinyong.Store) error {
	cur, latest, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if cur != latest {
		return fmt.Errorf("schema version %d, binary expects %d", cur, latest)
	}
	return nil
}
