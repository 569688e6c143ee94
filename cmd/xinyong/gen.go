package main

import (
	"context"
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"

	"xinyong"
	"xinyong/internal/config"
	"xinyong/internal/gen"
	"xinyong/internal/refdata"
	"xinyong/internal/workflow"
)

// genCmd fills a store with, or writes files of, a synthetic province.
func (m *Main) genCmd(ctx context.Context, args []string) error {
	var cfg config.Config
	fs := m.flags("gen", "gen [--db URL] --subjects N --records M [--seed S] [--today YYYY-MM-DD] [--per-tx N] [--manifest FILE]\n       xinyong gen --out DIR --format csv|xlsx|gbk-csv [--labels] --subjects N --records M [--seed S] [--manifest FILE]")
	cfg.Flags(fs)
	subjects := fs.Int("subjects", 1000, "number of subjects (enterprises, other organisations, individual businesses, natural persons)")
	records := fs.Int("records", 5000, "number of 双公示 records (licences and penalties) over seven years")
	seed := fs.Uint64("seed", 1, "seed: the same seed (and --today) gives the same data")
	todayFlag := fs.String("today", "", "last decision date YYYY-MM-DD (default: today)")
	out := fs.String("out", "", "write 双公示 files per department and kind into DIR instead of filling --db")
	format := fs.String("format", "csv", "file format with --out: csv (UTF-8), gbk-csv or xlsx")
	labels := fs.Bool("labels", false, "with --out: header of Chinese labels (行政相对人名称 …) instead of field codes (CF_XDR_MC …)")
	perTx := fs.Int("per-tx", workflow.DefaultGenPerTx, "with --db: about how many submissions are committed together (one transaction and ledger checkpoint); a larger number is a little faster and holds the write lock longer")
	manifest := fs.String("manifest", "", "write sample subject codes by kind as JSON to FILE; it holds clear citizen ID numbers (persons, minors), so it is written with mode 0600: keep it private")
	if err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	if *subjects <= 0 || *records < 0 || *perTx <= 0 {
		return exitError{code: 2, msg: "gen: --subjects and --per-tx must be positive and --records not negative"}
	}
	today := xinyong.DateOf(time.Now())
	if m.Clock != nil {
		today = xinyong.DateOf(m.Clock())
	}
	if *todayFlag != "" {
		d, err := xinyong.ParseDate(*todayFlag)
		if err != nil {
			return exitError{code: 2, msg: "gen: --today: " + err.Error()}
		}
		today = d
	}
	g, err := gen.New(gen.Config{Seed: *seed, Subjects: *subjects, Records: *records, Today: today, Dept: -1})
	if err != nil {
		return exitError{code: 2, msg: err.Error()}
	}
	var man *gen.Manifest
	if *manifest != "" {
		man = gen.NewManifest(g.Departments())
	}
	bar, progress := m.genProgress(*records, "generating records")
	start := time.Now()
	if *out != "" {
		res, err := gen.WriteFiles(g, gen.OutOptions{Dir: *out, Format: *format, Labels: *labels, Progress: progress, Manifest: man})
		finishBar(m, bar)
		if err != nil {
			return err
		}
		secs := time.Since(start).Seconds()
		fmt.Fprintf(m.Stdout, "wrote %d files (%s) to %s: %d penalties, %d licences from %d departments in %.1fs (%.0f rows/s); departments.csv lists the departments\n",
			len(res.Files), *format, *out, res.Penalties, res.Licences, len(g.Departments()), secs, float64(res.Penalties+res.Licences)/max(secs, 1e-9))
		if res.MinorsSkipped > 0 {
			fmt.Fprintf(m.Stdout, "  note: %d penalties of minors (14–17) left out: 双公示 files carry no leniency flag, and the import refuses a minor's penalty without it\n", res.MinorsSkipped)
		}
		fmt.Fprintf(m.Stdout, "  import with: xinyong department add … (see departments.csv), then xinyong import --department CODE --kind penalty|license FILE\n")
		return m.writeManifest(*manifest, man)
	}
	// Fill a store through the workflow, with the clock on each simulated day.
	clock := gen.NewClock(g.Start().AddDays(-30).Start().Add(9 * time.Hour))
	if cfg.SQLiteCacheMiB == 0 { // not set: gen's default (a bad value is refused by open)
		cfg.SQLiteCacheMiB = config.BulkSQLiteCacheMiB
	}
	a, err := m.openOn(ctx, &cfg, clock.Now, true)
	if err != nil {
		return err
	}
	set, err := refdata.Load()
	if err != nil {
		return fmt.Errorf("reference data: %w", err)
	}
	pw, err := a.Service.Bootstrap(ctx, set)
	if err != nil {
		return fmt.Errorf("first start: %w", err)
	}
	if pw != "" {
		fmt.Fprintf(m.Stdout, "First start: the admin's one-time password (not shown again): %s\n", pw)
	}
	res, err := gen.Fill(ctx, g, gen.FillOptions{Service: a.Service, Clock: clock, Actor: cliActor(), PerTx: *perTx, Progress: progress, Manifest: man})
	finishBar(m, bar)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "generated %d subjects (%d with records) and %d records into %s in %.1fs (%.0f rows/s, %d batches in %d transactions)\n",
		*subjects, res.Subjects, res.Records, config.Redacted(cfg.DB), res.Seconds, res.RowsPerSecond(), res.Batches, res.Commits)
	fmt.Fprintf(m.Stdout, "  records: %d accepted, %d unchanged, %d refused; %d withdrawn; %d marked late; %d departments created\n",
		res.Accepted, res.Unchanged, res.Refused, res.Withdrawn, res.Late, res.Departments)
	for _, rule := range res.TopRefusals() {
		fmt.Fprintf(m.Stdout, "  refused by %s: %d\n", rule, res.RefusedBy[rule])
	}
	if res.Backfilled > 0 {
		fmt.Fprintf(m.Stdout, "  note: %d records decided before the catalogue items took effect (%s) were submitted on that date as a historical backfill (a record cannot be submitted before its item is in force), so they are marked late\n", res.Backfilled, res.ItemFrom)
	}
	fmt.Fprintf(m.Stdout, "  serious-list entries: %d organisation(s) listed through the listing procedure (notice, decision, listing) by market-regulation and tax departments\n", res.Listed)
	return m.writeManifest(*manifest, man)
}

func (m *Main) writeManifest(path string, man *gen.Manifest) error {
	if path == "" || man == nil {
		return nil
	}
	if err := gen.WriteManifest(path, man); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "  manifest %s (mode 0600: it holds clear ID numbers): %d penalised, %d clean, %d persons, %d minors, %d departments\n",
		path, len(man.Penalised), len(man.Clean), len(man.Persons), len(man.Minors), len(man.Departments))
	return nil
}

// genProgress returns a progress bar on a terminal (nil otherwise) and the
// callback that moves it; off a terminal it prints a line every 10 %.
func (m *Main) genProgress(total int, desc string) (*progressbar.ProgressBar, func(int)) {
	if m.terminal() {
		bar := progressbar.NewOptions(total, progressbar.OptionSetWriter(m.Stderr), progressbar.OptionSetDescription(desc),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("rows"), progressbar.OptionThrottle(200*time.Millisecond))
		return bar, func(n int) { bar.Set(n) }
	}
	start, next := time.Now(), max(total/10, 1)
	return nil, func(n int) {
		if n >= next && total >= 10000 {
			secs := time.Since(start).Seconds()
			fmt.Fprintf(m.Stderr, "%s: %d/%d rows (%.0f rows/s)\n", desc, n, total, float64(n)/max(secs, 1e-9))
			next += max(total/10, 1)
		}
	}
}

func finishBar(m *Main, bar *progressbar.ProgressBar) {
	if bar != nil {
		bar.Finish()
		fmt.Fprintln(m.Stderr)
	}
}
