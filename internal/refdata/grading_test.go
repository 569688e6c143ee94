package refdata_test

import (
	"testing"

	"xinyong"
	"xinyong/internal/refdata"
)

func TestGradingModels(t *testing.T) {
	ms, err := refdata.GradingModels()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || !ms[0].Default || ms[0].Provenance != xinyong.ProvenanceUnconfirmed || len(ms[0].Grades) != 4 || ms[0].Source == "" {
		t.Fatalf("default model: %+v", ms)
	}
	// A serious penalty in the last 36 months: 50 points off, grade C.
	m := ms[0]
	r := xinyong.Evaluate(m, xinyong.GradeInput{Records: []xinyong.GradingRecord{{ID: "r", Item: "XZCF", Status: xinyong.RecordActive, Decision: xinyong.MustDate("2026-01-01"), Severity: xinyong.SeveritySerious}}}, xinyong.MustDate("2026-06-30"))
	if r.Grade != "D" || r.Score != 50 {
		t.Errorf("one serious penalty: %s %v", r.Grade, r.Score)
	}
	set, err := refdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	bad := []byte(`{"source":"x","models":[{"id":"x","name":"x","effective_from":"2025-01-01","legal_basis":"x","provenance":"local","indicators":[{"code":"A","name":"a","kind":"records","items":["NOPE"],"points":-1}]}]}`)
	if _, err := refdata.ParseGradingModels(bad, set); xinyong.ErrorCode(err) != xinyong.EINVALID {
		t.Errorf("a model reading an item outside the catalogue: %v", err)
	}
}
