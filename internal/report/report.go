// Package report builds public credit reports (公共信用信息报告) from a
// subject, its records and its serious-dishonesty listings, seals them (a
// digest of the canonical JSON signed with the ledger's note key) and
// renders them as JSON and as PDF with embedded Chinese glyphs.
//
// The section layout follows the two report types named by 《公共信用信息报告
// 标准》 (法人和非法人组织 / 个人); the standard's exact layout is unconfirmed
// (see doc/reference regulation §10), so the sections are those of the
// issue: basic information, licences, penalties, serious-list status,
// commitments, honours, and other public information.
package report

import (
	"slices"
	"strings"
	"time"

	"xinyong"
)

// Format names the report format; it is the first line of the signed note.
const Format = "xinyong-report/v1"

// Scopes: the public report, or a natural person's own report.
const (
	ScopePublic  = "public"
	ScopeSubject = "subject"
	// ScopeConsent: a natural person's report given to an organisation
	// under the person's consent in force (DOMAIN.md §7): what the public
	// sees plus the consented items, masked as xinyong.Visible says.
	ScopeConsent = "consent"
)

// Report is one credit report. Its canonical JSON (encoding/json of this
// struct) is what the digest and the signature cover.
type Report struct {
	Format     string       `json:"format"`
	Number     string       `json:"number"`
	Title      string       `json:"title"`
	Scope      string       `json:"scope"`
	Issuer     string       `json:"issuer"`
	IssuedAt   time.Time    `json:"issued_at"`
	AsOf       xinyong.Date `json:"as_of"` // the date publication windows were judged on
	Subject    Subject      `json:"subject"`
	Checkpoint Checkpoint   `json:"checkpoint"`
	Sections   []Section    `json:"sections"`
	Notes      []string     `json:"notes"`
}

// Subject is whom the report is about; masked for natural persons.
type Subject struct {
	Code     string              `json:"code"`
	Name     string              `json:"name"`
	Kind     xinyong.SubjectKind `json:"kind"`
	KindName string              `json:"kind_name"`
}

// Checkpoint is the signed ledger checkpoint the report reflects.
type Checkpoint struct {
	Origin string `json:"origin"`
	Size   int64  `json:"size"`
	Root   string `json:"root"` // hex
}

// Section is one part of the report. An empty section says so in Empty.
type Section struct {
	Key     string  `json:"key"`
	Title   string  `json:"title"`
	Fields  []Field `json:"fields,omitempty"` // basic information
	Entries []Entry `json:"entries"`
	// Listings: the serious-dishonesty listings in force (SecSeriousList
	// only). Listings are not records: they come from the listing
	// procedure (DOMAIN.md §4), not from the catalogue.
	Listings []ListingEntry `json:"listings,omitempty"`
	Empty    string         `json:"empty,omitempty"`
}

// ListingEntry is one serious-dishonesty listing (严重失信主体名单) as the
// report shows it: the list type, the decision document's number and date,
// the identifying department, the day listed and the end of the listing
// period (zero: no fixed end, until removed). Fields repeats them labelled
// in Chinese and English, as the PDF prints them.
//
// The end of the period is the listing's effective end
// (xinyong.Listing.PeriodEnd, EffectiveEnd): never more than
// xinyong.MaxListPeriodMonths after the listing day. A listing stored
// before the bounds existed may hold an end date beyond that (year
// 102026); the report then gives that date as StoredEndDate, and the
// end's field says it exceeds the cap (doc/listings.md).
type ListingEntry struct {
	ListType       string       `json:"list_type"`
	ListTypeName   string       `json:"list_type_name"`
	DecisionNumber string       `json:"decision_number"`
	DecisionDate   xinyong.Date `json:"decision_date,omitzero"`
	Authority      string       `json:"authority"` // the identifying department (认定部门)
	ListedOn       xinyong.Date `json:"listed_on"`
	EndDate        xinyong.Date `json:"end_date,omitzero"` // the effective end; zero: until removed
	// StoredEndDate is the stored end date (YYYY-MM-DD, the year in full)
	// when it lies beyond the longest period, so that EndDate is not it;
	// absent otherwise. Text, not a date: such a date is often past year
	// 9999, which xinyong.Date refuses to read, and Parse must read every
	// report this package writes (POST /api/v1/reports/verify).
	StoredEndDate string  `json:"stored_end_date,omitempty"`
	Fields        []Field `json:"fields"`
}

// Entry is one record as the report shows it.
type Entry struct {
	RecordID       string       `json:"record_id"`
	Version        int          `json:"version"`
	LedgerIndex    int64        `json:"ledger_index"`
	Item           string       `json:"item"`
	ItemName       string       `json:"item_name"`
	Document       string       `json:"document"` // the document type's Chinese name
	Number         string       `json:"number"`
	Authority      string       `json:"authority"`
	DecisionDate   xinyong.Date `json:"decision_date"`
	PublishedUntil xinyong.Date `json:"published_until,omitzero"` // the publication window's end
	Severity       string       `json:"severity,omitempty"`
	Fields         []Field      `json:"fields"`
}

// Field is one labelled value.
type Field struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Input is what a report is built from.
type Input struct {
	Number   string
	IssuedAt time.Time
	Issuer   string // the platform's name
	Scope    string // ScopePublic, ScopeSubject or ScopeConsent
	// Viewer and Consent: for ScopeConsent, the organisation the report is
	// given to and the consent in force that allows it.
	Viewer  xinyong.Viewer
	Consent *xinyong.Consent
	// Disputed and Repairs: records with an open objection (shown marked
	// 异议处理中) and the outcomes of decided repairs, by record id.
	Disputed map[string]bool
	Repairs  map[string]xinyong.RepairOutcome
	Subject  xinyong.Subject
	Records  []xinyong.Record // the subject's records (any status; Build filters)
	Items    map[string]xinyong.CatalogueItem
	// Listings: the subject's serious-dishonesty listings the report's
	// scope shows (the caller decides which: for the public and consent
	// scopes exactly those the public serious-list pages show). Build keeps
	// those of the subject in force on the issue date.
	Listings   []xinyong.PublicListingView
	Checkpoint Checkpoint
}

// Section keys, in report order.
const (
	SecBasic       = "basic"
	SecLicences    = "licences"
	SecPenalties   = "penalties"
	SecSeriousList = "serious_list"
	SecCommitments = "commitments"
	SecHonours     = "honours"
	SecOther       = "other"
)

var sectionTitles = map[string]string{
	SecBasic: "基本信息", SecLicences: "行政许可信息", SecPenalties: "行政处罚信息", SecSeriousList: "严重失信主体名单信息",
	SecCommitments: "信用承诺及履行情况信息", SecHonours: "守信激励信息（诚实守信相关荣誉）", SecOther: "其他公共信用信息",
}

var sectionEmpty = map[string]string{
	SecBasic:       "无公示中的登记注册信息。",
	SecLicences:    "无公示中的行政许可信息。",
	SecPenalties:   "无公示期内的行政处罚信息。",
	SecSeriousList: "无列入严重失信主体名单的记录（no listing on record）。",
	SecCommitments: "无公示中的信用承诺信息。",
	SecHonours:     "无公示中的诚实守信相关荣誉信息。",
	SecOther:       "无其他公示中的公共信用信息。",
}

// Title returns the report's title for a scope and subject kind.
func Title(scope string, kind xinyong.SubjectKind) string {
	if kind == xinyong.KindPerson {
		return "个人公共信用信息报告"
	}
	return "法人和非法人组织公共信用信息报告"
}

// view decides whether a record appears in a report of the scope issued on
// today, and how: xinyong.Visible decides (the public, or the subject
// itself), and a report further lists only records that are active and
// inside their publication window today (公示期) — never a withdrawn one
// nor one whose publication ended, even in the subject's own report.
func view(in Input, it xinyong.CatalogueItem, r xinyong.Record, today xinyong.Date) (xinyong.RecordView, bool) {
	subj := in.Subject
	if r.Status != xinyong.RecordActive || r.Withdrawal != nil || !r.Window.Open(today) {
		return xinyong.RecordView{}, false
	}
	viewer := xinyong.Viewer{Kind: xinyong.ViewerPublic}
	consented := false
	switch in.Scope {
	case ScopePublic:
	case ScopeSubject:
		viewer = xinyong.Viewer{Kind: xinyong.ViewerSubject, SubjectID: subj.ID}
		if it.DisclosureScope == xinyong.DiscloseNotDisclose {
			return xinyong.RecordView{}, false
		}
	case ScopeConsent:
		if in.Consent == nil {
			return xinyong.RecordView{}, false
		}
		viewer, consented = in.Viewer, in.Consent.Covers(it.Code)
	default:
		return xinyong.RecordView{}, false
	}
	vis := xinyong.Visible(xinyong.VisibilityInput{Viewer: viewer, Record: r, Item: it, Subject: subj, On: today, Consent: consented,
		Objection: in.Disputed[r.ID], Repair: in.Repairs[r.ID]})
	if !vis.Visible {
		return xinyong.RecordView{}, false
	}
	return vis.Apply(r, it), true
}

// sectionOf places an item in a section.
func sectionOf(it xinyong.CatalogueItem) string {
	switch {
	case it.Kind == "license":
		return SecLicences
	case it.Kind == "penalty":
		return SecPenalties
	}
	switch it.Category {
	case "registration":
		return SecBasic
	case "serious_list":
		return SecSeriousList
	case "commitment":
		return SecCommitments
	case "honour":
		return SecHonours
	}
	return SecOther
}

// Build assembles the report: only records Visible on the issue date, in
// sections, personal information masked, newest decisions first; the
// serious-list section also holds in.Listings in force on the issue date,
// and says it is empty only when it holds neither records nor listings.
func Build(in Input) Report {
	issued := in.IssuedAt.UTC().Truncate(time.Microsecond)
	today := xinyong.DateOf(issued)
	subj := in.Subject
	r := Report{
		Format: Format, Number: in.Number, Title: Title(in.Scope, subj.Kind), Scope: in.Scope, Issuer: in.Issuer,
		IssuedAt: issued, AsOf: today,
		Subject:    Subject{Code: subjectCode(subj), Name: subj.DisplayName(), Kind: subj.Kind, KindName: subj.Kind.Chinese()},
		Checkpoint: in.Checkpoint,
	}
	order := []string{SecBasic, SecLicences, SecPenalties, SecSeriousList, SecCommitments, SecHonours, SecOther}
	secs := map[string]*Section{}
	for _, k := range order {
		secs[k] = &Section{Key: k, Title: sectionTitles[k], Entries: []Entry{}}
	}
	codeLabel := "统一社会信用代码"
	if subj.Kind == xinyong.KindPerson {
		codeLabel = "身份证件号码（已遮蔽）"
	}
	secs[SecBasic].Fields = []Field{{"主体名称", r.Subject.Name}, {codeLabel, r.Subject.Code}, {"主体类型", r.Subject.KindName}}
	recs := slices.Clone(in.Records)
	slices.SortStableFunc(recs, func(a, b xinyong.Record) int {
		if d := b.Document.DecisionDate.Days() - a.Document.DecisionDate.Days(); d != 0 {
			return d
		}
		return strings.Compare(a.ID, b.ID)
	})
	for _, rec := range recs {
		if rec.SubjectID != subj.ID {
			continue
		}
		it, ok := in.Items[rec.Item]
		if !ok {
			continue
		}
		v, ok := view(in, it, rec, today)
		if !ok {
			continue
		}
		sec := secs[sectionOf(it)]
		sec.Entries = append(sec.Entries, entryOf(it, rec, v, subj))
	}
	secs[SecSeriousList].Listings = listingEntries(in.Listings, today)
	for _, k := range order {
		s := secs[k]
		if len(s.Entries) == 0 && len(s.Listings) == 0 {
			s.Empty = sectionEmpty[k]
		}
		r.Sections = append(r.Sections, *s)
	}
	r.Notes = notes(in.Scope, subj.Kind, today)
	if in.Scope == ScopeConsent && in.Consent != nil {
		r.Notes = append(r.Notes, "本报告经信用主体授权向"+xinyong.MaskCitizenIDs(in.Viewer.Organisation)+"提供（授权编号 "+in.Consent.ID+"，用途："+xinyong.MaskCitizenIDs(in.Consent.Purpose)+"，有效期至 "+xinyong.DateOf(in.Consent.ExpiresAt).String()+"），仅限授权用途使用。")
	}
	return r
}

// Labels of a listing's fields, Chinese first with English.
const (
	LabelListType       = "名单类型（list type）"
	LabelDecisionNumber = "认定决定书文号（decision number）"
	LabelDecisionDate   = "认定日期（decision date）"
	LabelListAuthority  = "认定部门（identifying department）"
	LabelListedOn       = "列入日期（listed on）"
	LabelListingEnd     = "列入期限届满日期（listing period ends）"
	LabelListingBasis   = "认定依据（basis）"
	// NoFixedEnd is the period end of a listing without one.
	NoFixedEnd = "无固定期限，至移出之日（no fixed end: until removed）"
)

// listingEntries shows the listings in force on today, newest listing
// first (then by decision number). A listing not yet or no longer in force
// (past its effective end) is left out whatever the caller passed.
func listingEntries(ls []xinyong.PublicListingView, today xinyong.Date) []ListingEntry {
	ls = slices.Clone(ls)
	slices.SortStableFunc(ls, func(a, b xinyong.PublicListingView) int {
		if d := b.ListedOn.Days() - a.ListedOn.Days(); d != 0 {
			return d
		}
		return strings.Compare(a.DecisionNumber, b.DecisionNumber)
	})
	var out []ListingEntry
	for _, l := range ls {
		// In force on today as Listing.Active says: from the listing day
		// until the effective end.
		if l.ListedOn.IsZero() || !(xinyong.Listing{State: xinyong.ListingListed, ListedOn: l.ListedOn, EndDate: l.EndDate}).Active(today) {
			continue
		}
		name := strings.TrimSpace(l.ListTypeName)
		if name == "" {
			name = l.ListType
		}
		pe := l.PeriodEnd()
		e := ListingEntry{ListType: l.ListType, ListTypeName: name, DecisionNumber: l.DecisionNumber, DecisionDate: l.DecisionDate,
			Authority: l.Authority, ListedOn: l.ListedOn, EndDate: pe.End, StoredEndDate: pe.Stored.String()}
		end := NoFixedEnd
		if !pe.End.IsZero() {
			end = pe.Chinese()
		}
		e.Fields = []Field{{LabelListType, name}, {LabelDecisionNumber, l.DecisionNumber}}
		if !l.DecisionDate.IsZero() {
			e.Fields = append(e.Fields, Field{LabelDecisionDate, l.DecisionDate.String()})
		}
		e.Fields = append(e.Fields, Field{LabelListAuthority, l.Authority}, Field{LabelListedOn, l.ListedOn.String()}, Field{LabelListingEnd, end})
		if b := strings.TrimSpace(l.Basis); b != "" {
			e.Fields = append(e.Fields, Field{LabelListingBasis, b})
		}
		out = append(out, e)
	}
	return out
}

func subjectCode(s xinyong.Subject) string {
	if s.Kind == xinyong.KindPerson {
		// Stored masked already; mask again in case a full number slipped in.
		if _, err := xinyong.ParseCitizenID(s.Code); err == nil {
			return xinyong.MaskID(s.Code)
		}
		return s.Code
	}
	return s.Code
}

func notes(scope string, kind xinyong.SubjectKind, today xinyong.Date) []string {
	n := []string{
		"本报告汇总截至" + today.String() + "在本平台处于公示期内、未被撤销的公共信用信息；已撤销、已屏蔽或公示期届满的信息不予列示。",
		"严重失信主体名单信息以本平台记载为准；“无列入记录”表示本平台未记载列入信息。",
		"个人信息按规定遮蔽显示。",
		"核验：在本平台“报告核验”页面（/verify）输入报告编号，或访问 /api/v1/reports/{报告编号}/verify；电子版（JSON）可提交至 /api/v1/reports/verify 校验是否被改动。",
	}
	if scope == ScopeSubject {
		n = append(n, "本报告仅向信用主体本人提供，不得用于其他目的。")
	} else if scope == ScopeConsent {
		// the consent's own note follows (Build)
	} else if kind != xinyong.KindPerson {
		n = append(n, "本报告为社会公开信息报告，仅列示公开属性为“社会公开”的信息。")
	}
	return n
}

// skipFields are the columns a report does not repeat: the subject's own
// identity (shown once in the header) and the document (shown per entry).
var skipSuffixes = []string{"_XDR_MC", "_XDR_LB", "_XDR_SHXYM", "_XDR_ZJLX", "_XDR_ZJHM", "_WSH", "_JDRQ", "_CFJG", "_XKJG", "_CFLB"}

func skipField(code string) bool {
	for _, s := range skipSuffixes {
		if strings.HasSuffix(code, s) {
			return true
		}
	}
	return false
}

// entryOf shows a record as the report lists it; v comes from
// Visibility.Apply, which has masked names and citizen ID numbers already.
func entryOf(it xinyong.CatalogueItem, rec xinyong.Record, v xinyong.RecordView, subj xinyong.Subject) Entry {
	e := Entry{
		RecordID: rec.ID, Version: rec.Version, LedgerIndex: rec.LedgerIdx,
		Item: it.Code, ItemName: it.Name,
		Document: docName(v.Document), Number: v.Document.Number, Authority: v.Document.Authority,
		DecisionDate: v.Document.DecisionDate, PublishedUntil: v.Publication.End,
		Fields: []Field{},
	}
	if v.Severity != xinyong.SeverityNone && v.Severity != "" {
		e.Severity = v.Severity.Chinese()
	}
	if len(v.Marks) > 0 {
		e.Fields = append(e.Fields, Field{"标注", strings.Join(v.Marks, "、")})
	}
	if len(v.Categories) > 0 {
		e.Fields = append(e.Fields, Field{"处罚类别", strings.Join(v.Categories, "、")})
	}
	for _, f := range it.Fields {
		val := strings.TrimSpace(v.Fields[f.Code])
		if val == "" || skipField(f.Code) {
			continue
		}
		if orig := strings.TrimSpace(rec.Fields[f.Code]); orig == subj.Name || orig == subj.Code {
			continue // the subject's own name or code: shown once, masked where needed
		}
		if f.Unit != "" && f.Type == xinyong.FieldAmount {
			val += " " + f.Unit
		}
		e.Fields = append(e.Fields, Field{Label: f.Label, Value: val})
	}
	return e
}

func docName(d xinyong.Document) string {
	if d.Type == xinyong.DocOther && d.Name != "" {
		return d.Name
	}
	if n, ok := xinyong.DocTypes[d.Type]; ok {
		return n
	}
	return string(d.Type)
}
