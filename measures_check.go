package xinyong

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
)

// The measures check (DOMAIN.md §5; issue 6 "Punishment measures"): given a
// subject's current serious-dishonesty listings and its records, which
// measures of the list (失信惩戒措施清单) may a relying agency apply?
//
// The rules, each cited in measures_check_test.go:
//
//   - R1 only listed measures: a measure applies only when it is on the list,
//     not retired and in force on the day of the check (过惩相当: 清单之外不得
//     实施);
//   - R2 a measure applies when one of its ListTypes is the list type of a
//     current listing of the subject and the listing's decision document
//     named it among the measures that follow (issue 6; nothing added
//     beyond the decision: 过惩相当); a measure of kind 3 is returned as
//     information (R5) whether or not the decision named it. A listing
//     whose decision names no measure (none recorded) triggers its list
//     type's measures;
//   - R3 a measure applies when one of its Severities is the severity of an
//     active (not withdrawn), currently published (Window.Open) negative
//     record of the subject;
//   - R4 proportionality: a record triggers a measure only through the
//     measure's Severities, so a measure the list reserves for serious lists
//     (ListTypes and no Severities) is never triggered by records, and a
//     general-severity record triggers nothing reserved for serious ones;
//   - R5 measures of kind 3 (applied by other organisations on their own,
//     自主实施) are returned as information only: nobody may be forced to
//     apply them;
//   - R6 each measure in the answer carries its basis and the ids of the
//     listings and records that trigger it.

// CheckRecord is what the check reads of one of the subject's records.
type CheckRecord struct {
	ID       string
	Item     string
	Severity Severity
	Status   RecordStatus
	Window   Window
}

// CheckListing is one of the subject's current listings (严重失信主体名单):
// its id, list type and the measures its decision document named.
type CheckListing struct {
	ID       string
	ListType string
	Measures []string
}

// CheckInput is everything the measures check decides on.
type CheckInput struct {
	Records  []CheckRecord
	Listings []CheckListing
	Measures []Measure
	On       Date // the day of the check
}

// ApplicableMeasure is one measure of the answer with its basis and what
// triggers it.
type ApplicableMeasure struct {
	MeasureID string      `json:"measure_id"`
	Kind      MeasureKind `json:"kind"`
	Item      string      `json:"item"`
	Target    string      `json:"target"`
	Means     string      `json:"means"`
	Body      string      `json:"body"`
	Basis     string      `json:"basis"`
	Layer     Layer       `json:"layer"`
	// InformationOnly is set for measures of kind 3: other organisations
	// decide on their own; nobody may be forced to apply them.
	InformationOnly bool `json:"information_only"`
	// Triggers name the rules that matched: "list:CODE" or "severity:S".
	Triggers []string `json:"triggers"`
	Listings []string `json:"listings"`
	Records  []string `json:"records"`
}

// InForce reports whether the measure is on the list on day d.
func (m Measure) InForce(d Date) bool {
	if m.Retired {
		return false
	}
	if !m.EffectiveFrom.IsZero() && d.Before(m.EffectiveFrom) {
		return false
	}
	return m.EffectiveTo.IsZero() || d.Before(m.EffectiveTo)
}

// counts reports whether a record may trigger measures on day d: negative
// information, active, and published on d.
func (r CheckRecord) counts(d Date) bool {
	return r.Severity.Rank() > 0 && r.Status == RecordActive && r.Window.Open(d)
}

// ApplicableMeasures decides the measures a relying agency may apply. The
// answer is sorted by measure id; its ids are sorted; it is never nil.
func ApplicableMeasures(in CheckInput) []ApplicableMeasure {
	out := []ApplicableMeasure{}
	for _, m := range in.Measures {
		if !m.InForce(in.On) {
			continue // R1
		}
		a := ApplicableMeasure{MeasureID: m.Code, Kind: m.Kind, Item: m.Item, Target: m.Target, Means: m.Means, Body: m.Body,
			Basis: m.LegalBasis, Layer: m.Layer, InformationOnly: m.Kind == MeasureVoluntary, Triggers: []string{}, Listings: []string{}, Records: []string{}}
		for _, l := range in.Listings { // R2
			named := len(l.Measures) == 0 || slices.Contains(l.Measures, m.Code) || m.Kind == MeasureVoluntary
			if l.ListType != "" && slices.Contains(m.ListTypes, l.ListType) && named {
				a.Listings = append(a.Listings, l.ID)
				if t := "list:" + l.ListType; !slices.Contains(a.Triggers, t) {
					a.Triggers = append(a.Triggers, t)
				}
			}
		}
		for _, r := range in.Records { // R3, R4
			if r.counts(in.On) && slices.Contains(m.Severities, r.Severity) {
				a.Records = append(a.Records, r.ID)
				if t := "severity:" + string(r.Severity); !slices.Contains(a.Triggers, t) {
					a.Triggers = append(a.Triggers, t)
				}
			}
		}
		if len(a.Triggers) == 0 {
			continue
		}
		slices.Sort(a.Triggers)
		a.Listings = slices.Compact(slices.Sorted(slices.Values(a.Listings)))
		a.Records = slices.Compact(slices.Sorted(slices.Values(a.Records)))
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b ApplicableMeasure) int { return strings.Compare(a.MeasureID, b.MeasureID) })
	return out
}

// CanonicalMeasures is the canonical encoding of an answer: compact JSON of
// the list, in the order ApplicableMeasures returns it (an empty answer is
// "[]").
func CanonicalMeasures(ms []ApplicableMeasure) []byte {
	if ms == nil {
		ms = []ApplicableMeasure{}
	}
	b, err := json.Marshal(ms)
	if err != nil {
		panic(err) // plain data: cannot fail
	}
	return b
}

// ResultDigest is the hex SHA-256 of the canonical answer.
func ResultDigest(ms []ApplicableMeasure) string {
	sum := sha256.Sum256(CanonicalMeasures(ms))
	return hex.EncodeToString(sum[:])
}

// Triggered reports whether the answer lets the agency apply measure id
// (kind-3 measures included: an organisation may apply them of its own
// accord).
func Triggered(ms []ApplicableMeasure, id string) bool {
	return slices.ContainsFunc(ms, func(a ApplicableMeasure) bool { return a.MeasureID == id })
}
