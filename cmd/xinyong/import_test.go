package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/config"
)

// importOutput is the --json output of xinyong import.
type importOutput struct {
	ID       string `json:"id"`
	Accepted int    `json:"accepted"`
	Rejected int    `json:"rejected"`
	Errors   []struct {
		Row     int    `json:"row"`
		Column  string `json:"column"`
		Value   string `json:"value"`
		Rule    string `json:"rule"`
		Message string `json:"message"`
	} `json:"errors"`
}

// importJSON runs import --json and decodes its one JSON object.
func (e *env) importJSON(t *testing.T, file string) (importOutput, result) {
	t.Helper()
	r := e.run(t, "import", "--department", deptCode, "--kind", "penalty", "--json", file)
	var out importOutput
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("import --json: stdout is not one JSON object (%v): %s", err, r)
	}
	if _, err := dec.Token(); err != io.EOF || strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("import --json prints more than one JSON object: %q", r.stdout)
	}
	var raw map[string]json.RawMessage
	json.Unmarshal([]byte(r.stdout), &raw)
	for _, k := range []string{"accepted", "rejected", "errors"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("import --json: no %q member in %s", k, r.stdout)
		}
	}
	if string(raw["errors"]) == "null" {
		t.Errorf("import --json: errors is null, want a list")
	}
	return out, r
}

// TestImport: a file with good and bad rows, the same file again, a clean
// file with Chinese headers, a changed row; with a server running.
func TestImport(t *testing.T) {
	e := readyEnv(t)
	e.addDepartment(t)
	s := startServe(t, e) // the import works beside a running server

	rows := []map[string]string{penalty(1, deptCode), penalty(2, deptCode), penalty(3, deptCode)}
	badDate := penalty(100, deptCode)
	badDate["CF_JDRQ"] = "2024-13-45"
	badFine := penalty(101, deptCode)
	badFine["CF_NR_FK"] = "两千元"
	badCode := penalty(102, deptCode)
	badCode["CF_XDR_SHXYM"] = "91350203M0001QAY9B"
	dup := penalty(103, deptCode)
	dup["CF_WSH"] = rows[0]["CF_WSH"] // same decision number as line 2, other content
	rows = append(rows, badDate, penalty(4, deptCode), badFine, badCode, penalty(5, deptCode), dup, penalty(6, deptCode))
	// Line numbers: the header is line 1.
	type want struct {
		row          int
		column, rule string
	}
	wants := []want{{5, "CF_JDRQ", "field.date"}, {7, "CF_NR_FK", "field.amount"}, {8, "CF_XDR_SHXYM", "uscc"}, {10, "CF_WSH", "row.duplicate"}}
	file := filepath.Join(e.dir, "penalties.csv")
	writePenalties(t, file, penaltyColumns, rows)

	check := func(run string, out importOutput, r result) {
		t.Helper()
		if r.code != 1 {
			t.Errorf("%s: exit %d, want 1 (rows failed)", run, r.code)
		}
		if out.Accepted != 6 || out.Rejected != 4 {
			t.Errorf("%s: accepted %d rejected %d, want 6 and 4", run, out.Accepted, out.Rejected)
		}
		bad := map[int]bool{}
		for _, w := range wants {
			bad[w.row] = true
			found := false
			for _, e := range out.Errors {
				if e.Row == w.row && e.Column == w.column && strings.HasPrefix(e.Rule, w.rule) && e.Message != "" {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: no error at row %d column %s rule %s in %+v", run, w.row, w.column, w.rule, out.Errors)
			}
		}
		perRow := map[int]int{}
		for _, e := range out.Errors {
			perRow[e.Row]++
			if !bad[e.Row] {
				t.Errorf("%s: an error on a good row: %+v", run, e)
			}
		}
		for row, n := range perRow {
			if n != 1 {
				t.Errorf("%s: %d errors on row %d, want the one precise reason: %+v", run, n, row, out.Errors)
			}
		}
	}
	out, r := e.importJSON(t, file)
	check("first run", out, r)
	if n := e.count(t, `SELECT count(*) FROM record`); n != 6 {
		t.Errorf("records after the first run: %d, want 6", n)
	}

	// The same file again: idempotent.
	out, r = e.importJSON(t, file)
	check("second run", out, r)
	if n := e.count(t, `SELECT count(*) FROM record`); n != 6 {
		t.Errorf("records after the second run: %d, want 6", n)
	}
	if n := e.count(t, `SELECT count(*) FROM record_version`); n != 0 {
		t.Errorf("the second run wrote %d new versions", n)
	}
	r = e.run(t, "import", "--department", deptCode, "--kind", "penalty", file)
	if r.code != 1 || !strings.Contains(r.stdout, "6 accepted (6 unchanged), 4 rejected") {
		t.Errorf("third run, summary: %s", r)
	}

	// A clean file with Chinese column labels.
	var clean []map[string]string
	for i := 200; i < 210; i++ {
		clean = append(clean, penalty(i, deptCode))
	}
	cleanFile := filepath.Join(e.dir, "clean.csv")
	writePenalties(t, cleanFile, penaltyLabels, clean)
	out, r = e.importJSON(t, cleanFile)
	if r.code != 0 || out.Accepted != 10 || out.Rejected != 0 || len(out.Errors) != 0 {
		t.Errorf("clean file: %+v %s", out, r)
	}
	if n := e.count(t, `SELECT count(*) FROM record`); n != 16 {
		t.Errorf("records: %d, want 16", n)
	}

	// A changed row is a new version of the same record.
	changed := penalty(1, deptCode)
	changed["CF_NR_FK"] = "0.3"
	changedFile := filepath.Join(e.dir, "changed.csv")
	writePenalties(t, changedFile, penaltyColumns, []map[string]string{changed})
	if out, r := e.importJSON(t, changedFile); r.code != 0 || out.Accepted != 1 {
		t.Errorf("changed row: %+v %s", out, r)
	}
	if n := e.count(t, `SELECT count(*) FROM record`); n != 16 {
		t.Errorf("records: %d, want 16", n)
	}
	if n := e.count(t, `SELECT count(*) FROM record_version`); n != 1 {
		t.Errorf("versions: %d, want 1", n)
	}

	// Bad invocations.
	if r := e.run(t, "import", "--department", deptCode, "--kind", "penalty"); r.code != 2 {
		t.Errorf("import without a file: %s", r)
	}
	if r := e.run(t, "import", "--department", deptCode, "--kind", "fine", file); r.code != 1 {
		t.Errorf("unknown kind: %s", r)
	}
	if r := e.run(t, "import", "--department", uscc("11350100", "MB000009"), "--kind", "penalty", file); r.code != 1 {
		t.Errorf("unknown department: %s", r)
	}

	// The server sees the records, and the ledger verifies.
	if code, body := s.get(t, "/api/v1/ledger/checkpoint", ""); code != 200 || !strings.Contains(body, "xinyong.local/ledger") {
		t.Errorf("checkpoint: %d %s", code, body)
	}
	r = e.must(t, "ledger verify")
	if !strings.Contains(r.stdout, "OK") || strings.Contains(r.stdout, "PROBLEM") {
		t.Errorf("ledger verify: %s", r)
	}
}

// TestLedgerTamper changes the database behind the application's back in
// four ways, each in its own copy; ledger verify reports each with exit 1.
func TestLedgerTamper(t *testing.T) {
	base := readyEnv(t)
	base.addDepartment(t)
	var rows []map[string]string
	for i := 1; i <= 5; i++ {
		rows = append(rows, penalty(i, deptCode))
	}
	file := filepath.Join(base.dir, "p.csv")
	writePenalties(t, file, penaltyColumns, rows)
	if out, r := base.importJSON(t, file); r.code != 0 || out.Accepted != 5 {
		t.Fatalf("import: %s", r)
	}
	rows[2]["CF_NR_FK"] = "0.5" // a second version
	writePenalties(t, file, penaltyColumns, rows)
	if _, r := base.importJSON(t, file); r.code != 0 {
		t.Fatalf("import: %s", r)
	}
	base.must(t, "ledger verify")

	var recID string
	var recIdx int64
	var recContent []byte
	db := base.sqldb(t)
	if err := db.QueryRow(`SELECT id, ledger_idx, content FROM record ORDER BY ledger_idx LIMIT 1`).Scan(&recID, &recIdx, &recContent); err != nil {
		t.Fatal(err)
	}
	var auditIdx int64
	if err := db.QueryRow(`SELECT ledger_idx FROM audit ORDER BY id DESC LIMIT 1`).Scan(&auditIdx); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if !bytes.Contains(recContent, []byte("福州")) {
		t.Fatalf("record content does not hold the subject's name: %s", recContent)
	}

	cases := []struct {
		name  string
		sql   string
		args  []any
		wants []string
	}{
		{"content changed", `UPDATE record SET content = ? WHERE id = ?`, []any{bytes.Replace(recContent, []byte("福州"), []byte("厦门"), 1), recID},
			[]string{fmt.Sprintf("PROBLEM at leaf %d record:%s", recIdx, recID), "commitment"}},
		{"audit row deleted", `DELETE FROM audit WHERE ledger_idx = ?`, []any{auditIdx},
			[]string{fmt.Sprintf("PROBLEM at leaf %d ", auditIdx), "audit event", "deleted"}},
		{"version inserted without a leaf", `INSERT INTO record_version (record_id, version, ledger_idx, at, data, content, salt) VALUES (?, 99, 1000000, 0, '{}', ?, ?)`,
			[]any{recID, []byte(`{"id":"x"}`), []byte("salt")},
			[]string{"PROBLEM ", recID + " v99"}},
		{"version inserted at another's leaf", `INSERT INTO record_version (record_id, version, ledger_idx, at, data, content, salt) VALUES (?, 99, ?, 0, '{}', ?, ?)`,
			[]any{recID, recIdx, []byte(`{"id":"x"}`), []byte("salt")},
			[]string{fmt.Sprintf("PROBLEM at leaf %d ", recIdx), recID + " v99"}},
		{"leaf commitment changed", `UPDATE ledger_entry SET commitment = zeroblob(32) WHERE idx = ?`, []any{recIdx},
			[]string{fmt.Sprintf("PROBLEM at leaf %d", recIdx)}},
		// What the row serves, against its unchanged content and salt.
		{"served document changed", `UPDATE record SET data = replace(data, '福州', '厦门') WHERE id = ?`, []any{recID},
			[]string{fmt.Sprintf("PROBLEM at leaf %d record:%s", recIdx, recID), "subject_name: not what the content commits to"}},
		{"served as withdrawn", `UPDATE record SET status = 'withdrawn' WHERE id = ?`, []any{recID},
			[]string{fmt.Sprintf("PROBLEM at leaf %d record:%s", recIdx, recID), "served status withdrawn, committed active"}},
		{"unpublished", `UPDATE record SET published = 0 WHERE id = ?`, []any{recID},
			[]string{fmt.Sprintf("PROBLEM at leaf %d record:%s", recIdx, recID), "served published false, committed true"}},
		// Leaves no signed checkpoint covers.
		{"latest checkpoint deleted", `DELETE FROM ledger_checkpoint WHERE size = (SELECT max(size) FROM ledger_checkpoint)`, nil,
			[]string{"PROBLEM at leaf ", "not covered by any signed checkpoint"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := base.copyTo(t, t.TempDir())
			db := e.sqldb(t)
			res, err := db.Exec(c.sql, c.args...)
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				t.Fatalf("tampering changed %d rows", n)
			}
			db.Close()
			r := e.run(t, "ledger verify")
			if r.code != 1 {
				t.Fatalf("ledger verify after tampering: %s", r)
			}
			for _, w := range c.wants {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("report does not contain %q:\n%s", w, r.stdout)
				}
			}
			t.Logf("report:\n%s", r.stdout)
			if strings.Contains(r.stdout, "OK: the ledger verifies") {
				t.Errorf("report says OK:\n%s", r.stdout)
			}
		})
	}
}

// TestKillMidImport kills `xinyong import` (SIGKILL) after its first
// committed batch; a second process cannot take the job over while it looks
// alive, `import --resume` finishes it, and nothing is duplicated or lost.
func TestKillMidImport(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 30,000 rows")
	}
	bin := binary(t)
	e := readyEnv(t)
	e.addDepartment(t)
	const n = 30000
	file := filepath.Join(e.dir, "big.csv")
	rows := make([]map[string]string, n)
	for i := range rows {
		rows[i] = penalty(i, deptCode)
	}
	writePenalties(t, file, penaltyColumns, rows)

	args := append(append([]string{"import"}, e.flags()...), "--department", deptCode, "--kind", "penalty", file)
	cmd := exec.Command(bin, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	startedRE := regexp.MustCompile(`^import (\S+) started$`)
	sc := bufio.NewScanner(stderr)
	var id, seen string
	killed := false
	for sc.Scan() {
		line := sc.Text()
		seen += line + "\n"
		if m := startedRE.FindStringSubmatch(line); m != nil && id == "" {
			id = m[1]
		}
		if strings.Contains(line, "committed") {
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			killed = true
			break
		}
	}
	io.Copy(io.Discard, stderr)
	cmd.Wait()
	if !killed || id == "" {
		t.Fatalf("no id or no committed batch seen (killed %v, id %q):\n%s", killed, id, seen)
	}
	if got := e.count(t, `SELECT count(*) FROM record`); got >= n || got < 2000 {
		t.Fatalf("after the kill: %d records; want at least one batch and not all", got)
	}
	if got := e.count(t, `SELECT count(*) FROM import_job WHERE id = ? AND status = 'running'`, id); got != 1 {
		t.Fatalf("the killed job is not left running")
	}

	// Without --resume's takeover, another process cannot claim a job that
	// ran moments ago (its process may be alive).
	func() {
		m := NewMain()
		m.Stdout, m.Stderr = io.Discard, io.Discard
		defer m.Close()
		var cfg config.Config
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		cfg.Flags(fs)
		if err := fs.Parse(e.flags()); err != nil {
			t.Fatal(err)
		}
		a, err := m.open(context.Background(), &cfg, false)
		if err != nil {
			t.Fatal(err)
		}
		_, err = a.Service.RunImport(context.Background(), cliActor(), id, false, nil)
		if xinyong.ErrorCode(err) != xinyong.ECONFLICT || !strings.Contains(xinyong.ErrorMessage(err), "running") {
			t.Errorf("claiming a live job: %v, want a conflict", err)
		}
	}()
	if got := e.count(t, `SELECT count(*) FROM import_job WHERE id = ? AND status = 'running'`, id); got != 1 {
		t.Fatalf("the refused claim changed the job")
	}

	// The killed process made progress moments ago: a plain --resume waits
	// for it to go stale, --force takes over at once.
	if out, err := exec.Command(bin, append(append([]string{"import"}, e.flags()...), "--resume", id)...).CombinedOutput(); err == nil || !strings.Contains(string(out), "running in another process") {
		t.Fatalf("import --resume of a job with recent progress: err %v, want a refusal naming the other process\n%s", err, out)
	}
	out, err := exec.Command(bin, append(append([]string{"import"}, e.flags()...), "--resume", id, "--force")...).CombinedOutput()
	if err != nil {
		t.Fatalf("import --resume: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), fmt.Sprintf("import %s done: %d rows", id, n)) || !strings.Contains(string(out), fmt.Sprintf("%d accepted (0 unchanged), 0 rejected", n)) {
		t.Errorf("resume summary:\n%s", out)
	}
	if got := e.count(t, `SELECT count(*) FROM record`); got != n {
		t.Errorf("records: %d, want %d", got, n)
	}
	if got := e.count(t, `SELECT count(DISTINCT doc_number) FROM record`); got != n {
		t.Errorf("distinct decision numbers: %d, want %d", got, n)
	}
	if got := e.count(t, `SELECT count(*) FROM record_version`); got != 0 {
		t.Errorf("%d extra versions: rows were submitted twice", got)
	}
	if got := e.count(t, `SELECT count(*) FROM import_error`); got != 0 {
		t.Errorf("%d row errors on a clean file", got)
	}
	if got := e.count(t, `SELECT count(*) FROM import_job WHERE id = ? AND status = 'done'`, id); got != 1 {
		t.Errorf("the job is not done")
	}
	r := e.must(t, "ledger verify")
	if !strings.Contains(r.stdout, fmt.Sprintf("%d record versions", n)) {
		t.Errorf("ledger verify: %s", r)
	}
	// Resuming a finished job changes nothing.
	if out, err := exec.Command(bin, append(append([]string{"import"}, e.flags()...), "--resume", id)...).CombinedOutput(); err != nil {
		t.Errorf("resume of a finished job: %v\n%s", err, out)
	}
	if got := e.count(t, `SELECT count(*) FROM record`); got != n {
		t.Errorf("records after a second resume: %d", got)
	}
	_ = os.Remove(file)
}
