package postgres_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/pgtest"
	"xinyong/internal/postgres"
	"xinyong/internal/sqlstore"
	"xinyong/internal/storetest"
)

func open(t *testing.T, dsn string) *sqlstore.DB {
	t.Helper()
	db, err := postgres.Open(t.Context(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func migrated(t *testing.T, dsn string) *sqlstore.DB {
	t.Helper()
	db := open(t, dsn)
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) xinyong.Store { return migrated(t, pgtest.DSN(t)) })
}

func TestSchemaVersionBeforeMigrate(t *testing.T) {
	db := open(t, pgtest.DSN(t))
	cur, latest, err := db.SchemaVersion(t.Context())
	if err != nil || cur != 0 || latest < 1 {
		t.Fatalf("SchemaVersion of an empty schema = (%d, %d, %v), want (0, latest, nil)", cur, latest, err)
	}
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	db := migrated(t, pgtest.DSN(t))
	ctx := t.Context()
	if _, err := db.W.ExecContext(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (9999, TRUE)`); err != nil {
		t.Fatal(err)
	}
	err := db.Migrate(ctx)
	if err == nil || !errors.Is(err, sqlstore.ErrSchemaNewer) || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("Migrate of a newer schema: %v, want an error saying the schema is newer", err)
	}
}

// TestLockLedgerSerialises: while one transaction holds the ledger lock, a
// second one's LockLedger waits for it to commit, then sees what it wrote.
func TestLockLedgerSerialises(t *testing.T) {
	// A distinct application_name lets the test see its second transaction
	// wait for the lock in pg_stat_activity.
	app := "xt_lock_" + strings.ReplaceAll(time.Now().Format("150405.000000000"), ".", "")
	dsn := pgtest.WithParam(t, pgtest.DSN(t), "application_name", app)
	db := migrated(t, dsn)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()

	locked, release := make(chan struct{}), make(chan struct{})
	var committing atomic.Bool
	done1 := make(chan error, 1)
	go func() {
		done1 <- db.Update(ctx, func(tx xinyong.Tx) error {
			h, err := tx.LockLedger()
			if err != nil {
				return err
			}
			close(locked)
			<-release
			if err := tx.SetLedgerHead(xinyong.LedgerHead{Size: h.Size + 1, Root: []byte{1}}); err != nil {
				return err
			}
			committing.Store(true) // set before the commit; tx2 must see it
			return nil
		})
	}()
	select {
	case <-locked:
	case err := <-done1:
		t.Fatalf("first transaction: %v", err)
	}

	type result struct {
		head     xinyong.LedgerHead
		afterTx1 bool
		err      error
	}
	done2 := make(chan result, 1)
	go func() {
		var r result
		r.err = db.Update(ctx, func(tx xinyong.Tx) error {
			h, err := tx.LockLedger()
			r.head, r.afterTx1 = h, committing.Load()
			if err != nil {
				return err
			}
			return tx.SetLedgerHead(xinyong.LedgerHead{Size: h.Size + 1, Root: []byte{2}})
		})
		done2 <- r
	}()

	// Wait until the second transaction is blocked on the lock.
	for waiting := false; !waiting; {
		select {
		case r := <-done2:
			t.Fatalf("second LockLedger returned while the first transaction held the lock: %+v", r)
		default:
		}
		err := db.R.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock' AND query LIKE '%ledger_head%')`, app).Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
	}
	close(release)
	if err := <-done1; err != nil {
		t.Fatalf("first transaction: %v", err)
	}
	r := <-done2
	if r.err != nil {
		t.Fatalf("second transaction: %v", r.err)
	}
	if !r.afterTx1 {
		t.Errorf("second LockLedger returned before the first transaction committed")
	}
	if r.head.Size != 1 {
		t.Errorf("second LockLedger saw size %d, want 1 (the first transaction's)", r.head.Size)
	}
	var h xinyong.LedgerHead
	if err := db.View(ctx, func(tx xinyong.Tx) (err error) { h, err = tx.LedgerHead(); return err }); err != nil {
		t.Fatal(err)
	}
	if h.Size != 2 {
		t.Errorf("final size %d, want 2", h.Size)
	}
}
