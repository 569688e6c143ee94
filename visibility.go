package xinyong

import (
	"regexp"
	"slices"
	"strings"
)

// Who may see what (DOMAIN.md §3 sharing and disclosure, §6 repair and
// objections, §7 security and privacy). Visible is the only function in the
// code that decides whether a record is shown, to whom, with which fields
// and masked how; SubjectVisible and SearchKinds decide the same for the
// subject pages and the name search. The portal and the APIs call them.

// ViewerKind is the kind of viewer.
type ViewerKind string

const (
	ViewerPublic  ViewerKind = "public"  // anyone, not signed in
	ViewerSubject ViewerKind = "subject" // the credit subject itself
	ViewerOfficer ViewerKind = "officer" // an officer (or reviewer) of a department
	ViewerAgency  ViewerKind = "agency"  // a relying agency (实施主体)
	ViewerAuditor ViewerKind = "auditor" // reviews query-use logs and the ledger
	ViewerAdmin   ViewerKind = "admin"   // the credit office running the platform
)

// Viewer is who looks, and for what.
type Viewer struct {
	Kind         ViewerKind
	SubjectID    string // ViewerSubject: the subject it is
	DepartmentID string // ViewerOfficer: its department
	Organisation string
	// Purpose is the stated purpose of a query of shared information (查询
	// 用途); without one, nothing beyond the public view is shared.
	Purpose string
	// Basis is the statutory basis the viewer states for the query (法定依据).
	Basis string
}

// ViewerOf returns the viewer an actor is, with the stated purpose and
// basis of its query ("" when it stated none).
func ViewerOf(a Actor, purpose, basis string) Viewer {
	v := Viewer{Kind: ViewerPublic, Organisation: a.Organisation, Purpose: strings.TrimSpace(purpose), Basis: strings.TrimSpace(basis)}
	if a.Kind == "public" || a.Role == "" {
		return Viewer{Kind: ViewerPublic}
	}
	if a.Kind == "system" || a.Kind == "cli" {
		v.Kind = ViewerAdmin
		return v
	}
	switch a.Role {
	case RoleAdmin:
		v.Kind = ViewerAdmin
	case RoleOfficer, RoleReviewer:
		v.Kind, v.DepartmentID = ViewerOfficer, a.DepartmentID
	case RoleAgency:
		v.Kind = ViewerAgency
	case RoleAuditor:
		v.Kind = ViewerAuditor
	case RoleSubject:
		v.Kind, v.SubjectID = ViewerSubject, a.SubjectID
		if a.SubjectID == "" {
			return Viewer{Kind: ViewerPublic}
		}
	default:
		return Viewer{Kind: ViewerPublic}
	}
	return v
}

// RepairOutcome is what a decided credit repair did to a record (DOMAIN.md
// §6). The repair workflow (a later issue) sets it.
type RepairOutcome string

const (
	RepairNone     RepairOutcome = ""
	RepairEnded    RepairOutcome = "ended"    // publication ended early (停止公示); still shared, marked repaired
	RepairShielded RepairOutcome = "shielded" // 屏蔽: neither published nor shared
	RepairDeleted  RepairOutcome = "deleted"  // 删除: shown to nobody
)

// Marks shown beside a record.
const (
	MarkInDispute = "异议处理中" // an objection is being handled (异议标注)
	MarkWithdrawn = "已撤回"   // the decision was revoked, changed or voided
	MarkRepaired  = "已修复"   // publication ended by a credit repair
	MarkShielded  = "已屏蔽"   // shielded by a credit repair
	MarkNotPublic = "不公示"   // not (or no longer) published
)

// VisibilityInput is everything that decides whether a viewer sees a record.
type VisibilityInput struct {
	Viewer  Viewer
	Record  Record
	Item    CatalogueItem // the record's catalogue item
	Subject Subject       // the record's subject (kind, birth); zero: Record.SubjectKind is used
	On      Date          // the day of the viewing (the publication window is read on it)
	// Objection: an objection to the record is open (the objection workflow
	// of a later issue sets it).
	Objection bool
	Repair    RepairOutcome
	// Consent: the subject has consented to this viewer seeing this item
	// for this purpose (a consent in force; the consent workflow of a later
	// issue checks expiry and revocation before saying so).
	Consent bool
}

// FieldShow is how one field is shown.
type FieldShow string

const (
	ShowClear  FieldShow = "clear"
	ShowMasked FieldShow = "masked"
)

// Visibility is the decision about one record for one viewer.
type Visibility struct {
	Visible bool
	// Public: the viewer sees the public disclosure (公示), not shared
	// information; a non-public view is a query to register (查询使用登记).
	Public bool
	Rule   string // the rule that decided, e.g. "public.window"
	Reason string // the same, in words
	// Fields: the catalogue fields shown and how; a field not in the map is
	// withheld. The document (number, authority, dates) of a visible record
	// is always shown.
	Fields map[string]FieldShow
	// MaskSubject: the subject's name (and any full ID number in the text)
	// is masked: a natural person in a public or minimal view.
	MaskSubject bool
	Marks       []string
}

// Visible decides whether in.Viewer sees in.Record on in.On, which fields
// and masked how. The rules, in order:
//
//   - deleted by a credit repair: nobody (repair.deleted);
//   - the subject sees its own file, every field in clear, withdrawn,
//     repaired and shielded records marked (self);
//   - the identifying department sees its own records the same way
//     (谁认定、谁修复: it must manage them) (own_department);
//   - admin and auditor see every record for supervision, personal
//     fields masked (minimal necessary, PIPL Art. 6) (supervision);
//   - another department or a relying agency sees shared information only
//     with a stated purpose; never a withdrawn (sharing ends at once,
//     Administrative Penalty Law 2021 Art. 48) or shielded record; an item
//     "not shared" never; a "conditional" item only with a statutory basis
//     or the subject's consent; a natural person's record only with a basis
//     or consent (PIPL Art. 13; DOMAIN.md §7) (sharing.*);
//   - a minor's record (decided while the person was under 18, or of a
//     person under 18 on the day) is shared only on a statutory basis
//     that cites the law and its article (StatutoryBasis), never on
//     consent (a minor's personal information needs a guardian's consent,
//     PIPL Art. 31; Minors Protection Law 2020 Art. 103), and then with
//     the subject and the personal fields masked as supervision shows
//     them (sharing.minor; refused: sharing.minor_basis);
//   - whoever is not shared a record sees what the public sees;
//   - the public sees a record only while it is active, not ended by a
//     repair, of an item disclosed to the public, inside its publication
//     window (公示期) on the day, never a minor's record (Minors
//     Protection Law 2020 Art. 103; Administrative Penalty Law 2021 Art.
//     30), and a natural person's record only when the item's legal basis
//     covers natural persons or the person consented; personal fields only
//     with the item's basis or consent, then masked (DOMAIN.md §3), other
//     personal fields (sex, age) withheld (public.*).
//
// An open objection never hides a record: it is shown marked "异议处理中".
func Visible(in VisibilityInput) Visibility {
	r, it, v := in.Record, in.Item, in.Viewer
	kind := in.Subject.Kind
	if kind == "" {
		kind = r.SubjectKind
	}
	person := kind == KindPerson
	withdrawn := r.Status == RecordWithdrawn
	marks := func(vis Visibility) Visibility {
		if withdrawn {
			vis.Marks = append(vis.Marks, MarkWithdrawn)
		}
		switch in.Repair {
		case RepairEnded:
			vis.Marks = append(vis.Marks, MarkRepaired)
		case RepairShielded:
			vis.Marks = append(vis.Marks, MarkShielded)
		}
		if !vis.Public && !withdrawn && in.Repair == RepairNone && !r.Window.Open(in.On) {
			vis.Marks = append(vis.Marks, MarkNotPublic)
		}
		if in.Objection {
			vis.Marks = append(vis.Marks, MarkInDispute)
		}
		return vis
	}
	if in.Repair == RepairDeleted {
		return Visibility{Rule: "repair.deleted", Reason: "deleted by a credit repair: shown to nobody"}
	}
	switch v.Kind {
	case ViewerSubject:
		if v.SubjectID != "" && v.SubjectID == r.SubjectID {
			return marks(Visibility{Visible: true, Rule: "self", Reason: "the subject sees its own file", Fields: allFields(it, r, false)})
		}
	case ViewerOfficer:
		if v.DepartmentID != "" && v.DepartmentID == r.DepartmentID {
			return marks(Visibility{Visible: true, Rule: "own_department", Reason: "the identifying department sees its own records", Fields: allFields(it, r, false)})
		}
	case ViewerAdmin, ViewerAuditor:
		return marks(Visibility{Visible: true, Rule: "supervision", Reason: "supervision: every record, personal fields masked", Fields: allFields(it, r, true), MaskSubject: person})
	}
	if v.Kind == ViewerOfficer || v.Kind == ViewerAgency {
		minor := minorInvolved(in)
		rule, why := sharing(in, person, withdrawn, minor)
		if rule == "" && minor {
			return marks(Visibility{Visible: true, Rule: "sharing.minor", Reason: why, Fields: allFields(it, r, true), MaskSubject: true})
		}
		if rule == "" {
			return marks(Visibility{Visible: true, Rule: "sharing", Reason: why, Fields: allFields(it, r, false)})
		}
		// Not shared: what the public sees.
		pub := public(in, person, withdrawn)
		if !pub.Visible {
			pub.Rule, pub.Reason = rule, why+"; and "+pub.Reason
		}
		return pub
	}
	return public(in, person, withdrawn)
}

// sharing returns "" when the record is shared with the viewer, else the
// rule that refuses it, with the reason. minor: the record is a minor's
// (minorInvolved): consent is no basis, a statutory basis is required.
func sharing(in VisibilityInput, person, withdrawn, minor bool) (string, string) {
	v, it := in.Viewer, in.Item
	if minor {
		in.Consent = false // PIPL Art. 31: the person's own consent is no basis for a minor's information
	}
	switch {
	case v.Purpose == "":
		return "sharing.purpose", "shared information is queried for a stated purpose"
	case withdrawn:
		return "sharing.withdrawn", "a withdrawn record is no longer shared"
	case in.Repair == RepairShielded:
		return "sharing.shielded", "a shielded record is no longer shared"
	case it.SharingScope == ShareNone || !it.SharingScope.Valid():
		return "sharing.none", "catalogue item " + it.Code + " is not shared (不予共享)"
	case minor && !StatutoryBasis(v.Basis):
		return "sharing.minor_basis", "a minor's credit information is shared only on a statutory basis citing the law and its article (e.g. 《中华人民共和国未成年人保护法》第一百零三条), never on consent (PIPL Art. 31)"
	case it.SharingScope == ShareConditional && v.Basis == "" && !in.Consent:
		return "sharing.conditional", "catalogue item " + it.Code + " is shared on conditions: a statutory basis or the subject's consent"
	case person && v.Basis == "" && !in.Consent:
		return "sharing.personal", "a natural person's credit information is shared only with a statutory basis or the person's consent"
	}
	if minor {
		return "", "a minor's record shared on the statutory basis " + v.Basis + ", the subject and personal fields masked, under catalogue item " + it.Code + " for: " + v.Purpose
	}
	return "", "shared under catalogue item " + it.Code + " (" + string(it.SharingScope) + ") for: " + v.Purpose
}

// public is the public disclosure decision.
func public(in VisibilityInput, person, withdrawn bool) Visibility {
	r, it := in.Record, in.Item
	no := func(rule, why string) Visibility { return Visibility{Public: true, Rule: rule, Reason: why} }
	switch {
	case withdrawn || r.Status != RecordActive:
		return no("public.withdrawn", "a withdrawn record is never public")
	case in.Repair == RepairEnded || in.Repair == RepairShielded:
		return no("public.repaired", "publication ended by a credit repair")
	case it.DisclosureScope != DisclosePublic:
		return no("public.scope", "catalogue item "+it.Code+" is not disclosed to the public ("+string(it.DisclosureScope)+")")
	case !r.Window.Open(in.On):
		return no("public.window", "outside its publication window on "+in.On.String())
	case minorInvolved(in):
		return no("public.minor", "a minor's record is never public")
	}
	basis := it.DisclosureScope == DisclosePublic && strings.TrimSpace(it.LegalBasis) != ""
	if person && !((basis && slices.Contains(it.SubjectKinds, KindPerson)) || in.Consent) {
		return no("public.personal", "a natural person's record is public only when the item's legal basis covers natural persons or the person consented")
	}
	vis := Visibility{Visible: true, Public: true, Rule: "public", Reason: "published under catalogue item " + it.Code + " until " + windowEnd(r.Window), MaskSubject: person, Fields: map[string]FieldShow{}}
	for k := range r.Fields {
		spec, ok := it.Field(k)
		switch {
		case !ok:
			// A field the item no longer lists is withheld.
		case !spec.Personal:
			vis.Fields[k] = ShowClear
		case !basis && !in.Consent:
			// Personal information needs a basis or consent.
		case spec.Type == FieldCode || isNameField(spec):
			vis.Fields[k] = ShowMasked
		}
	}
	if in.Objection {
		vis.Marks = append(vis.Marks, MarkInDispute)
	}
	return vis
}

// PublicSees reports whether the public sees record r (of subject subj,
// under item, with the repair outcome it has) on day on: an active record
// inside its open window that Visible shows to the public. Events
// (record.published, record.withdrawn) and readers outside the record's
// department follow it.
func PublicSees(r Record, subj Subject, item CatalogueItem, repair RepairOutcome, on Date) bool {
	if r.Status != RecordActive || !r.Window.Published || !r.Window.Open(on) {
		return false
	}
	v := Visible(VisibilityInput{Viewer: Viewer{Kind: ViewerPublic}, Record: r, Item: item, Subject: subj, On: on, Repair: repair})
	return v.Visible && v.Public
}

// GradeRecordShown reports whether a reader of subj's grade may be told
// what record r behind it is (item, decision number, date, severity): the
// subject itself, supervision (admin, auditor) and the department that
// recorded it; anyone else (grades are read across departments) only what
// the public sees. A record deleted by credit repair is told to nobody
// (DOMAIN.md §6, §7).
func GradeRecordShown(a Actor, subj Subject, r Record, item CatalogueItem, repair RepairOutcome, on Date) bool {
	switch {
	case repair == RepairDeleted:
		return false
	case a.Role == RoleSubject && a.SubjectID != "" && a.SubjectID == subj.ID:
		return true
	case a.Role == RoleAdmin || a.Role == RoleAuditor:
		return true
	case (a.Role == RoleOfficer || a.Role == RoleReviewer) && a.DepartmentID != "" && a.DepartmentID == r.DepartmentID:
		return true
	}
	return PublicSees(r, subj, item, repair, on)
}

// PublicItems returns the codes of the items whose records the public may
// see (disclosed to the public) and, among them, those under which a
// natural person's record may be public (the item's legal basis covers
// natural persons): the item rules of public, for a store to filter on.
func PublicItems(items []CatalogueItem) (all, persons []string) {
	for _, it := range items {
		if it.DisclosureScope != DisclosePublic {
			continue
		}
		all = append(all, it.Code)
		if strings.TrimSpace(it.LegalBasis) != "" && slices.Contains(it.SubjectKinds, KindPerson) {
			persons = append(persons, it.Code)
		}
	}
	return all, persons
}

func windowEnd(w Window) string {
	if w.MaxEnd.IsZero() {
		return "further notice"
	}
	return w.MaxEnd.String()
}

// isMinorRecord: the subject was a minor at the time (the record's leniency
// flag, or a natural person's birth date against the decision date).
func isMinorRecord(in VisibilityInput) bool {
	return in.Record.Leniency.Minor || MinorOn(in.Subject, in.Record.Document.DecisionDate)
}

// minorInvolved: the record is a minor's (isMinorRecord), or its subject
// is a natural person under 18 on the day of the viewing.
func minorInvolved(in VisibilityInput) bool {
	if isMinorRecord(in) {
		return true
	}
	return MinorOn(in.Subject, in.On)
}

// MinorOn reports whether s is a natural person under 18 on day on (its
// birth date known).
func MinorOn(s Subject, on Date) bool {
	return s.Kind == KindPerson && !s.Birth.IsZero() && !on.IsZero() && IsMinorOn(s.Birth, on)
}

// isNameField: a personal text field holding a person's name (法定代表人,
// 姓名, 负责人, 经营者), masked like a name; other personal fields (sex,
// age) are withheld from the public.
func isNameField(f FieldSpec) bool {
	if f.Type != FieldText {
		return false
	}
	for _, w := range []string{"姓名", "法定代表人", "负责人", "经营者", "名称"} {
		if strings.Contains(f.Label, w) {
			return true
		}
	}
	return false
}

// allFields shows every field of the record; maskPersonal masks personal
// ones (supervision views).
func allFields(it CatalogueItem, r Record, maskPersonal bool) map[string]FieldShow {
	out := make(map[string]FieldShow, len(r.Fields))
	for k := range r.Fields {
		spec, ok := it.Field(k)
		if maskPersonal && ok && spec.Personal {
			out[k] = ShowMasked
			continue
		}
		out[k] = ShowClear
	}
	return out
}

// RecordView is a record as one viewer sees it: what the portal and the
// APIs show, built by Visibility.Apply only.
type RecordView struct {
	ID          string            `json:"id"`
	Item        string            `json:"item"`
	ItemName    string            `json:"item_name"`
	Kind        string            `json:"kind,omitempty"`
	SubjectCode string            `json:"subject_code"`
	SubjectName string            `json:"subject_name"`
	SubjectKind SubjectKind       `json:"subject_kind"`
	Document    Document          `json:"document"`
	Fields      map[string]string `json:"fields,omitempty"`
	Severity    Severity          `json:"severity,omitempty"`
	Categories  []string          `json:"categories,omitempty"`
	// Publication: from the decision date until End (the maximum period;
	// a repair may end it from MinEnd); zero End means no fixed end.
	Publication PublicationView `json:"publication"`
	Status      RecordStatus    `json:"status"`
	InDispute   bool            `json:"in_dispute,omitempty"`
	Marks       []string        `json:"marks,omitempty"`
	Public      bool            `json:"public"` // the public disclosure rather than shared information
}

// PublicationView is a record's publication period as shown.
type PublicationView struct {
	Published bool `json:"published"`
	Start     Date `json:"start,omitzero"`
	MinEnd    Date `json:"min_end,omitzero"`
	End       Date `json:"end,omitzero"`
}

// citizenIDs finds 18-character citizen ID numbers in free text.
var citizenIDs = regexp.MustCompile(`[1-8][0-9]{16}[0-9Xx]`)

// Apply returns the record as the decision shows it: withheld fields
// dropped, masked fields masked, a natural person's name masked wherever
// it appears in the shown text, and any full citizen ID number masked in
// every view. It panics on an invisible record: callers check Visible.
func (vis Visibility) Apply(r Record, it CatalogueItem) RecordView {
	if !vis.Visible {
		panic("xinyong: Apply on a record the viewer may not see")
	}
	name := strings.TrimSpace(r.SubjectName)
	text := func(s string) string {
		if vis.MaskSubject && len([]rune(name)) > 0 {
			s = strings.ReplaceAll(s, name, MaskName(name))
		}
		return MaskCitizenIDs(s)
	}
	out := RecordView{
		ID: r.ID, Item: r.Item, ItemName: it.Name, Kind: r.Kind,
		SubjectCode: MaskIDIfPerson(r.SubjectCode), SubjectName: name, SubjectKind: r.SubjectKind,
		Document: r.Document, Severity: r.Severity, Categories: r.Categories,
		Status: r.Status, Marks: vis.Marks, Public: vis.Public,
		InDispute: slices.Contains(vis.Marks, MarkInDispute),
	}
	if vis.MaskSubject {
		out.SubjectName = MaskName(name)
	}
	out.Document.Number, out.Document.Authority, out.Document.Name = text(r.Document.Number), text(r.Document.Authority), text(r.Document.Name)
	if r.Window.Published {
		out.Publication = PublicationView{Published: true, Start: r.Window.Start, MinEnd: r.Window.MinEnd, End: r.Window.MaxEnd}
	}
	if len(vis.Fields) > 0 {
		out.Fields = make(map[string]string, len(vis.Fields))
	}
	for k, how := range vis.Fields {
		val, ok := r.Fields[k]
		if !ok {
			continue
		}
		if how == ShowMasked {
			spec, _ := it.Field(k)
			if spec.Type == FieldCode {
				val = MaskID(val)
			} else {
				val = MaskName(val)
			}
		}
		out.Fields[k] = text(val)
	}
	return out
}

// MaskCitizenIDs masks every 18-character citizen ID number in s (for
// paths and free text written to logs and answers).
func MaskCitizenIDs(s string) string {
	if !hasDigitRun(s, 17) { // every match starts with 17 digits: most text has none
		return s
	}
	return citizenIDs.ReplaceAllStringFunc(s, MaskID)
}

// hasDigitRun reports whether s holds n ASCII digits in a row.
func hasDigitRun(s string, n int) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			if run++; run >= n {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// MaskIDIfPerson masks a code that is a citizen ID number (17 digits and a
// check character) and leaves a unified social credit code as it is.
func MaskIDIfPerson(code string) string {
	if len(code) == 18 && citizenIDs.MatchString(code) && isDigits(code[:17]) {
		// An all-digit unified social credit code (e.g. 51… social
		// organisations) is public; anything that could be a person's
		// number, or is neither, stays masked.
		if _, err := ParseUSCC(code); err == nil {
			if _, err := ParseCitizenID(code); err != nil {
				return code
			}
		}
		return MaskID(code)
	}
	return code
}

// SubjectVisible decides whether the viewer sees a subject's card (its
// page, a search hit) and whether its name is masked. Enterprises, other
// organisations and individual businesses are public subjects (their
// registration is public). A natural person is seen
//
//   - in clear by itself, and by a viewer who sees one of its records in
//     clear (clearRecords: Visible with MaskSubject false — the department
//     that recorded it);
//   - masked by supervision (admin, auditor: every record, personal fields
//     masked), and by anyone who sees one of its records (visibleRecords:
//     the public, once one is published; DOMAIN.md §3);
//   - in clear by a department, an agency or the admin in a registered
//     query (a stated purpose: the query-use log names the subject);
//   - by nobody else: an account or a token alone reveals no one. The
//     portal's views are not registered queries (DOMAIN.md §7: a query of
//     non-public information is registered with its purpose), so they show
//     a person no further than the records they show.
func SubjectVisible(v Viewer, s Subject, visibleRecords, clearRecords int) (visible, masked bool) {
	if s.Kind != KindPerson {
		return true, false
	}
	if v.Kind == ViewerSubject && v.SubjectID != "" && v.SubjectID == s.ID {
		return true, false
	}
	if v.Purpose != "" && (v.Kind == ViewerOfficer || v.Kind == ViewerAgency || v.Kind == ViewerAdmin) {
		return true, false // a registered query (查询使用登记) names its subject
	}
	if clearRecords > 0 {
		return true, false
	}
	if v.Kind == ViewerAdmin || v.Kind == ViewerAuditor {
		return true, true
	}
	return visibleRecords > 0, true
}

// SharedSubjectMasked decides, for a registered query of shared
// information (where SubjectVisible names the subject), whether the
// subject's card is masked all the same: a natural person under 18 on the
// day, or one whose shown records include a minor's (minorRecords: shown
// under sharing.minor), unless the viewer is shown a record with the
// subject in clear (clearRecords: its own department's, or an adult
// record shared in clear). A minor's name is shared as supervision shows
// it (DOMAIN.md §3; PIPL Art. 31; Minors Protection Law 2020 Art. 103).
func SharedSubjectMasked(s Subject, on Date, minorRecords, clearRecords int) bool {
	if s.Kind != KindPerson || clearRecords > 0 {
		return false
	}
	return MinorOn(s, on) || minorRecords > 0
}

// SearchKinds returns the subject kinds a viewer's name search covers (nil:
// all). Only an officer's search covers natural persons, and only those
// its department recorded (SearchPersonsOf), so that neither the matches
// nor their count tell who else is on record; everyone else searches
// organisations, and finds a natural person by the exact ID number.
func SearchKinds(v Viewer) []SubjectKind {
	if v.Kind == ViewerOfficer && v.DepartmentID != "" {
		return nil
	}
	return []SubjectKind{KindEnterprise, KindOrganisation, KindIndividualBusiness}
}

// SearchPersonsOf returns the department whose recorded natural persons a
// viewer's name search covers ("" when SearchKinds leaves persons out).
func SearchPersonsOf(v Viewer) string {
	if v.Kind == ViewerOfficer {
		return v.DepartmentID
	}
	return ""
}

// NameSearchShows decides whether a name search shows a subject the viewer
// sees (SubjectVisible): a natural person only in clear. One shown masked
// (a published record) is found by its ID number, as by the public, never
// by a substring of its name.
func NameSearchShows(s Subject, masked bool) bool {
	return s.Kind != KindPerson || !masked
}
