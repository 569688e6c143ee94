package gen

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"xinyong"
)

// Serious-list entries (严重失信主体名单). After the records are in, Fill
// puts a share of the organisations with a recent serious penalty on the
// list type of the identifying department's sector, through the real
// procedure (issue 6): proposal and prior notice, then — after the
// objection window — the decision document and the listing. Sectors without
// a list type (most of them) list nobody: a list type exists only with a
// legal basis (DOMAIN.md §4).

// sectorListTypes maps a department's sector to the list type it may
// propose (data/list-types.json: the authority of each list type).
var sectorListTypes = map[string]listPlan{
	"market": {code: "SAMR_SERIOUS", basis: "《市场监督管理严重违法失信名单管理办法》第二条", reason: "受到较重行政处罚，属于严重违法失信行为",
		removal: "列入满一年，已履行行政处罚决定，危害已消除，未再受到较重行政处罚的，可以申请提前移出"},
	"tax": {code: "STA_MAJOR_TAX", basis: "《重大税收违法失信主体信息公布管理办法》第六条", reason: "存在重大税收违法失信行为",
		removal: "缴清税款、滞纳金和罚款，经税务机关确认的，可以申请提前停止公布"},
}

type listPlan struct {
	code, basis, reason, removal string
}

// listCandidate is a record a listing may rest on.
type listCandidate struct {
	recordID string
	dept     int
	subject  string // USCC
	decision xinyong.Date
	plan     listPlan
}

// ListShare is the share of eligible organisations put on a list (one in
// ListShare), and ListMax bounds the listings per million subjects.
const (
	ListShare = 3
	ListMax   = 5000
)

// noteListCandidate keeps an accepted record as a listing candidate when it
// is a serious, active penalty of a sector with a list type, decided within
// the two years before today, about an organisation not yet a candidate.
func noteListCandidate(g *Generator, r Record, recordID string, depts []Department, seen map[string]bool, out *[]listCandidate) {
	plan, ok := sectorListTypes[depts[r.Dept].Sector]
	if !ok || r.Kind != "penalty" || r.Severity != xinyong.SeveritySerious || r.Withdraw || r.Subject.Kind == xinyong.KindPerson {
		return
	}
	if r.Leniency != (xinyong.Leniency{}) || r.Decision.Before(g.cfg.Today.AddDays(-730)) || seen[r.Subject.Code] {
		return
	}
	seen[r.Subject.Code] = true
	if len(seen)%ListShare != 0 {
		return
	}
	limit := max(1, ListMax*g.cfg.Subjects/1_000_000)
	if len(*out) >= limit {
		return
	}
	*out = append(*out, listCandidate{recordID: recordID, dept: r.Dept, subject: r.Subject.Code, decision: r.Decision, plan: plan})
}

// listAll runs the procedure for every candidate: proposed and notified 40
// days before today, decided and listed 20 days before today (after the
// objection window of the notice), unless the record came in later than
// that. It returns how many subjects were listed.
func listAll(ctx context.Context, opt FillOptions, today xinyong.Date, depts []Department, cands []listCandidate, m *Manifest) (int, error) {
	svc := opt.Service
	notifyDay, decideDay := today.AddDays(-40), today.AddDays(-20)
	listed := 0
	for i, c := range cands {
		if err := ctx.Err(); err != nil {
			return listed, err
		}
		if !c.decision.Before(notifyDay) {
			continue
		}
		dept := depts[c.dept]
		opt.Clock.Set(notifyDay.Start().Add(10*time.Hour + time.Duration(i)*time.Millisecond))
		l, err := svc.ProposeListing(ctx, opt.Actor, xinyong.ListingProposal{ListType: c.plan.code, Subject: c.subject, RecordIDs: []string{c.recordID},
			Reasons: c.plan.reason, Basis: c.plan.basis})
		if err != nil {
			return listed, fmt.Errorf("propose listing of %s on %s: %w", c.subject, c.recordID, err)
		}
		if l, err = svc.NotifyListing(ctx, opt.Actor, l.ID, xinyong.NoticeInput{}); err != nil {
			return listed, fmt.Errorf("notify listing %s: %w", l.ID, err)
		}
		opt.Clock.Set(decideDay.Start().Add(10*time.Hour + time.Duration(i)*time.Millisecond))
		var ms []string
		err = svc.Store.View(ctx, func(tx xinyong.Tx) error {
			all, err := tx.Measures()
			ms = xinyong.MeasuresFor(c.plan.code, all, decideDay)
			return err
		})
		if err != nil {
			return listed, err
		}
		d := xinyong.ListingDecision{Number: dept.Abbr + "认〔" + strconv.Itoa(decideDay.Year) + "〕" + strconv.Itoa(i+1) + "号", Reason: c.plan.reason, Basis: c.plan.basis,
			Measures: ms, RemovalConditions: c.plan.removal, RemovalProcedure: "向作出认定决定的部门提出信用修复申请，修复免费",
			Remedies: xinyong.Remedies{Reconsideration: "可在收到本决定书之日起六十日内申请行政复议", Litigation: "可在收到本决定书之日起六个月内提起行政诉讼"}}
		if l, err = svc.DecideListing(ctx, opt.Actor, l.ID, d); err != nil {
			return listed, fmt.Errorf("decide listing %s: %w", l.ID, err)
		}
		if _, err = svc.ListListing(ctx, opt.Actor, l.ID); err != nil {
			return listed, fmt.Errorf("list listing %s: %w", l.ID, err)
		}
		listed++
		if m != nil {
			m.add(&m.Listed, "l", c.subject)
		}
	}
	return listed, nil
}
