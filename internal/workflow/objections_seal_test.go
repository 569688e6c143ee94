package workflow_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/sqlstore"
	"xinyong/internal/workflow"
)

// restartApp starts the platform again on e's database and keys, as serve
// does (app.Open migrating, then Bootstrap); the new process's store stays
// open until t ends. e.svc keeps reading the same database.
func restartApp(t *testing.T, e *rpEnv) {
	t.Helper()
	cfg := e.a.Config
	openAppIn(t, e.clk, filepath.Dir(cfg.KeyDir), cfg.DB)
}

// newRepairEnvOn is newRepairEnv on db, created at the binary's schema.
func newRepairEnvOn(t *testing.T, db string) (*rpEnv, *sqlstore.DB) {
	t.Helper()
	ctx := context.Background()
	clk := &clock{now: day("2026-06-01")}
	dir := t.TempDir()
	a, _ := openAppIn(t, clk, dir, db)
	// On PostgreSQL the default is ./xinyong-files: keep repair proofs in
	// the test's directory.
	a.Config.FilesDir = filepath.Join(dir, "files")
	a.Service.RepairFiles.FilesDir = a.Config.FilesDir
	e := &rpEnv{ctx: ctx, a: a, svc: a.Service, clk: clk, files: a.Config.FilesDir}
	var err error
	if e.deptA, err = a.Service.CreateDepartment(ctx, xinyong.System, workflow.DepartmentInput{Code: uscc(t, "11620100MB0001AA"), Name: "兰州市市场监督管理局", Provides: []string{"XZCF"}}); err != nil {
		t.Fatal(err)
	}
	e.offA = xinyong.Actor{Kind: "account", ID: "oa", Name: "officer A", Role: xinyong.RoleOfficer, DepartmentID: e.deptA.ID}
	e.org, e.other = uscc(t, "91620100MA74QX3K"), uscc(t, "91620100MA74QX5M")
	sdb, ok := a.Store.(*sqlstore.DB)
	if !ok {
		t.Fatalf("store %T", a.Store)
	}
	return e, sdb
}

// answeredObjection files an objection against rec and answers it.
func answeredObjection(t *testing.T, e *rpEnv, rec xinyong.Record, in xinyong.ObjectionResolveInput) xinyong.Objection {
	t.Helper()
	o, err := e.svc.FileObjection(e.ctx, e.subj, rec.ID, xinyong.RecordObjectionInput{Fields: []string{"CF_WFXW"}, Reasons: "违法行为类型登记有误"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ResolveObjection(e.ctx, e.offA, o.ID, in); err != nil {
		t.Fatal(err)
	}
	return o
}

// forgeAsMigrated rewrites the upheld answer of objection id, in both
// tables, to look like an answer migration 0017 rewrote (the reviewer's
// forgery), and lists it in objection_migration unsealed, as the migration
// would have.
func forgeAsMigrated(t *testing.T, e *rpEnv, sdb *sqlstore.DB, id string) {
	t.Helper()
	for _, tbl := range []string{"objection_version", "objection"} {
		rawObjectionSQL(t, e, sdb, `UPDATE `+tbl+` SET data = replace(replace(replace(data, '"outcome":"upheld"', '"outcome":"corrected","corrected_fields":["CF_WFXW"]'), '经核实维持', '经核实更正'), '"by":"account:oa"', '"by":"account:someone-else"') WHERE `+map[string]string{"objection_version": "objection_id", "objection": "id"}[tbl]+` = ?`, id)
	}
	if s := e.fixStoredObjection(t, id); !strings.Contains(s, `"outcome":"corrected"`) {
		t.Fatalf("tamper did not apply: %s", s)
	}
	rawObjectionSQL(t, e, sdb, `INSERT INTO objection_migration (objection_id, version, old_ledger_idx) SELECT objection_id, version, ? FROM objection_version WHERE objection_id = ? AND data LIKE '%corrected_fields%'`, mustLeafOf(t, e, sdb, id), id)
}

var upheld = xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeUpheld, Reasons: "经核实维持"}

// TestObjectionSealRestartForgery (the reviewer's case, SQLite and
// PostgreSQL): on a database migrated from 0016 by a start (app.Open), which
// seals the list right after applying 0017, an upheld answer on a record later deleted by repair is
// rewritten to "corrected" and listed in objection_migration unsealed. The
// next start seals nothing (only the process that applied 0017 seals), and
// ledger verify reports the row after the restart.
func TestObjectionSealRestartForgery(t *testing.T) {
	for _, st := range listingStores {
		t.Run(st.name, func(t *testing.T) {
			e, sdb := newRepairEnvAt(t, st.db(t), 16)
			recA := e.penalty(t, e.org, "兰市监罚〔2025〕521号", "2025-12-01", "general")
			recC := e.penalty(t, e.org, "兰市监罚〔2025〕522号", "2025-12-01", "general")
			restore := workflow.StoreCorrectionValues()
			answeredObjection(t, e, recA, xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeCorrected, Reasons: "经核实更正", Corrections: map[string]string{"CF_WFXW": "更正值甲"}})
			restore()
			oC := answeredObjection(t, e, recC, upheld)
			e.fixDeleteByRepair(t, recA)
			e.fixDeleteByRepair(t, recC)
			// The start that applies 0017 (app.Open) seals its list.
			restartApp(t, e)
			if err := sqlstore.CheckCurrent(e.ctx, sdb); err != nil {
				t.Fatal(err)
			}
			size0, seals, audits := ledgerSize(t, e)
			if seals != 1 || audits != 1 {
				t.Fatalf("after the start that applied 0017: %d seal leaves, %d audit events; want 1, 1", seals, audits)
			}
			if rpt := e.verify(t); !rpt.OK() {
				t.Fatalf("ledger verify of the sealed migration: %+v", rpt)
			}
			forgeAsMigrated(t, e, sdb, oC.ID)
			restartApp(t, e)
			if size1, seals1, _ := ledgerSize(t, e); seals1 != seals || size1 != size0 {
				t.Errorf("the restart wrote %d leaves, %d seal leaves (was %d)", size1-size0, seals1, seals)
			}
			if rpt := e.verify(t); rpt.OK() || !problemAbout(rpt, oC.ID) {
				t.Errorf("after a restart ledger verify accepts C's answer forged from upheld to corrected and listed in objection_migration: %+v", rpt)
			}
		})
	}
}

// TestObjectionSealFreshListed (SQLite and PostgreSQL): on a database
// created at the binary's schema, whose objection_migration is empty and
// never sealed, rows listed in it later (a forged answer, and a faithful
// one) are reported by ledger verify after a restart.
func TestObjectionSealFreshListed(t *testing.T) {
	for _, st := range listingStores {
		t.Run(st.name, func(t *testing.T) {
			e, sdb := newRepairEnvOn(t, st.db(t))
			rec := e.penalty(t, e.org, "兰市监罚〔2025〕531号", "2025-12-01", "general")
			recB := e.penalty(t, e.org, "兰市监罚〔2025〕532号", "2025-12-01", "general")
			o := answeredObjection(t, e, rec, upheld)
			oB := answeredObjection(t, e, recB, upheld)
			e.fixDeleteByRepair(t, rec)
			if rpt := e.verify(t); !rpt.OK() {
				t.Fatalf("after repair: %+v", rpt)
			}
			forgeAsMigrated(t, e, sdb, o.ID)
			// A faithful version listed: its own leaf matches.
			rawObjectionSQL(t, e, sdb, `INSERT INTO objection_migration (objection_id, version, old_ledger_idx) SELECT ov.objection_id, ov.version, le.idx FROM objection_version ov JOIN ledger_entry le ON le.kind = 'objection.version' AND le.object_id = ov.objection_id AND le.version = ov.version WHERE ov.objection_id = ? AND ov.state = 'resolved'`, oB.ID)
			restartApp(t, e)
			if _, seals, _ := ledgerSize(t, e); seals != 0 {
				t.Errorf("the restart sealed the list: %d seal leaves", seals)
			}
			rpt := e.verify(t)
			if rpt.OK() || !problemAbout(rpt, o.ID) {
				t.Errorf("after a restart ledger verify accepts an answer forged from upheld to corrected on a fresh database: %+v", rpt)
			}
			if !problemAbout(rpt, "objection_migration:"+oB.ID) {
				t.Errorf("after a restart ledger verify accepts a row listed in objection_migration of a fresh database: %+v", rpt)
			}
		})
	}
}

// TestObjectionSealSecondLeaf (SQLite and PostgreSQL): a second
// objection.migrated leaf, sealing a forged answer listed after the
// migration, as a seal at a later start wrote, is reported.
func TestObjectionSealSecondLeaf(t *testing.T) {
	for _, st := range listingStores {
		t.Run(st.name, func(t *testing.T) {
			e, sdb := newRepairEnvAt(t, st.db(t), 16)
			recA := e.penalty(t, e.org, "兰市监罚〔2025〕541号", "2025-12-01", "general")
			recC := e.penalty(t, e.org, "兰市监罚〔2025〕542号", "2025-12-01", "general")
			restore := workflow.StoreCorrectionValues()
			answeredObjection(t, e, recA, xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeCorrected, Reasons: "经核实更正", Corrections: map[string]string{"CF_WFXW": "更正值甲"}})
			restore()
			oC := answeredObjection(t, e, recC, upheld)
			e.fixDeleteByRepair(t, recA)
			e.fixDeleteByRepair(t, recC)
			if err := sdb.Migrate(e.ctx); err != nil {
				t.Fatal(err)
			}
			if n, err := e.svc.SealObjectionMigration(e.ctx); err != nil || n != 1 {
				t.Fatalf("seal after applying 0017: %d rows, %v; want 1", n, err)
			}
			forgeAsMigrated(t, e, sdb, oC.ID)
			if n, err := workflow.SealObjectionMigrationUnasked(e.svc, e.ctx); err != nil || n != 1 {
				t.Fatalf("second seal: %d rows, %v", n, err)
			}
			if _, seals, _ := ledgerSize(t, e); seals != 2 {
				t.Fatalf("%d seal leaves, want 2", seals)
			}
			rpt := e.verify(t)
			second := false
			for _, p := range rpt.Problems {
				second = second || strings.Contains(p.Message, "second objection.migrated leaf")
			}
			if rpt.OK() || !second || !problemAbout(rpt, oC.ID) {
				t.Errorf("ledger verify accepts a second seal leaf over a forged answer: %+v", rpt)
			}
		})
	}
}
