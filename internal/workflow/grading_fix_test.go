package workflow_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

// doc/grading.md "Versions": the default model is the most recently
// created model marked default and in force; a version stored ahead of its
// effective date replaces the one in force only from that date; a model
// named with no version in force grades nobody.
func TestGradingVersionRules(t *testing.T) {
	at := func(s string) time.Time { return day(s) }
	v := func(id string, ver int, def bool, from, to string, created string) xinyong.GradingModel {
		m := xinyong.GradingModel{ID: id, Version: ver, Default: def, EffectiveFrom: xinyong.MustDate(from), CreatedAt: at(created)}
		if to != "" {
			m.EffectiveTo = xinyong.MustDate(to)
		}
		return m
	}
	pc1 := v("public-credit", 1, true, "2025-01-01", "", "2026-01-01")
	pc2 := v("public-credit", 2, true, "2026-07-01", "", "2026-06-01")
	pc2nd := v("public-credit", 2, false, "2026-07-01", "", "2026-06-01")
	gs1 := v("gansu", 1, true, "2026-03-01", "", "2026-03-01")
	old := v("old", 1, true, "2024-01-01", "2026-01-01", "2026-05-01")
	cases := []struct {
		name    string
		models  [][]xinyong.GradingModel
		on      string
		id      string // "": none is default
		version int
	}{
		{"next version not yet in force: the current one", [][]xinyong.GradingModel{{pc1, pc2}}, "2026-06-01", "public-credit", 1},
		{"next version from its effective date", [][]xinyong.GradingModel{{pc1, pc2}}, "2026-07-01", "public-credit", 2},
		{"the version in force, not the latest, says whether default", [][]xinyong.GradingModel{{pc1, pc2nd}}, "2026-06-30", "public-credit", 1},
		{"a version in force no longer default", [][]xinyong.GradingModel{{pc1, pc2nd}}, "2026-07-01", "", 0},
		{"most recently created default in force", [][]xinyong.GradingModel{{pc1}, {gs1}}, "2026-06-01", "gansu", 1},
		{"a newer version created later wins once in force", [][]xinyong.GradingModel{{pc1, pc2}, {gs1}}, "2026-07-01", "public-credit", 2},
		{"an expired model is not the default", [][]xinyong.GradingModel{{pc1}, {old}}, "2026-06-01", "public-credit", 1},
		{"nothing in force", [][]xinyong.GradingModel{{pc2}}, "2026-06-01", "", 0},
	}
	for _, c := range cases {
		m, ok := xinyong.DefaultGradingModel(c.models, xinyong.MustDate(c.on))
		if ok != (c.id != "") || m.ID != c.id || m.Version != c.version {
			t.Errorf("%s: got %s@%d %v, want %s@%d", c.name, m.ID, m.Version, ok, c.id, c.version)
		}
	}
	if _, ok := xinyong.GradingVersionInForce([]xinyong.GradingModel{old}, xinyong.MustDate("2026-06-01")); ok {
		t.Error("an expired model's version is in force")
	}
	if m, ok := xinyong.GradingVersionInForce([]xinyong.GradingModel{pc2, pc1}, xinyong.MustDate("2026-08-01")); !ok || m.Version != 2 {
		t.Errorf("the highest version in force: %d %v", m.Version, ok)
	}
}

// Storing the next version of the default model ahead of its effective
// date (the documented way to version a model) leaves the current version
// grading until then; the old resolveModel looked only at each model's
// latest version and answered "no default grading model is in force" to
// every request without ?model=, and graded a named model under its latest
// version even when none was in force.
func TestGradingDefaultModelNextVersionAhead(t *testing.T) {
	e := newGradingEnv(t)
	org := uscc(t, "91620100MA74QX3K")
	e.penalty(t, e.offA, e.deptA, org, "兰市监罚〔2026〕1号", "2026-03-02", "general", xinyong.Leniency{})
	cur, _, err := e.svc.GradingModel(e.ctx, "public-credit")
	if err != nil {
		t.Fatal(err)
	}
	next := cur
	next.EffectiveFrom = xinyong.MustDate("2026-07-01")
	next.Indicators = append([]xinyong.Indicator(nil), cur.Indicators...)
	sp := map[xinyong.Severity]float64{}
	for k, n := range next.Indicators[2].SeverityPoints {
		sp[k] = n
	}
	sp[xinyong.SeverityGeneral] = -8
	next.Indicators[2].SeverityPoints = sp
	if v2, err := e.svc.CreateGradingModel(e.ctx, e.admin, next); err != nil || v2.Version != 2 {
		t.Fatalf("v2: %v %d", err, v2.Version)
	}

	// 2026-06-01: v1 grades.
	v, err := e.svc.SubjectGrade(e.ctx, e.admin, org, "")
	if err != nil || v.ModelID != "public-credit" || v.ModelVersion != 1 || v.Score != 95 {
		t.Fatalf("default model before v2 is in force: %v %+v", err, v.Grade)
	}
	if v, err = e.svc.SubjectGrade(e.ctx, e.admin, org, "public-credit"); err != nil || v.ModelVersion != 1 {
		t.Fatalf("named model before v2 is in force: %v %+v", err, v.Grade)
	}
	run, err := e.svc.StartGradingRun(e.ctx, e.admin, workflow.RunInput{})
	if err != nil || run.ModelVersion != 1 {
		t.Fatalf("run with the default model before v2 is in force: %v %+v", err, run)
	}
	if run, err = e.svc.RunGrading(e.ctx, e.admin, run.ID, false, nil); err != nil || run.State != xinyong.RunDone {
		t.Fatalf("run: %v %+v", err, run)
	}
	var rows int
	if err := e.svc.GradeExport(e.ctx, e.admin, "", "", func(m xinyong.GradingModel, g xinyong.Grade, _ xinyong.Subject) error {
		rows++
		if m.Version != 1 || g.ModelVersion != 1 {
			t.Errorf("export: model %d grade %d", m.Version, g.ModelVersion)
		}
		return nil
	}); err != nil || rows == 0 {
		t.Fatalf("export with the default model: %v %d", err, rows)
	}
	subj := xinyong.Actor{Kind: "account", ID: "us", Name: "subject", Role: xinyong.RoleSubject, SubjectID: v.SubjectID}
	if _, err := e.svc.FileGradeReview(e.ctx, subj, "me", xinyong.GradeReviewInput{Reasons: "请复核"}); err != nil {
		t.Fatalf("review of the default model's grade: %v", err)
	}

	// A model named with no version in force grades nobody: one not yet
	// in force, one no longer in force.
	future := cur
	future.ID, future.Name, future.Default, future.EffectiveFrom = "future-credit", "future", false, xinyong.MustDate("2026-09-01")
	past := cur
	past.ID, past.Name, past.Default, past.EffectiveFrom, past.EffectiveTo = "past-credit", "past", false, xinyong.MustDate("2025-01-01"), xinyong.MustDate("2026-05-01")
	for _, m := range []xinyong.GradingModel{future, past} {
		if _, err := e.svc.CreateGradingModel(e.ctx, e.admin, m); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SubjectGrade(e.ctx, e.admin, org, m.ID); xinyong.ErrorCode(err) != xinyong.ENOTFOUND || !strings.Contains(err.Error(), "no version in force") {
			t.Errorf("grade under %s (no version in force): %v", m.ID, err)
		}
		if _, err := e.svc.EvaluateSubject(e.ctx, e.admin, org, m.ID); xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
			t.Errorf("evaluate under %s: %v", m.ID, err)
		}
		if _, err := e.svc.StartGradingRun(e.ctx, e.admin, workflow.RunInput{Model: m.ID}); xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
			t.Errorf("run under %s: %v", m.ID, err)
		}
	}

	// 2026-07-02: v2 grades.
	e.clk.Set(day("2026-07-02"))
	g, err := e.svc.EvaluateSubject(e.ctx, e.admin, org, "")
	if err != nil || g.ModelVersion != 2 || g.Score != 92 {
		t.Fatalf("default model once v2 is in force: %v %+v", err, g.Grade)
	}
	run, err = e.svc.StartGradingRun(e.ctx, e.admin, workflow.RunInput{})
	if err != nil || run.ModelVersion != 2 {
		t.Fatalf("run once v2 is in force: %v %+v", err, run)
	}
	if g, err := e.svc.EvaluateSubject(e.ctx, e.admin, org, "past-credit"); xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
		t.Errorf("an expired model: %v %+v", err, g.Grade)
	}
}

// Claiming a run (its first pass, a resume, the server's takeover of a
// stale run) and marking it failed are audited, each with its ledger leaf,
// in the transaction that changes the run: who, from which state, and the
// cause of the failure. The old claim and failure wrote no audit event.
func TestGradingRunClaimAndFailureAudited(t *testing.T) {
	e := newGradingEnv(t)
	old := workflow.GradingChunk
	workflow.GradingChunk = 2
	t.Cleanup(func() { workflow.GradingChunk = old })
	for i, p := range []string{"91620100MA74QX1A", "91620100MA74QX2B", "91620100MA74QX3C", "91620100MA74QX4D", "91620100MA74QX5E"} {
		e.penalty(t, e.offA, e.deptA, uscc(t, p), "A"+string(rune('1'+i)), "2026-03-02", "general", xinyong.Leniency{})
	}
	run, err := e.svc.StartGradingRun(e.ctx, e.admin, workflow.RunInput{})
	if err != nil {
		t.Fatal(err)
	}
	events := func(action xinyong.Action) []xinyong.AuditEvent {
		t.Helper()
		var out []xinyong.AuditEvent
		err := e.svc.Store.View(e.ctx, func(tx xinyong.Tx) error {
			var err error
			out, err = tx.ListAudit(xinyong.AuditFilter{ObjectType: "grading_run", ObjectID: run.ID, Action: action, Limit: 100})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	// The first pass, interrupted after one chunk (a killed process).
	ctx, cancel := context.WithCancel(e.ctx)
	if _, err := e.svc.RunGrading(ctx, e.admin, run.ID, false, func(xinyong.GradingRun) { cancel() }); err == nil {
		t.Fatal("the interrupted run returned no error")
	}
	rs := events(workflow.ActGradingRunResume)
	if len(rs) != 1 || rs[0].Actor != e.admin.Ref() || rs[0].LedgerIdx == 0 || !strings.Contains(rs[0].Detail, "from state running at 0 of 5") {
		t.Fatalf("claim of the first pass: %+v", rs)
	}
	// The server takes the stale run over; another process moves the
	// cursor meanwhile: the run fails, with the cause.
	e.clk.Set(e.clk.Now().Add(workflow.GradingStaleAfter + time.Minute))
	moved, at := false, ""
	failed, err := e.svc.RunGrading(e.ctx, xinyong.System, run.ID, false, func(r xinyong.GradingRun) {
		if moved || r.State != xinyong.RunRunning {
			return
		}
		moved, at = true, r.Cursor
		if err := e.svc.Store.Update(e.ctx, func(tx xinyong.Tx) error {
			cur, err := tx.GradingRun(run.ID)
			if err != nil {
				return err
			}
			cur.Cursor = "elsewhere"
			return tx.UpdateGradingRun(cur)
		}); err != nil {
			t.Error(err)
		}
	})
	if xinyong.ErrorCode(err) != xinyong.ECONFLICT || failed.State != xinyong.RunFailed || !strings.Contains(failed.Message, "resumed elsewhere") {
		t.Fatalf("the run that lost its cursor: %v %+v", err, failed)
	}
	rs = events(workflow.ActGradingRunResume)
	if len(rs) != 2 {
		t.Fatalf("claims: %+v", rs)
	}
	take := rs[0]
	if rs[1].At.After(take.At) || (rs[1].At.Equal(take.At) && rs[1].LedgerIdx > take.LedgerIdx) {
		take = rs[1]
	}
	if take.Actor != xinyong.System.Ref() || take.LedgerIdx == 0 || !strings.Contains(take.Detail, "from state running at 2 of 5") || !strings.Contains(take.Detail, "taken over") {
		t.Errorf("the takeover: %+v", take)
	}
	fs := events(workflow.ActGradingRunFail)
	if len(fs) != 1 || fs[0].Actor != xinyong.System.Ref() || fs[0].LedgerIdx == 0 || !strings.Contains(fs[0].Detail, "resumed elsewhere") || !strings.Contains(fs[0].Detail, "after 4 of 5") {
		t.Fatalf("failure: %+v", fs)
	}
	// Resumed by the admin from the failed state.
	if err := e.svc.Store.Update(e.ctx, func(tx xinyong.Tx) error {
		cur, err := tx.GradingRun(run.ID)
		if err != nil {
			return err
		}
		cur.Cursor = at // put back: the run resumes after its last committed chunk
		return tx.UpdateGradingRun(cur)
	}); err != nil {
		t.Fatal(err)
	}
	done, err := e.svc.RunGrading(e.ctx, e.admin, run.ID, false, nil)
	if err != nil || done.State != xinyong.RunDone || done.Done != 5 {
		t.Fatalf("resumed after failing: %v %+v", err, done)
	}
	rs = events(workflow.ActGradingRunResume)
	found := false
	for _, r := range rs {
		found = found || (r.Actor == e.admin.Ref() && strings.Contains(r.Detail, "from state failed at 4 of 5") && r.LedgerIdx > 0)
	}
	if len(rs) != 3 || !found {
		t.Errorf("resume after failing: %+v", rs)
	}
	if rep, err := e.svc.Verify(e.ctx, "", nil); err != nil || !rep.OK() {
		t.Errorf("ledger verify: %v %+v", err, rep.Problems)
	}
}
