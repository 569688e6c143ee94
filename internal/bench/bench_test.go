package bench_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

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

// fill fills a store with a generated province through imports (real
// clock) and returns its manifest.
func fill(t *testing.T, a *app.App) *gen.Manifest {
	t.Helper()
	ctx := context.Background()
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
	return man
}

func TestProfileScenario(t *testing.T) {
	ctx := context.Background()
	a := open(t)
	man := fill(t, a)
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

func TestRunClasses(t *testing.T) {
	names := []string{"even", "odd"}
	var n int
	res := bench.RunClasses(context.Background(), "c", 100*time.Millisecond, 1, 1, names, func(ctx context.Context, rng *rand.Rand) (int, error) {
		n++
		if n%10 == 0 {
			return n % 2, errors.New("every tenth fails")
		}
		return n % 2, nil
	})
	even, odd := res.Class("even"), res.Class("odd")
	if even == nil || odd == nil || res.Class("none") != nil {
		t.Fatalf("classes %+v", res.Classes)
	}
	if even.Requests == 0 || odd.Requests == 0 || even.Requests+odd.Requests != res.Requests || res.Hist.Count() != res.Requests {
		t.Errorf("requests: even %d odd %d all %d", even.Requests, odd.Requests, res.Requests)
	}
	if even.Errors == 0 || odd.Errors != 0 || res.Errors != even.Errors || res.FirstError == nil {
		t.Errorf("errors: even %d odd %d all %d (%v)", even.Errors, odd.Errors, res.Errors, res.FirstError)
	}
	if s := res.Summary(); !strings.Contains(s, "; even: ") || !strings.Contains(s, "; odd: ") {
		t.Errorf("summary %s", s)
	}
	// A plain run has no classes.
	if res := bench.Run(context.Background(), "p", 10*time.Millisecond, 1, 1, func(context.Context, *rand.Rand) error { return nil }); len(res.Classes) != 0 || res.Requests == 0 {
		t.Errorf("plain run: %+v", res.Classes)
	}
}

func TestNewSearchSet(t *testing.T) {
	subjects := []bench.NamedSubject{
		{Code: "91620100MA74QX3K7A", Name: "兰州鞋铁荣智商贸有限公司"},
		{Code: "91620100MA74QX4L8B", Name: "张*明"},
		{Code: "91620100MA74QX5M9C", Name: "天水 玉基"},
		{Code: "short", Name: "甲"},
		{Code: "526210********2746", Name: "甲乙丙"},
		{Code: "", Name: "丁戊"},
	}
	set := bench.NewSearchSet(subjects, 50, 7)
	if len(set.Two) != 50 || len(set.Longer) != 50 || len(set.Codes) != 3 {
		t.Fatalf("%d, %d, %d queries", len(set.Two), len(set.Longer), len(set.Codes))
	}
	for _, c := range set.Codes {
		if len(c) != 18 || strings.Contains(c, "*") {
			t.Errorf("code query %q", c)
		}
	}
	for _, q := range append(append([]string{}, set.Two...), set.Longer...) {
		n := utf8.RuneCountInString(q)
		if n < 2 || n > 6 || strings.ContainsAny(q, "* ") {
			t.Errorf("query %q", q)
		}
		found := false
		for _, s := range subjects {
			found = found || strings.Contains(s.Name, q)
		}
		if !found {
			t.Errorf("query %q is in no name", q)
		}
	}
	for _, q := range set.Two {
		if utf8.RuneCountInString(q) != 2 {
			t.Errorf("2-character query %q", q)
		}
	}
	for _, q := range set.Longer {
		if utf8.RuneCountInString(q) < 3 {
			t.Errorf("longer query %q", q)
		}
	}
	if again := bench.NewSearchSet(subjects, 50, 7); !slices.Equal(again.Two, set.Two) || !slices.Equal(again.Longer, set.Longer) || !slices.Equal(again.Codes, set.Codes) {
		t.Error("the same seed gave another set")
	}
	if empty := bench.NewSearchSet(nil, 50, 7); empty.Len() != 0 {
		t.Errorf("set of nothing: %+v", empty)
	}
	if _, err := bench.SearchInProcess(nil, xinyong.Public, bench.SearchSet{}); err == nil {
		t.Error("an empty set runs")
	}
}

// The search scenario runs in process and over HTTP, with queries from the
// store or from the manifest; every query finds its subject.
func TestSearchScenario(t *testing.T) {
	ctx := context.Background()
	a := open(t)
	man := fill(t, a)
	check := func(how string, res *bench.Result) {
		t.Helper()
		t.Logf("%s: %s", how, res.Summary())
		if res.Errors != 0 {
			t.Errorf("%s: %d errors, first %v", how, res.Errors, res.FirstError)
		}
		if len(res.Classes) != 3 {
			t.Fatalf("%s: classes %+v", how, res.Classes)
		}
		for i, name := range bench.SearchClasses {
			if c := res.Class(name); c == nil || c.Requests == 0 || c != &res.Classes[i] {
				t.Errorf("%s: class %s ran no request", how, name)
			}
		}
		if s := res.Summary(); !strings.Contains(s, "2 characters: ") || !strings.Contains(s, "3-6 characters: ") || !strings.Contains(s, "code: ") {
			t.Errorf("%s: summary %s", how, s)
		}
	}
	// In process, from the store and from the manifest.
	for i, codes := range [][]string{nil, append(append([]string{}, man.Penalised...), man.Clean...)} {
		subjects, err := bench.SearchSubjects(ctx, a.Service, codes, 100, 1)
		if err != nil || len(subjects) == 0 {
			t.Fatalf("subjects (%d codes): %d, %v", len(codes), len(subjects), err)
		}
		for _, s := range subjects {
			if _, err := xinyong.ParseCitizenID(s.Code); err == nil {
				t.Fatalf("a natural person among the organisations: %s", s.Code)
			}
		}
		set := bench.NewSearchSet(subjects, 200, 1)
		op, err := bench.SearchInProcess(a.Service, xinyong.Public, set)
		if err != nil {
			t.Fatal(err)
		}
		check(fmt.Sprintf("in process (%s)", []string{"store", "manifest"}[i]), bench.RunClasses(ctx, "search", 300*time.Millisecond, 4, 1, bench.SearchClasses, op))
	}
	// A query that finds nothing is an error.
	op, _ := bench.SearchInProcess(a.Service, xinyong.Public, bench.SearchSet{Two: []string{"龘龘"}, Codes: []string{"91620100MA99WW9W00"}})
	if res := bench.RunClasses(ctx, "search", 50*time.Millisecond, 1, 1, bench.SearchClasses, op); res.Errors == 0 || res.Requests != 0 {
		t.Errorf("queries that find nothing: %s", res.Summary())
	}

	// Over HTTP as the public (no token), from the lists and the manifest.
	srv := server.New(a.Service, slog.New(slog.NewTextHandler(io.Discard, nil)))
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	u, err := bench.CheckURL(hs.URL)
	if err != nil {
		t.Fatal(err)
	}
	c := bench.NewClient(u, "", 4)
	for i, codes := range [][]string{nil, append(append([]string{}, man.Penalised...), man.Persons...)} {
		subjects, err := bench.SearchSubjectsHTTP(ctx, c, codes, 100, 5)
		if err != nil || len(subjects) == 0 {
			t.Fatalf("subjects over HTTP (%d codes): %d, %v", len(codes), len(subjects), err)
		}
		set := bench.NewSearchSet(subjects, 200, 1)
		op, err := bench.SearchHTTP(c, set)
		if err != nil {
			t.Fatal(err)
		}
		check(fmt.Sprintf("HTTP (%s)", []string{"lists", "manifest"}[i]), bench.RunClasses(ctx, "search", 300*time.Millisecond, 4, 1, bench.SearchClasses, op))
	}
}
