package workflow_test

import (
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/pgtest"
	"xinyong/internal/workflow"
)

// TestFeedbackReasonMasksCitizenIDs: a measures feedback line's reason is
// stored (and a refused line listed on the compliance board): a citizen ID
// number typed into it is masked first, as in the check's matter and
// purpose (DOMAIN.md §3 masking). Found by review
// (TestRevFeedbackReasonCitizenIDClear).
func TestFeedbackReasonMasksCitizenIDs(t *testing.T) {
	for _, st := range []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "" }},
		{"postgres", func(t *testing.T) string { return pgtest.DSN(t) }},
	} {
		t.Run(st.name, func(t *testing.T) {
			f := newFixtureOn(t, st.db(t))
			a := xinyong.Actor{Kind: "account", ID: "ag", Name: "bank", Role: xinyong.RoleAgency, Organisation: "甲银行"}
			const id = "11010519491231002X"
			chk, err := f.svc.Check(f.ctx, a, "91620100MA74QX3K00", "贷款审批", "贷款审批")
			if err != nil {
				t.Fatal(err)
			}
			// A line about a measure not on the answer is refused and
			// stored; the reason names the applicant by ID number.
			f.svc.Feedback(f.ctx, a, chk.CheckID, []workflow.FeedbackLine{{MeasureID: "NOT-ON-THE-LIST", Applied: true, Reason: "申请人 " + id + " 已拒贷"}})
			var fb []xinyong.MeasureFeedback
			if err := f.svc.Store.View(f.ctx, func(tx xinyong.Tx) (err error) { fb, err = tx.MeasureFeedback(chk.CheckID); return err }); err != nil {
				t.Fatal(err)
			}
			if len(fb) == 0 {
				t.Fatal("no feedback line stored")
			}
			for _, l := range fb {
				if strings.Contains(l.Reason, id) || !strings.Contains(l.Reason, xinyong.MaskID(id)) {
					t.Errorf("stored feedback line (refused %v): reason %q, want the ID number masked", l.Refused, l.Reason)
				}
			}
		})
	}
}
