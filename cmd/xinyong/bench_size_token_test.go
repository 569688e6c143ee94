package main

import (
	"strings"
	"testing"
)

// TestBenchSizeToken: a run over HTTP whose own token may not read the
// store's size (search as the public, check as an agency) records it as
// unknown, with the reason; --size-token names a staff token used only to
// read it (GET /api/v1/stats), and the run then prints the real size.
func TestBenchSizeToken(t *testing.T) {
	e := newEnv(t)
	e.must(t, "gen", "--subjects", "40", "--records", "120", "--today", "2026-11-26")
	admin := strings.TrimSpace(e.must(t, "token create", "--role", "admin", "--name", "size").stdout)
	s := startServe(t, e)
	args := []string{"bench", "--url", s.m.URL, "--scenario", "search", "--duration", "200ms", "--concurrency", "1"}
	r := run(t, args...)
	if !strings.Contains(r.stdout, "unknown (over HTTP)") || !strings.Contains(r.stdout, "401") {
		t.Errorf("search as the public without --size-token: want the size unknown with the reason:\n%s%s", r.stdout, r.stderr)
	}
	r = run(t, append(args, "--size-token", admin)...)
	if strings.Contains(r.stdout, "unknown (over HTTP)") || !strings.Contains(r.stdout, "records,") || !strings.Contains(r.stdout, "subjects (sqlite)") {
		t.Errorf("with --size-token: want the store's size:\n%s%s", r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, admin) {
		t.Error("the size token was printed")
	}
}
