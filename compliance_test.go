package xinyong

import (
	"slices"
	"testing"
	"time"
)

// Accountability (追责问责, DOMAIN.md §9) and clean-up (清理规范): the rules
// that decide what the compliance board counts.

func TestLateDisclosure(t *testing.T) {
	c := Calendar{Source: guoqing2026()}
	// 双公示: online within 7 working days of the decision (国发〔2016〕33号).
	tests := []struct {
		decision, submitted string
		late                bool
		why                 string
	}{
		{"2026-06-01", "2026-06-10", false, "Monday + 7 working days is Wednesday 10 June: on time"},
		{"2026-06-01", "2026-06-11", true, "Thursday 11 June is the 8th working day: late"},
		{"2026-06-05", "2026-06-16", false, "Friday 5 June + 7 is Tuesday 16 June"},
		{"2026-06-05", "2026-06-14", false, "a Sunday before the due date"},
		// Friday 25 September + 7 working days over National Day (1–7
		// October off, Saturday 10 October worked) is Monday 12 October.
		{"2026-09-25", "2026-10-12", false, "within the limit across the National Day holiday"},
		{"2026-09-25", "2026-10-13", true, "Tuesday 13 October is the 8th working day"},
	}
	for _, tt := range tests {
		l := c.DisclosureLateness(MustDate(tt.decision), MustDate(tt.submitted), DisclosureDeadlineWorkingDays)
		if got := LateDisclosure(l); got != tt.late {
			t.Errorf("%s → %s: late %v, want %v (%s; %+v)", tt.decision, tt.submitted, got, tt.late, tt.why, l)
		}
	}
	// A submission on the non-working day right after the due date loses
	// no working day: not counted.
	l := Calendar{}.DisclosureLateness(MustDate("2026-06-03"), MustDate("2026-06-13"), 7) // due Friday 12 June, submitted Saturday
	if !l.Late || LateDisclosure(l) {
		t.Errorf("Saturday after a Friday due date: %+v counted %v", l, LateDisclosure(l))
	}
}

func TestOutsideCatalogueRule(t *testing.T) {
	// 目录制管理 (DOMAIN.md §1): a record outside the catalogue is refused;
	// these refusals are what the board counts, not other errors.
	tests := []struct {
		rule string
		want bool
	}{
		{"catalogue.known", true}, {"catalogue.in_force", true}, {"catalogue.subject_kind", true},
		{"record.document", false}, {"field.required", false}, {"required", false}, {"", false},
	}
	for _, tt := range tests {
		if got := OutsideCatalogueRule(tt.rule); got != tt.want {
			t.Errorf("%q: %v, want %v", tt.rule, got, tt.want)
		}
	}
	fe, ok := OutsideCatalogue([]FieldError{{Rule: "record.document"}, {Field: "item", Rule: "catalogue.known", Message: "x"}})
	if !ok || fe.Field != "item" {
		t.Errorf("OutsideCatalogue: %+v %v", fe, ok)
	}
	if _, ok := OutsideCatalogue([]FieldError{{Rule: "required"}}); ok {
		t.Error("a missing field is not outside the catalogue")
	}
}

func TestClassifyDeadline(t *testing.T) {
	c := Calendar{Source: guoqing2026()}
	d := func(due, done string) Deadline {
		x := Deadline{Kind: DeadlineObjection, ObjectID: "o1", Due: MustDate(due)}
		if done != "" {
			x.Done = MustDate(done)
		}
		return x
	}
	tests := []struct {
		dl     Deadline
		today  string
		remind int
		want   DeadlineStatus
		why    string
	}{
		{d("2026-06-10", ""), "2026-06-01", 2, DeadlineOK, "7 working days ahead"},
		{d("2026-06-10", ""), "2026-06-08", 2, DeadlineDueSoon, "2 working days before the limit: remind"},
		{d("2026-06-10", ""), "2026-06-05", 2, DeadlineOK, "Friday: 3 working days before (8, 9, 10 June)"},
		{d("2026-06-10", ""), "2026-06-10", 2, DeadlineDueSoon, "due today"},
		{d("2026-06-10", ""), "2026-06-10", 0, DeadlineDueSoon, "remind 0: due today still shows"},
		{d("2026-06-10", ""), "2026-06-11", 2, DeadlineOverdue, "past the limit, still open"},
		{d("2026-06-10", "2026-06-10"), "2026-06-20", 2, DeadlineOK, "answered on the last day"},
		{d("2026-06-10", "2026-06-12"), "2026-06-20", 2, DeadlineLate, "answered after the limit"},
		// Over National Day: due Saturday 10 October (a make-up working
		// day); on 30 September the holiday days are not working days.
		{d("2026-10-10", ""), "2026-09-30", 2, DeadlineOK, "8, 9, 10 October: 3 working days"},
		{d("2026-10-10", ""), "2026-10-07", 2, DeadlineOK, "8, 9, 10 October: still 3 working days"},
		{d("2026-10-10", ""), "2026-10-08", 2, DeadlineDueSoon, "9 and 10 October"},
		{Deadline{Kind: DeadlineListing}, "2026-06-01", 2, DeadlineOK, "no due date"},
	}
	for _, tt := range tests {
		if got := ClassifyDeadline(tt.dl, MustDate(tt.today), tt.remind, c); got != tt.want {
			t.Errorf("%s (due %s, done %s, today %s): %s, want %s", tt.why, tt.dl.Due, tt.dl.Done, tt.today, got, tt.want)
		}
	}
}

func TestObjectionDeadlineViolation(t *testing.T) {
	// DOMAIN.md §6: answer within 3 working days (own) or 7 (forwarded).
	o := Objection{ID: "o1", DepartmentID: "d1", State: ObjectionFiled, FiledOn: MustDate("2026-06-01"), Deadline: MustDate("2026-06-04")}
	dl := ObjectionDeadlineOf(o)
	today := MustDate("2026-06-08")
	st := ClassifyDeadline(dl, today, 2, Calendar{})
	v, ok := DeadlineViolation(dl, st, today, Calendar{})
	if !ok || v.Kind != ViolationObjectionOverdue || !v.Open || v.Month != (Month{2026, time.June}) || v.WorkingDays != 2 || v.DepartmentID != "d1" {
		t.Errorf("open past the limit: %+v %v", v, ok)
	}
	o.State = ObjectionResolved
	o.Resolution = &ObjectionResolution{Date: MustDate("2026-06-04")}
	dl = ObjectionDeadlineOf(o)
	if _, ok := DeadlineViolation(dl, ClassifyDeadline(dl, today, 2, Calendar{}), today, Calendar{}); ok {
		t.Error("answered on the last day is no violation")
	}
	o.Resolution.Date = MustDate("2026-06-05")
	dl = ObjectionDeadlineOf(o)
	v, ok = DeadlineViolation(dl, ClassifyDeadline(dl, today, 2, Calendar{}), today, Calendar{})
	if !ok || v.Open || v.WorkingDays != 1 {
		t.Errorf("answered a day late: %+v %v", v, ok)
	}
}

func TestListingDeadlines(t *testing.T) {
	// DOMAIN.md §4: the officer verifies an objection by its deadline; a
	// listing ends at the end of its period (listing.go Due).
	l := Listing{ID: "l1", DepartmentID: "d1", State: ListingObjected,
		Objection: &ListingObjection{Date: MustDate("2026-06-01"), VerifyDeadline: MustDate("2026-06-08")}}
	ds := ListingDeadlinesOf(l)
	if len(ds) != 1 || ds[0].Step != "verify" || !ds[0].Done.IsZero() {
		t.Fatalf("objected: %+v", ds)
	}
	if st := ClassifyDeadline(ds[0], MustDate("2026-06-09"), 2, Calendar{}); st != DeadlineOverdue {
		t.Errorf("objected past the verify deadline: %s", st)
	}
	l.State = ListingVerified
	l.Verification = &ListingVerification{Date: MustDate("2026-06-10"), Late: true}
	ds = ListingDeadlinesOf(l)
	if st := ClassifyDeadline(ds[0], MustDate("2026-06-20"), 2, Calendar{}); st != DeadlineLate {
		t.Errorf("verified late: %s", st)
	}
	// Listed with an end date: overdue only once the end passed unremoved.
	l2 := Listing{ID: "l2", DepartmentID: "d1", State: ListingListed, EndDate: MustDate("2026-06-30")}
	ds = ListingDeadlinesOf(l2)
	if len(ds) != 1 || ds[0].Step != "remove" {
		t.Fatalf("listed: %+v", ds)
	}
	if st := ClassifyDeadline(ds[0], MustDate("2026-06-30"), 2, Calendar{}); st != DeadlineDueSoon {
		t.Errorf("ends today: %s", st)
	}
	if st := ClassifyDeadline(ds[0], MustDate("2026-07-01"), 2, Calendar{}); st != DeadlineOverdue {
		t.Errorf("end passed, still listed: %s", st)
	}
	l2.State, l2.Removal = ListingRemoved, &ListingRemoval{Date: MustDate("2026-03-01"), Reason: RemovalEarly}
	if st := ClassifyDeadline(ListingDeadlinesOf(l2)[0], MustDate("2026-07-01"), 2, Calendar{}); st != DeadlineOK {
		t.Errorf("removed early: %s", st)
	}
	l2.Removal.Date = MustDate("2026-07-03")
	if st := ClassifyDeadline(ListingDeadlinesOf(l2)[0], MustDate("2026-07-05"), 2, Calendar{}); st != DeadlineLate {
		t.Errorf("removed after the end: %s", st)
	}
	if ds := ListingDeadlinesOf(Listing{State: ListingProposed}); len(ds) != 0 {
		t.Errorf("a proposal has no deadline here: %+v", ds)
	}
}

func TestMonths(t *testing.T) {
	m, err := ParseMonth("2026-05")
	if err != nil || m.String() != "2026-05" || m.Next().String() != "2026-06" || (Month{2026, 12}).Next().String() != "2027-01" {
		t.Fatalf("ParseMonth: %v %v", m, err)
	}
	for _, bad := range []string{"2026-5", "2026-13", "26-05", "2026/05", "", "abcd-ef"} {
		if _, err := ParseMonth(bad); ErrorCode(err) != EINVALID {
			t.Errorf("ParseMonth(%q): %v", bad, err)
		}
	}
	f, to := m.Span()
	if f.Location() != Shanghai || !to.Equal(time.Date(2026, 6, 1, 0, 0, 0, 0, Shanghai)) {
		t.Errorf("Span: %v %v", f, to)
	}
	// An instant late on 31 May UTC is already June in Shanghai.
	if got := MonthOfTime(time.Date(2026, 5, 31, 17, 0, 0, 0, time.UTC)); got.String() != "2026-06" {
		t.Errorf("MonthOfTime: %s", got)
	}
	if ms := Months(Month{2025, 11}, Month{2026, 2}, 0); len(ms) != 4 || ms[3].String() != "2026-02" {
		t.Errorf("Months: %v", ms)
	}
	if err := CheckBoardRange(Month{2026, 6}, Month{2026, 5}); ErrorCode(err) != EINVALID {
		t.Errorf("reversed range: %v", err)
	}
	if err := CheckBoardRange(Month{2020, 1}, Month{2026, 5}); ErrorCode(err) != EINVALID {
		t.Errorf("too wide: %v", err)
	}
	if n, err := ParseRemindDays(""); err != nil || n != DefaultRemindWorkingDays {
		t.Errorf("default remind: %d %v", n, err)
	}
	if _, err := ParseRemindDays("31"); ErrorCode(err) != EINVALID {
		t.Errorf("remind 31: %v", err)
	}
}

func TestBuildBoard(t *testing.T) {
	may, jun := Month{2026, 5}, Month{2026, 6}
	counts := []ComplianceCount{
		{DepartmentID: "d1", Month: may, Kind: ViolationLateDisclosure, N: 3},
		{DepartmentID: "d1", Month: jun, Kind: ViolationLateDisclosure, N: 1},
		{DepartmentID: "d2", Month: jun, Kind: ViolationObjectionOverdue, N: 5},
		{Organisation: "某银行", Month: jun, Kind: ViolationMeasureNotListed, N: 2},
		{DepartmentID: "d1", Month: Month{2026, 7}, Kind: ViolationLateDisclosure, N: 9}, // outside the range
	}
	b := BuildBoard(may, jun, counts, map[string]string{"d1": "市场监管局", "d2": "税务局"})
	if b.Total != 11 || len(b.Rows) != 3 || b.Rows[0].Unit != "d2" || b.Rows[0].Name != "税务局" {
		t.Fatalf("board: %+v", b)
	}
	if b.Rows[1].Cells["2026-05"][ViolationLateDisclosure] != 3 || b.Rows[1].Total != 4 {
		t.Errorf("d1 row: %+v", b.Rows[1])
	}
	if b.Rows[2].Unit != "org:某银行" || b.Rows[2].Name != "某银行" {
		t.Errorf("agency row: %+v", b.Rows[2])
	}
	if b.ByMonth["2026-06"][ViolationObjectionOverdue] != 5 || b.Totals[ViolationLateDisclosure] != 4 {
		t.Errorf("sums: %+v %+v", b.ByMonth, b.Totals)
	}
	vs := []Violation{{Kind: ViolationObjectionOverdue, DepartmentID: "d1", Month: may}, {Kind: ViolationObjectionOverdue, DepartmentID: "d1", Month: may}, {Kind: ViolationListingOverdue, DepartmentID: "d1", Month: may}}
	if cs := CountViolations(vs); len(cs) != 2 || cs[0].N != 2 {
		t.Errorf("CountViolations: %+v", cs)
	}
}

func TestCleanupReview(t *testing.T) {
	// 清理规范 (DOMAIN.md §9; 国办发〔2020〕49号): every local catalogue item,
	// list type and measure with its basis; no basis is flagged.
	items := []CatalogueItem{
		{Code: "N1", Layer: LayerNational, LegalBasis: "国家"},
		{Code: "P1", Name: "省补充1", Layer: LayerProvincial, LegalBasis: "甘肃省社会信用条例", Provenance: ProvenanceLocal, Status: ItemApproved},
		{Code: "P2", Name: "省补充2", Layer: LayerProvincial, LegalBasis: " ", Provenance: ProvenanceLocal, Status: ItemApproved},
		{Code: "C1", Name: "市补充", Layer: LayerCity, LegalBasis: "待定", Provenance: ProvenanceLocal, Status: ItemRetired},
	}
	lts := []ListType{{Code: "LT1", Name: "失信被执行人", LegalBasis: "最高法规定", Provenance: ProvenanceConfirmed}, {Code: "LT2", Name: "无依据名单"}}
	ms := []Measure{
		{Code: "M1", Item: "限制高消费", LegalBasis: "规定", ListTypes: []string{"LT1"}, Layer: LayerNational, Provenance: ProvenanceConfirmed},
		{Code: "M2", Item: "省措施", LegalBasis: "", Severities: []Severity{SeverityGeneral}, Layer: LayerProvincial, Provenance: ProvenanceLocal},
		{Code: "M3", Item: "未用", LegalBasis: "规定", Severities: []Severity{SeveritySerious}, Layer: LayerProvincial, Provenance: ProvenanceUnconfirmed},
	}
	trig := MeasuresTriggered(ms, map[string]bool{"LT1": true}, map[Severity]bool{SeverityGeneral: true})
	if !trig["M1"] || !trig["M2"] || trig["M3"] {
		t.Errorf("MeasuresTriggered: %v", trig)
	}
	u := CleanupUsage{ItemRecords: map[string]int64{"P1": 1, "P2": 0, "C1": 1}, ListTypeListings: map[string]int64{"LT1": 4}, MeasureFeedback: map[string]int64{"M1": 2}, MeasureTriggers: trig}
	got := CleanupReview(items, lts, ms, u)
	by := map[string]CleanupEntry{}
	for _, e := range got {
		by[e.Code] = e
	}
	if _, ok := by["N1"]; ok {
		t.Error("national catalogue items are not part of the local review")
	}
	want := map[string][]string{
		"P1": nil, "P2": {FlagNoBasis, FlagUnused}, "C1": {FlagNoBasis, FlagRetired},
		"LT1": nil, "LT2": {FlagNoBasis, FlagUnused},
		"M1": nil, "M2": {FlagNoBasis}, "M3": {FlagUnused, FlagUnconfirmed},
	}
	for code, flags := range want {
		if !slices.Equal(by[code].Flags, flags) {
			t.Errorf("%s flags %v, want %v", code, by[code].Flags, flags)
		}
	}
	if by["M2"].Uses != 1 || by["LT1"].Uses != 4 {
		t.Errorf("uses: %+v %+v", by["M2"], by["LT1"])
	}
	if slices.Contains(got[0].Flags, FlagNoBasis) == false {
		t.Errorf("entries without a basis come first: %+v", got[0])
	}
	for _, b := range []string{"", "  ", "无", "TBD", "-"} {
		if HasBasis(b) {
			t.Errorf("HasBasis(%q)", b)
		}
	}
}

func TestPublicationOpensLater(t *testing.T) {
	// record.published is told once: at intake when the window is open on
	// the day of the write, else by the deadlines job when it opens.
	w := Window{Published: true, Start: MustDate("2026-07-01"), MaxEnd: MustDate("2027-07-01")}
	tests := []struct {
		w              Window
		status         RecordStatus
		written, today string
		want           bool
	}{
		{w, RecordActive, "2026-06-20", "2026-06-30", false},
		{w, RecordActive, "2026-06-20", "2026-07-01", true},
		{w, RecordActive, "2026-07-01", "2026-07-02", false}, // open when written: intake told
		{w, RecordWithdrawn, "2026-06-20", "2026-07-01", false},
		{Window{Start: MustDate("2026-07-01")}, RecordActive, "2026-06-20", "2026-07-01", false},
		{w, RecordActive, "2026-06-20", "2027-07-02", false}, // already over
	}
	for i, tt := range tests {
		if got := PublicationOpensLater(tt.w, tt.status, MustDate(tt.written), MustDate(tt.today)); got != tt.want {
			t.Errorf("%d: %v, want %v", i, got, tt.want)
		}
	}
}

func TestRepairDeadlines(t *testing.T) {
	// DOMAIN.md §6: decide within 10 working days (repair.go sets the dates).
	r := Repair{ID: "rp1", DepartmentID: "d1", State: RepairAccepted, AcceptBy: MustDate("2026-06-03"), DecideBy: MustDate("2026-06-15"),
		Acceptance: &RepairStep{Date: MustDate("2026-06-02")}}
	ds := RepairDeadlinesOf(r)
	if len(ds) != 2 || ds[0].Step != "accept" || ds[1].Step != "decide" {
		t.Fatalf("deadlines: %+v", ds)
	}
	if st := ClassifyDeadline(ds[0], MustDate("2026-06-20"), 2, Calendar{}); st != DeadlineOK {
		t.Errorf("accepted in time: %s", st)
	}
	if st := ClassifyDeadline(ds[1], MustDate("2026-06-16"), 2, Calendar{}); st != DeadlineOverdue {
		t.Errorf("undecided past the limit: %s", st)
	}
	r.State, r.Decision = RepairApproved, &RepairDecision{Approved: true, Date: MustDate("2026-06-17")}
	ds = RepairDeadlinesOf(r)
	if st := ClassifyDeadline(ds[1], MustDate("2026-06-20"), 2, Calendar{}); st != DeadlineLate {
		t.Errorf("decided late: %s", st)
	}
	if v, ok := DeadlineViolation(ds[1], DeadlineLate, MustDate("2026-06-20"), Calendar{}); !ok || v.Kind != ViolationRepairOverdue || v.WorkingDays != 2 {
		t.Errorf("violation: %+v", v)
	}
}
