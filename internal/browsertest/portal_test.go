package browsertest

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"xinyong"
)

// navigate loads url and checks the document's status.
func navigate(t *testing.T, ctx context.Context, u string, status int64) {
	t.Helper()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(u))
	if err != nil {
		t.Fatalf("navigate %s: %v", u, err)
	}
	if resp.Status != status {
		t.Fatalf("navigate %s: status %d, want %d", u, resp.Status, status)
	}
}

// follow clicks sel, waits for the page it leads to and checks its status.
func follow(t *testing.T, ctx context.Context, sel string, status int64) {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
	if resp.Status != status {
		t.Fatalf("click %s: status %d, want %d (%s)", sel, resp.Status, status, resp.URL)
	}
}

// text returns the visible text of the first element matching sel, once
// it is visible.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func waitVisible(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		t.Fatalf("wait for %s: %v", sel, err)
	}
}

// search types q into the search box of the current page and submits it.
func search(t *testing.T, ctx context.Context, q string) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS("#q")),
		chromedp.Clear(chromedp.CSS("#q")),
		chromedp.SendKeys(chromedp.CSS("#q"), q),
	); err != nil {
		t.Fatalf("type %q: %v", q, err)
	}
	follow(t, ctx, `form[role="search"] button[type="submit"]`, 200)
	waitVisible(t, ctx, "#results")
}

// marks returns the highlighted parts of the search results.
func marks(t *testing.T, ctx context.Context) []string {
	t.Helper()
	m, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("ol.results mark")].map(m => m.textContent)`))
	if err != nil {
		t.Fatalf("marks: %v", err)
	}
	return m
}

// fetched is what the page's fetch of a report gave.
type fetched struct {
	Status      int    `json:"status"`
	Type        string `json:"type"`
	Disposition string `json:"disposition"`
	Head        string `json:"head"` // the first bytes
	Body        string `json:"body"` // the text of a JSON answer
	Size        int    `json:"size"`
}

// fetchFromPage fetches the current subject's report (ext: json or pdf) from
// inside the page, as its script would: /api/v1 + the page's path.
func fetchFromPage(t *testing.T, ctx context.Context, ext string) fetched {
	t.Helper()
	js := fmt.Sprintf(`(async () => {
  const r = await fetch("/api/v1" + location.pathname + "/report.%s", {credentials: "same-origin"});
  const buf = new Uint8Array(await r.arrayBuffer());
  const type = r.headers.get("content-type") || "";
  return {
    status: r.status, type, disposition: r.headers.get("content-disposition") || "",
    head: String.fromCharCode(...buf.slice(0, 8)),
    body: type.includes("json") ? new TextDecoder().decode(buf) : "",
    size: buf.length,
  };
})()`, ext)
	res, err := chromedp.Run(ctx, chromedp.Evaluate[fetched](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetch report.%s: %v", ext, err)
	}
	return res
}

// TestSearchSubjectTabsReport: the public searches by 2- and 3-character
// Chinese substrings, opens the enterprise, switches tabs by clicking, and
// downloads its report; no page shows a full ID number or a hidden record.
func TestSearchSubjectTabsReport(t *testing.T) {
	ctx, f := tab(t)
	navigate(t, ctx, f.base+"/", 200)
	f.checkDOM(t, ctx)

	for _, q := range []string{"鞋铁", "鞋铁荣"} {
		search(t, ctx, q)
		html := f.checkDOM(t, ctx)
		results := text(t, ctx, "ol.results")
		if !strings.Contains(results, f.orgName) || !strings.Contains(results, f.orgCode) {
			t.Errorf("search %q: results %q lack the enterprise", q, results)
		}
		if m := marks(t, ctx); len(m) == 0 || m[0] != q {
			t.Errorf("search %q: highlighted %q", q, m)
		}
		if !strings.Contains(html, `href="/subjects/`+f.orgCode+`"`) {
			t.Errorf("search %q: no link to the enterprise's page", q)
		}
		if v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#q"))); err != nil || v != q {
			t.Errorf("search %q: the box shows %q (%v)", q, v, err)
		}
	}

	// Open the subject from the last results.
	follow(t, ctx, `ol.results a[href="/subjects/`+f.orgCode+`"]`, 200)
	if h1 := text(t, ctx, "main h1"); h1 != f.orgName {
		t.Errorf("subject page heading %q", h1)
	}
	f.checkDOM(t, ctx)
	if cur := text(t, ctx, `nav.tabs a[aria-current="page"]`); !strings.HasPrefix(cur, "基本信息") {
		t.Errorf("first tab %q", cur)
	}

	// Switch tabs by clicking their links.
	for _, tt := range []struct{ key, label, want, not string }{
		{"license", "行政许可", f.orgLicence, f.orgPenalty},
		{"penalty", "行政处罚", f.orgPenalty, f.orgLicence},
	} {
		follow(t, ctx, `nav.tabs a[href$="?tab=`+tt.key+`"]`, 200)
		waitVisible(t, ctx, `nav.tabs a[aria-current="page"][href$="?tab=`+tt.key+`"]`)
		if h2 := text(t, ctx, "#tab-title"); h2 != tt.label {
			t.Errorf("tab %s: heading %q, want %q", tt.key, h2, tt.label)
		}
		sec := text(t, ctx, `section[aria-labelledby="tab-title"]`)
		for _, want := range []string{tt.want, "兰州市市场监督管理局", "公示期", "申请信用修复", "提出异议"} {
			if !strings.Contains(sec, want) {
				t.Errorf("tab %s lacks %q: %s", tt.key, want, sec)
			}
		}
		if strings.Contains(sec, tt.not) {
			t.Errorf("tab %s shows %q of another tab", tt.key, tt.not)
		}
		f.checkDOM(t, ctx)
	}

	// Download the report, as JSON and as PDF.
	j := fetchFromPage(t, ctx, "json")
	if j.Status != 200 || !strings.HasPrefix(j.Type, "application/json") || !strings.Contains(j.Disposition, ".json") {
		t.Fatalf("report.json: %d %q %q %.300s", j.Status, j.Type, j.Disposition, j.Body)
	}
	for _, want := range []string{f.orgName, f.orgCode, f.orgPenalty, f.orgLicence} {
		if !strings.Contains(j.Body, want) {
			t.Errorf("report.json lacks %q", want)
		}
	}
	f.checkClean(t, "report.json", j.Body)
	p := fetchFromPage(t, ctx, "pdf")
	if p.Status != 200 || p.Type != "application/pdf" || !strings.HasPrefix(p.Head, "%PDF-") || p.Size < 1000 || !strings.Contains(p.Disposition, "attachment") {
		t.Fatalf("report.pdf: %d %q %q head %q, %d bytes", p.Status, p.Type, p.Disposition, p.Head, p.Size)
	}
	// The page is untouched by the downloads.
	f.checkDOM(t, ctx)
}

// TestHiddenNeverShown: the withdrawn record's subject shows nothing; the
// natural person is found by the exact ID number only, masked, and neither
// the search page, the person's page, the lists nor the refused report
// carry the full ID number or the name.
func TestHiddenNeverShown(t *testing.T) {
	ctx, f := tab(t)

	// The enterprise whose penalty was withdrawn: public subject, no record.
	navigate(t, ctx, f.base+"/subjects/"+f.withdrawnCode+"?tab=penalty", 200)
	html := f.checkDOM(t, ctx)
	if !strings.Contains(html, "当前没有公示中的信息") {
		t.Errorf("the withdrawn record's subject shows records")
	}

	// Search by a natural person's name finds nothing for the public.
	navigate(t, ctx, f.base+"/", 200)
	search(t, ctx, "张三")
	f.checkDOM(t, ctx)
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("ol.results li").length`)); err != nil || n != 0 {
		t.Errorf("the public finds a natural person by name: %d results (%v)", n, err)
	}

	// The exact ID number finds the person, masked; the box is emptied.
	search(t, ctx, f.personID)
	f.checkDOM(t, ctx)
	masked := xinyong.MaskID(f.personID)
	if res := text(t, ctx, "ol.results"); !strings.Contains(res, "张*明") || !strings.Contains(res, masked) {
		t.Errorf("ID search results %q, want 张*明 and %s", res, masked)
	}
	if v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#q"))); err != nil || v != "" {
		t.Errorf("the search box repeats the ID number: %q (%v)", v, err)
	}
	follow(t, ctx, `ol.results a[href^="/subjects/"]`, 200)
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(loc, f.personID) || strings.Contains(loc, url.QueryEscape(f.personID)) {
		t.Errorf("the person's address carries the ID number: %s", loc)
	}
	f.checkDOM(t, ctx)
	follow(t, ctx, `nav.tabs a[href$="?tab=penalty"]`, 200)
	waitVisible(t, ctx, `nav.tabs a[aria-current="page"][href$="?tab=penalty"]`)
	f.checkDOM(t, ctx)
	if sec := text(t, ctx, `section[aria-labelledby="tab-title"]`); !strings.Contains(sec, f.personPenalty) || !strings.Contains(sec, masked) {
		t.Errorf("the person's penalty tab: %s", sec)
	}
	// A natural person's report is not the public's.
	if r := fetchFromPage(t, ctx, "json"); r.Status < 400 || r.Status >= 500 {
		t.Errorf("the person's report for the public: %d %.300s", r.Status, r.Body)
	} else {
		f.checkClean(t, "the person's refused report", r.Body)
	}

	// The lists: the enterprise and the person (masked), nothing hidden.
	navigate(t, ctx, f.base+"/", 200)
	follow(t, ctx, `main a[href="/lists/penalties"]`, 200)
	waitVisible(t, ctx, `article.record`)
	html = f.checkDOM(t, ctx)
	for _, want := range []string{f.orgPenalty, f.personPenalty, "张*明"} {
		if !strings.Contains(html, want) {
			t.Errorf("penalty list lacks %q", want)
		}
	}
	follow(t, ctx, `main a[href="/lists/licenses"]`, 200)
	waitVisible(t, ctx, `article.record`)
	if html := f.checkDOM(t, ctx); !strings.Contains(html, f.orgLicence) {
		t.Errorf("licence list lacks %q", f.orgLicence)
	}
}

// TestConsoleSignIn: the sign-in form carries a CSRF field; a forged one
// and a wrong password are refused on the form; the right password leads
// to the console.
func TestConsoleSignIn(t *testing.T) {
	ctx, f := tab(t)
	navigate(t, ctx, f.base+"/console/", 200) // redirected to the form
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.HasSuffix(loc, "/login") {
		t.Fatalf("the console without a session: at %s (%v)", loc, err)
	}
	csrf := func() string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('form[action="/login"] input[type="hidden"][name="csrf"]').value`))
		if err != nil {
			t.Fatalf("csrf field: %v", err)
		}
		return v
	}
	fill := func(user, password string) {
		t.Helper()
		if err := chromedp.Do(ctx,
			chromedp.WaitVisible(chromedp.CSS("#username")),
			chromedp.Clear(chromedp.CSS("#username")),
			chromedp.SendKeys(chromedp.CSS("#username"), user),
			chromedp.SendKeys(chromedp.CSS("#password"), password),
		); err != nil {
			t.Fatalf("fill the form: %v", err)
		}
	}
	submit := `form[action="/login"] button[type="submit"]`
	first := csrf()
	if len(first) < 16 {
		t.Fatalf("csrf field %q", first)
	}

	// A forged form token is refused, with a fresh form.
	fill(f.user, f.password)
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(`input[name="csrf"]`), "forged")); err != nil {
		t.Fatal(err)
	}
	follow(t, ctx, submit, 403)
	if msg := text(t, ctx, `p.error[role="alert"]`); !strings.Contains(msg, "登录表单已过期") {
		t.Errorf("forged token: %q", msg)
	}
	if c := csrf(); c == "" || c == first || c == "forged" {
		t.Errorf("the form after a refusal carries %q", c)
	}

	// A wrong password is refused on the form.
	fill(f.user, "wrong password entirely")
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(submit), chromedp.NodeVisible))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status < 400 || resp.Status >= 500 {
		t.Errorf("wrong password: status %d", resp.Status)
	}
	waitVisible(t, ctx, `p.error[role="alert"]`)
	waitVisible(t, ctx, "#password")
	f.checkDOM(t, ctx)

	// The right one leads to the console.
	fill(f.user, f.password)
	follow(t, ctx, submit, 200)
	waitVisible(t, ctx, `form[action="/logout"] button`)
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.HasSuffix(loc, "/console/") {
		t.Errorf("after sign-in at %s (%v)", loc, err)
	}
	if h1 := text(t, ctx, "main h1"); h1 != "管理后台" {
		t.Errorf("console heading %q", h1)
	}
	if p := text(t, ctx, "main p"); !strings.Contains(p, f.user) || !strings.Contains(p, "admin") {
		t.Errorf("console says %q", p)
	}
	// The session cookie is not readable by the page's script.
	if c, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.cookie`)); err != nil || strings.Contains(c, "session") {
		t.Errorf("document.cookie %q (%v)", c, err)
	}
	// Signing out goes home, and the console asks for sign-in again.
	follow(t, ctx, `form[action="/logout"] button`, 200)
	navigate(t, ctx, f.base+"/console/", 200)
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.HasSuffix(loc, "/login") {
		t.Errorf("after sign-out the console is at %s (%v)", loc, err)
	}
}
