package workflow_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/app"
	"xinyong/internal/workflow"
)

// Credit repair (信用修复, issue 7) through the workflow, on a real SQLite
// store with a settable clock: nothing sleeps.

type rpEnv struct {
	ctx        context.Context
	a          *app.App
	svc        *workflow.Service
	clk        *clock
	deptA      xinyong.Department
	offA, offB xinyong.Actor
	org, other string
	subj       xinyong.Actor // the org's subject account
	files      string
}

func newRepairEnv(t *testing.T) *rpEnv {
	t.Helper()
	ctx := context.Background()
	clk := &clock{now: day("2026-06-01")} // a Monday, Order 36 in force
	a, cfg := openApp(t, clk)
	if cfg.FilesDir != filepath.Join(filepath.Dir(strings.TrimPrefix(cfg.DB, "sqlite:")), "xinyong-files") || cfg.MaxProof != 10<<20 {
		t.Fatalf("files default: %s %d", cfg.FilesDir, cfg.MaxProof)
	}
	var err error
	e := &rpEnv{ctx: ctx, a: a, svc: a.Service, clk: clk, files: cfg.FilesDir}
	e.deptA, err = a.Service.CreateDepartment(ctx, xinyong.System, workflow.DepartmentInput{Code: uscc(t, "11620100MB0001AA"), Name: "兰州市市场监督管理局", Provides: []string{"XZCF"}})
	if err != nil {
		t.Fatal(err)
	}
	deptB, err := a.Service.CreateDepartment(ctx, xinyong.System, workflow.DepartmentInput{Code: uscc(t, "11620100MB0002BB"), Name: "兰州市税务局", Provides: []string{"XZCF"}})
	if err != nil {
		t.Fatal(err)
	}
	e.offA = xinyong.Actor{Kind: "account", ID: "oa", Name: "officer A", Role: xinyong.RoleOfficer, DepartmentID: e.deptA.ID}
	e.offB = xinyong.Actor{Kind: "account", ID: "ob", Name: "officer B", Role: xinyong.RoleOfficer, DepartmentID: deptB.ID}
	e.org, e.other = uscc(t, "91620100MA74QX3K"), uscc(t, "91620100MA74QX5M")
	return e
}

func (e *rpEnv) penalty(t *testing.T, code, number, decided, severity string) xinyong.Record {
	t.Helper()
	res, err := e.svc.SubmitRecord(e.ctx, e.offA, "", xinyong.RecordInput{
		Item: "XZCF", SubjectCode: code, SubjectName: "兰州某某商贸有限公司 " + code[10:14],
		Document: xinyong.Document{Type: xinyong.DocPenaltyDecision, Number: number, Authority: "兰州市市场监督管理局", DecisionDate: xinyong.MustDate(decided)},
		Fields: map[string]string{"CF_XDR_LB": "法人及非法人组织", "CF_WFXW": "虚假宣传", "CF_SY": "发布虚假广告", "CF_YJ": "《广告法》第五十五条",
			"CF_NR": "罚款人民币贰万元", "CF_NR_FK": "2", "CF_CFJGDM": e.deptA.Code, "CF_SJLY": "兰州市市场监督管理局", "CF_SJLYDM": e.deptA.Code},
		Severity: severity, Categories: []string{"罚款"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if e.subj.SubjectID == "" && code == e.org {
		e.subj = xinyong.Actor{Kind: "account", ID: "us", Name: "subject", Role: xinyong.RoleSubject, SubjectID: res.Record.SubjectID}
	}
	return res.Record
}

// list puts the subject of rec on the SAMR serious list through the whole
// procedure (proposal, notice, decision after the objection deadline,
// listing), the clock moved past the deadline; it returns the listing.
func (e *rpEnv) list(t *testing.T, rec xinyong.Record, decision string) xinyong.Listing {
	t.Helper()
	l, err := e.svc.ProposeListing(e.ctx, e.offA, xinyong.ListingProposal{ListType: "SAMR_SERIOUS", Subject: e.org, RecordIDs: []string{rec.ID},
		Reasons: "一年内三次虚假宣传受较重处罚", Basis: "《市场监督管理严重违法失信名单管理办法》第二条"})
	if err != nil {
		t.Fatal(err)
	}
	if l, err = e.svc.NotifyListing(e.ctx, e.offA, l.ID, xinyong.NoticeInput{}); err != nil {
		t.Fatal(err)
	}
	e.clk.Set(day(l.Notice.ObjectionDeadline.AddDays(1).String()))
	if _, err = e.svc.DecideListing(e.ctx, e.offA, l.ID, xinyong.ListingDecision{Number: decision, Reason: "一年内三次虚假宣传受较重处罚", Basis: "《市场监督管理严重违法失信名单管理办法》第二条",
		Measures: []string{"CPC-SC-2025-RESTRICT"}, RemovalConditions: "列入满一年，已履行处罚", RemovalProcedure: "申请信用修复，免费",
		Remedies: xinyong.Remedies{Reconsideration: "六十日内申请行政复议", Litigation: "六个月内提起行政诉讼"}}); err != nil {
		t.Fatal(err)
	}
	if l, err = e.svc.ListListing(e.ctx, e.offA, l.ID); err != nil {
		t.Fatal(err)
	}
	return l
}

var pdfBytes = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

func (e *rpEnv) proof(t *testing.T) xinyong.RepairFile {
	t.Helper()
	f, err := e.svc.StoreProof(e.ctx, "缴款收据.pdf", bytes.NewReader(pdfBytes))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func goodInput(recordID string) xinyong.RepairInput {
	return xinyong.RepairInput{RecordID: recordID, Name: "张三", Contact: "13800000000", Correction: "罚款已全额缴纳，虚假广告已撤下", Obligations: true, Commitment: true}
}

func (e *rpEnv) auditCount(t *testing.T) int {
	t.Helper()
	evs, err := e.svc.Audit(e.ctx, xinyong.System, xinyong.AuditFilter{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

func (e *rpEnv) events(t *testing.T, typ string) []xinyong.Event {
	t.Helper()
	var out []xinyong.Event
	err := e.svc.Store.View(e.ctx, func(tx xinyong.Tx) error {
		es, err := tx.Events(0, 100000)
		for _, ev := range es {
			if ev.Type == typ {
				out = append(out, ev)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (e *rpEnv) publicIDs(t *testing.T, code string) []string {
	t.Helper()
	p, err := e.svc.SubjectProfile(e.ctx, xinyong.Public, code)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range p.Records {
		ids = append(ids, r.ID)
	}
	return ids
}

func (e *rpEnv) verify(t *testing.T) workflow.VerifyReport {
	t.Helper()
	rep, err := e.svc.Verify(e.ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestRepairApplyAcceptApprove: eligibility with reasons, refusals that
// change nothing, the deadlines, the department's acceptance and approval,
// and the outcome everywhere at once: publication and sharing end, the
// public portal no longer shows the record, the events are in the outbox,
// the ledger verifies.
func TestRepairApplyAcceptApprove(t *testing.T) {
	e := newRepairEnv(t)
	old := e.penalty(t, e.org, "兰市监罚〔2025〕101号", "2025-12-01", "general") // minimum 3 months run on 2026-03-01
	recent := e.penalty(t, e.org, "兰市监罚〔2026〕102号", "2026-05-04", "general")
	theirs := e.penalty(t, e.other, "兰市监罚〔2026〕103号", "2025-11-03", "general")
	if !slices.Contains(e.publicIDs(t, e.org), old.ID) {
		t.Fatal("the record is not public before repair")
	}

	// Eligibility: the reasons, with the date the minimum period runs.
	el, err := e.svc.RepairEligibility(e.ctx, e.subj, recent.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if el.Eligible || len(el.Reasons) != 1 || el.Reasons[0].Rule != "repair.min_period" || el.EligibleFrom != xinyong.MustDate("2026-08-04") {
		t.Fatalf("recent record: %+v", el)
	}
	el, err = e.svc.RepairEligibility(e.ctx, e.subj, theirs.ID, "")
	if err != nil || el.Eligible || el.Reasons[0].Rule != "repair.not_own" {
		t.Fatalf("another subject's record: %+v %v", el, err)
	}
	el, err = e.svc.RepairEligibility(e.ctx, e.subj, old.ID, "")
	if err != nil || !el.Eligible || el.Rules != "REPAIR-ORDER36" || el.DepartmentID != e.deptA.ID || el.DecideDays != 10 {
		t.Fatalf("old record: %+v %v", el, err)
	}
	cm, err := e.svc.RepairCommitment(e.ctx, e.subj, old.ID, "")
	if err != nil || cm.SHA256 == "" || !bytes.Contains([]byte(cm.Text), []byte("兰市监罚〔2025〕101号")) {
		t.Fatalf("commitment: %+v %v", cm, err)
	}

	// Refusals change nothing.
	before := e.auditCount(t)
	pf := e.proof(t)
	for _, tt := range []struct {
		name  string
		actor xinyong.Actor
		in    xinyong.RepairInput
		code  string
	}{
		{"another subject's record", e.subj, goodInput(theirs.ID), xinyong.EFORBIDDEN},
		{"minimum period not run", e.subj, goodInput(recent.ID), xinyong.EINVALID},
		{"no commitment", e.subj, func() xinyong.RepairInput { in := goodInput(old.ID); in.Commitment = false; return in }(), xinyong.EINVALID},
		{"an officer applying", e.offA, goodInput(old.ID), xinyong.EFORBIDDEN},
		{"the public", xinyong.Public, goodInput(old.ID), xinyong.EUNAUTHORIZED},
		{"unknown record", e.subj, goodInput("nope"), xinyong.ENOTFOUND},
	} {
		if _, err := e.svc.ApplyRepair(e.ctx, tt.actor, tt.in, []xinyong.RepairFile{pf}); xinyong.ErrorCode(err) != tt.code {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
		}
	}
	if _, err := e.svc.ApplyRepair(e.ctx, e.subj, goodInput(old.ID), nil); xinyong.ErrorCode(err) != xinyong.EINVALID {
		t.Errorf("without proof: %v", err)
	}
	if n := e.auditCount(t); n != before {
		t.Fatalf("refused applications wrote %d audit events", n-before)
	}

	rep, err := e.svc.ApplyRepair(e.ctx, e.subj, goodInput(old.ID), []xinyong.RepairFile{pf})
	if err != nil {
		t.Fatal(err)
	}
	cal, _ := e.svc.Calendar(e.ctx)
	today := xinyong.MustDate("2026-06-01")
	if rep.State != xinyong.RepairApplied || !xinyong.ValidProgressCode(rep.Code) || rep.DecideBy != cal.AddWorkingDays(today, 10) || rep.AcceptBy != cal.AddWorkingDays(today, 3) ||
		rep.DepartmentID != e.deptA.ID || rep.Commitment == nil || rep.Commitment.SHA256 != cm.SHA256 || len(rep.Proofs) != 1 || rep.Proofs[0].SHA256 != pf.SHA256 {
		t.Fatalf("applied: %+v", rep)
	}
	if _, err := e.svc.ApplyRepair(e.ctx, e.subj, goodInput(old.ID), []xinyong.RepairFile{pf}); xinyong.ErrorCode(err) != xinyong.ECONFLICT {
		t.Errorf("duplicate application: %v", err)
	}
	pv, err := e.svc.RepairProgress(e.ctx, rep.Code)
	if err != nil || pv.State != xinyong.RepairApplied || pv.DecideBy != rep.DecideBy {
		t.Fatalf("progress: %+v %v", pv, err)
	}
	if _, err := e.svc.RepairProgress(e.ctx, "XF000000000000"); xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
		t.Errorf("unknown code: %v", err)
	}

	// The queue: the department sees it by deadline; another department nothing.
	q, err := e.svc.Repairs(e.ctx, e.offA, xinyong.RepairFilter{}, false)
	if err != nil || len(q) != 1 || q[0].DueStep != "accept" {
		t.Fatalf("queue: %+v %v", q, err)
	}
	if q, _ := e.svc.Repairs(e.ctx, e.offB, xinyong.RepairFilter{}, false); len(q) != 0 {
		t.Errorf("another department sees %d", len(q))
	}
	if _, err := e.svc.AcceptRepair(e.ctx, e.offB, rep.ID, ""); xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
		t.Errorf("another department accepts: %v", err)
	}
	admin := xinyong.Actor{Kind: "account", ID: "adm", Role: xinyong.RoleAdmin}
	if _, err := e.svc.AcceptRepair(e.ctx, admin, rep.ID, ""); xinyong.ErrorCode(err) != xinyong.EFORBIDDEN {
		t.Errorf("the platform decides a department's repair: %v", err)
	}
	// Overdue after the acceptance limit.
	e.clk.Set(day(cal.AddWorkingDays(today, 4).String()))
	if q, _ := e.svc.Repairs(e.ctx, e.offA, xinyong.RepairFilter{}, true); len(q) != 1 || !q[0].Overdue {
		t.Errorf("overdue queue: %+v", q)
	}
	acc, err := e.svc.AcceptRepair(e.ctx, e.offA, rep.ID, "材料齐全")
	if err != nil || acc.State != xinyong.RepairAccepted || !acc.Acceptance.Late {
		t.Fatalf("accept: %+v %v", acc, err)
	}
	if _, err := e.svc.DecideRepair(e.ctx, e.offA, rep.ID, xinyong.RepairDecisionInput{Approve: true}); xinyong.ErrorCode(err) != xinyong.EINVALID {
		t.Errorf("decision without reasons: %v", err)
	}
	dec, err := e.svc.DecideRepair(e.ctx, e.offA, rep.ID, xinyong.RepairDecisionInput{Approve: true, Reasons: "已纠正失信行为并履行义务，作出信用承诺"})
	if err != nil {
		t.Fatal(err)
	}
	if dec.State != xinyong.RepairApproved || dec.Decision.Treatment != xinyong.RepairShielded || dec.Decision.RecordVersion != old.Version+1 {
		t.Fatalf("decided: %+v", dec.Decision)
	}
	// The outcome, everywhere.
	if slices.Contains(e.publicIDs(t, e.org), old.ID) {
		t.Error("the public portal still shows the repaired record")
	}
	if !slices.Contains(e.publicIDs(t, e.org), recent.ID) {
		t.Error("the other record left the portal too")
	}
	self, err := e.svc.SubjectProfile(e.ctx, e.subj, e.org)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range self.Records {
		if r.ID == old.ID && !slices.Contains(r.Marks, xinyong.MarkShielded) {
			t.Errorf("the subject's own view is not marked shielded: %v", r.Marks)
		}
	}
	r, _, err := e.svc.RecordView(e.ctx, e.offA, old.ID)
	if err != nil || r.Window.Open(xinyong.DateOf(e.clk.Now())) || r.Version != old.Version+1 {
		t.Fatalf("record after repair: %+v %v", r.Window, err)
	}
	if n := len(e.events(t, xinyong.EventRecordRepaired)); n != 1 {
		t.Errorf("record.repaired events: %d", n)
	}
	des := e.events(t, xinyong.EventRepairDecided)
	if len(des) != 1 {
		t.Fatalf("repair.decided events: %d", len(des))
	}
	var payload map[string]any
	json.Unmarshal(des[0].Payload, &payload)
	if payload["decision_number"] != old.Document.Number || payload["department_code"] != e.deptA.Code || payload["approved"] != true || payload["treatment"] != "shielded" {
		t.Errorf("repair.decided payload: %v", payload)
	}
	if _, err := e.svc.DecideRepair(e.ctx, e.offA, rep.ID, xinyong.RepairDecisionInput{Approve: true, Reasons: "again"}); xinyong.ErrorCode(err) != xinyong.ECONFLICT {
		t.Errorf("second decision: %v", err)
	}
	if el, _ := e.svc.RepairEligibility(e.ctx, e.subj, old.ID, ""); el.Eligible || el.Reasons[0].Rule != "repair.state" {
		t.Errorf("eligible again after repair: %+v", el)
	}
	v, err := e.svc.Repair(e.ctx, e.subj, rep.ID)
	if err != nil || len(v.History) != 3 {
		t.Fatalf("history: %d %v", len(v.History), err)
	}
	if _, err := e.svc.Repair(e.ctx, e.offB, rep.ID); xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
		t.Errorf("another department reads it: %v", err)
	}
	if rpt := e.verify(t); !rpt.OK() || rpt.Repairs != 3 {
		t.Fatalf("ledger verify: %+v", rpt)
	}
}

// TestRepairRefusal: a refusal states reasons and the remedy and is an
// event too; the record stays.
func TestRepairRefusal(t *testing.T) {
	e := newRepairEnv(t)
	old := e.penalty(t, e.org, "兰市监罚〔2025〕201号", "2025-12-01", "general")
	rep, err := e.svc.ApplyRepair(e.ctx, e.subj, goodInput(old.ID), []xinyong.RepairFile{e.proof(t)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.DecideRepair(e.ctx, e.offA, rep.ID, xinyong.RepairDecisionInput{Reasons: "收据与决定书不符"}); xinyong.ErrorCode(err) != xinyong.EINVALID {
		t.Errorf("refusal without remedy: %v", err)
	}
	dec, err := e.svc.DecideRepair(e.ctx, e.offA, rep.ID, xinyong.RepairDecisionInput{Reasons: "收据与决定书不符", Remedy: "可在六十日内申请行政复议，或补齐材料后重新申请"})
	if err != nil || dec.State != xinyong.RepairRefused {
		t.Fatalf("refuse: %+v %v", dec, err)
	}
	if !slices.Contains(e.publicIDs(t, e.org), old.ID) {
		t.Error("a refused repair removed the record")
	}
	if len(e.events(t, xinyong.EventRepairDecided)) != 1 || len(e.events(t, xinyong.EventRecordRepaired)) != 0 {
		t.Error("events of a refusal")
	}
	// Refused: the subject may apply again.
	if _, err := e.svc.ApplyRepair(e.ctx, e.subj, goodInput(old.ID), []xinyong.RepairFile{e.proof(t)}); err != nil {
		t.Errorf("apply again after refusal: %v", err)
	}
}

// TestRepairDeletion: deletion erases the content and salt of every
// version; ledger verify still passes; an erasure no repair made is found.
func TestRepairDeletion(t *testing.T) {
	e := newRepairEnv(t)
	old := e.penalty(t, e.org, "兰市监罚〔2025〕301号", "2025-12-01", "general")
	other := e.penalty(t, e.org, "兰市监罚〔2025〕302号", "2025-12-02", "general")
	rep, err := e.svc.ApplyRepair(e.ctx, e.subj, goodInput(old.ID), []xinyong.RepairFile{e.proof(t)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AcceptRepair(e.ctx, e.offA, rep.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.DecideRepair(e.ctx, e.offA, rep.ID, xinyong.RepairDecisionInput{Approve: true, Treatment: xinyong.RepairDeleted, Reasons: "符合删除条件"}); err != nil {
		t.Fatal(err)
	}
	err = e.svc.Store.View(e.ctx, func(tx xinyong.Tx) error {
		vs, err := tx.RecordVersions(old.ID)
		if err != nil {
			return err
		}
		if len(vs) != 2 {
			t.Errorf("versions: %d", len(vs))
		}
		for _, v := range vs {
			if v.Content != nil || v.Salt != nil || len(v.Fields) != 0 {
				t.Errorf("v%d keeps content %q salt %x fields %v", v.Version, v.Content, v.Salt, v.Fields)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Nobody sees a deleted record, not even its department.
	if _, err := e.svc.SubjectProfile(e.ctx, e.offA, e.org); err != nil {
		t.Fatal(err)
	}
	self, _ := e.svc.SubjectProfile(e.ctx, e.subj, e.org)
	for _, r := range self.Records {
		if r.ID == old.ID {
			t.Error("the subject still sees a deleted record")
		}
	}
	rpt := e.verify(t)
	if !rpt.OK() || rpt.Erased != 2 {
		t.Fatalf("ledger verify after deletion: %+v", rpt)
	}
	// An erasure behind the application's back is reported with its leaf.
	err = e.svc.Store.Update(e.ctx, func(tx xinyong.Tx) error {
		r, err := tx.Record(other.ID)
		if err != nil {
			return err
		}
		return tx.EraseRecord(r)
	})
	if err != nil {
		t.Fatal(err)
	}
	rpt = e.verify(t)
	if rpt.OK() {
		t.Fatal("an erasure no repair made passes verification")
	}
	found := false
	for _, p := range rpt.Problems {
		if p.Index >= 0 && bytes.Contains([]byte(p.Object), []byte(other.ID)) {
			found = true
		}
	}
	if !found {
		t.Errorf("problems do not name the erased record: %+v", rpt.Problems)
	}
}

// TestRepairListing: removal from the serious list by repair after the
// list type's minimum time listed, through the listing procedure
// (listing.removed), so the measures stop.
func TestRepairListing(t *testing.T) {
	e := newRepairEnv(t)
	rec := e.penalty(t, e.org, "兰市监罚〔2026〕401号", "2026-05-04", "serious")
	l := e.list(t, rec, "兰市监认〔2026〕1号")
	// The record under the listing is repaired through the listing first.
	e.clk.Set(day(xinyong.MustDate("2026-05-04").AddMonths(4).String()))
	if el, _ := e.svc.RepairEligibility(e.ctx, e.subj, rec.ID, ""); el.Eligible || !slices.ContainsFunc(el.Reasons, func(r xinyong.RepairReason) bool { return r.Rule == "repair.listed" }) {
		t.Errorf("record under a listing: %+v", el)
	}
	el, err := e.svc.RepairEligibility(e.ctx, e.subj, "", l.ID)
	if err != nil || el.Eligible || el.Reasons[0].Rule != "repair.min_period" || el.EligibleFrom != l.ListedOn.AddMonths(12) {
		t.Fatalf("listing before a year: %+v %v", el, err)
	}
	e.clk.Set(day(l.ListedOn.AddMonths(12).String()))
	in := goodInput("")
	in.ListingID = l.ID
	rep, err := e.svc.ApplyRepair(e.ctx, e.subj, in, []xinyong.RepairFile{e.proof(t)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AcceptRepair(e.ctx, e.offA, rep.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.DecideRepair(e.ctx, e.offA, rep.ID, xinyong.RepairDecisionInput{Approve: true, Treatment: xinyong.RepairShielded, Reasons: "x"}); xinyong.ErrorCode(err) != xinyong.EINVALID {
		t.Errorf("a treatment for a listing: %v", err)
	}
	dec, err := e.svc.DecideRepair(e.ctx, e.offA, rep.ID, xinyong.RepairDecisionInput{Approve: true, Reasons: "列入满一年，已履行处罚，危害已消除"})
	if err != nil || !dec.Decision.RemoveListing {
		t.Fatalf("decide: %+v %v", dec, err)
	}
	lv, err := e.svc.Listing(e.ctx, e.offA, l.ID)
	if err != nil || lv.State != xinyong.ListingRemoved || lv.Removal.Reason != xinyong.RemovalEarly {
		t.Fatalf("listing after repair: %+v %v", lv.Listing, err)
	}
	if len(e.events(t, xinyong.EventListingRemoved)) != 1 || len(e.events(t, xinyong.EventRepairDecided)) != 1 {
		t.Error("listing.removed and repair.decided")
	}
	if rpt := e.verify(t); !rpt.OK() {
		t.Fatalf("ledger: %+v", rpt.Problems)
	}
}

// TestInboundRepair: a registered peer's signed decision is applied once;
// a forged or altered body and an unknown peer are refused with nothing
// changed.
func TestInboundRepair(t *testing.T) {
	e := newRepairEnv(t)
	rec := e.penalty(t, e.org, "兰市监罚〔2026〕501号", "2026-05-04", "general")
	pub, priv, _ := ed25519.GenerateKey(nil)
	admin := xinyong.Actor{Kind: "account", ID: "adm", Role: xinyong.RoleAdmin}
	if _, err := e.svc.AddPeer(e.ctx, e.offA, workflow.PeerInput{Name: "shaanxi", Key: base64.StdEncoding.EncodeToString(pub)}); xinyong.ErrorCode(err) != xinyong.EFORBIDDEN {
		t.Errorf("an officer registers a peer: %v", err)
	}
	if _, err := e.svc.AddPeer(e.ctx, admin, workflow.PeerInput{Name: "shaanxi", Key: "not a key"}); xinyong.ErrorCode(err) != xinyong.EINVALID {
		t.Errorf("bad key: %v", err)
	}
	if _, err := e.svc.AddPeer(e.ctx, admin, workflow.PeerInput{Name: "shaanxi", Key: base64.StdEncoding.EncodeToString(pub)}); err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(xinyong.InboundRepair{DecisionID: "sx-2026-0001", DepartmentCode: e.deptA.Code, Kind: "penalty", DecisionNumber: rec.Document.Number,
		Treatment: xinyong.RepairEnded, DecidedOn: xinyong.MustDate("2026-05-29"), Reasons: "信用中国（陕西）已准予修复", Issuer: "信用中国（陕西）"})
	sig := workflow.SignInbound(priv, body)
	before := e.auditCount(t)
	altered := bytes.Replace(body, []byte(`"ended"`), []byte(`"deleted"`), 1)
	_, otherKey, _ := ed25519.GenerateKey(nil)
	for _, tt := range []struct {
		name, peer, sig string
		body            []byte
	}{
		{"altered body", "shaanxi", sig, altered},
		{"forged signature", "shaanxi", workflow.SignInbound(otherKey, body), body},
		{"unknown peer", "nobody", sig, body},
		{"no signature", "shaanxi", "", body},
	} {
		if _, err := e.svc.ReceiveInbound(e.ctx, tt.peer, tt.sig, tt.body); xinyong.ErrorCode(err) != xinyong.EUNAUTHORIZED {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	if e.auditCount(t) != before || !slices.Contains(e.publicIDs(t, e.org), rec.ID) {
		t.Fatal("a refused inbound repair changed something")
	}
	res, err := e.svc.ReceiveInbound(e.ctx, "shaanxi", sig, body)
	if err != nil || !res.Created || res.Repair.Route != xinyong.RoutePeer || res.Repair.RecordID != rec.ID {
		t.Fatalf("inbound: %+v %v", res, err)
	}
	again, err := e.svc.ReceiveInbound(e.ctx, "shaanxi", sig, body)
	if err != nil || again.Created || again.Repair.ID != res.Repair.ID {
		t.Fatalf("idempotent: %+v %v", again, err)
	}
	if slices.Contains(e.publicIDs(t, e.org), rec.ID) {
		t.Error("the inbound repair did not end publication")
	}
	if len(e.events(t, xinyong.EventRecordRepaired)) != 1 {
		t.Error("record.repaired of the inbound repair")
	}
	// Matching by subject code and decision number.
	rec2 := e.penalty(t, e.org, "兰市监罚〔2026〕502号", "2026-05-04", "general")
	body2, _ := json.Marshal(xinyong.InboundRepair{DecisionID: "sx-2026-0002", SubjectCode: e.org, DecisionNumber: rec2.Document.Number,
		Treatment: xinyong.RepairShielded, DecidedOn: xinyong.MustDate("2026-05-29"), Reasons: "准予修复"})
	if res, err := e.svc.ReceiveInbound(e.ctx, "shaanxi", workflow.SignInbound(priv, body2), body2); err != nil || res.Repair.RecordID != rec2.ID {
		t.Fatalf("by subject code: %+v %v", res, err)
	}
	body3, _ := json.Marshal(xinyong.InboundRepair{DecisionID: "sx-2026-0003", SubjectCode: e.org, DecisionNumber: "无此文号",
		Treatment: xinyong.RepairShielded, DecidedOn: xinyong.MustDate("2026-05-29"), Reasons: "准予修复"})
	if _, err := e.svc.ReceiveInbound(e.ctx, "shaanxi", workflow.SignInbound(priv, body3), body3); xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
		t.Errorf("no matching record: %v", err)
	}
	if rpt := e.verify(t); !rpt.OK() {
		t.Fatalf("ledger: %+v", rpt.Problems)
	}
}

// TestStoreProof: types are sniffed from the content; an executable named
// .pdf and an oversized file are refused; files are content-addressed.
func TestStoreProof(t *testing.T) {
	e := newRepairEnv(t)
	f1 := e.proof(t)
	f2 := e.proof(t)
	if f1.SHA256 != f2.SHA256 || f1.Type != "application/pdf" || f1.Size != int64(len(pdfBytes)) {
		t.Fatalf("proof: %+v %+v", f1, f2)
	}
	b, err := os.ReadFile(filepath.Join(e.files, f1.SHA256[:2], f1.SHA256))
	if err != nil || !bytes.Equal(b, pdfBytes) {
		t.Fatalf("stored file: %v", err)
	}
	png := append([]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}, make([]byte, 100)...)
	if f, err := e.svc.StoreProof(e.ctx, "photo.pdf", bytes.NewReader(png)); err != nil || f.Type != "image/png" {
		t.Errorf("a PNG named .pdf is a PNG: %+v %v", f, err)
	}
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), make([]byte, 600)...)
	if _, err := e.svc.StoreProof(e.ctx, "收据.pdf", bytes.NewReader(exe)); xinyong.ErrorCode(err) != xinyong.EUNSUPPORTED {
		t.Errorf("an executable renamed .pdf: %v", err)
	}
	e.svc.RepairFiles.MaxProof = 1024
	big := append([]byte("%PDF-1.4\n"), make([]byte, 4096)...)
	if _, err := e.svc.StoreProof(e.ctx, "big.pdf", bytes.NewReader(big)); xinyong.ErrorCode(err) != xinyong.ETOOLARGE {
		t.Errorf("oversized: %v", err)
	}
	tmp, _ := os.ReadDir(filepath.Join(e.files, "tmp"))
	if len(tmp) != 0 {
		t.Errorf("refused uploads left %d temporary files: %v", len(tmp), tmp)
	}
}
