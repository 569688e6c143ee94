package xinyong

import "testing"

func validItem() CatalogueItem {
	return CatalogueItem{
		Code: "XZCF", Name: "行政处罚信息", Category: "C05", Layer: LayerNational, Kind: "penalty", Negative: true,
		Providers:       []string{"市场监管局"},
		Fields:          []FieldSpec{{Code: "CF_WSH", Label: "行政处罚决定书文号", Type: FieldText, Required: true}, {Code: "CF_JDRQ", Label: "处罚决定日期", Type: FieldDate}},
		SharingScope:    ShareUnconditional,
		DisclosureScope: DisclosePublic,
		LegalBasis:      "《行政处罚法》第48条; 全国公共信用信息基础目录（2024年版）",
		Edition:         "2024", Version: 1, Status: ItemApproved,
		EffectiveFrom: MustDate("2024-01-01"), Provenance: ProvenanceConfirmed,
	}
}

func TestValidateCatalogueItem(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*CatalogueItem)
		rule   string // "" = valid
		source string
	}{
		{"valid national item", func(*CatalogueItem) {}, "", "DOMAIN.md §1"},
		{"valid provincial item, local", func(it *CatalogueItem) { it.Layer, it.Provenance = LayerProvincial, ProvenanceLocal }, "", "DOMAIN.md §1: 省补充目录"},
		{"missing legal basis", func(it *CatalogueItem) { it.LegalBasis = "" }, "catalogue.legal_basis", "DOMAIN.md §1: each item has a legal basis"},
		{"blank legal basis", func(it *CatalogueItem) { it.LegalBasis = " \t　" }, "catalogue.legal_basis", "DOMAIN.md §1"},
		{"no code", func(it *CatalogueItem) { it.Code = " " }, "required", "DOMAIN.md §1: each item has a code"},
		{"code with a slash", func(it *CatalogueItem) { it.Code = "XZ/CF" }, "catalogue.code_format", "item codes are used in URLs"},
		{"no name", func(it *CatalogueItem) { it.Name = "" }, "required", "DOMAIN.md §1"},
		{"no category", func(it *CatalogueItem) { it.Category = "" }, "required", "DOMAIN.md §1"},
		{"unknown layer", func(it *CatalogueItem) { it.Layer = "county" }, "enum", "DOMAIN.md §1: national / provincial / city"},
		{"unknown sharing scope", func(it *CatalogueItem) { it.SharingScope = "all" }, "enum", "DOMAIN.md §1: sharing scope"},
		{"unknown disclosure scope", func(it *CatalogueItem) { it.DisclosureScope = "everyone" }, "enum", "DOMAIN.md §1: disclosure scope"},
		{"no provenance", func(it *CatalogueItem) { it.Provenance = "" }, "enum", "DOMAIN.md: every row's provenance"},
		{"provincial item claiming to be confirmed", func(it *CatalogueItem) { it.Layer = LayerProvincial }, "catalogue.local", "DOMAIN.md: never present an invented item as official"},
		{"city item claiming to be unconfirmed national data", func(it *CatalogueItem) { it.Layer, it.Provenance = LayerCity, ProvenanceUnconfirmed }, "catalogue.local", "DOMAIN.md §1: city items are local"},
		{"field without a code", func(it *CatalogueItem) { it.Fields = append(it.Fields, FieldSpec{Label: "x"}) }, "required", "fields it may carry"},
		{"duplicate field", func(it *CatalogueItem) { it.Fields = append(it.Fields, FieldSpec{Code: "CF_WSH"}) }, "unique", "fields it may carry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := validItem()
			tt.edit(&it)
			err := ValidateCatalogueItem(it)
			if tt.rule == "" {
				if err != nil {
					t.Fatalf("refused: %v (%s)", err, tt.source)
				}
				return
			}
			if ErrorCode(err) != EINVALID || !hasRule(err, tt.rule) {
				t.Fatalf("err = %v, want rule %s (%s)", err, tt.rule, tt.source)
			}
		})
	}
}

func TestItemTransition(t *testing.T) {
	tests := []struct {
		layer    Layer
		from, to ItemStatus
		ok       bool
		source   string
	}{
		{LayerProvincial, ItemDraft, ItemApproved, false, "DOMAIN.md §1: supplementary items need public consultation before approval"},
		{LayerCity, ItemDraft, ItemApproved, false, "DOMAIN.md §1: supplementary items need public consultation"},
		{LayerProvincial, ItemDraft, ItemConsultation, true, "DOMAIN.md §1: draft → consultation"},
		{LayerProvincial, ItemConsultation, ItemApproved, true, "DOMAIN.md §1: consultation → approved"},
		{LayerProvincial, ItemApproved, ItemRetired, true, "DOMAIN.md §1: approved → retired"},
		{LayerProvincial, ItemRetired, ItemApproved, false, "retired items stay retired"},
		{LayerProvincial, ItemRetired, ItemConsultation, false, "retired items stay retired"},
		{LayerProvincial, ItemRetired, ItemDraft, false, "no way back to draft"},
		{LayerProvincial, ItemApproved, ItemApproved, false, "no self-transition"},
		{LayerProvincial, ItemApproved, ItemConsultation, false, "approved items are not reopened"},
		{LayerProvincial, ItemConsultation, ItemConsultation, false, "no self-transition"},
		{LayerProvincial, ItemDraft, ItemRetired, true, "a draft may be abandoned"},
		{LayerNational, ItemDraft, ItemApproved, true, "national items are loaded as approved from the official edition"},
		{LayerNational, ItemRetired, ItemApproved, false, "retired items stay retired"},
	}
	for _, tt := range tests {
		it := validItem()
		it.Layer, it.Status = tt.layer, tt.from
		err := ItemTransition(it, tt.to)
		if (err == nil) != tt.ok {
			t.Errorf("%s item %s → %s: err = %v, want ok = %v (%s)", tt.layer, tt.from, tt.to, err, tt.ok, tt.source)
			continue
		}
		if err != nil && (ErrorCode(err) != ECONFLICT || !hasRule(err, "catalogue.transition")) {
			t.Errorf("%s → %s: err = %v, want %s catalogue.transition", tt.from, tt.to, err, ECONFLICT)
		}
	}
}

func TestItemInForce(t *testing.T) {
	it := validItem()
	it.EffectiveTo = MustDate("2026-04-01")
	for _, tt := range []struct {
		status ItemStatus
		on     string
		want   bool
	}{
		{ItemApproved, "2023-12-31", false}, {ItemApproved, "2024-01-01", true}, {ItemApproved, "2026-03-31", true},
		{ItemApproved, "2026-04-01", false}, {ItemConsultation, "2025-01-01", false}, {ItemRetired, "2025-01-01", false},
	} {
		it.Status = tt.status
		if got := it.InForce(MustDate(tt.on)); got != tt.want {
			t.Errorf("%s item InForce(%s) = %v, want %v (DOMAIN.md §1: only approved items in force)", tt.status, tt.on, got, tt.want)
		}
	}
	if f, ok := it.Field("处罚决定日期"); !ok || f.Code != "CF_JDRQ" {
		t.Error("Field by label")
	}
	if _, ok := it.Field("CF_NR_FK"); ok {
		t.Error("Field found a field the item does not allow")
	}
}

// TestChangeIsPending: once an item has been approved, a proposal for it is
// a pending change; the version in force governs its records until the
// change is consulted on and approved (DOMAIN.md §1, §3).
func TestChangeIsPending(t *testing.T) {
	for _, tt := range []struct {
		status ItemStatus
		want   bool
	}{{ItemDraft, false}, {ItemConsultation, false}, {ItemApproved, true}, {ItemRetired, true}} {
		it := validItem()
		it.Layer, it.Provenance, it.Status = LayerProvincial, ProvenanceLocal, tt.status
		if got := ChangeIsPending(it); got != tt.want {
			t.Errorf("ChangeIsPending(%s item) = %v, want %v", tt.status, got, tt.want)
		}
	}
}

func TestPendingTransition(t *testing.T) {
	today := MustDate("2026-06-01")
	tests := []struct {
		name    string
		cur     ItemStatus
		pending ItemStatus
		from    string // the change's effective date, "" for none
		to      ItemStatus
		ok      bool
		source  string
	}{
		{"draft to consultation", ItemApproved, ItemDraft, "", ItemConsultation, true, "DOMAIN.md §1: draft → consultation"},
		{"consultation to approved", ItemApproved, ItemConsultation, "", ItemApproved, true, "DOMAIN.md §1: consultation → approved"},
		{"draft straight to approved", ItemApproved, ItemDraft, "", ItemApproved, false, "DOMAIN.md §1: supplementary items need public consultation first"},
		{"draft withdrawn", ItemApproved, ItemDraft, "", ItemWithdrawn, true, "a change may be rejected or withdrawn"},
		{"consultation withdrawn", ItemApproved, ItemConsultation, "", ItemWithdrawn, true, "a change may be rejected after consultation"},
		{"retire the item with a change pending", ItemApproved, ItemDraft, "", ItemRetired, false, "which is meant must be said: withdraw or approve first"},
		{"consultation twice", ItemApproved, ItemConsultation, "", ItemConsultation, false, "no self-transition"},
		{"back to draft", ItemApproved, ItemConsultation, "", ItemDraft, false, "no way back to draft"},
		{"approved with a future date", ItemApproved, ItemConsultation, "2026-07-01", ItemApproved, false, "approval may not take the item in force out of force"},
		{"approved on its date", ItemApproved, ItemConsultation, "2026-06-01", ItemApproved, true, "the change takes effect on approval"},
		{"retired item revived with a future date", ItemRetired, ItemConsultation, "2026-07-01", ItemApproved, true, "a retired item is not in force anyway"},
		{"retired item: change to consultation", ItemRetired, ItemDraft, "", ItemConsultation, true, "DOMAIN.md §1"},
	}
	for _, tt := range tests {
		cur := validItem()
		cur.Layer, cur.Provenance, cur.Status, cur.Version = LayerProvincial, ProvenanceLocal, tt.cur, 1
		p := cur
		p.Status, p.Version, p.SharingScope, p.EffectiveFrom = tt.pending, 2, ShareNone, Date{}
		if tt.from != "" {
			p.EffectiveFrom = MustDate(tt.from)
		}
		err := PendingTransition(cur, p, tt.to, today)
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v, want ok = %v (%s)", tt.name, err, tt.ok, tt.source)
			continue
		}
		if err != nil && (ErrorCode(err) != ECONFLICT || !hasRule(err, "catalogue.transition")) {
			t.Errorf("%s: err = %v, want %s catalogue.transition", tt.name, err, ECONFLICT)
		}
	}
	// Withdrawn is only for a pending change.
	it := validItem()
	it.Layer, it.Provenance, it.Status = LayerProvincial, ProvenanceLocal, ItemApproved
	if err := ItemTransition(it, ItemWithdrawn); ErrorCode(err) != ECONFLICT || !hasRule(err, "catalogue.transition") {
		t.Errorf("an item without a pending change withdrawn: %v", err)
	}
}

func TestApproveAndWithdrawChange(t *testing.T) {
	today := MustDate("2026-06-01")
	cur := validItem()
	cur.Layer, cur.Provenance, cur.Version, cur.SharingScope, cur.DisclosureScope = LayerProvincial, ProvenanceLocal, 3, ShareNone, DiscloseAuthorised
	p := cur
	p.Status, p.Version, p.SharingScope, p.DisclosureScope, p.EffectiveFrom = ItemConsultation, 5, ShareUnconditional, DisclosePublic, Date{}
	p.Pending = &CatalogueItem{Code: "x"}
	next := ApproveChange(cur, p, today)
	if next.Status != ItemApproved || next.Version != 6 || next.SharingScope != ShareUnconditional || next.DisclosureScope != DisclosePublic || next.Pending != nil {
		t.Errorf("approved change = %+v, want the change approved as v6", next)
	}
	if next.EffectiveFrom != cur.EffectiveFrom {
		t.Errorf("approved change of an item in force from %s: from %s, want the item to stay in force without a gap", cur.EffectiveFrom, next.EffectiveFrom)
	}
	retired := cur
	retired.Status = ItemRetired
	if got := ApproveChange(retired, p, today); got.EffectiveFrom != today {
		t.Errorf("a retired item revived: in force from %s, want %s", got.EffectiveFrom, today)
	}
	p.EffectiveFrom = MustDate("2026-05-01")
	if got := ApproveChange(cur, p, today); got.EffectiveFrom != p.EffectiveFrom {
		t.Errorf("the change's own date: %s", got.EffectiveFrom)
	}
	w := WithdrawChange(p)
	if w.Status != ItemWithdrawn || w.Version != 6 || w.Pending != nil || w.SharingScope != p.SharingScope {
		t.Errorf("withdrawn change = %+v", w)
	}
}
