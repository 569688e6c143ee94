package workflow

import (
	"context"
	"fmt"

	"xinyong"
)

// The deadlines job (issue 7 "Deadlines and compliance"), run by the
// server's periodic loop with the service clock (tests call RunDeadlines
// with their own day; nothing sleeps):
//
//  1. record.published for records whose publication window opens after
//     the version was written. Intake sends record.published only when the
//     window is open on the day of the write (events.go recordPublished);
//     this job sends it, once, on the day the window opens
//     (xinyong.PublicationOpensLater). A watermark day kept in the settings
//     (MetaPublishedThrough) is read and advanced under the ledger lock,
//     in the transaction that writes the events, so two servers never send
//     the same one twice and a day missed while no server ran is caught up.
//  2. deadline notices: every open objection, listing step and repair that
//     came within the reminder window or passed its limit gets a notice
//     (once per deadline and status) with an audit event; the board and
//     the reminders read the live state, the notices keep when the platform
//     first said so.

// MetaPublishedThrough is the last day whose opening publications were told.
const MetaPublishedThrough = "deadlines.published_through"

// maxOpening bounds the records one run tells about; the rest follow on
// the next run (the watermark stays where it was).
var maxOpening = 5000

// DeadlineRun is what one run of the job did.
type DeadlineRun struct {
	Today     xinyong.Date `json:"today"`
	Published int          `json:"published"` // record.published events sent for windows that opened
	Reminded  int          `json:"reminded"`  // new due-soon notices
	Overdue   int          `json:"overdue"`   // new overdue notices
	Purged    int64        `json:"purged"`    // query-use entries past their retention, deleted
}

// RunDeadlines runs the job for today.
func (s *Service) RunDeadlines(ctx context.Context, today xinyong.Date) (DeadlineRun, error) {
	run := DeadlineRun{Today: today}
	n, err := s.publishOpened(ctx, today)
	run.Published = n
	if err != nil {
		return run, err
	}
	if run.Reminded, run.Overdue, err = s.noteDeadlines(ctx, today); err != nil {
		return run, err
	}
	run.Purged, err = s.purgeExpiredQueries(ctx)
	return run, err
}

// publishOpened sends record.published for windows that opened after their
// version was written, up to today.
func (s *Service) publishOpened(ctx context.Context, today xinyong.Date) (int, error) {
	sent := 0
	err := s.update(ctx, xinyong.System, func(t *txn) error {
		// The sequencer lock first: whoever holds it reads and moves the
		// watermark alone (events need the lock anyway).
		h, err := t.LockLedger()
		if err != nil {
			return err
		}
		t.head = &h
		var after xinyong.Date
		if v, err := t.Meta(MetaPublishedThrough); err == nil {
			if after, err = xinyong.ParseDate(v); err != nil {
				return fmt.Errorf("setting %s: %w", MetaPublishedThrough, err)
			}
		} else if xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
			return err
		}
		if !after.IsZero() && !today.After(after) {
			return nil
		}
		rs, err := t.PublicationsOpening(after, today, maxOpening+1)
		if err != nil {
			return err
		}
		through := today
		if len(rs) > maxOpening {
			// Tell the days wholly covered now; the rest next run.
			through = rs[maxOpening].Window.Start.AddDays(-1)
			cut := rs[:maxOpening]
			for len(cut) > 0 && cut[len(cut)-1].Window.Start.After(through) {
				cut = cut[:len(cut)-1]
			}
			if len(cut) == 0 {
				// One day holds more than maxOpening: that day whole, or
				// the watermark would never move past it.
				through = rs[0].Window.Start
				if cut, err = t.PublicationsOpening(after, through, 1<<30); err != nil {
					return err
				}
			}
			rs = cut
		}
		cat, err := s.catalogue(t)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if !xinyong.PublicationOpensLater(r.Window, r.Status, xinyong.DateOf(r.UpdatedAt), today) {
				continue
			}
			// Only what the public sees is announced (events.go).
			subj, err := t.Subject(r.SubjectID)
			if err != nil {
				return err
			}
			if xinyong.PublicSees(r, subj, cat.byCode[r.Item], xinyong.RepairNone, today) {
				t.event(xinyong.EventRecordPublished, r.ID, recordEventOf(r))
				sent++
			}
		}
		if through.After(after) || after.IsZero() {
			if err := t.SetMeta(MetaPublishedThrough, through.String()); err != nil {
				return err
			}
		}
		if sent > 0 {
			return t.audit("deadlines.published", "job", "deadlines", nil, nil, fmt.Sprintf("record.published for %d record(s) whose publication opened by %s", sent, through))
		}
		return nil
	})
	return sent, err
}

// noteDeadlines writes a notice, once, for every open step due soon or
// overdue today.
func (s *Service) noteDeadlines(ctx context.Context, today xinyong.Date) (reminded, overdue int, err error) {
	var ds []xinyong.Deadline
	var remind int
	var cal xinyong.Calendar
	err = s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		if cal, _, err = s.rules(tx); err != nil {
			return err
		}
		if remind, err = remindDays(tx); err != nil {
			return err
		}
		// Only open steps with a limit within reach: 3 calendar days per
		// working day is a generous bound over any holiday.
		horizon := today.AddDays(3*remind + 10)
		os, err := tx.Objections(xinyong.ObjectionFilter{Open: true, DeadlineTo: horizon, Limit: 100000})
		if err != nil {
			return err
		}
		for _, o := range os {
			ds = append(ds, xinyong.ObjectionDeadlineOf(o))
		}
		if err := tx.ListingsWithDeadlines("", func(l xinyong.Listing) error {
			ds = append(ds, xinyong.ListingDeadlinesOf(l)...)
			return nil
		}); err != nil {
			return err
		}
		rs, err := tx.Repairs(xinyong.RepairFilter{Open: true, DueBefore: horizon, Limit: 100000})
		if err != nil {
			return err
		}
		for _, r := range rs {
			ds = append(ds, xinyong.RepairDeadlinesOf(r)...)
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	var due []xinyong.DeadlineNotice
	for _, d := range ds {
		if !d.Done.IsZero() {
			continue
		}
		st := xinyong.ClassifyDeadline(d, today, remind, cal)
		if st == xinyong.DeadlineDueSoon || st == xinyong.DeadlineOverdue {
			due = append(due, xinyong.DeadlineNotice{Kind: d.Kind, ObjectID: d.ObjectID, Step: d.Step, Due: d.Due, Status: st, DepartmentID: d.DepartmentID})
		}
	}
	if len(due) == 0 {
		return 0, 0, nil
	}
	// One transaction per run; a notice written before is skipped (the
	// existence check and the insert run under the ledger lock that the
	// audit event takes, so two servers do not both write it).
	err = s.update(ctx, xinyong.System, func(t *txn) error {
		h, err := t.LockLedger()
		if err != nil {
			return err
		}
		t.head = &h
		have := map[string]bool{}
		reminded, overdue = 0, 0
		for _, n := range due {
			if have[noticeKey(n)] {
				continue
			}
			if seen, err := t.HasDeadlineNotice(n); err != nil {
				return err
			} else if seen {
				continue
			}
			n.At = t.Now()
			if err := t.AddDeadlineNotice(n); err != nil {
				return err
			}
			have[noticeKey(n)] = true
			if n.Status == xinyong.DeadlineOverdue {
				overdue++
			} else {
				reminded++
			}
			detail := fmt.Sprintf("%s %s: %s due %s", n.Kind, n.Step, n.Status, n.Due)
			if err := t.audit("deadline."+xinyong.Action(n.Status), string(n.Kind), n.ObjectID, nil, nil, detail); err != nil {
				return err
			}
		}
		return nil
	})
	return reminded, overdue, err
}

func noticeKey(n xinyong.DeadlineNotice) string {
	return string(n.Kind) + "\x00" + n.ObjectID + "\x00" + n.Step + "\x00" + n.Due.String() + "\x00" + string(n.Status)
}

// DeadlineNotices returns the notices of the actor's department (all for
// admins and auditors), newest first.
func (s *Service) DeadlineNotices(ctx context.Context, actor xinyong.Actor, limit int) ([]xinyong.DeadlineNotice, error) {
	unit, err := complianceScope(actor, "")
	if err != nil {
		return nil, err
	}
	var out []xinyong.DeadlineNotice
	err = s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		out, err = tx.DeadlineNotices(unit, limit)
		return err
	})
	return out, err
}
