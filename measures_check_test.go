package xinyong

import (
	"reflect"
	"slices"
	"testing"
)

// Measures of the table: shaped like rows of data/measures-2021.json.
var checkMeasures = []Measure{
	{Code: "A1", Kind: MeasureReducesRights, LegalBasis: "行政许可法", Severities: []Severity{SeverityGeneral, SeveritySerious}, EffectiveFrom: NewDate(2021, 12, 16)},
	{Code: "A2", Kind: MeasureReducesRights, LegalBasis: "招标投标法实施条例", ListTypes: []string{"WAGE_ARREARS"}, Severities: []Severity{SeveritySerious}, EffectiveFrom: NewDate(2021, 12, 16)},
	{Code: "SPC", Kind: MeasureReducesRights, LegalBasis: "限制消费规定", ListTypes: []string{"SPC_DEFAULTER"}, EffectiveFrom: NewDate(2015, 7, 22)},
	{Code: "MGMT", Kind: MeasureManagement, LegalBasis: "49号文", Severities: []Severity{SeveritySerious}},
	{Code: "VOL", Kind: MeasureVoluntary, LegalBasis: "49号文", ListTypes: []string{"SPC_DEFAULTER"}, Severities: []Severity{SeveritySerious}},
	{Code: "MINOR", Kind: MeasureManagement, LegalBasis: "x", Severities: []Severity{SeverityMinor}},
	{Code: "OLD", Kind: MeasureReducesRights, LegalBasis: "x", Severities: []Severity{SeveritySerious}, Retired: true},
	{Code: "LATER", Kind: MeasureReducesRights, LegalBasis: "x", Severities: []Severity{SeveritySerious}, EffectiveFrom: NewDate(2030, 1, 1)},
	{Code: "ENDED", Kind: MeasureReducesRights, LegalBasis: "x", Severities: []Severity{SeveritySerious}, EffectiveTo: NewDate(2025, 1, 1)},
}

var checkDay = NewDate(2026, 6, 1)

func openWindow() Window {
	return Window{Published: true, Start: NewDate(2026, 1, 1), MaxEnd: NewDate(2029, 1, 1)}
}

func rec(id string, sev Severity) CheckRecord {
	return CheckRecord{ID: id, Item: "CF01", Severity: sev, Status: RecordActive, Window: openWindow()}
}

type triggered struct {
	listings, records []string
	info              bool
}

// TestApplicableMeasures: the rules R1–R6 of measures_check.go.
func TestApplicableMeasures(t *testing.T) {
	withdrawn := rec("rW", SeveritySerious)
	withdrawn.Status = RecordWithdrawn
	closed := rec("rC", SeveritySerious)
	closed.Window.MaxEnd = NewDate(2026, 5, 1)
	unpublished := rec("rU", SeveritySerious)
	unpublished.Window.Published = false
	tests := []struct {
		name     string
		records  []CheckRecord
		listings []CheckListing
		want     map[string]triggered
	}{
		{"R1 nothing: no records, no listings", nil, nil, map[string]triggered{}},
		{"R4 a general record triggers only measures naming general (A1), nothing reserved for serious lists or serious records",
			[]CheckRecord{rec("r1", SeverityGeneral)}, nil,
			map[string]triggered{"A1": {records: []string{"r1"}}}},
		{"R3 a serious record triggers the measures naming serious; R4 never SPC (ListTypes, no Severities); R5 VOL as information; R1 not OLD, LATER, ENDED",
			[]CheckRecord{rec("r2", SeveritySerious)}, nil,
			map[string]triggered{"A1": {records: []string{"r2"}}, "A2": {records: []string{"r2"}}, "MGMT": {records: []string{"r2"}}, "VOL": {records: []string{"r2"}, info: true}}},
		{"R3 a minor record triggers only a measure naming minor", []CheckRecord{rec("r3", SeverityMinor)}, nil,
			map[string]triggered{"MINOR": {records: []string{"r3"}}}},
		{"R3 withdrawn, unpublished and closed-window records and records without severity trigger nothing",
			[]CheckRecord{withdrawn, closed, unpublished, rec("rN", SeverityNone)}, nil, map[string]triggered{}},
		{"R2 a listing triggers the measures of its list type",
			nil, []CheckListing{{ID: "L1", ListType: "SPC_DEFAULTER"}},
			map[string]triggered{"SPC": {listings: []string{"L1"}}, "VOL": {listings: []string{"L1"}, info: true}}},
		{"R2 a listing of another list type triggers nothing", nil, []CheckListing{{ID: "L2", ListType: "OTHER"}}, map[string]triggered{}},
		{"R2 a listing triggers only the measures its decision named",
			nil, []CheckListing{{ID: "L4", ListType: "WAGE_ARREARS", Measures: []string{"A1"}}},
			map[string]triggered{}},
		{"R2 a listing whose decision named a measure of its list type triggers it",
			nil, []CheckListing{{ID: "L5", ListType: "WAGE_ARREARS", Measures: []string{"A2"}}},
			map[string]triggered{"A2": {listings: []string{"L5"}}}},
		{"R2 a measure its decision did not name is not applied; R5 kind 3 is still given as information",
			nil, []CheckListing{{ID: "L6", ListType: "SPC_DEFAULTER", Measures: []string{"A2"}}},
			map[string]triggered{"VOL": {listings: []string{"L6"}, info: true}}},
		{"R6 listings and records together, ids sorted and deduplicated",
			[]CheckRecord{rec("r9", SeveritySerious), rec("r8", SeveritySerious)}, []CheckListing{{ID: "L3", ListType: "WAGE_ARREARS"}, {ID: "L0", ListType: "WAGE_ARREARS"}},
			map[string]triggered{"A1": {records: []string{"r8", "r9"}}, "A2": {listings: []string{"L0", "L3"}, records: []string{"r8", "r9"}},
				"MGMT": {records: []string{"r8", "r9"}}, "VOL": {records: []string{"r8", "r9"}, info: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ApplicableMeasures(CheckInput{Records: tt.records, Listings: tt.listings, Measures: checkMeasures, On: checkDay})
			if got == nil {
				t.Fatal("answer is nil, want an empty list")
			}
			ids := map[string]triggered{}
			for _, a := range got {
				ids[a.MeasureID] = triggered{listings: nilIfEmpty(a.Listings), records: nilIfEmpty(a.Records), info: a.InformationOnly}
				if a.Basis == "" {
					t.Errorf("%s: no basis (R6)", a.MeasureID)
				}
				if a.InformationOnly != (a.Kind == MeasureVoluntary) {
					t.Errorf("%s: information only = %v for kind %d (R5)", a.MeasureID, a.InformationOnly, a.Kind)
				}
			}
			if !reflect.DeepEqual(ids, tt.want) {
				t.Errorf("answer\n got  %+v\n want %+v", ids, tt.want)
			}
			if !slices.IsSortedFunc(got, func(a, b ApplicableMeasure) int { return cmpString(a.MeasureID, b.MeasureID) }) {
				t.Error("answer not sorted by measure id")
			}
		})
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestProportionalityNeverFromRecords: R4 over every severity — a measure
// with list types and no severities is never triggered by any record.
func TestProportionalityNeverFromRecords(t *testing.T) {
	m := Measure{Code: "LISTS-ONLY", Kind: MeasureReducesRights, LegalBasis: "x", ListTypes: []string{"SPC_DEFAULTER", "SAMR_SERIOUS"}}
	for _, sev := range []Severity{SeverityNone, SeverityMinor, SeverityGeneral, SeveritySerious} {
		got := ApplicableMeasures(CheckInput{Records: []CheckRecord{rec("r", sev)}, Measures: []Measure{m}, On: checkDay})
		if len(got) != 0 {
			t.Errorf("a %q record triggered %+v", sev, got)
		}
	}
}

// TestKind3InformationOnly: R5 — every kind-3 measure is information only,
// and no kind-1 or kind-2 measure is.
func TestKind3InformationOnly(t *testing.T) {
	for _, k := range []MeasureKind{MeasureReducesRights, MeasureManagement, MeasureVoluntary} {
		m := Measure{Code: "M", Kind: k, LegalBasis: "x", Severities: []Severity{SeveritySerious}}
		got := ApplicableMeasures(CheckInput{Records: []CheckRecord{rec("r", SeveritySerious)}, Measures: []Measure{m}, On: checkDay})
		if len(got) != 1 || got[0].InformationOnly != (k == MeasureVoluntary) {
			t.Errorf("kind %d: %+v", k, got)
		}
	}
}

func TestResultDigestCanonical(t *testing.T) {
	if string(CanonicalMeasures(nil)) != "[]" {
		t.Errorf("empty answer encodes as %s", CanonicalMeasures(nil))
	}
	in := CheckInput{Records: []CheckRecord{rec("r2", SeveritySerious), rec("r1", SeveritySerious)}, Measures: checkMeasures, On: checkDay}
	a := ApplicableMeasures(in)
	slices.Reverse(in.Records)
	slices.Reverse(in.Measures)
	b := ApplicableMeasures(in)
	slices.Reverse(in.Measures)
	if ResultDigest(a) != ResultDigest(b) {
		t.Error("the digest depends on the order of the input")
	}
	if !Triggered(a, "A1") || Triggered(a, "SPC") {
		t.Error("Triggered")
	}
}
