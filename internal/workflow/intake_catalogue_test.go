package workflow_test

import (
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// Intake keeps the catalogue's items decoded in memory, but decides on the
// catalogue in force in its own transaction (目录制管理, DOMAIN.md §1): an
// item retired by another process (a second server over the same store)
// is refused at once by this one, and a new item approved there accepted.
func TestIntakeSeesCatalogueChangesOfOtherProcesses(t *testing.T) {
	e := newGradingEnv(t)
	code := uscc(t, "91620100MA74QX3K")
	e.penalty(t, e.offA, e.deptA, code, "兰市监罚〔2026〕11号", "2026-05-20", "general", xinyong.Leniency{}) // items now in memory
	other := &workflow.Service{Store: e.svc.Store, Clock: e.svc.Clock, Signer: e.svc.Signer, Verifier: e.svc.Verifier, IDKey: e.svc.IDKey, Holiday: e.svc.Holiday, Log: e.svc.Log}
	if _, err := other.TransitionItem(e.ctx, xinyong.System, "XZCF", xinyong.ItemRetired, "test: retired elsewhere"); err != nil {
		t.Fatal(err)
	}
	in := xinyong.RecordInput{
		Item: "XZCF", SubjectCode: code, SubjectName: "兰州某某商贸有限公司",
		Document: xinyong.Document{Type: xinyong.DocPenaltyDecision, Number: "兰市监罚〔2026〕12号", Authority: e.deptA.Name, DecisionDate: xinyong.MustDate("2026-05-21")},
		Fields: map[string]string{"CF_XDR_LB": "法人及非法人组织", "CF_WFXW": "虚假宣传", "CF_SY": "发布虚假广告", "CF_YJ": "《广告法》第五十五条",
			"CF_NR": "罚款人民币贰万元", "CF_NR_FK": "2", "CF_CFJGDM": e.deptA.Code, "CF_SJLY": e.deptA.Name, "CF_SJLYDM": e.deptA.Code},
		Severity: "general", Categories: []string{"罚款"},
	}
	_, err := e.svc.SubmitRecord(e.ctx, e.offA, "", in)
	fes := xinyong.ErrorFields(err)
	if xinyong.ErrorCode(err) != xinyong.EINVALID || len(fes) == 0 || fes[0].Rule != "catalogue.in_force" {
		t.Fatalf("a record of an item retired by another process: err %v %+v, want it refused by catalogue.in_force", err, fes)
	}
}
