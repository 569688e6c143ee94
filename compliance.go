package xinyong

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Accountability (追责问责, DOMAIN.md §9; issue 7 "Deadlines and compliance",
// issue 8 "Compliance board"). The platform shows violations of its rules by
// anyone, per department and month:
//
//   - 双公示 records online later than 7 working days after the decision
//     (国发〔2016〕33号; DisclosureDeadlineWorkingDays);
//   - records refused as outside the catalogue (目录制管理, DOMAIN.md §1);
//   - measures applied outside the list (过惩相当, DOMAIN.md §5: the
//     agencies' feedback lines refused by the measures check);
//   - objections answered after their limit or still open past it (3 / 7
//     working days, DOMAIN.md §6);
//   - listing steps past their limit (the answer to an objection, removal at
//     the end of the period; DOMAIN.md §4);
//   - repairs decided after their limit (10 working days, DOMAIN.md §6).
//
// Officers are reminded before a limit (RemindWorkingDays before it). Every
// function here is pure; internal/workflow/compliance.go reads the stores
// and internal/workflow/deadlines.go runs the periodic job.

// ViolationKind is one kind of rule violation the compliance board counts.
type ViolationKind string

const (
	ViolationLateDisclosure   ViolationKind = "late_disclosure"    // 双公示超过7个工作日
	ViolationOutsideCatalogue ViolationKind = "outside_catalogue"  // 目录外信息（拒收）
	ViolationMeasureNotListed ViolationKind = "measure_not_listed" // 清单外惩戒措施（反馈拒收）
	ViolationObjectionOverdue ViolationKind = "objection_overdue"  // 异议逾期未答复
	ViolationListingOverdue   ViolationKind = "listing_overdue"    // 名单认定程序逾期
	ViolationRepairOverdue    ViolationKind = "repair_overdue"     // 信用修复逾期
)

// ViolationKinds lists the kinds in the order the board shows them.
var ViolationKinds = []ViolationKind{ViolationLateDisclosure, ViolationOutsideCatalogue, ViolationMeasureNotListed,
	ViolationObjectionOverdue, ViolationListingOverdue, ViolationRepairOverdue}

// Valid reports whether k is a known kind.
func (k ViolationKind) Valid() bool { return slices.Contains(ViolationKinds, k) }

// Chinese names the kind.
func (k ViolationKind) Chinese() string {
	switch k {
	case ViolationLateDisclosure:
		return "双公示超期（超过7个工作日）"
	case ViolationOutsideCatalogue:
		return "目录外信息被拒收"
	case ViolationMeasureNotListed:
		return "清单外惩戒措施"
	case ViolationObjectionOverdue:
		return "异议处理逾期"
	case ViolationListingOverdue:
		return "名单认定程序逾期"
	case ViolationRepairOverdue:
		return "信用修复逾期"
	}
	return string(k)
}

// English names the kind.
func (k ViolationKind) English() string {
	switch k {
	case ViolationLateDisclosure:
		return "双公示 later than 7 working days"
	case ViolationOutsideCatalogue:
		return "records refused as outside the catalogue"
	case ViolationMeasureNotListed:
		return "measures applied outside the list"
	case ViolationObjectionOverdue:
		return "objections past their limit"
	case ViolationListingOverdue:
		return "listing steps past their limit"
	case ViolationRepairOverdue:
		return "repairs past their limit"
	}
	return string(k)
}

// ---- months ----

// Month is a calendar month in Asia/Shanghai, written YYYY-MM.
type Month struct {
	Year  int
	Month time.Month
}

// ParseMonth reads YYYY-MM.
func ParseMonth(s string) (Month, error) {
	s = strings.TrimSpace(s)
	y, m, ok := strings.Cut(s, "-")
	yi, err1 := strconv.Atoi(y)
	mi, err2 := strconv.Atoi(m)
	if !ok || len(y) != 4 || len(m) != 2 || err1 != nil || err2 != nil || mi < 1 || mi > 12 || yi < 1949 || yi > 9999 {
		return Month{}, Invalid("bad month", FieldError{Field: "month", Rule: "month.format", Message: "write the month as YYYY-MM, e.g. 2026-05", Value: clip(s)})
	}
	return Month{Year: yi, Month: time.Month(mi)}, nil
}

// MonthOf is the month of a date.
func MonthOf(d Date) Month { return Month{Year: d.Year, Month: d.Month} }

// MonthOfTime is the month of an instant, in Asia/Shanghai.
func MonthOfTime(t time.Time) Month { return MonthOf(DateOf(t)) }

// IsZero reports whether m is the zero month.
func (m Month) IsZero() bool { return m.Year == 0 }

// String writes YYYY-MM.
func (m Month) String() string {
	if m.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month))
}

// MarshalText writes YYYY-MM.
func (m Month) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText reads YYYY-MM.
func (m *Month) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*m = Month{}
		return nil
	}
	v, err := ParseMonth(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// First is the first day of the month.
func (m Month) First() Date { return NewDate(m.Year, m.Month, 1) }

// Next is the month after m.
func (m Month) Next() Month { return MonthOf(m.First().AddMonths(1)) }

// Before reports whether m is before n.
func (m Month) Before(n Month) bool {
	return m.Year < n.Year || (m.Year == n.Year && m.Month < n.Month)
}

// Span is the month's instants [from, to) in Asia/Shanghai.
func (m Month) Span() (from, to time.Time) { return m.First().Start(), m.Next().First().Start() }

// Months lists the months from..to inclusive (at most max; max ≤ 0: 120).
func Months(from, to Month, max int) []Month {
	if max <= 0 {
		max = 120
	}
	var out []Month
	for m := from; !to.Before(m) && len(out) < max; m = m.Next() {
		out = append(out, m)
	}
	return out
}

// MonthSpan is a month with its instants, for the stores' bucketed counts.
type MonthSpan struct {
	Month    Month
	From, To time.Time
}

// SpansOf returns the spans of months.
func SpansOf(ms []Month) []MonthSpan {
	out := make([]MonthSpan, len(ms))
	for i, m := range ms {
		f, t := m.Span()
		out[i] = MonthSpan{Month: m, From: f, To: t}
	}
	return out
}

// MaxBoardMonths is the widest range the board shows at once.
const MaxBoardMonths = 36

// CheckBoardRange validates a board range: from ≤ to, at most MaxBoardMonths.
func CheckBoardRange(from, to Month) error {
	if to.Before(from) {
		return Invalid("bad range", FieldError{Field: "from", Rule: "month.range", Message: "from " + from.String() + " is after to " + to.String()})
	}
	if len(Months(from, to, MaxBoardMonths+1)) > MaxBoardMonths {
		return Invalid("bad range", FieldError{Field: "to", Rule: "month.range", Message: "the board shows at most " + itoa(MaxBoardMonths) + " months at once"})
	}
	return nil
}

// ---- the rules ----

// LateDisclosure reports whether a record's 双公示 disclosure was late:
// submitted after the due date with at least one working day past it. A
// submission on a non-working day right after the due date is not a
// violation: no working day was lost. (Record.Lateness is computed at
// intake on the official calendar and kept with the first version.)
func LateDisclosure(l Lateness) bool { return l.Late && l.WorkingDays > 0 }

// OutsideCatalogueRule reports whether an intake refusal's rule means the
// record was outside the catalogue: an item unknown to the catalogue
// (catalogue.known), not approved and in force (catalogue.in_force), or not
// covering the subject's kind (catalogue.subject_kind).
func OutsideCatalogueRule(rule string) bool { return strings.HasPrefix(rule, "catalogue.") }

// OutsideCatalogue returns the first field error of a refusal that puts the
// record outside the catalogue (ok false when there is none).
func OutsideCatalogue(errs []FieldError) (FieldError, bool) {
	for _, fe := range errs {
		if OutsideCatalogueRule(fe.Rule) {
			return fe, true
		}
	}
	return FieldError{}, false
}

// DefaultRemindWorkingDays: officers are reminded of a limit this many
// working days before it (a province sets its own, RemindWorkingDays).
const DefaultRemindWorkingDays = 2

// ParseRemindDays reads the reminder setting ("" gives the default).
func ParseRemindDays(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return DefaultRemindWorkingDays, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 30 {
		return 0, Invalid("bad reminder setting", FieldError{Field: "remind_working_days", Rule: "compliance.remind_days", Message: "remind 0 to 30 working days before a limit", Value: clip(s)})
	}
	return n, nil
}

// DeadlineKind is what a deadline belongs to.
type DeadlineKind string

const (
	DeadlineObjection DeadlineKind = "objection" // answer an objection (异议)
	DeadlineListing   DeadlineKind = "listing"   // a listing step (verify an objection; remove at the end)
	DeadlineRepair    DeadlineKind = "repair"    // decide a repair (信用修复)
)

// Violation is the violation kind of a missed deadline.
func (k DeadlineKind) Violation() ViolationKind {
	switch k {
	case DeadlineObjection:
		return ViolationObjectionOverdue
	case DeadlineListing:
		return ViolationListingOverdue
	case DeadlineRepair:
		return ViolationRepairOverdue
	}
	return ""
}

// Deadline is one time limit of a workflow step.
type Deadline struct {
	Kind         DeadlineKind `json:"kind"`
	ObjectID     string       `json:"object_id"`
	DepartmentID string       `json:"department_id"`
	Step         string       `json:"step"` // answer, verify, remove, decide
	Due          Date         `json:"due"`
	// Done is the day the step was taken; zero while it is open.
	Done  Date   `json:"done,omitzero"`
	Label string `json:"label,omitempty"` // what the console shows (a subject's name, a record's number)
}

// DeadlineStatus is how a deadline stands on a day.
type DeadlineStatus string

const (
	DeadlineOK      DeadlineStatus = "ok"       // open, not yet near; or done in time
	DeadlineDueSoon DeadlineStatus = "due_soon" // open, within the reminder window (due today included)
	DeadlineOverdue DeadlineStatus = "overdue"  // open past the due date
	DeadlineLate    DeadlineStatus = "late"     // done, after the due date
)

// Missed reports whether the status is a violation (overdue or late).
func (s DeadlineStatus) Missed() bool { return s == DeadlineOverdue || s == DeadlineLate }

// ClassifyDeadline tells how d stands on today: a step done after its due
// date is late; an open step past it is overdue; an open step due within
// remind working days (counting from today; due today included) is due
// soon. The due dates themselves were computed on the working-day calendar
// when each step began.
func ClassifyDeadline(d Deadline, today Date, remind int, cal Calendar) DeadlineStatus {
	if d.Due.IsZero() {
		return DeadlineOK
	}
	if !d.Done.IsZero() {
		if d.Done.After(d.Due) {
			return DeadlineLate
		}
		return DeadlineOK
	}
	if today.After(d.Due) {
		return DeadlineOverdue
	}
	// Due soon: at most remind working days in (today, due], that is the
	// (remind+1)-th working day after today comes after due. Counted from
	// today, not towards due: a due date far away (a listing stored before
	// its period was bounded ends in year 102026) costs no more than a near one.
	if cal.AddWorkingDays(today, remind+1).After(d.Due) {
		return DeadlineDueSoon
	}
	return DeadlineOK
}

// ObjectionDeadlineOf is an objection's answer limit (DOMAIN.md §6).
func ObjectionDeadlineOf(o Objection) Deadline {
	d := Deadline{Kind: DeadlineObjection, ObjectID: o.ID, DepartmentID: o.DepartmentID, Step: "answer", Due: o.Deadline}
	if o.Resolution != nil {
		d.Done = o.Resolution.Date
	}
	return d
}

// ListingDeadlinesOf are a listing's step limits (DOMAIN.md §4; listing.go):
// the answer to the party's objection by its verify deadline, and the
// removal at the end of the listing period.
func ListingDeadlinesOf(l Listing) []Deadline {
	var out []Deadline
	if l.Objection != nil && !l.Objection.VerifyDeadline.IsZero() {
		d := Deadline{Kind: DeadlineListing, ObjectID: l.ID, DepartmentID: l.DepartmentID, Step: "verify", Due: l.Objection.VerifyDeadline}
		switch {
		case l.Verification != nil:
			d.Done = l.Verification.Date
		case l.State != ListingObjected:
			// The procedure moved on without an answer (e.g. removal on
			// revocation): the step is closed on the day it moved.
			d.Done = DateOf(l.UpdatedAt)
		}
		out = append(out, d)
	}
	if !l.EndDate.IsZero() && (l.State == ListingListed || l.State == ListingRemoved) {
		d := Deadline{Kind: DeadlineListing, ObjectID: l.ID, DepartmentID: l.DepartmentID, Step: "remove", Due: l.EndDate}
		if l.State == ListingRemoved {
			d.Done = l.EndDate // removed: early removal or on time never counts against the department
			if l.Removal != nil && l.Removal.Date.After(l.EndDate) {
				d.Done = l.Removal.Date
			}
		}
		out = append(out, d)
	}
	return out
}

// Violation is one case on the compliance board.
type Violation struct {
	Kind         ViolationKind `json:"kind"`
	DepartmentID string        `json:"department_id,omitempty"`
	Organisation string        `json:"organisation,omitempty"` // a relying agency without a department
	Month        Month         `json:"month"`
	ObjectType   string        `json:"object_type"`
	ObjectID     string        `json:"object_id"`
	Ref          string        `json:"ref,omitempty"` // decision number, measure code, step…
	Due          Date          `json:"due,omitzero"`
	Date         Date          `json:"date,omitzero"`               // when it happened (submitted, refused, answered)
	Open         bool          `json:"open,omitempty"`              // still not done
	WorkingDays  int           `json:"late_working_days,omitempty"` // working days past the limit
	Detail       string        `json:"detail,omitempty"`
}

// DeadlineViolation turns a missed deadline into a case, counted in the
// month of its due date (a limit belongs to the month it fell in, so past
// months do not change when a late answer finally comes).
func DeadlineViolation(d Deadline, st DeadlineStatus, today Date, cal Calendar) (Violation, bool) {
	if !st.Missed() {
		return Violation{}, false
	}
	end := today
	if !d.Done.IsZero() {
		end = d.Done
	}
	objType := string(d.Kind)
	return Violation{Kind: d.Kind.Violation(), DepartmentID: d.DepartmentID, Month: MonthOf(d.Due), ObjectType: objType, ObjectID: d.ObjectID,
		Ref: d.Step, Due: d.Due, Date: d.Done, Open: st == DeadlineOverdue, WorkingDays: cal.WorkingDaysBetween(d.Due, end), Detail: d.Label}, true
}

// ComplianceCount is one cell of the board: violations of a kind, by a
// department (or a relying agency's organisation), in a month.
type ComplianceCount struct {
	DepartmentID string        `json:"department_id,omitempty"`
	Organisation string        `json:"organisation,omitempty"`
	Month        Month         `json:"month"`
	Kind         ViolationKind `json:"kind"`
	N            int64         `json:"count"`
}

// Unit is the key of a board row: the department, or "org:" and the
// organisation of a relying agency that belongs to no department.
func (c ComplianceCount) Unit() string { return UnitOf(c.DepartmentID, c.Organisation) }

// UnitOf is the row key of a department or an organisation.
func UnitOf(dept, org string) string {
	if dept != "" {
		return dept
	}
	return "org:" + org
}

// BoardRow is one unit's counts: per month, per kind.
type BoardRow struct {
	Unit         string                             `json:"unit"`
	DepartmentID string                             `json:"department_id,omitempty"`
	Organisation string                             `json:"organisation,omitempty"`
	Name         string                             `json:"name"`
	Cells        map[string]map[ViolationKind]int64 `json:"months"` // by month (YYYY-MM)
	Totals       map[ViolationKind]int64            `json:"totals"`
	Total        int64                              `json:"total"`
}

// Board is the compliance board over a range of months.
type Board struct {
	From   Month                   `json:"from"`
	To     Month                   `json:"to"`
	Months []Month                 `json:"-"`
	Kinds  []ViolationKind         `json:"kinds"`
	Rows   []BoardRow              `json:"rows"`
	Totals map[ViolationKind]int64 `json:"totals"`
	// ByMonth sums every unit per month and kind (the charts).
	ByMonth map[string]map[ViolationKind]int64 `json:"by_month"`
	Total   int64                              `json:"total"`
}

// BuildBoard sums counts into a board; names maps unit keys to display
// names. Rows with the most violations come first, then by name; counts
// outside the months are ignored.
func BuildBoard(from, to Month, counts []ComplianceCount, names map[string]string) Board {
	b := Board{From: from, To: to, Months: Months(from, to, MaxBoardMonths), Kinds: ViolationKinds, Totals: map[ViolationKind]int64{}, ByMonth: map[string]map[ViolationKind]int64{}}
	in := map[string]bool{}
	for _, m := range b.Months {
		in[m.String()] = true
		b.ByMonth[m.String()] = map[ViolationKind]int64{}
	}
	rows := map[string]*BoardRow{}
	for _, c := range counts {
		ms := c.Month.String()
		if !in[ms] || c.N == 0 || !c.Kind.Valid() {
			continue
		}
		u := c.Unit()
		r := rows[u]
		if r == nil {
			name := names[u]
			if name == "" {
				name = c.Organisation
			}
			if name == "" {
				name = c.DepartmentID
			}
			r = &BoardRow{Unit: u, DepartmentID: c.DepartmentID, Organisation: c.Organisation, Name: name, Cells: map[string]map[ViolationKind]int64{}, Totals: map[ViolationKind]int64{}}
			rows[u] = r
		}
		if r.Cells[ms] == nil {
			r.Cells[ms] = map[ViolationKind]int64{}
		}
		r.Cells[ms][c.Kind] += c.N
		r.Totals[c.Kind] += c.N
		r.Total += c.N
		b.Totals[c.Kind] += c.N
		b.ByMonth[ms][c.Kind] += c.N
		b.Total += c.N
	}
	for _, r := range rows {
		b.Rows = append(b.Rows, *r)
	}
	slices.SortFunc(b.Rows, func(x, y BoardRow) int {
		if x.Total != y.Total {
			if x.Total > y.Total {
				return -1
			}
			return 1
		}
		return strings.Compare(x.Name+x.Unit, y.Name+y.Unit)
	})
	return b
}

// CountViolations counts cases per unit, month and kind.
func CountViolations(vs []Violation) []ComplianceCount {
	type key struct {
		dept, org string
		m         Month
		k         ViolationKind
	}
	idx := map[key]int{}
	var out []ComplianceCount
	for _, v := range vs {
		k := key{v.DepartmentID, v.Organisation, v.Month, v.Kind}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, ComplianceCount{DepartmentID: v.DepartmentID, Organisation: v.Organisation, Month: v.Month, Kind: v.Kind})
		}
		out[i].N++
	}
	return out
}

// ---- clean-up review (清理规范) ----

// CleanupEntry is one catalogue item, list type or measure in the clean-up
// review: its legal basis, whether anything relies on it, and the flags.
type CleanupEntry struct {
	Type       string     `json:"type"` // catalogue_item, list_type, measure
	Code       string     `json:"code"`
	Name       string     `json:"name"`
	Layer      Layer      `json:"layer,omitempty"`
	Provenance Provenance `json:"provenance,omitempty"`
	Status     string     `json:"status,omitempty"`
	LegalBasis string     `json:"legal_basis"`
	// Uses is how many records, listings or checks rely on it (-1: not
	// counted); UsedBy says what.
	Uses   int64    `json:"uses"`
	UsedBy string   `json:"used_by,omitempty"`
	Flags  []string `json:"flags,omitempty"`
}

// Clean-up flags.
const (
	FlagNoBasis     = "no_basis"     // 无设定依据: must be cleared out
	FlagUnused      = "unused"       // nothing relies on it: review whether it is still needed
	FlagUnconfirmed = "unconfirmed"  // provenance not confirmed against the official text
	FlagRetired     = "retired_used" // retired, yet records or listings still rely on it
)

// HasBasis reports whether a legal basis is stated: not blank and not a
// placeholder.
func HasBasis(basis string) bool {
	b := strings.TrimSpace(basis)
	if b == "" {
		return false
	}
	switch strings.ToLower(b) {
	case "-", "—", "无", "暂无", "待定", "todo", "tbd", "n/a", "none":
		return false
	}
	return true
}

// CleanupUsage is what relies on the reviewed entries, by code.
type CleanupUsage struct {
	ItemRecords      map[string]int64 // records per catalogue item (only the items counted)
	ListTypeListings map[string]int64 // listings per list type
	MeasureFeedback  map[string]int64 // agencies' feedback lines per measure
	// MeasureTriggers: measures a current listing or a stored active record
	// triggers (a check would return them).
	MeasureTriggers map[string]bool
}

// CleanupReview builds the clean-up review (清理规范, DOMAIN.md §9): every
// local (provincial or city) catalogue item, every list type and every
// measure, with its basis and what relies on it. An entry without a legal
// basis is flagged no_basis; one nothing relies on, unused; an entry whose
// provenance is unconfirmed, unconfirmed; a retired one still relied on,
// retired_used. Entries with flags come first.
func CleanupReview(items []CatalogueItem, lts []ListType, ms []Measure, u CleanupUsage) []CleanupEntry {
	var out []CleanupEntry
	flag := func(e *CleanupEntry, retired bool) {
		if !HasBasis(e.LegalBasis) {
			e.Flags = append(e.Flags, FlagNoBasis)
		}
		if e.Uses == 0 {
			e.Flags = append(e.Flags, FlagUnused)
		}
		if e.Provenance == ProvenanceUnconfirmed {
			e.Flags = append(e.Flags, FlagUnconfirmed)
		}
		if retired && e.Uses > 0 {
			e.Flags = append(e.Flags, FlagRetired)
		}
	}
	for _, it := range items {
		if it.Layer == LayerNational {
			continue
		}
		e := CleanupEntry{Type: "catalogue_item", Code: it.Code, Name: it.Name, Layer: it.Layer, Provenance: it.Provenance, Status: string(it.Status), LegalBasis: it.LegalBasis, Uses: -1}
		if n, ok := u.ItemRecords[it.Code]; ok {
			e.Uses, e.UsedBy = n, "records"
		}
		flag(&e, it.Status == ItemRetired)
		out = append(out, e)
	}
	for _, lt := range lts {
		e := CleanupEntry{Type: "list_type", Code: lt.Code, Name: lt.Name, Provenance: lt.Provenance, LegalBasis: lt.LegalBasis, Uses: u.ListTypeListings[lt.Code], UsedBy: "listings"}
		flag(&e, false)
		out = append(out, e)
	}
	for _, m := range ms {
		e := CleanupEntry{Type: "measure", Code: m.Code, Name: m.Item, Layer: m.Layer, Provenance: m.Provenance, LegalBasis: m.LegalBasis, Uses: u.MeasureFeedback[m.Code], UsedBy: "feedback"}
		if m.Retired {
			e.Status = "retired"
		}
		if u.MeasureTriggers[m.Code] {
			e.UsedBy = "feedback, triggered"
			if e.Uses == 0 {
				e.Uses = 1 // triggered now: a check would return it
			}
		}
		flag(&e, m.Retired)
		out = append(out, e)
	}
	rank := func(e CleanupEntry) int {
		switch {
		case slices.Contains(e.Flags, FlagNoBasis):
			return 0
		case len(e.Flags) > 0:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(out, func(a, b CleanupEntry) int { return rank(a) - rank(b) })
	return out
}

// MeasuresTriggered returns the codes of measures that listings of the
// given list types or records of the given severities trigger (the same
// triggers the measures check uses; a measure reserved for serious lists is
// never triggered by a record).
func MeasuresTriggered(ms []Measure, listTypes map[string]bool, severities map[Severity]bool) map[string]bool {
	out := map[string]bool{}
	for _, m := range ms {
		for _, lt := range m.ListTypes {
			if listTypes[lt] {
				out[m.Code] = true
			}
		}
		for _, s := range m.Severities {
			if severities[s] {
				out[m.Code] = true
			}
		}
	}
	return out
}

// ---- publication events ----

// PublicationOpensLater reports whether a record version written on
// written has a publication window that had not opened that day but is
// open on today: intake told other systems nothing (it sends
// record.published only when the window is open on the day of the write,
// internal/workflow/events.go), so the deadlines job does, once.
func PublicationOpensLater(w Window, status RecordStatus, written, today Date) bool {
	return status == RecordActive && w.Published && !w.Open(written) && written.Before(w.Start) && w.Open(today)
}
