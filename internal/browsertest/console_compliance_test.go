package browsertest

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The compliance board and the ledger page in a browser (issue 8): the
// admin opens the board (its SVG charts drawn by the server), follows a
// count down to its cases (the fixture's penalties were put online 30 days
// after their decisions: late 双公示), exports CSV, then presses the
// ledger's verify button and sees the background job finish with "passed"
// (the page refreshes itself while the job runs; no JavaScript of ours).

func TestComplianceBoardAndLedgerVerify(t *testing.T) {
	_, f := tab(t)
	ctx := person(t, f, f.user, f.password)

	navigate(t, ctx, f.base+"/console/compliance", 200)
	waitVisible(t, ctx, "#chart-months")
	waitVisible(t, ctx, "#chart-units")
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#chart-months rect.bar").length`)); err != nil || n == 0 {
		t.Fatalf("month chart bars: %d %v", n, err)
	}
	if s, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.scripts.length`)); err != nil || s != 0 {
		t.Errorf("the board carries %d scripts (%v)", s, err)
	}
	board := text(t, ctx, "#board")
	if !strings.Contains(board, "兰州市市场监督管理局") {
		t.Fatalf("board lacks the department: %q", board)
	}
	// Down to the cases: the late penalties, by decision number.
	follow(t, ctx, `#board a[data-kind="late_disclosure"]`, 200)
	waitVisible(t, ctx, "#cases")
	cases := text(t, ctx, "#cases")
	if !strings.Contains(cases, f.orgPenalty) {
		t.Errorf("cases lack %s: %q", f.orgPenalty, cases)
	}
	if k := text(t, ctx, "#cases-kind"); !strings.Contains(k, "双公示") {
		t.Errorf("cases kind %q", k)
	}
	// The CSV export, fetched with the session.
	csv := string(fetchBytes(t, ctx, "/console/compliance.csv"))
	if !strings.Contains(csv, "late_disclosure") || !strings.Contains(csv, "兰州市市场监督管理局") {
		t.Errorf("csv: %q", csv)
	}

	// The ledger page: size, history, and the verify button.
	navigate(t, ctx, f.base+"/console/ledger", 200)
	if size := text(t, ctx, "#ledger-size"); size == "" || size == "0" {
		t.Errorf("ledger size %q", size)
	}
	waitVisible(t, ctx, "#checkpoints")
	follow(t, ctx, "#verify-button", 200)
	// The job is done at once on this small log, or the page refreshes
	// itself until it is.
	waitVisible(t, ctx, `#verify-jobs tr[data-state="done"]`)
	if res := text(t, ctx, `#verify-jobs tr[data-state="done"] .job-result`); !strings.Contains(res, "通过") {
		t.Errorf("verification result %q", res)
	}
}
