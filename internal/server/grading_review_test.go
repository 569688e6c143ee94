package server

import (
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// TestGradeExportRowFormulaSafe: every text cell of the grade export (CSV
// and XLSX share the row) is neutralised when it starts with = + - @, the
// grade set's notation and names included (they are model data, typed by
// an admin or loaded from a file).
func TestGradeExportRowFormulaSafe(t *testing.T) {
	m := xinyong.GradingModel{ID: "m1", Grades: []xinyong.GradeBand{{Grade: "+A", Name: "=HYPERLINK(\"http://x\",\"ok\")", MinScore: 90}, {Grade: "@D", Name: "-bad"}}}
	g := xinyong.Grade{Grade: "+A", ModelID: "m1", ModelVersion: 1, Source: "evaluation", Score: -12.5}
	row := gradeExportRow(m, g, xinyong.Subject{Code: "=1+1", Name: "@SUM(1)", Kind: xinyong.KindEnterprise})
	for i, c := range row {
		if i == 2 {
			continue // the score is a number
		}
		if c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
			t.Errorf("cell %d (%s) %q starts a formula", i, gradeExportHeader[i], c)
		}
	}
}

// TestGradingRunResumeAdminOnly: resuming a batch run is the admin's; an
// auditor (who may read runs) is refused, not told 202 while nothing runs.
func TestGradingRunResumeAdminOnly(t *testing.T) {
	e := newEnv(t)
	run, err := e.svc.StartGradingRun(e.ctx, xinyong.System, workflow.RunInput{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.app.Store.Update(e.ctx, func(tx xinyong.Tx) error {
		cur, err := tx.GradingRun(run.ID)
		if err != nil {
			return err
		}
		cur.State, cur.Message = xinyong.RunFailed, "interrupted"
		return tx.UpdateGradingRun(cur)
	}); err != nil {
		t.Fatal(err)
	}
	auditor := e.token(t, "auditor", "", "")
	e.do(t, req{Method: "POST", Path: "/api/v1/grading/runs/" + run.ID + "/resume", Token: auditor}).problem(t, 403, xinyong.EFORBIDDEN)
	e.srv.jobs.Wait()
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/grading/runs/" + run.ID + "/resume", Token: e.admin}); r.Status != 202 {
		t.Fatalf("admin resume: %s", r)
	}
	e.srv.jobs.Wait()
}
