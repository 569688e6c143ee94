package workflow_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// TestApprovalRechecksTheRecord: eligibility is checked when the subject
// applies, but the record's state when the department approves governs:
// a record put on a serious list after the application is not repaired by
// the approval (doc/repair.md: repair.listed, the entry is repaired first),
// and nothing changes.
func TestApprovalRechecksTheRecord(t *testing.T) {
	e := newRepairEnv(t)
	rec := e.penalty(t, e.org, "兰市监罚〔2025〕301号", "2025-03-03", "serious")
	rep, err := e.svc.ApplyRepair(e.ctx, e.subj, goodInput(rec.ID), []xinyong.RepairFile{e.proof(t)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AcceptRepair(e.ctx, e.offA, rep.ID, "材料齐全"); err != nil {
		t.Fatal(err)
	}
	e.list(t, rec, "兰市监信〔2026〕9号") // listed after the application
	before := e.auditCount(t)
	_, err = e.svc.DecideRepair(e.ctx, e.offA, rep.ID, xinyong.RepairDecisionInput{Approve: true, Reasons: "已纠正失信行为并履行义务，作出信用承诺"})
	if xinyong.ErrorCode(err) != xinyong.ECONFLICT || !slices.ContainsFunc(xinyong.ErrorFields(err), func(f xinyong.FieldError) bool { return f.Rule == "repair.listed" }) {
		t.Fatalf("approving the repair of a record listed since the application: %v %+v", err, xinyong.ErrorFields(err))
	}
	if n := e.auditCount(t); n != before {
		t.Errorf("the refused approval wrote %d audit events", n-before)
	}
	got, _, err := e.svc.RecordView(e.ctx, e.offA, rec.ID)
	if err != nil || got.Version != rec.Version || !got.Window.Published {
		t.Fatalf("the record after the refused approval: v%d published %v (%v)", got.Version, got.Window.Published, err)
	}
	// Refusing the application with the reasons still works.
	if _, err := e.svc.DecideRepair(e.ctx, e.offA, rep.ID, xinyong.RepairDecisionInput{Approve: false, Reasons: "该信息已列入严重失信主体名单，应先修复名单", Remedy: "可依法申请行政复议或者提起行政诉讼"}); err != nil {
		t.Fatalf("refusing: %v", err)
	}
}

// TestResubmissionKeepsARepair: after a repair, the department sending the
// decision again — the same (a routine export) or changed — does not undo
// it: a record deleted by repair stays deleted with its content erased, a
// record whose publication ended is not published again, and no
// record.published goes out (DOMAIN.md §6).
func TestResubmissionKeepsARepair(t *testing.T) {
	for _, treat := range []xinyong.RepairOutcome{xinyong.RepairDeleted, xinyong.RepairEnded} {
		t.Run(string(treat), func(t *testing.T) {
			e := newRepairEnv(t)
			number := "兰市监罚〔2025〕401号"
			rec := e.penalty(t, e.org, number, "2025-12-01", "general")
			rep, err := e.svc.ApplyRepair(e.ctx, e.subj, goodInput(rec.ID), []xinyong.RepairFile{e.proof(t)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.AcceptRepair(e.ctx, e.offA, rep.ID, "材料齐全"); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.DecideRepair(e.ctx, e.offA, rep.ID, xinyong.RepairDecisionInput{Approve: true, Treatment: treat, Reasons: "已纠正失信行为并履行义务，作出信用承诺"}); err != nil {
				t.Fatal(err)
			}
			published := len(e.events(t, xinyong.EventRecordPublished))
			again := e.penalty(t, e.org, number, "2025-12-01", "general") // the same decision
			changed := e.penalty(t, e.org, number, "2025-12-01", "serious")
			for _, r := range []xinyong.Record{again, changed} {
				if r.Window.Open(xinyong.DateOf(e.clk.Now())) {
					t.Errorf("v%d: publication open again after the repair", r.Version)
				}
				if treat == xinyong.RepairDeleted && (r.Version != rec.Version+1 || r.Content != nil) {
					t.Errorf("a record deleted by repair came back: v%d, %d bytes of content", r.Version, len(r.Content))
				}
			}
			if n := len(e.events(t, xinyong.EventRecordPublished)); n != published {
				t.Errorf("record.published sent %d more times after the repair", n-published)
			}
			if ids := e.publicIDs(t, e.org); slices.Contains(ids, rec.ID) {
				t.Errorf("the repaired record is public again")
			}
			if rep := e.verify(t); !rep.OK() {
				t.Errorf("ledger verify: %+v", rep)
			}
		})
	}
}

// TestInboundSubjectMustMatch: a peer's decision naming one subject does
// not repair a record of another under the same department and number;
// and a citizen ID number in the peer's reasons is masked before it is
// stored and sent on.
func TestInboundSubjectMustMatch(t *testing.T) {
	e := newRepairEnv(t)
	rec := e.penalty(t, e.org, "兰市监罚〔2026〕531号", "2026-05-04", "general")
	pub, priv, _ := ed25519.GenerateKey(nil)
	admin := xinyong.Actor{Kind: "account", ID: "adm", Role: xinyong.RoleAdmin}
	if _, err := e.svc.AddPeer(e.ctx, admin, workflow.PeerInput{Name: "shaanxi", Key: base64.StdEncoding.EncodeToString(pub)}); err != nil {
		t.Fatal(err)
	}
	send := func(id, subject, reasons string) (workflow.InboundResult, error) {
		body, _ := json.Marshal(xinyong.InboundRepair{DecisionID: id, DepartmentCode: e.deptA.Code, Kind: "penalty", DecisionNumber: rec.Document.Number, SubjectCode: subject,
			Treatment: xinyong.RepairEnded, DecidedOn: xinyong.DateOf(e.clk.Now()), Reasons: reasons})
		return e.svc.ReceiveInbound(e.ctx, "shaanxi", workflow.SignInbound(priv, body), body)
	}
	before := e.auditCount(t)
	if _, err := send("sx-1", e.other, "准予修复"); xinyong.ErrorCode(err) != xinyong.ECONFLICT {
		t.Fatalf("a decision naming another subject: %v", err)
	}
	if e.auditCount(t) != before || !slices.Contains(e.publicIDs(t, e.org), rec.ID) {
		t.Fatal("a decision about another subject changed the record")
	}
	const id = "620102198001011239" // a valid citizen ID number (check character 9)
	res, err := send("sx-2", e.org, "法定代表人（"+id+"）已履行义务，准予修复")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(res.Repair.Decision.Reasons, id) {
		t.Errorf("the peer's reasons keep the full ID: %q", res.Repair.Decision.Reasons)
	}
	for _, ev := range e.events(t, "repair.decided") {
		if strings.Contains(string(ev.Payload), id) {
			t.Errorf("repair.decided carries the full ID: %s", ev.Payload)
		}
	}
}
