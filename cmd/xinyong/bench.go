package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"xinyong"
	"xinyong/internal/bench"
	"xinyong/internal/config"
	"xinyong/internal/gen"
)

// benchCmd runs one benchmark scenario against a running server (--url,
// 127.0.0.1 only) or in process on a store (--db).
func (m *Main) benchCmd(ctx context.Context, args []string) error {
	var cfg config.Config
	fs := m.flags("bench", "bench (--url http://127.0.0.1:PORT --token TOKEN | --db URL) --scenario import|profile|search [--duration 10s] [--concurrency N] [--rows N] [--manifest FILE] [--record]")
	cfg.Flags(fs)
	rawURL := fs.String("url", "", "base URL of a running server; only http://127.0.0.1:PORT is accepted")
	token := fs.String("token", os.Getenv("XINYONG_TOKEN"), "API token (officer or admin) for --url (env XINYONG_TOKEN)")
	scenario := fs.String("scenario", "", "import (in process, --db), profile (one subject's records as a department sees them), search (not built yet)")
	duration := fs.Duration("duration", 10*time.Second, "how long a load scenario runs")
	concurrency := fs.Int("concurrency", 32, "concurrent workers of a load scenario")
	rows := fs.Int("rows", 100000, "rows of the generated penalty CSV (import)")
	seed := fs.Uint64("seed", 1, "seed of generated data and of the workers' random choices")
	manifest := fs.String("manifest", "", "manifest from xinyong gen: profile picks its subjects from it (--db)")
	record := fs.Bool("record", false, "append a dated row to the benchmarks file")
	benchFile := fs.String("benchmarks", "BENCHMARKS.md", "the benchmarks file --record appends to")
	if err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	if !slices.Contains(bench.Scenarios, *scenario) {
		fs.Usage()
		return exitError{code: 2, msg: fmt.Sprintf("bench: --scenario is one of %s", strings.Join(bench.Scenarios, ", "))}
	}
	if *scenario == "search" {
		fmt.Fprintln(m.Stderr, bench.ErrNeedsSearch.Error())
		return exitError{code: 2, msg: bench.ErrNeedsSearch.Error()}
	}
	machine := bench.ThisMachine()
	fmt.Fprintf(m.Stdout, "machine: %s\n", machine)
	var client *bench.Client
	dataSize := "unknown (over HTTP)"
	if *rawURL != "" {
		u, err := bench.CheckURL(*rawURL)
		if err != nil {
			return exitError{code: 2, msg: err.Error()}
		}
		if *token == "" {
			return exitError{code: 2, msg: "bench: --url needs --token (an officer or admin API token)"}
		}
		if *scenario == "import" {
			return exitError{code: 2, msg: "bench: scenario import runs in process: use --db"}
		}
		client = bench.NewClient(u, *token, *concurrency)
	}
	var line string
	var result string
	switch {
	case client != nil: // profile over HTTP
		ids, err := bench.SampleSubjectIDsHTTP(ctx, client, 20)
		if err != nil {
			return fmt.Errorf("sample subjects: %w", err)
		}
		if len(ids) == 0 {
			return fmt.Errorf("bench: the token sees no records to sample subjects from")
		}
		fmt.Fprintf(m.Stdout, "data: %s; %d subjects sampled from GET /api/v1/records\n", dataSize, len(ids))
		res := bench.Run(ctx, "profile", *duration, *concurrency, *seed, bench.ProfileHTTP(client, ids))
		result = "profile over HTTP: " + res.Summary()
		if res.FirstError != nil {
			result += "; first error: " + res.FirstError.Error()
		}
		line = fmt.Sprintf("xinyong bench --url %s --scenario profile --duration %s --concurrency %d", *rawURL, duration, *concurrency)
	default:
		a, err := m.open(ctx, &cfg, false)
		if err != nil {
			return err
		}
		recs, subjs, err := bench.DataSize(ctx, a.Store)
		if err != nil {
			dataSize = "unknown: " + err.Error()
		} else {
			dataSize = fmt.Sprintf("%d records, %d subjects (%s)", recs, subjs, a.Store.Dialect())
		}
		fmt.Fprintf(m.Stdout, "data: %s\n", dataSize)
		actor := cliActor()
		switch *scenario {
		case "import":
			dir, err := os.MkdirTemp("", "xinyong-bench-import-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			res, err := bench.Import(ctx, a.Service, actor, *rows, *seed, dir)
			if err != nil {
				return err
			}
			result = res.Summary()
			line = fmt.Sprintf("xinyong bench --db %s --scenario import --rows %d", config.Redacted(cfg.DB), *rows)
		case "profile":
			var ids []string
			if *manifest != "" {
				man, err := gen.ReadManifest(*manifest)
				if err != nil {
					return err
				}
				codes := append(append(append([]string{}, man.Penalised...), man.Clean...), man.Persons...)
				if ids, err = bench.SubjectIDs(ctx, a.Service, codes); err != nil {
					return err
				}
			} else if ids, err = bench.SampleSubjectIDs(ctx, a.Service, actor, 20); err != nil {
				return err
			}
			if len(ids) == 0 {
				return fmt.Errorf("bench: no subjects to profile (empty store, or the manifest's codes are not in it)")
			}
			fmt.Fprintf(m.Stdout, "profile: %d subjects, in process (service call, no HTTP)\n", len(ids))
			admin := xinyong.Actor{Kind: "cli", ID: actor.ID, Name: actor.Name, Role: xinyong.RoleAdmin}
			res := bench.Run(ctx, "profile", *duration, *concurrency, *seed, bench.ProfileInProcess(a.Service, admin, ids))
			result = "profile in process: " + res.Summary()
			if res.FirstError != nil {
				result += "; first error: " + res.FirstError.Error()
			}
			line = fmt.Sprintf("xinyong bench --db %s --scenario profile --duration %s --concurrency %d", config.Redacted(cfg.DB), duration, *concurrency)
		}
	}
	fmt.Fprintln(m.Stdout, result)
	if *record {
		row := bench.Row{Date: time.Now().UTC().Format("2006-01-02"), Machine: machine.String(), DataSize: dataSize, Command: "`" + line + "`", Result: result}
		if err := bench.AppendRow(*benchFile, row); err != nil {
			return fmt.Errorf("record: %w", err)
		}
		fmt.Fprintf(m.Stdout, "recorded in %s\n", *benchFile)
	}
	return nil
}
