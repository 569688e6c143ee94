package xinyong

import (
	"slices"
	"strings"
	"testing"
)

// Credit repair rules (DOMAIN.md §6; regulation.md §3).

func TestDefaultRepairRulesAreDatedAndValid(t *testing.T) {
	if err := CheckRepairRuleSets(DefaultRepairRules); err != nil {
		t.Fatal(err)
	}
	// regulation.md §0.4: the rule set is chosen by the application date.
	for _, tt := range []struct {
		day, want string
	}{
		{"2019-07-01", "REPAIR-2019"},
		{"2023-04-30", "REPAIR-2019"},
		{"2023-05-01", "REPAIR-ORDER58"}, // Order 58 in force 2023-05-01
		{"2026-03-31", "REPAIR-ORDER58"},
		{"2026-04-01", "REPAIR-ORDER36"}, // Order 36 repeals Order 58 from 2026-04-01
		{"2030-01-01", "REPAIR-ORDER36"},
	} {
		r, ok := DefaultRepairRules.For(MustDate(tt.day))
		if !ok || r.Code != tt.want {
			t.Errorf("%s: rules %s, want %s", tt.day, r.Code, tt.want)
		}
		// National practice: decide within 10 working days, connected
		// systems within 3 (regulation.md §3.1).
		if r.DecideDays != 10 || r.SyncDays != 3 {
			t.Errorf("%s: limits %d/%d, want 10/3", tt.day, r.DecideDays, r.SyncDays)
		}
	}
	if _, ok := DefaultRepairRules.For(MustDate("2019-06-30")); ok {
		t.Error("no rule set governs before 2019-07-01")
	}
	bad := DefaultRepairRules[2]
	bad.LegalBasis, bad.DecideDays = "", 0
	err := ValidateRepairRules(bad)
	if !repairHasRule(err, "repair_rules.legal_basis") || !repairHasRule(err, "repair_rules.limit") {
		t.Errorf("rules without basis and limit: %v", err)
	}
	overlap := RepairRuleSets{DefaultRepairRules[1], DefaultRepairRules[2]}
	overlap[1].From = MustDate("2026-01-01")
	if CheckRepairRuleSets(overlap) == nil {
		t.Error("overlapping rule sets accepted")
	}
}

func repairHasRule(err error, rule string) bool {
	for _, f := range ErrorFields(err) {
		if f.Rule == rule {
			return true
		}
	}
	return false
}

func repairRecord() (Record, CatalogueItem) {
	dec := MustDate("2025-06-02")
	r := Record{ID: "r1", Item: "XZCF", Kind: "penalty", SubjectID: "S1", DepartmentID: "D1", Status: RecordActive, Severity: SeverityGeneral,
		Categories: []string{"罚款"}, Document: Document{Number: "罚〔2025〕1号", DecisionDate: dec},
		Window: Window{Published: true, Start: dec, MinEnd: dec.AddMonths(3), MaxEnd: dec.AddMonths(36)}}
	return r, CatalogueItem{Code: "XZCF", Name: "行政处罚", Kind: "penalty", Negative: true}
}

func TestCheckRepair(t *testing.T) {
	rec, it := repairRecord()
	lt := ListType{Code: "SAMR_SERIOUS", Name: "市场监督管理严重违法失信名单", EarlyRemovalMonths: 12}
	listing := Listing{ID: "l1", ListType: lt.Code, SubjectID: "S1", DepartmentID: "D2", State: ListingListed, ListedOn: MustDate("2025-01-10")}
	full := &RepairInput{Name: "张三", Contact: "13800000000", Correction: "罚款已缴清", Obligations: true, Commitment: true}
	today := MustDate("2026-05-06")
	base := func() RepairCheck {
		return RepairCheck{ApplicantSubjectID: "S1", Target: TargetRecord, Record: rec, Item: it, Today: today, Rules: DefaultRepairRules}
	}
	tests := []struct {
		name   string
		change func(c *RepairCheck)
		rules  []string // rules of the reasons, in order; nil = eligible
		route  string
	}{
		{"eligible: period run, own record (Order 36 conditions)", nil, nil, RouteDepartment},
		{"another subject's record (Order 58 Art. 3: the subject applies)", func(c *RepairCheck) { c.ApplicantSubjectID = "S2" }, []string{"repair.not_own"}, ""},
		{"no subject account at all", func(c *RepairCheck) { c.ApplicantSubjectID = "" }, []string{"repair.not_own"}, ""},
		{"minimum period not run (regulation.md §3.3)", func(c *RepairCheck) { c.Record.Window.MinEnd = MustDate("2026-06-01") }, []string{"repair.min_period"}, RouteDepartment},
		{"withdrawn: nothing to repair", func(c *RepairCheck) { c.Record.Status = RecordWithdrawn }, []string{"repair.state"}, RouteDepartment},
		{"already repaired", func(c *RepairCheck) { c.Repaired = RepairEnded }, []string{"repair.state"}, RouteDepartment},
		{"not negative information", func(c *RepairCheck) { c.Item.Negative, c.Item.Kind, c.Record.Kind = false, "license", "license" }, []string{"repair.not_negative"}, RouteDepartment},
		{"licence revoked: no early end (SAMR Order 45 Art. 14)", func(c *RepairCheck) { c.Record.Categories = []string{"罚款", "吊销许可证件"} }, []string{"repair.unrepairable"}, RouteDepartment},
		{"item unrepairable by law", func(c *RepairCheck) {
			rs := slices.Clone(DefaultRepairRules)
			rs[2].UnrepairableItems = map[string]string{"XZCF": "某法第一条"}
			c.Rules = rs
		}, []string{"repair.unrepairable"}, RouteDepartment},
		{"under a serious-list entry in force", func(c *RepairCheck) { c.ListedOn = []string{"l9"} }, []string{"repair.listed"}, RouteDepartment},
		{"duplicate open application", func(c *RepairCheck) { c.Open = []Repair{{Code: "XF0000000000AA", State: RepairAccepted}} }, []string{"repair.duplicate"}, RouteDepartment},
		{"a decided application is no duplicate", func(c *RepairCheck) { c.Open = []Repair{{Code: "XF0000000000AA", State: RepairRefused}} }, nil, RouteDepartment},
		{"platform item: 信用中国-style platform route", func(c *RepairCheck) {
			rs := slices.Clone(DefaultRepairRules)
			rs[2].PlatformItems = []string{"XZCF"}
			c.Rules = rs
		}, nil, RoutePlatform},
		{"application without obligations, commitment or proof", func(c *RepairCheck) { c.Input = &RepairInput{Correction: ""} },
			[]string{"repair.obligations", "repair.commitment", "repair.proof"}, RouteDepartment},
		{"complete application", func(c *RepairCheck) { c.Input, c.Proofs = full, 1 }, nil, RouteDepartment},
		{"no rule set governs the day", func(c *RepairCheck) { c.Today = MustDate("2019-01-01") }, []string{"repair.rules"}, ""},
		{"listing: time listed not run (list type early removal)", func(c *RepairCheck) {
			c.Target, c.Listing, c.ListType, c.Today = TargetListing, listing, lt, MustDate("2025-06-01")
		}, []string{"repair.min_period"}, RouteDepartment},
		{"listing: eligible after a year listed", func(c *RepairCheck) { c.Target, c.Listing, c.ListType = TargetListing, listing, lt }, nil, RouteDepartment},
		{"court defaulter list: removed by the court, not here", func(c *RepairCheck) {
			l := listing
			l.ListType = "SPC_DEFAULTER"
			c.Target, c.Listing, c.ListType = TargetListing, l, ListType{Code: "SPC_DEFAULTER", Name: "失信被执行人名单"}
		}, []string{"repair.unrepairable"}, RouteDepartment},
		{"listing already removed", func(c *RepairCheck) {
			l := listing
			l.State = ListingRemoved
			c.Target, c.Listing, c.ListType = TargetListing, l, lt
		}, []string{"repair.state"}, RouteDepartment},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			if tt.change != nil {
				tt.change(&c)
			}
			e := CheckRepair(c)
			var got []string
			for _, r := range e.Reasons {
				got = append(got, r.Rule)
			}
			if !slices.Equal(got, tt.rules) || e.Eligible != (len(tt.rules) == 0) {
				t.Fatalf("reasons %v (eligible %v), want %v: %+v", got, e.Eligible, tt.rules, e.Reasons)
			}
			if e.Route != tt.route {
				t.Errorf("route %q, want %q", e.Route, tt.route)
			}
			if !e.Free {
				t.Error("repair is always free of charge")
			}
		})
	}
	// The minimum period answer carries the date it will have run.
	c := base()
	c.Record.Window.MinEnd = MustDate("2026-06-01")
	e := CheckRepair(c)
	if e.EligibleFrom != MustDate("2026-06-01") || e.Reasons[0].Date != MustDate("2026-06-01") || !strings.Contains(e.Reasons[0].Message, "2026-06-01") {
		t.Errorf("min period answer: %+v", e)
	}
	err := RepairRefusalError(e)
	if ErrorCode(err) != EINVALID || !repairHasRule(err, "repair.min_period") || ErrorFields(err)[0].Value != "2026-06-01" {
		t.Errorf("refusal: %v %+v", err, ErrorFields(err))
	}
	c = base()
	c.ApplicantSubjectID = "S2"
	if err := RepairRefusalError(CheckRepair(c)); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("another subject: %v", err)
	}
	c = base()
	c.Open = []Repair{{Code: "XF0000000000AA", State: RepairApplied}}
	if err := RepairRefusalError(CheckRepair(c)); ErrorCode(err) != ECONFLICT {
		t.Errorf("duplicate: %v", err)
	}
	// Not eligible without a stated reason (a caller's zero value): still
	// a refusal, never a crash.
	if err := RepairRefusalError(Eligibility{}); ErrorCode(err) != EINVALID {
		t.Errorf("no reasons: %v", err)
	}
}

func TestRepairLifecycle(t *testing.T) {
	rec, it := repairRecord()
	cal := Calendar{}
	today := MustDate("2026-05-06") // a Wednesday
	c := RepairCheck{ApplicantSubjectID: "S1", Target: TargetRecord, Record: rec, Item: it, Today: today, Rules: DefaultRepairRules,
		Input: &RepairInput{Name: "张三", Contact: "13800000000", Correction: "罚款已缴清", Obligations: true, Commitment: true}, Proofs: 1}
	e := CheckRepair(c)
	r, err := ApplyRepair(c, e, *c.Input, RepairCommitment{Text: "承诺", SHA256: "ab", Date: today}, []RepairFile{{Name: "收据.pdf", Type: "application/pdf", Size: 10, SHA256: "cd"}}, cal)
	if err != nil {
		t.Fatal(err)
	}
	// Deadlines in working days (DOMAIN.md §6): decide within 10.
	if r.State != RepairApplied || r.DecideBy != cal.AddWorkingDays(today, 10) || r.AcceptBy != cal.AddWorkingDays(today, 3) || r.Rules != "REPAIR-ORDER36" || r.Commitment == nil {
		t.Fatalf("applied: %+v", r)
	}
	rules, _ := DefaultRepairRules.For(today)
	// Not approved before acceptance (受理 first).
	if _, err := DecideRepair(r, RepairDecisionInput{Approve: true, Reasons: "符合条件"}, rules, today, cal, "u"); !repairHasRule(err, "repair.accept_first") {
		t.Errorf("approve unaccepted: %v", err)
	}
	// A refusal states its reasons and the remedy.
	if _, err := DecideRepair(r, RepairDecisionInput{Reasons: "材料不全"}, rules, today, cal, "u"); !repairHasRule(err, "repair.remedy") {
		t.Errorf("refusal without remedy: %v", err)
	}
	a, err := AcceptRepair(r, "", today, "u")
	if err != nil || a.State != RepairAccepted || a.Version != 2 {
		t.Fatalf("accept: %+v %v", a, err)
	}
	if _, err := AcceptRepair(a, "", today, "u"); ErrorCode(err) != ECONFLICT {
		t.Errorf("second acceptance: %v", err)
	}
	if _, err := DecideRepair(a, RepairDecisionInput{Approve: true, Treatment: "erase", Reasons: "x"}, rules, today, cal, "u"); !repairHasRule(err, "repair.treatment") {
		t.Errorf("bad treatment: %v", err)
	}
	d, err := DecideRepair(a, RepairDecisionInput{Approve: true, Reasons: "符合条件"}, rules, today.AddDays(30), cal, "u")
	if err != nil || d.State != RepairApproved || d.Decision.Treatment != RepairShielded || !d.Decision.Late || d.Decision.SyncBy != cal.AddWorkingDays(today.AddDays(30), 3) {
		t.Fatalf("approve (Order 36 default: 终止公示 and 停止共享): %+v %v", d.Decision, err)
	}
	if _, err := DecideRepair(d, RepairDecisionInput{Reasons: "x", Remedy: "y"}, rules, today, cal, "u"); ErrorCode(err) != ECONFLICT {
		t.Errorf("decide twice: %v", err)
	}
	// Order 58 did not provide deletion by default: ended.
	r58, _ := DefaultRepairRules.For(MustDate("2025-01-01"))
	d, _ = DecideRepair(a, RepairDecisionInput{Approve: true, Reasons: "符合条件"}, r58, today, cal, "u")
	if d.Decision.Treatment != RepairEnded {
		t.Errorf("Order 58 default treatment %s", d.Decision.Treatment)
	}
	if !RepairOverdue(r, cal.AddWorkingDays(today, 4)) || RepairOverdue(r, today) {
		t.Error("overdue acceptance")
	}
	p := Progress(r, today)
	if p.Code != r.Code || p.State != RepairApplied || !p.Free {
		t.Errorf("progress: %+v", p)
	}
}

func TestEndPublicationAndCodes(t *testing.T) {
	rec, _ := repairRecord()
	on := MustDate("2026-05-06")
	w := EndPublication(rec.Window, on, "XF1")
	if w.Open(on) || !w.Open(on.AddDays(-1)) || w.MinEnd != rec.Window.MinEnd {
		t.Errorf("ended window: %+v", w)
	}
	if got := EndPublication(Window{}, on, "XF1"); got.Published {
		t.Error("an unpublished window stays unpublished")
	}
	for s, want := range map[string]bool{"XF7K3M9Q2W4R8T": true, "XF7K3M9Q2W4R8": false, "XF7K3M9Q2W4R8I": false, "AB7K3M9Q2W4R8T": false} {
		if ValidProgressCode(s) != want {
			t.Errorf("ValidProgressCode(%s) != %v", s, want)
		}
	}
	txt := CommitmentText("某公司", "91620100MA74QX3K0X", "行政处罚 罚〔2025〕1号", DefaultRepairRules[2], on)
	if !strings.Contains(txt, "信用修复承诺书") || !strings.Contains(txt, "不收取任何费用") || !strings.Contains(txt, "罚〔2025〕1号") {
		t.Errorf("commitment text:\n%s", txt)
	}
	if err := CheckInbound(InboundRepair{}, on); !repairHasRule(err, "inbound.match") || !repairHasRule(err, "repair.treatment") {
		t.Errorf("empty inbound: %v", err)
	}
}

// TestCheckInboundRecord: a peer's repair decision (修复结果互认) is held to
// the local record's state and the law, not to the application's
// conditions, which the peer judged.
func TestCheckInboundRecord(t *testing.T) {
	rec, it := repairRecord()
	base := func() RepairCheck {
		// ApplicantSubjectID, Open and Input are the peer's business: set
		// here to what would refuse a local application, they change nothing.
		return RepairCheck{ApplicantSubjectID: "someone else", Target: TargetRecord, Record: rec, Item: it, Today: MustDate("2026-05-06"), Rules: DefaultRepairRules,
			Open: []Repair{{Code: "XF0000000000AA", State: RepairAccepted}}, Input: &RepairInput{}}
	}
	tests := []struct {
		name   string
		change func(c *RepairCheck)
		rules  []string // nil = applied
	}{
		{"applied: the peer decided who applied and what was filed", nil, nil},
		{"minimum period is the peer's judgement (regulation.md §3.3 applied there)", func(c *RepairCheck) { c.Record.Window.MinEnd = MustDate("2026-06-01") }, nil},
		{"withdrawn here: nothing to repair", func(c *RepairCheck) { c.Record.Status = RecordWithdrawn }, []string{"repair.state"}},
		{"already repaired here", func(c *RepairCheck) { c.Repaired = RepairShielded }, []string{"repair.state"}},
		{"not negative information", func(c *RepairCheck) { c.Item.Negative, c.Item.Kind, c.Record.Kind = false, "license", "license" }, []string{"repair.not_negative"}},
		{"licence revoked: no early end (SAMR Order 45 Art. 14)", func(c *RepairCheck) { c.Record.Categories = []string{"吊销许可证件"} }, []string{"repair.unrepairable"}},
		{"under a serious-list entry in force here: the entry first", func(c *RepairCheck) { c.ListedOn = []string{"l9"} }, []string{"repair.listed"}},
		{"no rule set governs the day", func(c *RepairCheck) { c.Today = MustDate("2019-01-01") }, []string{"repair.rules"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			if tt.change != nil {
				tt.change(&c)
			}
			got := CheckInboundRecord(c)
			var rules []string
			for _, r := range got {
				rules = append(rules, r.Rule)
			}
			if !slices.Equal(rules, tt.rules) {
				t.Fatalf("reasons %v, want %v: %+v", rules, tt.rules, got)
			}
			err := InboundRefusalError("兰市监罚〔2026〕1号", got)
			if (err == nil) != (tt.rules == nil) {
				t.Fatalf("error %v for reasons %v", err, rules)
			}
			if err != nil {
				if ErrorCode(err) != ECONFLICT || len(ErrorFields(err)) != len(got) || ErrorFields(err)[0].Rule != tt.rules[0] {
					t.Errorf("error %v: code %s, fields %+v", err, ErrorCode(err), ErrorFields(err))
				}
			}
		})
	}
}
