package xinyong

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Fixtures: a 行政处罚-like item disclosed to the public and shared
// unconditionally, whose legal basis covers natural persons; an active
// record of an enterprise published 2026-01-10 … 2027-01-10.
const (
	visPersonID = "620102199001011237" // shape of a citizen ID (never stored in clear by the workflow)
	visDept     = "dept-a"
	visOther    = "dept-b"
)

func visItem() CatalogueItem {
	return CatalogueItem{
		Code: "XZCF", Name: "行政处罚信息", Kind: "penalty", Negative: true,
		SubjectKinds:    []SubjectKind{KindEnterprise, KindOrganisation, KindIndividualBusiness, KindPerson},
		SharingScope:    ShareUnconditional,
		DisclosureScope: DisclosePublic,
		LegalBasis:      "《行政处罚法》第四十八条",
		Status:          ItemApproved,
		Fields: []FieldSpec{
			{Code: "CF_SY", Label: "违法事实", Type: FieldText},
			{Code: "CF_XDR_MC", Label: "行政相对人名称", Type: FieldText},
			{Code: "CF_FRDB", Label: "法定代表人", Type: FieldText, Personal: true},
			{Code: "CF_XDR_ZJHM", Label: "证件号码", Type: FieldCode, Personal: true},
			{Code: "SX_XB", Label: "性别", Type: FieldEnum, Personal: true, Values: []string{"男", "女"}},
		},
	}
}

func visRecord() Record {
	d := MustDate("2026-01-10")
	return Record{
		ID: "r1", Item: "XZCF", Kind: "penalty", SubjectID: "s1", SubjectCode: "91620100MA00000001", SubjectName: "兰州某某商贸有限公司",
		SubjectKind: KindEnterprise, DepartmentID: visDept,
		Document: Document{Type: DocPenaltyDecision, Number: "兰市监罚〔2026〕1号", Authority: "兰州市市场监督管理局", DecisionDate: d},
		Fields: map[string]string{
			"CF_SY": "未按规定公示年度报告", "CF_XDR_MC": "兰州某某商贸有限公司", "CF_FRDB": "张三明",
			"CF_XDR_ZJHM": "620102********1237", "SX_XB": "男", "GONE": "a field the item no longer lists",
		},
		Severity: SeverityGeneral, Status: RecordActive,
		Window: Window{Published: true, Start: d, MinEnd: d.AddMonths(3), MaxEnd: d.AddMonths(12)},
	}
}

func personRecord() (Record, Subject) {
	r := visRecord()
	r.SubjectID, r.SubjectCode, r.SubjectName, r.SubjectKind = "p1", MaskID(visPersonID), "张三明", KindPerson
	r.Fields = map[string]string{"CF_SY": "张三明无证经营，身份证 " + visPersonID, "CF_XDR_MC": "张三明", "CF_XDR_ZJHM": visPersonID, "SX_XB": "男"}
	return r, Subject{ID: "p1", Code: r.SubjectCode, Kind: KindPerson, Name: "张三明", Birth: MustDate("1990-01-01")}
}

var (
	visOn     = MustDate("2026-06-01") // inside the window
	pubV      = Viewer{Kind: ViewerPublic}
	self      = Viewer{Kind: ViewerSubject, SubjectID: "s1"}
	selfP     = Viewer{Kind: ViewerSubject, SubjectID: "p1"}
	otherSubj = Viewer{Kind: ViewerSubject, SubjectID: "s9"}
	ownDept   = Viewer{Kind: ViewerOfficer, DepartmentID: visDept}
	otherDept = Viewer{Kind: ViewerOfficer, DepartmentID: visOther, Purpose: "行政许可审查"}
	otherNoP  = Viewer{Kind: ViewerOfficer, DepartmentID: visOther}
	otherLaw  = Viewer{Kind: ViewerOfficer, DepartmentID: visOther, Purpose: "行政许可审查", Basis: "《行政许可法》第三十四条"}
	agency    = Viewer{Kind: ViewerAgency, Organisation: "某银行", Purpose: "贷款审查"}
	agencyNoP = Viewer{Kind: ViewerAgency, Organisation: "某银行"}
	auditor   = Viewer{Kind: ViewerAuditor}
	admin     = Viewer{Kind: ViewerAdmin}
)

func TestVisible(t *testing.T) {
	all := func(show FieldShow) map[string]FieldShow {
		m := map[string]FieldShow{}
		for k := range visRecord().Fields {
			m[k] = show
		}
		return m
	}
	publicFields := map[string]FieldShow{"CF_SY": ShowClear, "CF_XDR_MC": ShowClear, "CF_FRDB": ShowMasked, "CF_XDR_ZJHM": ShowMasked}
	supervised := map[string]FieldShow{"CF_SY": ShowClear, "CF_XDR_MC": ShowClear, "CF_FRDB": ShowMasked, "CF_XDR_ZJHM": ShowMasked, "SX_XB": ShowMasked, "GONE": ShowClear}
	type tc struct {
		name   string
		viewer Viewer
		change func(in *VisibilityInput)
		// want
		visible bool
		rule    string
		fields  map[string]FieldShow // nil: not checked
		marks   []string
		masked  bool
	}
	withdraw := func(in *VisibilityInput) { in.Record.Status = RecordWithdrawn; in.Record.Window.Published = false }
	closed := func(in *VisibilityInput) { in.On = MustDate("2027-01-10") } // at the maximum end: stops by itself
	before := func(in *VisibilityInput) { in.On = MustDate("2026-01-09") }
	person := func(in *VisibilityInput) { in.Record, in.Subject = personRecord() }
	tests := []tc{
		// §3 public disclosure: public item, open window, active.
		{name: "public sees a published record", viewer: pubV, visible: true, rule: "public", fields: publicFields},
		{name: "public: window not yet open", viewer: pubV, change: before, rule: "public.window"},
		{name: "public: at the maximum the publication stops by itself", viewer: pubV, change: closed, rule: "public.window"},
		{name: "public: never published (warning only)", viewer: pubV, change: func(in *VisibilityInput) { in.Record.Window = Window{Reason: "warning only"} }, rule: "public.window"},
		{name: "public: open-ended window (licence)", viewer: pubV, change: func(in *VisibilityInput) {
			in.Record.Window = Window{Published: true, Start: in.Record.Document.DecisionDate}
			in.On = MustDate("2040-01-01")
		}, visible: true, rule: "public"},
		// Art. 48: withdrawal ends publication and sharing at once.
		{name: "public: withdrawn never", viewer: pubV, change: withdraw, rule: "public.withdrawn"},
		{name: "public: withdrawn even inside the window", viewer: pubV, change: func(in *VisibilityInput) { in.Record.Status = RecordWithdrawn }, rule: "public.withdrawn"},
		// Disclosure scopes.
		{name: "public: on_request item", viewer: pubV, change: func(in *VisibilityInput) { in.Item.DisclosureScope = DiscloseOnRequest }, rule: "public.scope"},
		{name: "public: authorised item", viewer: pubV, change: func(in *VisibilityInput) { in.Item.DisclosureScope = DiscloseAuthorised }, rule: "public.scope"},
		{name: "public: not disclosed item", viewer: pubV, change: func(in *VisibilityInput) { in.Item.DisclosureScope = DiscloseNotDisclose }, rule: "public.scope"},
		// §6 repair outcomes.
		{name: "public: publication ended by repair", viewer: pubV, change: func(in *VisibilityInput) { in.Repair = RepairEnded }, rule: "public.repaired"},
		{name: "public: shielded", viewer: pubV, change: func(in *VisibilityInput) { in.Repair = RepairShielded }, rule: "public.repaired"},
		{name: "public: deleted", viewer: pubV, change: func(in *VisibilityInput) { in.Repair = RepairDeleted }, rule: "repair.deleted"},
		// §6 objections: shown, marked.
		{name: "public: open objection shown marked", viewer: pubV, change: func(in *VisibilityInput) { in.Objection = true }, visible: true, rule: "public", marks: []string{MarkInDispute}},
		// §3/§7 personal information.
		{name: "public: personal fields need a basis or consent", viewer: pubV, change: func(in *VisibilityInput) { in.Item.LegalBasis = "" }, visible: true, rule: "public",
			fields: map[string]FieldShow{"CF_SY": ShowClear, "CF_XDR_MC": ShowClear}},
		{name: "public: consent instead of a basis, still masked", viewer: pubV, change: func(in *VisibilityInput) { in.Item.LegalBasis = ""; in.Consent = true }, visible: true, rule: "public", fields: publicFields},
		{name: "public: a person's record under a basis covering persons, masked", viewer: pubV, change: person, visible: true, rule: "public", masked: true,
			fields: map[string]FieldShow{"CF_SY": ShowClear, "CF_XDR_MC": ShowClear, "CF_XDR_ZJHM": ShowMasked}},
		{name: "public: a person's record when the basis does not cover persons", viewer: pubV, change: func(in *VisibilityInput) {
			person(in)
			in.Item.SubjectKinds = []SubjectKind{KindEnterprise}
		}, rule: "public.personal"},
		{name: "public: a person's record with consent", viewer: pubV, change: func(in *VisibilityInput) {
			person(in)
			in.Item.SubjectKinds, in.Consent = nil, true
		}, visible: true, rule: "public", masked: true},
		// Minors.
		{name: "public: a minor's record (leniency flag) never", viewer: pubV, change: func(in *VisibilityInput) { person(in); in.Record.Leniency.Minor = true }, rule: "public.minor"},
		{name: "public: a minor by birth date never", viewer: pubV, change: func(in *VisibilityInput) { person(in); in.Subject.Birth = MustDate("2010-03-01") }, rule: "public.minor"},
		{name: "public: a minor even with consent", viewer: pubV, change: func(in *VisibilityInput) { person(in); in.Subject.Birth = MustDate("2010-03-01"); in.Consent = true }, rule: "public.minor"},
		{name: "own department sees a minor's record", viewer: ownDept, change: func(in *VisibilityInput) { person(in); in.Record.Leniency.Minor = true }, visible: true, rule: "own_department"},
		// The subject itself.
		{name: "subject sees its own record", viewer: self, visible: true, rule: "self", fields: all(ShowClear)},
		{name: "subject sees its own withdrawn record, marked", viewer: self, change: withdraw, visible: true, rule: "self", marks: []string{MarkWithdrawn}},
		{name: "subject sees its own record after the window, marked", viewer: self, change: closed, visible: true, rule: "self", marks: []string{MarkNotPublic}},
		{name: "subject sees its own shielded record, marked", viewer: self, change: func(in *VisibilityInput) { in.Repair = RepairShielded }, visible: true, rule: "self", marks: []string{MarkShielded}},
		{name: "subject sees its own repaired record, marked", viewer: self, change: func(in *VisibilityInput) { in.Repair = RepairEnded }, visible: true, rule: "self", marks: []string{MarkRepaired}},
		{name: "subject: deleted is gone for it too", viewer: self, change: func(in *VisibilityInput) { in.Repair = RepairDeleted }, rule: "repair.deleted"},
		{name: "subject sees its own objection marked", viewer: self, change: func(in *VisibilityInput) { in.Objection = true }, visible: true, rule: "self", marks: []string{MarkInDispute}},
		{name: "a person sees its own record in clear", viewer: selfP, change: person, visible: true, rule: "self"},
		{name: "another subject sees the public view", viewer: otherSubj, visible: true, rule: "public", fields: publicFields},
		{name: "another subject: not what is not public", viewer: otherSubj, change: closed, rule: "public.window"},
		// The identifying department.
		{name: "own department sees everything", viewer: ownDept, visible: true, rule: "own_department", fields: all(ShowClear)},
		{name: "own department sees its withdrawn record", viewer: ownDept, change: withdraw, visible: true, rule: "own_department", marks: []string{MarkWithdrawn}},
		{name: "own department sees its item not shared", viewer: ownDept, change: func(in *VisibilityInput) { in.Item.SharingScope = ShareNone }, visible: true, rule: "own_department"},
		// §3 sharing to other departments and relying agencies.
		{name: "other department with a purpose: unconditional item shared", viewer: otherDept, change: closed, visible: true, rule: "sharing", fields: all(ShowClear), marks: []string{MarkNotPublic}},
		{name: "other department without a purpose: public view only", viewer: otherNoP, visible: true, rule: "public", fields: publicFields},
		{name: "other department without a purpose, window closed", viewer: otherNoP, change: closed, rule: "sharing.purpose"},
		{name: "other department: withdrawn not shared", viewer: otherDept, change: withdraw, rule: "sharing.withdrawn"},
		{name: "other department: shielded not shared", viewer: otherDept, change: func(in *VisibilityInput) { in.Repair = RepairShielded }, rule: "sharing.shielded"},
		{name: "other department: repaired (ended) still shared, marked", viewer: otherDept, change: func(in *VisibilityInput) { in.Repair = RepairEnded }, visible: true, rule: "sharing", marks: []string{MarkRepaired}},
		{name: "other department: item not shared", viewer: otherDept, change: func(in *VisibilityInput) { in.Item.SharingScope = ShareNone; in.On = MustDate("2030-01-01") }, rule: "sharing.none"},
		{name: "other department: item not shared but public: public view", viewer: otherDept, change: func(in *VisibilityInput) { in.Item.SharingScope = ShareNone }, visible: true, rule: "public"},
		{name: "other department: conditional item without basis or consent", viewer: otherDept, change: func(in *VisibilityInput) {
			in.Item.SharingScope, in.Item.DisclosureScope = ShareConditional, DiscloseAuthorised
		}, rule: "sharing.conditional"},
		{name: "other department: conditional item with a statutory basis", viewer: otherLaw, change: func(in *VisibilityInput) {
			in.Item.SharingScope, in.Item.DisclosureScope = ShareConditional, DiscloseAuthorised
		}, visible: true, rule: "sharing"},
		{name: "other department: conditional item with consent", viewer: otherDept, change: func(in *VisibilityInput) {
			in.Item.SharingScope, in.Item.DisclosureScope, in.Consent = ShareConditional, DiscloseAuthorised, true
		}, visible: true, rule: "sharing"},
		{name: "other department: a person's record needs a basis or consent", viewer: otherDept, change: func(in *VisibilityInput) { person(in); in.On = MustDate("2030-01-01") }, rule: "sharing.personal"},
		{name: "other department: a person's record with a basis", viewer: otherLaw, change: func(in *VisibilityInput) { person(in); in.On = MustDate("2030-01-01") }, visible: true, rule: "sharing", marks: []string{MarkNotPublic}},
		{name: "agency with a purpose: unconditional item", viewer: agency, change: closed, visible: true, rule: "sharing", marks: []string{MarkNotPublic}},
		{name: "agency without a purpose: public view", viewer: agencyNoP, change: closed, rule: "sharing.purpose"},
		{name: "agency: a person's record with consent", viewer: agency, change: func(in *VisibilityInput) { person(in); in.Consent = true; in.On = MustDate("2030-01-01") }, visible: true, rule: "sharing", marks: []string{MarkNotPublic}},
		{name: "agency: a person's record without consent: masked public view", viewer: agency, change: person, visible: true, rule: "public", masked: true},
		{name: "agency: withdrawn never", viewer: agency, change: withdraw, rule: "sharing.withdrawn"},
		// Supervision.
		{name: "auditor sees a withdrawn record, personal fields masked", viewer: auditor, change: withdraw, visible: true, rule: "supervision", fields: supervised, marks: []string{MarkWithdrawn}},
		{name: "admin sees a closed record, personal masked", viewer: admin, change: closed, visible: true, rule: "supervision", fields: supervised, marks: []string{MarkNotPublic}},
		{name: "auditor: a person masked", viewer: auditor, change: person, visible: true, rule: "supervision", masked: true},
		{name: "admin: deleted gone", viewer: admin, change: func(in *VisibilityInput) { in.Repair = RepairDeleted }, rule: "repair.deleted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := VisibilityInput{Viewer: tt.viewer, Record: visRecord(), Item: visItem(), Subject: Subject{ID: "s1", Kind: KindEnterprise}, On: visOn}
			if tt.change != nil {
				tt.change(&in)
			}
			got := Visible(in)
			if got.Visible != tt.visible || got.Rule != tt.rule {
				t.Fatalf("Visible = %v by %q (%s), want %v by %q", got.Visible, got.Rule, got.Reason, tt.visible, tt.rule)
			}
			if got.Reason == "" {
				t.Error("no reason given")
			}
			if tt.fields != nil && !maps.Equal(got.Fields, tt.fields) {
				t.Errorf("fields %v, want %v", got.Fields, tt.fields)
			}
			if tt.visible && !slices.Equal(got.Marks, tt.marks) {
				t.Errorf("marks %v, want %v", got.Marks, tt.marks)
			}
			if tt.visible && got.MaskSubject != tt.masked {
				t.Errorf("MaskSubject %v, want %v", got.MaskSubject, tt.masked)
			}
			if !got.Visible && (len(got.Fields) > 0 || got.MaskSubject) {
				t.Errorf("an invisible record shows fields: %+v", got)
			}
		})
	}
}

// TestVisibleExhaustive walks every combination of viewer, status, window,
// scopes, repair, objection, consent and subject kind, and checks the rules
// that must hold whatever the combination.
func TestVisibleExhaustive(t *testing.T) {
	viewers := []Viewer{pubV, self, selfP, otherSubj, ownDept, otherDept, otherNoP, otherLaw, agency, agencyNoP, auditor, admin}
	days := []Date{MustDate("2026-01-09"), visOn, MustDate("2027-01-10")}
	n := 0
	for _, v := range viewers {
		for _, withdrawn := range []bool{false, true} {
			for _, on := range days {
				for _, share := range []SharingScope{ShareUnconditional, ShareConditional, ShareNone} {
					for _, disc := range []DisclosureScope{DisclosePublic, DiscloseOnRequest, DiscloseAuthorised, DiscloseNotDisclose} {
						for _, rep := range []RepairOutcome{RepairNone, RepairEnded, RepairShielded, RepairDeleted} {
							for _, obj := range []bool{false, true} {
								for _, consent := range []bool{false, true} {
									for _, kind := range []string{"enterprise", "person", "minor"} {
										in := VisibilityInput{Viewer: v, Record: visRecord(), Item: visItem(), Subject: Subject{ID: "s1", Kind: KindEnterprise}, On: on, Repair: rep, Objection: obj, Consent: consent}
										if kind != "enterprise" {
											in.Record, in.Subject = personRecord()
										}
										if kind == "minor" {
											in.Subject.Birth = MustDate("2012-05-05")
										}
										if withdrawn {
											in.Record.Status = RecordWithdrawn
										}
										in.Item.SharingScope, in.Item.DisclosureScope = share, disc
										checkInvariants(t, in)
										n++
									}
								}
							}
						}
					}
				}
			}
		}
	}
	t.Logf("%d combinations", n)
}

func checkInvariants(t *testing.T, in VisibilityInput) {
	t.Helper()
	got := Visible(in)
	say := func(f string, a ...any) {
		t.Helper()
		t.Errorf("%s: viewer %+v status %s on %s share %s disclose %s repair %q objection %v consent %v person %v: %s",
			fmt.Sprintf(f, a...), in.Viewer, in.Record.Status, in.On, in.Item.SharingScope, in.Item.DisclosureScope, in.Repair, in.Objection, in.Consent, in.Subject.Kind, got.Rule)
	}
	r := in.Record
	person := in.Subject.Kind == KindPerson
	minor := person && IsMinorOn(in.Subject.Birth, r.Document.DecisionDate)
	if in.Repair == RepairDeleted && got.Visible {
		say("a deleted record is visible")
	}
	if got.Public && got.Visible {
		if r.Status != RecordActive || !r.Window.Open(in.On) || in.Item.DisclosureScope != DisclosePublic || in.Repair != RepairNone || minor {
			say("public view of a record that is not published")
		}
		if person && !got.MaskSubject {
			say("a natural person shown unmasked to the public")
		}
		for k, how := range got.Fields {
			if spec, _ := in.Item.Field(k); spec.Personal && how != ShowMasked {
				say("personal field %s shown %s to the public", k, how)
			}
		}
	}
	// Withdrawal ends sharing and publication: only the subject, its
	// department and supervision still see the record.
	if r.Status == RecordWithdrawn && got.Visible {
		own := in.Viewer.Kind == ViewerSubject && in.Viewer.SubjectID == r.SubjectID ||
			in.Viewer.Kind == ViewerOfficer && in.Viewer.DepartmentID == r.DepartmentID ||
			in.Viewer.Kind == ViewerAuditor || in.Viewer.Kind == ViewerAdmin
		if !own || !slices.Contains(got.Marks, MarkWithdrawn) {
			say("withdrawn record visible (own %v) or unmarked", own)
		}
	}
	// A shielded record is neither published nor shared.
	if in.Repair == RepairShielded && got.Visible && (got.Public || got.Rule == "sharing") {
		say("shielded record published or shared")
	}
	if got.Rule == "sharing" && (in.Viewer.Purpose == "" || in.Item.SharingScope == ShareNone) {
		say("shared without a purpose or against the scope")
	}
	if got.Rule == "sharing" && person && in.Viewer.Basis == "" && !in.Consent {
		say("a person's record shared without basis or consent")
	}
	// A minor's record is shared only on a statutory basis, never on
	// consent, and masked as supervision shows it (PIPL Art. 31).
	minorNow := person && IsMinorOn(in.Subject.Birth, in.On)
	if (minor || minorNow) && (got.Rule == "sharing" || got.Rule == "sharing.minor" && (!StatutoryBasis(in.Viewer.Basis) || !got.MaskSubject)) {
		say("a minor's record shared in clear or without a statutory basis")
	}
	// An objection marks, never hides.
	flip := in
	flip.Objection = !in.Objection
	if other := Visible(flip); other.Visible != got.Visible {
		say("the objection flag changed visibility")
	}
	if got.Visible && in.Objection && !slices.Contains(got.Marks, MarkInDispute) {
		say("open objection not marked")
	}
	if got.Visible {
		view := got.Apply(r, in.Item)
		b, _ := json.Marshal(view)
		if strings.Contains(string(b), visPersonID) {
			say("a full citizen ID number in the view: %s", b)
		}
		if got.MaskSubject && strings.Contains(string(b), "张三明") {
			say("a masked person's name in the view: %s", b)
		}
	}
}

func TestApply(t *testing.T) {
	r, s := personRecord()
	in := VisibilityInput{Viewer: pubV, Record: r, Item: visItem(), Subject: s, On: visOn, Objection: true}
	vis := Visible(in)
	got := vis.Apply(r, in.Item)
	want := map[string]string{"CF_SY": "张*明无证经营，身份证 620102********1237", "CF_XDR_MC": "张*明", "CF_XDR_ZJHM": "620102********1237"}
	if !reflect.DeepEqual(got.Fields, want) {
		t.Errorf("fields %v, want %v", got.Fields, want)
	}
	if got.SubjectName != "张*明" || got.SubjectCode != "620102********1237" || !got.InDispute || !got.Public {
		t.Errorf("view %+v", got)
	}
	if got.Publication.End != MustDate("2027-01-10") || got.Document.Number != r.Document.Number {
		t.Errorf("publication %+v document %+v", got.Publication, got.Document)
	}
	// The subject sees its own file in clear, except a full ID number,
	// which no view repeats.
	own := Visible(VisibilityInput{Viewer: selfP, Record: r, Item: visItem(), Subject: s, On: visOn})
	v := own.Apply(r, visItem())
	if v.SubjectName != "张三明" || v.Fields["SX_XB"] != "男" || strings.Contains(v.Fields["CF_SY"], visPersonID) {
		t.Errorf("own view %+v", v)
	}
	defer func() {
		if recover() == nil {
			t.Error("Apply on an invisible record did not panic")
		}
	}()
	Visibility{}.Apply(r, visItem())
}

func TestViewerOf(t *testing.T) {
	tests := []struct {
		a    Actor
		want ViewerKind
	}{
		{Public, ViewerPublic},
		{System, ViewerAdmin},
		{Actor{Kind: "token", Role: RoleAdmin}, ViewerAdmin},
		{Actor{Kind: "token", Role: RoleOfficer, DepartmentID: "d"}, ViewerOfficer},
		{Actor{Kind: "account", Role: RoleReviewer, DepartmentID: "d"}, ViewerOfficer},
		{Actor{Kind: "token", Role: RoleAgency}, ViewerAgency},
		{Actor{Kind: "token", Role: RoleAuditor}, ViewerAuditor},
		{Actor{Kind: "account", Role: RoleSubject, SubjectID: "s"}, ViewerSubject},
		{Actor{Kind: "account", Role: RoleSubject}, ViewerPublic}, // a subject account bound to no subject sees the public view
		{Actor{Kind: "account"}, ViewerPublic},
	}
	for _, tt := range tests {
		if got := ViewerOf(tt.a, " p ", ""); got.Kind != tt.want {
			t.Errorf("ViewerOf(%+v) = %s, want %s", tt.a, got.Kind, tt.want)
		} else if got.Kind != ViewerPublic && got.Purpose != "p" {
			t.Errorf("purpose %q not kept trimmed", got.Purpose)
		}
	}
}

func TestSubjectVisible(t *testing.T) {
	org := Subject{ID: "s1", Kind: KindEnterprise}
	p := Subject{ID: "p1", Kind: KindPerson}
	withPurpose := func(v Viewer) Viewer { v.Purpose = "贷款审批"; return v }
	tests := []struct {
		name            string
		v               Viewer
		s               Subject
		records, clear  int
		visible, masked bool
	}{
		{"an enterprise is public (its registration is public)", pubV, org, 0, 0, true, false},
		{"a person with no public record is not (DOMAIN.md §3)", pubV, p, 0, 0, false, true},
		{"a person with a public record, masked (DOMAIN.md §3)", pubV, p, 1, 0, true, true},
		{"the person itself", selfP, p, 0, 0, true, false},
		{"another subject: like the public", otherSubj, p, 0, 0, false, true},
		{"an officer whose department recorded the person: in clear", otherNoP, p, 1, 1, true, false},
		{"an officer seeing only a published record: masked, like the public", otherNoP, p, 1, 0, true, true},
		{"an officer with no record of the person: an account reveals no one (DOMAIN.md §7)", otherNoP, p, 0, 0, false, true},
		{"an agency outside a registered query: like the public (DOMAIN.md §7)", agencyNoP, p, 0, 0, false, true},
		{"an agency's registered query (查询使用登记) names its subject", withPurpose(agencyNoP), p, 0, 0, true, false},
		{"an officer's registered query", withPurpose(otherNoP), p, 0, 0, true, false},
		{"admin: supervision, masked", admin, p, 0, 0, true, true},
		{"auditor: supervision, masked", auditor, p, 0, 0, true, true},
		{"an auditor's purpose opens nothing", withPurpose(auditor), p, 0, 0, true, true},
	}
	for _, tt := range tests {
		if v, m := SubjectVisible(tt.v, tt.s, tt.records, tt.clear); v != tt.visible || (v && m != tt.masked) {
			t.Errorf("%s: SubjectVisible = %v, %v; want %v, %v", tt.name, v, m, tt.visible, tt.masked)
		}
	}
	if k := SearchKinds(pubV); slices.Contains(k, KindPerson) || len(k) != 3 {
		t.Errorf("public searches %v", k)
	}
	for _, v := range []Viewer{auditor, admin, agencyNoP} {
		if k := SearchKinds(v); slices.Contains(k, KindPerson) || len(k) != 3 {
			t.Errorf("%s searches %v", v.Kind, k)
		}
	}
	if k, d := SearchKinds(otherNoP), SearchPersonsOf(otherNoP); k != nil || d != visOther {
		t.Errorf("officer searches %v, persons of %q", k, d)
	}
	for _, v := range []Viewer{pubV, agencyNoP, admin, auditor, selfP} {
		if d := SearchPersonsOf(v); d != "" {
			t.Errorf("%s searches the persons of %q", v.Kind, d)
		}
	}
	if k := SearchKinds(Viewer{Kind: ViewerOfficer}); slices.Contains(k, KindPerson) {
		t.Errorf("an officer of no department searches %v", k)
	}
	// A name search shows a person only in clear.
	if !NameSearchShows(org, false) || !NameSearchShows(p, false) || NameSearchShows(p, true) {
		t.Error("NameSearchShows: organisations always, persons only in clear")
	}
}

func TestBigrams(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil}, {"甘", nil}, {"甘肃", []string{"甘肃"}},
		{"甘肃甘肃", []string{"甘肃", "肃甘"}},
		{"ABc公司", []string{"ab", "bc", "c公", "公司"}},
	}
	for _, tt := range tests {
		if got := Bigrams(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Bigrams(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if SearchMode("甘") != SearchLike || SearchMode("甘肃") != SearchBigram || SearchMode("甘肃鞋") != SearchTrigram {
		t.Error("SearchMode")
	}
	if got := MatchSpans("甘肃甘肃鞋业ABC", "甘肃"); !reflect.DeepEqual(got, [][2]int{{0, 2}, {2, 4}}) {
		t.Errorf("MatchSpans = %v", got)
	}
	if got := MatchSpans("甘肃鞋业ABC", "bc"); !reflect.DeepEqual(got, [][2]int{{5, 7}}) {
		t.Errorf("MatchSpans folded = %v", got)
	}
}

func TestCheckSearchText(t *testing.T) {
	for _, bad := range []string{"", "   ", strings.Repeat("甘", MaxSearchQuery+1), strings.Repeat("a", 10000), "a\x00b", "\xff\xfe"} {
		if _, err := CheckSearchText(bad); ErrorCode(err) != EINVALID {
			t.Errorf("CheckSearchText(%.20q) = %v, want invalid", bad, err)
		}
	}
	for _, good := range []string{"甘", " 甘肃 ", "'; DROP TABLE subject; --", `"a" OR b*`, "100%_\\"} {
		if _, err := CheckSearchText(good); err != nil {
			t.Errorf("CheckSearchText(%q) = %v", good, err)
		}
	}
}

// TestMaskIDIfPersonKeepsAllDigitUSCC: an all-digit unified social credit
// code (GB 32100: social organisations start 51) is an organisation's public
// code and is shown whole; a citizen ID number (GB 11643) never is.
func TestMaskIDIfPersonKeepsAllDigitUSCC(t *testing.T) {
	var uscc string
	for n := 10000000; n < 10001000 && uscc == ""; n++ {
		p := "51620000" + itoaPad(n, 8)
		oc, err := OrgCodeCheckChar(p[8:16])
		if err != nil || oc == 'X' {
			continue
		}
		p16 := p[:16] + string(oc)
		cc, _ := USCCCheckChar(p16)
		if cc < '0' || cc > '9' {
			continue
		}
		if _, err := ParseCitizenID(p16 + string(cc)); err == nil {
			continue // also a valid ID number: must stay masked
		}
		uscc = p16 + string(cc)
	}
	if uscc == "" {
		t.Fatal("no all-digit USCC found in the search range")
	}
	if got := MaskIDIfPerson(uscc); got != uscc {
		t.Errorf("MaskIDIfPerson(%s) = %s, want the organisation's code unmasked", uscc, got)
	}
	if got := MaskIDIfPerson("11010519491231002X"); got != "110105********002X" {
		t.Errorf("MaskIDIfPerson(citizen ID) = %s, want it masked (GB 11643 example)", got)
	}
}

func itoaPad(n, width int) string {
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// TestMaskCitizenIDs: every 18-character citizen ID number in free text is
// masked as DOMAIN.md §3 shows (620102********123X); text without one —
// including runs of up to 16 digits such as phone numbers and amounts — is
// returned unchanged.
func TestMaskCitizenIDs(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"当事人（身份证号 62010219850312123X）无证经营", "当事人（身份证号 620102********123X）无证经营"},
		{"620102198503121234 与 110105194912310021", "620102********1234 与 110105********0021"},
		{"/api/v1/subjects/62010219850312123x/report.pdf", "/api/v1/subjects/620102********123x/report.pdf"},
		{"电话 13800000000，罚款 1234567890123456 元", "电话 13800000000，罚款 1234567890123456 元"},
		{"91620100MA74QX3K0F", "91620100MA74QX3K0F"},
		{"", ""},
		{"9620102198503121234", "9620102198503121234"}, // 19 digits: begins with 9, then 18 that start with 6
	} {
		got := MaskCitizenIDs(tt.in)
		if tt.in == "9620102198503121234" {
			// The regexp finds 620102198503121234 inside: masked.
			if got == tt.in {
				t.Errorf("MaskCitizenIDs(%q) left an ID number inside a longer run", tt.in)
			}
			continue
		}
		if got != tt.want {
			t.Errorf("MaskCitizenIDs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func BenchmarkMaskCitizenIDs(b *testing.B) {
	s := "当事人兰州某某商贸有限公司未依法取得营业执照，擅自从事经营活动，罚款人民币0.09万元"
	for b.Loop() {
		MaskCitizenIDs(s)
	}
}

// TestPublicSeesAndGradeRecordShown: what the public sees of a record
// (DOMAIN.md §3: inside its window, active, not repaired, never a
// minor's), and who is told what a record behind a grade is (§6, §7: the
// subject, supervision and the recording department; others what the
// public sees; a record deleted by repair nobody).
func TestPublicSeesAndGradeRecordShown(t *testing.T) {
	on := MustDate("2026-06-01")
	org := Subject{ID: "s1", Kind: KindEnterprise}
	minor := Subject{ID: "s2", Kind: KindPerson, Birth: MustDate("2010-03-01")}
	rec := visRecord()
	withdrawn := visRecord()
	withdrawn.Status = RecordWithdrawn
	minorRec := visRecord()
	minorRec.SubjectID, minorRec.SubjectKind = "s2", KindPerson
	for _, tt := range []struct {
		name   string
		r      Record
		subj   Subject
		repair RepairOutcome
		on     Date
		want   bool
	}{
		{"§3 an enterprise's record in its window", rec, org, RepairNone, on, true},
		{"§3 before its window", rec, org, RepairNone, MustDate("2025-12-31"), false},
		{"§2 withdrawn", withdrawn, org, RepairNone, on, false},
		{"§6 publication ended by repair", rec, org, RepairEnded, on, false},
		{"§6 deleted by repair", rec, org, RepairDeleted, on, false},
		{"§2 a minor's record", minorRec, minor, RepairNone, on, false},
	} {
		if got := PublicSees(tt.r, tt.subj, visItem(), tt.repair, tt.on); got != tt.want {
			t.Errorf("PublicSees, %s: %v, want %v", tt.name, got, tt.want)
		}
	}
	officer := func(dept string) Actor { return Actor{Kind: "account", Role: RoleOfficer, DepartmentID: dept} }
	for _, tt := range []struct {
		name   string
		a      Actor
		r      Record
		subj   Subject
		repair RepairOutcome
		want   bool
	}{
		{"the recording department, a minor's record", officer(visDept), minorRec, minor, RepairNone, true},
		{"another department, a minor's record", officer(visOther), minorRec, minor, RepairNone, false},
		{"another department, a public record", officer(visOther), rec, org, RepairNone, true},
		{"another department, a shielded record", officer(visOther), rec, org, RepairShielded, false},
		{"the subject itself, a shielded record", Actor{Kind: "account", Role: RoleSubject, SubjectID: "s1"}, rec, org, RepairShielded, true},
		{"another subject", Actor{Kind: "account", Role: RoleSubject, SubjectID: "s9"}, minorRec, minor, RepairNone, false},
		{"an auditor, a withdrawn record", Actor{Kind: "account", Role: RoleAuditor}, withdrawn, org, RepairNone, true},
		{"the admin, a record deleted by repair", Actor{Kind: "account", Role: RoleAdmin}, rec, org, RepairDeleted, false},
		{"the recording department, a record deleted by repair", officer(visDept), rec, org, RepairDeleted, false},
	} {
		if got := GradeRecordShown(tt.a, tt.subj, tt.r, visItem(), tt.repair, on); got != tt.want {
			t.Errorf("GradeRecordShown, %s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
