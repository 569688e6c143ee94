package workflow_test

import (
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// Working days are counted on the calendar in force as the transaction
// sees it, although the calendar is kept decoded in memory: a correction
// another process (a second server over the same store) makes counts from
// its commit on (DOMAIN.md §2: the admin amends the official calendar).
func TestCalendarSeesCorrectionsOfAnotherProcess(t *testing.T) {
	e := newGradingEnv(t)
	mon := xinyong.MustDate("2026-06-01") // a Monday, no holiday near
	next := func() xinyong.Date {
		cal, err := e.svc.Calendar(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		return cal.AddWorkingDays(mon, 1)
	}
	if got := next(); got != xinyong.MustDate("2026-06-02") {
		t.Fatalf("one working day after Monday 1 June: %s", got)
	}
	other := &workflow.Service{Store: e.svc.Store, Clock: e.svc.Clock, Signer: e.svc.Signer, Verifier: e.svc.Verifier, IDKey: e.svc.IDKey, Holiday: e.svc.Holiday, Log: e.svc.Log}
	if _, err := other.PutOverride(e.ctx, xinyong.System, "2026-06-02", "holiday", "测试", "test: declared a holiday elsewhere"); err != nil {
		t.Fatal(err)
	}
	if got := next(); got != xinyong.MustDate("2026-06-03") {
		t.Errorf("after another process made Tuesday a holiday, one working day after Monday is %s, want 2026-06-03", got)
	}
	if err := other.DeleteOverride(e.ctx, xinyong.System, "2026-06-02"); err != nil {
		t.Fatal(err)
	}
	if got := next(); got != xinyong.MustDate("2026-06-02") {
		t.Errorf("after the correction was removed elsewhere: %s, want 2026-06-02", got)
	}
}
