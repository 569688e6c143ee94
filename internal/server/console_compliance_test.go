package server

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

// The compliance board, the clean-up review and the ledger page (issue 8),
// over HTTP: JSON for scripts, the console pages, CSV exports, and the
// role boundary (an officer sees only its own department's cases).

// signedIn signs an account in and returns its session cookie and CSRF token.
func (e *testEnv) complianceSession(t *testing.T, in workflow.AccountInput) ([]*http.Cookie, string) {
	t.Helper()
	if in.Password == "" {
		in.Password = "correct horse battery staple"
	}
	if _, _, err := e.svc.CreateAccount(e.ctx, xinyong.System, in); err != nil {
		t.Fatal(err)
	}
	_, sess, sec, err := e.svc.Login(e.ctx, in.Username, in.Password, "test-"+in.Username)
	if err != nil {
		t.Fatal(err)
	}
	return []*http.Cookie{{Name: SessionCookie, Value: sec}}, sess.CSRF
}

func TestComplianceBoardHTTP(t *testing.T) {
	f := newListingFixture(t) // two records of department A decided 2025-03-03: late 双公示
	e := f.e
	b := e.dept(t, "11620100MB0003CC", "兰州市应急管理局", "XZCF")
	offB := e.token(t, "officer", b.Code, "")
	in := penaltyInput(t, f.orgCode, "兰州某某商贸有限公司", "兰应急罚〔2026〕1号")
	in.Item = "NOT-IN-CATALOGUE"
	e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: offB, Body: in}).problem(t, 400, xinyong.EINVALID)
	month := xinyong.MonthOfTime(e.svc.Now()).String()

	// JSON for scripts: the admin sees both departments.
	var board xinyong.Board
	e.do(t, req{Path: "/api/v1/compliance", Token: e.admin}).json(t, &board)
	cell := func(bd xinyong.Board, dept string, k xinyong.ViolationKind) int64 {
		for _, r := range bd.Rows {
			if r.DepartmentID == dept {
				return r.Cells[month][k]
			}
		}
		return 0
	}
	if cell(board, f.deptA.ID, xinyong.ViolationLateDisclosure) != 2 || cell(board, b.ID, xinyong.ViolationOutsideCatalogue) != 1 {
		t.Fatalf("admin board: %+v", board)
	}
	// An officer sees its own department only, and not another's cases.
	var mine xinyong.Board
	e.do(t, req{Path: "/api/v1/compliance", Token: f.offA}).json(t, &mine)
	if len(mine.Rows) != 1 || mine.Rows[0].DepartmentID != f.deptA.ID {
		t.Errorf("officer A's board: %+v", mine)
	}
	e.do(t, req{Path: "/api/v1/compliance?department=" + b.ID, Token: f.offA}).problem(t, 403, xinyong.EFORBIDDEN)
	e.do(t, req{Path: "/api/v1/compliance/cases?kind=outside_catalogue&month=" + month + "&department=" + b.ID, Token: f.offA}).problem(t, 403, xinyong.EFORBIDDEN)
	e.do(t, req{Path: "/api/v1/compliance/cases?kind=nope&month=" + month, Token: e.admin}).problem(t, 400, xinyong.EINVALID)
	e.do(t, req{Path: "/api/v1/compliance?from=2026-13", Token: e.admin}).problem(t, 400, xinyong.EINVALID)
	e.do(t, req{Path: "/api/v1/compliance"}).problem(t, 401, xinyong.EUNAUTHORIZED)
	var cases struct {
		Cases []xinyong.Violation `json:"cases"`
	}
	e.do(t, req{Path: "/api/v1/compliance/cases?kind=late_disclosure&month=" + month, Token: f.offA}).json(t, &cases)
	if len(cases.Cases) != 2 || cases.Cases[0].DepartmentID != f.deptA.ID || cases.Cases[0].WorkingDays < 1 {
		t.Errorf("officer A's late cases: %+v", cases)
	}
	e.do(t, req{Path: "/api/v1/compliance/cases?kind=outside_catalogue&month=" + month, Token: offB}).json(t, &cases)
	if len(cases.Cases) != 1 || !strings.Contains(cases.Cases[0].Ref, "NOT-IN-CATALOGUE") || cases.Cases[0].Detail == "" {
		t.Errorf("officer B's refusals: %+v", cases)
	}
	// Settings: admin only, validated.
	e.do(t, req{Method: "PUT", Path: "/api/v1/compliance/settings", Token: f.offA, Body: map[string]int{"remind_working_days": 3}}).problem(t, 403, xinyong.EFORBIDDEN)
	e.do(t, req{Method: "PUT", Path: "/api/v1/compliance/settings", Token: e.admin, Body: map[string]int{"remind_working_days": 99}}).problem(t, 400, xinyong.EINVALID)
	if r := e.do(t, req{Method: "PUT", Path: "/api/v1/compliance/settings", Token: e.admin, Body: map[string]int{"remind_working_days": 3}}); r.Status != 200 {
		t.Errorf("settings: %s", r)
	}
	var rem struct {
		Days int `json:"remind_working_days"`
	}
	e.do(t, req{Path: "/api/v1/compliance/reminders", Token: f.offA}).json(t, &rem)
	if rem.Days != 3 {
		t.Errorf("reminder window: %+v", rem)
	}

	// The console: the board with SVG charts and links down to the cases.
	admin, _ := e.complianceSession(t, workflow.AccountInput{Username: "office", Role: "admin"})
	page := e.do(t, req{Path: "/console/compliance", Cookies: admin}).html(t, 200, `<svg id="chart-months"`, `<svg id="chart-units"`, "双公示超期", "兰州市应急管理局", "/console/compliance.csv?")
	caseLink := "/console/compliance/cases?" + url.Values{"department": {f.deptA.ID}, "kind": {"late_disclosure"}, "month": {month}}.Encode()
	if !strings.Contains(page, strings.ReplaceAll(caseLink, "&", "&amp;")) {
		t.Errorf("no link down to the cases %s", caseLink)
	}
	if strings.Contains(page, "<script") {
		t.Error("the board uses JavaScript")
	}
	e.do(t, req{Path: caseLink, Cookies: admin}).html(t, 200, "兰市监罚〔2026〕301号", "兰市监罚〔2026〕302号")
	e.do(t, req{Path: "/console/compliance?lang=en", Cookies: admin}).html(t, 200, "compliance board", "later than 7 working days")
	csvResp := e.do(t, req{Path: "/console/compliance.csv", Cookies: admin})
	if csvResp.Status != 200 || !strings.HasPrefix(csvResp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %s", csvResp)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(csvResp.Body), "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 3 || rows[0][0] != "unit" {
		t.Errorf("csv rows: %v %v", rows, err)
	}

	// Officer B's console: its own board; department A's cases refused.
	if _, _, err := e.svc.CreateAccount(e.ctx, xinyong.System, workflow.AccountInput{Username: "ob", Role: "officer", Department: b.Code, Password: "correct horse battery staple"}); err != nil {
		t.Fatal(err)
	}
	_, _, secB, err := e.svc.Login(e.ctx, "ob", "correct horse battery staple", "t")
	if err != nil {
		t.Fatal(err)
	}
	obJar := []*http.Cookie{{Name: SessionCookie, Value: secB}}
	pb := e.do(t, req{Path: "/console/compliance", Cookies: obJar}).html(t, 200, "兰州市应急管理局")
	if strings.Contains(pb, f.deptA.Name) {
		t.Error("officer B's board shows department A")
	}
	e.do(t, req{Path: caseLink, Cookies: obJar}).html(t, 403)
	e.do(t, req{Path: "/console/", Cookies: obJar}).html(t, 200, `id="reminders"`, "/console/compliance")
	e.do(t, req{Path: "/console/cleanup", Cookies: obJar}).html(t, 403)
	e.do(t, req{Path: "/console/compliance"}).html(t, 303)
}

func TestCleanupAndLedgerConsole(t *testing.T) {
	e := newEnv(t)
	admin, csrf := e.complianceSession(t, workflow.AccountInput{Username: "office", Role: "admin"})
	e.do(t, req{Path: "/console/cleanup", Cookies: admin}).html(t, 200, `id="cleanup"`, "清理规范")
	r := e.do(t, req{Path: "/console/cleanup.csv", Cookies: admin})
	if r.Status != 200 || !strings.Contains(string(r.Body), "type,code,name") {
		t.Errorf("cleanup csv: %s", r)
	}
	var cl struct {
		Entries []xinyong.CleanupEntry `json:"entries"`
	}
	e.do(t, req{Path: "/api/v1/compliance/cleanup", Token: e.admin}).json(t, &cl)
	if len(cl.Entries) == 0 {
		t.Error("no clean-up entries (list types and measures are loaded)")
	}
	for _, en := range cl.Entries {
		if en.Type == "catalogue_item" && en.Layer == xinyong.LayerNational {
			t.Errorf("a national item in the local review: %+v", en)
		}
	}

	// The ledger page and its verify button (POST with CSRF).
	e.do(t, req{Path: "/console/ledger", Cookies: admin}).html(t, 200, `id="ledger-size"`, `id="verify-button"`, `id="checkpoints"`)
	ct, body := form(url.Values{})
	e.do(t, req{Method: "POST", Path: "/console/ledger/verify", Type: ct, Body: body, Cookies: admin}).html(t, 403, "CSRF")
	ct, body = form(url.Values{"csrf": {csrf}})
	r = e.do(t, req{Method: "POST", Path: "/console/ledger/verify", Type: ct, Body: body, Cookies: admin})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/console/ledger" {
		t.Fatalf("verify: %s", r)
	}
	e.srv.jobs.Wait() // the background job ends (no sleeping)
	e.do(t, req{Path: "/console/ledger", Cookies: admin}).html(t, 200, "通过：未发现问题", `data-state="done"`)
	var j workflow.VerifyJobView
	jr := e.do(t, req{Method: "POST", Path: "/api/v1/ledger/verify-jobs", Token: e.admin})
	if jr.Status != 202 {
		t.Fatalf("verify job API: %s", jr)
	}
	jr.json(t, &j)
	e.srv.jobs.Wait()
	e.do(t, req{Path: "/api/v1/ledger/verify-jobs/" + j.ID, Token: e.admin}).json(t, &j)
	if j.State != xinyong.VerifyDone || !j.OK || j.Result == nil {
		t.Errorf("verify job: %+v", j)
	}
	// Who may not verify sees no button and is refused.
	officer := e.token(t, "officer", e.dept(t, "11620100MB0004DD", "某局", "XZCF").Code, "")
	e.do(t, req{Method: "POST", Path: "/api/v1/ledger/verify-jobs", Token: officer}).problem(t, 403, xinyong.EFORBIDDEN)
}

// TestDeadlinesInLoop: the periodic loop runs the deadlines job on the
// service clock's day, at most every DeadlinesEvery (driven here by hand
// with a fake clock: nothing sleeps).
func TestDeadlinesInLoop(t *testing.T) {
	e := newEnv(t)
	now := time.Date(2026, 6, 1, 23, 55, 0, 0, xinyong.Shanghai)
	e.svc.Clock = func() time.Time { return now }
	through := func() string {
		var v string
		e.svc.Store.View(e.ctx, func(tx xinyong.Tx) error { v, _ = tx.Meta(workflow.MetaPublishedThrough); return nil })
		return v
	}
	e.srv.runDeadlines(e.ctx)
	if got := through(); got != "2026-06-01" {
		t.Fatalf("first run: %q", got)
	}
	now = now.Add(6 * time.Minute) // 2 June, but within DeadlinesEvery of the last run
	e.srv.runDeadlines(e.ctx)
	if got := through(); got != "2026-06-01" {
		t.Errorf("ran again within %v: %q", DeadlinesEvery, got)
	}
	now = now.Add(DeadlinesEvery)
	e.srv.runDeadlines(e.ctx)
	if got := through(); got != "2026-06-02" {
		t.Errorf("after %v: %q", DeadlinesEvery, got)
	}
}
