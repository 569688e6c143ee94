package workflow_test

import (
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// An outdated grade says why it was not recomputed. The /grade page said
// "its model is no longer in force" of every outdated grade, also of one
// under a model in force that an evaluation stored from records read
// before one of them stopped counting (a grade stored before the updates,
// or by a run that read too early): OutdatedWhy is "stale" for those and
// "ended" only when the model has no version in force.
func TestGradeOutdatedWhy(t *testing.T) {
	for _, st := range gradingStores {
		t.Run(st.name, func(t *testing.T) {
			t.Chdir(t.TempDir()) // proofs go to ./xinyong-files on PostgreSQL
			e := newGradingEnvDB(t, st.db(t))
			rs, subj := threePenalties(t, e, uscc(t, "91620100MA74QX3K"))
			run, err := e.svc.StartGradingRun(e.ctx, e.admin, workflow.RunInput{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.RunGrading(e.ctx, e.admin, run.ID, false, nil); err != nil {
				t.Fatal(err)
			}
			old, err := e.svc.SubjectGrade(e.ctx, subj, "me", "")
			if err != nil || !counts(old.Grade, rs[0].ID) {
				t.Fatalf("%v %+v", err, old.Grade)
			}
			e.repairApproved(t, subj, rs[0].ID, "")
			// The grade as an evaluation that read before the repair stored it.
			if err := e.svc.Store.Update(e.ctx, func(tx xinyong.Tx) error { return tx.PutGrades([]xinyong.Grade{old.Grade}) }); err != nil {
				t.Fatal(err)
			}
			v, err := e.svc.SubjectGrade(e.ctx, subj, "me", "")
			if err != nil {
				t.Fatal(err)
			}
			if !v.Outdated || v.OutdatedWhy != "stale" {
				t.Errorf("a stale grade under a model in force: outdated %v why %q", v.Outdated, v.OutdatedWhy)
			}
		})
	}
}
