package server

import (
	"maps"
	"net/http"
	"slices"

	"xinyong"
	"xinyong/internal/workflow"
)

// Console pages for officers (issue 6): the listing queue by state and
// deadline, and one listing's documents and history. Read-only: the steps
// are taken through the API (/api/v1/listings/...). Who sees what is the
// workflow's (ListingQueue, Listing): officers their own department's,
// admins and auditors all; another department's listing is "not found".

func init() {
	maps.Copy(chinese, consoleListingsChinese)
	maps.Copy(english, consoleListingsEnglish)
}

var consoleListingsChinese = map[string]string{
	"console.listings": "严重失信主体名单认定", "console.listing": "名单认定详情", "queue.none": "当前没有待办事项。",
	"queue.next_deadline": "最近期限", "queue.count": "件", "listing.subject": "当事人", "listing.state": "状态",
	"listing.due": "办理期限", "listing.overdue": "已逾期", "listing.step.verify": "答复异议", "listing.step.remove": "期满移出",
	"listing.objection_deadline": "异议期限", "listing.proposed_at": "提出日期", "listing.records": "依据信息",
	"listing.reasons": "事实与理由", "listing.leniency": "宽容审慎说明",
	"doc.notice": "告知书", "doc.objection": "异议申请", "doc.answer": "异议核实答复", "doc.decision": "认定决定书", "doc.removal": "移出",
	"doc.open": "查看认定决定书", "doc.none": "尚未作出", "notice.rights": "当事人权利", "objection.statement": "异议陈述",
	"objection.evidence": "证据", "answer.upheld": "异议成立", "answer.rejected": "异议不成立", "answer.late": "逾期答复",
	"decision.measures": "惩戒措施", "decision.removal_conditions": "移出条件", "decision.removal_procedure": "移出程序",
	"decision.remedies": "救济途径", "removal.reason": "移出原因", "history": "办理记录", "version": "版本", "updated_at": "时间", "updated_by": "经办人",
	"date": "日期", "by": "经办", "note": "说明", "actions.api": "办理操作通过接口进行：",
}

var consoleListingsEnglish = map[string]string{
	"console.listings": "Serious dishonesty listings", "console.listing": "Listing", "queue.none": "Nothing in the queue.",
	"queue.next_deadline": "Next deadline", "queue.count": "listings", "listing.subject": "Subject", "listing.state": "State",
	"listing.due": "Due", "listing.overdue": "overdue", "listing.step.verify": "answer the objection", "listing.step.remove": "remove at the end of the period",
	"listing.objection_deadline": "Objection deadline", "listing.proposed_at": "Proposed", "listing.records": "Records",
	"listing.reasons": "Facts and reasons", "listing.leniency": "Leniency reason",
	"doc.notice": "Notice", "doc.objection": "Objection", "doc.answer": "Answer to the objection", "doc.decision": "Decision", "doc.removal": "Removal",
	"doc.open": "Open the decision document", "doc.none": "not yet", "notice.rights": "Rights", "objection.statement": "Statement",
	"objection.evidence": "Evidence", "answer.upheld": "objection upheld", "answer.rejected": "objection rejected", "answer.late": "answered late",
	"decision.measures": "Measures", "decision.removal_conditions": "Removal conditions", "decision.removal_procedure": "Removal procedure",
	"decision.remedies": "Remedies", "removal.reason": "Reason", "history": "History", "version": "Version", "updated_at": "Time", "updated_by": "By",
	"date": "Date", "by": "By", "note": "Note", "actions.api": "Steps are taken through the API:",
}

// queueGroup is the listings in one state, soonest deadline first.
type queueGroup struct {
	State        xinyong.ListingState
	Listings     []workflow.ListingView
	NextDeadline xinyong.Date
	Overdue      int
}

type consoleListingsPage struct {
	Groups []queueGroup
	Total  int
}

func (w *web) consoleListings(rw http.ResponseWriter, r *http.Request) {
	p := w.page(r, "", nil)
	if !p.SignedIn {
		http.Redirect(rw, r, "/login", http.StatusSeeOther)
		return
	}
	ls, err := w.s.Svc.ListingQueue(r.Context(), p.Actor, "", "", false)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	data := consoleListingsPage{Total: len(ls)}
	for _, st := range xinyong.ListingStates {
		g := queueGroup{State: st}
		for _, v := range ls {
			if v.State != st {
				continue
			}
			g.Listings = append(g.Listings, v)
			if v.Overdue {
				g.Overdue++
			}
			if !v.Due.IsZero() && (g.NextDeadline.IsZero() || v.Due.Before(g.NextDeadline)) {
				g.NextDeadline = v.Due
			}
		}
		if len(g.Listings) == 0 {
			continue
		}
		// Soonest deadline first; those without one last.
		slices.SortStableFunc(g.Listings, func(a, b workflow.ListingView) int {
			switch {
			case a.Due.IsZero() && b.Due.IsZero():
				return 0
			case a.Due.IsZero():
				return 1
			case b.Due.IsZero():
				return -1
			}
			return a.Due.Days() - b.Due.Days()
		})
		data.Groups = append(data.Groups, g)
	}
	p.Data, p.Title = data, p.T("console.listings")
	w.render(rw, r, "console_listings", 200, p)
}

type consoleListingPage struct {
	L workflow.ListingView
}

func (w *web) consoleListing(rw http.ResponseWriter, r *http.Request) {
	p := w.page(r, "", nil)
	if !p.SignedIn {
		http.Redirect(rw, r, "/login", http.StatusSeeOther)
		return
	}
	v, err := w.s.Svc.Listing(r.Context(), p.Actor, r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if v.Subject != nil {
		// The console never shows a full citizen ID number.
		v.Subject.Code = xinyong.MaskIDIfPerson(v.Subject.Code)
	}
	p.Data, p.Title = consoleListingPage{L: v}, p.T("console.listing")
	w.render(rw, r, "console_listing", 200, p)
}
