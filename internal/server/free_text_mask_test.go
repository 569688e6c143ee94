package server

import (
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// TestWithdrawalNoteMasksCitizenIDs: a citizen ID number an officer types
// into a withdrawal note reaches neither the audit trail (whose ledger
// leaves are never erased), nor the record, nor the event feed agencies
// and webhooks read, in full (DOMAIN.md §7).
func TestWithdrawalNoteMasksCitizenIDs(t *testing.T) {
	e := newEnv(t)
	d := e.dept(t, "11620100MB0001AA", "兰州市市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	agency := e.token(t, "agency", "", "")
	id := citizenID(t, "62010219800101123")
	var res workflow.SubmitResult
	r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: off, Body: penaltyInput(t, uscc(t, "91620100MA74QX3K"), "兰州某某商贸有限公司", "兰市监罚〔2026〕96号")})
	if r.Status != 201 {
		t.Fatalf("submit: %s", r)
	}
	r.json(t, &res)
	note := "法定代表人张三明（" + id + "）申请行政复议，决定撤销"
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/records/" + res.Record.ID + "/withdraw", Token: off, Body: withdrawRequest{Reason: "revoked", Note: note}}); r.Status != 200 {
		t.Fatalf("withdraw: %s", r)
	}
	masked := xinyong.MaskCitizenIDs(id)
	evs := e.auditEvents(t, xinyong.AuditFilter{ObjectType: "record", ObjectID: res.Record.ID})
	sawNote := false
	for _, ev := range evs {
		if strings.Contains(ev.Detail, id) {
			t.Errorf("audit detail holds the full ID: %q", ev.Detail)
		}
		sawNote = sawNote || strings.Contains(ev.Detail, masked)
	}
	if !sawNote {
		t.Errorf("no audit event keeps the note (masked): %+v", evs)
	}
	rec := e.do(t, req{Path: "/api/v1/records/" + res.Record.ID, Token: off})
	feed := e.do(t, req{Path: "/api/v1/events?after=0&limit=1000", Token: agency})
	if feed.Status != 200 || !strings.Contains(string(feed.Body), "record.withdrawn") {
		t.Fatalf("event feed: %s", feed)
	}
	for what, body := range map[string]string{"record": string(rec.Body), "event feed": string(feed.Body)} {
		if strings.Contains(body, id) {
			t.Errorf("the %s holds the full ID", what)
		}
		if !strings.Contains(body, masked) {
			t.Errorf("the %s lost the note", what)
		}
	}
}

// TestPersonIDInCodeColumnMasked: a department that puts a person's
// citizen ID number in the code column meant for the unified social credit
// code (CF_XDR_SHXYM) has it kept masked, like the ID column: neither the
// record served nor its stored content holds it in full.
func TestPersonIDInCodeColumnMasked(t *testing.T) {
	e := newEnv(t)
	d := e.dept(t, "11620100MB0001AA", "兰州市市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	id := citizenID(t, "62010219800101123")
	in := penaltyInput(t, id, "张三明", "兰市监罚〔2026〕97号")
	in.Fields["CF_XDR_LB"] = "自然人"
	in.Fields["CF_XDR_SHXYM"] = id
	r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: off, Body: in})
	if r.Status != 201 {
		t.Fatalf("submit: %s", r)
	}
	var res workflow.SubmitResult
	r.json(t, &res)
	if got := res.Record.Fields["CF_XDR_SHXYM"]; got != xinyong.MaskID(id) {
		t.Errorf("CF_XDR_SHXYM kept as %q, want %q", got, xinyong.MaskID(id))
	}
	for _, rec := range e.storedRecords(t, d.ID) {
		if strings.Contains(string(rec.Content), id) || strings.Contains(rec.Fields["CF_XDR_SHXYM"], id) {
			t.Errorf("record %s stores the full ID number", rec.ID)
		}
	}
	// An organisation's code in the same column stays as it is.
	org := uscc(t, "91620100MA74QX3K")
	in = penaltyInput(t, org, "兰州某某商贸有限公司", "兰市监罚〔2026〕98号")
	in.Fields["CF_XDR_SHXYM"] = org
	r = e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: off, Body: in})
	if r.Status != 201 {
		t.Fatalf("submit: %s", r)
	}
	r.json(t, &res)
	if got := res.Record.Fields["CF_XDR_SHXYM"]; got != org {
		t.Errorf("an organisation's code became %q", got)
	}
}
