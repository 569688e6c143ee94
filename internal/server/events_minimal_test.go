package server

import (
	"bytes"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// TestRepairEventsCarryNoApplicantMatters: repair.decided goes to agencies
// and connected systems, which may not read applications: it never holds
// the applicant's progress query code (it opens the public progress page),
// nor a refusal's reasons and remedy.
func TestRepairEventsCarryNoApplicantMatters(t *testing.T) {
	f := newRepairFixture(t)
	e := f.e
	r := f.apply(t, repairFields(f.rec), formFile{"缴款收据.pdf", bytes.NewReader(testPDF)})
	if r.Status != 201 {
		t.Fatalf("apply: %s", r)
	}
	var rep xinyong.Repair
	r.json(t, &rep)
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/repairs/" + rep.ID + "/accept", Token: f.off}); r.Status != 200 {
		t.Fatalf("accept: %s", r)
	}
	const reasons, remedy = "材料不足以证明已纠正失信行为（内部核查意见）", "可依法申请行政复议"
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/repairs/" + rep.ID + "/decide", Token: f.off, Body: xinyong.RepairDecisionInput{Approve: false, Reasons: reasons, Remedy: remedy}}); r.Status != 200 {
		t.Fatalf("refuse: %s", r)
	}
	agency := e.token(t, "agency", "", "")
	var page workflow.EventPage
	e.do(t, req{Path: "/api/v1/events?after=0&limit=1000", Token: agency}).json(t, &page)
	found := false
	for _, ev := range page.Events {
		if ev.Type != "repair.decided" {
			continue
		}
		found = true
		body := string(ev.Payload)
		for _, secret := range []string{rep.Code, reasons, remedy} {
			if strings.Contains(body, secret) {
				t.Errorf("repair.decided carries %q: %s", secret, body)
			}
		}
	}
	if !found {
		t.Fatal("no repair.decided event")
	}
}
