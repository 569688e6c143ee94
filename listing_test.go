package xinyong

import (
	"slices"
	"strings"
	"testing"
)

// Tests of the listing procedure (国办发〔2020〕49号 parts 6–8: a list only
// with a basis in four fields; prior notice of reasons, basis and rights;
// objections checked and answered in time; a decision document stating
// reason, basis, measures, removal conditions and procedure and remedies;
// SPC 2017 rules: minors never listed as 失信被执行人, 2-year period
// extendable 1–3 years; SAMR Order 44: early removal after at least 1 year,
// 3 years at most; regulation.md §7).

func courtList() ListType {
	return ListType{Code: "SXBZXR", Name: "失信被执行人名单", Field: FieldStatutoryDuty, LegalBasis: "最高人民法院关于公布失信被执行人名单信息的若干规定（2017修正）",
		PeriodMonths: 24, ExtensionMinMonths: 12, ExtensionMaxMonths: 36, EarlyRemovalMonths: 0, EarlyRemoval: "履行义务", Remedies: "向执行法院申请纠正",
		Published: true, ObjectionWorkingDays: 5, MinorsMayBeListed: false, Provenance: ProvenanceConfirmed}
}

func samrList() ListType {
	lt := courtList()
	lt.Code, lt.Name, lt.Field, lt.LegalBasis = "SAMR-YZWF", "市场监督管理严重违法失信名单", FieldFairCompetition, "市场监督管理严重违法失信名单管理办法（总局令第44号）"
	lt.PeriodMonths, lt.ExtensionMinMonths, lt.ExtensionMaxMonths, lt.EarlyRemovalMonths = 36, 0, 0, 12
	lt.ObjectionWorkingDays = 0
	return lt
}

var testMeasures = []Measure{
	{Code: "M1", ListTypes: []string{"SXBZXR"}},
	{Code: "M2", ListTypes: []string{"SXBZXR", "SAMR-YZWF"}},
	{Code: "M3", ListTypes: []string{"OTHER"}},
}

var plainCal = Calendar{}

func fullDecision() ListingDecision {
	return ListingDecision{Number: "（2026）甘01执123号", Reason: "有履行能力而拒不履行", Basis: "若干规定第一条第一项", Measures: []string{"M1", "M2"},
		RemovalConditions: "全部履行义务", RemovalProcedure: "向执行法院申请，三个工作日内删除",
		Remedies: Remedies{Reconsideration: "不服的可申请复议", Litigation: "可依法提起诉讼"}}
}

func company() Subject { return Subject{ID: "s1", Kind: KindEnterprise, Name: "某公司"} }

func activeRecord(id string) Record {
	return Record{ID: id, SubjectID: "s1", DepartmentID: "d1", Status: RecordActive}
}

func proposed(t *testing.T, lt ListType) Listing {
	t.Helper()
	l, err := ProposeListing(ListingProposal{Reasons: "拒不履行", Basis: "若干规定"}, lt, company(), "d1", []Record{activeRecord("r1")}, MustDate("2026-03-02"))
	if err != nil {
		t.Fatal(err)
	}
	l.ID = "l1"
	return l
}

func fieldNames(err error) []string {
	e, _ := err.(*Error)
	if e == nil {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestListingTransitions(t *testing.T) {
	for from, tos := range listingTransitions {
		for _, to := range tos {
			if !CanTransition(from, to) {
				t.Errorf("%s → %s refused", from, to)
			}
		}
	}
	for _, bad := range [][2]ListingState{{ListingProposed, ListingDecided}, {ListingProposed, ListingListed}, {ListingNotified, ListingListed}, {ListingRemoved, ListingListed}, {ListingListed, ListingDecided}, {ListingObjected, ListingDecided}} {
		if CanTransition(bad[0], bad[1]) {
			t.Errorf("%s → %s allowed", bad[0], bad[1])
		}
	}
}

func TestListingProcedure(t *testing.T) {
	lt := courtList()
	l := proposed(t, lt)
	// Out of order: deciding or listing a proposal, objecting before notice.
	if _, err := Decide(l, lt, fullDecision(), testMeasures, company(), []Record{activeRecord("r1")}, MustDate("2026-03-20")); ErrorCode(err) != ECONFLICT {
		t.Fatalf("decide a proposal: %v", err)
	}
	if _, err := List(l, lt, MustDate("2026-03-20")); ErrorCode(err) != ECONFLICT {
		t.Fatalf("list a proposal: %v", err)
	}
	if _, err := Object(l, ObjectionInput{Statement: "x"}, MustDate("2026-03-03"), plainCal, 0, "s"); ErrorCode(err) != ECONFLICT {
		t.Fatalf("object before notice: %v", err)
	}
	// Notice on Friday 2026-03-06: 5 working days → Friday 2026-03-13.
	n, err := Notify(l, lt, NoticeInput{}, MustDate("2026-03-06"), plainCal, "officer")
	if err != nil {
		t.Fatal(err)
	}
	if n.Notice.ObjectionDeadline != MustDate("2026-03-13") || n.Notice.ObjectionDays != 5 || n.Notice.Rights != StandardRights || n.Notice.Reasons == "" || n.Notice.Basis == "" {
		t.Errorf("notice = %+v", n.Notice)
	}
	// Configurable: 3 days, and a holiday override moves the deadline.
	cal := Calendar{Overrides: map[Date]Override{MustDate("2026-03-10"): {Date: MustDate("2026-03-10"), Kind: DayHoliday}}}
	n3, _ := Notify(l, lt, NoticeInput{Days: 3}, MustDate("2026-03-06"), cal, "officer")
	if n3.Notice.ObjectionDeadline != MustDate("2026-03-12") {
		t.Errorf("3 working days from Fri 03-06 skipping Tue 03-10 = %s, want 2026-03-12", n3.Notice.ObjectionDeadline)
	}
	if _, err := Notify(l, lt, NoticeInput{Rights: "无"}, MustDate("2026-03-06"), plainCal, "officer"); !slices.Contains(fieldNames(err), "rights") {
		t.Errorf("notice without the rights: %v", err)
	}
	// Deciding inside the objection window is refused.
	if _, err := Decide(n, lt, fullDecision(), testMeasures, company(), []Record{activeRecord("r1")}, MustDate("2026-03-13")); ErrorCode(err) != ECONFLICT {
		t.Errorf("decide within the objection window: %v", err)
	}
	// Objection after the window: deadline passed.
	if _, err := Object(n, ObjectionInput{Statement: "我已履行"}, MustDate("2026-03-16"), plainCal, 0, "subject"); ErrorCode(err) != EDEADLINEPASSED {
		t.Errorf("late objection: %v", err)
	}
	o, err := Object(n, ObjectionInput{Statement: "我已履行"}, MustDate("2026-03-13"), plainCal, 0, "subject")
	if err != nil {
		t.Fatal(err)
	}
	if o.Objection.VerifyDeadline != MustDate("2026-03-27") {
		t.Errorf("verify deadline = %s, want 10 working days later 2026-03-27", o.Objection.VerifyDeadline)
	}
	// Overdue on the working-day calendar: due 03-27, overdue from 03-28.
	if Overdue(o, MustDate("2026-03-27")) || !Overdue(o, MustDate("2026-03-28")) {
		t.Error("overdue: want false on the deadline, true after")
	}
	if Overdue(l, MustDate("2030-01-01")) {
		t.Error("a proposal has no deadline")
	}
	if _, err := Verify(o, VerifyInput{}, MustDate("2026-03-20"), "officer"); ErrorCode(err) != EINVALID {
		t.Errorf("verify without an answer: %v", err)
	}
	v, err := Verify(o, VerifyInput{Answer: "经核实，未履行"}, MustDate("2026-03-20"), "officer")
	if err != nil || v.State != ListingVerified {
		t.Fatalf("verify: %v %s", err, v.State)
	}
	d, err := Decide(v, lt, ListingDecision{Number: "1", ExtensionMonths: 12, Reason: "r", Basis: "b", Measures: []string{"M1"}, RemovalConditions: "c", RemovalProcedure: "p", Remedies: Remedies{"复议", "诉讼"}}, testMeasures, company(), []Record{activeRecord("r1")}, MustDate("2026-03-23"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Decision.PeriodMonths != 36 || d.Decision.Date != MustDate("2026-03-23") {
		t.Errorf("decision period %d date %s", d.Decision.PeriodMonths, d.Decision.Date)
	}
	li, err := List(d, lt, MustDate("2026-03-24"))
	if err != nil {
		t.Fatal(err)
	}
	if li.EndDate != MustDate("2029-03-24") || !li.Published || !li.Active(MustDate("2026-03-24")) || li.Active(MustDate("2029-03-24")) {
		t.Errorf("listed: end %s published %v", li.EndDate, li.Published)
	}
	if _, err := Remove(li, lt, RemovalExpired, "", MustDate("2029-03-23"), "job"); ErrorCode(err) != ECONFLICT {
		t.Errorf("expiry before the end date: %v", err)
	}
	if !Overdue(li, MustDate("2029-03-25")) || Overdue(li, MustDate("2029-03-24")) {
		t.Error("a listing past its end date is overdue for removal")
	}
	r, err := Remove(li, lt, RemovalExpired, "", MustDate("2029-03-24"), "job")
	if err != nil || r.State != ListingRemoved || r.Published {
		t.Fatalf("expiry: %v", err)
	}
	if _, err := Remove(r, lt, RemovalRevoked, "", MustDate("2029-03-25"), "x"); ErrorCode(err) != ECONFLICT {
		t.Errorf("removing twice: %v", err)
	}
}

func TestListingDecisionMissingParts(t *testing.T) {
	lt := courtList()
	n, _ := Notify(proposed(t, lt), lt, NoticeInput{}, MustDate("2026-03-06"), plainCal, "o")
	_, err := Decide(n, lt, ListingDecision{Number: "1", Reason: "r", Measures: []string{"M1"}, RemovalProcedure: "p", Remedies: Remedies{Litigation: "诉讼"}}, testMeasures, company(), []Record{activeRecord("r1")}, MustDate("2026-03-20"))
	if ErrorCode(err) != EINVALID {
		t.Fatalf("decision missing parts: %v", err)
	}
	want := []string{"basis", "removal_conditions", "remedies.reconsideration"}
	if got := fieldNames(err); !slices.Equal(got, want) {
		t.Errorf("missing parts named %v, want %v", got, want)
	}
	if got := MissingDecisionParts(ListingDecision{}); !slices.Equal(got, DecisionParts) {
		t.Errorf("empty decision misses %v", got)
	}
	// Measures only from the list for this list type.
	d := fullDecision()
	d.Measures = []string{"M1", "M3", "NOPE"}
	_, err = Decide(n, lt, d, testMeasures, company(), []Record{activeRecord("r1")}, MustDate("2026-03-20"))
	if e, _ := err.(*Error); e == nil || len(e.Fields) != 2 || e.Fields[0].Rule != "decision.measure" {
		t.Errorf("measures not for the list type: %v", err)
	}
	// Extension outside 12–36 months.
	d = fullDecision()
	d.ExtensionMonths = 48
	if _, err := Decide(n, lt, d, testMeasures, company(), []Record{activeRecord("r1")}, MustDate("2026-03-20")); !slices.Contains(fieldNames(err), "extension_months") {
		t.Errorf("extension of 48 months: %v", err)
	}
	if got := MeasuresFor("SAMR-YZWF", testMeasures, MustDate("2026-03-20")); !slices.Equal(got, []string{"M2"}) {
		t.Errorf("MeasuresFor = %v", got)
	}
}

func TestListingMinorsAndLeniency(t *testing.T) {
	lt := courtList()
	minor := Subject{ID: "s1", Kind: KindPerson, Birth: MustDate("2010-05-01")}
	_, err := ProposeListing(ListingProposal{Reasons: "r", Basis: "b"}, lt, minor, "d1", []Record{activeRecord("r1")}, MustDate("2026-03-02"))
	if e, _ := err.(*Error); e == nil || e.Fields[0].Rule != "listing.minor" {
		t.Errorf("proposing a minor: %v", err)
	}
	// An adult at proposal who is a minor on the decision date cannot happen;
	// one who turns 18 before the decision can be decided.
	teen := Subject{ID: "s1", Kind: KindPerson, Birth: MustDate("2008-03-11")}
	n := proposed(t, lt)
	n, _ = Notify(n, lt, NoticeInput{}, MustDate("2026-03-02"), plainCal, "o")
	if _, err := Decide(n, lt, fullDecision(), testMeasures, teen, []Record{activeRecord("r1")}, MustDate("2026-03-10")); !slices.Contains(fieldNames(err), "subject") {
		t.Errorf("deciding on a minor (17 on the decision date): %v", err)
	}
	if _, err := Decide(n, lt, fullDecision(), testMeasures, teen, []Record{activeRecord("r1")}, MustDate("2026-03-11")); err != nil {
		t.Errorf("deciding on an 18-year-old: %v", err)
	}
	// Conduct as a minor: a list type that never lists minors refuses it.
	rec := activeRecord("r1")
	rec.Leniency = Leniency{Minor: true, Reason: "行为时未满十八周岁"}
	if _, err := ProposeListing(ListingProposal{Reasons: "r", Basis: "b", LeniencyReason: "x"}, lt, company(), "d1", []Record{rec}, MustDate("2026-03-02")); ErrorCode(err) != EINVALID {
		t.Errorf("conduct as a minor on a list that never lists minors: %v", err)
	}
	// Leniency flags need a written reason to proceed.
	rec = activeRecord("r1")
	rec.Leniency = Leniency{ForceMajeure: true}
	_, err = ProposeListing(ListingProposal{Reasons: "r", Basis: "b"}, lt, company(), "d1", []Record{rec}, MustDate("2026-03-02"))
	if !slices.Contains(fieldNames(err), "leniency_reason") {
		t.Errorf("leniency without a reason: %v", err)
	}
	if _, err := ProposeListing(ListingProposal{Reasons: "r", Basis: "b", LeniencyReason: "不可抗力已消除后仍拒不履行"}, lt, company(), "d1", []Record{rec}, MustDate("2026-03-02")); err != nil {
		t.Errorf("leniency with a reason: %v", err)
	}
	// Records: another subject's, another department's, withdrawn.
	other := activeRecord("r2")
	other.SubjectID = "s9"
	wd := activeRecord("r3")
	wd.Status = RecordWithdrawn
	od := activeRecord("r4")
	od.DepartmentID = "d9"
	_, err = ProposeListing(ListingProposal{Reasons: "r", Basis: "b"}, lt, company(), "d1", []Record{other, wd, od}, MustDate("2026-03-02"))
	if e, _ := err.(*Error); e == nil || len(e.Fields) != 3 {
		t.Errorf("bad records: %v", err)
	}
	// A list type without a basis is refused.
	bad := lt
	bad.LegalBasis = ""
	if _, err := ProposeListing(ListingProposal{Reasons: "r", Basis: "b"}, bad, company(), "d1", []Record{activeRecord("r1")}, MustDate("2026-03-02")); !slices.Contains(fieldNames(err), "list_type") {
		t.Errorf("list type without a basis: %v", err)
	}
}

func TestListingEarlyRemovalAndRevocation(t *testing.T) {
	lt := samrList()
	l := proposed(t, lt)
	n, _ := Notify(l, lt, NoticeInput{}, MustDate("2026-03-02"), plainCal, "o")
	if n.Notice.ObjectionDays != DefaultObjectionWorkingDays {
		t.Errorf("list type without a window: %d days", n.Notice.ObjectionDays)
	}
	// Revocation of the underlying document ends the procedure from any state.
	if r, err := Remove(n, lt, RemovalRevoked, "判决撤销", MustDate("2026-03-03"), "o"); err != nil || r.State != ListingRemoved {
		t.Errorf("revocation of a notified listing: %v", err)
	}
	d, err := Decide(n, lt, fullDecision(), testMeasures, company(), []Record{activeRecord("r1")}, MustDate("2026-03-10"))
	if ErrorCode(err) != EINVALID { // M1 is not a measure of this list type
		t.Errorf("M1 for SAMR: %v", err)
	}
	dec := fullDecision()
	dec.Measures = []string{"M2"}
	if d, err = Decide(n, lt, dec, testMeasures, company(), []Record{activeRecord("r1")}, MustDate("2026-03-10")); err != nil {
		t.Fatal(err)
	}
	li, _ := List(d, lt, MustDate("2026-03-11"))
	if li.EndDate != MustDate("2029-03-11") {
		t.Errorf("end %s", li.EndDate)
	}
	if _, err := Remove(li, lt, RemovalEarly, "已履行", MustDate("2027-03-10"), "o"); ErrorCode(err) != ECONFLICT {
		t.Errorf("early removal before one year: %v", err)
	}
	if _, err := Remove(li, lt, RemovalEarly, "", MustDate("2027-03-11"), "o"); ErrorCode(err) != EINVALID {
		t.Errorf("early removal without the conditions met: %v", err)
	}
	if r, err := Remove(li, lt, RemovalEarly, "已履行处罚，危害已消除", MustDate("2027-03-11"), "o"); err != nil || r.Removal.Reason != RemovalEarly {
		t.Errorf("early removal after one year: %v", err)
	}
	if _, err := Remove(li, lt, "whim", "", MustDate("2027-03-11"), "o"); ErrorCode(err) != EINVALID {
		t.Errorf("bad reason: %v", err)
	}
	// An upheld objection ends the procedure.
	o, _ := Object(n, ObjectionInput{Statement: "非本公司"}, MustDate("2026-03-03"), plainCal, 0, "s")
	u, err := Verify(o, VerifyInput{Answer: "异议成立", Upheld: true}, MustDate("2026-03-04"), "o")
	if err != nil || u.State != ListingRemoved || u.Removal.Reason != RemovalObjectionUpheld {
		t.Errorf("upheld objection: %v %s", err, u.State)
	}
}

// A decision states only measures in force on the decision day, as the
// measures check reads them (Measure.InForce): not one that ended, nor one
// that starts later.
func TestListingDecisionMeasuresInForce(t *testing.T) {
	lt := courtList()
	n, _ := Notify(proposed(t, lt), lt, NoticeInput{}, MustDate("2026-03-06"), plainCal, "o")
	ms := []Measure{
		{Code: "ENDED", ListTypes: []string{"SXBZXR"}, EffectiveTo: MustDate("2026-01-01")},
		{Code: "LATER", ListTypes: []string{"SXBZXR"}, EffectiveFrom: MustDate("2027-01-01")},
		{Code: "NOW", ListTypes: []string{"SXBZXR"}, EffectiveFrom: MustDate("2026-01-01")},
	}
	on := MustDate("2026-03-20")
	if got := MeasuresFor("SXBZXR", ms, on); !slices.Equal(got, []string{"NOW"}) {
		t.Errorf("MeasuresFor on %s = %v, want [NOW]", on, got)
	}
	for _, c := range []string{"ENDED", "LATER"} {
		d := fullDecision()
		d.Measures = []string{c}
		if _, err := Decide(n, lt, d, ms, company(), []Record{activeRecord("r1")}, on); !slices.Contains(fieldNames(err), "measures") {
			t.Errorf("decision stating measure %s, not in force on %s: %v", c, on, err)
		}
	}
	d := fullDecision()
	d.Measures = []string{"NOW"}
	if _, err := Decide(n, lt, d, ms, company(), []Record{activeRecord("r1")}, on); err != nil {
		t.Errorf("decision stating a measure in force: %v", err)
	}
}

// TestNotifyObjectionWindowBound: the objection window is short
// (国办发〔2020〕49号: objections answered "within a set time"; the number is
// a local bound, MaxObjectionWorkingDays = 60 working days, see measure.go).
// A longer window is refused with a field error before any deadline is
// computed: 2,200,000 working days stored a deadline in year 10459 that
// could not be read back, and 1e10 walked the calendar for minutes.
func TestNotifyObjectionWindowBound(t *testing.T) {
	huge := courtList()
	huge.ObjectionWorkingDays = 2_200_000 // a list type stored before the bound
	tests := []struct {
		name     string
		lt       ListType
		days     int
		deadline string // "" : refused on objection_working_days
		rule     string
	}{
		{"the list type's window (5)", courtList(), 0, "2026-03-13", "regulation.md §7.1: the list type's objection window"},
		{"the default (5) when the list type sets none", samrList(), 0, "2026-03-13", "DefaultObjectionWorkingDays"},
		{"one working day", courtList(), 1, "2026-03-09", "49号: a set time"},
		{"the maximum, 60 working days", courtList(), MaxObjectionWorkingDays, "2026-05-29", "local bound: 60 working days"},
		{"61 working days", courtList(), MaxObjectionWorkingDays + 1, "", "local bound: 60 working days"},
		{"2,200,000 working days (year 10459)", courtList(), 2_200_000, "", "a date past 9999 cannot be stored"},
		{"1e10 working days (minutes of calendar walk)", courtList(), 10_000_000_000, "", "refused before walking the calendar"},
		{"negative", courtList(), -1, "", "a positive number of working days"},
		{"a list type stored with a window above the bound", huge, 0, "", "local bound applies to the list type's window too"},
		{"a stated window overrides such a list type", huge, 5, "2026-03-13", "the notice's own window"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := proposed(t, courtList())
			n, err := Notify(l, tt.lt, NoticeInput{Days: tt.days}, MustDate("2026-03-06"), plainCal, "officer")
			if tt.deadline == "" {
				if ErrorCode(err) != EINVALID || !slices.Contains(fieldNames(err), "objection_working_days") || !hasRule(err, "notice.days") {
					t.Fatalf("Days %d: err = %v, want a field error on objection_working_days (%s)", tt.days, err, tt.rule)
				}
				if n.State != ListingProposed || n.Notice != nil {
					t.Errorf("refused notice changed the listing: %+v", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("Days %d refused: %v (%s)", tt.days, err, tt.rule)
			}
			if got := n.Notice.ObjectionDeadline.String(); got != tt.deadline {
				t.Errorf("Days %d from Fri 2026-03-06: deadline %s, want %s (%s)", tt.days, got, tt.deadline, tt.rule)
			}
		})
	}
}

// TestCheckNoOpenListing: a subject is listed once per list type; a second
// proposal while a listing on that type is not removed is ECONFLICT naming
// the listing and its state (a duplicate triggers the measures twice and
// keeps them after the first is removed; DOMAIN.md §4).
func TestCheckNoOpenListing(t *testing.T) {
	mk := func(id, lt, subj string, st ListingState) Listing {
		return Listing{ID: id, ListType: lt, SubjectID: subj, State: st}
	}
	tests := []struct {
		name     string
		existing []Listing
		conflict string // the listing named; "" : allowed
	}{
		{"no listing", nil, ""},
		{"removed only", []Listing{mk("l1", "SXBZXR", "s1", ListingRemoved)}, ""},
		{"another list type", []Listing{mk("l1", "SAMR-YZWF", "s1", ListingListed)}, ""},
		{"another subject", []Listing{mk("l1", "SXBZXR", "s2", ListingListed)}, ""},
		{"proposed", []Listing{mk("l1", "SXBZXR", "s1", ListingProposed)}, "l1"},
		{"objected", []Listing{mk("l1", "SXBZXR", "s1", ListingObjected)}, "l1"},
		{"listed after a removed one", []Listing{mk("l1", "SXBZXR", "s1", ListingRemoved), mk("l2", "SXBZXR", "s1", ListingListed)}, "l2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckNoOpenListing(tt.existing, "SXBZXR", "s1")
			if tt.conflict == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var st ListingState
			for _, l := range tt.existing {
				if l.ID == tt.conflict {
					st = l.State
				}
			}
			if ErrorCode(err) != ECONFLICT || !strings.Contains(ErrorMessage(err), "listing "+tt.conflict+" ") || !strings.Contains(ErrorMessage(err), string(st)) {
				t.Fatalf("err = %v, want ECONFLICT naming %s (%s)", err, tt.conflict, st)
			}
		})
	}
}
