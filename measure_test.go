package xinyong

import "testing"

func validMeasure() Measure {
	return Measure{
		Code: "M-1-01", Kind: MeasureReducesRights, Item: "限制参与政府采购", Target: "严重失信主体",
		Means: "依法限制", Body: "财政部门", LegalBasis: "《政府采购法》第22条",
		ListTypes: []string{"sfzx"}, Layer: LayerNational, Edition: "2021", Provenance: ProvenanceConfirmed,
	}
}

func TestValidateMeasure(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*Measure)
		rule   string
		source string
	}{
		{"valid", func(*Measure) {}, "", "DOMAIN.md §5"},
		{"triggered by severity only", func(m *Measure) { m.ListTypes, m.Severities = nil, []Severity{SeveritySerious} }, "", "DOMAIN.md §5: list types or severity"},
		{"no legal basis", func(m *Measure) { m.LegalBasis = "" }, "measure.legal_basis", "DOMAIN.md §5: each measure has a legal basis (过惩相当)"},
		{"blank legal basis", func(m *Measure) { m.LegalBasis = "  " }, "measure.legal_basis", "DOMAIN.md §5"},
		{"kind 4", func(m *Measure) { m.Kind = 4 }, "enum", "全国失信惩戒措施基础清单: three kinds"},
		{"kind 0", func(m *Measure) { m.Kind = 0 }, "enum", "全国失信惩戒措施基础清单: three kinds"},
		{"no item", func(m *Measure) { m.Item = "" }, "required", "DOMAIN.md §5: item (具体事项)"},
		{"no target", func(m *Measure) { m.Target = "" }, "required", "DOMAIN.md §5: target (实施对象)"},
		{"no means", func(m *Measure) { m.Means = "" }, "required", "DOMAIN.md §5: means (实施手段)"},
		{"no body", func(m *Measure) { m.Body = "" }, "required", "DOMAIN.md §5: implementing body (实施主体)"},
		{"no trigger", func(m *Measure) { m.ListTypes = nil }, "measure.trigger", "DOMAIN.md §5: the list types or severity it applies to"},
		{"unknown severity", func(m *Measure) { m.Severities = []Severity{"grave"} }, "enum", "轻微/一般/严重"},
		{"provincial measure marked confirmed", func(m *Measure) { m.Layer = LayerProvincial }, "measure.local", "DOMAIN.md: never present an invented measure as official"},
		{"no provenance", func(m *Measure) { m.Provenance = "" }, "enum", "DOMAIN.md: every row's provenance"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := validMeasure()
			tt.edit(&m)
			err := ValidateMeasure(m)
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

func validListType() ListType {
	return ListType{
		Code: "sfzx", Name: "失信被执行人", Field: FieldStatutoryDuty,
		LegalBasis: "最高人民法院关于公布失信被执行人名单信息的若干规定", Authority: "人民法院",
		PeriodMonths: 24, ExtensionMinMonths: 12, ExtensionMaxMonths: 36,
		Remedies: "纠正申请、复议", Published: true, Provenance: ProvenanceConfirmed,
	}
}

func TestValidateListType(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*ListType)
		rule   string
		source string
	}{
		{"valid", func(*ListType) {}, "", "regulation.md §7.1: 2 years, extendable 1-3"},
		{"each of the four fields", nil, "", "国办发〔2020〕49号 part 2(3)"},
		{"no legal basis", func(l *ListType) { l.LegalBasis = "" }, "list.legal_basis", "国办发〔2020〕49号: only with a law, regulation or central-policy basis"},
		{"blank legal basis", func(l *ListType) { l.LegalBasis = "\t" }, "list.legal_basis", "国办发〔2020〕49号"},
		{"field outside the four", func(l *ListType) { l.Field = "environment" }, "list.field", "国办发〔2020〕49号: four fields only"},
		{"no field", func(l *ListType) { l.Field = "" }, "list.field", "国办发〔2020〕49号: four fields only"},
		{"negative period", func(l *ListType) { l.PeriodMonths = -1 }, "list.period", "periods are whole months"},
		{"extension max below min", func(l *ListType) { l.ExtensionMinMonths, l.ExtensionMaxMonths = 36, 12 }, "list.period", "extension 1-3 years"},
		{"no remedies", func(l *ListType) { l.Remedies = "" }, "required", "DOMAIN.md §4: each list type carries its remedies"},
		{"no code", func(l *ListType) { l.Code = "" }, "required", "DOMAIN.md §4"},
		{"no name", func(l *ListType) { l.Name = "" }, "required", "DOMAIN.md §4"},
		{"bad provenance", func(l *ListType) { l.Provenance = "official" }, "enum", "DOMAIN.md: provenance"},
		// DOMAIN.md §2 (宽容审慎): under 18 never put on a serious list; SPC
		// 2017 Art. 4 (regulation.md §7.1); the reference loader refuses it too.
		{"minors may be listed", func(l *ListType) { l.MinorsMayBeListed = true }, "list.minors", "DOMAIN.md §2: minors under 18 never listed"},
		// Bounds (local, measure.go MaxListPeriodMonths etc.; regulation.md §7).
		{"period of 5 years, no extension", func(l *ListType) { l.PeriodMonths, l.ExtensionMinMonths, l.ExtensionMaxMonths = 60, 0, 0 }, "", "regulation.md §7: 5 years the longest known period"},
		{"period of 61 months", func(l *ListType) { l.PeriodMonths, l.ExtensionMinMonths, l.ExtensionMaxMonths = 61, 0, 0 }, "list.period_max", "local bound: 60 months"},
		{"period of 100 years", func(l *ListType) { l.PeriodMonths = 1200 }, "list.period_max", "local bound: 60 months"},
		{"extension up to 3 years", func(l *ListType) { l.PeriodMonths, l.ExtensionMaxMonths = 24, 36 }, "", "regulation.md §7.1: 2 years, extendable 1-3 years"},
		{"extension of 37 months", func(l *ListType) { l.PeriodMonths, l.ExtensionMaxMonths = 12, 37 }, "list.extension_max", "regulation.md §7.1: extendable by 1 to 3 years"},
		{"period and extension above 5 years", func(l *ListType) { l.PeriodMonths, l.ExtensionMaxMonths = 36, 36 }, "list.period_max", "regulation.md §7.1: 2 + 3 years at most; local bound"},
		{"early removal after 1 year of 3", func(l *ListType) {
			l.PeriodMonths, l.ExtensionMinMonths, l.ExtensionMaxMonths, l.EarlyRemovalMonths = 36, 0, 0, 12
		}, "", "regulation.md §7.2: SAMR Order 44"},
		{"early removal, no fixed period", func(l *ListType) {
			l.PeriodMonths, l.ExtensionMinMonths, l.ExtensionMaxMonths, l.EarlyRemovalMonths = 0, 0, 0, 24
		}, "", "regulation.md §7.4: social organisations after 2 years"},
		{"early removal after the period", func(l *ListType) { l.PeriodMonths, l.EarlyRemovalMonths = 24, 25 }, "list.early_removal", "early removal comes within the period"},
		{"early removal after 61 months", func(l *ListType) {
			l.PeriodMonths, l.ExtensionMinMonths, l.ExtensionMaxMonths, l.EarlyRemovalMonths = 0, 0, 0, 61
		}, "list.early_removal", "local bound: 60 months"},
		{"objection window default (0)", func(l *ListType) { l.ObjectionWorkingDays = 0 }, "", "0: DefaultObjectionWorkingDays"},
		{"objection window of 60 working days", func(l *ListType) { l.ObjectionWorkingDays = 60 }, "", "local bound: 60 working days"},
		{"objection window of 61 working days", func(l *ListType) { l.ObjectionWorkingDays = 61 }, "list.objection", "49号 \"within a set time\"; local bound 60"},
		{"objection window of 2,200,000 working days", func(l *ListType) { l.ObjectionWorkingDays = 2_200_000 }, "list.objection", "a deadline past year 9999 cannot be stored"},
		{"negative objection window", func(l *ListType) { l.ObjectionWorkingDays = -1 }, "list.objection", "a window is not negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.edit == nil {
				for _, f := range []ListField{FieldHealthLife, FieldFairCompetition, FieldStatutoryDuty, FieldNationalDefence} {
					l := validListType()
					l.Field = f
					if err := ValidateListType(l); err != nil {
						t.Errorf("field %s refused: %v (%s)", f, err, tt.source)
					}
				}
				return
			}
			l := validListType()
			tt.edit(&l)
			err := ValidateListType(l)
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

func TestSeverity(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Severity
		ok   bool
	}{
		{"轻微", SeverityMinor, true}, {"一般", SeverityGeneral, true}, {" 严重 ", SeveritySerious, true},
		{"serious", SeveritySerious, true}, {"", SeverityNone, true}, {"grave", "", false},
	} {
		got, ok := ParseSeverity(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseSeverity(%q) = %q, %v (国办发〔2025〕22号: 轻微/一般/严重)", tt.in, got, ok)
		}
	}
	if !(SeverityNone.Rank() < SeverityMinor.Rank() && SeverityMinor.Rank() < SeverityGeneral.Rank() && SeverityGeneral.Rank() < SeveritySerious.Rank()) {
		t.Error("Rank order")
	}
}
