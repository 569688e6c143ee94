package server

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/report"
	"xinyong/internal/workflow"
)

type reportCheck struct {
	Genuine    bool               `json:"genuine"`
	Number     string             `json:"number"`
	Reason     string             `json:"reason"`
	Subject    *report.Subject    `json:"subject"`
	IssuedAt   string             `json:"issued_at"`
	Checkpoint *report.Checkpoint `json:"checkpoint"`
	Digest     string             `json:"digest"`
	Code       string             `json:"code"`
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("XINYONG_REQUIRE_ALL") == "1" {
			t.Fatal("pdftotext (poppler-utils) is required")
		}
		t.Skip("pdftotext not installed")
	}
	f := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(f, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", f, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, out)
	}
	return strings.Join(strings.Fields(string(out)), "")
}

// TestReportOrganisation: an organisation's public report is issued to
// anyone as JSON and PDF, each issue registered with an audit event and a
// ledger leaf; the number verifies, the JSON verifies byte for byte, and
// any changed byte is refused.
func TestReportOrganisation(t *testing.T) {
	e := newEnv(t)
	d := e.dept(t, "11620000MB192104", "甘肃省市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	code := uscc(t, "91620100MA000001")
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: off, Body: penaltyInput(t, code, "兰州某某商贸有限公司", "甘市监罚〔2025〕1号")}); r.Status != 201 {
		t.Fatalf("submit: %s", r)
	}

	size0 := e.ledgerSize(t)
	r := e.do(t, req{Path: "/api/v1/subjects/" + code + "/report.json"})
	if r.Status != 200 {
		t.Fatalf("report.json: %s", r)
	}
	var doc struct {
		Report       report.Report       `json:"report"`
		Verification report.Verification `json:"verification"`
	}
	r.json(t, &doc)
	rep := doc.Report
	if rep.Number == "" || r.Header.Get("X-Report-Number") != rep.Number || rep.Subject.Code != code || rep.Title != "法人和非法人组织公共信用信息报告" {
		t.Fatalf("report: %+v", rep)
	}
	if got := e.ledgerSize(t); got != size0+1 {
		t.Errorf("issuing a report appends one leaf (its audit event): ledger %d → %d", size0, got)
	}
	if rep.Checkpoint.Size != size0 || len(rep.Checkpoint.Root) != 64 {
		t.Errorf("the report reflects the latest checkpoint (size %d): %+v", size0, rep.Checkpoint)
	}
	var penalties []report.Entry
	for _, s := range rep.Sections {
		if s.Key == report.SecPenalties {
			penalties = s.Entries
		}
		if s.Key == report.SecSeriousList && !strings.Contains(s.Empty, "no listing on record") {
			t.Errorf("serious list: %+v", s)
		}
	}
	if len(penalties) != 1 || penalties[0].Number != "甘市监罚〔2025〕1号" || penalties[0].PublishedUntil.IsZero() {
		t.Fatalf("penalties: %+v", penalties)
	}
	if evs := e.auditEvents(t, xinyong.AuditFilter{ObjectType: "report", ObjectID: rep.Number}); len(evs) != 1 || evs[0].Action != workflow.ActReportIssue || !strings.Contains(evs[0].Detail, doc.Verification.Digest) {
		t.Errorf("audit: %+v", evs)
	}

	if vr, err := e.svc.Verify(e.ctx, "", nil); err != nil || !vr.OK() {
		t.Errorf("ledger verification after issuing a report: %v %+v", err, vr.Problems)
	}
	// The number verifies.
	var c reportCheck
	v := e.do(t, req{Path: "/api/v1/reports/" + rep.Number + "/verify"})
	v.json(t, &c)
	if v.Status != 200 || !c.Genuine || c.Subject == nil || c.Subject.Name != "兰州某某商贸有限公司" || c.Digest != doc.Verification.Digest || c.Code != doc.Verification.Code || c.Checkpoint == nil || c.Checkpoint.Size != size0 || c.IssuedAt == "" {
		t.Fatalf("verify number: %s", v)
	}
	// The document verifies as served.
	v = e.do(t, req{Method: "POST", Path: "/api/v1/reports/verify", Type: "application/json", Body: r.Body})
	v.json(t, &c)
	if v.Status != 200 || !c.Genuine {
		t.Fatalf("verify document: %s", v)
	}
	// Any changed byte is refused.
	body := bytes.TrimSpace(r.Body)
	for i := 0; i < len(body); i += 1 + i%5 {
		alt := bytes.Clone(body)
		alt[i] ^= 0x01
		v := e.do(t, req{Method: "POST", Path: "/api/v1/reports/verify", Type: "application/json", Body: alt})
		var c reportCheck
		if v.Status == 200 {
			v.json(t, &c)
		}
		if c.Genuine {
			t.Fatalf("byte %d changed (%q → %q) still verifies", i, body[i], alt[i])
		}
	}
	// A changed value that stays valid JSON is refused with the reason.
	alt := bytes.Replace(body, []byte("甘市监罚〔2025〕1号"), []byte("甘市监罚〔2025〕2号"), 1)
	v = e.do(t, req{Method: "POST", Path: "/api/v1/reports/verify", Type: "application/json", Body: alt})
	v.json(t, &c)
	if c.Genuine || !strings.Contains(c.Reason, "altered") {
		t.Errorf("altered report: %s", v)
	}

	// The PDF: a new report, Chinese text extractable.
	p := e.do(t, req{Path: "/api/v1/subjects/" + code + "/report.pdf"})
	if p.Status != 200 || p.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(p.Body, []byte("%PDF-")) {
		t.Fatalf("report.pdf: %d %s", p.Status, p.Header)
	}
	number := p.Header.Get("X-Report-Number")
	if number == "" || number == rep.Number {
		t.Fatalf("each call issues a new report: %q after %q", number, rep.Number)
	}
	text := pdfText(t, p.Body)
	for _, want := range []string{"法人和非法人组织公共信用信息报告", number, "兰州某某商贸有限公司", code, "甘市监罚〔2025〕1号", "行政处罚信息", "报告核验信息"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
}

// TestReportUnknown: unknown subjects and numbers are refused.
func TestReportUnknown(t *testing.T) {
	e := newEnv(t)
	e.do(t, req{Path: "/api/v1/subjects/" + uscc(t, "91620100MA000009") + "/report.json"}).problem(t, 404, xinyong.ENOTFOUND)
	for _, n := range []string{"XY-20260101-ABCDEFGHJK", "nonsense", "XY-20260101-ABCDEFGHJK%2F..%2F"} {
		v := e.do(t, req{Path: "/api/v1/reports/" + n + "/verify"})
		var c reportCheck
		v.json(t, &c)
		if v.Status != 404 || c.Genuine || c.Reason == "" {
			t.Errorf("verify %s: %s", n, v)
		}
	}
	v := e.do(t, req{Method: "POST", Path: "/api/v1/reports/verify", Type: "application/json", Body: `{"report":{"number":"XY-20260101-ABCDEFGHJK"}}`})
	var c reportCheck
	v.json(t, &c)
	if c.Genuine {
		t.Errorf("forged document: %s", v)
	}
	v = e.do(t, req{Method: "POST", Path: "/api/v1/reports/verify", Type: "application/json", Body: `not json`})
	v.json(t, &c)
	if c.Genuine || c.Reason == "" {
		t.Errorf("not JSON: %s", v)
	}
	page := e.do(t, req{Path: "/verify?number=XY-20260101-ABCDEFGHJK"})
	if page.Status != 404 || !strings.Contains(string(page.Body), "核验未通过") {
		t.Errorf("/verify of an unknown number: %s", page)
	}
}

// TestReportPerson: a natural person's report is refused to the public and
// to officials without consent (sharing_test.go TestConsent covers a
// report under consent), and given to the person, masked:
// no full ID number anywhere.
func TestReportPerson(t *testing.T) {
	e := newEnv(t)
	d := e.dept(t, "11620000MB192104", "甘肃省市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	id := citizenID(t, "62010219800101123")
	other := citizenID(t, "62010219800101456")
	for _, c := range []string{id, other} {
		in := penaltyInput(t, c, "欧阳晓明", "甘市监罚〔2025〕"+c[14:17]+"号")
		in.Fields["CF_XDR_LB"] = "自然人"
		in.Fields["CF_SY"] = "当事人（身份证号" + c + "）发布虚假广告"
		if r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: off, Body: in}); r.Status != 201 {
			t.Fatalf("submit: %s", r)
		}
	}
	for _, ext := range []string{"json", "pdf"} {
		p := "/api/v1/subjects/" + id + "/report." + ext
		e.do(t, req{Path: p}).problem(t, 403, xinyong.EFORBIDDEN)
		e.do(t, req{Path: p, Token: off}).problem(t, 403, xinyong.EFORBIDDEN)
		e.do(t, req{Path: p, Token: e.admin}).problem(t, 403, xinyong.EFORBIDDEN)
		// An unknown person is refused the same way: the answer reveals nothing.
		e.do(t, req{Path: "/api/v1/subjects/" + citizenID(t, "62010219900101000") + "/report." + ext}).problem(t, 403, xinyong.EFORBIDDEN)
	}
	if _, _, err := e.svc.CreateAccount(e.ctx, xinyong.System, workflow.AccountInput{Username: "self", Name: "欧阳晓明", Role: "subject", SubjectCode: id, Password: "correct horse battery staple"}); err != nil {
		t.Fatal(err)
	}
	login := e.postLogin(t, "self", "correct horse battery staple")
	var session *http.Cookie
	for _, c := range (&http.Response{Header: login.Header}).Cookies() {
		if c.Name == SessionCookie {
			session = c
		}
	}
	if session == nil {
		t.Fatalf("login: %s", login)
	}
	cookies := []*http.Cookie{session}
	e.do(t, req{Path: "/api/v1/subjects/" + other + "/report.json", Cookies: cookies}).problem(t, 403, xinyong.EFORBIDDEN)

	r := e.do(t, req{Path: "/api/v1/subjects/" + id + "/report.json", Cookies: cookies})
	if r.Status != 200 {
		t.Fatalf("own report: %s", r)
	}
	for _, full := range []string{id, other, "欧阳晓明"} {
		if bytes.Contains(r.Body, []byte(full)) {
			t.Errorf("the JSON report contains %q in full: %s", full, r.Body)
		}
	}
	if !bytes.Contains(r.Body, []byte(xinyong.MaskID(id))) || !bytes.Contains(r.Body, []byte("个人公共信用信息报告")) {
		t.Errorf("own report: %s", r.Body)
	}
	var c reportCheck
	v := e.do(t, req{Method: "POST", Path: "/api/v1/reports/verify", Type: "application/json", Body: r.Body})
	v.json(t, &c)
	if !c.Genuine || c.Subject == nil || c.Subject.Name != "欧**明" || strings.Contains(v.String(), id) {
		t.Errorf("verify own report: %s", v)
	}
	p := e.do(t, req{Path: "/api/v1/subjects/" + id + "/report.pdf", Cookies: cookies})
	if p.Status != 200 {
		t.Fatalf("own PDF: %d", p.Status)
	}
	if bytes.Contains(p.Body, []byte(id)) {
		t.Error("the PDF bytes contain the full ID number")
	}
	text := pdfText(t, p.Body)
	if strings.Contains(text, id) || strings.Contains(text, "欧阳晓明") {
		t.Error("the PDF text contains the full ID number or name")
	}
	if !strings.Contains(text, xinyong.MaskID(id)) || !strings.Contains(text, "个人公共信用信息报告") {
		t.Errorf("own PDF text: %s", text)
	}
}

// TestVerifyPage: the /verify form answers genuine for an issued number.
func TestVerifyPage(t *testing.T) {
	e := newEnv(t)
	d := e.dept(t, "11620000MB192104", "甘肃省市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	code := uscc(t, "91620100MA000001")
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: off, Body: penaltyInput(t, code, "兰州某某商贸有限公司", "甘市监罚〔2025〕1号")}); r.Status != 201 {
		t.Fatalf("submit: %s", r)
	}
	form := e.do(t, req{Path: "/verify"})
	if form.Status != 200 || !strings.Contains(string(form.Body), `name="number"`) || !strings.Contains(string(form.Body), "报告编号") {
		t.Fatalf("/verify form: %s", form)
	}
	r := e.do(t, req{Path: "/api/v1/subjects/" + code + "/report.json"})
	var doc struct {
		Report       report.Report       `json:"report"`
		Verification report.Verification `json:"verification"`
	}
	r.json(t, &doc)
	ok := e.do(t, req{Path: "/verify?number=" + doc.Report.Number + "&code=" + doc.Verification.Code})
	if ok.Status != 200 || !strings.Contains(string(ok.Body), "核验通过") || !strings.Contains(string(ok.Body), "兰州某某商贸有限公司") {
		t.Fatalf("/verify genuine: %s", ok)
	}
	bad := e.do(t, req{Path: "/verify?number=" + doc.Report.Number + "&code=AAAA-AAAA-AAAA-AAAA"})
	if !strings.Contains(string(bad.Body), "核验未通过") {
		t.Errorf("/verify with a wrong code: %s", bad)
	}
	en := e.do(t, req{Path: "/verify?lang=en&number=" + doc.Report.Number})
	if !strings.Contains(string(en.Body), "Genuine") {
		t.Errorf("/verify in English: %s", en)
	}
}
