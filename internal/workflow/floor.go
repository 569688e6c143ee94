package workflow

import (
	"context"

	"xinyong"
)

// FloorCheck is a measures check without reads, for the benchmark's floor
// (internal/bench FloorCeiling), which measures what the irreducible work
// of a check costs: the empty answer, its receipt signed over the empty
// log's checkpoint, and what Check appends — the query-use entry (the rate
// flag, the entry and its leaf) and the check with its leaf, group-committed
// with a signed checkpoint per batch — through Check's own code (newCheck,
// appendCheck). The actor's authorisation as Check's; no validation, no read of the subject,
// its records or listings, the measures list or the ledger head; the
// platform's own paths go through Check. subjectID is the subject the
// caller says ref stands for ("" for none); matter and purpose are taken
// as given.
func (s *Service) FloorCheck(ctx context.Context, actor xinyong.Actor, ref, subjectID, matter, purpose string) (CheckResult, error) {
	// Only an actor who may run a check (an agency) writes a check's
	// entries, as with Check: the query-use log is what a subject reads
	// under "who queried me".
	if err := xinyong.Authorize(actor, xinyong.ActMeasureCheck, xinyong.Resource{}, nil); err != nil {
		return CheckResult{}, err
	}
	if s.Signer == nil {
		return CheckResult{}, xinyong.Errorf(xinyong.EINTERNAL, "the platform has no signing key: receipts cannot be signed")
	}
	now := s.Now()
	answer := []xinyong.ApplicableMeasure{}
	entry, chk, err := s.newCheck(actor, ref, subjectID, matter, purpose, now, xinyong.LedgerHead{}, answer, nil, nil)
	if err != nil {
		return CheckResult{}, err
	}
	if err := s.appendCheck(ctx, actor, entry, chk); err != nil {
		return CheckResult{}, err
	}
	return CheckResult{CheckID: chk.ID, On: xinyong.DateOf(now), Matter: matter, Purpose: purpose, Measures: answer, Receipt: chk.Receipt, QueryID: entry.ID}, nil
}
