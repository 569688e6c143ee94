package storetest

import (
	"slices"
	"time"

	"xinyong"
)

func objection(id, recordID, subjectID, deptID string, deadline string, at time.Time) xinyong.Objection {
	return xinyong.Objection{ID: id, RecordID: recordID, SubjectID: subjectID, DepartmentID: deptID, State: xinyong.ObjectionFiled, Version: 1,
		Name: "张三", Contact: "13800000000", Fields: []string{"CF_NR_FK"}, Reasons: "金额有误", Evidence: "决定书",
		FiledOn: xinyong.MustDate("2026-06-01"), Deadline: xinyong.MustDate(deadline), FiledBy: "public", CreatedAt: at, UpdatedAt: at, UpdatedBy: "public"}
}

// testObjections: objections keep every field; each step is a
// compare-and-set on state and version; every version is kept; filters by
// department, subject, record, open and deadline; DisputedRecords names
// the records with an open objection.
func testObjections(e *env) {
	t := e.t
	dept, subj := e.seed()
	o1 := objection("o1", "r1", subj.ID, dept.ID, "2026-06-04", base)
	o2 := objection("o2", "r2", subj.ID, "d2", "2026-06-10", base.Add(time.Hour))
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.InsertObjection(o1), "InsertObjection o1")
		ok(t, tx.InsertObjection(o2), "InsertObjection o2")
	})
	err := e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.InsertObjection(o1) })
	wantCode(t, err, xinyong.ECONFLICT, "InsertObjection of an id stored before")

	e.view(func(tx xinyong.Tx) {
		got, err := tx.Objection("o1")
		ok(t, err, "Objection")
		if got.Reasons != o1.Reasons || got.Deadline != o1.Deadline || got.Contact != o1.Contact || len(got.Fields) != 1 || !got.CreatedAt.Equal(o1.CreatedAt) {
			t.Errorf("Objection: %+v", got)
		}
		_, err = tx.Objection("nope")
		wantCode(t, err, xinyong.ENOTFOUND, "Objection of an unknown id")
		dis, err := tx.DisputedRecords([]string{"r1", "r2", "r3"})
		ok(t, err, "DisputedRecords")
		if len(dis) != 2 || !dis["r1"] || !dis["r2"] {
			t.Errorf("DisputedRecords: %v", dis)
		}
		dis, err = tx.DisputedRecords(nil)
		ok(t, err, "DisputedRecords(nil)")
		if len(dis) != 0 {
			t.Errorf("DisputedRecords(nil): %v", dis)
		}
	})

	next := o1
	next.Version, next.State, next.UpdatedAt = 2, xinyong.ObjectionResolved, base.Add(2*time.Hour)
	next.Resolution = &xinyong.ObjectionResolution{Outcome: xinyong.OutcomeUpheld, Reasons: "准确", Date: xinyong.MustDate("2026-06-02"), By: "account:a1"}
	e.update(func(tx xinyong.Tx) { ok(t, tx.UpdateObjection(next, xinyong.ObjectionFiled, 1), "UpdateObjection") })
	err = e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.UpdateObjection(next, xinyong.ObjectionFiled, 1) })
	wantCode(t, err, xinyong.ECONFLICT, "stale UpdateObjection")
	err = e.s.Update(e.ctx, func(tx xinyong.Tx) error {
		return tx.UpdateObjection(objection("nope", "r1", subj.ID, dept.ID, "2026-06-04", base), xinyong.ObjectionFiled, 1)
	})
	wantCode(t, err, xinyong.ENOTFOUND, "UpdateObjection of an unknown id")

	// Another open objection, filed after o2 with an earlier deadline: the
	// lists put open objections first, soonest deadline first, so that a
	// limited list keeps the most urgent.
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.InsertObjection(objection("o3", "r3", subj.ID, dept.ID, "2026-06-06", base.Add(3*time.Hour))), "InsertObjection o3")
	})
	e.view(func(tx xinyong.Tx) {
		vs, err := tx.ObjectionVersions("o1")
		ok(t, err, "ObjectionVersions")
		if len(vs) != 2 || vs[0].State != xinyong.ObjectionFiled || vs[1].Resolution == nil || vs[1].Resolution.Outcome != xinyong.OutcomeUpheld {
			t.Errorf("ObjectionVersions: %+v", vs)
		}
		_, err = tx.ObjectionVersions("nope")
		wantCode(t, err, xinyong.ENOTFOUND, "ObjectionVersions of an unknown id")
		dis, err := tx.DisputedRecords([]string{"r1", "r2"})
		ok(t, err, "DisputedRecords")
		if len(dis) != 1 || !dis["r2"] {
			t.Errorf("DisputedRecords after resolution: %v", dis)
		}
		for _, c := range []struct {
			name string
			f    xinyong.ObjectionFilter
			want []string
		}{
			{"all: open by deadline, then decided", xinyong.ObjectionFilter{}, []string{"o3", "o2", "o1"}},
			{"department", xinyong.ObjectionFilter{DepartmentID: "d2"}, []string{"o2"}},
			{"department with a decided one", xinyong.ObjectionFilter{DepartmentID: dept.ID}, []string{"o3", "o1"}},
			{"subject", xinyong.ObjectionFilter{SubjectID: subj.ID}, []string{"o3", "o2", "o1"}},
			{"record", xinyong.ObjectionFilter{RecordID: "r1"}, []string{"o1"}},
			{"open", xinyong.ObjectionFilter{Open: true}, []string{"o3", "o2"}},
			{"deadline", xinyong.ObjectionFilter{DeadlineTo: xinyong.MustDate("2026-06-05")}, []string{"o1"}},
			{"open and deadline", xinyong.ObjectionFilter{Open: true, DeadlineTo: xinyong.MustDate("2026-06-05")}, nil},
			{"limit keeps the most urgent", xinyong.ObjectionFilter{Limit: 1}, []string{"o3"}},
			{"open, limit keeps the most urgent", xinyong.ObjectionFilter{Open: true, Limit: 1}, []string{"o3"}},
		} {
			got, err := tx.Objections(c.f)
			ok(t, err, "Objections "+c.name)
			var ids []string
			for _, o := range got {
				ids = append(ids, o.ID)
			}
			if !slices.Equal(ids, c.want) {
				t.Errorf("Objections %s: %v, want %v", c.name, ids, c.want)
			}
		}
	})
}
