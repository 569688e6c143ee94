package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/app"
	"xinyong/internal/config"
	"xinyong/internal/refdata"
)

func openGradeApp(t testing.TB, path string) *app.App {
	t.Helper()
	ctx := context.Background()
	cfg := config.Config{DB: "sqlite:" + path, KeyDir: filepath.Join(filepath.Dir(path), "keys"), Origin: "bench.xinyong/ledger", LogFormat: "json", LogLevel: "error"}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	set, err := refdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Service.Bootstrap(ctx, set); err != nil {
		t.Fatal(err)
	}
	return a
}

// BenchmarkGrade grades a raw-filled store of 2,000 subjects and 20,000
// records once per iteration (go test -bench Grade ./internal/bench).
func BenchmarkGrade(b *testing.B) {
	a := openGradeApp(b, filepath.Join(b.TempDir(), "g.db"))
	ctx := context.Background()
	if err := FillRaw(ctx, a.Store, 2000, 20000, 1, xinyong.DateOf(time.Now()), nil); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var res GradeResult
	for b.Loop() {
		var err error
		if res, err = Grade(ctx, a.Service, xinyong.System, ""); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Records)/res.Seconds, "records/s")
	b.ReportMetric(float64(res.Subjects)/res.Seconds, "subjects/s")
}

// TestGradeSmall: the scenario end to end on a small raw-filled store
// (records counts only the items the model reads: penalties, about 60 %).
func TestGradeSmall(t *testing.T) {
	a := openGradeApp(t, filepath.Join(t.TempDir(), "g.db"))
	ctx := context.Background()
	if err := FillRaw(ctx, a.Store, 300, 3000, 2, xinyong.MustDate("2026-11-25"), nil); err != nil {
		t.Fatal(err)
	}
	res, err := Grade(ctx, a.Service, xinyong.System, "")
	if err != nil {
		t.Fatal(err)
	}
	if res.Subjects != 300 || res.Records < 1500 || res.Records > 2100 || !strings.Contains(res.Summary(), "subjects/s") {
		t.Errorf("grade: %+v", res)
	}
}

// TestGradeScale fills (once) and grades a large store when
// XINYONG_BENCH_GRADE=SUBJECTS,RECORDS,PATH is set, e.g.
// XINYONG_BENCH_GRADE=1000000,10000000,/tmp/grade10m.db go test -run GradeScale -v -timeout 2h ./internal/bench
func TestGradeScale(t *testing.T) {
	spec := os.Getenv("XINYONG_BENCH_GRADE")
	if spec == "" {
		t.Skip("set XINYONG_BENCH_GRADE=SUBJECTS,RECORDS,PATH to run")
	}
	parts := strings.Split(spec, ",")
	if len(parts) != 3 {
		t.Fatal("XINYONG_BENCH_GRADE=SUBJECTS,RECORDS,PATH")
	}
	subjects, _ := strconv.Atoi(parts[0])
	records, _ := strconv.Atoi(parts[1])
	_, statErr := os.Stat(parts[2])
	a := openGradeApp(t, parts[2])
	ctx := context.Background()
	if statErr != nil {
		start := time.Now()
		next := 0
		err := FillRaw(ctx, a.Store, subjects, records, 1, xinyong.MustDate("2026-11-25"), func(n int) {
			if n >= next {
				fmt.Fprintf(os.Stderr, "fill: %d/%d records, %.0f records/s\n", n, records, float64(n)/time.Since(start).Seconds())
				next += records / 20
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("fill: %d subjects, %d records in %.1fs", subjects, records, time.Since(start).Seconds())
	}
	res, err := Grade(ctx, a.Service, xinyong.System, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s (%s)", res.Summary(), ThisMachine())
}
