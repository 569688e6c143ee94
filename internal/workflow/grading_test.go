package workflow_test

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/pgtest"
	"xinyong/internal/sqlstore"
	"xinyong/internal/workflow"
)

// Credit grading (issue 8; DOMAIN.md §8) through the workflow on a real
// SQLite store with a settable clock.

type grEnv struct {
	ctx        context.Context
	svc        *workflow.Service
	clk        *clock
	deptA      xinyong.Department
	deptB      xinyong.Department
	offA, offB xinyong.Actor
	admin      xinyong.Actor
}

func newGradingEnv(t *testing.T) *grEnv {
	t.Helper()
	return newGradingEnvDB(t, "")
}

// gradingStores are the databases the grading tests that take a store
// run on: SQLite always, PostgreSQL when XINYONG_TEST_POSTGRES is set.
var gradingStores = []struct {
	name string
	db   func(t *testing.T) string
}{
	{"sqlite", func(t *testing.T) string { return "" }},
	{"postgres", func(t *testing.T) string { return pgtest.DSN(t) }},
}

// newGradingEnvDB is newGradingEnv on db ("" for SQLite in a temporary
// directory).
func newGradingEnvDB(t *testing.T, db string) *grEnv {
	t.Helper()
	ctx := context.Background()
	clk := &clock{now: day("2026-06-01")}
	a, _ := openAppIn(t, clk, t.TempDir(), db)
	var err error
	e := &grEnv{ctx: ctx, svc: a.Service, clk: clk, admin: xinyong.Actor{Kind: "account", ID: "adm", Name: "admin", Role: xinyong.RoleAdmin}}
	e.deptA, err = a.Service.CreateDepartment(ctx, xinyong.System, workflow.DepartmentInput{Code: uscc(t, "11620100MB0001AA"), Name: "兰州市市场监督管理局", Provides: []string{"XZCF", "SFZX"}})
	if err != nil {
		t.Fatal(err)
	}
	e.deptB, err = a.Service.CreateDepartment(ctx, xinyong.System, workflow.DepartmentInput{Code: uscc(t, "11620100MB0002BB"), Name: "兰州市税务局", Provides: []string{"XZCF"}})
	if err != nil {
		t.Fatal(err)
	}
	e.offA = xinyong.Actor{Kind: "account", ID: "oa", Name: "officer A", Role: xinyong.RoleOfficer, DepartmentID: e.deptA.ID}
	e.offB = xinyong.Actor{Kind: "account", ID: "ob", Name: "officer B", Role: xinyong.RoleOfficer, DepartmentID: e.deptB.ID}
	return e
}

func (e *grEnv) penalty(t *testing.T, by xinyong.Actor, dept xinyong.Department, code, number, decided, severity string, len xinyong.Leniency) xinyong.Record {
	t.Helper()
	res, err := e.svc.SubmitRecord(e.ctx, by, "", xinyong.RecordInput{
		Item: "XZCF", SubjectCode: code, SubjectName: "兰州某某商贸有限公司 " + code[10:14],
		Document: xinyong.Document{Type: xinyong.DocPenaltyDecision, Number: number, Authority: dept.Name, DecisionDate: xinyong.MustDate(decided)},
		Fields: map[string]string{"CF_XDR_LB": "法人及非法人组织", "CF_WFXW": "虚假宣传", "CF_SY": "发布虚假广告", "CF_YJ": "《广告法》第五十五条",
			"CF_NR": "罚款人民币贰万元", "CF_NR_FK": "2", "CF_CFJGDM": dept.Code, "CF_SJLY": dept.Name, "CF_SJLYDM": dept.Code},
		Severity: severity, Categories: []string{"罚款"}, Leniency: len,
	})
	if err != nil {
		t.Fatal(err)
	}
	return res.Record
}

func TestGradingModels(t *testing.T) {
	e := newGradingEnv(t)
	ms, err := e.svc.GradingModels(e.ctx)
	if err != nil || len(ms) != 1 || ms[0].ID != "public-credit" || !ms[0].Default || ms[0].Provenance != xinyong.ProvenanceUnconfirmed {
		t.Fatalf("default model loaded on first start: %v %+v", err, ms)
	}
	// A second start loads nothing again.
	if err := e.svc.LoadGradingDefaults(e.ctx); err != nil {
		t.Fatal(err)
	}
	if _, vs, _ := e.svc.GradingModel(e.ctx, "public-credit"); len(vs) != 1 {
		t.Errorf("versions after a second start: %d", len(vs))
	}
	m := ms[0]
	m.Indicators = append(m.Indicators, xinyong.Indicator{Code: "X", Name: "x", Kind: xinyong.IndicatorRecords, Items: []string{"NOT-IN-CATALOGUE"}, Points: -1})
	// DOMAIN.md §1: nobody is graded on information outside the catalogue.
	_, err = e.svc.CreateGradingModel(e.ctx, e.admin, m)
	var xe *xinyong.Error
	if !errors.As(err, &xe) || xe.Code != xinyong.EINVALID || xe.Fields[0].Rule != "grading.catalogue" {
		t.Fatalf("a model reading outside the catalogue: %v", err)
	}
	if _, err := e.svc.CreateGradingModel(e.ctx, e.offA, ms[0]); xinyong.ErrorCode(err) != xinyong.EFORBIDDEN {
		t.Errorf("an officer creates a model: %v", err)
	}
	next := ms[0]
	next.EffectiveFrom = xinyong.MustDate("2026-07-01")
	next.Indicators[2].SeverityPoints[xinyong.SeverityGeneral] = -8
	v2, err := e.svc.CreateGradingModel(e.ctx, e.admin, next)
	if err != nil || v2.Version != 2 {
		t.Fatalf("next version: %v %d", err, v2.Version)
	}
	_, vs, err := e.svc.GradingModel(e.ctx, "public-credit")
	if err != nil || len(vs) != 2 {
		t.Fatalf("versions: %v %d", err, len(vs))
	}
}

func TestGradeSubjectAndReview(t *testing.T) {
	e := newGradingEnv(t)
	org, other := uscc(t, "91620100MA74QX3K"), uscc(t, "91620100MA74QX5M")
	r1 := e.penalty(t, e.offA, e.deptA, org, "兰市监罚〔2026〕1号", "2026-03-02", "general", xinyong.Leniency{})
	e.penalty(t, e.offA, e.deptA, org, "兰市监罚〔2026〕2号", "2026-04-01", "minor", xinyong.Leniency{ForceMajeure: true, Reason: "疫情"})
	e.penalty(t, e.offB, e.deptB, other, "兰税罚〔2026〕9号", "2026-04-01", "serious", xinyong.Leniency{})
	subj := xinyong.Actor{Kind: "account", ID: "us", Name: "subject", Role: xinyong.RoleSubject, SubjectID: r1.SubjectID}

	// Never graded: computed for the answer, not stored; the force majeure
	// record is named as not counted.
	v, err := e.svc.SubjectGrade(e.ctx, subj, "me", "")
	if err != nil {
		t.Fatal(err)
	}
	if v.Stored || v.Grade.Grade != "A" || v.Score != 95 || v.ModelID != "public-credit" || len(v.Explanation.NotCounted) != 1 || v.Explanation.NotCounted[0].Reason != "force_majeure" {
		t.Fatalf("computed grade: %+v", v)
	}
	if len(v.Indicators) != 7 || v.Records[r1.ID].Number != "兰市监罚〔2026〕1号" {
		t.Errorf("view: %+v", v)
	}
	// Another subject's grade is not found for a subject; the public is refused.
	if _, err := e.svc.SubjectGrade(e.ctx, subj, other, ""); xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
		t.Errorf("another subject's grade: %v", err)
	}
	if _, err := e.svc.SubjectGrade(e.ctx, xinyong.Public, org, ""); xinyong.ErrorCode(err) != xinyong.EUNAUTHORIZED {
		t.Errorf("the public: %v", err)
	}
	// A review needs a stored grade.
	if _, err := e.svc.FileGradeReview(e.ctx, subj, "me", xinyong.GradeReviewInput{Reasons: "x"}); xinyong.ErrorCode(err) != xinyong.ECONFLICT {
		t.Errorf("review without a stored grade: %v", err)
	}
	g, err := e.svc.EvaluateSubject(e.ctx, e.offA, org, "")
	if err != nil || !g.Stored || g.Grade.Grade != "A" || g.LedgerSize == 0 {
		t.Fatalf("evaluate: %v %+v", err, g)
	}
	// Withdrawal stops the record counting at once.
	if _, err := e.svc.Withdraw(e.ctx, e.offA, r1.ID, "revoked", "行政复议撤销"); err != nil {
		t.Fatal(err)
	}
	g, err = e.svc.EvaluateSubject(e.ctx, e.admin, org, "")
	if err != nil || g.Score != 100 || g.Explanation.NotCounted[0].Reason == "" {
		t.Fatalf("after withdrawal: %v %+v", err, g)
	}

	rv, err := e.svc.FileGradeReview(e.ctx, subj, "me", xinyong.GradeReviewInput{Reasons: "请复核"})
	if err != nil {
		t.Fatal(err)
	}
	if rv.Deadline != xinyong.MustDate("2026-06-15") || rv.Grade != "A" {
		t.Errorf("review: %+v", rv)
	}
	if _, err := e.svc.FileGradeReview(e.ctx, subj, "me", xinyong.GradeReviewInput{Reasons: "again"}); xinyong.ErrorCode(err) != xinyong.ECONFLICT {
		t.Errorf("a second open review: %v", err)
	}
	// The default model is the credit office's: a department officer does
	// not decide its reviews.
	if _, err := e.svc.DecideGradeReview(e.ctx, e.offA, rv.ID, xinyong.ReviewDecisionInput{Outcome: xinyong.ReviewUpheld, Reasons: "x"}); xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
		t.Errorf("an officer decides a credit office review: %v", err)
	}
	d, err := e.svc.DecideGradeReview(e.ctx, e.admin, rv.ID, xinyong.ReviewDecisionInput{Outcome: xinyong.ReviewRegraded, Grade: "B", Reasons: "复核调整"})
	if err != nil || d.Decision.Grade != "B" {
		t.Fatalf("decide: %v %+v", err, d)
	}
	v, err = e.svc.SubjectGrade(e.ctx, subj, "me", "")
	if err != nil || v.Grade.Grade != "B" || v.Source != "review:"+rv.ID || len(v.Reviews) != 1 {
		t.Fatalf("after the review: %v %+v", err, v)
	}
	rs, err := e.svc.GradeReviews(e.ctx, subj, false)
	if err != nil || len(rs) != 1 {
		t.Errorf("the subject's reviews: %v %d", err, len(rs))
	}
	rep, err := e.svc.Verify(e.ctx, "", nil)
	if err != nil || !rep.OK() {
		t.Errorf("ledger verify after grading: %v %+v", err, rep.Problems)
	}
}

func TestGradingRun(t *testing.T) {
	e := newGradingEnv(t)
	old := workflow.GradingChunk
	workflow.GradingChunk = 2
	t.Cleanup(func() { workflow.GradingChunk = old })
	codes := []string{uscc(t, "91620100MA74QX1A"), uscc(t, "91620100MA74QX2B"), uscc(t, "91620100MA74QX3C"), uscc(t, "91620100MA74QX4D"), uscc(t, "91620100MA74QX5E")}
	e.penalty(t, e.offA, e.deptA, codes[0], "A1", "2026-03-02", "serious", xinyong.Leniency{})
	e.penalty(t, e.offA, e.deptA, codes[1], "A2", "2026-03-02", "general", xinyong.Leniency{})
	e.penalty(t, e.offA, e.deptA, codes[1], "A3", "2026-03-03", "general", xinyong.Leniency{})
	e.penalty(t, e.offB, e.deptB, codes[2], "B1", "2026-03-02", "minor", xinyong.Leniency{})
	e.penalty(t, e.offB, e.deptB, codes[3], "B2", "2026-03-02", "general", xinyong.Leniency{NoFault: true, Reason: "无过错"})
	e.penalty(t, e.offB, e.deptB, codes[4], "B3", "2022-01-02", "serious", xinyong.Leniency{})

	if _, err := e.svc.StartGradingRun(e.ctx, e.offA, workflow.RunInput{}); xinyong.ErrorCode(err) != xinyong.EFORBIDDEN {
		t.Errorf("an officer starts a run: %v", err)
	}
	run, err := e.svc.StartGradingRun(e.ctx, e.admin, workflow.RunInput{})
	if err != nil || run.Total != 5 || run.State != xinyong.RunRunning {
		t.Fatalf("start: %v %+v", err, run)
	}
	if _, err := e.svc.StartGradingRun(e.ctx, e.admin, workflow.RunInput{}); xinyong.ErrorCode(err) != xinyong.ECONFLICT {
		t.Errorf("a second run while one runs: %v", err)
	}
	// Interrupt after the first chunk (as a killed process would), then resume.
	ctx, cancel := context.WithCancel(e.ctx)
	var seen []int
	_, err = e.svc.RunGrading(ctx, e.admin, run.ID, false, func(r xinyong.GradingRun) {
		seen = append(seen, r.Done)
		cancel()
	})
	if err == nil {
		t.Fatal("the interrupted run returned no error")
	}
	mid, err := e.svc.GradingRun(e.ctx, e.admin, run.ID)
	if err != nil || mid.Done != 2 || mid.State != xinyong.RunRunning {
		t.Fatalf("interrupted: %v %+v (seen %v)", err, mid, seen)
	}
	done, err := e.svc.RunGrading(e.ctx, e.admin, run.ID, true, nil)
	if err != nil || done.State != xinyong.RunDone || done.Done != 5 || done.Records != 6 || done.Digest == "" || done.LedgerIdx == 0 {
		t.Fatalf("resumed: %v %+v", err, done)
	}
	want := map[string]int{"A": 4, "D": 1} // serious −50: D; two general −10: 90, A; minor −1: A; no fault: A; serious of 2022: outside 36 months, A
	for k, n := range want {
		if done.Counts[k] != n {
			t.Errorf("counts %v, want %v", done.Counts, want)
			break
		}
	}
	// The same grading from scratch gives as many of each grade (the
	// grades are stored per subject and model, so the second run replaces
	// the first's; the counts are what both runs report). Not the same
	// digest: each grade line names the ledger size it was read at, and
	// the first run's finish added a leaf.
	again, err := e.svc.StartGradingRun(e.ctx, e.admin, workflow.RunInput{})
	if err != nil {
		t.Fatal(err)
	}
	again2, err := e.svc.RunGrading(e.ctx, e.admin, again.ID, false, nil)
	if err != nil || again2.Digest == "" {
		t.Fatal(err)
	}
	if !maps.Equal(again2.Counts, done.Counts) || again2.Digest == done.Digest {
		t.Errorf("second run: counts %v (first %v), digest changed %v", again2.Counts, done.Counts, again2.Digest != done.Digest)
	}
	if _, err := e.svc.RunGrading(e.ctx, e.admin, again.ID, false, nil); xinyong.ErrorCode(err) != xinyong.ECONFLICT {
		t.Errorf("running a done run: %v", err)
	}
	// A grade names the model version and the ledger size it was read at.
	v, err := e.svc.SubjectGrade(e.ctx, e.offA, codes[0], "")
	if err != nil || !v.Stored || v.Grade.Grade != "D" || v.RunID != again.ID || v.ModelVersion != 1 || v.LedgerSize == 0 {
		t.Fatalf("stored grade: %v %+v", err, v)
	}

	// A department's subjects.
	dr, err := e.svc.StartGradingRun(e.ctx, e.admin, workflow.RunInput{Department: e.deptB.Code})
	if err != nil || dr.Total != 3 || dr.Scope != "department" {
		t.Fatalf("department run: %v %+v", err, dr)
	}
	dr, err = e.svc.RunGrading(e.ctx, e.admin, dr.ID, false, nil)
	if err != nil || dr.Done != 3 || dr.Records != 3 {
		t.Fatalf("department run: %v %+v", err, dr)
	}
	// Export: an officer gets its own department's subjects, by grade.
	var rows []string
	err = e.svc.GradeExport(e.ctx, e.offB, "", "", func(m xinyong.GradingModel, g xinyong.Grade, s xinyong.Subject) error {
		rows = append(rows, g.Grade+" "+s.Code)
		return nil
	})
	if err != nil || len(rows) != 3 || rows[0][0] != 'A' {
		t.Errorf("export: %v %v", err, rows)
	}
	if err := e.svc.GradeExport(e.ctx, e.offB, "", e.deptA.Code, func(xinyong.GradingModel, xinyong.Grade, xinyong.Subject) error { return nil }); xinyong.ErrorCode(err) != xinyong.EFORBIDDEN {
		t.Errorf("an officer exports another department: %v", err)
	}
	runs, err := e.svc.GradingRuns(e.ctx, e.admin, 10)
	if err != nil || len(runs) != 3 || runs[0].Progress != 1 {
		t.Errorf("runs: %v %+v", err, runs)
	}
	if _, err := e.svc.GradingRuns(e.ctx, e.offA, 10); xinyong.ErrorCode(err) != xinyong.EFORBIDDEN {
		t.Errorf("an officer lists runs: %v", err)
	}
	rep, err := e.svc.Verify(e.ctx, "", nil)
	if err != nil || !rep.OK() || rep.Grading < 3 {
		t.Errorf("ledger verify after runs: %v %d grading leaves checked, %+v", err, rep.Grading, rep.Problems)
	}
	// A run's counts changed behind the application's back are caught.
	db := e.svc.Store.(*sqlstore.DB)
	if _, err := db.W.ExecContext(e.ctx, `UPDATE grading_run SET data = json_set(data, '$.done', json_extract(data, '$.done') + 1) WHERE id = ?`, runs[0].ID); err != nil {
		t.Fatal(err)
	}
	rep, err = e.svc.Verify(e.ctx, "", nil)
	if err != nil || rep.OK() || !strings.Contains(rep.Problems[0].Object, "grading_run:"+runs[0].ID) {
		t.Errorf("ledger verify after a run was changed: %v %+v", err, rep.Problems)
	}
}
