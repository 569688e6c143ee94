package workflow_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/pgtest"
	"xinyong/internal/workflow"
)

// TestRevokeAndReviewOnce: a consent is revoked once and a query-use entry
// reviewed once (DOMAIN.md §7: consent is withdrawn at once; each query
// can be reviewed — one review, by one auditor). Of two concurrent
// revocations, or two concurrent reviews by two auditors, exactly one
// succeeds and the other is a conflict, on both stores: under
// PostgreSQL's READ COMMITTED both transactions read the row unrevoked, so
// only a conditional update (… AND revoked_at IS NULL, … AND reviewed_at
// IS NULL) tells the second that the first won. A sequential second
// attempt is a conflict at the store too, an unknown id not found.
func TestRevokeAndReviewOnce(t *testing.T) {
	const rounds = 20
	for _, db := range []struct {
		name string
		dsn  func(t *testing.T) string
	}{{"sqlite", func(*testing.T) string { return "" }}, {"postgres", func(t *testing.T) string { return pgtest.DSN(t) }}} {
		t.Run(db.name, func(t *testing.T) {
			ctx := context.Background()
			clk := &clock{now: day("2026-06-01")}
			a, _ := openAppIn(t, clk, t.TempDir(), db.dsn(t))
			svc := a.Service
			dept, err := svc.CreateDepartment(ctx, xinyong.System, workflow.DepartmentInput{Code: uscc(t, "11620100MB0001AA"), Name: "兰州市市场监督管理局", Provides: []string{"XZCF"}})
			if err != nil {
				t.Fatal(err)
			}
			off := xinyong.Actor{Kind: "account", ID: "oa", Name: "officer A", Role: xinyong.RoleOfficer, DepartmentID: dept.ID}
			f := &fixture{ctx: ctx, svc: svc, clk: clk, deptA: dept, offA: off, org: uscc(t, "91620100MA74QX3K")}
			r, err := f.penalty(t, off, "兰市监罚〔2026〕901号", "2026-05-04")
			if err != nil {
				t.Fatal(err)
			}
			subj := xinyong.Actor{Kind: "account", ID: "s1", Name: "org", Role: xinyong.RoleSubject, SubjectID: r.SubjectID}
			agency := xinyong.Actor{Kind: "token", ID: "ag", Name: "bank", Role: xinyong.RoleAgency, Organisation: "某银行"}
			auditors := [2]xinyong.Actor{{Kind: "account", ID: "aud1", Name: "auditor 1", Role: xinyong.RoleAuditor}, {Kind: "account", ID: "aud2", Name: "auditor 2", Role: xinyong.RoleAuditor}}

			// race runs op twice at once and reports how many succeeded,
			// failing on an error other than a conflict.
			race := func(what string, op func(i int) error) int {
				t.Helper()
				var wg sync.WaitGroup
				errs := make([]error, 2)
				start := make(chan struct{})
				for i := range 2 {
					wg.Add(1)
					go func() { defer wg.Done(); <-start; errs[i] = op(i) }()
				}
				close(start)
				wg.Wait()
				ok := 0
				for _, err := range errs {
					switch xinyong.ErrorCode(err) {
					case "":
						ok++
					case xinyong.ECONFLICT:
					default:
						t.Errorf("%s: %v", what, err)
					}
				}
				return ok
			}
			revokedTwice, reviewedTwice := 0, 0
			var lastConsent, lastEntry string
			for range rounds {
				c, err := svc.GrantConsent(ctx, subj, xinyong.ConsentInput{Organisation: "某银行", Items: []string{"XZCF"}, Purpose: "贷款审批", ExpiresAt: clk.Now().Add(24 * time.Hour)})
				if err != nil {
					t.Fatal(err)
				}
				if n := race("revoke", func(int) error { _, err := svc.RevokeConsent(ctx, subj, c.ID); return err }); n != 1 {
					revokedTwice += n / 2
					if n == 0 {
						t.Errorf("neither revocation of %s succeeded", c.ID)
					}
				}
				res, err := svc.Check(ctx, agency, f.org, "政府采购", "投标资格审查")
				if err != nil {
					t.Fatal(err)
				}
				if n := race("review", func(i int) error {
					_, err := svc.ReviewQuery(ctx, auditors[i], res.QueryID, "已核实")
					return err
				}); n != 1 {
					reviewedTwice += n / 2
					if n == 0 {
						t.Errorf("neither review of %s succeeded", res.QueryID)
					}
				}
				lastConsent, lastEntry = c.ID, res.QueryID
			}
			if revokedTwice > 0 || reviewedTwice > 0 {
				t.Errorf("of %d rounds, %d consents were revoked twice and %d entries reviewed twice, both calls succeeding", rounds, revokedTwice, reviewedTwice)
			}
			// At the store: a second update in a transaction of its own is
			// a conflict; an unknown id is not found.
			at := clk.Now()
			for _, tt := range []struct {
				what string
				op   func(tx xinyong.Tx) error
				want string
			}{
				{"revoke again", func(tx xinyong.Tx) error { return tx.RevokeConsent(lastConsent, at) }, xinyong.ECONFLICT},
				{"review again", func(tx xinyong.Tx) error { return tx.ReviewQueryUse(lastEntry, at, "account:aud3", "") }, xinyong.ECONFLICT},
				{"revoke unknown", func(tx xinyong.Tx) error { return tx.RevokeConsent("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", at) }, xinyong.ENOTFOUND},
				{"review unknown", func(tx xinyong.Tx) error {
					return tx.ReviewQueryUse("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", at, "account:aud3", "")
				}, xinyong.ENOTFOUND},
			} {
				if err := a.Store.Update(ctx, tt.op); xinyong.ErrorCode(err) != tt.want {
					t.Errorf("%s: %v, want %s", tt.what, err, tt.want)
				}
			}
		})
	}
}
