package xinyong

import (
	"slices"
	"strings"
	"testing"
)

func gradingCatalogue() map[string]CatalogueItem {
	it := func(code, cat string, neg bool, fields ...string) CatalogueItem {
		var fs []FieldSpec
		for _, f := range fields {
			fs = append(fs, FieldSpec{Code: f, Label: f})
		}
		return CatalogueItem{Code: code, Name: code, Category: cat, Negative: neg, Status: ItemApproved, Fields: fs}
	}
	return map[string]CatalogueItem{
		"XZCF": it("XZCF", "administrative", true),
		"SFZX": it("SFZX", "judicial", true),
		"YZSX": it("YZSX", "serious_list", true),
		"XYCN": it("XYCN", "commitment", false, "CN_LXZT"),
		"CXRY": it("CXRY", "honour", false),
		"OLD":  {Code: "OLD", Name: "retired item", Category: "administrative", Status: ItemRetired},
	}
}

// testModel is a model in the shape of the default one (see
// internal/refdata/grading.json): 100 points, A/B/C/D.
func testModel() GradingModel {
	return NormalizeGradingModel(GradingModel{
		ID: "test", Version: 1, Name: "测试模型", EffectiveFrom: MustDate("2025-06-01"), LegalBasis: "GB/T 45255-2025", Provenance: ProvenanceLocal,
		Indicators: []Indicator{
			{Code: "LISTED", Name: "严重失信主体名单", Kind: IndicatorListed, Items: []string{"YZSX"}, Points: -100},
			{Code: "DEFAULTER", Name: "失信被执行人", Kind: IndicatorRecords, Items: []string{"SFZX"}, Points: -40},
			{Code: "PENALTY", Name: "行政处罚", Kind: IndicatorRecords, Items: []string{"XZCF"}, WindowMonths: 36,
				SeverityPoints: map[Severity]float64{SeverityMinor: -2, SeverityGeneral: -5, SeveritySerious: -20}, Cap: 60},
			{Code: "KEPT", Name: "信用承诺已履行", Kind: IndicatorRecords, Items: []string{"XYCN"}, Field: "CN_LXZT", Values: []string{"已履行"}, Points: 2, Cap: 10, WindowMonths: 36},
			{Code: "HONOUR", Name: "诚信荣誉", Kind: IndicatorRecords, Items: []string{"CXRY"}, Points: 5, Cap: 10, WindowMonths: 36},
		},
		Rules: []GradeRule{
			{Indicator: "LISTED", Grade: "D", Reason: "严重失信主体名单在列"},
			{Indicator: "DEFAULTER", Grade: "C", Reason: "失信被执行人"},
		},
		Lenient: []string{LenientFirstMinor},
	})
}

func TestValidateGradingModel(t *testing.T) {
	cat := gradingCatalogue()
	if err := ValidateGradingModel(testModel(), cat); err != nil {
		t.Fatalf("the test model is valid: %v", err)
	}
	tests := []struct {
		name   string
		change func(m *GradingModel)
		field  string
		rule   string
	}{
		// DOMAIN.md §1, §8: nobody is graded on information outside the catalogue.
		{"item outside the catalogue", func(m *GradingModel) { m.Indicators[2].Items = []string{"XZCF", "NOPE"} }, "indicators[2].items", "grading.catalogue"},
		{"retired item", func(m *GradingModel) { m.Indicators[2].Items = []string{"OLD"} }, "indicators[2].items", "grading.catalogue"},
		{"indicator without items", func(m *GradingModel) { m.Indicators[1].Items = nil }, "indicators[1].items", "grading.catalogue"},
		{"listed indicator on a non-list item", func(m *GradingModel) { m.Indicators[0].Items = []string{"XZCF"} }, "indicators[0].items", "grading.listed"},
		{"field the item does not have", func(m *GradingModel) { m.Indicators[3].Field = "CN_X" }, "indicators[3].field", "grading.field"},
		{"field without values", func(m *GradingModel) { m.Indicators[3].Values = nil }, "indicators[3].values", "grading.field"},
		{"severity on positive information", func(m *GradingModel) { m.Indicators[4].Severities = []Severity{SeverityGeneral} }, "indicators[4].severities", "grading.severity"},
		{"duplicate indicator", func(m *GradingModel) { m.Indicators[1].Code = "LISTED" }, "indicators[1].code", "unique"},
		{"no points, no rule", func(m *GradingModel) { m.Indicators[4].Points = 0 }, "indicators[4].points", "grading.points"},
		{"window too long", func(m *GradingModel) { m.Indicators[2].WindowMonths = 999 }, "indicators[2].window_months", "grading.window"},
		{"thresholds not falling", func(m *GradingModel) { m.Grades[1].MinScore = 95 }, "grades", "grading.thresholds"},
		{"one grade only", func(m *GradingModel) { m.Grades = m.Grades[:1] }, "grades", "grading.grades"},
		{"rule on unknown grade", func(m *GradingModel) { m.Rules[0].Grade = "E" }, "rules[0].grade", "grading.rule"},
		{"rule on unknown indicator", func(m *GradingModel) { m.Rules[0].Indicator = "X" }, "rules[0].indicator", "grading.rule"},
		{"rule without reason", func(m *GradingModel) { m.Rules[0].Reason = "" }, "rules[0].reason", "required"},
		// DOMAIN.md §2 宽容审慎: force majeure and no fault never count.
		{"force majeure cannot count", func(m *GradingModel) { m.Lenient = []string{LenientNoFault} }, "lenient", "grading.lenient"},
		{"no legal basis", func(m *GradingModel) { m.LegalBasis = " " }, "legal_basis", "grading.legal_basis"},
		{"bad cycle", func(m *GradingModel) { m.Cycle = "weekly" }, "cycle", "grading.cycle"},
		{"bad id", func(m *GradingModel) { m.ID = "a b/c" }, "id", "grading.id"},
		{"end before start", func(m *GradingModel) { m.EffectiveTo = MustDate("2025-01-01") }, "effective_to", "grading.dates"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testModel()
			m.Indicators = slices.Clone(m.Indicators)
			m.Grades = slices.Clone(m.Grades)
			m.Rules = slices.Clone(m.Rules)
			tt.change(&m)
			err := ValidateGradingModel(m, cat)
			if ErrorCode(err) != EINVALID {
				t.Fatalf("want invalid, got %v", err)
			}
			for _, f := range err.(*Error).Fields {
				if f.Field == tt.field && f.Rule == tt.rule {
					return
				}
			}
			t.Errorf("want %s/%s in %+v", tt.field, tt.rule, err.(*Error).Fields)
		})
	}
}

func TestNormalizeGradingModel(t *testing.T) {
	m := NormalizeGradingModel(GradingModel{ID: " x "})
	if m.ID != "x" || len(m.Grades) != 4 || m.Grades[0].Grade != "A" || m.Grades[3].Grade != "D" || m.BaseScore != 100 || m.Cycle != "annual" {
		t.Errorf("defaults: %+v", m)
	}
	if !slices.Contains(m.Lenient, LenientForceMajeure) || !slices.Contains(m.Lenient, LenientNoFault) {
		t.Errorf("lenient defaults: %v", m.Lenient)
	}
}

func grec(id, item, decision string, sev Severity) GradingRecord {
	return GradingRecord{ID: id, Item: item, Status: RecordActive, Decision: MustDate(decision), Severity: sev}
}

func TestEvaluate(t *testing.T) {
	on := MustDate("2026-06-30")
	listed := GradingListing{ID: "l1", ListType: "SAMR_SERIOUS", State: ListingListed, ListedOn: MustDate("2026-01-10"), EndDate: MustDate("2029-01-10")}
	tests := []struct {
		name       string
		in         GradeInput
		grade      string
		score      float64
		indicators map[string][]string // indicator → records or listings behind it
		notCounted map[string]string
		rule       string
	}{
		{name: "no records: the base score, A", grade: "A", score: 100},
		{name: "one general penalty", in: GradeInput{Records: []GradingRecord{grec("p1", "XZCF", "2026-01-01", SeverityGeneral)}},
			grade: "A", score: 95, indicators: map[string][]string{"PENALTY": {"p1"}}},
		{name: "penalties by severity, minor −2, general −5, serious −20", in: GradeInput{Records: []GradingRecord{
			grec("p1", "XZCF", "2026-01-01", SeverityMinor), grec("p2", "XZCF", "2025-01-01", SeverityGeneral), grec("p3", "XZCF", "2024-01-01", SeveritySerious)}},
			grade: "C", score: 73, indicators: map[string][]string{"PENALTY": {"p1", "p2", "p3"}}},
		{name: "penalty window: older than 36 months does not count", in: GradeInput{Records: []GradingRecord{grec("p1", "XZCF", "2023-06-29", SeveritySerious), grec("p2", "XZCF", "2023-06-30", SeverityMinor)}},
			grade: "A", score: 98, indicators: map[string][]string{"PENALTY": {"p2"}}},
		{name: "decided after the evaluation date does not count", in: GradeInput{Records: []GradingRecord{grec("p1", "XZCF", "2026-07-01", SeveritySerious)}}, grade: "A", score: 100},
		{name: "cap at 60 points", in: GradeInput{Records: []GradingRecord{
			grec("p1", "XZCF", "2026-01-01", SeveritySerious), grec("p2", "XZCF", "2026-01-02", SeveritySerious), grec("p3", "XZCF", "2026-01-03", SeveritySerious), grec("p4", "XZCF", "2026-01-04", SeveritySerious)}},
			grade: "D", score: 40, indicators: map[string][]string{"PENALTY": {"p1", "p2", "p3", "p4"}}},
		// DOMAIN.md §2, §6: withdrawn and repaired records stop counting at once.
		{name: "withdrawn and repaired records stop counting", in: GradeInput{Records: []GradingRecord{
			{ID: "w1", Item: "XZCF", Status: RecordWithdrawn, Decision: MustDate("2026-01-01"), Severity: SeveritySerious},
			{ID: "r1", Item: "XZCF", Status: RecordActive, Decision: MustDate("2026-01-01"), Severity: SeveritySerious, Repair: RepairEnded},
			{ID: "r2", Item: "XZCF", Status: RecordActive, Decision: MustDate("2026-01-01"), Severity: SeveritySerious, Repair: RepairShielded},
			{ID: "r3", Item: "XZCF", Status: RecordActive, Decision: MustDate("2026-01-01"), Severity: SeveritySerious, Repair: RepairDeleted}}},
			grade: "A", score: 100, notCounted: map[string]string{"w1": "withdrawn", "r1": "repaired.ended", "r2": "repaired.shielded", "r3": "repaired.deleted"}},
		// DOMAIN.md §2 宽容审慎; tax credit rules: force majeure does not affect the rating, 首违不罚 not counted.
		{name: "force majeure, no fault and first minor are left out", in: GradeInput{Records: []GradingRecord{
			{ID: "f1", Item: "XZCF", Status: RecordActive, Decision: MustDate("2026-01-01"), Severity: SeveritySerious, Leniency: Leniency{ForceMajeure: true, Reason: "地震"}},
			{ID: "f2", Item: "XZCF", Status: RecordActive, Decision: MustDate("2026-01-01"), Severity: SeveritySerious, Leniency: Leniency{NoFault: true, Reason: "x"}},
			{ID: "f3", Item: "XZCF", Status: RecordActive, Decision: MustDate("2026-01-01"), Severity: SeverityMinor, Leniency: Leniency{FirstMinor: true, Reason: "x"}},
			{ID: "f4", Item: "XZCF", Status: RecordActive, Decision: MustDate("2026-01-01"), Severity: SeverityMinor, Leniency: Leniency{Minor: true, Reason: "x"}}}},
			grade: "A", score: 98, indicators: map[string][]string{"PENALTY": {"f4"}}, notCounted: map[string]string{"f1": "force_majeure", "f2": "no_fault", "f3": "first_minor"}},
		{name: "records of items the model does not read are ignored", in: GradeInput{Records: []GradingRecord{grec("x1", "XZXK", "2026-01-01", SeverityNone)}}, grade: "A", score: 100},
		// Rules cap the grade whatever the score (serious list → D).
		{name: "listed: −100 and at best D", in: GradeInput{Listings: []GradingListing{listed}}, grade: "D", score: 0,
			indicators: map[string][]string{"LISTED": {"l1"}}, rule: "LISTED"},
		{name: "a listing no longer in force does not count", in: GradeInput{Listings: []GradingListing{{ID: "l2", State: ListingRemoved, ListedOn: MustDate("2025-01-01")}, {ID: "l3", State: ListingListed, ListedOn: MustDate("2023-01-01"), EndDate: MustDate("2026-01-01")}}}, grade: "A", score: 100},
		{name: "court defaulter: 60 points but at best C", in: GradeInput{Records: []GradingRecord{grec("s1", "SFZX", "2020-01-01", SeveritySerious)}},
			grade: "C", score: 60, indicators: map[string][]string{"DEFAULTER": {"s1"}}, rule: "DEFAULTER"},
		{name: "rule does not raise a worse grade", in: GradeInput{Records: []GradingRecord{grec("s1", "SFZX", "2020-01-01", SeveritySerious), grec("p1", "XZCF", "2026-01-01", SeveritySerious)}},
			grade: "D", score: 40, indicators: map[string][]string{"DEFAULTER": {"s1"}, "PENALTY": {"p1"}}, rule: "DEFAULTER"},
		{name: "kept commitments and honours add, capped at 10", in: GradeInput{Records: []GradingRecord{
			{ID: "c1", Item: "XYCN", Status: RecordActive, Decision: MustDate("2026-01-01"), Fields: map[string]string{"CN_LXZT": "已履行"}},
			{ID: "c2", Item: "XYCN", Status: RecordActive, Decision: MustDate("2026-01-01"), Fields: map[string]string{"CN_LXZT": "未履行"}},
			grec("h1", "CXRY", "2026-01-01", SeverityNone), grec("h2", "CXRY", "2026-01-01", SeverityNone), grec("h3", "CXRY", "2026-01-01", SeverityNone),
			grec("p1", "XZCF", "2026-01-01", SeveritySerious)}},
			grade: "A", score: 92, indicators: map[string][]string{"KEPT": {"c1"}, "HONOUR": {"h1", "h2", "h3"}, "PENALTY": {"p1"}}},
	}
	m := testModel()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Evaluate(m, tt.in, on)
			if got.Grade != tt.grade || got.Score != tt.score {
				t.Errorf("grade %s score %v, want %s %v (%+v)", got.Grade, got.Score, tt.grade, tt.score, got.Explanation)
			}
			have := map[string][]string{}
			for _, s := range got.Explanation.Indicators {
				have[s.Code] = append(slices.Clone(s.Records), s.Listings...)
				if s.Count != len(have[s.Code]) {
					t.Errorf("%s: count %d for %v", s.Code, s.Count, have[s.Code])
				}
			}
			if len(have) != len(tt.indicators) {
				t.Errorf("indicators %v, want %v", have, tt.indicators)
			}
			for code, want := range tt.indicators {
				if !slices.Equal(have[code], want) {
					t.Errorf("indicator %s behind %v, want %v", code, have[code], want)
				}
			}
			nc := map[string]string{}
			for _, n := range got.Explanation.NotCounted {
				nc[n.Record] = n.Reason
			}
			if len(nc) != len(tt.notCounted) {
				t.Errorf("not counted %v, want %v", nc, tt.notCounted)
			}
			for id, why := range tt.notCounted {
				if nc[id] != why {
					t.Errorf("record %s left out for %q, want %q", id, nc[id], why)
				}
			}
			if tt.rule != "" && (len(got.Explanation.Rules) == 0 || got.Explanation.Rules[0].Indicator != tt.rule) {
				t.Errorf("rules %+v, want %s", got.Explanation.Rules, tt.rule)
			}
			// Pure: the same input gives the same result.
			if again := Evaluate(m, tt.in, on); again.Grade != got.Grade || again.Score != got.Score {
				t.Errorf("not deterministic")
			}
		})
	}
}

func TestEvaluateCustomGradeSet(t *testing.T) {
	// A province may use another notation (e.g. 优/良/中/差) and thresholds.
	m := testModel()
	m.Grades = []GradeBand{{Grade: "优", MinScore: 95}, {Grade: "良", MinScore: 80}, {Grade: "差"}}
	m.Rules = []GradeRule{{Indicator: "LISTED", Grade: "差", Reason: "名单", AtLeast: 1}}
	if err := ValidateGradingModel(m, gradingCatalogue()); err != nil {
		t.Fatal(err)
	}
	got := Evaluate(m, GradeInput{Records: []GradingRecord{grec("p1", "XZCF", "2026-01-01", SeverityGeneral)}}, MustDate("2026-06-30"))
	if got.Grade != "优" || got.Score != 95 {
		t.Errorf("got %s %v", got.Grade, got.Score)
	}
	got = Evaluate(m, GradeInput{Records: []GradingRecord{grec("p1", "XZCF", "2026-01-01", SeveritySerious)}}, MustDate("2026-06-30"))
	if got.Grade != "良" || got.Score != 80 {
		t.Errorf("got %s %v", got.Grade, got.Score)
	}
}

func TestGradeReview(t *testing.T) {
	cal := Calendar{}
	m := testModel()
	g := Grade{SubjectID: "s1", ModelID: "test", ModelVersion: 1, Grade: "C", Score: 62, On: MustDate("2026-06-30"), LedgerSize: 42}
	today := MustDate("2026-07-01") // a Wednesday
	if _, err := FileGradeReview(g, m, GradeReviewInput{Reasons: " "}, today, 0, cal); ErrorCode(err) != EINVALID {
		t.Errorf("a review without reasons: %v", err)
	}
	r, err := FileGradeReview(g, m, GradeReviewInput{Reasons: "处罚已撤销"}, today, 0, cal)
	if err != nil {
		t.Fatal(err)
	}
	// 10 working days from a Wednesday (weekends only in the zero calendar).
	if r.Deadline != MustDate("2026-07-15") || r.State != ReviewFiled || r.Grade != "C" || r.LedgerSize != 42 {
		t.Errorf("filed: %+v", r)
	}
	tests := []struct {
		name string
		in   ReviewDecisionInput
		code string
	}{
		{"no reasons", ReviewDecisionInput{Outcome: ReviewUpheld}, EINVALID},
		{"unknown outcome", ReviewDecisionInput{Outcome: "maybe", Reasons: "x"}, EINVALID},
		{"regraded to a grade outside the set", ReviewDecisionInput{Outcome: ReviewRegraded, Grade: "E", Reasons: "x"}, EINVALID},
		{"regraded to the same grade", ReviewDecisionInput{Outcome: ReviewRegraded, Grade: "C", Reasons: "x"}, EINVALID},
		{"upheld with another grade", ReviewDecisionInput{Outcome: ReviewUpheld, Grade: "B", Reasons: "x"}, EINVALID},
		{"upheld", ReviewDecisionInput{Outcome: ReviewUpheld, Reasons: "记录准确"}, ""},
		{"regraded", ReviewDecisionInput{Outcome: ReviewRegraded, Grade: "B", Reasons: "处罚已撤销"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := DecideGradeReview(r, m, tt.in, MustDate("2026-07-16"), "account:x")
			if ErrorCode(err) != tt.code {
				t.Fatalf("err %v, want %q", err, tt.code)
			}
			if err != nil {
				return
			}
			if d.State != ReviewDecided || d.Version != 2 || !d.Decision.Late {
				t.Errorf("decided: %+v %+v", d, d.Decision)
			}
			if tt.in.Outcome == ReviewRegraded && d.Decision.Grade != "B" || tt.in.Outcome == ReviewUpheld && d.Decision.Grade != "C" {
				t.Errorf("decision grade %s", d.Decision.Grade)
			}
			if _, err := DecideGradeReview(d, m, tt.in, today, "x"); ErrorCode(err) != ECONFLICT {
				t.Errorf("deciding twice: %v", err)
			}
		})
	}
	if !ReviewOverdue(r, MustDate("2026-07-16")) || ReviewOverdue(r, MustDate("2026-07-15")) {
		t.Errorf("overdue")
	}
}

func TestNextGradingModelVersion(t *testing.T) {
	cur := testModel()
	next := testModel()
	next.EffectiveFrom = MustDate("2025-01-01")
	if _, err := NextGradingModelVersion(cur, next); ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), "not valid") {
		t.Errorf("an earlier effective date: %v", err)
	}
	next.EffectiveFrom = MustDate("2026-01-01")
	n, err := NextGradingModelVersion(cur, next)
	if err != nil || n.Version != 2 {
		t.Errorf("next version: %v %d", err, n.Version)
	}
}

func BenchmarkEvaluate(b *testing.B) {
	m := NewEvaluator(testModel())
	in := GradeInput{Records: []GradingRecord{
		grec("p1", "XZCF", "2026-01-01", SeverityGeneral), grec("p2", "XZCF", "2025-01-01", SeverityMinor), grec("x1", "XZXK", "2026-01-01", ""),
		grec("p3", "XZCF", "2022-01-01", SeveritySerious), grec("h1", "CXRY", "2026-01-01", ""),
	}}
	on := MustDate("2026-06-30")
	for b.Loop() {
		m.Evaluate(in, on)
	}
}

// TestRegradeTarget: a reviewer's regrade replaces the grade the review was
// filed on, not one evaluated anew since (DOMAIN.md §8: a grade is
// explainable from the records behind it).
func TestRegradeTarget(t *testing.T) {
	g := Grade{SubjectID: "s", ModelID: "m", ModelVersion: 2, Grade: "C", On: MustDate("2026-11-02"), LedgerSize: 100}
	r := GradeReview{SubjectID: "s", ModelID: "m", ModelVersion: 2, Grade: "C", GradeOn: MustDate("2026-11-02"), LedgerSize: 100}
	if err := RegradeTarget(r, g); err != nil {
		t.Fatalf("the reviewed grade itself: %v", err)
	}
	for name, mod := range map[string]func(*Grade){
		"evaluated on a later day":       func(g *Grade) { g.On = MustDate("2026-11-20") },
		"under a new model version":      func(g *Grade) { g.ModelVersion = 3 },
		"over a longer ledger, same day": func(g *Grade) { g.LedgerSize = 150 },
	} {
		n := g
		mod(&n)
		if err := RegradeTarget(r, n); ErrorCode(err) != ECONFLICT {
			t.Errorf("%s: %v, want a conflict", name, err)
		}
	}
}
