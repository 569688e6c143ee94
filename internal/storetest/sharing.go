package storetest

import (
	"time"

	"xinyong"
)

func consent(id, subjectID string, at time.Time) xinyong.Consent {
	return xinyong.Consent{ID: id, SubjectID: subjectID, Organisation: "某银行股份有限公司", Items: []string{"CF01", "XK01"}, Purpose: "贷款审批",
		GrantedAt: at, ExpiresAt: at.Add(180 * 24 * time.Hour), GrantedBy: "account:" + subjectID}
}

func queryUse(id, actor, subjectID string, at time.Time, idx int64) xinyong.QueryUse {
	return xinyong.QueryUse{ID: id, At: at, Actor: actor, ActorName: "银行系统", Organisation: "某银行股份有限公司", Viewer: xinyong.ViewerAgency,
		Purpose: "贷款审批", Basis: "", ConsentID: "c-" + id, SubjectID: subjectID, Items: []string{"CF01"}, Records: []string{"r1", "r2"}, LedgerIdx: idx}
}

// testConsents: consents keep every field, times in UTC at microsecond
// precision; a subject's consents come newest first; revocation sets the
// time; unknown ids are ENOTFOUND and a repeated id ECONFLICT.
func testConsents(e *env) {
	t := e.t
	_, subj := e.seed()
	other := subject("s2", "91110000MA0000001X")
	e.update(func(tx xinyong.Tx) { ok(t, tx.PutSubject(other), "PutSubject") })
	c1 := consent("c1", subj.ID, base)
	c2 := consent("c2", subj.ID, base.Add(time.Hour))
	c2.Items = []string{"CF01"}
	c3 := consent("c3", other.ID, base.Add(2*time.Hour))
	e.update(func(tx xinyong.Tx) {
		for _, c := range []xinyong.Consent{c1, c2, c3} {
			ok(t, tx.PutConsent(c), "PutConsent "+c.ID)
		}
	})
	err := e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.PutConsent(c1) })
	wantCode(t, err, xinyong.ECONFLICT, "PutConsent of an id stored before")
	revokedAt := base.Add(3 * time.Hour)
	e.update(func(tx xinyong.Tx) { ok(t, tx.RevokeConsent("c1", revokedAt), "RevokeConsent") })
	err = e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.RevokeConsent("nope", revokedAt) })
	wantCode(t, err, xinyong.ENOTFOUND, "RevokeConsent of an unknown id")
	e.view(func(tx xinyong.Tx) {
		got, err := tx.Consent("c2")
		ok(t, err, "Consent")
		equal(t, "Consent", got, c2)
		sameTime(t, "GrantedAt", got.GrantedAt, c2.GrantedAt)
		sameTime(t, "ExpiresAt", got.ExpiresAt, c2.ExpiresAt)
		got, err = tx.Consent("c1")
		ok(t, err, "Consent c1")
		if got.RevokedAt == nil {
			t.Fatal("RevokedAt not stored")
		}
		sameTime(t, "RevokedAt", *got.RevokedAt, revokedAt)
		_, err = tx.Consent("nope")
		wantCode(t, err, xinyong.ENOTFOUND, "Consent of an unknown id")
		list, err := tx.ConsentsBySubject(subj.ID)
		ok(t, err, "ConsentsBySubject")
		if len(list) != 2 || list[0].ID != "c2" || list[1].ID != "c1" {
			t.Errorf("ConsentsBySubject = %+v, want c2, c1", list)
		}
		none, err := tx.ConsentsBySubject("nobody")
		ok(t, err, "ConsentsBySubject(nobody)")
		if len(none) != 0 {
			t.Errorf("ConsentsBySubject(nobody) = %v", none)
		}
	})
}

// testQueryUses: the query-use log keeps every field; filters by actor,
// subject, time range, flagged and reviewed; newest first with pages;
// streams; reviews; counts the distinct subjects an actor read since a
// time; reads by leaf; purges what is older than a time.
func testQueryUses(e *env) {
	t := e.t
	q1 := queryUse("q1", "token:t1", "s1", base, 10)
	q2 := queryUse("q2", "token:t1", "s2", base.Add(10*time.Minute), 11)
	q2.Flagged, q2.FlagReason = true, "rate: at least 51 distinct subjects read within an hour (limit 50)"
	q3 := queryUse("q3", "token:t1", "s1", base.Add(20*time.Minute), 12)
	q3.Basis, q3.ConsentID, q3.Items, q3.Records = "《企业信息公示暂行条例》", "", []string{}, []string{}
	q4 := queryUse("q4", "account:a9", "s3", base.Add(2*time.Hour), 13)
	q4.Viewer = xinyong.ViewerOfficer
	all := []xinyong.QueryUse{q1, q2, q3, q4}
	e.update(func(tx xinyong.Tx) {
		for _, q := range all {
			ok(t, tx.AddQueryUse(q), "AddQueryUse "+q.ID)
		}
		// Their leaves, dated by the appends a little after the reads;
		// q2's after the first purge's horizon (15 minutes).
		var les []xinyong.LedgerEntry
		for _, q := range all {
			at := q.At.Add(time.Second)
			if q.ID == "q2" {
				at = base.Add(16 * time.Minute)
			}
			les = append(les, xinyong.LedgerEntry{Index: q.LedgerIdx, Kind: "query", ObjectType: "query_use", ObjectID: q.ID, Commitment: []byte{1}, At: at})
		}
		ok(t, tx.AppendLedgerEntries(les), "AppendLedgerEntries")
	})
	err := e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.AddQueryUse(q1) })
	wantCode(t, err, xinyong.ECONFLICT, "AddQueryUse of an id stored before")
	ids := func(qs []xinyong.QueryUse) []string {
		out := []string{}
		for _, q := range qs {
			out = append(out, q.ID)
		}
		return out
	}
	yes, no := true, false
	e.view(func(tx xinyong.Tx) {
		for _, q := range all {
			got, err := tx.QueryUse(q.ID)
			ok(t, err, "QueryUse "+q.ID)
			equal(t, "QueryUse "+q.ID, got, q)
			sameTime(t, "At", got.At, q.At)
		}
		_, err := tx.QueryUse("nope")
		wantCode(t, err, xinyong.ENOTFOUND, "QueryUse of an unknown id")
		for _, tt := range []struct {
			name string
			f    xinyong.QueryFilter
			want []string
		}{
			{"all, newest first", xinyong.QueryFilter{}, []string{"q4", "q3", "q2", "q1"}},
			{"actor", xinyong.QueryFilter{Actor: "token:t1"}, []string{"q3", "q2", "q1"}},
			{"subject", xinyong.QueryFilter{SubjectID: "s1"}, []string{"q3", "q1"}},
			{"from (inclusive)", xinyong.QueryFilter{From: base.Add(10 * time.Minute)}, []string{"q4", "q3", "q2"}},
			{"to (exclusive)", xinyong.QueryFilter{To: base.Add(20 * time.Minute)}, []string{"q2", "q1"}},
			{"range", xinyong.QueryFilter{From: base.Add(time.Minute), To: base.Add(time.Hour)}, []string{"q3", "q2"}},
			{"flagged", xinyong.QueryFilter{Flagged: &yes}, []string{"q2"}},
			{"not flagged", xinyong.QueryFilter{Flagged: &no, Actor: "token:t1"}, []string{"q3", "q1"}},
			{"page", xinyong.QueryFilter{Offset: 1, Limit: 2}, []string{"q3", "q2"}},
			{"beyond", xinyong.QueryFilter{Offset: 10}, []string{}},
		} {
			got, err := tx.QueryUses(tt.f)
			ok(t, err, "QueryUses "+tt.name)
			equal(t, "QueryUses "+tt.name, ids(got), tt.want)
		}
		var streamed []xinyong.QueryUse
		ok(t, tx.EachQueryUse(xinyong.QueryFilter{Actor: "token:t1", Limit: 1}, func(q xinyong.QueryUse) error {
			streamed = append(streamed, q)
			return nil
		}), "EachQueryUse")
		equal(t, "EachQueryUse ignores Limit", ids(streamed), []string{"q3", "q2", "q1"})
		wantErr := tx.EachQueryUse(xinyong.QueryFilter{}, func(xinyong.QueryUse) error { return errStop })
		if wantErr != errStop {
			t.Errorf("EachQueryUse callback error: %v", wantErr)
		}
		var byLeaf []xinyong.QueryUse
		ok(t, tx.QueryUsesByLedger(11, 13, func(q xinyong.QueryUse) error {
			byLeaf = append(byLeaf, q)
			return nil
		}), "QueryUsesByLedger")
		equal(t, "QueryUsesByLedger [11, 13)", ids(byLeaf), []string{"q2", "q3"})
		// Distinct subjects token:t1 read since base, other than s9: s1, s2.
		n, err := tx.CountQuerySubjects("token:t1", base, "s9", 0)
		ok(t, err, "CountQuerySubjects")
		equal(t, "CountQuerySubjects", n, 2)
		n, _ = tx.CountQuerySubjects("token:t1", base, "s1", 0)
		equal(t, "CountQuerySubjects except s1", n, 1)
		n, _ = tx.CountQuerySubjects("token:t1", base.Add(15*time.Minute), "s9", 0)
		equal(t, "CountQuerySubjects since", n, 1)
		n, _ = tx.CountQuerySubjects("nobody", base, "", 0)
		equal(t, "CountQuerySubjects nobody", n, 0)
		n, _ = tx.CountQuerySubjects("token:t1", base, "s9", 1)
		equal(t, "CountQuerySubjects capped at 1", n, 1)
	})
	reviewedAt := base.Add(3 * time.Hour)
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.ReviewQueryUse("q2", reviewedAt, "account:auditor", "核查：批量贷前审查，属正常业务"), "ReviewQueryUse")
	})
	err = e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.ReviewQueryUse("nope", reviewedAt, "x", "") })
	wantCode(t, err, xinyong.ENOTFOUND, "ReviewQueryUse of an unknown id")
	e.view(func(tx xinyong.Tx) {
		got, err := tx.QueryUse("q2")
		ok(t, err, "QueryUse q2")
		if got.ReviewedAt == nil || got.ReviewedBy != "account:auditor" || got.ReviewNote != "核查：批量贷前审查，属正常业务" {
			t.Fatalf("review not stored: %+v", got)
		}
		sameTime(t, "ReviewedAt", *got.ReviewedAt, reviewedAt)
		rev, err := tx.QueryUses(xinyong.QueryFilter{Reviewed: &yes})
		ok(t, err, "QueryUses reviewed")
		equal(t, "reviewed", ids(rev), []string{"q2"})
		unrev, err := tx.QueryUses(xinyong.QueryFilter{Reviewed: &no})
		ok(t, err, "QueryUses unreviewed")
		equal(t, "unreviewed", ids(unrev), []string{"q4", "q3", "q1"})
	})
	// A purge deletes the entries whose own time and whose leaf's time
	// are both before it (ledger verify accepts a missing entry only when
	// its leaf is before the purge horizon): q2, read before the horizon
	// and appended after it, stays until a later purge.
	for _, p := range []struct {
		before time.Time
		n      int64
		left   []string
	}{
		{base.Add(15 * time.Minute), 1, []string{"q4", "q3", "q2"}},
		{base.Add(17 * time.Minute), 1, []string{"q4", "q3"}},
	} {
		var purged int64
		e.update(func(tx xinyong.Tx) {
			var err error
			purged, err = tx.PurgeQueryUses(p.before)
			ok(t, err, "PurgeQueryUses")
		})
		equal(t, "purged", purged, p.n)
		e.view(func(tx xinyong.Tx) {
			left, err := tx.QueryUses(xinyong.QueryFilter{})
			ok(t, err, "QueryUses after purge")
			equal(t, "after purge", ids(left), p.left)
		})
	}
	// Checks of codes the platform holds nothing on are stored without a
	// subject: they are no subject read, and the flag count skips them.
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.AddQueryUse(queryUse("q7", "token:t7", "", base.Add(4*time.Hour), 40)), "AddQueryUse without a subject")
		ok(t, tx.AddQueryUse(queryUse("q8", "token:t7", "s7", base.Add(4*time.Hour), 41)), "AddQueryUse q8")
	})
	e.view(func(tx xinyong.Tx) {
		n, err := tx.CountQuerySubjects("token:t7", base, "s9", 0)
		ok(t, err, "CountQuerySubjects")
		equal(t, "CountQuerySubjects without the unknown", n, 1)
		n, _ = tx.CountQuerySubjects("token:t7", base, "s9", 5)
		equal(t, "CountQuerySubjects capped, without the unknown", n, 1)
	})
}
