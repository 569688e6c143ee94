package server

import (
	"slices"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// TestSupervisionListingRegisteredPerSubject: the admin or an auditor
// listing records across subjects (GET /api/v1/records without
// subject_id, with or without other filters) reads non-public records of
// many subjects; each subject whose non-public records the page shows gets
// one query-use entry with the supervision purpose, naming those records
// and their items (DOMAIN.md §7), committed before the answer. Subjects of
// which the page shows only public records get none, and the recording
// department listing its own records registers nothing, as before. The
// old listing registered nothing without subject_id.
func TestSupervisionListingRegisteredPerSubject(t *testing.T) {
	f := newPortal(t)
	e := f.e
	admin := e.token(t, "admin", "", "")
	auditor := e.token(t, "auditor", "", "")
	adminActor, err := e.svc.TokenActor(e.ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	all := func() []xinyong.QueryUse {
		t.Helper()
		var qs []xinyong.QueryUse
		if err := e.app.Store.View(e.ctx, func(tx xinyong.Tx) (err error) {
			qs, err = tx.QueryUses(xinyong.QueryFilter{Limit: 1000})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return qs
	}
	type page struct {
		Records []xinyong.Record `json:"records"`
	}
	// since returns the entries not among before.
	since := func(before []xinyong.QueryUse) []xinyong.QueryUse {
		t.Helper()
		var out []xinyong.QueryUse
		for _, q := range all() {
			if !slices.ContainsFunc(before, func(b xinyong.QueryUse) bool { return b.ID == q.ID }) {
				out = append(out, q)
			}
		}
		return out
	}
	base := all()

	// The department lists its own records: nothing registered.
	var own page
	e.do(t, req{Path: "/api/v1/records?limit=1000", Token: f.officer}).json(t, &own)
	if n := len(since(base)); n != 0 || len(own.Records) == 0 {
		t.Fatalf("the recording department listing its own records registered %d entries (%d records)", n, len(own.Records))
	}

	// The admin lists every record: one entry per subject with non-public
	// records on the page, naming exactly those.
	var p page
	e.do(t, req{Path: "/api/v1/records?limit=1000", Token: admin}).json(t, &p)
	public := []string{f.orgPenalty, f.orgLicence, f.personPenalty}
	want := map[string][]string{} // subject → non-public record ids
	publicSubjects := map[string]bool{}
	for _, r := range p.Records {
		if slices.Contains(public, r.Document.Number) {
			publicSubjects[r.SubjectID] = true
			continue
		}
		want[r.SubjectID] = append(want[r.SubjectID], r.ID)
	}
	if len(want) < 5 || len(publicSubjects) != 2 {
		t.Fatalf("fixture: %d subjects with non-public records, %d with public ones only", len(want), len(publicSubjects))
	}
	check := func(who string, qs []xinyong.QueryUse, want map[string][]string) {
		t.Helper()
		got := map[string]int{}
		for _, q := range qs {
			got[q.SubjectID]++
			ids := slices.Sorted(slices.Values(want[q.SubjectID]))
			if q.Purpose != workflow.SupervisionPurpose || q.Basis != workflow.SupervisionBasis || !slices.Equal(q.Records, ids) || q.LedgerIdx == 0 {
				t.Errorf("%s: entry for %s: %+v, want records %v", who, q.SubjectID, q, ids)
			}
			if len(q.Items) != 1 || q.Items[0] != "XZCF" {
				t.Errorf("%s: entry for %s names items %v", who, q.SubjectID, q.Items)
			}
		}
		for s := range want {
			if got[s] != 1 {
				t.Errorf("%s: %d entries for subject %s with non-public records on the page", who, got[s], s)
			}
		}
		for s := range got {
			if publicSubjects[s] {
				t.Errorf("%s: a subject shown only with public records was registered", who)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: entries for %d subjects, want %d", who, len(got), len(want))
		}
	}
	check("admin listing", since(base), want)
	base = all()

	// An auditor lists withdrawn records (another filter): the withdrawn
	// record's subject alone.
	var wp page
	e.do(t, req{Path: "/api/v1/records?status=withdrawn", Token: auditor}).json(t, &wp)
	if len(wp.Records) != 1 {
		t.Fatalf("withdrawn records: %d", len(wp.Records))
	}
	check("auditor listing withdrawn records", since(base), map[string][]string{wp.Records[0].SubjectID: {wp.Records[0].ID}})
	base = all()

	// The service's decoded listing registers the same way.
	if _, err := e.svc.Records(e.ctx, adminActor, xinyong.RecordFilter{Limit: 1000}); err != nil {
		t.Fatal(err)
	}
	check("admin listing through Records", since(base), want)

	if vr, err := e.svc.Verify(e.ctx, "", nil); err != nil || !vr.OK() {
		t.Errorf("ledger verify: %v %+v", err, vr.Problems)
	}
}
