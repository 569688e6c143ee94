package server

import (
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// TestSupervisionReadsAreRegistered: the admin and auditors see records
// the public does not (a minor's penalty, masked); each such read of one
// subject is a query-use entry with the supervision purpose and basis
// (DOMAIN.md §7: every query of non-public information is registered), on
// the subject page, the records API by subject and one record. The
// recording department reading its own records and anyone reading only
// public records register nothing.
func TestSupervisionReadsAreRegistered(t *testing.T) {
	f := newPortal(t)
	e := f.e
	admin := e.token(t, "admin", "", "")
	auditor := e.token(t, "auditor", "", "")
	var minor, org, person xinyong.Subject
	if err := e.app.Store.View(e.ctx, func(tx xinyong.Tx) (err error) {
		if minor, err = tx.SubjectByKey(e.svc.SubjectKey(f.minorID)); err != nil {
			return err
		}
		if person, err = tx.SubjectByKey(e.svc.SubjectKey(f.personID)); err != nil {
			return err
		}
		org, err = tx.SubjectByKey(f.orgCode)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	entries := func(subj string) []xinyong.QueryUse {
		t.Helper()
		var qs []xinyong.QueryUse
		if err := e.app.Store.View(e.ctx, func(tx xinyong.Tx) (err error) {
			qs, err = tx.QueryUses(xinyong.QueryFilter{SubjectID: subj})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return qs
	}
	var recs struct {
		Records []xinyong.Record `json:"records"`
	}
	e.do(t, req{Path: "/api/v1/records?subject_id=" + minor.ID, Token: f.officer}).json(t, &recs)
	e.do(t, req{Path: "/api/v1/subjects/" + minor.ID, Token: f.officer}).json(t, &workflow.SubjectProfile{})
	if n := len(entries(minor.ID)); n != 0 || len(recs.Records) != 1 {
		t.Fatalf("the recording department reading its own records registered %d entries (%d records)", n, len(recs.Records))
	}
	var p workflow.SubjectProfile
	e.do(t, req{Path: "/api/v1/subjects/" + minor.ID, Token: admin}).json(t, &p)
	if len(p.Records) != 1 || p.Records[0].Public || p.QueryID == "" {
		t.Fatalf("the admin's view of the minor: %+v", p)
	}
	e.do(t, req{Path: "/api/v1/records?subject_id=" + minor.ID, Token: auditor}).json(t, &recs)
	e.do(t, req{Path: "/api/v1/records/" + recs.Records[0].ID, Token: auditor}).json(t, &struct{}{})
	qs := entries(minor.ID)
	if len(qs) != 3 {
		t.Fatalf("%d entries for three supervision reads", len(qs))
	}
	for _, q := range qs {
		if q.Purpose != workflow.SupervisionPurpose || q.Basis != workflow.SupervisionBasis || len(q.Records) != 1 || q.Records[0] != recs.Records[0].ID || q.LedgerIdx == 0 {
			t.Errorf("entry %+v", q)
		}
	}
	// Only public records: nothing to register.
	var op workflow.SubjectProfile
	e.do(t, req{Path: "/api/v1/subjects/" + org.ID, Token: admin}).json(t, &op)
	if op.QueryID != "" || len(entries(org.ID)) != 0 || len(op.Records) == 0 {
		t.Errorf("a read of public records only was registered: %q (%d records)", op.QueryID, len(op.Records))
	}
	// A person's public penalty: the subject page shows it to the admin as
	// to the public (the name and ID number masked, the same fields), so it
	// is no query either; a view that showed more would be (beyondPublic).
	var pp workflow.SubjectProfile
	e.do(t, req{Path: "/api/v1/subjects/" + person.ID, Token: admin}).json(t, &pp)
	if len(pp.Records) != 1 || pp.Subject.Name == f.personName || pp.Records[0].SubjectName == f.personName {
		t.Fatalf("fixture: the admin's page of the person: %+v", pp)
	}
	if qs := entries(person.ID); pp.QueryID != "" || len(qs) != 0 {
		t.Errorf("the admin's page of a person's public record, shown as the public sees it, was registered: %q %+v", pp.QueryID, qs)
	}
	if vr, err := e.svc.Verify(e.ctx, "", nil); err != nil || !vr.OK() {
		t.Errorf("ledger verify: %v %+v", err, vr.Problems)
	}
}
