package server

import (
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// TestListingQueuePagesOverHTTP: GET /api/v1/listings pages the queue and
// says how many listings it selects in all, so a client never mistakes a
// first page for the whole queue; a bad offset or limit is a 400 naming it.
func TestListingQueuePagesOverHTTP(t *testing.T) {
	f := newListingFixture(t)
	e := f.e
	first := f.propose(t, f.recA1)
	other := uscc(t, "91620100MA74QX5M")
	in := penaltyInput(t, other, "兰州另一商贸有限公司", "兰市监罚〔2026〕303号")
	in.Severity = "serious"
	var res workflow.SubmitResult
	e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: f.offA, Body: in}).json(t, &res)
	r := e.do(t, req{Method: "POST", Path: "/api/v1/listings", Token: f.offA, Body: xinyong.ListingProposal{
		ListType: "SAMR_SERIOUS", Subject: other, RecordIDs: []string{res.Record.ID}, Reasons: "一年内三次虚假宣传受较重处罚", Basis: "《市场监督管理严重违法失信名单管理办法》第二条"}})
	if r.Status != 201 {
		t.Fatalf("propose: %s", r)
	}
	var second xinyong.Listing
	r.json(t, &second)
	var p workflow.QueuePage
	e.do(t, req{Path: "/api/v1/listings?limit=1", Token: f.offA}).json(t, &p)
	if p.Total != 2 || len(p.Listings) != 1 || !p.More || p.NextOffset != 1 || p.Limit != 1 {
		t.Fatalf("first page: %+v", p)
	}
	seen := p.Listings[0].ID
	e.do(t, req{Path: "/api/v1/listings?limit=1&offset=1", Token: f.offA}).json(t, &p)
	if p.Total != 2 || len(p.Listings) != 1 || p.More || p.Listings[0].ID == seen {
		t.Fatalf("second page: %+v", p)
	}
	if got := []string{seen, p.Listings[0].ID}; !(got[0] == first.ID && got[1] == second.ID || got[0] == second.ID && got[1] == first.ID) {
		t.Errorf("the pages hold %v, want both listings", got)
	}
	for _, q := range []string{"limit=0", "limit=abc", "offset=-1"} {
		e.do(t, req{Path: "/api/v1/listings?" + q, Token: f.offA}).problem(t, 400, xinyong.EINVALID)
	}
}
