package workflow_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

// hasProblem reports whether v is flagged at field.
func hasProblem(v workflow.ListingView, field string) bool {
	return slices.ContainsFunc(v.DateProblems, func(p workflow.ListingDateProblem) bool { return p.Field == field && p.Message != "" })
}

// TestListingsStoredBeforeTheBounds: listings stored before the objection
// window and the listing period were bounded (doc/listings.md) — a notice
// of 2,200,000 working days (deadline in year 10459) and a listing of
// 1,200,000 months (end in year 102026) — failed every read (a date of
// five-digit year does not parse): the listing, the queue, the measures
// check, the portal, the deadlines job, ledger verify. They now read as
// stored, are flagged with the reason in the queue and on the listing, sort
// as dates (neither is overdue, far-future deadlines come after those of
// this era), and their data is not rewritten (the ledger verifies). The
// listed one is in force and public only until the longest period any
// list type allows has run (60 months after its listing day,
// Listing.EffectiveEnd; 过惩相当, DOMAIN.md §3–§5): then the measures check,
// the portal and the subject's page drop it and the expiry job removes it
// through its audited, ledgered step, its stored end date unchanged; it
// used to stay in force until year 102026. New absurd periods are refused.
func TestListingsStoredBeforeTheBounds(t *testing.T) {
	for _, st := range listingStores {
		t.Run(st.name, func(t *testing.T) {
			e := newLQEnv(t, st.db(t))
			orgN, orgL := uscc(t, "91620100MA74QX3K"), uscc(t, "91620100MA74QX5M")
			agency := xinyong.Actor{Kind: "token", ID: "ag", Name: "bank", Role: xinyong.RoleAgency, Organisation: "某银行"}
			recN := e.record(t, e.offA, e.deptA, orgN, "兰市监罚〔2026〕11号")
			recL := e.record(t, e.offA, e.deptA, orgL, "兰市监罚〔2026〕12号")
			// N: its notice gives 2,200,000 working days to object.
			n, err := e.propose(e.offA, "SAMR_SERIOUS", orgN, recN.ID)
			if err != nil {
				t.Fatal(err)
			}
			farDeadline := xinyong.Date{Year: 10459, Month: time.March, Day: 2}
			if _, err = e.svc.StoreListingStepUnchecked(e.ctx, e.offA, n.ID, workflow.ActListingNotify, func(l xinyong.Listing, today xinyong.Date) xinyong.Listing {
				l.State = xinyong.ListingNotified
				l.Notice = &xinyong.ListingNotice{Date: today, Reasons: l.Reasons, Basis: l.Basis, Rights: xinyong.StandardRights, ObjectionDays: 2200000, ObjectionDeadline: farDeadline, By: "account:oa"}
				return l
			}); err != nil {
				t.Fatal(err)
			}
			// L: decided with a period of 1,200,000 months, listed with it.
			l, err := e.propose(e.offA, "SAMR_SERIOUS", orgL, recL.ID)
			if err != nil {
				t.Fatal(err)
			}
			if l, err = e.svc.NotifyListing(e.ctx, e.offA, l.ID, xinyong.NoticeInput{}); err != nil {
				t.Fatal(err)
			}
			e.clk.Set(day(l.Notice.ObjectionDeadline.AddDays(1).String()))
			const months = 1200000
			if _, err = e.svc.StoreListingStepUnchecked(e.ctx, e.offA, l.ID, workflow.ActListingDecide, func(l xinyong.Listing, today xinyong.Date) xinyong.Listing {
				l.State = xinyong.ListingDecided
				l.Decision = &xinyong.ListingDecision{Number: "兰市监信〔2026〕1号", Date: today, Reason: "一年内三次虚假宣传受较重处罚", Basis: "《市场监督管理严重违法失信名单管理办法》第二条",
					Measures: []string{"CPC-SC-2025-RESTRICT"}, RemovalConditions: "列入满一年，已履行处罚", RemovalProcedure: "申请信用修复，免费",
					Remedies: xinyong.Remedies{Reconsideration: "六十日内申请行政复议", Litigation: "六个月内提起行政诉讼"}, PeriodMonths: months, By: "account:oa"}
				return l
			}); err != nil {
				t.Fatal(err)
			}
			// Listing it with that period now is refused, saying why.
			if _, err := e.svc.ListListing(e.ctx, e.offA, l.ID); xinyong.ErrorCode(err) != xinyong.ECONFLICT || !strings.Contains(xinyong.ErrorMessage(err), "1200000 months") {
				t.Fatalf("listing a decision of %d months: %v", months, err)
			}
			if l, err = e.svc.StoreListingStepUnchecked(e.ctx, e.offA, l.ID, workflow.ActListingList, func(l xinyong.Listing, today xinyong.Date) xinyong.Listing {
				l.State, l.ListedOn, l.EndDate, l.Published = xinyong.ListingListed, today, today.AddMonths(months), true
				return l
			}); err != nil {
				t.Fatal(err)
			}
			today := xinyong.DateOf(e.clk.Now())
			if l.EndDate.Year != today.Year+months/12 {
				t.Fatalf("end date %s", l.EndDate)
			}

			// The listing and its history, as stored, flagged.
			vn, err := e.svc.Listing(e.ctx, e.offA, n.ID)
			if err != nil {
				t.Fatalf("reading the listing with a window of 2,200,000 working days: %v", err)
			}
			if vn.Notice == nil || vn.Notice.ObjectionDeadline != farDeadline || !hasProblem(vn, "notice.objection_working_days") || len(vn.History) != 2 {
				t.Errorf("listing N: notice %+v problems %+v history %d", vn.Notice, vn.DateProblems, len(vn.History))
			}
			vl, err := e.svc.Listing(e.ctx, e.offA, l.ID)
			if err != nil {
				t.Fatalf("reading the listing of %d months: %v", months, err)
			}
			if vl.EndDate != l.EndDate || !hasProblem(vl, "decision.period_months") || !hasProblem(vl, "end_date") || vl.Overdue || vl.Due != l.EndDate {
				t.Errorf("listing L: end %s due %s overdue %v problems %+v", vl.EndDate, vl.Due, vl.Overdue, vl.DateProblems)
			}
			if j, err := json.Marshal(vl); err != nil || !strings.Contains(string(j), `"date_problems":[{"field":"decision.period_months"`) {
				t.Errorf("API JSON of L: %s %v", j, err)
			}
			// The queue: both, flagged; neither overdue (the text
			// "102026-…" sorts before "2026-…").
			for _, as := range []xinyong.Actor{e.offA, e.admin} {
				q, err := e.svc.ListingQueuePage(e.ctx, as, workflow.QueueRequest{})
				if err != nil {
					t.Fatalf("%s's queue: %v", as.Ref(), err)
				}
				flagged := 0
				for _, v := range q.Listings {
					if len(v.DateProblems) > 0 {
						flagged++
					}
				}
				if q.Total != 2 || len(q.Listings) != 2 || flagged != 2 {
					t.Errorf("%s's queue: total %d, %d shown, %d flagged", as.Ref(), q.Total, len(q.Listings), flagged)
				}
				if q, err = e.svc.ListingQueuePage(e.ctx, as, workflow.QueueRequest{Overdue: true}); err != nil || q.Total != 0 {
					t.Errorf("%s's overdue queue: %+v %v", as.Ref(), q, err)
				}
			}
			// L is in force (its period began today; it ends at the
			// longest period, below): the measures check applies its
			// measure, the portal shows it.
			chk, err := e.svc.Check(e.ctx, agency, orgL, "贷款审批", "贷款审批")
			if err != nil {
				t.Fatalf("measures check: %v", err)
			}
			if !slices.ContainsFunc(chk.Measures, func(m xinyong.ApplicableMeasure) bool { return slices.Contains(m.Listings, l.ID) }) {
				t.Errorf("measures check: no measure from listing L: %+v", chk.Measures)
			}
			if _, err := e.svc.Check(e.ctx, agency, orgN, "贷款审批", "贷款审批"); err != nil {
				t.Fatalf("measures check of N's subject: %v", err)
			}
			pl, err := e.svc.PublicSeriousList(e.ctx, "SAMR_SERIOUS", 1)
			if err != nil || len(pl.Listings) != 1 {
				t.Errorf("public list: %+v %v", pl.Listings, err)
			}
			prof, err := e.svc.SubjectProfile(e.ctx, xinyong.Public, orgL)
			if err != nil || len(prof.Listings) != 1 {
				t.Errorf("subject page: %+v %v", prof.Listings, err)
			}
			// The jobs: nothing expires, nothing is due, nothing fails.
			if removed, err := e.svc.ExpireListings(e.ctx, today); err != nil || removed != 0 {
				t.Errorf("expiry job: %d removed, %v", removed, err)
			}
			start := time.Now()
			if run, err := e.svc.RunDeadlines(e.ctx, today); err != nil || run.Overdue != 0 {
				t.Errorf("deadlines job: %+v %v", run, err)
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("deadlines job took %s", d)
			}
			start = time.Now()
			if _, err := e.svc.ComplianceBoard(e.ctx, e.admin, workflow.BoardQuery{From: xinyong.MonthOf(today), To: xinyong.MonthOf(today)}); err != nil {
				t.Errorf("compliance board: %v", err)
			}
			if _, _, err := e.svc.Reminders(e.ctx, e.offA); err != nil {
				t.Errorf("reminders: %v", err)
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("compliance board and reminders took %s", d)
			}
			// Nothing was rewritten: every leaf matches its row.
			rpt, err := e.svc.Verify(e.ctx, "", nil)
			if err != nil || !rpt.OK() || rpt.Listings == 0 {
				t.Fatalf("ledger verify: %+v %v", rpt, err)
			}
			// N cannot be decided before its deadline; it can be ended
			// through the procedure (audited, on the ledger).
			if _, err := e.svc.DecideListing(e.ctx, e.offA, n.ID, xinyong.ListingDecision{Number: "兰市监信〔2026〕2号"}); xinyong.ErrorCode(err) != xinyong.ECONFLICT || !strings.Contains(xinyong.ErrorMessage(err), "10459-03-02") {
				t.Errorf("deciding N: %v", err)
			}
			if rn, err := e.svc.RemoveListing(e.ctx, e.offA, n.ID, xinyong.RemovalRevoked, "告知书异议期限录入错误（2200000 个工作日），终止本次程序，重新告知"); err != nil || rn.State != xinyong.ListingRemoved || rn.Notice.ObjectionDeadline != farDeadline {
				t.Fatalf("removing N: %+v %v", rn, err)
			}
			// A list type stored before the bound (here changed behind the
			// rules' back after the notice): its period is refused at the
			// decision, as its window is at the notice.
			m, err := e.propose(e.offA, "SAMR_SERIOUS", orgN, recN.ID)
			if err != nil {
				t.Fatal(err)
			}
			if m, err = e.svc.NotifyListing(e.ctx, e.offA, m.ID, xinyong.NoticeInput{}); err != nil {
				t.Fatal(err)
			}
			err = e.svc.Store.Update(e.ctx, func(tx xinyong.Tx) error {
				lts, err := tx.ListTypes()
				if err != nil {
					return err
				}
				for _, lt := range lts {
					if lt.Code == "SAMR_SERIOUS" {
						lt.PeriodMonths = months
						return tx.PutListType(lt)
					}
				}
				t.Fatal("no SAMR_SERIOUS")
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			e.clk.Set(day(m.Notice.ObjectionDeadline.AddDays(1).String()))
			_, err = e.svc.DecideListing(e.ctx, e.offA, m.ID, xinyong.ListingDecision{Number: "兰市监信〔2026〕3号", Reason: "r", Basis: "b", Measures: []string{"CPC-SC-2025-RESTRICT"},
				RemovalConditions: "c", RemovalProcedure: "p", Remedies: xinyong.Remedies{Reconsideration: "r", Litigation: "l"}})
			if fs := xinyong.ErrorFields(err); xinyong.ErrorCode(err) != xinyong.EINVALID || len(fs) != 1 || fs[0].Field != "list_type" || fs[0].Rule != "list.period_max" {
				t.Errorf("deciding on a list type of %d months: %v %+v", months, err, fs)
			}
			if rpt, err := e.svc.Verify(e.ctx, "", nil); err != nil || !rpt.OK() {
				t.Fatalf("ledger verify: %+v %v", rpt, err)
			}

			// L ends at the longest period the rules allow: 60 months after
			// its listing day, not in year 102026.
			end := l.ListedOn.AddMonths(xinyong.MaxListPeriodMonths)
			if got := l.EffectiveEnd(); got != end {
				t.Fatalf("effective end %s, want %s", got, end)
			}
			if vl, err := e.svc.Listing(e.ctx, e.offA, l.ID); err != nil || vl.EffectiveEnd != end || !slices.ContainsFunc(vl.DateProblems, func(p workflow.ListingDateProblem) bool {
				return p.Field == "end_date" && strings.Contains(p.Message, end.String())
			}) {
				t.Errorf("listing view: effective end %s, problems %+v, %v", vl.EffectiveEnd, vl.DateProblems, err)
			} else if j, _ := json.Marshal(vl); !strings.Contains(string(j), `"effective_end":"`+end.String()+`"`) {
				t.Errorf("API JSON of L without effective_end: %s", j)
			}
			inForce := func(on xinyong.Date) (measure, public, page bool) {
				t.Helper()
				e.clk.Set(day(on.String()))
				chk, err := e.svc.Check(e.ctx, agency, orgL, "贷款审批", "贷款审批")
				if err != nil {
					t.Fatalf("measures check on %s: %v", on, err)
				}
				measure = slices.ContainsFunc(chk.Measures, func(m xinyong.ApplicableMeasure) bool { return slices.Contains(m.Listings, l.ID) })
				pl, err := e.svc.PublicSeriousList(e.ctx, "SAMR_SERIOUS", 1)
				if err != nil {
					t.Fatalf("public list on %s: %v", on, err)
				}
				prof, err := e.svc.SubjectProfile(e.ctx, xinyong.Public, orgL)
				if err != nil {
					t.Fatalf("subject page on %s: %v", on, err)
				}
				return measure, len(pl.Listings) == 1 && pl.Total == 1, len(prof.Listings) == 1
			}
			before := end.AddDays(-1)
			if m, p, s := inForce(before); !m || !p || !s {
				t.Errorf("on %s, the last day of the longest period: measure %v, public list %v, subject page %v", before, m, p, s)
			}
			if removed, err := e.svc.ExpireListings(e.ctx, before); err != nil || removed != 0 {
				t.Errorf("expiry job on %s: %d removed, %v", before, removed, err)
			}
			if m, p, s := inForce(end); m || p || s {
				t.Errorf("on %s, after the longest period, before the expiry job: measure %v, public list %v, subject page %v", end, m, p, s)
			}
			if removed, err := e.svc.ExpireListings(e.ctx, end); err != nil || removed != 1 {
				t.Fatalf("expiry job on %s: %d removed, %v", end, removed, err)
			}
			vl, err = e.svc.Listing(e.ctx, e.offA, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			if vl.State != xinyong.ListingRemoved || vl.Removal == nil || vl.Removal.Reason != xinyong.RemovalExpired || vl.Removal.Date != end ||
				vl.Removal.By != xinyong.System.Ref() || !strings.Contains(vl.Removal.Note, "60个月") || vl.EndDate != l.EndDate {
				t.Errorf("after the expiry job: state %s removal %+v end %s", vl.State, vl.Removal, vl.EndDate)
			}
			if h := vl.History; len(h) == 0 || h[len(h)-1].State != xinyong.ListingRemoved {
				t.Errorf("history: %+v", h)
			}
			if removed, err := e.svc.ExpireListings(e.ctx, end.AddDays(1)); err != nil || removed != 0 {
				t.Errorf("expiry job again: %d removed, %v", removed, err)
			}
			if rpt, err := e.svc.Verify(e.ctx, "", nil); err != nil || !rpt.OK() {
				t.Fatalf("ledger verify at the end: %+v %v", rpt, err)
			}
		})
	}
}
