package storetest

import (
	"slices"
	"strings"
	"time"

	"xinyong"
)

func gradingModel(id string, version int) xinyong.GradingModel {
	return xinyong.NormalizeGradingModel(xinyong.GradingModel{ID: id, Version: version, Name: "模型 " + id, EffectiveFrom: xinyong.MustDate("2026-01-01"),
		LegalBasis: "GB/T 45255-2025", Provenance: xinyong.ProvenanceLocal, CreatedAt: base, CreatedBy: "account:a1",
		Indicators: []xinyong.Indicator{{Code: "P", Name: "行政处罚", Kind: xinyong.IndicatorRecords, Items: []string{"CF01"}, Points: -5}}})
}

// testGrading: model versions (latest, by version, every version);
// grades upserted per subject and model with their explanation; the bulk
// reads of a batch run (subject ids in order, a department's subjects, a
// subject range's records in subject order with the leniency flag from
// the covering index, record details, listed listings, repair outcomes);
// runs keep their cursor and chain; reviews are compare-and-set; the
// reads of a grade's outdated flags (the records and listings a grade
// counted, listings by id in any state).
func testGrading(e *env) {
	t := e.t
	dept, subj := e.seed()
	s2 := subject("s2", "91110000MA0000002X")
	s3 := subject("s3", "91110000MA0000003X")
	r1 := record("r1", dept.ID, subj.ID, "罚字1")
	r2 := record("r2", dept.ID, subj.ID, "罚字2")
	r2.Leniency = xinyong.Leniency{ForceMajeure: true, Reason: "地震"}
	r2.Severity = xinyong.SeveritySerious
	r3 := record("r3", dept.ID, s3.ID, "罚字3")
	r3.Status = xinyong.RecordWithdrawn
	r4 := record("r4", dept.ID, s3.ID, "许字4")
	r4.Item, r4.Kind, r4.Severity = "XK01", "license", ""
	l := listing("l1", s3.ID, dept.ID, base)
	l.State, l.ListedOn = xinyong.ListingListed, xinyong.MustDate("2026-02-01")
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.PutSubject(s2), "PutSubject s2")
		ok(t, tx.PutSubject(s3), "PutSubject s3")
		ok(t, tx.InsertRecords([]xinyong.Record{r1, r2, r3, r4}), "InsertRecords")
		ok(t, tx.InsertListing(l), "InsertListing")
		ok(t, tx.InsertListing(listing("l2", subj.ID, dept.ID, base)), "InsertListing l2 (proposed)")
	})

	// Models.
	m1, m2 := gradingModel("m", 1), gradingModel("m", 2)
	m2.Default = true
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.InsertGradingModel(m1), "InsertGradingModel v1")
		ok(t, tx.InsertGradingModel(m2), "InsertGradingModel v2")
		ok(t, tx.InsertGradingModel(gradingModel("a", 1)), "InsertGradingModel a")
	})
	err := e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.InsertGradingModel(m1) })
	wantCode(t, err, xinyong.ECONFLICT, "InsertGradingModel of a version stored before")
	e.view(func(tx xinyong.Tx) {
		got, err := tx.GradingModel("m", 0)
		ok(t, err, "GradingModel latest")
		if got.Version != 2 || !got.Default || len(got.Indicators) != 1 || got.Indicators[0].Items[0] != "CF01" || !got.CreatedAt.Equal(base) {
			t.Errorf("GradingModel latest: %+v", got)
		}
		got, err = tx.GradingModel("m", 1)
		ok(t, err, "GradingModel v1")
		if got.Version != 1 || got.Default {
			t.Errorf("GradingModel v1: %+v", got)
		}
		_, err = tx.GradingModel("nope", 0)
		wantCode(t, err, xinyong.ENOTFOUND, "GradingModel of an unknown id")
		all, err := tx.GradingModels()
		ok(t, err, "GradingModels")
		if len(all) != 2 || all[0].ID != "a" || all[1].ID != "m" || all[1].Version != 2 {
			t.Errorf("GradingModels: %+v", all)
		}
		vs, err := tx.GradingModelVersions("m")
		ok(t, err, "GradingModelVersions")
		if len(vs) != 2 || vs[0].Version != 1 || vs[1].Version != 2 {
			t.Errorf("GradingModelVersions: %+v", vs)
		}
		_, err = tx.GradingModelVersions("nope")
		wantCode(t, err, xinyong.ENOTFOUND, "GradingModelVersions of an unknown id")
	})

	// Bulk reads.
	e.view(func(tx xinyong.Tx) {
		ids, err := tx.SubjectIDsAfter("", 2)
		ok(t, err, "SubjectIDsAfter")
		equal(t, "SubjectIDsAfter first page", ids, []string{"s1", "s2"})
		ids, err = tx.SubjectIDsAfter("s2", 10)
		ok(t, err, "SubjectIDsAfter")
		equal(t, "SubjectIDsAfter second page", ids, []string{"s3"})
		n, err := tx.CountSubjects()
		ok(t, err, "CountSubjects")
		equal(t, "CountSubjects", n, 3)
		ids, err = tx.DepartmentSubjectIDs(dept.ID)
		ok(t, err, "DepartmentSubjectIDs")
		equal(t, "DepartmentSubjectIDs", ids, []string{"s1", "s3"})

		type row struct {
			subj, id string
			st       xinyong.RecordStatus
			sev      xinyong.Severity
			lenient  bool
		}
		var got []row
		collect := func(s string, r xinyong.GradingRecord, lenient bool) error {
			if r.Decision != xinyong.NewDate(2026, 1, 15) || r.Item != "CF01" {
				t.Errorf("grading record %s: %+v", r.ID, r)
			}
			got = append(got, row{s, r.ID, r.Status, r.Severity, lenient})
			return nil
		}
		ok(t, tx.GradingRecordsBetween("", "", []string{"CF01"}, collect), "GradingRecordsBetween all")
		for i := 1; i < len(got); i++ {
			if got[i].subj < got[i-1].subj {
				t.Errorf("GradingRecordsBetween: not in subject order: %+v", got)
			}
		}
		slices.SortFunc(got, func(a, b row) int {
			if a.subj != b.subj {
				return strings.Compare(a.subj, b.subj)
			}
			return strings.Compare(a.id, b.id)
		})
		equal(t, "GradingRecordsBetween all", got, []row{{"s1", "r1", xinyong.RecordActive, xinyong.SeverityGeneral, false}, {"s1", "r2", xinyong.RecordActive, xinyong.SeveritySerious, true}, {"s3", "r3", xinyong.RecordWithdrawn, xinyong.SeverityGeneral, false}})
		got = nil
		ok(t, tx.GradingRecordsBetween("s1", "s3", []string{"CF01", "XK01"}, func(s string, r xinyong.GradingRecord, l bool) error {
			got = append(got, row{s, r.ID, r.Status, r.Severity, l})
			return nil
		}), "GradingRecordsBetween (s1, s3]")
		if len(got) != 2 || got[0].subj != "s3" || got[1].subj != "s3" {
			t.Errorf("GradingRecordsBetween (s1, s3]: %+v", got)
		}
		got = nil
		ok(t, tx.GradingRecordsBetween("", "s2", []string{"CF01"}, func(s string, r xinyong.GradingRecord, l bool) error {
			got = append(got, row{s, r.ID, r.Status, r.Severity, l})
			return nil
		}), "GradingRecordsBetween ('', s2]")
		if len(got) != 2 {
			t.Errorf("GradingRecordsBetween ('', s2]: %+v", got)
		}
		got = nil
		ok(t, tx.GradingRecordsOf([]string{"s3", "s2"}, []string{"CF01"}, func(s string, r xinyong.GradingRecord, l bool) error {
			got = append(got, row{s, r.ID, r.Status, r.Severity, l})
			return nil
		}), "GradingRecordsOf")
		equal(t, "GradingRecordsOf", got, []row{{"s3", "r3", xinyong.RecordWithdrawn, xinyong.SeverityGeneral, false}})
		err = tx.GradingRecordsBetween("", "", []string{"CF01"}, func(string, xinyong.GradingRecord, bool) error { return errStop })
		if err != errStop {
			t.Errorf("GradingRecordsBetween: the callback's error is returned, got %v", err)
		}
		det, err := tx.GradingRecordDetails([]string{"r2", "r3", "nope"})
		ok(t, err, "GradingRecordDetails")
		if len(det) != 2 || !det["r2"].Leniency.ForceMajeure || det["r2"].Fields["CF_SY"] == "" || det["r3"].Status != xinyong.RecordWithdrawn {
			t.Errorf("GradingRecordDetails: %+v", det)
		}
		ls, err := tx.ListedListings(nil)
		ok(t, err, "ListedListings")
		if len(ls) != 1 || len(ls["s3"]) != 1 || ls["s3"][0].ID != "l1" || ls["s3"][0].ListedOn != xinyong.MustDate("2026-02-01") {
			t.Errorf("ListedListings: %+v", ls)
		}
		ls, err = tx.ListedListings([]string{"s1"})
		ok(t, err, "ListedListings of s1")
		if len(ls) != 0 {
			t.Errorf("ListedListings of s1 (proposed only): %+v", ls)
		}
		rep, err := tx.RepairOutcomes(nil)
		ok(t, err, "RepairOutcomes")
		rep2, err := tx.RepairOutcomes([]string{"r1"})
		ok(t, err, "RepairOutcomes of r1")
		if len(rep) != 0 || len(rep2) != 0 {
			t.Errorf("RepairOutcomes: %v %v", rep, rep2)
		}
	})

	// Grades: upsert per (model, subject).
	g := func(s, grade string, score float64) xinyong.Grade {
		return xinyong.Grade{SubjectID: s, ModelID: "m", ModelVersion: 2, Grade: grade, Score: score, On: xinyong.MustDate("2026-03-01"), LedgerSize: 9, RunID: "run1", Source: "evaluation", ComputedAt: Start,
			Explanation: xinyong.GradeExplanation{Base: 100, ScoreGrade: grade, Indicators: []xinyong.IndicatorScore{{Code: "P", Count: 1, Points: -5, Records: []string{"r1"}}}}}
	}
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.PutGrades([]xinyong.Grade{g("s1", "B", 95), g("s2", "A", 100), g("s3", "D", 0)}), "PutGrades")
		ok(t, tx.PutGrades(nil), "PutGrades(nil)")
	})
	many := make([]xinyong.Grade, 0, 250)
	for i := range 250 {
		x := g("s1", "C", float64(i))
		x.ModelID = "bulk" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		many = append(many, x)
	}
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.PutGrades([]xinyong.Grade{g("s1", "A", 99.5)}), "PutGrades again (upsert)")
		ok(t, tx.PutGrades(many), "PutGrades 250 rows")
	})
	e.view(func(tx xinyong.Tx) {
		got, err := tx.Grade("s1", "m")
		ok(t, err, "Grade")
		if got.Grade != "A" || got.Score != 99.5 || got.ModelVersion != 2 || got.LedgerSize != 9 || got.RunID != "run1" || got.On != xinyong.MustDate("2026-03-01") ||
			len(got.Explanation.Indicators) != 1 || got.Explanation.Indicators[0].Records[0] != "r1" {
			t.Errorf("Grade: %+v", got)
		}
		sameTime(t, "Grade.ComputedAt", got.ComputedAt, Start)
		_, err = tx.Grade("s1", "nope")
		wantCode(t, err, xinyong.ENOTFOUND, "Grade under an unknown model")
		gs, err := tx.GradesOf("s1")
		ok(t, err, "GradesOf")
		if len(gs) != 251 {
			t.Errorf("GradesOf: %d grades", len(gs))
		}
		counts, err := tx.GradeCounts("m")
		ok(t, err, "GradeCounts")
		equal(t, "GradeCounts", counts, map[string]int{"A": 2, "D": 1})
		var exp []string
		ok(t, tx.ExportGrades("m", dept.ID, func(g xinyong.Grade, s xinyong.Subject) error {
			exp = append(exp, g.Grade+" "+s.Code+" "+s.Name)
			return nil
		}), "ExportGrades")
		equal(t, "ExportGrades of the department", exp, []string{"A " + subj.Code + " " + subj.Name, "D " + s3.Code + " " + s3.Name})
		exp = nil
		ok(t, tx.ExportGrades("m", "", func(g xinyong.Grade, s xinyong.Subject) error {
			exp = append(exp, g.Grade+" "+s.ID)
			return nil
		}), "ExportGrades all")
		equal(t, "ExportGrades all", exp, []string{"A s1", "A s2", "D s3"})
	})

	// Runs.
	run := xinyong.GradingRun{ID: "run1", ModelID: "m", ModelVersion: 2, Scope: "all", On: xinyong.MustDate("2026-03-01"), State: xinyong.RunRunning, Total: 3,
		Counts: map[string]int{}, By: "account:a1", StartedAt: base, UpdatedAt: base}
	e.update(func(tx xinyong.Tx) { ok(t, tx.InsertGradingRun(run), "InsertGradingRun") })
	run.Done, run.Cursor, run.Chain, run.Counts["A"], run.UpdatedAt = 2, "s2", "abcd", 2, base.Add(time.Minute)
	e.update(func(tx xinyong.Tx) { ok(t, tx.UpdateGradingRun(run), "UpdateGradingRun") })
	err = e.s.Update(e.ctx, func(tx xinyong.Tx) error { r := run; r.ID = "nope"; return tx.UpdateGradingRun(r) })
	wantCode(t, err, xinyong.ENOTFOUND, "UpdateGradingRun of an unknown id")
	e.update(func(tx xinyong.Tx) {
		r2 := run
		r2.ID, r2.StartedAt = "run2", base.Add(time.Hour)
		ok(t, tx.InsertGradingRun(r2), "InsertGradingRun run2")
	})
	e.view(func(tx xinyong.Tx) {
		got, err := tx.GradingRun("run1")
		ok(t, err, "GradingRun")
		if got.Done != 2 || got.Cursor != "s2" || got.Chain != "abcd" || got.Counts["A"] != 2 || got.Total != 3 {
			t.Errorf("GradingRun: %+v", got)
		}
		sameTime(t, "GradingRun.UpdatedAt", got.UpdatedAt, base.Add(time.Minute))
		_, err = tx.GradingRun("nope")
		wantCode(t, err, xinyong.ENOTFOUND, "GradingRun of an unknown id")
		rs, err := tx.GradingRuns(10)
		ok(t, err, "GradingRuns")
		if len(rs) != 2 || rs[0].ID != "run2" {
			t.Errorf("GradingRuns: latest first: %+v", rs)
		}
	})

	// Reviews.
	rv := xinyong.GradeReview{ID: "v1", SubjectID: "s1", ModelID: "m", ModelVersion: 2, State: xinyong.ReviewFiled, Version: 1, Grade: "B", Score: 95,
		GradeOn: xinyong.MustDate("2026-03-01"), Reasons: "有误", FiledOn: xinyong.MustDate("2026-03-02"), Deadline: xinyong.MustDate("2026-03-16"), FiledBy: "account:s", CreatedAt: base, UpdatedAt: base}
	other := rv
	other.ID, other.SubjectID, other.DepartmentID = "v2", "s2", dept.ID
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.InsertGradeReview(rv), "InsertGradeReview")
		ok(t, tx.InsertGradeReview(other), "InsertGradeReview v2")
	})
	err = e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.InsertGradeReview(rv) })
	wantCode(t, err, xinyong.ECONFLICT, "InsertGradeReview of an id stored before")
	dec := rv
	dec.State, dec.Version = xinyong.ReviewDecided, 2
	dec.Decision = &xinyong.ReviewDecision{Outcome: xinyong.ReviewUpheld, Grade: "B", Reasons: "准确", Date: xinyong.MustDate("2026-03-03"), By: "account:a1"}
	e.update(func(tx xinyong.Tx) { ok(t, tx.UpdateGradeReview(dec, xinyong.ReviewFiled, 1), "UpdateGradeReview") })
	err = e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.UpdateGradeReview(dec, xinyong.ReviewFiled, 1) })
	wantCode(t, err, xinyong.ECONFLICT, "stale UpdateGradeReview")
	err = e.s.Update(e.ctx, func(tx xinyong.Tx) error {
		d := dec
		d.ID = "nope"
		return tx.UpdateGradeReview(d, xinyong.ReviewFiled, 1)
	})
	wantCode(t, err, xinyong.ENOTFOUND, "UpdateGradeReview of an unknown id")
	e.view(func(tx xinyong.Tx) {
		got, err := tx.GradeReview("v1")
		ok(t, err, "GradeReview")
		if got.State != xinyong.ReviewDecided || got.Decision == nil || got.Decision.Reasons != "准确" || got.Deadline != rv.Deadline {
			t.Errorf("GradeReview: %+v", got)
		}
		_, err = tx.GradeReview("nope")
		wantCode(t, err, xinyong.ENOTFOUND, "GradeReview of an unknown id")
		empty := ""
		for _, c := range []struct {
			name string
			f    xinyong.GradeReviewFilter
			want []string
		}{
			{"all", xinyong.GradeReviewFilter{}, []string{"v1", "v2"}},
			{"subject", xinyong.GradeReviewFilter{SubjectID: "s2"}, []string{"v2"}},
			{"open", xinyong.GradeReviewFilter{Open: true}, []string{"v2"}},
			{"credit office", xinyong.GradeReviewFilter{DepartmentID: &empty}, []string{"v1"}},
			{"department", xinyong.GradeReviewFilter{DepartmentID: &dept.ID}, []string{"v2"}},
		} {
			rs, err := tx.GradeReviews(c.f)
			ok(t, err, "GradeReviews "+c.name)
			var ids []string
			for _, r := range rs {
				ids = append(ids, r.ID)
			}
			equal(t, "GradeReviews "+c.name, ids, c.want)
		}
	})

	// Outdated flags: the records and listings a grade counted, in
	// explanation order, and the listings read back by id whatever their
	// state (an unknown id left out).
	lg := g("s3", "D", 0)
	lg.ModelID = "lm"
	lg.Explanation.Indicators = []xinyong.IndicatorScore{{Code: "P", Count: 1, Points: -5, Records: []string{"r3"}}, {Code: "L", Count: 3, Points: -300, Listings: []string{"l1", "l2", "nope"}}}
	e.update(func(tx xinyong.Tx) { ok(t, tx.PutGrades([]xinyong.Grade{lg}), "PutGrades under lm") })
	e.view(func(tx xinyong.Tx) {
		gc, err := tx.GradeCountedAfter("lm", "", "", 10)
		ok(t, err, "GradeCountedAfter")
		equal(t, "GradeCountedAfter", gc, []xinyong.GradeCounted{{SubjectID: "s3", ModelVersion: 2, Records: []string{"r3"}, Listings: []string{"l1", "l2", "nope"}}})
		ls, err := tx.GradedListings([]string{"l1", "l2", "nope"})
		ok(t, err, "GradedListings")
		if len(ls) != 2 || ls["l1"].State != xinyong.ListingListed || ls["l1"].SubjectID != "s3" || ls["l1"].ListedOn != xinyong.MustDate("2026-02-01") || ls["l2"].State != xinyong.ListingProposed {
			t.Errorf("GradedListings: %+v", ls)
		}
		ls, err = tx.GradedListings(nil)
		ok(t, err, "GradedListings(nil)")
		if len(ls) != 0 {
			t.Errorf("GradedListings(nil): %+v", ls)
		}
	})
}
