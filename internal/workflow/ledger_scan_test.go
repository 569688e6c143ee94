package workflow_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestLedgerVerifyServedColumns: each column of a current version that
// the content determines, and the members of its document the content
// does not hold (the leaf it names, the subject's code), changed behind
// the application's back is reported at the version's leaf — on the
// fast path that reads the document's members as raw bytes
// (ledger_rows.go quickFields), on SQLite and PostgreSQL.
func TestLedgerVerifyServedColumns(t *testing.T) {
	for _, st := range ledgerStores {
		t.Run(st.name, func(t *testing.T) {
			cases := []struct {
				name string
				do   func(t *testing.T, e *lvEnv) (leaf int64, obj string, msgs []string)
			}{
				{"decision_date", func(t *testing.T, e *lvEnv) (int64, string, []string) {
					e.mustChange(t, e.exec(t, `UPDATE record SET decision_date = '2025-11-30' WHERE id = ?`, e.plain.ID))
					return e.plain.LedgerIdx, e.plain.ID, []string{"served decision_date 2025-11-30, committed 2025-12-01 (column)"}
				}},
				{"doc_number", func(t *testing.T, e *lvEnv) (int64, string, []string) {
					e.mustChange(t, e.exec(t, `UPDATE record SET doc_number = '兰市监罚〔2025〕498号' WHERE id = ?`, e.plain.ID))
					return e.plain.LedgerIdx, e.plain.ID, []string{"served doc_number: not the committed decision number (column)"}
				}},
				{"late_days", func(t *testing.T, e *lvEnv) (int64, string, []string) {
					e.mustChange(t, e.exec(t, `UPDATE record SET late_days = ? WHERE id = ?`, e.plain.Lateness.WorkingDays+5, e.plain.ID))
					return e.plain.LedgerIdx, e.plain.ID, []string{fmt.Sprintf("served late_days %d, committed %d (column)", e.plain.Lateness.WorkingDays+5, e.plain.Lateness.WorkingDays)}
				}},
				{"lenient", func(t *testing.T, e *lvEnv) (int64, string, []string) {
					e.mustChange(t, e.exec(t, `UPDATE record SET lenient = TRUE WHERE id = ?`, e.plain.ID))
					return e.plain.LedgerIdx, e.plain.ID, []string{"served lenient true, committed false (column)"}
				}},
				{"severity", func(t *testing.T, e *lvEnv) (int64, string, []string) {
					e.mustChange(t, e.exec(t, `UPDATE record SET severity = 'serious' WHERE id = ?`, e.plain.ID))
					return e.plain.LedgerIdx, e.plain.ID, []string{"served severity serious, committed general (column)"}
				}},
				{"item", func(t *testing.T, e *lvEnv) (int64, string, []string) {
					e.mustChange(t, e.exec(t, `UPDATE record SET item = 'XK' WHERE id = ?`, e.plain.ID))
					return e.plain.LedgerIdx, e.plain.ID, []string{"served item XK, committed XZCF (column)"}
				}},
				{"pub_start of a withdrawn record", func(t *testing.T, e *lvEnv) (int64, string, []string) {
					e.mustChange(t, e.exec(t, `UPDATE record SET pub_start = '2025-12-01' WHERE id = ?`, e.withdrawn.ID))
					return e.withdrawn.LedgerIdx, e.withdrawn.ID, []string{"served pub_start 2025-12-01, committed NULL (column)"}
				}},
				{"document's leaf", func(t *testing.T, e *lvEnv) (int64, string, []string) {
					from, to := fmt.Sprintf(`"ledger_index":%d`, e.plain.LedgerIdx), fmt.Sprintf(`"ledger_index":%d`, e.plain.LedgerIdx+1)
					e.mustChange(t, e.exec(t, `UPDATE record SET data = replace(data, ?, ?) WHERE id = ?`, from, to, e.plain.ID))
					return e.plain.LedgerIdx, e.plain.ID, []string{fmt.Sprintf("served ledger_index %d, committed at leaf %d (stored document)", e.plain.LedgerIdx+1, e.plain.LedgerIdx)}
				}},
				{"document's subject code", func(t *testing.T, e *lvEnv) (int64, string, []string) {
					code := e.plain.SubjectCode
					e.mustChange(t, e.exec(t, `UPDATE record SET data = replace(data, ?, ?) WHERE id = ?`, `"subject_code":"`+code, `"subject_code":"X`+code[1:], e.plain.ID))
					return e.plain.LedgerIdx, e.plain.ID, []string{"served subject_code: not the committed subject's (stored document)"}
				}},
				{"superseded version's leaf", func(t *testing.T, e *lvEnv) (int64, string, []string) {
					from, to := fmt.Sprintf(`"ledger_index":%d`, e.multiV1), fmt.Sprintf(`"ledger_index":%d`, e.multiV1+2)
					e.mustChange(t, e.exec(t, `UPDATE record_version SET data = replace(data, ?, ?) WHERE record_id = ? AND version = 1`, from, to, e.multi.ID))
					return e.multiV1, e.multi.ID + " v1", []string{"served ledger_index"}
				}},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					e := newLedgerEnv(t, st.db, st.driver)
					leaf, obj, msgs := c.do(t, e)
					rep := e.verify(t)
					wantProblem(t, rep, leaf, "record:"+obj, msgs...)
					if len(rep.Problems) != 1 {
						t.Errorf("%d problems, want 1:\n%s", len(rep.Problems), problemList(rep))
					}
					if !strings.Contains(rep.Problems[0].Message, "the row was changed") {
						t.Errorf("problem %q", rep.Problems[0].Message)
					}
				})
			}
		})
	}
}
