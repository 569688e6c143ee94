package postgres_test

import (
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/pgtest"
	"xinyong/internal/storetest"
)

// TestSearchBackfill: subjects stored before migration 0002 are indexed by it.
func TestSearchBackfill(t *testing.T) { storetest.SearchBackfill(t, open(t, pgtest.DSN(t))) }

// TestSearchExecMode: search statements never become prepared statements
// (pgx's cache would let PostgreSQL switch to a generic plan after five
// runs, shared/reference/spikes.md §3), while ordinary statements do.
func TestSearchExecMode(t *testing.T) {
	db := migrated(t, pgtest.DSN(t))
	db.R.SetMaxOpenConns(1) // one backend: its pg_prepared_statements is the pool's
	ctx := t.Context()
	s := xinyong.Subject{ID: "s1", Key: "K1", Code: "K1", Kind: xinyong.KindEnterprise, Name: "甘肃鞋铁荣智商贸合作社"}
	if err := db.Update(ctx, func(tx xinyong.Tx) error {
		if err := tx.PutSubject(s); err != nil {
			return err
		}
		return tx.IndexSubjects([]xinyong.Subject{s})
	}); err != nil {
		t.Fatal(err)
	}
	for i := range 8 {
		for _, q := range []string{"鞋", "甘肃", "鞋铁荣"} {
			if err := db.View(ctx, func(tx xinyong.Tx) error {
				ss, n, err := tx.SearchSubjects(xinyong.SearchQuery{Text: q, Kinds: []xinyong.SubjectKind{xinyong.KindEnterprise}})
				if err == nil && (n != 1 || len(ss) != 1) {
					t.Errorf("run %d: search %q found %d (count %d)", i, q, len(ss), n)
				}
				if err != nil {
					return err
				}
				_, err = tx.Subject("s1")
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	rows, err := db.R.QueryContext(ctx, `SELECT statement FROM pg_prepared_statements`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var cached, search int
	for rows.Next() {
		var st string
		if err := rows.Scan(&st); err != nil {
			t.Fatal(err)
		}
		cached++
		if strings.Contains(st, "ILIKE") || strings.Contains(st, "name_bi @>") {
			search++
			t.Errorf("a search statement is cached: %s", st)
		}
	}
	if cached == 0 {
		t.Error("no statement is cached at all: the check sees nothing")
	}
}

// TestSearchIndexes: the plans of 2- and 3-character searches can use the
// GIN indexes (with sequential scans off, as on a large table).
func TestSearchIndexes(t *testing.T) {
	db := migrated(t, pgtest.DSN(t))
	db.W.SetMaxOpenConns(1)
	ctx := t.Context()
	if _, err := db.W.ExecContext(ctx, `SET enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	for q, index := range map[string]string{
		`SELECT id FROM subject s WHERE s.name_bi @> ARRAY[CAST('甘肃' AS text)]`: "subject_name_bi",
		`SELECT id FROM subject s WHERE s.name ILIKE '%鞋铁荣%' ESCAPE '\'`:        "subject_name_trgm",
	} {
		rows, err := db.W.QueryContext(ctx, "EXPLAIN "+q)
		if err != nil {
			t.Fatal(err)
		}
		var plan strings.Builder
		for rows.Next() {
			var line string
			rows.Scan(&line)
			plan.WriteString(line + "\n")
		}
		rows.Close()
		if !strings.Contains(plan.String(), index) {
			t.Errorf("%s does not use %s:\n%s", q, index, plan.String())
		}
	}
}
