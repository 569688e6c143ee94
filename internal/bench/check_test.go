package bench_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/bench"
	"xinyong/internal/server"
	"xinyong/internal/workflow"
)

// TestCheckScenario runs the check scenario in process and over HTTP with an
// agency token, and the plain net/http ceiling, on a small store. With
// XINYONG_BENCH_CHECK=DURATION (e.g. 10s) it runs that long at concurrency
// 64 and logs the figures for BENCHMARKS.md.
func TestCheckScenario(t *testing.T) {
	ctx := context.Background()
	a := open(t)
	man := fill(t, a)
	var codes []string
	for _, c := range append(append([]string{}, man.Penalised...), man.Clean...) {
		if _, err := xinyong.ParseCitizenID(c); err != nil { // persons are checked by reference, not by ID number
			codes = append(codes, c)
		}
	}
	if len(codes) == 0 {
		t.Fatal("no codes")
	}
	d, conc := 300*time.Millisecond, 4
	if v := os.Getenv("XINYONG_BENCH_CHECK"); v != "" {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			t.Fatal(err)
		}
		conc = 64
		if c, err := strconv.Atoi(os.Getenv("XINYONG_BENCH_CONCURRENCY")); err == nil {
			conc = c
		}
	}
	res := bench.Run(ctx, "check", d, conc, 1, bench.CheckInProcess(a.Service, bench.BenchAgency, codes))
	if res.Requests == 0 || res.Errors != 0 {
		t.Fatalf("in process: %s %v", res.Summary(), res.FirstError)
	}
	t.Log("check in process: " + res.Summary())
	_, secret, err := a.Service.CreateToken(ctx, cli, workflow.TokenInput{Name: "bench", Role: "agency", Organisation: "基准测试机构"})
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(a.Service, slog.New(slog.NewTextHandler(io.Discard, nil)))
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	u, err := url.Parse(hs.URL)
	if err != nil {
		t.Fatal(err)
	}
	c := bench.NewClient(u, secret, conc)
	res = bench.Run(ctx, "check", d, conc, 1, bench.CheckHTTP(c, codes))
	if res.Requests == 0 || res.Errors != 0 {
		t.Fatalf("over HTTP: %s %v", res.Summary(), res.FirstError)
	}
	t.Log("check over HTTP: " + res.Summary())
	hello, err := bench.HelloCeiling(ctx, d, conc, 1)
	if err != nil || hello.Requests == 0 || hello.Errors != 0 {
		t.Fatalf("ceiling: %v %v", err, hello)
	}
	t.Log("ceiling (plain net/http): " + hello.Summary())
}
