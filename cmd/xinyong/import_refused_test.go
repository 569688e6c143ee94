package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportRefusedFile: a file refused whole (its header lacks required
// columns) exits 1, and --json still prints the shape with each
// missing column among the errors; resuming the failed job is a failure
// too (exit 1), not an empty success.
func TestImportRefusedFile(t *testing.T) {
	e := readyEnv(t)
	e.addDepartment(t)
	file := filepath.Join(e.dir, "no-columns.csv")
	if err := os.WriteFile(file, []byte("CF_XDR_MC,CF_WSH\n某公司,罚1号\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := e.run(t, "import", "--department", deptCode, "--kind", "penalty", "--json", file)
	if r.code != 1 {
		t.Fatalf("a refused file: %s", r)
	}
	var out struct {
		ID       string `json:"id"`
		Accepted int    `json:"accepted"`
		Rejected int    `json:"rejected"`
		Errors   []struct {
			Row     int    `json:"row"`
			Column  string `json:"column"`
			Rule    string `json:"rule"`
			Message string `json:"message"`
		} `json:"errors"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("--json: %v: %s", err, r.stdout)
	}
	if out.ID == "" || out.Error == "" || len(out.Errors) == 0 {
		t.Fatalf("--json of a refused file: %s", r.stdout)
	}
	sawColumn := false
	for _, fe := range out.Errors {
		sawColumn = sawColumn || (fe.Column == "CF_SY" && fe.Rule != "" && fe.Message != "")
	}
	if !sawColumn {
		t.Errorf("the missing column CF_SY is not among the errors: %s", r.stdout)
	}
	for _, args := range [][]string{{"import", "--resume", out.ID}, {"import", "--resume", out.ID, "--json"}} {
		if r := e.run(t, args[0], args[1:]...); r.code != 1 || !strings.Contains(r.stdout+r.stderr+errString(r), "fail") {
			t.Errorf("%v of a failed job: %s", args, r)
		}
	}
}

func errString(r result) string {
	if r.err == nil {
		return ""
	}
	return r.err.Error()
}
