package workflow_test

import (
	"context"
	"testing"

	"xinyong"
	"xinyong/internal/pgtest"
	"xinyong/internal/workflow"
)

// newFixtureOn is newFixture on the store db ("" SQLite, else a PostgreSQL
// DSN).
func newFixtureOn(t *testing.T, db string) *fixture {
	t.Helper()
	ctx := context.Background()
	clk := &clock{now: day("2026-06-01")}
	a, _ := openAppIn(t, clk, t.TempDir(), db)
	var err error
	f := &fixture{ctx: ctx, svc: a.Service, clk: clk, admin: xinyong.Actor{Kind: "account", ID: "adm", Name: "admin", Role: xinyong.RoleAdmin}}
	f.deptA, err = a.Service.CreateDepartment(ctx, xinyong.System, workflow.DepartmentInput{Code: uscc(t, "11620100MB0001AA"), Name: "兰州市市场监督管理局", Provides: []string{"XZCF"}})
	if err != nil {
		t.Fatal(err)
	}
	f.deptB, err = a.Service.CreateDepartment(ctx, xinyong.System, workflow.DepartmentInput{Code: uscc(t, "11620100MB0002BB"), Name: "兰州市税务局", Provides: []string{"XZCF"}})
	if err != nil {
		t.Fatal(err)
	}
	f.offA = xinyong.Actor{Kind: "account", ID: "oa", Name: "officer A", Role: xinyong.RoleOfficer, DepartmentID: f.deptA.ID}
	f.offB = xinyong.Actor{Kind: "account", ID: "ob", Name: "officer B", Role: xinyong.RoleOfficer, DepartmentID: f.deptB.ID}
	f.org = uscc(t, "91620100MA74QX3K")
	return f
}

// TestObjectionAPICorrectionsRegistered: DOMAIN.md §7 — the API's
// objection views (GET /api/v1/objections/{id} and the list, and the
// console's list built on it) show the corrected values of the disputed
// record, its content, as the reader sees the record. For the admin or an
// auditor that is the supervision view: once the public no longer sees
// the record (a general penalty past its 1-year maximum), each such read
// is registered before the answer, one entry per subject (the list's two
// objections of one subject, and the console list's naming of the record,
// make one entry). While the public sees the same values nothing is
// registered, and the department's own reads never are. Found by review
// (TestRevObjectionAPICorrectionsUnregistered).
func TestObjectionAPICorrectionsRegistered(t *testing.T) {
	for _, st := range []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "" }},
		{"postgres", func(t *testing.T) string { return pgtest.DSN(t) }},
	} {
		t.Run(st.name, func(t *testing.T) {
			f := newFixtureOn(t, st.db(t))
			r, err := f.penalty(t, f.offA, "兰市监罚〔2026〕801号", "2026-05-04")
			if err != nil {
				t.Fatal(err)
			}
			subj := xinyong.Actor{Kind: "account", ID: "s1", Name: "org", Role: xinyong.RoleSubject, SubjectID: r.SubjectID}
			var ids []string
			for i, fld := range []string{"CF_NR", "CF_WFXW"} {
				o, err := f.svc.FileObjection(f.ctx, subj, r.ID, xinyong.RecordObjectionInput{Fields: []string{fld}, Reasons: "内容有误"})
				if err != nil {
					t.Fatal(i, err)
				}
				if _, err := f.svc.ResolveObjection(f.ctx, f.offA, o.ID, xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeCorrected, Reasons: "经核实更正", Corrections: map[string]string{fld: "更正后的内容" + fld}}); err != nil {
					t.Fatal(i, err)
				}
				ids = append(ids, o.ID)
			}
			auditor := xinyong.Actor{Kind: "account", ID: "aud", Name: "auditor", Role: xinyong.RoleAuditor}
			entries := func() int { return len(supervisionEntries(t, f.svc, r.SubjectID)) }

			// Published: the auditor sees what the public sees.
			if v, _, err := f.svc.Objection(f.ctx, auditor, ids[0]); err != nil || v.Resolution == nil || v.Resolution.Corrections["CF_NR"] == "" {
				t.Fatalf("auditor's view while published: %+v %v", v.Resolution, err)
			}
			if _, err := f.svc.Objections(f.ctx, auditor, xinyong.ObjectionFilter{}, false); err != nil {
				t.Fatal(err)
			}
			if n := entries(); n != 0 {
				t.Errorf("reads of corrected values the public sees too registered: %d entries", n)
			}

			f.clk.Set(day("2027-09-01")) // past the 1-year maximum: no longer public
			// The department's own reads register nothing.
			if v, _, err := f.svc.Objection(f.ctx, f.offA, ids[0]); err != nil || v.Resolution == nil || v.Resolution.Corrections["CF_NR"] == "" {
				t.Fatalf("department's view: %+v %v", v.Resolution, err)
			}
			if _, err := f.svc.Objections(f.ctx, f.offA, xinyong.ObjectionFilter{}, false); err != nil {
				t.Fatal(err)
			}
			if n := entries(); n != 0 {
				t.Errorf("the department's reads of its own record registered: %d entries", n)
			}

			// The auditor's single view: one entry naming the record.
			v, _, err := f.svc.Objection(f.ctx, auditor, ids[0])
			if err != nil {
				t.Fatal(err)
			}
			if v.Resolution == nil || v.Resolution.Corrections["CF_NR"] != "更正后的内容CF_NR" {
				t.Fatalf("auditor's view: %+v", v.Resolution)
			}
			qs := supervisionEntries(t, f.svc, r.SubjectID)
			if len(qs) != 1 || len(qs[0].Records) != 1 || qs[0].Records[0] != r.ID || qs[0].Actor != auditor.Ref() {
				t.Fatalf("the auditor read the corrected content of a record the public no longer sees: entries %+v", qs)
			}
			// The list of two objections of the subject: one more entry.
			os, err := f.svc.Objections(f.ctx, auditor, xinyong.ObjectionFilter{}, false)
			if err != nil || len(os) != 2 {
				t.Fatal(len(os), err)
			}
			if n := entries(); n != 2 {
				t.Errorf("after the auditor's list: %d entries, want 2", n)
			}
			// The console's list (names the record too): one more.
			rows, err := f.svc.ObjectionRows(f.ctx, f.admin, xinyong.ObjectionFilter{}, false)
			if err != nil || len(rows) != 2 {
				t.Fatal(len(rows), err)
			}
			if n := entries(); n != 3 {
				t.Errorf("after the admin's console list: %d entries, want 3 (one per subject)", n)
			}
		})
	}
}
