package xinyong

import (
	"strings"
	"testing"
	"time"
)

// TestQueryTextsMasked: the free texts of a query and of a consent are
// registered in the query-use log (committed to the ledger, exported, shown
// to the queried subject) and stored with the consent: a citizen ID number
// typed into them is masked first, as everywhere it is shown (DOMAIN.md §3
// masking, §7 the register). A use still matches its consent when it types
// the same text in clear.
func TestQueryTextsMasked(t *testing.T) {
	const id = "620102199001011237"
	const masked = "620102********1237"
	for _, tt := range []struct {
		purpose, basis         string
		wantPurpose, wantBasis string
	}{
		{"核查" + id + "贷款", "《征信业管理条例》第十四条 " + id, "核查" + masked + "贷款", "《征信业管理条例》第十四条 " + masked},
		{" " + id + " ", "依据", masked, "依据"},
		{"贷款审批", "《行政许可法》第三十四条", "贷款审批", "《行政许可法》第三十四条"},
	} {
		p, b, _, err := CheckQueryPurpose(tt.purpose, tt.basis, "")
		if err != nil || p != tt.wantPurpose || b != tt.wantBasis {
			t.Errorf("CheckQueryPurpose(%q, %q) = %q, %q, %v; want %q, %q", tt.purpose, tt.basis, p, b, err, tt.wantPurpose, tt.wantBasis)
		}
	}
	c, err := NewConsent(ConsentInput{Organisation: "个体户 " + id, Items: []string{"XZCF"}, Purpose: "为" + id + "担保", ExpiresAt: consentNow.Add(time.Hour)},
		"S1", "account:a", consentNow, SharingPolicy{}, knownItems)
	if err != nil {
		t.Fatal(err)
	}
	if c.Organisation != "个体户 "+masked || c.Purpose != "为"+masked+"担保" {
		t.Errorf("consent stored with %q, %q", c.Organisation, c.Purpose)
	}
	c.ID = "c1"
	use := ConsentUse{SubjectID: "S1", Organisation: "个体户 " + id, Purpose: "为" + id + "担保", At: consentNow.Add(time.Minute)}
	if err := CheckConsent(c, use); err != nil {
		t.Errorf("the use typed in clear does not match its masked consent: %v", err)
	}
	// A consent stored before masking (texts in clear) still matches a
	// masked use.
	old := c
	old.Organisation, old.Purpose = "个体户 "+id, "为"+id+"担保"
	use.Organisation, use.Purpose = "个体户 "+masked, "为"+masked+"担保"
	if err := CheckConsent(old, use); err != nil {
		t.Errorf("a consent in clear does not match the masked use: %v", err)
	}
	use.Purpose = "为" + masked + "贷款"
	if err := CheckConsent(old, use); !hasRule(err, "consent.purpose") {
		t.Errorf("another purpose: %v", err)
	} else if e := ErrorMessage(err); strings.Contains(e, id) {
		t.Errorf("the refusal names the ID number: %s", e)
	}
}

// TestCheckQueryReviewer: a query-use entry is reviewed by someone other
// than the one who queried (DOMAIN.md §7: queries can be reviewed; a
// self-review is none).
func TestCheckQueryReviewer(t *testing.T) {
	auditorA := Actor{Kind: "token", ID: "a", Role: RoleAuditor}
	auditorB := Actor{Kind: "token", ID: "b", Role: RoleAuditor}
	accountA := Actor{Kind: "account", ID: "a", Role: RoleAuditor}
	q := QueryUse{ID: "q1", Actor: auditorA.Ref()}
	if err := CheckQueryReviewer(q, auditorA); ErrorCode(err) != EFORBIDDEN || !hasRule(err, "query_log.self_review") {
		t.Errorf("self-review: %v", err)
	}
	for _, r := range []Actor{auditorB, accountA} {
		if err := CheckQueryReviewer(q, r); err != nil {
			t.Errorf("%s reviewing %s's query: %v", r.Ref(), q.Actor, err)
		}
	}
}
