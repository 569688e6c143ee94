package workflow

import (
	"context"
	"errors"
	"time"

	"xinyong"
)

// Bulk submission for the synthetic-province generator (xinyong gen,
// internal/gen.Fill). The generator replays years of submissions day by
// day: each department's records of a day are one batch submitted on that
// day, so the 双公示 lateness, the publication windows and every other rule
// apply as of that day. Those batches are small (a few records each), and
// with a transaction, a ledger checkpoint and a commit per batch the
// commits cost more than the records. A GenSession runs many such batches
// and withdrawals, each at its own simulated time, inside one store
// transaction with one ledger checkpoint, and commits when it holds perTx
// submissions or more.
//
// Each batch goes through the same steps as SubmitBatch in "each" mode
// (newSubmitCtx, prefetchBatch, submit under savepoint, one record.batch
// audit event, the refusals outside the catalogue noted) and each
// withdrawal through the same steps as Withdraw; only the transaction
// boundaries differ. Inside the transaction, Now is the time of the batch
// or withdrawal being run (it is the store's time for anything else).

// DefaultGenPerTx is the default number of submissions a GenSession
// commits together. Fewer, larger transactions write the hot index pages
// to the WAL fewer times: 200,000 records went in 53–57 s at 5,000 and
// 44–47 s at 20,000 per transaction (SQLite, 2 cores), each transaction
// holding the write lock about 4 s at that size (a server sharing the file
// waits up to its 10 s busy timeout; xinyong gen --per-tx lowers it).
const DefaultGenPerTx = 20000

// GenSession holds one open transaction at a time on a goroutine of its
// own (Store.Update takes a function; the generator drives the
// submissions one call at a time). Its methods must be called from one
// goroutine. Call Commit at the end, and Abort (deferred) on the way out.
type GenSession struct {
	s     *Service
	ctx   context.Context
	actor xinyong.Actor
	perTx int

	reqs chan genReq
	resp chan error
	done chan error
	open bool
	n    int   // submissions and withdrawals in the open transaction
	err  error // the first failure: the session is then dead
	txs  int   // transactions committed
}

type genReq struct {
	at time.Time
	fn func(t *txn) error
}

// errGenAbort rolls the open transaction back (Abort).
var errGenAbort = errors.New("gen session aborted")

// clockTx is a store transaction whose Now is the simulated time of the
// batch being run.
type clockTx struct {
	xinyong.Tx
	now time.Time
}

func (c *clockTx) Now() time.Time { return c.now }

// NewGenSession starts a session that commits about perTx submissions per
// transaction (0: DefaultGenPerTx; at most MaxBatch more than perTx, the
// size of one batch).
func (s *Service) NewGenSession(ctx context.Context, actor xinyong.Actor, perTx int) *GenSession {
	if perTx <= 0 {
		perTx = DefaultGenPerTx
	}
	return &GenSession{s: s, ctx: ctx, actor: actor, perTx: perTx}
}

// Transactions returns how many transactions the session has committed.
func (g *GenSession) Transactions() int { return g.txs }

// begin opens a transaction on a goroutine that runs the requests sent to
// it until the request channel closes (commit) or a request fails
// (rollback).
func (g *GenSession) begin() {
	g.reqs, g.resp, g.done = make(chan genReq), make(chan error), make(chan error, 1)
	g.open, g.n = true, 0
	reqs, resp, done := g.reqs, g.resp, g.done
	go func() {
		var after []func()
		err := g.s.Store.Update(g.ctx, func(tx xinyong.Tx) error {
			ct := &clockTx{Tx: tx, now: tx.Now()}
			t := &txn{Tx: ct, s: g.s, ctx: g.ctx, actor: g.actor}
			for req := range reqs {
				ct.now = utcMicro(req.at)
				err := req.fn(t)
				resp <- err
				if err != nil {
					return err
				}
			}
			// Committing: the checkpoint carries the last request's time.
			after = t.after
			return t.flush()
		})
		if err == nil {
			for _, f := range after {
				f()
			}
		}
		done <- err
	}()
}

// utcMicro is a time as the stores keep it: UTC at microsecond precision.
func utcMicro(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// run runs fn at the simulated time at in the open transaction (opening
// one, after committing the previous one when it is full).
func (g *GenSession) run(at time.Time, n int, fn func(t *txn) error) error {
	if g.err != nil {
		return g.err
	}
	if g.open && g.n >= g.perTx {
		if err := g.Commit(); err != nil {
			return err
		}
	}
	if !g.open {
		g.begin()
	}
	g.n += n
	select {
	case g.reqs <- genReq{at: at, fn: fn}:
	case err := <-g.done: // the transaction did not begin
		g.open, g.err = false, err
		return err
	}
	if err := <-g.resp; err != nil {
		// The transaction rolled back: wait for it to end.
		<-g.done
		g.open, g.err = false, err
		return err
	}
	return nil
}

// Commit commits the open transaction, if any.
func (g *GenSession) Commit() error {
	if g.err != nil {
		return g.err
	}
	if !g.open {
		return nil
	}
	close(g.reqs)
	err := <-g.done
	g.open = false
	if err != nil {
		g.err = err
		return err
	}
	g.txs++
	return nil
}

// Abort rolls back the open transaction, if any; after Commit it does
// nothing.
func (g *GenSession) Abort() {
	if !g.open {
		return
	}
	select {
	case g.reqs <- genReq{at: time.Now(), fn: func(*txn) error { return errGenAbort }}:
		<-g.resp
		<-g.done
	case <-g.done: // the transaction did not begin
	}
	g.open = false
	if g.err == nil {
		g.err = errGenAbort
	}
}

// SubmitBatch submits one department's batch at the simulated time at, as
// SubmitBatch does in "each" mode: every valid item is written, the bad
// ones are reported. The batch commits with the others of the session's
// transaction; an internal error rolls the whole transaction back and ends
// the session.
func (g *GenSession) SubmitBatch(at time.Time, dept string, ins []xinyong.RecordInput) (BatchResult, error) {
	res := BatchResult{Mode: "each"}
	if err := checkBatchSize(ins); err != nil {
		return res, err
	}
	s, actor := g.s, g.actor
	err := g.run(at, len(ins), func(t *txn) error {
		// The previous batch's buffered rows go in before this batch's
		// lookups (prefetch starts a new buffer).
		if err := t.flushBulk(); err != nil {
			return err
		}
		var deptID string
		var err error
		if res, deptID, err = s.runBatch(t, actor, dept, "each", ins); err != nil {
			return err
		}
		return noteGenRefusals(t, actor, deptID, ins, res.Items)
	})
	if err != nil {
		res.Committed, res.Accepted = false, 0
		return res, err
	}
	return res, nil
}

// noteGenRefusals records a batch's items refused as outside the catalogue
// (noteBatchRefusals, compliance.go), in the batch's transaction at its
// time.
func noteGenRefusals(t *txn, actor xinyong.Actor, deptID string, ins []xinyong.RecordInput, items []BatchItem) error {
	rs := batchRefusals(ins, items)
	if len(rs) == 0 {
		return nil
	}
	return t.AddIntakeRefusals(intakeRefusals(rs, deptID, "batch", t.Now(), actor))
}

// Withdraw withdraws a record at the simulated time at, as Withdraw does
// (the same checks, ledger leaf, listings ended, event and audit). A
// refusal (not found, forbidden, a bad reason, already withdrawn) rolls the
// session's transaction back and ends the session, like any error.
func (g *GenSession) Withdraw(at time.Time, id, reason, note string) (xinyong.Record, error) {
	var r xinyong.Record
	s, actor := g.s, g.actor
	err := g.run(at, 1, func(t *txn) error {
		// Records a batch of this transaction still holds in its buffer.
		if err := t.flushBulk(); err != nil {
			return err
		}
		var err error
		r, err = s.withdrawIn(t, actor, id, reason, note)
		return err
	})
	return r, err
}
