package workflow_test

import (
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

// TestDeadlinesPurgeExpiredQueries: the daily job deletes query-use
// entries once they are past the retention period (5 years by default,
// DOMAIN.md §7: kept at least that long, and no longer than necessary),
// audits the purge, keeps younger entries, and the ledger still verifies.
// A run with nothing to purge writes nothing.
func TestDeadlinesPurgeExpiredQueries(t *testing.T) {
	f := newFixture(t)
	if _, err := f.penalty(t, f.offA, "兰市监罚〔2026〕701号", "2026-05-04"); err != nil {
		t.Fatal(err)
	}
	agency := xinyong.Actor{Kind: "token", ID: "ag", Name: "bank", Role: xinyong.RoleAgency, Organisation: "某银行"}
	if _, err := f.svc.Check(f.ctx, agency, f.org, "贷款审批", "贷款审批"); err != nil {
		t.Fatal(err)
	}
	f.clk.Set(f.clk.Now().AddDate(3, 0, 0))
	if _, err := f.svc.Check(f.ctx, agency, f.org, "贷款审批", "贷款审批"); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		t.Helper()
		qs, err := f.svc.QueryLog(f.ctx, xinyong.Actor{Kind: "account", ID: "aud", Role: xinyong.RoleAuditor}, workflow.QueryLogQuery{Page: 1})
		if err != nil {
			t.Fatal(err)
		}
		return len(qs.Entries)
	}
	if n := count(); n != 2 {
		t.Fatalf("%d entries, want 2", n)
	}
	// Four years and 364 days after the first: nothing is due.
	f.clk.Set(day("2031-05-31"))
	run, err := f.svc.RunDeadlines(f.ctx, xinyong.DateOf(f.clk.Now()))
	if err != nil || run.Purged != 0 || count() != 2 {
		t.Fatalf("before five years: %+v %v, %d entries", run, err, count())
	}
	f.clk.Set(day("2031-06-02"))
	run, err = f.svc.RunDeadlines(f.ctx, xinyong.DateOf(f.clk.Now()))
	if err != nil || run.Purged != 1 || count() != 1 {
		t.Fatalf("after five years: %+v %v, %d entries", run, err, count())
	}
	audits := func() int {
		evs, err := f.svc.Audit(f.ctx, xinyong.System, xinyong.AuditFilter{Action: workflow.ActQueryPurge})
		if err != nil {
			t.Fatal(err)
		}
		return len(evs)
	}
	before := audits()
	if before != 1 {
		t.Errorf("%d purge audit events, want 1", before)
	}
	f.clk.Set(f.clk.Now().Add(time.Hour))
	if run, err := f.svc.RunDeadlines(f.ctx, xinyong.DateOf(f.clk.Now())); err != nil || run.Purged != 0 || audits() != before {
		t.Errorf("a run with nothing to purge: %+v %v, %d audit events", run, err, audits()-before)
	}
	if vr, err := f.svc.Verify(f.ctx, "", nil); err != nil || !vr.OK() {
		t.Errorf("ledger verify after the purge: %v %+v", err, vr)
	}
}
