package server

import (
	"encoding/json"
	"net/url"
	"testing"
)

// TestPersonReportRevealsNothing: whoever asks for a natural person's
// report without being entitled to it gets the same answer whether or not
// the person is on record, with or without a consent and a purpose
// (DOMAIN.md §7: a refusal must not tell that a person is known).
func TestPersonReportRevealsNothing(t *testing.T) {
	f := newSharing(t)
	e := f.e
	unknown := citizenID(t, "62010219900101000")
	for _, q := range []url.Values{
		nil,
		{"purpose": {"贷款审批"}},
		{"consent": {"0196f3a1-0000-7000-8000-000000000000"}},
		{"consent": {"0196f3a1-0000-7000-8000-000000000000"}, "purpose": {"贷款审批"}},
		{"consent": {"not-a-consent"}, "purpose": {"贷款审批"}},
	} {
		for _, token := range []string{"", f.agency} {
			answer := func(code string) (int, string, string) {
				r := e.do(t, req{Path: "/api/v1/subjects/" + code + "/report.json?" + q.Encode(), Token: token})
				var p Problem
				json.Unmarshal(r.Body, &p)
				return r.Status, p.Code, p.Detail
			}
			ks, kc, kd := answer(f.personID)
			us, uc, ud := answer(unknown)
			if ks == 200 || ks != us || kc != uc || kd != ud {
				t.Errorf("query %v, token %v: known person %d %s %q; unknown %d %s %q", q, token != "", ks, kc, kd, us, uc, ud)
			}
		}
	}
}
