package workflow_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/app"
	"xinyong/internal/pgtest"
	"xinyong/internal/workflow"
)

// Ledger verification against what the rows serve (ledger_rows.go) and
// against leaves no signed checkpoint covers, on SQLite and (with
// XINYONG_TEST_POSTGRES) PostgreSQL. Each tampering changes the database
// behind the application's back, as TestLedgerTamper (cmd/xinyong) does,
// and must be reported at its leaf; the legitimate states must verify.

var ledgerStores = []struct {
	name   string
	db     func(t *testing.T, dir string) string
	driver string
}{
	{"sqlite", func(t *testing.T, dir string) string { return "sqlite:" + filepath.Join(dir, "x.db") }, "sqlite"},
	{"postgres", func(t *testing.T, dir string) string { return pgtest.DSN(t) }, "pgx"},
}

type lvEnv struct {
	ctx    context.Context
	a      *app.App
	svc    *workflow.Service
	clk    *clock
	driver string // database/sql driver and source for the tampering
	source string
	dept   xinyong.Department
	off    xinyong.Actor
	subj   xinyong.Actor // the organisation's subject account
	org    string

	plain     xinyong.Record // active and published
	multi     xinyong.Record // version 2 of a record
	multiV1   int64          // the leaf of its version 1
	withdrawn xinyong.Record
	erased    xinyong.Record // deleted by credit repair (content and salt erased)
	shielded  xinyong.Record // publication ended by credit repair
	corrected xinyong.Record // version 1 of a record corrected on objection
}

// newLedgerEnv builds the legitimate states: several versions, a
// withdrawal, a correction on objection, repairs by deletion and by
// shielding.
func newLedgerEnv(t *testing.T, db func(t *testing.T, dir string) string, driver string) *lvEnv {
	t.Helper()
	dir := t.TempDir()
	clk := &clock{now: day("2026-06-01")}
	dsn := db(t, dir)
	a, _ := openAppIn(t, clk, dir, dsn)
	a.Service.RepairFiles.FilesDir = filepath.Join(dir, "files")
	e := &lvEnv{ctx: context.Background(), a: a, svc: a.Service, clk: clk, driver: driver, source: dsn, org: uscc(t, "91620100MA74QX3K")}
	if driver == "sqlite" {
		e.source = "file:" + strings.TrimPrefix(dsn, "sqlite:") + "?_pragma=busy_timeout(10000)"
	}
	var err error
	if e.dept, err = a.Service.CreateDepartment(e.ctx, xinyong.System, workflow.DepartmentInput{Code: uscc(t, "11620100MB0001AA"), Name: "兰州市市场监督管理局", Provides: []string{"XZCF"}}); err != nil {
		t.Fatal(err)
	}
	e.off = xinyong.Actor{Kind: "account", ID: "oa", Name: "officer A", Role: xinyong.RoleOfficer, DepartmentID: e.dept.ID}

	e.plain = e.penalty(t, e.svc, "兰市监罚〔2025〕401号", "2")
	e.subj = xinyong.Actor{Kind: "account", ID: "us", Name: "subject", Role: xinyong.RoleSubject, SubjectID: e.plain.SubjectID}
	e.multiV1 = e.penalty(t, e.svc, "兰市监罚〔2025〕402号", "2").LedgerIdx
	e.multi = e.penalty(t, e.svc, "兰市监罚〔2025〕402号", "3")
	if e.multi.Version != 2 {
		t.Fatalf("resubmission: version %d", e.multi.Version)
	}
	e.withdrawn = e.penalty(t, e.svc, "兰市监罚〔2025〕403号", "2")
	if e.withdrawn, err = e.svc.Withdraw(e.ctx, e.off, e.withdrawn.ID, "revoked", "复议撤销"); err != nil {
		t.Fatal(err)
	}
	e.corrected = e.penalty(t, e.svc, "兰市监罚〔2025〕406号", "2")
	o, err := e.svc.FileObjection(e.ctx, xinyong.Public, e.corrected.ID, xinyong.RecordObjectionInput{Name: "张三", Contact: "13800000000", Reasons: "罚款金额有误"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ResolveObjection(e.ctx, e.off, o.ID, xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeCorrected, Reasons: "登记有误", Corrections: map[string]string{"CF_NR_FK": "0.5"}}); err != nil {
		t.Fatal(err)
	}
	e.erased = e.repaired(t, "兰市监罚〔2025〕404号", xinyong.RepairDeleted)
	e.shielded = e.repaired(t, "兰市监罚〔2025〕405号", xinyong.RepairShielded)
	if !e.plain.Window.Published || e.withdrawn.Status != xinyong.RecordWithdrawn {
		t.Fatalf("scenario: plain published %v, withdrawn %s", e.plain.Window.Published, e.withdrawn.Status)
	}
	return e
}

// penalty submits a penalty of the organisation decided on 1 December
// 2025 through svc.
func (e *lvEnv) penalty(t *testing.T, svc *workflow.Service, number, fine string) xinyong.Record {
	t.Helper()
	return e.penaltyOf(t, svc, e.org, number, fine)
}

func (e *lvEnv) penaltyOf(t *testing.T, svc *workflow.Service, code, number, fine string) xinyong.Record {
	t.Helper()
	res, err := svc.SubmitRecord(e.ctx, e.off, "", xinyong.RecordInput{
		Item: "XZCF", SubjectCode: code, SubjectName: "兰州某某商贸有限公司",
		Document: xinyong.Document{Type: xinyong.DocPenaltyDecision, Number: number, Authority: "兰州市市场监督管理局", DecisionDate: xinyong.MustDate("2025-12-01")},
		Fields: map[string]string{"CF_XDR_LB": "法人及非法人组织", "CF_WFXW": "虚假宣传", "CF_SY": "发布虚假广告", "CF_YJ": "《广告法》第五十五条",
			"CF_NR": "罚款人民币" + fine + "万元", "CF_NR_FK": fine, "CF_CFJGDM": e.dept.Code, "CF_SJLY": "兰州市市场监督管理局", "CF_SJLYDM": e.dept.Code},
		Severity: "general", Categories: []string{"罚款"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return res.Record
}

// repaired submits a penalty and repairs it with the treatment.
func (e *lvEnv) repaired(t *testing.T, number string, treatment xinyong.RepairOutcome) xinyong.Record {
	t.Helper()
	r := e.penalty(t, e.svc, number, "2")
	proof, err := e.svc.StoreProof(e.ctx, "缴款收据.pdf", bytes.NewReader(pdfBytes))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := e.svc.ApplyRepair(e.ctx, e.subj, goodInput(r.ID), []xinyong.RepairFile{proof})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AcceptRepair(e.ctx, e.off, rep.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.DecideRepair(e.ctx, e.off, rep.ID, xinyong.RepairDecisionInput{Approve: true, Treatment: treatment, Reasons: "符合条件"}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Store.View(e.ctx, func(tx xinyong.Tx) error { r, err = tx.Record(r.ID); return err }); err != nil {
		t.Fatal(err)
	}
	return r
}

func (e *lvEnv) verify(t *testing.T) workflow.VerifyReport {
	t.Helper()
	rep, err := e.svc.Verify(e.ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// exec runs one statement on the database directly (? placeholders) and
// returns how many rows it changed.
func (e *lvEnv) exec(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	db, err := sql.Open(e.driver, e.source)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if e.driver == "pgx" {
		var b strings.Builder
		n := 0
		for _, r := range q {
			if r == '?' {
				n++
				b.WriteString("$" + strconv.Itoa(n))
				continue
			}
			b.WriteRune(r)
		}
		q = b.String()
	}
	res, err := db.Exec(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	n, _ := res.RowsAffected()
	return n
}

// wantProblem fails unless rep has a problem at leaf idx whose object
// holds obj and whose message holds each of msgs.
func wantProblem(t *testing.T, rep workflow.VerifyReport, idx int64, obj string, msgs ...string) {
	t.Helper()
	if rep.OK() {
		t.Fatalf("verification passed; want a problem at leaf %d", idx)
	}
next:
	for _, p := range rep.Problems {
		if p.Index != idx || !strings.Contains(p.Object, obj) {
			continue
		}
		for _, m := range msgs {
			if !strings.Contains(p.Message, m) {
				continue next
			}
		}
		return
	}
	t.Errorf("no problem at leaf %d about %q saying %q; problems:\n%s", idx, obj, msgs, problemList(rep))
}

// leafRange is how verification names leaves from to to.
func leafRange(from, to int64) string {
	if from == to {
		return fmt.Sprintf("leaf %d is", from)
	}
	return fmt.Sprintf("leaves %d to %d are", from, to)
}

func problemList(rep workflow.VerifyReport) string {
	var b strings.Builder
	for _, p := range rep.Problems {
		fmt.Fprintf(&b, "  leaf %d %s: %s\n", p.Index, p.Object, p.Message)
	}
	return b.String()
}

// TestLedgerVerifyLegitimateRows: several versions, a withdrawal, a
// correction on objection, a deletion and a shielding by credit repair
// all verify.
func TestLedgerVerifyLegitimateRows(t *testing.T) {
	for _, st := range ledgerStores {
		t.Run(st.name, func(t *testing.T) {
			e := newLedgerEnv(t, st.db, st.driver)
			rep := e.verify(t)
			if !rep.OK() {
				t.Fatalf("an untouched store does not verify:\n%s", problemList(rep))
			}
			if rep.Erased != 2 || rep.Records != 11 {
				t.Errorf("checked %d record versions, %d erased; want 11 and 2", rep.Records, rep.Erased)
			}
			if rep.Checkpoints == 0 {
				t.Error("no signed checkpoint checked")
			}
		})
	}
}

// TestLedgerVerifyServedRows: what a row serves (its document and columns)
// changed without a new leaf is reported at the version's leaf.
func TestLedgerVerifyServedRows(t *testing.T) {
	for _, st := range ledgerStores {
		t.Run(st.name, func(t *testing.T) {
			cases := []struct {
				name string
				do   func(t *testing.T, e *lvEnv) (leaf int64, obj string, msgs []string)
			}{
				{"document text changed", func(t *testing.T, e *lvEnv) (int64, string, []string) {
					e.mustChange(t, e.exec(t, `UPDATE record SET data = replace(data, '兰州', '厦门') WHERE id = ?`, e.plain.ID))
					return e.plain.LedgerIdx, e.plain.ID, []string{"subject_name", "stored document"}
				}},
				{"fields changed", func(t *testing.T, e *lvEnv) (int64, string, []string) {
					e.mustChange(t, e.exec(t, `UPDATE record SET data = replace(data, '罚款人民币2万元', '罚款人民币1万元') WHERE id = ?`, e.plain.ID))
					return e.plain.LedgerIdx, e.plain.ID, []string{"fields CF_NR:", "stored document"}
				}},
				{"status column withdrawn", func(t *testing.T, e *lvEnv) (int64, string, []string) {
					e.mustChange(t, e.exec(t, `UPDATE record SET status = 'withdrawn' WHERE id = ?`, e.plain.ID))
					return e.plain.LedgerIdx, e.plain.ID, []string{"served status withdrawn, committed active (column)"}
				}},
				{"withdrawn record back to active", func(t *testing.T, e *lvEnv) (int64, string, []string) {
					e.mustChange(t, e.exec(t, `UPDATE record SET status = 'active' WHERE id = ?`, e.withdrawn.ID))
					return e.withdrawn.LedgerIdx, e.withdrawn.ID, []string{"served status active, committed withdrawn (column)"}
				}},
				{"withdrawn document back to active", func(t *testing.T, e *lvEnv) (int64, string, []string) {
					e.mustChange(t, e.exec(t, `UPDATE record SET data = replace(data, '"status":"withdrawn"', '"status":"active"') WHERE id = ?`, e.withdrawn.ID))
					return e.withdrawn.LedgerIdx, e.withdrawn.ID, []string{"served status active, committed withdrawn (stored document)"}
				}},
				{"withdrawn document with a second status", func(t *testing.T, e *lvEnv) (int64, string, []string) {
					// encoding/json reads the last of repeated members.
					e.mustChange(t, e.exec(t, `UPDATE record SET data = replace(data, '"ledger_index":', '"status":"active","ledger_index":') WHERE id = ?`, e.withdrawn.ID))
					return e.withdrawn.LedgerIdx, e.withdrawn.ID, []string{"served status active, committed withdrawn (stored document)"}
				}},
				{"withdrawn document with a capitalised status", func(t *testing.T, e *lvEnv) (int64, string, []string) {
					// encoding/json matches member names regardless of case.
					e.mustChange(t, e.exec(t, `UPDATE record SET data = replace(data, '"ledger_index":', '"Status":"active","ledger_index":') WHERE id = ?`, e.withdrawn.ID))
					return e.withdrawn.LedgerIdx, e.withdrawn.ID, []string{"served status active, committed withdrawn (stored document)"}
				}},
				{"withdrawn record republished", func(t *testing.T, e *lvEnv) (int64, string, []string) {
					e.mustChange(t, e.exec(t, `UPDATE record SET published = TRUE, pub_start = '2025-12-01' WHERE id = ?`, e.withdrawn.ID))
					return e.withdrawn.LedgerIdx, e.withdrawn.ID, []string{"served published true, committed false (column)"}
				}},
				{"published flipped", func(t *testing.T, e *lvEnv) (int64, string, []string) {
					e.mustChange(t, e.exec(t, `UPDATE record SET published = FALSE WHERE id = ?`, e.plain.ID))
					return e.plain.LedgerIdx, e.plain.ID, []string{"served published false, committed true (column)"}
				}},
				{"publication extended", func(t *testing.T, e *lvEnv) (int64, string, []string) {
					e.mustChange(t, e.exec(t, `UPDATE record SET pub_max_end = '2030-01-01' WHERE id = ?`, e.shielded.ID))
					return e.shielded.LedgerIdx, e.shielded.ID, []string{"served pub_max_end 2030-01-01", "(column)"}
				}},
				{"moved to another subject", func(t *testing.T, e *lvEnv) (int64, string, []string) {
					other := e.penaltyOf(t, e.svc, uscc(t, "91620100MA74QX5M"), "兰市监罚〔2025〕409号", "2")
					if other.SubjectID == e.plain.SubjectID {
						t.Fatal("one subject")
					}
					e.mustChange(t, e.exec(t, `UPDATE record SET subject_id = ? WHERE id = ?`, other.SubjectID, e.plain.ID))
					return e.plain.LedgerIdx, e.plain.ID, []string{"is not the committed subject (column)"}
				}},
				{"superseded version changed", func(t *testing.T, e *lvEnv) (int64, string, []string) {
					e.mustChange(t, e.exec(t, `UPDATE record_version SET data = replace(data, '罚款人民币2万元', '罚款人民币9万元') WHERE record_id = ? AND version = 1`, e.multi.ID))
					return e.multiV1, e.multi.ID + " v1", []string{"fields CF_NR", "stored document"}
				}},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					e := newLedgerEnv(t, st.db, st.driver)
					leaf, obj, msgs := c.do(t, e)
					rep := e.verify(t)
					wantProblem(t, rep, leaf, "record:"+obj, msgs...)
					t.Logf("report:\n%s", problemList(rep))
				})
			}
		})
	}
}

func (e *lvEnv) mustChange(t *testing.T, n int64) {
	t.Helper()
	if n != 1 {
		t.Fatalf("the tampering changed %d rows, want 1", n)
	}
}

// TestLedgerVerifyUnsignedLeaves: leaves no signed checkpoint covers — the
// checkpoints deleted, the latest one deleted, or leaves appended by a
// service without the signing key — are reported with their range.
func TestLedgerVerifyUnsignedLeaves(t *testing.T) {
	for _, st := range ledgerStores {
		t.Run(st.name, func(t *testing.T) {
			t.Run("checkpoints deleted", func(t *testing.T) {
				e := newLedgerEnv(t, st.db, st.driver)
				size := e.verify(t).Size
				if e.exec(t, `DELETE FROM ledger_checkpoint`) == 0 {
					t.Fatal("no checkpoint to delete")
				}
				rep := e.verify(t)
				wantProblem(t, rep, 0, "", fmt.Sprintf("no signed checkpoint covers leaves 0 to %d", size-1))
			})
			t.Run("latest checkpoint deleted", func(t *testing.T) {
				e := newLedgerEnv(t, st.db, st.driver)
				var prev int64
				err := e.svc.Store.View(e.ctx, func(tx xinyong.Tx) error {
					cps, err := tx.Checkpoints(2)
					if err == nil && len(cps) == 2 {
						prev = cps[1].Size
					}
					return err
				})
				if err != nil || prev == 0 {
					t.Fatalf("checkpoints: %v, previous size %d", err, prev)
				}
				size := e.verify(t).Size
				e.mustChange(t, e.exec(t, `DELETE FROM ledger_checkpoint WHERE size = ?`, size))
				rep := e.verify(t)
				wantProblem(t, rep, prev, "", leafRange(prev, size-1)+" not covered by any signed checkpoint")
			})
			t.Run("appended without the signing key", func(t *testing.T) {
				e := newLedgerEnv(t, st.db, st.driver)
				before := e.verify(t).Size
				forger := &workflow.Service{Store: e.svc.Store, Clock: e.clk.Now, IDKey: e.svc.IDKey, Holiday: e.svc.Holiday, Log: e.svc.Log}
				e.penalty(t, forger, "兰市监罚〔2025〕499号", "2")
				rep := e.verify(t)
				if rep.Size <= before {
					t.Fatalf("the forger appended nothing (size %d, before %d)", rep.Size, before)
				}
				wantProblem(t, rep, before, "", leafRange(before, rep.Size-1)+" not covered by any signed checkpoint")
				// The rows themselves are consistent: only the signature is missing.
				if len(rep.Problems) != 1 {
					t.Errorf("%d problems, want 1:\n%s", len(rep.Problems), problemList(rep))
				}
			})
			t.Run("entry beyond the head", func(t *testing.T) {
				e := newLedgerEnv(t, st.db, st.driver)
				size := e.verify(t).Size
				e.mustChange(t, e.exec(t, `INSERT INTO ledger_entry (idx, kind, object_type, object_id, version, commitment, at) VALUES (?, 'record.version', 'record', 'forged', 1, ?, 0)`, size, make([]byte, 32)))
				wantProblem(t, e.verify(t), size, "record:forged", "beyond the head")
			})
		})
	}
}
