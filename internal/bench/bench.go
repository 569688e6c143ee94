package bench

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Machine describes where a benchmark ran.
type Machine struct {
	CPU       string `json:"cpu"`
	Cores     int    `json:"cores"`
	GoVersion string `json:"go"`
	OS        string `json:"os"`
}

// ThisMachine reads the CPU model from /proc/cpuinfo (where there is one).
func ThisMachine() Machine {
	m := Machine{CPU: "unknown CPU", Cores: runtime.NumCPU(), GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

func (m Machine) String() string {
	return fmt.Sprintf("%s, %d cores, %s, %s", m.CPU, m.Cores, m.GoVersion, m.OS)
}

// Result is the outcome of a load run.
type Result struct {
	Scenario    string
	Concurrency int
	Elapsed     time.Duration
	Requests    uint64 // successful
	Errors      uint64
	FirstError  error
	Hist        Hist // latency of successful requests
	// Classes are the kinds of request of a classed run (RunClasses), each
	// with its own counts and histogram; empty for a plain run.
	Classes []ClassResult
}

// ClassResult is the share of one kind of request in a classed run.
type ClassResult struct {
	Name     string
	Requests uint64 // successful
	Errors   uint64
	Hist     Hist
}

// Throughput is successful requests per second.
func (r *Result) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Summary is a one-line summary; a classed run adds each class's
// percentiles.
func (r *Result) Summary() string {
	s := r.Overall()
	for _, c := range r.Classes {
		s += "; " + c.Summary()
	}
	return s
}

// Overall is the one-line summary of all requests, without the classes.
func (r *Result) Overall() string {
	return fmt.Sprintf("%.0f req/s at concurrency %d; latency p50 %s, p95 %s, p99 %s, max %s; %d requests, %d errors in %s",
		r.Throughput(), r.Concurrency, ms(r.Hist.Quantile(0.50)), ms(r.Hist.Quantile(0.95)), ms(r.Hist.Quantile(0.99)), ms(r.Hist.Max()),
		r.Requests, r.Errors, r.Elapsed.Round(time.Millisecond))
}

// Summary is the class's line: requests, errors and percentiles.
func (c *ClassResult) Summary() string {
	return fmt.Sprintf("%s: %d requests, %d errors, p50 %s, p95 %s, p99 %s, max %s",
		c.Name, c.Requests, c.Errors, ms(c.Hist.Quantile(0.50)), ms(c.Hist.Quantile(0.95)), ms(c.Hist.Quantile(0.99)), ms(c.Hist.Max()))
}

// Class returns the named class (nil if the run has none of that name).
func (r *Result) Class(name string) *ClassResult {
	for i := range r.Classes {
		if r.Classes[i].Name == name {
			return &r.Classes[i]
		}
	}
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/1e6) }

// Op is one request of a scenario; rng is the worker's own.
type Op func(ctx context.Context, rng *rand.Rand) error

// ClassOp is one request of a classed scenario: it returns the index of
// the class (in the names given to RunClasses) the request belongs to.
type ClassOp func(ctx context.Context, rng *rand.Rand) (class int, err error)

// Failed reports whether every request of the run failed: the scenario
// measured nothing (a wrong token, a server not answering).
func (r *Result) Failed() bool { return r.Requests == 0 && r.Errors > 0 }

// Run runs op in a closed loop on concurrency workers for duration and
// returns the throughput and the latency histogram.
func Run(ctx context.Context, scenario string, duration time.Duration, concurrency int, seed uint64, op Op) *Result {
	res := RunClasses(ctx, scenario, duration, concurrency, seed, []string{scenario}, func(ctx context.Context, rng *rand.Rand) (int, error) {
		return 0, op(ctx, rng)
	})
	res.Classes = nil
	return res
}

// RunClasses runs op like Run and also keeps a histogram per class of
// request (names), so that each kind's latency is reported on its own.
func RunClasses(ctx context.Context, scenario string, duration time.Duration, concurrency int, seed uint64, names []string, op ClassOp) *Result {
	concurrency = max(concurrency, 1)
	res := &Result{Scenario: scenario, Concurrency: concurrency, Classes: make([]ClassResult, len(names))}
	for i, n := range names {
		res.Classes[i].Name = n
	}
	ctx, cancel := context.WithTimeout(ctx, duration)
	defer cancel()
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			hs := make([]Hist, len(names))
			errs := make([]uint64, len(names))
			var first error
			for ctx.Err() == nil {
				t0 := time.Now()
				class, err := op(ctx, rng)
				d := time.Since(t0)
				if class < 0 || class >= len(names) {
					panic(fmt.Sprintf("bench: class %d of a run with %d classes", class, len(names)))
				}
				if err != nil {
					if ctx.Err() != nil {
						break // cut off by the end of the run
					}
					errs[class]++
					if first == nil {
						first = err
					}
					continue
				}
				hs[class].Record(d)
			}
			mu.Lock()
			for i := range hs {
				res.Hist.Merge(&hs[i])
				res.Classes[i].Hist.Merge(&hs[i])
				res.Classes[i].Errors += errs[i]
				res.Errors += errs[i]
			}
			if res.FirstError == nil {
				res.FirstError = first
			}
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.Requests = res.Hist.Count()
	for i := range res.Classes {
		res.Classes[i].Requests = res.Classes[i].Hist.Count()
	}
	return res
}

// Row is one line of BENCHMARKS.md.
type Row struct {
	Date, Machine, DataSize, Command, Result string
}

const benchmarksHeader = "# Benchmarks\n\nEach row is one measured run (`xinyong bench --record` appends rows; other rows were added by hand and say how they were measured).\n\n| date | machine | data size | command | result |\n| --- | --- | --- | --- | --- |\n"

// AppendRow appends a row to the Markdown table in path, creating the file
// with its header if it does not exist.
func AppendRow(path string, r Row) error {
	if _, err := os.Stat(path); os.IsNotExist(err) {
		if err := os.WriteFile(path, []byte(benchmarksHeader), 0o644); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cell := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", "\\|"), "\n", " ") }
	_, err = fmt.Fprintf(f, "| %s | %s | %s | %s | %s |\n", cell(r.Date), cell(r.Machine), cell(r.DataSize), cell(r.Command), cell(r.Result))
	if e := f.Close(); err == nil {
		err = e
	}
	return err
}
