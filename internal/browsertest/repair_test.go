package browsertest

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"xinyong"
	"xinyong/internal/server"
	"xinyong/internal/workflow"
)

// TestRepairEndToEnd (issue 7): in Chromium, a subject signs in, opens its
// record on the portal, follows "申请信用修复" to the form with the
// eligibility answer, applies with its commitment and a PDF; the department
// signs in to the console, accepts and approves; the record leaves the
// public page; and a webhook receiver on 127.0.0.1 gets record.repaired and
// repair.decided, correctly signed (Standard Webhooks). Delivery is driven
// by calling the deliverer; the wait for the receiver is bounded, no sleeps.
func TestRepairEndToEnd(t *testing.T) {
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
	number := "兰市监罚〔2026〕801号"
	officer := xinyong.Actor{Kind: "system", ID: "seed", Role: xinyong.RoleAdmin}
	decided := xinyong.DateOf(time.Now()).AddDays(-200) // the minimum period (3 months) has run
	res, err := svc.SubmitRecord(bg, officer, d.ID, xinyong.RecordInput{
		Item: "XZCF", SubjectCode: orgCode, SubjectName: "兰州修复商贸有限公司",
		Document: xinyong.Document{Type: xinyong.DocPenaltyDecision, Number: number, Authority: "兰州市市场监督管理局", DecisionDate: decided},
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

	// The receiver: another system subscribed to the repair events.
	got := make(chan string, 8)
	var secret string
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := xinyong.VerifyWebhook(secret, r.Header, body, time.Now(), 5*time.Minute); err != nil {
			t.Errorf("webhook signature: %v", err)
			w.WriteHeader(400)
			return
		}
		got <- r.Header.Get("webhook-id") + " " + string(body)
		w.WriteHeader(204)
	}))
	defer recv.Close()
	sub, err := svc.CreateSubscription(bg, xinyong.System, workflow.SubscriptionInput{URL: recv.URL + "/hooks", Events: []string{xinyong.EventRecordRepaired, xinyong.EventRepairDecided}})
	if err != nil {
		t.Fatal(err)
	}
	secret = sub.Secret

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

	// The subject applies from its record on the portal.
	signIn("qiye")
	navigate(t, ctx, base+"/subjects/"+orgCode+"?tab=penalty", 200)
	if !strings.Contains(dom(t, ctx), number) {
		t.Fatal("the record is not on the public page before repair")
	}
	follow(t, ctx, `a[href="/repairs/new?record=`+recID+`"]`, 200)
	if h := text(t, ctx, "#elig-title"); !strings.Contains(h, "符合申请条件") {
		t.Fatalf("eligibility: %q", h)
	}
	if cm := text(t, ctx, "pre.commitment"); !strings.Contains(cm, number) || !strings.Contains(cm, "不收取任何费用") {
		t.Errorf("commitment: %q", cm)
	}
	pdf := filepath.Join(dir, "缴款收据.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#r-name"), "张三"),
		chromedp.SendKeys(chromedp.CSS("#r-contact"), "13800000000"),
		chromedp.SendKeys(chromedp.CSS("#r-correction"), "罚款已全额缴纳，虚假广告已撤下"),
		chromedp.Click(chromedp.CSS("#r-obl")),
		chromedp.Click(chromedp.CSS("#r-cm")),
		chromedp.SetUploadFiles(chromedp.CSS("#r-proof"), []string{pdf}),
	); err != nil {
		t.Fatal(err)
	}
	follow(t, ctx, "#r-submit", 201)
	code := strings.TrimSpace(text(t, ctx, "#progress-code"))
	if !xinyong.ValidProgressCode(code) {
		t.Fatalf("progress code %q", code)
	}
	follow(t, ctx, `a[href="/repairs/progress?code=`+code+`"]`, 200)
	if st := text(t, ctx, "#progress-state"); !strings.Contains(st, "待受理") {
		t.Errorf("progress: %q", st)
	}
	follow(t, ctx, `form[action="/logout"] button`, 200)

	// The department accepts and approves in the console.
	signIn("samr")
	navigate(t, ctx, base+"/console/repairs", 200)
	follow(t, ctx, "#repair-queue a", 200)
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#a-note"), "材料齐全")); err != nil {
		t.Fatal(err)
	}
	follow(t, ctx, "#a-submit", 200)
	if st := text(t, ctx, "#repair-state"); !strings.Contains(st, "已受理") {
		t.Fatalf("after acceptance: %q", st)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#d-approve")),
		chromedp.SendKeys(chromedp.CSS("#d-reasons"), "已纠正失信行为、履行法定义务并作出信用承诺，准予修复"),
	); err != nil {
		t.Fatal(err)
	}
	follow(t, ctx, "#d-submit", 200)
	if st := text(t, ctx, "#repair-state"); !strings.Contains(st, "准予修复") {
		t.Fatalf("after decision: %q", st)
	}
	follow(t, ctx, `form[action="/logout"] button`, 200)

	// The record left the public page.
	navigate(t, ctx, base+"/subjects/"+orgCode+"?tab=penalty", 200)
	if strings.Contains(dom(t, ctx), number) {
		t.Error("the repaired record is still on the public page")
	}

	// The receiver gets both events, signed.
	if _, err := svc.DeliverWebhooks(bg, time.Now()); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	timeout := time.After(15 * time.Second)
	for len(seen) < 2 {
		select {
		case m := <-got:
			for _, typ := range []string{xinyong.EventRecordRepaired, xinyong.EventRepairDecided} {
				if strings.Contains(m, `"type":"`+typ+`"`) {
					seen[typ] = true
					if !strings.Contains(m, number) {
						t.Errorf("%s does not name the decision number: %s", typ, m)
					}
				}
			}
		case <-timeout:
			t.Fatalf("the receiver got %v only", seen)
		}
	}
}
