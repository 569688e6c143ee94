package workflow_test

import (
	"slices"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// A stored grade follows a record corrected on an objection (DOMAIN.md §6
// "evaluations updated", §8: a grade is explainable from the records that
// produced it). Before, an objection answered "corrected" wrote the
// record's new version but left the stored grade, and its explanation,
// resting on the uncorrected field an indicator read.
func TestGradeUpdatedOnCorrection(t *testing.T) {
	for _, st := range gradingStores {
		t.Run(st.name, func(t *testing.T) {
			t.Chdir(t.TempDir()) // proofs go to ./xinyong-files on PostgreSQL
			testGradeUpdatedOnCorrection(t, newGradingEnvDB(t, st.db(t)))
		})
	}
}

func testGradeUpdatedOnCorrection(t *testing.T, e *grEnv) {
	org := uscc(t, "91620100MA74QX3K")
	m := falseAdModel(t, e)
	r := e.penalty(t, e.offA, e.deptA, org, "兰市监罚〔2026〕1号", "2026-03-02", "general", xinyong.Leniency{})
	subj := xinyong.Actor{Kind: "account", ID: "us", Name: "subject", Role: xinyong.RoleSubject, SubjectID: r.SubjectID}
	if g, err := e.svc.EvaluateSubject(e.ctx, e.admin, org, m.ID); err != nil || g.Grade.Grade != "B" || g.Score != 85 || !indicatorCounts(g.Grade, "XJXC", r.ID) {
		t.Fatalf("graded under the field model: %v %+v", err, g.Grade)
	}
	if g, err := e.svc.EvaluateSubject(e.ctx, e.admin, org, ""); err != nil || g.Grade.Grade != "A" || g.Score != 95 {
		t.Fatalf("graded under the default model: %v %+v", err, g.Grade)
	}

	ob, err := e.svc.FileObjection(e.ctx, subj, r.ID, xinyong.RecordObjectionInput{Name: "张三", Reasons: "违法行为登记有误", Contact: "13800000000"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ResolveObjection(e.ctx, e.offA, ob.ID, xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeCorrected, Reasons: "经核实更正",
		Corrections: map[string]string{"CF_WFXW": "未按规定公示年度报告"}}); err != nil {
		t.Fatal(err)
	}

	// The field model's grade is recomputed from the corrected version: the
	// indicator no longer counts the record, which still counts as a
	// general penalty.
	v, err := e.svc.SubjectGrade(e.ctx, subj, "me", m.ID)
	if err != nil || !v.Stored || v.Grade.Grade != "A" || v.Score != 95 || indicatorCounts(v.Grade, "XJXC", r.ID) || !counts(v.Grade, r.ID) ||
		v.Source != "objection:"+ob.ID || v.Outdated {
		t.Fatalf("the stored grade after the correction: %v %+v", err, v.Grade)
	}
	// Only the grade that changed is stored and audited: the default
	// model's grade does not read the field.
	if d, err := e.svc.SubjectGrade(e.ctx, subj, "me", ""); err != nil || d.Score != 95 || d.Source != "evaluation" {
		t.Errorf("the default model's grade: %v %+v", err, d.Grade)
	}
	ups := gradeUpdates(t, e)
	if len(ups) != 1 || ups[0].ObjectID != m.ID+":"+r.SubjectID || !strings.Contains(ups[0].Detail, "B 85.00") || !strings.Contains(ups[0].Detail, "A 95.00") ||
		!strings.Contains(ups[0].Detail, "objection record "+r.ID+" corrected (objection "+ob.ID+")") || strings.Contains(ups[0].Detail, "stopped counting") ||
		ups[0].LedgerIdx == 0 || ups[0].BeforeDigest == "" || ups[0].AfterDigest == "" {
		t.Fatalf("grade.updated audit: %+v", ups)
	}
	if strings.Contains(ups[0].Detail, org) {
		t.Error("the audit detail names the subject code")
	}
	if rep, err := e.svc.Verify(e.ctx, "", nil); err != nil || !rep.OK() {
		t.Errorf("ledger verify: %v %+v", err, rep.Problems)
	}
}

// indicatorCounts: the grade's indicator code counted the record.
func indicatorCounts(g xinyong.Grade, code, recordID string) bool {
	for _, in := range g.Explanation.Indicators {
		if in.Code == code {
			return slices.Contains(in.Records, recordID)
		}
	}
	return false
}

// A stored grade follows a changed version of a decision its department
// sends (the same decision number with other fields): before, the new
// version was stored and published while the grade went on counting the
// old field (DOMAIN.md §8). The changed version may come in a batch, where
// records are buffered: the grade counts every record of the subject.
func TestGradeUpdatedOnNewVersion(t *testing.T) {
	for _, st := range gradingStores {
		t.Run(st.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			testGradeUpdatedOnNewVersion(t, newGradingEnvDB(t, st.db(t)))
		})
	}
}

func testGradeUpdatedOnNewVersion(t *testing.T, e *grEnv) {
	org := uscc(t, "91620100MA74QX4M")
	m := falseAdModel(t, e)
	r := e.penalty(t, e.offA, e.deptA, org, "兰市监罚〔2026〕7号", "2026-03-02", "general", xinyong.Leniency{})
	if g, err := e.svc.EvaluateSubject(e.ctx, e.admin, org, m.ID); err != nil || g.Grade.Grade != "B" || !indicatorCounts(g.Grade, "XJXC", r.ID) {
		t.Fatalf("graded under the field model: %v %+v", err, g.Grade)
	}
	// The department sends the decision again with the violation changed,
	// in a batch with a second decision on the same subject.
	in := func(number, wfxw string) xinyong.RecordInput {
		return xinyong.RecordInput{
			Item: "XZCF", SubjectCode: org, SubjectName: "兰州某某商贸有限公司 " + org[10:14],
			Document: xinyong.Document{Type: xinyong.DocPenaltyDecision, Number: number, Authority: e.deptA.Name, DecisionDate: xinyong.MustDate("2026-03-02")},
			Fields: map[string]string{"CF_XDR_LB": "法人及非法人组织", "CF_WFXW": wfxw, "CF_SY": "发布虚假广告", "CF_YJ": "《广告法》第五十五条",
				"CF_NR": "罚款人民币贰万元", "CF_NR_FK": "2", "CF_CFJGDM": e.deptA.Code, "CF_SJLY": e.deptA.Name, "CF_SJLYDM": e.deptA.Code},
			Severity: "general", Categories: []string{"罚款"},
		}
	}
	res, err := e.svc.SubmitBatch(e.ctx, e.offA, "", "atomic", []xinyong.RecordInput{in("兰市监罚〔2026〕8号", "未按规定公示年度报告"), in("兰市监罚〔2026〕7号", "未按规定公示年度报告")})
	if err != nil || !res.Committed || res.Accepted != 2 || len(res.Items) != 2 || res.Items[1].Outcome != workflow.NewVersion {
		t.Fatalf("batch: %v %+v", err, res)
	}
	subj := xinyong.Actor{Kind: "account", ID: "us", Name: "subject", Role: xinyong.RoleSubject, SubjectID: r.SubjectID}
	v, err := e.svc.SubjectGrade(e.ctx, subj, "me", m.ID)
	if err != nil || !v.Stored || indicatorCounts(v.Grade, "XJXC", r.ID) || !counts(v.Grade, r.ID) || v.Source != workflow.GradeCauseVersion+":"+r.ID {
		t.Fatalf("the stored grade after the changed version: %v %+v", err, v.Grade)
	}
	if !counts(v.Grade, res.Items[0].ID) {
		t.Errorf("the grade stored in the batch misses the batch's other record %s: %+v", res.Items[0].ID, v.Grade)
	}
	ups := gradeUpdates(t, e)
	if len(ups) != 1 || !strings.Contains(ups[0].Detail, "record "+r.ID+" corrected") {
		t.Fatalf("grade.updated audit: %+v", ups)
	}
	if rep, err := e.svc.Verify(e.ctx, "", nil); err != nil || !rep.OK() {
		t.Errorf("ledger verify: %v %+v", err, rep.Problems)
	}
}

// falseAdModel creates a model with an indicator reading a field of the
// penalty: false advertising (CF_WFXW 虚假宣传) costs 10 points more than
// under the default model.
func falseAdModel(t *testing.T, e *grEnv) xinyong.GradingModel {
	t.Helper()
	cur, _, err := e.svc.GradingModel(e.ctx, "public-credit")
	if err != nil {
		t.Fatal(err)
	}
	m := cur
	m.ID, m.Name, m.Default = "false-ad", "虚假宣传专项", false
	m.Indicators = append(append([]xinyong.Indicator(nil), cur.Indicators...), xinyong.Indicator{Code: "XJXC", Name: "虚假宣传", Kind: xinyong.IndicatorRecords,
		Items: []string{"XZCF"}, Field: "CF_WFXW", Values: []string{"虚假宣传"}, Points: -10})
	if _, err := e.svc.CreateGradingModel(e.ctx, e.admin, m); err != nil {
		t.Fatal(err)
	}
	return m
}
