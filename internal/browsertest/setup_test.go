// Package browsertest drives the public portal and the console in a real
// browser (Debian Chromium through chromedp): search, a subject's tabs, the
// credit report, and sign-in; and checks that no full citizen ID number and
// no hidden record ever reaches the DOM.
package browsertest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"xinyong"
	"xinyong/internal/app"
	"xinyong/internal/config"
	"xinyong/internal/refdata"
	"xinyong/internal/server"
	"xinyong/internal/workflow"
)

// fixture is a platform on a SQLite store filled through the workflow,
// served on 127.0.0.1.
type fixture struct {
	base string // http://127.0.0.1:PORT

	orgCode, orgName       string // an enterprise with a published penalty and a licence
	orgPenalty, orgLicence string // their decision numbers
	withdrawnCode          string // an enterprise whose only penalty was withdrawn
	withdrawnPenalty       string
	personID, personName   string // a natural person with a published penalty
	personPenalty          string
	user, password         string // a console account
	userName               string

	// hidden: what no public page may carry (decision numbers of hidden
	// records, a natural person's full name and ID number).
	hidden []string
}

var (
	setupOnce sync.Once
	shared    *fixture
	setupErr  error
	cleanups  []func()

	browserOnce sync.Once
	browserCtx  context.Context
	browserErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	os.Exit(code)
}

// chromiumPath finds the browser: $XINYONG_CHROMIUM, /usr/bin/chromium, or
// chromium on PATH.
func chromiumPath() string {
	if p := os.Getenv("XINYONG_CHROMIUM"); p != "" {
		return p
	}
	if st, err := os.Stat("/usr/bin/chromium"); err == nil && !st.IsDir() {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// tab returns a new browser tab (the browser starts once for the package)
// and the shared fixture; it skips when there is no Chromium, unless
// XINYONG_REQUIRE_ALL=1.
func tab(t *testing.T) (context.Context, *fixture) {
	t.Helper()
	exe := chromiumPath()
	if exe == "" {
		msg := "browser tests skipped: install chromium (apt-get install -y chromium) or set XINYONG_CHROMIUM"
		if os.Getenv("XINYONG_REQUIRE_ALL") == "1" {
			t.Fatal(msg + " (XINYONG_REQUIRE_ALL=1)")
		}
		t.Skip(msg)
	}
	f := platform(t)
	browserOnce.Do(func() {
		dir, err := os.MkdirTemp("", "xinyong-chromium-")
		if err != nil {
			browserErr = err
			return
		}
		actx, acancel := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(exe),
			chromedp.NoSandbox,
			chromedp.Headless,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.NoDefaultBrowserCheck,
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-quic", true),
			chromedp.UserDataDir(dir),
			// Chromium's own scratch directories (org.chromium.Chromium.*)
			// go inside dir too, and are removed with it.
			chromedp.Env("TMPDIR="+dir),
			chromedp.WindowSize(1280, 900),
		)
		bctx, bcancel := chromedp.NewContext(actx)
		cleanups = append(cleanups, func() {
			bcancel()
			acancel()
			os.RemoveAll(dir)
		})
		// Start the browser now, so that a broken installation fails here.
		browserErr = chromedp.Do(bctx)
		browserCtx = bctx
	})
	if browserErr != nil {
		t.Fatalf("start Chromium (%s): %v", exe, browserErr)
	}
	ctx, cancel := chromedp.NewContext(browserCtx)
	ctx, cancelT := context.WithTimeout(ctx, 20*time.Second)
	t.Cleanup(func() {
		cancelT()
		cancel()
	})
	return ctx, f
}

// platform opens, fills and serves the store once for the package.
func platform(t *testing.T) *fixture {
	t.Helper()
	setupOnce.Do(func() { shared, setupErr = newFixture() })
	if setupErr != nil {
		t.Fatalf("set up the platform: %v", setupErr)
	}
	return shared
}

// uscc returns a valid unified social credit code from its first 16
// characters, computing both check characters.
func uscc(prefix16 string) (string, error) {
	oc, err := xinyong.OrgCodeCheckChar(prefix16[8:16])
	if err != nil {
		return "", err
	}
	first17 := prefix16 + string(oc)
	cc, err := xinyong.USCCCheckChar(first17)
	if err != nil {
		return "", err
	}
	code := first17 + string(cc)
	_, err = xinyong.ParseUSCC(code)
	return code, err
}

// citizenID returns a valid citizen ID number from its first 17 digits.
func citizenID(first17 string) (string, error) {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * weights[i]
	}
	id := first17 + string("10X98765432"[sum%11])
	_, err := xinyong.ParseCitizenID(id)
	return id, err
}

func newFixture() (f *fixture, err error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "xinyong-browsertest-")
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() { os.RemoveAll(dir) })
	cfg := config.Config{DB: "sqlite:" + filepath.Join(dir, "x.db"), KeyDir: filepath.Join(dir, "keys"), Origin: "test.xinyong/ledger", LogFormat: "json", LogLevel: "error"}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	a, err := app.Open(ctx, cfg, log, app.Options{Migrate: true})
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() { a.Close() })
	set, err := refdata.Load()
	if err != nil {
		return nil, err
	}
	svc := a.Service
	if _, err := svc.Bootstrap(ctx, set); err != nil {
		return nil, err
	}

	// Valid codes, computed.
	var codes [6]string
	for i, p := range []string{"11620100MB0001AA", "11620100MB000001", "91620100MA74QX3K", "91620100MA74QX5M"} {
		if codes[i], err = uscc(p); err != nil {
			return nil, err
		}
	}
	if codes[4], err = citizenID("62010219850312123"); err != nil {
		return nil, err
	}
	if codes[5], err = citizenID("62010220100520123"); err != nil {
		return nil, err
	}
	deptCode, authCode := codes[0], codes[1]
	f = &fixture{
		orgCode: codes[2], orgName: "兰州鞋铁荣智商贸有限公司",
		orgPenalty: "兰市监罚〔2026〕101号", orgLicence: "兰市监许〔2026〕7号",
		withdrawnCode: codes[3], withdrawnPenalty: "白市监罚〔2026〕9号",
		personID: codes[4], personName: "张三明", personPenalty: "兰市监罚〔2026〕202号",
		user: "gsxyb", password: "correct horse battery staple", userName: "省信用办 管理员",
	}
	minorID, minorName, minorPenalty := codes[5], "李小明", "兰市监罚〔2026〕303号"
	f.hidden = []string{f.withdrawnPenalty, f.personName, minorName, "李*明", minorPenalty}

	d, err := svc.CreateDepartment(ctx, xinyong.System, workflow.DepartmentInput{Code: deptCode, Name: "兰州市市场监督管理局", Provides: []string{"XZCF", "XZXK"}})
	if err != nil {
		return nil, err
	}
	_, secret, err := svc.CreateToken(ctx, xinyong.System, workflow.TokenInput{Name: "officer browser", Role: "officer", Department: d.Code})
	if err != nil {
		return nil, err
	}
	officer, err := svc.TokenActor(ctx, secret)
	if err != nil {
		return nil, err
	}
	if _, _, err := svc.CreateAccount(ctx, xinyong.System, workflow.AccountInput{Username: f.user, Name: f.userName, Role: "admin", Password: f.password}); err != nil {
		return nil, err
	}

	today := xinyong.DateOf(time.Now())
	recent := today.AddDays(-30)
	submit := func(in xinyong.RecordInput) (xinyong.Record, error) {
		res, err := svc.SubmitRecord(ctx, officer, "", in)
		if err != nil {
			return xinyong.Record{}, errors.Join(errors.New("submit "+in.Document.Number), err)
		}
		return res.Record, nil
	}
	penalty := func(code, name, number string) xinyong.RecordInput {
		return xinyong.RecordInput{
			Item: "XZCF", SubjectCode: code, SubjectName: name,
			Document: xinyong.Document{Type: xinyong.DocPenaltyDecision, Number: number, Authority: "兰州市市场监督管理局", DecisionDate: recent},
			Fields: map[string]string{
				"CF_XDR_MC": name, "CF_XDR_LB": "法人及非法人组织", "CF_WFXW": "虚假宣传", "CF_SY": "发布虚假广告", "CF_YJ": "《广告法》第五十五条",
				"CF_NR": "罚款人民币贰万元", "CF_NR_FK": "2", "CF_CFJGDM": authCode, "CF_SJLY": "兰州市市场监督管理局", "CF_SJLYDM": authCode,
			},
			Severity: "general", Categories: []string{"罚款"},
		}
	}
	person := func(in *xinyong.RecordInput, id string) {
		in.Fields["CF_XDR_LB"] = "自然人"
		in.Fields["CF_XDR_ZJHM"] = id
		in.Fields["CF_SY"] = in.SubjectName + "（身份证号 " + id + "）无证经营"
	}

	// The enterprise: a penalty in its window and an open-ended licence.
	if _, err := submit(penalty(f.orgCode, f.orgName, f.orgPenalty)); err != nil {
		return nil, err
	}
	if _, err := submit(xinyong.RecordInput{Item: "XZXK", SubjectCode: f.orgCode, SubjectName: f.orgName,
		Document: xinyong.Document{Type: xinyong.DocLicenseDecision, Number: f.orgLicence, Authority: "兰州市市场监督管理局", DecisionDate: today.AddDays(-10)},
		Fields: map[string]string{"XK_XDR_MC": f.orgName, "XK_XDR_LB": "法人及非法人组织", "XK_XKWS": "食品经营许可证", "XK_XKLB": "普通", "XK_NR": "食品销售",
			"XK_YXQZ": today.AddDays(-10).String(), "XK_YXQZI": today.AddDays(1800).String(), "XK_XKJGDM": d.Code, "XK_LYDW": d.Name, "XK_LYDWDM": d.Code}}); err != nil {
		return nil, err
	}
	// A withdrawn penalty: publication ends at once.
	wd, err := submit(penalty(f.withdrawnCode, "白银撤回商贸有限公司", f.withdrawnPenalty))
	if err != nil {
		return nil, err
	}
	if _, err := svc.Withdraw(ctx, officer, wd.ID, "revoked", "复议撤销"); err != nil {
		return nil, err
	}
	// An adult natural person with a published penalty: public, masked.
	in := penalty(f.personID, f.personName, f.personPenalty)
	person(&in, f.personID)
	if _, err := submit(in); err != nil {
		return nil, err
	}
	// A minor: never public.
	in = penalty(minorID, minorName, minorPenalty)
	person(&in, minorID)
	in.Leniency = xinyong.Leniency{Minor: true, Reason: "未成年人，从轻处罚"}
	if _, err := submit(in); err != nil {
		return nil, err
	}

	srv := server.New(svc, log)
	srv.UploadDir = filepath.Join(dir, "uploads")
	if err := srv.Start(ctx); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Stop()
		return nil, err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	cleanups = append(cleanups, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
		srv.Stop()
	})
	f.base = "http://" + ln.Addr().String()
	return f, nil
}

// fullID finds candidate 18-character citizen ID numbers.
var fullID = regexp.MustCompile(`[1-8][0-9]{16}[0-9Xx]`)

// dom returns the document's HTML as the browser holds it.
func dom(t *testing.T, ctx context.Context) string {
	t.Helper()
	html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	if err != nil {
		t.Fatalf("read the DOM: %v", err)
	}
	return html
}

// checkClean fails on any full citizen ID number or hidden text in s.
func (f *fixture) checkClean(t *testing.T, where, s string) {
	t.Helper()
	for _, h := range f.hidden {
		if strings.Contains(s, h) {
			t.Errorf("%s shows %q, which the public must never see", where, h)
		}
	}
	for _, m := range fullID.FindAllString(s, -1) {
		if _, err := xinyong.ParseCitizenID(m); err == nil {
			t.Errorf("%s shows a full citizen ID number %s", where, m)
		}
	}
}

// checkDOM reads the current page's DOM, checks it is clean and returns it.
func (f *fixture) checkDOM(t *testing.T, ctx context.Context) string {
	t.Helper()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatalf("location: %v", err)
	}
	html := dom(t, ctx)
	f.checkClean(t, loc, html)
	return html
}

// ownPlatform is a fresh platform of one's own (for tests that change
// state the shared fixture's other tests read): migrated, with the
// national reference data and one market-regulation department providing
// XZCF (兰州市市场监督管理局, code returned). It is closed when t ends.
func ownPlatform(t *testing.T) (a *app.App, log *slog.Logger, dept xinyong.Department) {
	t.Helper()
	bg := context.Background()
	dir := t.TempDir()
	cfg := config.Config{DB: "sqlite:" + filepath.Join(dir, "x.db"), KeyDir: filepath.Join(dir, "keys"), Origin: "test.xinyong/ledger", LogFormat: "json", LogLevel: "error"}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	a, err := app.Open(bg, cfg, log, app.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	set, err := refdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Service.Bootstrap(bg, set); err != nil {
		t.Fatal(err)
	}
	deptCode, err := uscc("11620100MB0001AA")
	if err != nil {
		t.Fatal(err)
	}
	dept, err = a.Service.CreateDepartment(bg, xinyong.System, workflow.DepartmentInput{Code: deptCode, Name: "兰州市市场监督管理局", Provides: []string{"XZCF"}})
	if err != nil {
		t.Fatal(err)
	}
	return a, log, dept
}
