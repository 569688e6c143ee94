package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	_ "modernc.org/sqlite"

	"xinyong"
)

// countingConnector counts the statements its connections run that begin
// with prefix.
type countingConnector struct {
	d      driver.Driver
	dsn    string
	prefix string
	n      atomic.Int64
}

func (c *countingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.d.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: conn, c: c}, nil
}

func (c *countingConnector) Driver() driver.Driver { return c.d }

func (c *countingConnector) count(q string) {
	if strings.HasPrefix(q, c.prefix) {
		c.n.Add(1)
	}
}

type countingConn struct {
	driver.Conn
	c *countingConnector
}

func (cc *countingConn) Prepare(q string) (driver.Stmt, error) {
	cc.c.count(q)
	return cc.Conn.Prepare(q)
}

func (cc *countingConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	cc.c.count(q)
	return cc.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, q)
}

func (cc *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return cc.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (cc *countingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	r, err := cc.Conn.(driver.ExecerContext).ExecContext(ctx, q, args)
	if err != driver.ErrSkip {
		cc.c.count(q)
	}
	return r, err
}

func (cc *countingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	return cc.Conn.(driver.QueryerContext).QueryContext(ctx, q, args)
}

// A batch's row errors are written with multi-row INSERTs, not one
// statement per error, and keep their numbering (seq) across batches.
func TestAddImportErrorsMultiRow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	probe, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	cn := &countingConnector{d: probe.Driver(), dsn: "file:" + path, prefix: "INSERT INTO import_error"}
	probe.Close()
	w := sql.OpenDB(cn)
	w.SetMaxOpenConns(1)
	db := &DB{W: w, R: w, D: Dialect{Name: "sqlite"}}
	defer db.Close()
	if _, err := w.Exec(`CREATE TABLE import_error (import_id TEXT NOT NULL, seq INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (import_id, seq))`); err != nil {
		t.Fatal(err)
	}
	errs := func(from, n int) []xinyong.FieldError {
		var out []xinyong.FieldError
		for i := range n {
			out = append(out, xinyong.FieldError{Row: from + i, Field: "CF_NR_FK", Rule: "field.amount", Message: "不是数字", Value: fmt.Sprint("两万", i)})
		}
		return out
	}
	ctx := context.Background()
	add := func(id string, fes []xinyong.FieldError) {
		t.Helper()
		if err := db.Update(ctx, func(tx xinyong.Tx) error { return tx.AddImportErrors(id, fes) }); err != nil {
			t.Fatal(err)
		}
	}
	first, second := errs(2, 2*insertRowsPerStatement+1), errs(5000, 3)
	add("j1", first)
	if got, most := cn.n.Load(), int64(3); got > most {
		t.Errorf("%d row errors took %d INSERT statements, want at most %d", len(first), got, most)
	}
	add("j2", errs(1, 1))
	add("j1", second)
	add("j1", nil)

	rows, err := w.Query(`SELECT seq, data FROM import_error WHERE import_id = 'j1' ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want := append(first, second...)
	i := 0
	for rows.Next() {
		var seq int
		var data string
		if err := rows.Scan(&seq, &data); err != nil {
			t.Fatal(err)
		}
		if i >= len(want) {
			t.Fatalf("more errors than added: seq %d", seq)
		}
		if seq != i+1 || data != mustJSON(want[i]) {
			t.Fatalf("error %d: seq %d %s, want seq %d %s", i, seq, data, i+1, mustJSON(want[i]))
		}
		i++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if i != len(want) {
		t.Errorf("%d errors stored for j1, want %d", i, len(want))
	}
}
