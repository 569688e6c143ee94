package workflow_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// Stored grades follow a record that stops counting (DOMAIN.md §6: a
// repair's outcomes include "evaluations updated"; §8: a grade is
// explainable from the records behind it). Before, a stored grade kept
// counting a repaired or withdrawn record until the next full run, and its
// explanation kept citing it.

// repairApproved takes a record repair through application, acceptance and
// approval with the treatment ("" the rules' default).
func (e *grEnv) repairApproved(t *testing.T, subj xinyong.Actor, recordID string, treatment xinyong.RepairOutcome) xinyong.Repair {
	t.Helper()
	pf, err := e.svc.StoreProof(e.ctx, "缴款收据.pdf", bytes.NewReader(pdfBytes))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := e.svc.ApplyRepair(e.ctx, subj, goodInput(recordID), []xinyong.RepairFile{pf})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AcceptRepair(e.ctx, e.offA, rep.ID, "材料齐全"); err != nil {
		t.Fatal(err)
	}
	if rep, err = e.svc.DecideRepair(e.ctx, e.offA, rep.ID, xinyong.RepairDecisionInput{Approve: true, Treatment: treatment, Reasons: "已纠正失信行为并履行义务，作出信用承诺"}); err != nil {
		t.Fatal(err)
	}
	return rep
}

func gradeUpdates(t *testing.T, e *grEnv) []xinyong.AuditEvent {
	t.Helper()
	evs, err := e.svc.Audit(e.ctx, xinyong.System, xinyong.AuditFilter{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	var out []xinyong.AuditEvent
	for _, ev := range evs {
		if ev.Action == workflow.ActGradeUpdated {
			out = append(out, ev)
		}
	}
	return out
}

func counts(g xinyong.Grade, recordID string) bool {
	for _, in := range g.Explanation.Indicators {
		if slices.Contains(in.Records, recordID) {
			return true
		}
	}
	return false
}

// threePenalties: three general penalties old enough to repair (100 − 3×5
// = 85: B), stored by an evaluation; it returns them and the subject.
func threePenalties(t *testing.T, e *grEnv, org string) ([]xinyong.Record, xinyong.Actor) {
	t.Helper()
	var rs []xinyong.Record
	for i, d := range []string{"2025-12-01", "2025-12-02", "2025-12-03"} {
		rs = append(rs, e.penalty(t, e.offA, e.deptA, org, "兰市监罚〔2025〕"+string(rune('1'+i))+"01号", d, "general", xinyong.Leniency{}))
	}
	g, err := e.svc.EvaluateSubject(e.ctx, e.admin, org, "")
	if err != nil || g.Grade.Grade != "B" || g.Score != 85 || !counts(g.Grade, rs[0].ID) {
		t.Fatalf("graded down by the penalties: %v %+v", err, g.Grade)
	}
	return rs, xinyong.Actor{Kind: "account", ID: "us", Name: "subject", Role: xinyong.RoleSubject, SubjectID: rs[0].SubjectID}
}

func TestGradeUpdatedOnRepair(t *testing.T) {
	for _, st := range gradingStores {
		t.Run(st.name, func(t *testing.T) {
			t.Chdir(t.TempDir()) // proofs go to ./xinyong-files on PostgreSQL
			testGradeUpdatedOnRepair(t, newGradingEnvDB(t, st.db(t)))
		})
	}
}

func testGradeUpdatedOnRepair(t *testing.T, e *grEnv) {
	org := uscc(t, "91620100MA74QX3K")
	rs, subj := threePenalties(t, e, org)
	// A review of the B grade is pending while the repair is decided.
	rv, err := e.svc.FileGradeReview(e.ctx, subj, "me", xinyong.GradeReviewInput{Reasons: "处罚已履行，请复核"})
	if err != nil {
		t.Fatal(err)
	}
	rep := e.repairApproved(t, subj, rs[0].ID, "")

	v, err := e.svc.SubjectGrade(e.ctx, subj, "me", "")
	if err != nil {
		t.Fatal(err)
	}
	if !v.Stored || v.Grade.Grade != "A" || v.Score != 90 || counts(v.Grade, rs[0].ID) || !counts(v.Grade, rs[1].ID) || v.Source != "repair:"+rep.ID || v.Outdated {
		t.Fatalf("the stored grade after the repair: %+v", v.Grade)
	}
	if i := slices.IndexFunc(v.Explanation.NotCounted, func(n xinyong.NotCounted) bool { return n.Record == rs[0].ID }); i < 0 || !strings.HasPrefix(v.Explanation.NotCounted[i].Reason, "repaired.") {
		t.Errorf("the repaired record is named as not counted: %+v", v.Explanation.NotCounted)
	}
	ups := gradeUpdates(t, e)
	if len(ups) != 1 || ups[0].ObjectID != "public-credit:"+rs[0].SubjectID || !strings.Contains(ups[0].Detail, "B 85.00") || !strings.Contains(ups[0].Detail, "A 90.00") ||
		!strings.Contains(ups[0].Detail, "repair record "+rs[0].ID) || !strings.Contains(ups[0].Detail, rep.ID) || ups[0].LedgerIdx == 0 || ups[0].BeforeDigest == "" || ups[0].AfterDigest == "" {
		t.Fatalf("grade.updated audit: %+v", ups)
	}
	// The pending review still works: it is answered about the grade it was
	// filed on (a regrade of a grade evaluated anew is refused, as after any
	// evaluation; upholding answers it).
	if _, err := e.svc.DecideGradeReview(e.ctx, e.admin, rv.ID, xinyong.ReviewDecisionInput{Outcome: xinyong.ReviewRegraded, Grade: "C", Reasons: "x"}); xinyong.ErrorCode(err) != xinyong.ECONFLICT {
		t.Errorf("regrade a grade updated since the review: %v", err)
	}
	d, err := e.svc.DecideGradeReview(e.ctx, e.admin, rv.ID, xinyong.ReviewDecisionInput{Outcome: xinyong.ReviewUpheld, Reasons: "修复后已重新评价为A"})
	if err != nil || d.State == xinyong.ReviewFiled {
		t.Fatalf("uphold the pending review: %v %+v", err, d)
	}
	if v, err := e.svc.SubjectGrade(e.ctx, subj, "me", ""); err != nil || v.Grade.Grade != "A" || len(v.Reviews) != 1 {
		t.Errorf("after the review: %v %+v", err, v.Grade)
	}
	// A repair deleting a record: recomputed too, and the record is
	// described to nobody.
	rep2 := e.repairApproved(t, subj, rs[1].ID, xinyong.RepairDeleted)
	v, err = e.svc.SubjectGrade(e.ctx, e.admin, org, "")
	if err != nil || v.Score != 95 || counts(v.Grade, rs[1].ID) || v.Source != "repair:"+rep2.ID {
		t.Fatalf("after a deletion: %v %+v", err, v.Grade)
	}
	if _, ok := v.Records[rs[1].ID]; ok {
		t.Error("a record deleted by repair is described")
	}
	if n := len(gradeUpdates(t, e)); n != 2 {
		t.Errorf("grade.updated events: %d", n)
	}
	if rep, err := e.svc.Verify(e.ctx, "", nil); err != nil || !rep.OK() {
		t.Errorf("ledger verify: %v %+v", err, rep.Problems)
	}
}

func TestGradeUpdatedOnWithdrawal(t *testing.T) {
	for _, st := range gradingStores {
		t.Run(st.name, func(t *testing.T) {
			t.Chdir(t.TempDir()) // proofs go to ./xinyong-files on PostgreSQL
			testGradeUpdatedOnWithdrawal(t, newGradingEnvDB(t, st.db(t)))
		})
	}
}

func testGradeUpdatedOnWithdrawal(t *testing.T, e *grEnv) {
	org, other := uscc(t, "91620100MA74QX3K"), uscc(t, "91620100MA74QX5M")
	rs, subj := threePenalties(t, e, org)
	// A subject never graded: a withdrawal writes no grade.
	o := e.penalty(t, e.offA, e.deptA, other, "兰市监罚〔2026〕9号", "2026-04-01", "general", xinyong.Leniency{})
	if _, err := e.svc.Withdraw(e.ctx, e.offA, o.ID, "revoked", ""); err != nil {
		t.Fatal(err)
	}
	if v, err := e.svc.SubjectGrade(e.ctx, e.admin, other, ""); err != nil || v.Stored {
		t.Errorf("a subject never graded is not stored by a withdrawal: %v %v", err, v.Stored)
	}
	if _, err := e.svc.Withdraw(e.ctx, e.offA, rs[2].ID, "revoked", "行政复议撤销"); err != nil {
		t.Fatal(err)
	}
	v, err := e.svc.SubjectGrade(e.ctx, subj, "me", "")
	if err != nil || !v.Stored || v.Grade.Grade != "A" || v.Score != 90 || counts(v.Grade, rs[2].ID) || v.Source != "withdrawal:"+rs[2].ID {
		t.Fatalf("after the withdrawal: %v %+v", err, v.Grade)
	}
	ups := gradeUpdates(t, e)
	if len(ups) != 1 || !strings.Contains(ups[0].Detail, "withdrawal record "+rs[2].ID) || !strings.Contains(ups[0].Detail, "B 85.00") {
		t.Fatalf("grade.updated audit: %+v", ups)
	}
	// An objection answered "deleted": the same.
	ob, err := e.svc.FileObjection(e.ctx, subj, rs[1].ID, xinyong.RecordObjectionInput{Name: "张三", Reasons: "处罚决定已被撤销", Contact: "13800000000"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ResolveObjection(e.ctx, e.offA, ob.ID, xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeDeleted, Reasons: "核实属实，删除"}); err != nil {
		t.Fatal(err)
	}
	v, err = e.svc.SubjectGrade(e.ctx, subj, "me", "")
	if err != nil || v.Score != 95 || counts(v.Grade, rs[1].ID) || v.Source != "objection:"+ob.ID {
		t.Fatalf("after the objection: %v %+v", err, v.Grade)
	}
	if n := len(gradeUpdates(t, e)); n != 2 {
		t.Errorf("grade.updated events: %d", n)
	}
	if rep, err := e.svc.Verify(e.ctx, "", nil); err != nil || !rep.OK() {
		t.Errorf("ledger verify: %v %+v", err, rep.Problems)
	}
}

// A grade under a model that has ended is not recomputed (nobody is graded
// under it): the read and the export say it predates the change, naming
// the record and the day it stopped counting.
func TestGradeOutdatedUnderEndedModel(t *testing.T) {
	for _, st := range gradingStores {
		t.Run(st.name, func(t *testing.T) {
			t.Chdir(t.TempDir()) // proofs go to ./xinyong-files on PostgreSQL
			testGradeOutdatedUnderEndedModel(t, newGradingEnvDB(t, st.db(t)))
		})
	}
}

func testGradeOutdatedUnderEndedModel(t *testing.T, e *grEnv) { // 2026-06-01
	org := uscc(t, "91620100MA74QX3K")
	rs, subj := threePenalties(t, e, org)
	cur, _, err := e.svc.GradingModel(e.ctx, "public-credit")
	if err != nil {
		t.Fatal(err)
	}
	season := cur
	season.ID, season.Name, season.Default = "season-2026h1", "2026 上半年", false
	season.EffectiveFrom, season.EffectiveTo = xinyong.MustDate("2026-01-01"), xinyong.MustDate("2026-07-01")
	if _, err := e.svc.CreateGradingModel(e.ctx, e.admin, season); err != nil {
		t.Fatal(err)
	}
	if g, err := e.svc.EvaluateSubject(e.ctx, e.admin, org, season.ID); err != nil || g.Grade.Grade != "B" {
		t.Fatalf("graded under the season model: %v %+v", err, g.Grade)
	}

	// 2026-07-02: the season model has ended; one record is withdrawn, one
	// deleted by repair.
	e.clk.Set(day("2026-07-02"))
	if _, err := e.svc.Withdraw(e.ctx, e.offA, rs[2].ID, "revoked", ""); err != nil {
		t.Fatal(err)
	}
	e.repairApproved(t, subj, rs[0].ID, xinyong.RepairDeleted)
	ups := gradeUpdates(t, e)
	for _, u := range ups {
		if strings.HasPrefix(u.ObjectID, season.ID+":") {
			t.Errorf("a grade under the ended model was recomputed: %+v", u)
		}
	}
	v, err := e.svc.SubjectGrade(e.ctx, e.admin, org, season.ID)
	if err != nil || !v.Stored || v.Grade.Grade != "B" || v.Score != 85 {
		t.Fatalf("the ended model's grade stays as computed: %v %+v", err, v.Grade)
	}
	want := []workflow.StoppedRecord{{Record: rs[0].ID, Cause: "repaired", On: xinyong.MustDate("2026-07-02")}, {Record: rs[2].ID, Cause: "withdrawn", On: xinyong.MustDate("2026-07-02")}}
	if !v.Outdated || !slices.Equal(v.OutdatedBy, want) {
		t.Errorf("outdated on read: %v %+v", v.Outdated, v.OutdatedBy)
	}
	if _, ok := v.Records[rs[0].ID]; ok {
		t.Error("a record deleted by repair is described")
	}
	// The default model's grade (in force) was recomputed: not outdated.
	if d, err := e.svc.SubjectGrade(e.ctx, e.admin, org, ""); err != nil || d.Outdated || d.Score != 95 {
		t.Errorf("the model in force: %v %+v %v", err, d.Grade, d.OutdatedBy)
	}
	var rows []workflow.GradeRow
	if err := e.svc.GradeExportRows(e.ctx, e.admin, season.ID, 0, "", func(r workflow.GradeRow) error { rows = append(rows, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || !rows[0].Outdated || !slices.Equal(rows[0].OutdatedBy, want) {
		t.Errorf("outdated on export: %+v", rows)
	}
	rows = nil
	if err := e.svc.GradeExportRows(e.ctx, e.admin, "", 0, "", func(r workflow.GradeRow) error { rows = append(rows, r); return nil }); err != nil || len(rows) != 1 || rows[0].Outdated {
		t.Errorf("export of the model in force: %v %+v", err, rows)
	}
}
