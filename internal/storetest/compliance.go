package storetest

import (
	"encoding/json"
	"slices"
	"time"

	"xinyong"
)

// The compliance store (issues 7 and 8): counts by department and month of
// late records, refusals (own rows and import row errors), refused
// feedback; the rows behind them; objections by deadline; listings with
// deadlines; publications opening later; clean-up usage; deadline notices
// once; verification jobs.

func month(s string) xinyong.Month {
	m, err := xinyong.ParseMonth(s)
	if err != nil {
		panic(err)
	}
	return m
}

// at returns an instant in Shanghai.
func at(day string, hour int) time.Time {
	d := xinyong.MustDate(day)
	return time.Date(d.Year, d.Month, d.Day, hour, 0, 0, 0, xinyong.Shanghai)
}

func countOf(cs []xinyong.ComplianceCount, dept, m string) int64 {
	for _, c := range cs {
		if c.DepartmentID == dept && c.Month.String() == m {
			return c.N
		}
	}
	return 0
}

// testComplianceCounts: late records and refusals are counted per
// department and month (Shanghai months: 31 May 23:30 UTC is June).
func testComplianceCounts(e *env) {
	t := e.t
	dept, subj := e.seed()
	d2 := department("d2", "11110000000000002B")
	spans := xinyong.SpansOf(xinyong.Months(month("2026-05"), month("2026-06"), 0))
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.CreateDepartment(d2), "CreateDepartment d2")
		mk := func(id, deptID string, late int, sub time.Time) {
			r := record(id, deptID, subj.ID, "WSH-"+id)
			r.Lateness = xinyong.Lateness{Due: xinyong.MustDate("2026-05-10"), Late: late > 0, WorkingDays: late}
			r.SubmittedAt, r.UpdatedAt = sub, sub
			ok(t, tx.InsertRecord(r), "InsertRecord "+id)
		}
		mk("r1", dept.ID, 3, at("2026-05-20", 10))
		mk("r2", dept.ID, 1, at("2026-05-31", 23))                           // 31 May in Shanghai
		mk("r3", dept.ID, 0, at("2026-05-21", 10))                           // on time
		mk("r4", dept.ID, 2, time.Date(2026, 5, 31, 17, 30, 0, 0, time.UTC)) // 1 June 01:30 in Shanghai
		mk("r5", d2.ID, 5, at("2026-06-02", 9))
		mk("r6", d2.ID, 5, at("2026-07-02", 9)) // outside the range
		ok(t, tx.AddIntakeRefusals([]xinyong.IntakeRefusal{
			{ID: "ir1", DepartmentID: dept.ID, At: at("2026-05-03", 9), Channel: "api", Item: "NOPE", Number: "W1", Rule: "catalogue.known", Message: "m", Actor: "account:a1"},
			{ID: "ir2", DepartmentID: dept.ID, At: at("2026-06-03", 9), Channel: "batch", Item: "NOPE", Number: "W2", Rule: "catalogue.in_force", Message: "m2", Actor: "account:a1"},
		}), "AddIntakeRefusals")
		j := importJob("imp1", dept.ID)
		j.CreatedAt = at("2026-06-05", 9)
		ok(t, tx.CreateImport(j), "CreateImport")
		ok(t, tx.AddImportErrors("imp1", []xinyong.FieldError{
			{Row: 2, Field: "CF_XDR_SHXYM", Rule: "catalogue.subject_kind", Message: "not covered"},
			{Row: 3, Field: "CF_WSH", Rule: "record.document", Message: "no number"},
			{Row: 4, Field: "item", Rule: "catalogue.in_force", Message: "retired"},
		}), "AddImportErrors")
	})
	e.view(func(tx xinyong.Tx) {
		late, err := tx.CountLateRecords(spans)
		ok(t, err, "CountLateRecords")
		if countOf(late, dept.ID, "2026-05") != 2 || countOf(late, dept.ID, "2026-06") != 1 || countOf(late, d2.ID, "2026-06") != 1 || len(late) != 3 {
			t.Errorf("CountLateRecords: %+v", late)
		}
		for _, c := range late {
			if c.Kind != xinyong.ViolationLateDisclosure {
				t.Errorf("kind: %+v", c)
			}
		}
		f, to := month("2026-05").Span()
		rs, err := tx.LateRecords(dept.ID, f, to, "", 10)
		ok(t, err, "LateRecords")
		if len(rs) != 2 || rs[0].ID != "r1" || rs[1].ID != "r2" {
			t.Errorf("LateRecords: %d %+v", len(rs), rs)
		}
		rs, err = tx.LateRecords(dept.ID, f, to, "r1", 10)
		ok(t, err, "LateRecords after r1")
		if len(rs) != 1 || rs[0].ID != "r2" {
			t.Errorf("LateRecords after r1: %+v", rs)
		}
		ref, err := tx.CountIntakeRefusals(spans)
		ok(t, err, "CountIntakeRefusals")
		if countOf(ref, dept.ID, "2026-05") != 1 || countOf(ref, dept.ID, "2026-06") != 1 {
			t.Errorf("CountIntakeRefusals: %+v", ref)
		}
		imp, err := tx.CountImportRefusals(spans)
		ok(t, err, "CountImportRefusals")
		if countOf(imp, dept.ID, "2026-06") != 2 || len(imp) != 1 {
			t.Errorf("CountImportRefusals: %+v", imp)
		}
		f6, to6 := month("2026-06").Span()
		rows, err := tx.ImportRefusals(dept.ID, f6, to6, 10)
		ok(t, err, "ImportRefusals")
		if len(rows) != 2 || rows[0].Row != 2 || rows[1].Rule != "catalogue.in_force" || rows[0].ImportID != "imp1" || rows[0].Item != "CF01" {
			t.Errorf("ImportRefusals: %+v", rows)
		}
		irs, err := tx.IntakeRefusals(dept.ID, f, to6, 10)
		ok(t, err, "IntakeRefusals")
		if len(irs) != 2 || irs[0].ID != "ir2" || irs[1].Number != "W1" || irs[1].Rule != "catalogue.known" {
			t.Errorf("IntakeRefusals: %+v", irs)
		}
		sameTime(t, "refusal at", irs[1].At, at("2026-05-03", 9))
		irs, err = tx.IntakeRefusals("d2", f, to6, 10)
		ok(t, err, "IntakeRefusals d2")
		if len(irs) != 0 {
			t.Errorf("IntakeRefusals of d2: %+v", irs)
		}
	})
}

// testComplianceFeedback: refused feedback lines per agency and month, with
// the check's organisation.
func testComplianceFeedback(e *env) {
	t := e.t
	_, subj := e.seed()
	spans := xinyong.SpansOf(xinyong.Months(month("2026-05"), month("2026-06"), 0))
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.AddMeasureCheck(xinyong.MeasureCheck{ID: "chk1", At: at("2026-05-02", 9), Actor: "token:t1", Organisation: "某银行", SubjectID: subj.ID, Result: []byte("[]"), Receipt: []byte("{}")}), "AddMeasureCheck")
		ok(t, tx.AddMeasureFeedback([]xinyong.MeasureFeedback{
			{ID: "f1", CheckID: "chk1", At: at("2026-05-02", 10), Actor: "token:t1", MeasureID: "X", Applied: true, Refused: true, Refusal: "not listed"},
			{ID: "f2", CheckID: "chk1", At: at("2026-05-03", 10), Actor: "token:t1", MeasureID: "Y", Applied: true, Refused: true, Refusal: "not triggered"},
			{ID: "f3", CheckID: "chk1", At: at("2026-05-03", 11), Actor: "token:t1", MeasureID: "Z", Applied: true},
			{ID: "f4", CheckID: "chk9", At: at("2026-06-03", 11), Actor: "account:a9", MeasureID: "Z", Applied: true, Refused: true, Refusal: "x"},
		}), "AddMeasureFeedback")
	})
	e.view(func(tx xinyong.Tx) {
		fc, err := tx.CountRefusedFeedbackBy(spans)
		ok(t, err, "CountRefusedFeedbackBy")
		if len(fc) != 2 {
			t.Fatalf("CountRefusedFeedbackBy: %+v", fc)
		}
		for _, c := range fc {
			switch c.Actor {
			case "token:t1":
				if c.Organisation != "某银行" || c.N != 2 || c.Month.String() != "2026-05" {
					t.Errorf("t1: %+v", c)
				}
			case "account:a9":
				if c.Organisation != "" || c.N != 1 || c.Month.String() != "2026-06" {
					t.Errorf("a9 (check unknown): %+v", c)
				}
			default:
				t.Errorf("unexpected %+v", c)
			}
		}
		f, _ := month("2026-05").Span()
		_, to := month("2026-06").Span()
		lines, err := tx.RefusedFeedbackLines(f, to, nil, 10)
		ok(t, err, "RefusedFeedbackLines")
		if len(lines) != 3 || lines[0].ID != "f4" || lines[2].Organisation != "某银行" || !lines[2].Refused || lines[2].Refusal != "not listed" {
			t.Errorf("RefusedFeedbackLines: %+v", lines)
		}
		// Paged one line at a time, the pages give the same lines in order.
		var paged []string
		var after *xinyong.RefusedFeedback
		for range 5 {
			page, err := tx.RefusedFeedbackLines(f, to, after, 1)
			ok(t, err, "RefusedFeedbackLines page")
			if len(page) == 0 {
				break
			}
			paged = append(paged, page[0].ID)
			after = &page[0]
		}
		if want := []string{lines[0].ID, lines[1].ID, lines[2].ID}; !slices.Equal(paged, want) {
			t.Errorf("RefusedFeedbackLines one at a time: %v, want %v", paged, want)
		}
		n, err := tx.CountFeedbackByMeasure()
		ok(t, err, "CountFeedbackByMeasure")
		equal(t, "CountFeedbackByMeasure", n, map[string]int64{"X": 1, "Y": 1, "Z": 2})
	})
}

// testComplianceDeadlines: objections by deadline range; listings with a
// deadline; records whose publication opens later; clean-up usage.
func testComplianceDeadlines(e *env) {
	t := e.t
	dept, subj := e.seed()
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.InsertObjection(objection("o1", "r1", subj.ID, dept.ID, "2026-05-29", base)), "o1")
		ok(t, tx.InsertObjection(objection("o2", "r1", subj.ID, dept.ID, "2026-06-01", base)), "o2")
		ok(t, tx.InsertObjection(objection("o3", "r1", subj.ID, "d2", "2026-06-15", base)), "o3")
		ok(t, tx.InsertObjection(objection("o4", "r1", subj.ID, dept.ID, "2026-07-01", base)), "o4")
		l1 := listing("l1", subj.ID, dept.ID, base) // proposed: no deadline
		l2 := listing("l2", subj.ID, dept.ID, base)
		l2.State, l2.Objection = xinyong.ListingObjected, &xinyong.ListingObjection{Date: xinyong.MustDate("2026-06-01"), VerifyDeadline: xinyong.MustDate("2026-06-08")}
		l3 := listing("l3", subj.ID, "d2", base)
		l3.State, l3.ListedOn, l3.EndDate = xinyong.ListingListed, xinyong.MustDate("2024-06-01"), xinyong.MustDate("2026-06-01")
		l4 := listing("l4", subj.ID, dept.ID, base)
		l4.State = xinyong.ListingNotified
		l4.ListType = "OTHER"
		for _, l := range []xinyong.Listing{l1, l2, l3, l4} {
			ok(t, tx.InsertListing(l), "InsertListing "+l.ID)
		}
		now := record("p1", dept.ID, subj.ID, "P1")
		later := record("p2", dept.ID, subj.ID, "P2")
		later.Window.Start = xinyong.MustDate("2026-06-10") // opens after the decision (15 January)
		later2 := record("p3", dept.ID, subj.ID, "P3")
		later2.Window.Start = xinyong.MustDate("2026-06-20")
		gone := record("p4", dept.ID, subj.ID, "P4")
		gone.Window.Start = xinyong.MustDate("2026-06-10")
		gone.Status = xinyong.RecordWithdrawn
		unpub := record("p5", dept.ID, subj.ID, "P5")
		unpub.Window = xinyong.Window{Reason: "not published"}
		unpub.Item, unpub.Severity = "XK01", xinyong.SeveritySerious
		for _, r := range []xinyong.Record{now, later, later2, gone, unpub} {
			ok(t, tx.InsertRecord(r), "InsertRecord "+r.ID)
		}
	})
	e.view(func(tx xinyong.Tx) {
		os, err := tx.ObjectionsByDeadline("", xinyong.MustDate("2026-06-01"), xinyong.MustDate("2026-07-01"))
		ok(t, err, "ObjectionsByDeadline")
		if len(os) != 2 || os[0].ID != "o2" || os[1].ID != "o3" {
			t.Errorf("ObjectionsByDeadline: %+v", os)
		}
		os, err = tx.ObjectionsByDeadline(dept.ID, xinyong.MustDate("2026-05-01"), xinyong.MustDate("2026-07-02"))
		ok(t, err, "ObjectionsByDeadline dept")
		if len(os) != 3 {
			t.Errorf("ObjectionsByDeadline of d1: %d", len(os))
		}
		var ids []string
		ok(t, tx.ListingsWithDeadlines("", func(l xinyong.Listing) error { ids = append(ids, l.ID); return nil }), "ListingsWithDeadlines")
		equal(t, "ListingsWithDeadlines", ids, []string{"l2", "l3"})
		ids = nil
		ok(t, tx.ListingsWithDeadlines(dept.ID, func(l xinyong.Listing) error { ids = append(ids, l.ID); return nil }), "ListingsWithDeadlines d1")
		equal(t, "ListingsWithDeadlines d1", ids, []string{"l2"})
		err = tx.ListingsWithDeadlines("", func(xinyong.Listing) error { return errStop })
		if err != errStop {
			t.Errorf("ListingsWithDeadlines callback error: %v", err)
		}

		rs, err := tx.PublicationsOpening(xinyong.Date{}, xinyong.MustDate("2026-06-15"), 10)
		ok(t, err, "PublicationsOpening")
		if len(rs) != 1 || rs[0].ID != "p2" {
			t.Errorf("PublicationsOpening to 15 June: %+v", rs)
		}
		rs, err = tx.PublicationsOpening(xinyong.MustDate("2026-06-10"), xinyong.MustDate("2026-06-30"), 10)
		ok(t, err, "PublicationsOpening after 10 June")
		if len(rs) != 1 || rs[0].ID != "p3" {
			t.Errorf("PublicationsOpening (10 June, 30 June]: %+v", rs)
		}

		has, err := tx.ItemHasRecords("CF01")
		ok(t, err, "ItemHasRecords")
		has2, err := tx.ItemHasRecords("NONE")
		ok(t, err, "ItemHasRecords NONE")
		if !has || has2 {
			t.Errorf("ItemHasRecords: %v %v", has, has2)
		}
		byType, err := tx.CountListingsByType()
		ok(t, err, "CountListingsByType")
		equal(t, "CountListingsByType", byType, map[string]int64{"SXBZXR": 3, "OTHER": 1})
		sev, err := tx.ActiveSeverities()
		ok(t, err, "ActiveSeverities")
		equal(t, "ActiveSeverities", sev, map[xinyong.Severity]bool{xinyong.SeverityGeneral: true, xinyong.SeveritySerious: true})
	})
}

// testComplianceJobs: a deadline notice is stored once; verification jobs
// are replaced by id and listed newest first.
func testComplianceJobs(e *env) {
	t := e.t
	n := xinyong.DeadlineNotice{Kind: xinyong.DeadlineObjection, ObjectID: "o1", Step: "answer", Due: xinyong.MustDate("2026-06-04"), Status: xinyong.DeadlineDueSoon, DepartmentID: "d1", At: base}
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.AddDeadlineNotice(n), "AddDeadlineNotice")
		n2 := n
		n2.Status, n2.At = xinyong.DeadlineOverdue, base.Add(time.Hour)
		ok(t, tx.AddDeadlineNotice(n2), "AddDeadlineNotice overdue")
		n3 := n
		n3.ObjectID, n3.DepartmentID = "o2", "d2"
		ok(t, tx.AddDeadlineNotice(n3), "AddDeadlineNotice d2")
	})
	err := e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.AddDeadlineNotice(n) })
	wantCode(t, err, xinyong.ECONFLICT, "the same notice twice")
	e.view(func(tx xinyong.Tx) {
		ns, err := tx.DeadlineNotices("d1", 10)
		ok(t, err, "DeadlineNotices")
		if len(ns) != 2 || ns[0].Status != xinyong.DeadlineOverdue || ns[1].Due != n.Due || ns[1].Kind != xinyong.DeadlineObjection {
			t.Errorf("DeadlineNotices: %+v", ns)
		}
		sameTime(t, "notice at", ns[1].At, base)
		has, err := tx.HasDeadlineNotice(n)
		ok(t, err, "HasDeadlineNotice")
		n4 := n
		n4.Due = xinyong.MustDate("2026-06-05")
		has4, err := tx.HasDeadlineNotice(n4)
		ok(t, err, "HasDeadlineNotice other due")
		if !has || has4 {
			t.Errorf("HasDeadlineNotice: %v %v", has, has4)
		}
		all, err := tx.DeadlineNotices("", 10)
		ok(t, err, "DeadlineNotices all")
		if len(all) != 3 {
			t.Errorf("all notices: %d", len(all))
		}
	})
	j := xinyong.VerifyJob{ID: "v1", State: xinyong.VerifyRunning, By: "account:a1", Total: 100, StartedAt: Start, UpdatedAt: Start}
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.PutVerifyJob(j), "PutVerifyJob")
		j2 := xinyong.VerifyJob{ID: "v0", State: xinyong.VerifyDone, StartedAt: Start.Add(-time.Hour), UpdatedAt: Start.Add(-time.Hour)}
		ok(t, tx.PutVerifyJob(j2), "PutVerifyJob v0")
	})
	j.State, j.Done, j.OK, j.Report, j.FinishedAt = xinyong.VerifyDone, 100, true, json.RawMessage(`{"size":100,"problems":[]}`), Start.Add(time.Minute)
	e.update(func(tx xinyong.Tx) { ok(t, tx.PutVerifyJob(j), "PutVerifyJob again") })
	e.view(func(tx xinyong.Tx) {
		got, err := tx.VerifyJob("v1")
		ok(t, err, "VerifyJob")
		if got.State != xinyong.VerifyDone || got.Done != 100 || !got.OK || string(got.Report) != `{"size":100,"problems":[]}` {
			t.Errorf("VerifyJob: %+v", got)
		}
		sameTime(t, "started", got.StartedAt, Start)
		sameTime(t, "finished", got.FinishedAt, Start.Add(time.Minute))
		_, err = tx.VerifyJob("nope")
		wantCode(t, err, xinyong.ENOTFOUND, "VerifyJob unknown")
		js, err := tx.VerifyJobs(10)
		ok(t, err, "VerifyJobs")
		if len(js) != 2 || js[0].ID != "v1" {
			t.Errorf("VerifyJobs: %+v", js)
		}
	})
}
