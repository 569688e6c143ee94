package server

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

func (r resp) html(t *testing.T, status int, has ...string) string {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r)
	}
	if ct := r.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	body := string(r.Body)
	for _, h := range has {
		if !strings.Contains(body, h) {
			t.Errorf("page lacks %q", h)
		}
	}
	return body
}

func form(v url.Values) (string, string) {
	return "application/x-www-form-urlencoded", v.Encode()
}

// postLogin fetches the sign-in form (its CSRF cookie and field) and posts
// it with the given credentials.
func (e *testEnv) postLogin(t *testing.T, user, password string) resp {
	t.Helper()
	page := e.do(t, req{Path: "/login"})
	var cookie *http.Cookie
	for _, c := range (&http.Response{Header: page.Header}).Cookies() {
		if c.Name == loginCookie {
			cookie = c
		}
	}
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(string(page.Body))
	if cookie == nil || m == nil || m[1] != cookie.Value {
		t.Fatalf("the sign-in form has no CSRF token matching its cookie: %s", page)
	}
	ct, body := form(url.Values{"username": {user}, "password": {password}, "csrf": {m[1]}})
	return e.do(t, req{Method: "POST", Path: "/login", Type: ct, Body: body, Cookies: []*http.Cookie{{Name: loginCookie, Value: cookie.Value}}})
}

// TestLoginNeedsFormToken: a sign-in post without the form's token (a
// cross-site login attempt) is refused.
func TestLoginNeedsFormToken(t *testing.T) {
	e := newEnv(t)
	if _, _, err := e.svc.CreateAccount(e.ctx, xinyong.System, workflow.AccountInput{Username: "u1", Role: "admin", Password: "correct horse battery staple"}); err != nil {
		t.Fatal(err)
	}
	ct, body := form(url.Values{"username": {"u1"}, "password": {"correct horse battery staple"}})
	r := e.do(t, req{Method: "POST", Path: "/login", Type: ct, Body: body})
	r.html(t, 403, "expired")
	if strings.Contains(r.Header.Get("Set-Cookie"), SessionCookie) {
		t.Fatal("a login without the form token set a session cookie")
	}
	if r := e.postLogin(t, "u1", "correct horse battery staple"); r.Status != 303 {
		t.Fatalf("login with the form token: %s", r)
	}
}

// TestPortalPages: zh-CN first, English on request.
func TestPortalPages(t *testing.T) {
	e := newEnv(t)
	e.do(t, req{Path: "/"}).html(t, 200, `<html lang="zh-CN">`, "信用信息平台", `href="?lang=en"`)
	en := e.do(t, req{Path: "/?lang=en"})
	en.html(t, 200, `<html lang="en">`, "Credit Information Platform")
	var langCookie *http.Cookie
	for _, c := range (&http.Response{Header: en.Header}).Cookies() {
		if c.Name == "lang" {
			langCookie = c
		}
	}
	if langCookie == nil || langCookie.Value != "en" {
		t.Fatalf("?lang=en sets no lang cookie: %v", en.Header["Set-Cookie"])
	}
	// The choice sticks through the cookie, and ?lang=zh switches back.
	e.do(t, req{Path: "/catalogue", Cookies: []*http.Cookie{{Name: "lang", Value: "en"}}}).html(t, 200, `<html lang="en">`, "Catalogue", "行政处罚信息")
	e.do(t, req{Path: "/catalogue?lang=zh", Cookies: []*http.Cookie{{Name: "lang", Value: "en"}}}).html(t, 200, `<html lang="zh-CN">`, "信用信息目录")
	body := e.do(t, req{Path: "/catalogue"}).html(t, 200, `<html lang="zh-CN">`, "信用信息目录", "行政处罚信息", "行政许可信息", "XZCF")
	if strings.Contains(body, "Catalogue</h1>") {
		t.Error("the Chinese page shows English headings")
	}
	// Unsupported languages fall back to Chinese.
	e.do(t, req{Path: "/?lang=fr"}).html(t, 200, `<html lang="zh-CN">`)
	e.do(t, req{Path: "/login"}).html(t, 200, "登录", `name="password"`)
	if r := e.do(t, req{Path: "/static/site.css"}); r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/css") {
		t.Errorf("site.css: %s", r)
	}
	if r := e.do(t, req{Path: "/no-such-page"}); r.Status != 404 {
		t.Errorf("unknown page: %s", r)
	}
}

// TestConsoleLogin: sign-in, the session cookie, the console, CSRF on every
// unsafe cookie request, logout, and throttling after five failures.
func TestConsoleLogin(t *testing.T) {
	e := newEnv(t)
	const pw = "correct horse battery staple"
	for _, u := range []string{"gsxyb", "victim"} {
		if _, _, err := e.svc.CreateAccount(e.ctx, xinyong.System, workflow.AccountInput{Username: u, Name: "省信用办 " + u, Role: "admin", Password: pw}); err != nil {
			t.Fatal(err)
		}
	}

	// Not signed in: the console sends to the login page.
	if r := e.do(t, req{Path: "/console/"}); r.Status != 303 || r.Header.Get("Location") != "/login" {
		t.Fatalf("console without a session: %s", r)
	}

	r := e.postLogin(t, "gsxyb", pw)
	if r.Status != 303 || r.Header.Get("Location") != "/console/" {
		t.Fatalf("login: %s", r)
	}
	var sess *http.Cookie
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == SessionCookie {
			sess = c
		}
	}
	if sess == nil || sess.Value == "" || !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode || sess.Path != "/" {
		t.Fatalf("session cookie: %+v", sess)
	}
	jar := []*http.Cookie{{Name: SessionCookie, Value: sess.Value}}
	page := e.do(t, req{Path: "/console/", Cookies: jar}).html(t, 200, "gsxyb", "管理后台")
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the console carries no CSRF token")
	}
	csrf := m[1]
	if evs := e.auditEvents(t, xinyong.AuditFilter{Action: "account.login"}); len(evs) != 1 {
		t.Errorf("login audit: %+v", evs)
	}

	// The session works for the API; unsafe requests need the CSRF token.
	dept := map[string]any{"code": uscc(t, "11620000MB192104"), "name": "甘肃省市场监督管理局", "provides": []string{"行政处罚"}}
	if r := e.do(t, req{Path: "/api/v1/accounts", Cookies: jar}); r.Status != 200 {
		t.Fatalf("GET with the session: %s", r)
	}
	e.do(t, req{Method: "POST", Path: "/api/v1/departments", Cookies: jar, Body: dept}).problem(t, 403, "forbidden")
	e.do(t, req{Method: "POST", Path: "/api/v1/departments", Cookies: jar, Body: dept, Header: map[string]string{"X-CSRF-Token": "wrong"}}).problem(t, 403, "forbidden")
	e.do(t, req{Method: "DELETE", Path: "/api/v1/tokens/whatever", Cookies: jar}).problem(t, 403, "forbidden")
	if evs := e.auditEvents(t, xinyong.AuditFilter{Action: "department.create"}); len(evs) != 0 {
		t.Fatal("a request without the CSRF token changed something")
	}
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/departments", Cookies: jar, Body: dept, Header: map[string]string{"X-CSRF-Token": csrf}}); r.Status != 201 {
		t.Fatalf("POST with the CSRF token: %s", r)
	}
	ct, body := form(url.Values{})
	e.do(t, req{Method: "POST", Path: "/logout", Cookies: jar, Type: ct, Body: body}).html(t, 403, "CSRF")
	if r := e.do(t, req{Path: "/console/", Cookies: jar}); r.Status != 200 {
		t.Fatal("a logout without the CSRF token ended the session")
	}
	ct, body = form(url.Values{"csrf": {csrf}})
	if r := e.do(t, req{Method: "POST", Path: "/logout", Cookies: jar, Type: ct, Body: body}); r.Status != 303 {
		t.Fatalf("logout: %s", r)
	}
	if r := e.do(t, req{Path: "/console/", Cookies: jar}); r.Status != 303 {
		t.Fatalf("the session outlived logout: %s", r)
	}

	// Five wrong passwords are 401 pages; the sixth attempt is throttled,
	// even with the right password.
	for i := 1; i <= workflow.LoginMaxFailures; i++ {
		r := e.postLogin(t, "victim", "guess "+string(rune('0'+i)))
		r.html(t, 401, `<html lang="zh-CN">`, "wrong username or password")
		if strings.Contains(r.Header.Get("Set-Cookie"), SessionCookie) {
			t.Fatal("a failed login set a session cookie")
		}
	}
	r = e.postLogin(t, "victim", pw)
	r.html(t, 429, "too many")
	if strings.Contains(r.Header.Get("Set-Cookie"), SessionCookie) {
		t.Fatal("a throttled login set a session cookie")
	}
	e.alive(t)
}

// TestLoginUnknownUser: an unknown username gets the answer a wrong
// password gets, and no session.
func TestLoginUnknownUser(t *testing.T) {
	e := newEnv(t)
	r := e.postLogin(t, "nobody-here", "correct horse battery staple")
	r.html(t, 401, "wrong username or password")
	if strings.Contains(r.Header.Get("Set-Cookie"), SessionCookie) {
		t.Fatal("a failed login set a session cookie")
	}
}

// TestOperationalEndpoints: health, readiness, metrics, request ids and
// security headers on every kind of response.
func TestOperationalEndpoints(t *testing.T) {
	e := newEnv(t)
	if r := e.do(t, req{Path: "/healthz"}); r.Status != 200 {
		t.Fatal(r)
	}
	if r := e.do(t, req{Path: "/readyz"}); r.Status != 200 || !strings.Contains(string(r.Body), "ready") {
		t.Fatal(r)
	}
	e.do(t, req{Path: "/api/v1/catalogue"})
	e.do(t, req{Path: "/api/v1/catalogue/items/NOPE"})
	m := e.do(t, req{Path: "/metrics"})
	if m.Status != 200 {
		t.Fatal(m)
	}
	metrics := string(m.Body)
	for _, want := range []string{
		`xinyong_http_requests_total{code="2xx",route="GET /api/v1/catalogue"} 1`,
		`xinyong_http_requests_total{code="4xx",route="GET /api/v1/catalogue/items/{code}"} 1`,
		"xinyong_http_request_seconds_bucket",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}

	paths := []req{
		{Path: "/"}, {Path: "/catalogue"}, {Path: "/login"}, {Path: "/healthz"}, {Path: "/readyz"}, {Path: "/metrics"},
		{Path: "/static/site.css"}, {Path: "/api/v1/openapi.json"}, {Path: "/api/v1/catalogue"}, {Path: "/api/v1/nope"},
		{Path: "/api/v1/audit"}, {Path: "/no-such-page"}, {Method: "PUT", Path: "/api/v1/records"},
		{Path: "/api/v1/records", Header: map[string]string{"Authorization": "Bearer nope"}},
	}
	seen := map[string]bool{}
	for _, q := range paths {
		r := e.do(t, q)
		id := r.Header.Get("X-Request-Id")
		if id == "" || seen[id] {
			t.Errorf("%s %s: request id %q missing or repeated", q.Method, q.Path, id)
		}
		seen[id] = true
		for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"} {
			if got := r.Header.Get(h); got != want {
				t.Errorf("%s %s: %s %q", q.Method, q.Path, h, got)
			}
		}
		if !strings.Contains(r.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("%s %s: CSP %q", q.Method, q.Path, r.Header.Get("Content-Security-Policy"))
		}
	}
	// A caller's request id is kept; a malformed one is replaced.
	if r := e.do(t, req{Path: "/healthz", Header: map[string]string{"X-Request-Id": "trace-42"}}); r.Header.Get("X-Request-Id") != "trace-42" {
		t.Errorf("request id not kept: %q", r.Header.Get("X-Request-Id"))
	}
	if r := e.do(t, req{Path: "/healthz", Header: map[string]string{"X-Request-Id": `evil" id`}}); strings.ContainsAny(r.Header.Get("X-Request-Id"), "\" ") || r.Header.Get("X-Request-Id") == "" {
		t.Errorf("malformed request id echoed: %q", r.Header.Get("X-Request-Id"))
	}
}
