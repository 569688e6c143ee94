package workflow

import (
	"context"
	"sync"

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
// 清单) that every check reads whole, the catalogue that intake, every
// portal page and every report read — change rarely, so they are kept
// decoded in memory under a revision: every change writes a new revision
// (a fresh id, so concurrent changes never share one) in a meta row in its
// own transaction (txn.PutMeasure, PutCatalogueItem, PutCategory), and a
// reader reuses the decoded list only when the revision its transaction
// sees is the one the list was decoded at. So a decision always rests on
// the lists in force as its transaction sees them, also after another
// process (several servers on one PostgreSQL) changed them; a read costs
// one small query instead of decoding the list.
const (
	MetaCatalogueRev = "catalogue.rev"
	MetaMeasuresRev  = "measures.rev"
	MetaRulesRev     = "rules.rev" // working-day calendar corrections and publication regimes
)

type revCache[T any] struct {
	mu  sync.Mutex
	rev string
	v   T
	ok  bool
}

// get returns the value decoded at the revision tx sees, loading it when
// the cache holds another. A transaction that changed the list itself
// (t.changed) neither uses nor fills the cache: its revision may never
// commit.
func (c *revCache[T]) get(tx xinyong.Tx, key string, load func() (T, error)) (T, error) {
	rev, err := tx.Meta(key)
	switch {
	case xinyong.ErrorCode(err) == xinyong.ENOTFOUND:
		rev = ""
	case err != nil:
		var zero T
		return zero, err
	}
	if t, ok := tx.(*txn); ok && t.changed[key] {
		return load()
	}
	c.mu.Lock()
	if c.ok && c.rev == rev {
		v := c.v
		c.mu.Unlock()
		return v, nil
	}
	c.mu.Unlock()
	v, err := load()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	c.rev, c.v, c.ok = rev, v, true
	c.mu.Unlock()
	return v, nil
}

// measures returns the measures list in force as tx sees it. The slice is
// shared: callers must not change it.
func (s *Service) measures(tx xinyong.Tx) ([]xinyong.Measure, error) {
	return s.measureCache.get(tx, MetaMeasuresRev, func() ([]xinyong.Measure, error) {
		l, err := tx.Measures()
		if l == nil {
			l = []xinyong.Measure{}
		}
		return l, err
	})
}

// catalogueSnapshot is the catalogue as intake and the portal read it.
type catalogueSnapshot struct {
	categories []xinyong.Category
	items      []xinyong.CatalogueItem
	byCode     map[string]xinyong.CatalogueItem
}

// catalogue returns the categories and items in force as tx sees them.
// The snapshot is shared: callers must not change it.
func (s *Service) catalogue(tx xinyong.Tx) (catalogueSnapshot, error) {
	return s.catalogueCache.get(tx, MetaCatalogueRev, func() (catalogueSnapshot, error) {
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

// newRev writes a new revision of a cached list in this transaction.
func (t *txn) newRev(key string) error {
	if t.changed == nil {
		t.changed = map[string]bool{}
	}
	t.changed[key] = true
	return t.SetMeta(key, NewID())
}

// PutMeasure stores a measure under a new revision of the measures list.
func (t *txn) PutMeasure(m xinyong.Measure) error {
	if err := t.newRev(MetaMeasuresRev); err != nil {
		return err
	}
	return t.Tx.PutMeasure(m)
}

// PutCatalogueItem stores a catalogue item version under a new revision
// of the catalogue.
func (t *txn) PutCatalogueItem(it xinyong.CatalogueItem) error {
	if err := t.newRev(MetaCatalogueRev); err != nil {
		return err
	}
	return t.Tx.PutCatalogueItem(it)
}

// PutCategory stores a category under a new revision of the catalogue.
func (t *txn) PutCategory(c xinyong.Category) error {
	if err := t.newRev(MetaCatalogueRev); err != nil {
		return err
	}
	return t.Tx.PutCategory(c)
}

// PutOverride stores a calendar correction under a new revision of the
// rules.
func (t *txn) PutOverride(o xinyong.Override) error {
	if err := t.newRev(MetaRulesRev); err != nil {
		return err
	}
	return t.Tx.PutOverride(o)
}

// DeleteOverride removes a calendar correction under a new revision of the
// rules.
func (t *txn) DeleteOverride(d xinyong.Date) error {
	if err := t.newRev(MetaRulesRev); err != nil {
		return err
	}
	return t.Tx.DeleteOverride(d)
}

// PutRegime stores a publication regime under a new revision of the rules.
func (t *txn) PutRegime(r xinyong.Regime) error {
	if err := t.newRev(MetaRulesRev); err != nil {
		return err
	}
	return t.Tx.PutRegime(r)
}
