package xinyong

import (
	"slices"
	"testing"
)

// TestDecideAndListBounds: no decision sets, and no listing runs for, a
// period above MaxListPeriodMonths (过惩相当, DOMAIN.md §3–§5; the bound of
// doc/listings.md "Bounds of the numbers"): a list type stored before the
// bound existed is refused at the decision (list.period_max), and a
// decision stored before it is refused at the listing (ECONFLICT), in the
// domain, whichever caller runs the step.
func TestDecideAndListBounds(t *testing.T) {
	base := courtList()
	l := proposed(t, base)
	n, err := Notify(l, base, NoticeInput{}, MustDate("2026-03-06"), plainCal, "officer")
	if err != nil {
		t.Fatal(err)
	}
	on := MustDate("2026-03-20") // after the objection window
	for _, c := range []struct {
		name   string
		period int
		ok     bool
	}{
		{"the longest period", MaxListPeriodMonths, true},
		{"one month above", MaxListPeriodMonths + 1, false},
		{"a million months (stored before the bound)", 1_000_000, false},
	} {
		lt := base
		lt.PeriodMonths, lt.ExtensionMinMonths, lt.ExtensionMaxMonths = c.period, 0, 0
		d, err := Decide(n, lt, fullDecision(), testMeasures, company(), []Record{activeRecord("r1")}, on)
		if c.ok != (err == nil) {
			t.Fatalf("%s: decide: %v", c.name, err)
		}
		if !c.ok {
			if ErrorCode(err) != EINVALID || !slices.Contains(fieldNames(err), "list_type") {
				t.Errorf("%s: decide refused with %v, want list_type list.period_max", c.name, err)
			}
			// A decision stored before the bound: refused at the listing.
			d = n
			d.State = ListingDecided
			dec := fullDecision()
			dec.PeriodMonths = c.period
			d.Decision = &dec
		}
		ld, err := List(d, lt, on)
		if c.ok != (err == nil) {
			t.Fatalf("%s: list: %v", c.name, err)
		}
		if c.ok && ld.EndDate != on.AddMonths(c.period) {
			t.Errorf("%s: end date %s, want %s", c.name, ld.EndDate, on.AddMonths(c.period))
		}
		if !c.ok && ErrorCode(err) != ECONFLICT {
			t.Errorf("%s: list refused with %v, want ECONFLICT", c.name, err)
		}
	}
}
