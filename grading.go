package xinyong

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Credit grading for classified supervision (信用分级分类监管, DOMAIN.md §8;
// issue 8). Departments grade subjects (by default A/B/C/D) from their
// records and supervise differently by grade; every grade must be
// explainable from the records that produced it. GB/T 45255-2025
// 《公共信用综合评价规范》 is the national evaluation standard: it fixes the
// content, the grade notation, the cycle and the use of results, but its
// grade set and indicators were not read (shared/reference/regulation.md §8),
// so a grading model here is DATA — grade bands, indicators tied to
// catalogue items, points, caps and rules, a cycle, a legal basis and a
// provenance — and the default model ships as unconfirmed reference data.
//
// The rules of this file:
//
//   - Nobody is graded on information outside the catalogue: a model whose
//     indicator names an item that is not an approved catalogue item is
//     refused (ValidateGradingModel), and Evaluate reads only records of
//     the items its indicators name (目录制管理, DOMAIN.md §1).
//   - Withdrawn records (decision revoked, changed or voided, or deleted on
//     an objection) and repaired records (any repair outcome: publication
//     ended, shielded, deleted; DOMAIN.md §6 "evaluations updated") stop
//     counting at once.
//   - Force majeure and no subjective fault (宽容审慎, DOMAIN.md §2) never
//     count against a subject, whatever the model says; a model may also
//     leave out first minor violations (首违轻微, as the tax credit rules do
//     since 2021) and conduct as a minor.
//   - Evaluate is pure: the same model, records, listings and date give the
//     same grade and the same explanation (each indicator, the records and
//     listings behind it, the points they gave, the rule that capped the
//     grade, and the records left out with the reason).

// Grade-related limits.
const (
	MaxGradingIndicators = 64
	MaxGradeBands        = 10
	maxWindowMonths      = 240
)

// GradeBand is one grade of a model's grade set, best first: a score at or
// above MinScore gets the grade (the last band takes every lower score).
type GradeBand struct {
	Grade    string  `json:"grade"`     // e.g. "A"
	Name     string  `json:"name"`      // e.g. 信用好 / 低风险
	MinScore float64 `json:"min_score"` // ignored for the last band
	// Supervision is how departments treat subjects of this grade (e.g.
	// 降低抽查比例和频次), shown beside the grade.
	Supervision string `json:"supervision,omitempty"`
}

// DefaultGradeBands is the default grade set A/B/C/D (SAMR enterprise
// credit-risk classes A low … D high risk; the thresholds are a platform
// default on a 100-point scale).
var DefaultGradeBands = []GradeBand{
	{Grade: "A", Name: "信用好（低风险）", MinScore: 90, Supervision: "合理降低抽查比例和频次"},
	{Grade: "B", Name: "信用较好（一般风险）", MinScore: 75, Supervision: "按常规比例和频次抽查"},
	{Grade: "C", Name: "信用一般（较高风险）", MinScore: 60, Supervision: "适当提高抽查比例和频次"},
	{Grade: "D", Name: "信用较差（高风险）", Supervision: "重点监管，提高抽查比例和频次"},
}

// IndicatorKind says what an indicator counts.
type IndicatorKind string

const (
	// IndicatorRecords counts the subject's records of the indicator's
	// catalogue items (optionally by severity, window and a field's value).
	IndicatorRecords IndicatorKind = "records"
	// IndicatorListed counts the subject's serious-dishonesty list entries
	// in force on the evaluation date; its items are the catalogue's
	// serious-list items (category serious_list).
	IndicatorListed IndicatorKind = "listed"
)

// Indicator is one thing a model looks at, tied to catalogue items.
type Indicator struct {
	Code  string        `json:"code"`
	Name  string        `json:"name"`
	Kind  IndicatorKind `json:"kind"`
	Items []string      `json:"items"` // catalogue item codes
	// ListTypes: a listed indicator counts only these list types (empty: any).
	ListTypes []string `json:"list_types,omitempty"`
	// WindowMonths: only records decided in the last N months before the
	// evaluation date count (0: every record in force).
	WindowMonths int `json:"window_months,omitempty"`
	// Severities: only records of these classes count (empty: all).
	Severities []Severity `json:"severities,omitempty"`
	// Field and Values: only records whose field holds one of the values
	// count (e.g. CN_LXZT 已履行 for fulfilled commitments).
	Field  string   `json:"field,omitempty"`
	Values []string `json:"values,omitempty"`
	// Points per record or listing (negative for dishonesty);
	// SeverityPoints overrides it by the record's class.
	Points         float64              `json:"points"`
	SeverityPoints map[Severity]float64 `json:"severity_points,omitempty"`
	// Cap bounds the indicator's total points in absolute value (0: none).
	Cap   float64 `json:"cap,omitempty"`
	Basis string  `json:"basis,omitempty"`
}

// GradeRule caps the grade whatever the score: a subject with at least
// AtLeast counted records (or listings) of the indicator gets at best Grade
// (e.g. any serious-list entry in force → D).
type GradeRule struct {
	Indicator string `json:"indicator"`
	AtLeast   int    `json:"at_least,omitempty"` // 0 means 1
	Grade     string `json:"grade"`
	Reason    string `json:"reason"`
}

// Grading cycles.
var GradingCycles = []string{"monthly", "quarterly", "half_yearly", "annual"}

// Lenient flags a model may choose to leave out besides the two that are
// always left out (force majeure, no fault).
const (
	LenientForceMajeure = "force_majeure"
	LenientNoFault      = "no_fault"
	LenientFirstMinor   = "first_minor"
	LenientMinor        = "minor"
)

// GradingModel is a grading model: data, versioned, with effective dates.
// A new version of the same id replaces the old one from its effective
// date; grades name the version that produced them.
type GradingModel struct {
	ID          string `json:"id"`
	Version     int    `json:"version"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Sector the model is for ("" for all sectors: the credit office's
	// comprehensive evaluation).
	Sector string `json:"sector,omitempty"`
	// DepartmentID is the department that owns the model and decides
	// reviews of its grades ("" for the credit office).
	DepartmentID  string      `json:"department_id,omitempty"`
	EffectiveFrom Date        `json:"effective_from"`
	EffectiveTo   Date        `json:"effective_to,omitzero"`
	Cycle         string      `json:"cycle"`
	BaseScore     float64     `json:"base_score"`
	Grades        []GradeBand `json:"grades"`
	Indicators    []Indicator `json:"indicators"`
	Rules         []GradeRule `json:"rules,omitempty"`
	// Lenient lists the leniency flags whose records are left out:
	// force_majeure and no_fault always, first_minor and minor at the
	// model's choice.
	Lenient []string `json:"lenient,omitempty"`
	// Default: the model used when none is named.
	Default    bool       `json:"default,omitempty"`
	LegalBasis string     `json:"legal_basis"`
	Provenance Provenance `json:"provenance"`
	Source     string     `json:"source,omitempty"`
	CreatedAt  time.Time  `json:"created_at,omitzero"`
	CreatedBy  string     `json:"created_by,omitempty"`
}

// InForce reports whether the model applies on d.
func (m GradingModel) InForce(d Date) bool {
	if !m.EffectiveFrom.IsZero() && d.Before(m.EffectiveFrom) {
		return false
	}
	return m.EffectiveTo.IsZero() || d.Before(m.EffectiveTo)
}

// Band returns the band of a grade.
func (m GradingModel) Band(grade string) (GradeBand, bool) {
	for _, b := range m.Grades {
		if b.Grade == grade {
			return b, true
		}
	}
	return GradeBand{}, false
}

// Items returns the catalogue items the model's indicators read, sorted.
func (m GradingModel) Items() []string {
	var out []string
	for _, in := range m.Indicators {
		for _, it := range in.Items {
			if !slices.Contains(out, it) {
				out = append(out, it)
			}
		}
	}
	slices.Sort(out)
	return out
}

// FieldItems returns the items read by indicators with a field condition
// (their records' fields are needed to evaluate).
func (m GradingModel) FieldItems() []string {
	var out []string
	for _, in := range m.Indicators {
		if in.Field == "" {
			continue
		}
		for _, it := range in.Items {
			if !slices.Contains(out, it) {
				out = append(out, it)
			}
		}
	}
	return out
}

// rank returns the index of a grade in the set (0 best), -1 if unknown.
func (m GradingModel) rank(grade string) int {
	for i, b := range m.Grades {
		if b.Grade == grade {
			return i
		}
	}
	return -1
}

var modelIDChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."

// NormalizeGradingModel fills the defaults: the A/B/C/D grade set, base
// score 100, the annual cycle, and the always-lenient flags.
func NormalizeGradingModel(m GradingModel) GradingModel {
	m.ID, m.Name = strings.TrimSpace(m.ID), strings.TrimSpace(m.Name)
	if len(m.Grades) == 0 {
		m.Grades = slices.Clone(DefaultGradeBands)
	}
	if m.BaseScore == 0 {
		m.BaseScore = 100
	}
	if m.Cycle == "" {
		m.Cycle = "annual"
	}
	for _, f := range []string{LenientForceMajeure, LenientNoFault} {
		if !slices.Contains(m.Lenient, f) {
			m.Lenient = append(m.Lenient, f)
		}
	}
	for i := range m.Rules {
		if m.Rules[i].AtLeast <= 0 {
			m.Rules[i].AtLeast = 1
		}
	}
	return m
}

// ValidateGradingModel checks a (normalised) model against the catalogue
// (items by code): every indicator reads approved catalogue items only —
// a model that names an item outside the catalogue is refused, since
// nobody is graded on information outside it (DOMAIN.md §1, §8).
func ValidateGradingModel(m GradingModel, catalogue map[string]CatalogueItem) error {
	var v Validation
	switch {
	case m.ID == "":
		v.Add("id", "required", "a grading model needs an id")
	case len(m.ID) > 64 || strings.Trim(m.ID, modelIDChars) != "":
		v.Add("id", "grading.id", "a model id is at most 64 letters, digits, - _ or .")
	}
	if m.Name == "" {
		v.Add("name", "required", "a grading model needs a name")
	}
	if strings.TrimSpace(m.LegalBasis) == "" {
		v.Add("legal_basis", "grading.legal_basis", "a grading model states its legal basis (e.g. GB/T 45255-2025 and the department's classified-supervision rules)")
	}
	if !m.Provenance.Valid() {
		v.Add("provenance", "enum", "provenance must be confirmed, unconfirmed or local")
	}
	if m.EffectiveFrom.IsZero() {
		v.Add("effective_from", "required", "a grading model has an effective date")
	}
	if !m.EffectiveTo.IsZero() && !m.EffectiveTo.After(m.EffectiveFrom) {
		v.Add("effective_to", "grading.dates", "effective_to %s must be after effective_from %s", m.EffectiveTo, m.EffectiveFrom)
	}
	if !slices.Contains(GradingCycles, m.Cycle) {
		v.Add("cycle", "grading.cycle", "cycle is one of %s", strings.Join(GradingCycles, ", "))
	}
	if math.IsNaN(m.BaseScore) || math.IsInf(m.BaseScore, 0) {
		v.Add("base_score", "grading.number", "base_score is a finite number")
	}
	// Grade set: 2 to 10 distinct grades, best first, thresholds falling.
	if len(m.Grades) < 2 || len(m.Grades) > MaxGradeBands {
		v.Add("grades", "grading.grades", "a grade set has 2 to %d grades", MaxGradeBands)
	}
	seen := map[string]bool{}
	for i, b := range m.Grades {
		g := strings.TrimSpace(b.Grade)
		switch {
		case g == "" || len(g) > 16:
			v.Add("grades", "grading.grades", "grade %d needs a notation of at most 16 bytes (e.g. A)", i+1)
		case seen[g]:
			v.Add("grades", "grading.grades", "grade %s appears twice", g)
		}
		seen[g] = true
		if i > 0 && i < len(m.Grades)-1 && !(b.MinScore < m.Grades[i-1].MinScore) {
			v.Add("grades", "grading.thresholds", "grades are listed best first: the threshold of %s (%g) must be below that of %s (%g)", g, b.MinScore, m.Grades[i-1].Grade, m.Grades[i-1].MinScore)
		}
	}
	// Indicators.
	if len(m.Indicators) == 0 || len(m.Indicators) > MaxGradingIndicators {
		v.Add("indicators", "grading.indicators", "a model has 1 to %d indicators", MaxGradingIndicators)
	}
	codes := map[string]bool{}
	for i, in := range m.Indicators {
		f := "indicators[" + strconv.Itoa(i) + "]"
		switch {
		case strings.TrimSpace(in.Code) == "":
			v.Add(f+".code", "required", "indicator %d needs a code", i+1)
		case codes[in.Code]:
			v.Add(f+".code", "unique", "indicator %s appears twice", in.Code)
		}
		codes[in.Code] = true
		if strings.TrimSpace(in.Name) == "" {
			v.Add(f+".name", "required", "indicator %s needs a name", in.Code)
		}
		if in.Kind != IndicatorRecords && in.Kind != IndicatorListed {
			v.Add(f+".kind", "enum", "indicator kind is records or listed")
		}
		if len(in.Items) == 0 {
			v.Add(f+".items", "grading.catalogue", "indicator %s names no catalogue item: every indicator traces back to catalogue items", in.Code)
		}
		for _, code := range in.Items {
			it, ok := catalogue[code]
			switch {
			case !ok:
				v.Add(f+".items", "grading.catalogue", "indicator %s reads %s, which is not a catalogue item: nobody is graded on information outside the catalogue", in.Code, code)
				continue
			case it.Status != ItemApproved:
				v.Add(f+".items", "grading.catalogue", "indicator %s reads %s (%s), which is %s, not approved", in.Code, code, it.Name, it.Status)
			}
			if in.Kind == IndicatorListed && it.Category != "serious_list" {
				v.Add(f+".items", "grading.listed", "a listed indicator reads serious-list items (category serious_list); %s is in %s", code, it.Category)
			}
			if len(in.Severities) > 0 && !it.Negative {
				v.Add(f+".severities", "grading.severity", "%s (%s) is not negative information and has no severity", code, it.Name)
			}
			if in.Field != "" {
				if _, ok := it.Field(in.Field); !ok {
					v.Add(f+".field", "grading.field", "catalogue item %s has no field %s", code, in.Field)
				}
			}
		}
		if in.Field != "" && len(in.Values) == 0 {
			v.Add(f+".values", "grading.field", "a field condition names the values that count")
		}
		if in.Field == "" && len(in.Values) > 0 {
			v.Add(f+".field", "grading.field", "values go with a field")
		}
		if in.Kind == IndicatorListed && (in.Field != "" || len(in.Severities) > 0 || in.WindowMonths != 0) {
			v.Add(f+".kind", "grading.listed", "a listed indicator counts list entries in force: no field, severity or window")
		}
		for _, s := range in.Severities {
			if s != SeverityMinor && s != SeverityGeneral && s != SeveritySerious {
				v.Add(f+".severities", "enum", "severities are minor, general or serious")
			}
		}
		for s, p := range in.SeverityPoints {
			if s != SeverityMinor && s != SeverityGeneral && s != SeveritySerious {
				v.Add(f+".severity_points", "enum", "severity_points are keyed by minor, general or serious")
			}
			if math.IsNaN(p) || math.IsInf(p, 0) {
				v.Add(f+".severity_points", "grading.number", "points are finite numbers")
			}
		}
		if in.WindowMonths < 0 || in.WindowMonths > maxWindowMonths {
			v.Add(f+".window_months", "grading.window", "window_months is 0 (all records in force) to %d", maxWindowMonths)
		}
		if math.IsNaN(in.Points) || math.IsInf(in.Points, 0) || in.Cap < 0 || math.IsNaN(in.Cap) {
			v.Add(f+".points", "grading.number", "points are finite numbers and cap is not negative")
		}
		if in.Points == 0 && len(in.SeverityPoints) == 0 && !ruleNames(m.Rules, in.Code) {
			v.Add(f+".points", "grading.points", "indicator %s gives no points and no rule reads it", in.Code)
		}
	}
	for i, r := range m.Rules {
		f := "rules[" + strconv.Itoa(i) + "]"
		if !codes[r.Indicator] {
			v.Add(f+".indicator", "grading.rule", "rule %d names indicator %q, which the model does not have", i+1, r.Indicator)
		}
		if !seen[r.Grade] {
			v.Add(f+".grade", "grading.rule", "rule %d caps at grade %q, which is not in the grade set", i+1, r.Grade)
		}
		if strings.TrimSpace(r.Reason) == "" {
			v.Add(f+".reason", "required", "rule %d states its reason", i+1)
		}
	}
	for _, l := range m.Lenient {
		if l != LenientForceMajeure && l != LenientNoFault && l != LenientFirstMinor && l != LenientMinor {
			v.Add("lenient", "enum", "lenient flags are force_majeure, no_fault, first_minor and minor")
		}
	}
	for _, l := range []string{LenientForceMajeure, LenientNoFault} {
		if !slices.Contains(m.Lenient, l) {
			v.Add("lenient", "grading.lenient", "force majeure and no subjective fault never count against a subject (宽容审慎): %s cannot be left out", l)
		}
	}
	return v.Err("the grading model is not valid")
}

func ruleNames(rs []GradeRule, code string) bool {
	for _, r := range rs {
		if r.Indicator == code {
			return true
		}
	}
	return false
}

// NextGradingModelVersion checks a new version against the stored current
// one: same id, a version one higher, and an effective date not before the
// current version's.
func NextGradingModelVersion(cur, next GradingModel) (GradingModel, error) {
	next.Version = cur.Version + 1
	if next.EffectiveFrom.Before(cur.EffectiveFrom) {
		return next, Invalid("the grading model is not valid", FieldError{Field: "effective_from", Rule: "grading.version",
			Message: "a new version takes effect on or after the current version's effective date " + cur.EffectiveFrom.String()})
	}
	return next, nil
}

// GradingVersionInForce returns the version of a model that applies on d:
// the highest version in force on d, from the model's versions (any
// order). A version stored ahead of its effective date does not replace
// the one in force until that date; ok is false when no version is in
// force (all future, or all expired): nobody is graded under it then
// (doc/grading.md "Versions").
func GradingVersionInForce(versions []GradingModel, d Date) (GradingModel, bool) {
	var best GradingModel
	ok := false
	for _, v := range versions {
		if v.InForce(d) && (!ok || v.Version > best.Version) {
			best, ok = v, true
		}
	}
	return best, ok
}

// DefaultGradingModel chooses the model used when none is named, on d,
// from every model's versions (one slice per model id): of each model the
// version in force on d (GradingVersionInForce), and of those the most
// recently created one marked default (ties by smaller id). ok is false
// when no default model is in force (doc/grading.md: "the default model is
// the most recently created model marked default and in force").
func DefaultGradingModel(models [][]GradingModel, d Date) (GradingModel, bool) {
	var best GradingModel
	ok := false
	for _, vs := range models {
		m, in := GradingVersionInForce(vs, d)
		if !in || !m.Default {
			continue
		}
		if !ok || m.CreatedAt.After(best.CreatedAt) || (m.CreatedAt.Equal(best.CreatedAt) && m.ID < best.ID) {
			best, ok = m, true
		}
	}
	return best, ok
}

// GradingRecord is what grading reads of a record.
type GradingRecord struct {
	ID       string
	Item     string
	Status   RecordStatus
	Decision Date
	Severity Severity
	Leniency Leniency
	Repair   RepairOutcome
	// Fields: the record's fields, needed only for items read with a field
	// condition (GradingModel.FieldItems).
	Fields map[string]string
}

// GradingListing is what grading reads of a serious-dishonesty listing.
type GradingListing struct {
	ID       string
	ListType string
	State    ListingState
	ListedOn Date
	EndDate  Date
}

// Active reports whether the entry is in force on d (as Listing.Active).
func (l GradingListing) Active(on Date) bool {
	return Listing{State: l.State, ListedOn: l.ListedOn, EndDate: l.EndDate}.Active(on)
}

// How a serious-list entry that a stored grade counted stopped counting
// (CountedListingStop).
const (
	// ListingStopRemoved: taken off the list — its period ended (the
	// expiry job), early removal (credit repair), revocation of the
	// underlying document, an upheld objection. On is the removal's date.
	ListingStopRemoved = "removed"
	// ListingStopExpired: still listed, but its period has run out (its
	// effective end, Listing.EffectiveEnd, is on or before the day) and
	// the expiry job has not removed it yet. On is the effective end.
	ListingStopExpired = "expired"
)

// ListingStop says how a counted listing stopped counting and since when.
type ListingStop struct {
	Cause  string // ListingStopRemoved, ListingStopExpired
	Reason string // the removal's reason (Removal*), for a removed listing
	On     Date   // the removal's date, or the effective end; zero when the listing does not say
}

// CountedListingStop decides whether a serious-list entry that a stored
// grade counted (its explanation's listing ids) no longer counts on day
// on, which makes the grade outdated: a listing removed (DOMAIN.md §6: a
// repair's outcomes are "removal from the serious list … evaluations
// updated"; §4: a listing ends with its period or when its basis falls),
// or one still listed whose effective end has passed (Listing.Active:
// no longer in force, whether or not the expiry job has removed it yet).
// A grade is explainable from what produced it (§8): a grade naming such
// a listing predates its end. A listing in force, or in a state a grade
// never counts, is not a stop. The one rule for the grade view and the
// export alike; the stores only read the listings.
func CountedListingStop(l Listing, on Date) (ListingStop, bool) {
	switch l.State {
	case ListingRemoved:
		s := ListingStop{Cause: ListingStopRemoved}
		if l.Removal != nil {
			s.Reason, s.On = l.Removal.Reason, l.Removal.Date
		}
		return s, true
	case ListingListed:
		if end := l.EffectiveEnd(); !end.IsZero() && !on.Before(end) {
			return ListingStop{Cause: ListingStopExpired, On: end}, true
		}
	}
	return ListingStop{}, false
}

// GradeInput is one subject's records and listings.
type GradeInput struct {
	Records  []GradingRecord
	Listings []GradingListing
}

// IndicatorScore is one indicator's part of a grade.
type IndicatorScore struct {
	Code     string   `json:"code"`
	Count    int      `json:"count"`
	Points   float64  `json:"points"`
	Capped   bool     `json:"capped,omitempty"`
	Records  []string `json:"records,omitempty"`
	Listings []string `json:"listings,omitempty"`
}

// RuleHit is a rule that capped the grade.
type RuleHit struct {
	Indicator string `json:"indicator"`
	Grade     string `json:"grade"`
	Reason    string `json:"reason"`
}

// NotCounted is a record of the model's items left out, with the reason
// (withdrawn, repaired.ended|shielded|deleted, force_majeure, no_fault,
// first_minor, minor).
type NotCounted struct {
	Record string `json:"record"`
	Reason string `json:"reason"`
}

// GradeExplanation is how a grade came about. Indicators lists only those
// that counted something; the others gave 0 points.
type GradeExplanation struct {
	Base       float64          `json:"base"`
	ScoreGrade string           `json:"score_grade"` // the grade the score alone gives
	Indicators []IndicatorScore `json:"indicators,omitempty"`
	Rules      []RuleHit        `json:"rules,omitempty"`
	NotCounted []NotCounted     `json:"not_counted,omitempty"`
}

// GradeResult is the outcome of Evaluate.
type GradeResult struct {
	Grade       string           `json:"grade"`
	Score       float64          `json:"score"`
	Explanation GradeExplanation `json:"explanation"`
}

// Evaluator is a model prepared for evaluating many subjects.
type Evaluator struct {
	M      GradingModel
	byItem map[string][]int // item → indicator indexes (records indicators)
	listed []int
	sevs   []uint8 // per indicator: bitmask of severities that count (0: all)
	values []map[string]bool
	lenFM  bool
	lenNF  bool
	lenFMn bool
	lenMin bool
}

func sevBit(s Severity) uint8 {
	switch s {
	case SeverityMinor:
		return 1
	case SeverityGeneral:
		return 2
	case SeveritySerious:
		return 4
	}
	return 8
}

// NewEvaluator prepares a (valid) model.
func NewEvaluator(m GradingModel) *Evaluator {
	m = NormalizeGradingModel(m)
	e := &Evaluator{M: m, byItem: map[string][]int{}}
	for i, in := range m.Indicators {
		var mask uint8
		for _, s := range in.Severities {
			mask |= sevBit(s)
		}
		e.sevs = append(e.sevs, mask)
		var vals map[string]bool
		if in.Field != "" {
			vals = map[string]bool{}
			for _, v := range in.Values {
				vals[v] = true
			}
		}
		e.values = append(e.values, vals)
		if in.Kind == IndicatorListed {
			e.listed = append(e.listed, i)
			continue
		}
		for _, it := range in.Items {
			e.byItem[it] = append(e.byItem[it], i)
		}
	}
	// Force majeure and no fault are left out whatever the model lists.
	e.lenFM, e.lenNF = true, true
	e.lenFMn = slices.Contains(m.Lenient, LenientFirstMinor)
	e.lenMin = slices.Contains(m.Lenient, LenientMinor)
	return e
}

// leftOut returns why a record does not count ("" when it counts).
func (e *Evaluator) leftOut(r GradingRecord) string {
	switch {
	case r.Status == RecordWithdrawn:
		return "withdrawn"
	case r.Status != RecordActive && r.Status != "":
		return string(r.Status)
	case r.Repair != RepairNone:
		return "repaired." + string(r.Repair)
	case r.Leniency.ForceMajeure && e.lenFM:
		return LenientForceMajeure
	case r.Leniency.NoFault && e.lenNF:
		return LenientNoFault
	case r.Leniency.FirstMinor && e.lenFMn:
		return LenientFirstMinor
	case r.Leniency.Minor && e.lenMin:
		return LenientMinor
	}
	return ""
}

// Evaluate grades one subject on a date with a model (DOMAIN.md §8).
func Evaluate(m GradingModel, in GradeInput, on Date) GradeResult {
	return NewEvaluator(m).Evaluate(in, on)
}

// Evaluate grades one subject on a date.
func (e *Evaluator) Evaluate(in GradeInput, on Date) GradeResult {
	m := &e.M
	n := len(m.Indicators)
	var stack [16]IndicatorScore
	scores := stack[:0]
	if n > len(stack) {
		scores = make([]IndicatorScore, 0, n)
	}
	for i := 0; i < n; i++ {
		scores = append(scores, IndicatorScore{Code: m.Indicators[i].Code})
	}
	var ex GradeExplanation
	ex.Base = m.BaseScore
	onDays := on.Days()
	var fromStack [16]int
	from := fromStack[:0]
	for i := 0; i < n; i++ {
		w := -1 << 30
		if m.Indicators[i].WindowMonths > 0 {
			w = on.AddMonths(-m.Indicators[i].WindowMonths).Days()
		}
		from = append(from, w)
	}
	for _, r := range in.Records {
		idxs := e.byItem[r.Item]
		if len(idxs) == 0 {
			continue // not read by the model: outside its indicators
		}
		if why := e.leftOut(r); why != "" {
			ex.NotCounted = append(ex.NotCounted, NotCounted{Record: r.ID, Reason: why})
			continue
		}
		if r.Decision.IsZero() || r.Decision.Days() > onDays {
			continue // decided after the evaluation date
		}
		for _, i := range idxs {
			ind := &m.Indicators[i]
			if r.Decision.Days() < from[i] {
				continue
			}
			if e.sevs[i] != 0 && e.sevs[i]&sevBit(r.Severity) == 0 {
				continue
			}
			if e.values[i] != nil && !e.values[i][strings.TrimSpace(r.Fields[ind.Field])] {
				continue
			}
			p := ind.Points
			if sp, ok := ind.SeverityPoints[r.Severity]; ok {
				p = sp
			}
			s := &scores[i]
			s.Count++
			s.Points += p
			s.Records = append(s.Records, r.ID)
		}
	}
	for _, i := range e.listed {
		ind := &m.Indicators[i]
		for _, l := range in.Listings {
			if !l.Active(on) || (len(ind.ListTypes) > 0 && !slices.Contains(ind.ListTypes, l.ListType)) {
				continue
			}
			s := &scores[i]
			s.Count++
			s.Points += ind.Points
			s.Listings = append(s.Listings, l.ID)
		}
	}
	score := m.BaseScore
	for i := range scores {
		s := &scores[i]
		if s.Count == 0 {
			continue
		}
		if c := m.Indicators[i].Cap; c > 0 && math.Abs(s.Points) > c {
			s.Points = math.Copysign(c, s.Points)
			s.Capped = true
		}
		s.Points = round2(s.Points)
		score += s.Points
		ex.Indicators = append(ex.Indicators, *s)
	}
	score = round2(score)
	grade := m.Grades[len(m.Grades)-1].Grade
	for i, b := range m.Grades {
		if i == len(m.Grades)-1 || score >= b.MinScore {
			grade = b.Grade
			break
		}
	}
	ex.ScoreGrade = grade
	worst := m.rank(grade)
	for _, r := range m.Rules {
		for _, s := range ex.Indicators {
			if s.Code != r.Indicator || s.Count < max(r.AtLeast, 1) {
				continue
			}
			ex.Rules = append(ex.Rules, RuleHit{Indicator: r.Indicator, Grade: r.Grade, Reason: r.Reason})
			if k := m.rank(r.Grade); k > worst {
				worst, grade = k, r.Grade
			}
		}
	}
	return GradeResult{Grade: grade, Score: score, Explanation: ex}
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// Grade is a subject's stored grade under a model version.
type Grade struct {
	SubjectID    string           `json:"subject_id"`
	ModelID      string           `json:"model_id"`
	ModelVersion int              `json:"model_version"`
	Grade        string           `json:"grade"`
	Score        float64          `json:"score"`
	On           Date             `json:"on"` // the evaluation date
	Explanation  GradeExplanation `json:"explanation"`
	// LedgerSize is the size of the ledger (the signed checkpoint) the
	// records were read at: the grade reflects the log up to that leaf.
	LedgerSize int64  `json:"ledger_size"`
	RunID      string `json:"run_id,omitempty"`
	// Source is "evaluation", or "review:ID" when a reviewer regraded.
	Source     string    `json:"source"`
	ComputedAt time.Time `json:"computed_at"`
}

// GradingRun is a batch evaluation (one subject, a department's subjects,
// or everyone) with its progress. Cursor is the last subject id whose
// grade is committed: a resumed run continues after it.
type GradingRun struct {
	ID           string         `json:"id"`
	ModelID      string         `json:"model_id"`
	ModelVersion int            `json:"model_version"`
	Scope        string         `json:"scope"` // all, department
	DepartmentID string         `json:"department_id,omitempty"`
	On           Date           `json:"on"`
	State        string         `json:"state"` // running, done, failed
	Total        int            `json:"total"` // subjects to grade (counted at the start)
	Done         int            `json:"done"`
	Counts       map[string]int `json:"counts"` // subjects by grade
	Records      int64          `json:"records"`
	Cursor       string         `json:"-"`
	// Chain is the running digest of the results (hex SHA-256 chained over
	// each committed batch); Digest the final one, committed to the ledger.
	Chain      string     `json:"-"`
	Digest     string     `json:"digest,omitempty"`
	LedgerIdx  int64      `json:"ledger_index,omitempty"`
	Message    string     `json:"message,omitempty"`
	By         string     `json:"by"`
	StartedAt  time.Time  `json:"started_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

// Grading run states.
const (
	RunRunning = "running"
	RunDone    = "done"
	RunFailed  = "failed"
)

// Progress returns the run's progress in [0, 1].
func (r GradingRun) Progress() float64 {
	if r.State == RunDone {
		return 1
	}
	if r.Total <= 0 {
		return 0
	}
	return min(float64(r.Done)/float64(r.Total), 1)
}

// Grade reviews (人工复核): the subject asks a human to review its grade;
// the reviewer decides within a limit in working days, upholding the grade
// or regrading with reasons (a workflow like an objection, DOMAIN.md §6).

// GradeReviewState is where a review stands.
type GradeReviewState string

const (
	ReviewFiled   GradeReviewState = "filed"
	ReviewDecided GradeReviewState = "decided"
)

// Review outcomes.
const (
	ReviewUpheld   = "upheld"
	ReviewRegraded = "regraded"
)

// DefaultGradeReviewDays is the review limit in working days: a local
// default (no national limit was read), the same as the platform's repair
// decisions (DOMAIN.md §6: 10 working days).
const DefaultGradeReviewDays = 10

// GradeReview is a subject's request for a human review of its grade.
type GradeReview struct {
	ID           string           `json:"id"`
	SubjectID    string           `json:"subject_id"`
	ModelID      string           `json:"model_id"`
	ModelVersion int              `json:"model_version"`
	DepartmentID string           `json:"department_id,omitempty"` // the model's department ("" the credit office)
	State        GradeReviewState `json:"state"`
	Version      int              `json:"version"`
	Grade        string           `json:"grade"` // the grade under review
	Score        float64          `json:"score"`
	GradeOn      Date             `json:"grade_on"`
	LedgerSize   int64            `json:"ledger_size"`
	Reasons      string           `json:"reasons"`
	Evidence     string           `json:"evidence,omitempty"`
	FiledOn      Date             `json:"filed_on"`
	Deadline     Date             `json:"deadline"`
	Decision     *ReviewDecision  `json:"decision,omitempty"`
	FiledBy      string           `json:"filed_by"`
	CreatedAt    time.Time        `json:"created_at"`
	UpdatedAt    time.Time        `json:"updated_at"`
	UpdatedBy    string           `json:"updated_by"`
}

// ReviewDecision is the reviewer's answer.
type ReviewDecision struct {
	Outcome string `json:"outcome"` // upheld, regraded
	Grade   string `json:"grade"`   // the grade after the review
	Reasons string `json:"reasons"`
	Date    Date   `json:"date"`
	By      string `json:"by"`
	Late    bool   `json:"late"`
}

// GradeReviewInput is a review request.
type GradeReviewInput struct {
	Model    string `json:"model,omitempty"` // model id ("" the default)
	Reasons  string `json:"reasons"`
	Evidence string `json:"evidence,omitempty"`
}

// ReviewDecisionInput decides a review.
type ReviewDecisionInput struct {
	Outcome string `json:"outcome"`
	Grade   string `json:"grade,omitempty"` // regraded: the new grade
	Reasons string `json:"reasons"`
}

// GradeReviewFilter selects reviews; zero fields match everything.
type GradeReviewFilter struct {
	SubjectID    string
	DepartmentID *string // the model's department ("" the credit office's)
	Open         bool
	Limit        int
}

// ReviewOverdue reports whether an open review is past its deadline.
func ReviewOverdue(r GradeReview, today Date) bool {
	return r.State == ReviewFiled && today.After(r.Deadline)
}

// FileGradeReview checks a review request of a stored grade; the deadline
// is days working days from today (DefaultGradeReviewDays when days ≤ 0).
func FileGradeReview(g Grade, m GradingModel, in GradeReviewInput, today Date, days int, cal Calendar) (GradeReview, error) {
	var v Validation
	in.Reasons, in.Evidence = strings.TrimSpace(in.Reasons), strings.TrimSpace(in.Evidence)
	if in.Reasons == "" {
		v.Add("reasons", "required", "state why the grade should be reviewed")
	}
	if len([]rune(in.Reasons)) > 5000 {
		v.Add("reasons", "review.length", "reasons are at most 5000 characters")
	}
	if len([]rune(in.Evidence)) > 20000 {
		v.Add("evidence", "review.length", "evidence text is at most 20000 characters")
	}
	if err := v.Err("the review request was refused"); err != nil {
		return GradeReview{}, err
	}
	if days <= 0 {
		days = DefaultGradeReviewDays
	}
	return GradeReview{SubjectID: g.SubjectID, ModelID: g.ModelID, ModelVersion: g.ModelVersion, DepartmentID: m.DepartmentID,
		State: ReviewFiled, Version: 1, Grade: g.Grade, Score: g.Score, GradeOn: g.On, LedgerSize: g.LedgerSize,
		Reasons: in.Reasons, Evidence: in.Evidence, FiledOn: today, Deadline: cal.AddWorkingDays(today, days)}, nil
}

// RegradeTarget checks that the stored grade is still the one the review
// was filed on (same model version, evaluation day and ledger size) before
// a reviewer's regrade replaces it: a grade evaluated anew since reflects
// other records, and a regrade decided about the old one must not
// overwrite it.
func RegradeTarget(r GradeReview, stored Grade) error {
	if stored.ModelVersion != r.ModelVersion || stored.On != r.GradeOn || stored.LedgerSize != r.LedgerSize {
		return Errorf(ECONFLICT, "the grade was evaluated anew on %s (model version %d) after this review was filed about the grade of %s: uphold the review, or let the subject ask for a review of the new grade", stored.On, stored.ModelVersion, r.GradeOn)
	}
	return nil
}

// DecideGradeReview answers a filed review: upheld (the grade stands) or
// regraded (a grade of the model's set, different from the one reviewed),
// with reasons either way.
func DecideGradeReview(r GradeReview, m GradingModel, in ReviewDecisionInput, today Date, by string) (GradeReview, error) {
	if r.State != ReviewFiled {
		return r, &Error{Code: ECONFLICT, Message: "review " + r.ID + " was already decided"}
	}
	var v Validation
	in.Reasons, in.Grade = MaskCitizenIDs(strings.TrimSpace(in.Reasons)), strings.TrimSpace(in.Grade) // staff text (DOMAIN.md §7)
	if in.Reasons == "" {
		v.Add("reasons", "required", "every decision states its reasons")
	}
	grade := r.Grade
	switch in.Outcome {
	case ReviewUpheld:
		if in.Grade != "" && in.Grade != r.Grade {
			v.Add("grade", "review.grade", "an upheld grade stays %s; to change it, decide regraded", r.Grade)
		}
	case ReviewRegraded:
		if _, ok := m.Band(in.Grade); !ok {
			v.Add("grade", "review.grade", "grade %q is not in model %s's grade set", in.Grade, m.ID)
		} else if in.Grade == r.Grade {
			v.Add("grade", "review.grade", "regraded means a grade other than %s", r.Grade)
		}
		grade = in.Grade
	default:
		v.Add("outcome", "review.outcome", "outcome is upheld or regraded")
	}
	if err := v.Err("the decision was refused"); err != nil {
		return r, err
	}
	r.State, r.Version = ReviewDecided, r.Version+1
	r.Decision = &ReviewDecision{Outcome: in.Outcome, Grade: grade, Reasons: in.Reasons, Date: today, By: by, Late: today.After(r.Deadline)}
	return r, nil
}
