package server

import (
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// The audit log records a record version by its salted ledger commitment,
// not by a plain digest of its content: once a repair erases content and
// salt, a guess of the content cannot be confirmed against the audit log.
func TestAuditDoesNotDigestRecordContent(t *testing.T) {
	e := newEnv(t)
	d := e.dept(t, "11620100MB0001AA", "兰州市市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	var res workflow.SubmitResult
	r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: off, Body: penaltyInput(t, uscc(t, "91620100MA74QX3K"), "兰州某某商贸有限公司", "兰市监罚〔2026〕95号")})
	if r.Status != 201 {
		t.Fatalf("submit: %s", r)
	}
	r.json(t, &res)
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/records/" + res.Record.ID + "/withdraw", Token: off, Body: withdrawRequest{Reason: "revoked", Note: "复议撤销"}}); r.Status != 200 {
		t.Fatalf("withdraw: %s", r)
	}
	var versions []xinyong.Record
	if err := e.app.Store.View(e.ctx, func(tx xinyong.Tx) (err error) { versions, err = tx.RecordVersions(res.Record.ID); return }); err != nil {
		t.Fatal(err)
	}
	if len(versions) != 2 {
		t.Fatalf("%d versions", len(versions))
	}
	evs := e.auditEvents(t, xinyong.AuditFilter{ObjectType: "record", ObjectID: res.Record.ID})
	if len(evs) != 2 {
		t.Fatalf("%d audit events of the record", len(evs))
	}
	for _, ev := range evs {
		for _, v := range versions {
			plain := workflow.Digest(v.Content)
			if ev.AfterDigest == plain || ev.BeforeDigest == plain {
				t.Errorf("audit %s carries the plain digest of version %d's content", ev.Action, v.Version)
			}
		}
		if ev.AfterDigest == "" {
			t.Errorf("audit %s has no digest at all", ev.Action)
		}
	}
}
