package workflow

import "xinyong"

// StoreCorrectionValues makes ResolveObjection store an answer as it was
// stored before corrected values left the objection (their values in
// resolution.corrections, no corrected_fields, in the row and its ledger
// leaf), for the test of migration 0017; the returned function restores it.
func StoreCorrectionValues() func() {
	old := storedResolution
	storedResolution = func(res *xinyong.ObjectionResolution) *xinyong.ObjectionResolution {
		if res == nil {
			return nil
		}
		cp := *res
		cp.Corrected = nil
		return &cp
	}
	return func() { storedResolution = old }
}
