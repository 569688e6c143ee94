package workflow_test

import (
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// A record that stops counting while a grading run is under way (a repair
// approved, a record withdrawn) counts no more in the grade the run stores.
// Before, the run read every repair outcome and listing once at its start
// and wrote each chunk read earlier without looking at what was stored
// meanwhile, so the grade a repair's transaction had just recomputed was
// overwritten by one counting the repaired record again — and a subject
// with no stored grade at all (nothing for the repair to recompute) was
// graded counting it. Chunks of one subject and the change made from the
// progress callback, while the reader holds the subject's chunk read.
func TestGradingRunAfterStop(t *testing.T) {
	for _, st := range gradingStores {
		for _, c := range []struct {
			name   string
			before bool // the subject has a stored grade before the run
			stop   func(t *testing.T, e *grEnv, subj xinyong.Actor, rec xinyong.Record)
		}{
			{"repair", true, func(t *testing.T, e *grEnv, subj xinyong.Actor, rec xinyong.Record) {
				e.repairApproved(t, subj, rec.ID, "")
			}},
			{"repair-first-grade", false, func(t *testing.T, e *grEnv, subj xinyong.Actor, rec xinyong.Record) {
				e.repairApproved(t, subj, rec.ID, "")
			}},
			{"withdrawal", true, func(t *testing.T, e *grEnv, subj xinyong.Actor, rec xinyong.Record) {
				if _, err := e.svc.Withdraw(e.ctx, e.offA, rec.ID, "revoked", "行政复议撤销"); err != nil {
					t.Fatal(err)
				}
			}},
		} {
			t.Run(st.name+"/"+c.name, func(t *testing.T) {
				t.Chdir(t.TempDir()) // proofs go to ./xinyong-files on PostgreSQL
				testGradingRunAfterStop(t, newGradingEnvDB(t, st.db(t)), c.before, c.stop)
			})
		}
	}
}

func testGradingRunAfterStop(t *testing.T, e *grEnv, before bool, stop func(*testing.T, *grEnv, xinyong.Actor, xinyong.Record)) {
	old := workflow.GradingChunk
	workflow.GradingChunk = 1
	t.Cleanup(func() { workflow.GradingChunk = old })
	// An earlier subject, graded in the run's first chunk.
	e.penalty(t, e.offA, e.deptA, uscc(t, "91620100MA74QX5M"), "兰市监罚〔2025〕901号", "2025-12-01", "general", xinyong.Leniency{})
	org := uscc(t, "91620100MA74QX3K")
	rs, subj := threePenalties(t, e, org)
	if before {
		first, err := e.svc.StartGradingRun(e.ctx, e.admin, workflow.RunInput{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.RunGrading(e.ctx, e.admin, first.ID, false, nil); err != nil {
			t.Fatal(err)
		}
	}
	run, err := e.svc.StartGradingRun(e.ctx, e.admin, workflow.RunInput{})
	if err != nil {
		t.Fatal(err)
	}
	done := false
	finished, err := e.svc.RunGrading(e.ctx, e.admin, run.ID, false, func(r xinyong.GradingRun) {
		if done || r.Cursor == rs[0].SubjectID || r.State != xinyong.RunRunning {
			return
		}
		done = true
		stop(t, e, subj, rs[0])
	})
	if err != nil {
		t.Fatal(err)
	}
	if !done {
		t.Fatal("the subject was graded in the run's first chunk")
	}
	v, err := e.svc.SubjectGrade(e.ctx, subj, "me", "")
	if err != nil {
		t.Fatal(err)
	}
	if !v.Stored || counts(v.Grade, rs[0].ID) {
		t.Errorf("the grade stored after the change (model in force) counts the record that stopped counting: stored %v %s %.2f source %q run %q %+v",
			v.Stored, v.Grade.Grade, v.Score, v.Source, v.RunID, v.Explanation.Indicators)
	}
	if finished.State != xinyong.RunDone || finished.Done != 2 || finished.Counts[v.Grade.Grade] == 0 {
		t.Errorf("run: %+v", finished)
	}
	if rep, err := e.svc.Verify(e.ctx, "", nil); err != nil || !rep.OK() {
		t.Errorf("ledger verify: %v %+v", err, rep.Problems)
	}
}

// A changed version of a decision sent while a run is under way (here: the
// department marks it force majeure, which never counts) counts no more in
// the grade the run stores, also for a subject with no stored grade, whose
// regrade at the new version stores nothing for the run to see. Before,
// the run detected grade writes, repairs, withdrawals and listings, not a
// record's new version.
func TestGradingRunAfterNewVersion(t *testing.T) {
	for _, st := range gradingStores {
		t.Run(st.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			testGradingRunAfterNewVersion(t, newGradingEnvDB(t, st.db(t)))
		})
	}
}

func testGradingRunAfterNewVersion(t *testing.T, e *grEnv) {
	old := workflow.GradingChunk
	workflow.GradingChunk = 1
	t.Cleanup(func() { workflow.GradingChunk = old })
	e.penalty(t, e.offA, e.deptA, uscc(t, "91620100MA74QX5M"), "兰市监罚〔2025〕901号", "2025-12-01", "general", xinyong.Leniency{})
	org := uscc(t, "91620100MA74QX3K")
	rec := e.penalty(t, e.offA, e.deptA, org, "兰市监罚〔2025〕902号", "2025-12-02", "general", xinyong.Leniency{})
	run, err := e.svc.StartGradingRun(e.ctx, e.admin, workflow.RunInput{})
	if err != nil {
		t.Fatal(err)
	}
	done := false
	finished, err := e.svc.RunGrading(e.ctx, e.admin, run.ID, false, func(r xinyong.GradingRun) {
		if done || r.Cursor == rec.SubjectID || r.State != xinyong.RunRunning {
			return
		}
		done = true
		in := xinyong.RecordInput{Item: rec.Item, SubjectCode: org, SubjectName: rec.SubjectName, Document: rec.Document, Fields: rec.Fields,
			Severity: string(rec.Severity), Categories: rec.Categories, Leniency: xinyong.Leniency{ForceMajeure: true, Reason: "疫情防控期间停业"}}
		res, err := e.svc.SubmitRecord(e.ctx, e.offA, "", in)
		if err != nil || res.Outcome != workflow.NewVersion {
			t.Fatalf("the changed version: %v %+v", err, res.Outcome)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if !done {
		t.Fatal("the subject was graded in the run's first chunk")
	}
	subj := xinyong.Actor{Kind: "account", ID: "us", Name: "subject", Role: xinyong.RoleSubject, SubjectID: rec.SubjectID}
	v, err := e.svc.SubjectGrade(e.ctx, subj, "me", "")
	if err != nil || !v.Stored || v.RunID != run.ID || counts(v.Grade, rec.ID) {
		t.Errorf("the run's grade counts the record its department marked force majeure meanwhile: %v stored %v run %q %s %.2f %+v",
			err, v.Stored, v.RunID, v.Grade.Grade, v.Score, v.Explanation.Indicators)
	}
	if finished.State != xinyong.RunDone || finished.Done != 2 {
		t.Errorf("run: %+v", finished)
	}
	if rep, err := e.svc.Verify(e.ctx, "", nil); err != nil || !rep.OK() {
		t.Errorf("ledger verify: %v %+v", err, rep.Problems)
	}
}
