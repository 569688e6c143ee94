package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// The objection pages (异议, issue 7; doc/objections.md): the portal's form,
// confirmation, status page and list; the console's queue and answer forms.

// csrfOf returns the CSRF token a page's forms carry.
func csrfOf(t *testing.T, r resp) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(string(r.Body))
	if m == nil || m[1] == "" {
		t.Fatalf("no CSRF token on the page: %s", r)
	}
	return m[1]
}

type objectionPagesFixture struct {
	*repairFixture
	subject []*http.Cookie // the subject's session (account qiye)
}

func newObjectionPagesFixture(t *testing.T) *objectionPagesFixture {
	f := &objectionPagesFixture{repairFixture: newRepairFixture(t)}
	f.subject = []*http.Cookie{f.session}
	return f
}

// post sends a form with cookies.
func (f *objectionPagesFixture) post(t *testing.T, path string, v url.Values, cookies []*http.Cookie) resp {
	t.Helper()
	ct, body := form(v)
	return f.e.do(t, req{Method: "POST", Path: path, Type: ct, Body: body, Cookies: cookies})
}

// objections returns every stored objection.
func (f *objectionPagesFixture) objections(t *testing.T) []workflow.ObjectionView {
	t.Helper()
	os, err := f.e.svc.Objections(f.e.ctx, xinyong.System, xinyong.ObjectionFilter{}, false)
	if err != nil {
		t.Fatal(err)
	}
	return os
}

func has(t *testing.T, r resp, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(string(r.Body), w) {
			t.Errorf("page (%d) lacks %q", r.Status, w)
		}
	}
}

func hasNot(t *testing.T, r resp, not ...string) {
	t.Helper()
	for _, w := range not {
		if strings.Contains(string(r.Body), w) {
			t.Errorf("page (%d) shows %q", r.Status, w)
		}
	}
}

// TestObjectionPagesSubject: the subject, signed in, follows 提出异议 from
// its record, is refused readably with the form refilled, files, gets the
// number and deadline, sees 异议处理中 on its public page at once, finds the
// objection in its list; a second one is refused; a form without the CSRF
// token files nothing; another subject's record is refused.
func TestObjectionPagesSubject(t *testing.T) {
	f := newObjectionPagesFixture(t)
	e := f.e
	page := e.do(t, req{Path: "/subjects/" + f.org + "?tab=penalty"})
	has(t, page, `href="/objections/new?record=`+f.rec+`"`)

	form := e.do(t, req{Path: "/objections/new?record=" + f.rec, Cookies: f.subject})
	if form.Status != 200 {
		t.Fatalf("form: %s", form)
	}
	has(t, form, "以信用主体身份", `name="fields" value="CF_NR_FK"`, `<label for="f-CF_NR_FK">`, `<label for="o-reasons">`, `id="objection-form"`, "3 个工作日内答复")
	csrf := csrfOf(t, form)
	if csrf != f.csrf {
		t.Fatalf("form token %q is not the session's", csrf)
	}

	// No reasons: refused readably, the evidence and the field choice refilled.
	r := f.post(t, "/objections", url.Values{"csrf": {csrf}, "record": {f.rec}, "fields": {"CF_NR_FK"}, "evidence": {"缴款凭证第 123 号"}}, f.subject)
	if r.Status != 400 {
		t.Fatalf("no reasons: %s", r)
	}
	has(t, r, "请填写异议理由", `id="e-reasons"`, `aria-invalid="true"`, "缴款凭证第 123 号", `value="CF_NR_FK" checked`)
	// An unknown field.
	r = f.post(t, "/objections", url.Values{"csrf": {csrf}, "record": {f.rec}, "fields": {"NOPE"}, "reasons": {"x"}}, f.subject)
	if r.Status != 400 {
		t.Fatalf("unknown field: %s", r)
	}
	has(t, r, "所选信息项不属于本条信息")
	// Without the CSRF token: refused before anything is read.
	r = f.post(t, "/objections", url.Values{"record": {f.rec}, "reasons": {"罚款金额登记有误"}}, f.subject)
	if r.Status != 403 {
		t.Fatalf("no CSRF token: %s", r)
	}
	if n := len(f.objections(t)); n != 0 {
		t.Fatalf("refused forms filed %d objections", n)
	}

	// Filed.
	r = f.post(t, "/objections", url.Values{"csrf": {csrf}, "record": {f.rec}, "fields": {"CF_NR_FK", "CF_WFXW"}, "reasons": {"罚款金额登记有误，应为五千元"}, "evidence": {"决定书原件第二页"}}, f.subject)
	if r.Status != 201 {
		t.Fatalf("file: %s", r)
	}
	os := f.objections(t)
	if len(os) != 1 || !os[0].AsSubject || len(os[0].Fields) != 2 || os[0].RecordID != f.rec {
		t.Fatalf("filed: %+v", os)
	}
	o := os[0]
	has(t, r, `id="objection-id">`+o.ID+`<`, o.Deadline.String(), "3 个工作日，至", `href="/objections/`+o.ID+`"`, `href="/objections"`)

	// At once: 异议处理中 on the public page and the subject's own.
	has(t, e.do(t, req{Path: "/subjects/" + f.org + "?tab=penalty"}), xinyong.MarkInDispute)
	has(t, e.do(t, req{Path: "/subjects/" + f.org + "?tab=penalty", Cookies: f.subject}), xinyong.MarkInDispute)
	// The list and the status page.
	list := e.do(t, req{Path: "/objections", Cookies: f.subject})
	has(t, list, `id="objection-list"`, `href="/objections/`+o.ID+`"`, "异议处理中")
	st := e.do(t, req{Path: "/objections/" + o.ID, Cookies: f.subject})
	has(t, st, `id="objection-state" data-state="filed"`, "罚款金额登记有误", "决定书原件第二页", o.Deadline.String())
	// English.
	has(t, e.do(t, req{Path: "/objections/" + o.ID + "?lang=en", Cookies: f.subject}), "Objection status", "being handled")

	// The form now shows the open objection instead of a second form; a
	// second filing is refused readably.
	form = e.do(t, req{Path: "/objections/new?record=" + f.rec, Cookies: f.subject})
	has(t, form, `id="objection-open"`, o.ID)
	hasNot(t, form, `id="objection-form"`)
	r = f.post(t, "/objections", url.Values{"csrf": {csrf}, "record": {f.rec}, "reasons": {"再次提出"}}, f.subject)
	if r.Status != 409 {
		t.Fatalf("second objection: %s", r)
	}
	has(t, r, "异议未能提交", `id="objection-open"`)

	// Another subject's record: published, so the subject may object only
	// as a member of the public, with a name and a contact.
	form = e.do(t, req{Path: "/objections/new?record=" + f.theirs, Cookies: f.subject})
	has(t, form, "以社会公众身份")
	r = f.post(t, "/objections", url.Values{"csrf": {csrf}, "record": {f.theirs}, "reasons": {"不是我的"}}, f.subject)
	if r.Status != 400 {
		t.Fatalf("another subject's record without name and contact: %s", r)
	}
	has(t, r, "请填写姓名和联系方式", "不是我的")
	// Once withdrawn it is not published: refused as not found, nothing filed.
	if _, err := e.svc.Withdraw(e.ctx, xinyong.System, f.theirs, "revoked", "复议撤销"); err != nil {
		t.Fatal(err)
	}
	r = f.post(t, "/objections", url.Values{"csrf": {csrf}, "record": {f.theirs}, "name": {"张三"}, "contact": {"13800000000"}, "reasons": {"不是我的"}}, f.subject)
	if r.Status != 404 {
		t.Fatalf("another subject's unpublished record: %s", r)
	}
	has(t, r, "未找到该信息")
	if e.do(t, req{Path: "/objections/new?record=" + f.theirs, Cookies: f.subject}).Status != 404 {
		t.Error("the form opens for another subject's unpublished record")
	}
	if n := len(f.objections(t)); n != 1 {
		t.Fatalf("refusals filed objections: %d", n)
	}
}

// TestObjectionPagesPublic: anyone objects to published information with a
// name and a contact; the anonymous form has its own CSRF token; the status
// page needs the number and the contact.
func TestObjectionPagesPublic(t *testing.T) {
	f := newObjectionPagesFixture(t)
	e := f.e
	form := e.do(t, req{Path: "/objections/new?record=" + f.rec})
	if form.Status != 200 {
		t.Fatalf("form: %s", form)
	}
	has(t, form, "以社会公众身份", `id="o-name"`, `aria-required="true"`)
	var cookie *http.Cookie
	for _, c := range (&http.Response{Header: form.Header}).Cookies() {
		if c.Name == objectionCookie {
			cookie = &http.Cookie{Name: c.Name, Value: c.Value}
		}
	}
	tok := csrfOf(t, form)
	if cookie == nil || cookie.Value != tok {
		t.Fatalf("the anonymous form's token does not match its cookie")
	}
	v := url.Values{"csrf": {tok}, "record": {f.rec}, "name": {"李四"}, "contact": {"139 0000 0000"}, "fields": {"CF_NR_FK"}, "reasons": {"金额与决定书不符"}}
	// Without the cookie (a page on another site posting): refused, refilled.
	r := f.post(t, "/objections", v, nil)
	if r.Status != 403 {
		t.Fatalf("no cookie: %s", r)
	}
	has(t, r, "表单已过期", "金额与决定书不符", `value="李四"`)
	if n := len(f.objections(t)); n != 0 {
		t.Fatalf("filed without the token: %d", n)
	}
	// No name: refused readably.
	r = f.post(t, "/objections", url.Values{"csrf": {tok}, "record": {f.rec}, "reasons": {"金额与决定书不符"}}, []*http.Cookie{cookie})
	if r.Status != 400 {
		t.Fatalf("no name: %s", r)
	}
	has(t, r, "请填写姓名和联系方式", `id="e-name"`)
	r = f.post(t, "/objections", v, []*http.Cookie{cookie})
	if r.Status != 201 {
		t.Fatalf("file: %s", r)
	}
	os := f.objections(t)
	if len(os) != 1 || os[0].AsSubject || os[0].Name != "李四" {
		t.Fatalf("filed: %+v", os)
	}
	id := os[0].ID
	has(t, r, id, "凭异议编号和您填写的联系方式")

	// The number alone shows nothing but the lookup form.
	st := e.do(t, req{Path: "/objections/" + id})
	if st.Status != 200 {
		t.Fatalf("status page: %s", st)
	}
	has(t, st, `id="lookup-form"`, `value="`+id+`"`)
	hasNot(t, st, "金额与决定书不符", "李四")
	// A wrong contact is answered like an unknown number.
	r = f.post(t, "/objections/lookup", url.Values{"id": {id}, "contact": {"13900000001"}}, nil)
	if r.Status != 404 {
		t.Fatalf("wrong contact: %s", r)
	}
	has(t, r, "没有找到该异议")
	hasNot(t, r, "金额与决定书不符")
	r = f.post(t, "/objections/lookup", url.Values{"id": {"nope"}, "contact": {"139 0000 0000"}}, nil)
	if r.Status != 404 {
		t.Fatalf("unknown number: %s", r)
	}
	// The number and the contact (written differently) show it.
	r = f.post(t, "/objections/lookup", url.Values{"id": {id}, "contact": {"139-0000-0000"}}, nil)
	if r.Status != 200 {
		t.Fatalf("lookup: %s", r)
	}
	has(t, r, `data-state="filed"`, "金额与决定书不符", "李四")
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("status page Cache-Control %q", cc)
	}

	// The record's subject sees the objection, but not who filed it.
	st = e.do(t, req{Path: "/objections/" + id, Cookies: f.subject})
	has(t, st, "金额与决定书不符", "社会公众")
	hasNot(t, st, "李四", "13900000000", "139 0000 0000")
	list := e.do(t, req{Path: "/objections", Cookies: f.subject})
	has(t, list, id)
	hasNot(t, list, "李四")
	// Nor through the API: one objection with its history, and the list.
	for _, p := range []string{"/api/v1/objections/" + id, "/api/v1/objections"} {
		r := e.do(t, req{Path: p, Cookies: f.subject})
		if r.Status != 200 {
			t.Fatalf("%s as the subject: %s", p, r)
		}
		has(t, r, id)
		hasNot(t, r, "李四", "13900000000", "139 0000 0000")
	}
}

// TestObjectionPagesConsole: officers see and answer their department's
// objections only; the admin forwards; a refused answer is readable with
// the form refilled; a correction makes a new record version the public
// sees; the subject sees the outcome.
func TestObjectionPagesConsole(t *testing.T) {
	f := newObjectionPagesFixture(t)
	e := f.e
	offA := e.signIn(t, workflow.AccountInput{Username: "samr", Role: "officer", Department: f.dept.Code})
	otherDept := e.dept(t, "11620100MB0003CC", "兰州市应急管理局", "XZCF")
	offB := e.signIn(t, workflow.AccountInput{Username: "yjj", Role: "officer", Department: otherDept.Code})
	admin := e.signIn(t, workflow.AccountInput{Username: "gsxyb", Role: "admin"})
	// The subject files through the page.
	r := f.post(t, "/objections", url.Values{"csrf": {f.csrf}, "record": {f.rec}, "fields": {"CF_NR_FK"}, "reasons": {"罚款金额应为 0.5 万元"}}, f.subject)
	if r.Status != 201 {
		t.Fatalf("file: %s", r)
	}
	o := f.objections(t)[0]
	// And a member of the public objects to the other record.
	pub, err := e.svc.FileObjection(e.ctx, xinyong.Public, f.theirs, xinyong.RecordObjectionInput{Name: "王五", Contact: "wang@example.cn", Reasons: "日期有误"})
	if err != nil {
		t.Fatal(err)
	}

	// Sign-in required.
	if r := e.do(t, req{Path: "/console/objections"}); r.Status != 303 {
		t.Errorf("queue without sign-in: %s", r)
	}
	// Department B sees nothing of A's and cannot answer.
	q := e.do(t, req{Path: "/console/objections", Cookies: offB})
	if q.Status != 200 {
		t.Fatalf("queue B: %s", q)
	}
	hasNot(t, q, o.ID, pub.ID)
	if r := e.do(t, req{Path: "/console/objections/" + o.ID, Cookies: offB}); r.Status != 404 {
		t.Errorf("officer B opens A's objection: %d", r.Status)
	}
	csrfB := csrfOf(t, q)
	r = f.post(t, "/console/objections/"+o.ID+"/resolve", url.Values{"csrf": {csrfB}, "outcome": {"upheld"}, "reasons": {"维持"}}, offB)
	if r.Status != 404 {
		t.Fatalf("officer B answers A's objection: %s", r)
	}
	if cur := f.objections(t); cur[0].State != xinyong.ObjectionFiled && cur[1].State != xinyong.ObjectionFiled {
		t.Fatalf("B's answer changed something: %+v", cur)
	}

	// Department A's queue: both, with deadlines; the case page.
	q = e.do(t, req{Path: "/console/objections", Cookies: offA})
	has(t, q, `id="objection-queue"`, `href="/console/objections/`+o.ID+`"`, pub.ID, o.Deadline.String(), "兰市监罚〔2025〕601号", `href="/console/objections"`)
	c := e.do(t, req{Path: "/console/objections/" + o.ID, Cookies: offA})
	if c.Status != 200 {
		t.Fatalf("case: %s", c)
	}
	has(t, c, `id="resolve-form"`, `name="corr.CF_NR_FK"`, "罚款金额应为 0.5 万元", "兰市监罚〔2025〕601号", `data-field="CF_NR_FK">2 万元`)
	hasNot(t, c, `id="forward-form"`) // only the platform forwards
	csrfA := csrfOf(t, c)
	// Without the CSRF token: refused.
	if r := f.post(t, "/console/objections/"+o.ID+"/resolve", url.Values{"outcome": {"corrected"}, "reasons": {"x"}, "corr.CF_NR_FK": {"0.5"}}, offA); r.Status != 403 {
		t.Fatalf("answer without CSRF: %s", r)
	}
	// Corrected without a correction, and no reasons: refused readably, refilled.
	r = f.post(t, "/console/objections/"+o.ID+"/resolve", url.Values{"csrf": {csrfA}, "outcome": {"corrected"}, "reasons": {""}}, offA)
	if r.Status != 400 {
		t.Fatalf("bad answer: %s", r)
	}
	has(t, r, "每项答复都须说明理由", "更正时须填写更正后的信息项内容", `id="rs-corrected" name="outcome" value="corrected" checked`)
	r = f.post(t, "/console/objections/"+o.ID+"/resolve", url.Values{"csrf": {csrfA}, "outcome": {"upheld"}, "reasons": {"经核实"}, "corr.CF_NR_FK": {"0.5"}}, offA)
	if r.Status != 400 {
		t.Fatalf("upheld with corrections: %s", r)
	}
	has(t, r, `value="0.5"`, "经核实")
	// Corrected.
	r = f.post(t, "/console/objections/"+o.ID+"/resolve", url.Values{"csrf": {csrfA}, "outcome": {"corrected"}, "reasons": {"经核实，罚款金额登记有误"}, "corr.CF_NR_FK": {"0.5"}, "corr.CF_WFXW": {"  "}}, offA)
	if r.Status != 303 || r.Header.Get("Location") != "/console/objections/"+o.ID+"?done=1" {
		t.Fatalf("answer: %s", r)
	}
	rec, _, err := e.svc.RecordView(e.ctx, xinyong.System, f.rec)
	if err != nil || rec.Version != 2 || rec.Fields["CF_NR_FK"] != "0.5" || rec.Fields["CF_WFXW"] != "虚假宣传" {
		t.Fatalf("record after the correction: %+v %v", rec, err)
	}
	c = e.do(t, req{Path: "/console/objections/" + o.ID + "?done=1", Cookies: offA})
	has(t, c, `data-state="resolved"`, `data-outcome="corrected"`, "v2")
	hasNot(t, c, `id="resolve-form"`)
	// The public page shows the corrected value, no longer in dispute.
	page := e.do(t, req{Path: "/subjects/" + f.org + "?tab=penalty"})
	has(t, page, "0.5 万元")
	hasNot(t, page, xinyong.MarkInDispute)
	// The subject is told.
	st := e.do(t, req{Path: "/objections/" + o.ID, Cookies: f.subject})
	has(t, st, `data-outcome="corrected"`, "经核实，罚款金额登记有误", "罚款金额：0.5")

	// The admin forwards the public's objection; the deadline moves.
	c = e.do(t, req{Path: "/console/objections/" + pub.ID, Cookies: admin})
	has(t, c, `id="forward-form"`, `id="resolve-form"`, "王五", "wang@example.cn")
	r = f.post(t, "/console/objections/"+pub.ID+"/forward", url.Values{"csrf": {csrfOf(t, c)}, "note": {"需作出决定的部门核实"}}, admin)
	if r.Status != 303 {
		t.Fatalf("forward: %s", r)
	}
	fw, _, err := e.svc.Objection(e.ctx, xinyong.System, pub.ID)
	if err != nil || fw.State != xinyong.ObjectionForwarded || !fw.Deadline.After(pub.Deadline) {
		t.Fatalf("forwarded: %+v %v", fw, err)
	}
	// The officer may not forward.
	if r := f.post(t, "/console/objections/"+pub.ID+"/forward", url.Values{"csrf": {csrfA}}, offA); r.Status != 409 && r.Status != 403 {
		t.Errorf("officer forwards: %s", r)
	}

	// Overdue: an objection whose deadline has passed is highlighted and
	// kept by the overdue filter (its deadline set back in the store).
	err = e.app.Store.Update(e.ctx, func(tx xinyong.Tx) error {
		cur, err := tx.Objection(pub.ID)
		if err != nil {
			return err
		}
		next := cur
		next.Version++
		next.Deadline = xinyong.DateOf(tx.Now()).AddDays(-2)
		return tx.UpdateObjection(next, cur.State, cur.Version)
	})
	if err != nil {
		t.Fatal(err)
	}
	q = e.do(t, req{Path: "/console/objections?f=1&open=1&overdue=1", Cookies: offA})
	has(t, q, `<tr class="overdue" data-id="`+pub.ID+`">`, "已逾期")
	hasNot(t, q, o.ID) // answered: neither open nor overdue
	q = e.do(t, req{Path: "/console/objections?f=1", Cookies: offA})
	has(t, q, o.ID, pub.ID, "更正")
}
