package server

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

// TestListingsStoredBeforeTheBoundsOverHTTP: a listing whose notice gives
// 2,200,000 working days to object (deadline in year 10459) and one listed
// for 1,200,000 months (end in year 102026), as stored before the bounds
// (doc/listings.md), were a 500 on every page and answer that read them.
// The console queue and the listing page show them flagged with the
// reason; the API answers them with date_problems; the notice document,
// the portal's list and the subject's page show them; the measures check
// answers.
func TestListingsStoredBeforeTheBoundsOverHTTP(t *testing.T) {
	f := newListingFixture(t)
	e := f.e
	notified := f.propose(t, f.recA1)
	other := uscc(t, "91620100MA74QX5M")
	in := penaltyInput(t, other, "兰州另一商贸有限公司", "兰市监罚〔2026〕303号")
	in.Severity = "serious"
	var res workflow.SubmitResult
	e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: f.offA, Body: in}).json(t, &res)
	var listed xinyong.Listing
	e.do(t, req{Method: "POST", Path: "/api/v1/listings", Token: f.offA, Body: xinyong.ListingProposal{
		ListType: "SAMR_SERIOUS", Subject: other, RecordIDs: []string{res.Record.ID}, Reasons: "一年内三次虚假宣传受较重处罚", Basis: "《市场监督管理严重违法失信名单管理办法》第二条"}}).json(t, &listed)

	// The versions as code without the bounds wrote them.
	today := xinyong.DateOf(e.svc.Now())
	err := e.svc.Store.Update(e.ctx, func(tx xinyong.Tx) error {
		n := notified
		n.State, n.Version = xinyong.ListingNotified, 2
		n.Notice = &xinyong.ListingNotice{Date: today, Reasons: n.Reasons, Basis: n.Basis, Rights: xinyong.StandardRights, ObjectionDays: 2200000,
			ObjectionDeadline: xinyong.Date{Year: 10459, Month: time.March, Day: 2}, By: "account:oa"}
		if err := tx.UpdateListing(n, xinyong.ListingProposed, 1); err != nil {
			return err
		}
		l := listed
		l.State, l.Version, l.ListedOn, l.EndDate, l.Published = xinyong.ListingListed, 2, today, today.AddMonths(1200000), true
		l.Decision = &xinyong.ListingDecision{Number: "兰市监信〔2026〕1号", Date: today, Reason: "一年内三次虚假宣传受较重处罚", Basis: "《市场监督管理严重违法失信名单管理办法》第二条",
			Measures: []string{"CPC-SC-2025-RESTRICT"}, RemovalConditions: "列入满一年，已履行处罚", RemovalProcedure: "申请信用修复，免费",
			Remedies: xinyong.Remedies{Reconsideration: "六十日内申请行政复议", Litigation: "六个月内提起行政诉讼"}, PeriodMonths: 1200000, By: "account:oa"}
		return tx.UpdateListing(l, xinyong.ListingProposed, 1)
	})
	if err != nil {
		t.Fatal(err)
	}

	off := e.consoleSession(t, workflow.AccountInput{Username: "officer-a", Role: "officer", Department: f.deptA.Code})
	e.do(t, req{Path: "/console/listings", Cookies: off.jar}).html(t, 200, "10459-03-02", "期限或期间超出上限，待更正", "2200000 working days", "1200000 months")
	e.do(t, req{Path: "/console/listings/" + notified.ID, Cookies: off.jar}).html(t, 200, `id="date-problems"`, "notice.objection_working_days", "10459-03-02")
	e.do(t, req{Path: "/console/listings/" + listed.ID + "?lang=en", Cookies: off.jar}).html(t, 200, `id="date-problems"`, "decision.period_months", "end_date", "102026-")
	e.do(t, req{Path: "/console/listings/" + notified.ID + "/notice", Cookies: off.jar}).html(t, 200, "10459-03-02")

	// Dates past year 9999 are answered as stored, the year in full
	// ("102026-11-26"): a strict date parser (xinyong.Date too) refuses
	// them, so a client reads date_problems, which says why.
	r := e.do(t, req{Path: "/api/v1/listings/" + notified.ID, Token: f.offA})
	if r.Status != 200 || !strings.Contains(string(r.Body), `"objection_deadline":"10459-03-02"`) || !strings.Contains(string(r.Body), `"date_problems":[{"field":"notice.objection_working_days"`) {
		t.Fatalf("GET the listing: %s", r)
	}
	type queueRow struct {
		ID           string                        `json:"id"`
		EndDate      string                        `json:"end_date"`
		Overdue      bool                          `json:"overdue"`
		DateProblems []workflow.ListingDateProblem `json:"date_problems"`
	}
	var p struct {
		Total    int        `json:"total"`
		Listings []queueRow `json:"listings"`
	}
	e.do(t, req{Path: "/api/v1/listings", Token: f.offA}).json(t, &p)
	if p.Total != 2 || len(p.Listings) != 2 {
		t.Errorf("queue: %+v", p)
	}
	for _, l := range p.Listings {
		if len(l.DateProblems) == 0 || l.Overdue {
			t.Errorf("queue: %+v", l)
		}
	}
	e.do(t, req{Path: "/api/v1/listings?overdue=1", Token: f.offA}).json(t, &p)
	if p.Total != 0 {
		t.Errorf("overdue queue: %+v", p)
	}
	var v queueRow
	e.do(t, req{Path: "/api/v1/listings/" + listed.ID, Token: f.offA}).json(t, &v)
	if v.EndDate != today.AddMonths(1200000).String() || !strings.HasPrefix(v.EndDate, "102026-") || v.Overdue || len(v.DateProblems) != 2 {
		t.Errorf("listed: %+v", v)
	}
	e.do(t, req{Path: "/lists/serious"}).html(t, 200, "兰州另一商贸有限公司")
	e.do(t, req{Path: "/subjects/" + other + "?tab=serious"}).html(t, 200, "市场监督管理严重违法失信名单", "兰市监信〔2026〕1号", "102026-")
	agency := e.token(t, "agency", "", "某银行")
	r = e.do(t, req{Path: "/api/v1/measures/check?" + url.Values{"subject": {other}, "matter": {"贷款审批"}, "purpose": {"贷款审批"}}.Encode(), Token: agency})
	if r.Status != 200 || !strings.Contains(string(r.Body), listed.ID) {
		t.Errorf("measures check: %s", r)
	}
}
