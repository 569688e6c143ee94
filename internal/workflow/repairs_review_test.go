package workflow_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// TestInboundReplayPaddedDecisionID: the same signed call again answers the
// same repair (200), also when the peer's decision id carries spaces — it is
// stored trimmed, so it must be looked up trimmed.
func TestInboundReplayPaddedDecisionID(t *testing.T) {
	e := newRepairEnv(t)
	rec := e.penalty(t, e.org, "兰市监罚〔2026〕511号", "2026-05-04", "general")
	pub, priv, _ := ed25519.GenerateKey(nil)
	admin := xinyong.Actor{Kind: "account", ID: "adm", Role: xinyong.RoleAdmin}
	if _, err := e.svc.AddPeer(e.ctx, admin, workflow.PeerInput{Name: "shaanxi", Key: base64.StdEncoding.EncodeToString(pub)}); err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(xinyong.InboundRepair{DecisionID: " sx-2026-0101 ", DepartmentCode: e.deptA.Code, Kind: "penalty", DecisionNumber: rec.Document.Number,
		Treatment: xinyong.RepairEnded, DecidedOn: xinyong.MustDate("2026-05-29"), Reasons: "准予修复"})
	sig := workflow.SignInbound(priv, body)
	res, err := e.svc.ReceiveInbound(e.ctx, "shaanxi", sig, body)
	if err != nil || !res.Created {
		t.Fatalf("inbound: %+v %v", res, err)
	}
	again, err := e.svc.ReceiveInbound(e.ctx, "shaanxi", sig, body)
	if err != nil || again.Created || again.Repair.ID != res.Repair.ID {
		t.Fatalf("the same call again: %+v %v", again, err)
	}
}

// TestInboundRefusedByLocalState: a peer's decision does not repair a local
// record under a serious-list entry in force (its publication stays, the
// listing rests on it), a withdrawn record, or one already repaired; each
// is ECONFLICT naming its rule, with nothing written.
func TestInboundRefusedByLocalState(t *testing.T) {
	e := newRepairEnv(t)
	listed := e.penalty(t, e.org, "兰市监罚〔2026〕521号", "2026-05-04", "serious")
	withdrawn := e.penalty(t, e.org, "兰市监罚〔2026〕522号", "2026-05-04", "general")
	repaired := e.penalty(t, e.org, "兰市监罚〔2026〕523号", "2026-05-04", "general")
	if _, err := e.svc.Withdraw(e.ctx, e.offA, withdrawn.ID, "revoked", "复议撤销"); err != nil {
		t.Fatal(err)
	}
	e.list(t, listed, "兰市监认〔2026〕2号")
	pub, priv, _ := ed25519.GenerateKey(nil)
	admin := xinyong.Actor{Kind: "account", ID: "adm", Role: xinyong.RoleAdmin}
	if _, err := e.svc.AddPeer(e.ctx, admin, workflow.PeerInput{Name: "shaanxi", Key: base64.StdEncoding.EncodeToString(pub)}); err != nil {
		t.Fatal(err)
	}
	send := func(id string, rec xinyong.Record) (workflow.InboundResult, error) {
		body, _ := json.Marshal(xinyong.InboundRepair{DecisionID: id, DepartmentCode: e.deptA.Code, Kind: "penalty", DecisionNumber: rec.Document.Number,
			Treatment: xinyong.RepairEnded, DecidedOn: xinyong.DateOf(e.clk.Now()), Reasons: "信用中国（陕西）已准予修复"})
		return e.svc.ReceiveInbound(e.ctx, "shaanxi", workflow.SignInbound(priv, body), body)
	}
	if _, err := send("sx-1", repaired); err != nil {
		t.Fatal(err)
	}
	before := e.auditCount(t)
	for _, tt := range []struct {
		name, id string
		rec      xinyong.Record
		rule     string
	}{
		{"under a listing in force", "sx-2", listed, "repair.listed"},
		{"withdrawn", "sx-3", withdrawn, "repair.state"},
		{"already repaired by another decision", "sx-4", repaired, "repair.state"},
	} {
		_, err := send(tt.id, tt.rec)
		if xinyong.ErrorCode(err) != xinyong.ECONFLICT {
			t.Errorf("%s: %v, want a conflict", tt.name, err)
			continue
		}
		if fs := xinyong.ErrorFields(err); len(fs) == 0 || fs[0].Rule != tt.rule {
			t.Errorf("%s: fields %+v, want rule %s", tt.name, fs, tt.rule)
		}
	}
	if e.auditCount(t) != before {
		t.Error("a refused inbound decision wrote something")
	}
	if !slices.Contains(e.publicIDs(t, e.org), listed.ID) {
		t.Error("a peer's decision ended the publication of a record under a listing in force")
	}
}

// TestSubjectNameControlCharacters: a subject's name with a control
// character (a NUL, a line break) is refused at intake, naming the field
// and the rule; nothing is recorded.
func TestSubjectNameControlCharacters(t *testing.T) {
	e := newRepairEnv(t)
	for _, name := range []string{"兰州某某商贸\x00有限公司", "兰州某某商贸\n有限公司", "兰州\xff商贸"} {
		_, err := e.svc.SubmitRecord(e.ctx, e.offA, "", xinyong.RecordInput{
			Item: "XZCF", SubjectCode: e.org, SubjectName: name,
			Document: xinyong.Document{Type: xinyong.DocPenaltyDecision, Number: "兰市监罚〔2026〕901号", Authority: "兰州市市场监督管理局", DecisionDate: xinyong.MustDate("2026-05-04")},
			Fields: map[string]string{"CF_XDR_LB": "法人及非法人组织", "CF_WFXW": "虚假宣传", "CF_SY": "发布虚假广告", "CF_YJ": "《广告法》第五十五条",
				"CF_NR": "罚款人民币贰万元", "CF_NR_FK": "2", "CF_CFJGDM": e.deptA.Code, "CF_SJLY": "兰州市市场监督管理局", "CF_SJLYDM": e.deptA.Code},
			Severity: "general", Categories: []string{"罚款"},
		})
		if xinyong.ErrorCode(err) != xinyong.EINVALID || !slices.ContainsFunc(xinyong.ErrorFields(err), func(f xinyong.FieldError) bool {
			return f.Field == "subject_name" && f.Rule == "record.subject_name"
		}) {
			t.Errorf("name %q: %v (fields %+v)", name, err, xinyong.ErrorFields(err))
		}
	}
	if rs, err := e.svc.Records(e.ctx, e.offA, xinyong.RecordFilter{Limit: 10}); err != nil || len(rs) != 0 {
		t.Errorf("records after refused submissions: %d %v", len(rs), err)
	}
}

// TestRefusedUploadKeepsAHeldMaterial: the same material uploaded by two
// applications being read (a double click): the one that created the file
// is refused, the other accepted; the file stays. A refused upload held by
// no one else removes the file it created.
func TestRefusedUploadKeepsAHeldMaterial(t *testing.T) {
	e := newRepairEnv(t)
	body := []byte("%PDF-1.4\n% held by two uploads\n%%EOF\n")
	a, doneA, err := e.svc.StoreUpload(e.ctx, "承诺书.pdf", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, doneB, err := e.svc.StoreUpload(e.ctx, "承诺书.pdf", bytes.NewReader(body))
	if err != nil || b.SHA256 != a.SHA256 {
		t.Fatalf("second upload: %+v %v", b, err)
	}
	path := filepath.Join(e.files, a.SHA256[:2], a.SHA256)
	doneA(true) // the first application refused
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the material the other upload holds was removed: %v", err)
	}
	doneB(false) // the second accepted
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the accepted application's material is gone: %v", err)
	}
	alone := []byte("%PDF-1.4\n% refused alone\n%%EOF\n")
	c, doneC, err := e.svc.StoreUpload(e.ctx, "收据.pdf", bytes.NewReader(alone))
	if err != nil {
		t.Fatal(err)
	}
	doneC(true)
	if _, err := os.Stat(filepath.Join(e.files, c.SHA256[:2], c.SHA256)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused upload held by no one kept its file: %v", err)
	}
}

// TestRefusedUploadAfterTheOtherWasAccepted: a double click where the
// second application is accepted first and the first, which created the
// file, is then refused (a duplicate application): the accepted
// application's material stays.
func TestRefusedUploadAfterTheOtherWasAccepted(t *testing.T) {
	e := newRepairEnv(t)
	body := []byte("%PDF-1.4\n% accepted first, refused second\n%%EOF\n")
	a, doneA, err := e.svc.StoreUpload(e.ctx, "承诺书.pdf", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	_, doneB, err := e.svc.StoreUpload(e.ctx, "承诺书.pdf", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	doneB(false) // accepted
	doneA(true)  // refused as a duplicate of the accepted one
	if b, err := os.ReadFile(filepath.Join(e.files, a.SHA256[:2], a.SHA256)); err != nil || !bytes.Equal(b, body) {
		t.Fatalf("the accepted application's material is gone: %v", err)
	}
	if tmp, _ := os.ReadDir(filepath.Join(e.files, "tmp")); len(tmp) != 0 {
		t.Errorf("decided uploads left %d files in tmp/", len(tmp))
	}
}

// TestUploadHoldsAcrossProcesses: two services (two server processes)
// share the files directory. An upload refused in one process does not
// remove the material an upload being read in the other holds, in either
// order of decision; refused alone, it is removed.
func TestUploadHoldsAcrossProcesses(t *testing.T) {
	e := newRepairEnv(t)
	other := &workflow.Service{RepairFiles: e.svc.RepairFiles} // a second process
	for _, acceptFirst := range []bool{false, true} {
		body := []byte(fmt.Sprintf("%%PDF-1.4\n%% two processes, accept first %v\n%%%%EOF\n", acceptFirst))
		a, doneA, err := e.svc.StoreUpload(e.ctx, "承诺书.pdf", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		_, doneB, err := other.StoreUpload(e.ctx, "承诺书.pdf", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(e.files, a.SHA256[:2], a.SHA256)
		if acceptFirst {
			doneB(false)
			doneA(true)
		} else {
			doneA(true)
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("refused in one process, the material the other holds was removed: %v", err)
			}
			doneB(false)
		}
		if b, err := os.ReadFile(path); err != nil || !bytes.Equal(b, body) {
			t.Fatalf("accept first %v: the accepted application's material is gone: %v", acceptFirst, err)
		}
	}
	alone := []byte("%PDF-1.4\n% refused in the other process alone\n%%EOF\n")
	c, doneC, err := other.StoreUpload(e.ctx, "收据.pdf", bytes.NewReader(alone))
	if err != nil {
		t.Fatal(err)
	}
	doneC(true)
	if _, err := os.Stat(filepath.Join(e.files, c.SHA256[:2], c.SHA256)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused upload held by no one kept its file: %v", err)
	}
	if tmp, _ := os.ReadDir(filepath.Join(e.files, "tmp")); len(tmp) != 0 {
		t.Errorf("decided uploads left %d files in tmp/", len(tmp))
	}
}
