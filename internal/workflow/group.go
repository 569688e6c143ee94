package workflow

import (
	"context"
	"strconv"
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

// Reference lists read on every request — the measures list (失信惩戒措施
// 清单) that every check reads whole, the catalogue that every portal page
// and report reads — change rarely, so they are kept decoded in memory:
// dropped at once when this process changes them (txn.PutMeasure,
// PutCatalogueItem, PutCategory), and re-read at most refTTL after another
// process (several servers on one PostgreSQL) changed them. The values
// are shared: callers must not change them.
const refTTL = 2 * time.Second

type refCache[T any] struct {
	mu  sync.Mutex
	v   T
	ok  bool
	at  time.Time
	gen uint64
}

// get returns the cached value while it is fresh, else loads it. A value
// loaded while the cache was dropped is not kept (it may predate the
// change).
func (c *refCache[T]) get(load func() (T, error)) (T, error) {
	now := time.Now()
	c.mu.Lock()
	if c.ok && now.Sub(c.at) < refTTL {
		v := c.v
		c.mu.Unlock()
		return v, nil
	}
	gen := c.gen
	c.mu.Unlock()
	v, err := load()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if c.gen == gen {
		c.v, c.ok, c.at = v, true, now
	}
	c.mu.Unlock()
	return v, nil
}

func (c *refCache[T]) drop() {
	c.mu.Lock()
	var zero T
	c.v, c.ok = zero, false
	c.gen++
	c.mu.Unlock()
}

// measures returns the measures list, from the cache when it is fresh.
func (s *Service) measures(tx xinyong.Tx) ([]xinyong.Measure, error) {
	return s.measureCache.get(func() ([]xinyong.Measure, error) {
		l, err := tx.Measures()
		if l == nil {
			l = []xinyong.Measure{}
		}
		return l, err
	})
}

// catalogueSnapshot is the catalogue as the portal reads it.
type catalogueSnapshot struct {
	categories []xinyong.Category
	items      []xinyong.CatalogueItem
	byCode     map[string]xinyong.CatalogueItem
}

// catalogue returns the categories and items, from the cache when fresh.
func (s *Service) catalogue(tx xinyong.Tx) (catalogueSnapshot, error) {
	return s.catalogueCache.get(func() (catalogueSnapshot, error) {
		var c catalogueSnapshot
		var err error
		if c.categories, err = tx.Categories(); err != nil {
			return c, err
		}
		if c.items, err = tx.CatalogueItems(); err != nil {
			return c, err
		}
		c.byCode = make(map[string]xinyong.CatalogueItem, len(c.items))
		for _, it := range c.items {
			c.byCode[it.Code] = it
		}
		return c, nil
	})
}

// PutMeasure stores a measure and drops the cached list when the
// transaction commits.
func (t *txn) PutMeasure(m xinyong.Measure) error {
	t.after = append(t.after, t.s.measureCache.drop)
	return t.Tx.PutMeasure(m)
}

// PutCatalogueItem stores a catalogue item version, counts the change in
// the catalogue's revision (in the same transaction) and drops the cached
// catalogue when the transaction commits.
func (t *txn) PutCatalogueItem(it xinyong.CatalogueItem) error {
	t.after = append(t.after, t.s.catalogueCache.drop)
	if err := t.bumpCatalogueRev(); err != nil {
		return err
	}
	return t.Tx.PutCatalogueItem(it)
}

// MetaCatalogueRev counts the changes to the catalogue's items: intake
// reads it in its own transaction to know whether the items it holds in
// memory are still the catalogue in force.
const MetaCatalogueRev = "catalogue.rev"

func catalogueRev(tx xinyong.Tx) (string, error) {
	v, err := tx.Meta(MetaCatalogueRev)
	if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
		return "0", nil
	}
	return v, err
}

func (t *txn) bumpCatalogueRev() error {
	v, err := catalogueRev(t)
	if err != nil {
		return err
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	return t.SetMeta(MetaCatalogueRev, strconv.FormatInt(n+1, 10))
}

// intakeItems is the catalogue's items by code as of a revision, for
// intake: exact within the transaction (the revision is read in it), and
// decoded once per revision rather than once per batch.
type intakeItems struct {
	mu    sync.Mutex
	rev   string
	items map[string]xinyong.CatalogueItem
}

// itemsInForce returns the catalogue's items by code as the transaction
// sees them.
func (s *Service) itemsInForce(tx xinyong.Tx) (map[string]xinyong.CatalogueItem, error) {
	rev, err := catalogueRev(tx)
	if err != nil {
		return nil, err
	}
	c := &s.intakeCache
	c.mu.Lock()
	if c.items != nil && c.rev == rev {
		m := c.items
		c.mu.Unlock()
		return m, nil
	}
	c.mu.Unlock()
	list, err := tx.CatalogueItems()
	if err != nil {
		return nil, err
	}
	m := make(map[string]xinyong.CatalogueItem, len(list))
	for _, it := range list {
		m[it.Code] = it
	}
	c.mu.Lock()
	c.rev, c.items = rev, m
	c.mu.Unlock()
	return m, nil
}

// PutCategory stores a category and drops the cached catalogue when the
// transaction commits.
func (t *txn) PutCategory(c xinyong.Category) error {
	t.after = append(t.after, t.s.catalogueCache.drop)
	return t.Tx.PutCategory(c)
}
