package storetest

import (
	"encoding/json"
	"fmt"
	"time"

	"xinyong"
)

// next returns r as its next version, changed.
func next(r xinyong.Record, change func(*xinyong.Record)) xinyong.Record {
	n := r
	n.Fields = map[string]string{}
	for k, v := range r.Fields {
		n.Fields[k] = v
	}
	n.Version++
	n.UpdatedAt = r.UpdatedAt.Add(time.Hour)
	n.LedgerIdx = r.LedgerIdx + 10
	n.Content = []byte(fmt.Sprintf(`{"id":%q,"v":%d}`, r.ID, n.Version))
	if change != nil {
		change(&n)
	}
	return n
}

func testRecords(e *env) {
	t := e.t
	dept, subj := e.seed()
	v1 := record("r1", dept.ID, subj.ID, "京市监罚〔2026〕1号")
	v1.Leniency = xinyong.Leniency{FirstMinor: true, Reason: "首违"}
	v1.Dropped = []string{"XX"}
	e.update(func(tx xinyong.Tx) { ok(t, tx.InsertRecord(v1), "InsertRecord") })
	e.view(func(tx xinyong.Tx) {
		got, err := tx.Record("r1")
		ok(t, err, "Record")
		equal(t, "Record", got, v1)
		got, err = tx.RecordByDocKey(dept.ID, "penalty", v1.Document.Number)
		ok(t, err, "RecordByDocKey")
		equal(t, "RecordByDocKey", got, v1)
		_, err = tx.RecordByDocKey(dept.ID, "license", v1.Document.Number)
		wantCode(t, err, xinyong.ENOTFOUND, "RecordByDocKey of another kind")
		_, err = tx.RecordByDocKey("d2", "penalty", v1.Document.Number)
		wantCode(t, err, xinyong.ENOTFOUND, "RecordByDocKey of another department")
		vs, err := tx.RecordVersions("r1")
		ok(t, err, "RecordVersions")
		equal(t, "RecordVersions of a new record", vs, []xinyong.Record{v1})
	})
	for name, r := range map[string]xinyong.Record{
		"the same id":           record("r1", dept.ID, subj.ID, "another number"),
		"the same document key": record("r2", dept.ID, subj.ID, v1.Document.Number),
	} {
		err := e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.InsertRecord(r) })
		wantCode(t, err, xinyong.ECONFLICT, "InsertRecord with "+name)
	}
	// The same number of another kind is another record.
	lic := record("r3", dept.ID, subj.ID, v1.Document.Number)
	lic.Kind, lic.Item, lic.Severity, lic.Window, lic.Content, lic.Salt = "license", "XK01", "", xinyong.Window{}, nil, nil
	e.update(func(tx xinyong.Tx) { ok(t, tx.InsertRecord(lic), "InsertRecord license") })

	v2 := next(v1, func(r *xinyong.Record) {
		r.Fields["CF_FK"] = "2.0"
		r.Severity = xinyong.SeveritySerious
		r.Window.MaxEnd = r.Window.Start.AddMonths(12)
	})
	e.update(func(tx xinyong.Tx) { ok(t, tx.UpdateRecord(v2), "UpdateRecord v2") })
	v3 := next(v2, func(r *xinyong.Record) {
		r.Status = xinyong.RecordWithdrawn
		r.Withdrawal = &xinyong.Withdrawal{At: base.Add(3 * time.Hour), Reason: "revoked", By: "account:a1"}
		r.Window = xinyong.Window{Reason: "withdrawn"}
	})
	e.update(func(tx xinyong.Tx) { ok(t, tx.UpdateRecord(v3), "UpdateRecord v3") })
	e.view(func(tx xinyong.Tx) {
		got, err := tx.Record("r1")
		ok(t, err, "Record after updates")
		equal(t, "Record after updates", got, v3)
		got, err = tx.RecordByDocKey(dept.ID, "penalty", v1.Document.Number)
		ok(t, err, "RecordByDocKey after updates")
		equal(t, "RecordByDocKey after updates", got, v3)
		vs, err := tx.RecordVersions("r1")
		ok(t, err, "RecordVersions")
		equal(t, "RecordVersions (old versions, then current)", vs, []xinyong.Record{v1, v2, v3})
		got, err = tx.Record("r3")
		ok(t, err, "Record r3")
		equal(t, "untouched record of another kind", got, lic)
		// The stored documents are the JSON of the records ListRecords
		// decodes, byte for byte (a new record, a withdrawn third version,
		// a licence without a window), in the same order.
		for _, f := range []xinyong.RecordFilter{{SubjectID: subj.ID}, {SubjectID: subj.ID, Status: xinyong.RecordActive}, {DepartmentID: dept.ID, Limit: 1}, {AfterID: "r1"}} {
			recs, err := tx.ListRecords(f)
			ok(t, err, "ListRecords")
			docs, err := tx.ListRecordDocs(f)
			ok(t, err, "ListRecordDocs")
			if len(docs) != len(recs) {
				t.Fatalf("ListRecordDocs(%+v): %d documents, ListRecords %d records", f, len(docs), len(recs))
			}
			for i, r := range recs {
				want, _ := json.Marshal(r)
				if docs[i].ID != r.ID || string(docs[i].Doc) != string(want) {
					t.Errorf("ListRecordDocs(%+v)[%d] = %s %s\nwant the JSON of ListRecords' record %s %s", f, i, docs[i].ID, docs[i].Doc, r.ID, want)
				}
			}
		}
	})
	// Stale: a version based on v1 again.
	stale := next(v1, nil)
	err := e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.UpdateRecord(stale) })
	wantCode(t, err, xinyong.ECONFLICT, "UpdateRecord with a stale version")
	// Skipping a version is as stale.
	skip := next(v3, nil)
	skip.Version++
	err = e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.UpdateRecord(skip) })
	wantCode(t, err, xinyong.ECONFLICT, "UpdateRecord skipping a version")
	e.view(func(tx xinyong.Tx) {
		vs, err := tx.RecordVersions("r1")
		ok(t, err, "RecordVersions after stale updates")
		equal(t, "RecordVersions after stale updates", vs, []xinyong.Record{v1, v2, v3})
	})
	// A record's department and subject must exist.
	for name, r := range map[string]xinyong.Record{
		"department": record("r8", "ghost", subj.ID, "N8"),
		"subject":    record("r9", dept.ID, "ghost", "N9"),
	} {
		if err := e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.InsertRecord(r) }); err == nil {
			t.Errorf("InsertRecord with a missing %s succeeded", name)
		}
	}
}

// testRecordStaleUpdate: a refused stale update leaves nothing behind in
// its transaction, so the caller may go on with the right version.
func testRecordStaleUpdate(e *env) {
	t := e.t
	dept, subj := e.seed()
	v1 := record("r1", dept.ID, subj.ID, "N1")
	v2 := next(v1, nil)
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.InsertRecord(v1), "InsertRecord")
		ok(t, tx.UpdateRecord(v2), "UpdateRecord v2")
	})
	v3 := next(v2, func(r *xinyong.Record) { r.SubjectName = "v3" })
	e.update(func(tx xinyong.Tx) {
		wantCode(t, tx.UpdateRecord(next(v1, nil)), xinyong.ECONFLICT, "stale UpdateRecord")
		ok(t, tx.UpdateRecord(v3), "UpdateRecord v3 after a refused stale one")
	})
	e.view(func(tx xinyong.Tx) {
		vs, err := tx.RecordVersions("r1")
		ok(t, err, "RecordVersions")
		equal(t, "RecordVersions", vs, []xinyong.Record{v1, v2, v3})
		n := 0
		ok(t, tx.RecordContents(func(c xinyong.RecordContent) error { n++; return nil }), "RecordContents")
		equal(t, "stored versions", n, 3)
	})
}

// testRecordVersionsKeepStatus: an old version keeps the status it had.
func testRecordVersionsKeepStatus(e *env) {
	t := e.t
	dept, subj := e.seed()
	v1 := record("r1", dept.ID, subj.ID, "N1")
	v2 := next(v1, func(r *xinyong.Record) {
		r.Status = xinyong.RecordWithdrawn
		r.Withdrawal = &xinyong.Withdrawal{At: base, Reason: "voided", By: "account:a1"}
	})
	v3 := next(v2, func(r *xinyong.Record) { r.Content, r.Salt = nil, nil }) // erased
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.InsertRecord(v1), "InsertRecord")
		ok(t, tx.UpdateRecord(v2), "UpdateRecord")
		ok(t, tx.UpdateRecord(v3), "UpdateRecord")
	})
	e.view(func(tx xinyong.Tx) {
		vs, err := tx.RecordVersions("r1")
		ok(t, err, "RecordVersions")
		equal(t, "RecordVersions", vs, []xinyong.Record{v1, v2, v3})
	})
}

func testListRecords(e *env) {
	t := e.t
	d1, d2 := department("d1", "C1"), department("d2", "C2")
	s1, s2 := subject("s1", "K1"), subject("s2", "K2")
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.CreateDepartment(d1), "CreateDepartment")
		ok(t, tx.CreateDepartment(d2), "CreateDepartment")
		ok(t, tx.PutSubject(s1), "PutSubject")
		ok(t, tx.PutSubject(s2), "PutSubject")
		ok(t, tx.CreateImport(importJob("j1", "d1")), "CreateImport")
	})
	// Ids in insertion order differ from id order.
	spec := []struct {
		id, dept, subj, item, imp string
		status                    xinyong.RecordStatus
	}{
		{"r05", "d1", "s1", "CF01", "j1", xinyong.RecordActive},
		{"r02", "d1", "s2", "XK01", "", xinyong.RecordActive},
		{"r09", "d2", "s1", "CF01", "", xinyong.RecordWithdrawn},
		{"r01", "d2", "s2", "CF01", "", xinyong.RecordActive},
		{"r07", "d1", "s1", "CF01", "j1", xinyong.RecordWithdrawn},
		{"r03", "d1", "s1", "XK01", "j1", xinyong.RecordActive},
	}
	byID := map[string]xinyong.Record{}
	e.update(func(tx xinyong.Tx) {
		for _, s := range spec {
			r := record(s.id, s.dept, s.subj, "N-"+s.id)
			r.Item, r.ImportID, r.Status = s.item, s.imp, s.status
			ok(t, tx.InsertRecord(r), "InsertRecord")
			byID[s.id] = r
		}
	})
	recs := func(ids ...string) []xinyong.Record {
		out := []xinyong.Record{}
		for _, id := range ids {
			out = append(out, byID[id])
		}
		return out
	}
	list := func(tx xinyong.Tx, f xinyong.RecordFilter) []xinyong.Record {
		t.Helper()
		got, err := tx.ListRecords(f)
		ok(t, err, "ListRecords")
		if got == nil {
			got = []xinyong.Record{}
		}
		return got
	}
	e.view(func(tx xinyong.Tx) {
		for _, tt := range []struct {
			name string
			f    xinyong.RecordFilter
			want []xinyong.Record
		}{
			{"all", xinyong.RecordFilter{}, recs("r01", "r02", "r03", "r05", "r07", "r09")},
			{"department", xinyong.RecordFilter{DepartmentID: "d2"}, recs("r01", "r09")},
			{"subject", xinyong.RecordFilter{SubjectID: "s1"}, recs("r03", "r05", "r07", "r09")},
			{"item", xinyong.RecordFilter{Item: "XK01"}, recs("r02", "r03")},
			{"import", xinyong.RecordFilter{ImportID: "j1"}, recs("r03", "r05", "r07")},
			{"status", xinyong.RecordFilter{Status: xinyong.RecordWithdrawn}, recs("r07", "r09")},
			{"combined", xinyong.RecordFilter{DepartmentID: "d1", SubjectID: "s1", Item: "CF01", Status: xinyong.RecordActive}, recs("r05")},
			{"after", xinyong.RecordFilter{AfterID: "r03"}, recs("r05", "r07", "r09")},
			{"after with filter", xinyong.RecordFilter{SubjectID: "s1", AfterID: "r05"}, recs("r07", "r09")},
			{"limit", xinyong.RecordFilter{Limit: 2}, recs("r01", "r02")},
			{"none", xinyong.RecordFilter{DepartmentID: "d9"}, recs()},
		} {
			equal(t, "ListRecords "+tt.name, list(tx, tt.f), tt.want)
		}
		// Keyset pagination walks every record once, in id order.
		for _, f := range []xinyong.RecordFilter{{Limit: 2}, {Limit: 4}, {Limit: 1, SubjectID: "s1"}} {
			var walked []xinyong.Record
			for page := 0; ; page++ {
				got := list(tx, f)
				if len(got) > f.Limit {
					t.Fatalf("page of %d records with limit %d", len(got), f.Limit)
				}
				walked = append(walked, got...)
				if len(got) < f.Limit || page > 10 {
					break
				}
				f.AfterID = got[len(got)-1].ID
			}
			want := recs("r01", "r02", "r03", "r05", "r07", "r09")
			if f.SubjectID != "" {
				want = recs("r03", "r05", "r07", "r09")
			}
			equal(t, fmt.Sprintf("pages of %d", f.Limit), walked, want)
		}
	})
}

func testRecordContents(e *env) {
	t := e.t
	dept, subj := e.seed()
	a1 := record("a", dept.ID, subj.ID, "Na")
	a2 := next(a1, nil)
	a3 := next(a2, func(r *xinyong.Record) { r.Content, r.Salt = nil, nil }) // erased
	b1 := record("b", dept.ID, subj.ID, "Nb")
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.InsertRecord(b1), "InsertRecord")
		ok(t, tx.InsertRecord(a1), "InsertRecord")
		ok(t, tx.UpdateRecord(a2), "UpdateRecord")
		ok(t, tx.UpdateRecord(a3), "UpdateRecord")
	})
	var got []xinyong.RecordContent
	e.view(func(tx xinyong.Tx) {
		ok(t, tx.RecordContents(func(c xinyong.RecordContent) error { got = append(got, c); return nil }), "RecordContents")
	})
	c := func(r xinyong.Record) xinyong.RecordContent {
		return xinyong.RecordContent{ID: r.ID, Version: r.Version, Content: r.Content, Salt: r.Salt, Erased: r.Content == nil, LedgerIdx: r.LedgerIdx}
	}
	// Current versions by id, then older versions by id and version.
	equal(t, "RecordContents", got, []xinyong.RecordContent{c(a3), c(b1), c(a1), c(a2)})
}

func testImports(e *env) {
	t := e.t
	dept, _ := e.seed()
	j1 := importJob("j1", dept.ID)
	j2 := importJob("j2", dept.ID)
	j2.CreatedAt, j2.FileName = base.Add(-time.Hour), "许可.xlsx"
	j3 := importJob("j3", dept.ID)
	j3.CreatedAt = base.Add(time.Hour)
	e.update(func(tx xinyong.Tx) {
		for _, j := range []xinyong.Import{j1, j2, j3} {
			ok(t, tx.CreateImport(j), "CreateImport")
		}
	})
	err := e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.CreateImport(j1) })
	wantCode(t, err, xinyong.ECONFLICT, "CreateImport with a duplicate id")
	e.view(func(tx xinyong.Tx) {
		got, err := tx.Import("j1")
		ok(t, err, "Import")
		equal(t, "Import", got, j1)
		qs, err := tx.Imports(xinyong.ImportQueued)
		ok(t, err, "Imports")
		equal(t, "queued imports (by creation)", qs, []xinyong.Import{j2, j1, j3})
	})
	fin := base.Add(2 * time.Hour)
	j1.Status, j1.Rows, j1.Accepted, j1.Rejected, j1.Unchanged, j1.Checkpoint, j1.UpdatedAt = xinyong.ImportRunning, 500, 480, 15, 5, 500, base.Add(time.Minute)
	j2.Status, j2.Message, j2.FinishedAt, j2.Path, j2.UpdatedAt = xinyong.ImportFailed, "文件格式错误", &fin, "", fin
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.UpdateImport(j1), "UpdateImport")
		ok(t, tx.UpdateImport(j2), "UpdateImport")
	})
	e.view(func(tx xinyong.Tx) {
		got, err := tx.Import("j1")
		ok(t, err, "Import after update")
		equal(t, "Import after update", got, j1)
		got, err = tx.Import("j2")
		ok(t, err, "Import after update")
		equal(t, "failed Import", got, j2)
		for status, want := range map[string][]xinyong.Import{
			xinyong.ImportQueued:  {j3},
			xinyong.ImportRunning: {j1},
			xinyong.ImportFailed:  {j2},
			xinyong.ImportDone:    nil,
		} {
			got, err := tx.Imports(status)
			ok(t, err, "Imports "+status)
			if len(got) == 0 && len(want) == 0 {
				continue
			}
			equal(t, "Imports "+status, got, want)
		}
	})
	// An import's department must exist.
	if err := e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.CreateImport(importJob("j9", "ghost")) }); err == nil {
		t.Errorf("CreateImport with a missing department succeeded")
	}
}

func testImportErrors(e *env) {
	t := e.t
	dept, _ := e.seed()
	batch1 := []xinyong.FieldError{
		{Row: 3, Field: "CF_WSH", Rule: "record.document", Message: "文号必填"},
		{Row: 3, Field: "CF_JDRQ", Rule: "record.decision_date", Message: "日期在未来", Value: "2099-01-01"},
	}
	batch2 := []xinyong.FieldError{{Row: 9, Field: "subject_code", Rule: "ident.uscc", Message: "校验码错误", Value: "91110000MA0000000Z"}}
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.CreateImport(importJob("j1", dept.ID)), "CreateImport")
		ok(t, tx.CreateImport(importJob("j2", dept.ID)), "CreateImport")
		ok(t, tx.AddImportErrors("j1", batch1), "AddImportErrors")
		ok(t, tx.AddImportErrors("j2", []xinyong.FieldError{{Row: 1, Field: "x", Rule: "y", Message: "z"}}), "AddImportErrors j2")
		ok(t, tx.AddImportErrors("j1", nil), "AddImportErrors empty")
	})
	e.update(func(tx xinyong.Tx) { ok(t, tx.AddImportErrors("j1", batch2), "AddImportErrors later batch") })
	e.view(func(tx xinyong.Tx) {
		var got []xinyong.FieldError
		ok(t, tx.ImportErrors("j1", func(fe xinyong.FieldError) error { got = append(got, fe); return nil }), "ImportErrors")
		equal(t, "ImportErrors (in order added)", got, append(append([]xinyong.FieldError{}, batch1...), batch2...))
		n, err := count(func(fn func(xinyong.FieldError) error) error { return tx.ImportErrors("j2", fn) }, func(xinyong.FieldError) {})
		ok(t, err, "ImportErrors j2")
		equal(t, "errors of j2", n, 1)
	})
}
