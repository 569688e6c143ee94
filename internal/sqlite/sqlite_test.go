package sqlite_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/sqlite"
	"xinyong/internal/sqlstore"
	"xinyong/internal/storetest"
)

func open(t *testing.T) *sqlstore.DB {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "xinyong.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) xinyong.Store {
		db := open(t)
		if err := db.Migrate(t.Context()); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
		return db
	})
}

func TestSchemaVersionBeforeMigrate(t *testing.T) {
	db := open(t)
	cur, latest, err := db.SchemaVersion(t.Context())
	if err != nil || cur != 0 || latest < 1 {
		t.Fatalf("SchemaVersion of a new file = (%d, %d, %v), want (0, latest, nil)", cur, latest, err)
	}
	if err := sqlstore.CheckCurrent(t.Context(), db); err == nil {
		t.Errorf("CheckCurrent of an unmigrated database succeeded")
	}
}

// TestMigrateRefusesNewerSchema: a database migrated by a newer binary is
// left alone.
func TestMigrateRefusesNewerSchema(t *testing.T) {
	db := open(t)
	ctx := t.Context()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.W.ExecContext(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (9999, 1)`); err != nil {
		t.Fatal(err)
	}
	checkRefused(t, ctx, db)
}

func checkRefused(t *testing.T, ctx context.Context, db *sqlstore.DB) {
	t.Helper()
	err := db.Migrate(ctx)
	if err == nil || !errors.Is(err, sqlstore.ErrSchemaNewer) || !strings.Contains(err.Error(), "newer") || !strings.Contains(err.Error(), "9999") {
		t.Fatalf("Migrate of a newer schema: %v, want an error saying the schema (9999) is newer", err)
	}
	cur, latest, err := db.SchemaVersion(ctx)
	if err != nil || cur != 9999 || latest >= 9999 {
		t.Errorf("SchemaVersion = (%d, %d, %v), want (9999, latest)", cur, latest, err)
	}
	if err := sqlstore.CheckCurrent(ctx, db); err == nil {
		t.Errorf("CheckCurrent of a newer schema succeeded")
	}
}

// TestWriterCache: the writer's page cache is the one asked for (64 MiB by
// default); readers keep theirs.
func TestWriterCache(t *testing.T) {
	for _, tt := range []struct{ mib, want int }{{0, 64}, {1024, 1024}} {
		db, err := sqlite.OpenCache(filepath.Join(t.TempDir(), "x.db"), nil, tt.mib)
		if err != nil {
			t.Fatal(err)
		}
		var w, r int
		if err := db.W.QueryRow(`PRAGMA cache_size`).Scan(&w); err != nil {
			t.Fatal(err)
		}
		if err := db.R.QueryRow(`PRAGMA cache_size`).Scan(&r); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if w != -tt.want*1024 || r != -32*1024 {
			t.Errorf("OpenCache(%d): writer cache_size %d, reader %d; want %d and %d (KiB, negative)", tt.mib, w, r, -tt.want*1024, -32*1024)
		}
	}
}

// TestCloseForExit: a process ending with CloseForExit leaves every
// committed write in the database file (the WAL checkpointed and empty),
// readable by the next opener.
func TestCloseForExit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	db, err := sqlite.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.W.Exec(`CREATE TABLE t (v TEXT)`); err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if _, err := db.W.Exec(`INSERT INTO t (v) VALUES (?)`, strings.Repeat("x", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.CloseForExit(); err != nil {
		t.Fatal(err)
	}
	defer db.W.Close() // the exit's part, in a test
	if st, err := os.Stat(path + "-wal"); err != nil || st.Size() != 0 {
		t.Fatalf("WAL after CloseForExit: %v, size %d; want an empty file", err, st.Size())
	}
	if err := db.R.Ping(); err == nil {
		t.Error("the readers are still open")
	}
	again, err := sqlite.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	var n int
	if err := again.R.QueryRow(`SELECT count(*) FROM t`).Scan(&n); err != nil || n != 100 {
		t.Fatalf("rows after reopening: %d %v", n, err)
	}
}
