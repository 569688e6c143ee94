package server

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

// signIn creates an account and returns its session cookie.
func (e *testEnv) signIn(t *testing.T, in workflow.AccountInput) []*http.Cookie {
	t.Helper()
	in.Password = "correct horse battery staple"
	if _, _, err := e.svc.CreateAccount(e.ctx, xinyong.System, in); err != nil {
		t.Fatal(err)
	}
	r := e.postLogin(t, in.Username, in.Password)
	if r.Status != 303 {
		t.Fatalf("login %s: %s", in.Username, r)
	}
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == SessionCookie {
			return []*http.Cookie{{Name: SessionCookie, Value: c.Value}}
		}
	}
	t.Fatalf("login %s set no session cookie", in.Username)
	return nil
}

// TestConsoleListings: the officer's queue by state and deadline (own
// department only; the auditor sees all), an overdue objection answer
// marked, the listing's documents and history; zh-CN with an English
// switch; sign-in required.
func TestConsoleListings(t *testing.T) {
	var offset atomic.Int64 // days the service clock runs ahead
	e := newEnv(t, func(s *Server) {
		s.Svc.Clock = func() time.Time { return time.Now().Add(time.Duration(offset.Load()) * 24 * time.Hour) }
	})
	a := e.dept(t, "11620100MB0001AA", "兰州市市场监督管理局", "XZCF")
	b := e.dept(t, "11620100MB0002BB", "兰州市税务局", "XZCF")
	f := &listingFixture{e: e, deptA: a, offA: e.token(t, "officer", a.Code, ""), offB: e.token(t, "officer", b.Code, "")}
	f.orgCode = uscc(t, "91620100MA74QX3K")
	// Two subjects: a subject is on a list type once (the second would be
	// refused while the first is listed).
	var recs []string
	orgs := []string{f.orgCode, uscc(t, "91620100MA74QX4L")}
	for i, num := range []string{"兰市监罚〔2026〕301号", "兰市监罚〔2026〕302号"} {
		in := penaltyInput(t, orgs[i], "兰州某某商贸有限公司", num)
		in.Severity = "serious"
		r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: f.offA, Body: in})
		if r.Status != 201 {
			t.Fatalf("submit: %s", r)
		}
		var res workflow.SubmitResult
		r.json(t, &res)
		recs = append(recs, res.Record.ID)
	}
	// One listing listed (with its decision), one waiting for the answer to
	// its objection.
	listed := f.listThrough(t, f.propose(t, recs[0]).ID, decisionBody())
	f.orgCode = orgs[1]
	waiting := f.propose(t, recs[1])
	f.step(t, f.offA, waiting.ID, "notify", nil, 200)
	var objected xinyong.Listing
	f.step(t, f.offA, waiting.ID, "object", xinyong.ObjectionInput{Statement: "罚款已缴清", Evidence: []string{"缴款凭证"}}, 200).json(t, &objected)

	// Not signed in: to the login page.
	for _, path := range []string{"/console/listings", "/console/listings/" + listed.ID} {
		if r := e.do(t, req{Path: path}); r.Status != 303 || r.Header.Get("Location") != "/login" {
			t.Errorf("%s without a session: %s", path, r)
		}
	}
	jarA := e.signIn(t, workflow.AccountInput{Username: "officer-a", Name: "市监局 甲", Role: "officer", Department: a.Code})
	jarB := e.signIn(t, workflow.AccountInput{Username: "officer-b", Name: "税务局 乙", Role: "officer", Department: b.Code})
	jarAud := e.signIn(t, workflow.AccountInput{Username: "auditor", Name: "审计 丙", Role: "auditor"})

	// The console links to the queue.
	e.do(t, req{Path: "/console/", Cookies: jarA}).html(t, 200, `href="/console/listings"`, "严重失信主体名单认定")

	// Officer A's queue: grouped by state, the deadline, not yet overdue.
	body := e.do(t, req{Path: "/console/listings", Cookies: jarA}).html(t, 200, `<html lang="zh-CN">`, "严重失信主体名单认定",
		"异议处理中", "已列入名单", "兰州某某商贸有限公司", "/console/listings/"+listed.ID, "/console/listings/"+waiting.ID,
		objected.Objection.VerifyDeadline.String(), "答复异议", "最近期限", `href="?lang=en"`)
	if strings.Contains(body, "已逾期") {
		t.Error("nothing is overdue yet, but the queue says so")
	}
	if strings.Index(body, "异议处理中") > strings.Index(body, "已列入名单") {
		t.Error("the queue is not in procedure order")
	}
	// Officer B: an empty queue, and A's listings are not found.
	body = e.do(t, req{Path: "/console/listings", Cookies: jarB}).html(t, 200, "当前没有待办事项")
	if strings.Contains(body, listed.ID) || strings.Contains(body, "兰州某某商贸有限公司") {
		t.Error("officer B's queue shows department A's listings")
	}
	e.do(t, req{Path: "/console/listings/" + listed.ID, Cookies: jarB}).html(t, 404)
	e.do(t, req{Path: "/console/listings/no-such-id", Cookies: jarA}).html(t, 404)
	// The auditor sees every department's.
	e.do(t, req{Path: "/console/listings", Cookies: jarAud}).html(t, 200, "/console/listings/"+listed.ID, "/console/listings/"+waiting.ID)
	// Narrowed to department B: none of A's; an officer cannot widen its queue.
	if body := e.do(t, req{Path: "/console/listings?department=" + b.ID, Cookies: jarAud}).html(t, 200, `id="queue-filter"`); strings.Contains(body, listed.ID) {
		t.Error("the queue narrowed to department B shows A's listing")
	}
	if body := e.do(t, req{Path: "/console/listings?department=" + a.ID, Cookies: jarB}).html(t, 200); strings.Contains(body, listed.ID) || strings.Contains(body, `id="queue-filter"`) {
		t.Error("officer B widened its queue to department A")
	}

	// A month later the objection is still unanswered: overdue, marked.
	offset.Store(30)
	body = e.do(t, req{Path: "/console/listings", Cookies: jarA}).html(t, 200, "已逾期")
	row := body[strings.Index(body, "/console/listings/"+waiting.ID):]
	row = row[:strings.Index(row, "</tr>")]
	if !strings.Contains(row, "已逾期") {
		t.Errorf("the overdue objection answer is not marked on its row: %s", row)
	}
	e.do(t, req{Path: "/console/listings?lang=en", Cookies: jarA}).html(t, 200, `<html lang="en">`, "Serious dishonesty listings", "overdue", "answer the objection")
	e.do(t, req{Path: "/console/listings/" + waiting.ID, Cookies: jarA}).html(t, 200, "告知书", "异议申请", "罚款已缴清", "缴款凭证", "已逾期", "办理记录")

	// The listed one: its documents, the decision link and the history.
	body = e.do(t, req{Path: "/console/listings/" + listed.ID, Cookies: jarA}).html(t, 200, `<html lang="zh-CN">`,
		"告知书", "当事人享有陈述", "异议申请", "异议核实答复", "经核实，异议不成立", "认定决定书", "兰市监认〔2026〕1号",
		`href="/console/listings/`+listed.ID+`/decision"`, `href="/api/v1/listings/`+listed.ID+`/decision.pdf"`, "CPC-SC-2025-RESTRICT", "办理记录", "拟列入", "已列入名单", listed.EndDate.String())
	if n := strings.Count(body, "<tr><td>"); n != 6 {
		t.Errorf("history shows %d versions, want 6", n)
	}
	e.do(t, req{Path: "/console/listings/" + listed.ID + "?lang=en", Cookies: jarA}).html(t, 200, `<html lang="en">`, "Notice", "Decision", "History", "Open the decision document")
	// The decision document opens with the session.
	e.do(t, req{Path: "/listings/" + listed.ID + "/decision", Cookies: jarA}).html(t, 200, "认定决定书")
}

// TestConsoleListingsQueuePaged: a department with more open listings than
// a page: the console counts them all, says which part it shows and where
// the next page is, puts the overdue listing on the first page although it
// is the newest (pages are cut by deadline, overdue first), and never shows
// removed ones (the old queue showed the 500
// oldest by id, removed included, and "Total" was the length of the cut).
func TestConsoleListingsQueuePaged(t *testing.T) {
	var offset atomic.Int64 // days the service clock runs ahead
	e := newEnv(t, func(s *Server) {
		s.Svc.Clock = func() time.Time { return time.Now().Add(time.Duration(offset.Load()) * 24 * time.Hour) }
	})
	a := e.dept(t, "11620100MB0001AA", "兰州市市场监督管理局", "XZCF")
	f := &listingFixture{e: e, deptA: a, offA: e.token(t, "officer", a.Code, "")}
	f.orgCode = uscc(t, "91620100MA74QX3K")
	in := penaltyInput(t, f.orgCode, "兰州某某商贸有限公司", "兰市监罚〔2026〕301号")
	in.Severity = "serious"
	r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: f.offA, Body: in})
	if r.Status != 201 {
		t.Fatalf("submit: %s", r)
	}
	var res workflow.SubmitResult
	r.json(t, &res)

	// The history: 100 removed and consoleQueuePage proposed listings, all
	// older than the one below.
	const removed, open = 100, consoleQueuePage
	at := time.Now().UTC()
	err := e.svc.Store.Update(e.ctx, func(tx xinyong.Tx) error {
		for i := range removed + open {
			subj := xinyong.Subject{ID: fmt.Sprintf("S%06d", i), Key: fmt.Sprintf("key-S%06d", i), Code: fmt.Sprintf("91620100MA%08d", i), Kind: xinyong.KindEnterprise,
				Name: fmt.Sprintf("兰州历史%05d有限公司", i), CreatedAt: at}
			if err := tx.PutSubject(subj); err != nil {
				return err
			}
			l := xinyong.Listing{ID: fmt.Sprintf("00000000-0000-7000-8000-%012d", i), ListType: "SAMR_SERIOUS", SubjectID: subj.ID, DepartmentID: a.ID,
				RecordIDs: []string{"r"}, State: xinyong.ListingProposed, Version: 1, Reasons: "r", Basis: "b", ProposedAt: at, UpdatedAt: at}
			if i < removed {
				l.State, l.Version, l.Removal = xinyong.ListingRemoved, 2, &xinyong.ListingRemoval{Date: xinyong.DateOf(at), Reason: xinyong.RemovalRevoked}
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
	// The newest: objected, its answer overdue a month later.
	waiting := f.propose(t, res.Record.ID)
	f.step(t, f.offA, waiting.ID, "notify", nil, 200)
	f.step(t, f.offA, waiting.ID, "object", xinyong.ObjectionInput{Statement: "罚款已缴清"}, 200)
	offset.Store(30)

	jarA := e.signIn(t, workflow.AccountInput{Username: "officer-a", Name: "市监局 甲", Role: "officer", Department: a.Code})
	total := open + 1
	body := e.do(t, req{Path: "/console/listings", Cookies: jarA}).html(t, 200,
		fmt.Sprintf("%d 件", total), fmt.Sprintf("本页显示第 1–%d 件", consoleQueuePage), fmt.Sprintf("共 %d 件", total),
		fmt.Sprintf("/console/listings?offset=%d", consoleQueuePage), "/console/listings/"+waiting.ID, "已逾期")
	// Which part is shown is a note with a link to the next page, not an
	// error (it was put in the page's alert, the address as plain text).
	if !strings.Contains(body, fmt.Sprintf(`<a href="/console/listings?offset=%d" id="queue-next">`, consoleQueuePage)) || strings.Contains(body, `role="alert"`) {
		t.Error("the queue's paging note is not a note with a link to the next page")
	}
	// The overdue one and the oldest open ones fill the page.
	if n := strings.Count(body, `<a href="/console/listings/00000000-`); n != consoleQueuePage-1 {
		t.Errorf("the page shows %d of the older listings, want %d", n, consoleQueuePage-1)
	}
	for i := range removed {
		if strings.Contains(body, fmt.Sprintf("00000000-0000-7000-8000-%012d", i)) {
			t.Fatalf("the queue shows removed listing %d", i)
		}
	}
	// The next page: the rest, and no link further.
	body = e.do(t, req{Path: fmt.Sprintf("/console/listings?offset=%d", consoleQueuePage), Cookies: jarA}).html(t, 200,
		fmt.Sprintf("本页显示第 %d–%d 件", consoleQueuePage+1, total), fmt.Sprintf("00000000-0000-7000-8000-%012d", removed+open-1))
	if strings.Contains(body, "下一页") || strings.Contains(body, "/console/listings/"+waiting.ID) {
		t.Error("the last page links further, or repeats the first page's listing")
	}
	// A bad offset: a precise error, not a page.
	e.do(t, req{Path: "/console/listings?offset=-1", Cookies: jarA}).html(t, 400)
	e.do(t, req{Path: "/console/listings?offset=x", Cookies: jarA}).html(t, 400)
}
