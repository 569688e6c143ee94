package workflow_test

import (
	"slices"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// A serious-list entry a stored grade counted stops counting when it is
// removed or its period ends (DOMAIN.md §6: "removal from the serious
// list … evaluations updated"; §8: a grade is explainable from what
// produced it). Before, only records were checked: a grade under a model
// that has ended kept reading as current after a listing it counted was
// removed, and an officer's removal or the expiry job left the stored
// grades under the model in force counting the listing until the next run.

// listSubject puts the subject of rec (org) on the SAMR serious list
// through the whole procedure, the clock moved past the objection
// deadline; it returns the listing.
func (e *grEnv) listSubject(t *testing.T, org string, rec xinyong.Record) xinyong.Listing {
	t.Helper()
	l, err := e.svc.ProposeListing(e.ctx, e.offA, xinyong.ListingProposal{ListType: "SAMR_SERIOUS", Subject: org, RecordIDs: []string{rec.ID},
		Reasons: "一年内三次虚假宣传受较重处罚", Basis: "《市场监督管理严重违法失信名单管理办法》第二条"})
	if err != nil {
		t.Fatal(err)
	}
	if l, err = e.svc.NotifyListing(e.ctx, e.offA, l.ID, xinyong.NoticeInput{}); err != nil {
		t.Fatal(err)
	}
	e.clk.Set(day(l.Notice.ObjectionDeadline.AddDays(1).String()))
	if _, err = e.svc.DecideListing(e.ctx, e.offA, l.ID, xinyong.ListingDecision{Number: "兰市监认〔2026〕1号", Reason: "一年内三次虚假宣传受较重处罚", Basis: "《市场监督管理严重违法失信名单管理办法》第二条",
		Measures: []string{"CPC-SC-2025-RESTRICT"}, RemovalConditions: "列入满一年，已履行处罚", RemovalProcedure: "申请信用修复，免费",
		Remedies: xinyong.Remedies{Reconsideration: "六十日内申请行政复议", Litigation: "六个月内提起行政诉讼"}}); err != nil {
		t.Fatal(err)
	}
	if l, err = e.svc.ListListing(e.ctx, e.offA, l.ID); err != nil {
		t.Fatal(err)
	}
	return l
}

func countsListing(g xinyong.Grade, listingID string) bool {
	for _, in := range g.Explanation.Indicators {
		if slices.Contains(in.Listings, listingID) {
			return true
		}
	}
	return false
}

// listedAndGraded: a subject with one general penalty put on the serious
// list, graded under the default model and under a season model ending
// 2026-07-01, both counting the listing (D). It returns the subject's
// code, the listing and the season model's id.
func listedAndGraded(t *testing.T, e *grEnv) (string, xinyong.Listing, string) { // 2026-06-01
	t.Helper()
	org := uscc(t, "91620100MA74QX3K")
	rec := e.penalty(t, e.offA, e.deptA, org, "兰市监罚〔2026〕401号", "2026-05-04", "general", xinyong.Leniency{})
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
	l := e.listSubject(t, org, rec)
	for _, m := range []string{"", season.ID} {
		g, err := e.svc.EvaluateSubject(e.ctx, e.admin, org, m)
		if err != nil || g.Grade.Grade != "D" || !countsListing(g.Grade, l.ID) {
			t.Fatalf("graded under %q counting the listing: %v %+v", m, err, g.Grade)
		}
	}
	return org, l, season.ID
}

func exportRows(t *testing.T, e *grEnv, modelID string) []workflow.GradeRow {
	t.Helper()
	var rows []workflow.GradeRow
	if err := e.svc.GradeExportRows(e.ctx, e.admin, modelID, 0, "", func(r workflow.GradeRow) error { rows = append(rows, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return rows
}

// An officer removes a listing after the season model has ended: the
// season grade stays as computed and reads as outdated, naming the listing,
// its removal's reason and day, on read and on export; the grade under the
// model in force is recomputed in the removal's transaction.
func TestGradeOutdatedByListingRemoved(t *testing.T) {
	for _, st := range gradingStores {
		t.Run(st.name, func(t *testing.T) {
			t.Chdir(t.TempDir()) // proofs go to ./xinyong-files on PostgreSQL
			testGradeOutdatedByListingRemoved(t, newGradingEnvDB(t, st.db(t)))
		})
	}
}

func testGradeOutdatedByListingRemoved(t *testing.T, e *grEnv) {
	org, l, season := listedAndGraded(t, e)
	e.clk.Set(day("2026-07-02")) // the season model has ended
	if _, err := e.svc.RemoveListing(e.ctx, e.offA, l.ID, xinyong.RemovalRevoked, "认定依据的处罚决定已被撤销"); err != nil {
		t.Fatal(err)
	}
	want := []workflow.StoppedRecord{{Listing: l.ID, Cause: xinyong.ListingStopRemoved, Reason: xinyong.RemovalRevoked, On: xinyong.MustDate("2026-07-02")}}
	v, err := e.svc.SubjectGrade(e.ctx, e.admin, org, season)
	if err != nil || !v.Stored || v.Grade.Grade != "D" || !countsListing(v.Grade, l.ID) {
		t.Fatalf("the ended model's grade stays as computed: %v %+v", err, v.Grade)
	}
	if !v.Outdated || v.OutdatedWhy != "ended" || !slices.Equal(v.OutdatedBy, want) {
		t.Errorf("outdated on read: %v %q %+v", v.Outdated, v.OutdatedWhy, v.OutdatedBy)
	}
	if rows := exportRows(t, e, season); len(rows) != 1 || !rows[0].Outdated || !slices.Equal(rows[0].OutdatedBy, want) {
		t.Errorf("outdated on export: %+v", rows)
	}
	// The model in force: recomputed by the removal, audited, not outdated.
	d, err := e.svc.SubjectGrade(e.ctx, e.admin, org, "")
	if err != nil || !d.Stored || d.Outdated || countsListing(d.Grade, l.ID) || d.Grade.Grade != "A" || d.Source != "listing:"+l.ID {
		t.Errorf("the model in force after the removal: %v %+v %+v", err, d.Grade, d.OutdatedBy)
	}
	n := 0
	for _, u := range gradeUpdates(t, e) {
		if strings.HasPrefix(u.ObjectID, season+":") {
			t.Errorf("a grade under the ended model was recomputed: %+v", u)
		}
		if strings.HasSuffix(u.Detail, "listing listing "+l.ID+" stopped counting (listing "+l.ID+")") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d grade.updated events for the removal, want 1", n)
	}
	if rows := exportRows(t, e, ""); len(rows) != 1 || rows[0].Outdated {
		t.Errorf("export of the model in force: %+v", rows)
	}
}

// A listing's period ends: before the expiry job removes it, every grade
// that counted it reads as outdated from its effective end (the grade
// under the model in force as stale); the job's removal recomputes the
// grade under the model in force, and the season grade then names the
// removal.
func TestGradeOutdatedByListingExpired(t *testing.T) {
	for _, st := range gradingStores {
		t.Run(st.name, func(t *testing.T) {
			t.Chdir(t.TempDir()) // proofs go to ./xinyong-files on PostgreSQL
			testGradeOutdatedByListingExpired(t, newGradingEnvDB(t, st.db(t)))
		})
	}
}

func testGradeOutdatedByListingExpired(t *testing.T, e *grEnv) {
	org, l, season := listedAndGraded(t, e)
	end := l.EffectiveEnd()
	if end.IsZero() {
		t.Fatalf("the listing has no end: %+v", l)
	}
	e.clk.Set(day(end.String()))
	expired := []workflow.StoppedRecord{{Listing: l.ID, Cause: xinyong.ListingStopExpired, On: end}}
	for _, c := range []struct{ model, why string }{{season, "ended"}, {"", "stale"}} {
		v, err := e.svc.SubjectGrade(e.ctx, e.admin, org, c.model)
		if err != nil || !v.Stored || !countsListing(v.Grade, l.ID) {
			t.Fatalf("model %q: the stored grade, before the job: %v %+v", c.model, err, v.Grade)
		}
		if !v.Outdated || v.OutdatedWhy != c.why || !slices.Equal(v.OutdatedBy, expired) {
			t.Errorf("model %q, the period ended, not yet removed: %v %q %+v", c.model, v.Outdated, v.OutdatedWhy, v.OutdatedBy)
		}
		if rows := exportRows(t, e, c.model); len(rows) != 1 || !rows[0].Outdated || !slices.Equal(rows[0].OutdatedBy, expired) {
			t.Errorf("model %q, the period ended, on export: %+v", c.model, rows)
		}
	}
	if n, err := e.svc.ExpireListings(e.ctx, end); err != nil || n != 1 {
		t.Fatalf("expiry job: %d %v", n, err)
	}
	removed := []workflow.StoppedRecord{{Listing: l.ID, Cause: xinyong.ListingStopRemoved, Reason: xinyong.RemovalExpired, On: end}}
	v, err := e.svc.SubjectGrade(e.ctx, e.admin, org, season)
	if err != nil || !v.Outdated || v.OutdatedWhy != "ended" || !slices.Equal(v.OutdatedBy, removed) {
		t.Errorf("the season grade after the job: %v %v %q %+v", err, v.Outdated, v.OutdatedWhy, v.OutdatedBy)
	}
	d, err := e.svc.SubjectGrade(e.ctx, e.admin, org, "")
	if err != nil || !d.Stored || d.Outdated || countsListing(d.Grade, l.ID) || d.Source != "listing:"+l.ID {
		t.Errorf("the model in force after the job: %v %+v %+v", err, d.Grade, d.OutdatedBy)
	}
}
