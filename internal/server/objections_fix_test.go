package server

import (
	"bytes"
	"net/url"
	"slices"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// fixRepairDelete has the subject repair the fixture's record and the
// department approve its deletion (content and salt of every version erased).
func fixRepairDelete(t *testing.T, f *objectionPagesFixture) {
	t.Helper()
	e := f.e
	off, err := e.svc.TokenActor(e.ctx, f.off)
	if err != nil {
		t.Fatal(err)
	}
	subj, _, err := e.svc.SessionActor(e.ctx, f.session.Value)
	if err != nil {
		t.Fatal(err)
	}
	proof, err := e.svc.StoreProof(e.ctx, "收据.pdf", bytes.NewReader(testPDF))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := e.svc.ApplyRepair(e.ctx, subj, xinyong.RepairInput{RecordID: f.rec, Name: "张三", Contact: "13800000000", Correction: "罚款已缴清", Obligations: true, Commitment: true}, []xinyong.RepairFile{proof})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AcceptRepair(e.ctx, off, rep.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.DecideRepair(e.ctx, off, rep.ID, xinyong.RepairDecisionInput{Approve: true, Treatment: xinyong.RepairDeleted, Reasons: "准予删除"}); err != nil {
		t.Fatal(err)
	}
}

func fixFile(t *testing.T, f *objectionPagesFixture) xinyong.Objection {
	t.Helper()
	subj, _, err := f.e.svc.SessionActor(f.e.ctx, f.session.Value)
	if err != nil {
		t.Fatal(err)
	}
	o, err := f.e.svc.FileObjection(f.e.ctx, subj, f.rec, xinyong.RecordObjectionInput{Reasons: "信息登记有误"})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestObjectionListAfterRepairDeletion: GET /api/v1/objections shows the
// corrected values of an answer as each reader sees the record now, as the
// single view does: none once a repair deleted the record (DOMAIN.md §6).
func TestObjectionListAfterRepairDeletion(t *testing.T) {
	f := newObjectionPagesFixture(t)
	e := f.e
	o := fixFile(t, f)
	const marker = "更正标记值"
	r := e.do(t, req{Method: "POST", Path: "/api/v1/objections/" + o.ID + "/resolve", Token: f.off, Body: xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeCorrected, Reasons: "经核实更正", Corrections: map[string]string{"CF_WFXW": marker}}})
	if r.Status != 200 {
		t.Fatalf("resolve: %s", r)
	}
	lists := []req{{Path: "/api/v1/objections", Token: f.off}, {Path: "/api/v1/objections", Cookies: f.subject}}
	for _, l := range lists {
		has(t, e.do(t, l), marker)
	}
	fixRepairDelete(t, f)
	for _, l := range append(lists, req{Path: "/api/v1/objections/" + o.ID, Token: f.off}, req{Path: "/api/v1/objections/" + o.ID, Cookies: f.subject}) {
		a := e.do(t, l)
		if a.Status != 200 {
			t.Fatalf("%s: %s", l.Path, a)
		}
		hasNot(t, a, marker)
	}
	c := e.do(t, req{Path: "/objections", Cookies: f.subject})
	hasNot(t, c, marker)
}

// TestObjectionCorrectionRefusedByIntakeRules: a correction that intake
// would refuse (catalogue enum values, amount type) is a 400 problem with
// one error per field naming the field and the rule; nothing is written.
func TestObjectionCorrectionRefusedByIntakeRules(t *testing.T) {
	f := newObjectionPagesFixture(t)
	e := f.e
	o := fixFile(t, f)
	r := e.do(t, req{Method: "POST", Path: "/api/v1/objections/" + o.ID + "/resolve", Token: f.off, Body: xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeCorrected, Reasons: "更正",
		Corrections: map[string]string{"CF_XDR_LB": "不是枚举值", "CF_NR_FK": "abc"}}})
	p := r.problem(t, 400, xinyong.EINVALID)
	var got []string
	for _, fe := range p.Errors {
		got = append(got, fe.Field+" "+fe.Rule)
	}
	slices.Sort(got)
	if want := []string{"corrections.CF_NR_FK field.amount", "corrections.CF_XDR_LB field.enum"}; !slices.Equal(got, want) {
		t.Errorf("errors %v, want %v", got, want)
	}
	v, _, err := e.svc.Objection(e.ctx, xinyong.System, o.ID)
	if err != nil || !v.State.Open() || v.Version != o.Version {
		t.Errorf("a refused answer changed the objection: %+v %v", v.Objection, err)
	}
	// The console form shows the refusal, refilled.
	offA := e.signIn(t, workflow.AccountInput{Username: "samr-fix", Role: "officer", Department: f.dept.Code})
	ct, body := form(url.Values{"csrf": {csrfOf(t, e.do(t, req{Path: "/console/objections/" + o.ID, Cookies: offA}))}, "outcome": {"corrected"}, "reasons": {"更正"}, "corr.CF_XDR_LB": {"不是枚举值"}})
	page := e.do(t, req{Method: "POST", Path: "/console/objections/" + o.ID + "/resolve", Type: ct, Body: body, Cookies: offA})
	if page.Status != 400 {
		t.Fatalf("console refusal: %s", page)
	}
	has(t, page, "不是枚举值", "CF_XDR_LB")
}

// TestObjectionAnswerAfterRepairDeletion: an objection to a record a repair
// deleted is answered (deleted or upheld) instead of failing with a 500; a
// correction is a 409 saying why.
func TestObjectionAnswerAfterRepairDeletion(t *testing.T) {
	f := newObjectionPagesFixture(t)
	e := f.e
	o := fixFile(t, f)
	fixRepairDelete(t, f)
	r := e.do(t, req{Method: "POST", Path: "/api/v1/objections/" + o.ID + "/resolve", Token: f.off, Body: xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeCorrected, Reasons: "更正", Corrections: map[string]string{"CF_NR_FK": "0.5"}}})
	p := r.problem(t, 409, xinyong.ECONFLICT)
	if !strings.Contains(p.Detail, "deleted by credit repair") {
		t.Errorf("409 does not say why: %+v", p)
	}
	r = e.do(t, req{Method: "POST", Path: "/api/v1/objections/" + o.ID + "/resolve", Token: f.off, Body: xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeDeleted, Reasons: "经核实删除"}})
	if r.Status != 200 {
		t.Fatalf("deleted after repair deletion: %s", r)
	}
	var res xinyong.Objection
	r.json(t, &res)
	if res.State != xinyong.ObjectionResolved || res.Resolution.RecordRepaired != xinyong.RepairDeleted {
		t.Errorf("answer: %+v", res.Resolution)
	}
	if rep, err := e.svc.Verify(e.ctx, "", nil); err != nil || !rep.OK() {
		t.Fatalf("ledger verify: %v %+v", err, rep)
	}
}
