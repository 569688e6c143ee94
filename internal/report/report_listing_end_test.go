package report

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"xinyong"
)

// TestReportListingEndCapped: a listing stored before the bounds existed,
// with an end date in year 102026 (a period of 1,200,000 months), ends 60
// months after its listing day (xinyong.Listing.EffectiveEnd; 过惩相当,
// DOMAIN.md §3–§5; doc/listings.md). The report showed the stored date as
// the end of the listing period; it shows the effective end, says that the
// stored date exceeds the 60-month cap (in the field the PDF prints and in
// the JSON), and leaves out such a listing once its effective end has come,
// however far its stored end date lies. A bounded end date is shown as it
// was before.
func TestReportListingEndCapped(t *testing.T) {
	in := input(company, ScopePublic)
	far := xinyong.Date{Year: 102026, Month: time.March, Day: 1}
	view := func(number string, listed, end xinyong.Date) xinyong.PublicListingView {
		return xinyong.PublicListingView{ListType: "SAMR_SERIOUS", ListTypeName: "市场监督管理严重违法失信名单", DecisionNumber: number, DecisionDate: listed,
			Authority: "兰州市市场监督管理局", PeriodMonths: 1200000, ListedOn: listed, EndDate: end, Basis: "《市场监督管理严重违法失信名单管理办法》第二条"}
	}
	listed := today.AddDays(-30)
	in.Listings = []xinyong.PublicListingView{
		view("兰市监认〔2026〕7号", listed, far),
		view("兰市监认〔2020〕8号", today.AddMonths(-61), far), // 60 months have run
	}
	r := Build(in)
	s := section(r, SecSeriousList)
	if len(s.Listings) == 0 || s.Listings[0].DecisionNumber != "兰市监认〔2026〕7号" {
		t.Fatalf("serious list: %+v", s.Listings)
	}
	if len(s.Listings) != 1 {
		t.Errorf("serious list: %d listings, want only the one whose 60 months have not run: %+v", len(s.Listings), s.Listings)
	}
	e := s.Listings[0]
	effective := listed.AddMonths(60)
	if e.EndDate != effective {
		t.Errorf("end_date %s, want %s", e.EndDate, effective)
	}
	want := effective.String() + "（登记的截止日期 102026-03-01 超过 60 个月上限）"
	var got string
	for _, f := range e.Fields {
		if f.Label == LabelListingEnd {
			got = f.Value
		}
	}
	if got != want {
		t.Errorf("%s = %q, want %q", LabelListingEnd, got, want)
	}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if js := string(b); !strings.Contains(js, `"end_date":"`+effective.String()+`"`) || !strings.Contains(js, `"stored_end_date":"102026-03-01"`) {
		t.Errorf("JSON: %s", js)
	}
	// The report reads back (Parse, for POST /api/v1/reports/verify):
	// xinyong.Date refuses year 102026, so no date field may hold it.
	whole, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(whole, &back); err != nil {
		t.Errorf("the report does not read back: %v", err)
	}

	// A bounded end date: shown as stored, without a stored_end_date.
	in.Listings = []xinyong.PublicListingView{view("兰市监认〔2026〕9号", listed, listed.AddMonths(36))}
	e = section(Build(in), SecSeriousList).Listings[0]
	if e.EndDate != listed.AddMonths(36) {
		t.Errorf("bounded: %+v", e)
	}
	if b, _ := json.Marshal(e); strings.Contains(string(b), "stored_end_date") {
		t.Errorf("bounded: JSON %s", b)
	}
	for _, f := range e.Fields {
		if f.Label == LabelListingEnd && f.Value != listed.AddMonths(36).String() {
			t.Errorf("bounded: %s = %q", LabelListingEnd, f.Value)
		}
	}
}

// TestDecisionDocumentEndCapped: the decision document's listing period
// (列入期限) ends at the effective end, and names the stored end date that
// exceeds the 60-month cap, rather than "至 102026-… 止".
func TestDecisionDocumentEndCapped(t *testing.T) {
	in := sampleListing()
	far := xinyong.Date{Year: 102026, Month: time.March, Day: 17}
	in.Listing.Decision.PeriodMonths, in.Listing.EndDate = 1200000, far
	d, err := DecisionDocument(in)
	if err != nil {
		t.Fatal(err)
	}
	want := "自 2026-03-17 起至 2031-03-17（登记的截止日期 102026-03-17 超过 60 个月上限） 止"
	if !strings.Contains(d.Text(), want) {
		t.Errorf("decision lacks %q:\n%s", want, d.Text())
	}
}
