package workflow_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// BenchmarkRepairDecision times DecideRepair (an approval, the default
// treatment) for a subject with three penalties, with and without a stored
// grade under the default model: the difference is the cost of grading the
// subject anew in the decision's transaction (grade.updated). Only the
// decision is timed; the records, the grade, the application and its
// acceptance are made with the timer stopped.
//
//	go test -run XXX -bench RepairDecision -benchtime 200x ./internal/workflow/
func BenchmarkRepairDecision(b *testing.B) {
	for _, graded := range []bool{false, true} {
		b.Run(fmt.Sprintf("graded=%v", graded), func(b *testing.B) { benchRepairDecision(b, graded) })
	}
}

func benchRepairDecision(b *testing.B, graded bool) {
	ctx := context.Background()
	clk := &clock{now: day("2026-06-01")}
	a, _ := openAppIn(b, clk, b.TempDir(), "")
	svc := a.Service
	dept, err := svc.CreateDepartment(ctx, xinyong.System, workflow.DepartmentInput{Code: uscc(b, "11620100MB0001AA"), Name: "兰州市市场监督管理局", Provides: []string{"XZCF"}})
	if err != nil {
		b.Fatal(err)
	}
	off := xinyong.Actor{Kind: "account", ID: "oa", Name: "officer A", Role: xinyong.RoleOfficer, DepartmentID: dept.ID}
	admin := xinyong.Actor{Kind: "account", ID: "adm", Name: "admin", Role: xinyong.RoleAdmin}
	pf, err := svc.StoreProof(ctx, "缴款收据.pdf", bytes.NewReader(pdfBytes))
	if err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	for i := range b.N {
		code := uscc(b, fmt.Sprintf("91620100MA%06d", i))
		var first xinyong.Record
		for j, d := range []string{"2025-12-01", "2025-12-02", "2025-12-03"} {
			res, err := svc.SubmitRecord(ctx, off, "", xinyong.RecordInput{
				Item: "XZCF", SubjectCode: code, SubjectName: "兰州某某商贸有限公司 " + code[10:14],
				Document: xinyong.Document{Type: xinyong.DocPenaltyDecision, Number: fmt.Sprintf("兰市监罚〔2025〕%d-%d号", i, j), Authority: dept.Name, DecisionDate: xinyong.MustDate(d)},
				Fields: map[string]string{"CF_XDR_LB": "法人及非法人组织", "CF_WFXW": "虚假宣传", "CF_SY": "发布虚假广告", "CF_YJ": "《广告法》第五十五条",
					"CF_NR": "罚款人民币贰万元", "CF_NR_FK": "2", "CF_CFJGDM": dept.Code, "CF_SJLY": dept.Name, "CF_SJLYDM": dept.Code},
				Severity: "general", Categories: []string{"罚款"},
			})
			if err != nil {
				b.Fatal(err)
			}
			if j == 0 {
				first = res.Record
			}
		}
		if graded {
			if _, err := svc.EvaluateSubject(ctx, admin, code, ""); err != nil {
				b.Fatal(err)
			}
		}
		subj := xinyong.Actor{Kind: "account", ID: "us", Name: "subject", Role: xinyong.RoleSubject, SubjectID: first.SubjectID}
		rep, err := svc.ApplyRepair(ctx, subj, goodInput(first.ID), []xinyong.RepairFile{pf})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := svc.AcceptRepair(ctx, off, rep.ID, ""); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := svc.DecideRepair(ctx, off, rep.ID, xinyong.RepairDecisionInput{Approve: true, Reasons: "已纠正失信行为并履行义务"}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
	}
}
