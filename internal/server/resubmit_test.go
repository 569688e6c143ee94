package server

import (
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// TestResubmitWithdrawnIsUnchanged: a withdrawn decision sent again with
// the same payload (a department's next routine export still listing it)
// is unchanged: the record stays withdrawn, unpublished, with no new
// version (issue 3: re-submission is idempotent; withdrawal ends sharing
// and publication).
func TestResubmitWithdrawnIsUnchanged(t *testing.T) {
	e := newEnv(t)
	d := e.dept(t, "11620100MB0001AA", "兰州市市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	in := penaltyInput(t, uscc(t, "91620100MA74QX3K"), "兰州某某商贸有限公司", "兰市监罚〔2026〕99号")
	var res workflow.SubmitResult
	e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: off, Body: in}).json(t, &res)
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/records/" + res.Record.ID + "/withdraw", Token: off, Body: withdrawRequest{Reason: "revoked", Note: "复议撤销"}}); r.Status != 200 {
		t.Fatalf("withdraw: %s", r)
	}
	size := e.ledgerSize(t)
	r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: off, Body: in})
	r.json(t, &res)
	if res.Outcome != workflow.Unchanged || res.Record.Status != xinyong.RecordWithdrawn || res.Record.Version != 2 || res.Record.Window.Published {
		t.Fatalf("the withdrawn decision sent again: %s %s v%d published %v", res.Outcome, res.Record.Status, res.Record.Version, res.Record.Window.Published)
	}
	if got := e.ledgerSize(t); got != size {
		t.Errorf("an unchanged re-submission grew the ledger from %d to %d", size, got)
	}
	stored := e.storedRecords(t, d.ID)
	if len(stored) != 1 || stored[0].Status != xinyong.RecordWithdrawn {
		t.Fatalf("stored: %+v", stored)
	}
	// A changed decision under the same number is a new version again.
	in.Fields["CF_NR"] = "罚款人民币叁万元"
	e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: off, Body: in}).json(t, &res)
	if res.Outcome != workflow.NewVersion || res.Record.Status != xinyong.RecordActive || res.Record.Version != 3 {
		t.Fatalf("a changed decision after withdrawal: %s %s v%d", res.Outcome, res.Record.Status, res.Record.Version)
	}
}

// TestBatchSameNumberTwice: one batch holding a decision and then its
// changed version under the same number writes both, the second as
// version 2, in both modes.
func TestBatchSameNumberTwice(t *testing.T) {
	e := newEnv(t)
	d := e.dept(t, "11620100MB0001AA", "兰州市市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	for i, mode := range []string{"each", "atomic"} {
		number := []string{"兰市监罚〔2026〕201号", "兰市监罚〔2026〕202号"}[i]
		a := penaltyInput(t, uscc(t, "91620100MA74QX3K"), "兰州某某商贸有限公司", number)
		b := penaltyInput(t, uscc(t, "91620100MA74QX3K"), "兰州某某商贸有限公司", number)
		b.Fields["CF_NR"] = "罚款人民币叁万元"
		r := e.do(t, req{Method: "POST", Path: "/api/v1/records:batch", Token: off, Body: map[string]any{"mode": mode, "records": []xinyong.RecordInput{a, b}}})
		var res workflow.BatchResult
		r.json(t, &res)
		if !res.Committed || res.Accepted != 2 || res.Rejected != 0 || res.Items[0].Outcome != workflow.Created || res.Items[1].Outcome != workflow.NewVersion || res.Items[0].ID != res.Items[1].ID {
			t.Fatalf("%s: %s", mode, r)
		}
		var view struct {
			Record   xinyong.Record   `json:"record"`
			Versions []xinyong.Record `json:"versions"`
		}
		e.do(t, req{Path: "/api/v1/records/" + res.Items[0].ID, Token: off}).json(t, &view)
		if view.Record.Version != 2 || view.Record.Fields["CF_NR"] != "罚款人民币叁万元" || len(view.Versions) != 2 { // every version, the current one included
			t.Errorf("%s: stored v%d %q with %d earlier versions", mode, view.Record.Version, view.Record.Fields["CF_NR"], len(view.Versions))
		}
	}
}
