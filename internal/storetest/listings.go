package storetest

import (
	"sync"
	"time"

	"xinyong"
)

func listing(id, subjectID, deptID string, at time.Time) xinyong.Listing {
	return xinyong.Listing{ID: id, ListType: "SXBZXR", SubjectID: subjectID, DepartmentID: deptID, RecordIDs: []string{"r1", "r2"},
		State: xinyong.ListingProposed, Version: 1, Reasons: "有履行能力而拒不履行", Basis: "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
		ProposedBy: "account:a1", ProposedAt: at, UpdatedAt: at, UpdatedBy: "account:a1"}
}

// testListings: listings keep every field; each step is a compare-and-set
// on state and version (a stale step is ECONFLICT, of two racing steps
// exactly one wins); every version is kept; filters by department,
// subject, state, record and end date.
func testListings(e *env) {
	t := e.t
	dept, subj := e.seed()
	l1 := listing("l1", subj.ID, dept.ID, base)
	l2 := listing("l2", subj.ID, "d2", base.Add(time.Hour))
	l2.RecordIDs = []string{"r3"}
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.InsertListing(l1), "InsertListing l1")
		ok(t, tx.InsertListing(l2), "InsertListing l2")
	})
	err := e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.InsertListing(l1) })
	wantCode(t, err, xinyong.ECONFLICT, "InsertListing of an id stored before")

	next := l1
	next.Version, next.State, next.UpdatedAt = 2, xinyong.ListingNotified, base.Add(2*time.Hour)
	next.Notice = &xinyong.ListingNotice{Date: xinyong.MustDate("2026-02-02"), Reasons: "r", Basis: "b", Rights: xinyong.StandardRights, ObjectionDays: 5, ObjectionDeadline: xinyong.MustDate("2026-02-09"), By: "account:a1"}
	e.update(func(tx xinyong.Tx) { ok(t, tx.UpdateListing(next, xinyong.ListingProposed, 1), "UpdateListing") })
	// The same step again, from the old state: someone else won.
	err = e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.UpdateListing(next, xinyong.ListingProposed, 1) })
	wantCode(t, err, xinyong.ECONFLICT, "stale UpdateListing")
	err = e.s.Update(e.ctx, func(tx xinyong.Tx) error {
		return tx.UpdateListing(listing("nope", subj.ID, dept.ID, base), xinyong.ListingProposed, 1)
	})
	wantCode(t, err, xinyong.ENOTFOUND, "UpdateListing of an unknown id")

	// Two racing steps from the same version: exactly one wins.
	a, b := next, next
	a.Version, a.State = 3, xinyong.ListingObjected
	b.Version, b.State = 3, xinyong.ListingDecided
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, l := range []xinyong.Listing{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.UpdateListing(l, xinyong.ListingNotified, 2) })
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
		} else if xinyong.ErrorCode(err) != xinyong.ECONFLICT {
			t.Errorf("racing UpdateListing: %v, want ECONFLICT for the loser", err)
		}
	}
	if wins != 1 {
		t.Errorf("racing UpdateListing: %d won, want exactly 1 (%v)", wins, errs)
	}

	listed := l2
	listed.Version, listed.State, listed.ListedOn, listed.EndDate = 2, xinyong.ListingListed, xinyong.MustDate("2026-02-01"), xinyong.MustDate("2028-02-01")
	e.update(func(tx xinyong.Tx) { ok(t, tx.UpdateListing(listed, xinyong.ListingProposed, 1), "UpdateListing l2") })

	e.view(func(tx xinyong.Tx) {
		got, err := tx.Listing("l1")
		ok(t, err, "Listing")
		if got.Version != 3 || (got.State != xinyong.ListingObjected && got.State != xinyong.ListingDecided) {
			t.Errorf("Listing l1 = v%d %s, want v3 objected or decided", got.Version, got.State)
		}
		got.State, got.Version = next.State, next.Version
		equal(t, "Listing l1 fields", got.Notice, next.Notice)
		sameTime(t, "ProposedAt", got.ProposedAt, l1.ProposedAt)
		_, err = tx.Listing("nope")
		wantCode(t, err, xinyong.ENOTFOUND, "Listing of an unknown id")
		vs, err := tx.ListingVersions("l1")
		ok(t, err, "ListingVersions")
		if len(vs) != 3 || vs[0].State != xinyong.ListingProposed || vs[1].State != xinyong.ListingNotified {
			t.Errorf("ListingVersions = %d versions, want proposed, notified, …", len(vs))
		}
		_, err = tx.ListingVersions("nope")
		wantCode(t, err, xinyong.ENOTFOUND, "ListingVersions of an unknown id")
		for _, c := range []struct {
			name string
			f    xinyong.ListingFilter
			want []string
		}{
			{"all", xinyong.ListingFilter{}, []string{"l1", "l2"}},
			{"department", xinyong.ListingFilter{DepartmentID: dept.ID}, []string{"l1"}},
			{"subject", xinyong.ListingFilter{SubjectID: subj.ID}, []string{"l1", "l2"}},
			{"state", xinyong.ListingFilter{State: xinyong.ListingListed}, []string{"l2"}},
			{"record", xinyong.ListingFilter{RecordID: "r2"}, []string{"l1"}},
			{"record l2", xinyong.ListingFilter{RecordID: "r3"}, []string{"l2"}},
			{"end before", xinyong.ListingFilter{EndBefore: xinyong.MustDate("2028-02-01")}, []string{"l2"}},
			{"end before, earlier", xinyong.ListingFilter{EndBefore: xinyong.MustDate("2028-01-31")}, nil},
			{"limit", xinyong.ListingFilter{Limit: 1}, []string{"l1"}},
		} {
			ls, err := tx.Listings(c.f)
			ok(t, err, "Listings "+c.name)
			var ids []string
			for _, l := range ls {
				ids = append(ids, l.ID)
			}
			equal(t, "Listings "+c.name, ids, c.want)
		}
	})
}
