package browsertest

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"xinyong"
	"xinyong/internal/server"
	"xinyong/internal/workflow"
)

// TestObjectionEndToEnd (issue 7, 异议): in Chromium, a subject signs in,
// follows "提出异议" from its record on the portal, ticks the disputed field,
// states its reasons and files; it gets the objection number and the answer
// deadline; the public page shows the record marked 异议处理中; the
// department's officer answers "corrected" in the console with the
// corrected amount; the subject sees the outcome on its objection page; the
// public page shows the corrected value and no longer the mark.
func TestObjectionEndToEnd(t *testing.T) {
	tab(t)                                                                           // skips without Chromium; starts the shared browser
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext()) // cookies of its own
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	defer cancelT()

	bg := context.Background()
	a, log, d := ownPlatform(t)
	dir := t.TempDir()
	svc := a.Service
	deptCode := d.Code
	orgCode, _ := uscc("91620100MA74QX3K")
	number := "兰市监罚〔2026〕901号"
	seed := xinyong.Actor{Kind: "system", ID: "seed", Role: xinyong.RoleAdmin}
	res, err := svc.SubmitRecord(bg, seed, d.ID, xinyong.RecordInput{
		Item: "XZCF", SubjectCode: orgCode, SubjectName: "兰州异议商贸有限公司",
		Document: xinyong.Document{Type: xinyong.DocPenaltyDecision, Number: number, Authority: "兰州市市场监督管理局", DecisionDate: xinyong.DateOf(time.Now()).AddDays(-30)},
		Fields: map[string]string{"CF_XDR_LB": "法人及非法人组织", "CF_WFXW": "虚假宣传", "CF_SY": "发布虚假广告", "CF_YJ": "《广告法》第五十五条",
			"CF_NR": "罚款人民币贰万元", "CF_NR_FK": "2", "CF_CFJGDM": deptCode, "CF_SJLY": "兰州市市场监督管理局", "CF_SJLYDM": deptCode},
		Severity: "general", Categories: []string{"罚款"},
	})
	if err != nil {
		t.Fatal(err)
	}
	recID := res.Record.ID
	const pw = "correct horse battery staple"
	for _, in := range []workflow.AccountInput{
		{Username: "qiye", Name: "企业经办人", Role: "subject", SubjectCode: orgCode, Password: pw},
		{Username: "samr", Name: "市场监管局 经办人", Role: "officer", Department: d.Code, Password: pw},
	} {
		if _, _, err := svc.CreateAccount(bg, xinyong.System, in); err != nil {
			t.Fatal(err)
		}
	}

	srv := server.New(svc, log)
	srv.UploadDir = filepath.Join(dir, "uploads")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	base := "http://" + ln.Addr().String()
	publicPage := base + "/subjects/" + orgCode + "?tab=penalty"

	signIn := func(user string) {
		t.Helper()
		navigate(t, ctx, base+"/login", 200)
		if err := chromedp.Do(ctx,
			chromedp.WaitVisible(chromedp.CSS("#username")),
			chromedp.SendKeys(chromedp.CSS("#username"), user),
			chromedp.SendKeys(chromedp.CSS("#password"), pw),
		); err != nil {
			t.Fatal(err)
		}
		follow(t, ctx, `form[action="/login"] button[type="submit"]`, 200)
		waitVisible(t, ctx, `form[action="/logout"] button`)
	}
	signOut := func() {
		t.Helper()
		follow(t, ctx, `form[action="/logout"] button`, 200)
	}

	// Before: no mark.
	navigate(t, ctx, publicPage, 200)
	if html := dom(t, ctx); !strings.Contains(html, number) || strings.Contains(html, xinyong.MarkInDispute) {
		t.Fatal("before the objection: the record is missing or already marked")
	}

	// The subject objects from its record.
	signIn("qiye")
	navigate(t, ctx, publicPage, 200)
	follow(t, ctx, `a[href="/objections/new?record=`+recID+`"]`, 200)
	if h := text(t, ctx, "#objection-target"); !strings.Contains(h, number) {
		t.Fatalf("the form does not show the record: %q", h)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#f-CF_NR_FK")),
		chromedp.SendKeys(chromedp.CSS("#o-reasons"), "罚款金额登记有误，决定书载明为五千元"),
		chromedp.SendKeys(chromedp.CSS("#o-evidence"), "行政处罚决定书原件第二页"),
	); err != nil {
		t.Fatal(err)
	}
	follow(t, ctx, "#o-submit", 201)
	id := strings.TrimSpace(text(t, ctx, "#objection-id"))
	if len(id) != 36 {
		t.Fatalf("objection number %q", id)
	}
	if dl := text(t, ctx, "#objection-deadline"); !strings.Contains(dl, "个工作日") || !strings.Contains(dl, "-") {
		t.Errorf("deadline: %q", dl)
	}
	signOut()

	// The public page shows the mark at once.
	navigate(t, ctx, publicPage, 200)
	if !strings.Contains(dom(t, ctx), xinyong.MarkInDispute) {
		t.Fatal("the public page does not show 异议处理中 after the objection")
	}

	// The department's officer corrects the amount in the console.
	signIn("samr")
	navigate(t, ctx, base+"/console/", 200)
	follow(t, ctx, `nav.console-nav a[href="/console/objections"]`, 200)
	follow(t, ctx, `#objection-queue a[href="/console/objections/`+id+`"]`, 200)
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#rs-corrected")),
		chromedp.SendKeys(chromedp.CSS("#rs-reasons"), "经核实，罚款金额登记有误，予以更正"),
		chromedp.SendKeys(chromedp.CSS("#corr-CF_NR_FK"), "0.5"),
	); err != nil {
		t.Fatal(err)
	}
	follow(t, ctx, "#rs-submit", 200)
	if st := text(t, ctx, "#objection-state"); !strings.Contains(st, "异议已办结") {
		t.Fatalf("after the answer: %q", st)
	}
	signOut()

	// The subject is told.
	signIn("qiye")
	navigate(t, ctx, base+"/objections", 200)
	follow(t, ctx, `#objection-list a[href="/objections/`+id+`"]`, 200)
	if out := text(t, ctx, "#objection-outcome"); !strings.Contains(out, "更正") {
		t.Errorf("outcome: %q", out)
	}
	if rs := text(t, ctx, "#objection-res-reasons"); !strings.Contains(rs, "予以更正") {
		t.Errorf("reasons: %q", rs)
	}
	if c := text(t, ctx, "#objection-corrections"); !strings.Contains(c, "0.5") {
		t.Errorf("corrections: %q", c)
	}
	signOut()

	// The public page shows the corrected value, no longer in dispute.
	navigate(t, ctx, publicPage, 200)
	html := dom(t, ctx)
	if !strings.Contains(html, "0.5 万元") || strings.Contains(html, "2 万元") {
		t.Error("the public page does not show the corrected amount")
	}
	if strings.Contains(html, xinyong.MarkInDispute) {
		t.Error("the public page still shows 异议处理中 after the answer")
	}
}
