package workflow_test

import (
	"context"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/pgtest"
)

// TestQueryUseTimeIsLeafTime: a query-use entry (DOMAIN.md §7: every query
// registered, kept at least 5 years, then purged) is dated by the
// transaction that appends it and its ledger leaf, not by the read before
// it. The purge deletes entries by their time and `ledger verify` accepts
// a missing entry only when its leaf's time is before the purge horizon:
// an entry dated by the read (earlier) and a leaf dated by the grouped
// append (later) let a lawful purge whose horizon falls between the two
// delete a row verify then reports as deleted. Found by review
// (TestRevPurgeHorizonStraddle).
func TestQueryUseTimeIsLeafTime(t *testing.T) {
	for _, st := range []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "" }},
		{"postgres", func(t *testing.T) string { return pgtest.DSN(t) }},
	} {
		t.Run(st.name, func(t *testing.T) {
			ctx := context.Background()
			db := &clock{now: day("2026-06-01")} // the store's clock: transactions' time
			a, _ := openAppIn(t, db, t.TempDir(), st.db(t))
			svc := a.Service
			org := uscc(t, "91620100MA74QX3K")
			agency := xinyong.Actor{Kind: "token", ID: "ag", Name: "bank", Role: xinyong.RoleAgency, Organisation: "某银行"}
			// The check reads at t0 (the service's clock); its append
			// commits one second later (the transaction's clock), as a
			// grouped append under load does.
			t0 := day("2026-06-01").Add(time.Hour)
			db.Set(t0.Add(time.Second))
			svc.Clock = func() time.Time { return t0 }
			res, err := svc.Check(ctx, agency, org, "贷款审批", "贷款审批")
			if err != nil {
				t.Fatal(err)
			}
			var q xinyong.QueryUse
			var leaf xinyong.LedgerEntry
			if err := svc.Store.View(ctx, func(tx xinyong.Tx) error {
				qs, err := tx.QueryUses(xinyong.QueryFilter{})
				if err != nil {
					return err
				}
				for _, e := range qs {
					if e.ID == res.QueryID {
						q = e
					}
				}
				if q.ID == "" {
					t.Fatalf("no entry %s in %+v", res.QueryID, qs)
				}
				leaf, err = tx.LedgerEntry(q.LedgerIdx)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if !q.At.Equal(leaf.At) {
				t.Errorf("entry at %s, its leaf at %s: the purge (by entry time) and verify (by leaf time) disagree", q.At, leaf.At)
			}
			// Five years on, purges with horizons just after the read and
			// just after the append: verify holds after each.
			svc.Clock = db.Now
			db.Set(t0.AddDate(5, 0, 0).Add(time.Minute))
			for _, before := range []time.Time{t0.Add(500 * time.Millisecond), t0.Add(1500 * time.Millisecond)} {
				if _, err := svc.PurgeQueryLog(ctx, xinyong.Actor{Kind: "account", ID: "adm", Name: "admin", Role: xinyong.RoleAdmin}, before); err != nil {
					t.Fatal(err)
				}
				vr, err := svc.Verify(ctx, "", nil)
				if err != nil {
					t.Fatal(err)
				}
				if !vr.OK() {
					t.Errorf("ledger verify after a lawful purge before %s: %+v", before.UTC(), vr.Problems)
				}
			}
			// The last purge's horizon is past the append: the entry is gone.
			svc.Store.View(ctx, func(tx xinyong.Tx) error {
				qs, _ := tx.QueryUses(xinyong.QueryFilter{})
				if len(qs) != 0 {
					t.Errorf("entries left after a purge past them: %+v", qs)
				}
				return nil
			})
		})
	}
}
