package workflow_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
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
