package xinyong

import (
	"strings"
	"testing"
)

// testRegimes are the three publication regimes of DOMAIN.md §3 and
// regulation.md §3, written here as data independently of any loader.
//
// The 2019 and 2023 regimes have no 轻微 (minor) class ("—" in DOMAIN.md):
// such information was general information then, so minor gets the general
// rule. The warning-only exclusion (SAMR Order 45 Art. 2, in force
// 2021-09-01) is put on the two later regimes only, since it began in the
// middle of the 2019 regime.
func testRegimes() Regimes {
	samr45 := "SAMR Order 45 Art. 2"
	return Regimes{
		{
			Code: "ndrc-2019-527", Name: "527号", LegalBasis: "发改办财金〔2019〕527号",
			From: MustDate("2019-07-01"), To: MustDate("2023-05-01"),
			Rules: map[Severity]PeriodRule{
				SeverityMinor:   {Publish: true, MinMonths: 3, MaxMonths: 12},
				SeverityGeneral: {Publish: true, MinMonths: 3, MaxMonths: 12},
				SeveritySerious: {Publish: true, MinMonths: 6, MaxMonths: 36},
			},
			Provenance: ProvenanceConfirmed,
		},
		{
			Code: "ndrc-order-58", Name: "Order 58", LegalBasis: "NDRC Order 58 (2023)",
			From: MustDate("2023-05-01"), To: MustDate("2026-04-01"),
			Rules: map[Severity]PeriodRule{
				SeverityMinor:   {Publish: true, MinMonths: 3, MaxMonths: 36},
				SeverityGeneral: {Publish: true, MinMonths: 3, MaxMonths: 36},
				SeveritySerious: {Publish: true, MinMonths: 3, MaxMonths: 36},
			},
			SectorMinMonths:    map[string]int{"特种设备": 12, "安全生产": 12, "消防": 12},
			NotPublishedIfOnly: []string{"警告"}, NotPublishedBasis: samr45,
			Provenance: ProvenanceUnconfirmed,
		},
		{
			Code: "gbf-2025-22", Name: "22号 / Order 36", LegalBasis: "国办发〔2025〕22号; NDRC Order 36",
			From: MustDate("2026-04-01"),
			Rules: map[Severity]PeriodRule{
				SeverityMinor:   {Publish: false},
				SeverityGeneral: {Publish: true, MinMonths: 3, MaxMonths: 12},
				SeveritySerious: {Publish: true, MinMonths: 12, MaxMonths: 36},
			},
			// 22号 section 2 examples: licence revocation and bans from
			// practice are serious; confiscation of illegal property general.
			CategorySeverity: map[string]Severity{
				"吊销许可证件": SeveritySerious, "限制从业": SeveritySerious,
				"没收非法财物": SeverityGeneral, "没收违法所得": SeverityGeneral,
				"警告": SeverityMinor, "通报批评": SeverityMinor,
			},
			NotPublishedIfOnly: []string{"警告"}, NotPublishedBasis: samr45,
			Provenance: ProvenanceConfirmed,
		},
	}
}

func TestTestRegimesAreValid(t *testing.T) {
	rs := testRegimes()
	for _, r := range rs {
		if err := ValidateRegime(r); err != nil {
			t.Errorf("ValidateRegime(%s): %v", r.Code, err)
		}
	}
	if err := rs.Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
	// Overlap: an open-ended regime followed by another.
	bad := Regimes{rs[2], rs[0]}
	bad[1].To = Date{}
	if err := bad.Check(); err == nil {
		t.Error("open-ended regime followed by another: no overlap reported")
	}
	over := Regimes{rs[0], rs[1]}
	over[1].From = MustDate("2023-04-01")
	if err := over.Check(); err == nil {
		t.Error("overlapping dates: no overlap reported")
	}
	noBasis := rs[0]
	noBasis.LegalBasis = " "
	if !hasRule(ValidateRegime(noBasis), "regime.legal_basis") {
		t.Error("a regime without a legal basis was accepted")
	}
	inverted := rs[0]
	inverted.To = inverted.From
	if !hasRule(ValidateRegime(inverted), "regime.dates") {
		t.Error("a regime ending when it begins was accepted")
	}
	missing := rs[2]
	missing.Rules = map[Severity]PeriodRule{SeverityGeneral: {Publish: true, MinMonths: 3, MaxMonths: 12}}
	if !hasRule(ValidateRegime(missing), "regime.rules") {
		t.Error("a regime without a rule for each class was accepted")
	}
	badPeriod := rs[2]
	badPeriod.Rules = map[Severity]PeriodRule{SeverityMinor: {}, SeverityGeneral: {Publish: true, MinMonths: 13, MaxMonths: 12}, SeveritySerious: {Publish: true, MinMonths: 12, MaxMonths: 36}}
	if !hasRule(ValidateRegime(badPeriod), "regime.period") {
		t.Error("min > max was accepted")
	}
}

func TestPublicationWindow(t *testing.T) {
	rs := testRegimes()
	tests := []struct {
		name      string
		in        PublicationInput
		published bool
		regime    string
		severity  Severity
		minEnd    string
		maxEnd    string
		reason    string // substring of Reason
		basis     string
	}{
		// Regime boundaries: chosen by the decision date (DOMAIN.md §3).
		{"last day of 527号, general", PublicationInput{Decision: MustDate("2023-04-30"), Severity: SeverityGeneral, Categories: []string{"罚款"}},
			true, "ndrc-2019-527", SeverityGeneral, "2023-07-30", "2024-04-30", "", "527号: general 3 months to 1 year"},
		{"last day of 527号, serious", PublicationInput{Decision: MustDate("2023-04-30"), Severity: SeveritySerious},
			true, "ndrc-2019-527", SeveritySerious, "2023-10-30", "2026-04-30", "", "527号: serious 6 months to 3 years"},
		{"first day of Order 58, general", PublicationInput{Decision: MustDate("2023-05-01"), Severity: SeverityGeneral, Categories: []string{"罚款"}},
			true, "ndrc-order-58", SeverityGeneral, "2023-08-01", "2026-05-01", "", "Order 58: 3 months to 3 years"},
		{"first day of Order 58, serious", PublicationInput{Decision: MustDate("2023-05-01"), Severity: SeveritySerious},
			true, "ndrc-order-58", SeveritySerious, "2023-08-01", "2026-05-01", "", "Order 58: same period for serious"},
		{"last day of Order 58, general", PublicationInput{Decision: MustDate("2026-03-31"), Severity: SeverityGeneral},
			true, "ndrc-order-58", SeverityGeneral, "2026-06-30", "2029-03-31", "", "Order 58; 31 March + 3 months = 30 June"},
		{"first day of Order 36, general", PublicationInput{Decision: MustDate("2026-04-01"), Severity: SeverityGeneral},
			true, "gbf-2025-22", SeverityGeneral, "2026-07-01", "2027-04-01", "", "22号: general 3 months to 1 year"},
		{"first day of Order 36, serious", PublicationInput{Decision: MustDate("2026-04-01"), Severity: SeveritySerious},
			true, "gbf-2025-22", SeveritySerious, "2027-04-01", "2029-04-01", "", "22号: serious 1 to 3 years"},
		{"first day of 527号", PublicationInput{Decision: MustDate("2019-07-01"), Severity: SeverityGeneral},
			true, "ndrc-2019-527", SeverityGeneral, "2019-10-01", "2020-07-01", "", "527号 effective 2019-07-01"},

		// No regime before 2019-07-01.
		{"before any regime", PublicationInput{Decision: MustDate("2019-06-30"), Severity: SeveritySerious},
			false, "", "", "", "", "no publication regime", "527号 effective 2019-07-01; nothing earlier in the table"},
		{"zero decision date", PublicationInput{Severity: SeverityGeneral},
			false, "", "", "", "", "no publication regime", "periods run from the decision date"},

		// Minor information.
		{"minor, last day of Order 58: published as general", PublicationInput{Decision: MustDate("2026-03-31"), Severity: SeverityMinor},
			true, "ndrc-order-58", SeverityMinor, "2026-06-30", "2029-03-31", "", "Order 58 has no minor class"},
		{"minor, first day of Order 36: not published", PublicationInput{Decision: MustDate("2026-04-01"), Severity: SeverityMinor, Categories: []string{"罚款"}},
			false, "gbf-2025-22", SeverityMinor, "", "", "not published", "国办发〔2025〕22号: 轻微 not published"},
		{"通报批评 only from 2026-04-01: minor, not published", PublicationInput{Decision: MustDate("2026-05-01"), Severity: SeverityMinor, Categories: []string{"通报批评"}},
			false, "gbf-2025-22", SeverityMinor, "", "", "not published", "国办发〔2025〕22号: 通报批评 is 轻微"},

		// Warning-only penalties.
		{"warning only, Order 58", PublicationInput{Decision: MustDate("2024-06-01"), Severity: SeverityGeneral, Categories: []string{"警告"}},
			false, "ndrc-order-58", "", "", "", "警告", "SAMR Order 45 Art. 2"},
		{"warning only, Order 36", PublicationInput{Decision: MustDate("2026-06-01"), Severity: SeverityGeneral, Categories: []string{"警告"}},
			false, "gbf-2025-22", "", "", "", "SAMR Order 45", "SAMR Order 45 Art. 2"},
		{"warning only, repeated and spaced", PublicationInput{Decision: MustDate("2024-06-01"), Severity: SeverityGeneral, Categories: []string{" 警告 ", "警告；"}},
			false, "ndrc-order-58", "", "", "", "警告", "SAMR Order 45 Art. 2"},
		{"warning and fine: published", PublicationInput{Decision: MustDate("2024-06-01"), Severity: SeverityGeneral, Categories: []string{"警告", "罚款"}},
			true, "ndrc-order-58", SeverityGeneral, "2024-09-01", "2027-06-01", "", "SAMR Order 45 Art. 2: only warning-only is excluded"},

		// Several categories: the longest period wins.
		{"fine + licence revocation, Order 36: serious", PublicationInput{Decision: MustDate("2026-04-01"), Severity: SeverityGeneral, Categories: []string{"罚款", "吊销许可证件"}},
			true, "gbf-2025-22", SeveritySerious, "2027-04-01", "2029-04-01", "", "regulation.md §3.1: several penalty types take the longest period"},
		{"same in one 处罚类别 cell, other order", PublicationInput{Decision: MustDate("2026-04-01"), Severity: SeverityGeneral, Categories: []string{"吊销许可证件;罚款"}},
			true, "gbf-2025-22", SeveritySerious, "2027-04-01", "2029-04-01", "", "regulation.md §3.1; 双公示 CF_CFLB cell"},
		{"minor record with confiscation: raised to general", PublicationInput{Decision: MustDate("2026-04-01"), Severity: SeverityMinor, Categories: []string{"警告、没收非法财物"}},
			true, "gbf-2025-22", SeverityGeneral, "2026-07-01", "2027-04-01", "", "22号: confiscation of illegal property is 一般; longest wins"},
		{"serious record with a warning: stays serious", PublicationInput{Decision: MustDate("2026-04-01"), Severity: SeveritySerious, Categories: []string{"罚款", "通报批评"}},
			true, "gbf-2025-22", SeveritySerious, "2027-04-01", "2029-04-01", "", "a category never lowers the class"},
		{"no severity given: general", PublicationInput{Decision: MustDate("2026-04-01"), Categories: []string{"罚款"}},
			true, "gbf-2025-22", SeverityGeneral, "2026-07-01", "2027-04-01", "", "unclassified negative information counts as general"},

		// Sector minimum of 12 months under Order 58.
		{"Order 58, 安全生产: 12 months minimum", PublicationInput{Decision: MustDate("2024-02-29"), Severity: SeverityGeneral, Sector: "安全生产"},
			true, "ndrc-order-58", SeverityGeneral, "2025-02-28", "2027-02-28", "12 to 36", "Order 58 practice: 1 year minimum for production safety"},
		{"Order 58, 特种设备", PublicationInput{Decision: MustDate("2023-05-01"), Severity: SeveritySerious, Sector: "特种设备"},
			true, "ndrc-order-58", SeveritySerious, "2024-05-01", "2026-05-01", "", "Order 58 practice: special equipment"},
		{"Order 58, 消防", PublicationInput{Decision: MustDate("2025-01-15"), Severity: SeverityGeneral, Sector: "消防"},
			true, "ndrc-order-58", SeverityGeneral, "2026-01-15", "2028-01-15", "", "Order 58 practice: fire safety"},
		{"Order 58, other sector: 3 months", PublicationInput{Decision: MustDate("2025-01-15"), Severity: SeverityGeneral, Sector: "食品"},
			true, "ndrc-order-58", SeverityGeneral, "2025-04-15", "2028-01-15", "", "Order 58: 3 months minimum elsewhere"},
		{"527号 has no sector minimum", PublicationInput{Decision: MustDate("2022-01-15"), Severity: SeverityGeneral, Sector: "安全生产"},
			true, "ndrc-2019-527", SeverityGeneral, "2022-04-15", "2023-01-15", "", "sector minimum is an Order 58 rule"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := PublicationWindow(rs, tt.in)
			if w.Published != tt.published {
				t.Fatalf("Published = %v, want %v (%s); window %+v", w.Published, tt.published, tt.basis, w)
			}
			if w.Regime != tt.regime {
				t.Errorf("Regime = %q, want %q (%s)", w.Regime, tt.regime, tt.basis)
			}
			if w.Severity != tt.severity {
				t.Errorf("Severity = %q, want %q (%s)", w.Severity, tt.severity, tt.basis)
			}
			if w.Reason == "" || (tt.reason != "" && !strings.Contains(w.Reason, tt.reason)) {
				t.Errorf("Reason = %q, want it to mention %q", w.Reason, tt.reason)
			}
			if !tt.published {
				if !w.Start.IsZero() || !w.MinEnd.IsZero() || !w.MaxEnd.IsZero() {
					t.Errorf("unpublished window has dates: %+v", w)
				}
				return
			}
			if w.Start != tt.in.Decision {
				t.Errorf("Start = %s, want the decision date %s (periods run from it)", w.Start, tt.in.Decision)
			}
			if w.MinEnd.String() != tt.minEnd || w.MaxEnd.String() != tt.maxEnd {
				t.Errorf("MinEnd, MaxEnd = %s, %s; want %s, %s (%s)", w.MinEnd, w.MaxEnd, tt.minEnd, tt.maxEnd, tt.basis)
			}
		})
	}
}

func TestSectorMinimumIsCappedByMaximum(t *testing.T) {
	rs := Regimes{{
		Code: "x", LegalBasis: "test", From: MustDate("2020-01-01"),
		Rules: map[Severity]PeriodRule{
			SeverityMinor: {}, SeverityGeneral: {Publish: true, MinMonths: 3, MaxMonths: 6}, SeveritySerious: {Publish: true, MinMonths: 6, MaxMonths: 36},
		},
		SectorMinMonths: map[string]int{"消防": 12},
	}}
	w := PublicationWindow(rs, PublicationInput{Decision: MustDate("2024-01-01"), Severity: SeverityGeneral, Sector: "消防"})
	if w.MinEnd.String() != "2024-07-01" || w.MaxEnd.String() != "2024-07-01" {
		t.Errorf("min capped at max: got %s..%s", w.MinEnd, w.MaxEnd)
	}
}

func TestWindowOpen(t *testing.T) {
	// Periods run from the decision date; at the maximum publication stops by
	// itself (DOMAIN.md §3).
	w := PublicationWindow(testRegimes(), PublicationInput{Decision: MustDate("2026-04-01"), Severity: SeverityGeneral})
	tests := []struct {
		on   string
		open bool
	}{
		{"2026-03-31", false}, // before the decision
		{"2026-04-01", true},  // decision date
		{"2026-07-01", true},  // minimum reached: still open until ended
		{"2027-03-31", true},  // last day before the maximum
		{"2027-04-01", false}, // maximum: stops by itself
		{"2030-01-01", false},
	}
	for _, tt := range tests {
		if got := w.Open(MustDate(tt.on)); got != tt.open {
			t.Errorf("Open(%s) = %v, want %v", tt.on, got, tt.open)
		}
	}
	closed := PublicationWindow(testRegimes(), PublicationInput{Decision: MustDate("2026-04-01"), Severity: SeverityMinor})
	if closed.Open(MustDate("2026-04-01")) || closed.Open(MustDate("2026-05-01")) {
		t.Error("an unpublished window is open")
	}
	if (Window{}).Open(MustDate("2026-04-01")) {
		t.Error("the zero window is open")
	}
}

func TestRegimesFor(t *testing.T) {
	rs := testRegimes()
	for _, tt := range []struct{ d, code string }{
		{"2019-06-30", ""}, {"2019-07-01", "ndrc-2019-527"}, {"2023-04-30", "ndrc-2019-527"},
		{"2023-05-01", "ndrc-order-58"}, {"2026-03-31", "ndrc-order-58"}, {"2026-04-01", "gbf-2025-22"}, {"2099-12-31", "gbf-2025-22"},
	} {
		r, ok := rs.For(MustDate(tt.d))
		if ok != (tt.code != "") || r.Code != tt.code {
			t.Errorf("For(%s) = %q, %v; want %q", tt.d, r.Code, ok, tt.code)
		}
	}
}

func TestSplitCategories(t *testing.T) {
	// 双公示 CF_CFLB cells join several Art. 9 categories with ; ； , ， 、 or |.
	got := SplitCategories(" 罚款;没收违法所得；警告、罚款 | 其他,,")
	want := []string{"罚款", "没收违法所得", "警告", "其他"}
	if strings.Join(got, "/") != strings.Join(want, "/") {
		t.Errorf("SplitCategories = %q, want %q", got, want)
	}
	if len(SplitCategories("")) != 0 {
		t.Error("empty cell has categories")
	}
	if len(PenaltyCategories) != 14 || PenaltyCategories[0] != "警告" || PenaltyCategories[13] != "其他" {
		t.Errorf("Administrative Penalty Law 2021 Art. 9 lists 14 kinds: %v", PenaltyCategories)
	}
}

func BenchmarkPublicationWindow(b *testing.B) {
	rs := testRegimes()
	in := PublicationInput{Decision: MustDate("2026-04-01"), Severity: SeverityGeneral, Categories: []string{"罚款;吊销许可证件"}}
	for b.Loop() {
		if w := PublicationWindow(rs, in); !w.Published {
			b.Fatal("not published")
		}
	}
}
