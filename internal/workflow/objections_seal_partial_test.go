package workflow_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"xinyong"
	"xinyong/internal/app"
	"xinyong/internal/workflow"
)

// TestObjectionSealWhenLaterMigrationFails: an upgrade from schema 16
// whose later migration (0018) fails after 0017 applied still seals the
// rows 0017 rewrote in that start, which reports the failure; the next
// start applies 0018 and verify passes. Before, the failed start returned
// before the seal and no later start could seal (it no longer applies
// 0017): every migrated row was reported as listed but never sealed.
func TestObjectionSealWhenLaterMigrationFails(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "x.db")
	e, sdb := newRepairEnvAt(t, db, 16)
	rec := e.penalty(t, e.org, "兰市监罚〔2025〕611号", "2025-12-01", "general")
	restore := workflow.StoreCorrectionValues() // answered the old way
	o, err := e.svc.FileObjection(e.ctx, e.subj, rec.ID, xinyong.RecordObjectionInput{Fields: []string{"CF_WFXW"}, Reasons: "违法行为类型登记有误"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ResolveObjection(e.ctx, e.offA, o.ID, xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeCorrected, Reasons: "经核实更正", Corrections: map[string]string{"CF_WFXW": "更正值"}}); err != nil {
		t.Fatal(err)
	}
	restore()
	// 0018 creates this index: made beforehand, its CREATE fails.
	if _, err := sdb.W.ExecContext(ctx, `CREATE INDEX record_department_subject_id ON record (department_id)`); err != nil {
		t.Fatal(err)
	}
	cfg := e.a.Config
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if a, err := app.Open(ctx, cfg, log, app.Options{Clock: e.clk.Now, Migrate: true}); err == nil {
		a.Close()
		t.Fatal("the start whose migration 0018 fails opened")
	}
	if _, err := sdb.W.ExecContext(ctx, `DROP INDEX record_department_subject_id`); err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(ctx, cfg, log, app.Options{Clock: e.clk.Now, Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	rpt, err := a.Service.Verify(ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rpt.OK() || rpt.Objections == 0 {
		t.Fatalf("ledger verify after the second start: %+v", rpt)
	}
}
