package server

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/pgtest"
	"xinyong/internal/workflow"
)

// newEnvOn is newEnv on the store db ("" for a fresh SQLite file).
func newEnvOn(t *testing.T, db string) *testEnv {
	t.Helper()
	return newEnvDB(t, db)
}

// postLoginForm posts the sign-in form (with its CSRF cookie and field)
// with the given fields.
func (e *testEnv) postLoginForm(t *testing.T, v url.Values) resp {
	t.Helper()
	page := e.do(t, req{Path: "/login"})
	var cookie *http.Cookie
	for _, c := range (&http.Response{Header: page.Header}).Cookies() {
		if c.Name == loginCookie {
			cookie = c
		}
	}
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(string(page.Body))
	if cookie == nil || m == nil {
		t.Fatalf("the sign-in form has no CSRF token: %s", page)
	}
	v.Set("csrf", m[1])
	ct, body := form(v)
	return e.do(t, req{Method: "POST", Path: "/login", Type: ct, Body: body, Cookies: []*http.Cookie{{Name: loginCookie, Value: cookie.Value}}})
}

// TestFormBadBytes: a sign-in or console form with a name or value that is
// not UTF-8 text, or holds NUL, is refused (400) on a page that says which
// field, as a JSON body is (decodeJSON): PostgreSQL text refuses such bytes
// (SQLSTATE 22021), which answered 500. Nothing is created, and the value
// (it may be a password) is not echoed. On SQLite, and on PostgreSQL when
// XINYONG_TEST_POSTGRES is set.
func TestFormBadBytes(t *testing.T) {
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			db := ""
			if store == "postgres" {
				db = pgtest.DSN(t)
			}
			e := newEnvOn(t, db)
			adm := e.consoleSession(t, workflow.AccountInput{Username: "boss", Role: "admin"})
			accounts := len(e.auditEvents(t, xinyong.AuditFilter{Action: "account.create"}))
			bad := []struct {
				name   string
				fields url.Values
				want   string
			}{
				{"NUL username", url.Values{"username": {"\x00"}}, "Form field username holds a NUL character"},
				{"NUL inside username", url.Values{"username": {"ab\x00cd"}}, "Form field username holds a NUL character"},
				{"invalid UTF-8 username", url.Values{"username": {"\xff"}}, "Form field username holds bytes that are not valid UTF-8"},
				{"GBK username", url.Values{"username": {"\xd5\xc5\xc8\xfd"}}, "Form field username holds bytes that are not valid UTF-8"},
				{"invalid UTF-8 field name", url.Values{"user\xffname": {"boss"}}, "A form field name is not valid UTF-8"},
				{"NUL password", url.Values{"username": {"boss"}, "password": {"pw\x00secret-4e1"}}, "Form field password holds a NUL character"},
			}
			for _, tt := range bad {
				t.Run("login "+tt.name, func(t *testing.T) {
					v := url.Values{"password": {"correct horse battery staple"}}
					for k, vs := range tt.fields {
						v[k] = vs
					}
					page := e.postLoginForm(t, v).html(t, 400, tt.want, `name="password"`)
					if strings.Contains(page, "secret-4e1") {
						t.Error("the page echoes the password")
					}
				})
				t.Run("console "+tt.name, func(t *testing.T) {
					v := url.Values{"role": {"auditor"}, "name": {"某人"}}
					for k, vs := range tt.fields {
						v[k] = vs
					}
					e.post(t, adm, "/console/admin/accounts", v).html(t, 400, tt.want)
				})
			}
			// The console's bad value in another field, and in the query.
			e.post(t, adm, "/console/admin/accounts", url.Values{"username": {"li"}, "role": {"auditor"}, "name": {"\xff\xfe"}}).html(t, 400, "Form field name holds bytes that are not valid UTF-8")
			ct, body := form(url.Values{"username": {"li"}, "role": {"auditor"}, "csrf": {adm.csrf}})
			e.do(t, req{Method: "POST", Path: "/console/admin/accounts?x=%00", Type: ct, Body: body, Cookies: adm.jar}).html(t, 400, "Form field x holds a NUL character")

			if n := len(e.auditEvents(t, xinyong.AuditFilter{Action: "account.create"})); n != accounts {
				t.Errorf("%d accounts created from refused forms", n-accounts)
			}
			if logs := e.log.String(); strings.Contains(logs, "request failed") || strings.Contains(logs, "secret-4e1") {
				t.Errorf("server log (want no internal error, no password):\n%s", logs)
			}
			// Good forms still work.
			e.post(t, adm, "/console/admin/accounts", url.Values{"username": {"li"}, "role": {"auditor"}, "name": {"李 审计"}}).html(t, 200, "一次性密码")
			if r := e.postLogin(t, "boss", "correct horse battery staple"); r.Status != http.StatusSeeOther {
				t.Errorf("a good sign-in: %s", r)
			}
		})
	}
}
