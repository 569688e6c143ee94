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

// searchSubjects and searchQueries bound the organisations the search
// scenario draws its queries from and the queries of each kind.
const (
	searchSubjects = 5000
	searchQueries  = 2000
)

// benchCmd runs one benchmark scenario against a running server (--url,
// 127.0.0.1 only) or in process on a store (--db).
func (m *Main) benchCmd(ctx context.Context, args []string) error {
	// A run whose every request failed measured nothing: it is reported,
	// not recorded, and the command fails (CI's harness smoke relies on it).
	var failed *bench.Result
	track := func(r *bench.Result) *bench.Result {
		if r.Failed() {
			failed = r
		}
		return r
	}
	var cfg config.Config
	fs := m.flags("bench", "bench (--url http://127.0.0.1:PORT --token TOKEN | --db URL) --scenario import|profile|search|check|page|grade [--duration 10s] [--concurrency N] [--rows N] [--manifest FILE] [--record]")
	cfg.Flags(fs)
	rawURL := fs.String("url", "", "base URL of a running server; only http://127.0.0.1:PORT is accepted")
	token := fs.String("token", os.Getenv("XINYONG_TOKEN"), "API token for --url (env XINYONG_TOKEN): an officer's for profile (its department's view), an agency's for check; search and page without one run as the public")
	sizeToken := fs.String("size-token", os.Getenv("XINYONG_SIZE_TOKEN"), "API token of the platform's staff (admin, auditor, officer) used only to read the data size (GET /api/v1/stats) with --url, when the run's own token may not: an agency's for check, none for search and page (env XINYONG_SIZE_TOKEN)")
	scenario := fs.String("scenario", "", "import (in process, --db), profile (one subject's records as a department sees them), search (name substrings of 2-6 characters and exact codes, as the portal searches), check (measures checks), page (subject pages), grade (a grading run, in process)")
	duration := fs.Duration("duration", 10*time.Second, "how long a load scenario runs")
	concurrency := fs.Int("concurrency", 32, "concurrent workers of a load scenario")
	rows := fs.Int("rows", 100000, "rows of the generated penalty CSV (import)")
	seed := fs.Uint64("seed", 1, "seed of generated data and of the workers' random choices")
	manifest := fs.String("manifest", "", "manifest from xinyong gen: profile (--db) and search pick their subjects from it")
	record := fs.Bool("record", false, "append a dated row to the benchmarks file")
	benchFile := fs.String("benchmarks", "BENCHMARKS.md", "the benchmarks file --record appends to")
	if err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	if !slices.Contains(bench.Scenarios, *scenario) {
		fs.Usage()
		return exitError{code: 2, msg: fmt.Sprintf("bench: --scenario is one of %s", strings.Join(bench.Scenarios, ", "))}
	}
	if *scenario == "page" && *rawURL == "" {
		return exitError{code: 2, msg: "bench: scenario page measures the portal's pages over HTTP: use --url http://127.0.0.1:PORT"}
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
		if *token == "" && *scenario != "search" && *scenario != "page" {
			return exitError{code: 2, msg: "bench: --url needs --token (an officer or admin API token)"}
		}
		if *scenario == "import" || *scenario == "grade" {
			return exitError{code: 2, msg: "bench: scenario " + *scenario + " runs in process: use --db"}
		}
		client = bench.NewClient(u, *token, *concurrency)
		sizeClient := client
		if *sizeToken != "" {
			sizeClient = bench.NewClient(u, *sizeToken, 1)
		}
		dataSize = bench.DataSizeHTTP(ctx, sizeClient) // the server's count (GET /api/v1/stats), or why it is unknown
	}
	var manifestCodes []string
	if *manifest != "" && (*scenario == "search" || *scenario == "check" || *scenario == "page") {
		man, err := gen.ReadManifest(*manifest)
		if err != nil {
			return err
		}
		manifestCodes = append(append(append([]string{}, man.Listed...), man.Penalised...), man.Clean...)
	}
	var line string
	var result string
	var classes []bench.ClassResult // a classed run's kinds of request, one line each
	var overall string              // a classed run's summary without them
	switch {
	case client != nil && *scenario == "search":
		subjects, err := bench.SearchSubjectsHTTP(ctx, client, manifestCodes, searchSubjects, 50)
		if err != nil {
			return fmt.Errorf("sample subjects: %w", err)
		}
		from := "the public 双公示 lists"
		if len(manifestCodes) > 0 {
			from = "the manifest's codes"
		}
		set := bench.NewSearchSet(subjects, searchQueries, *seed)
		op, err := bench.SearchHTTP(client, set)
		if err != nil {
			return err
		}
		view := "the public's view"
		if *token != "" {
			view = "the token's view"
		}
		fmt.Fprintf(m.Stdout, "data: %s; search: %d organisations from %s, %d+%d+%d queries (2 characters, 3-6, codes), %s\n", dataSize, len(subjects), from, len(set.Two), len(set.Longer), len(set.Codes), view)
		res := track(bench.RunClasses(ctx, "search", *duration, *concurrency, *seed, bench.SearchClasses, op))
		result, overall, classes = "search over HTTP: "+res.Summary(), "search over HTTP: "+res.Overall(), res.Classes
		if res.FirstError != nil {
			result += "; first error: " + res.FirstError.Error()
			overall += "; first error: " + res.FirstError.Error()
		}
		line = fmt.Sprintf("xinyong bench --url %s --scenario search --duration %s --concurrency %d", *rawURL, duration, *concurrency)
		if *manifest != "" {
			line += " --manifest " + *manifest
		}
	case client != nil && *scenario == "page":
		subjects, err := bench.SearchSubjectsHTTP(ctx, client, manifestCodes, searchSubjects, 50)
		if err != nil {
			return fmt.Errorf("sample subjects: %w", err)
		}
		op, err := bench.PageHTTP(client, subjects)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "data: %s; pages of %d organisations, HTML and JSON\n", dataSize, len(subjects))
		res := track(bench.RunClasses(ctx, "page", *duration, *concurrency, *seed, bench.PageClasses, op))
		result, overall, classes = "subject pages over HTTP: "+res.Summary(), "subject pages over HTTP: "+res.Overall(), res.Classes
		if res.FirstError != nil {
			result += "; first error: " + res.FirstError.Error()
			overall += "; first error: " + res.FirstError.Error()
		}
		line = fmt.Sprintf("xinyong bench --url %s --scenario page --duration %s --concurrency %d", *rawURL, duration, *concurrency)
	case client != nil && *scenario == "check":
		subjects, err := bench.SearchSubjectsHTTP(ctx, client, manifestCodes, searchSubjects, 50)
		if err != nil {
			return fmt.Errorf("sample subjects: %w", err)
		}
		fmt.Fprintf(m.Stdout, "data: %s\n", dataSize)
		result, err = checkRun(ctx, m, subjects, *duration, *concurrency, *seed, func(codes []string) bench.Op { return bench.CheckHTTP(client, codes) }, "over HTTP")
		if err != nil {
			return err
		}
		line = fmt.Sprintf("xinyong bench --url %s --scenario check --duration %s --concurrency %d", *rawURL, duration, *concurrency)
	case client != nil: // profile over HTTP
		ids, err := bench.SampleSubjectIDsHTTP(ctx, client, 20)
		if err != nil {
			return fmt.Errorf("sample subjects: %w", err)
		}
		if len(ids) == 0 {
			return fmt.Errorf("bench: the token sees no records to sample subjects from")
		}
		fmt.Fprintf(m.Stdout, "data: %s; %d subjects sampled from GET /api/v1/records\n", dataSize, len(ids))
		res := track(bench.Run(ctx, "profile", *duration, *concurrency, *seed, bench.ProfileHTTP(client, ids)))
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
			dataSize = bench.DataSizeText(recs, subjs, a.Store.Dialect())
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
			res := track(bench.Run(ctx, "profile", *duration, *concurrency, *seed, bench.ProfileInProcess(a.Service, actor, ids)))
			result = "profile in process: " + res.Summary()
			if res.FirstError != nil {
				result += "; first error: " + res.FirstError.Error()
			}
			line = fmt.Sprintf("xinyong bench --db %s --scenario profile --duration %s --concurrency %d", config.Redacted(cfg.DB), duration, *concurrency)
		case "grade": // issue 8: one batch run grading every subject (internal/bench/grade.go)
			res, err := bench.Grade(ctx, a.Service, actor, "")
			if err != nil {
				return err
			}
			result = res.Summary()
			line = fmt.Sprintf("xinyong bench --db %s --scenario grade", config.Redacted(cfg.DB))
		case "check":
			subjects, err := bench.SearchSubjects(ctx, a.Service, manifestCodes, searchSubjects, *seed)
			if err != nil {
				return err
			}
			result, err = checkRun(ctx, m, subjects, *duration, *concurrency, *seed, func(codes []string) bench.Op { return bench.CheckInProcess(a.Service, bench.BenchAgency, codes) }, "in process")
			if err != nil {
				return err
			}
			line = fmt.Sprintf("xinyong bench --db %s --scenario check --duration %s --concurrency %d", config.Redacted(cfg.DB), duration, *concurrency)
		case "search":
			subjects, err := bench.SearchSubjects(ctx, a.Service, manifestCodes, searchSubjects, *seed)
			if err != nil {
				return err
			}
			set := bench.NewSearchSet(subjects, searchQueries, *seed)
			op, err := bench.SearchInProcess(a.Service, xinyong.Public, set)
			if err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "search: %d organisations, %d+%d+%d queries (2 characters, 3-6, codes), in process (the portal's service call as the public, no HTTP)\n", len(subjects), len(set.Two), len(set.Longer), len(set.Codes))
			res := track(bench.RunClasses(ctx, "search", *duration, *concurrency, *seed, bench.SearchClasses, op))
			result, overall, classes = "search in process: "+res.Summary(), "search in process: "+res.Overall(), res.Classes
			if res.FirstError != nil {
				result += "; first error: " + res.FirstError.Error()
				overall += "; first error: " + res.FirstError.Error()
			}
			line = fmt.Sprintf("xinyong bench --db %s --scenario search --duration %s --concurrency %d", config.Redacted(cfg.DB), duration, *concurrency)
			if *manifest != "" {
				line += " --manifest " + *manifest
			}
		}
	}
	if classes == nil {
		fmt.Fprintln(m.Stdout, result)
	} else {
		// The row keeps the whole summary on one line; the terminal gets
		// one line per kind of request.
		fmt.Fprintln(m.Stdout, overall)
		for _, c := range classes {
			fmt.Fprintln(m.Stdout, "  "+c.Summary())
		}
	}
	if failed != nil {
		return exitError{code: 1, msg: fmt.Sprintf("bench: every %s request failed (%d errors), nothing recorded; first error: %v", failed.Scenario, failed.Errors, failed.FirstError)}
	}
	if *record {
		row := bench.Row{Date: time.Now().UTC().Format("2006-01-02"), Machine: machine.String(), DataSize: dataSize, Command: "`" + line + "`", Result: result}
		if err := bench.AppendRow(*benchFile, row); err != nil {
			return fmt.Errorf("record: %w", err)
		}
		fmt.Fprintf(m.Stdout, "recorded in %s\n", *benchFile)
	}
	return nil
}

// checkRun runs the check scenario over the subjects' codes, then a plain
// net/http handler on this machine as the ceiling and the check's floor
// (bench.FloorCeiling), and returns the summary.
func checkRun(ctx context.Context, m *Main, subjects []bench.NamedSubject, duration time.Duration, concurrency int, seed uint64, op func([]string) bench.Op, how string) (string, error) {
	codes := make([]string, 0, len(subjects))
	for _, s := range subjects {
		codes = append(codes, s.Code)
	}
	if len(codes) == 0 {
		return "", fmt.Errorf("bench: no subject codes to check (empty store, or give --manifest)")
	}
	fmt.Fprintf(m.Stdout, "check: %d subject codes, %s\n", len(codes), how)
	res := bench.Run(ctx, "check", duration, concurrency, seed, op(codes))
	result := "check " + how + ": " + res.Summary()
	if res.FirstError != nil {
		result += "; first error: " + res.FirstError.Error()
	}
	if res.Failed() {
		fmt.Fprintln(m.Stdout, result)
		return "", exitError{code: 1, msg: fmt.Sprintf("bench: every check failed (%d errors), nothing recorded; first error: %v", res.Errors, res.FirstError)}
	}
	hello, err := bench.HelloCeiling(ctx, duration, concurrency, seed)
	if err != nil {
		return "", err
	}
	result += "; ceiling (plain net/http hello handler, same client): " + hello.Summary()
	// The floor: what every check must do whatever the design, on a fresh
	// store of its own (internal/bench/floor.go).
	// A floor that could not run (no temporary directory, say) is said in
	// the result; the check and its ceiling, measured already, are kept.
	floor, err := bench.FloorCeiling(ctx, codes, duration, concurrency, seed)
	if err != nil {
		return result + "; floor not measured: " + err.Error(), nil
	}
	return result + "; floor (token map, receipt signature, the check's rows group-committed, no reads): " + floor.Summary(), nil
}
