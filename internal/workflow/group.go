package workflow

import (
	"context"
	"sync"
	"time"

	"xinyong"
)

// Group commit of small appends (query-use entries, measure checks).
//
// A measures check or a shared-records query reads on the read pool and
// then has to append its query-use entry (and, for a check, the check and
// its receipt) to the store and the ledger. One write transaction per
// request serialises every request behind SQLite's single writer and signs
// one checkpoint each (about 200 a second on this machine). Instead the
// appends queue here and one goroutine at a time commits everything queued
// in one transaction with one signed checkpoint; requests arriving while a
// batch commits form the next batch. No timer: a lone request commits at
// once, a crowd shares transactions. Each caller still returns only after
// its append committed, so nothing is answered that the log does not hold.
//
// An append that fails makes its batch roll back; the batch is then retried
// one append per transaction, so a failure only ever fails its own request.

// maxGroup bounds one batch (and so one transaction's size and latency).
const maxGroup = 256

type groupAppend struct {
	ctx   context.Context
	actor xinyong.Actor
	fn    func(t *txn) error
	done  chan error
}

type grouper struct {
	mu      sync.Mutex
	queue   []*groupAppend
	running bool
}

// appendGrouped runs fn inside a write transaction shared with other
// concurrent appends, and returns when that transaction committed (or
// failed). fn must only write: every decision that can refuse the request
// belongs before the call, on a read transaction.
func (s *Service) appendGrouped(ctx context.Context, actor xinyong.Actor, fn func(t *txn) error) error {
	a := &groupAppend{ctx: ctx, actor: actor, fn: fn, done: make(chan error, 1)}
	g := &s.group
	g.mu.Lock()
	g.queue = append(g.queue, a)
	if !g.running {
		g.running = true
		go s.drainGroup()
	}
	g.mu.Unlock()
	// The append is in the queue: wait for its outcome even if ctx ends, so
	// the caller never reports a failure for something that was written.
	return <-a.done
}

func (s *Service) drainGroup() {
	g := &s.group
	for {
		g.mu.Lock()
		n := min(len(g.queue), maxGroup)
		if n == 0 {
			g.running = false
			g.mu.Unlock()
			return
		}
		batch := make([]*groupAppend, n)
		copy(batch, g.queue)
		rest := copy(g.queue, g.queue[n:])
		clear(g.queue[rest:])
		g.queue = g.queue[:rest]
		g.mu.Unlock()
		s.commitGroup(batch)
	}
}

func (s *Service) commitGroup(batch []*groupAppend) {
	live := batch[:0:0]
	for _, a := range batch {
		if err := a.ctx.Err(); err != nil {
			a.done <- err // gone before anything was written
			continue
		}
		live = append(live, a)
	}
	if len(live) == 0 {
		return
	}
	if len(live) > 1 {
		err := s.update(context.Background(), xinyong.System, func(t *txn) error {
			for _, a := range live {
				t.actor = a.actor
				if err := a.fn(t); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil {
			for _, a := range live {
				a.done <- nil
			}
			return
		}
	}
	// One alone, or a batch that failed: each in its own transaction.
	for _, a := range live {
		a.done <- s.update(context.Background(), a.actor, a.fn)
	}
}

// The measures list (失信惩戒措施清单) changes rarely and every check reads
// it whole, so it is kept decoded in memory: dropped at once when this
// process changes a measure (txn.PutMeasure), and re-read at most
// measuresTTL after another process (several servers on one PostgreSQL)
// changed one.
const measuresTTL = 2 * time.Second

type measuresCache struct {
	mu   sync.Mutex
	list []xinyong.Measure
	at   time.Time
	gen  uint64
}

// measures returns the measures list, from the cache when it is fresh. The
// slice is shared: callers must not change it.
func (s *Service) measures(tx xinyong.Tx) ([]xinyong.Measure, error) {
	c := &s.measureCache
	now := time.Now()
	c.mu.Lock()
	if c.list != nil && now.Sub(c.at) < measuresTTL {
		l := c.list
		c.mu.Unlock()
		return l, nil
	}
	gen := c.gen
	c.mu.Unlock()
	l, err := tx.Measures()
	if err != nil {
		return nil, err
	}
	if l == nil {
		l = []xinyong.Measure{}
	}
	c.mu.Lock()
	if c.gen == gen {
		c.list, c.at = l, now
	}
	c.mu.Unlock()
	return l, nil
}

func (s *Service) invalidateMeasures() {
	c := &s.measureCache
	c.mu.Lock()
	c.list = nil
	c.gen++
	c.mu.Unlock()
}

// PutMeasure stores a measure and drops the cached list when the
// transaction commits.
func (t *txn) PutMeasure(m xinyong.Measure) error {
	t.after = append(t.after, t.s.invalidateMeasures)
	return t.Tx.PutMeasure(m)
}
