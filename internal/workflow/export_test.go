package workflow

import (
	"context"

	"xinyong"
)

// SetMaxOpening sets how many opened windows one deadlines run tells
// about, for tests; the returned function restores it.
func SetMaxOpening(n int) func() {
	old := maxOpening
	maxOpening = n
	return func() { maxOpening = old }
}

// SetFeedbackPage sets how many refused feedback lines one read of the
// compliance cases takes, for tests; the returned function restores it.
func SetFeedbackPage(n int) func() {
	old := feedbackPage
	feedbackPage = n
	return func() { feedbackPage = old }
}

// AppendQueryUses appends es through appendQueryUse (the rate flag with
// it), all in one transaction (together: as a grouped append writes them)
// or one transaction each, and returns the entries as stored.
func (s *Service) AppendQueryUses(ctx context.Context, es []xinyong.QueryUse, together bool) ([]xinyong.QueryUse, error) {
	each := func(t *txn, es []xinyong.QueryUse) error {
		for _, e := range es {
			if err := s.appendQueryUse(t, e); err != nil {
				return err
			}
		}
		return nil
	}
	if together {
		if err := s.update(ctx, xinyong.System, func(t *txn) error { return each(t, es) }); err != nil {
			return nil, err
		}
	} else {
		for _, e := range es {
			if err := s.update(ctx, xinyong.System, func(t *txn) error { return each(t, []xinyong.QueryUse{e}) }); err != nil {
				return nil, err
			}
		}
	}
	out := make([]xinyong.QueryUse, len(es))
	err := s.view(ctx, func(tx xinyong.Tx) error {
		for i, e := range es {
			var err error
			if out[i], err = tx.QueryUse(e.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}
