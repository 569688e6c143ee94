package server

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

// portalFixture is a small store filled through the workflow: what the
// public must see and what it must never see.
type portalFixture struct {
	e                      *testEnv
	officer                string // officer token of the department
	orgCode, orgName       string // an enterprise with a published penalty and licence
	orgPenalty, orgLicence string // their decision numbers
	personID, personName   string // a natural person with a published penalty
	personPenalty          string
	minorID, minorName     string   // a minor with a penalty: never public
	hidden                 []string // decision numbers and names no public answer may carry
	repaired               []string // decision numbers of repaired records (ended, shielded, deleted)
}

func newPortal(t *testing.T) *portalFixture {
	e := newEnv(t)
	d := e.dept(t, "11620100MB0001AA", "兰州市市场监督管理局", "XZCF", "XZXK")
	f := &portalFixture{e: e, officer: e.token(t, "officer", d.Code, "")}
	officer, err := e.svc.TokenActor(e.ctx, f.officer)
	if err != nil {
		t.Fatal(err)
	}
	today := xinyong.DateOf(time.Now())
	recent := today.AddDays(-30)
	submit := func(in xinyong.RecordInput) xinyong.Record {
		t.Helper()
		res, err := e.svc.SubmitRecord(e.ctx, officer, "", in)
		if err != nil {
			t.Fatalf("SubmitRecord %s: %v", in.Document.Number, err)
		}
		return res.Record
	}
	penalty := func(code, name, number string, decided xinyong.Date) xinyong.RecordInput {
		in := penaltyInput(t, code, name, number)
		in.Document.DecisionDate = decided
		in.Fields["CF_XDR_MC"] = name
		return in
	}
	person := func(in *xinyong.RecordInput, id string) {
		in.Fields["CF_XDR_LB"] = "自然人"
		in.Fields["CF_XDR_ZJHM"] = id
		in.Fields["CF_SY"] = in.SubjectName + "（身份证号 " + id + "）无证经营"
	}

	// An enterprise: a penalty inside its window and an open-ended licence.
	f.orgCode, f.orgName = uscc(t, "91620100MA74QX3K"), "兰州鞋铁荣智商贸有限公司"
	f.orgPenalty, f.orgLicence = "兰市监罚〔2026〕101号", "兰市监许〔2026〕7号"
	submit(penalty(f.orgCode, f.orgName, f.orgPenalty, recent))
	submit(xinyong.RecordInput{Item: "XZXK", SubjectCode: f.orgCode, SubjectName: f.orgName,
		Document: xinyong.Document{Type: xinyong.DocLicenseDecision, Number: f.orgLicence, Authority: "兰州市市场监督管理局", DecisionDate: today.AddDays(-10)},
		Fields: map[string]string{"XK_XDR_MC": f.orgName, "XK_XDR_LB": "法人及非法人组织", "XK_XKWS": "食品经营许可证", "XK_XKLB": "普通", "XK_NR": "食品销售",
			"XK_YXQZ": today.AddDays(-10).String(), "XK_YXQZI": today.AddDays(1800).String(), "XK_XKJGDM": d.Code, "XK_LYDW": d.Name, "XK_LYDWDM": d.Code}})

	// A penalty whose window closed years ago (2019 regime: 1 year at most).
	old := penalty(uscc(t, "91620100MA74QX4L"), "天水玉基旧案有限公司", "天市监罚〔2020〕55号", xinyong.MustDate("2020-06-01"))
	submit(old)
	// A withdrawn penalty: publication and sharing end at once.
	wd := submit(penalty(uscc(t, "91620100MA74QX5M"), "白银撤回商贸有限公司", "白市监罚〔2026〕9号", recent))
	if _, err := e.svc.Withdraw(e.ctx, officer, wd.ID, "revoked", "复议撤销"); err != nil {
		t.Fatal(err)
	}
	// An adult natural person with a published penalty (the item's basis
	// covers natural persons): public, masked.
	f.personID, f.personName, f.personPenalty = citizenID(t, "62010219850312123"), "张三明", "兰市监罚〔2026〕202号"
	in := penalty(f.personID, f.personName, f.personPenalty, recent)
	person(&in, f.personID)
	submit(in)
	// A minor (16 at the decision): never public.
	f.minorID, f.minorName = citizenID(t, "62010220100520123"), "李小明"
	in = penalty(f.minorID, f.minorName, "兰市监罚〔2026〕303号", recent)
	person(&in, f.minorID)
	in.Leniency = xinyong.Leniency{Minor: true, Reason: "未成年人，从轻处罚"}
	submit(in)

	// Three penalties inside their windows whose subjects repaired them
	// (issue 7): publication ended, shielded, deleted. None may show.
	var repaired []string
	for i, treat := range []xinyong.RepairOutcome{xinyong.RepairEnded, xinyong.RepairShielded, xinyong.RepairDeleted} {
		code := uscc(t, fmt.Sprintf("91620100MA74QR%dP", i))
		number := fmt.Sprintf("兰市监罚〔2026〕6%d号", i)
		rec := submit(penalty(code, fmt.Sprintf("兰州修复%d商贸有限公司", i), number, today.AddDays(-200)))
		acct, _, err := e.svc.CreateAccount(e.ctx, xinyong.System, workflow.AccountInput{Username: fmt.Sprintf("repaired%d", i), Name: "修复企业", Role: "subject", SubjectCode: code, Password: "correct horse battery staple"})
		if err != nil {
			t.Fatal(err)
		}
		proof, err := e.svc.StoreProof(e.ctx, "缴款收据.pdf", strings.NewReader("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"))
		if err != nil {
			t.Fatal(err)
		}
		rep, err := e.svc.ApplyRepair(e.ctx, workflow.ActorOfAccount(acct), xinyong.RepairInput{RecordID: rec.ID, Name: "王五", Contact: "13800000000",
			Correction: "罚款已缴纳，违法行为已改正", Obligations: true, Commitment: true}, []xinyong.RepairFile{proof})
		if err != nil {
			t.Fatalf("apply for repair (%s): %v", treat, err)
		}
		if _, err := e.svc.AcceptRepair(e.ctx, officer, rep.ID, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.DecideRepair(e.ctx, officer, rep.ID, xinyong.RepairDecisionInput{Approve: true, Treatment: treat, Reasons: "已纠正失信行为并履行义务"}); err != nil {
			t.Fatalf("approve repair (%s): %v", treat, err)
		}
		repaired = append(repaired, number)
	}

	// The organisations themselves are public subjects (their registration
	// is); their hidden records are not.
	f.hidden = append([]string{"天市监罚〔2020〕55号", "白市监罚〔2026〕9号", "兰市监罚〔2026〕303号", f.minorName, "李*明", f.personName, f.minorID, f.personID}, repaired...)
	f.repaired = repaired
	return f
}

// fullID finds valid 18-character citizen ID numbers in text.
var fullID = regexp.MustCompile(`[1-8][0-9]{16}[0-9Xx]`)

func (f *portalFixture) checkClean(t *testing.T, path string, body []byte) {
	t.Helper()
	s := string(body)
	// JSON escapes nothing we look for, but a page might; look at both forms.
	for _, h := range f.hidden {
		if strings.Contains(s, h) {
			t.Errorf("%s shows %q, which the public must never see", path, h)
		}
	}
	for _, m := range fullID.FindAllString(s, -1) {
		if _, err := xinyong.ParseCitizenID(m); err == nil {
			t.Errorf("%s shows a full citizen ID number %s", path, m)
		}
	}
}

var hrefs = regexp.MustCompile(`href="(/[^"]*)"`)

// TestPortalCrawl crawls every public page and API answer reachable from
// the home page, the lists and a few searches, and fails on any full ID
// number, any record outside its window, any withdrawn record, any minor's
// record, any unmasked natural person, and any page over 100 KB.
func TestPortalCrawl(t *testing.T) {
	f := newPortal(t)
	e := f.e
	css := e.do(t, req{Path: "/static/site.css"})
	seen := map[string]bool{}
	queue := []string{"/", "/lists/penalties", "/lists/licenses", "/search?q=" + url.QueryEscape("鞋铁"), "/search?q=" + url.QueryEscape("有限公司"),
		"/search?q=" + url.QueryEscape(f.orgCode), "/search?q=" + url.QueryEscape(f.personID), "/search?q=" + url.QueryEscape(f.minorID),
		"/search?q=" + url.QueryEscape("商贸"), "/search?q=" + url.QueryEscape("旧案"), "/search?q=" + url.QueryEscape("撤回"),
		"/api/v1/search?q=" + url.QueryEscape("商贸"), "/api/v1/search?q=" + url.QueryEscape(f.personID), "/api/v1/search?q=" + url.QueryEscape(f.minorID),
		"/api/v1/lists/penalties", "/api/v1/lists/licenses", "/procedures/repair", "/procedures/objection", "/search?q=" + url.QueryEscape("鞋铁") + "&lang=en"}
	subjects := 0
	for len(queue) > 0 && len(seen) < 300 {
		path := queue[0]
		queue = queue[1:]
		if seen[path] {
			continue
		}
		seen[path] = true
		r := e.do(t, req{Path: path})
		if r.Status != 200 {
			t.Errorf("GET %s: %s", path, r)
			continue
		}
		f.checkClean(t, path, r.Body)
		if strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			if n := len(r.Body) + len(css.Body); n > 100<<10 {
				t.Errorf("%s: %d bytes of HTML and CSS, over 100 KB", path, n)
			}
			for _, m := range hrefs.FindAllStringSubmatch(string(r.Body), -1) {
				link := strings.ReplaceAll(m[1], "&amp;", "&")
				if strings.HasPrefix(link, "/static/") || strings.HasPrefix(link, "/login") || strings.HasPrefix(link, "/console") {
					continue
				}
				queue = append(queue, link)
				if strings.HasPrefix(link, "/subjects/") {
					ref, _, _ := strings.Cut(strings.TrimPrefix(link, "/subjects/"), "?")
					queue = append(queue, "/api/v1/subjects/"+ref)
				}
			}
		}
		if strings.HasPrefix(path, "/subjects/") {
			subjects++
		}
	}
	for _, q := range []string{"修复", "修复0商贸", "修复2"} {
		for _, p := range []string{"/search?q=" + url.QueryEscape(q), "/api/v1/search?q=" + url.QueryEscape(q)} {
			if !seen[p] {
				r := e.do(t, req{Path: p})
				f.checkClean(t, p, r.Body)
			}
		}
	}
	for _, want := range []string{"/lists/penalties", "/procedures/repair"} {
		if !seen[want] {
			t.Errorf("the crawl never reached %s", want)
		}
	}
	if subjects < 2 {
		t.Errorf("the crawl opened %d subject pages; want the enterprise and the person", subjects)
	}
	t.Logf("crawled %d pages and answers", len(seen))

	// What must be there is there: the enterprise's penalty and licence
	// with their authority, dates and publication end; the person masked.
	r := e.do(t, req{Path: "/subjects/" + f.orgCode + "?tab=penalty"})
	for _, want := range []string{f.orgPenalty, "兰州市市场监督管理局", "申请信用修复", "提出异议", "/repairs/new?record=", `aria-current="page"`, "公示期"} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("penalty tab lacks %q", want)
		}
	}
	if r := e.do(t, req{Path: "/subjects/" + f.orgCode + "?tab=license"}); !strings.Contains(string(r.Body), f.orgLicence) || !strings.Contains(string(r.Body), "长期") {
		t.Errorf("licence tab: %s", r)
	}
	var prof workflow.SubjectProfile
	e.do(t, req{Path: "/api/v1/subjects/" + f.orgCode}).json(t, &prof)
	if len(prof.Records) != 2 || prof.Subject.Name != f.orgName {
		t.Errorf("public profile of the enterprise: %+v", prof)
	}
	for _, rv := range prof.Records {
		if rv.Document.Number == f.orgPenalty && (rv.Publication.End.IsZero() || rv.Document.Authority == "" || !rv.Public) {
			t.Errorf("penalty view %+v", rv)
		}
	}
	var res workflow.SearchResult
	e.do(t, req{Path: "/api/v1/search?q=" + f.personID}).json(t, &res)
	if len(res.Hits) != 1 || res.Hits[0].Name != "张*明" || !res.Hits[0].Masked || res.Query != xinyong.MaskID(f.personID) {
		t.Fatalf("exact ID search: %+v", res)
	}
	e.do(t, req{Path: "/api/v1/subjects/" + res.Hits[0].Ref}).json(t, &prof)
	if prof.Subject.Name != "张*明" || len(prof.Records) != 1 || prof.Records[0].SubjectName != "张*明" || !strings.Contains(prof.Records[0].Fields["CF_SY"], xinyong.MaskID(f.personID)) {
		t.Errorf("the person's public profile: %+v", prof)
	}
	if _, ok := prof.Records[0].Fields["CF_XDR_ZJHM"]; !ok {
		t.Errorf("the masked ID field is missing: %v", prof.Records[0].Fields)
	}
	// The minor is not found, by ID or by its row id.
	e.do(t, req{Path: "/api/v1/search?q=" + f.minorID}).json(t, &res)
	if len(res.Hits) != 0 {
		t.Errorf("the minor is found: %+v", res)
	}
}

// TestPortalSearch: Chinese substrings of 2, 3 and 4 characters and the
// exact code find the subject, highlighted; SQL and FTS syntax is text;
// too long a query is refused clearly.
func TestPortalSearch(t *testing.T) {
	f := newPortal(t)
	e := f.e
	for _, q := range []string{"鞋铁", "鞋铁荣", "鞋铁荣智", "兰州鞋铁荣智商贸有限公司", "商", f.orgCode, strings.ToLower(f.orgCode)} {
		var res workflow.SearchResult
		e.do(t, req{Path: "/api/v1/search?q=" + url.QueryEscape(q)}).json(t, &res)
		found := false
		for _, h := range res.Hits {
			if h.Code == f.orgCode && h.Ref == f.orgCode {
				found = true
				if res.Mode != "code" && (len(h.Match) == 0 || string([]rune(h.Name)[h.Match[0][0]:h.Match[0][1]]) != q) {
					t.Errorf("search %q: match %v in %s", q, h.Match, h.Name)
				}
			}
		}
		if !found || res.Total < 1 {
			t.Errorf("search %q (%s) did not find the enterprise: %+v", q, res.Mode, res)
		}
		page := e.do(t, req{Path: "/search?q=" + url.QueryEscape(q)})
		if page.Status != 200 || !strings.Contains(string(page.Body), `href="/subjects/`+f.orgCode+`"`) {
			t.Errorf("search page %q: %s", q, page)
		}
		if res.Mode != "code" && !strings.Contains(string(page.Body), "<mark>"+q+"</mark>") {
			t.Errorf("search page %q does not highlight the match", q)
		}
	}
	// Natural persons are not found by name by the public, and neither are
	// withdrawn-only or old subjects' records shown (their names are public
	// organisations, so the subjects themselves may be found).
	var res workflow.SearchResult
	e.do(t, req{Path: "/api/v1/search?q=" + url.QueryEscape("张三")}).json(t, &res)
	if len(res.Hits) != 0 {
		t.Errorf("the public finds a natural person by name: %+v", res)
	}
	// Officers search natural persons by name.
	e.do(t, req{Path: "/api/v1/search?q=" + url.QueryEscape("张三"), Token: f.officer}).json(t, &res)
	if len(res.Hits) != 1 || res.Hits[0].Name != f.personName {
		t.Errorf("officer search by a person's name: %+v", res)
	}
	// Hostile text is text.
	for _, q := range []string{"'; DROP TABLE subject; --", `"`, "*", "%", "_", "NEAR(鞋铁 荣智)", "鞋铁 OR 荣智", `\`, "1' OR '1'='1", "<script>alert(1)</script>"} {
		r := e.do(t, req{Path: "/api/v1/search?q=" + url.QueryEscape(q)})
		if r.Status != 200 {
			t.Errorf("search %q: %s", q, r)
			continue
		}
		r.json(t, &res)
		if len(res.Hits) != 0 {
			t.Errorf("search %q found %+v", q, res.Hits)
		}
		page := e.do(t, req{Path: "/search?q=" + url.QueryEscape(q)})
		if page.Status != 200 || strings.Contains(string(page.Body), "<script>alert") {
			t.Errorf("search page %q: %s", q, page)
		}
	}
	e.do(t, req{Path: "/api/v1/search?q=" + url.QueryEscape("鞋铁")}).json(t, &res)
	if len(res.Hits) != 1 {
		t.Errorf("search after the hostile queries: %+v", res)
	}
	// Refused clearly.
	long := strings.Repeat("鞋", 10000)
	p := e.do(t, req{Path: "/api/v1/search?q=" + url.QueryEscape(long)}).problem(t, 400, xinyong.EINVALID)
	if !p.hasField("q", "search.length") || !strings.Contains(p.Detail+p.Errors[0].Message, "100") {
		t.Errorf("long query: %+v", p)
	}
	if r := e.do(t, req{Path: "/search?q=" + url.QueryEscape(long)}); r.Status != 400 || !strings.Contains(string(r.Body), "100") {
		t.Errorf("long query page: %d", r.Status)
	}
	e.do(t, req{Path: "/api/v1/search?q="}).problem(t, 400, xinyong.EINVALID)
	e.do(t, req{Path: "/api/v1/search?q=%00"}).problem(t, 400, xinyong.EINVALID)
	e.do(t, req{Path: "/api/v1/search?q=a&page=x"}).problem(t, 400, xinyong.EINVALID)
	e.do(t, req{Path: "/api/v1/search?q=a&page=999"}).problem(t, 400, xinyong.EINVALID)
	if r := e.do(t, req{Path: "/search"}); r.Status != 200 || !strings.Contains(string(r.Body), `<label for="q">`) {
		t.Errorf("empty search page: %s", r)
	}
	e.alive(t)
}

// TestPortalSubjectRefs: malformed codes and path traversal are refused
// cleanly; an absent subject is 404; a token shows the viewer's view.
func TestPortalSubjectRefs(t *testing.T) {
	f := newPortal(t)
	e := f.e
	for _, tt := range []struct {
		path   string
		status int
	}{
		{"/api/v1/subjects/abc", 400},
		{"/api/v1/subjects/" + strings.Repeat("A", 70), 400},
		{"/api/v1/subjects/%2e%2e%2f%2e%2e%2fetc%2fpasswd", 400},
		{"/api/v1/subjects/..%5C..%5Cwindows", 400},
		{"/api/v1/subjects/" + f.personID, 400}, // an ID number never goes in a URL
		{"/api/v1/subjects/" + uscc(t, "91620100MA99WW9W"), 404},
		{"/api/v1/subjects/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", 404},
		{"/api/v1/lists/nothing", 404},
		{"/api/v1/lists/penalties?from=yesterday", 400},
		{"/api/v1/lists/penalties?from=2026-05-01&to=2026-01-01", 400},
		{"/api/v1/lists/penalties?department=nope", 400},
	} {
		r := e.do(t, req{Path: tt.path})
		r.problem(t, tt.status, "")
		if strings.Contains(string(r.Body), f.personID) {
			t.Errorf("%s repeats the ID number", tt.path)
		}
	}
	for _, tt := range []struct {
		path   string
		status []int
	}{
		{"/subjects/abc", []int{400}},
		{"/subjects/%2e%2e%2f%2e%2e%2fetc%2fpasswd", []int{400}},
		{"/subjects/../../etc/passwd", []int{301, 307, 308, 404}},
		{"/subjects/" + f.orgCode + "?tab=nope", []int{400}},
		{"/subjects/" + f.orgCode + "?page=9", []int{404}},
		{"/subjects/" + uscc(t, "91620100MA99WW9W"), []int{404}},
	} {
		r := e.do(t, req{Path: tt.path})
		ok := false
		for _, s := range tt.status {
			ok = ok || r.Status == s
		}
		if !ok || strings.Contains(string(r.Body), "root:") {
			t.Errorf("%s: %d, want %v", tt.path, r.Status, tt.status)
		}
	}
	// The department's officer sees its own withdrawn record on the
	// subject's profile; the public does not.
	code := uscc(t, "91620100MA74QX5M")
	var prof workflow.SubjectProfile
	e.do(t, req{Path: "/api/v1/subjects/" + code}).json(t, &prof)
	if len(prof.Records) != 0 {
		t.Errorf("public profile of the withdrawn record's subject: %+v", prof.Records)
	}
	e.do(t, req{Path: "/api/v1/subjects/" + code, Token: f.officer}).json(t, &prof)
	if len(prof.Records) != 1 || prof.Records[0].Status != xinyong.RecordWithdrawn || len(prof.Records[0].Marks) == 0 || prof.Records[0].Marks[0] != xinyong.MarkWithdrawn {
		t.Errorf("officer's profile: %+v", prof.Records)
	}
	// The minor: invisible to the public, visible to its department.
	var res workflow.SearchResult
	e.do(t, req{Path: "/api/v1/search?q=" + url.QueryEscape(f.minorName), Token: f.officer}).json(t, &res)
	if len(res.Hits) != 1 {
		t.Fatalf("officer search for the minor: %+v", res)
	}
	e.do(t, req{Path: "/api/v1/subjects/" + res.Hits[0].Ref}).problem(t, 404, xinyong.ENOTFOUND)
	e.do(t, req{Path: "/api/v1/subjects/" + res.Hits[0].Ref, Token: f.officer}).json(t, &prof)
	if len(prof.Records) != 1 || prof.Subject.Name != f.minorName {
		t.Errorf("officer's view of the minor: %+v", prof)
	}
	b, _ := json.Marshal(prof)
	if strings.Contains(string(b), f.minorID) {
		t.Error("the officer's view repeats the full ID number")
	}
}

// TestPortalLists: the 双公示 lists filter by department and date and show
// only what is published today.
func TestPortalLists(t *testing.T) {
	f := newPortal(t)
	e := f.e
	var l workflow.ListPage
	e.do(t, req{Path: "/api/v1/lists/penalties"}).json(t, &l)
	nums := map[string]bool{}
	for _, rv := range l.Records {
		nums[rv.Document.Number] = true
	}
	if !nums[f.orgPenalty] || !nums[f.personPenalty] || len(l.Records) != 2 {
		t.Errorf("penalty list: %v", nums)
	}
	e.do(t, req{Path: "/api/v1/lists/licenses"}).json(t, &l)
	if len(l.Records) != 1 || l.Records[0].Document.Number != f.orgLicence {
		t.Errorf("licence list: %+v", l.Records)
	}
	dept := l.Departments[0].Code
	e.do(t, req{Path: "/api/v1/lists/penalties?department=" + dept + "&from=2000-01-01&to=" + xinyong.DateOf(time.Now()).String()}).json(t, &l)
	if len(l.Records) != 2 {
		t.Errorf("filtered list: %d records", len(l.Records))
	}
	e.do(t, req{Path: "/api/v1/lists/penalties?from=2000-01-01&to=2001-01-01"}).json(t, &l)
	if len(l.Records) != 0 {
		t.Errorf("list of 2000: %d records", len(l.Records))
	}
	r := e.do(t, req{Path: "/lists/penalties?department=" + dept})
	for _, want := range []string{f.orgPenalty, "张*明", `<label for="department">`, `<label for="from">`, "selected"} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("penalty list page lacks %q", want)
		}
	}
	if r := e.do(t, req{Path: "/lists/penalties?lang=en"}); !strings.Contains(string(r.Body), "Penalties published") {
		t.Errorf("English list page: %s", r)
	}
}
