package xinyong

import (
	"fmt"
	"slices"
	"strings"
)

// PenaltyCategories are the kinds of administrative penalty of the
// Administrative Penalty Law 2021 Art. 9, in the order the law lists them.
var PenaltyCategories = []string{
	"警告", "通报批评", "罚款", "没收违法所得", "没收非法财物", "暂扣许可证件", "降低资质等级",
	"吊销许可证件", "限制开展生产经营活动", "责令停产停业", "责令关闭", "限制从业", "行政拘留", "其他",
}

// PeriodRule is how long information of one severity class is published
// under a regime.
type PeriodRule struct {
	Publish   bool `json:"publish"`
	MinMonths int  `json:"min_months"`
	MaxMonths int  `json:"max_months"`
}

// Regime is a dated rule set for publication periods (公示期), chosen by the
// decision date. It is data: a province amends it with its own basis and
// effective date.
type Regime struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	LegalBasis string `json:"legal_basis"`
	From       Date   `json:"from"`        // first decision date it governs
	To         Date   `json:"to,omitzero"` // first decision date it no longer governs
	// Rules by severity class: "minor", "general", "serious".
	Rules map[Severity]PeriodRule `json:"rules"`
	// SectorMinMonths raises the minimum period in named sectors (e.g.
	// 特种设备, 安全生产, 消防: 12 months under NDRC Order 58).
	SectorMinMonths map[string]int `json:"sector_min_months,omitempty"`
	// CategorySeverity is the lowest severity a penalty category implies
	// (e.g. 吊销许可证件 → serious); the record's own class is raised to it.
	CategorySeverity map[string]Severity `json:"category_severity,omitempty"`
	// NotPublishedIfOnly: a decision whose categories all fall in this set
	// is not published (SAMR Order 45 Art. 2: warning-only penalties).
	NotPublishedIfOnly []string   `json:"not_published_if_only,omitempty"`
	NotPublishedBasis  string     `json:"not_published_basis,omitempty"`
	Provenance         Provenance `json:"provenance"`
	Source             string     `json:"source,omitempty"`
}

// Governs reports whether the regime governs a decision taken on d.
func (r Regime) Governs(d Date) bool {
	return !d.Before(r.From) && (r.To.IsZero() || d.Before(r.To))
}

// ValidateRegime checks a regime's data.
func ValidateRegime(r Regime) error {
	var v Validation
	if r.Code == "" {
		v.Add("code", "required", "a regime needs a code")
	}
	if strings.TrimSpace(r.LegalBasis) == "" {
		v.Add("legal_basis", "regime.legal_basis", "a publication regime needs a legal basis")
	}
	if r.From.IsZero() {
		v.Add("from", "required", "a regime needs the first decision date it governs")
	}
	if !r.To.IsZero() && !r.From.Before(r.To) {
		v.Add("to", "regime.dates", "a regime ends after it begins")
	}
	for _, s := range []Severity{SeverityMinor, SeverityGeneral, SeveritySerious} {
		rule, ok := r.Rules[s]
		if !ok {
			v.Add("rules", "regime.rules", "a regime states a rule for %s information", s)
			continue
		}
		if rule.Publish && (rule.MinMonths < 0 || rule.MaxMonths < rule.MinMonths || rule.MaxMonths == 0) {
			v.Add("rules", "regime.period", "%s: the period needs 0 ≤ min ≤ max and max > 0", s)
		}
	}
	return v.Err("the publication regime is not valid")
}

// Regimes is the set of publication regimes, ordered by From.
type Regimes []Regime

// For returns the regime governing a decision taken on d.
func (rs Regimes) For(d Date) (Regime, bool) {
	for _, r := range rs {
		if r.Governs(d) {
			return r, true
		}
	}
	return Regime{}, false
}

// Check reports overlapping regimes.
func (rs Regimes) Check() error {
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b Regime) int { return a.From.Days() - b.From.Days() })
	for i := 1; i < len(s); i++ {
		if s[i-1].To.IsZero() || s[i].From.Before(s[i-1].To) {
			return Errorf(EINVALID, "publication regimes %s and %s overlap", s[i-1].Code, s[i].Code)
		}
	}
	return nil
}

// PublicationInput is what decides a record's publication window.
type PublicationInput struct {
	Decision   Date     // decision date (决定日期): periods run from it
	Severity   Severity // the record's class
	Categories []string // penalty categories (处罚类别) of the decision
	Sector     string   // e.g. 特种设备, 安全生产, 消防
}

// Window is when a record may be published.
type Window struct {
	Published bool     `json:"published"`
	Start     Date     `json:"start,omitzero"`
	MinEnd    Date     `json:"min_end,omitzero"` // earliest end (repair may end it from here)
	MaxEnd    Date     `json:"max_end,omitzero"` // publication stops by itself here
	Severity  Severity `json:"severity,omitempty"`
	Regime    string   `json:"regime,omitempty"`
	Reason    string   `json:"reason"`
}

// Open reports whether the window is open on d: published, started, and
// before its maximum end (a window without a maximum end, such as a
// licence's, stays open).
func (w Window) Open(d Date) bool {
	return w.Published && !d.Before(w.Start) && (w.MaxEnd.IsZero() || d.Before(w.MaxEnd))
}

// PublicationWindow computes the publication window of a record from the
// regime in force on its decision date (发改办财金〔2019〕527号; NDRC Order 58;
// 国办发〔2025〕22号 with NDRC Order 36). Periods run from the decision
// date; a decision with several penalty categories takes the longest period;
// warning-only penalties are not published (SAMR Order 45 Art. 2); minor
// information is not published where the regime says so.
func PublicationWindow(rs Regimes, in PublicationInput) Window {
	r, ok := rs.For(in.Decision)
	if !ok {
		return Window{Reason: fmt.Sprintf("no publication regime governs decisions of %s", in.Decision)}
	}
	w := Window{Regime: r.Code}
	cats := normaliseCategories(in.Categories)
	if len(cats) > 0 && len(r.NotPublishedIfOnly) > 0 && allIn(cats, r.NotPublishedIfOnly) {
		w.Reason = "not published: " + strings.Join(cats, "、") + " only (" + r.NotPublishedBasis + ")"
		return w
	}
	sev := in.Severity
	if sev == SeverityNone {
		sev = SeverityGeneral
	}
	for _, c := range cats {
		if s, ok := r.CategorySeverity[c]; ok && s.Rank() > sev.Rank() {
			sev = s
		}
	}
	w.Severity = sev
	rule := r.Rules[sev]
	if !rule.Publish {
		w.Reason = fmt.Sprintf("not published: %s (%s) information under %s", sev.Chinese(), sev, r.LegalBasis)
		return w
	}
	minM := rule.MinMonths
	if m, ok := r.SectorMinMonths[in.Sector]; ok && m > minM {
		minM = m
	}
	if minM > rule.MaxMonths {
		minM = rule.MaxMonths
	}
	w.Published = true
	w.Start = in.Decision
	w.MinEnd = in.Decision.AddMonths(minM)
	w.MaxEnd = in.Decision.AddMonths(rule.MaxMonths)
	w.Reason = fmt.Sprintf("%s (%s): %d to %d months from the decision date under %s", sev.Chinese(), sev, minM, rule.MaxMonths, r.LegalBasis)
	return w
}

func normaliseCategories(cs []string) []string {
	var out []string
	for _, c := range cs {
		for _, p := range strings.FieldsFunc(c, func(r rune) bool { return r == ';' || r == '；' || r == ',' || r == '，' || r == '、' || r == '|' }) {
			if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// SplitCategories splits a 处罚类别 value such as "罚款;没收违法所得" into its
// categories.
func SplitCategories(s string) []string { return normaliseCategories([]string{s}) }

func allIn(xs, set []string) bool {
	for _, x := range xs {
		if !slices.Contains(set, x) {
			return false
		}
	}
	return true
}
