package xinyong

import (
	"strings"
	"testing"
	"time"
)

// TestListingEffectiveEnd: a listing ends by itself at the longest period
// its rule allows, and no punishment runs longer than the rule allows
// (过惩相当; DOMAIN.md §3–§5: "at the maximum, publication stops by
// itself"; the longest listing period is MaxListPeriodMonths, 60 months:
// SPC 2017 2 years + 3 years extension, SAIC 2015 5 years, regulation.md
// §7). An end date stored before the bounds existed (a period of a million
// months, year 102026) is therefore not obeyed past 60 months after the
// listing day; a bounded end date is obeyed as stored.
func TestListingEffectiveEnd(t *testing.T) {
	far := Date{Year: 102026, Month: time.June, Day: 1}
	cases := []struct {
		name            string
		listed, end     Date
		want            Date
		activeOn        []Date // in force on these days
		inactiveOn      []Date // not in force on these days
		expireOn        Date   // the expiry (Remove, expired) is allowed from this day
		noteMentionsCap bool
	}{
		{"bounded 3 years: the stored end", MustDate("2026-06-01"), MustDate("2029-06-01"), MustDate("2029-06-01"),
			[]Date{MustDate("2026-06-01"), MustDate("2029-05-31")}, []Date{MustDate("2026-05-31"), MustDate("2029-06-01")}, MustDate("2029-06-01"), false},
		{"exactly 60 months: the stored end", MustDate("2026-06-01"), MustDate("2031-06-01"), MustDate("2031-06-01"),
			[]Date{MustDate("2031-05-31")}, []Date{MustDate("2031-06-01")}, MustDate("2031-06-01"), false},
		{"61 months: capped at 60", MustDate("2026-06-01"), MustDate("2031-07-01"), MustDate("2031-06-01"),
			[]Date{MustDate("2031-05-31")}, []Date{MustDate("2031-06-01"), MustDate("2031-06-30")}, MustDate("2031-06-01"), true},
		{"year 102026 (1,200,000 months): capped at 60", MustDate("2026-06-01"), far, MustDate("2031-06-01"),
			[]Date{MustDate("2026-06-01"), MustDate("2031-05-31")}, []Date{MustDate("2031-06-01"), MustDate("2040-01-01"), far}, MustDate("2031-06-01"), true},
		{"four-digit but too far (year 9000): capped", MustDate("2026-06-01"), MustDate("9000-01-01"), MustDate("2031-06-01"),
			nil, []Date{MustDate("2031-06-01")}, MustDate("2031-06-01"), true},
		{"listed on 29 February: 60 months end on the 28th", MustDate("2024-02-29"), far, MustDate("2029-02-28"),
			[]Date{MustDate("2029-02-27")}, []Date{MustDate("2029-02-28")}, MustDate("2029-02-28"), true},
		{"no end date (until removed): no end", MustDate("2026-06-01"), Date{}, Date{},
			[]Date{MustDate("2040-01-01"), far}, []Date{MustDate("2026-05-31")}, Date{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := Listing{ID: "l", State: ListingListed, ListedOn: c.listed, EndDate: c.end}
			if got := l.EffectiveEnd(); got != c.want {
				t.Fatalf("EffectiveEnd = %s, want %s", got, c.want)
			}
			for _, on := range c.activeOn {
				if !l.Active(on) {
					t.Errorf("not active on %s", on)
				}
			}
			for _, on := range c.inactiveOn {
				if l.Active(on) {
					t.Errorf("active on %s", on)
				}
			}
			// The expiry step follows the effective end; the stored end
			// date stays as written.
			if c.expireOn.IsZero() {
				if _, err := Remove(l, ListType{}, RemovalExpired, "", far, "system"); ErrorCode(err) != ECONFLICT {
					t.Errorf("expiring a listing without end date: %v", err)
				}
				return
			}
			if _, err := Remove(l, ListType{}, RemovalExpired, "", c.expireOn.AddDays(-1), "system"); ErrorCode(err) != ECONFLICT {
				t.Errorf("expired the day before %s: %v", c.expireOn, err)
			}
			r, err := Remove(l, ListType{}, RemovalExpired, "", c.expireOn, "system")
			if err != nil {
				t.Fatalf("expiring on %s: %v", c.expireOn, err)
			}
			if r.State != ListingRemoved || r.EndDate != c.end || r.Removal.Reason != RemovalExpired {
				t.Errorf("removed: %+v", r)
			}
			if got := strings.Contains(r.Removal.Note, "60个月"); got != c.noteMentionsCap {
				t.Errorf("removal note %q: mentions the cap %v, want %v", r.Removal.Note, got, c.noteMentionsCap)
			}
		})
	}
}

// TestLastListedOnEnded: the stores select in SQL the listings whose
// effective end has come (listed_on <= LastListedOnEnded(on)) and those in
// force (listed_on > it); that must agree with EffectiveEnd day for day,
// month ends and 29 February included.
func TestLastListedOnEnded(t *testing.T) {
	far := Date{Year: 102026, Month: time.June, Day: 1}
	for on := MustDate("2028-12-01"); on.Before(MustDate("2033-04-01")); on = on.AddDays(1) {
		last := LastListedOnEnded(on)
		for listed := last.AddDays(-5); !listed.After(last.AddDays(5)); listed = listed.AddDays(1) {
			l := Listing{State: ListingListed, ListedOn: listed, EndDate: far}
			ended := !on.Before(l.EffectiveEnd())
			if ended != !listed.After(last) {
				t.Fatalf("on %s, LastListedOnEnded %s: listed %s effective end %s, ended %v", on, last, listed, l.EffectiveEnd(), ended)
			}
		}
	}
}
