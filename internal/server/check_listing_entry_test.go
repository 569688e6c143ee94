package server

import (
	"slices"
	"testing"

	"xinyong"
)

// TestCheckRegistersListings: a measures check whose answer rests on a
// listing registers that listing in its query-use entry (DOMAIN.md §7: the
// register says what the query returned), not only the records.
func TestCheckRegistersListings(t *testing.T) {
	f := newListingFixture(t)
	e := f.e
	l := f.listThrough(t, f.propose(t, f.recA1).ID, decisionBody())
	agency := e.token(t, "agency", "", "")
	r := e.do(t, req{Path: checkPath(f.orgCode, "政府采购投标资格审查", "招标投标"), Token: agency})
	if r.Status != 200 {
		t.Fatalf("check: %s", r)
	}
	var a checkAnswer
	r.json(t, &a)
	byListing := false
	for _, m := range a.Measures {
		byListing = byListing || slices.Contains(m.Listings, l.ID)
	}
	if !byListing {
		t.Fatalf("no measure rests on the listing: %+v", a.Measures)
	}
	err := e.app.Store.View(e.ctx, func(tx xinyong.Tx) error {
		q, err := tx.QueryUse(a.QueryID)
		if err != nil {
			return err
		}
		if !slices.Contains(q.Records, "listing:"+l.ID) || !slices.Contains(q.Items, "list:"+l.ListType) {
			t.Errorf("the entry does not register the listing %s: records %v, items %v", l.ID, q.Records, q.Items)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
