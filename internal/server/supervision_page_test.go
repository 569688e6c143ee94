package server

import (
	"slices"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// supervisionSubject finds a subject of the portal fixture by its code or
// citizen ID number and returns it with a reader of its query-use entries
// (newest first).
func supervisionSubject(t *testing.T, e *testEnv, code string) (xinyong.Subject, func() []xinyong.QueryUse) {
	t.Helper()
	var subj xinyong.Subject
	if err := e.app.Store.View(e.ctx, func(tx xinyong.Tx) (err error) {
		subj, err = tx.SubjectByKey(e.svc.SubjectKey(code))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return subj, func() []xinyong.QueryUse {
		t.Helper()
		var qs []xinyong.QueryUse
		if err := e.app.Store.View(e.ctx, func(tx xinyong.Tx) (err error) {
			qs, err = tx.QueryUses(xinyong.QueryFilter{SubjectID: subj.ID})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return qs
	}
}

// TestSupervisionSubjectPageRegistersShown: DOMAIN.md §7 registers the
// items a query returned. The portal's subject page renders one tab, 20
// records at a time: an auditor's read registers the records that page
// rendered (beyond the public's view), not every record of the subject,
// so the subject's "who queried me" names only records the auditor saw.
// A page that renders none of them still shows more than the public's
// view (its tabs count them; a minor's page is "not found" to the
// public): an entry naming no record. The JSON profile returns every
// record and registers them all. Found by review
// (TestRevWebTabRegistersUnshown).
func TestSupervisionSubjectPageRegistersShown(t *testing.T) {
	f := newPortal(t)
	e := f.e
	auditor := e.token(t, "auditor", "", "")
	for _, c := range []struct {
		name, code, number string
	}{
		{"minor", f.minorID, "兰市监罚〔2026〕303号"},
		{"publication ended", uscc(t, "91620100MA74QX4L"), "天市监罚〔2020〕55号"},
	} {
		t.Run(c.name, func(t *testing.T) {
			subj, entries := supervisionSubject(t, e, c.code)
			var recs struct {
				Records []xinyong.Record `json:"records"`
			}
			e.do(t, req{Path: "/api/v1/records?subject_id=" + subj.ID, Token: f.officer}).json(t, &recs)
			if len(recs.Records) != 1 || recs.Records[0].Document.Number != c.number {
				t.Fatalf("records: %+v", recs.Records)
			}
			penalty := recs.Records[0].ID
			// The licence tab: no record rendered.
			if r := e.do(t, req{Path: "/subjects/" + subj.ID + "?tab=license", Token: auditor}); r.Status != 200 {
				t.Fatalf("licence tab: %s", r)
			}
			qs := entries()
			if len(qs) != 1 || len(qs[0].Records) != 0 || len(qs[0].Items) != 0 {
				t.Fatalf("the licence tab (no record rendered, the penalty counted on its tab): entries %+v", qs)
			}
			// The penalty tab renders it.
			if r := e.do(t, req{Path: "/subjects/" + subj.ID + "?tab=penalty", Token: auditor}); r.Status != 200 {
				t.Fatalf("penalty tab: %s", r)
			}
			qs = entries()
			if len(qs) != 2 || !slices.Equal(qs[0].Records, []string{penalty}) {
				t.Fatalf("the penalty tab rendered %s: entries %+v", penalty, qs)
			}
			// A page past the tab's last: nothing shown, nothing registered.
			if r := e.do(t, req{Path: "/subjects/" + subj.ID + "?tab=penalty&page=2", Token: auditor}); r.Status != 404 {
				t.Errorf("page 2 of one: %s", r)
			}
			// The JSON profile returns the record: registered.
			var p workflow.SubjectProfile
			e.do(t, req{Path: "/api/v1/subjects/" + subj.ID, Token: auditor}).json(t, &p)
			qs = entries()
			if len(qs) != 3 || p.QueryID != qs[0].ID || !slices.Equal(qs[0].Records, []string{penalty}) {
				t.Errorf("the JSON profile: query %q, entries %+v", p.QueryID, qs)
			}
		})
	}
	// An organisation whose records are all public: its page is the
	// public's, nothing registered.
	org, entries := supervisionSubject(t, e, f.orgCode)
	for _, tab := range []string{"penalty", "license", "basic"} {
		if r := e.do(t, req{Path: "/subjects/" + f.orgCode + "?tab=" + tab, Token: auditor}); r.Status != 200 {
			t.Fatalf("%s tab: %s", tab, r)
		}
	}
	if qs := entries(); len(qs) != 0 {
		t.Errorf("pages of public records only registered for %s: %+v", org.ID, qs)
	}
}

// TestSupervisionSearchRegistered: the admin finds by ID number a minor
// the public's search finds nothing for (a masked hit and the subject's
// reference: the minor is on record). DOMAIN.md §7: that is a query of
// non-public information, registered (naming no record: the hit shows
// none) before the answer; supervisors need to find such subjects, so the
// hit is kept rather than withheld. A hit the public gets alike registers
// nothing. Found by review (TestRevAdminSearchUnregistered).
func TestSupervisionSearchRegistered(t *testing.T) {
	f := newPortal(t)
	e := f.e
	admin := e.token(t, "admin", "", "")
	minor, minorEntries := supervisionSubject(t, e, f.minorID)
	_, orgEntries := supervisionSubject(t, e, f.orgCode)

	var pub workflow.SearchResult
	e.do(t, req{Path: "/api/v1/search?q=" + f.minorID}).json(t, &pub)
	if len(pub.Hits) != 0 {
		t.Fatalf("the public finds the minor: %+v", pub.Hits)
	}
	var res workflow.SearchResult
	e.do(t, req{Path: "/api/v1/search?q=" + f.minorID, Token: admin}).json(t, &res)
	if len(res.Hits) != 1 || res.Hits[0].Ref != minor.ID {
		t.Fatalf("the admin's search: %+v", res.Hits)
	}
	qs := minorEntries()
	if len(qs) != 1 || qs[0].Purpose != workflow.SupervisionPurpose || len(qs[0].Records) != 0 || qs[0].LedgerIdx == 0 {
		t.Fatalf("the admin learnt the minor is on record: entries %+v", qs)
	}
	// The portal's search page answers the same.
	if r := e.do(t, req{Path: "/search?q=" + f.minorID, Token: admin}); r.Status != 200 {
		t.Fatalf("search page: %s", r)
	}
	if qs := minorEntries(); len(qs) != 2 {
		t.Errorf("the search page: %d entries", len(qs))
	}
	// An organisation with public records: found alike by the public.
	e.do(t, req{Path: "/api/v1/search?q=" + f.orgCode, Token: admin}).json(t, &res)
	if len(res.Hits) != 1 {
		t.Fatalf("org search: %+v", res.Hits)
	}
	if qs := orgEntries(); len(qs) != 0 {
		t.Errorf("a hit the public gets alike registered: %+v", qs)
	}
}
