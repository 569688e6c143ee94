package workflow_test

import (
	"slices"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

// TestListingQueueFarDatesLast: the officer's queue is "by deadline,
// overdue first" (doc/listings.md). A due date stored before the bounds
// (an objection answer due in year 10459, an end date in year 102026) is
// a date after every date of this era, so it comes after them, before the
// listings without a due date. The queue ordered the text of due, and
// "102026-…" and "10459-…" sort before "2026-…": such listings came first
// on every page, ahead of the overdue ones. On both stores.
func TestListingQueueFarDatesLast(t *testing.T) {
	for _, st := range listingStores {
		t.Run(st.name, func(t *testing.T) {
			e := newLQEnv(t, st.db(t))
			codes := []string{"91620100MA74QX3K", "91620100MA74QX4L", "91620100MA74QX5M", "91620100MA74QX6N", "91620100MA74QX7P"}
			var ls []xinyong.Listing
			for i, c := range codes {
				org := uscc(t, c)
				l, err := e.propose(e.offA, "SAMR_SERIOUS", org, e.record(t, e.offA, e.deptA, org, "兰市监罚〔2026〕"+string(rune('1'+i))+"号").ID)
				if err != nil {
					t.Fatal(err)
				}
				ls = append(ls, l)
			}
			overdue, inEra, farAnswer, farEnd, none := ls[0], ls[1], ls[2], ls[3], ls[4]
			// overdue: its objection is answered by 2026-06-15; on
			// 2026-07-01 that is overdue.
			for _, l := range []xinyong.Listing{overdue, inEra} {
				if _, err := e.svc.NotifyListing(e.ctx, e.offA, l.ID, xinyong.NoticeInput{}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := e.svc.ObjectListing(e.ctx, e.offA, overdue.ID, xinyong.ObjectionInput{Statement: "罚款已缴清"}); err != nil {
				t.Fatal(err)
			}
			// farAnswer: an objection whose answer is due in year 10459.
			farDue := xinyong.Date{Year: 10459, Month: time.March, Day: 2}
			if _, err := e.svc.StoreListingStepUnchecked(e.ctx, e.offA, farAnswer.ID, workflow.ActListingObject, func(l xinyong.Listing, today xinyong.Date) xinyong.Listing {
				l.State = xinyong.ListingObjected
				l.Notice = &xinyong.ListingNotice{Date: today, Reasons: l.Reasons, Basis: l.Basis, Rights: xinyong.StandardRights, ObjectionDays: 5, ObjectionDeadline: today.AddDays(7), By: "account:oa"}
				l.Objection = &xinyong.ListingObjection{Date: today, Statement: "异议", By: "account:oa", VerifyDeadline: farDue}
				return l
			}); err != nil {
				t.Fatal(err)
			}
			// farEnd: listed until year 102026.
			farEndDate := xinyong.Date{Year: 102026, Month: time.June, Day: 1}
			if _, err := e.svc.StoreListingStepUnchecked(e.ctx, e.offA, farEnd.ID, workflow.ActListingList, func(l xinyong.Listing, today xinyong.Date) xinyong.Listing {
				l.State, l.ListedOn, l.EndDate, l.Published = xinyong.ListingListed, today, farEndDate, true
				l.Decision = &xinyong.ListingDecision{Number: "兰市监信〔2026〕9号", Date: today, Reason: "r", Basis: "b", Measures: []string{"CPC-SC-2025-RESTRICT"},
					RemovalConditions: "c", RemovalProcedure: "p", Remedies: xinyong.Remedies{Reconsideration: "r", Litigation: "l"}, PeriodMonths: 1200000, By: "account:oa"}
				return l
			}); err != nil {
				t.Fatal(err)
			}
			// inEra: decided and listed through the procedure (an end date
			// of this era, not overdue).
			v, err := e.svc.Listing(e.ctx, e.offA, inEra.ID)
			if err != nil {
				t.Fatal(err)
			}
			e.clk.Set(day(v.Notice.ObjectionDeadline.AddDays(1).String()))
			if _, err := e.svc.DecideListing(e.ctx, e.offA, inEra.ID, xinyong.ListingDecision{Number: "兰市监信〔2026〕1号", Reason: "r", Basis: "b", Measures: []string{"CPC-SC-2025-RESTRICT"},
				RemovalConditions: "c", RemovalProcedure: "p", Remedies: xinyong.Remedies{Reconsideration: "r", Litigation: "l"}}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.ListListing(e.ctx, e.offA, inEra.ID); err != nil {
				t.Fatal(err)
			}
			e.clk.Set(day("2026-07-01"))

			want := []string{overdue.ID, inEra.ID, farAnswer.ID, farEnd.ID, none.ID}
			for _, as := range []xinyong.Actor{e.offA, e.admin} {
				q, err := e.svc.ListingQueuePage(e.ctx, as, workflow.QueueRequest{})
				if err != nil {
					t.Fatal(err)
				}
				if got := farQueueIDs(q.Listings); !slices.Equal(got, want) {
					t.Errorf("%s's queue: %v, want %v (overdue, this era, year 10459, year 102026, no due date)", as.Ref(), got, want)
				}
				if !q.Listings[0].Overdue {
					t.Errorf("%s's queue: the first listing is not overdue: %+v", as.Ref(), q.Listings[0].Listing)
				}
				// Page by page, the same order, each once.
				var paged []string
				for off := 0; ; {
					p, err := e.svc.ListingQueuePage(e.ctx, as, workflow.QueueRequest{Offset: off, Limit: 2})
					if err != nil {
						t.Fatal(err)
					}
					paged = append(paged, farQueueIDs(p.Listings)...)
					if !p.More {
						break
					}
					off = p.NextOffset
				}
				if !slices.Equal(paged, want) {
					t.Errorf("%s's queue by pages of 2: %v, want %v", as.Ref(), paged, want)
				}
				if q, err := e.svc.ListingQueuePage(e.ctx, as, workflow.QueueRequest{Overdue: true}); err != nil || !slices.Equal(farQueueIDs(q.Listings), []string{overdue.ID}) {
					t.Errorf("%s's overdue queue: %v %v", as.Ref(), farQueueIDs(q.Listings), err)
				}
			}
		})
	}
}

func farQueueIDs(vs []workflow.ListingView) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		out = append(out, v.ID)
	}
	return out
}
