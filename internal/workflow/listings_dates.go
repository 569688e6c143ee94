package workflow

import (
	"fmt"

	"xinyong"
)

// Listings stored before their numbers were bounded (doc/listings.md,
// "Bounds of the numbers"): a notice with an objection window of 2,200,000
// working days (its deadline in year 10459), a decision with a listing
// period of a million months. The store reads them as written
// (sqlstore.decodeListing); nothing rewrites them, since a listing changes
// only by a step of the procedure, audited and on the ledger (DOMAIN.md).
// ListingDateProblems names what is out of bounds, so that the queue, the
// listing page and the API flag the listing for an officer, with the reason.

// ListingDateProblem is one number or date of a listing outside the bounds.
type ListingDateProblem struct {
	Field string `json:"field"` // where, as in the listing's JSON (notice.objection_deadline, end_date…)
	Value string `json:"value"`
	// Rule names the bound broken (ListingRule…), for pages to say it in
	// their language; Message says it in English, with the numbers.
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// The bounds a ListingDateProblem names.
const (
	ListingRuleObjectionWindow = "objection_window" // a notice's objection window outside 1–MaxObjectionWorkingDays working days
	ListingRuleObjectionFar    = "objection_far"    // an objection deadline more than a year after the notice
	ListingRuleVerifyFar       = "verify_far"       // an objection's answer due more than a year after it
	ListingRulePeriod          = "period"           // a decision's period outside 0–MaxListPeriodMonths
	ListingRuleExtension       = "extension"        // a decision's extension outside 0–MaxListExtensionMonths
	ListingRuleEndBeyond       = "end_beyond"       // an end date beyond MaxListPeriodMonths after the listing day
	ListingRulePast9999        = "past_9999"        // a date past year 9999
)

// maxStepDays is the longest a step's limit can lie after its start: one
// year is above any bounded window (MaxObjectionWorkingDays working days,
// DefaultVerifyWorkingDays) whatever the holidays.
const maxStepDays = 366

// ListingDateProblems returns what of l lies outside the bounds of
// measure.go and listing.go (MaxObjectionWorkingDays, MaxListPeriodMonths,
// MaxListExtensionMonths), or any date past year 9999; nil when nothing.
func ListingDateProblems(l xinyong.Listing) []ListingDateProblem {
	var out []ListingDateProblem
	add := func(rule, field, value, format string, args ...any) {
		out = append(out, ListingDateProblem{Field: field, Value: value, Rule: rule, Message: fmt.Sprintf(format, args...)})
	}
	flagged := map[string]bool{}
	if n := l.Notice; n != nil {
		switch {
		case n.ObjectionDays > xinyong.MaxObjectionWorkingDays || n.ObjectionDays < 0:
			add(ListingRuleObjectionWindow, "notice.objection_working_days", fmt.Sprint(n.ObjectionDays), "the notice gives an objection window of %d working days (until %s), outside 1 to %d: it was stored before the bound existed, and no decision may come before that deadline; it is corrected only through the listing procedure",
				n.ObjectionDays, n.ObjectionDeadline, xinyong.MaxObjectionWorkingDays)
			flagged["notice.objection_deadline"] = true
		case stepTooLong(n.Date, n.ObjectionDeadline):
			add(ListingRuleObjectionFar, "notice.objection_deadline", n.ObjectionDeadline.String(), "the objection deadline %s lies more than a year after the notice of %s: no window of at most %d working days ends so late",
				n.ObjectionDeadline, n.Date, xinyong.MaxObjectionWorkingDays)
			flagged["notice.objection_deadline"] = true
		}
	}
	if o := l.Objection; o != nil && stepTooLong(o.Date, o.VerifyDeadline) {
		add(ListingRuleVerifyFar, "objection.verify_deadline", o.VerifyDeadline.String(), "the answer to the objection is due on %s, more than a year after the objection of %s", o.VerifyDeadline, o.Date)
		flagged["objection.verify_deadline"] = true
	}
	if d := l.Decision; d != nil {
		if d.PeriodMonths > xinyong.MaxListPeriodMonths || d.PeriodMonths < 0 {
			add(ListingRulePeriod, "decision.period_months", fmt.Sprint(d.PeriodMonths), "the decision sets a listing period of %d months, outside 0 to %d: it was stored before the bound existed; it is corrected only through the listing procedure", d.PeriodMonths, xinyong.MaxListPeriodMonths)
		}
		if d.ExtensionMonths > xinyong.MaxListExtensionMonths || d.ExtensionMonths < 0 {
			add(ListingRuleExtension, "decision.extension_months", fmt.Sprint(d.ExtensionMonths), "the decision extends the period by %d months, outside 0 to %d", d.ExtensionMonths, xinyong.MaxListExtensionMonths)
		}
	}
	if !l.EndDate.IsZero() && !l.ListedOn.IsZero() && l.EndDate.After(l.ListedOn.AddMonths(xinyong.MaxListPeriodMonths)) {
		add(ListingRuleEndBeyond, "end_date", l.EndDate.String(), "the stored end date %s lies more than %d months after the listing began (%s), beyond any listing period: the listing ends at the longest period, on %s (measures and publication stop then; the expiry job removes it), and the stored date is kept as written",
			l.EndDate, xinyong.MaxListPeriodMonths, l.ListedOn, l.EffectiveEnd())
		flagged["end_date"] = true
	}
	for _, d := range listingDates(l) {
		if d.date.Year > 9999 && !flagged[d.field] {
			add(ListingRulePast9999, d.field, d.date.String(), "the date %s lies past year 9999", d.date)
		}
	}
	return out
}

// stepTooLong reports whether a limit lies more than maxStepDays after its
// start (or past year 9999).
func stepTooLong(start, due xinyong.Date) bool {
	if due.IsZero() {
		return false
	}
	return due.Year > 9999 || (!start.IsZero() && due.Days()-start.Days() > maxStepDays)
}

type listingDate struct {
	field string
	date  xinyong.Date
}

// listingDates are every date of l, named as in its JSON.
func listingDates(l xinyong.Listing) []listingDate {
	out := []listingDate{{"listed_on", l.ListedOn}, {"end_date", l.EndDate}}
	if n := l.Notice; n != nil {
		out = append(out, listingDate{"notice.date", n.Date}, listingDate{"notice.objection_deadline", n.ObjectionDeadline})
	}
	if o := l.Objection; o != nil {
		out = append(out, listingDate{"objection.date", o.Date}, listingDate{"objection.verify_deadline", o.VerifyDeadline})
	}
	if v := l.Verification; v != nil {
		out = append(out, listingDate{"verification.date", v.Date})
	}
	if d := l.Decision; d != nil {
		out = append(out, listingDate{"decision.date", d.Date})
	}
	if r := l.Removal; r != nil {
		out = append(out, listingDate{"removal.date", r.Date})
	}
	return out
}
