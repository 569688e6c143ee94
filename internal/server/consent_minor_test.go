package server

import (
	"net/http"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

// TestMinorCannotConsent: a person under 18 with a subject account cannot
// grant an organisation consent to read its records (DOMAIN.md §2, §7:
// a minor's personal information needs a guardian's consent); nothing is
// stored.
func TestMinorCannotConsent(t *testing.T) {
	f := newPortal(t)
	e := f.e
	const pw = "correct horse battery"
	if _, _, err := e.svc.CreateAccount(e.ctx, xinyong.System, workflow.AccountInput{Username: "xiaoming", Role: "subject", SubjectCode: f.minorID, Password: pw}); err != nil {
		t.Fatal(err)
	}
	_, sess, sec, err := e.svc.Login(e.ctx, "xiaoming", pw, "test")
	if err != nil {
		t.Fatal(err)
	}
	jar := []*http.Cookie{{Name: SessionCookie, Value: sec}}
	in := consentInput{Organisation: "某银行", Items: []string{"XZCF"}, Purpose: "贷款审批", ExpiresAt: time.Now().AddDate(0, 1, 0).Format("2006-01-02")}
	p := e.do(t, req{Method: "POST", Path: "/api/v1/consents", Body: in, Cookies: jar, Header: map[string]string{"X-CSRF-Token": sess.CSRF}}).problem(t, 403, xinyong.EFORBIDDEN)
	if !p.hasField("subject", "consent.minor") {
		t.Errorf("refusal: %+v", p)
	}
	var list struct{ Consents []xinyong.Consent }
	e.do(t, req{Path: "/api/v1/consents", Cookies: jar}).json(t, &list)
	if len(list.Consents) != 0 {
		t.Errorf("a refused consent was stored: %+v", list.Consents)
	}
}
