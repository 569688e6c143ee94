package workflow_test

import (
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// supervisionEntries returns the query-use entries of subjectID, checking
// each is a supervision read (purpose and basis).
func supervisionEntries(t *testing.T, svc *workflow.Service, subjectID string) []xinyong.QueryUse {
	t.Helper()
	var qs []xinyong.QueryUse
	if err := svc.Store.View(t.Context(), func(tx xinyong.Tx) (err error) {
		qs, err = tx.QueryUses(xinyong.QueryFilter{SubjectID: subjectID})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		if q.Purpose != workflow.SupervisionPurpose || q.Basis != workflow.SupervisionBasis {
			t.Errorf("entry %s: purpose %q, basis %q", q.ID, q.Purpose, q.Basis)
		}
	}
	return qs
}

// TestSupervisionObjectionReadsRegistered: DOMAIN.md §7 — every query of
// non-public information is registered. The admin and auditors read the
// disputed record on the objection pages (the case, the list naming the
// record's subject and decision number) as on the subject page: once the
// record's publication has ended (a general penalty past its 1-year
// maximum), the public no longer sees it, so each such read is a
// supervision query, one entry per subject, committed before the answer.
// The department that recorded it reading its own record registers
// nothing, and neither does a list naming records as the public sees them.
// Found by review (TestRevObjectionCaseSupervisionReadUnregistered).
func TestSupervisionObjectionReadsRegistered(t *testing.T) {
	f := newFixture(t)
	r, err := f.penalty(t, f.offA, "兰市监罚〔2026〕801号", "2026-05-04")
	if err != nil {
		t.Fatal(err)
	}
	subj := xinyong.Actor{Kind: "account", ID: "s1", Name: "org", Role: xinyong.RoleSubject, SubjectID: r.SubjectID}
	o, err := f.svc.FileObjection(f.ctx, subj, r.ID, xinyong.RecordObjectionInput{Fields: []string{"CF_NR"}, Reasons: "金额有误"})
	if err != nil {
		t.Fatal(err)
	}
	auditor := xinyong.Actor{Kind: "account", ID: "aud", Name: "auditor", Role: xinyong.RoleAuditor}

	// Published: the list names the record as the public does.
	rows, err := f.svc.ObjectionRows(f.ctx, f.admin, xinyong.ObjectionFilter{}, false)
	if err != nil || len(rows) != 1 || rows[0].Number != r.Document.Number {
		t.Fatalf("rows: %v %+v", err, rows)
	}
	if qs := supervisionEntries(t, f.svc, r.SubjectID); len(qs) != 0 {
		t.Errorf("a list naming a published record as the public sees it registered %d entries", len(qs))
	}

	f.clk.Set(day("2027-09-01")) // past the 1-year maximum: no longer public
	pub, err := f.svc.SubjectProfile(f.ctx, xinyong.Actor{Kind: "public"}, f.org)
	if err != nil || len(pub.Records) != 0 {
		t.Fatalf("the public still sees it: %v %+v", err, pub.Records)
	}
	// The department's own record: no query.
	if c, err := f.svc.ObjectionCase(f.ctx, f.offA, o.ID, ""); err != nil || c.Record == nil {
		t.Fatalf("the department's read: %v %+v", err, c.Record)
	}
	if _, err := f.svc.ObjectionRows(f.ctx, f.offA, xinyong.ObjectionFilter{}, false); err != nil {
		t.Fatal(err)
	}
	if qs := supervisionEntries(t, f.svc, r.SubjectID); len(qs) != 0 {
		t.Fatalf("the department reading its own record registered %d entries", len(qs))
	}

	c, err := f.svc.ObjectionCase(f.ctx, auditor, o.ID, "")
	if err != nil || c.Record == nil {
		t.Fatalf("the auditor's read: %v %+v", err, c.Record)
	}
	qs := supervisionEntries(t, f.svc, r.SubjectID)
	if len(qs) != 1 || len(qs[0].Records) != 1 || qs[0].Records[0] != r.ID || qs[0].Items[0] != "XZCF" || qs[0].Actor != auditor.Ref() {
		t.Fatalf("the auditor read a record the public no longer sees on the objection case: entries %+v", qs)
	}
	rows, err = f.svc.ObjectionRows(f.ctx, f.admin, xinyong.ObjectionFilter{}, false)
	if err != nil || len(rows) != 1 || rows[0].Number != r.Document.Number {
		t.Fatalf("rows: %v %+v", err, rows)
	}
	qs = supervisionEntries(t, f.svc, r.SubjectID)
	if len(qs) != 2 || qs[0].Actor != f.admin.Ref() || len(qs[0].Records) != 1 || qs[0].Records[0] != r.ID {
		t.Fatalf("the admin's list named a record the public no longer sees: entries %+v", qs)
	}
}

// TestSupervisionGradeRecordsRegistered: the records behind a grade are
// described (item, decision number, date, severity) to the admin and
// auditors even when the public no longer sees them; DOMAIN.md §7 makes
// each such read a registered query, naming only those records. A
// department officer reading its own records registers nothing.
func TestSupervisionGradeRecordsRegistered(t *testing.T) {
	e := newGradingEnv(t)
	org := uscc(t, "91620100MA74QX3K")
	r := e.penalty(t, e.offA, e.deptA, org, "兰市监罚〔2026〕802号", "2026-05-04", "general", xinyong.Leniency{})
	auditor := xinyong.Actor{Kind: "account", ID: "aud", Name: "auditor", Role: xinyong.RoleAuditor}

	v, err := e.svc.SubjectGrade(e.ctx, auditor, org, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := v.Records[r.ID]; !ok {
		t.Fatalf("the grade does not describe the penalty: %+v", v.Records)
	}
	if qs := supervisionEntries(t, e.svc, r.SubjectID); len(qs) != 0 || v.QueryID != "" {
		t.Errorf("a grade describing a published record registered %d entries", len(qs))
	}

	e.clk.Set(day("2027-09-01")) // past the 1-year maximum: no longer public
	if _, err := e.svc.SubjectGrade(e.ctx, e.offA, org, ""); err != nil {
		t.Fatal(err)
	}
	if qs := supervisionEntries(t, e.svc, r.SubjectID); len(qs) != 0 {
		t.Fatalf("the department reading its own record registered %d entries", len(qs))
	}
	if v, err = e.svc.SubjectGrade(e.ctx, auditor, org, ""); err != nil {
		t.Fatal(err)
	}
	if _, ok := v.Records[r.ID]; !ok {
		t.Fatalf("the grade no longer describes the penalty (%+v): nothing beyond the public's view to register", v.Records)
	}
	qs := supervisionEntries(t, e.svc, r.SubjectID)
	if len(qs) != 1 || v.QueryID != qs[0].ID || len(qs[0].Records) != 1 || qs[0].Records[0] != r.ID {
		t.Fatalf("the auditor was shown a record the public no longer sees behind a grade: query %q, entries %+v", v.QueryID, qs)
	}
	// Evaluating (a write) shows the same records: registered in its
	// transaction.
	if v, err = e.svc.EvaluateSubject(e.ctx, e.admin, org, ""); err != nil {
		t.Fatal(err)
	}
	if qs := supervisionEntries(t, e.svc, r.SubjectID); len(qs) != 2 || v.QueryID == "" || qs[0].ID != v.QueryID {
		t.Errorf("the admin's evaluation showed a record the public no longer sees: query %q, entries %+v", v.QueryID, qs)
	}
}
