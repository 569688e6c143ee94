package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGenCommand(t *testing.T) {
	e := newEnv(t)
	man := filepath.Join(e.dir, "m.json")
	r := e.must(t, "gen", "--subjects", "100", "--records", "300", "--seed", "3", "--manifest", man)
	for _, want := range []string{"300 records", "300 accepted", "0 refused", "serious-list", "mode 0600"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("gen output lacks %q:\n%s", want, r.stdout)
		}
	}
	st, err := os.Stat(man)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("manifest: %v %v", st, err)
	}
	var m map[string][]string
	b, _ := os.ReadFile(man)
	if err := json.Unmarshal(b, &m); err != nil || len(m["departments"]) == 0 || m["listed"] == nil {
		t.Fatalf("manifest %s: %v", b, err)
	}
	e.must(t, "ledger verify")
	// Files: the same seed gives the same bytes.
	out1, out2 := filepath.Join(e.dir, "o1"), filepath.Join(e.dir, "o2")
	for _, o := range []string{out1, out2} {
		run(t, "gen", "--out", o, "--format", "gbk-csv", "--subjects", "100", "--records", "300", "--seed", "3", "--today", "2026-11-25")
	}
	ents, _ := os.ReadDir(out1)
	if len(ents) < 3 {
		t.Fatalf("%d files", len(ents))
	}
	for _, ent := range ents {
		a, _ := os.ReadFile(filepath.Join(out1, ent.Name()))
		b, _ := os.ReadFile(filepath.Join(out2, ent.Name()))
		if string(a) != string(b) {
			t.Fatalf("%s differs", ent.Name())
		}
	}
	if r := run(t, "gen", "--out", out1, "--format", "pdf"); r.code == 0 {
		t.Errorf("--format pdf accepted: %s", r)
	}
}

func TestBenchCommand(t *testing.T) {
	e := newEnv(t)
	e.must(t, "gen", "--subjects", "50", "--records", "100")
	r := e.must(t, "bench", "--scenario", "search", "--duration", "300ms", "--concurrency", "2")
	for _, want := range []string{"search in process:", "2 characters: ", "3-6 characters: ", "code: ", "p99"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("search output lacks %q: %s", want, r)
		}
	}
	if strings.Contains(r.stdout, "first error") {
		t.Errorf("search: %s", r)
	}
	if r := run(t, "bench", "--url", "http://example.com:80", "--token", "x", "--scenario", "profile"); r.code != 2 || !strings.Contains(r.err.Error(), "127.0.0.1") {
		t.Errorf("remote URL: %s", r)
	}
	bm := filepath.Join(e.dir, "B.md")
	r = e.must(t, "bench", "--scenario", "import", "--rows", "200", "--record", "--benchmarks", bm)
	if !strings.Contains(r.stdout, "rows/s end to end") || !strings.Contains(r.stdout, "machine:") {
		t.Errorf("import: %s", r)
	}
	r = e.must(t, "bench", "--scenario", "profile", "--duration", "300ms", "--concurrency", "2", "--record", "--benchmarks", bm)
	if !strings.Contains(r.stdout, "p99") {
		t.Errorf("profile: %s", r)
	}
	b, _ := os.ReadFile(bm)
	if strings.Count(string(b), "\n| 20") != 2 {
		t.Errorf("benchmarks file:\n%s", b)
	}
}

// TestGenPerTx: --per-tx sets how many submissions one transaction
// carries; a small value gives more transactions and the same store.
func TestGenPerTx(t *testing.T) {
	txs := func(args ...string) (string, int) {
		t.Helper()
		e := newEnv(t)
		r := e.must(t, "gen", append([]string{"--subjects", "60", "--records", "200", "--seed", "4"}, args...)...)
		var batches, n int
		i := strings.Index(r.stdout, " batches in ")
		if i < 0 {
			t.Fatalf("gen output lacks the transactions: %s", r.stdout)
		}
		j := strings.LastIndex(r.stdout[:i], ", ")
		if _, err := fmt.Sscanf(r.stdout[j+2:], "%d batches in %d transactions", &batches, &n); err != nil {
			t.Fatalf("gen output %q: %v", r.stdout, err)
		}
		e.must(t, "ledger verify")
		k := strings.Index(r.stdout, "\n  records: ")
		return r.stdout[k : k+strings.Index(r.stdout[k+1:], "\n")+1], n
	}
	sumDefault, nDefault := txs()
	sumSmall, nSmall := txs("--per-tx", "20")
	if nSmall <= nDefault {
		t.Errorf("--per-tx 20 gave %d transactions, the default %d", nSmall, nDefault)
	}
	if sumSmall != sumDefault {
		t.Errorf("outcomes differ with --per-tx 20:\n%s\n%s", sumSmall, sumDefault)
	}
	if r := run(t, "gen", "--subjects", "10", "--records", "10", "--per-tx", "-1"); r.code == 0 {
		t.Errorf("--per-tx -1 accepted: %s", r)
	}
	// gen's own cache default never hides a bad --sqlite-cache.
	e := newEnv(t)
	if r := e.run(t, "gen", "--subjects", "10", "--records", "10", "--sqlite-cache", "-5"); r.code != 2 || r.err == nil || !strings.Contains(r.err.Error(), "--sqlite-cache") {
		t.Errorf("--sqlite-cache -5: %s", r)
	}
}
