package xinyong

import "testing"

// CountedListingStop: a serious-list entry a stored grade counted stops
// counting when it is removed (DOMAIN.md §6: "removal from the serious
// list … evaluations updated"; §4: a listing ends with its period or its
// basis) or when its effective end has passed while it is still listed;
// the grade is then outdated, naming the listing and the day (§8: a grade
// is explainable from what produced it).
func TestCountedListingStop(t *testing.T) {
	listed := Listing{ID: "l1", State: ListingListed, ListedOn: MustDate("2026-02-01"), EndDate: MustDate("2029-02-01")}
	removed := func(reason, on string) Listing {
		l := listed
		l.State = ListingRemoved
		l.Removal = &ListingRemoval{Date: MustDate(on), Reason: reason, By: "account:o"}
		return l
	}
	far := listed
	far.EndDate = MustDate("9999-12-31") // stored before the bounds: ends at the longest period
	noEnd := listed
	noEnd.EndDate = Date{}
	noRemoval := listed
	noRemoval.State = ListingRemoved
	for _, c := range []struct {
		name string
		l    Listing
		on   string
		want ListingStop
		ok   bool
	}{
		{"in force", listed, "2026-07-02", ListingStop{}, false},
		{"in force the day before its end", listed, "2029-01-31", ListingStop{}, false},
		{"period ended, not yet removed by the job", listed, "2029-02-01", ListingStop{Cause: ListingStopExpired, On: MustDate("2029-02-01")}, true},
		{"period ended long ago", listed, "2030-01-01", ListingStop{Cause: ListingStopExpired, On: MustDate("2029-02-01")}, true},
		{"an end date beyond the longest period ends at it", far, "2031-02-01", ListingStop{Cause: ListingStopExpired, On: MustDate("2031-02-01")}, true},
		{"an end date beyond the longest period, before it", far, "2031-01-31", ListingStop{}, false},
		{"no end date: in force until removed", noEnd, "2040-01-01", ListingStop{}, false},
		{"removed by the expiry job", removed(RemovalExpired, "2029-02-02"), "2029-03-01", ListingStop{Cause: ListingStopRemoved, Reason: RemovalExpired, On: MustDate("2029-02-02")}, true},
		{"removed early on credit repair", removed(RemovalEarly, "2027-03-01"), "2027-03-01", ListingStop{Cause: ListingStopRemoved, Reason: RemovalEarly, On: MustDate("2027-03-01")}, true},
		{"removed on revocation", removed(RemovalRevoked, "2026-07-02"), "2026-07-09", ListingStop{Cause: ListingStopRemoved, Reason: RemovalRevoked, On: MustDate("2026-07-02")}, true},
		{"removed, the removal not stored", noRemoval, "2026-07-09", ListingStop{Cause: ListingStopRemoved}, true},
		{"never listed (a grade never counts it)", Listing{ID: "l2", State: ListingDecided}, "2026-07-09", ListingStop{}, false},
	} {
		got, ok := CountedListingStop(c.l, MustDate(c.on))
		if got != c.want || ok != c.ok {
			t.Errorf("%s: got %+v %v, want %+v %v", c.name, got, ok, c.want, c.ok)
		}
		// The rule agrees with the listing being in force (Listing.Active)
		// for a listing that was listed.
		if c.l.State == ListingListed && ok == c.l.Active(MustDate(c.on)) {
			t.Errorf("%s: stopped %v but in force %v", c.name, ok, c.l.Active(MustDate(c.on)))
		}
	}
}
