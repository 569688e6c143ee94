package main

import (
	"strings"
	"testing"
)

// TestGradeCommand: a batch run over a generated store, then a resume of
// a done run is refused, and the ledger still verifies.
func TestGradeCommand(t *testing.T) {
	e := newEnv(t)
	e.must(t, "gen", "--subjects", "60", "--records", "200", "--seed", "4")
	r := e.must(t, "grade", "--chunk", "7")
	for _, want := range []string{"done:", "subjects", "records", "digest", "ledger leaf"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("grade output lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "model public-credit@1") {
		t.Errorf("grade stderr: %s", r.stderr)
	}
	e.must(t, "ledger verify")
	if r := run(t, "grade", "--chunk", "0"); r.code != 2 {
		t.Errorf("--chunk 0: %s", r)
	}
}
