package server

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

// TestReportConsentPurposeMasked: a report given under a consent is
// registered with the consent's purpose copied into the query-use entry.
// A consent stored before purposes were masked (a090d1f) may hold a
// citizen ID number in clear: it is masked as it is copied, so that the
// register, its export and the person's "who queried me" never show it
// (DOMAIN.md §3 masking, §7 the register). Found by review.
func TestReportConsentPurposeMasked(t *testing.T) {
	f := newSharing(t)
	e := f.e
	other := citizenID(t, "62010219900101123")
	purpose := "为" + other + "担保贷款"
	now := time.Now().UTC().Truncate(time.Microsecond)
	c := xinyong.Consent{ID: workflow.NewID(), SubjectID: f.personRef, Organisation: "某银行", Items: []string{"XZCF"}, Purpose: purpose,
		GrantedAt: now.Add(-time.Hour), ExpiresAt: now.AddDate(0, 1, 0), GrantedBy: "account:person"}
	if err := e.app.Store.Update(e.ctx, func(tx xinyong.Tx) error { return tx.PutConsent(c) }); err != nil {
		t.Fatal(err)
	}
	r := e.do(t, req{Path: "/api/v1/subjects/" + f.personRef + "/report.json?consent=" + c.ID + "&purpose=" + url.QueryEscape(purpose), Token: f.agency})
	if r.Status != 200 {
		t.Fatalf("report under the consent: %s", r)
	}
	var qs []xinyong.QueryUse
	if err := e.app.Store.View(e.ctx, func(tx xinyong.Tx) (err error) {
		qs, err = tx.QueryUses(xinyong.QueryFilter{SubjectID: f.personRef})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, q := range qs {
		if q.ConsentID != c.ID {
			continue
		}
		n++
		if strings.Contains(q.Purpose, other) || q.Purpose != "为"+xinyong.MaskID(other)+"担保贷款" {
			t.Errorf("the report's query-use entry holds purpose %q, want the ID number masked", q.Purpose)
		}
	}
	if n != 1 {
		t.Errorf("%d entries of the report under the consent, want 1: %+v", n, qs)
	}
}
