package server

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"

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
	"queue.partial": "本页显示第 %d–%d 件（按办理期限排序，已逾期的在前），共 %d 件。", "queue.next": "下一页",
	"listing.date_problem":                  "期限或期间超出上限，待更正",
	"listing.date_problem.about":            "该认定在设定上限之前保存，数据按原样保留、未被改写；更正须经认定程序办理。",
	"listing.date_problem.objection_window": "告知书给出的异议期限（工作日数）超出允许范围，在该期限届满前不得作出认定",
	"listing.date_problem.objection_far":    "异议截止日期距告知日超过一年，超出任何允许的异议期限",
	"listing.date_problem.verify_far":       "异议核实答复期限距异议提出日超过一年",
	"listing.date_problem.period":           "认定决定书设定的列入期限超出允许的最长期限",
	"listing.date_problem.extension":        "认定决定书设定的延长期限超出允许的最长延长期限",
	"listing.date_problem.end_beyond":       "登记的截止日期超出列入之日起的最长期限：名单在最长期限届满时终止（惩戒措施与公示随之停止，到期任务将其移出），登记日期按原样保留",
	"listing.date_problem.past_9999":        "日期晚于 9999 年",
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
	"queue.partial": "This page shows listings %d–%d (by deadline, overdue first) of %d.", "queue.next": "Next page",
	"listing.date_problem":                  "deadline or period out of bounds: to be corrected",
	"listing.date_problem.about":            "This listing was stored before the bounds existed; it is kept as stored, not rewritten. It is corrected only through the listing procedure.",
	"listing.date_problem.objection_window": "the notice's objection window (working days) is outside the bounds; no decision may come before it ends",
	"listing.date_problem.objection_far":    "the objection deadline lies more than a year after the notice, later than any allowed window",
	"listing.date_problem.verify_far":       "the answer to the objection is due more than a year after the objection",
	"listing.date_problem.period":           "the decision's listing period is longer than any allowed",
	"listing.date_problem.extension":        "the decision's extension is longer than any allowed",
	"listing.date_problem.end_beyond":       "the stored end date lies beyond the longest period after the listing day: the listing ends at the longest period (measures and publication stop then; the expiry job removes it); the stored date is kept as written",
	"listing.date_problem.past_9999":        "the date lies past year 9999",
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
	// Total counts every listing of the queue, not only the page shown;
	// Shown, Offset and NextOffset say which part is shown.
	Total      int
	Shown      int
	Offset     int
	More       bool
	NextOffset int
	PageNote   string // which part of the queue the page shows, when not all
	NextURL    string // the next page, when there is one
	// Admins and auditors may narrow the queue to one department.
	Departments []xinyong.Department
	Department  string
}

func (w *web) consoleListings(rw http.ResponseWriter, r *http.Request) {
	p := w.page(r, "", nil)
	if !p.SignedIn {
		http.Redirect(rw, r, "/login", http.StatusSeeOther)
		return
	}
	dept := ""
	if p.Actor.Role == xinyong.RoleAdmin || p.Actor.Role == xinyong.RoleAuditor {
		dept = r.URL.Query().Get("department")
	}
	var v xinyong.Validation
	offset := intField(&v, r.URL.Query(), "offset")
	if err := v.Err("bad query"); err != nil {
		w.fail(rw, r, err)
		return
	}
	// One page of the open listings, the next deadline first (overdue
	// first): the workflow cuts it after every condition and counts all.
	page, err := w.s.Svc.ListingQueuePage(r.Context(), p.Actor, workflow.QueueRequest{Department: dept, Offset: offset, Limit: consoleQueuePage})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	ls := page.Listings
	data := consoleListingsPage{Total: page.Total, Shown: len(ls), Offset: page.Offset, More: page.More, NextOffset: page.NextOffset, Department: dept}
	if page.More || page.Offset > 0 {
		// Say so when the page is not the whole queue, and link the next.
		data.PageNote = fmt.Sprintf(p.T("queue.partial"), page.Offset+1, page.Offset+len(ls), page.Total)
		if page.More {
			next := url.Values{"offset": {strconv.Itoa(page.NextOffset)}}
			if dept != "" {
				next.Set("department", dept)
			}
			data.NextURL = "/console/listings?" + next.Encode()
		}
	}
	if p.Actor.Role == xinyong.RoleAdmin || p.Actor.Role == xinyong.RoleAuditor {
		data.Departments, _ = w.s.Svc.Departments(r.Context(), p.Actor)
	}
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

// consoleQueuePage is the most listings the console's queue shows at once.
const consoleQueuePage = xinyong.MaxListingQueuePage

type consoleListingPage struct {
	L         workflow.ListingView
	CanManage bool // the identifying department's officer: the step forms
	CanObject bool // may record an objection
	Steps     []string
	// Measures the list type triggers (the decision form offers them).
	Measures []xinyong.Measure
	ListType xinyong.ListType
	// DecideAfter is the last day of the objection window: the decision
	// comes after it.
	DecideAfter xinyong.Date
	Form        consoleForm
	FormStep    string // the step whose form was refused
	Done        string // the step just taken
}

// Step reports whether the step's form is open.
func (c consoleListingPage) Step(s string) bool { return slices.Contains(c.Steps, s) }

// FormFor returns the refused form's values for the step (empty otherwise).
func (c consoleListingPage) FormFor(step string) consoleForm {
	if c.FormStep == step {
		return c.Form
	}
	return consoleForm{}
}

func (w *web) consoleListing(rw http.ResponseWriter, r *http.Request) {
	p, ok := w.signedIn(rw, r)
	if !ok {
		return
	}
	w.renderListing(rw, r, p, r.PathValue("id"), consoleForm{}, "", http.StatusOK)
}

// renderListing shows one listing: documents, history, and the step forms
// its department's officer may use now.
func (w *web) renderListing(rw http.ResponseWriter, r *http.Request, p Page, id string, form consoleForm, step string, status int) {
	v, err := w.s.Svc.Listing(r.Context(), p.Actor, id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if v.Subject != nil {
		// The console never shows a full citizen ID number.
		v.Subject.Code = xinyong.MaskIDIfPerson(v.Subject.Code)
	}
	data := consoleListingPage{L: v, Form: form, FormStep: step}
	if d := r.URL.Query().Get("done"); d == "proposed" || slices.Contains(listingSteps, d) {
		data.Done = d
	}
	res := xinyong.Resource{DepartmentID: v.DepartmentID, SubjectID: v.SubjectID}
	data.CanManage = xinyong.Authorize(p.Actor, xinyong.ActListingManage, res, nil) == nil
	data.CanObject = xinyong.Authorize(p.Actor, xinyong.ActListingObject, res, nil) == nil
	if data.CanManage || data.CanObject {
		for _, s := range stepsFor(v.Listing) {
			if (s == "object" && data.CanObject) || (s != "object" && data.CanManage) {
				data.Steps = append(data.Steps, s)
			}
		}
	}
	if v.Notice != nil {
		data.DecideAfter = v.Notice.ObjectionDeadline
	}
	if data.Step("decide") || data.Step("remove") {
		ref, err := w.s.Svc.Reference(r.Context())
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		codes := xinyong.MeasuresFor(v.ListType, ref.Measures, xinyong.DateOf(w.s.Svc.Now()))
		for _, m := range ref.Measures {
			if slices.Contains(codes, m.Code) {
				data.Measures = append(data.Measures, m)
			}
		}
		for _, lt := range ref.ListTypes {
			if lt.Code == v.ListType {
				data.ListType = lt
			}
		}
	}
	p.Data, p.Title = data, p.T("console.listing")
	rw.Header().Set("Cache-Control", "no-store")
	w.render(rw, r, "console_listing", status, p)
}
