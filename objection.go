package xinyong

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Objections to records (异议, DOMAIN.md §6; issue 7). A subject disputes its
// own record, or anyone disputes published information, naming the fields
// disputed, with reasons and evidence. The record is marked "异议处理中"
// (MarkInDispute) at once while the objection is handled:
//
//	filed → (forwarded) → resolved (corrected | deleted | upheld)
//
// The platform answers within 3 working days when it checks alone and
// within 7 when the objection is forwarded to the source department
// (山东省公共信用信息管理办法、河南省社会信用条例 practice; DOMAIN.md §6).
// The numbers are defaults: a province sets its own (ObjectionLimits).
//
// Every function here is pure; the workflow (internal/workflow/objections.go)
// stores each step with audit, ledger leaf and event in one transaction.

// ObjectionState is where an objection stands.
type ObjectionState string

const (
	ObjectionFiled     ObjectionState = "filed"     // 已受理, the platform checks
	ObjectionForwarded ObjectionState = "forwarded" // 已转交 the source department
	ObjectionResolved  ObjectionState = "resolved"  // 已办结
)

// Chinese names the state.
func (s ObjectionState) Chinese() string {
	switch s {
	case ObjectionFiled:
		return "异议处理中"
	case ObjectionForwarded:
		return "异议处理中（已转交信息提供单位）"
	case ObjectionResolved:
		return "异议已办结"
	}
	return string(s)
}

// Open reports whether the objection is being handled (the record shows
// MarkInDispute).
func (s ObjectionState) Open() bool { return s == ObjectionFiled || s == ObjectionForwarded }

// ObjectionOutcome is how an objection ends.
type ObjectionOutcome string

const (
	OutcomeCorrected ObjectionOutcome = "corrected" // 更正: a new record version with the corrected fields
	OutcomeDeleted   ObjectionOutcome = "deleted"   // 删除: publication and sharing end
	OutcomeUpheld    ObjectionOutcome = "upheld"    // 维持: the record stands, with reasons
)

// ObjectionOutcomes lists the outcomes.
var ObjectionOutcomes = []ObjectionOutcome{OutcomeCorrected, OutcomeDeleted, OutcomeUpheld}

// ObjectionLimits are the answer limits in working days.
type ObjectionLimits struct {
	Own       int `json:"own_working_days"`       // the platform checks alone
	Forwarded int `json:"forwarded_working_days"` // forwarded to the source department
}

// DefaultObjectionLimits: 3 working days (own check), 7 (source department);
// DOMAIN.md §6.
var DefaultObjectionLimits = ObjectionLimits{Own: 3, Forwarded: 7}

// ParseObjectionLimits reads limits written "own,forwarded" (e.g. "3,7"),
// the form kept in the settings; "" gives the defaults.
func ParseObjectionLimits(s string) (ObjectionLimits, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return DefaultObjectionLimits, nil
	}
	a, b, ok := strings.Cut(s, ",")
	own, err1 := strconv.Atoi(strings.TrimSpace(a))
	fwd, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || own < 1 || fwd < 1 || own > 60 || fwd > 60 {
		return ObjectionLimits{}, Invalid("bad objection limits", FieldError{Field: "objection_limits", Rule: "objection.limits", Message: "write the limits as own,forwarded working days, e.g. 3,7", Value: s})
	}
	return ObjectionLimits{Own: own, Forwarded: fwd}, nil
}

// ObjectionDeadline is the last day to answer an objection filed on filed:
// the limit counts in working days from the filing day, the forwarded
// limit when the objection went to the source department.
func ObjectionDeadline(filed Date, forwarded bool, lim ObjectionLimits, cal Calendar) Date {
	if lim.Own <= 0 {
		lim.Own = DefaultObjectionLimits.Own
	}
	if lim.Forwarded <= 0 {
		lim.Forwarded = DefaultObjectionLimits.Forwarded
	}
	if forwarded {
		return cal.AddWorkingDays(filed, lim.Forwarded)
	}
	return cal.AddWorkingDays(filed, lim.Own)
}

// ObjectionFilerHidden reports whether the filer's name and contact are
// withheld from the reader: the record's subject learns what is disputed
// and why, not who (a member of the public) disputes it.
func ObjectionFilerHidden(reader Actor, o Objection) bool {
	return !o.AsSubject && reader.Role == RoleSubject && reader.SubjectID == o.SubjectID && o.FiledBy != reader.Ref()
}

// ObjectionOverdue reports whether an open objection is past its deadline on today.
func ObjectionOverdue(o Objection, today Date) bool {
	return o.State.Open() && !o.Deadline.IsZero() && today.After(o.Deadline)
}

// Objection is one objection to a record.
type Objection struct {
	ID           string         `json:"id"`
	RecordID     string         `json:"record_id"`
	SubjectID    string         `json:"subject_id"`
	DepartmentID string         `json:"department_id"` // the source department of the record
	State        ObjectionState `json:"state"`
	Version      int            `json:"version"`
	// AsSubject: filed by the subject for its own record; otherwise by a
	// member of the public about published information.
	AsSubject bool     `json:"as_subject"`
	Name      string   `json:"name"`
	Contact   string   `json:"contact"`
	Fields    []string `json:"fields"` // the fields disputed (catalogue field codes); empty: the whole record
	Reasons   string   `json:"reasons"`
	Evidence  string   `json:"evidence,omitempty"`
	FiledOn   Date     `json:"filed_on"`
	// Deadline is the last day to answer (ObjectionDeadline).
	Deadline   Date                 `json:"deadline"`
	Forward    *ObjectionForward    `json:"forward,omitempty"`
	Resolution *ObjectionResolution `json:"resolution,omitempty"`
	FiledBy    string               `json:"filed_by"`
	CreatedAt  time.Time            `json:"created_at"`
	UpdatedAt  time.Time            `json:"updated_at"`
	UpdatedBy  string               `json:"updated_by"`
}

// ObjectionForward is the platform forwarding the objection to the source department.
type ObjectionForward struct {
	Date Date   `json:"date"`
	Note string `json:"note,omitempty"`
	By   string `json:"by"`
}

// ObjectionResolution is the answer.
type ObjectionResolution struct {
	Outcome ObjectionOutcome `json:"outcome"`
	Reasons string           `json:"reasons"`
	// Corrections are the corrected field values (outcome corrected), as
	// intake keeps them (checked against the catalogue, code fields
	// masked). They are the record's content: the stored objection does not
	// keep them (StoredResolution) — they live in the record version
	// RecordVersion, whose salted content the ledger commits to and a
	// deletion by credit repair erases — and a reader gets them back as it
	// sees that record now.
	Corrections map[string]string `json:"corrections,omitempty"`
	// Corrected names the corrected fields (catalogue codes, sorted): what
	// the stored objection keeps of a correction.
	Corrected     []string `json:"corrected_fields,omitempty"`
	Date          Date     `json:"date"`
	By            string   `json:"by"`
	Late          bool     `json:"late"`                     // answered after the deadline
	RecordVersion int      `json:"record_version,omitempty"` // the record version the outcome produced
	// RecordRepaired is the record's credit repair outcome when the answer
	// was given, if any; "deleted": the record had already been deleted by
	// credit repair and the answer changed nothing in it.
	RecordRepaired RepairOutcome `json:"record_repaired,omitempty"`
}

// StoredResolution is the resolution as the objection keeps it: the
// corrected fields named, their values left to the record version (see
// Corrections). Objections written before this rule may still hold values.
func StoredResolution(res *ObjectionResolution) *ObjectionResolution {
	if res == nil || res.Corrections == nil {
		return res
	}
	cp := *res
	if len(cp.Corrected) == 0 {
		cp.Corrected = slices.Sorted(maps.Keys(cp.Corrections))
	}
	cp.Corrections = nil
	return &cp
}

// RecordObjectionInput is an objection as filed.
type RecordObjectionInput struct {
	Name     string   `json:"name"`
	Contact  string   `json:"contact"`
	Fields   []string `json:"fields"`
	Reasons  string   `json:"reasons"`
	Evidence string   `json:"evidence"`
}

// ObjectionForwardInput forwards an objection.
type ObjectionForwardInput struct {
	Note string `json:"note"`
}

// ObjectionResolveInput resolves an objection.
type ObjectionResolveInput struct {
	Outcome     ObjectionOutcome  `json:"outcome"`
	Reasons     string            `json:"reasons"`
	Corrections map[string]string `json:"corrections"`
}

// ObjectionFilter selects objections; zero fields match everything.
type ObjectionFilter struct {
	DepartmentID string
	SubjectID    string
	RecordID     string
	Open         bool // only filed or forwarded
	DeadlineTo   Date // only those whose deadline is on or before
	Limit        int
}

// FileObjection checks an objection and returns it filed on today. asSubject:
// the filer is the record's subject; otherwise the record must be published
// (the public may dispute only what it can see) — the caller decides both.
func FileObjection(in RecordObjectionInput, r Record, it CatalogueItem, asSubject, published bool, today Date, lim ObjectionLimits, cal Calendar) (Objection, error) {
	var v Validation
	in.Name, in.Contact, in.Reasons, in.Evidence = strings.TrimSpace(in.Name), strings.TrimSpace(in.Contact), strings.TrimSpace(in.Reasons), strings.TrimSpace(in.Evidence)
	if r.Status == RecordWithdrawn {
		return Objection{}, &Error{Code: ECONFLICT, Message: "record " + r.ID + " was withdrawn: there is nothing left to object to"}
	}
	if !asSubject && !published {
		return Objection{}, &Error{Code: EFORBIDDEN, Message: "only the subject may object to information that is not published"}
	}
	if !asSubject && (in.Name == "" || in.Contact == "") {
		v.Add("name", "objection.filer", "give a name and a contact so the answer can reach you")
	}
	if in.Reasons == "" {
		v.Add("reasons", "required", "state the reasons of the objection")
	}
	if len([]rune(in.Reasons)) > 5000 {
		v.Add("reasons", "objection.length", "reasons are at most 5000 characters")
	}
	if len([]rune(in.Evidence)) > 20000 {
		v.Add("evidence", "objection.length", "evidence text is at most 20000 characters")
	}
	if len([]rune(in.Name)) > 200 || len([]rune(in.Contact)) > 200 {
		v.Add("contact", "objection.length", "name and contact are at most 200 characters")
	}
	var fields []string
	for _, f := range in.Fields {
		f = strings.TrimSpace(f)
		if f == "" || slices.Contains(fields, f) {
			continue
		}
		if !itemHasField(it, r, f) {
			v.Add("fields", "objection.field", "record %s has no field %s", r.ID, f)
			continue
		}
		fields = append(fields, f)
	}
	if err := v.Err("the objection was refused"); err != nil {
		return Objection{}, err
	}
	return Objection{RecordID: r.ID, SubjectID: r.SubjectID, DepartmentID: r.DepartmentID, State: ObjectionFiled, Version: 1,
		AsSubject: asSubject, Name: in.Name, Contact: in.Contact, Fields: fields, Reasons: in.Reasons, Evidence: in.Evidence,
		FiledOn: today, Deadline: ObjectionDeadline(today, false, lim, cal)}, nil
}

func itemHasField(it CatalogueItem, r Record, code string) bool {
	for _, f := range it.Fields {
		if f.Code == code {
			return true
		}
	}
	_, ok := r.Fields[code]
	return ok
}

// ForwardObjection sends a filed objection to the source department; the
// deadline becomes the forwarded limit from the filing day.
func ForwardObjection(o Objection, in ObjectionForwardInput, today Date, lim ObjectionLimits, cal Calendar, by string) (Objection, error) {
	if o.State != ObjectionFiled {
		return o, &Error{Code: ECONFLICT, Message: "objection " + o.ID + " is " + string(o.State) + ": only a filed objection is forwarded"}
	}
	o.State, o.Version = ObjectionForwarded, o.Version+1
	o.Forward = &ObjectionForward{Date: today, Note: strings.TrimSpace(in.Note), By: by}
	o.Deadline = ObjectionDeadline(o.FiledOn, true, lim, cal)
	return o, nil
}

// RepairDeletedNote is said in the reasons of an answer given after the
// record was deleted by credit repair.
const RepairDeletedNote = "（该信息已因信用修复删除，本答复不再变更该信息。）"

// ResolveObjection answers an open objection. Corrected names the corrected
// field values (fields of the record); every outcome states reasons.
// repaired is the record's credit repair outcome ("" none).
//
// A correction passes intake's rules for each field (目录制管理, DecideRecord):
// only a field the catalogue item defines (rule objection.field), a required
// field not emptied (field.required), the field's type, enum values and
// length (field.<type>); a code field is kept as intake keeps it
// (KeepFieldValue: personal ID numbers masked, DOMAIN.md §7).
//
// A record deleted by credit repair (content and salt erased, shown to
// nobody; DOMAIN.md §6) cannot be corrected (ECONFLICT); deleted or upheld
// record the answer without touching the record, saying so in the reasons
// (RepairDeletedNote) and in RecordRepaired, so the objection does not stay
// open and overdue.
func ResolveObjection(o Objection, in ObjectionResolveInput, r Record, it CatalogueItem, repaired RepairOutcome, today Date, by string) (Objection, error) {
	if !o.State.Open() {
		return o, &Error{Code: ECONFLICT, Message: "objection " + o.ID + " was already resolved"}
	}
	if repaired == RepairDeleted && in.Outcome == OutcomeCorrected {
		return o, &Error{Code: ECONFLICT, Message: "the record " + r.ID + " was deleted by credit repair (its content is erased and shown to nobody): it cannot be corrected; answer deleted or upheld"}
	}
	var v Validation
	in.Reasons = MaskCitizenIDs(strings.TrimSpace(in.Reasons)) // staff text, sent on in events (DOMAIN.md §7)
	if !slices.Contains(ObjectionOutcomes, in.Outcome) {
		v.Add("outcome", "objection.outcome", "outcome is corrected, deleted or upheld")
	}
	if in.Reasons == "" {
		v.Add("reasons", "required", "every answer states its reasons")
	}
	corr := map[string]string{}
	if in.Outcome == OutcomeCorrected {
		if len(in.Corrections) == 0 {
			v.Add("corrections", "objection.corrections", "a correction names the corrected fields and their values")
		}
		for _, k := range slices.Sorted(maps.Keys(in.Corrections)) {
			val := strings.TrimSpace(in.Corrections[k])
			code := strings.TrimSpace(k)
			spec, ok := it.Field(code)
			if !ok {
				if itemHasField(it, r, code) {
					v.Add("corrections."+code, "objection.field", "catalogue item %s does not define field %s: a correction, like intake, keeps only the item's fields", it.Code, code)
				} else {
					v.Add("corrections", "objection.field", "record %s has no field %s", r.ID, code)
				}
				continue
			}
			if fe := CheckFieldValue(spec, val); fe != nil {
				fe.Field = "corrections." + spec.Code
				v.Fields = append(v.Fields, *fe)
				continue
			}
			corr[spec.Code] = KeepFieldValue(spec, val)
		}
	} else if len(in.Corrections) > 0 {
		v.Add("corrections", "objection.corrections", "corrections go only with the outcome corrected")
	}
	if err := v.Err("the answer was refused"); err != nil {
		return o, err
	}
	var fields []string
	if len(corr) == 0 {
		corr = nil
	} else {
		fields = slices.Sorted(maps.Keys(corr))
	}
	if repaired == RepairDeleted {
		in.Reasons += RepairDeletedNote
	}
	o.State, o.Version = ObjectionResolved, o.Version+1
	o.Resolution = &ObjectionResolution{Outcome: in.Outcome, Reasons: in.Reasons, Corrections: corr, Corrected: fields, Date: today, By: by, Late: today.After(o.Deadline), RecordRepaired: repaired}
	return o, nil
}

// CheckFieldValue applies intake's rules for one field's value (DecideRecord:
// a required field is not empty, the catalogue's type, enum values and
// length) and returns the refusal naming the field ("fields.CODE") and the
// rule, or nil. val is trimmed.
func CheckFieldValue(f FieldSpec, val string) *FieldError {
	if val == "" {
		if f.Required && !isDocumentField(f.Code) {
			return &FieldError{Field: "fields." + f.Code, Rule: "field.required", Message: f.Label + " (" + f.Code + ") is required by the catalogue item"}
		}
		return nil
	}
	if msg := checkFieldValue(f, val); msg != "" {
		return &FieldError{Field: "fields." + f.Code, Rule: "field." + string(f.Type), Message: msg, Value: MaskCitizenIDs(clip(val))}
	}
	return nil
}

// KeepFieldValue is a field's value as intake keeps it (DOMAIN.md §7:
// personal information only masked): a personal code field (an ID number)
// masked; a citizen ID number put in a code field meant for the unified
// social credit code (a person recorded under CF_XDR_SHXYM) masked as well.
// Other values are kept as given. internal/workflow/records.go applies the
// same rule to a submission.
func KeepFieldValue(f FieldSpec, val string) string {
	if f.Type != FieldCode || val == "" {
		return val
	}
	if f.Personal {
		return MaskID(val)
	}
	if n := NormalizeCode(val); MaskIDIfPerson(n) != n {
		return MaskIDIfPerson(n)
	}
	return val
}
