package server

import (
	"html/template"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// TestListingDateProblemWords: each bound a listing's stored dates can
// break (workflow.ListingDateProblems) has words on the console in both
// languages, and the console says them instead of the API's English
// message; none of them sends an officer to a file of the source tree.
func TestListingDateProblemWords(t *testing.T) {
	listed := xinyong.MustDate("2026-03-01")
	l := xinyong.Listing{State: xinyong.ListingListed, ListedOn: listed, EndDate: listed.AddMonths(1_200_000),
		Notice:   &xinyong.ListingNotice{Date: listed, ObjectionDays: 2_200_000, ObjectionDeadline: xinyong.Date{Year: 10459, Month: 3, Day: 2}},
		Decision: &xinyong.ListingDecision{Date: listed, PeriodMonths: 1_200_000, ExtensionMonths: 999}}
	probs := workflow.ListingDateProblems(l)
	if len(probs) < 4 {
		t.Fatalf("problems of a listing out of every bound: %+v", probs)
	}
	for _, pr := range probs {
		for _, words := range []map[string]string{chinese, english} {
			if w := words["listing.date_problem."+pr.Rule]; pr.Rule == "" || w == "" {
				t.Errorf("%s (%s): no words for rule %q", pr.Field, pr.Message, pr.Rule)
			}
		}
	}
	for _, rule := range []string{workflow.ListingRuleObjectionWindow, workflow.ListingRuleObjectionFar, workflow.ListingRuleVerifyFar, workflow.ListingRulePeriod,
		workflow.ListingRuleExtension, workflow.ListingRuleEndBeyond, workflow.ListingRulePast9999} {
		for lang, words := range map[string]map[string]string{"zh": chinese, "en": english} {
			w := words["listing.date_problem."+rule]
			if w == "" || strings.Contains(w, "doc/") {
				t.Errorf("%s words for %s: %q", lang, rule, w)
			}
		}
		if strings.Contains(chinese["listing.date_problem.about"], "doc/") {
			t.Errorf("the note sends an officer to the source tree: %q", chinese["listing.date_problem.about"])
		}
	}
	// The page speaks the page's language.
	w := (&Server{}).newWeb()
	for lang, want := range map[string]string{"zh": chinese["listing.date_problem.period"], "en": english["listing.date_problem.period"]} {
		var b strings.Builder
		p := Page{Lang: lang, SignedIn: true, Actor: xinyong.Actor{Role: xinyong.RoleOfficer}, Data: consoleListingPage{L: workflow.ListingView{Listing: l, DateProblems: probs}}}
		if err := w.pages["console_listing"].Execute(&b, p); err != nil {
			t.Fatal(err)
		}
		if html := b.String(); !strings.Contains(html, template.HTMLEscapeString(want)) || (lang == "zh" && strings.Contains(html, "stored before the bound existed")) {
			t.Errorf("%s: the listing page does not say %q in its language", lang, want)
		}
	}
}
