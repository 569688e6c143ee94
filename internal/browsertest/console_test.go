package browsertest

import (
	"bytes"
	"context"
	"encoding/base64"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The console in a browser (issues 6 and 8): the admin invites two
// officers of two departments through the admin forms; officer A proposes
// a listing from its department's record, sends the notice, records the
// objection and the answer, is refused a decision missing parts (the
// message names them), decides and lists, and opens the decision document
// as HTML and as PDF (its text read back with pdftotext); officer B sees
// none of A's queue or listing; neither officer can open the admin console.

// person is a signed-in browser context of its own (cookies not shared).
func person(t *testing.T, f *fixture, user, password string) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelT()
		cancel()
	})
	navigate(t, ctx, f.base+"/login", 200)
	if err := chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), user),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
	); err != nil {
		t.Fatalf("fill the sign-in form: %v", err)
	}
	follow(t, ctx, `form[action="/login"] button[type="submit"]`, 200)
	waitVisible(t, ctx, `nav.console-nav`)
	return ctx
}

// set fills form fields: selector → value.
func set(t *testing.T, ctx context.Context, fields ...string) {
	t.Helper()
	for i := 0; i+1 < len(fields); i += 2 {
		if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(fields[i]), fields[i+1])); err != nil {
			t.Fatalf("set %s: %v", fields[i], err)
		}
	}
}

func click(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)); err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
}

// fetchBytes fetches a URL in the page (with its session) and returns the body.
func fetchBytes(t *testing.T, ctx context.Context, path string) []byte {
	t.Helper()
	js := `fetch(` + "`" + path + "`" + `, {credentials: "same-origin"}).then(r => { if (!r.ok) throw new Error("status " + r.status); return r.arrayBuffer(); }).then(b => {
		const u = new Uint8Array(b); let s = "";
		for (let i = 0; i < u.length; i += 8192) s += String.fromCharCode.apply(null, u.subarray(i, i + 8192));
		return btoa(s);
	})`
	b64, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("fetch %s: %v", path, err)
	}
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestConsoleFlows(t *testing.T) {
	_, f := tab(t) // starts the browser and the platform
	deptA, err := uscc("11620100MB0001AA")
	if err != nil {
		t.Fatal(err)
	}
	deptB, err := uscc("11620100MB0002BB")
	if err != nil {
		t.Fatal(err)
	}

	// The admin: a second department and two officers, each shown a
	// one-time password once.
	adm := person(t, f, f.user, f.password)
	navigate(t, adm, f.base+"/console/admin/departments", 200)
	set(t, adm, `#dept-form input[name="code"]`, deptB, `#dept-form input[name="name"]`, "兰州市税务局", `#dept-form input[name="provides"]`, "XZCF")
	follow(t, adm, `#dept-form button[type="submit"]`, 200)
	if msg := text(t, adm, `p.done`); !strings.Contains(msg, "已创建") {
		t.Errorf("department: %q", msg)
	}
	// A bad department code: refused with the rule's message, the form filled again.
	set(t, adm, `#dept-form input[name="code"]`, "91620100MA74QX3K00", `#dept-form input[name="name"]`, "错误代码")
	follow(t, adm, `#dept-form button[type="submit"]`, 400)
	if msg := text(t, adm, `ul.field-errors`); !strings.Contains(msg, "department code") {
		t.Errorf("bad code message: %q", msg)
	}
	invite := func(user, dept string) string {
		t.Helper()
		navigate(t, adm, f.base+"/console/admin/accounts", 200)
		set(t, adm, `#account-form input[name="username"]`, user, `#account-form select[name="role"]`, "officer", `#account-form select[name="department"]`, dept)
		follow(t, adm, `#account-form button[type="submit"]`, 200)
		return text(t, adm, `#one-time-secret`)
	}
	pwA, pwB := invite("ofc-a", deptA), invite("ofc-b", deptB)
	if pwA == "" || pwB == "" || pwA == pwB {
		t.Fatalf("one-time passwords %d %d", len(pwA), len(pwB))
	}
	navigate(t, adm, f.base+"/console/admin/accounts", 200)
	if html := dom(t, adm); strings.Contains(html, pwA) || strings.Contains(html, pwB) {
		t.Error("a one-time password is shown again")
	}

	// Officer A proposes a listing from its department's record.
	a := person(t, f, "ofc-a", pwA)
	navigate(t, a, f.base+"/console/admin/", 403)
	navigate(t, a, f.base+"/console/listings", 200)
	follow(t, a, `#propose-link`, 200)
	set(t, a, `#find-subject input[name="subject"]`, f.orgCode)
	follow(t, a, `#find-subject button[type="submit"]`, 200)
	f.checkDOM(t, a)
	click(t, a, `#propose-form input[name="record_ids"]`)
	set(t, a, `#propose-form select[name="list_type"]`, "SAMR_SERIOUS",
		`#propose-form textarea[name="reasons"]`, "一年内三次虚假宣传受较重处罚",
		`#propose-form textarea[name="basis"]`, "《市场监督管理严重违法失信名单管理办法》第二条")
	follow(t, a, `#propose-form button[type="submit"]`, 200)
	loc, err := chromedp.Run(a, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	listing := strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], f.base)
	if !strings.HasPrefix(listing, "/console/listings/") {
		t.Fatalf("after proposing at %s", loc)
	}
	// Notice, objection, answer.
	follow(t, a, `#form-notify button[type="submit"]`, 200)
	set(t, a, `#form-object textarea[name="statement"]`, "罚款已缴清", `#form-object textarea[name="evidence"]`, "缴款凭证")
	follow(t, a, `#form-object button[type="submit"]`, 200)
	set(t, a, `#form-verify textarea[name="answer"]`, "经核实，异议不成立")
	follow(t, a, `#form-verify button[type="submit"]`, 200)
	// A decision without its remedies: refused, the parts named.
	set(t, a, `#form-decide input[name="number"]`, "兰市监认〔2026〕9号",
		`#form-decide textarea[name="reason"]`, "一年内三次虚假宣传受较重处罚",
		`#form-decide textarea[name="basis"]`, "《市场监督管理严重违法失信名单管理办法》第二条",
		`#form-decide textarea[name="removal_conditions"]`, "列入满一年，已履行处罚",
		`#form-decide textarea[name="removal_procedure"]`, "向作出决定的部门申请信用修复，免费")
	click(t, a, `#form-decide input[name="measures"]`)
	follow(t, a, `#form-decide button[type="submit"]`, 400)
	msg := text(t, a, `ul.field-errors`)
	for _, part := range []string{"remedies.reconsideration", "remedies.litigation"} {
		if !strings.Contains(msg, part) {
			t.Errorf("the refusal does not name %s: %q", part, msg)
		}
	}
	// The form kept what was typed; add the remedies.
	set(t, a, `#form-decide textarea[name="reconsideration"]`, "可在六十日内申请行政复议", `#form-decide textarea[name="litigation"]`, "可在六个月内提起行政诉讼")
	follow(t, a, `#form-decide button[type="submit"]`, 200)
	follow(t, a, `#form-list button[type="submit"]`, 200)
	if s := text(t, a, `p.done`); !strings.Contains(s, "已列入名单") {
		t.Errorf("after listing: %q", s)
	}
	follow(t, a, `a[href="`+listing+`/decision"]`, 200)
	doc := text(t, a, `#document`)
	for _, part := range []string{"严重失信主体名单认定决定书", "兰市监认〔2026〕9号", "认定理由", "认定依据", "失信惩戒措施", "移出条件", "移出程序", "救济途径", "行政复议", "行政诉讼"} {
		if !strings.Contains(doc, part) {
			t.Errorf("the decision page lacks %q", part)
		}
	}
	pdf := fetchBytes(t, a, strings.Replace(listing, "/console/listings/", "/api/v1/listings/", 1)+"/decision.pdf")
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatal("decision.pdf is not a PDF")
	}
	if exe, err := exec.LookPath("pdftotext"); err == nil {
		cmd := exec.Command(exe, "-enc", "UTF-8", "-", "-")
		cmd.Stdin = bytes.NewReader(pdf)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		txt := strings.NewReplacer("\n", "", "\f", "").Replace(string(out))
		for _, part := range []string{"严重失信主体名单认定决定书", "兰市监认〔2026〕9号", "认定理由", "失信惩戒措施", "移出程序", "行政复议", "行政诉讼"} {
			if !strings.Contains(txt, part) {
				t.Errorf("decision.pdf text lacks %q", part)
			}
		}
	}
	navigate(t, a, f.base+"/console/listings", 200)
	if html := f.checkDOM(t, a); !strings.Contains(html, listing) {
		t.Error("officer A's queue lacks its listing")
	}

	// Officer B: an empty queue, A's listing not found, no admin console.
	b := person(t, f, "ofc-b", pwB)
	navigate(t, b, f.base+"/console/listings", 200)
	if html := dom(t, b); strings.Contains(html, listing) || strings.Contains(html, f.orgName) {
		t.Error("officer B's queue shows department A's listing")
	}
	navigate(t, b, f.base+listing, 404)
	navigate(t, b, f.base+listing+"/decision", 404)
	navigate(t, b, f.base+"/console/admin/accounts", 403)
	if s := text(t, b, `p.error[role="alert"]`); !strings.Contains(s, "平台管理员") {
		t.Errorf("403 page says %q", s)
	}
	// The admin sees the listing (read only: no step forms).
	navigate(t, adm, f.base+listing, 200)
	if html := dom(t, adm); strings.Contains(html, `id="form-remove"`) {
		t.Error("the admin is offered the officer's forms")
	}
}
