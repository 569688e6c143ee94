package workflow_test

import (
	"fmt"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

// TestImportTakeoverStopsTheFirstRunner: a process that goes quiet for
// ImportStaleAfter loses its job to another, which finishes it; the first,
// waking up, writes nothing more (no batch counted twice, no false
// duplicate errors, the job not finished twice or failed) — on SQLite and
// PostgreSQL.
func TestImportTakeoverStopsTheFirstRunner(t *testing.T) {
	for _, st := range importStores {
		t.Run(st.name, func(t *testing.T) {
			e := newImportEnv(t, st.db)
			const n = 2003
			rows := make([][]string, n)
			for i := range rows {
				rows[i] = e.row(fmt.Sprintf("兰市监罚〔2026〕%d号", 10000+i), "1", "2026-05-04")
			}
			j := e.create(t, e.file(t, "big.csv", rows))
			var taken xinyong.Import
			var tookOver error
			batches := 0
			first, err := e.svc.RunImport(e.ctx, e.off, j.ID, false, func(p xinyong.Import) {
				batches++
				if batches == 1 {
					// The first runner goes quiet; another process takes
					// the job over as stale and runs it to the end.
					e.clk.Set(e.clk.Now().Add(workflow.ImportStaleAfter + time.Second))
					taken, tookOver = e.svc.RunImport(e.ctx, e.off, j.ID, false, nil)
				}
			})
			if tookOver != nil || taken.Status != xinyong.ImportDone || taken.Rows != n || taken.Accepted != n {
				t.Fatalf("the second process: %+v %v", taken, tookOver)
			}
			if xinyong.ErrorCode(err) != xinyong.ECONFLICT {
				t.Errorf("the first process after the takeover: %+v %v, want a conflict", first, err)
			}
			got := e.stored(t, j.ID)
			if got.Status != xinyong.ImportDone || got.Rows != n || got.Accepted != n || got.Rejected != 0 {
				t.Errorf("the job as stored: %s, %d rows, %d accepted, %d rejected", got.Status, got.Rows, got.Accepted, got.Rejected)
			}
			if errs := e.rowErrors(t, j.ID); len(errs) != 0 {
				t.Errorf("row errors after the takeover: %+v", errs)
			}
		})
	}
}
