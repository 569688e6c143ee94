package workflow_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"xinyong"
	"xinyong/internal/pgtest"
	"xinyong/internal/workflow"
)

// The listing procedure on both stores (SQLite always, PostgreSQL with
// XINYONG_TEST_POSTGRES): the officer's queue (open listings, next deadline
// first, filters before the page is cut, honest totals), one listing per
// subject and list type, and the bound on the objection window.

var listingStores = []struct {
	name string
	db   func(t *testing.T) string
}{
	{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "x.db") }},
	{"postgres", func(t *testing.T) string { return pgtest.DSN(t) }},
}

type lqEnv struct {
	ctx          context.Context
	svc          *workflow.Service
	clk          *clock
	deptA, deptB xinyong.Department
	offA, offB   xinyong.Actor
	admin        xinyong.Actor
}

func newLQEnv(t *testing.T, db string) *lqEnv {
	t.Helper()
	clk := &clock{now: day("2026-06-01")} // a Monday
	a, _ := openAppIn(t, clk, t.TempDir(), db)
	e := &lqEnv{ctx: context.Background(), svc: a.Service, clk: clk, admin: xinyong.Actor{Kind: "account", ID: "adm", Name: "admin", Role: xinyong.RoleAdmin}}
	var err error
	if e.deptA, err = a.Service.CreateDepartment(e.ctx, xinyong.System, workflow.DepartmentInput{Code: uscc(t, "11620100MB0001AA"), Name: "兰州市市场监督管理局", Provides: []string{"XZCF"}}); err != nil {
		t.Fatal(err)
	}
	if e.deptB, err = a.Service.CreateDepartment(e.ctx, xinyong.System, workflow.DepartmentInput{Code: uscc(t, "11620100MB0002BB"), Name: "兰州市税务局", Provides: []string{"XZCF"}}); err != nil {
		t.Fatal(err)
	}
	e.offA = xinyong.Actor{Kind: "account", ID: "oa", Name: "officer A", Role: xinyong.RoleOfficer, DepartmentID: e.deptA.ID}
	e.offB = xinyong.Actor{Kind: "account", ID: "ob", Name: "officer B", Role: xinyong.RoleOfficer, DepartmentID: e.deptB.ID}
	return e
}

// record submits a serious penalty of the officer's department about org.
func (e *lqEnv) record(t *testing.T, off xinyong.Actor, dept xinyong.Department, org, number string) xinyong.Record {
	t.Helper()
	res, err := e.svc.SubmitRecord(e.ctx, off, "", xinyong.RecordInput{
		Item: "XZCF", SubjectCode: org, SubjectName: "兰州某某商贸有限公司",
		Document: xinyong.Document{Type: xinyong.DocPenaltyDecision, Number: number, Authority: dept.Name, DecisionDate: xinyong.MustDate("2026-05-20")},
		Fields: map[string]string{"CF_XDR_LB": "法人及非法人组织", "CF_WFXW": "虚假宣传", "CF_SY": "发布虚假广告", "CF_YJ": "《广告法》第五十五条",
			"CF_NR": "吊销营业执照", "CF_CFJGDM": dept.Code, "CF_SJLY": dept.Name, "CF_SJLYDM": dept.Code},
		Severity: "serious", Categories: []string{"吊销许可证件"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return res.Record
}

func (e *lqEnv) propose(off xinyong.Actor, listType, org, rec string) (xinyong.Listing, error) {
	return e.svc.ProposeListing(e.ctx, off, xinyong.ListingProposal{ListType: listType, Subject: org, RecordIDs: []string{rec},
		Reasons: "一年内三次虚假宣传受较重处罚", Basis: "《市场监督管理严重违法失信名单管理办法》第二条"})
}

// TestListingQueueOpenByDeadline: a department with 500 listings in its
// history (250 removed, 250 proposed, all older) and one new listing whose
// objection answer is overdue: the queue shows the open listings only, the
// overdue one first; the overdue filter and the state filter are applied
// before the page is cut; pages cover the queue exactly once; the total is
// the whole count. The old queue (500 oldest by id, removed included,
// overdue filtered after the cut) never showed the new listing.
func TestListingQueueOpenByDeadline(t *testing.T) {
	for _, st := range listingStores {
		t.Run(st.name, func(t *testing.T) {
			e := newLQEnv(t, st.db(t))
			const old = 500
			at := e.clk.Now().UTC()
			removed := map[string]bool{}
			err := e.svc.Store.Update(e.ctx, func(tx xinyong.Tx) error {
				for i := range old {
					subj := xinyong.Subject{ID: fmt.Sprintf("S%06d", i), Key: fmt.Sprintf("key-S%06d", i), Code: fmt.Sprintf("91620100MA%08d", i), Kind: xinyong.KindEnterprise,
						Name: fmt.Sprintf("兰州某某%05d商贸有限公司", i), CreatedAt: at}
					if err := tx.PutSubject(subj); err != nil {
						return err
					}
					// Ids below any new one (UUIDv7 of 2026): the oldest.
					l := xinyong.Listing{ID: fmt.Sprintf("00000000-0000-7000-8000-%012d", i), ListType: "SAMR_SERIOUS", SubjectID: subj.ID, DepartmentID: e.deptA.ID,
						RecordIDs: []string{fmt.Sprintf("r%d", i)}, State: xinyong.ListingProposed, Version: 1, Reasons: "r", Basis: "b",
						ProposedBy: "account:oa", ProposedAt: at, UpdatedAt: at, UpdatedBy: "account:oa"}
					if i%2 == 0 {
						l.State, l.Version = xinyong.ListingRemoved, 2
						l.Removal = &xinyong.ListingRemoval{Date: xinyong.DateOf(at), Reason: xinyong.RemovalRevoked, By: "account:oa"}
						removed[l.ID] = true
					}
					if err := tx.InsertListing(l); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// The new listing: proposed, notified, objected on 2026-06-01;
			// the answer is due 10 working days later (2026-06-15).
			org := uscc(t, "91620100MA74QX3K")
			l, err := e.propose(e.offA, "SAMR_SERIOUS", org, e.record(t, e.offA, e.deptA, org, "兰市监罚〔2026〕1号").ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.NotifyListing(e.ctx, e.offA, l.ID, xinyong.NoticeInput{}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.ObjectListing(e.ctx, e.offA, l.ID, xinyong.ObjectionInput{Statement: "罚款已缴清"}); err != nil {
				t.Fatal(err)
			}
			// Another department's overdue listing stays in its own queue.
			orgB := uscc(t, "91620100MA74QX4L")
			lb, err := e.propose(e.offB, "STA_MAJOR_TAX", orgB, e.record(t, e.offB, e.deptB, orgB, "兰税罚〔2026〕1号").ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.NotifyListing(e.ctx, e.offB, lb.ID, xinyong.NoticeInput{}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.ObjectListing(e.ctx, e.offB, lb.ID, xinyong.ObjectionInput{Statement: "已补缴"}); err != nil {
				t.Fatal(err)
			}
			e.clk.Set(day("2026-07-01")) // both answers overdue

			const open = old/2 + 1
			p, err := e.svc.ListingQueuePage(e.ctx, e.offA, workflow.QueueRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Listings) == 0 || p.Listings[0].ID != l.ID || !p.Listings[0].Overdue || p.Listings[0].Due != xinyong.MustDate("2026-06-15") {
				t.Fatalf("first of the queue = %+v, want the overdue listing %s due 2026-06-15", first(p), l.ID)
			}
			if p.Total != open || len(p.Listings) != xinyong.DefaultListingQueuePage || !p.More || p.NextOffset != xinyong.DefaultListingQueuePage {
				t.Errorf("page: total %d, %d shown, more %v, next %d; want total %d, %d shown, more, next %d",
					p.Total, len(p.Listings), p.More, p.NextOffset, open, xinyong.DefaultListingQueuePage, xinyong.DefaultListingQueuePage)
			}
			// Every page, in order: each open listing exactly once, no
			// removed one, the listings without a due date oldest first.
			seen := map[string]bool{}
			prev := ""
			for off := 0; ; {
				p, err := e.svc.ListingQueuePage(e.ctx, e.offA, workflow.QueueRequest{Offset: off, Limit: 77})
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range p.Listings {
					if seen[v.ID] || removed[v.ID] || v.State == xinyong.ListingRemoved || v.DepartmentID != e.deptA.ID {
						t.Fatalf("offset %d: listing %s (%s, %s) repeated, removed or another department's", off, v.ID, v.State, v.DepartmentID)
					}
					if v.ID != l.ID {
						if v.ID <= prev {
							t.Fatalf("offset %d: %s after %s: listings without a due date are not oldest first", off, v.ID, prev)
						}
						prev = v.ID
					}
					seen[v.ID] = true
				}
				if !p.More {
					break
				}
				off = p.NextOffset
			}
			if len(seen) != open {
				t.Errorf("pages covered %d listings, want %d", len(seen), open)
			}
			// The overdue filter runs before the cut.
			od, err := e.svc.ListingQueuePage(e.ctx, e.offA, workflow.QueueRequest{Overdue: true, Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if od.Total != 1 || len(od.Listings) != 1 || od.Listings[0].ID != l.ID || od.More {
				t.Errorf("overdue only: total %d, %+v; want only %s", od.Total, first(od), l.ID)
			}
			// The largest page holds it too, first.
			big, err := e.svc.ListingQueuePage(e.ctx, e.offA, workflow.QueueRequest{Limit: xinyong.MaxListingQueuePage})
			if err != nil {
				t.Fatal(err)
			}
			ls := big.Listings
			if len(ls) != open || ls[0].ID != l.ID {
				t.Errorf("ListingQueue: %d listings, first %+v; want %d, first %s", len(ls), first(workflow.QueuePage{Listings: ls}), open, l.ID)
			}
			// Removed ones when asked for.
			rm, err := e.svc.ListingQueuePage(e.ctx, e.offA, workflow.QueueRequest{State: xinyong.ListingRemoved, Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if rm.Total != old/2 || len(rm.Listings) != 1 || rm.Listings[0].State != xinyong.ListingRemoved {
				t.Errorf("removed: total %d, %+v; want %d removed", rm.Total, first(rm), old/2)
			}
			// The admin's queue spans departments: both overdue ones first,
			// and narrowed to B it is B's alone.
			all, err := e.svc.ListingQueuePage(e.ctx, e.admin, workflow.QueueRequest{Overdue: true})
			if err != nil {
				t.Fatal(err)
			}
			if all.Total != 2 {
				t.Errorf("admin overdue: total %d, want 2", all.Total)
			}
			bq, err := e.svc.ListingQueuePage(e.ctx, e.admin, workflow.QueueRequest{Department: e.deptB.ID})
			if err != nil {
				t.Fatal(err)
			}
			if bq.Total != 1 || len(bq.Listings) != 1 || bq.Listings[0].ID != lb.ID {
				t.Errorf("admin, department B: %d, %+v; want %s", bq.Total, first(bq), lb.ID)
			}
			// Bad requests: a precise error.
			for _, c := range []struct {
				in    workflow.QueueRequest
				field string
			}{
				{workflow.QueueRequest{Offset: -1}, "offset"},
				{workflow.QueueRequest{Limit: xinyong.MaxListingQueuePage + 1}, "limit"},
				{workflow.QueueRequest{Limit: -1}, "limit"},
				{workflow.QueueRequest{State: "gone"}, "state"},
			} {
				_, err := e.svc.ListingQueuePage(e.ctx, e.offA, c.in)
				if xinyong.ErrorCode(err) != xinyong.EINVALID || !hasField(err, c.field) {
					t.Errorf("%+v: %v, want a field error on %s", c.in, err, c.field)
				}
			}
			if _, err := e.svc.ListingQueuePage(e.ctx, e.offA, workflow.QueueRequest{Department: e.deptB.ID}); xinyong.ErrorCode(err) != xinyong.EFORBIDDEN {
				t.Errorf("officer A asking for B's queue: %v, want forbidden", err)
			}
		})
	}
}

func first(p workflow.QueuePage) any {
	if len(p.Listings) == 0 {
		return "none"
	}
	v := p.Listings[0]
	return fmt.Sprintf("%s %s due %s overdue %v", v.ID, v.State, v.Due, v.Overdue)
}

func hasField(err error, field string) bool {
	for _, f := range xinyong.ErrorFields(err) {
		if f.Field == field {
			return true
		}
	}
	return false
}

// TestListingProposeOncePerListType: a subject with a listing on a list
// type that is not removed cannot be proposed on it again (ECONFLICT naming
// the listing and its state; nothing written), also when two proposals
// race; another list type, or the same after removal, is allowed.
func TestListingProposeOncePerListType(t *testing.T) {
	for _, st := range listingStores {
		t.Run(st.name, func(t *testing.T) {
			e := newLQEnv(t, st.db(t))
			org := uscc(t, "91620100MA74QX3K")
			r1 := e.record(t, e.offA, e.deptA, org, "兰市监罚〔2026〕1号")
			r2 := e.record(t, e.offA, e.deptA, org, "兰市监罚〔2026〕2号")
			l1, err := e.propose(e.offA, "SAMR_SERIOUS", org, r1.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.NotifyListing(e.ctx, e.offA, l1.ID, xinyong.NoticeInput{}); err != nil {
				t.Fatal(err)
			}
			count := func() int {
				t.Helper()
				n := 0
				err := e.svc.Store.View(e.ctx, func(tx xinyong.Tx) error {
					ls, err := tx.Listings(xinyong.ListingFilter{DepartmentID: e.deptA.ID})
					n = len(ls)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			_, err = e.propose(e.offA, "SAMR_SERIOUS", org, r2.ID)
			if xinyong.ErrorCode(err) != xinyong.ECONFLICT || !strings.Contains(xinyong.ErrorMessage(err), l1.ID) || !strings.Contains(xinyong.ErrorMessage(err), "notified") {
				t.Fatalf("second proposal on SAMR_SERIOUS: %v, want ECONFLICT naming %s (notified)", err, l1.ID)
			}
			if n := count(); n != 1 {
				t.Errorf("refused proposal wrote: %d listings, want 1", n)
			}
			// Another list type: allowed.
			if _, err := e.propose(e.offA, "STA_MAJOR_TAX", org, r2.ID); err != nil {
				t.Errorf("proposal on another list type: %v", err)
			}
			// After removal, the same list type again.
			if _, err := e.svc.RemoveListing(e.ctx, e.offA, l1.ID, xinyong.RemovalRevoked, "处罚决定已撤销"); err != nil {
				t.Fatal(err)
			}
			l3, err := e.propose(e.offA, "SAMR_SERIOUS", org, r2.ID)
			if err != nil {
				t.Fatalf("proposal after removal: %v", err)
			}
			// Racing proposals for a new subject: exactly one wins.
			if _, err := e.svc.RemoveListing(e.ctx, e.offA, l3.ID, xinyong.RemovalRevoked, "处罚决定已撤销"); err != nil {
				t.Fatal(err)
			}
			errs := make([]error, 4)
			var wg sync.WaitGroup
			for i := range errs {
				wg.Go(func() { _, errs[i] = e.propose(e.offA, "SAMR_SERIOUS", org, r2.ID) })
			}
			wg.Wait()
			wins := 0
			for _, err := range errs {
				switch xinyong.ErrorCode(err) {
				case "":
					wins++
				case xinyong.ECONFLICT:
				default:
					t.Errorf("racing proposal: %v", err)
				}
			}
			if wins != 1 {
				t.Errorf("racing proposals: %d won, want exactly 1 (%v)", wins, errs)
			}
		})
	}
}

// TestListingNotifyWindowBound: a notice with an objection window above
// xinyong.MaxObjectionWorkingDays (a local bound: 49号 asks for "a set
// time") is refused with a field error and changes nothing; the listing
// and the queue still read.
func TestListingNotifyWindowBound(t *testing.T) {
	e := newLQEnv(t, "")
	org := uscc(t, "91620100MA74QX3K")
	r := e.record(t, e.offA, e.deptA, org, "兰市监罚〔2026〕1号")
	l, err := e.propose(e.offA, "SAMR_SERIOUS", org, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, days := range []int{xinyong.MaxObjectionWorkingDays + 1, 2_200_000, 10_000_000_000} {
		_, err := e.svc.NotifyListing(e.ctx, e.offA, l.ID, xinyong.NoticeInput{Days: days})
		if xinyong.ErrorCode(err) != xinyong.EINVALID || !hasField(err, "objection_working_days") {
			t.Errorf("Days %d: %v, want a field error on objection_working_days", days, err)
		}
	}
	v, err := e.svc.Listing(e.ctx, e.offA, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.State != xinyong.ListingProposed || v.Version != 1 || len(v.History) != 1 {
		t.Errorf("after refused notices: %s v%d, %d versions; want proposed v1", v.State, v.Version, len(v.History))
	}
	n, err := e.svc.NotifyListing(e.ctx, e.offA, l.ID, xinyong.NoticeInput{Days: xinyong.MaxObjectionWorkingDays})
	if err != nil {
		t.Fatal(err)
	}
	if n.Notice.ObjectionDays != xinyong.MaxObjectionWorkingDays || !n.Notice.ObjectionDeadline.After(xinyong.MustDate("2026-08-01")) {
		t.Errorf("notice of %d working days: %+v", xinyong.MaxObjectionWorkingDays, n.Notice)
	}
	if _, err := e.svc.ListingQueuePage(e.ctx, e.offA, workflow.QueueRequest{}); err != nil {
		t.Errorf("queue: %v", err)
	}
}
