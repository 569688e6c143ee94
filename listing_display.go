package xinyong

import "strconv"

// How the end of a listing's period is shown to a person: on the console's
// listing page, the portal's list and subject page, the credit report and
// the decision document. A listing ends at its effective end
// (Listing.EffectiveEnd): its end date, but never later than
// MaxListPeriodMonths after its listing day (过惩相当, DOMAIN.md §3–§5;
// doc/listings.md, "Bounds of the numbers"). An end date stored before the
// bounds existed (a period of a million months: year 102026) is kept as
// written, so whatever shows the end shows the effective end, and says that
// the stored date differs and why, rather than printing a date the platform
// does not obey.

// ListingEnd is the end of a listing's period as it is shown.
type ListingEnd struct {
	// End is the day the listing ends (Listing.EffectiveEnd); zero when it
	// has no fixed end (until removed).
	End Date
	// Stored is the stored end date when it is not End: it lies beyond
	// MaxListPeriodMonths after the listing day. Zero otherwise.
	Stored Date
}

// PeriodEnd is the end of l's period as shown: the effective end, with the
// stored end date when that lies beyond the longest period.
func (l Listing) PeriodEnd() ListingEnd {
	e := ListingEnd{End: l.EffectiveEnd()}
	if e.End != l.EndDate {
		e.Stored = l.EndDate
	}
	return e
}

// PeriodEnd is the end of the listing's period as shown (Listing.PeriodEnd),
// from the view's listing day and end date.
func (v PublicListingView) PeriodEnd() ListingEnd {
	return Listing{ListedOn: v.ListedOn, EndDate: v.EndDate}.PeriodEnd()
}

// Capped reports whether the stored end date lies beyond the longest period,
// so that the end shown is not the stored one.
func (e ListingEnd) Capped() bool { return !e.Stored.IsZero() }

// Chinese is the end as a zh-CN page or document writes it: the date
// (YYYY-MM-DD), followed, when the stored end date differs, by that date and
// the cap, e.g. "2031-03-01（登记的截止日期 102026-03-01 超过 60 个月上限）".
// Empty when there is no fixed end: each page says "until removed" in its
// own words.
func (e ListingEnd) Chinese() string {
	if e.End.IsZero() {
		return ""
	}
	if !e.Capped() {
		return e.End.String()
	}
	return e.End.String() + "（登记的截止日期 " + e.Stored.String() + " 超过 " + strconv.Itoa(MaxListPeriodMonths) + " 个月上限）"
}

// English is Chinese in English, e.g. "2031-03-01 (the stored end date
// 102026-03-01 exceeds the 60-month maximum)".
func (e ListingEnd) English() string {
	if e.End.IsZero() {
		return ""
	}
	if !e.Capped() {
		return e.End.String()
	}
	return e.End.String() + " (the stored end date " + e.Stored.String() + " exceeds the " + strconv.Itoa(MaxListPeriodMonths) + "-month maximum)"
}
