package server

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

// Over HTTP, grades computed under a model that has since ended are read
// (?model=ID, ?model=ID&version=N) and exported; grading under it is
// refused, a bad version is a 400. The grade is stored directly, as a run
// would have while the model was in force (the server runs on the real
// clock).
func TestGradingEndedModelOverHTTP(t *testing.T) {
	f := newListingFixture(t)
	e := f.e
	admin := e.token(t, "admin", "", "")
	cur, _, err := e.svc.GradingModel(e.ctx, "public-credit")
	if err != nil {
		t.Fatal(err)
	}
	today := xinyong.DateOf(time.Now())
	ended := cur
	ended.ID, ended.Name, ended.Default = "ended-2025", "2025 年度", false
	ended.EffectiveFrom, ended.EffectiveTo = today.AddDays(-400), today.AddDays(-30)
	adminActor, err := e.svc.TokenActor(e.ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CreateGradingModel(e.ctx, adminActor, ended); err != nil {
		t.Fatal(err)
	}
	var subj xinyong.Subject
	if err := e.app.Store.Update(e.ctx, func(tx xinyong.Tx) (err error) {
		if subj, err = tx.SubjectByKey(f.orgCode); err != nil {
			return err
		}
		return tx.PutGrades([]xinyong.Grade{{SubjectID: subj.ID, ModelID: ended.ID, ModelVersion: 1, Grade: "C", Score: 62, On: today.AddDays(-60),
			Explanation: xinyong.GradeExplanation{Base: 100, ScoreGrade: "C"}, LedgerSize: 1, Source: "evaluation", ComputedAt: time.Now().Add(-60 * 24 * time.Hour)}})
	}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"", "&version=1"} {
		var v workflow.GradeView
		e.do(t, req{Path: "/api/v1/subjects/" + f.orgCode + "/grade?model=" + ended.ID + q, Token: f.offB}).json(t, &v)
		if !v.Stored || v.ModelID != ended.ID || v.ModelVersion != 1 || v.Grade.Grade != "C" {
			t.Errorf("grade under the ended model (%q): %+v", q, v.Grade)
		}
	}
	e.do(t, req{Path: "/api/v1/subjects/" + f.orgCode + "/grade?model=" + ended.ID + "&version=x", Token: f.offB}).problem(t, 400, xinyong.EINVALID)
	e.do(t, req{Path: "/api/v1/subjects/" + f.orgCode + "/grade?model=" + ended.ID + "&version=2", Token: f.offB}).problem(t, 404, xinyong.ENOTFOUND)
	e.do(t, req{Method: "POST", Path: "/api/v1/subjects/" + f.orgCode + "/grade?model=" + ended.ID, Token: admin}).problem(t, 404, xinyong.ENOTFOUND)

	r := e.do(t, req{Path: "/api/v1/grading/export?model=" + ended.ID + "&version=1", Token: admin})
	if r.Status != 200 {
		t.Fatalf("export of the ended model: %s", r)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(r.Body), "\xef\xbb\xbf"))).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][0] != "C" || rows[1][3] != f.orgCode || rows[1][7] != ended.ID || rows[1][8] != "1" {
		t.Errorf("export rows: %v %q", err, rows)
	}
	e.do(t, req{Path: "/api/v1/grading/export?model=" + ended.ID + "&version=0", Token: admin}).problem(t, 400, xinyong.EINVALID)
}
