package server

import (
	"strings"
	"sync"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

type listingFixture struct {
	e            *testEnv
	offA, offB   string
	deptA        xinyong.Department
	orgCode      string
	recA1, recA2 string
}

func newListingFixture(t *testing.T) *listingFixture {
	e := newEnv(t)
	a := e.dept(t, "11620100MB0001AA", "兰州市市场监督管理局", "XZCF")
	b := e.dept(t, "11620100MB0002BB", "兰州市税务局", "XZCF")
	f := &listingFixture{e: e, deptA: a, offA: e.token(t, "officer", a.Code, ""), offB: e.token(t, "officer", b.Code, "")}
	f.orgCode = uscc(t, "91620100MA74QX3K")
	for i, num := range []string{"兰市监罚〔2026〕301号", "兰市监罚〔2026〕302号"} {
		in := penaltyInput(t, f.orgCode, "兰州某某商贸有限公司", num)
		in.Severity = "serious"
		r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: f.offA, Body: in})
		if r.Status != 201 {
			t.Fatalf("submit: %s", r)
		}
		var res workflow.SubmitResult
		r.json(t, &res)
		if i == 0 {
			f.recA1 = res.Record.ID
		} else {
			f.recA2 = res.Record.ID
		}
	}
	return f
}

func (f *listingFixture) propose(t *testing.T, rec string) xinyong.Listing {
	t.Helper()
	r := f.e.do(t, req{Method: "POST", Path: "/api/v1/listings", Token: f.offA, Body: xinyong.ListingProposal{
		ListType: "SAMR_SERIOUS", Subject: f.orgCode, RecordIDs: []string{rec}, Reasons: "一年内三次虚假宣传受较重处罚", Basis: "《市场监督管理严重违法失信名单管理办法》第二条"}})
	if r.Status != 201 {
		t.Fatalf("propose: %s", r)
	}
	var l xinyong.Listing
	r.json(t, &l)
	return l
}

func (f *listingFixture) step(t *testing.T, token, id, step string, body any, status int) resp {
	t.Helper()
	r := f.e.do(t, req{Method: "POST", Path: "/api/v1/listings/" + id + "/" + step, Token: token, Body: body})
	if r.Status != status {
		t.Fatalf("%s: %s, want %d", step, r, status)
	}
	return r
}

func decisionBody() xinyong.ListingDecision {
	return xinyong.ListingDecision{Number: "兰市监认〔2026〕1号", Reason: "一年内三次虚假宣传受较重处罚", Basis: "《市场监督管理严重违法失信名单管理办法》第二条",
		Measures: []string{"CPC-SC-2025-RESTRICT"}, RemovalConditions: "列入满一年，已履行处罚，危害已消除，未再受较重处罚", RemovalProcedure: "向作出决定的部门申请信用修复，免费",
		Remedies: xinyong.Remedies{Reconsideration: "可在六十日内申请行政复议", Litigation: "可在六个月内提起行政诉讼"}}
}

// TestListingProcedureAPI walks the procedure over HTTP: out-of-order steps,
// a decision missing parts, role boundaries, racing decisions, the history,
// the decision page, the queue and revocation through record withdrawal.
func TestListingProcedureAPI(t *testing.T) {
	f := newListingFixture(t)
	e := f.e
	l := f.propose(t, f.recA1)
	if l.State != xinyong.ListingProposed || l.DepartmentID != f.deptA.ID {
		t.Fatalf("proposed: %+v", l)
	}
	// Another department's officer: cannot propose on A's records, cannot see A's listing or queue.
	r := e.do(t, req{Method: "POST", Path: "/api/v1/listings", Token: f.offB, Body: xinyong.ListingProposal{ListType: "SAMR_SERIOUS", Subject: f.orgCode, RecordIDs: []string{f.recA1}, Reasons: "r", Basis: "b"}})
	r.problem(t, 403, xinyong.EFORBIDDEN)
	e.do(t, req{Path: "/api/v1/listings/" + l.ID, Token: f.offB}).problem(t, 404, xinyong.ENOTFOUND)
	f.step(t, f.offB, l.ID, "notify", nil, 404)
	r = e.do(t, req{Path: "/api/v1/listings?department=" + f.deptA.ID, Token: f.offB})
	r.problem(t, 403, xinyong.EFORBIDDEN)
	var q struct{ Listings []workflow.ListingView }
	e.do(t, req{Path: "/api/v1/listings", Token: f.offB}).json(t, &q)
	if len(q.Listings) != 0 {
		t.Errorf("officer B's queue shows %d listings of A", len(q.Listings))
	}
	e.do(t, req{Path: "/api/v1/listings", Token: ""}).problem(t, 401, xinyong.EUNAUTHORIZED)
	// Out of order.
	f.step(t, f.offA, l.ID, "decide", decisionBody(), 409)
	f.step(t, f.offA, l.ID, "list", nil, 409)
	f.step(t, f.offA, l.ID, "object", xinyong.ObjectionInput{Statement: "x"}, 409)
	f.step(t, f.offA, l.ID, "notify", nil, 200)
	f.step(t, f.offA, l.ID, "notify", nil, 409)
	// The subject objects itself (its own account); the officer answers.
	subj := xinyong.Actor{Kind: "account", ID: "u-s", Name: "subject", Role: xinyong.RoleSubject, SubjectID: l.SubjectID}
	if _, err := e.svc.ObjectListing(e.ctx, xinyong.Actor{Kind: "account", ID: "u-o", Role: xinyong.RoleSubject, SubjectID: "other"}, l.ID, xinyong.ObjectionInput{Statement: "x"}); xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
		t.Errorf("another subject objects: %v", err)
	}
	if _, err := e.svc.ObjectListing(e.ctx, subj, l.ID, xinyong.ObjectionInput{Statement: "处罚已履行完毕", Evidence: []string{"缴款凭证"}}); err != nil {
		t.Fatalf("subject objects: %v", err)
	}
	f.step(t, f.offA, l.ID, "verify", xinyong.VerifyInput{Answer: "经核实，不符合移出条件"}, 200)
	// A decision missing parts is refused naming them.
	d := decisionBody()
	d.Basis, d.Remedies.Litigation = "", ""
	p := f.step(t, f.offA, l.ID, "decide", d, 400).problem(t, 400, xinyong.EINVALID)
	if !p.hasField("basis", "decision.part") || !p.hasField("remedies.litigation", "decision.part") {
		t.Errorf("missing parts not named: %+v", p)
	}
	d = decisionBody()
	d.Measures = []string{"NOT-A-MEASURE"}
	f.step(t, f.offA, l.ID, "decide", d, 400)
	// Two racing decisions: exactly one wins.
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = e.do(t, req{Method: "POST", Path: "/api/v1/listings/" + l.ID + "/decide", Token: f.offA, Body: decisionBody()}).Status
		}()
	}
	wg.Wait()
	if !(statuses[0] == 200 && statuses[1] == 409) && !(statuses[0] == 409 && statuses[1] == 200) {
		t.Fatalf("racing decisions: %v, want one 200 and one 409", statuses)
	}
	f.step(t, f.offA, l.ID, "list", nil, 200)
	// The listing with its history.
	var v workflow.ListingView
	e.do(t, req{Path: "/api/v1/listings/" + l.ID, Token: f.offA}).json(t, &v)
	if v.State != xinyong.ListingListed || len(v.History) != 6 || v.EndDate.IsZero() || !v.Published || len(v.Measures) != 1 {
		t.Errorf("listing: state %s, %d versions, end %s, published %v, measures %d", v.State, len(v.History), v.EndDate, v.Published, len(v.Measures))
	}
	audits := e.auditEvents(t, xinyong.AuditFilter{ObjectType: "listing", ObjectID: l.ID})
	if len(audits) != 6 {
		t.Errorf("%d audit events, want 6 (propose, notify, object, verify, decide, list)", len(audits))
	}
	// The decision document page.
	r = e.do(t, req{Path: "/listings/" + l.ID + "/decision", Token: f.offA})
	if r.Status != 200 || !strings.Contains(r.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("decision page: %s", r)
	}
	for _, want := range []string{`lang="zh-CN"`, "认定决定书", "兰市监认〔2026〕1号", "认定理由", "认定依据", "CPC-SC-2025-RESTRICT", "移出条件", "移出程序", "行政复议", "行政诉讼",
		// The same document as the console's page and the PDF (report.DecisionDocument).
		"告知情况", "异议及核实情况", "信用修复不收取任何费用", "过惩相当", "名单编号 " + l.ID, f.deptA.Name} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("decision page lacks %q", want)
		}
	}
	e.do(t, req{Path: "/listings/" + l.ID + "/decision", Token: f.offB}).problem(t, 404, xinyong.ENOTFOUND)
	// Early removal within the first year is refused.
	f.step(t, f.offA, l.ID, "remove", map[string]string{"reason": "early", "note": "已履行"}, 409)
	// Queue by state.
	e.do(t, req{Path: "/api/v1/listings?state=listed", Token: f.offA}).json(t, &q)
	if len(q.Listings) != 1 || q.Listings[0].ID != l.ID {
		t.Errorf("queue listed: %+v", q.Listings)
	}
	e.do(t, req{Path: "/api/v1/listings?overdue=true", Token: f.offA}).json(t, &q)
	if len(q.Listings) != 0 {
		t.Errorf("overdue queue: %d", len(q.Listings))
	}
	e.do(t, req{Path: "/api/v1/listings?state=bogus", Token: f.offA}).problem(t, 400, xinyong.EINVALID)
	// Withdrawing the record ends the listing at once (revocation).
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/records/" + f.recA1 + "/withdraw", Token: f.offA, Body: map[string]string{"reason": "revoked", "note": "复议撤销"}}); r.Status != 200 {
		t.Fatalf("withdraw: %s", r)
	}
	e.do(t, req{Path: "/api/v1/listings/" + l.ID, Token: f.offA}).json(t, &v)
	if v.State != xinyong.ListingRemoved || v.Removal == nil || v.Removal.Reason != xinyong.RemovalRevoked {
		t.Errorf("after withdrawal: %s %+v", v.State, v.Removal)
	}
	// The expiry job removes listings at the end of their period.
	l2 := f.propose(t, f.recA2)
	f.step(t, f.offA, l2.ID, "notify", nil, 200)
	f.step(t, f.offA, l2.ID, "object", xinyong.ObjectionInput{Statement: "当事人口头陈述，由执法人员记录"}, 200)
	f.step(t, f.offA, l2.ID, "verify", xinyong.VerifyInput{Answer: "不成立"}, 200)
	f.step(t, f.offA, l2.ID, "decide", decisionBody(), 200)
	var listed xinyong.Listing
	f.step(t, f.offA, l2.ID, "list", nil, 200).json(t, &listed)
	if n, err := e.svc.ExpireListings(e.ctx, listed.EndDate.AddDays(-1)); err != nil || n != 0 {
		t.Errorf("expiry the day before: %d %v", n, err)
	}
	if n, err := e.svc.ExpireListings(e.ctx, listed.EndDate); err != nil || n != 1 {
		t.Errorf("expiry on the end date: %d %v", n, err)
	}
	e.do(t, req{Path: "/api/v1/listings/" + l2.ID, Token: f.offA}).json(t, &v)
	if v.State != xinyong.ListingRemoved || v.Removal.Reason != xinyong.RemovalExpired {
		t.Errorf("after expiry: %s", v.State)
	}
	// Every step was a ledger leaf that verification recomputes from the
	// stored listing versions.
	rep, err := e.svc.Verify(e.ctx, "", nil)
	if err != nil || !rep.OK() || rep.Listings == 0 {
		t.Fatalf("ledger verify after the procedure: %v %+v", err, rep)
	}
}

// TestListTypeAPI: only an admin adds list types, and only with a basis in
// one of the four fields.
func TestListTypeAPI(t *testing.T) {
	f := newListingFixture(t)
	e := f.e
	lt := xinyong.ListType{Code: "GS_TEST", Name: "测试名单", Field: xinyong.FieldHealthLife, LegalBasis: "《食品安全法》", PeriodMonths: 36,
		Remedies: "行政复议、行政诉讼", ObjectionWorkingDays: 5, Provenance: xinyong.ProvenanceLocal}
	e.do(t, req{Method: "POST", Path: "/api/v1/list-types", Token: f.offA, Body: lt}).problem(t, 403, xinyong.EFORBIDDEN)
	bad := lt
	bad.LegalBasis, bad.Field = "", "tourism"
	p := e.do(t, req{Method: "POST", Path: "/api/v1/list-types", Token: e.admin, Body: bad}).problem(t, 400, xinyong.EINVALID)
	if !p.hasField("legal_basis", "list.legal_basis") || !p.hasField("field", "list.field") {
		t.Errorf("refusal: %+v", p)
	}
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/list-types", Token: e.admin, Body: lt}); r.Status != 201 {
		t.Fatalf("add list type: %s", r)
	}
	var got struct {
		ListTypes []xinyong.ListType `json:"list_types"`
	}
	e.do(t, req{Path: "/api/v1/list-types"}).json(t, &got)
	found := false
	for _, x := range got.ListTypes {
		found = found || x.Code == "GS_TEST"
	}
	if !found {
		t.Error("the new list type is not listed")
	}
}

// TestListingRoleBoundaries: relying agencies, auditors and the public
// cannot conduct the procedure; auditors read every department's queue.
func TestListingRoleBoundaries(t *testing.T) {
	f := newListingFixture(t)
	e := f.e
	l := f.propose(t, f.recA1)
	agency := e.token(t, "agency", "", "")
	auditor := e.token(t, "auditor", "", "")
	body := xinyong.ListingProposal{ListType: "SAMR_SERIOUS", Subject: f.orgCode, RecordIDs: []string{"no-such-record"}, Reasons: "r", Basis: "b"}
	e.do(t, req{Method: "POST", Path: "/api/v1/listings", Token: agency, Body: body}).problem(t, 403, xinyong.EFORBIDDEN)
	e.do(t, req{Method: "POST", Path: "/api/v1/listings", Body: body}).problem(t, 401, xinyong.EUNAUTHORIZED)
	e.do(t, req{Method: "POST", Path: "/api/v1/listings", Token: e.admin, Body: body}).problem(t, 403, xinyong.EFORBIDDEN)
	f.step(t, agency, l.ID, "notify", nil, 404)
	f.step(t, auditor, l.ID, "notify", nil, 403)
	e.do(t, req{Path: "/api/v1/listings", Token: agency}).problem(t, 403, xinyong.EFORBIDDEN)
	var q struct{ Listings []workflow.ListingView }
	e.do(t, req{Path: "/api/v1/listings", Token: auditor}).json(t, &q)
	if len(q.Listings) != 1 {
		t.Errorf("auditor's view: %d listings", len(q.Listings))
	}
}
