package sqlstore_test

import (
	"path/filepath"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/sqlite"
	"xinyong/internal/sqlstore"
)

// TestOfficerSubjectViewPlan: a department officer's view of one subject
// (the department's records of the subject, in id order; GET
// /api/v1/records?subject_id= with an officer's token) is answered from
// the index on (department_id, subject_id, id), so that only the rows
// answered are read. Through record_subject_id every record row of the
// subject was read to drop the other departments' ones (migration 0018).
func TestOfficerSubjectViewPlan(t *testing.T) {
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "x.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		f     xinyong.RecordFilter
		index string
	}{
		{"officer's view of a subject", xinyong.RecordFilter{DepartmentID: "d", SubjectID: "s", Limit: 100}, "record_department_subject_id (department_id=? AND subject_id=?)"},
		{"officer's next page of a subject", xinyong.RecordFilter{DepartmentID: "d", SubjectID: "s", AfterID: "r", Limit: 100}, "record_department_subject_id (department_id=? AND subject_id=? AND id>?)"},
		{"supervision's view of a subject", xinyong.RecordFilter{SubjectID: "s", Limit: 100}, "record_subject_id (subject_id=?)"},
	} {
		q, args := sqlstore.ListRecordsQuery("id, data", c.f)
		rows, err := db.R.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		got := strings.Join(plan, "; ")
		if !strings.Contains(got, "USING INDEX "+c.index) && !strings.Contains(got, "USING COVERING INDEX "+c.index) {
			t.Errorf("%s: plan %q does not search %s", c.name, got, c.index)
		}
		if strings.Contains(got, "TEMP B-TREE") {
			t.Errorf("%s: plan %q sorts: the index should give the id order", c.name, got)
		}
	}
}
