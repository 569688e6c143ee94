package storetest

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/sqlstore"
)

// RunPublicListings runs the suite's PublicListings tests (the public
// serious-dishonesty list pages) with the same factory as Run. It stands
// apart from Run's table only while storetest.go is being changed
// elsewhere; it belongs in that table.
func RunPublicListings(t *testing.T, open func(t *testing.T) xinyong.Store) {
	t.Run("PublicListings", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		clk := NewClock(Start)
		if db, ok := s.(*sqlstore.DB); ok {
			db.Clock = clk.Now
		}
		testPublicListings(&env{t: t, s: s, clk: clk, ctx: t.Context()})
	})
}

// testPublicListings: PublicListings selects the listed, published
// listings with a decision document, in force on the day, of the list
// types asked for, never a person born after AdultBornBy; newest listing
// day first (none last), then by id; pages by offset and limit (at most
// MaxPublicListingPage) and counts all it selects.
func testPublicListings(e *env) {
	t := e.t
	dept, org := e.seed()
	on := xinyong.MustDate("2026-06-01")
	adultBy := xinyong.MustDate("2008-06-01")
	person := func(id string, birth xinyong.Date) xinyong.Subject {
		return xinyong.Subject{ID: id, Key: "k-" + id, Code: "62010219800101123" + id[len(id)-1:], Kind: xinyong.KindPerson, Name: "王建国", Birth: birth, CreatedAt: base}
	}
	adult, minor, unborn := person("p1", adultBy), person("p2", adultBy.AddDays(1)), person("p3", xinyong.Date{})
	decision := func(n string) *xinyong.ListingDecision {
		return &xinyong.ListingDecision{Number: n, Date: xinyong.MustDate("2026-01-01"), PeriodMonths: 36}
	}
	mk := func(id, typ string, subj xinyong.Subject, listed, end xinyong.Date) xinyong.Listing {
		l := listing(id, subj.ID, dept.ID, base)
		l.ListType, l.State, l.Version, l.ListedOn, l.EndDate, l.Published, l.Decision = typ, xinyong.ListingListed, 6, listed, end, true, decision("认〔2026〕"+id)
		l.RecordIDs = nil
		return l
	}
	day := func(n int) xinyong.Date { return on.AddDays(-n) }
	var shown []xinyong.Listing // in the order expected
	var all []xinyong.Listing
	// 25 shown, of two list types, on 6 days; ids not in day order.
	for i := range 25 {
		l := mk(fmt.Sprintf("v%02d", (i*7)%25), []string{"A", "B"}[i%2], org, day(i%6), day(i%6).AddMonths(36))
		all = append(all, l)
	}
	edge := []xinyong.Listing{
		mk("e-adult", "A", adult, day(3), xinyong.Date{}),       // of age today; until removed
		mk("e-noday", "A", org, xinyong.Date{}, xinyong.Date{}), // no listing day: last
		mk("e-unborn", "B", unborn, day(2), on.AddDays(1)),      // birth unknown; ends tomorrow
		mk("e-today", "B", org, on, on.AddMonths(12)),           // listed today
	}
	all = append(all, edge...)
	shown = append(shown, all...)
	hidden := []xinyong.Listing{
		mk("h-minor", "A", minor, day(1), xinyong.Date{}),       // a minor today
		mk("h-future", "A", org, on.AddDays(1), xinyong.Date{}), // in force from tomorrow
		mk("h-ended", "A", org, day(30), on),                    // ended today
		mk("h-ended2", "B", org, day(30), day(1)),               // ended
		mk("h-type", "C", org, day(1), xinyong.Date{}),          // a list type not asked for
	}
	unpub := mk("h-unpub", "A", org, day(1), xinyong.Date{})
	unpub.Published = false
	nodec := mk("h-nodec", "A", org, day(1), xinyong.Date{})
	nodec.Decision = nil
	removed := mk("h-removed", "A", org, day(1), xinyong.Date{})
	removed.State, removed.Removal = xinyong.ListingRemoved, &xinyong.ListingRemoval{Date: on, Reason: xinyong.RemovalRevoked}
	decided := mk("h-decided", "A", org, xinyong.Date{}, xinyong.Date{})
	decided.State, decided.Published = xinyong.ListingDecided, false
	hidden = append(hidden, unpub, nodec, removed, decided)
	e.update(func(tx xinyong.Tx) {
		for _, s := range []xinyong.Subject{adult, minor, unborn} {
			ok(t, tx.PutSubject(s), "PutSubject")
		}
		for _, l := range append(slices.Clone(all), hidden...) {
			ok(t, tx.InsertListing(l), "InsertListing "+l.ID)
		}
	})
	// A listing shown once, then removed: its current version decides.
	e.update(func(tx xinyong.Tx) {
		l := mk("h-later", "A", org, day(1), xinyong.Date{})
		ok(t, tx.InsertListing(l), "InsertListing h-later")
		r := l
		r.Version, r.State = 7, xinyong.ListingRemoved
		ok(t, tx.UpdateListing(r, xinyong.ListingListed, 6), "UpdateListing h-later")
	})
	ordered := func(ls []xinyong.Listing) []string {
		ls = slices.Clone(ls)
		slices.SortFunc(ls, func(a, b xinyong.Listing) int {
			if d := b.ListedOn.Days() - a.ListedOn.Days(); d != 0 {
				return d
			}
			return strings.Compare(a.ID, b.ID)
		})
		var out []string
		for _, l := range ls {
			out = append(out, l.ID)
		}
		return out
	}
	want := ordered(shown)
	if want[len(want)-1] != "e-noday" || want[0] != "e-today" {
		t.Fatalf("the expected order is wrong: %v", want)
	}

	q := xinyong.PublicListingQuery{ListTypes: []string{"A", "B"}, On: on, AdultBornBy: adultBy, Limit: 10}
	page := func(q xinyong.PublicListingQuery) ([]string, int) {
		t.Helper()
		var got []string
		n := -1
		e.view(func(tx xinyong.Tx) {
			sls, m, err := tx.PublicListings(q)
			ok(t, err, "PublicListings")
			n = m
			for _, sl := range sls {
				got = append(got, sl.Listing.ID)
				if sl.Subject.ID != sl.Listing.SubjectID {
					t.Errorf("listing %s comes with subject %s", sl.Listing.ID, sl.Subject.ID)
				}
				if sl.Listing.ID == "e-adult" && !reflect.DeepEqual(sl.Subject, adult) {
					t.Errorf("subject = %+v, want %+v", sl.Subject, adult)
				}
				if sl.Listing.ID == "e-today" && (sl.Listing.Decision == nil || sl.Listing.Decision.Number != "认〔2026〕e-today" || !sl.Listing.Published) {
					t.Errorf("listing = %+v", sl.Listing)
				}
			}
		})
		return got, n
	}
	var got []string
	for off := 0; off < len(want)+10; off += 10 {
		q.Offset = off
		p, n := page(q)
		if n != len(want) {
			t.Errorf("offset %d: count %d, want %d", off, n, len(want))
		}
		if wantLen := min(10, max(len(want)-off, 0)); len(p) != wantLen {
			t.Errorf("offset %d: %d listings, want %d", off, len(p), wantLen)
		}
		got = append(got, p...)
	}
	if !slices.Equal(got, want) {
		t.Errorf("pages of 10:\n got %v\nwant %v", got, want)
	}

	// One list type.
	q = xinyong.PublicListingQuery{ListTypes: []string{"B"}, On: on, AdultBornBy: adultBy, Limit: 100}
	var wantB []string
	for _, id := range want {
		if i := slices.IndexFunc(shown, func(l xinyong.Listing) bool { return l.ID == id }); shown[i].ListType == "B" {
			wantB = append(wantB, id)
		}
	}
	if got, n := page(q); !slices.Equal(got, wantB) || n != len(wantB) {
		t.Errorf("list type B: %v (%d), want %v", got, n, wantB)
	}
	// The default and the largest page.
	q = xinyong.PublicListingQuery{ListTypes: []string{"A", "B"}, On: on, AdultBornBy: adultBy}
	if got, _ := page(q); !slices.Equal(got, want[:20]) {
		t.Errorf("no limit: %v, want the first 20", got)
	}
	q.Limit = 1000
	if got, _ := page(q); !slices.Equal(got, want) {
		t.Errorf("limit 1000: %v, want all %d", got, len(want))
	}
	// No list type: nothing.
	if got, n := page(xinyong.PublicListingQuery{On: on, AdultBornBy: adultBy}); len(got) != 0 || n != 0 {
		t.Errorf("no list types: %v (%d)", got, n)
	}
	// The next day: e-unborn has ended, h-future has begun and the minor
	// of h-minor has come of age.
	next := on.AddDays(1)
	if got, _ := page(xinyong.PublicListingQuery{ListTypes: []string{"A", "B"}, On: next, AdultBornBy: adultBy.AddDays(1), Limit: 100}); slices.Contains(got, "e-unborn") || !slices.Contains(got, "h-future") || !slices.Contains(got, "h-minor") {
		t.Errorf("the next day: %v", got)
	}
	// Many pages: more listings than MaxPublicListingPage.
	var many []xinyong.Listing
	e.update(func(tx xinyong.Tx) {
		for i := range xinyong.MaxPublicListingPage + 5 {
			l := mk(fmt.Sprintf("m%03d", i), "M", org, day(i%3), xinyong.Date{})
			ok(t, tx.InsertListing(l), "InsertListing")
			many = append(many, l)
		}
	})
	q = xinyong.PublicListingQuery{ListTypes: []string{"M"}, On: on, AdultBornBy: adultBy, Limit: xinyong.MaxPublicListingPage + 50}
	first, n := page(q)
	q.Offset = len(first)
	rest, _ := page(q)
	if n != len(many) || len(first) != xinyong.MaxPublicListingPage || len(rest) != 5 {
		t.Errorf("%d listings: count %d, pages of %d and %d", len(many), n, len(first), len(rest))
	}
	if got := append(first, rest...); !slices.Equal(got, ordered(many)) {
		t.Errorf("%d listings in pages:\n got %v\nwant %v", len(many), got, ordered(many))
	}
}
