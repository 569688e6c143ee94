package xinyong

import (
	"testing"
	"time"
)

// TestListingPeriodEndShown: what a page, a report or a document shows as
// the end of a listing's period. A listing ends at the longest period its
// rule allows and no punishment runs longer than the rule allows (过惩相当,
// DOMAIN.md §3–§5; MaxListPeriodMonths, 60 months, regulation.md §7), so
// the end shown is the effective end (EffectiveEnd); an end date stored
// before the bounds existed is kept as written (doc/listings.md), and where
// it differs the text says so, with the cap, zh-CN and English, dates as
// YYYY-MM-DD. A bounded end date is shown as stored, alone.
func TestListingPeriodEndShown(t *testing.T) {
	far := Date{Year: 102026, Month: time.March, Day: 1}
	cases := []struct {
		name        string
		listed, end Date
		want        ListingEnd
		zh, en      string
	}{
		{"bounded 3 years: the stored end, alone", MustDate("2026-03-01"), MustDate("2029-03-01"), ListingEnd{End: MustDate("2029-03-01")},
			"2029-03-01", "2029-03-01"},
		{"exactly 60 months: the stored end, alone", MustDate("2026-03-01"), MustDate("2031-03-01"), ListingEnd{End: MustDate("2031-03-01")},
			"2031-03-01", "2031-03-01"},
		{"61 months: 60, and the stored date named", MustDate("2026-03-01"), MustDate("2031-04-01"), ListingEnd{End: MustDate("2031-03-01"), Stored: MustDate("2031-04-01")},
			"2031-03-01（登记的截止日期 2031-04-01 超过 60 个月上限）", "2031-03-01 (the stored end date 2031-04-01 exceeds the 60-month maximum)"},
		{"year 102026 (1,200,000 months): 60, and the stored date named", MustDate("2026-03-01"), far, ListingEnd{End: MustDate("2031-03-01"), Stored: far},
			"2031-03-01（登记的截止日期 102026-03-01 超过 60 个月上限）", "2031-03-01 (the stored end date 102026-03-01 exceeds the 60-month maximum)"},
		{"listed on 29 February: 60 months end on the 28th", MustDate("2024-02-29"), far, ListingEnd{End: MustDate("2029-02-28"), Stored: far},
			"2029-02-28（登记的截止日期 102026-03-01 超过 60 个月上限）", "2029-02-28 (the stored end date 102026-03-01 exceeds the 60-month maximum)"},
		{"no end date (until removed): nothing, the page words it", MustDate("2026-03-01"), Date{}, ListingEnd{}, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := Listing{ID: "l", State: ListingListed, ListedOn: c.listed, EndDate: c.end}
			got := l.PeriodEnd()
			if got != c.want {
				t.Fatalf("PeriodEnd = %+v, want %+v", got, c.want)
			}
			if got.End != l.EffectiveEnd() || got.Capped() != !c.want.Stored.IsZero() {
				t.Errorf("PeriodEnd %+v: EffectiveEnd %s, capped %v", got, l.EffectiveEnd(), got.Capped())
			}
			if pv := (PublicListingView{ListedOn: c.listed, EndDate: c.end}).PeriodEnd(); pv != got {
				t.Errorf("the public view's PeriodEnd = %+v, the listing's %+v", pv, got)
			}
			if s := got.Chinese(); s != c.zh {
				t.Errorf("Chinese = %q, want %q", s, c.zh)
			}
			if s := got.English(); s != c.en {
				t.Errorf("English = %q, want %q", s, c.en)
			}
		})
	}
}
