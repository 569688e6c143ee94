package workflow_test

import (
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// Grades computed under a model that has since ended stay readable and
// exportable (doc/grading.md "Results under a model no longer in force"):
// naming the model by id, or by id and version, answers the grades stored
// under it. Grading under it stays refused: no subject is evaluated, no
// run started, and a subject never graded under it is not graded for the
// answer. The old reads resolved the model like grading does and refused
// every read and export once the model had ended.
func TestGradingResultsReadableAfterModelEnds(t *testing.T) {
	for _, st := range gradingStores {
		t.Run(st.name, func(t *testing.T) { testGradingResultsReadableAfterModelEnds(t, newGradingEnvDB(t, st.db(t))) })
	}
}

func testGradingResultsReadableAfterModelEnds(t *testing.T, e *grEnv) { // 2026-06-01
	org := uscc(t, "91620100MA74QX3K")
	other := uscc(t, "91620100MA74QX6N")
	e.penalty(t, e.offA, e.deptA, org, "兰市监罚〔2026〕1号", "2026-03-02", "general", xinyong.Leniency{})
	e.penalty(t, e.offA, e.deptA, other, "兰市监罚〔2026〕2号", "2026-03-03", "serious", xinyong.Leniency{})
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
	run, err := e.svc.StartGradingRun(e.ctx, e.admin, workflow.RunInput{Model: season.ID})
	if err != nil {
		t.Fatal(err)
	}
	if run, err = e.svc.RunGrading(e.ctx, e.admin, run.ID, false, nil); err != nil || run.State != xinyong.RunDone || run.Done != 2 {
		t.Fatalf("run while in force: %v %+v", err, run)
	}
	before, err := e.svc.SubjectGrade(e.ctx, e.admin, org, season.ID)
	if err != nil || !before.Stored {
		t.Fatalf("grade while in force: %v %+v", err, before.Grade)
	}
	// A model that ended before anything was graded under it.
	past := cur
	past.ID, past.Name, past.Default = "past-credit", "past", false
	past.EffectiveFrom, past.EffectiveTo = xinyong.MustDate("2025-01-01"), xinyong.MustDate("2026-05-01")
	if _, err := e.svc.CreateGradingModel(e.ctx, e.admin, past); err != nil {
		t.Fatal(err)
	}

	// 2026-07-02: the season model has ended.
	e.clk.Set(day("2026-07-02"))
	late := uscc(t, "91620100MA74QX7P")
	e.penalty(t, e.offA, e.deptA, late, "兰市监罚〔2026〕3号", "2026-07-01", "general", xinyong.Leniency{})

	// Reads: by id, and by id and version; the grade is the one stored.
	for _, version := range []int{0, 1} {
		v, err := e.svc.SubjectGradeVersion(e.ctx, e.admin, org, season.ID, version)
		if err != nil || !v.Stored || v.ModelID != season.ID || v.ModelVersion != 1 || v.Score != before.Score || v.Grade.Grade != before.Grade.Grade || len(v.Indicators) == 0 {
			t.Errorf("read the ended model's grade (version %d): %v %+v", version, err, v.Grade)
		}
	}
	if _, err := e.svc.SubjectGradeVersion(e.ctx, e.admin, org, season.ID, 2); xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
		t.Errorf("a version that does not exist: %v", err)
	}
	// Exports: every stored grade, each with the model version it came from.
	var rows []string
	err = e.svc.GradeExport(e.ctx, e.admin, season.ID, "", func(m xinyong.GradingModel, g xinyong.Grade, s xinyong.Subject) error {
		if m.ID != season.ID || m.Version != g.ModelVersion || g.ModelID != season.ID {
			t.Errorf("export row: model %s@%d grade %s@%d", m.ID, m.Version, g.ModelID, g.ModelVersion)
		}
		rows = append(rows, s.Code)
		return nil
	})
	if err != nil || len(rows) != 2 {
		t.Errorf("export of the ended model: %v %v", err, rows)
	}
	rows = nil
	if err := e.svc.GradeExportVersion(e.ctx, e.offA, season.ID, 1, "", func(_ xinyong.GradingModel, _ xinyong.Grade, s xinyong.Subject) error {
		rows = append(rows, s.Code)
		return nil
	}); err != nil || len(rows) != 2 {
		t.Errorf("an officer's export of the ended model's version 1: %v %v", err, rows)
	}

	// Grading under it stays refused.
	if _, err := e.svc.EvaluateSubject(e.ctx, e.admin, org, season.ID); xinyong.ErrorCode(err) != xinyong.ENOTFOUND || !strings.Contains(err.Error(), "no version in force") {
		t.Errorf("evaluate under the ended model: %v", err)
	}
	if _, err := e.svc.StartGradingRun(e.ctx, e.admin, workflow.RunInput{Model: season.ID}); xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
		t.Errorf("a run under the ended model: %v", err)
	}
	// A subject never graded under it is not graded for the answer.
	for _, version := range []int{0, 1} {
		if v, err := e.svc.SubjectGradeVersion(e.ctx, e.admin, late, season.ID, version); xinyong.ErrorCode(err) != xinyong.ENOTFOUND || !strings.Contains(err.Error(), "in force") || !strings.Contains(err.Error(), "no grade stored") {
			t.Errorf("a subject never graded under the ended model (version %d): %v %+v", version, err, v.Grade)
		}
	}
	// A model that ended with no results: nothing to read or export.
	if _, err := e.svc.SubjectGrade(e.ctx, e.admin, org, past.ID); xinyong.ErrorCode(err) != xinyong.ENOTFOUND || !strings.Contains(err.Error(), "no version in force") {
		t.Errorf("read under a model that ended with no results: %v", err)
	}
	if err := e.svc.GradeExport(e.ctx, e.admin, past.ID, "", func(xinyong.GradingModel, xinyong.Grade, xinyong.Subject) error { return nil }); xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
		t.Errorf("export under a model that ended with no results: %v", err)
	}
	// Who may export is unchanged.
	if err := e.svc.GradeExport(e.ctx, e.offB, season.ID, e.deptA.Code, func(xinyong.GradingModel, xinyong.Grade, xinyong.Subject) error { return nil }); xinyong.ErrorCode(err) != xinyong.EFORBIDDEN {
		t.Errorf("an officer exports another department's: %v", err)
	}
}

// A model's next version in force: its earlier version's grades are read
// by naming that version, and exported with the version they came from
// (not the version in force); naming the version in force for a subject
// graded only under the earlier one grades it for the answer (not stored),
// as for any subject not yet graded under the version in force.
func TestGradingEarlierVersionResultsReadable(t *testing.T) {
	for _, st := range gradingStores {
		t.Run(st.name, func(t *testing.T) { testGradingEarlierVersionResultsReadable(t, newGradingEnvDB(t, st.db(t))) })
	}
}

func testGradingEarlierVersionResultsReadable(t *testing.T, e *grEnv) { // 2026-06-01
	org := uscc(t, "91620100MA74QX3K")
	e.penalty(t, e.offA, e.deptA, org, "兰市监罚〔2026〕1号", "2026-03-02", "general", xinyong.Leniency{})
	if _, err := e.svc.EvaluateSubject(e.ctx, e.admin, org, "public-credit"); err != nil {
		t.Fatal(err)
	}
	cur, _, err := e.svc.GradingModel(e.ctx, "public-credit")
	if err != nil {
		t.Fatal(err)
	}
	next := cur
	next.EffectiveFrom = xinyong.MustDate("2026-07-01")
	next.Grades = append([]xinyong.GradeBand(nil), cur.Grades...)
	next.Grades[0].Name = "诚信（第二版）"
	if _, err := e.svc.CreateGradingModel(e.ctx, e.admin, next); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SubjectGradeVersion(e.ctx, e.admin, org, "public-credit", 2); xinyong.ErrorCode(err) != xinyong.ENOTFOUND || !strings.Contains(err.Error(), "takes effect") {
		t.Errorf("a version not yet in force: %v", err)
	}
	e.clk.Set(day("2026-07-02"))
	v, err := e.svc.SubjectGradeVersion(e.ctx, e.admin, org, "public-credit", 1)
	if err != nil || !v.Stored || v.ModelVersion != 1 {
		t.Errorf("the grade stored under version 1: %v %+v", err, v.Grade)
	}
	if v, err = e.svc.SubjectGradeVersion(e.ctx, e.admin, org, "public-credit", 2); err != nil || v.Stored || v.ModelVersion != 2 {
		t.Errorf("version 2 in force, nothing stored under it: %v %+v", err, v.Grade)
	}
	for _, model := range []string{"", "public-credit"} { // the default model, and named
		n := 0
		if err := e.svc.GradeExport(e.ctx, e.admin, model, "", func(m xinyong.GradingModel, g xinyong.Grade, _ xinyong.Subject) error {
			n++
			if m.Version != 1 || g.ModelVersion != 1 || m.Grades[0].Name == next.Grades[0].Name {
				t.Errorf("export (model %q): a version 1 grade with model version %d (%s)", model, m.Version, m.Grades[0].Name)
			}
			return nil
		}); err != nil || n != 1 {
			t.Errorf("export (model %q): %v, %d rows", model, err, n)
		}
	}
	for _, version := range []int{0, 1} {
		n := 0
		if err := e.svc.GradeExportVersion(e.ctx, e.admin, "public-credit", version, "", func(m xinyong.GradingModel, g xinyong.Grade, _ xinyong.Subject) error {
			n++
			if m.Version != 1 || g.ModelVersion != 1 || m.Grades[0].Name == next.Grades[0].Name {
				t.Errorf("export (version %d): a version 1 grade with model version %d (%s)", version, m.Version, m.Grades[0].Name)
			}
			return nil
		}); err != nil || n != 1 {
			t.Errorf("export (version %d): %v, %d rows", version, err, n)
		}
	}
	n := 0
	if err := e.svc.GradeExportVersion(e.ctx, e.admin, "public-credit", 2, "", func(xinyong.GradingModel, xinyong.Grade, xinyong.Subject) error { n++; return nil }); err != nil || n != 0 {
		t.Errorf("export of version 2, under which nothing is stored: %v, %d rows", err, n)
	}
}
