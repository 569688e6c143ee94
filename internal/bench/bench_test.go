package bench_test

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/app"
	"xinyong/internal/bench"
	"xinyong/internal/config"
	"xinyong/internal/gen"
	"xinyong/internal/refdata"
	"xinyong/internal/server"
	"xinyong/internal/workflow"
)

func TestHistQuantiles(t *testing.T) {
	var h bench.Hist
	if h.Quantile(0.5) != 0 {
		t.Fatal("empty histogram")
	}
	for i := 1; i <= 10000; i++ {
		h.Record(time.Duration(i) * time.Microsecond)
	}
	for _, q := range []float64{0.5, 0.95, 0.99} {
		want := time.Duration(q*10000) * time.Microsecond
		got := h.Quantile(q)
		if got < want || float64(got-want) > 0.035*float64(want) {
			t.Errorf("p%v = %v, want %v within 3.5 %%", q*100, got, want)
		}
	}
	if h.Max() != 10*time.Millisecond || h.Min() != time.Microsecond || h.Count() != 10000 {
		t.Errorf("max %v min %v count %d", h.Max(), h.Min(), h.Count())
	}
	var a, b bench.Hist
	for i := 0; i < 1000; i++ {
		a.Record(time.Duration(rand.IntN(1e6)))
		b.Record(time.Duration(rand.IntN(1e9)))
	}
	a.Merge(&b)
	if a.Count() != 2000 || a.Max() != b.Max() || a.Quantile(1) != a.Max() {
		t.Errorf("merge: count %d max %v q1 %v", a.Count(), a.Max(), a.Quantile(1))
	}
	// Small values are exact.
	var s bench.Hist
	for i := 0; i < 20; i++ {
		s.Record(time.Duration(i))
	}
	if s.Quantile(0.5) != 9 { // the 10th of 20 values
		t.Errorf("p50 of 0..19 = %v", s.Quantile(0.5))
	}
}

func TestCheckURL(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:8080", "http://127.0.0.1:1/x"} {
		if _, err := bench.CheckURL(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"http://example.com", "http://10.0.0.1:80", "http://localhost:8080", "ftp://127.0.0.1", "127.0.0.1:8080"} {
		if _, err := bench.CheckURL(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestAppendRow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "B.md")
	for i := 0; i < 2; i++ {
		if err := bench.AppendRow(path, bench.Row{Date: "2026-11-25", Machine: "m", DataSize: "d", Command: "`a|b`", Result: "r"}); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := os.ReadFile(path)
	if strings.Count(string(b), "| 2026-11-25 | m | d | `a\\|b` | r |\n") != 2 || !strings.Contains(string(b), "| date | machine |") {
		t.Fatalf("%s", b)
	}
}

func open(t *testing.T) *app.App {
	t.Helper()
	dir := t.TempDir()
	cfg := config.Config{DB: "sqlite:" + filepath.Join(dir, "x.db"), KeyDir: filepath.Join(dir, "keys"), Origin: "test/ledger"}
	a, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	set, _ := refdata.Load()
	if _, err := a.Service.Bootstrap(context.Background(), set); err != nil {
		t.Fatal(err)
	}
	return a
}

var cli = xinyong.Actor{Kind: "cli", ID: "cli:test", Name: "cli:test", Role: xinyong.RoleAdmin}

// The harness works on a small store; times are not asserted.
func TestImportScenario(t *testing.T) {
	a := open(t)
	res, err := bench.Import(context.Background(), a.Service, cli, 500, 1, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res.Summary())
	if res.Rows != 500 || res.Accepted != 500 || res.Status != xinyong.ImportDone || res.Rate() <= 0 || res.RawRate() <= 0 {
		t.Fatalf("%+v", res)
	}
	// A second run adds new records (document numbers carry a run tag).
	res2, err := bench.Import(context.Background(), a.Service, cli, 100, 1, t.TempDir())
	if err != nil || res2.Accepted != 100 {
		t.Fatalf("%+v %v", res2, err)
	}
	n, _, err := bench.DataSize(context.Background(), a.Store)
	if err != nil || n != 600 {
		t.Fatalf("%d records, %v", n, err)
	}
}

func TestProfileScenario(t *testing.T) {
	ctx := context.Background()
	a := open(t)
	g, err := gen.New(gen.Config{Seed: 5, Subjects: 200, Records: 400, Today: xinyong.DateOf(time.Now()), Dept: -1})
	if err != nil {
		t.Fatal(err)
	}
	man := gen.NewManifest(g.Departments())
	dir := t.TempDir()
	if _, err := gen.WriteFiles(g, gen.OutOptions{Dir: dir, Format: gen.FormatCSV, Manifest: man}); err != nil {
		t.Fatal(err)
	}
	// Fill through imports (real clock).
	for _, d := range g.Departments() {
		a.Service.CreateDepartment(ctx, cli, workflow.DepartmentInput{Code: d.Code, Name: d.Name, Provides: []string{"XZCF", "XZXK"}})
		for _, kind := range []string{"penalty", "license"} {
			p := filepath.Join(dir, gen.FileName(d, kind, gen.FormatCSV))
			if _, err := os.Stat(p); err != nil {
				continue
			}
			j, err := a.Service.CreateImport(ctx, cli, workflow.ImportRequest{Department: d.Code, Kind: kind, Path: p, KeepFile: true})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Service.RunImport(ctx, cli, j.ID, false, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	ids, err := bench.SubjectIDs(ctx, a.Service, man.Penalised)
	if err != nil || len(ids) == 0 {
		t.Fatalf("%d ids: %v", len(ids), err)
	}
	res := bench.Run(ctx, "profile", 300*time.Millisecond, 4, 1, bench.ProfileInProcess(a.Service, cli, ids))
	if res.Requests == 0 || res.Errors != 0 {
		t.Fatalf("in process: %s %v", res.Summary(), res.FirstError)
	}
	t.Log(res.Summary())
	// Over HTTP with an admin token.
	_, secret, err := a.Service.CreateToken(ctx, cli, workflow.TokenInput{Name: "bench", Role: "admin"})
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
	if _, err := bench.CheckURL(hs.URL); err != nil {
		t.Fatal(err)
	}
	c := bench.NewClient(u, secret, 4)
	hids, err := bench.SampleSubjectIDsHTTP(ctx, c, 3)
	if err != nil || len(hids) == 0 {
		t.Fatalf("sample over HTTP: %d, %v", len(hids), err)
	}
	res = bench.Run(ctx, "profile", 300*time.Millisecond, 4, 1, bench.ProfileHTTP(c, hids))
	if res.Requests == 0 || res.Errors != 0 {
		t.Fatalf("HTTP: %s %v", res.Summary(), res.FirstError)
	}
	t.Log(res.Summary())
}
