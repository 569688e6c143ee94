package server

import (
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// TestAuditorCannotReviewOwnRead: an auditor's own supervision read is a
// query-use entry like any other (DOMAIN.md §7); reviewing it is another
// auditor's job. The auditor who made the read is refused (403, rule
// query_log.self_review) and the entry stays unreviewed; a second auditor
// reviews it.
func TestAuditorCannotReviewOwnRead(t *testing.T) {
	f := newSharing(t)
	e := f.e
	if r := e.do(t, req{Path: "/api/v1/records?subject_id=" + f.personRef, Token: f.auditor}); r.Status != 200 {
		t.Fatalf("supervision read: %s", r)
	}
	var log workflow.QueryPage[xinyong.QueryUse]
	e.do(t, req{Path: "/api/v1/query-log", Token: f.auditor}).json(t, &log)
	if len(log.Entries) != 1 {
		t.Fatalf("log: %+v", log)
	}
	q := log.Entries[0]
	p := e.do(t, req{Method: "POST", Path: "/api/v1/query-log/" + q.ID + "/review", Token: f.auditor, Body: reviewInput{Note: "ok"}}).problem(t, 403, xinyong.EFORBIDDEN)
	if !p.hasField("id", "query_log.self_review") {
		t.Errorf("refusal: %+v", p)
	}
	e.do(t, req{Path: "/api/v1/query-log?reviewed=true", Token: f.auditor}).json(t, &log)
	if len(log.Entries) != 0 {
		t.Errorf("the self-review was recorded: %+v", log.Entries)
	}
	other := e.token(t, "auditor", "", "")
	var done xinyong.QueryUse
	e.do(t, req{Method: "POST", Path: "/api/v1/query-log/" + q.ID + "/review", Token: other, Body: reviewInput{Note: "ok"}}).json(t, &done)
	if done.ReviewedAt == nil || done.ReviewedBy == q.Actor {
		t.Errorf("another auditor's review: %+v", done)
	}
}
