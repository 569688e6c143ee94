package bench_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"xinyong/internal/bench"
	"xinyong/internal/server"
	"xinyong/internal/workflow"
)

// TestDataSizeHTTP: a run over HTTP records the same data size as a run in
// process on the same store, read from the server (GET /api/v1/stats) with
// the run's token; a token that may not read it, or none, leaves the size
// unknown with the server's reason.
func TestDataSizeHTTP(t *testing.T) {
	ctx := context.Background()
	a := open(t)
	imp, err := bench.Import(ctx, a.Service, cli, 60, 1, t.TempDir())
	if err != nil || imp.Accepted != 60 {
		t.Fatalf("%+v %v", imp, err)
	}
	recs, subjs, err := bench.DataSize(ctx, a.Store)
	if err != nil || recs != 60 || subjs == 0 {
		t.Fatalf("in process: %d records, %d subjects, %v", recs, subjs, err)
	}
	want := bench.DataSizeText(recs, subjs, "sqlite")

	hs := httptest.NewServer(server.New(a.Service, slog.New(slog.NewTextHandler(io.Discard, nil))).Handler())
	defer hs.Close()
	u, err := url.Parse(hs.URL)
	if err != nil {
		t.Fatal(err)
	}
	token := func(in workflow.TokenInput) string {
		t.Helper()
		_, secret, err := a.Service.CreateToken(ctx, cli, in)
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	for _, c := range []struct {
		name  string
		token string
	}{
		{"admin", token(workflow.TokenInput{Name: "bench admin", Role: "admin"})},
		{"auditor", token(workflow.TokenInput{Name: "bench auditor", Role: "auditor"})},
		{"officer (the profile scenario's token)", token(workflow.TokenInput{Name: "bench officer", Role: "officer", Department: imp.Department})},
	} {
		if got := bench.DataSizeHTTP(ctx, bench.NewClient(u, c.token, 1)); got != want {
			t.Errorf("%s: data size %q, want %q", c.name, got, want)
		}
	}
	for _, c := range []struct {
		name, token, why string
	}{
		{"agency (the check scenario's token)", token(workflow.TokenInput{Name: "bench agency", Role: "agency", Organisation: "某银行"}), "403"},
		{"no token (search and page as the public)", "", "401"},
	} {
		got := bench.DataSizeHTTP(ctx, bench.NewClient(u, c.token, 1))
		t.Logf("%s: %s", c.name, got)
		if !strings.HasPrefix(got, "unknown (over HTTP): ") || !strings.Contains(got, c.why) || !strings.Contains(got, bench.StatsPath) {
			t.Errorf("%s: data size %q, want unknown with the reason (%s)", c.name, got, c.why)
		}
		if strings.Contains(got, "{") {
			t.Errorf("%s: the reason is the raw problem document: %q", c.name, got)
		}
	}
	// A server that does not answer the route at all.
	dead := httptest.NewServer(nil)
	du, _ := url.Parse(dead.URL)
	dead.Close()
	if got := bench.DataSizeHTTP(ctx, bench.NewClient(du, "x", 1)); !strings.HasPrefix(got, "unknown (over HTTP): ") {
		t.Errorf("unreachable server: %q", got)
	}
}
