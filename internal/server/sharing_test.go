package server

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/sqlstore"
	"xinyong/internal/workflow"
)

// sharingFixture: a department that identified an enterprise and a natural
// person, another department, a relying agency (a bank), an auditor, and the
// natural person signed in with a subject account.
type sharingFixture struct {
	e                  *testEnv
	offA, offB, agency string
	auditor            string
	orgCode            string
	personID           string // the person's ID number: never in an answer but the person's own
	personName         string
	personRef          string // the subject id (a URL never carries an ID number)
	personPenalty      string
	subject            []*http.Cookie
	csrf               string
}

func newSharing(t *testing.T) *sharingFixture {
	e := newEnv(t)
	a := e.dept(t, "11620100MB0001AA", "兰州市市场监督管理局", "XZCF", "XZXK")
	b := e.dept(t, "11620100MB0002BB", "兰州市税务局", "XZCF")
	f := &sharingFixture{e: e, offA: e.token(t, "officer", a.Code, ""), offB: e.token(t, "officer", b.Code, ""), auditor: e.token(t, "auditor", "", "")}
	_, secret, err := e.svc.CreateToken(e.ctx, xinyong.System, workflow.TokenInput{Name: "信贷系统", Role: "agency", Organisation: "某银行"})
	if err != nil {
		t.Fatal(err)
	}
	f.agency = secret
	recent := xinyong.DateOf(time.Now()).AddDays(-20)
	f.orgCode = uscc(t, "91620100MA74QX3K")
	in := penaltyInput(t, f.orgCode, "兰州鞋铁荣智商贸有限公司", "兰市监罚〔2026〕101号")
	in.Document.DecisionDate = recent
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: f.offA, Body: in}); r.Status != 201 {
		t.Fatalf("submit: %s", r)
	}
	f.personID, f.personName, f.personPenalty = citizenID(t, "62010219850312123"), "张三明", "兰市监罚〔2026〕202号"
	in = penaltyInput(t, f.personID, f.personName, f.personPenalty)
	in.Document.DecisionDate = recent
	in.Fields["CF_XDR_LB"] = "自然人"
	in.Fields["CF_XDR_ZJHM"] = f.personID
	in.Fields["CF_XDR_MC"] = f.personName
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: f.offA, Body: in}); r.Status != 201 {
		t.Fatalf("submit: %s", r)
	}
	err = e.app.Store.View(e.ctx, func(tx xinyong.Tx) error {
		s, err := tx.SubjectByKey(e.svc.SubjectKey(f.personID))
		f.personRef = s.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	const pw = "correct horse battery"
	if _, _, err := e.svc.CreateAccount(e.ctx, xinyong.System, workflow.AccountInput{Username: "zhangsan", Role: "subject", SubjectCode: f.personID, Password: pw}); err != nil {
		t.Fatal(err)
	}
	_, sess, sec, err := e.svc.Login(e.ctx, "zhangsan", pw, "test")
	if err != nil {
		t.Fatal(err)
	}
	f.subject, f.csrf = []*http.Cookie{{Name: SessionCookie, Value: sec}}, sess.CSRF
	return f
}

// asSubject sends q as the signed-in person.
func (f *sharingFixture) asSubject(t *testing.T, q req) resp {
	t.Helper()
	q.Cookies = f.subject
	q.Header = map[string]string{"X-CSRF-Token": f.csrf}
	return f.e.do(t, q)
}

type sharedAnswer struct {
	Subject struct {
		Ref  string `json:"ref"`
		Name string `json:"name"`
	} `json:"subject"`
	Records   []xinyong.RecordView `json:"records"`
	QueryID   string               `json:"query_id"`
	ConsentID string               `json:"consent_id"`
}

func recordsPath(ref string, params ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		v.Set(params[i], params[i+1])
	}
	return "/api/v1/subjects/" + ref + "/records?" + v.Encode()
}

// clean fails when a refused answer carries the person's data.
func (f *sharingFixture) clean(t *testing.T, what string, r resp) {
	t.Helper()
	for _, s := range []string{f.personID, f.personName, f.personPenalty, "张*明"} {
		if strings.Contains(string(r.Body), s) {
			t.Errorf("%s: the answer leaks %q: %s", what, s, r)
		}
	}
}

func (f *sharingFixture) refusals(t *testing.T) []xinyong.AuditEvent {
	return f.e.auditEvents(t, xinyong.AuditFilter{Action: workflow.ActQueryRefused, Limit: 1000})
}

// TestSharedQueryNeedsPurposeAndBasis: a query of shared information needs a
// purpose and a basis or a consent; bad input is refused clearly, audited,
// and leaks nothing; the public and other roles are refused.
func TestSharedQueryNeedsPurposeAndBasis(t *testing.T) {
	f := newSharing(t)
	e := f.e
	cases := []struct {
		name   string
		q      req
		status int
		code   string
		field  string
		rule   string
	}{
		{"no purpose", req{Path: recordsPath(f.personRef, "basis", "《征信业管理条例》"), Token: f.agency}, 400, xinyong.EINVALID, "purpose", "purpose.required"},
		{"blank purpose", req{Path: recordsPath(f.personRef, "purpose", "   ", "basis", "依据"), Token: f.agency}, 400, xinyong.EINVALID, "purpose", "purpose.required"},
		{"no basis and no consent", req{Path: recordsPath(f.personRef, "purpose", "贷款审批"), Token: f.agency}, 400, xinyong.EINVALID, "basis", "query.basis"},
		{"malformed consent id", req{Path: recordsPath(f.personRef, "purpose", "贷款审批", "consent", "'; DROP TABLE consent; --"), Token: f.agency}, 400, xinyong.EINVALID, "consent", "consent.id"},
		{"purpose too long", req{Path: recordsPath(f.personRef, "purpose", strings.Repeat("查", 201), "basis", "依据"), Token: f.agency}, 400, xinyong.EINVALID, "purpose", "purpose.length"},
		{"purpose with a NUL", req{Path: recordsPath(f.personRef, "purpose", "贷\x00款", "basis", "依据"), Token: f.agency}, 400, xinyong.EINVALID, "purpose", "purpose.control"},
		{"malformed code", req{Path: recordsPath("abc", "purpose", "贷款审批", "basis", "依据"), Token: f.agency}, 400, xinyong.EINVALID, "code", "subject.ref"},
		{"an ID number in the address", req{Path: recordsPath(f.personID, "purpose", "贷款审批", "basis", "依据"), Token: f.agency}, 400, xinyong.EINVALID, "code", "subject.ref"},
		{"path traversal", req{Path: "/api/v1/subjects/%2e%2e%2f%2e%2e%2fetc%2fpasswd/records?purpose=x&basis=y", Token: f.agency}, 400, xinyong.EINVALID, "code", ""},
		{"unknown consent", req{Path: recordsPath(f.personRef, "purpose", "贷款审批", "consent", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"), Token: f.agency}, 403, xinyong.EFORBIDDEN, "consent", "consent.scope"},
		{"unknown subject", req{Path: recordsPath(uscc(t, "91620100MA99WW9W"), "purpose", "贷款审批", "basis", "依据"), Token: f.agency}, 404, xinyong.ENOTFOUND, "", ""},
		{"the public", req{Path: recordsPath(f.personRef, "purpose", "贷款审批", "basis", "依据")}, 401, xinyong.EUNAUTHORIZED, "", ""},
		{"an auditor", req{Path: recordsPath(f.personRef, "purpose", "贷款审批", "basis", "依据"), Token: f.auditor}, 403, xinyong.EFORBIDDEN, "", ""},
		{"the admin", req{Path: recordsPath(f.personRef, "purpose", "贷款审批", "basis", "依据"), Token: e.admin}, 403, xinyong.EFORBIDDEN, "", ""},
	}
	audited := len(f.refusals(t))
	for _, c := range cases {
		r := e.do(t, c.q)
		p := r.problem(t, c.status, c.code)
		if c.field != "" && !p.hasField(c.field, c.rule) {
			t.Errorf("%s: want field %s rule %s: %s", c.name, c.field, c.rule, r)
		}
		f.clean(t, c.name, r)
		// Signed-in callers' refusals are audited; the public's are not
		// (the access log has them).
		want := audited + 1
		if c.q.Token == "" {
			want = audited
		}
		evs := f.refusals(t)
		if len(evs) != want {
			t.Errorf("%s: %d refusal audit events, want %d", c.name, len(evs), want)
		}
		audited = len(evs)
	}
	for _, ev := range f.refusals(t) {
		if strings.Contains(ev.Detail, f.personID) || strings.Contains(ev.Detail, f.personName) {
			t.Errorf("a refusal's audit event holds personal data: %+v", ev)
		}
		if !strings.Contains(ev.Detail, "refused (") {
			t.Errorf("refusal detail: %q", ev.Detail)
		}
	}
	// Nothing was registered for refused queries.
	var log workflow.QueryPage[xinyong.QueryUse]
	e.do(t, req{Path: "/api/v1/query-log", Token: f.auditor}).json(t, &log)
	if len(log.Entries) != 0 {
		t.Errorf("refused queries registered: %+v", log.Entries)
	}
	if vr, err := e.svc.Verify(e.ctx, "", nil); err != nil || !vr.OK() {
		t.Errorf("ledger verification: %v %+v", err, vr.Problems)
	}
}

// TestSharedQueryWithBasis: with a purpose and a statutory basis an agency
// and another department see shared information (the person's name in
// clear; an ID number is masked in every view);
// each query is registered, committed to the ledger, and the ledger
// verifies; a changed entry is caught.
func TestSharedQueryWithBasis(t *testing.T) {
	f := newSharing(t)
	e := f.e
	size0 := e.ledgerSize(t)
	var ans sharedAnswer
	r := e.do(t, req{Path: recordsPath(f.personRef, "purpose", "行政许可审查", "basis", "《行政许可法》第三十一条"), Token: f.offB})
	r.json(t, &ans)
	if r.Status != 200 || len(ans.Records) != 1 || ans.Records[0].Public || ans.Records[0].Fields["CF_XDR_MC"] != f.personName || ans.QueryID == "" {
		t.Fatalf("another department with a basis: %s", r)
	}
	if got := e.ledgerSize(t); got != size0+1 {
		t.Errorf("a query appends one leaf (its query-use entry): %d → %d", size0, got)
	}
	// The organisation's record is shared with the agency under the basis.
	r = e.do(t, req{Path: recordsPath(f.orgCode, "purpose", "贷款审批", "basis", "《征信业管理条例》"), Token: f.agency})
	r.json(t, &ans)
	if r.Status != 200 || len(ans.Records) != 1 || ans.Records[0].Public {
		t.Fatalf("agency, organisation: %s", r)
	}
	// The log has both, newest first, with who, organisation, purpose,
	// basis, subject, items and records.
	var log workflow.QueryPage[xinyong.QueryUse]
	e.do(t, req{Path: "/api/v1/query-log", Token: f.auditor}).json(t, &log)
	if len(log.Entries) != 2 {
		t.Fatalf("query log: %+v", log)
	}
	q := log.Entries[0]
	if q.Organisation != "某银行" || q.Viewer != xinyong.ViewerAgency || q.Purpose != "贷款审批" || q.Basis != "《征信业管理条例》" || q.ID != ans.QueryID ||
		len(q.Items) != 1 || q.Items[0] != "XZCF" || len(q.Records) != 1 || q.Flagged || !strings.HasPrefix(q.Actor, "token:") {
		t.Errorf("entry %+v", q)
	}
	if q := log.Entries[1]; q.Organisation != "兰州市税务局" || q.Viewer != xinyong.ViewerOfficer || q.SubjectID != f.personRef {
		t.Errorf("entry %+v", q)
	}
	vr, err := e.svc.Verify(e.ctx, "", nil)
	if err != nil || !vr.OK() || vr.Queries != 2 {
		t.Fatalf("ledger verification: %v %d %+v", err, vr.Queries, vr.Problems)
	}
	// A changed entry no longer matches its commitment.
	db := e.app.Store.(*sqlstore.DB)
	if _, err := db.W.ExecContext(e.ctx, `UPDATE query_use SET purpose = '营销' WHERE id = ?`, q.ID); err != nil {
		t.Fatal(err)
	}
	vr, err = e.svc.Verify(e.ctx, "", nil)
	if err != nil || vr.OK() || !strings.Contains(vr.Problems[0].Message, "query-use entry does not match") {
		t.Errorf("tampered entry: %v %+v", err, vr.Problems)
	}
	// A deleted entry is missing.
	if _, err := db.W.ExecContext(e.ctx, `DELETE FROM query_use WHERE id = ?`, q.ID); err != nil {
		t.Fatal(err)
	}
	vr, _ = e.svc.Verify(e.ctx, "", nil)
	if vr.OK() || !strings.Contains(vr.Problems[0].Message, "missing") {
		t.Errorf("deleted entry: %+v", vr.Problems)
	}
	// An entry inserted behind the application's back claims no leaf of the log.
	if _, err := db.W.ExecContext(e.ctx, `INSERT INTO query_use (id, at, actor, actor_name, organisation, viewer, purpose, basis, consent_id, subject_id, items, records, flagged, flag_reason, reviewed_by, review_note, ledger_idx)
		VALUES ('forged', 1, 'token:x', 'x', 'x', 'agency', 'x', 'x', '', 'x', '[]', '[]', 0, '', '', '', 999999)`); err != nil {
		t.Fatal(err)
	}
	vr, _ = e.svc.Verify(e.ctx, "", nil)
	found := false
	for _, p := range vr.Problems {
		found = found || (p.Object == "query_use:forged" && strings.Contains(p.Message, "outside the log"))
	}
	if !found {
		t.Errorf("forged entry not reported: %+v", vr.Problems)
	}
}

// TestConsent: the person grants the bank consent for named items, a
// purpose and an expiry; the bank then sees the person's records of those
// items; another organisation, another purpose, an expired or revoked
// consent are refused; the person sees who queried it.
func TestConsent(t *testing.T) {
	f := newSharing(t)
	e := f.e
	in := map[string]any{"organisation": "某银行", "items": []string{"XZCF"}, "purpose": "贷款审批", "expires_at": time.Now().Add(30 * 24 * time.Hour).Format(time.RFC3339)}
	// Bad grants.
	for _, c := range []struct {
		name string
		mod  func(map[string]any)
		rule string
	}{
		{"no expiry", func(m map[string]any) { delete(m, "expires_at") }, "consent.expiry.required"},
		{"two years", func(m map[string]any) { m["expires_at"] = time.Now().AddDate(2, 0, 0).Format("2006-01-02") }, "consent.expiry.max"},
		{"in the past", func(m map[string]any) { m["expires_at"] = "2020-01-01" }, "consent.expiry.past"},
		{"not a time", func(m map[string]any) { m["expires_at"] = "forever" }, "consent.expiry.format"},
		{"unknown item", func(m map[string]any) { m["items"] = []string{"NOPE"} }, "consent.item"},
		{"no purpose", func(m map[string]any) { m["purpose"] = "" }, "purpose.required"},
		{"no organisation", func(m map[string]any) { m["organisation"] = " " }, "organisation.required"},
	} {
		m := map[string]any{}
		for k, v := range in {
			m[k] = v
		}
		c.mod(m)
		r := f.asSubject(t, req{Method: "POST", Path: "/api/v1/consents", Body: m})
		if p := r.problem(t, 400, xinyong.EINVALID); !hasRuleP(p, c.rule) {
			t.Errorf("%s: want rule %s: %s", c.name, c.rule, r)
		}
	}
	// Only a subject grants, for itself.
	e.do(t, req{Method: "POST", Path: "/api/v1/consents", Token: f.agency, Body: in}).problem(t, 403, xinyong.EFORBIDDEN)
	e.do(t, req{Method: "POST", Path: "/api/v1/consents", Body: in}).problem(t, 401, xinyong.EUNAUTHORIZED)

	r := f.asSubject(t, req{Method: "POST", Path: "/api/v1/consents", Body: in})
	var c xinyong.Consent
	r.json(t, &c)
	if r.Status != 201 || c.ID == "" || c.SubjectID != f.personRef || c.Organisation != "某银行" || c.ExpiresAt.IsZero() {
		t.Fatalf("grant: %s", r)
	}
	if evs := e.auditEvents(t, xinyong.AuditFilter{ObjectType: "consent", ObjectID: c.ID}); len(evs) != 1 || evs[0].Action != workflow.ActConsentGrant {
		t.Errorf("grant audit: %+v", evs)
	}
	var list struct {
		Consents []xinyong.Consent `json:"consents"`
	}
	f.asSubject(t, req{Path: "/api/v1/consents"}).json(t, &list)
	if len(list.Consents) != 1 || list.Consents[0].ID != c.ID {
		t.Errorf("own consents: %+v", list)
	}
	e.do(t, req{Path: "/api/v1/consents", Token: f.agency}).problem(t, 403, xinyong.EFORBIDDEN)

	// The bank with the consent sees the person's penalty, the name in
	// clear (an ID number is masked in every view).
	var ans sharedAnswer
	r = e.do(t, req{Path: recordsPath(f.personRef, "purpose", "贷款审批", "consent", c.ID), Token: f.agency})
	r.json(t, &ans)
	if r.Status != 200 || len(ans.Records) != 1 || ans.Records[0].Public || ans.Records[0].Fields["CF_XDR_MC"] != f.personName || ans.ConsentID != c.ID {
		t.Fatalf("agency with consent: %s", r)
	}
	// The same consent gives the bank the person's credit report (issue 5:
	// "a natural person's report only to that person or with consent"),
	// registered as a query-use entry; without it, with another purpose or
	// for another organisation, the report is refused.
	reportPath := "/api/v1/subjects/" + f.personRef + "/report.json"
	var qlog workflow.QueryPage[xinyong.QueryUse]
	e.do(t, req{Path: "/api/v1/query-log?consent=" + c.ID, Token: f.auditor}).json(t, &qlog)
	before := len(qlog.Entries)
	r = e.do(t, req{Path: reportPath + "?consent=" + c.ID + "&purpose=" + url.QueryEscape("贷款审批"), Token: f.agency})
	var doc struct {
		Report struct {
			Scope    string   `json:"scope"`
			Notes    []string `json:"notes"`
			Sections []struct {
				Entries []struct {
					RecordID string `json:"record_id"`
				} `json:"entries"`
			} `json:"sections"`
		} `json:"report"`
	}
	r.json(t, &doc)
	entries := 0
	for _, s := range doc.Report.Sections {
		entries += len(s.Entries)
	}
	if r.Status != 200 || doc.Report.Scope != "consent" || entries != 1 || !strings.Contains(strings.Join(doc.Report.Notes, ""), c.ID) || strings.Contains(string(r.Body), f.personID) {
		t.Fatalf("report with consent: %s", r)
	}
	e.do(t, req{Path: "/api/v1/query-log?consent=" + c.ID, Token: f.auditor}).json(t, &qlog)
	if len(qlog.Entries) != before+1 || qlog.Entries[0].SubjectID != f.personRef || len(qlog.Entries[0].Records) != 1 {
		t.Errorf("report with consent: query-use entries %d -> %d: %+v", before, len(qlog.Entries), qlog.Entries)
	}
	e.do(t, req{Path: reportPath, Token: f.agency}).problem(t, 403, xinyong.EFORBIDDEN)
	if p := e.do(t, req{Path: reportPath + "?consent=" + c.ID + "&purpose=" + url.QueryEscape("营销推广"), Token: f.agency}).problem(t, 403, xinyong.EFORBIDDEN); !p.hasField("consent", "consent.purpose") {
		t.Errorf("report with consent, other purpose: %+v", p)
	}
	if p := e.do(t, req{Path: reportPath + "?consent=" + c.ID + "&purpose=" + url.QueryEscape("贷款审批"), Token: f.offB}).problem(t, 403, xinyong.EFORBIDDEN); !p.hasField("consent", "consent.scope") {
		t.Errorf("report with consent, other organisation: %+v", p)
	}

	// A consent for another item does not open this one: the bank sees
	// what the public sees (masked). (The subject card itself is
	// xinyong.SubjectVisible's: an agency may read subjects.)
	other := in
	other = map[string]any{"organisation": "某银行", "items": []string{"XZXK"}, "purpose": "贷款审批", "expires_at": in["expires_at"]}
	var cx xinyong.Consent
	f.asSubject(t, req{Method: "POST", Path: "/api/v1/consents", Body: other}).json(t, &cx)
	r = e.do(t, req{Path: recordsPath(f.personRef, "purpose", "贷款审批", "consent", cx.ID), Token: f.agency})
	r.json(t, &ans)
	if r.Status != 200 || len(ans.Records) != 1 || !ans.Records[0].Public || ans.Records[0].SubjectName != "张*明" || ans.Records[0].Fields["CF_XDR_MC"] != "张*明" || strings.Contains(string(r.Body), f.personID) {
		t.Fatalf("agency with a consent for another item: %s", r)
	}

	// Another organisation, another purpose: refused, nothing leaks.
	r = e.do(t, req{Path: recordsPath(f.personRef, "purpose", "贷款审批", "consent", c.ID), Token: f.offB})
	if p := r.problem(t, 403, xinyong.EFORBIDDEN); !p.hasField("consent", "consent.scope") || strings.Contains(string(r.Body), "某银行") {
		t.Errorf("other organisation: %s", r)
	}
	f.clean(t, "other organisation", r)
	r = e.do(t, req{Path: recordsPath(f.personRef, "purpose", "营销推广", "consent", c.ID), Token: f.agency})
	if p := r.problem(t, 403, xinyong.EFORBIDDEN); !p.hasField("consent", "consent.purpose") {
		t.Errorf("other purpose: %s", r)
	}
	f.clean(t, "other purpose", r)
	// The consent for the person does not open the organisation.
	r = e.do(t, req{Path: recordsPath(f.orgCode, "purpose", "贷款审批", "consent", c.ID), Token: f.agency})
	if p := r.problem(t, 403, xinyong.EFORBIDDEN); !p.hasField("consent", "consent.scope") {
		t.Errorf("other subject: %s", r)
	}

	// An expired consent.
	now := time.Now().UTC().Truncate(time.Microsecond)
	expired := xinyong.Consent{ID: workflow.NewID(), SubjectID: f.personRef, Organisation: "某银行", Items: []string{"XZCF"}, Purpose: "贷款审批",
		GrantedAt: now.Add(-48 * time.Hour), ExpiresAt: now.Add(-time.Hour), GrantedBy: "account:x"}
	if err := e.app.Store.Update(e.ctx, func(tx xinyong.Tx) error { return tx.PutConsent(expired) }); err != nil {
		t.Fatal(err)
	}
	r = e.do(t, req{Path: recordsPath(f.personRef, "purpose", "贷款审批", "consent", expired.ID), Token: f.agency})
	if p := r.problem(t, 403, xinyong.EFORBIDDEN); !p.hasField("consent", "consent.expired") {
		t.Errorf("expired: %s", r)
	}
	f.clean(t, "expired", r)

	// Revocation takes effect at once.
	e.do(t, req{Method: "POST", Path: "/api/v1/consents/" + c.ID + "/revoke", Token: f.agency}).problem(t, 403, xinyong.EFORBIDDEN)
	r = f.asSubject(t, req{Method: "POST", Path: "/api/v1/consents/" + c.ID + "/revoke"})
	var rc xinyong.Consent
	r.json(t, &rc)
	if r.Status != 200 || rc.RevokedAt == nil {
		t.Fatalf("revoke: %s", r)
	}
	r = e.do(t, req{Path: recordsPath(f.personRef, "purpose", "贷款审批", "consent", c.ID), Token: f.agency})
	if p := r.problem(t, 403, xinyong.EFORBIDDEN); !p.hasField("consent", "consent.revoked") {
		t.Errorf("revoked: %s", r)
	}
	if p := e.do(t, req{Path: reportPath + "?consent=" + c.ID + "&purpose=" + url.QueryEscape("贷款审批"), Token: f.agency}).problem(t, 403, xinyong.EFORBIDDEN); !p.hasField("consent", "consent.revoked") {
		t.Errorf("report with a revoked consent: %+v", p)
	}
	f.clean(t, "revoked", r)
	f.asSubject(t, req{Method: "POST", Path: "/api/v1/consents/" + c.ID + "/revoke"}).problem(t, 409, xinyong.ECONFLICT)
	f.asSubject(t, req{Method: "POST", Path: "/api/v1/consents/not-a-uuid/revoke"}).problem(t, 400, xinyong.EINVALID)
	f.asSubject(t, req{Method: "POST", Path: "/api/v1/consents/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b/revoke"}).problem(t, 404, xinyong.ENOTFOUND)

	// Who queried me: the bank's two successful queries and its report,
	// with the organisation, purpose and consent; never another subject's.
	var mine workflow.QueryPage[workflow.QueryView]
	r = f.asSubject(t, req{Path: "/api/v1/subjects/me/queries"})
	r.json(t, &mine)
	if len(mine.Entries) != 3 || mine.Entries[0].Organisation != "某银行" || mine.Entries[0].ConsentID != cx.ID || mine.Entries[1].ConsentID != c.ID || mine.Entries[2].ConsentID != c.ID || mine.Entries[2].Purpose != "贷款审批" || mine.Entries[2].Records != 1 {
		t.Errorf("who queried me: %s", r)
	}
	f.asSubject(t, req{Path: "/api/v1/subjects/" + f.personRef + "/queries"}).json(t, &mine)
	if len(mine.Entries) != 3 {
		t.Errorf("who queried me by ref: %+v", mine)
	}
	f.asSubject(t, req{Path: "/api/v1/subjects/" + f.orgCode + "/queries"}).problem(t, 403, xinyong.EFORBIDDEN)
	f.asSubject(t, req{Path: "/api/v1/subjects/" + uscc(t, "91620100MA99WW9W") + "/queries"}).problem(t, 403, xinyong.EFORBIDDEN)
	f.asSubject(t, req{Path: "/api/v1/subjects/abc/queries"}).problem(t, 400, xinyong.EINVALID)
	e.do(t, req{Path: "/api/v1/subjects/" + f.personRef + "/queries", Token: f.agency}).problem(t, 403, xinyong.EFORBIDDEN)
	e.do(t, req{Path: "/api/v1/subjects/" + f.personRef + "/queries"}).problem(t, 401, xinyong.EUNAUTHORIZED)

	if vr, err := e.svc.Verify(e.ctx, "", nil); err != nil || !vr.OK() {
		t.Errorf("ledger verification: %v %+v", err, vr.Problems)
	}
}

func hasRuleP(p Problem, rule string) bool {
	for _, f := range p.Errors {
		if f.Rule == rule {
			return true
		}
	}
	return false
}

// TestQueryLogReview: an account reading more subjects per hour than the
// limit is flagged; the auditor filters, reviews and exports; others may
// not; purging refuses anything younger than five years.
func TestQueryLogReview(t *testing.T) {
	f := newSharing(t)
	e := f.e
	e.svc.Sharing.QueryFlagLimit = 1
	for _, ref := range []string{f.orgCode, f.personRef, f.orgCode} {
		if r := e.do(t, req{Path: recordsPath(ref, "purpose", "贷款审批", "basis", "《征信业管理条例》"), Token: f.agency}); r.Status != 200 {
			t.Fatalf("query: %s", r)
		}
	}
	if r := e.do(t, req{Path: recordsPath(f.orgCode, "purpose", "执法检查", "basis", "《行政处罚法》"), Token: f.offB}); r.Status != 200 {
		t.Fatalf("query: %s", r)
	}
	var log workflow.QueryPage[xinyong.QueryUse]
	e.do(t, req{Path: "/api/v1/query-log?flagged=true", Token: f.auditor}).json(t, &log)
	// The bank's 2nd and 3rd queries: 2 distinct subjects within the hour.
	if len(log.Entries) != 2 || !strings.Contains(log.Entries[0].FlagReason, "2 distinct subjects") {
		t.Fatalf("flagged: %+v", log)
	}
	flagged := log.Entries[0]
	actor := flagged.Actor
	e.do(t, req{Path: "/api/v1/query-log?actor=" + url.QueryEscape(actor), Token: f.auditor}).json(t, &log)
	if len(log.Entries) != 3 {
		t.Errorf("by actor: %d", len(log.Entries))
	}
	e.do(t, req{Path: "/api/v1/query-log?subject=" + f.orgCode, Token: f.auditor}).json(t, &log)
	if len(log.Entries) != 3 {
		t.Errorf("by subject: %d", len(log.Entries))
	}
	e.do(t, req{Path: "/api/v1/query-log?subject=" + f.personRef + "&flagged=false", Token: f.auditor}).json(t, &log)
	if len(log.Entries) != 0 {
		t.Errorf("by subject, not flagged: %+v", log.Entries)
	}
	today := xinyong.DateOf(time.Now())
	e.do(t, req{Path: "/api/v1/query-log?from=" + today.String() + "&to=" + today.String(), Token: e.admin}).json(t, &log)
	if len(log.Entries) != 4 {
		t.Errorf("today: %d", len(log.Entries))
	}
	e.do(t, req{Path: "/api/v1/query-log?to=2020-01-01", Token: f.auditor}).json(t, &log)
	if len(log.Entries) != 0 {
		t.Errorf("before 2020: %d", len(log.Entries))
	}
	for _, bad := range []string{"from=yesterday", "flagged=maybe", "from=2026-05-01&to=2026-04-01", "page=0", "subject=abc"} {
		e.do(t, req{Path: "/api/v1/query-log?" + bad, Token: f.auditor}).problem(t, 400, xinyong.EINVALID)
	}
	for _, tok := range []string{f.agency, f.offA} {
		e.do(t, req{Path: "/api/v1/query-log", Token: tok}).problem(t, 403, xinyong.EFORBIDDEN)
		e.do(t, req{Path: "/api/v1/query-log.csv", Token: tok}).problem(t, 403, xinyong.EFORBIDDEN)
	}
	e.do(t, req{Path: "/api/v1/query-log"}).problem(t, 401, xinyong.EUNAUTHORIZED)

	// Review.
	path := "/api/v1/query-log/" + flagged.ID + "/review"
	e.do(t, req{Method: "POST", Path: path, Token: e.admin, Body: map[string]string{"note": "x"}}).problem(t, 403, xinyong.EFORBIDDEN)
	e.do(t, req{Method: "POST", Path: path, Token: f.agency, Body: map[string]string{"note": "x"}}).problem(t, 403, xinyong.EFORBIDDEN)
	r := e.do(t, req{Method: "POST", Path: path, Token: f.auditor, Body: map[string]string{"note": "贷前批量审查，已核实"}})
	var q xinyong.QueryUse
	r.json(t, &q)
	if r.Status != 200 || q.ReviewedAt == nil || q.ReviewNote != "贷前批量审查，已核实" {
		t.Fatalf("review: %s", r)
	}
	e.do(t, req{Method: "POST", Path: path, Token: f.auditor, Body: map[string]string{"note": "again"}}).problem(t, 409, xinyong.ECONFLICT)
	e.do(t, req{Method: "POST", Path: "/api/v1/query-log/nope/review", Token: f.auditor, Body: map[string]string{}}).problem(t, 400, xinyong.EINVALID)
	e.do(t, req{Method: "POST", Path: "/api/v1/query-log/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b/review", Token: f.auditor, Body: map[string]string{}}).problem(t, 404, xinyong.ENOTFOUND)
	e.do(t, req{Path: "/api/v1/query-log?reviewed=false&flagged=true", Token: f.auditor}).json(t, &log)
	if len(log.Entries) != 1 {
		t.Errorf("flagged, not reviewed: %d", len(log.Entries))
	}
	if evs := e.auditEvents(t, xinyong.AuditFilter{ObjectType: "query_use", ObjectID: flagged.ID}); len(evs) != 1 || evs[0].Action != workflow.ActQueryReview {
		t.Errorf("review audit: %+v", evs)
	}

	// Export.
	r = e.do(t, req{Path: "/api/v1/query-log.csv?flagged=true", Token: f.auditor})
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %s", r)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(r.Body), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(workflow.QueryLogCSVHeader, ",") || rows[1][0] != flagged.ID || rows[1][12] != "true" || rows[1][16] != "贷前批量审查，已核实" {
		t.Errorf("csv rows: %q", rows)
	}
	if evs := e.auditEvents(t, xinyong.AuditFilter{Action: workflow.ActQueryExport}); len(evs) != 1 {
		t.Errorf("export audit: %+v", evs)
	}

	// Retention: nothing younger than five years is purged.
	if _, err := e.svc.PurgeQueryLog(e.ctx, xinyong.System, time.Now()); xinyong.ErrorCode(err) != xinyong.EINVALID {
		t.Errorf("purge of today's entries: %v", err)
	}
	if _, err := e.svc.PurgeQueryLog(e.ctx, xinyong.System, time.Now().AddDate(-4, 0, 0)); xinyong.ErrorCode(err) != xinyong.EINVALID {
		t.Errorf("purge of 4-year-old entries: %v", err)
	}
	auditorActor, _ := e.svc.TokenActor(e.ctx, f.auditor)
	if _, err := e.svc.PurgeQueryLog(e.ctx, auditorActor, time.Now().AddDate(-6, 0, 0)); xinyong.ErrorCode(err) != xinyong.EFORBIDDEN {
		t.Errorf("auditor purges: %v", err)
	}
	if n, err := e.svc.PurgeQueryLog(e.ctx, xinyong.System, time.Now().AddDate(-6, 0, 0)); err != nil || n != 0 {
		t.Errorf("purge of 6-year-old entries: %d %v", n, err)
	}
	e.do(t, req{Path: "/api/v1/query-log", Token: f.auditor}).json(t, &log)
	if len(log.Entries) != 4 {
		t.Errorf("after purge: %d", len(log.Entries))
	}
	if vr, err := e.svc.Verify(e.ctx, "", nil); err != nil || !vr.OK() || vr.Queries != 4 {
		t.Errorf("ledger verification: %v %+v", err, vr)
	}
}
