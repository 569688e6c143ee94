package workflow_test

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// A grade export flags the grades that counted a record since withdrawn
// or repaired. It did so from every approved repair and every withdrawn
// record (a scan of the record table per export); it now looks up the
// records the exported grades counted, by id. Both must flag the same
// grades with the same records, causes and days: under a model that has
// ended (never recomputed) and a stale grade under the model in force, of
// every subject and of one department, with the grades read one, two or a
// page at a time.
func TestGradeOutdatedLookupMatchesScan(t *testing.T) {
	for _, st := range gradingStores {
		t.Run(st.name, func(t *testing.T) {
			t.Chdir(t.TempDir()) // proofs go to ./xinyong-files on PostgreSQL
			testGradeOutdatedLookupMatchesScan(t, newGradingEnvDB(t, st.db(t)))
		})
	}
}

func testGradeOutdatedLookupMatchesScan(t *testing.T, e *grEnv) { // 2026-06-01
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
	orgs := []string{"91620100MA74QX1A", "91620100MA74QX2B", "91620100MA74QX3C", "91620100MA74QX4D", "91620100MA74QX5E"}
	recs := map[string][]xinyong.Record{}
	for i, p := range orgs {
		org := uscc(t, p)
		dept, by := e.deptA, e.offA
		if i == 3 {
			dept, by = e.deptB, e.offB
		}
		for j, d := range []string{"2025-12-01", "2025-12-02", "2025-12-03"} {
			recs[org] = append(recs[org], e.penalty(t, by, dept, org, fmt.Sprintf("兰罚〔2025〕%d%d号", i+1, j+1), d, "general", xinyong.Leniency{}))
		}
		for _, m := range []string{"", season.ID} {
			if _, err := e.svc.EvaluateSubject(e.ctx, e.admin, org, m); err != nil {
				t.Fatal(err)
			}
		}
	}
	subj := func(r xinyong.Record) xinyong.Actor {
		return xinyong.Actor{Kind: "account", ID: "us", Name: "subject", Role: xinyong.RoleSubject, SubjectID: r.SubjectID}
	}
	o := func(i int) []xinyong.Record { return recs[uscc(t, orgs[i])] }
	// A stale grade under the model in force: stored as read before the
	// withdrawal of one of its records.
	stale, err := e.svc.SubjectGrade(e.ctx, e.admin, uscc(t, orgs[4]), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Withdraw(e.ctx, e.offA, o(4)[1].ID, "revoked", ""); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Store.Update(e.ctx, func(tx xinyong.Tx) error { return tx.PutGrades([]xinyong.Grade{stale.Grade}) }); err != nil {
		t.Fatal(err)
	}
	// 2026-07-02: the season model has ended.
	e.clk.Set(day("2026-07-02"))
	if _, err := e.svc.Withdraw(e.ctx, e.offA, o(0)[2].ID, "revoked", ""); err != nil {
		t.Fatal(err)
	}
	e.repairApproved(t, subj(o(0)[0]), o(0)[0].ID, xinyong.RepairDeleted)
	e.clk.Set(day("2026-07-09"))
	e.repairApproved(t, subj(o(1)[1]), o(1)[1].ID, "")
	e.repairApproved(t, subj(o(1)[2]), o(1)[2].ID, xinyong.RepairShielded)
	if _, err := e.svc.Withdraw(e.ctx, e.offB, o(3)[0].ID, "changed", ""); err != nil {
		t.Fatal(err)
	}
	// orgs[2]: nothing stopped counting.

	flagged := 0
	if err := e.svc.Store.View(e.ctx, func(tx xinyong.Tx) error {
		for _, m := range []string{cur.ID, season.ID} {
			for _, dept := range []string{"", e.deptA.ID, e.deptB.ID} {
				var exported []string
				if err := tx.ExportGrades(m, dept, func(g xinyong.Grade, _ xinyong.Subject) error {
					exported = append(exported, g.SubjectID)
					return nil
				}); err != nil {
					return err
				}
				for _, version := range []int{0, 1, 2} {
					for _, page := range []int{1, 2, 500} {
						got, all, err := workflow.OutdatedBoth(tx, m, dept, version, page)
						if err != nil {
							return err
						}
						want := map[string][]workflow.StoppedRecord{}
						for _, s := range exported {
							g, err := tx.Grade(s, m)
							if err != nil {
								return err
							}
							if out, ok := all[s]; ok && (version == 0 || g.ModelVersion == version) {
								want[s] = out
							}
						}
						if !maps.EqualFunc(got, want, slices.Equal) {
							t.Errorf("model %s department %q version %d page %d:\n got %+v\nwant %+v", m, dept, version, page, got, want)
						}
						if dept == "" && version == 0 && page == 500 {
							flagged += len(got)
						}
					}
				}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// season: orgs 0, 1, 3 (4's withdrawal came before the end: regraded
	// under both models); in force: orgs 4 (stale).
	if flagged != 4 {
		t.Errorf("%d outdated grades flagged, want 4", flagged)
	}
	// The export carries them.
	var rows []workflow.GradeRow
	if err := e.svc.GradeExportRows(e.ctx, e.admin, season.ID, 0, "", func(r workflow.GradeRow) error { rows = append(rows, r); return nil }); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rows {
		if r.Outdated {
			n++
		}
	}
	if len(rows) != 5 || n != 3 {
		t.Errorf("season export: %d rows, %d outdated: %+v", len(rows), n, rows)
	}
}
