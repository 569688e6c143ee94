package main

import (
	"encoding/json"
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
