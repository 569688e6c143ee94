package bench

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

// BenchmarkGradeChunks grades a raw-filled store of 20,000 subjects and
// 200,000 records in chunks of 500 subjects (40 chunk commits per run),
// so that what each chunk's commit costs (its grades, the run's cursor
// and digest, its audit event and that event's ledger leaf) shows:
// go test -run XXX -bench GradeChunks ./internal/bench
func BenchmarkGradeChunks(b *testing.B) {
	a := openGradeApp(b, filepath.Join(b.TempDir(), "g.db"))
	ctx := context.Background()
	if err := FillRaw(ctx, a.Store, 20000, 200000, 1, xinyong.DateOf(time.Now()), nil); err != nil {
		b.Fatal(err)
	}
	old := workflow.GradingChunk
	workflow.GradingChunk = 500
	b.Cleanup(func() { workflow.GradingChunk = old })
	b.ResetTimer()
	var res GradeResult
	for b.Loop() {
		var err error
		if res, err = Grade(ctx, a.Service, xinyong.System, ""); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Subjects)/res.Seconds, "subjects/s")
	b.ReportMetric(float64(res.Subjects)/float64(workflow.GradingChunk), "chunks/op")
}
