package workflow_test

import (
	"slices"
	"testing"

	"xinyong"
)

// A supervisor's listing across subjects (Records and RecordDocs without
// a subject) registers one query-use entry per subject of the page, naming
// its records there: a withdrawn one, one past its publication window and
// a public one alike, since the page answers the stored documents, more
// than the public's view; the recording department listing its own
// records registers nothing (DOMAIN.md §7). On SQLite and PostgreSQL. The
// old listing registered nothing without a subject, and then (21726b6)
// nothing for a subject shown only with public records.
func TestSupervisionListingAcrossSubjects(t *testing.T) {
	for _, st := range gradingStores {
		t.Run(st.name, func(t *testing.T) { testSupervisionListingAcrossSubjects(t, newGradingEnvDB(t, st.db(t))) })
	}
}

func testSupervisionListingAcrossSubjects(t *testing.T, e *grEnv) { // 2026-06-01
	pub := e.penalty(t, e.offA, e.deptA, uscc(t, "91620100MA74QX1A"), "兰市监罚〔2026〕11号", "2026-05-20", "general", xinyong.Leniency{})
	old := e.penalty(t, e.offA, e.deptA, uscc(t, "91620100MA74QX2B"), "兰市监罚〔2020〕12号", "2020-06-01", "general", xinyong.Leniency{})
	wd := e.penalty(t, e.offA, e.deptA, uscc(t, "91620100MA74QX3C"), "兰市监罚〔2026〕13号", "2026-05-21", "general", xinyong.Leniency{})
	if _, err := e.svc.Withdraw(e.ctx, e.offA, wd.ID, "revoked", "复议撤销"); err != nil {
		t.Fatal(err)
	}
	auditor := xinyong.Actor{Kind: "account", ID: "aud", Name: "auditor", Role: xinyong.RoleAuditor}
	entries := func() map[string][]xinyong.QueryUse {
		t.Helper()
		out := map[string][]xinyong.QueryUse{}
		if err := e.svc.Store.View(e.ctx, func(tx xinyong.Tx) error {
			qs, err := tx.QueryUses(xinyong.QueryFilter{Limit: 1000})
			for _, q := range qs {
				out[q.SubjectID] = append(out[q.SubjectID], q)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	want := func(who string, n int) {
		t.Helper()
		got := entries()
		for _, r := range []xinyong.Record{pub, old, wd} {
			qs := got[r.SubjectID]
			if len(qs) != n {
				t.Errorf("%s: %d entries for %s, want %d", who, len(qs), r.Document.Number, n)
				continue
			}
			for _, q := range qs {
				if !slices.Equal(q.Records, []string{r.ID}) || !slices.Equal(q.Items, []string{"XZCF"}) || q.LedgerIdx == 0 {
					t.Errorf("%s: entry %+v", who, q)
				}
			}
		}
		if len(got) != min(n, 1)*3 {
			t.Errorf("%s: entries for %d subjects", who, len(got))
		}
	}
	if _, err := e.svc.RecordDocs(e.ctx, e.offA, xinyong.RecordFilter{Limit: 1000}); err != nil {
		t.Fatal(err)
	}
	want("the department's own listing", 0)
	docs, err := e.svc.RecordDocs(e.ctx, e.admin, xinyong.RecordFilter{Limit: 1000})
	if err != nil || len(docs) != 3 {
		t.Fatalf("admin listing: %v %d", err, len(docs))
	}
	want("the admin's listing", 1)
	if _, err := e.svc.Records(e.ctx, auditor, xinyong.RecordFilter{Item: "XZCF", Limit: 1000}); err != nil {
		t.Fatal(err)
	}
	want("the auditor's listing by item", 2)
	if rep, err := e.svc.Verify(e.ctx, "", nil); err != nil || !rep.OK() {
		t.Errorf("ledger verify: %v %+v", err, rep.Problems)
	}
}
