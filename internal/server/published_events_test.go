package server

import (
	"encoding/json"
	"slices"
	"testing"

	"xinyong"
)

// TestPublishedEventsFollowVisibility: record.published is sent for what
// the public sees (an enterprise's penalty, an adult's) and never for a
// record published to nobody, such as a minor's (DOMAIN.md §2, §3): the
// event would tell agencies and webhooks what the portal withholds.
func TestPublishedEventsFollowVisibility(t *testing.T) {
	f := newPortal(t)
	e := f.e
	agency := e.token(t, "agency", "", "")
	r := e.do(t, req{Path: "/api/v1/events?after=0&limit=1000", Token: agency})
	if r.Status != 200 {
		t.Fatalf("event feed: %s", r)
	}
	var page struct {
		Events []xinyong.Event `json:"events"`
	}
	r.json(t, &page)
	var published []string
	for _, ev := range page.Events {
		if ev.Type != xinyong.EventRecordPublished {
			continue
		}
		var d struct {
			DocumentNumber string `json:"document_number"`
		}
		if err := json.Unmarshal(ev.Payload, &d); err != nil {
			t.Fatal(err)
		}
		published = append(published, d.DocumentNumber)
	}
	for _, want := range []string{f.orgPenalty, f.personPenalty} {
		if !slices.Contains(published, want) {
			t.Errorf("no record.published for %s (published: %v)", want, published)
		}
	}
	if slices.Contains(published, "兰市监罚〔2026〕303号") {
		t.Errorf("record.published was sent for the minor's penalty: %v", published)
	}
}

// TestWithdrawnEventsFollowVisibility: record.withdrawn is sent for a
// record that had been announced (the public saw it), and not for one
// published to nobody, such as a minor's: the event would tell agencies
// and webhooks that it exists.
func TestWithdrawnEventsFollowVisibility(t *testing.T) {
	f := newPortal(t)
	e := f.e
	var recs struct {
		Records []xinyong.Record `json:"records"`
	}
	e.do(t, req{Path: "/api/v1/records?limit=1000", Token: f.officer}).json(t, &recs)
	withdrawn := map[string]bool{}
	for _, r := range recs.Records {
		if r.Status == xinyong.RecordActive && (r.Document.Number == "兰市监罚〔2026〕303号" || r.Document.Number == f.orgPenalty) {
			if res := e.do(t, req{Method: "POST", Path: "/api/v1/records/" + r.ID + "/withdraw", Token: f.officer, Body: withdrawRequest{Reason: "revoked", Note: "复议撤销"}}); res.Status != 200 {
				t.Fatalf("withdraw %s: %s", r.Document.Number, res)
			}
			withdrawn[r.Document.Number] = true
		}
	}
	if len(withdrawn) != 2 {
		t.Fatalf("withdrew %v", withdrawn)
	}
	agency := e.token(t, "agency", "", "")
	var page struct {
		Events []xinyong.Event `json:"events"`
	}
	e.do(t, req{Path: "/api/v1/events?after=0&limit=1000", Token: agency}).json(t, &page)
	var got []string
	for _, ev := range page.Events {
		if ev.Type != xinyong.EventRecordWithdrawn {
			continue
		}
		var d struct {
			DocumentNumber string `json:"document_number"`
		}
		if err := json.Unmarshal(ev.Payload, &d); err != nil {
			t.Fatal(err)
		}
		got = append(got, d.DocumentNumber)
	}
	if !slices.Contains(got, f.orgPenalty) {
		t.Errorf("no record.withdrawn for the published penalty: %v", got)
	}
	if slices.Contains(got, "兰市监罚〔2026〕303号") {
		t.Errorf("record.withdrawn was sent for the minor's penalty: %v", got)
	}
}
