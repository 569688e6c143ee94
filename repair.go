package xinyong

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Credit repair (信用修复, DOMAIN.md §6; regulation.md §3; issue 7). A subject
// applies online for one of its records or serious-list entries; the
// platform first tells it whether it is eligible and why not; the department
// that identified the conduct decides (谁认定、谁修复), or the platform for the
// items it handles; the outcome is applied atomically and told to every
// connected system (修复结果互认). Repair is free: nothing here has a fee.
//
//	applied → accepted → approved | refused
//	applied → refused (不予受理, with reasons and the remedy)
//
// The conditions and time limits are dated rule sets (RepairRules), chosen by
// the application date, never code constants: the 2019 regime
// (发改办财金〔2019〕527号), NDRC Order 58 (2023-05-01 … 2026-03-31) and NDRC
// Order 36 with 国办发〔2025〕22号 (from 2026-04-01). Every function here is
// pure; internal/workflow/repairs.go stores each step with its audit event,
// ledger leaf and outbox events in one transaction.

// RepairState is where a repair application stands.
type RepairState string

const (
	RepairApplied  RepairState = "applied"  // 已申请
	RepairAccepted RepairState = "accepted" // 已受理
	RepairApproved RepairState = "approved" // 准予修复
	RepairRefused  RepairState = "refused"  // 不予修复 / 不予受理
)

// RepairStates lists the states.
var RepairStates = []RepairState{RepairApplied, RepairAccepted, RepairApproved, RepairRefused}

// Open reports whether the application is still being handled.
func (s RepairState) Open() bool { return s == RepairApplied || s == RepairAccepted }

// Valid reports whether s is a state.
func (s RepairState) Valid() bool { return slices.Contains(RepairStates, s) }

// Chinese names the state.
func (s RepairState) Chinese() string {
	switch s {
	case RepairApplied:
		return "已申请，待受理"
	case RepairAccepted:
		return "已受理，审核中"
	case RepairApproved:
		return "准予修复"
	case RepairRefused:
		return "不予修复"
	}
	return string(s)
}

// RepairTarget is what a repair is for: a record or a serious-list entry.
type RepairTarget string

const (
	TargetRecord  RepairTarget = "record"
	TargetListing RepairTarget = "listing"
)

// Repair routes (谁认定、谁修复).
const (
	RouteDepartment = "department" // the identifying department decides
	RoutePlatform   = "platform"   // the platform decides (items it handles)
	RoutePeer       = "peer"       // decided by another platform (inbound, 修复结果互认)
)

// RepairRules is one dated rule set for credit repair, chosen by the
// application date. It is data: a province amends it with its own basis.
type RepairRules struct {
	Code       string     `json:"code"`
	Name       string     `json:"name"`
	LegalBasis string     `json:"legal_basis"`
	From       Date       `json:"from"`        // first application date it governs
	To         Date       `json:"to,omitzero"` // first application date it no longer governs
	Provenance Provenance `json:"provenance"`
	Source     string     `json:"source,omitempty"`

	// Conditions of an application.
	MinPeriod   bool `json:"min_period"`  // the record's minimum publication period has run (Window.MinEnd)
	Obligations bool `json:"obligations"` // the conduct is corrected and the obligations met, stated and shown
	Commitment  bool `json:"commitment"`  // a public credit commitment (信用承诺) is made
	ProofNeeded bool `json:"proof_needed"`
	// Unrepairable by law. UnrepairableItems: catalogue items whose records
	// are never repaired (item → basis). NoEarlyEndCategories: penalty
	// categories whose publication cannot end early (SAMR Order 45 Art. 14
	// practice), with NoEarlyEndBasis. ElsewhereListTypes: list types removed
	// by another authority, not by repair here (list type → where to apply).
	UnrepairableItems    map[string]string `json:"unrepairable_items,omitempty"`
	NoEarlyEndCategories []string          `json:"no_early_end_categories,omitempty"`
	NoEarlyEndBasis      string            `json:"no_early_end_basis,omitempty"`
	ElsewhereListTypes   map[string]string `json:"elsewhere_list_types,omitempty"`
	// PlatformItems are the catalogue items the platform repairs itself
	// (departments without a repair system of their own); the others go to
	// the identifying department.
	PlatformItems []string `json:"platform_items,omitempty"`

	// Time limits in working days from the application: acceptance and
	// decision; connected systems apply a decision within SyncDays of it.
	AcceptDays int `json:"accept_working_days"`
	DecideDays int `json:"decide_working_days"`
	SyncDays   int `json:"sync_working_days"`
	// DefaultTreatment is what an approved record repair does when the
	// decision does not say.
	DefaultTreatment RepairOutcome `json:"default_treatment"`
	// Treatments are the treatments a decision may choose.
	Treatments []RepairOutcome `json:"treatments"`
}

// Governs reports whether the rules govern an application made on d.
func (r RepairRules) Governs(d Date) bool {
	return !d.Before(r.From) && (r.To.IsZero() || d.Before(r.To))
}

// RepairRuleSets are the dated rule sets.
type RepairRuleSets []RepairRules

// For returns the rule set governing an application made on d.
func (rs RepairRuleSets) For(d Date) (RepairRules, bool) {
	for _, r := range rs {
		if r.Governs(d) {
			return r, true
		}
	}
	return RepairRules{}, false
}

// samrNoEarlyEnd: SAMR Order 45 Art. 14 — no early end of publication for
// these penalties (regulation.md §5.6).
var samrNoEarlyEnd = []string{"责令停产停业", "限制开展生产经营活动", "限制从业", "降低资质等级", "吊销许可证件"}

var allTreatments = []RepairOutcome{RepairEnded, RepairShielded, RepairDeleted}

// DefaultRepairRules are the three regimes of regulation.md §3. Working-day
// limits: 10 to decide and 3 for connected systems are national practice
// (信用中国 under Order 58, regulation.md §3.1); the acceptance limit (3) is
// a LOCAL default, as the 22号 / Order 36 numbers could not be read.
var DefaultRepairRules = RepairRuleSets{
	{
		Code: "REPAIR-2019", Name: "发改办财金〔2019〕527号 行政处罚信息信用修复", LegalBasis: "《关于进一步完善“信用中国”网站及地方信用门户网站行政处罚信息信用修复机制的通知》（发改办财金〔2019〕527号）",
		From: NewDate(2019, 7, 1), To: NewDate(2023, 5, 1), Provenance: ProvenanceUnconfirmed,
		Source:    "regulation.md §3.2: minimum periods 3 months (general) and 6 months (serious) from the decision date; conditions from practice; limits as under Order 58 (unconfirmed for this regime)",
		MinPeriod: true, Obligations: true, Commitment: true, ProofNeeded: true,
		NoEarlyEndCategories: samrNoEarlyEnd, NoEarlyEndBasis: "《市场监督管理行政处罚信息公示规定》（总局令第45号）第十四条",
		ElsewhereListTypes: map[string]string{"SPC_DEFAULTER": "执行法院（履行义务后由人民法院删除失信信息）"},
		AcceptDays:         3, DecideDays: 10, SyncDays: 3, DefaultTreatment: RepairEnded, Treatments: []RepairOutcome{RepairEnded, RepairShielded},
	},
	{
		Code: "REPAIR-ORDER58", Name: "国家发展改革委令第58号", LegalBasis: "《失信行为纠正后的信用信息修复管理办法（试行）》（国家发展改革委令第58号）",
		From: NewDate(2023, 5, 1), To: NewDate(2026, 4, 1), Provenance: ProvenanceConfirmed,
		Source:    "regulation.md §3.1: Art. 2 (every subject may apply unless the law says otherwise), the three repair modes, 信用中国 decides within 10 working days and local platforms apply the result within 3; the acceptance limit 3 is a LOCAL default",
		MinPeriod: true, Obligations: true, Commitment: true, ProofNeeded: true,
		NoEarlyEndCategories: samrNoEarlyEnd, NoEarlyEndBasis: "《市场监督管理行政处罚信息公示规定》（总局令第45号）第十四条",
		ElsewhereListTypes: map[string]string{"SPC_DEFAULTER": "执行法院（履行义务后由人民法院删除失信信息）"},
		AcceptDays:         3, DecideDays: 10, SyncDays: 3, DefaultTreatment: RepairEnded, Treatments: allTreatments,
	},
	{
		Code: "REPAIR-ORDER36", Name: "国家发展改革委令第36号、国办发〔2025〕22号", LegalBasis: "《信用修复管理办法》（国家发展改革委令第36号）；《关于进一步完善信用修复制度的实施方案》（国办发〔2025〕22号）",
		From: NewDate(2026, 4, 1), Provenance: ProvenanceConfirmed,
		Source:    "regulation.md §3.3: conditions (minimum period reached, conduct corrected and obligations met, public credit commitment), 谁认定、谁修复, free of charge; outcomes 终止公示 and 停止共享 (Art. 3). Working-day limits UNCONFIRMED for this regime: 10 / 3 kept from practice, acceptance 3 LOCAL",
		MinPeriod: true, Obligations: true, Commitment: true, ProofNeeded: true,
		NoEarlyEndCategories: samrNoEarlyEnd, NoEarlyEndBasis: "《市场监督管理行政处罚信息公示规定》（总局令第45号）第十四条",
		ElsewhereListTypes: map[string]string{"SPC_DEFAULTER": "执行法院（履行义务后由人民法院删除失信信息）"},
		AcceptDays:         3, DecideDays: 10, SyncDays: 3, DefaultTreatment: RepairShielded, Treatments: allTreatments,
	},
}

// ValidateRepairRules checks a rule set.
func ValidateRepairRules(r RepairRules) error {
	var v Validation
	if strings.TrimSpace(r.Code) == "" {
		v.Add("code", "required", "a repair rule set needs a code")
	}
	if strings.TrimSpace(r.LegalBasis) == "" {
		v.Add("legal_basis", "repair_rules.legal_basis", "repair rules rest on a legal basis")
	}
	if r.From.IsZero() {
		v.Add("from", "required", "repair rules need the first application date they govern")
	}
	if !r.To.IsZero() && !r.From.Before(r.To) {
		v.Add("to", "repair_rules.dates", "repair rules end after they begin")
	}
	for _, n := range []struct {
		f string
		d int
	}{{"accept_working_days", r.AcceptDays}, {"decide_working_days", r.DecideDays}, {"sync_working_days", r.SyncDays}} {
		if n.d < 1 || n.d > 60 {
			v.Add(n.f, "repair_rules.limit", "%s is 1 to 60 working days", n.f)
		}
	}
	if r.AcceptDays > r.DecideDays {
		v.Add("accept_working_days", "repair_rules.limit", "acceptance comes before the decision")
	}
	if len(r.Treatments) == 0 || !slices.Contains(r.Treatments, r.DefaultTreatment) {
		v.Add("default_treatment", "repair_rules.treatment", "the default treatment is one of the treatments (ended, shielded, deleted)")
	}
	for _, t := range r.Treatments {
		if !slices.Contains(allTreatments, t) {
			v.Add("treatments", "repair_rules.treatment", "treatment %q is not ended, shielded or deleted", t)
		}
	}
	if r.Provenance != ProvenanceConfirmed && r.Provenance != ProvenanceUnconfirmed && r.Provenance != ProvenanceLocal {
		v.Add("provenance", "provenance", "provenance is confirmed, unconfirmed or local")
	}
	return v.Err("the repair rules are not valid")
}

// CheckRepairRuleSets validates every set and refuses overlaps.
func CheckRepairRuleSets(rs RepairRuleSets) error {
	for _, r := range rs {
		if err := ValidateRepairRules(r); err != nil {
			return err
		}
	}
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b RepairRules) int { return a.From.Days() - b.From.Days() })
	for i := 1; i < len(s); i++ {
		if s[i-1].To.IsZero() || s[i].From.Before(s[i-1].To) {
			return Errorf(EINVALID, "repair rule sets %s and %s overlap", s[i-1].Code, s[i].Code)
		}
	}
	return nil
}

// RepairFile is an uploaded material, stored outside the database row,
// addressed by its SHA-256 (which the repair's ledger leaf commits to).
type RepairFile struct {
	Name   string `json:"name"`
	Type   string `json:"type"` // sniffed: application/pdf, image/jpeg, image/png
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// RepairCommitment is the subject's credit commitment (信用承诺书).
type RepairCommitment struct {
	Text   string `json:"text"`
	SHA256 string `json:"sha256"` // of Text: what the subject agreed to
	Date   Date   `json:"date"`
}

// RepairStep is acceptance.
type RepairStep struct {
	Date Date   `json:"date"`
	By   string `json:"by"`
	Note string `json:"note,omitempty"`
	Late bool   `json:"late,omitempty"`
}

// RepairDecision is the decision on an application.
type RepairDecision struct {
	Approved bool `json:"approved"`
	// Treatment of a repaired record: ended (终止公示, marked 已修复, shared
	// on), shielded (终止公示 and 停止共享), deleted (content and salt erased).
	Treatment RepairOutcome `json:"treatment,omitempty"`
	// RemoveListing: the serious-list entry is removed (listing repairs).
	RemoveListing bool     `json:"remove_listing,omitempty"`
	Effects       []string `json:"effects,omitempty"` // what the outcome did, in words
	Reasons       string   `json:"reasons"`
	Remedy        string   `json:"remedy,omitempty"` // refusal: how to contest it (复议、诉讼) or reapply
	Date          Date     `json:"date"`
	By            string   `json:"by"`
	Late          bool     `json:"late,omitempty"`
	SyncBy        Date     `json:"sync_by,omitzero"` // connected systems apply it by
	RecordVersion int      `json:"record_version,omitempty"`
}

// RepairOrigin: a decision received from another platform (inbound).
type RepairOrigin struct {
	Peer       string `json:"peer"`
	DecisionID string `json:"decision_id"`
	Issuer     string `json:"issuer,omitempty"`
}

// Repair is one credit repair application and its handling.
type Repair struct {
	ID           string            `json:"id"`
	Code         string            `json:"code"` // progress query code (进度查询码)
	Target       RepairTarget      `json:"target"`
	RecordID     string            `json:"record_id,omitempty"`
	ListingID    string            `json:"listing_id,omitempty"`
	SubjectID    string            `json:"subject_id"`
	DepartmentID string            `json:"department_id,omitempty"` // who decides ("" for the platform)
	Route        string            `json:"route"`
	Rules        string            `json:"rules"` // the rule set applied
	State        RepairState       `json:"state"`
	Version      int               `json:"version"`
	AppliedOn    Date              `json:"applied_on"`
	AcceptBy     Date              `json:"accept_by"`
	DecideBy     Date              `json:"decide_by"`
	Name         string            `json:"name"`    // the applicant (contact person)
	Contact      string            `json:"contact"` // phone or e-mail
	Correction   string            `json:"correction"`
	Obligations  bool              `json:"obligations_met"`
	Commitment   *RepairCommitment `json:"commitment,omitempty"`
	Proofs       []RepairFile      `json:"proofs,omitempty"`
	Acceptance   *RepairStep       `json:"acceptance,omitempty"`
	Decision     *RepairDecision   `json:"decision,omitempty"`
	Origin       *RepairOrigin     `json:"origin,omitempty"`
	FiledBy      string            `json:"filed_by"`
	CreatedAt    time.Time         `json:"created_at"`
	UpdatedAt    time.Time         `json:"updated_at"`
	UpdatedBy    string            `json:"updated_by"`
}

// Due returns the next deadline of an open application and its step.
func (r Repair) Due() (Date, string) {
	switch r.State {
	case RepairApplied:
		return r.AcceptBy, "accept"
	case RepairAccepted:
		return r.DecideBy, "decide"
	}
	return Date{}, ""
}

// RepairOverdue reports whether an open application is past its next deadline.
func RepairOverdue(r Repair, today Date) bool {
	due, _ := r.Due()
	return !due.IsZero() && today.After(due)
}

// RepairInput is an application as the subject files it.
type RepairInput struct {
	RecordID    string `json:"record_id,omitempty"`
	ListingID   string `json:"listing_id,omitempty"`
	Name        string `json:"name"`
	Contact     string `json:"contact"`
	Correction  string `json:"correction"`      // how the conduct was corrected
	Obligations bool   `json:"obligations_met"` // the obligations are met (e.g. the fine paid)
	// Commitment: the subject makes the credit commitment of CommitmentText
	// (generated by CommitmentText for it to sign).
	Commitment bool `json:"commitment"`
}

// RepairFilter selects repairs; zero fields match everything.
type RepairFilter struct {
	DepartmentID string
	Platform     bool // only those the platform decides (DepartmentID "")
	SubjectID    string
	RecordID     string
	ListingID    string
	State        RepairState
	Open         bool // applied or accepted
	DueBefore    Date // open and next deadline on or before
	Limit        int
}

// RepairReason is one reason an application is not (yet) possible.
type RepairReason struct {
	Rule    string `json:"rule"`
	Message string `json:"message"`
	Date    Date   `json:"date,omitzero"` // when it will be possible, where a date decides
}

// Eligibility is the platform's answer before an application: whether the
// subject may apply, why not, and what the application needs.
type Eligibility struct {
	Eligible     bool           `json:"eligible"`
	Rules        string         `json:"rules"`
	RulesName    string         `json:"rules_name"`
	LegalBasis   string         `json:"legal_basis"`
	Reasons      []RepairReason `json:"reasons"`
	EligibleFrom Date           `json:"eligible_from,omitzero"` // the minimum period ends
	Requirements []string       `json:"requirements"`
	Route        string         `json:"route"`
	DepartmentID string         `json:"department_id,omitempty"`
	DecideDays   int            `json:"decide_working_days"`
	SyncDays     int            `json:"sync_working_days"`
	Free         bool           `json:"free"` // always true: repair is free of charge
}

// RepairCheck is everything the eligibility rules read.
type RepairCheck struct {
	// ApplicantSubjectID: the subject the applicant is ("" for someone who
	// is no subject).
	ApplicantSubjectID string
	Target             RepairTarget
	Record             Record // TargetRecord
	Item               CatalogueItem
	Listing            Listing // TargetListing
	ListType           ListType
	// ListedOn: current listings resting on the record (a record under a
	// serious-list entry is repaired through the entry first).
	ListedOn []string
	Repaired RepairOutcome // the record's current repair outcome
	Open     []Repair      // open applications for the same target
	Today    Date
	Rules    RepairRuleSets
	// Input: the application, when one is filed (nil: a check beforehand).
	Input *RepairInput
	// Proofs: the number of proof files uploaded with the application.
	Proofs int
}

// CheckRepair decides whether the applicant may apply for the target and
// why not. Each reason names its rule:
//
//   - repair.rules: no rule set governs the day;
//   - repair.not_own: only the subject itself applies (Order 58 Art. 3;
//     Order 36: the subject corrects and applies);
//   - repair.state: a withdrawn record, a record already repaired, a
//     listing not in force: nothing to repair;
//   - repair.not_negative: only dishonesty information is repaired;
//   - repair.unrepairable: the law marks the case unrepairable (catalogue
//     item, penalty category without early end, list type removed by
//     another authority) (Order 58 Art. 2);
//   - repair.listed: the record underlies a serious-list entry in force:
//     the entry is repaired first;
//   - repair.min_period: the minimum publication period (or the list
//     type's minimum time listed) has not run, with the date it will;
//   - repair.duplicate: an application for the same target is open;
//   - repair.obligations, repair.commitment, repair.proof: the application
//     does not show the obligations met, makes no credit commitment, or
//     carries no proof (Order 36 conditions, regulation.md §3.3).
func CheckRepair(c RepairCheck) Eligibility {
	e := Eligibility{Free: true, Reasons: []RepairReason{}}
	add := func(rule, msg string) { e.Reasons = append(e.Reasons, RepairReason{Rule: rule, Message: msg}) }
	rules, ok := c.Rules.For(c.Today)
	if !ok {
		add("repair.rules", "no repair rule set governs applications made on "+c.Today.String())
		return e
	}
	e.Rules, e.RulesName, e.LegalBasis, e.DecideDays, e.SyncDays = rules.Code, rules.Name, rules.LegalBasis, rules.DecideDays, rules.SyncDays
	subjectID := c.Record.SubjectID
	if c.Target == TargetListing {
		subjectID = c.Listing.SubjectID
	}
	if c.ApplicantSubjectID == "" || c.ApplicantSubjectID != subjectID {
		add("repair.not_own", "only the credit subject itself applies to repair its own information")
		return e
	}
	switch c.Target {
	case TargetRecord:
		r := c.Record
		e.Route, e.DepartmentID = RouteDepartment, r.DepartmentID
		if slices.Contains(rules.PlatformItems, r.Item) {
			e.Route, e.DepartmentID = RoutePlatform, ""
		}
		switch {
		case r.Status == RecordWithdrawn:
			add("repair.state", "record "+r.ID+" was withdrawn: it is neither published nor shared, there is nothing to repair")
		case c.Repaired != RepairNone:
			add("repair.state", "record "+r.ID+" was already repaired ("+string(c.Repaired)+")")
		case !c.Item.Negative && r.Kind != "penalty":
			add("repair.not_negative", "only dishonesty information is repaired: "+c.Item.Name+" is not negative information")
		}
		if basis, bad := rules.UnrepairableItems[r.Item]; bad {
			add("repair.unrepairable", "the law marks records of "+c.Item.Name+" ("+r.Item+") unrepairable: "+basis)
		}
		var cats []string
		for _, cat := range r.Categories {
			if slices.Contains(rules.NoEarlyEndCategories, cat) {
				cats = append(cats, cat)
			}
		}
		if len(cats) > 0 {
			add("repair.unrepairable", "publication of a penalty of "+strings.Join(cats, "、")+" cannot end early ("+rules.NoEarlyEndBasis+"): it ends by itself on "+windowEnd(r.Window))
		}
		if len(c.ListedOn) > 0 {
			add("repair.listed", "the record underlies the serious-list entry "+strings.Join(c.ListedOn, ", ")+": apply for its removal (repair of the listing) first")
		}
		if rules.MinPeriod && r.Window.Published && !r.Window.MinEnd.IsZero() && c.Today.Before(r.Window.MinEnd) {
			e.Reasons = append(e.Reasons, RepairReason{Rule: "repair.min_period", Message: "the minimum publication period runs until " + r.Window.MinEnd.String() + ": apply from that day", Date: r.Window.MinEnd})
			e.EligibleFrom = r.Window.MinEnd
		}
	case TargetListing:
		l := c.Listing
		e.Route, e.DepartmentID = RouteDepartment, l.DepartmentID
		if where, ok := rules.ElsewhereListTypes[l.ListType]; ok {
			add("repair.unrepairable", c.ListType.Name+" is not removed by credit repair on this platform: apply to "+where)
		}
		if l.State != ListingListed {
			add("repair.state", "listing "+l.ID+" is "+string(l.State)+": only an entry on the list is removed by repair")
		} else if first := EarliestRemoval(l, c.ListType); c.Today.Before(first) {
			e.Reasons = append(e.Reasons, RepairReason{Rule: "repair.min_period", Message: c.ListType.Name + " allows early removal after the minimum time listed: apply from " + first.String(), Date: first})
			e.EligibleFrom = first
		}
	default:
		add("repair.target", "a repair is for a record or a serious-list entry")
	}
	for _, o := range c.Open {
		if o.State.Open() {
			add("repair.duplicate", "application "+o.Code+" for the same information is being handled: follow it with its progress code")
			break
		}
	}
	if rules.Obligations {
		e.Requirements = append(e.Requirements, "obligations")
	}
	if rules.Commitment {
		e.Requirements = append(e.Requirements, "commitment")
	}
	if rules.ProofNeeded {
		e.Requirements = append(e.Requirements, "proof")
	}
	if in := c.Input; in != nil {
		if rules.Obligations && (!in.Obligations || strings.TrimSpace(in.Correction) == "") {
			add("repair.obligations", "state how the conduct was corrected and confirm the legal obligations are met (e.g. the fine paid)")
		}
		if rules.Commitment && !in.Commitment {
			add("repair.commitment", "make the credit commitment (信用承诺书): it is a condition of repair")
		}
		if rules.ProofNeeded && c.Proofs == 0 {
			add("repair.proof", "upload proof of correction (PDF, JPEG or PNG), e.g. the receipt of the fine")
		}
	}
	e.Eligible = len(e.Reasons) == 0
	return e
}

// RepairRefusalError turns an eligibility answer into the error an
// application gets: EFORBIDDEN for someone else's information, ECONFLICT
// for a duplicate, EDEADLINEPASSED-free EINVALID otherwise, each reason a
// field error naming its rule.
func RepairRefusalError(e Eligibility) error {
	if e.Eligible {
		return nil
	}
	if len(e.Reasons) == 0 {
		return Errorf(EINVALID, "the repair application was refused")
	}
	var fs []FieldError
	code := EINVALID
	for _, r := range e.Reasons {
		switch r.Rule {
		case "repair.not_own":
			return &Error{Code: EFORBIDDEN, Message: r.Message}
		case "repair.duplicate":
			code = ECONFLICT
		}
		field := "target"
		switch r.Rule {
		case "repair.obligations":
			field = "obligations_met"
		case "repair.commitment":
			field = "commitment"
		case "repair.proof":
			field = "proof"
		}
		fe := FieldError{Field: field, Rule: r.Rule, Message: r.Message}
		if !r.Date.IsZero() {
			fe.Value = r.Date.String()
		}
		fs = append(fs, fe)
	}
	if code == ECONFLICT {
		for _, f := range fs {
			if f.Rule == "repair.duplicate" {
				return &Error{Code: ECONFLICT, Message: f.Message, Fields: fs}
			}
		}
	}
	return &Error{Code: code, Message: "the repair application was refused: " + fs[0].Message, Fields: fs}
}

// ApplyRepair builds the application after CheckRepair said eligible.
func ApplyRepair(c RepairCheck, e Eligibility, in RepairInput, commitment RepairCommitment, proofs []RepairFile, cal Calendar) (Repair, error) {
	if err := RepairRefusalError(e); err != nil {
		return Repair{}, err
	}
	var v Validation
	in.Name, in.Contact, in.Correction = strings.TrimSpace(in.Name), strings.TrimSpace(in.Contact), strings.TrimSpace(in.Correction)
	if in.Name == "" || in.Contact == "" {
		v.Add("contact", "repair.applicant", "give the name and contact of the person applying, so the decision reaches you")
	}
	if len([]rune(in.Name)) > 200 || len([]rune(in.Contact)) > 200 {
		v.Add("contact", "repair.length", "name and contact are at most 200 characters")
	}
	if len([]rune(in.Correction)) > 5000 {
		v.Add("correction", "repair.length", "the statement of correction is at most 5000 characters")
	}
	if len(proofs) > MaxRepairProofs {
		v.Add("proof", "repair.proofs", "at most %d files", MaxRepairProofs)
	}
	if err := v.Err("the repair application was refused"); err != nil {
		return Repair{}, err
	}
	rules, _ := c.Rules.For(c.Today)
	r := Repair{Target: c.Target, SubjectID: c.ApplicantSubjectID, DepartmentID: e.DepartmentID, Route: e.Route, Rules: rules.Code,
		State: RepairApplied, Version: 1, AppliedOn: c.Today,
		AcceptBy: cal.AddWorkingDays(c.Today, rules.AcceptDays), DecideBy: cal.AddWorkingDays(c.Today, rules.DecideDays),
		Name: in.Name, Contact: in.Contact, Correction: in.Correction, Obligations: in.Obligations, Proofs: proofs}
	if c.Target == TargetRecord {
		r.RecordID = c.Record.ID
	} else {
		r.ListingID = c.Listing.ID
	}
	if in.Commitment {
		cm := commitment
		r.Commitment = &cm
	}
	return r, nil
}

// MaxRepairProofs is the most files one application carries.
const MaxRepairProofs = 10

// AcceptRepair accepts an application (受理).
func AcceptRepair(r Repair, note string, today Date, by string) (Repair, error) {
	if r.State != RepairApplied {
		return r, &Error{Code: ECONFLICT, Message: "application " + r.Code + " is " + string(r.State) + ": only a new application is accepted"}
	}
	r.State, r.Version = RepairAccepted, r.Version+1
	r.Acceptance = &RepairStep{Date: today, By: by, Note: strings.TrimSpace(note), Late: today.After(r.AcceptBy)}
	return r, nil
}

// RepairDecisionInput is the decider's decision.
type RepairDecisionInput struct {
	Approve   bool          `json:"approve"`
	Treatment RepairOutcome `json:"treatment,omitempty"` // record repairs: ended, shielded or deleted ("" = the rules' default)
	Reasons   string        `json:"reasons"`
	Remedy    string        `json:"remedy,omitempty"` // refusal: the remedy (复议、诉讼, or reapply when …)
}

// DecideRepair decides an open application. An approval of a record names
// its treatment (the rule set's default when not given); a refusal states
// its reasons and the remedy; a new application is refused without
// acceptance (不予受理) but never approved unaccepted.
func DecideRepair(r Repair, in RepairDecisionInput, rules RepairRules, today Date, cal Calendar, by string) (Repair, error) {
	if !r.State.Open() {
		return r, &Error{Code: ECONFLICT, Message: "application " + r.Code + " was already decided (" + string(r.State) + ")"}
	}
	var v Validation
	// Staff text goes to the subject, agencies and webhooks: a citizen ID
	// number typed into it is masked (DOMAIN.md §7).
	in.Reasons, in.Remedy = MaskCitizenIDs(strings.TrimSpace(in.Reasons)), MaskCitizenIDs(strings.TrimSpace(in.Remedy))
	if in.Reasons == "" {
		v.Add("reasons", "required", "a decision states its reasons")
	}
	if len([]rune(in.Reasons)) > 5000 || len([]rune(in.Remedy)) > 2000 {
		v.Add("reasons", "repair.length", "reasons are at most 5000 characters, the remedy 2000")
	}
	d := RepairDecision{Approved: in.Approve, Reasons: in.Reasons, Date: today, By: by, Late: today.After(r.DecideBy), SyncBy: cal.AddWorkingDays(today, rules.SyncDays)}
	if in.Approve {
		if r.State != RepairAccepted {
			v.Add("approve", "repair.accept_first", "an application is accepted (受理) before it is approved")
		}
		if in.Remedy != "" {
			v.Add("remedy", "repair.remedy", "a remedy goes with a refusal")
		}
		switch r.Target {
		case TargetRecord:
			t := in.Treatment
			if t == RepairNone {
				t = rules.DefaultTreatment
			}
			if !slices.Contains(rules.Treatments, t) {
				v.Add("treatment", "repair.treatment", "treatment is one of %s under %s", joinOutcomes(rules.Treatments), rules.Code)
			}
			d.Treatment = t
			d.Effects = TreatmentEffects(t)
		case TargetListing:
			if in.Treatment != RepairNone {
				v.Add("treatment", "repair.treatment", "a listing repair removes the entry from the list: no record treatment")
			}
			d.RemoveListing = true
			d.Effects = []string{"removed from the serious-dishonesty list (移出严重失信主体名单)", "the measures resting on the listing stop (解除惩戒措施)"}
		}
	} else {
		if in.Treatment != RepairNone {
			v.Add("treatment", "repair.treatment", "a refusal has no treatment")
		}
		if in.Remedy == "" {
			v.Add("remedy", "repair.remedy", "a refusal states the remedy: administrative reconsideration, litigation, or applying again once the conditions are met")
		}
		d.Remedy = in.Remedy
	}
	if err := v.Err("the decision was refused"); err != nil {
		return r, err
	}
	if in.Approve {
		r.State = RepairApproved
	} else {
		r.State = RepairRefused
	}
	r.Version++
	r.Decision = &d
	return r, nil
}

// TreatmentEffects describes what a treatment does.
func TreatmentEffects(t RepairOutcome) []string {
	switch t {
	case RepairEnded:
		return []string{"publication ended (终止公示)", "marked repaired (标注已修复)", "measures from the record stop (解除惩戒措施)"}
	case RepairShielded:
		return []string{"publication ended (终止公示)", "sharing ended (停止共享)", "shielded (屏蔽)", "measures from the record stop (解除惩戒措施)"}
	case RepairDeleted:
		return []string{"publication ended (终止公示)", "sharing ended (停止共享)", "deleted: content and salt erased (删除)", "measures from the record stop (解除惩戒措施)"}
	}
	return nil
}

func joinOutcomes(os []RepairOutcome) string {
	s := make([]string, len(os))
	for i, o := range os {
		s[i] = string(o)
	}
	return strings.Join(s, ", ")
}

// EndPublication is the record's window after an approved repair: it ends
// on the day of the decision (a window without publication is unchanged).
func EndPublication(w Window, on Date, repairCode string) Window {
	if !w.Published {
		return w
	}
	if w.MaxEnd.IsZero() || on.Before(w.MaxEnd) {
		w.MaxEnd = on
	}
	w.Reason = "publication ended by credit repair " + repairCode + " on " + on.String()
	return w
}

// CommitmentText is the credit commitment (信用承诺书) generated for the
// subject to sign: what it undertakes, for which information, under which
// rules. Its SHA-256 is kept with the application.
func CommitmentText(subjectName, subjectCode, what string, rules RepairRules, on Date) string {
	var b strings.Builder
	b.WriteString("信用修复承诺书\n\n")
	b.WriteString("承诺主体：" + subjectName + "\n")
	b.WriteString("统一社会信用代码（身份证件号码）：" + subjectCode + "\n")
	b.WriteString("申请修复的信息：" + what + "\n")
	b.WriteString("依据：" + rules.LegalBasis + "\n\n")
	b.WriteString("本主体郑重承诺：\n")
	for i, s := range []string{
		"已纠正上述失信行为，全面履行了相关法定义务和约定义务；",
		"所提交的申请材料真实、准确、完整，如有虚假，愿意承担相应法律责任，并接受撤销修复决定、重新公示的处理；",
		"今后严格遵守法律法规，诚实守信，不再发生同类失信行为；",
		"本承诺书内容将依法记入信用记录，并接受社会监督。",
	} {
		b.WriteString(strconv.Itoa(i+1) + ". " + s + "\n")
	}
	b.WriteString("\n信用修复不收取任何费用。\n\n")
	b.WriteString("承诺主体（签章）：\n日期：" + on.String() + "\n")
	return b.String()
}

// ProgressView is what anyone holding a progress code sees: the state and
// the dates, nothing about the subject or the information.
type ProgressView struct {
	Code      string       `json:"code"`
	State     RepairState  `json:"state"`
	StateName string       `json:"state_name"`
	Target    RepairTarget `json:"target"`
	AppliedOn Date         `json:"applied_on"`
	AcceptBy  Date         `json:"accept_by"`
	DecideBy  Date         `json:"decide_by"`
	Accepted  Date         `json:"accepted_on,omitzero"`
	Decided   Date         `json:"decided_on,omitzero"`
	SyncBy    Date         `json:"sync_by,omitzero"`
	Overdue   bool         `json:"overdue"`
	Free      bool         `json:"free"`
}

// Progress returns the progress view of a repair on today.
func Progress(r Repair, today Date) ProgressView {
	p := ProgressView{Code: r.Code, State: r.State, StateName: r.State.Chinese(), Target: r.Target, AppliedOn: r.AppliedOn, AcceptBy: r.AcceptBy, DecideBy: r.DecideBy,
		Overdue: RepairOverdue(r, today), Free: true}
	if r.Acceptance != nil {
		p.Accepted = r.Acceptance.Date
	}
	if r.Decision != nil {
		p.Decided, p.SyncBy = r.Decision.Date, r.Decision.SyncBy
	}
	return p
}

// ValidProgressCode reports whether s looks like a progress code (XF
// followed by 12 characters of the Crockford alphabet, e.g. XF7K3M9Q2W4R8T).
func ValidProgressCode(s string) bool {
	if len(s) != 14 || !strings.HasPrefix(s, "XF") {
		return false
	}
	for _, c := range s[2:] {
		if !strings.ContainsRune(ProgressAlphabet, c) {
			return false
		}
	}
	return true
}

// ProgressAlphabet is Crockford's base32 alphabet (no I, L, O, U).
const ProgressAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// InboundRepair is a repair decision received from another platform
// (修复结果互认), signed by a registered peer.
type InboundRepair struct {
	DecisionID     string        `json:"decision_id"` // the peer's id of the decision: idempotency key
	DepartmentCode string        `json:"department_code,omitempty"`
	Kind           string        `json:"kind,omitempty"` // penalty, license, …
	DecisionNumber string        `json:"decision_number"`
	SubjectCode    string        `json:"subject_code,omitempty"`
	Treatment      RepairOutcome `json:"treatment"`
	DecidedOn      Date          `json:"decided_on"`
	Reasons        string        `json:"reasons"`
	Issuer         string        `json:"issuer,omitempty"`
}

// CheckInbound validates an inbound decision.
func CheckInbound(in InboundRepair, today Date) error {
	var v Validation
	if s := strings.TrimSpace(in.DecisionID); s == "" || len(s) > 128 {
		v.Add("decision_id", "required", "the peer's decision id (1-128 characters) makes the call idempotent")
	}
	if strings.TrimSpace(in.DecisionNumber) == "" {
		v.Add("decision_number", "required", "the decision number (文号) of the record repaired is required")
	}
	if strings.TrimSpace(in.DepartmentCode) == "" && strings.TrimSpace(in.SubjectCode) == "" {
		v.Add("department_code", "inbound.match", "name the department code and kind, or the subject code, with the decision number")
	}
	if strings.TrimSpace(in.DepartmentCode) != "" && strings.TrimSpace(in.Kind) == "" && strings.TrimSpace(in.SubjectCode) == "" {
		v.Add("kind", "inbound.match", "with a department code, name the record kind (penalty, license, …)")
	}
	if !slices.Contains(allTreatments, in.Treatment) {
		v.Add("treatment", "repair.treatment", "treatment is ended, shielded or deleted")
	}
	if in.DecidedOn.IsZero() || in.DecidedOn.After(today) {
		v.Add("decided_on", "inbound.date", "the decision date is required and not in the future")
	}
	if strings.TrimSpace(in.Reasons) == "" {
		v.Add("reasons", "required", "the decision's reasons are required")
	}
	return v.Err("the inbound repair was refused")
}

// CheckInboundRecord decides whether a peer platform's repair decision
// (修复结果互认, DOMAIN.md: the repair result is pushed to every connected
// system) may be applied to the local record it names. The peer decided the
// application, so who applied, what was filed, and when the minimum period
// ran there are its judgement (no repair.not_own, repair.duplicate,
// repair.min_period or application conditions); but the local record's
// state and the law still govern, with CheckRepair's rules:
//
//   - repair.state: a withdrawn record, or one already repaired here;
//   - repair.not_negative: only dishonesty information is repaired;
//   - repair.unrepairable: an item or penalty category the law marks
//     unrepairable (Order 58 Art. 2; SAMR Order 45 Art. 14);
//   - repair.listed: a record under a serious-list entry in force here is
//     repaired through the entry first (a peer cannot end its publication
//     while the listing rests on it);
//   - repair.rules: no rule set governs the day.
func CheckInboundRecord(c RepairCheck) []RepairReason {
	c.Target, c.ApplicantSubjectID, c.Input, c.Open = TargetRecord, c.Record.SubjectID, nil, nil
	var out []RepairReason
	for _, r := range CheckRepair(c).Reasons {
		if r.Rule != "repair.min_period" {
			out = append(out, r)
		}
	}
	return out
}

// InboundRefusalError is the error a peer's decision gets when
// CheckInboundRecord found reasons: ECONFLICT (the decision is well formed,
// the local record's state or the law stands against it), each reason a
// field error naming its rule; nil without reasons.
func InboundRefusalError(decisionNumber string, reasons []RepairReason) error {
	if len(reasons) == 0 {
		return nil
	}
	fs := make([]FieldError, len(reasons))
	for i, r := range reasons {
		fs[i] = FieldError{Field: "decision_number", Rule: r.Rule, Message: r.Message, Value: decisionNumber}
	}
	return &Error{Code: ECONFLICT, Message: "the peer's repair of decision " + decisionNumber + " cannot be applied here: " + reasons[0].Message, Fields: fs}
}

// Peer is another platform whose repair decisions are recognised: its
// Ed25519 public key, registered by the admin.
type Peer struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	PublicKey []byte    `json:"public_key"` // 32 bytes, Ed25519
	Disabled  bool      `json:"disabled,omitempty"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}
