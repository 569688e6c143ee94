package workflow_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
			// What app.Open runs right after the Migrate that applied 0017.
			if n, err := e.svc.SealObjectionMigration(e.ctx); err != nil || n != 2 {
				t.Fatalf("seal: %d rows, %v; want 2", n, err)
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

// rawObjectionSQL runs SQL on the store behind the application's back, as
// someone holding the database could: query with ? placeholders.
func rawObjectionSQL(t *testing.T, e *rpEnv, sdb *sqlstore.DB, query string, args ...any) {
	t.Helper()
	if _, err := sdb.W.ExecContext(e.ctx, rebindTest(sdb, query), args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func rebindTest(sdb *sqlstore.DB, query string) string {
	if sdb.D.Name != "postgres" {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// storedVersions returns the data column of each version of an objection.
func storedVersions(t *testing.T, e *rpEnv, sdb *sqlstore.DB, id string) map[int]string {
	t.Helper()
	rows, err := sdb.W.QueryContext(e.ctx, rebindTest(sdb, `SELECT version, data FROM objection_version WHERE objection_id = ?`), id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int]string{}
	for rows.Next() {
		var v int
		var d string
		if err := rows.Scan(&v, &d); err != nil {
			t.Fatal(err)
		}
		out[v] = d
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// problemAbout reports whether rpt names obj (a substring of a problem's
// object).
func problemAbout(rpt workflow.VerifyReport, obj string) bool {
	for _, p := range rpt.Problems {
		if strings.Contains(p.Object, obj) {
			return true
		}
	}
	return false
}

// ledgerSize returns the log's size and how many objection.migrated leaves
// and objection.migrated audit events it holds.
func ledgerSize(t *testing.T, e *rpEnv) (size int64, seals, audits int) {
	t.Helper()
	if err := e.svc.Store.View(e.ctx, func(tx xinyong.Tx) error {
		h, err := tx.LedgerHead()
		if err != nil {
			return err
		}
		size = h.Size
		if err := tx.LedgerEntries(0, h.Size, func(le xinyong.LedgerEntry) error {
			if le.Kind == workflow.LeafObjectionMigrated {
				seals++
			}
			return nil
		}); err != nil {
			return err
		}
		as, err := tx.ListAudit(xinyong.AuditFilter{Action: workflow.ActObjectionMigrated})
		audits = len(as)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return size, seals, audits
}

// TestObjectionForgedAnswerAfterDeletion (the reviewer's case, on a store
// created at the binary's schema): an objection answered "upheld", its
// record later deleted by credit repair, rewritten in the database to look
// like an answer migration 0017 rewrote (outcome "corrected" with
// corrected_fields, other reasons, another answering account) is reported
// by ledger verify: nothing lists it as migrated.
func TestObjectionForgedAnswerAfterDeletion(t *testing.T) {
	e := newRepairEnv(t)
	rec := e.penalty(t, e.org, "兰市监罚〔2025〕601号", "2025-12-01", "general")
	o, err := e.svc.FileObjection(e.ctx, e.subj, rec.ID, xinyong.RecordObjectionInput{Fields: []string{"CF_WFXW"}, Reasons: "违法行为类型登记有误"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ResolveObjection(e.ctx, e.offA, o.ID, xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeUpheld, Reasons: "经核实维持"}); err != nil {
		t.Fatal(err)
	}
	e.fixDeleteByRepair(t, rec)
	if rpt := e.verify(t); !rpt.OK() {
		t.Fatalf("after repair: %+v", rpt)
	}
	sdb := e.svc.Store.(*sqlstore.DB)
	for _, tbl := range []string{"objection_version", "objection"} {
		rawObjectionSQL(t, e, sdb, `UPDATE `+tbl+` SET data = replace(replace(replace(data, '"outcome":"upheld"', '"outcome":"corrected","corrected_fields":["CF_WFXW"]'), '经核实维持', '经核实更正'), '"by":"account:oa"', '"by":"account:someone-else"')`)
	}
	if s := e.fixStoredObjection(t, o.ID); !strings.Contains(s, `"outcome":"corrected"`) {
		t.Fatalf("tamper did not apply: %s", s)
	}
	if rpt := e.verify(t); rpt.OK() || !problemAbout(rpt, o.ID) {
		t.Errorf("ledger verify accepts an answer rewritten from upheld to corrected after the record's deletion: %+v", rpt)
	}
}

// TestObjectionMigrationSeal (SQLite, and PostgreSQL with
// XINYONG_TEST_POSTGRES): migration 0017 lists the versions it rewrote; the
// seal step run right after applying it appends one objection.migrated leaf
// and one audit event, once. ledger verify then accepts a migrated version whose
// record a repair deleted exactly as the migration left it, and reports: an
// answer rewritten to look migrated (the reviewer's forgery, on a database
// that was migrated), a change of a migrated row, a changed, added or
// removed row of the list, and the seal leaf's removal.
func TestObjectionMigrationSeal(t *testing.T) {
	for _, st := range listingStores {
		t.Run(st.name, func(t *testing.T) {
			e, sdb := newRepairEnvAt(t, st.db(t), 16)
			recA := e.penalty(t, e.org, "兰市监罚〔2025〕511号", "2025-12-01", "general")
			recC := e.penalty(t, e.org, "兰市监罚〔2025〕512号", "2025-12-01", "general")
			file := func(rec xinyong.Record) xinyong.Objection {
				t.Helper()
				o, err := e.svc.FileObjection(e.ctx, e.subj, rec.ID, xinyong.RecordObjectionInput{Fields: []string{"CF_WFXW"}, Reasons: "违法行为类型登记有误"})
				if err != nil {
					t.Fatal(err)
				}
				return o
			}
			restore := workflow.StoreCorrectionValues()
			oA := file(recA)
			if _, err := e.svc.ResolveObjection(e.ctx, e.offA, oA.ID, xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeCorrected, Reasons: "经核实更正", Corrections: map[string]string{"CF_WFXW": "更正值甲"}}); err != nil {
				t.Fatal(err)
			}
			restore()
			oC := file(recC)
			if _, err := e.svc.ResolveObjection(e.ctx, e.offA, oC.ID, xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeUpheld, Reasons: "经核实维持"}); err != nil {
				t.Fatal(err)
			}
			e.fixDeleteByRepair(t, recA)
			e.fixDeleteByRepair(t, recC)
			if err := sdb.Migrate(e.ctx); err != nil {
				t.Fatal(err)
			}

			// The seal: one leaf and one audit event, once.
			size0, seals, audits := ledgerSize(t, e)
			if seals != 0 || audits != 0 {
				t.Fatalf("sealed before the seal step: %d leaves, %d events", seals, audits)
			}
			// Asked twice at once in the process that applied 0017: one seals.
			var wg sync.WaitGroup
			ns, errs := make([]int, 2), make([]error, 2)
			for i := range ns {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ns[i], errs[i] = e.svc.SealObjectionMigration(e.ctx)
				}()
			}
			wg.Wait()
			if errs[0] != nil || errs[1] != nil || ns[0]+ns[1] != 1 {
				t.Fatalf("seal: %v rows, %v; want 1 in all (A's answer)", ns, errs)
			}
			size1, seals, audits := ledgerSize(t, e)
			if seals != 1 || audits != 1 || size1 != size0+2 {
				t.Fatalf("after the seal: %d seal leaves, %d audit events, %d leaves appended; want 1, 1, 2", seals, audits, size1-size0)
			}
			set, err := refdata.Load()
			if err != nil {
				t.Fatal(err)
			}
			if err := e.svc.LoadReference(e.ctx, set); err != nil { // as serve and migrate do at every start: no seal
				t.Fatal(err)
			}
			if n, err := e.svc.SealObjectionMigration(e.ctx); err != nil || n != 0 {
				t.Fatalf("second seal: %d rows, %v", n, err)
			}
			if size2, seals, audits := ledgerSize(t, e); seals != 1 || audits != 1 || size2 != size1 {
				t.Fatalf("after sealing again: %d seal leaves, %d audit events, %d leaves appended; want 1, 1, 0", seals, audits, size2-size1)
			}
			if rpt := e.verify(t); !rpt.OK() {
				t.Fatalf("ledger verify of the sealed migration: %+v", rpt)
			}
			var sealIdx int64
			var sum string
			if err := sdb.W.QueryRowContext(e.ctx, rebindTest(sdb, `SELECT seal_idx, row_sha256 FROM objection_migration WHERE objection_id = ?`), oA.ID).Scan(&sealIdx, &sum); err != nil {
				t.Fatal(err)
			}
			if sealIdx < size0 || sealIdx >= size1 || len(sum) != 64 {
				t.Fatalf("the list's row of A: seal %d, sum %q", sealIdx, sum)
			}
			const sealObj = "objection_migration:"
			a, c := storedVersions(t, e, sdb, oA.ID), storedVersions(t, e, sdb, oC.ID)
			undo := func() {
				t.Helper()
				for id, vs := range map[string]map[int]string{oA.ID: a, oC.ID: c} {
					for v, d := range vs {
						rawObjectionSQL(t, e, sdb, `UPDATE objection_version SET data = ? WHERE objection_id = ? AND version = ?`, d, id, v)
					}
				}
				if rpt := e.verify(t); !rpt.OK() {
					t.Fatalf("ledger verify after undoing: %+v", rpt)
				}
			}
			forgeC := `UPDATE objection_version SET data = replace(replace(replace(data, '"outcome":"upheld"', '"outcome":"corrected","corrected_fields":["CF_WFXW"]'), '经核实维持', '经核实更正'), '"by":"account:oa"', '"by":"account:someone-else"') WHERE objection_id = ?`

			// The reviewer's forgery, on a migrated database.
			rawObjectionSQL(t, e, sdb, forgeC, oC.ID)
			if rpt := e.verify(t); rpt.OK() || !problemAbout(rpt, oC.ID) {
				t.Errorf("ledger verify accepts C's answer rewritten from upheld to corrected: %+v", rpt)
			}
			undo()

			// A migrated row changed in what the answer said.
			rawObjectionSQL(t, e, sdb, `UPDATE objection_version SET data = replace(data, '经核实更正', '经核实维持') WHERE objection_id = ?`, oA.ID)
			if rpt := e.verify(t); rpt.OK() || !problemAbout(rpt, oA.ID) {
				t.Errorf("ledger verify accepts a change of A's migrated answer: %+v", rpt)
			}
			undo()

			// The list changed: A's row hash (to that of a changed row).
			rawObjectionSQL(t, e, sdb, `UPDATE objection_migration SET row_sha256 = ? WHERE objection_id = ?`, strings.Repeat("0", 64), oA.ID)
			if rpt := e.verify(t); rpt.OK() || !problemAbout(rpt, sealObj) {
				t.Errorf("ledger verify accepts a changed row of the list: %+v", rpt)
			}
			rawObjectionSQL(t, e, sdb, `UPDATE objection_migration SET row_sha256 = ? WHERE objection_id = ?`, sum, oA.ID)

			// The list changed: C's forged row added to it, sealed by the
			// seal leaf, with the forged row's very hash.
			rawObjectionSQL(t, e, sdb, forgeC, oC.ID)
			var cIdx int64
			var cData string
			if err := sdb.W.QueryRowContext(e.ctx, rebindTest(sdb, `SELECT ov.data, le.idx FROM objection_version ov JOIN ledger_entry le ON le.kind = 'objection.version' AND le.object_id = ov.objection_id AND le.version = ov.version WHERE ov.objection_id = ? AND ov.data LIKE '%corrected_fields%'`), oC.ID).Scan(&cData, &cIdx); err != nil {
				t.Fatal(err)
			}
			h := sha256.Sum256([]byte(cData))
			var cVersion int
			for v, d := range storedVersions(t, e, sdb, oC.ID) {
				if d == cData {
					cVersion = v
				}
			}
			rawObjectionSQL(t, e, sdb, `INSERT INTO objection_migration (objection_id, version, old_ledger_idx, row_sha256, seal_idx) VALUES (?, ?, ?, ?, ?)`, oC.ID, cVersion, cIdx, hex.EncodeToString(h[:]), sealIdx)
			if rpt := e.verify(t); rpt.OK() || !problemAbout(rpt, sealObj) {
				t.Errorf("ledger verify accepts a forged answer added to the list: %+v", rpt)
			}
			// … or added unsealed.
			rawObjectionSQL(t, e, sdb, `UPDATE objection_migration SET seal_idx = NULL WHERE objection_id = ?`, oC.ID)
			if rpt := e.verify(t); rpt.OK() || !problemAbout(rpt, oC.ID) {
				t.Errorf("ledger verify accepts a forged answer added to the list without a seal: %+v", rpt)
			}
			rawObjectionSQL(t, e, sdb, `DELETE FROM objection_migration WHERE objection_id = ?`, oC.ID)
			undo()

			// The list changed: A's row removed.
			rawObjectionSQL(t, e, sdb, `DELETE FROM objection_migration WHERE objection_id = ?`, oA.ID)
			if rpt := e.verify(t); rpt.OK() || !problemAbout(rpt, sealObj) || !problemAbout(rpt, oA.ID) {
				t.Errorf("ledger verify accepts a row removed from the list: %+v", rpt)
			}
			rawObjectionSQL(t, e, sdb, `INSERT INTO objection_migration (objection_id, version, old_ledger_idx, row_sha256, seal_idx) SELECT objection_id, version, ?, ?, ? FROM objection_version WHERE objection_id = ? AND data LIKE '%corrected_fields%'`, mustLeafOf(t, e, sdb, oA.ID), sum, sealIdx, oA.ID)
			if rpt := e.verify(t); !rpt.OK() {
				t.Fatalf("ledger verify after restoring the list: %+v", rpt)
			}

			// The seal leaf removed: A's row is no longer proven.
			rawObjectionSQL(t, e, sdb, `DELETE FROM ledger_entry WHERE idx = ?`, sealIdx)
			if rpt := e.verify(t); rpt.OK() || !problemAbout(rpt, oA.ID) {
				t.Errorf("ledger verify accepts A's migrated row without the seal leaf: %+v", rpt)
			}
		})
	}
}

// mustLeafOf returns the leaf of the objection version of id that names
// corrected fields.
func mustLeafOf(t *testing.T, e *rpEnv, sdb *sqlstore.DB, id string) int64 {
	t.Helper()
	var idx int64
	if err := sdb.W.QueryRowContext(e.ctx, rebindTest(sdb, `SELECT le.idx FROM objection_version ov JOIN ledger_entry le ON le.kind = 'objection.version' AND le.object_id = ov.objection_id AND le.version = ov.version WHERE ov.objection_id = ? AND ov.data LIKE '%corrected_fields%'`), id).Scan(&idx); err != nil {
		t.Fatal(err)
	}
	return idx
}
