package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

type submitAnswer struct {
	Record  xinyong.Record `json:"record"`
	Outcome string         `json:"outcome"`
}

type recordView struct {
	Record   xinyong.Record   `json:"record"`
	Versions []xinyong.Record `json:"versions"`
}

// TestRecordLifecycle: create, idempotent resubmission, new version with
// history, withdrawal, and the ledger and audit entries each step leaves.
func TestRecordLifecycle(t *testing.T) {
	e := newEnv(t)
	d := e.dept(t, "11620000MB192104", "甘肃省市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	in := penaltyInput(t, uscc(t, "91620100MA000001"), "兰州某某商贸有限公司", "甘市监罚〔2025〕1号")

	size0 := e.ledgerSize(t)
	r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: off, Body: in})
	if r.Status != 201 {
		t.Fatalf("create: %s", r)
	}
	var a submitAnswer
	r.json(t, &a)
	if a.Outcome != "created" || a.Record.Version != 1 || a.Record.Status != "active" || a.Record.DepartmentID != d.ID {
		t.Fatalf("create: %+v", a)
	}
	if !a.Record.Window.Published {
		t.Errorf("a general fine is published: %+v", a.Record.Window)
	}
	id := a.Record.ID
	size1 := e.ledgerSize(t)
	if size1 != size0+2 || a.Record.LedgerIdx < size0 || a.Record.LedgerIdx >= size1 {
		t.Fatalf("ledger %d → %d, record leaf %d: want one record leaf and one audit leaf", size0, size1, a.Record.LedgerIdx)
	}

	// The same payload again: the same record, nothing appended.
	r = e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: off, Body: in})
	if r.Status != 200 {
		t.Fatalf("resubmit: %s", r)
	}
	r.json(t, &a)
	if a.Outcome != "unchanged" || a.Record.ID != id || a.Record.Version != 1 {
		t.Fatalf("resubmit: %+v", a)
	}
	if got := e.ledgerSize(t); got != size1 {
		t.Fatalf("an unchanged resubmission grew the ledger %d → %d", size1, got)
	}
	// Whitespace around the decision number does not make another record.
	spaced := in
	spaced.Document.Number = "  " + in.Document.Number + " "
	r = e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: off, Body: spaced})
	r.json(t, &a)
	if r.Status != 200 || a.Outcome != "unchanged" || a.Record.ID != id {
		t.Fatalf("resubmit with spaces: %s", r)
	}

	// A changed decision: a new version of the same record, history kept.
	changed := in
	changed.Fields = map[string]string{}
	for k, v := range in.Fields {
		changed.Fields[k] = v
	}
	changed.Fields["CF_NR_FK"] = "3"
	changed.Fields["CF_NR"] = "罚款人民币叁万元"
	r = e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: off, Body: changed})
	if r.Status != 200 {
		t.Fatalf("change: %s", r)
	}
	r.json(t, &a)
	if a.Outcome != "new_version" || a.Record.ID != id || a.Record.Version != 2 || a.Record.Fields["CF_NR_FK"] != "3" {
		t.Fatalf("change: %+v", a)
	}
	var v recordView
	e.do(t, req{Path: "/api/v1/records/" + id, Token: off}).json(t, &v)
	if v.Record.Version != 2 || len(v.Versions) != 2 {
		t.Fatalf("history: record v%d, %d versions", v.Record.Version, len(v.Versions))
	}
	fines := map[string]bool{}
	for _, ver := range v.Versions {
		fines[ver.Fields["CF_NR_FK"]] = true
	}
	if !fines["2"] || !fines["3"] {
		t.Errorf("history does not keep both fines: %v", fines)
	}
	if evs := e.auditEvents(t, xinyong.AuditFilter{ObjectType: "record", ObjectID: id}); len(evs) != 2 {
		t.Errorf("audit events for the record: %+v", evs)
	}

	// Withdrawal ends publication at once and is a new version.
	size2 := e.ledgerSize(t)
	e.do(t, req{Method: "POST", Path: "/api/v1/records/" + id + "/withdraw", Token: off, Body: map[string]any{"reason": "cancelled"}}).problem(t, 400, "invalid")
	r = e.do(t, req{Method: "POST", Path: "/api/v1/records/" + id + "/withdraw", Token: off, Body: map[string]any{"reason": "revoked", "note": "复议撤销"}})
	if r.Status != 200 {
		t.Fatalf("withdraw: %s", r)
	}
	var w xinyong.Record
	r.json(t, &w)
	if w.Status != "withdrawn" || w.Window.Published || w.Version != 3 || w.Withdrawal == nil || !strings.HasPrefix(w.Withdrawal.Reason, "revoked") {
		t.Fatalf("withdrawn: %+v", w)
	}
	if got := e.ledgerSize(t); got != size2+2 {
		t.Errorf("withdrawal appended %d leaves, want 2", got-size2)
	}
	evs := e.auditEvents(t, xinyong.AuditFilter{ObjectType: "record", ObjectID: id, Action: "record.withdraw"})
	if len(evs) != 1 || !strings.Contains(evs[0].Detail, "复议撤销") {
		t.Errorf("withdrawal audit: %+v", evs)
	}
	e.do(t, req{Path: "/api/v1/records/" + id, Token: off}).json(t, &v)
	if v.Record.Status != "withdrawn" || v.Record.Window.Published || len(v.Versions) != 3 {
		t.Errorf("after withdrawal: %+v, %d versions", v.Record, len(v.Versions))
	}
	// Twice is a conflict, and writes nothing.
	size3 := e.ledgerSize(t)
	p := e.do(t, req{Method: "POST", Path: "/api/v1/records/" + id + "/withdraw", Token: off, Body: map[string]any{"reason": "revoked"}}).problem(t, 409, "conflict")
	if !strings.Contains(p.Detail, "withdrawn") {
		t.Errorf("conflict detail: %q", p.Detail)
	}
	if e.ledgerSize(t) != size3 {
		t.Error("a refused withdrawal grew the ledger")
	}
	e.do(t, req{Method: "POST", Path: "/api/v1/records/nope/withdraw", Token: off, Body: map[string]any{"reason": "revoked"}}).problem(t, 404, "not_found")
}

// TestRecordRules: intake rules as seen through the API.
func TestRecordRules(t *testing.T) {
	e := newEnv(t)
	d := e.dept(t, "11620000MB192104", "甘肃省市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	subject := uscc(t, "91620100MA000001")
	n := 0
	base := func() xinyong.RecordInput {
		n++
		return penaltyInput(t, subject, "兰州某某商贸有限公司", fmt.Sprintf("甘市监罚〔2025〕%d号", n))
	}
	tomorrow := xinyong.DateOf(time.Now().Add(48 * time.Hour))
	child := citizenID(t, "62010220150601123") // born 2015-06-01
	teen := citizenID(t, "62010220090301456")  // born 2009-03-01: 16 on 2025-03-03
	adult := citizenID(t, "62010219800101789") // born 1980-01-01
	person := func(in xinyong.RecordInput, id string) xinyong.RecordInput {
		in.SubjectCode, in.SubjectName = id, "张小明"
		in.Fields["CF_XDR_LB"] = "自然人"
		return in
	}

	type check func(t *testing.T, r resp)
	refused := func(field, rule string) check {
		return func(t *testing.T, r resp) {
			p := r.problem(t, 400, "invalid")
			if !p.hasField(field, rule) {
				t.Fatalf("no %s/%s in %s", field, rule, r)
			}
		}
	}
	accepted := func(more func(t *testing.T, a submitAnswer)) check {
		return func(t *testing.T, r resp) {
			if r.Status != 201 {
				t.Fatalf("status %d: %s", r.Status, r)
			}
			var a submitAnswer
			r.json(t, &a)
			if more != nil {
				more(t, a)
			}
		}
	}
	cases := []struct {
		name string
		in   func() xinyong.RecordInput
		want check
	}{
		{"decision date in the future", func() xinyong.RecordInput { in := base(); in.Document.DecisionDate = tomorrow; return in }, refused("document.decision_date", "record.decision_date")},
		{"decision date before 1949", func() xinyong.RecordInput {
			in := base()
			in.Document.DecisionDate = xinyong.MustDate("1948-12-31")
			return in
		}, refused("document.decision_date", "record.decision_date")},
		{"no decision date", func() xinyong.RecordInput { in := base(); in.Document.DecisionDate = xinyong.Date{}; return in }, refused("document.decision_date", "")},
		{"no document at all", func() xinyong.RecordInput { in := base(); in.Document = xinyong.Document{}; return in }, func(t *testing.T, r resp) {
			p := r.problem(t, 400, "invalid")
			for _, f := range []string{"document.type", "document.number", "document.authority", "document.decision_date"} {
				if !p.hasField(f, "record.document") {
					t.Errorf("no %s in %s", f, r)
				}
			}
		}},
		{"unknown document type", func() xinyong.RecordInput { in := base(); in.Document.Type = "memo"; return in }, refused("document.type", "record.document")},
		{"other document without a name", func() xinyong.RecordInput { in := base(); in.Document.Type = "other"; return in }, refused("document.name", "record.document")},
		{"effective before decided", func() xinyong.RecordInput {
			in := base()
			in.Document.EffectiveDate = xinyong.MustDate("2025-03-01")
			return in
		}, refused("document.effective_date", "record.document")},
		{"negative information without severity", func() xinyong.RecordInput { in := base(); in.Severity = ""; return in }, refused("severity", "record.severity")},
		{"penalty without category", func() xinyong.RecordInput { in := base(); in.Categories = nil; return in }, refused("categories", "record.penalty_category")},
		{"required field missing", func() xinyong.RecordInput { in := base(); delete(in.Fields, "CF_WFXW"); return in }, refused("fields.CF_WFXW", "field.required")},
		{"fine that is not a number", func() xinyong.RecordInput { in := base(); in.Fields["CF_NR_FK"] = "两万"; return in }, refused("fields.CF_NR_FK", "field.amount")},
		{"leniency flag without a reason", func() xinyong.RecordInput { in := base(); in.Leniency.FirstMinor = true; return in }, refused("leniency.reason", "record.leniency")},
		{"child under 14", func() xinyong.RecordInput { return person(base(), child) }, refused("subject_code", "minor.under14")},
		{"minor without the minor flag", func() xinyong.RecordInput { return person(base(), teen) }, refused("leniency.minor", "minor.flag")},
		{"minor with the minor flag", func() xinyong.RecordInput {
			in := person(base(), teen)
			in.Leniency = xinyong.Leniency{Minor: true, Reason: "监护人已同意，从轻处罚"}
			return in
		}, accepted(nil)},
		{"warning only is not published", func() xinyong.RecordInput {
			in := base()
			in.Categories = []string{"警告"}
			in.Fields["CF_NR"] = "警告"
			delete(in.Fields, "CF_NR_FK")
			return in
		}, accepted(func(t *testing.T, a submitAnswer) {
			if a.Record.Window.Published {
				t.Errorf("a warning-only penalty is published: %+v", a.Record.Window)
			}
		})},
		{"warning and fine is published", func() xinyong.RecordInput { in := base(); in.Categories = []string{"警告", "罚款"}; return in }, accepted(func(t *testing.T, a submitAnswer) {
			if !a.Record.Window.Published {
				t.Errorf("warning with fine is not published: %+v", a.Record.Window)
			}
		})},
		{"fields the item does not carry are dropped and reported", func() xinyong.RecordInput {
			in := base()
			in.Fields["QQ_NUMBER"] = "123456"
			in.Fields["家庭住址"] = "某市某路1号"
			return in
		}, accepted(func(t *testing.T, a submitAnswer) {
			if strings.Join(a.Record.Dropped, ",") != "QQ_NUMBER,家庭住址" {
				t.Errorf("dropped_fields %v", a.Record.Dropped)
			}
			var v recordView
			r := e.do(t, req{Path: "/api/v1/records/" + a.Record.ID, Token: off})
			r.json(t, &v)
			if _, ok := v.Record.Fields["QQ_NUMBER"]; ok || strings.Contains(string(r.Body), "某市某路1号") {
				t.Errorf("a dropped field was stored: %s", r.Body)
			}
			for _, rec := range e.storedRecords(t, d.ID) {
				if rec.ID == a.Record.ID && (strings.Contains(string(rec.Content), "123456") || strings.Contains(string(rec.Content), "某市某路1号")) {
					t.Errorf("a dropped field is in the stored content: %s", rec.Content)
				}
			}
		})},
		{"adult person: the ID number is never echoed", func() xinyong.RecordInput {
			in := person(base(), adult)
			in.Fields["CF_XDR_ZJHM"] = adult
			return in
		}, func(t *testing.T, r resp) {
			if r.Status != 201 {
				t.Fatalf("%s", r)
			}
			if strings.Contains(string(r.Body), adult) {
				t.Fatalf("the answer carries the full ID number: %s", r.Body)
			}
			var a submitAnswer
			r.json(t, &a)
			if a.Record.SubjectCode != xinyong.MaskID(adult) {
				t.Errorf("subject_code %q", a.Record.SubjectCode)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.ledgerSize(t)
			r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: off, Body: c.in()})
			c.want(t, r)
			if r.Status >= 400 && e.ledgerSize(t) != before {
				t.Error("a refused record grew the ledger")
			}
		})
	}
}

// TestBatch: atomic mode is all or nothing, each mode reports per item, both
// with row numbers; the size is bounded.
func TestBatch(t *testing.T) {
	e := newEnv(t)
	d := e.dept(t, "11620000MB192104", "甘肃省市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	subject := uscc(t, "91620100MA000001")
	mk := func(i int) xinyong.RecordInput {
		return penaltyInput(t, subject, "兰州某某商贸有限公司", fmt.Sprintf("甘市监罚〔2025〕B%d号", i))
	}
	bad := mk(99)
	bad.Document.DecisionDate = xinyong.MustDate("1900-01-01")
	unknown := mk(98)
	unknown.Item = "NOPE"

	var res workflow.BatchResult
	size0 := e.ledgerSize(t)
	r := e.do(t, req{Method: "POST", Path: "/api/v1/records:batch", Token: off, Body: map[string]any{"mode": "atomic", "records": []xinyong.RecordInput{mk(1), bad, mk(2), unknown}}})
	if r.Status != 422 {
		t.Fatalf("atomic with a bad item: %s", r)
	}
	r.json(t, &res)
	if res.Committed || res.Accepted != 0 || res.Rejected != 2 || len(res.Items) != 4 {
		t.Fatalf("atomic result: %+v", res)
	}
	for _, it := range res.Items {
		if it.ID != "" || it.Outcome != "" {
			t.Errorf("item %d reported as written in a rolled-back batch: %+v", it.Index, it)
		}
	}
	if !hasRow(res.Items[1].Errors, 2, "document.decision_date") || !hasRow(res.Items[3].Errors, 4, "item") {
		t.Errorf("row numbers: %+v", res.Items)
	}
	if n := len(e.storedRecords(t, d.ID)); n != 0 || e.ledgerSize(t) != size0 {
		t.Fatalf("a refused atomic batch left %d records, ledger %d → %d", n, size0, e.ledgerSize(t))
	}
	if evs := e.auditEvents(t, xinyong.AuditFilter{Action: "record.batch"}); len(evs) != 0 {
		t.Errorf("a refused atomic batch was audited: %+v", evs)
	}

	// Each mode: the good ones are written, the bad ones reported by row.
	r = e.do(t, req{Method: "POST", Path: "/api/v1/records:batch", Token: off, Body: map[string]any{"mode": "each", "records": []xinyong.RecordInput{mk(1), bad, mk(2), unknown}}})
	if r.Status != 200 {
		t.Fatalf("each: %s", r)
	}
	r.json(t, &res)
	if !res.Committed || res.Accepted != 2 || res.Rejected != 2 {
		t.Fatalf("each result: %+v", res)
	}
	if res.Items[0].Outcome != "created" || res.Items[0].ID == "" || res.Items[2].Outcome != "created" || !hasRow(res.Items[1].Errors, 2, "document.decision_date") || res.Items[3].Code != "invalid" {
		t.Errorf("each items: %+v", res.Items)
	}
	stored := e.storedRecords(t, d.ID)
	if len(stored) != 2 {
		t.Fatalf("%d records stored, want 2", len(stored))
	}
	// Every leaf the batch appended belongs to a stored record or the audit.
	for _, rec := range stored {
		if rec.LedgerIdx < size0 || rec.LedgerIdx >= e.ledgerSize(t) {
			t.Errorf("record %s leaf %d outside the batch's range", rec.ID, rec.LedgerIdx)
		}
	}
	if got := e.ledgerSize(t) - size0; got != 3 {
		t.Errorf("each batch appended %d leaves, want 2 records + 1 audit", got)
	}

	// Atomic, all good: committed; a repeat is unchanged.
	r = e.do(t, req{Method: "POST", Path: "/api/v1/records:batch", Token: off, Body: map[string]any{"mode": "atomic", "records": []xinyong.RecordInput{mk(1), mk(3)}}})
	r.json(t, &res)
	if r.Status != 200 || !res.Committed || res.Items[0].Outcome != "unchanged" || res.Items[1].Outcome != "created" {
		t.Fatalf("atomic good: %s", r)
	}

	// Bounds and modes.
	tooMany := make([]json.RawMessage, workflow.MaxBatch+1)
	for i := range tooMany {
		tooMany[i] = json.RawMessage(`{}`)
	}
	for _, c := range []struct {
		name  string
		body  any
		field string
	}{
		{"over 10000", map[string]any{"mode": "each", "records": tooMany}, "records"},
		{"empty", map[string]any{"mode": "each", "records": []any{}}, "records"},
		{"no mode", map[string]any{"records": []any{mk(4)}}, "mode"},
		{"bad mode", map[string]any{"mode": "some", "records": []any{mk(4)}}, "mode"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := e.do(t, req{Method: "POST", Path: "/api/v1/records:batch", Token: off, Body: c.body}).problem(t, 400, "invalid")
			if !p.hasField(c.field, "") {
				t.Errorf("no %s error: %+v", c.field, p)
			}
		})
	}
	if n := len(e.storedRecords(t, d.ID)); n != 3 {
		t.Fatalf("%d records stored, want 3", n)
	}
}

func hasRow(fes []xinyong.FieldError, row int, field string) bool {
	for _, f := range fes {
		if f.Row == row && f.Field == field {
			return true
		}
	}
	return false
}
