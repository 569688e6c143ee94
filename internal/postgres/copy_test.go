package postgres_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/pgtest"
	"xinyong/internal/sqlstore"
)

// TestCopyPath: big batches of new rows go through COPY inside the
// batch's transaction (seen by the transaction's next statements, by no
// other connection before the commit); small ones stay on INSERT; a
// duplicate in a copy is ECONFLICT naming PostgreSQL's constraint, and
// the transaction writes nothing.
func TestCopyPath(t *testing.T) {
	db := migrated(t, pgtest.DSN(t))
	ctx := t.Context()
	copied := map[string]int{}
	orig := db.D.CopyRows
	db.D.CopyRows = func(tx *sqlstore.Tx, table string, cols []string, n int, rowArgs func(int, []any) []any) error {
		copied[table] += n
		return orig(tx, table, cols, n, rowArgs)
	}
	at := time.Date(2026, 2, 1, 1, 2, 3, 0, time.UTC)
	dept := xinyong.Department{ID: "d1", Code: "11110000000000001A", Name: "市场监督管理局", Provides: []string{"CF01"}, CreatedAt: at}
	subj := xinyong.Subject{ID: "s1", Key: "K1", Code: "K1", Kind: xinyong.KindEnterprise, Name: "某某有限公司", CreatedAt: at}
	if err := db.Update(ctx, func(tx xinyong.Tx) error {
		if err := tx.CreateDepartment(dept); err != nil {
			return err
		}
		return tx.PutSubject(subj)
	}); err != nil {
		t.Fatal(err)
	}
	rec := func(i int) xinyong.Record {
		d := xinyong.NewDate(2026, 1, 15)
		return xinyong.Record{ID: fmt.Sprintf("r%04d", i), Item: "CF01", Kind: "penalty", SubjectID: subj.ID, DepartmentID: dept.ID,
			Document: xinyong.Document{Number: fmt.Sprintf("京罚〔2026〕%d号", i), DecisionDate: d}, Version: 1, Status: xinyong.RecordActive,
			SubmittedAt: at, UpdatedAt: at, LedgerIdx: int64(i), Content: []byte("c"), Salt: []byte("s")}
	}
	count := func() (n int) {
		t.Helper()
		if err := db.R.QueryRowContext(ctx, `SELECT count(*) FROM record`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	var big []xinyong.Record
	for i := range 250 {
		big = append(big, rec(i))
	}
	err := db.Update(ctx, func(tx xinyong.Tx) error {
		if err := tx.InsertRecords(big); err != nil {
			return err
		}
		got, err := tx.RecordsByDocKeys(dept.ID, "penalty", []string{big[0].Document.Number, big[249].Document.Number})
		if err != nil || len(got) != 2 {
			t.Errorf("the transaction sees %d of its copied records (%v)", len(got), err)
		}
		if n := count(); n != 0 {
			t.Errorf("another connection sees %d records before the commit", n)
		}
		return tx.InsertRecords([]xinyong.Record{rec(250), rec(251)})
	})
	if err != nil {
		t.Fatal(err)
	}
	if copied["record"] != 250 || count() != 252 {
		t.Fatalf("copied %v, %d records stored; want the 250 copied and 2 inserted", copied, count())
	}
	dup := []xinyong.Record{}
	for i := 300; i < 300+sqlstore.CopyMinRows; i++ {
		dup = append(dup, rec(i))
	}
	dup[len(dup)-1].Document.Number = big[7].Document.Number
	err = db.Update(ctx, func(tx xinyong.Tx) error { return tx.InsertRecords(dup) })
	if xinyong.ErrorCode(err) != xinyong.ECONFLICT || !strings.Contains(xinyong.ErrorMessage(err), "(record_department_id_kind_doc_number_key)") {
		t.Fatalf("duplicate decision number in a copy: %v", err)
	}
	if strings.Contains(err.Error(), "京罚") {
		t.Errorf("the conflict shows a value: %v", err)
	}
	if n := count(); n != 252 {
		t.Fatalf("%d records after the refused copy, want 252", n)
	}
	if copied["record"] != 250+sqlstore.CopyMinRows {
		t.Errorf("the refused batch did not go through COPY: %v", copied)
	}
}
