package gen

import (
	"container/heap"
	"context"
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"sync"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

// Clock is a settable clock for the store and the service: Fill moves it to
// each simulated submission day.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// FillOptions configure Fill.
type FillOptions struct {
	Service *workflow.Service
	Clock   *Clock // the clock the store and the service were opened with
	Actor   xinyong.Actor
	// Chunk is the most records one department batch carries (default 2000).
	Chunk int
	// PerTx is about how many submissions are committed together: the
	// batches and withdrawals of many departments and days run in one
	// transaction, each at its own simulated time (workflow.GenSession;
	// default workflow.DefaultGenPerTx).
	PerTx    int
	Progress func(done int)
	Manifest *Manifest
}

// FillResult summarises Fill.
type FillResult struct {
	Departments int            // created (existing ones are reused)
	Subjects    int            // distinct subjects with an accepted record
	Records     int            // generated
	Accepted    int            // created or new versions
	Unchanged   int            // already in the store with the same payload
	Refused     int            // refused by the rules
	RefusedBy   map[string]int // refusals by rule
	Withdrawn   int
	Listed      int // subjects put on a serious list (listings.go)
	Late        int // accepted records marked late (双公示 beyond 7 working days)
	Backfilled  int // submitted on the catalogue item's effective date because they were decided before it
	Batches     int // department batches
	Commits     int // transactions the batches and withdrawals were committed in
	Seconds     float64
	// ItemFrom is the earliest date the catalogue items are in force: a
	// record decided and due before it is submitted on that date as a
	// historical backfill (and marked late).
	ItemFrom xinyong.Date
}

// RowsPerSecond is the accepted and refused records per second.
func (r FillResult) RowsPerSecond() float64 {
	if r.Seconds <= 0 {
		return 0
	}
	return float64(r.Accepted+r.Unchanged+r.Refused) / r.Seconds
}

// event is a submission or a withdrawal on a simulated day.
type event struct {
	day      int // xinyong.Date.Days()
	withdraw bool
	dept     int
	j        int
	id       string // record id (withdrawals)
}

type events []event

func (e events) Len() int { return len(e) }
func (e events) Less(a, b int) bool {
	if e[a].day != e[b].day {
		return e[a].day < e[b].day
	}
	return e[a].j < e[b].j
}
func (e events) Swap(a, b int) { e[a], e[b] = e[b], e[a] }
func (e *events) Push(x any)   { *e = append(*e, x.(event)) }
func (e *events) Pop() any {
	old := *e
	x := old[len(old)-1]
	*e = old[:len(old)-1]
	return x
}

// Fill fills a store through the real workflow: it creates the departments,
// then submits the records day by day in decision-date order, each
// department's records of a day in one batch ("each" mode, as SubmitBatch)
// at a time on that day, so that the 双公示 lateness, the publication
// windows, the minor rules, the ledger and the audit all apply; then it
// withdraws the records whose decisions are revoked. The batches and
// withdrawals of many departments and days are committed together, each
// at its own simulated time (workflow.GenSession): one transaction and
// ledger checkpoint per about PerTx submissions instead of one per batch.
// Only a few days of pending submissions are held in memory.
func Fill(ctx context.Context, g *Generator, opt FillOptions) (FillResult, error) {
	res := FillResult{RefusedBy: map[string]int{}, Records: g.cfg.Records}
	start := time.Now()
	svc := opt.Service
	if opt.Chunk <= 0 {
		opt.Chunk = 2000
	}
	depts := g.Departments()
	// Departments are created at the start of the window.
	opt.Clock.Set(g.start.AddDays(-7).Start().Add(9 * time.Hour))
	for _, d := range depts {
		if _, err := svc.FindDepartment(ctx, d.Code); err == nil {
			continue
		}
		if _, err := svc.CreateDepartment(ctx, opt.Actor, workflow.DepartmentInput{Code: d.Code, Name: d.Name, Provides: []string{"行政许可", "行政处罚"}}); err != nil {
			return res, fmt.Errorf("create department %s %s: %w", d.Code, d.Name, err)
		}
		res.Departments++
	}
	// The catalogue items' effective date: records cannot be submitted
	// before it (目录制管理).
	err := svc.Store.View(ctx, func(tx xinyong.Tx) error {
		for _, code := range []string{"XZCF", "XZXK"} {
			it, err := tx.CatalogueItem(code)
			if err != nil {
				return fmt.Errorf("catalogue item %s: %w", code, err)
			}
			if it.EffectiveFrom.After(res.ItemFrom) {
				res.ItemFrom = it.EffectiveFrom
			}
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	sess := svc.NewGenSession(ctx, opt.Actor, opt.PerTx)
	defer sess.Abort() // rolls back what a failure left open
	seen := make([]uint64, (g.cfg.Subjects+63)/64)
	var cands []listCandidate
	candSeen := map[string]bool{}
	var pending events
	// The lateness of a decision submitted on a day, counted once per pair
	// of days (counting the working days since a years-old decision for
	// every backfilled record took 8 % of the time).
	lateMemo := map[[2]int]bool{}
	late := func(dec, on xinyong.Date) bool {
		k := [2]int{dec.Days(), on.Days()}
		v, ok := lateMemo[k]
		if !ok {
			v = g.cal.DisclosureLateness(dec, on, xinyong.DisclosureDeadlineWorkingDays).Late
			lateMemo[k] = v
		}
		return v
	}
	done := 0
	lastDay, tick := xinyong.Date{}, 0
	at := func(day xinyong.Date) time.Time {
		if day != lastDay {
			lastDay, tick = day, 0
		}
		tick++ // milliseconds into the simulated working day: batches keep their order
		t := day.Start().Add(9*time.Hour + time.Duration(tick)*time.Millisecond)
		opt.Clock.Set(t) // the store's clock follows the simulation
		return t
	}
	// submit sends one department's records of one upload day.
	submit := func(group []event, day int) error {
		d := dateOfDays(day)
		clockDay := d
		if d.Before(res.ItemFrom) {
			clockDay = res.ItemFrom
		}
		recs := make([]Record, len(group))
		ins := make([]xinyong.RecordInput, len(group))
		for x, ev := range group {
			recs[x] = g.Record(ev.j)
			ins[x] = recs[x].Input(depts)
		}
		dept := depts[group[0].dept]
		br, err := sess.SubmitBatch(at(clockDay), dept.Code, ins)
		if err != nil {
			return fmt.Errorf("submit %d records of %s on %s: %w", len(ins), dept.Name, clockDay, err)
		}
		res.Batches++
		for _, it := range br.Items {
			r := recs[it.Index]
			if it.Outcome == "" {
				res.Refused++
				if len(it.Errors) > 0 {
					res.RefusedBy[it.Errors[0].Rule]++
				} else {
					res.RefusedBy[it.Code]++
				}
				continue
			}
			if it.Outcome == workflow.Unchanged {
				res.Unchanged++
			} else {
				res.Accepted++
			}
			if r.Submitted.Before(res.ItemFrom) {
				res.Backfilled++
			}
			if late(r.Decision, clockDay) {
				res.Late++
			}
			i := r.Subject.Index
			seen[i/64] |= 1 << (i % 64)
			if opt.Manifest != nil {
				opt.Manifest.Add(r)
			}
			if it.Outcome != workflow.Unchanged {
				noteListCandidate(g, r, it.ID, depts, candSeen, &cands)
			}
			if r.Withdraw && it.Outcome != workflow.Unchanged {
				wd := max(r.WithdrawOn.Days(), day, clockDay.Days())
				heap.Push(&pending, event{day: wd, withdraw: true, j: r.Index, id: it.ID})
			}
		}
		done += len(group)
		if opt.Progress != nil {
			opt.Progress(done)
		}
		return nil
	}
	// Uploads due before the catalogue items took effect are all submitted
	// on the effective date: they are gathered per department into full
	// batches (the same clock day, so the same rules apply) and sent when
	// full or when the simulation reaches that date.
	backfill := map[int][]event{}
	drainBackfill := func() error {
		for k := range depts {
			if b := backfill[k]; len(b) > 0 {
				if err := submit(b, b[len(b)-1].day); err != nil {
					return err
				}
				delete(backfill, k)
			}
		}
		return nil
	}
	flush := func(day int) error {
		d := dateOfDays(day)
		if !d.Before(res.ItemFrom) {
			if err := drainBackfill(); err != nil {
				return err
			}
		}
		for {
			var subs, wds []event
			for len(pending) > 0 && pending[0].day == day {
				e := heap.Pop(&pending).(event)
				if e.withdraw {
					wds = append(wds, e)
				} else {
					subs = append(subs, e)
				}
			}
			if len(subs) == 0 && len(wds) == 0 {
				return nil
			}
			slices.SortStableFunc(subs, func(a, b event) int { return a.dept - b.dept })
			for k := 0; k < len(subs); {
				e := k
				for e < len(subs) && subs[e].dept == subs[k].dept && e-k < opt.Chunk {
					e++
				}
				group := subs[k:e]
				k = e
				if d.Before(res.ItemFrom) {
					dept := group[0].dept
					for _, ev := range group {
						backfill[dept] = append(backfill[dept], ev)
						if len(backfill[dept]) >= opt.Chunk {
							if err := submit(backfill[dept], day); err != nil {
								return err
							}
							backfill[dept] = nil
						}
					}
					continue
				}
				if err := submit(group, day); err != nil {
					return err
				}
			}
			for _, ev := range wds {
				r := g.Record(ev.j)
				clockDay := d
				if d.Before(res.ItemFrom) {
					clockDay = res.ItemFrom
				}
				if _, err := sess.Withdraw(at(clockDay), ev.id, r.WithdrawReason, r.WithdrawNote); err != nil {
					return fmt.Errorf("withdraw record %s: %w", ev.id, err)
				}
				res.Withdrawn++
			}
		}
	}
	for j := 0; j < g.cfg.Records; j++ {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		dec := g.Decision(j).Days()
		for len(pending) > 0 && pending[0].day < dec {
			if err := flush(pending[0].day); err != nil {
				return res, err
			}
		}
		r := g.Record(j)
		heap.Push(&pending, event{day: r.Submitted.Days(), dept: r.Dept, j: j})
	}
	for len(pending) > 0 {
		if err := flush(pending[0].day); err != nil {
			return res, err
		}
	}
	if err := drainBackfill(); err != nil {
		return res, err
	}
	for len(pending) > 0 { // withdrawals of the last backfill
		if err := flush(pending[0].day); err != nil {
			return res, err
		}
	}
	if err := sess.Commit(); err != nil {
		return res, err
	}
	res.Commits = sess.Transactions()
	if res.Listed, err = listAll(ctx, opt, g.cfg.Today, depts, cands, opt.Manifest); err != nil {
		return res, err
	}
	for _, w := range seen {
		res.Subjects += bits.OnesCount64(w)
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// dateOfDays inverts xinyong.Date.Days.
func dateOfDays(n int) xinyong.Date {
	return epoch.AddDays(n - epoch.Days())
}

var epoch = xinyong.NewDate(2000, 1, 1)

// TopRefusals returns the refusal rules, most frequent first.
func (r FillResult) TopRefusals() []string {
	var out []string
	for k := range r.RefusedBy {
		out = append(out, k)
	}
	sort.Slice(out, func(a, b int) bool { return r.RefusedBy[out[a]] > r.RefusedBy[out[b]] })
	return out
}
