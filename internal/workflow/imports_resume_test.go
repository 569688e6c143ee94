package workflow_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sync/atomic"
	"testing"

	"xinyong"
	"xinyong/internal/app"
	"xinyong/internal/pgtest"
	"xinyong/internal/workflow"
)

// Import jobs interrupted and resumed, on SQLite and (with
// XINYONG_TEST_POSTGRES) PostgreSQL: an interruption is a cancelled context
// after a committed batch (the process died) or a finishing transaction
// that does not commit; nothing sleeps.

type impEnv struct {
	ctx  context.Context
	a    *app.App
	svc  *workflow.Service
	dept xinyong.Department
	off  xinyong.Actor
	dir  string
	org  string // the subject of every row
	clk  *clock
}

// importStores are the databases the import tests run on: SQLite always,
// PostgreSQL when XINYONG_TEST_POSTGRES is set.
var importStores = []struct {
	name string
	db   func(t *testing.T, dir string) string
}{
	{"sqlite", func(t *testing.T, dir string) string { return "sqlite:" + filepath.Join(dir, "x.db") }},
	{"postgres", func(t *testing.T, dir string) string { return pgtest.DSN(t) }},
}

func newImportEnv(t *testing.T, db func(t *testing.T, dir string) string) *impEnv {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	clk := &clock{now: day("2026-06-01")}
	a, _ := openAppIn(t, clk, dir, db(t, dir))
	dept, err := a.Service.CreateDepartment(ctx, xinyong.System, workflow.DepartmentInput{Code: uscc(t, "11620100MB0001AA"), Name: "兰州市市场监督管理局", Provides: []string{"XZCF"}})
	if err != nil {
		t.Fatal(err)
	}
	return &impEnv{ctx: ctx, a: a, svc: a.Service, dept: dept, dir: dir, org: uscc(t, "91620100MA74QX3K"), clk: clk,
		off: xinyong.Actor{Kind: "account", ID: "oa", Name: "officer A", Role: xinyong.RoleOfficer, DepartmentID: dept.ID}}
}

var impColumns = []string{"CF_XDR_MC", "CF_XDR_LB", "CF_XDR_SHXYM", "CF_WSH", "CF_WFXW", "CF_SY", "CF_YJ", "CF_CFLB", "CF_NR", "CF_NR_FK", "CF_JDRQ", "CF_CFJG", "CF_CFJGDM", "CF_SJLY", "CF_SJLYDM"}

// row is a penalty row of the env's subject: decision number, fine (万元), date.
func (e *impEnv) row(number, fine, date string) []string {
	return []string{"兰州某某商贸有限公司", "法人及非法人组织", e.org, number, "虚假宣传", "发布虚假广告", "《广告法》第五十五条", "罚款", "罚款" + fine + "万元", fine, date,
		"兰州市市场监督管理局", e.dept.Code, "兰州市市场监督管理局", e.dept.Code}
}

// file writes a CSV file of rows under the env's directory.
func (e *impEnv) file(t *testing.T, name string, rows [][]string) string {
	t.Helper()
	p := filepath.Join(e.dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	w.Write(impColumns)
	w.WriteAll(rows)
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func (e *impEnv) create(t *testing.T, path string) xinyong.Import {
	t.Helper()
	j, err := e.svc.CreateImport(e.ctx, e.off, workflow.ImportRequest{Kind: "penalty", Path: path})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// stored is the job as stored (with its checkpoint and path).
func (e *impEnv) stored(t *testing.T, id string) xinyong.Import {
	t.Helper()
	var j xinyong.Import
	if err := e.svc.Store.View(e.ctx, func(tx xinyong.Tx) error {
		var err error
		j, err = tx.Import(id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return j
}

func (e *impEnv) rowErrors(t *testing.T, id string) []xinyong.FieldError {
	t.Helper()
	var out []xinyong.FieldError
	if err := e.svc.ImportErrors(e.ctx, e.off, id, func(fe xinyong.FieldError) error { out = append(out, fe); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

var errCommitLost = errors.New("injected: the commit did not happen")

// finishFailingStore makes every transaction that finishes an import (sets
// its FinishedAt) fail after all its work was done, as a failed commit or
// a process that died before committing would: the store rolls it back.
type finishFailingStore struct {
	xinyong.Store
	fail  atomic.Bool
	fired atomic.Int32
}

type finishSpyTx struct {
	xinyong.Tx
	finishing bool
}

func (t *finishSpyTx) UpdateImport(j xinyong.Import) error {
	if j.FinishedAt != nil {
		t.finishing = true
	}
	return t.Tx.UpdateImport(j)
}

func (s *finishFailingStore) Update(ctx context.Context, fn func(xinyong.Tx) error) error {
	return s.Store.Update(ctx, func(tx xinyong.Tx) error {
		spy := &finishSpyTx{Tx: tx}
		if err := fn(spy); err != nil {
			return err
		}
		if spy.finishing && s.fail.Load() {
			s.fired.Add(1)
			return errCommitLost
		}
		return nil
	})
}

// TestImportFileKeptUntilFinished: the uploaded file is deleted only once
// the transaction that finishes the job has committed. When that
// transaction fails, the job stays resumable and its file is still there.
func TestImportFileKeptUntilFinished(t *testing.T) {
	for _, st := range importStores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			e := newImportEnv(t, st.db)
			path := e.file(t, "upload.csv", [][]string{
				e.row("兰市监罚〔2025〕1号", "1", "2025-03-03"),
				e.row("兰市监罚〔2025〕2号", "2", "2025-03-04"),
				e.row("兰市监罚〔2025〕3号", "3", "2025-03-05"),
			})
			j := e.create(t, path)
			fs := &finishFailingStore{Store: e.svc.Store}
			e.svc.Store = fs
			fs.fail.Store(true)

			if _, err := e.svc.RunImport(e.ctx, e.off, j.ID, false, nil); !errors.Is(err, errCommitLost) {
				t.Fatalf("run with a failing last commit: %v, want the injected failure", err)
			}
			if fs.fired.Load() == 0 {
				t.Fatal("no finishing transaction was attempted")
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("the file is gone although the job's end was not committed: %v", err)
			}
			got := e.stored(t, j.ID)
			if got.Status != xinyong.ImportRunning || got.Checkpoint != 4 || got.Path != path || got.FinishedAt != nil {
				t.Fatalf("job after the lost commit: status %s checkpoint %d path %q finished %v; want running at row 4 with its file",
					got.Status, got.Checkpoint, got.Path, got.FinishedAt)
			}

			// The resume (the next process) finishes the job, then deletes the file.
			fs.fail.Store(false)
			done, err := e.svc.RunImport(e.ctx, e.off, j.ID, true, nil)
			if err != nil {
				t.Fatalf("resume: %v", err)
			}
			if done.Status != xinyong.ImportDone || done.Rows != 3 || done.Accepted != 3 || done.Rejected != 0 {
				t.Errorf("resumed job: %+v", done)
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the file of a finished job is still there: %v", err)
			}
			if got := e.stored(t, j.ID); got.Path != "" || got.Status != xinyong.ImportDone {
				t.Errorf("finished job: status %s path %q", got.Status, got.Path)
			}
			var recs []xinyong.Record
			if err := e.svc.Store.View(e.ctx, func(tx xinyong.Tx) error {
				var err error
				recs, err = tx.ListRecords(xinyong.RecordFilter{ImportID: j.ID})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if len(recs) != 3 {
				t.Errorf("%d records from the job, want 3", len(recs))
			}
		})
	}
}

// TestImportDuplicatesAcrossResume: a job interrupted after its first batch
// and resumed reports exactly what an uninterrupted run of the same file
// reports. In particular a decision number accepted before the restart,
// whether its record was written or found unchanged, makes a later row
// with that number a row.duplicate; a row refused before the restart does
// not.
func TestImportDuplicatesAcrossResume(t *testing.T) {
	if workflow.ImportBatchSize > 2000 {
		t.Fatalf("the file below is laid out for batches of 2,000 rows, not %d", workflow.ImportBatchSize)
	}
	const (
		numU = "兰市监罚〔2025〕U号" // imported unchanged before the restart
		numC = "兰市监罚〔2025〕C号" // created by the job before the restart
		numR = "兰市监罚〔2025〕R号" // refused before the restart, good after it
	)
	type outcome struct {
		job  xinyong.Import
		errs []xinyong.FieldError
		uVer int
		rVer int
	}
	run := func(t *testing.T, db func(*testing.T, string) string, interrupt bool) outcome {
		e := newImportEnv(t, db)
		// An earlier file brought numU in.
		prior := e.create(t, e.file(t, "prior.csv", [][]string{e.row(numU, "1", "2025-03-03")}))
		if j, err := e.svc.RunImport(e.ctx, e.off, prior.ID, false, nil); err != nil || j.Accepted != 1 {
			t.Fatalf("prior import: %+v %v", j, err)
		}
		// Batch 1 is lines 2–2001, batch 2 lines 2002–2006.
		var rows [][]string
		rows = append(rows, e.row(numU, "1", "2025-03-03"), e.row(numC, "2", "2025-03-04"), e.row(numR, "1", "2025-02-30"))
		for i := range 150 { // refused rows: a batch of errors
			rows = append(rows, e.row(fmt.Sprintf("兰市监罚〔2025〕E%d号", i), "两万", "2025-03-05"))
		}
		for i := len(rows); i < workflow.ImportBatchSize; i++ {
			rows = append(rows, e.row(fmt.Sprintf("兰市监罚〔2025〕%d号", i), "1", "2025-03-05"))
		}
		rows = append(rows,
			e.row(numU, "9", "2025-03-03"), // changed: must not become a new version
			e.row(numC, "2", "2025-03-04"),
			e.row(numR, "1", "2025-03-06"),
			e.row(numR, "1", "2025-03-06"),
			e.row("兰市监罚〔2025〕last号", "1", "2025-03-05"))
		j := e.create(t, e.file(t, "big.csv", rows))
		if interrupt {
			ctx, cancel := context.WithCancel(e.ctx)
			batches := 0
			_, err := e.svc.RunImport(ctx, e.off, j.ID, false, func(xinyong.Import) { batches++; cancel() })
			cancel()
			if !errors.Is(err, context.Canceled) || batches != 1 {
				t.Fatalf("interrupted run: %v after %d batches, want cancelled after 1", err, batches)
			}
			if got := e.stored(t, j.ID); got.Status != xinyong.ImportRunning || got.Checkpoint != 2001 {
				t.Fatalf("interrupted job: status %s checkpoint %d, want running at row 2001", got.Status, got.Checkpoint)
			}
		}
		var out outcome
		var err error
		if out.job, err = e.svc.RunImport(e.ctx, e.off, j.ID, interrupt, nil); err != nil {
			t.Fatal(err)
		}
		out.errs = e.rowErrors(t, j.ID)
		if err := e.svc.Store.View(e.ctx, func(tx xinyong.Tx) error {
			u, err := tx.RecordByDocKey(e.dept.ID, "penalty", numU)
			if err != nil {
				return err
			}
			r, err := tx.RecordByDocKey(e.dept.ID, "penalty", numR)
			if err != nil {
				return err
			}
			out.uVer, out.rVer = u.Version, r.Version
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, st := range importStores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			want := run(t, st.db, false)
			// The uninterrupted run itself: the second rows of numU and numC
			// and the fourth row of numR are duplicates.
			dups := map[int]bool{}
			for _, fe := range want.errs {
				if fe.Rule == "row.duplicate" {
					dups[fe.Row] = true
				}
			}
			if !reflect.DeepEqual(dups, map[int]bool{2002: true, 2003: true, 2005: true}) {
				t.Fatalf("uninterrupted run: duplicates at rows %v, want 2002, 2003, 2005", dups)
			}
			if j := want.job; j.Status != xinyong.ImportDone || j.Rows != 2005 || j.Rejected != 154 || j.Unchanged != 1 || want.uVer != 1 || want.rVer != 1 {
				t.Fatalf("uninterrupted run: %+v, versions U %d R %d", j, want.uVer, want.rVer)
			}

			got := run(t, st.db, true)
			if g, w := got.job, want.job; g.Status != w.Status || g.Rows != w.Rows || g.Accepted != w.Accepted || g.Unchanged != w.Unchanged || g.Rejected != w.Rejected {
				t.Errorf("resumed job: %s rows %d accepted %d (%d unchanged) rejected %d; uninterrupted: %s rows %d accepted %d (%d unchanged) rejected %d",
					g.Status, g.Rows, g.Accepted, g.Unchanged, g.Rejected, w.Status, w.Rows, w.Accepted, w.Unchanged, w.Rejected)
			}
			if got.uVer != 1 || got.rVer != 1 {
				t.Errorf("after the resume: %s at version %d, %s at version %d; want 1 and 1", numU, got.uVer, numR, got.rVer)
			}
			if !reflect.DeepEqual(got.errs, want.errs) {
				n := min(len(got.errs), len(want.errs))
				for i := range n {
					if got.errs[i] != want.errs[i] {
						t.Errorf("error %d: resumed %+v, uninterrupted %+v", i, got.errs[i], want.errs[i])
						break
					}
				}
				if len(got.errs) != len(want.errs) {
					t.Errorf("resumed run has %d row errors, uninterrupted %d", len(got.errs), len(want.errs))
				}
			}
		})
	}
}
