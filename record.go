package xinyong

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// DocType is the type of legally effective document a record rests on.
type DocType string

const (
	DocJudgment        DocType = "judgment"          // 判决书
	DocRuling          DocType = "ruling"            // 裁定书
	DocArbitration     DocType = "arbitration_award" // 仲裁裁决书
	DocPenaltyDecision DocType = "penalty_decision"  // 行政处罚决定书
	DocAdminRuling     DocType = "admin_ruling"      // 行政裁决书
	DocLicenseDecision DocType = "license_decision"  // 行政许可决定书
	DocOther           DocType = "other"             // 法律、法规或党中央、国务院政策文件规定的其他文书
)

// DocTypes lists the document types with their Chinese names.
var DocTypes = map[DocType]string{
	DocJudgment: "判决书", DocRuling: "裁定书", DocArbitration: "仲裁裁决书", DocPenaltyDecision: "行政处罚决定书",
	DocAdminRuling: "行政裁决书", DocLicenseDecision: "行政许可决定书", DocOther: "其他具有法律效力的文书",
}

// Document is the legally effective document a record rests on (具有法律效力的文书).
type Document struct {
	Type          DocType `json:"type"`
	Name          string  `json:"name,omitempty"` // for "other": the document's name and the rule naming it
	Number        string  `json:"number"`         // 文号
	Authority     string  `json:"authority"`      // 作出机关
	DecisionDate  Date    `json:"decision_date"`
	EffectiveDate Date    `json:"effective_date,omitzero"`
}

// Leniency flags on a record (宽容审慎), read by the rules.
type Leniency struct {
	Minor        bool   `json:"minor,omitempty"`         // the subject was a minor at the time of the conduct
	ForceMajeure bool   `json:"force_majeure,omitempty"` // 不可抗力 (natural disaster, epidemic)
	NoFault      bool   `json:"no_fault,omitempty"`      // 无主观过错
	FirstMinor   bool   `json:"first_minor,omitempty"`   // 首违轻微
	Reason       string `json:"reason,omitempty"`
}

// Any reports whether any flag is set.
func (l Leniency) Any() bool { return l.Minor || l.ForceMajeure || l.NoFault || l.FirstMinor }

// RecordStatus is where a record stands.
type RecordStatus string

const (
	RecordActive    RecordStatus = "active"
	RecordWithdrawn RecordStatus = "withdrawn" // decision revoked, changed or voided: sharing and publication end at once
)

// Record is one piece of public credit information: one catalogue item, one
// subject, one department, one legal document.
type Record struct {
	ID           string            `json:"id"`
	Item         string            `json:"item"`
	Kind         string            `json:"kind"` // the item's kind: penalty, license, …
	SubjectID    string            `json:"subject_id"`
	SubjectCode  string            `json:"subject_code"` // USCC, or masked ID number
	SubjectName  string            `json:"subject_name"`
	SubjectKind  SubjectKind       `json:"subject_kind"`
	DepartmentID string            `json:"department_id"`
	Document     Document          `json:"document"`
	Fields       map[string]string `json:"fields"`
	Severity     Severity          `json:"severity,omitempty"`
	Categories   []string          `json:"categories,omitempty"`
	Sector       string            `json:"sector,omitempty"`
	Leniency     Leniency          `json:"leniency,omitzero"`
	Window       Window            `json:"publication"`
	Lateness     Lateness          `json:"disclosure"`
	Version      int               `json:"version"`
	Status       RecordStatus      `json:"status"`
	Withdrawal   *Withdrawal       `json:"withdrawal,omitempty"`
	SubmittedAt  time.Time         `json:"submitted_at"`
	UpdatedAt    time.Time         `json:"updated_at"`
	ImportID     string            `json:"import_id,omitempty"`
	// Content is the canonical JSON of the version (what the ledger commits
	// to, with Salt); Salt is erased with the content on deletion.
	Content   []byte   `json:"-"`
	Salt      []byte   `json:"-"`
	LedgerIdx int64    `json:"ledger_index"`
	Dropped   []string `json:"dropped_fields,omitempty"` // fields the item does not allow (reported, never stored)
}

// RecordDoc is a record's id and its stored JSON document (ListRecordDocs),
// with the subject and item from their columns (for registering who read
// what without decoding the document).
type RecordDoc struct {
	ID        string
	SubjectID string
	Item      string
	Doc       []byte
}

// Withdrawal says why a record was withdrawn.
type Withdrawal struct {
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
	By     string    `json:"by"`
}

// WithdrawReasons are the grounds for withdrawal (Administrative Penalty Law
// 2021 Art. 48: a changed, revoked, unlawful or void decision is withdrawn
// within 3 days).
var WithdrawReasons = []string{"revoked", "changed", "voided", "unlawful"}

// RecordInput is a submission before the rules ran.
type RecordInput struct {
	Item        string            `json:"item"`
	SubjectCode string            `json:"subject_code"`
	SubjectName string            `json:"subject_name"`
	Document    Document          `json:"document"`
	Fields      map[string]string `json:"fields,omitempty"`
	Severity    string            `json:"severity,omitempty"`
	Categories  []string          `json:"categories,omitempty"`
	Sector      string            `json:"sector,omitempty"`
	Leniency    Leniency          `json:"leniency,omitzero"`
}

// SubmittedBy returns the canonical document key: same department + kind +
// decision number = the same record.
func DocKey(deptID, kind, number string) string {
	return deptID + "\x00" + kind + "\x00" + strings.TrimSpace(number)
}

// Intake is everything the rules need to decide a submission.
type Intake struct {
	Item     CatalogueItem
	Subject  Identity // the validated identity
	Override bool     // the code failed its check and an admin override exists
	Today    Date     // the submission date
	Regimes  Regimes
	Calendar Calendar
}

// Decided is what the rules made of a submission.
type Decided struct {
	Fields     map[string]string
	Dropped    []string
	Severity   Severity
	Categories []string
	Window     Window
	Lateness   Lateness
}

// earliestDecision is the earliest decision date the platform accepts: the
// founding of the People's Republic.
var earliestDecision = NewDate(1949, 10, 1)

// DecideRecord applies the intake rules to a submission: a legally effective
// document is required (国办发〔2020〕49号), only approved catalogue items in
// force (目录制管理), only the fields the item allows (data minimisation:
// others are dropped and reported), a severity for negative information,
// leniency reasons, the minor rules (Administrative Penalty Law 2021 Art. 30),
// the 双公示 due date and the publication window. It returns EINVALID with
// one FieldError per broken rule.
func DecideRecord(in RecordInput, ctx Intake) (Decided, error) {
	var v Validation
	var out Decided
	item := ctx.Item
	doc := in.Document
	if _, ok := DocTypes[doc.Type]; !ok {
		v.Add("document.type", "record.document", "a record rests on a legally effective document: type must be one of judgment, ruling, arbitration_award, penalty_decision, admin_ruling, license_decision, other")
	}
	if doc.Type == DocOther && strings.TrimSpace(doc.Name) == "" {
		v.Add("document.name", "record.document", "an \"other\" document names itself and the law or central policy that makes it legally effective")
	}
	if strings.TrimSpace(doc.Number) == "" {
		v.Add("document.number", "record.document", "the document number (文号) is required")
	} else if len(doc.Number) > 128 {
		v.Add("document.number", "record.document", "the document number is at most 128 bytes")
	}
	if strings.TrimSpace(doc.Authority) == "" {
		v.Add("document.authority", "record.document", "the issuing authority is required")
	}
	switch {
	case doc.DecisionDate.IsZero():
		v.Add("document.decision_date", "record.document", "the decision date is required")
	case doc.DecisionDate.Before(earliestDecision):
		v.Add("document.decision_date", "record.decision_date", "decision date %s is before 1949-10-01", doc.DecisionDate)
	case doc.DecisionDate.After(ctx.Today):
		v.Add("document.decision_date", "record.decision_date", "decision date %s is in the future", doc.DecisionDate)
	}
	if !doc.EffectiveDate.IsZero() && !doc.DecisionDate.IsZero() && doc.EffectiveDate.Before(doc.DecisionDate) {
		v.Add("document.effective_date", "record.document", "the effective date %s is before the decision date %s", doc.EffectiveDate, doc.DecisionDate)
	}
	if !item.InForce(orToday(doc.DecisionDate, ctx.Today)) && !item.InForce(ctx.Today) {
		v.Add("item", "catalogue.in_force", "catalogue item %s (%s) is not approved and in force", item.Code, item.Name)
	}
	if len(item.SubjectKinds) > 0 && !slices.Contains(item.SubjectKinds, ctx.Subject.Kind) {
		v.Add("subject_code", "catalogue.subject_kind", "catalogue item %s does not cover subjects of kind %s", item.Code, ctx.Subject.Kind.English())
	}
	if strings.TrimSpace(in.SubjectName) == "" {
		v.Add("subject_name", "required", "the subject's name is required")
	} else if strings.IndexFunc(in.SubjectName, unicode.IsControl) >= 0 || !utf8.ValidString(in.SubjectName) {
		// A name is published, searched and ranked by its characters: a
		// control character (NUL, a tab, a line break) is no part of it.
		v.Add("subject_name", "record.subject_name", "the subject's name contains control characters or is not valid UTF-8")
	}
	// Fields: only what the item allows; required ones present; types.
	out.Fields = map[string]string{}
	for k, val := range in.Fields {
		spec, ok := item.Field(k)
		if !ok {
			out.Dropped = append(out.Dropped, k)
			continue
		}
		val = strings.TrimSpace(val)
		if val == "" {
			continue
		}
		if msg := checkFieldValue(spec, val); msg != "" {
			v.Fields = append(v.Fields, FieldError{Field: "fields." + spec.Code, Rule: "field." + string(spec.Type), Message: msg, Value: clip(val)})
			continue
		}
		out.Fields[spec.Code] = val
	}
	slices.Sort(out.Dropped)
	for _, f := range item.Fields {
		if f.Required && out.Fields[f.Code] == "" && !isDocumentField(f.Code) {
			v.Add("fields."+f.Code, "field.required", "%s (%s) is required by catalogue item %s", f.Label, f.Code, item.Code)
		}
	}
	// Severity: negative information carries a class.
	sev, ok := ParseSeverity(in.Severity)
	switch {
	case !ok:
		v.Add("severity", "record.severity", "severity must be minor (轻微), general (一般) or serious (严重)")
	case item.Negative && sev == SeverityNone:
		v.Add("severity", "record.severity", "negative information (%s) needs a severity class: minor, general or serious", item.Name)
	case !item.Negative && sev != SeverityNone:
		v.Add("severity", "record.severity", "%s is not negative information and takes no severity", item.Name)
	}
	out.Severity = sev
	out.Categories = normaliseCategories(in.Categories)
	for _, c := range out.Categories {
		if !slices.Contains(PenaltyCategories, c) {
			v.Add("categories", "record.penalty_category", "%q is not a penalty category of the Administrative Penalty Law 2021 Art. 9", c)
		}
	}
	if item.Kind == "penalty" && len(out.Categories) == 0 {
		v.Add("categories", "record.penalty_category", "a penalty record names its penalty categories (处罚类别)")
	}
	if in.Leniency.Any() && strings.TrimSpace(in.Leniency.Reason) == "" {
		v.Add("leniency.reason", "record.leniency", "a leniency flag needs a written reason")
	}
	// Minors (Administrative Penalty Law 2021 Art. 30; PIPL Art. 31).
	if ctx.Subject.Kind == KindPerson && !ctx.Subject.Birth.IsZero() && !doc.DecisionDate.IsZero() {
		if item.Negative && IsUnder14On(ctx.Subject.Birth, doc.DecisionDate) {
			v.Add("subject_code", "minor.under14", "a person under 14 on the decision date is never penalised (Administrative Penalty Law 2021 Art. 30): no negative record")
		} else if item.Negative && IsMinorOn(ctx.Subject.Birth, doc.DecisionDate) && !in.Leniency.Minor {
			v.Add("leniency.minor", "minor.flag", "the subject was a minor on the decision date: set leniency.minor with the reason (guardian consent, lighter treatment)")
		}
	}
	if err := v.Err("the record was refused"); err != nil {
		return out, err
	}
	if item.Negative || item.Kind == "penalty" {
		out.Window = PublicationWindow(ctx.Regimes, PublicationInput{Decision: doc.DecisionDate, Severity: sev, Categories: out.Categories, Sector: in.Sector})
	} else if item.DisclosureScope == DisclosePublic {
		out.Window = Window{Published: true, Start: doc.DecisionDate, Reason: "public information of item " + item.Code}
	}
	if item.Kind == "penalty" || item.Kind == "license" {
		out.Lateness = ctx.Calendar.DisclosureLateness(doc.DecisionDate, ctx.Today, DisclosureDeadlineWorkingDays)
	}
	return out, nil
}

func orToday(d, today Date) Date {
	if d.IsZero() {
		return today
	}
	return d
}

func clip(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}

// SGSLayout names the columns of a 双公示 layout that carry the document and
// the subject rather than free fields (regulation.md §5.3–5.4).
type SGSLayout struct {
	Number, Date, Authority, Name, OrgCode, PersonID, Categories string
	DocType                                                      DocType
}

// SGSLayouts are the 双公示 layouts by record kind: penalty (CF_*) and
// license (XK_*).
var SGSLayouts = map[string]SGSLayout{
	"penalty": {Number: "CF_WSH", Date: "CF_JDRQ", Authority: "CF_CFJG", Name: "CF_XDR_MC", OrgCode: "CF_XDR_SHXYM", PersonID: "CF_XDR_ZJHM", Categories: "CF_CFLB", DocType: DocPenaltyDecision},
	"license": {Number: "XK_WSH", Date: "XK_JDRQ", Authority: "XK_XKJG", Name: "XK_XDR_MC", OrgCode: "XK_XDR_SHXYM", PersonID: "XK_XDR_ZJHM", DocType: DocLicenseDecision},
}

// isDocumentField reports whether a field is one of a 双公示 layout's
// document or subject columns: those are checked as the document and the
// subject, not as free fields.
func isDocumentField(code string) bool {
	for _, l := range SGSLayouts {
		switch code {
		case l.Number, l.Date, l.Authority, l.Name, l.OrgCode, l.PersonID, l.Categories:
			return code != ""
		}
	}
	return false
}

func checkFieldValue(f FieldSpec, val string) string {
	if f.MaxLen > 0 && len([]rune(val)) > f.MaxLen {
		return f.Label + " is longer than " + itoa(f.MaxLen) + " characters"
	}
	switch f.Type {
	case FieldDate:
		if _, err := ParseDate(val); err != nil {
			return f.Label + " (" + f.Code + ") is not a date (YYYY-MM-DD)"
		}
	case FieldAmount:
		if !isDecimal(val) {
			return f.Label + " (" + f.Code + ") is not a number" + unitSuffix(f.Unit)
		}
	case FieldEnum:
		for _, p := range normaliseCategories([]string{val}) {
			if !slices.Contains(f.Values, p) {
				return f.Label + " (" + f.Code + "): " + quote(p) + " is not one of " + strings.Join(f.Values, "、")
			}
		}
	}
	return ""
}

func unitSuffix(u string) string {
	if u == "" {
		return ""
	}
	return " in " + u
}

func isDecimal(s string) bool {
	dot, digits := false, 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '.' && !dot:
			dot = true
		case r == '-' && i == 0:
		default:
			return false
		}
	}
	return digits > 0 && !strings.HasPrefix(s, "-")
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}
