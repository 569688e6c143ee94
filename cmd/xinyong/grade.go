package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"

	"xinyong"
	"xinyong/internal/config"
	"xinyong/internal/workflow"
)

// gradeCmd runs a grading batch run (信用分级分类监管, issue 8) with a
// progress bar: everyone, or a department's subjects, under a model.
func (m *Main) gradeCmd(ctx context.Context, args []string) error {
	var cfg config.Config
	fs := m.flags("grade", "grade --db URL [--model ID] [--department CODE] [--json]\n       xinyong grade --db URL --resume RUN_ID [--force]")
	cfg.Flags(fs)
	model := fs.String("model", "", "grading model id (default: the default model in force)")
	dept := fs.String("department", "", "grade only the subjects with a record from this department (code or id)")
	resume := fs.String("resume", "", "resume an interrupted run after its last committed subject")
	force := fs.Bool("force", false, "with --resume: take the run over at once (only when you know its process is gone)")
	chunk := fs.Int("chunk", workflow.GradingChunk, "subjects read, graded and committed at a time")
	asJSON := fs.Bool("json", false, "print the finished run as JSON")
	if err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	if *chunk < 1 || *chunk > 1_000_000 {
		return exitError{code: 2, msg: "grade: --chunk is 1 to 1000000"}
	}
	workflow.GradingChunk = *chunk
	a, err := m.open(ctx, &cfg, false)
	if err != nil {
		return err
	}
	if err := a.Service.LoadGradingDefaults(ctx); err != nil {
		return err
	}
	actor := cliActor()
	id := *resume
	if id == "" {
		run, err := a.Service.StartGradingRun(ctx, actor, workflow.RunInput{Model: *model, Department: *dept})
		if err != nil {
			return cliError(err)
		}
		id = run.ID
		fmt.Fprintf(m.Stderr, "grading run %s: model %s@%d, %d subjects\n", run.ID, run.ModelID, run.ModelVersion, run.Total)
	}
	var bar *progressbar.ProgressBar
	if m.terminal() && !*asJSON {
		bar = progressbar.NewOptions(-1, progressbar.OptionSetWriter(m.Stderr), progressbar.OptionSetDescription("grading subjects"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("subjects"), progressbar.OptionThrottle(100*time.Millisecond))
	}
	start := time.Now()
	last := time.Time{}
	run, err := a.Service.RunGrading(ctx, actor, id, *force, func(r xinyong.GradingRun) {
		if bar != nil {
			if bar.GetMax() != r.Total && r.Total > 0 {
				bar.ChangeMax(r.Total)
			}
			bar.Set(r.Done)
			return
		}
		if time.Since(last) >= 5*time.Second || r.State != xinyong.RunRunning {
			last = time.Now()
			fmt.Fprintf(m.Stderr, "grading run %s: %d/%d subjects, %d records, %.0f subjects/s\n", r.ID, r.Done, r.Total, r.Records, float64(r.Done)/max(time.Since(start).Seconds(), 1e-9))
		}
	})
	if bar != nil {
		bar.Finish()
		fmt.Fprintln(m.Stderr)
	}
	if err != nil {
		return cliError(err)
	}
	if *asJSON {
		enc := json.NewEncoder(m.Stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(workflow.RunView{GradingRun: run, Progress: run.Progress()})
	}
	secs := time.Since(start).Seconds()
	fmt.Fprintf(m.Stdout, "grading run %s %s: %d subjects, %d records in %.1fs (%.0f subjects/s, %.0f records/s); grades %v; digest %s, ledger leaf %d\n",
		run.ID, run.State, run.Done, run.Records, secs, float64(run.Done)/max(secs, 1e-9), float64(run.Records)/max(secs, 1e-9), run.Counts, run.Digest, run.LedgerIdx)
	return nil
}
