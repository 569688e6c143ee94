package workflow_test

import (
	"regexp"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// A refused measures check or shared-records query is audited with the
// purpose as typed, cut to a length. The cut came before the masking, so a
// citizen ID number straddling the cut kept 17 of its 18 characters in
// clear (region, birth date, sequence) and no longer matched the ID
// pattern: the text is masked first, then cut (DOMAIN.md §7).
func TestRefusalAuditMasksBeforeCutting(t *testing.T) {
	f := newFixture(t)
	a := xinyong.Actor{Kind: "account", ID: "ag", Name: "bank", Role: xinyong.RoleAgency, Organisation: "甲银行"}
	const id = "620102199001011234"
	// 61 three-byte characters and "purpose \"": the ID starts before the
	// 200-byte cut of the purpose and ends after it.
	purpose := strings.Repeat("为", 61) + id + "贷款审批"
	if _, err := f.svc.Check(f.ctx, a, "91620100MA74QX3K00", "", purpose); err == nil {
		t.Fatal("a check without a matter was not refused")
	}
	var evs []xinyong.AuditEvent
	if err := f.svc.Store.View(f.ctx, func(tx xinyong.Tx) (err error) {
		evs, err = tx.ListAudit(xinyong.AuditFilter{Action: workflow.ActCheckRefused, Limit: 10})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(evs) == 0 {
		t.Fatal("the refusal was not audited")
	}
	long := regexp.MustCompile(`[0-9]{12,}`)
	for _, e := range evs {
		if m := long.FindString(e.Detail); m != "" {
			t.Errorf("the refusal's audit detail keeps %q of the ID number: %s", m, e.Detail)
		}
	}
}
