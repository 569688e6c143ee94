package xinyong

import "strings"

// Severity class of negative information (失信信息分级, 国办发〔2025〕22号).
type Severity string

const (
	SeverityNone    Severity = ""        // not negative information
	SeverityMinor   Severity = "minor"   // 轻微
	SeverityGeneral Severity = "general" // 一般
	SeveritySerious Severity = "serious" // 严重
)

// ParseSeverity accepts the English or the Chinese name.
func ParseSeverity(s string) (Severity, bool) {
	switch strings.TrimSpace(s) {
	case "minor", "轻微":
		return SeverityMinor, true
	case "general", "一般":
		return SeverityGeneral, true
	case "serious", "严重":
		return SeveritySerious, true
	case "":
		return SeverityNone, true
	}
	return "", false
}

// Rank orders severities: none < minor < general < serious.
func (s Severity) Rank() int {
	switch s {
	case SeverityMinor:
		return 1
	case SeverityGeneral:
		return 2
	case SeveritySerious:
		return 3
	}
	return 0
}

// Chinese returns 轻微, 一般 or 严重.
func (s Severity) Chinese() string {
	switch s {
	case SeverityMinor:
		return "轻微"
	case SeverityGeneral:
		return "一般"
	case SeveritySerious:
		return "严重"
	}
	return ""
}

// MeasureKind is one of the three kinds of the national base list.
type MeasureKind int

const (
	// MeasureReducesRights: by public management bodies, reduces the subject's
	// rights or adds obligations (减损权益或增加义务).
	MeasureReducesRights MeasureKind = 1
	// MeasureManagement: management measures by public management bodies as
	// their duties require (管理措施).
	MeasureManagement MeasureKind = 2
	// MeasureVoluntary: applied by other organisations on their own
	// (自主实施); returned as information only, nobody may be forced.
	MeasureVoluntary MeasureKind = 3
)

// Valid reports whether k is 1, 2 or 3.
func (k MeasureKind) Valid() bool { return k >= 1 && k <= 3 }

// Measure is one punishment measure of the list (失信惩戒措施清单).
type Measure struct {
	Code          string      `json:"code"`
	Kind          MeasureKind `json:"kind"`
	Item          string      `json:"item"`        // 具体事项 / 措施名称
	Target        string      `json:"target"`      // 实施对象 / 适用对象
	Means         string      `json:"means"`       // 实施手段
	Body          string      `json:"body"`        // 实施主体
	LegalBasis    string      `json:"legal_basis"` // 实施依据
	ListTypes     []string    `json:"list_types"`  // serious lists that trigger it
	Severities    []Severity  `json:"severities"`  // record severities that trigger it
	Layer         Layer       `json:"layer"`       // national or provincial supplement
	Edition       string      `json:"edition"`     // e.g. 2021
	Provenance    Provenance  `json:"provenance"`  // confirmed / unconfirmed / local
	Source        string      `json:"source,omitempty"`
	EffectiveFrom Date        `json:"effective_from"`
	EffectiveTo   Date        `json:"effective_to,omitzero"`
	Retired       bool        `json:"retired,omitempty"`
}

// ValidateMeasure checks a measure before it is stored: a measure without a
// legal basis, a kind or a trigger cannot be on the list (过惩相当: only
// listed measures, each with its basis).
func ValidateMeasure(m Measure) error {
	var v Validation
	if strings.TrimSpace(m.Code) == "" {
		v.Add("code", "required", "a measure needs a code")
	}
	if !m.Kind.Valid() {
		v.Add("kind", "enum", "kind must be 1 (reduces rights), 2 (management) or 3 (applied by other organisations)")
	}
	for _, f := range []struct{ name, val string }{{"item", m.Item}, {"target", m.Target}, {"means", m.Means}, {"body", m.Body}} {
		if strings.TrimSpace(f.val) == "" {
			v.Add(f.name, "required", "a measure states its %s", f.name)
		}
	}
	if strings.TrimSpace(m.LegalBasis) == "" {
		v.Add("legal_basis", "measure.legal_basis", "a measure without a legal basis cannot be on the list (过惩相当)")
	}
	if len(m.ListTypes) == 0 && len(m.Severities) == 0 {
		v.Add("list_types", "measure.trigger", "a measure names the list types or severities that trigger it")
	}
	for _, s := range m.Severities {
		if s.Rank() == 0 {
			v.Add("severities", "enum", "severity %q is not minor, general or serious", s)
		}
	}
	if !m.Layer.Valid() {
		v.Add("layer", "enum", "layer must be national, provincial or city")
	}
	if !m.Provenance.Valid() {
		v.Add("provenance", "enum", "provenance must be confirmed, unconfirmed or local")
	}
	if m.Layer.Valid() && m.Layer != LayerNational && m.Provenance != ProvenanceLocal {
		v.Add("provenance", "measure.local", "a supplementary measure is defined locally: its provenance is local")
	}
	return v.Err("the measure is not valid")
}

// ListField is one of the four fields in which a serious-dishonesty list may
// exist (国办发〔2020〕49号, part 2(3)).
type ListField string

const (
	FieldHealthLife      ListField = "health_life"      // 严重危害人民群众身体健康和生命安全
	FieldFairCompetition ListField = "fair_competition" // 严重破坏市场公平竞争秩序和社会正常秩序
	FieldStatutoryDuty   ListField = "statutory_duty"   // 拒不履行法定义务，严重影响司法机关、行政机关公信力
	FieldNationalDefence ListField = "national_defence" // 拒不履行国防义务
)

// Valid reports whether f is one of the four permitted fields.
func (f ListField) Valid() bool {
	switch f {
	case FieldHealthLife, FieldFairCompetition, FieldStatutoryDuty, FieldNationalDefence:
		return true
	}
	return false
}

// ListType is a kind of serious-dishonesty subject list (严重失信主体名单).
type ListType struct {
	Code                 string     `json:"code"`
	Name                 string     `json:"name"`
	Field                ListField  `json:"field"`
	LegalBasis           string     `json:"legal_basis"`
	Authority            string     `json:"authority"` // who identifies
	Criteria             string     `json:"criteria"`
	PeriodMonths         int        `json:"period_months"` // 0 = no fixed period (until removed)
	ExtensionMinMonths   int        `json:"extension_min_months,omitempty"`
	ExtensionMaxMonths   int        `json:"extension_max_months,omitempty"`
	EarlyRemovalMonths   int        `json:"early_removal_months"` // minimum time listed before early removal; 0 = any time
	EarlyRemoval         string     `json:"early_removal"`        // conditions
	Remedies             string     `json:"remedies"`
	Published            bool       `json:"published"`
	ObjectionWorkingDays int        `json:"objection_working_days"`
	MinorsMayBeListed    bool       `json:"minors_may_be_listed"`
	Provenance           Provenance `json:"provenance"`
	Source               string     `json:"source,omitempty"`
	EffectiveFrom        Date       `json:"effective_from"`
}

// Bounds of a list type's numbers. No national text caps them; these are
// local bounds (configuration, not law) set above every period in
// regulation.md §7 so that a typing error cannot store a listing period or
// an objection window that runs for centuries (a deadline past year 9999
// cannot be stored as a date):
//   - listing periods: SPC 2 years + extension 1–3 years = 5 years at most
//     (§7.1); SAMR at most 3 years (§7.2); STA and MOFCOM 3 years (§7.3,
//     §7.4); the 2015 SAIC rules removed after 5 years (§7.2);
//   - extensions: SPC "extended by 1 to 3 years" (§7.1);
//   - objection window: 49号 says only "within a set time" (§7); the
//     default is DefaultObjectionWorkingDays, objections to records are
//     answered within 3 or 7 working days (DOMAIN.md §6); 60 working days
//     (about three months) is far above any practice.
const (
	MaxListPeriodMonths     = 60
	MaxListExtensionMonths  = 36
	MaxObjectionWorkingDays = 60
)

// ValidateListType refuses a list type without a legal basis or outside the
// four permitted fields (国办发〔2020〕49号), with numbers outside the bounds
// above, or one that would list minors (DOMAIN.md §2: under 18 never put on
// a serious list; the reference loader refuses it too).
func ValidateListType(lt ListType) error {
	var v Validation
	if strings.TrimSpace(lt.Code) == "" {
		v.Add("code", "required", "a list type needs a code")
	}
	if strings.TrimSpace(lt.Name) == "" {
		v.Add("name", "required", "a list type needs a name")
	}
	if strings.TrimSpace(lt.LegalBasis) == "" {
		v.Add("legal_basis", "list.legal_basis", "a serious-dishonesty list exists only with a law, regulation or central-policy basis (国办发〔2020〕49号)")
	}
	if !lt.Field.Valid() {
		v.Add("field", "list.field", "a serious-dishonesty list may only be set in the four fields: health_life, fair_competition, statutory_duty, national_defence (国办发〔2020〕49号)")
	}
	if lt.PeriodMonths < 0 || lt.ExtensionMinMonths < 0 || lt.ExtensionMaxMonths < lt.ExtensionMinMonths || lt.EarlyRemovalMonths < 0 {
		v.Add("period_months", "list.period", "periods are whole months, not negative, extension max ≥ min")
	}
	if lt.PeriodMonths > MaxListPeriodMonths {
		v.Add("period_months", "list.period_max", "a listing period is at most %d months (5 years: the longest known period, regulation.md §7; local bound)", MaxListPeriodMonths)
	}
	if lt.ExtensionMaxMonths > MaxListExtensionMonths {
		v.Add("extension_max_months", "list.extension_max", "an extension is at most %d months (SPC 2017: extendable by 1 to 3 years, regulation.md §7.1)", MaxListExtensionMonths)
	}
	if lt.PeriodMonths >= 0 && lt.ExtensionMaxMonths >= 0 && lt.PeriodMonths <= MaxListPeriodMonths && lt.ExtensionMaxMonths <= MaxListExtensionMonths &&
		lt.PeriodMonths+lt.ExtensionMaxMonths > MaxListPeriodMonths {
		v.Add("extension_max_months", "list.period_max", "the period with the longest extension is at most %d months (SPC 2017: 2 years + 3 years, regulation.md §7.1; local bound)", MaxListPeriodMonths)
	}
	if lt.EarlyRemovalMonths > MaxListPeriodMonths || (lt.PeriodMonths > 0 && lt.EarlyRemovalMonths > lt.PeriodMonths) {
		v.Add("early_removal_months", "list.early_removal", "the minimum time before early removal is within the listing period (at most %d months)", MaxListPeriodMonths)
	}
	if lt.ObjectionWorkingDays < 0 || lt.ObjectionWorkingDays > MaxObjectionWorkingDays {
		v.Add("objection_working_days", "list.objection", "the objection window is 1 to %d working days (0: the default of %d; 国办发〔2020〕49号 asks for a set time, the number is a local bound)", MaxObjectionWorkingDays, DefaultObjectionWorkingDays)
	}
	if lt.MinorsMayBeListed {
		v.Add("minors_may_be_listed", "list.minors", "minors are never put on a serious-dishonesty list: a person under 18 is never listed (DOMAIN.md §2, 宽容审慎; SPC 2017 Art. 4)")
	}
	if strings.TrimSpace(lt.Remedies) == "" {
		v.Add("remedies", "required", "a list type states the remedies (行政复议、行政诉讼)")
	}
	if !lt.Provenance.Valid() {
		v.Add("provenance", "enum", "provenance must be confirmed, unconfirmed or local")
	}
	return v.Err("the list type is not valid")
}
