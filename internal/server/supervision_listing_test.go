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
// many subjects; each subject of the page gets one query-use entry with
// the supervision purpose, naming its records there and their items
// (DOMAIN.md §7), committed before the answer: public records too, since
// the answer is the stored documents (a person's full name and ID number
// where the public sees them masked). The recording department listing
// its own records registers nothing, as before. The old listing
// registered nothing without subject_id, and then (21726b6) nothing for a
// subject shown only with public records, among them a person's.
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

	// The admin lists every record: one entry per subject on the page,
	// naming its records there.
	var p page
	e.do(t, req{Path: "/api/v1/records?limit=1000", Token: admin}).json(t, &p)
	want := map[string][]string{} // subject → record ids
	items := map[string][]string{}
	var person string
	for _, r := range p.Records {
		want[r.SubjectID] = append(want[r.SubjectID], r.ID)
		items[r.SubjectID] = append(items[r.SubjectID], r.Item)
		if r.Document.Number == f.personPenalty {
			person = r.SubjectID
		}
	}
	if len(want) < 7 || person == "" {
		t.Fatalf("fixture: %d subjects on the page, the person's public penalty among them: %v", len(want), person != "")
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
			if wi := slices.Compact(slices.Sorted(slices.Values(items[q.SubjectID]))); !slices.Equal(q.Items, wi) {
				t.Errorf("%s: entry for %s names items %v, want %v", who, q.SubjectID, q.Items, wi)
			}
		}
		for s := range want {
			if got[s] != 1 {
				t.Errorf("%s: %d entries for subject %s on the page", who, got[s], s)
			}
		}
		if got[person] != 1 {
			t.Errorf("%s: the person's public penalty, served with the full name, was not registered", who)
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
	items = map[string][]string{wp.Records[0].SubjectID: {wp.Records[0].Item}}
	person = wp.Records[0].SubjectID // (the check of the person's entry reads this subject's)
	check("auditor listing withdrawn records", since(base), map[string][]string{wp.Records[0].SubjectID: {wp.Records[0].ID}})
	base = all()

	// The service's decoded listing registers the same way.
	items, person = map[string][]string{}, ""
	for _, r := range p.Records {
		items[r.SubjectID] = append(items[r.SubjectID], r.Item)
		if r.Document.Number == f.personPenalty {
			person = r.SubjectID
		}
	}
	if _, err := e.svc.Records(e.ctx, adminActor, xinyong.RecordFilter{Limit: 1000}); err != nil {
		t.Fatal(err)
	}
	check("admin listing through Records", since(base), want)

	if vr, err := e.svc.Verify(e.ctx, "", nil); err != nil || !vr.OK() {
		t.Errorf("ledger verify: %v %+v", err, vr.Problems)
	}
}
