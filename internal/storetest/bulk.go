package storetest

import (
	"fmt"

	"xinyong"
)

// testBulk covers the bulk-intake methods: IN lookups over more keys than
// one statement carries, and multi-row inserts.
func testBulk(e *env) {
	t := e.t
	dept, _ := e.seed()
	const n = 1234 // more than one IN chunk and one multi-row chunk
	var subs []xinyong.Subject
	var recs []xinyong.Record
	for i := range n {
		s := subject(fmt.Sprintf("bs%04d", i), fmt.Sprintf("K%04d", i))
		subs = append(subs, s)
		r := record(fmt.Sprintf("br%04d", i), dept.ID, s.ID, fmt.Sprintf("文号%04d", i))
		r.LedgerIdx = int64(100 + i)
		recs = append(recs, r)
	}
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.InsertSubjects(subs), "InsertSubjects")
		ok(t, tx.InsertRecords(recs), "InsertRecords")
		ok(t, tx.InsertSubjects(nil), "InsertSubjects(nil)")
	})
	e.view(func(tx xinyong.Tx) {
		keys := []string{"K0000", "K0600", "K1233", "nope"}
		got, err := tx.SubjectsByKeys(keys)
		ok(t, err, "SubjectsByKeys")
		if len(got) != 3 {
			t.Fatalf("SubjectsByKeys found %d subjects, want 3", len(got))
		}
		for _, s := range got {
			if s.Key == "nope" {
				t.Errorf("SubjectsByKeys returned a key that was never stored")
			}
		}
		var nums []string
		for i := 0; i < n; i += 2 {
			nums = append(nums, fmt.Sprintf("文号%04d", i))
		}
		nums = append(nums, "absent")
		rs, err := tx.RecordsByDocKeys(dept.ID, "penalty", nums)
		ok(t, err, "RecordsByDocKeys")
		equal(t, "RecordsByDocKeys count", len(rs), (n+1)/2)
		other, err := tx.RecordsByDocKeys(dept.ID, "license", nums)
		ok(t, err, "RecordsByDocKeys other kind")
		equal(t, "records of another kind", len(other), 0)
		one, err := tx.Record("br0007")
		ok(t, err, "Record")
		equal(t, "bulk-inserted record", one.Document.Number, "文号0007")
		equal(t, "bulk-inserted ledger index", one.LedgerIdx, int64(107))
		// Range streams in leaf order.
		var idx []int64
		ok(t, tx.RecordContentsByLedger(105, 110, func(c xinyong.RecordContent) error { idx = append(idx, c.LedgerIdx); return nil }), "RecordContentsByLedger")
		equal(t, "RecordContentsByLedger", idx, []int64{105, 106, 107, 108, 109})
	})
}

// testAuditByLedger covers the audit streams of ledger verification.
func testAuditByLedger(e *env) {
	t := e.t
	e.update(func(tx xinyong.Tx) {
		for i, idx := range []int64{3, 1, 2, -1, 50} {
			ok(t, tx.AppendAudit(xinyong.AuditEvent{At: base, Actor: "system", Action: "x", ObjectType: "t", ObjectID: fmt.Sprint(i), LedgerIdx: idx}), "AppendAudit")
		}
	})
	e.view(func(tx xinyong.Tx) {
		var got []int64
		ok(t, tx.AuditByLedger(1, 4, func(a xinyong.AuditEvent) error { got = append(got, a.LedgerIdx); return nil }), "AuditByLedger")
		equal(t, "AuditByLedger", got, []int64{1, 2, 3})
		var outside []int64
		ok(t, tx.AuditWithoutLeaf(10, func(a xinyong.AuditEvent) error { outside = append(outside, a.LedgerIdx); return nil }), "AuditWithoutLeaf")
		equal(t, "AuditWithoutLeaf", outside, []int64{-1, 50})
	})
}
