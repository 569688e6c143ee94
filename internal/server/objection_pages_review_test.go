package server

import (
	"bytes"
	"net/url"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// TestObjectionCorrectionsFollowTheRecord: the corrected values an answer
// wrote are the record's content. Once a repair deletes the record (content
// and salt erased) nobody may read them any more on the objection's status
// page — neither the member of the public who filed it (number + contact),
// nor the subject, nor the department's officer.
func TestObjectionCorrectionsFollowTheRecord(t *testing.T) {
	f := newObjectionPagesFixture(t)
	e := f.e
	off, err := e.svc.TokenActor(e.ctx, f.off)
	if err != nil {
		t.Fatal(err)
	}
	subj, _, err := e.svc.SessionActor(e.ctx, f.session.Value)
	if err != nil {
		t.Fatal(err)
	}
	o, err := e.svc.FileObjection(e.ctx, xinyong.Public, f.rec, xinyong.RecordObjectionInput{Name: "王五", Contact: "wang@example.cn", Fields: []string{"CF_NR_FK"}, Reasons: "金额有误"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ResolveObjection(e.ctx, off, o.ID, xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeCorrected, Reasons: "经核实更正", Corrections: map[string]string{"CF_NR_FK": "0.7"}}); err != nil {
		t.Fatal(err)
	}
	lookup := url.Values{"id": {o.ID}, "contact": {"wang@example.cn"}}
	r := f.post(t, "/objections/lookup", lookup, nil)
	has(t, r, `data-outcome="corrected"`, "：0.7")

	// The subject repairs the record by deletion.
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

	r = f.post(t, "/objections/lookup", lookup, nil)
	if r.Status != 200 {
		t.Fatalf("lookup: %s", r)
	}
	hasNot(t, r, "0.7")
	st := e.do(t, req{Path: "/objections/" + o.ID, Cookies: f.subject})
	hasNot(t, st, "0.7")
	offA := e.signIn(t, workflow.AccountInput{Username: "samr-review", Role: "officer", Department: f.dept.Code})
	c := e.do(t, req{Path: "/console/objections/" + o.ID, Cookies: offA})
	if c.Status != 200 {
		t.Fatalf("case: %s", c)
	}
	hasNot(t, c, "0.7")
	// The API answers the same: no corrected value of a deleted record.
	for _, as := range []req{{Path: "/api/v1/objections/" + o.ID, Token: f.off}, {Path: "/api/v1/objections/" + o.ID, Cookies: f.subject}} {
		a := e.do(t, as)
		if a.Status != 200 {
			t.Fatalf("API objection: %s", a)
		}
		hasNot(t, a, `"0.7"`)
	}
}
