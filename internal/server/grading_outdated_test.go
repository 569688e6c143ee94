package server

import (
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// TestGradeExportRowOutdated: the export's last two columns say whether a
// grade predates a record it counted stopping counting, naming the record,
// the cause and the day (ids only); a current grade leaves them empty.
func TestGradeExportRowOutdated(t *testing.T) {
	m := xinyong.GradingModel{ID: "m1", Grades: []xinyong.GradeBand{{Grade: "A", MinScore: 90}, {Grade: "B"}}}
	r := workflow.GradeRow{Model: m, Grade: xinyong.Grade{Grade: "B", ModelID: "m1", ModelVersion: 1, Source: "evaluation"}, Subject: xinyong.Subject{Code: "X", Kind: xinyong.KindEnterprise}}
	row := gradeExportRowOf(r)
	if len(row) != len(gradeExportHeader) || row[len(row)-2] != "" || row[len(row)-1] != "" {
		t.Fatalf("a current grade: %q", row)
	}
	r.Outdated = true
	r.OutdatedBy = []workflow.StoppedRecord{{Record: "r1", Cause: "repaired", On: xinyong.MustDate("2026-07-02")}, {Record: "r2", Cause: "withdrawn", On: xinyong.MustDate("2026-07-03")}}
	row = gradeExportRowOf(r)
	if len(row) != len(gradeExportHeader) || row[len(row)-2] != "outdated" || row[len(row)-1] != "r1 repaired 2026-07-02; r2 withdrawn 2026-07-03" {
		t.Fatalf("an outdated grade: %q", row)
	}
}
