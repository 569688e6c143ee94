package server

import (
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// TestGradeExportRowOutdatedListing: the export's last column names a
// listing that stopped counting as "listing ID CAUSE (REASON) DAY" beside
// the records ("ID CAUSE DAY"), and the /grade page has words for both
// listing causes in both languages.
func TestGradeExportRowOutdatedListing(t *testing.T) {
	m := xinyong.GradingModel{ID: "m1", Grades: []xinyong.GradeBand{{Grade: "A", MinScore: 90}, {Grade: "D"}}}
	r := workflow.GradeRow{Model: m, Grade: xinyong.Grade{Grade: "D", ModelID: "m1", ModelVersion: 1, Source: "evaluation"}, Subject: xinyong.Subject{Code: "X", Kind: xinyong.KindEnterprise}, Outdated: true,
		OutdatedBy: []workflow.StoppedRecord{
			{Record: "r1", Cause: "withdrawn", On: xinyong.MustDate("2026-07-02")},
			{Listing: "l1", Cause: xinyong.ListingStopRemoved, Reason: xinyong.RemovalRevoked, On: xinyong.MustDate("2026-07-03")},
			{Listing: "l2", Cause: xinyong.ListingStopExpired, On: xinyong.MustDate("2029-06-09")},
		}}
	row := gradeExportRowOf(r)
	want := "r1 withdrawn 2026-07-02; listing l1 removed (revoked) 2026-07-03; listing l2 expired 2029-06-09"
	if len(row) != len(gradeExportHeader) || row[len(row)-2] != "outdated" || row[len(row)-1] != want {
		t.Fatalf("an outdated grade: %q", row)
	}
	for _, k := range []string{"grade.outdated." + xinyong.ListingStopRemoved, "grade.outdated." + xinyong.ListingStopExpired} {
		if chinese[k] == "" || english[k] == "" {
			t.Errorf("no words for %s: %q %q", k, chinese[k], english[k])
		}
	}
}

// TestGradePageNamesOutdatedListing: the /grade page names a listing that
// stopped counting by its id (a listing has no record number to show),
// in both languages, beside a record named by its decision number.
func TestGradePageNamesOutdatedListing(t *testing.T) {
	w := (&Server{}).newWeb()
	v := workflow.GradeView{Outdated: true, OutdatedWhy: "ended",
		OutdatedBy: []workflow.StoppedRecord{
			{Record: "r1", Cause: "withdrawn", On: xinyong.MustDate("2026-07-02")},
			{Listing: "l-0193", Cause: xinyong.ListingStopRemoved, Reason: xinyong.RemovalRevoked, On: xinyong.MustDate("2026-07-03")},
		},
		Records: map[string]workflow.GradeRec{"r1": {Number: "兰市监罚〔2025〕401号"}}}
	for _, lang := range []string{"zh", "en"} {
		var b strings.Builder
		p := Page{Lang: lang, SignedIn: true, Actor: xinyong.Actor{Role: xinyong.RoleSubject}, Data: gradePage{V: v}}
		if err := w.pages["grade"].Execute(&b, p); err != nil {
			t.Fatal(err)
		}
		html := b.String()
		i := strings.Index(html, `id="grade-outdated"`)
		if i < 0 {
			t.Fatalf("%s: no outdated mark", lang)
		}
		mark := html[i:]
		mark = mark[:strings.Index(mark, "</p>")]
		for _, want := range []string{"兰市监罚〔2025〕401号", p.T("grade.outdated.listing") + " l-0193 " + p.T("grade.outdated.removed") + " 2026-07-03"} {
			if !strings.Contains(mark, want) {
				t.Errorf("%s: the outdated mark %q does not say %q", lang, mark, want)
			}
		}
	}
}
