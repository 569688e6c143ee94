package workflow_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"xinyong"
	"xinyong/internal/pgtest"
)

// The clean-up review (清理规范, doc/compliance.md "Clean-up review"): a
// measure is shown triggered only if a listing would trigger it now — a
// listing in state listed —, not one removed or still proposed. A list
// type's uses still count every listing it ever had. On both stores
// (SQLite always, PostgreSQL with XINYONG_TEST_POSTGRES). The old review
// counted listings in every state as triggers: a measure whose list type
// had only removed listings was "triggered" (uses 1, never unused) and a
// retired one was flagged retired_used.
func TestCleanupReviewTriggersOnlyListed(t *testing.T) {
	stores := []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "x.db") }},
		{"postgres", func(t *testing.T) string { return pgtest.DSN(t) }},
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			ctx := context.Background()
			clk := &clock{now: day("2026-06-01")}
			a, _ := openAppIn(t, clk, t.TempDir(), st.db(t))
			admin := xinyong.Actor{Kind: "account", ID: "adm", Name: "admin", Role: xinyong.RoleAdmin}
			at := clk.Now().UTC()
			n := 0
			put := func(tx xinyong.Tx, listType string, state xinyong.ListingState) error {
				n++
				subj := xinyong.Subject{ID: fmt.Sprintf("S%06d", n), Key: fmt.Sprintf("key-S%06d", n), Code: fmt.Sprintf("91620100MA%08d", n), Kind: xinyong.KindEnterprise,
					Name: fmt.Sprintf("兰州某某%05d商贸有限公司", n), CreatedAt: at}
				if err := tx.PutSubject(subj); err != nil {
					return err
				}
				l := xinyong.Listing{ID: fmt.Sprintf("00000000-0000-7000-8000-%012d", n), ListType: listType, SubjectID: subj.ID, DepartmentID: "d",
					RecordIDs: []string{fmt.Sprintf("r%d", n)}, State: state, Version: 1, Reasons: "r", Basis: "b",
					ProposedBy: "account:oa", ProposedAt: at, UpdatedAt: at, UpdatedBy: "account:oa"}
				switch state {
				case xinyong.ListingRemoved:
					l.Version = 2
					l.Removal = &xinyong.ListingRemoval{Date: xinyong.DateOf(at), Reason: xinyong.RemovalRevoked, By: "account:oa"}
				case xinyong.ListingListed:
					l.ListedOn, l.EndDate = xinyong.DateOf(at), xinyong.MustDate("2029-06-01")
				}
				return tx.InsertListing(l)
			}
			// Only removed or proposed listings; and a retired measure
			// triggered by the serious list of market supervision.
			err := a.Service.Store.Update(ctx, func(tx xinyong.Tx) error {
				if err := tx.PutMeasure(xinyong.Measure{Code: "ZZ-RETIRED", Kind: xinyong.MeasureReducesRights, Item: "退役措施", LegalBasis: "《某条例》第一条",
					ListTypes: []string{"SAMR_SERIOUS"}, Layer: xinyong.LayerProvincial, Provenance: xinyong.ProvenanceLocal, EffectiveFrom: xinyong.MustDate("2020-01-01"), Retired: true}); err != nil {
					return err
				}
				if err := put(tx, "SPC_DEFAULTER", xinyong.ListingRemoved); err != nil {
					return err
				}
				if err := put(tx, "SAMR_SERIOUS", xinyong.ListingRemoved); err != nil {
					return err
				}
				return put(tx, "SAMR_SERIOUS", xinyong.ListingProposed)
			})
			if err != nil {
				t.Fatal(err)
			}
			review := func() map[string]xinyong.CleanupEntry {
				t.Helper()
				es, err := a.Service.CleanupReview(ctx, admin)
				if err != nil {
					t.Fatal(err)
				}
				m := map[string]xinyong.CleanupEntry{}
				for _, e := range es {
					m[e.Type+":"+e.Code] = e
				}
				return m
			}
			es := review()
			// A list type's uses: every listing it has had.
			if e := es["list_type:SPC_DEFAULTER"]; e.Uses != 1 || slices.Contains(e.Flags, xinyong.FlagUnused) {
				t.Errorf("SPC_DEFAULTER uses: %+v", e)
			}
			if e := es["list_type:SAMR_SERIOUS"]; e.Uses != 2 {
				t.Errorf("SAMR_SERIOUS uses: %+v", e)
			}
			// No listing would trigger these measures now.
			for _, code := range []string{"SPC-HIGH-CONSUMPTION", "CL-178-OFFICER", "CPC-SC-2025-RESTRICT", "ZZ-RETIRED"} {
				e := es["measure:"+code]
				if e.Code == "" {
					t.Fatalf("measure %s not in the review", code)
				}
				if e.Uses != 0 || e.UsedBy != "feedback" || !slices.Contains(e.Flags, xinyong.FlagUnused) || slices.Contains(e.Flags, xinyong.FlagRetired) {
					t.Errorf("measure %s with only removed or proposed listings: %+v", code, e)
				}
			}
			// A listing in force triggers the measures of its list type.
			if err := a.Service.Store.Update(ctx, func(tx xinyong.Tx) error { return put(tx, "SAMR_SERIOUS", xinyong.ListingListed) }); err != nil {
				t.Fatal(err)
			}
			es = review()
			for _, code := range []string{"CPC-SC-2025-RESTRICT", "ZZ-RETIRED"} {
				if e := es["measure:"+code]; e.Uses != 1 || e.UsedBy != "feedback, triggered" || slices.Contains(e.Flags, xinyong.FlagUnused) {
					t.Errorf("measure %s with a listing in force: %+v", code, e)
				}
			}
			if e := es["measure:ZZ-RETIRED"]; e.Status != "retired" || !slices.Contains(e.Flags, xinyong.FlagRetired) {
				t.Errorf("a retired measure a listing in force triggers: %+v", e)
			}
			if e := es["measure:SPC-HIGH-CONSUMPTION"]; e.Uses != 0 || !slices.Contains(e.Flags, xinyong.FlagUnused) {
				t.Errorf("SPC-HIGH-CONSUMPTION after a listing of another type: %+v", e)
			}
			if e := es["list_type:SAMR_SERIOUS"]; e.Uses != 3 {
				t.Errorf("SAMR_SERIOUS uses: %+v", e)
			}
		})
	}
}
