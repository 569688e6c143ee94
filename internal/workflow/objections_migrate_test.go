package workflow_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"xinyong"
	"xinyong/internal/app"
	"xinyong/internal/config"
	"xinyong/internal/holiday"
	"xinyong/internal/ledger"
	"xinyong/internal/refdata"
	"xinyong/internal/sqlstore"
	"xinyong/internal/workflow"
)

// openAppAt opens a fresh platform on db ("" for SQLite in a temporary
// directory) migrated up to schema version (not further), with the service
// app.Open builds, bootstrapped; it is closed when t ends. app.Open itself
// refuses a schema older than the binary's.
func openAppAt(t *testing.T, clk *clock, db string, version int64) (*app.App, *sqlstore.DB) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	if db == "" {
		db = "sqlite:" + filepath.Join(dir, "x.db")
	}
	cfg := config.Config{DB: db, KeyDir: filepath.Join(dir, "keys"), FilesDir: filepath.Join(dir, "files"), Origin: "test.xinyong/ledger", LogFormat: "json", LogLevel: "error"}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	st, err := app.OpenStore(ctx, cfg, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sdb, ok := st.(*sqlstore.DB)
	if !ok {
		t.Fatalf("store %T", st)
	}
	p, err := goose.NewProvider(sdb.D.Goose, sdb.W, sdb.Migrations)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		t.Fatal(err)
	}
	if cur, latest, err := sdb.SchemaVersion(ctx); err != nil || cur != version || latest <= version {
		t.Fatalf("schema (%d, %d, %v), want %d below the binary's", cur, latest, err, version)
	}
	if err := os.MkdirAll(cfg.KeyDir, 0o700); err != nil {
		t.Fatal(err)
	}
	signer, verifier, err := ledger.LoadOrCreateKey(filepath.Join(cfg.KeyDir, "ledger.key"), cfg.Origin)
	if err != nil {
		t.Fatal(err)
	}
	idKey := make([]byte, 32)
	rand.Read(idKey)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := &workflow.Service{Store: st, Clock: clk.Now, Signer: signer, Verifier: verifier, IDKey: idKey, Holiday: holiday.New(), Log: log,
		Sharing: xinyong.SharingPolicy{ConsentMaxDuration: time.Duration(cfg.ConsentMaxDays) * 24 * time.Hour, QueryFlagLimit: cfg.QueryFlagLimit, QueryRetentionYears: cfg.QueryRetentionYears}}
	svc.RepairFiles = workflow.RepairConfig{FilesDir: cfg.FilesDir, MaxProof: cfg.MaxProof}
	set, err := refdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Bootstrap(ctx, set); err != nil {
		t.Fatal(err)
	}
	return &app.App{Config: cfg, Store: st, Service: svc, Log: log}, sdb
}

// newRepairEnvAt is newRepairEnv on db at schema version.
func newRepairEnvAt(t *testing.T, db string, version int64) (*rpEnv, *sqlstore.DB) {
	t.Helper()
	ctx := context.Background()
	clk := &clock{now: day("2026-06-01")}
	a, sdb := openAppAt(t, clk, db, version)
	e := &rpEnv{ctx: ctx, a: a, svc: a.Service, clk: clk, files: a.Config.FilesDir}
	var err error
	if e.deptA, err = a.Service.CreateDepartment(ctx, xinyong.System, workflow.DepartmentInput{Code: uscc(t, "11620100MB0001AA"), Name: "兰州市市场监督管理局", Provides: []string{"XZCF"}}); err != nil {
		t.Fatal(err)
	}
	e.offA = xinyong.Actor{Kind: "account", ID: "oa", Name: "officer A", Role: xinyong.RoleOfficer, DepartmentID: e.deptA.ID}
	e.org, e.other = uscc(t, "91620100MA74QX3K"), uscc(t, "91620100MA74QX5M")
	return e, sdb
}

// TestMigration0017ClearsObjectionCorrectionValues: objections answered
// "corrected" before corrected values left the objection hold the values in
// their rows (and their leaves commit to them); a deletion of the record by
// credit repair left them there. Migration 0017 (both dialects) writes those
// rows as answers are written now: the fields named, no values. Afterwards
// no stored row holds a value; the readers (API view, list, console case)
// show the values of a record still there, read from its version, and none
// of the deleted one; ledger verify passes (and still catches a change of
// such a row); a later deletion by repair erases what is left.
func TestMigration0017ClearsObjectionCorrectionValues(t *testing.T) {
	for _, st := range listingStores {
		t.Run(st.name, func(t *testing.T) {
			e, sdb := newRepairEnvAt(t, st.db(t), 16)
			recA := e.penalty(t, e.org, "兰市监罚〔2025〕501号", "2025-12-01", "general")
			recB := e.penalty(t, e.org, "兰市监罚〔2025〕502号", "2025-12-01", "general")
			const markA, markB = "更正值甲乙丙", "更正值丁戊己"
			correct := func(rec xinyong.Record, mark string) xinyong.Objection {
				t.Helper()
				o, err := e.svc.FileObjection(e.ctx, e.subj, rec.ID, xinyong.RecordObjectionInput{Fields: []string{"CF_WFXW"}, Reasons: "违法行为类型登记有误"})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := e.svc.ResolveObjection(e.ctx, e.offA, o.ID, xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeCorrected, Reasons: "经核实更正", Corrections: map[string]string{"CF_WFXW": mark}}); err != nil {
					t.Fatal(err)
				}
				return o
			}
			restore := workflow.StoreCorrectionValues() // the answers as stored before
			oA, oB := correct(recA, markA), correct(recB, markB)
			restore()
			for id, mark := range map[string]string{oA.ID: markA, oB.ID: markB} {
				if s := e.fixStoredObjection(t, id); !strings.Contains(s, mark) || strings.Contains(s, "corrected_fields") {
					t.Fatalf("precondition: %s is not stored the old way: %s", id, s)
				}
			}
			if rpt := e.verify(t); !rpt.OK() || rpt.Objections == 0 {
				t.Fatalf("ledger verify of the old rows: %+v", rpt)
			}
			// The repair deletes A's content in every record version; the
			// objection's rows keep its corrected value (the defect).
			e.fixDeleteByRepair(t, recA)
			if s := e.fixStoredObjection(t, oA.ID); !strings.Contains(s, markA) {
				t.Fatalf("precondition: the old rows of %s lost the value without the migration: %s", oA.ID, s)
			}

			if err := sdb.Migrate(e.ctx); err != nil {
				t.Fatal(err)
			}
			if err := sqlstore.CheckCurrent(e.ctx, sdb); err != nil {
				t.Fatal(err)
			}
			for id, mark := range map[string]string{oA.ID: markA, oB.ID: markB} {
				if s := e.fixStoredObjection(t, id); strings.Contains(s, mark) || strings.Contains(s, `"corrections"`) || !strings.Contains(s, `"corrected_fields":["CF_WFXW"]`) {
					t.Errorf("objection %s after migration 0017: %s", id, s)
				}
			}
			// The readers: B's value read back from its record version, as
			// before; A's nowhere.
			for _, as := range []xinyong.Actor{e.subj, e.offA, xinyong.System} {
				l := listCorrections(t, e, as, oB.ID)
				if !strings.Contains(l, markB) || !strings.Contains(l, `"corrected_fields":["CF_WFXW"]`) {
					t.Errorf("%s's list lacks B's corrected value: %s", as.Ref(), l)
				}
				if l := listCorrections(t, e, as, oA.ID); strings.Contains(l, markA) || strings.Contains(l, `"corrections"`) {
					t.Errorf("%s's list shows A's deleted value: %s", as.Ref(), l)
				}
				v, hist, err := e.svc.Objection(e.ctx, as, oB.ID)
				if err != nil {
					t.Fatal(err)
				}
				last := hist[len(hist)-1].Resolution
				if v.Resolution == nil || v.Resolution.Corrections["CF_WFXW"] != markB || v.Resolution.RecordVersion != recB.Version+1 || last == nil || last.Corrections["CF_WFXW"] != markB {
					t.Errorf("%s's view of B: %+v (history %+v)", as.Ref(), v.Resolution, last)
				}
				v, hist, err = e.svc.Objection(e.ctx, as, oA.ID)
				if err != nil {
					t.Fatal(err)
				}
				if j, _ := json.Marshal([]any{v, hist}); strings.Contains(string(j), markA) || v.Resolution == nil || v.Resolution.Outcome != xinyong.OutcomeCorrected {
					t.Errorf("%s's view of A: %s", as.Ref(), j)
				}
			}
			cs, err := e.svc.ObjectionCase(e.ctx, e.offA, oB.ID, "")
			if err != nil || cs.Resolution == nil || cs.Resolution.Corrections["CF_WFXW"] != markB {
				t.Fatalf("console case of B: %+v %v", cs.Resolution, err)
			}
			if cs, err = e.svc.ObjectionCase(e.ctx, e.offA, oA.ID, ""); err != nil {
				t.Fatal(err)
			} else if j, _ := json.Marshal(cs); strings.Contains(string(j), markA) {
				t.Errorf("console case of A: %s", j)
			}
			if rows, err := e.svc.ObjectionRows(e.ctx, e.offA, xinyong.ObjectionFilter{}, false); err != nil {
				t.Fatal(err)
			} else if j, _ := json.Marshal(rows); strings.Contains(string(j), markA) {
				t.Errorf("console rows show A's deleted value: %s", j)
			}
			// The leaves commit to the old rows: verify accepts exactly
			// the migration's change (B rebuilt from its record version,
			// A's record deleted by an approved repair).
			if rpt := e.verify(t); !rpt.OK() || rpt.Objections == 0 {
				t.Fatalf("ledger verify after migration 0017: %+v", rpt)
			}
			// Any other change of such a row is still caught: of B's answer
			// (rebuilt from its record version), of what A's answer did
			// not write (compared with the version before it).
			tamper := func(id, from, to string) workflow.VerifyReport {
				t.Helper()
				q := `UPDATE objection_version SET data = replace(data, ?, ?) WHERE objection_id = ? AND state = 'resolved'`
				if sdb.D.Name == "postgres" {
					q = `UPDATE objection_version SET data = replace(data, $1, $2) WHERE objection_id = $3 AND state = 'resolved'`
				}
				if _, err := sdb.W.ExecContext(e.ctx, q, from, to, id); err != nil {
					t.Fatal(err)
				}
				return e.verify(t)
			}
			for _, c := range []struct{ id, from, to string }{{oB.ID, "经核实更正", "经核实维持"}, {oA.ID, "违法行为类型登记有误", "违法行为类型无误"}} {
				if rpt := tamper(c.id, c.from, c.to); rpt.OK() || len(rpt.Problems) != 1 || !strings.Contains(rpt.Problems[0].Object, c.id) {
					t.Errorf("ledger verify after a change of %s: %+v", c.id, rpt)
				}
				if rpt := tamper(c.id, c.to, c.from); !rpt.OK() {
					t.Fatalf("ledger verify after undoing the change: %+v", rpt)
				}
			}
			// Deleting B by repair now erases its value everywhere.
			e.fixDeleteByRepair(t, recB)
			if l := listCorrections(t, e, e.offA, oB.ID); strings.Contains(l, markB) {
				t.Errorf("B's value after its deletion: %s", l)
			}
			if rpt := e.verify(t); !rpt.OK() {
				t.Fatalf("ledger verify after deleting B: %+v", rpt)
			}
		})
	}
}
