package storetest

import (
	"time"

	"xinyong"
)

func repairApp(id, code, recordID, subjectID, deptID, acceptBy, decideBy string, at time.Time) xinyong.Repair {
	return xinyong.Repair{ID: id, Code: code, Target: xinyong.TargetRecord, RecordID: recordID, SubjectID: subjectID, DepartmentID: deptID,
		Route: xinyong.RouteDepartment, Rules: "REPAIR-ORDER36", State: xinyong.RepairApplied, Version: 1,
		AppliedOn: xinyong.MustDate("2026-06-01"), AcceptBy: xinyong.MustDate(acceptBy), DecideBy: xinyong.MustDate(decideBy),
		Name: "张三", Contact: "13800000000", Correction: "罚款已缴清", Obligations: true,
		Commitment: &xinyong.RepairCommitment{Text: "承诺", SHA256: "ab", Date: xinyong.MustDate("2026-06-01")},
		Proofs:     []xinyong.RepairFile{{Name: "收据.pdf", Type: "application/pdf", Size: 1234, SHA256: "cd"}},
		FiledBy:    "account:s1", CreatedAt: at, UpdatedAt: at, UpdatedBy: "account:s1"}
}

// testRepairs: applications keep every field; each step is a
// compare-and-set on state and version; every version is kept; codes and
// peer decision ids are unique; filters by department, platform, subject,
// record, listing, state, open and due date (the compliance counters read
// them); record outcomes and erasure; peers.
func testRepairs(e *env) {
	t := e.t
	dept, subj := e.seed()
	a := repairApp("rp1", "XF000000000001", "r1", subj.ID, dept.ID, "2026-06-04", "2026-06-15", base)
	b := repairApp("rp2", "XF000000000002", "r2", subj.ID, "", "2026-06-05", "2026-06-16", base.Add(time.Hour))
	b.Route = xinyong.RoutePlatform
	c := repairApp("rp3", "XF000000000003", "", subj.ID, dept.ID, "2026-06-02", "2026-06-12", base.Add(2*time.Hour))
	c.Target, c.RecordID, c.ListingID = xinyong.TargetListing, "", "l1"
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.InsertRepair(a), "InsertRepair a")
		ok(t, tx.InsertRepair(b), "InsertRepair b")
		ok(t, tx.InsertRepair(c), "InsertRepair c")
	})
	err := e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.InsertRepair(a) })
	wantCode(t, err, xinyong.ECONFLICT, "InsertRepair of an id stored before")
	dup := repairApp("rp9", a.Code, "r9", subj.ID, dept.ID, "2026-06-04", "2026-06-15", base)
	err = e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.InsertRepair(dup) })
	wantCode(t, err, xinyong.ECONFLICT, "InsertRepair of a progress code stored before")

	e.view(func(tx xinyong.Tx) {
		got, err := tx.Repair("rp1")
		ok(t, err, "Repair")
		if got.Code != a.Code || got.DecideBy != a.DecideBy || len(got.Proofs) != 1 || got.Proofs[0].SHA256 != "cd" || got.Commitment == nil || !got.CreatedAt.Equal(a.CreatedAt) {
			t.Errorf("Repair: %+v", got)
		}
		byCode, err := tx.RepairByCode(a.Code)
		ok(t, err, "RepairByCode")
		if byCode.ID != "rp1" {
			t.Errorf("RepairByCode: %s", byCode.ID)
		}
		_, err = tx.Repair("nope")
		wantCode(t, err, xinyong.ENOTFOUND, "Repair of an unknown id")
		_, err = tx.RepairByCode("XF999999999999")
		wantCode(t, err, xinyong.ENOTFOUND, "RepairByCode of an unknown code")
		ids := func(f xinyong.RepairFilter) []string {
			rs, err := tx.Repairs(f)
			ok(t, err, "Repairs")
			var out []string
			for _, r := range rs {
				out = append(out, r.ID)
			}
			return out
		}
		// Open ones by next deadline: rp3 (06-02), rp1 (06-04), rp2 (06-05).
		equal(t, "all", ids(xinyong.RepairFilter{}), []string{"rp3", "rp1", "rp2"})
		equal(t, "department", ids(xinyong.RepairFilter{DepartmentID: dept.ID}), []string{"rp3", "rp1"})
		equal(t, "platform", ids(xinyong.RepairFilter{Platform: true}), []string{"rp2"})
		equal(t, "record", ids(xinyong.RepairFilter{RecordID: "r2"}), []string{"rp2"})
		equal(t, "listing", ids(xinyong.RepairFilter{ListingID: "l1"}), []string{"rp3"})
		equal(t, "due before", ids(xinyong.RepairFilter{DueBefore: xinyong.MustDate("2026-06-04")}), []string{"rp3", "rp1"})
		equal(t, "department due before", ids(xinyong.RepairFilter{DepartmentID: dept.ID, DueBefore: xinyong.MustDate("2026-06-03")}), []string{"rp3"})
		equal(t, "limit", ids(xinyong.RepairFilter{Limit: 1}), []string{"rp3"})
	})

	next := a
	next.Version, next.State, next.UpdatedAt = 2, xinyong.RepairAccepted, base.Add(3*time.Hour)
	next.Acceptance = &xinyong.RepairStep{Date: xinyong.MustDate("2026-06-02"), By: "account:o1"}
	e.update(func(tx xinyong.Tx) { ok(t, tx.UpdateRepair(next, xinyong.RepairApplied, 1), "UpdateRepair") })
	err = e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.UpdateRepair(next, xinyong.RepairApplied, 1) })
	wantCode(t, err, xinyong.ECONFLICT, "stale UpdateRepair")
	err = e.s.Update(e.ctx, func(tx xinyong.Tx) error {
		return tx.UpdateRepair(repairApp("nope", "XF000000000009", "r1", subj.ID, dept.ID, "2026-06-04", "2026-06-15", base), xinyong.RepairApplied, 1)
	})
	wantCode(t, err, xinyong.ENOTFOUND, "UpdateRepair of an unknown id")
	decided := next
	decided.Version, decided.State, decided.UpdatedAt = 3, xinyong.RepairApproved, base.Add(4*time.Hour)
	decided.Decision = &xinyong.RepairDecision{Approved: true, Treatment: xinyong.RepairDeleted, Reasons: "符合条件", Date: xinyong.MustDate("2026-06-03"), By: "account:o1"}
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.UpdateRepair(decided, xinyong.RepairAccepted, 2), "UpdateRepair decided")
	})
	e.view(func(tx xinyong.Tx) {
		vs, err := tx.RepairVersions("rp1")
		ok(t, err, "RepairVersions")
		if len(vs) != 3 || vs[0].State != xinyong.RepairApplied || vs[1].State != xinyong.RepairAccepted || vs[2].Decision == nil {
			t.Errorf("RepairVersions: %+v", vs)
		}
		_, err = tx.RepairVersions("nope")
		wantCode(t, err, xinyong.ENOTFOUND, "RepairVersions of an unknown id")
		rs, err := tx.Repairs(xinyong.RepairFilter{Open: true})
		ok(t, err, "Repairs open")
		if len(rs) != 2 {
			t.Errorf("open after decision: %d", len(rs))
		}
		rs, err = tx.Repairs(xinyong.RepairFilter{State: xinyong.RepairApproved})
		ok(t, err, "Repairs approved")
		if len(rs) != 1 || rs[0].ID != "rp1" {
			t.Errorf("approved: %+v", rs)
		}
		rs, err = tx.Repairs(xinyong.RepairFilter{DueBefore: xinyong.MustDate("2030-01-01")})
		ok(t, err, "Repairs due")
		if len(rs) != 2 {
			t.Errorf("a decided application has no deadline: %d due", len(rs))
		}
	})

	// Inbound decisions: unique per (peer, decision id).
	in := repairApp("rp4", "XF000000000004", "r3", subj.ID, dept.ID, "2026-06-01", "2026-06-01", base)
	in.State, in.Origin = xinyong.RepairApproved, &xinyong.RepairOrigin{Peer: "shaanxi", DecisionID: "d-1"}
	e.update(func(tx xinyong.Tx) { ok(t, tx.InsertRepair(in), "InsertRepair inbound") })
	in2 := in
	in2.ID, in2.Code = "rp5", "XF000000000005"
	err = e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.InsertRepair(in2) })
	wantCode(t, err, xinyong.ECONFLICT, "second application of the same peer decision")
	e.view(func(tx xinyong.Tx) {
		got, err := tx.RepairByOrigin("shaanxi", "d-1")
		ok(t, err, "RepairByOrigin")
		if got.ID != "rp4" {
			t.Errorf("RepairByOrigin: %s", got.ID)
		}
		_, err = tx.RepairByOrigin("shaanxi", "d-2")
		wantCode(t, err, xinyong.ENOTFOUND, "RepairByOrigin of an unknown decision")
	})

	// Record outcomes.
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.SetRecordRepair("r1", "rp1", xinyong.RepairDeleted), "SetRecordRepair r1")
		ok(t, tx.SetRecordRepair("r3", "rp4", xinyong.RepairShielded), "SetRecordRepair r3")
	})
	err = e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.SetRecordRepair("r1", "rp2", xinyong.RepairEnded) })
	wantCode(t, err, xinyong.ECONFLICT, "a second outcome for a record")
	e.view(func(tx xinyong.Tx) {
		m, err := tx.RecordRepairs([]string{"r1", "r2", "r3"})
		ok(t, err, "RecordRepairs")
		equal(t, "RecordRepairs", m, map[string]xinyong.RepairOutcome{"r1": xinyong.RepairDeleted, "r3": xinyong.RepairShielded})
		m, err = tx.RecordRepairs(nil)
		ok(t, err, "RecordRepairs(nil)")
		if len(m) != 0 {
			t.Errorf("RecordRepairs(nil): %v", m)
		}
		o, id, err := tx.RecordRepair("r1")
		ok(t, err, "RecordRepair")
		if o != xinyong.RepairDeleted || id != "rp1" {
			t.Errorf("RecordRepair: %s %s", o, id)
		}
		_, _, err = tx.RecordRepair("r2")
		wantCode(t, err, xinyong.ENOTFOUND, "RecordRepair of a record never repaired")
	})

	// Erasure: every version's content and salt, and the stored documents.
	r1 := record("rec1", dept.ID, subj.ID, "罚〔2026〕1号")
	e.update(func(tx xinyong.Tx) { ok(t, tx.InsertRecord(r1), "InsertRecord") })
	r2 := r1
	r2.Version, r2.Content, r2.Salt, r2.LedgerIdx = 2, []byte(`{"v":2}`), []byte("salt2"), 8
	e.update(func(tx xinyong.Tx) { ok(t, tx.UpdateRecord(r2), "UpdateRecord") })
	erased := r2
	erased.Fields = nil
	e.update(func(tx xinyong.Tx) { ok(t, tx.EraseRecord(erased), "EraseRecord") })
	stale := r1
	err = e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.EraseRecord(stale) })
	wantCode(t, err, xinyong.ECONFLICT, "EraseRecord of a stale version")
	e.view(func(tx xinyong.Tx) {
		vs, err := tx.RecordVersions("rec1")
		ok(t, err, "RecordVersions")
		if len(vs) != 2 {
			t.Fatalf("versions: %d", len(vs))
		}
		for _, v := range vs {
			if v.Content != nil || v.Salt != nil || len(v.Fields) != 0 {
				t.Errorf("version %d not erased: content %q salt %q fields %v", v.Version, v.Content, v.Salt, v.Fields)
			}
		}
		if vs[0].Version != 1 || vs[1].Version != 2 || vs[1].LedgerIdx != 8 {
			t.Errorf("versions after erasure: %d %d idx %d", vs[0].Version, vs[1].Version, vs[1].LedgerIdx)
		}
		n := 0
		ok(t, tx.RecordContentsByLedger(0, 100, func(c xinyong.RecordContent) error {
			if c.ID == "rec1" {
				n++
				if !c.Erased {
					t.Errorf("content of v%d not marked erased", c.Version)
				}
			}
			return nil
		}), "RecordContentsByLedger")
		if n != 2 {
			t.Errorf("RecordContentsByLedger saw %d versions of rec1", n)
		}
	})

	// Peers.
	p := xinyong.Peer{ID: "p1", Name: "shaanxi", PublicKey: make([]byte, 32), CreatedBy: "account:a1", CreatedAt: base}
	e.update(func(tx xinyong.Tx) { ok(t, tx.PutPeer(p), "PutPeer") })
	p.PublicKey = []byte("0123456789abcdef0123456789abcdef")
	p.Disabled = true
	e.update(func(tx xinyong.Tx) { ok(t, tx.PutPeer(p), "PutPeer again") })
	e.view(func(tx xinyong.Tx) {
		got, err := tx.PeerByName("shaanxi")
		ok(t, err, "PeerByName")
		if string(got.PublicKey) != string(p.PublicKey) || !got.Disabled || got.ID != "p1" || !got.CreatedAt.Equal(base) {
			t.Errorf("PeerByName: %+v", got)
		}
		_, err = tx.PeerByName("nope")
		wantCode(t, err, xinyong.ENOTFOUND, "PeerByName of an unknown peer")
		ps, err := tx.Peers()
		ok(t, err, "Peers")
		if len(ps) != 1 {
			t.Errorf("Peers: %+v", ps)
		}
	})
}
