package server

import (
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// A credit report shows a record under objection marked 异议处理中, as the
// portal does (doc/objections.md).
func TestReportMarksDisputedRecords(t *testing.T) {
	e := newEnv(t)
	d := e.dept(t, "11620100MB0001AA", "兰州市市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	code := uscc(t, "91620100MA74QX3K")
	in := penaltyInput(t, code, "兰州某某商贸有限公司", "兰市监罚〔2026〕91号")
	in.Document.DecisionDate = xinyong.DateOf(e.svc.Now()).AddDays(-20)
	var res workflow.SubmitResult
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: off, Body: in}); r.Status != 201 {
		t.Fatalf("submit: %s", r)
	} else {
		r.json(t, &res)
	}
	report := func() string {
		r := e.do(t, req{Path: "/api/v1/subjects/" + code + "/report.json"})
		if r.Status != 200 || !strings.Contains(string(r.Body), "兰市监罚〔2026〕91号") {
			t.Fatalf("report: %s", r)
		}
		return string(r.Body)
	}
	if strings.Contains(report(), xinyong.MarkInDispute) {
		t.Fatal("marked before any objection")
	}
	r := e.do(t, req{Method: "POST", Path: "/api/v1/records/" + res.Record.ID + "/objections", Body: xinyong.RecordObjectionInput{Name: "王五", Contact: "13800000000", Reasons: "罚款金额有误"}})
	if r.Status != 201 {
		t.Fatalf("objection: %s", r)
	}
	if !strings.Contains(report(), xinyong.MarkInDispute) {
		t.Error("a report does not mark a record under objection 异议处理中")
	}
}
