package workflow_test

import (
	"context"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/pgtest"
)

// TestQueryUseTimeIsReadTime: a query-use entry (DOMAIN.md §7: every
// query registered, kept at least 5 years, then purged) keeps the time of
// the read, the time the subject sees under "who queried me", the agency's
// receipt signs and the consent was checked at; its ledger leaf carries the
// later time of the grouped append that committed it. The purge deletes an
// entry only when both are before its horizon, so `ledger verify` (a
// missing entry is lawful only when its leaf's time is before the horizon)
// holds after a purge whose horizon falls between the read and the append,
// and after one past both. Replaces TestQueryUseTimeIsLeafTime (caa2200,
// which dated the entry by its append: the subject and the receipt then
// gave different times, and a read checked against a consent just before
// it ended was recorded after the end). Found by review.
func TestQueryUseTimeIsReadTime(t *testing.T) {
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
			if !q.At.Equal(t0) {
				t.Errorf("entry at %s, the read at %s (its leaf at %s): the subject's and the receipt's times disagree", q.At, t0, leaf.At)
			}
			if !leaf.At.After(q.At) {
				t.Fatalf("leaf at %s, not after the read at %s: the test does not straddle", leaf.At, q.At)
			}
			remaining := func() int {
				var n int
				svc.Store.View(ctx, func(tx xinyong.Tx) error {
					qs, err := tx.QueryUses(xinyong.QueryFilter{})
					n = len(qs)
					return err
				})
				return n
			}
			// Five years on, purges with horizons just after the read and
			// just after the append: verify holds after each.
			svc.Clock = db.Now
			db.Set(t0.AddDate(5, 0, 0).Add(time.Minute))
			for i, before := range []time.Time{t0.Add(500 * time.Millisecond), t0.Add(1500 * time.Millisecond)} {
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
				// Between the read and the append the entry stays; past
				// both it is gone.
				if n, want := remaining(), []int{1, 0}[i]; n != want {
					t.Errorf("after a purge before %s: %d entries, want %d", before.UTC(), n, want)
				}
			}
		})
	}
}
