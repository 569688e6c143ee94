package storetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"xinyong"
	"xinyong/internal/sqlstore"
)

// bulkN is a batch bigger than sqlstore.CopyMinRows (PostgreSQL writes it
// with COPY) and not a multiple of a multi-row INSERT's 100 rows.
const bulkN = 3*sqlstore.CopyMinRows + 17

// testBulkRoundTrip covers the bulk path of every multi-row insert (COPY
// on PostgreSQL): a big batch of records, subjects, ledger leaves and
// nodes and outbox events, with NULLs, empty strings, booleans both ways,
// bytes and times, reads back exactly as the one-row path writes it.
func testBulkRoundTrip(e *env) {
	t := e.t
	dept, _ := e.seed()
	var subs []xinyong.Subject
	var recs []xinyong.Record
	for i := range bulkN {
		s := subject(fmt.Sprintf("cs%04d", i), fmt.Sprintf("CK%04d", i))
		if i%3 == 0 {
			s.Kind, s.Name, s.Birth = xinyong.KindPerson, "张三"+fmt.Sprint(i), xinyong.NewDate(1980, 1, 2)
		}
		s.CodeOverride = i%5 == 0
		s.CreatedAt = base.Add(time.Duration(i) * time.Microsecond)
		subs = append(subs, s)
		r := record(fmt.Sprintf("cr%04d", i), dept.ID, s.ID, fmt.Sprintf("京罚〔2026〕%d号", i))
		r.LedgerIdx = int64(1000 + i)
		r.SubmittedAt, r.UpdatedAt = base.Add(time.Duration(i)*time.Second), base.Add(time.Duration(i)*time.Minute)
		switch i % 4 {
		case 0: // not published: no window columns
			r.Window = xinyong.Window{Reason: "license"}
		case 1: // published without a latest end
			r.Window.MaxEnd = xinyong.Date{}
			r.ImportID = "imp1"
		case 2: // erased content, late
			r.Content, r.Salt = nil, nil
			r.Lateness = xinyong.Lateness{Due: r.Document.DecisionDate.AddDays(7), WorkingDays: i % 30}
		case 3: // a value with a quote, a backslash, a tab and a newline
			r.Fields["CF_SY"] = "含\"引号\"与\\反斜杠\t制表\n换行"
			r.Leniency = xinyong.Leniency{FirstMinor: true, Reason: "首违"}
		}
		recs = append(recs, r)
	}
	var es []xinyong.LedgerEntry
	var keys []int64
	var hashes [][]byte
	var evs []xinyong.Event
	for i := range int64(bulkN) {
		es = append(es, entry(1000+i))
		keys, hashes = append(keys, 1<<40+i), append(hashes, bytes.Repeat([]byte{byte(i), 0}, 16))
		evs = append(evs, xinyong.Event{ID: fmt.Sprintf("cev_%04d", i), Seq: i + 1, Type: xinyong.EventRecordWithdrawn, ObjectType: "record",
			ObjectID: fmt.Sprintf("cr%04d", i), Payload: json.RawMessage(`{"n":` + fmt.Sprint(i) + `}`), CreatedAt: base.Add(time.Duration(i) * time.Millisecond)})
	}
	evs[1].Payload = nil // stored as {}
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.InsertSubjects(subs), "InsertSubjects")
		ok(t, tx.IndexSubjects(subs), "IndexSubjects")
		ok(t, tx.InsertRecords(recs), "InsertRecords")
		ok(t, tx.AppendLedgerEntries(es), "AppendLedgerEntries")
		ok(t, tx.WriteLedgerNodes(e.ctx, keys, hashes), "WriteLedgerNodes")
		ok(t, tx.AppendEvents(evs), "AppendEvents")
	})
	// The same rows one at a time (the multi-row INSERT path) under other
	// keys, to compare the stored documents byte for byte.
	twin := func(r xinyong.Record) xinyong.Record {
		r.ID, r.Document.Number = "t"+r.ID, "T"+r.Document.Number
		return r
	}
	e.update(func(tx xinyong.Tx) {
		for _, r := range recs[:8] {
			ok(t, tx.InsertRecords([]xinyong.Record{twin(r)}), "InsertRecords of one")
		}
	})
	e.view(func(tx xinyong.Tx) {
		for _, r := range recs {
			got, err := tx.Record(r.ID)
			ok(t, err, "Record "+r.ID)
			equal(t, "bulk record "+r.ID, got, r)
		}
		got, err := tx.SubjectsByKeys([]string{subs[0].Key, subs[1].Key, subs[bulkN-1].Key})
		ok(t, err, "SubjectsByKeys")
		byKey := map[string]xinyong.Subject{}
		for _, s := range got {
			byKey[s.Key] = s
		}
		for _, s := range []xinyong.Subject{subs[0], subs[1], subs[bulkN-1]} {
			equal(t, "bulk subject "+s.ID, byKey[s.Key], s)
		}
		for _, i := range []int{0, 5, bulkN - 1} {
			s, err := tx.Subject(subs[i].ID)
			ok(t, err, "Subject")
			equal(t, "bulk subject by id", s, subs[i])
		}
		// The search index of the bulk subjects (filled after the copy).
		found, _, err := tx.SearchSubjects(xinyong.SearchQuery{Text: "张三" + fmt.Sprint(bulkN-2), Limit: 5})
		ok(t, err, "SearchSubjects")
		if len(found) != 1 || found[0].ID != subs[bulkN-2].ID {
			t.Errorf("SearchSubjects after the bulk insert found %v", found)
		}
		var gotEs []xinyong.LedgerEntry
		ok(t, tx.LedgerEntries(1000, 1000+bulkN, func(le xinyong.LedgerEntry) error { gotEs = append(gotEs, le); return nil }), "LedgerEntries")
		equal(t, "bulk ledger entries", gotEs, es)
		nodes, err := tx.ReadLedgerNodes(e.ctx, keys)
		ok(t, err, "ReadLedgerNodes")
		equal(t, "bulk ledger nodes", nodes, hashes)
		page, err := tx.Events(0, bulkN+10)
		ok(t, err, "Events")
		want := append([]xinyong.Event{}, evs...)
		want[1].Payload = json.RawMessage(`{}`)
		equal(t, "bulk events", page, want)
		docs, err := tx.ListRecordDocs(xinyong.RecordFilter{DepartmentID: dept.ID, Limit: 1000})
		ok(t, err, "ListRecordDocs")
		byID := map[string][]byte{}
		for _, d := range docs {
			byID[d.ID] = d.Doc
		}
		for _, r := range recs[:8] {
			tw := twin(r)
			single := strings.Replace(strings.Replace(string(byID[tw.ID]), tw.ID, r.ID, 1), tw.Document.Number, r.Document.Number, 1)
			if single != string(byID[r.ID]) {
				t.Errorf("record %s: the bulk path stored\n %s\nthe one-row path\n %s", r.ID, byID[r.ID], single)
			}
		}
	})
}

// testBulkConflict covers a uniqueness violation inside a bulk batch: the
// batch is refused with ECONFLICT naming the constraint (never a value),
// and nothing of the transaction is written.
func testBulkConflict(e *env) {
	t := e.t
	dept, subj := e.seed()
	batch := func(prefix string) []xinyong.Record {
		var rs []xinyong.Record
		for i := range bulkN {
			rs = append(rs, record(fmt.Sprintf("%s%04d", prefix, i), dept.ID, subj.ID, fmt.Sprintf("%s〔2026〕%d号", prefix, i)))
		}
		return rs
	}
	e.update(func(tx xinyong.Tx) { ok(t, tx.InsertRecords(batch("ok")), "InsertRecords") })
	dupNumber := batch("dn")
	dupNumber[bulkN-1].Document.Number = dupNumber[3].Document.Number // within the batch
	dupID := batch("di")
	dupID[bulkN/2].ID = "ok0001" // an id stored before
	var subs []xinyong.Subject
	for i := range bulkN {
		subs = append(subs, subject(fmt.Sprintf("ds%04d", i), fmt.Sprintf("DK%04d", i)))
	}
	subs[bulkN-1].Key = subs[0].Key
	for _, c := range []struct {
		name, constraint string
		fn               func(tx xinyong.Tx) error
	}{
		{"a decision number twice in the batch", "doc_number", func(tx xinyong.Tx) error { return tx.InsertRecords(dupNumber) }},
		{"an id stored before", "record", func(tx xinyong.Tx) error { return tx.InsertRecords(dupID) }},
		{"a subject key twice in the batch", "key", func(tx xinyong.Tx) error { return tx.InsertSubjects(subs) }},
	} {
		err := e.s.Update(e.ctx, func(tx xinyong.Tx) error {
			// Something written earlier in the same transaction goes too.
			if err := tx.SetMeta("bulk-conflict", c.name); err != nil {
				return err
			}
			return c.fn(tx)
		})
		wantCode(t, err, xinyong.ECONFLICT, c.name)
		msg := xinyong.ErrorMessage(err)
		if !strings.Contains(msg, "(") || !strings.Contains(msg, c.constraint) {
			t.Errorf("%s: message %q does not name the constraint (%s)", c.name, msg, c.constraint)
		}
		if strings.Contains(msg, "〔2026〕") || strings.Contains(msg, "DK0000") {
			t.Errorf("%s: message %q carries a value", c.name, msg)
		}
	}
	e.view(func(tx xinyong.Tx) {
		_, err := tx.Meta("bulk-conflict")
		wantCode(t, err, xinyong.ENOTFOUND, "a setting written before the refused batch")
		for _, id := range []string{"dn0000", "dn0150", "di0000", "di" + fmt.Sprintf("%04d", bulkN-1)} {
			_, err := tx.Record(id)
			wantCode(t, err, xinyong.ENOTFOUND, "record "+id+" of a refused batch")
		}
		ss, err := tx.SubjectsByKeys([]string{"DK0001", "DK0100"})
		ok(t, err, "SubjectsByKeys")
		equal(t, "subjects of a refused batch", len(ss), 0)
		rs, err := tx.ListRecords(xinyong.RecordFilter{DepartmentID: dept.ID, Limit: 1000})
		ok(t, err, "ListRecords")
		equal(t, "records after the refused batches", len(rs), bulkN)
	})
}
