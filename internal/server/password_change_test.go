package server

import (
	"net/url"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// TestChangeOwnPassword: an account replaces its own password (a one-time
// password an admin saw, say) on /console/password: the current password
// is required, the new one must be long enough and typed twice alike;
// success ends every session and the new password signs in while the old
// one no longer does. Wrong current passwords are throttled. Each change
// is audited.
func TestChangeOwnPassword(t *testing.T) {
	e := newEnv(t)
	const old = "correct horse battery staple"
	u := e.consoleSession(t, workflow.AccountInput{Username: "li", Role: "auditor", Name: "李审计"})
	e.do(t, req{Path: "/console/", Cookies: u.jar}).html(t, 200, `href="/console/password"`)
	e.do(t, req{Path: "/console/password", Cookies: u.jar}).html(t, 200, `name="current_password"`, `name="new_password"`)
	const next = "a much longer new passphrase"
	for _, tt := range []struct {
		name   string
		v      url.Values
		status int
		want   string
	}{
		{"too short", url.Values{"current_password": {old}, "new_password": {"short"}, "confirm_password": {"short"}}, 400, "at least 12 characters"},
		{"the same", url.Values{"current_password": {old}, "new_password": {old}, "confirm_password": {old}}, 400, "differs from the current one"},
		{"typed differently", url.Values{"current_password": {old}, "new_password": {next}, "confirm_password": {next + "!"}}, 400, "The two new passwords differ"},
		{"wrong current", url.Values{"current_password": {"not it at all"}, "new_password": {next}, "confirm_password": {next}}, 401, "the current password is wrong"},
	} {
		e.post(t, u, "/console/password", tt.v).html(t, tt.status, tt.want)
	}
	// Still the old password, and the session still works.
	e.do(t, req{Path: "/console/", Cookies: u.jar}).html(t, 200)
	e.post(t, u, "/console/password", url.Values{"current_password": {old}, "new_password": {next}, "confirm_password": {next}}).html(t, 200, `id="flash"`, `name="password"`)
	if r := e.do(t, req{Path: "/console/", Cookies: u.jar}); r.Status != 303 {
		t.Fatalf("the session outlived the password change: %s", r)
	}
	if r := e.postLogin(t, "li", old); r.Status == 303 {
		t.Fatal("the old password still signs in")
	}
	if r := e.postLogin(t, "li", next); r.Status != 303 {
		t.Fatalf("the new password does not sign in: %s", r)
	}
	if evs := e.auditEvents(t, xinyong.AuditFilter{Action: "account.password.change"}); len(evs) != 1 {
		t.Errorf("%d audit events of the change", len(evs))
	}
	// Guessing the current password from a session is throttled.
	u2 := e.consoleSession(t, workflow.AccountInput{Username: "wang", Role: "auditor", Name: "王审计"})
	for i := range workflow.LoginMaxFailures {
		e.post(t, u2, "/console/password", url.Values{"current_password": {"guess " + string(rune('a'+i))}, "new_password": {next}, "confirm_password": {next}}).html(t, 401)
	}
	e.post(t, u2, "/console/password", url.Values{"current_password": {old}, "new_password": {next}, "confirm_password": {next}}).html(t, 429)
}
