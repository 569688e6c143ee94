package sqlstore

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// Statements prepared once per pool (SQLite). Parsing a statement is a
// tenth of a small request's work on SQLite, and database/sql prepares
// again in every transaction. A query seen twice is prepared on the pool
// in the background — by a goroutine that holds no connection, so that a
// transaction waiting for a free connection can never deadlock against
// it — and later transactions use it through Tx.StmtContext, which
// prepares it once on each pooled connection and keeps it there.

// maxPoolStmts bounds the cache (queries with IN lists of varying length
// are many; the hot ones are few).
const maxPoolStmts = 512

type stmtCache struct {
	m       sync.Map // rebound query → *sql.Stmt, or pending while being prepared
	n       atomic.Int32
	seen    sync.Map // rebound query → struct{}: asked for once
	closing atomic.Bool
	// mu orders starting a preparation against close, and running counts
	// the preparations close must wait for: one still running after the
	// pool closed would open a connection to a file that may be gone.
	mu      sync.Mutex
	running sync.WaitGroup
	// ctx is cancelled by close, so that a preparation still waiting for a
	// connection (the writer's one is held by a transaction) gives up
	// instead of holding close until that transaction ends.
	ctx    context.Context
	cancel context.CancelFunc
	// prepared, when set (tests), is called after a background prepare
	// finished, successfully or not; closeStarted after close stopped new
	// preparations and before it waits for running ones.
	prepared     func(q string, err error)
	closeStarted func()
}

type pending struct{}

// get returns the pool's statement for q, or nil (and starts preparing it
// when q was seen before).
func (c *stmtCache) get(pool *sql.DB, q string) *sql.Stmt {
	if v, ok := c.m.Load(q); ok {
		st, _ := v.(*sql.Stmt)
		return st
	}
	if _, again := c.seen.LoadOrStore(q, struct{}{}); !again || c.closing.Load() || c.n.Load() >= maxPoolStmts {
		return nil
	}
	if _, loaded := c.m.LoadOrStore(q, pending{}); loaded {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closing.Load() {
		return nil
	}
	if c.ctx == nil {
		c.ctx, c.cancel = context.WithCancel(context.Background())
	}
	ctx := c.ctx
	c.n.Add(1)
	c.running.Add(1)
	go func() {
		defer c.running.Done()
		st, err := pool.PrepareContext(ctx, q)
		if c.prepared != nil {
			defer c.prepared(q, err)
		}
		if err != nil || c.closing.Load() {
			if st != nil {
				st.Close()
			}
			return // stays pending: that query runs unprepared
		}
		c.m.Store(q, st)
	}()
	return nil
}

// close waits for preparations still running and closes the prepared
// statements (before the pool closes).
func (c *stmtCache) close() {
	c.mu.Lock()
	c.closing.Store(true)
	if c.cancel != nil {
		c.cancel()
	}
	c.mu.Unlock()
	if c.closeStarted != nil {
		c.closeStarted()
	}
	c.running.Wait()
	c.m.Range(func(_, v any) bool {
		if st, ok := v.(*sql.Stmt); ok {
			st.Close()
		}
		return true
	})
}
