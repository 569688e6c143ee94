package workflow

import (
	"context"

	"xinyong"
)

// StoreListingStepUnchecked writes the next version of a listing as step
// makes it, with its ledger leaf and audit event (action act), by actor,
// without the rules' checks: a listing as code without the bounds stored
// it, for tests.
func (s *Service) StoreListingStepUnchecked(ctx context.Context, actor xinyong.Actor, id string, act xinyong.Action, step func(l xinyong.Listing, today xinyong.Date) xinyong.Listing) (xinyong.Listing, error) {
	var out xinyong.Listing
	err := s.update(ctx, actor, func(t *txn) error {
		l, err := t.Listing(id)
		if err != nil {
			return err
		}
		lt, err := listTypeOf(t, l.ListType)
		if err != nil {
			return err
		}
		out, err = s.applyStep(t, l, stepEnv{t: t, lt: lt, today: xinyong.DateOf(t.Now()), by: actor.Ref()}, act, "", func(e stepEnv, l xinyong.Listing) (xinyong.Listing, error) {
			return step(l, e.today), nil
		})
		return err
	})
	return out, err
}
