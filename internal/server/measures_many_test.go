package server

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

// TestMeasuresCheckManyRecords: the measures check reads every active
// record of the subject. A subject with more than MaxProfileRecords general
// records and one serious record gets the same measures as a subject with
// one of each (issue 6: the applicable measures with the records that
// trigger each; a cap on the records read dropped the serious one, which
// sorts last, and with it the measures reserved for serious records).
func TestMeasuresCheckManyRecords(t *testing.T) {
	f := newSharing(t)
	e := f.e
	recent := xinyong.DateOf(time.Now()).AddDays(-20)
	submit := func(code, name string, ins []xinyong.RecordInput) {
		t.Helper()
		r := e.do(t, req{Method: "POST", Path: "/api/v1/records:batch", Token: f.offA, Body: map[string]any{"mode": "atomic", "records": ins}})
		if r.Status != 200 && r.Status != 201 {
			t.Fatalf("batch for %s: %s", name, r)
		}
	}
	serious := func(code, name, number string) xinyong.RecordInput {
		in := penaltyInput(t, code, name, number)
		in.Document.DecisionDate = recent
		in.Severity = "serious"
		return in
	}
	general := func(code, name, number string) xinyong.RecordInput {
		in := penaltyInput(t, code, name, number)
		in.Document.DecisionDate = recent
		return in
	}
	// The reference subject: one general and one serious record.
	small, smallName := uscc(t, "91620100MA74QX4R"), "兰州参照商贸有限公司"
	submit(small, smallName, []xinyong.RecordInput{general(small, smallName, "兰市监罚〔2026〕900号"), serious(small, smallName, "兰市监罚〔2026〕901号")})
	// The large subject: more general records than a profile reads, then
	// one serious record.
	big, bigName := uscc(t, "91620100MA74QX5W"), "兰州大量记录商贸有限公司"
	var ins []xinyong.RecordInput
	for i := range workflow.MaxProfileRecords + 1 {
		ins = append(ins, general(big, bigName, fmt.Sprintf("兰市监罚〔2026〕G%05d号", i)))
	}
	submit(big, bigName, ins)
	submit(big, bigName, []xinyong.RecordInput{serious(big, bigName, "兰市监罚〔2026〕S00001号")})

	measures := func(code string) []string {
		var ids []string
		for _, m := range f.check(t, code).Measures {
			ids = append(ids, m.MeasureID)
		}
		slices.Sort(ids)
		return ids
	}
	want, got := measures(small), measures(big)
	if len(want) < 2 {
		t.Fatalf("reference subject's measures = %v: the fixture needs a measure reserved for serious records", want)
	}
	if !slices.Equal(got, want) {
		t.Errorf("measures of a subject with %d general records and one serious = %v, want %v (as one general and one serious)", workflow.MaxProfileRecords+1, got, want)
	}
}
