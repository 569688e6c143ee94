package server

import (
	"testing"

	"xinyong"
)

// TestListTypeAPIRefusesMinorsAndBounds: POST /api/v1/list-types refuses a
// list type that would list minors (DOMAIN.md §2: a person under 18 is
// never put on a serious-dishonesty list; the reference loader refuses it
// too), and numbers beyond the bounds of xinyong.ValidateListType
// (objection window, period, extension); each with a field error, and
// nothing is stored.
func TestListTypeAPIRefusesMinorsAndBounds(t *testing.T) {
	f := newListingFixture(t)
	e := f.e
	valid := xinyong.ListType{Code: "GS_MINOR", Name: "测试名单", Field: xinyong.FieldHealthLife, LegalBasis: "《食品安全法》", PeriodMonths: 36,
		Remedies: "行政复议、行政诉讼", ObjectionWorkingDays: 5, Provenance: xinyong.ProvenanceLocal}
	for _, c := range []struct {
		name, field, rule string
		edit              func(*xinyong.ListType)
	}{
		{"minors may be listed", "minors_may_be_listed", "list.minors", func(lt *xinyong.ListType) { lt.MinorsMayBeListed = true }},
		{"objection window of 2,200,000 working days", "objection_working_days", "list.objection", func(lt *xinyong.ListType) { lt.ObjectionWorkingDays = 2_200_000 }},
		{"period of 100 years", "period_months", "list.period_max", func(lt *xinyong.ListType) { lt.PeriodMonths = 1200 }},
		{"extension of 10 years", "extension_max_months", "list.extension_max", func(lt *xinyong.ListType) { lt.ExtensionMinMonths, lt.ExtensionMaxMonths = 12, 120 }},
	} {
		lt := valid
		c.edit(&lt)
		p := e.do(t, req{Method: "POST", Path: "/api/v1/list-types", Token: e.admin, Body: lt}).problem(t, 400, xinyong.EINVALID)
		if !p.hasField(c.field, c.rule) {
			t.Errorf("%s: refusal %+v, want %s on %s", c.name, p, c.rule, c.field)
		}
	}
	// An existing list type cannot be changed to list minors either.
	samr := xinyong.ListType{}
	var got struct {
		ListTypes []xinyong.ListType `json:"list_types"`
	}
	e.do(t, req{Path: "/api/v1/list-types"}).json(t, &got)
	for _, lt := range got.ListTypes {
		if lt.Code == "GS_MINOR" {
			t.Fatalf("a refused list type was stored: %+v", lt)
		}
		if lt.Code == "SAMR_SERIOUS" {
			samr = lt
		}
	}
	if samr.Code == "" {
		t.Fatal("no SAMR_SERIOUS list type in the reference data")
	}
	samr.MinorsMayBeListed = true
	p := e.do(t, req{Method: "POST", Path: "/api/v1/list-types", Token: e.admin, Body: samr}).problem(t, 400, xinyong.EINVALID)
	if !p.hasField("minors_may_be_listed", "list.minors") {
		t.Errorf("SAMR_SERIOUS changed to list minors: %+v", p)
	}
	e.do(t, req{Path: "/api/v1/list-types"}).json(t, &got)
	for _, lt := range got.ListTypes {
		if lt.Code == "SAMR_SERIOUS" && lt.MinorsMayBeListed {
			t.Error("SAMR_SERIOUS now lists minors")
		}
	}
	// The valid one is added.
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/list-types", Token: e.admin, Body: valid}); r.Status != 201 {
		t.Fatalf("add list type: %s", r)
	}
}
