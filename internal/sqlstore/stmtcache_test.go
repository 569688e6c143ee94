package sqlstore

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"xinyong"
)

// A read query seen twice is prepared on the pool in the background, and
// transactions after that run it through the pool's statement with the
// same answers; concurrent readers never wait on the preparation.
func TestPoolStatements(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	w, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", "file:"+path+"?_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	r.SetMaxOpenConns(2)
	db := &DB{W: w, R: r, D: Dialect{Name: "sqlite", PrepareInTx: true}}
	defer db.Close()
	if _, err := w.Exec(`CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT); INSERT INTO kv VALUES ('a', '甲'), ('b', '乙')`); err != nil {
		t.Fatal(err)
	}
	done := make(chan string, 1)
	db.rStmts.prepared = func(q string, err error) {
		if err != nil {
			t.Errorf("prepare %q: %v", q, err)
		}
		done <- q
	}
	const q = `SELECT v FROM kv WHERE k = ?`
	read := func(k string) string {
		var v string
		if err := db.View(context.Background(), func(xt xinyong.Tx) error {
			return xt.(*Tx).row(q, k).Scan(&v)
		}); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if read("a") != "甲" || read("b") != "乙" { // the second sight starts the preparation
		t.Fatal("wrong answers before the pool statement")
	}
	if got := <-done; got != q {
		t.Fatalf("prepared %q, want %q", got, q)
	}
	if v, ok := db.rStmts.m.Load(q); !ok {
		t.Fatal("the statement is not in the pool cache")
	} else if _, isStmt := v.(*sql.Stmt); !isStmt {
		t.Fatalf("cache holds %T", v)
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			k, want := "a", "甲"
			if i%2 == 1 {
				k, want = "b", "乙"
			}
			if got := read(k); got != want {
				t.Errorf("read(%s) = %q through the pool statement, want %q", k, got, want)
			}
		})
	}
	wg.Wait()
	if db.rStmts.n.Load() != 1 {
		t.Errorf("%d statements prepared, want 1", db.rStmts.n.Load())
	}
}

// Close waits for a background preparation still running: one left behind
// would hold a connection to the file after the store was closed (and, in
// a test, write into a directory being removed). The preparation is held
// until Close has stopped new ones; if Close returns while it is held, it
// did not wait (the bound only decides how long a wrong early return has
// to show itself: a correct Close can never return first).
func TestPoolStatementsCloseWaits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	w, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	w.SetMaxOpenConns(1)
	if _, err := w.Exec(`CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)`); err != nil {
		t.Fatal(err)
	}
	db := &DB{W: w, R: w, D: Dialect{Name: "sqlite", PrepareInTx: true}}
	entered, started, proceed := make(chan struct{}), make(chan struct{}), make(chan struct{})
	var finished atomic.Bool
	db.rStmts.prepared = func(q string, err error) {
		close(entered)
		<-proceed
		finished.Store(true)
	}
	db.rStmts.closeStarted = func() { close(started) }
	const q = `SELECT v FROM kv WHERE k = ?`
	db.rStmts.get(w, q)
	if db.rStmts.get(w, q) != nil {
		t.Fatal("a statement seen twice was ready at once")
	}
	<-entered
	closed := make(chan error, 1)
	go func() { closed <- db.Close() }()
	<-started
	select {
	case <-closed:
		close(proceed)
		t.Fatal("Close returned while a background preparation was still running")
	case <-time.After(200 * time.Millisecond):
	}
	close(proceed)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if !finished.Load() {
		t.Fatal("Close returned before the background preparation finished")
	}
	if db.rStmts.get(w, `SELECT k FROM kv`) != nil || db.rStmts.get(w, `SELECT k FROM kv`) != nil {
		t.Fatal("a statement was handed out after Close")
	}
}
