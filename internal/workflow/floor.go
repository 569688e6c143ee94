package workflow

import (
	"context"

	"xinyong"
)

// AppendCheckOnly appends what a measures check writes — its query-use
// entry (appendQueryUse: the flag count, the entry and its leaf), the check
// with its leaf, and with them the batch's signed checkpoint — through the
// same code as Check (appendCheck), and nothing else: no authorisation, no
// reads for the answer, no receipt. It exists for the benchmark's floor
// (internal/bench FloorCeiling), which measures what the irreducible work
// of a check costs; the platform's own paths go through Check. entry and
// chk are built by the caller as Check builds them, chk.Receipt signed.
func (s *Service) AppendCheckOnly(ctx context.Context, actor xinyong.Actor, entry xinyong.QueryUse, chk xinyong.MeasureCheck) error {
	return s.appendCheck(ctx, actor, entry, chk)
}
