package workflow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"xinyong"
)

// The fast path of the served-row check reads the document's members as
// raw bytes (ledger_rows.go). These tests hold it to what decoding says:
// contentMatches must accept exactly the documents whose members are the
// content's, and quickFields must read what decodedFields (encoding/json)
// reads, or refuse.

// servedCase is a record version as the store keeps it: its document
// (the JSON of the Record, times in UTC to the microsecond) and content.
func servedCase(r xinyong.Record, key string) (doc, cont []byte) {
	p := payload{Item: r.Item, SubjectKey: key, SubjectName: r.SubjectName, Document: r.Document, Fields: r.Fields,
		Severity: r.Severity, Categories: r.Categories, Sector: r.Sector, Leniency: r.Leniency}
	cont = content(r, p)
	r.SubmittedAt, r.UpdatedAt = r.SubmittedAt.UTC().Truncate(time.Microsecond), r.UpdatedAt.UTC().Truncate(time.Microsecond)
	if r.Withdrawal != nil {
		w := *r.Withdrawal
		w.At = w.At.UTC().Truncate(time.Microsecond)
		r.Withdrawal = &w
	}
	doc, err := json.Marshal(r)
	if err != nil {
		panic(err)
	}
	return doc, cont
}

func servedRecords() []struct {
	name string
	r    xinyong.Record
	key  string
} {
	base := xinyong.Record{
		ID: "r1", Item: "XZCF", Kind: "penalty", SubjectID: "s1", SubjectCode: "91620100MA74QX3K00", SubjectName: "兰州某某商贸有限公司",
		SubjectKind: xinyong.KindEnterprise, DepartmentID: "d1",
		Document: xinyong.Document{Type: xinyong.DocPenaltyDecision, Number: "兰市监罚〔2025〕401号", Authority: "兰州市市场监督管理局", DecisionDate: xinyong.MustDate("2025-12-01")},
		Fields:   map[string]string{"CF_NR": "罚款人民币2万元", "CF_NR_FK": "2"}, Severity: "general", Categories: []string{"罚款"},
		Window:   xinyong.Window{Published: true, Start: xinyong.MustDate("2025-12-08"), MinEnd: xinyong.MustDate("2026-03-08"), MaxEnd: xinyong.MustDate("2028-12-08"), Severity: "general", Regime: "penalty", Reason: "公示"},
		Lateness: xinyong.Lateness{Due: xinyong.MustDate("2025-12-08"), Late: true, WorkingDays: 12},
		Version:  3, Status: xinyong.RecordActive, SubmittedAt: time.Date(2025, 12, 20, 9, 30, 0, 123456789, xinyong.Shanghai),
		UpdatedAt: time.Date(2025, 12, 21, 9, 30, 0, 0, xinyong.Shanghai), LedgerIdx: 4711,
	}
	type c = struct {
		name string
		r    xinyong.Record
		key  string
	}
	out := []c{{"published", base, "91620100MA74QX3K00"}}
	add := func(name, key string, change func(r *xinyong.Record)) {
		r := base
		r.Fields = map[string]string{"CF_NR": "罚款人民币2万元", "CF_NR_FK": "2"}
		change(&r)
		out = append(out, c{name, r, key})
	}
	add("not published", "91620100MA74QX3K00", func(r *xinyong.Record) { r.Window = xinyong.Window{Reason: "不公示"} })
	add("no maximum end", "91620100MA74QX3K00", func(r *xinyong.Record) { r.Window.MaxEnd = xinyong.Date{} })
	add("not late", "91620100MA74QX3K00", func(r *xinyong.Record) { r.Lateness = xinyong.Lateness{Due: xinyong.MustDate("2025-12-08")} })
	add("no decision date", "91620100MA74QX3K00", func(r *xinyong.Record) { r.Document.DecisionDate = xinyong.Date{} })
	add("lenient, no severity", "91620100MA74QX3K00", func(r *xinyong.Record) {
		r.Leniency, r.Severity, r.Categories = xinyong.Leniency{FirstMinor: true, Reason: "首违"}, "", nil
	})
	add("withdrawn", "91620100MA74QX3K00", func(r *xinyong.Record) {
		r.Status, r.Withdrawal = xinyong.RecordWithdrawn, &xinyong.Withdrawal{At: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), Reason: "复议撤销", By: "oa"}
	})
	add("escapes everywhere", `P:ab<c>&"d\`, func(r *xinyong.Record) {
		r.ID, r.DepartmentID, r.Item = `r"1<`, `d\1`, `X&Y`
		r.SubjectID, r.SubjectCode, r.SubjectKind = `s"1`, "5101**********1234", xinyong.KindPerson
		r.Document.Number = "\"401\"\t<号>"
		r.Severity = "gen\u2028eral"
	})
	add("person", "P:0123456789abcdef", func(r *xinyong.Record) { r.SubjectKind = xinyong.KindPerson })
	add("version 1 at leaf 0", "91620100MA74QX3K00", func(r *xinyong.Record) { r.Version, r.LedgerIdx = 1, 0 })
	return out
}

// TestServedFastPathAgrees: for documents as the store writes them, the
// fast path accepts the content and reads what decoding reads.
func TestServedFastPathAgrees(t *testing.T) {
	if !fastPath {
		t.Fatal("the fast path's layouts no longer hold: every version takes the slow path")
	}
	for _, c := range servedRecords() {
		t.Run(c.name, func(t *testing.T) {
			doc, cont := servedCase(c.r, c.key)
			var m [nMembers][]byte
			if !rawMembers(doc, &m) {
				t.Fatalf("rawMembers refused %s", doc)
			}
			if !contentMatches(&m, c.key, true, cont) {
				t.Fatalf("contentMatches refused the document's own content\ndoc     %s\ncontent %s", doc, cont)
			}
			if contentMatches(&m, c.key+"x", true, cont) || contentMatches(&m, c.key, true, cont[:len(cont)-1]) || contentMatches(&m, c.key, true, append(bytes.Clone(cont), ' ')) {
				t.Error("contentMatches accepted another subject key or a cut or lengthened content")
			}
			var q servedFields
			if !quickFields(&m, &q) {
				t.Fatalf("quickFields refused %s", doc)
			}
			d, ok := decodedFields(&m)
			if !ok {
				t.Fatalf("decodedFields refused %s", doc)
			}
			if q != d {
				t.Errorf("quickFields read\n%+v\ndecodedFields\n%+v", q, d)
			}
			// And both read what the columns hold (sqlstore pubCols).
			col := columnsOf(mustPayload(t, cont))
			col.status, col.lenient, col.subjectKey = "", false, ""
			q.col.status, q.col.lenient, q.col.subjectKey = "", false, ""
			if q.col != col {
				t.Errorf("quickFields columns\n%+v\ncontent columns\n%+v", q.col, col)
			}
		})
	}
}

func mustPayload(t *testing.T, cont []byte) committed {
	t.Helper()
	c, err := payloadOf(cont)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestServedQuickFieldsRefuses: values not in the form encoding/json
// writes them are left to decoding, which reads them as before.
func TestServedQuickFieldsRefuses(t *testing.T) {
	c := servedRecords()[0]
	doc, _ := servedCase(c.r, c.key)
	for _, tc := range []struct{ from, to string }{
		{`"decision_date":"2025-12-01"`, `"decision_date":"2025-12-1"`},
		{`"decision_date":"2025-12-01"`, `"decision_date":"2025/12/01"`},
		{`"decision_date":"2025-12-01"`, `"decision_date":"2025-02-30"`},
		{`"decision_date":"2025-12-01"`, `"decision_date":null`},
		{`"start":"2025-12-08"`, `"start":"2025-13-08"`},
		{`"published":true`, `"published":1`},
		{`"published":true`, `"published":null`},
		{`"version":3`, `"version":03`},
		{`"version":3`, `"version":3.0`},
		{`"ledger_index":4711`, `"ledger_index":+4711`},
		{`"late_working_days":12`, `"late_working_days":1e1`},
		{`"number":"`, `"Number":"x","number":"`},
		{`"number":"`, `"number":"x","number":"`},
		{`"subject_code":"`, `"subject_code":null,"x":"`},
	} {
		t.Run(tc.to, func(t *testing.T) {
			d := bytes.Replace(doc, []byte(tc.from), []byte(tc.to), 1)
			if bytes.Equal(d, doc) {
				t.Fatalf("%s is not in the document %s", tc.from, doc)
			}
			var m [nMembers][]byte
			if !rawMembers(d, &m) {
				return // refused earlier: decoded entirely
			}
			var q servedFields
			if quickFields(&m, &q) {
				t.Errorf("quickFields read %s: %+v", tc.to, q)
			}
		})
	}
}

// TestServedRowCheck runs check on versions whose document, columns or
// both differ from the content, through the fast path and the slow one.
func TestServedRowCheck(t *testing.T) {
	c := servedRecords()[0]
	subjects := map[string]servedSubject{"s1": {Key: c.key, Code: c.r.SubjectCode, Kind: c.r.SubjectKind}, "s2": {Key: "other", Code: "x", Kind: xinyong.KindPerson}}
	doc, cont := servedCase(c.r, c.key)
	good := xinyong.RecordRow{RecordContent: xinyong.RecordContent{ID: "r1", Version: 3, Content: cont, Salt: []byte("salt"), LedgerIdx: 4711}, Current: true, Data: doc,
		DepartmentID: "d1", Item: "XZCF", DocNumber: c.r.Document.Number, SubjectID: "s1", Status: "active", DecisionDate: "2025-12-01", Severity: "general",
		Published: true, PubStart: "2025-12-08", PubMaxEnd: "2028-12-08", LateDays: 12}
	run := func(row xinyong.RecordRow) []string {
		r := servedRow{row: row}
		r.commit = [32]byte{}
		entries := map[int64]xinyong.LedgerEntry{row.LedgerIdx: {Index: row.LedgerIdx, ObjectType: "record", ObjectID: row.ID, Version: row.Version}}
		e := entries[row.LedgerIdx]
		r.prepare(entries) // the commitment differs (no commitment in e): not served
		if r.served {
			t.Fatal("a row whose content does not match its leaf's commitment was taken as served")
		}
		r.commit = commitOf(row)
		e.Commitment = r.commit[:]
		entries[row.LedgerIdx] = e
		r = servedRow{row: row}
		r.prepare(entries)
		if !r.served {
			t.Fatal("a row matching its leaf's commitment was not taken as served")
		}
		return r.check(subjects)
	}
	if msgs := run(good); len(msgs) != 0 {
		t.Fatalf("an untouched row: %q", msgs)
	}
	for _, tc := range []struct {
		name   string
		change func(r *xinyong.RecordRow)
		want   string
	}{
		{"status column", func(r *xinyong.RecordRow) { r.Status = "withdrawn" }, "served status withdrawn, committed active (column)"},
		{"published column", func(r *xinyong.RecordRow) { r.Published = false }, "served published false, committed true (column)"},
		{"pub_start column", func(r *xinyong.RecordRow) { r.PubStart = "2025-12-09" }, "served pub_start 2025-12-09, committed 2025-12-08 (column)"},
		{"pub_max_end column", func(r *xinyong.RecordRow) { r.PubMaxEnd = "" }, "served pub_max_end NULL, committed 2028-12-08 (column)"},
		{"decision_date column", func(r *xinyong.RecordRow) { r.DecisionDate = "2025-11-30" }, "served decision_date 2025-11-30, committed 2025-12-01 (column)"},
		{"doc_number column", func(r *xinyong.RecordRow) { r.DocNumber = "x" }, "served doc_number: not the committed decision number (column)"},
		{"item column", func(r *xinyong.RecordRow) { r.Item = "XK" }, "served item XK, committed XZCF (column)"},
		{"department column", func(r *xinyong.RecordRow) { r.DepartmentID = "d2" }, "served department_id d2, committed d1 (column)"},
		{"severity column", func(r *xinyong.RecordRow) { r.Severity = "serious" }, "served severity serious, committed general (column)"},
		{"late_days column", func(r *xinyong.RecordRow) { r.LateDays = 0 }, "served late_days 0, committed 12 (column)"},
		{"lenient column", func(r *xinyong.RecordRow) { r.Lenient = true }, "served lenient true, committed false (column)"},
		{"subject column", func(r *xinyong.RecordRow) { r.SubjectID = "s2" }, "served subject_id s2 is not the committed subject (column)"},
		{"document's leaf", func(r *xinyong.RecordRow) {
			r.Data = bytes.Replace(r.Data, []byte(`"ledger_index":4711`), []byte(`"ledger_index":4712`), 1)
		},
			"served ledger_index 4712, committed at leaf 4711 (stored document)"},
		{"document's subject code", func(r *xinyong.RecordRow) {
			r.Data = bytes.Replace(r.Data, []byte(`"subject_code":"9`), []byte(`"subject_code":"8`), 1)
		},
			"served subject_code: not the committed subject's (stored document)"},
		{"document's subject kind", func(r *xinyong.RecordRow) {
			r.Data = bytes.Replace(r.Data, []byte(`"subject_kind":"enterprise"`), []byte(`"subject_kind":"person"`), 1)
		}, "served subject_kind person, committed subject's enterprise (stored document)"},
		{"document's subject", func(r *xinyong.RecordRow) {
			r.Data = bytes.Replace(r.Data, []byte(`"subject_id":"s1"`), []byte(`"subject_id":"s2"`), 1)
		},
			"served subject_id s2 is not the committed subject (stored document)"},
		{"document's status", func(r *xinyong.RecordRow) {
			r.Data = bytes.Replace(r.Data, []byte(`"status":"active"`), []byte(`"status":"withdrawn"`), 1)
		},
			"served status withdrawn, committed active (stored document)"},
		{"document's window", func(r *xinyong.RecordRow) {
			r.Data = bytes.Replace(r.Data, []byte(`"max_end":"2028-12-08"`), []byte(`"max_end":"2030-12-08"`), 1)
		},
			"served publication.max_end 2030-12-08, committed 2028-12-08 (stored document)"},
		{"document's decision date unlike the content's form", func(r *xinyong.RecordRow) {
			r.Data = bytes.Replace(r.Data, []byte(`"decision_date":"2025-12-01"`), []byte(`"decision_date":"2025-12-1"`), 1)
		}, ""}, // decoded: the same date, nothing served differently
	} {
		t.Run(tc.name, func(t *testing.T) {
			row := good
			row.Data = bytes.Clone(good.Data)
			tc.change(&row)
			msgs := run(row)
			if tc.want == "" {
				if len(msgs) != 0 {
					t.Errorf("problems %q, want none", msgs)
				}
				return
			}
			if !strings.Contains(strings.Join(msgs, "\n"), tc.want) {
				t.Errorf("problems %q, want %q", msgs, tc.want)
			}
		})
	}
}

// TestServedRowSlowPath: a withdrawal sealed in local time to the
// nanosecond is stored in UTC to the microsecond, so the document's
// members are not the content's bytes: the slow path decodes both and
// finds nothing served differently.
func TestServedRowSlowPath(t *testing.T) {
	c := servedRecords()[0]
	c.r.Status, c.r.Withdrawal = xinyong.RecordWithdrawn, &xinyong.Withdrawal{At: time.Date(2026, 1, 2, 3, 4, 5, 6789, xinyong.Shanghai), Reason: "复议撤销", By: "oa"}
	doc, cont := servedCase(c.r, c.key)
	row := xinyong.RecordRow{RecordContent: xinyong.RecordContent{ID: "r1", Version: 3, Content: cont, Salt: []byte("salt"), LedgerIdx: 4711}, Data: doc}
	cm := commitOf(row)
	r := servedRow{row: row}
	r.prepare(map[int64]xinyong.LedgerEntry{4711: {Index: 4711, ObjectType: "record", ObjectID: "r1", Version: 3, Commitment: cm[:]}})
	if !r.served || !r.rawOK {
		t.Fatalf("served %v, raw members %v", r.served, r.rawOK)
	}
	subjects := map[string]servedSubject{"s1": {Key: c.key, Code: c.r.SubjectCode, Kind: c.r.SubjectKind}}
	if contentMatches(&r.raw, c.key, false, cont) {
		t.Fatal("the fast path took a withdrawal time stored otherwise than sealed")
	}
	if msgs := r.check(subjects); len(msgs) != 0 {
		t.Errorf("problems %q", msgs)
	}
	r = servedRow{row: row}
	r.row.Data = bytes.Replace(doc, []byte(`"at":"2026-01-01T19:04:05.000006Z"`), []byte(`"at":"2026-01-01T19:04:05.000007Z"`), 1)
	r.prepare(map[int64]xinyong.LedgerEntry{4711: {Index: 4711, ObjectType: "record", ObjectID: "r1", Version: 3, Commitment: cm[:]}})
	if msgs := r.check(subjects); len(msgs) != 1 || !strings.Contains(msgs[0], "served withdrawal.at 2026-01-01T19:04:05.000007Z") {
		t.Errorf("problems %q", msgs)
	}
}

func commitOf(row xinyong.RecordRow) [32]byte {
	var r servedRow
	r.row = row
	r.prepare(map[int64]xinyong.LedgerEntry{})
	return r.commit
}

// TestServedRowsOneScan: verifyChunk reads the record rows of a chunk once
// and checks every version that matches its leaf (checkServedRows).
func TestServedRowsOneScan(t *testing.T) {
	c := servedRecords()[0]
	doc, cont := servedCase(c.r, c.key)
	rows := &recordRows{}
	tx := &scanCounter{rows: []xinyong.RecordRow{
		{RecordContent: xinyong.RecordContent{ID: "r1", Version: 3, Content: cont, Salt: []byte("s"), LedgerIdx: 4711}, Current: true, Data: doc, Status: "withdrawn"},
		{RecordContent: xinyong.RecordContent{ID: "r2", Version: 1, Content: cont, Salt: []byte("s"), LedgerIdx: 4712}, Data: doc},
		{RecordContent: xinyong.RecordContent{ID: "r3", Version: 1, LedgerIdx: 4713, Erased: true}},
	}}
	var problems []string
	add := func(idx int64, obj, format string, args ...any) {
		problems = append(problems, fmt.Sprintf(format, args...))
	}
	if err := rows.read(tx, 4700, 4800, add); err != nil {
		t.Fatal(err)
	}
	entries := map[int64]xinyong.LedgerEntry{}
	for _, r := range tx.rows {
		cm := commitOf(r)
		entries[r.LedgerIdx] = xinyong.LedgerEntry{Index: r.LedgerIdx, ObjectType: "record", ObjectID: r.ID, Version: r.Version, Commitment: cm[:]}
	}
	if err := checkServedRows(tx, rows, entries, &subjectCache{}); err != nil {
		t.Fatal(err)
	}
	if tx.scans != 1 {
		t.Errorf("%d scans of the record rows, want 1", tx.scans)
	}
	if v := rows.at(4711); v == nil || !v.checked || !strings.Contains(strings.Join(v.msgs, "\n"), "served status withdrawn, committed active (column)") {
		t.Errorf("r1: %+v", v)
	}
	if v := rows.at(4712); v == nil || !v.checked || !strings.Contains(strings.Join(v.msgs, "\n"), "the committed content is of r1 v3, the row of r2 v1") {
		t.Errorf("r2: %+v", v)
	}
	if v := rows.at(4713); v == nil || v.checked || v.served {
		t.Errorf("r3 (erased): %+v", v)
	}
	if rows.at(4714) != nil || rows.at(4699) != nil || rows.at(4800) != nil {
		t.Error("a version at a leaf no row claims")
	}
	if len(problems) != 0 {
		t.Errorf("problems %q", problems)
	}
	// Two versions claiming one leaf: reported, the last one read is checked.
	tx.rows = append(tx.rows, xinyong.RecordRow{RecordContent: xinyong.RecordContent{ID: "r4", Version: 2, Content: cont, Salt: []byte("s"), LedgerIdx: 4711}, Data: doc})
	if err := rows.read(tx, 4700, 4800, add); err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || !strings.Contains(problems[0], "two record versions (r1 v3 and r4 v2) claim the same leaf") {
		t.Errorf("problems %q", problems)
	}
	if v := rows.at(4711); v == nil || v.row.ID != "r4" || rows.live(0) || !rows.live(3) {
		t.Errorf("leaf 4711 holds %+v", v)
	}
}

// scanCounter is a Tx answering RecordRowsByLedger from rows and
// SubjectsByIDs with one subject, counting the scans.
type scanCounter struct {
	xinyong.Tx
	rows  []xinyong.RecordRow
	scans int
}

func (s *scanCounter) RecordRowsByLedger(from, to int64, fn func(xinyong.RecordRow) error) error {
	s.scans++
	for _, r := range s.rows {
		if r.LedgerIdx >= from && r.LedgerIdx < to {
			if err := fn(r); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *scanCounter) SubjectsByIDs(ids []string) ([]xinyong.Subject, error) {
	return []xinyong.Subject{{ID: "s1", Key: "91620100MA74QX3K00", Code: "91620100MA74QX3K00", Kind: xinyong.KindEnterprise}}, nil
}
