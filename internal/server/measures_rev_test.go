package server

import (
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

// The measures check reads the measures list in force as its transaction
// sees it, although the list is kept decoded in memory: a measure another
// process (a second server over the same store) adds applies from the next
// check, not after some delay.
func TestCheckSeesMeasuresAddedByAnotherProcess(t *testing.T) {
	f := newSharing(t)
	e := f.e
	today := xinyong.DateOf(time.Now())
	err := e.app.Store.Update(e.ctx, func(tx xinyong.Tx) error {
		s, err := tx.SubjectByKey(f.orgCode)
		if err != nil {
			return err
		}
		return tx.InsertListing(xinyong.Listing{ID: "0190a1b2-c3d4-7e5f-8a9b-000000000009", ListType: "SAMR_SERIOUS", SubjectID: s.ID, State: xinyong.ListingListed, Version: 1, ListedOn: today.AddDays(-3)})
	})
	if err != nil {
		t.Fatal(err)
	}
	has := func(code string) bool {
		var a checkAnswer
		r := e.do(t, req{Path: checkPath(f.orgCode, "政府采购资格审查", "采购审查"), Token: f.agency})
		if r.Status != 200 {
			t.Fatalf("check: %s", r)
		}
		r.json(t, &a)
		for _, m := range a.Measures {
			if m.MeasureID == code {
				return true
			}
		}
		return false
	}
	if has("GS-2026-01") {
		t.Fatal("the measure applies before it exists")
	}
	other := &workflow.Service{Store: e.svc.Store, Signer: e.svc.Signer, Verifier: e.svc.Verifier, IDKey: e.svc.IDKey, Holiday: e.svc.Holiday, Log: e.svc.Log}
	if _, err := other.AddMeasure(e.ctx, xinyong.System, xinyong.Measure{Code: "GS-2026-01", Kind: xinyong.MeasureManagement, Item: "列为重点监管对象", Target: "严重失信主体",
		Means: "增加检查频次", Body: "省市场监管局", LegalBasis: "《甘肃省社会信用条例》第三十条", ListTypes: []string{"SAMR_SERIOUS"}}); err != nil {
		t.Fatal(err)
	}
	if !has("GS-2026-01") {
		t.Error("a measure added by another process does not apply at the next check")
	}
}
