package server

import (
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

// TestPublicListCountsOnlyWhatItShows: the 双公示 list's total counts only
// records the public sees; a minor's penalty (published to nobody) decided
// on a day, filtered to that day and department, is neither shown nor
// counted — a total above what is shown would tell that it exists.
func TestPublicListCountsOnlyWhatItShows(t *testing.T) {
	f := newPortal(t)
	e := f.e
	recent := xinyong.DateOf(time.Now()).AddDays(-30).String()
	// A penalty its department flagged as a minor's conduct on a subject
	// that is not a natural person (an individual business run by a
	// minor): never public (isMinorRecord), so neither shown nor counted.
	// The list's SQL applied the flag only to natural persons.
	in := penaltyInput(t, uscc(t, "92620100MA74QY1A"), "兰州少年个体商行", "兰市监罚〔2026〕304号")
	in.Document.DecisionDate = xinyong.MustDate(recent)
	in.Leniency = xinyong.Leniency{Minor: true, Reason: "经营者未成年，从轻处罚"}
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: f.officer, Body: in}); r.Status != 201 && r.Status != 200 {
		t.Fatalf("submit the flagged penalty: %d %s", r.Status, r.Body)
	}
	for _, q := range []string{"", "?from=" + recent + "&to=" + recent, "?department=" + uscc(t, "11620100MB0001AA") + "&from=" + recent + "&to=" + recent} {
		var l workflow.ListPage
		e.do(t, req{Path: "/api/v1/lists/penalties" + q}).json(t, &l)
		if l.Total != len(l.Records) {
			t.Errorf("list%s: total %d, %d records shown", q, l.Total, len(l.Records))
		}
		for _, r := range l.Records {
			if r.Document.Number == "兰市监罚〔2026〕303号" || r.Document.Number == "兰市监罚〔2026〕304号" {
				t.Errorf("list%s shows a minor's penalty %s", q, r.Document.Number)
			}
		}
		if q != "" && l.Total != 2 { // the enterprise's and the adult's penalties
			t.Errorf("list%s: total %d, want 2", q, l.Total)
		}
	}
}
