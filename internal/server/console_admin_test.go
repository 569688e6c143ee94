package server

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// consoleUser is a signed-in console user: its session cookie and the
// session's CSRF token.
type consoleUser struct {
	jar  []*http.Cookie
	csrf string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// consoleSession signs an account in and reads its CSRF token.
func (e *testEnv) consoleSession(t *testing.T, in workflow.AccountInput) consoleUser {
	t.Helper()
	jar := e.signIn(t, in)
	page := e.do(t, req{Path: "/console/", Cookies: jar}).html(t, 200)
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the console carries no CSRF token")
	}
	return consoleUser{jar: jar, csrf: m[1]}
}

// post submits a console form with the session's CSRF token.
func (e *testEnv) post(t *testing.T, u consoleUser, path string, v url.Values) resp {
	t.Helper()
	if v == nil {
		v = url.Values{}
	}
	v.Set("csrf", u.csrf)
	ct, body := form(v)
	return e.do(t, req{Method: "POST", Path: path, Type: ct, Body: body, Cookies: u.jar})
}

// redirected checks a post-redirect-get answer and follows it.
func (e *testEnv) redirected(t *testing.T, u consoleUser, r resp, to string) string {
	t.Helper()
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), to) {
		t.Fatalf("want a redirect to %s, got %s (Location %q)", to, r, r.Header.Get("Location"))
	}
	return e.do(t, req{Path: r.Header.Get("Location"), Cookies: u.jar}).html(t, 200)
}

var oneTimeSecret = regexp.MustCompile(`<code id="one-time-secret">([^<]+)</code>`)

// secretOf returns the one-time secret a page shows.
func secretOf(t *testing.T, page string) string {
	t.Helper()
	m := oneTimeSecret.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the page shows no one-time secret")
	}
	return html.UnescapeString(m[1])
}

// TestConsoleAdminBoundaries: the admin console is the admin's; an officer
// gets the 403 page on every page and every form (nothing changes), the
// public is sent to sign in.
func TestConsoleAdminBoundaries(t *testing.T) {
	e := newEnv(t)
	d := e.dept(t, "11620100MB0001AA", "兰州市市场监督管理局", "XZCF")
	off := e.consoleSession(t, workflow.AccountInput{Username: "officer-a", Role: "officer", Department: d.Code})
	adm := e.consoleSession(t, workflow.AccountInput{Username: "boss", Role: "admin"})
	for _, s := range append([]string{""}, adminSections...) {
		path := "/console/admin/" + s
		if r := e.do(t, req{Path: path}); r.Status != 303 || r.Header.Get("Location") != "/login" {
			t.Errorf("%s without a session: %s", path, r)
		}
		e.do(t, req{Path: path, Cookies: off.jar}).html(t, 403, "无权操作", "平台管理员")
		e.do(t, req{Path: path, Cookies: adm.jar}).html(t, 200, `href="/console/grading"`, `href="/console/admin/accounts"`)
	}
	before := e.ledgerSize(t)
	e.post(t, off, "/console/admin/departments", url.Values{"code": {uscc(t, "11620100MB000999")}, "name": {"冒充部门"}}).html(t, 403)
	e.post(t, off, "/console/admin/accounts", url.Values{"username": {"x"}, "role": {"admin"}}).html(t, 403)
	e.post(t, off, "/console/admin/accounts/boss/reset", nil).html(t, 403)
	e.post(t, off, "/console/admin/tokens", url.Values{"name": {"x"}, "role": {"admin"}}).html(t, 403)
	if e.ledgerSize(t) != before {
		t.Error("an officer's admin form changed something")
	}
	// The console nav: admins see the admin link, officers do not.
	e.do(t, req{Path: "/console/", Cookies: adm.jar}).html(t, 200, `class="console-nav"`, `href="/console/admin/"`)
	if body := e.do(t, req{Path: "/console/", Cookies: off.jar}).html(t, 200, `class="console-nav"`); strings.Contains(body, `href="/console/admin/"`) {
		t.Error("an officer's console links to the admin pages")
	}
	// A form without the session's CSRF token is refused.
	ct, body := form(url.Values{"code": {uscc(t, "11620100MB000999")}, "name": {"x"}})
	e.do(t, req{Method: "POST", Path: "/console/admin/departments", Type: ct, Body: body, Cookies: adm.jar}).html(t, 403, "CSRF")
}

// TestConsoleAdminAccounts: departments, accounts and tokens — create
// (the one-time secret shown once and working), a bad input refused with a
// readable message, disable, reset.
func TestConsoleAdminAccounts(t *testing.T) {
	e := newEnv(t)
	adm := e.consoleSession(t, workflow.AccountInput{Username: "boss", Role: "admin"})

	// Departments.
	code := uscc(t, "11620100MB0003CC")
	page := e.redirected(t, adm, e.post(t, adm, "/console/admin/departments", url.Values{"code": {code}, "name": {"兰州市卫生健康委员会"}, "provides": {"XZCF, 行政许可"}}), "/console/admin/departments?done=created")
	if !strings.Contains(page, "已创建") || !strings.Contains(page, "兰州市卫生健康委员会") || !strings.Contains(page, "XZCF、XZXK") {
		t.Errorf("department not shown: %s", page)
	}
	page = e.post(t, adm, "/console/admin/departments", url.Values{"code": {"91620100MA74QX3K00"}, "name": {""}, "provides": {"没有这一项"}}).html(t, 400, `role="alert"`, "department code", "a department needs a name")
	if !strings.Contains(page, `value="91620100MA74QX3K00"`) {
		t.Error("the refused form is not filled again")
	}
	e.post(t, adm, "/console/admin/departments", url.Values{"code": {code}, "name": {"重复"}}).html(t, 409, "already exists")
	page = e.redirected(t, adm, e.post(t, adm, "/console/admin/departments/"+code+"/disable", url.Values{"disabled": {"1"}}), "/console/admin/departments?done=disabled")
	if row := rowOf(page, "dept-"+code); !strings.Contains(row, "已停用") {
		t.Errorf("department not disabled: %s", row)
	}
	e.redirected(t, adm, e.post(t, adm, "/console/admin/departments/"+code+"/disable", url.Values{"disabled": {"0"}}), "/console/admin/departments?done=enabled")

	// Accounts: invite with a one-time password, which signs in.
	page = e.post(t, adm, "/console/admin/accounts", url.Values{"username": {"wang"}, "name": {"王 经办"}, "role": {"officer"}, "department": {code}}).html(t, 200, "一次性密码", "只显示这一次")
	pw := secretOf(t, page)
	if r := e.postLogin(t, "wang", pw); r.Status != 303 {
		t.Fatalf("the one-time password does not sign in: %s", r)
	}
	if again := e.do(t, req{Path: "/console/admin/accounts", Cookies: adm.jar}).html(t, 200, "wang"); strings.Contains(again, pw) {
		t.Error("the one-time password is shown again")
	}
	if strings.Contains(e.log.String(), pw) {
		t.Error("the one-time password is in the log")
	}
	e.post(t, adm, "/console/admin/accounts", url.Values{"username": {"li"}, "role": {"officer"}}).html(t, 400, "belongs to a department")
	e.post(t, adm, "/console/admin/accounts", url.Values{"username": {"li"}, "role": {"king"}}).html(t, 400, "role must be one of")
	e.post(t, adm, "/console/admin/accounts", url.Values{"username": {"wang"}, "role": {"auditor"}}).html(t, 409, "username wang is taken")
	// Reset: the old password stops working, the new one works.
	page = e.post(t, adm, "/console/admin/accounts/wang/reset", nil).html(t, 200, "一次性密码", "wang")
	pw2 := secretOf(t, page)
	if pw2 == pw {
		t.Fatal("reset gave the same password")
	}
	if r := e.postLogin(t, "wang", pw); r.Status != 401 {
		t.Errorf("the old password still works: %s", r)
	}
	if r := e.postLogin(t, "wang", pw2); r.Status != 303 {
		t.Errorf("the new password does not work: %s", r)
	}
	e.post(t, adm, "/console/admin/accounts/nobody/reset", nil).html(t, 404, "nobody")
	if evs := e.auditEvents(t, xinyong.AuditFilter{Action: workflow.ActAccountReset}); len(evs) != 1 {
		t.Errorf("reset audited %d times", len(evs))
	}
	// Disable: the account cannot sign in; the admin cannot disable itself.
	e.redirected(t, adm, e.post(t, adm, "/console/admin/accounts/wang/disable", url.Values{"disabled": {"1"}}), "/console/admin/accounts?done=disabled")
	if r := e.postLogin(t, "wang", pw2); r.Status != 401 {
		t.Errorf("a disabled account signs in: %s", r)
	}
	e.post(t, adm, "/console/admin/accounts/boss/disable", url.Values{"disabled": {"1"}}).html(t, 400, "your own account")

	// Tokens: the secret once; it works; revoked it does not.
	page = e.post(t, adm, "/console/admin/tokens", url.Values{"name": {"卫健委对接系统"}, "role": {"officer"}, "department": {code}}).html(t, 200, "接口令牌", "卫健委对接系统")
	tok := secretOf(t, page)
	if !strings.HasPrefix(tok, workflow.TokenPrefix) {
		t.Fatalf("token %q", tok[:4])
	}
	if r := e.do(t, req{Path: "/api/v1/listings", Token: tok}); r.Status != 200 {
		t.Fatalf("the new token does not work: %s", r)
	}
	list := e.do(t, req{Path: "/console/admin/tokens", Cookies: adm.jar}).html(t, 200, "卫健委对接系统")
	if strings.Contains(list, tok) {
		t.Error("the token list shows the secret")
	}
	e.post(t, adm, "/console/admin/tokens", url.Values{"name": {""}, "role": {"officer"}}).html(t, 400, "a token needs a name", "belongs to a department")
	ts, _ := e.svc.Tokens(e.ctx, xinyong.System)
	var id string
	for _, k := range ts {
		if k.Name == "卫健委对接系统" {
			id = k.ID
		}
	}
	page = e.redirected(t, adm, e.post(t, adm, "/console/admin/tokens/"+id+"/revoke", nil), "/console/admin/tokens?done=revoked")
	if row := rowOf(page, "token-"+id); !strings.Contains(row, "已吊销") {
		t.Errorf("token not shown revoked: %s", row)
	}
	e.do(t, req{Path: "/api/v1/listings", Token: tok}).problem(t, 401, xinyong.EUNAUTHORIZED)
	// English.
	e.do(t, req{Path: "/console/admin/accounts?lang=en", Cookies: adm.jar}).html(t, 200, `<html lang="en">`, "Invite an account", "Reset password", "Administration")
}

// rowOf returns the table row with the given id.
func rowOf(page, id string) string {
	i := strings.Index(page, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	row := page[i:]
	if j := strings.Index(row, "</tr>"); j >= 0 {
		row = row[:j]
	}
	return row
}

// TestConsoleAdminReference: catalogue items through consultation and
// approval, supplementary measures only with a basis, list types only with
// a basis and in the four fields, calendar overrides.
func TestConsoleAdminReference(t *testing.T) {
	e := newEnv(t)
	adm := e.consoleSession(t, workflow.AccountInput{Username: "boss", Role: "admin"})
	cats, _, err := e.svc.CatalogueItems(e.ctx)
	if err != nil {
		t.Fatal(err)
	}

	// Catalogue: propose, consultation, approval; approval before
	// consultation is refused.
	item := url.Values{"code": {"GS-BC-001"}, "name": {"甘肃省公共资源交易信用信息"}, "category": {cats[0].Code}, "layer": {"provincial"}, "sharing_scope": {"conditional"},
		"disclosure_scope": {"public"}, "legal_basis": {"《甘肃省社会信用条例》第十条"}, "fields": {"GS_MC 名称 text\nGS_RQ 日期 date"}, "status": {"draft"}}
	page := e.redirected(t, adm, e.post(t, adm, "/console/admin/catalogue", item), "/console/admin/catalogue?done=created")
	if row := rowOf(page, "item-GS-BC-001"); !strings.Contains(row, "草案") || !strings.Contains(row, "本省") {
		t.Errorf("proposed item: %s", row)
	}
	e.post(t, adm, "/console/admin/catalogue/GS-BC-001/transition", url.Values{"to": {"approved"}}).html(t, 409, "public consultation")
	e.redirected(t, adm, e.post(t, adm, "/console/admin/catalogue/GS-BC-001/transition", url.Values{"to": {"consultation"}}), "/console/admin/catalogue?done=transitioned")
	page = e.redirected(t, adm, e.post(t, adm, "/console/admin/catalogue/GS-BC-001/transition", url.Values{"to": {"approved"}, "note": {"征求意见期满"}}), "/console/admin/catalogue?done=transitioned")
	if row := rowOf(page, "item-GS-BC-001"); !strings.Contains(row, "已批准") {
		t.Errorf("approved item: %s", row)
	}
	bad := url.Values{"code": {"GS-BC-002"}, "name": {"无依据信息项"}, "category": {cats[0].Code}, "layer": {"provincial"}, "sharing_scope": {"conditional"}, "disclosure_scope": {"public"}, "fields": {"X 名称 colour"}}
	e.post(t, adm, "/console/admin/catalogue", bad).html(t, 400, "field type &#34;colour&#34;")
	bad.Set("fields", "")
	e.post(t, adm, "/console/admin/catalogue", bad).html(t, 400, "without a legal basis")

	// Measures: only with a basis.
	m := url.Values{"code": {"GS-M-001"}, "kind": {"2"}, "item": {"限制享受省级财政补贴"}, "target": {"列入名单的企业"}, "means": {"不予安排"}, "body": {"省财政厅"},
		"list_types": {"SAMR_SERIOUS"}, "layer": {"provincial"}}
	e.post(t, adm, "/console/admin/measures", m).html(t, 400, "过惩相当")
	m.Set("legal_basis", "《甘肃省社会信用条例》第三十条")
	page = e.redirected(t, adm, e.post(t, adm, "/console/admin/measures", m), "/console/admin/measures?done=added")
	if row := rowOf(page, "measure-GS-M-001"); !strings.Contains(row, "限制享受省级财政补贴") || !strings.Contains(row, "SAMR_SERIOUS") {
		t.Errorf("added measure: %s", row)
	}
	e.post(t, adm, "/console/admin/measures", m).html(t, 409, "already on the list")

	// List types: a basis and one of the four fields.
	lt := url.Values{"code": {"GS_SAFETY"}, "name": {"安全生产严重失信主体名单（本省）"}, "field": {"tax"}, "legal_basis": {""}, "remedies": {"行政复议、行政诉讼"}, "period_months": {"36"}}
	page = e.post(t, adm, "/console/admin/list-types", lt).html(t, 400, "four fields", "central-policy basis")
	if !strings.Contains(page, `value="GS_SAFETY"`) {
		t.Error("the refused list type form is not filled again")
	}
	lt.Set("period_months", "three years")
	e.post(t, adm, "/console/admin/list-types", lt).html(t, 400, "whole number")
	lt.Set("field", "health_life")
	lt.Set("legal_basis", "《安全生产法》第七十八条")
	lt.Set("period_months", "36")
	page = e.redirected(t, adm, e.post(t, adm, "/console/admin/list-types", lt), "/console/admin/list-types?done=created")
	if row := rowOf(page, "lt-GS_SAFETY"); !strings.Contains(row, "严重危害人民群众身体健康和生命安全") || !strings.Contains(row, "本省") {
		t.Errorf("created list type: %s", row)
	}
	lt.Set("code", "SAMR_SERIOUS")
	e.post(t, adm, "/console/admin/list-types", lt).html(t, 409, "exists already")

	// Calendar overrides.
	ov := url.Values{"date": {"2027-10-09"}, "kind": {"workday"}, "name": {"国庆调休"}}
	e.post(t, adm, "/console/admin/calendar", ov).html(t, 400, "say why")
	ov.Set("reason", "国办发明电〔2026〕7号")
	page = e.redirected(t, adm, e.post(t, adm, "/console/admin/calendar", ov), "/console/admin/calendar?done=added")
	if row := rowOf(page, "override-2027-10-09"); !strings.Contains(row, "国办发明电〔2026〕7号") {
		t.Errorf("override: %s", row)
	}
	e.do(t, req{Path: "/console/admin/calendar?year=2027", Cookies: adm.jar}).html(t, 200, "2027-10-09", "已更正")
	e.post(t, adm, "/console/admin/calendar", url.Values{"date": {"2027-13-01"}, "kind": {"holiday"}, "reason": {"x"}}).html(t, 400, `role="alert"`)
	page = e.redirected(t, adm, e.post(t, adm, "/console/admin/calendar/2027-10-09/delete", nil), "/console/admin/calendar?done=removed")
	if rowOf(page, "override-2027-10-09") != "" {
		t.Error("the override is still listed")
	}
}

// TestConsoleAdminWebhooks: a subscription with its whsec_ secret shown
// once, a bad URL refused, the dead letters and their replay, disabling.
func TestConsoleAdminWebhooks(t *testing.T) {
	e := newEnv(t, func(s *Server) { s.Delivery.Disabled = true })
	adm := e.consoleSession(t, workflow.AccountInput{Username: "boss", Role: "admin"})
	e.post(t, adm, "/console/admin/webhooks", url.Values{"url": {"ftp://example.gov.cn/x"}, "events": {"record.published"}}).html(t, 400, "webhooks are delivered over http or https only")
	e.post(t, adm, "/console/admin/webhooks", url.Values{"url": {"https://example.gov.cn/hooks"}}).html(t, 400, "at least one event type")
	page := e.post(t, adm, "/console/admin/webhooks", url.Values{"url": {"https://example.gov.cn/hooks"}, "events": {"record.published", "listing.decided"}}).html(t, 200, "签名密钥", "只显示这一次")
	secret := secretOf(t, page)
	if !strings.HasPrefix(secret, xinyong.SecretPrefix) {
		t.Fatal("the secret is not whsec_")
	}
	subs, err := e.svc.Subscriptions(e.ctx, xinyong.System)
	if err != nil || len(subs) != 1 {
		t.Fatalf("subscriptions: %v %v", subs, err)
	}
	sub := subs[0]
	if list := e.do(t, req{Path: "/console/admin/webhooks", Cookies: adm.jar}).html(t, 200, "https://example.gov.cn/hooks", "record.published"); strings.Contains(list, secret) {
		t.Error("the list shows the secret")
	}
	// An event for the subscriber, its delivery parked as a dead letter.
	d := e.dept(t, "11620100MB0001AA", "兰州市市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: off, Body: penaltyInput(t, uscc(t, "91620100MA74QX3K"), "兰州某某商贸有限公司", "兰市监罚〔2026〕1号")}); r.Status != 201 {
		t.Fatalf("submit: %s", r)
	}
	var dl xinyong.Delivery
	err = e.app.Store.Update(e.ctx, func(tx xinyong.Tx) error {
		ds, err := tx.DeliveriesBy(sub.ID, xinyong.DeliveryPending, 10)
		if err != nil || len(ds) != 1 {
			t.Fatalf("pending deliveries: %v %v", ds, err)
		}
		dl = ds[0]
		dl.Status, dl.Attempts, dl.LastStatus, dl.LastError = xinyong.DeliveryDead, 12, 503, "service unavailable"
		return tx.UpdateDelivery(dl)
	})
	if err != nil {
		t.Fatal(err)
	}
	page = e.do(t, req{Path: "/console/admin/webhooks", Cookies: adm.jar}).html(t, 200, "record.published", "HTTP 503")
	if rowOf(page, "dead-"+dl.ID) == "" {
		t.Fatal("the dead letter is not listed")
	}
	page = e.redirected(t, adm, e.post(t, adm, "/console/admin/webhooks/"+sub.ID+"/dead-letters/"+dl.ID+"/replay", nil), "/console/admin/webhooks?done=replayed")
	if rowOf(page, "dead-"+dl.ID) != "" {
		t.Error("the replayed delivery is still a dead letter")
	}
	e.post(t, adm, "/console/admin/webhooks/"+sub.ID+"/dead-letters/"+dl.ID+"/replay", nil).html(t, 409, "not a dead letter")
	// Disable (delete) the subscription.
	page = e.redirected(t, adm, e.post(t, adm, "/console/admin/webhooks/"+sub.ID+"/delete", nil), "/console/admin/webhooks?done=deleted")
	if rowOf(page, "sub-"+sub.ID) != "" {
		t.Error("the deleted subscription is still listed")
	}
	e.post(t, adm, "/console/admin/webhooks/"+sub.ID+"/delete", nil).html(t, 404)
}

// TestSignedInFormBound: a form posted with a session is read at most
// MaxSignedInForm bytes (the CSRF check parses it), answered 413 with a
// page a person can read (the same refusal through the API is
// problem+json); a form within it works as before.
func TestSignedInFormBound(t *testing.T) {
	e := newEnv(t)
	adm := e.consoleSession(t, workflow.AccountInput{Username: "boss", Role: "admin"})
	big := url.Values{"name": {strings.Repeat("x", MaxSignedInForm)}, "role": {"officer"}}
	e.post(t, adm, "/console/admin/tokens", big).html(t, 413, "表单过大", "A form is at most 1024 KiB")
	e.post(t, adm, "/api/v1/departments", big).problem(t, 413, xinyong.ETOOLARGE)
	e.post(t, adm, "/console/admin/tokens", url.Values{"name": {""}, "role": {"officer"}}).html(t, 400, "a token needs a name")
}

// TestWrongCSRFOnPage: a console form with a wrong CSRF token is refused
// (403) on a page that says what to do, and nothing is created.
func TestWrongCSRFOnPage(t *testing.T) {
	e := newEnv(t)
	adm := e.consoleSession(t, workflow.AccountInput{Username: "boss", Role: "admin"})
	forged := adm
	forged.csrf = "wrong"
	e.post(t, forged, "/console/admin/tokens", url.Values{"name": {"forged"}, "role": {"agency"}}).html(t, 403, "请刷新页面后重试", "reload the page and try again")
	e.post(t, adm, "/console/admin/tokens", url.Values{"name": {"genuine"}, "role": {"agency"}, "organisation": {"某银行"}}).html(t, 200)
	page := e.do(t, req{Path: "/console/admin/tokens", Cookies: adm.jar}).html(t, 200, "genuine")
	if strings.Contains(page, "forged") {
		t.Error("a form with a wrong CSRF token created a token")
	}
}
