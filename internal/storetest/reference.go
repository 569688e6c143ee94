package storetest

import (
	"time"

	"xinyong"
)

func item(code string, version int) xinyong.CatalogueItem {
	return xinyong.CatalogueItem{
		Code: code, Name: "行政处罚信息 " + code, NameEN: "administrative penalty", Category: "C05", Layer: xinyong.LayerNational,
		Kind: "penalty", Negative: true, Providers: []string{"市场监管部门"}, SubjectKinds: []xinyong.SubjectKind{xinyong.KindEnterprise, xinyong.KindPerson},
		Fields: []xinyong.FieldSpec{
			{Code: "CF_WSH", Label: "行政处罚决定书文号", Type: xinyong.FieldText, Required: true, MaxLen: 128},
			{Code: "CF_FK", Label: "罚款金额", Type: xinyong.FieldAmount, Unit: "万元"},
			{Code: "CF_CFLB", Label: "处罚类别", Type: xinyong.FieldEnum, Values: []string{"警告", "罚款"}},
			{Code: "CF_XDR_ZJHM", Label: "证件号码", Type: xinyong.FieldCode, Personal: true},
		},
		SharingScope: xinyong.ShareUnconditional, DisclosureScope: xinyong.DisclosePublic, LegalBasis: "《行政处罚法》第四十八条",
		Edition: "2024", Version: version, Status: xinyong.ItemApproved, EffectiveFrom: xinyong.NewDate(2024, 1, 1),
		Provenance: xinyong.ProvenanceConfirmed, Source: "发改财金规〔2024〕203号",
	}
}

func testCategories(e *env) {
	t := e.t
	c1 := xinyong.Category{Code: "C02", Name: "行政管理信息", NameEN: "administrative", Edition: "2024", Provenance: xinyong.ProvenanceConfirmed, Source: "s"}
	c2 := xinyong.Category{Code: "C01", Name: "登记注册基本信息", Edition: "2024", Provenance: xinyong.ProvenanceUnconfirmed}
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.PutCategory(c1), "PutCategory")
		ok(t, tx.PutCategory(c2), "PutCategory")
	})
	c2.Name, c2.Edition = "登记注册信息", "2025"
	e.update(func(tx xinyong.Tx) { ok(t, tx.PutCategory(c2), "PutCategory again") })
	e.view(func(tx xinyong.Tx) {
		got, err := tx.Categories()
		ok(t, err, "Categories")
		equal(t, "Categories (by code, latest put)", got, []xinyong.Category{c2, c1})
	})
}

func testCatalogueItems(e *env) {
	t := e.t
	now1 := Start.Truncate(time.Microsecond).UTC()
	v1 := item("CF01", 1)
	e.update(func(tx xinyong.Tx) { ok(t, tx.PutCatalogueItem(v1), "PutCatalogueItem v1") })
	e.clk.Advance(time.Hour)
	now2 := now1.Add(time.Hour)
	v2 := item("CF01", 2)
	v2.Status, v2.EffectiveTo, v2.Fields = xinyong.ItemRetired, xinyong.NewDate(2026, 3, 14), v2.Fields[:2]
	other := item("AA01", 1)
	other.Layer, other.Provenance, other.Status = xinyong.LayerProvincial, xinyong.ProvenanceLocal, xinyong.ItemDraft
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.PutCatalogueItem(v2), "PutCatalogueItem v2")
		ok(t, tx.PutCatalogueItem(other), "PutCatalogueItem other")
	})
	v1.UpdatedAt, v2.UpdatedAt, other.UpdatedAt = now1, now2, now2
	e.view(func(tx xinyong.Tx) {
		got, err := tx.CatalogueItem("CF01")
		ok(t, err, "CatalogueItem")
		equal(t, "current item is the latest put", got, v2)
		hist, err := tx.CatalogueItemHistory("CF01")
		ok(t, err, "CatalogueItemHistory")
		equal(t, "history (oldest first)", hist, []xinyong.CatalogueItem{v1, v2})
		all, err := tx.CatalogueItems()
		ok(t, err, "CatalogueItems")
		equal(t, "CatalogueItems (by code)", all, []xinyong.CatalogueItem{other, v2})
		hist, err = tx.CatalogueItemHistory("AA01")
		ok(t, err, "CatalogueItemHistory other")
		equal(t, "history of other", hist, []xinyong.CatalogueItem{other})
	})
	// The same version twice is a conflict in the history.
	err := e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.PutCatalogueItem(v2) })
	wantCode(t, err, xinyong.ECONFLICT, "PutCatalogueItem of an existing version")
}

func testMeasuresAndListTypes(e *env) {
	t := e.t
	m1 := xinyong.Measure{Code: "M02", Kind: xinyong.MeasureReducesRights, Item: "限制参加政府采购", Target: "严重失信主体", Means: "依法限制", Body: "财政部门",
		LegalBasis: "《政府采购法》第二十二条", ListTypes: []string{"L01"}, Severities: []xinyong.Severity{xinyong.SeveritySerious}, Layer: xinyong.LayerNational,
		Edition: "2021", Provenance: xinyong.ProvenanceConfirmed, EffectiveFrom: xinyong.NewDate(2022, 1, 1)}
	m2 := m1
	m2.Code, m2.Kind, m2.Layer, m2.Provenance, m2.EffectiveTo, m2.Retired = "M01", xinyong.MeasureManagement, xinyong.LayerProvincial, xinyong.ProvenanceLocal, xinyong.NewDate(2026, 1, 1), true
	l1 := xinyong.ListType{Code: "L02", Name: "失信被执行人", Field: xinyong.FieldStatutoryDuty, LegalBasis: "b", Authority: "人民法院", Criteria: "c",
		PeriodMonths: 24, EarlyRemovalMonths: 6, EarlyRemoval: "履行", Remedies: "r", Published: true, ObjectionWorkingDays: 5, Provenance: xinyong.ProvenanceConfirmed, EffectiveFrom: xinyong.NewDate(2020, 1, 1)}
	l2 := l1
	l2.Code, l2.Name, l2.Field, l2.MinorsMayBeListed = "L01", "重大税收违法失信主体", xinyong.FieldFairCompetition, true
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.PutMeasure(m1), "PutMeasure")
		ok(t, tx.PutMeasure(m2), "PutMeasure")
		ok(t, tx.PutListType(l1), "PutListType")
		ok(t, tx.PutListType(l2), "PutListType")
	})
	m1.Body, l1.PeriodMonths = "各级财政部门", 36
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.PutMeasure(m1), "PutMeasure again")
		ok(t, tx.PutListType(l1), "PutListType again")
	})
	e.view(func(tx xinyong.Tx) {
		ms, err := tx.Measures()
		ok(t, err, "Measures")
		equal(t, "Measures (by code, latest put)", ms, []xinyong.Measure{m2, m1})
		ls, err := tx.ListTypes()
		ok(t, err, "ListTypes")
		equal(t, "ListTypes (by code, latest put)", ls, []xinyong.ListType{l2, l1})
	})
}

func testRegimes(e *env) {
	t := e.t
	rule := map[xinyong.Severity]xinyong.PeriodRule{
		xinyong.SeverityMinor:   {Publish: false},
		xinyong.SeverityGeneral: {Publish: true, MinMonths: 3, MaxMonths: 12},
		xinyong.SeveritySerious: {Publish: true, MinMonths: 12, MaxMonths: 36},
	}
	r2021 := xinyong.Regime{Code: "A2021", Name: "2021", LegalBasis: "NDRC Order 58", From: xinyong.NewDate(2021, 7, 1), To: xinyong.NewDate(2025, 7, 1), Rules: rule,
		SectorMinMonths: map[string]int{"特种设备": 12}, CategorySeverity: map[string]xinyong.Severity{"吊销许可证件": xinyong.SeveritySerious},
		NotPublishedIfOnly: []string{"警告"}, NotPublishedBasis: "SAMR Order 45", Provenance: xinyong.ProvenanceConfirmed}
	r2025 := xinyong.Regime{Code: "B2025", Name: "2025", LegalBasis: "国办发〔2025〕22号", From: xinyong.NewDate(2025, 7, 1), Rules: rule, Provenance: xinyong.ProvenanceUnconfirmed, Source: "s"}
	r2014 := xinyong.Regime{Code: "Z2014", Name: "2014", LegalBasis: "old", From: xinyong.NewDate(2014, 1, 1), To: xinyong.NewDate(2021, 7, 1), Rules: rule, Provenance: xinyong.ProvenanceLocal}
	e.update(func(tx xinyong.Tx) {
		for _, r := range []xinyong.Regime{r2025, r2014, r2021} {
			ok(t, tx.PutRegime(r), "PutRegime")
		}
	})
	r2025.Name = "2025 (amended)"
	e.update(func(tx xinyong.Tx) { ok(t, tx.PutRegime(r2025), "PutRegime again") })
	e.view(func(tx xinyong.Tx) {
		got, err := tx.Regimes()
		ok(t, err, "Regimes")
		equal(t, "Regimes (by From)", got, xinyong.Regimes{r2014, r2021, r2025})
	})
}

func testOverrides(e *env) {
	t := e.t
	o1 := xinyong.Override{Date: xinyong.NewDate(2026, 10, 8), Kind: xinyong.DayHoliday, Name: "国庆节", Reason: "官方通知"}
	o2 := xinyong.Override{Date: xinyong.NewDate(2026, 9, 27), Kind: xinyong.DayWorkday, Name: "国庆调休", Reason: "官方通知"}
	o3 := xinyong.Override{Date: xinyong.NewDate(2026, 1, 1), Kind: xinyong.DayHoliday, Name: "元旦", Reason: "r"}
	e.update(func(tx xinyong.Tx) {
		for _, o := range []xinyong.Override{o1, o2, o3} {
			ok(t, tx.PutOverride(o), "PutOverride")
		}
	})
	o1.Kind, o1.Name, o1.Reason = xinyong.DayWorkday, "改为上班", "更正"
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.PutOverride(o1), "PutOverride replace")
		ok(t, tx.DeleteOverride(o3.Date), "DeleteOverride")
	})
	e.view(func(tx xinyong.Tx) {
		got, err := tx.Overrides()
		ok(t, err, "Overrides")
		equal(t, "Overrides (by date)", got, []xinyong.Override{o2, o1})
	})
	err := e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.DeleteOverride(o3.Date) })
	wantCode(t, err, xinyong.ENOTFOUND, "DeleteOverride twice")
}
