package server

import (
	"net/http"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// Resetting an account's password signs out whoever held the old one:
// the account's open sessions end with the reset (and with a password
// change), and the audit event says how many.
func TestPasswordResetEndsSessions(t *testing.T) {
	e := newEnv(t)
	d := e.dept(t, "11620100MB0001AA", "兰州市市场监督管理局", "XZCF")
	const pw = "correct horse battery staple"
	if _, _, err := e.svc.CreateAccount(e.ctx, xinyong.System, workflow.AccountInput{Username: "li", Name: "李四", Role: "officer", Department: d.Code, Password: pw}); err != nil {
		t.Fatal(err)
	}
	signIn := func() []*http.Cookie {
		login := e.postLogin(t, "li", pw)
		for _, c := range (&http.Response{Header: login.Header}).Cookies() {
			if c.Name == SessionCookie {
				return []*http.Cookie{c}
			}
		}
		t.Fatalf("sign-in: %s", login)
		return nil
	}
	session := signIn()
	if r := e.do(t, req{Path: "/api/v1/listings", Cookies: session}); r.Status != 200 {
		t.Fatalf("signed in: %s", r)
	}
	if _, err := e.svc.ResetPassword(e.ctx, xinyong.System, "li"); err != nil {
		t.Fatal(err)
	}
	e.do(t, req{Path: "/api/v1/listings", Cookies: session}).problem(t, 401, xinyong.EUNAUTHORIZED)

	// A password change ends the sessions opened before it too.
	if err := e.svc.SetPassword(e.ctx, xinyong.System, "li", pw); err != nil {
		t.Fatal(err)
	}
	session = signIn()
	if err := e.svc.SetPassword(e.ctx, xinyong.System, "li", pw+" again"); err != nil {
		t.Fatal(err)
	}
	e.do(t, req{Path: "/api/v1/listings", Cookies: session}).problem(t, 401, xinyong.EUNAUTHORIZED)
}
