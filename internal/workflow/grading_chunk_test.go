package workflow_test

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// Every chunk a grading run commits (its grades, cursor, counts and
// running digest) is a mutation, and DOMAIN/DESIGN make each mutating
// transaction write its audit event with its ledger leaf: one
// grading.run.chunk event per chunk, by the actor running it, committing
// to the run, the chunk's range of subjects, how many it graded, its
// digest and the chained digest. The old writer committed chunks with no
// audit event at all.
func TestGradingRunChunksAudited(t *testing.T) {
	for _, st := range gradingStores {
		t.Run(st.name, func(t *testing.T) { testGradingRunChunksAudited(t, newGradingEnvDB(t, st.db(t))) })
	}
}

func testGradingRunChunksAudited(t *testing.T, e *grEnv) {
	old := workflow.GradingChunk
	workflow.GradingChunk = 2
	t.Cleanup(func() { workflow.GradingChunk = old })
	for i, p := range []string{"91620100MA74QX1A", "91620100MA74QX2B", "91620100MA74QX3C", "91620100MA74QX4D", "91620100MA74QX5E"} {
		e.penalty(t, e.offA, e.deptA, uscc(t, p), "C"+string(rune('1'+i)), "2026-03-02", "general", xinyong.Leniency{})
	}
	run, err := e.svc.StartGradingRun(e.ctx, e.admin, workflow.RunInput{})
	if err != nil {
		t.Fatal(err)
	}
	done, err := e.svc.RunGrading(e.ctx, e.admin, run.ID, false, nil)
	if err != nil || done.State != xinyong.RunDone || done.Done != 5 {
		t.Fatalf("run: %v %+v", err, done)
	}
	var evs []xinyong.AuditEvent
	var ids []string
	grades := map[string]xinyong.Grade{}
	if err := e.svc.Store.View(e.ctx, func(tx xinyong.Tx) error {
		var err error
		if evs, err = tx.ListAudit(xinyong.AuditFilter{ObjectType: "grading_run", ObjectID: run.ID, Action: workflow.ActGradingRunChunk, Limit: 100}); err != nil {
			return err
		}
		if ids, err = tx.SubjectIDsAfter("", 100); err != nil {
			return err
		}
		for _, id := range ids {
			g, err := tx.Grade(id, run.ModelID)
			if err != nil {
				return err
			}
			grades[id] = g
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(evs) != 3 || len(ids) != 5 {
		t.Fatalf("%d chunk events for 5 subjects in chunks of 2 (%d subjects)", len(evs), len(ids))
	}
	slices.SortFunc(evs, func(a, b xinyong.AuditEvent) int { return int(a.LedgerIdx - b.LedgerIdx) })
	chain, after := "", ""
	for i, ev := range evs {
		chunk := ids[2*i : min(2*i+2, len(ids))]
		h := sha256.New()
		counts := map[string]int{}
		for _, id := range chunk {
			h.Write([]byte(workflow.GradeDigestLine(grades[id])))
			counts[grades[id].Grade]++
		}
		var d [32]byte
		copy(d[:], h.Sum(nil))
		chain = workflow.ChainDigest(chain, d)
		last := chunk[len(chunk)-1]
		want := map[string]any{"run": run.ID, "after": after, "last": last, "subjects": len(chunk), "records": len(chunk),
			"counts": counts, "digest": hex.EncodeToString(d[:]), "chain": chain}
		if ev.Actor != e.admin.Ref() || ev.LedgerIdx == 0 || ev.AfterDigest != workflow.Digest(want) || !strings.Contains(ev.Detail, last) {
			t.Errorf("chunk %d: %+v (want after digest %s)", i, ev, workflow.Digest(want))
		}
		after = last
	}
	if done.Digest != chain {
		t.Errorf("the run's digest %s is not the chain over its chunk events %s", done.Digest, chain)
	}
	if rep, err := e.svc.Verify(e.ctx, "", nil); err != nil || !rep.OK() {
		t.Errorf("ledger verify: %v %+v", err, rep.Problems)
	}
}
