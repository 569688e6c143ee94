package server

import (
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/report"
	"xinyong/internal/workflow"
)

// TestListingEndShownCappedOverHTTP: a listing stored before the bounds
// existed, listed today for 1,200,000 months (end date in year 102026),
// ends 60 months after its listing day (xinyong.Listing.EffectiveEnd; the
// measures check, the portal's list and the expiry job obey that). Every
// page that shows the end of its period showed the stored date; they show
// the effective end and say that the stored date exceeds the 60-month cap:
// the console's listing page (zh-CN and English), the decision document,
// the portal's serious list and the subject's page, and the credit report
// (report.json: the end's field the PDF prints, end_date and
// stored_end_date; the document verifies, which it could not while a date
// field held year 102026). The stored date is kept as written (the API's
// end_date).
func TestListingEndShownCappedOverHTTP(t *testing.T) {
	f := newListingFixture(t)
	e := f.e
	listed := f.propose(t, f.recA1)
	today := xinyong.DateOf(e.svc.Now())
	stored := today.AddMonths(1200000)
	err := e.svc.Store.Update(e.ctx, func(tx xinyong.Tx) error {
		l := listed
		l.State, l.Version, l.ListedOn, l.EndDate, l.Published = xinyong.ListingListed, 2, today, stored, true
		l.Decision = &xinyong.ListingDecision{Number: "兰市监信〔2026〕5号", Date: today, Reason: "一年内三次虚假宣传受较重处罚", Basis: "《市场监督管理严重违法失信名单管理办法》第二条",
			Measures: []string{"CPC-SC-2025-RESTRICT"}, RemovalConditions: "列入满一年，已履行处罚", RemovalProcedure: "申请信用修复，免费",
			Remedies: xinyong.Remedies{Reconsideration: "六十日内申请行政复议", Litigation: "六个月内提起行政诉讼"}, PeriodMonths: 1200000, By: "account:oa"}
		return tx.UpdateListing(l, xinyong.ListingProposed, 1)
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stored.String(), "102026-") {
		t.Fatalf("stored end date %s", stored)
	}
	effective := today.AddMonths(60)
	zh := effective.String() + "（登记的截止日期 " + stored.String() + " 超过 60 个月上限）"
	en := effective.String() + " (the stored end date " + stored.String() + " exceeds the 60-month maximum)"

	off := e.consoleSession(t, workflow.AccountInput{Username: "officer-a", Role: "officer", Department: f.deptA.Code})
	e.do(t, req{Path: "/console/listings/" + listed.ID, Cookies: off.jar}).html(t, 200, `<span class="listing-end">`+zh+`</span>`, `id="date-problems"`)
	e.do(t, req{Path: "/console/listings/" + listed.ID + "?lang=en", Cookies: off.jar}).html(t, 200, `<span class="listing-end">`+en+`</span>`)
	e.do(t, req{Path: "/console/listings/" + listed.ID + "/decision", Cookies: off.jar}).html(t, 200, "至 "+zh+" 止")

	e.do(t, req{Path: "/lists/serious"}).html(t, 200, `<dd class="listing-end">`+zh+`</dd>`)
	e.do(t, req{Path: "/lists/serious?lang=en"}).html(t, 200, `<dd class="listing-end">`+en+`</dd>`)
	e.do(t, req{Path: "/subjects/" + f.orgCode + "?tab=serious"}).html(t, 200, `<dd class="listing-end">`+zh+`</dd>`)

	r := e.do(t, req{Path: "/api/v1/subjects/" + f.orgCode + "/report.json"})
	_, s := seriousOf(t, r)
	if len(s.Listings) != 1 {
		t.Fatalf("report: serious-list section %+v", s)
	}
	le := s.Listings[0]
	if le.EndDate != effective || !strings.Contains(string(r.Body), `"stored_end_date":"`+stored.String()+`"`) {
		t.Errorf("report: end_date %s, want %s, and stored_end_date %s: %s", le.EndDate, effective, stored, r.Body)
	}
	var end string
	for _, fl := range le.Fields {
		if fl.Label == report.LabelListingEnd {
			end = fl.Value
		}
	}
	if end != zh {
		t.Errorf("report: %s = %q, want %q", report.LabelListingEnd, end, zh)
	}
	// The report verifies as a document: no date field holds year 102026,
	// which a date parser refuses.
	var c reportCheck
	vr := e.do(t, req{Method: "POST", Path: "/api/v1/reports/verify", Type: "application/json", Body: r.Body})
	vr.json(t, &c)
	if vr.Status != 200 || !c.Genuine {
		t.Errorf("verify the report document: %s", vr)
	}

	// The stored end date is kept as written: the API's listing answers it,
	// with effective_end.
	var v struct {
		EndDate      string `json:"end_date"`
		EffectiveEnd string `json:"effective_end"`
	}
	e.do(t, req{Path: "/api/v1/listings/" + listed.ID, Token: f.offA}).json(t, &v)
	if v.EndDate != stored.String() || v.EffectiveEnd != effective.String() {
		t.Errorf("API listing: %+v", v)
	}
}
