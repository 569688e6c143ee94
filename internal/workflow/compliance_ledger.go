package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"xinyong"
)

// Ledger verification as a background job (the console's verify button,
// issue 8). The job row is persisted (ledger_verify_job): its progress is
// written while Verify runs and its report when it ends, so every server
// sharing the database shows it. A job whose process died stays "running"
// without progress; after VerifyStaleAfter it is shown as interrupted
// (VerifyJobView) and a new run may start.

// VerifyStaleAfter is how long a running job may go without progress
// before it counts as interrupted.
const VerifyStaleAfter = 2 * time.Minute

// verifyProgressEvery bounds how often progress is written.
const verifyProgressEvery = 500 * time.Millisecond

// VerifyJobView is a job as the console shows it.
type VerifyJobView struct {
	xinyong.VerifyJob
	Interrupted bool          `json:"interrupted,omitempty"`
	Percent     int           `json:"percent"`
	Result      *VerifyReport `json:"result,omitempty"`
}

func (s *Service) viewOf(j xinyong.VerifyJob) VerifyJobView {
	v := VerifyJobView{VerifyJob: j}
	if j.Total > 0 {
		v.Percent = int(j.Done * 100 / j.Total)
	} else if j.State == xinyong.VerifyDone {
		v.Percent = 100
	}
	if j.State == xinyong.VerifyRunning && s.Now().Sub(j.UpdatedAt) > VerifyStaleAfter {
		v.Interrupted = true
	}
	if len(j.Report) > 0 {
		var r VerifyReport
		if json.Unmarshal(j.Report, &r) == nil {
			v.Result = &r
		}
	}
	return v
}

// StartVerifyJob registers a verification run (admins and auditors) and
// returns it; the caller runs RunVerifyJob in the background. A run already
// in progress is returned instead of starting a second.
func (s *Service) StartVerifyJob(ctx context.Context, actor xinyong.Actor) (VerifyJobView, bool, error) {
	if err := xinyong.Authorize(actor, xinyong.ActLedgerVerify, xinyong.Resource{}, nil); err != nil {
		return VerifyJobView{}, false, err
	}
	var j xinyong.VerifyJob
	started := false
	err := s.update(ctx, actor, func(t *txn) error {
		// Under the sequencer lock, so two clicks start one run.
		h, err := t.LockLedger()
		if err != nil {
			return err
		}
		t.head = &h
		js, err := t.VerifyJobs(1)
		if err != nil {
			return err
		}
		if len(js) == 1 && js[0].State == xinyong.VerifyRunning && t.Now().Sub(js[0].UpdatedAt) <= VerifyStaleAfter {
			j = js[0]
			return nil
		}
		j = xinyong.VerifyJob{ID: NewID(), State: xinyong.VerifyRunning, By: actor.Ref(), Total: h.Size, StartedAt: t.Now(), UpdatedAt: t.Now()}
		if err := t.PutVerifyJob(j); err != nil {
			return err
		}
		started = true
		return t.audit("ledger.verify_start", "ledger_verify_job", j.ID, nil, nil, fmt.Sprintf("verification of %d leaves started", h.Size))
	})
	return s.viewOf(j), started, err
}

// RunVerifyJob runs a registered verification, writing its progress and
// its report.
func (s *Service) RunVerifyJob(ctx context.Context, id string) (VerifyJobView, error) {
	var j xinyong.VerifyJob
	if err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		j, err = tx.VerifyJob(id)
		return err
	}); err != nil {
		return VerifyJobView{}, err
	}
	last := time.Time{}
	progress := func(done, total int64) {
		if time.Since(last) < verifyProgressEvery && done < total {
			return
		}
		last = time.Now()
		j.Done, j.Total, j.UpdatedAt = done, total, s.Now()
		cur := j
		if err := s.Store.Update(ctx, func(tx xinyong.Tx) error { return tx.PutVerifyJob(cur) }); err != nil && s.Log != nil && ctx.Err() == nil {
			s.log().Warn("ledger verification progress", "job", id, "err", err)
		}
	}
	rep, verr := s.Verify(ctx, "", progress)
	j.UpdatedAt, j.FinishedAt = s.Now(), s.Now()
	if verr != nil {
		j.State, j.Error = xinyong.VerifyFailed, xinyong.ErrorMessage(verr)
		if xinyong.ErrorCode(verr) == xinyong.EINTERNAL {
			s.log().Error("ledger verification failed", "job", j.ID, "err", verr)
			j.Error = "internal error; the server log has the cause (job " + j.ID + ")"
		}
	} else {
		j.State, j.OK, j.Problems, j.Done, j.Total = xinyong.VerifyDone, rep.OK(), len(rep.Problems), rep.Size, rep.Size
		b, _ := json.Marshal(rep)
		j.Report = b
	}
	// The end is written even when ctx ended (the server stopping).
	err := s.update(context.WithoutCancel(ctx), xinyong.System, func(t *txn) error {
		if err := t.PutVerifyJob(j); err != nil {
			return err
		}
		detail := fmt.Sprintf("verification %s: %d leaves, %d problem(s)", j.State, j.Total, j.Problems)
		if j.Error != "" {
			detail += "; " + clip(j.Error, 300)
		}
		return t.audit("ledger.verify_"+xinyong.Action(j.State), "ledger_verify_job", j.ID, nil, nil, detail)
	})
	if verr != nil {
		return s.viewOf(j), verr
	}
	return s.viewOf(j), err
}

// VerifyJobs returns the latest verification runs (admins and auditors).
func (s *Service) VerifyJobs(ctx context.Context, actor xinyong.Actor, limit int) ([]VerifyJobView, error) {
	if err := xinyong.Authorize(actor, xinyong.ActLedgerVerify, xinyong.Resource{}, nil); err != nil {
		return nil, err
	}
	var js []xinyong.VerifyJob
	if err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		js, err = tx.VerifyJobs(limit)
		return err
	}); err != nil {
		return nil, err
	}
	out := make([]VerifyJobView, len(js))
	for i, j := range js {
		out[i] = s.viewOf(j)
	}
	return out, nil
}

// VerifyJob returns one run.
func (s *Service) VerifyJob(ctx context.Context, actor xinyong.Actor, id string) (VerifyJobView, error) {
	if err := xinyong.Authorize(actor, xinyong.ActLedgerVerify, xinyong.Resource{}, nil); err != nil {
		return VerifyJobView{}, err
	}
	var j xinyong.VerifyJob
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		j, err = tx.VerifyJob(id)
		return err
	})
	return s.viewOf(j), err
}

// LedgerOverview is the ledger page: the latest checkpoint and the history.
type LedgerOverview struct {
	Head        xinyong.LedgerHead
	Latest      *xinyong.StoredCheckpoint
	Checkpoints []xinyong.StoredCheckpoint
}

// LedgerOverview returns the head, the latest checkpoint and up to limit
// checkpoints, newest first (public information: ledger.read).
func (s *Service) LedgerOverview(ctx context.Context, limit int) (LedgerOverview, error) {
	var o LedgerOverview
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		if o.Head, err = tx.LedgerHead(); err != nil {
			return err
		}
		if cp, err := tx.LatestCheckpoint(); err == nil {
			o.Latest = &cp
		} else if xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
			return err
		}
		o.Checkpoints, err = tx.Checkpoints(limit)
		return err
	})
	return o, err
}
