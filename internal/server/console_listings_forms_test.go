package server

import (
	"bytes"
	"net/url"
	"os/exec"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/report"
	"xinyong/internal/workflow"
)

// TestConsoleListingForms walks the listing procedure through the console's
// forms: propose from the department's records, notice, objection, answer,
// a decision missing parts refused naming each part, a complete decision,
// listing, the documents as HTML and PDF, early removal refused before its
// time; another department's officer sees none of it.
func TestConsoleListingForms(t *testing.T) {
	e := newEnv(t)
	a := e.dept(t, "11620100MB0001AA", "兰州市市场监督管理局", "XZCF")
	b := e.dept(t, "11620100MB0002BB", "兰州市税务局", "XZCF")
	offTok := e.token(t, "officer", a.Code, "")
	org := uscc(t, "91620100MA74QX3K")
	in := penaltyInput(t, org, "兰州某某商贸有限公司", "兰市监罚〔2026〕301号")
	in.Severity = "serious"
	var res workflow.SubmitResult
	e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: offTok, Body: in}).json(t, &res)

	offA := e.consoleSession(t, workflow.AccountInput{Username: "officer-a", Role: "officer", Department: a.Code})
	offB := e.consoleSession(t, workflow.AccountInput{Username: "officer-b", Role: "officer", Department: b.Code})
	adm := e.consoleSession(t, workflow.AccountInput{Username: "boss", Role: "admin"})

	// The propose form finds the department's records on the subject.
	e.do(t, req{Path: "/console/listings", Cookies: offA.jar}).html(t, 200, `href="/console/listings/new"`)
	e.do(t, req{Path: "/console/listings/new?subject=" + org, Cookies: offA.jar}).html(t, 200, "兰州某某商贸有限公司", "兰市监罚〔2026〕301号", `value="`+res.Record.ID+`"`)
	e.do(t, req{Path: "/console/listings/new?subject=" + org, Cookies: offB.jar}).html(t, 200, "没有该主体的有效失信记录")
	e.do(t, req{Path: "/console/listings/new", Cookies: adm.jar}).html(t, 403)
	// Refused: no reasons, no basis — each named.
	prop := url.Values{"subject": {org}, "record_ids": {res.Record.ID}, "list_type": {"SAMR_SERIOUS"}}
	e.post(t, offA, "/console/listings", prop).html(t, 400, "the proposal states the reasons", "the proposal states its basis", `value="`+res.Record.ID+`" checked`)
	// Another department cannot propose on A's record.
	prop.Set("reasons", "一年内三次虚假宣传受较重处罚")
	prop.Set("basis", "《市场监督管理严重违法失信名单管理办法》第二条")
	e.post(t, offB, "/console/listings", prop).html(t, 403)
	r := e.post(t, offA, "/console/listings", prop)
	page := e.redirected(t, offA, r, "/console/listings/")
	id := strings.TrimPrefix(strings.SplitN(r.Header.Get("Location"), "?", 2)[0], "/console/listings/")
	if !strings.Contains(page, "已提出列入建议") || !strings.Contains(page, `id="form-notify"`) {
		t.Fatalf("proposed listing page: %s", page)
	}
	// Officer B: not found, and no forms.
	e.do(t, req{Path: "/console/listings/" + id, Cookies: offB.jar}).html(t, 404)
	e.post(t, offB, "/console/listings/"+id+"/notify", nil).html(t, 404)
	// The admin reads but has no step forms.
	if body := e.do(t, req{Path: "/console/listings/" + id, Cookies: adm.jar}).html(t, 200, "拟列入"); strings.Contains(body, `id="form-notify"`) {
		t.Error("the admin is offered the officer's forms")
	}
	// Out of order: decide before the notice.
	e.post(t, offA, "/console/listings/"+id+"/decide", url.Values{"number": {"x"}}).html(t, 409, "cannot decide")

	// Notice, with a bad window first.
	e.post(t, offA, "/console/listings/"+id+"/notify", url.Values{"objection_working_days": {"five"}}).html(t, 400, "whole number")
	page = e.redirected(t, offA, e.post(t, offA, "/console/listings/"+id+"/notify", url.Values{"objection_working_days": {"5"}}), "/console/listings/"+id+"?done=notify")
	for _, s := range []string{"告知书已送达", `href="/console/listings/` + id + `/notice"`, `id="form-object"`, `id="form-decide"`} {
		if !strings.Contains(page, s) {
			t.Errorf("after the notice the page lacks %q", s)
		}
	}
	e.do(t, req{Path: "/console/listings/" + id + "/notice", Cookies: offA.jar}).html(t, 200, report.NoticeTitle, "当事人权利", "5 个工作日", "兰州市市场监督管理局")
	// Objection and answer.
	e.post(t, offA, "/console/listings/"+id+"/object", url.Values{"statement": {" "}}).html(t, 400, "the objection states the party")
	e.redirected(t, offA, e.post(t, offA, "/console/listings/"+id+"/object", url.Values{"statement": {"罚款已缴清"}, "evidence": {"缴款凭证\n情况说明"}}), "/console/listings/"+id+"?done=object")
	e.post(t, offA, "/console/listings/"+id+"/verify", url.Values{"answer": {""}}).html(t, 400, "the answer to the objection is recorded")
	page = e.redirected(t, offA, e.post(t, offA, "/console/listings/"+id+"/verify", url.Values{"answer": {"经核实，异议不成立"}}), "/console/listings/"+id+"?done=verify")
	if !strings.Contains(page, `id="form-decide"`) || !strings.Contains(page, "CPC-SC-2025-RESTRICT") {
		t.Fatalf("the decision form with the list type's measures: %s", page)
	}

	// A decision missing parts: refused, each part named, nothing changed.
	dec := url.Values{"number": {"兰市监认〔2026〕1号"}, "reason": {"一年内三次虚假宣传受较重处罚"}, "basis": {""}, "measures": {"CPC-SC-2025-RESTRICT"},
		"removal_conditions": {"列入满一年，已履行处罚"}, "removal_procedure": {""}, "reconsideration": {"可在六十日内申请行政复议"}, "litigation": {""}}
	page = e.post(t, offA, "/console/listings/"+id+"/decide", dec).html(t, 400, "the decision is refused", "the decision document must state basis",
		"the decision document must state removal_procedure", "the decision document must state remedies.litigation", `value="兰市监认〔2026〕1号"`)
	if strings.Contains(page, "the decision document must state reason") {
		t.Error("a stated part is reported missing")
	}
	dec.Set("basis", "《市场监督管理严重违法失信名单管理办法》第二条")
	dec.Set("removal_procedure", "向作出决定的部门申请信用修复，免费")
	dec.Set("litigation", "可在六个月内提起行政诉讼")
	dec["measures"] = []string{"NOT-ON-THE-LIST"}
	e.post(t, offA, "/console/listings/"+id+"/decide", dec).html(t, 400, "measure NOT-ON-THE-LIST is not on the measures list")
	dec["measures"] = []string{"CPC-SC-2025-RESTRICT"}
	e.redirected(t, offA, e.post(t, offA, "/console/listings/"+id+"/decide", dec), "/console/listings/"+id+"?done=decide")
	page = e.redirected(t, offA, e.post(t, offA, "/console/listings/"+id+"/list", nil), "/console/listings/"+id+"?done=list")
	if !strings.Contains(page, "已列入名单") || !strings.Contains(page, `id="form-remove"`) {
		t.Fatalf("listed page: %s", page)
	}
	// The decision document: HTML and PDF, all its parts.
	parts := []string{report.DecisionTitle, "兰市监认〔2026〕1号", "认定理由", "认定依据", "失信惩戒措施", "CPC-SC-2025-RESTRICT", "移出条件", "移出程序", "救济途径",
		"行政复议：可在六十日内申请行政复议", "行政诉讼：可在六个月内提起行政诉讼", "罚款已缴清", "兰州市市场监督管理局"}
	e.do(t, req{Path: "/console/listings/" + id + "/decision", Cookies: offA.jar}).html(t, 200, parts...)
	e.do(t, req{Path: "/console/listings/" + id + "/decision", Cookies: offB.jar}).html(t, 404)
	pdf := e.do(t, req{Path: "/api/v1/listings/" + id + "/decision.pdf", Cookies: offA.jar})
	if pdf.Status != 200 || pdf.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("decision.pdf: %s", pdf)
	}
	if txt, ok := listingPDFText(t, pdf.Body); ok {
		for _, s := range []string{report.DecisionTitle, "兰市监认〔2026〕1号", "认定理由", "认定依据", "失信惩戒措施", "移出条件", "移出程序", "行政复议", "行政诉讼"} {
			if !strings.Contains(txt, s) {
				t.Errorf("decision.pdf text lacks %q", s)
			}
		}
	}
	if r := e.do(t, req{Path: "/api/v1/listings/" + id + "/notice.pdf", Token: offTok}); r.Status != 200 || r.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("notice.pdf: %s", r)
	} else if txt, ok := listingPDFText(t, r.Body); ok && !strings.Contains(txt, report.NoticeTitle) {
		t.Errorf("notice.pdf text lacks the title: %s", txt)
	}
	e.do(t, req{Path: "/api/v1/listings/" + id + "/decision.pdf", Token: e.token(t, "officer", b.Code, "b")}).problem(t, 404, xinyong.ENOTFOUND)
	e.do(t, req{Path: "/api/v1/listings/" + id + "/decision.pdf"}).problem(t, 404, xinyong.ENOTFOUND) // the public learns nothing

	// Early removal before the list type's minimum: refused with its date;
	// removal on revocation of the underlying document: at any time.
	e.post(t, offA, "/console/listings/"+id+"/remove", url.Values{"reason": {"early"}, "note": {"已整改"}}).html(t, 409, "allows early removal only from")
	page = e.redirected(t, offA, e.post(t, offA, "/console/listings/"+id+"/remove", url.Values{"reason": {"revoked"}, "note": {"处罚决定经复议撤销"}}), "/console/listings/"+id+"?done=remove")
	if !strings.Contains(page, "已移出") || strings.Contains(page, `id="steps"`) || !strings.Contains(page, "处罚决定经复议撤销") {
		t.Errorf("removed listing page: %s", page)
	}
	// History: every step a version.
	var v workflow.ListingView
	e.do(t, req{Path: "/api/v1/listings/" + id, Token: offTok}).json(t, &v)
	if len(v.History) != 7 || v.State != xinyong.ListingRemoved {
		t.Errorf("history %d versions, state %s", len(v.History), v.State)
	}
}

// listingPDFText extracts a PDF's text with pdftotext, lines joined; false when
// the tool is missing.
func listingPDFText(t *testing.T, pdf []byte) (string, bool) {
	t.Helper()
	exe, err := exec.LookPath("pdftotext")
	if err != nil {
		return "", false
	}
	cmd := exec.Command(exe, "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.NewReplacer("\n", "", "\f", "").Replace(string(out)), true
}

// TestConsoleDecisionNotYet: the documents before they exist are "not
// found", the step's name is checked.
func TestConsoleDecisionNotYet(t *testing.T) {
	f := newListingFixture(t)
	e := f.e
	l := f.propose(t, f.recA1)
	u := e.consoleSession(t, workflow.AccountInput{Username: "officer-a", Role: "officer", Department: f.deptA.Code})
	e.do(t, req{Path: "/console/listings/" + l.ID + "/decision", Cookies: u.jar}).html(t, 404, "no decision yet")
	e.do(t, req{Path: "/console/listings/" + l.ID + "/notice", Cookies: u.jar}).html(t, 404, "no notice yet")
	e.do(t, req{Path: "/api/v1/listings/" + l.ID + "/decision.pdf", Token: f.offA}).problem(t, 404, xinyong.ENOTFOUND)
	e.post(t, u, "/console/listings/"+l.ID+"/approve", nil).html(t, 404, "no step")
}
