package xinyong

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// The listing procedure of a serious-dishonesty subject list (严重失信主体名单,
// 国办发〔2020〕49号 parts 6–8; DOMAIN.md §4; regulation.md §7):
//
//	proposed → notified → (objected → verified) → decided → listed → removed
//
// Every function here is pure: the workflow loads what they need, asks
// them for the next state and stores it, with audit and ledger, in one
// transaction.

// ListingState is where a listing stands.
type ListingState string

const (
	ListingProposed ListingState = "proposed" // 拟列入
	ListingNotified ListingState = "notified" // 已告知
	ListingObjected ListingState = "objected" // 已提出异议
	ListingVerified ListingState = "verified" // 异议已核实答复
	ListingDecided  ListingState = "decided"  // 已作出认定决定
	ListingListed   ListingState = "listed"   // 已列入
	ListingRemoved  ListingState = "removed"  // 已移出 / 终止
)

// ListingStates lists every state in procedure order.
var ListingStates = []ListingState{ListingProposed, ListingNotified, ListingObjected, ListingVerified, ListingDecided, ListingListed, ListingRemoved}

// Valid reports whether s is a known state.
func (s ListingState) Valid() bool { return slices.Contains(ListingStates, s) }

// Chinese names the state.
func (s ListingState) Chinese() string {
	switch s {
	case ListingProposed:
		return "拟列入"
	case ListingNotified:
		return "已告知"
	case ListingObjected:
		return "异议处理中"
	case ListingVerified:
		return "异议已答复"
	case ListingDecided:
		return "已认定"
	case ListingListed:
		return "已列入名单"
	case ListingRemoved:
		return "已移出"
	}
	return string(s)
}

// listingTransitions are the allowed steps. Removal on revocation of the
// underlying document is allowed from every state but removed (see
// CanTransition).
var listingTransitions = map[ListingState][]ListingState{
	ListingProposed: {ListingNotified},
	ListingNotified: {ListingObjected, ListingDecided},
	ListingObjected: {ListingVerified, ListingRemoved}, // removed: the objection was upheld
	ListingVerified: {ListingDecided},
	ListingDecided:  {ListingListed},
	ListingListed:   {ListingRemoved},
}

// CanTransition reports whether a listing may go from one state to the next
// in the ordinary procedure.
func CanTransition(from, to ListingState) bool {
	return slices.Contains(listingTransitions[from], to)
}

// checkStep refuses a step out of order with ECONFLICT naming the states.
func checkStep(l Listing, to ListingState, step string) error {
	if CanTransition(l.State, to) {
		return nil
	}
	var from []string
	for _, s := range ListingStates {
		if CanTransition(s, to) {
			from = append(from, string(s))
		}
	}
	return &Error{Code: ECONFLICT, Message: "listing " + l.ID + " is " + string(l.State) + ": cannot " + step + " (allowed only when " + strings.Join(from, " or ") + ")"}
}

// Procedure defaults. The objection window comes from the list type
// (ListType.ObjectionWorkingDays) and may be set per notice; these apply
// only when neither says. UNCONFIRMED numbers (49号 says "within a set
// time" without a number): configuration, not law.
const (
	DefaultObjectionWorkingDays = 5
	DefaultVerifyWorkingDays    = 10
)

// Removal reasons.
const (
	RemovalExpired         = "expired"          // the listing period ended
	RemovalEarly           = "early"            // early removal on request (信用修复) after the minimum time
	RemovalRevoked         = "revoked"          // the underlying document was revoked, changed or voided
	RemovalObjectionUpheld = "objection_upheld" // the objection was upheld: the procedure ends
)

// Listing is one subject's listing (or proposed listing) on a list type.
type Listing struct {
	ID           string       `json:"id"`
	ListType     string       `json:"list_type"`
	SubjectID    string       `json:"subject_id"`
	DepartmentID string       `json:"department_id"` // the identifying department (认定部门)
	RecordIDs    []string     `json:"record_ids"`    // the underlying records (legally effective documents)
	State        ListingState `json:"state"`
	Version      int          `json:"version"`
	Reasons      string       `json:"reasons"` // facts of the proposal
	Basis        string       `json:"basis"`   // the rule applied
	// LeniencyReason is the written reason to proceed although an
	// underlying record carries a leniency flag (宽容审慎).
	LeniencyReason string               `json:"leniency_reason,omitempty"`
	ProposedBy     string               `json:"proposed_by"`
	ProposedAt     time.Time            `json:"proposed_at"`
	Notice         *ListingNotice       `json:"notice,omitempty"`
	Objection      *ListingObjection    `json:"objection,omitempty"`
	Verification   *ListingVerification `json:"verification,omitempty"`
	Decision       *ListingDecision     `json:"decision,omitempty"`
	ListedOn       Date                 `json:"listed_on,omitzero"`
	EndDate        Date                 `json:"end_date,omitzero"` // zero: until removed
	Published      bool                 `json:"published"`         // shown on the portal while listed
	Removal        *ListingRemoval      `json:"removal,omitempty"`
	UpdatedAt      time.Time            `json:"updated_at"`
	UpdatedBy      string               `json:"updated_by"`
}

// ListingNotice is the prior notice to the party (告知).
type ListingNotice struct {
	Date              Date   `json:"date"`
	Reasons           string `json:"reasons"`
	Basis             string `json:"basis"`
	Rights            string `json:"rights"` // to state its case (陈述、申辩) and object (异议)
	ObjectionDays     int    `json:"objection_working_days"`
	ObjectionDeadline Date   `json:"objection_deadline"`
	By                string `json:"by"`
}

// ListingObjection is the party's objection (异议).
type ListingObjection struct {
	Date           Date     `json:"date"`
	Statement      string   `json:"statement"`
	Evidence       []string `json:"evidence,omitempty"`
	By             string   `json:"by"` // the subject's account, or the officer recording the statement
	VerifyDeadline Date     `json:"verify_deadline"`
}

// ListingVerification is the officer's answer to the objection (核实答复).
type ListingVerification struct {
	Date   Date   `json:"date"`
	Answer string `json:"answer"`
	Upheld bool   `json:"upheld"` // the objection was upheld: the listing ends
	By     string `json:"by"`
	Late   bool   `json:"late,omitempty"` // answered after the deadline
}

// Remedies are the remedies a decision states (救济途径).
type Remedies struct {
	Reconsideration string `json:"reconsideration"` // 行政复议
	Litigation      string `json:"litigation"`      // 行政诉讼
}

// ListingDecision is the decision document (认定决定书).
type ListingDecision struct {
	Number            string   `json:"number"` // 文号
	Date              Date     `json:"date"`
	Reason            string   `json:"reason"`
	Basis             string   `json:"basis"`
	Measures          []string `json:"measures"` // codes from the measures list
	RemovalConditions string   `json:"removal_conditions"`
	RemovalProcedure  string   `json:"removal_procedure"`
	Remedies          Remedies `json:"remedies"`
	PeriodMonths      int      `json:"period_months"`              // from the list type (0 = until removed) plus extension
	ExtensionMonths   int      `json:"extension_months,omitempty"` // within the list type's extension range
	By                string   `json:"by"`
}

// ListingRemoval says why and when a listing ended.
type ListingRemoval struct {
	Date   Date   `json:"date"`
	Reason string `json:"reason"` // expired, early, revoked, objection_upheld
	Note   string `json:"note,omitempty"`
	By     string `json:"by"`
}

// ListingProposal is what the identifying department proposes.
type ListingProposal struct {
	ListType       string   `json:"list_type"`
	Subject        string   `json:"subject"` // code or subject id
	RecordIDs      []string `json:"record_ids"`
	Reasons        string   `json:"reasons"`
	Basis          string   `json:"basis"`
	LeniencyReason string   `json:"leniency_reason,omitempty"`
}

// checkMinor refuses a natural person who is a minor on the date (minors
// are never listed; SPC 2017 Art. 4), and, where the list type does not
// admit it, conduct committed as a minor (the record's leniency flag).
func checkMinor(v *Validation, lt ListType, subj Subject, records []Record, on Date) {
	if MinorOn(subj, on) {
		v.Add("subject", "listing.minor", "a minor cannot be listed: the person is under 18 on %s", on)
	}
	if !lt.MinorsMayBeListed {
		for _, r := range records {
			if r.Leniency.Minor {
				v.Add("record_ids", "listing.minor", "list type %s never lists minors: record %s concerns conduct as a minor", lt.Code, r.ID)
			}
		}
	}
}

// checkLeniency asks for a written reason when an underlying record carries
// a leniency flag (宽容审慎: force majeure, no fault, first minor violation).
func checkLeniency(v *Validation, records []Record, reason string) {
	if strings.TrimSpace(reason) != "" {
		return
	}
	for _, r := range records {
		if r.Leniency.Any() {
			v.Add("leniency_reason", "listing.leniency", "record %s carries a leniency flag: a written reason to proceed is required", r.ID)
		}
	}
}

// ProposeListing checks a proposal and returns the new listing (without ID
// and times, which the caller sets). The records must be the department's
// own, active, about the subject; the list type must be valid.
func ProposeListing(p ListingProposal, lt ListType, subj Subject, deptID string, records []Record, today Date) (Listing, error) {
	var v Validation
	if err := ValidateListType(lt); err != nil {
		v.Add("list_type", "listing.list_type", "list type %s is not valid: %s", lt.Code, ErrorMessage(err))
	}
	if len(records) == 0 {
		v.Add("record_ids", "listing.records", "a listing rests on at least one record (a legally effective document, 国办发〔2020〕49号)")
	}
	for _, r := range records {
		switch {
		case r.SubjectID != subj.ID:
			v.Add("record_ids", "listing.records", "record %s is not about this subject", r.ID)
		case r.DepartmentID != deptID:
			v.Add("record_ids", "listing.records", "record %s is another department's", r.ID)
		case r.Status != RecordActive:
			v.Add("record_ids", "listing.records", "record %s is withdrawn", r.ID)
		}
	}
	if strings.TrimSpace(p.Reasons) == "" {
		v.Add("reasons", "required", "the proposal states the reasons (facts)")
	}
	if strings.TrimSpace(p.Basis) == "" {
		v.Add("basis", "required", "the proposal states its basis")
	}
	checkMinor(&v, lt, subj, records, today)
	checkLeniency(&v, records, p.LeniencyReason)
	if err := v.Err("the listing proposal is refused"); err != nil {
		return Listing{}, err
	}
	ids := make([]string, 0, len(records))
	for _, r := range records {
		ids = append(ids, r.ID)
	}
	return Listing{
		ListType: lt.Code, SubjectID: subj.ID, DepartmentID: deptID, RecordIDs: ids, State: ListingProposed, Version: 1,
		Reasons: strings.TrimSpace(p.Reasons), Basis: strings.TrimSpace(p.Basis), LeniencyReason: strings.TrimSpace(p.LeniencyReason),
	}, nil
}

// StandardRights is the rights clause of every notice.
const StandardRights = "当事人享有陈述、申辩的权利；对拟列入严重失信主体名单有异议的，可以在异议期限内提出异议并提交相关证据。"

// NoticeInput is what the officer writes in the notice; blank fields are
// taken from the proposal, Days 0 from the list type.
type NoticeInput struct {
	Reasons string `json:"reasons"`
	Basis   string `json:"basis"`
	Rights  string `json:"rights"`
	Days    int    `json:"objection_working_days"`
}

// Notify returns the listing after the prior notice (告知): reasons, basis,
// the rights to state its case and object, and the objection deadline
// (the date plus the working days of the notice, of the list type or the
// default, on the official calendar). The window is at most
// MaxObjectionWorkingDays: a longer one is refused, not computed.
func Notify(l Listing, lt ListType, in NoticeInput, on Date, cal Calendar, by string) (Listing, error) {
	if err := checkStep(l, ListingNotified, "notify"); err != nil {
		return l, err
	}
	n := ListingNotice{Date: on, Reasons: firstNonBlank(in.Reasons, l.Reasons), Basis: firstNonBlank(in.Basis, l.Basis), Rights: firstNonBlank(in.Rights, StandardRights), By: by}
	var v Validation
	if n.Reasons == "" {
		v.Add("reasons", "notice.reasons", "the notice states the reasons")
	}
	if n.Basis == "" {
		v.Add("basis", "notice.basis", "the notice states the basis")
	}
	if !strings.Contains(n.Rights, "陈述") || !strings.Contains(n.Rights, "异议") {
		v.Add("rights", "notice.rights", "the notice states the rights to state its case (陈述、申辩) and to object (异议)")
	}
	n.ObjectionDays = in.Days
	switch {
	case in.Days < 0:
		v.Add("objection_working_days", "notice.days", "the objection window is a positive number of working days")
	case in.Days > MaxObjectionWorkingDays:
		v.Add("objection_working_days", "notice.days", "the objection window is at most %d working days (a short window: 国办发〔2020〕49号 \"within a set time\"; local bound, see MaxObjectionWorkingDays)", MaxObjectionWorkingDays)
	case in.Days == 0 && lt.ObjectionWorkingDays > MaxObjectionWorkingDays:
		// A list type stored before the bound existed.
		v.Add("objection_working_days", "notice.days", "list type %s sets an objection window of %d working days, above the maximum %d: state the window in the notice or correct the list type", lt.Code, lt.ObjectionWorkingDays, MaxObjectionWorkingDays)
	case in.Days == 0 && lt.ObjectionWorkingDays > 0:
		n.ObjectionDays = lt.ObjectionWorkingDays
	case in.Days == 0:
		n.ObjectionDays = DefaultObjectionWorkingDays
	}
	if err := v.Err("the notice is incomplete"); err != nil {
		return l, err
	}
	n.ObjectionDeadline = cal.AddWorkingDays(on, n.ObjectionDays)
	l.Notice = &n
	l.State = ListingNotified
	return l, nil
}

// ObjectionInput is the party's objection.
type ObjectionInput struct {
	Statement string   `json:"statement"`
	Evidence  []string `json:"evidence,omitempty"`
}

// Object records the party's objection within the objection window; the
// officer's answer is due verifyDays working days later (0: the default).
func Object(l Listing, in ObjectionInput, on Date, cal Calendar, verifyDays int, by string) (Listing, error) {
	if err := checkStep(l, ListingObjected, "object"); err != nil {
		return l, err
	}
	if l.Notice != nil && on.After(l.Notice.ObjectionDeadline) {
		return l, &Error{Code: EDEADLINEPASSED, Message: "the objection window ended on " + l.Notice.ObjectionDeadline.String()}
	}
	if strings.TrimSpace(in.Statement) == "" {
		return l, Invalid("the objection is incomplete", FieldError{Field: "statement", Rule: "required", Message: "the objection states the party's case"})
	}
	if verifyDays <= 0 {
		verifyDays = DefaultVerifyWorkingDays
	}
	l.Objection = &ListingObjection{Date: on, Statement: strings.TrimSpace(in.Statement), Evidence: in.Evidence, By: by, VerifyDeadline: cal.AddWorkingDays(on, verifyDays)}
	l.State = ListingObjected
	return l, nil
}

// VerifyInput is the officer's answer to an objection.
type VerifyInput struct {
	Answer string `json:"answer"`
	Upheld bool   `json:"upheld"`
}

// Verify records the answer to the objection; an upheld objection ends the
// procedure (removed, objection_upheld).
func Verify(l Listing, in VerifyInput, on Date, by string) (Listing, error) {
	to := ListingVerified
	if in.Upheld {
		to = ListingRemoved
	}
	if err := checkStep(l, to, "verify"); err != nil {
		return l, err
	}
	if strings.TrimSpace(in.Answer) == "" {
		return l, Invalid("the answer is incomplete", FieldError{Field: "answer", Rule: "required", Message: "the answer to the objection is recorded"})
	}
	ver := ListingVerification{Date: on, Answer: strings.TrimSpace(in.Answer), Upheld: in.Upheld, By: by}
	if l.Objection != nil && on.After(l.Objection.VerifyDeadline) {
		ver.Late = true
	}
	l.Verification = &ver
	l.State = to
	if in.Upheld {
		l.Removal = &ListingRemoval{Date: on, Reason: RemovalObjectionUpheld, Note: ver.Answer, By: by}
	}
	return l, nil
}

// DecisionParts are the parts a decision document must state, by field
// name, in order (国办发〔2020〕49号; regulation.md §7).
var DecisionParts = []string{"reason", "basis", "measures", "removal_conditions", "removal_procedure", "remedies.reconsideration", "remedies.litigation"}

// MissingDecisionParts names the parts the decision does not state.
func MissingDecisionParts(d ListingDecision) []string {
	var out []string
	blank := func(s string) bool { return strings.TrimSpace(s) == "" }
	for _, p := range DecisionParts {
		var missing bool
		switch p {
		case "reason":
			missing = blank(d.Reason)
		case "basis":
			missing = blank(d.Basis)
		case "measures":
			missing = len(d.Measures) == 0
		case "removal_conditions":
			missing = blank(d.RemovalConditions)
		case "removal_procedure":
			missing = blank(d.RemovalProcedure)
		case "remedies.reconsideration":
			missing = blank(d.Remedies.Reconsideration)
		case "remedies.litigation":
			missing = blank(d.Remedies.Litigation)
		}
		if missing {
			out = append(out, p)
		}
	}
	return out
}

// MeasuresFor returns the codes of the measures in force on day on (as the
// measures check reads them: Measure.InForce) that the list type triggers.
func MeasuresFor(lt string, measures []Measure, on Date) []string {
	var out []string
	for _, m := range measures {
		if m.InForce(on) && slices.Contains(m.ListTypes, lt) {
			out = append(out, m.Code)
		}
	}
	return out
}

// Decide checks the decision document (认定决定书) and returns the decided
// listing. A decision missing a part is refused naming the missing parts;
// measures must come from the measures list and be triggered by the list
// type; the objection window must have ended (or the objection been
// answered); a minor is refused on the decision date; leniency needs a
// written reason.
func Decide(l Listing, lt ListType, d ListingDecision, measures []Measure, subj Subject, records []Record, on Date) (Listing, error) {
	if err := checkStep(l, ListingDecided, "decide"); err != nil {
		return l, err
	}
	if l.State == ListingNotified && l.Notice != nil && !on.After(l.Notice.ObjectionDeadline) {
		return l, &Error{Code: ECONFLICT, Message: "the objection window runs until " + l.Notice.ObjectionDeadline.String() + ": the decision comes after it"}
	}
	var v Validation
	if missing := MissingDecisionParts(d); len(missing) > 0 {
		for _, p := range missing {
			v.Add(p, "decision.part", "the decision document must state %s", p)
		}
	}
	if strings.TrimSpace(d.Number) == "" {
		v.Add("number", "required", "the decision document has a number (文号)")
	}
	allowed := MeasuresFor(lt.Code, measures, on)
	for _, c := range d.Measures {
		if !slices.Contains(allowed, c) {
			v.Add("measures", "decision.measure", "measure %s is not on the measures list for list type %s on %s", c, lt.Code, on)
		}
	}
	if d.ExtensionMonths != 0 && (lt.PeriodMonths == 0 || d.ExtensionMonths < lt.ExtensionMinMonths || d.ExtensionMonths > lt.ExtensionMaxMonths) {
		v.Add("extension_months", "decision.extension", "list type %s allows an extension of %d to %d months", lt.Code, lt.ExtensionMinMonths, lt.ExtensionMaxMonths)
	}
	// A list type stored before its numbers were bounded (ValidateListType
	// refuses it since): its period with the extension asked would set an
	// end date beyond any listing period (过惩相当, MaxListPeriodMonths).
	if months := lt.PeriodMonths + max(d.ExtensionMonths, 0); lt.PeriodMonths > 0 && months > MaxListPeriodMonths {
		v.Add("list_type", "list.period_max", "list type %s with the extension asked sets a listing period of %d months, above the maximum of %d months: the list type was stored before the bound existed; the admin corrects it first",
			lt.Code, months, MaxListPeriodMonths)
	}
	checkMinor(&v, lt, subj, records, on)
	checkLeniency(&v, records, l.LeniencyReason)
	for _, r := range records {
		if r.Status != RecordActive {
			v.Add("record_ids", "listing.records", "record %s was withdrawn", r.ID)
		}
	}
	if err := v.Err("the decision is refused"); err != nil {
		return l, err
	}
	d.Date = on
	d.PeriodMonths = lt.PeriodMonths
	if lt.PeriodMonths > 0 {
		d.PeriodMonths += d.ExtensionMonths
	}
	l.Decision = &d
	l.State = ListingDecided
	return l, nil
}

// List puts a decided listing on the list from on: the end date follows the
// decision's period (none when 0); published as the list type says. A
// decision's period above MaxListPeriodMonths is refused (ECONFLICT).
func List(l Listing, lt ListType, on Date) (Listing, error) {
	if err := checkStep(l, ListingListed, "list"); err != nil {
		return l, err
	}
	// A decision made before the bound existed, setting a period above it,
	// is not listed with that period: the end date would lie far beyond
	// any listing period (ListingDateProblems flags it).
	if d := l.Decision; d != nil && d.PeriodMonths > MaxListPeriodMonths {
		return l, &Error{Code: ECONFLICT, Message: "listing " + l.ID + ": its decision " + d.Number + " sets a listing period of " + strconv.Itoa(d.PeriodMonths) +
			" months, above the maximum of " + strconv.Itoa(MaxListPeriodMonths) + " months (decided before the bound existed): it is not listed with that period; it is corrected only through the listing procedure"}
	}
	l.ListedOn = on
	if l.Decision != nil && l.Decision.PeriodMonths > 0 {
		l.EndDate = on.AddMonths(l.Decision.PeriodMonths)
	}
	l.Published = lt.Published
	l.State = ListingListed
	return l, nil
}

// EarliestRemoval is the first day a listing may be removed early.
func EarliestRemoval(l Listing, lt ListType) Date {
	return l.ListedOn.AddMonths(lt.EarlyRemovalMonths)
}

// Remove ends a listing: expired (on or after the effective end date,
// EffectiveEnd; when that is the longest period and not the stored end
// date, the removal's note says so), early (after
// the list type's minimum, with the conditions met stated in note), or
// revoked (the underlying document was revoked: from any state).
func Remove(l Listing, lt ListType, reason, note string, on Date, by string) (Listing, error) {
	switch reason {
	case RemovalRevoked:
		if l.State == ListingRemoved {
			return l, &Error{Code: ECONFLICT, Message: "listing " + l.ID + " was already removed"}
		}
	case RemovalExpired:
		if err := checkStep(l, ListingRemoved, "remove"); err != nil {
			return l, err
		}
		end := l.EffectiveEnd()
		if end.IsZero() || on.Before(end) {
			return l, &Error{Code: ECONFLICT, Message: "listing " + l.ID + " has not expired (end date " + end.String() + ")"}
		}
		if end != l.EndDate && strings.TrimSpace(note) == "" {
			note = "列入期限届满：自列入之日（" + l.ListedOn.String() + "）起满" + strconv.Itoa(MaxListPeriodMonths) + "个月，即最长列入期限，于 " + end.String() +
				" 届满；记载的截止日期 " + l.EndDate.String() + " 超出上限，不予执行（过惩相当）"
		}
	case RemovalEarly:
		if err := checkStep(l, ListingRemoved, "remove"); err != nil {
			return l, err
		}
		if first := EarliestRemoval(l, lt); on.Before(first) {
			return l, &Error{Code: ECONFLICT, Message: "list type " + lt.Code + " allows early removal only from " + first.String()}
		}
		if strings.TrimSpace(note) == "" {
			return l, Invalid("the removal is incomplete", FieldError{Field: "note", Rule: "required", Message: "early removal states the conditions met (" + lt.EarlyRemoval + ")"})
		}
	default:
		return l, Invalid("bad reason", FieldError{Field: "reason", Rule: "removal.reason", Message: "reason is expired, early or revoked"})
	}
	l.Removal = &ListingRemoval{Date: on, Reason: reason, Note: strings.TrimSpace(note), By: by}
	l.State = ListingRemoved
	l.Published = false
	return l, nil
}

// Due returns the date by which the officer's next step is due, and the
// step: the answer to an objection (verify) and the removal at the end of
// the period (remove). Zero when nothing is due.
func (l Listing) Due() (Date, string) {
	switch l.State {
	case ListingObjected:
		if l.Objection != nil {
			return l.Objection.VerifyDeadline, "verify"
		}
	case ListingListed:
		if !l.EndDate.IsZero() {
			return l.EndDate, "remove"
		}
	}
	return Date{}, ""
}

// Overdue reports whether the listing's due step is past its date on today
// (for the officer's queue and the compliance counters). The deadlines were
// computed on the working-day calendar when the step began.
func Overdue(l Listing, today Date) bool {
	due, _ := l.Due()
	if due.IsZero() {
		return false
	}
	return today.After(due)
}

// Active reports whether the listing is in force (measures applicable):
// listed, from its listing day until its effective end (EffectiveEnd).
func (l Listing) Active(on Date) bool {
	if l.State != ListingListed || on.Before(l.ListedOn) {
		return false
	}
	end := l.EffectiveEnd()
	return end.IsZero() || on.Before(end)
}

// EffectiveEnd is the day a listing's period ends: its end date, but never
// later than MaxListPeriodMonths after its listing day, the longest period
// any list type may set (ValidateListType; regulation.md §7). A listing
// ends by itself at the longest period its rule allows and no punishment
// runs longer than the rule allows (过惩相当, DOMAIN.md §3–§5), so an end
// date stored before the bounds existed (a period of a million months:
// year 102026) is not obeyed past that maximum; the stored end date is
// kept as written (doc/listings.md). Zero when the listing has no end date
// (until removed).
func (l Listing) EffectiveEnd() Date {
	if l.EndDate.IsZero() || l.ListedOn.IsZero() {
		return l.EndDate
	}
	if bound := l.ListedOn.AddMonths(MaxListPeriodMonths); bound.Before(l.EndDate) {
		return bound
	}
	return l.EndDate
}

// LastListedOnEnded is the latest listing day whose longest period
// (MaxListPeriodMonths, see EffectiveEnd) has ended by day on: a listing
// with an end date and listed on or before it has an effective end on or
// before on, one listed after it does not. The stores compare listed_on
// with it in SQL (the public list, the expiry job) as Go compares
// EffectiveEnd, the month arithmetic staying here (AddMonths: 2024-02-29
// + 60 months = 2029-02-28).
func LastListedOnEnded(on Date) Date {
	// d + the period is on or before on; the next days may be too (at most
	// three: AddMonths keeps the day or falls back to the month's last).
	d := on.AddMonths(-MaxListPeriodMonths)
	for !on.Before(d.AddDays(1).AddMonths(MaxListPeriodMonths)) {
		d = d.AddDays(1)
	}
	return d
}

func firstNonBlank(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// CheckNoOpenListing refuses a proposal while the subject already has a
// listing on the same list type that is not removed (ECONFLICT naming it):
// a subject is on a list once. A second listing would trigger the same
// measures twice and keep them in force after the first is removed
// (expiry, repair, revocation; DOMAIN.md §4: removal ends the measures).
// existing are the subject's listings; those of other subjects or list
// types, and removed ones, are ignored.
func CheckNoOpenListing(existing []Listing, listType, subjectID string) error {
	for _, l := range existing {
		if l.ListType != listType || l.SubjectID != subjectID || l.State == ListingRemoved {
			continue
		}
		return &Error{Code: ECONFLICT, Message: "the subject already has listing " + l.ID + " on list type " + listType + " (state " + string(l.State) +
			"): a subject is listed once per list type; continue that procedure, or remove it before proposing again"}
	}
	return nil
}

// ListingFilter selects listings; zero fields match everything.
type ListingFilter struct {
	DepartmentID string
	SubjectID    string
	ListType     string
	State        ListingState
	Open         bool // only listings not removed
	RecordID     string
	EndBefore    Date // listings with an end date whose effective end (Listing.EffectiveEnd) is on or before this day
	Limit        int  // 0: 500
}

// The officer's queue (ListingQueue) is read a page at a time.
const (
	DefaultListingQueuePage = 100
	MaxListingQueuePage     = 500
)

// ListingQueueQuery selects one page of an officer's queue. Every
// condition is applied before the page is cut; the page is in the order of
// QueueDue: the listings with a due date first, soonest (so overdue) first
// (a date past year 9999, stored before the bounds, after all others),
// then those without one, oldest first (by id).
type ListingQueueQuery struct {
	DepartmentID string
	SubjectID    string
	// State selects one state; "" selects every state but removed (the
	// open listings).
	State ListingState
	// OverdueOn, when set, keeps only the listings overdue on that day
	// (Overdue: the due date is before it).
	OverdueOn Date
	Offset    int
	Limit     int // 0: DefaultListingQueuePage; at most MaxListingQueuePage
}

// QueueDue is the date the queue orders a listing by and the store keeps
// beside it: its due date (Listing.Due), zero when nothing is due.
func QueueDue(l Listing) Date {
	d, _ := l.Due()
	return d
}
