package workflow

import (
	"bytes"
	"context"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"xinyong"
	"xinyong/internal/ledger"
	"xinyong/internal/report"
)

// ActReportIssue is the audit action of issuing a credit report.
const ActReportIssue xinyong.Action = "report.issue"

// ReportIssuer is the issuer named on reports.
const ReportIssuer = "信用信息平台"

// Issued is a credit report just issued: the report, its canonical JSON,
// the served JSON document and the seal.
type Issued struct {
	Report    report.Report
	Canonical []byte
	Document  []byte // the JSON document served (report + verification)
	Digest    string
	Note      []byte
	KeyName   string
}

// PDF renders the issued report.
func (i Issued) PDF() ([]byte, error) {
	return report.PDF(i.Report, report.Seal{Digest: i.Digest, Note: i.Note, Key: i.KeyName})
}

// errPersonReport is the answer to anyone asking for a natural person's
// report who is not that person: the same whether or not the person is
// known, so that it reveals nothing.
var errPersonReport = &xinyong.Error{Code: xinyong.EFORBIDDEN, Message: "a natural person's credit report is given only to that person (signed in with a subject account) or to an organisation holding the person's consent in force: pass consent=ID and the consent's purpose"}

// ReportAccess is how an organisation asks for a natural person's report:
// the person's consent and the purpose stated in it (DOMAIN.md §7).
type ReportAccess struct {
	Consent string
	Purpose string
}

// reportSubject finds the subject of a report request and decides the
// report's scope: organisations get the public report, whoever asks; a
// natural person's report goes only to that person, or to an organisation
// whose consent in force covers the request (then the consent is returned).
func (s *Service) reportSubject(tx xinyong.Tx, actor xinyong.Actor, code string, acc ReportAccess, now time.Time) (xinyong.Subject, string, *xinyong.Consent, error) {
	subj, scope, err := s.reportSubjectScope(tx, actor, code)
	if err != errPersonReport || acc.Consent == "" && acc.Purpose == "" {
		return subj, scope, nil, err
	}
	// Someone else asks for a person's report with a consent. A person not
	// on record (subj.ID "") takes the same path to the same answers: no
	// consent can be of it, so it is refused as another's would be.
	purpose, _, consentID, err := xinyong.CheckQueryPurpose(acc.Purpose, "", acc.Consent)
	if err != nil {
		return xinyong.Subject{}, "", nil, err
	}
	if consentID == "" {
		return xinyong.Subject{}, "", nil, errPersonReport
	}
	c, err := tx.Consent(consentID)
	if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
		return xinyong.Subject{}, "", nil, xinyong.ErrConsentUnknown(consentID)
	}
	if err != nil {
		return xinyong.Subject{}, "", nil, err
	}
	if err := xinyong.CheckConsent(c, xinyong.ConsentUse{SubjectID: subj.ID, Organisation: actor.Organisation, Purpose: purpose, At: now}); err != nil {
		return xinyong.Subject{}, "", nil, err
	}
	return subj, report.ScopeConsent, &c, nil
}

// reportSubjectScope decides the scope without consent. A refused
// person's report comes back with the subject it was about, so that a
// consent can still open it; callers outside see only errPersonReport.
func (s *Service) reportSubjectScope(tx xinyong.Tx, actor xinyong.Actor, code string) (xinyong.Subject, string, error) {
	code = xinyong.NormalizeCode(code)
	if code == "" || len(code) > 64 {
		return xinyong.Subject{}, "", xinyong.Invalid("bad subject code", xinyong.FieldError{Field: "code", Rule: "subject.code", Message: "give a unified social credit code (18 characters) or, for one's own report, a citizen ID number"})
	}
	own := func(subj xinyong.Subject) bool {
		return actor.Role == xinyong.RoleSubject && actor.SubjectID != "" && actor.SubjectID == subj.ID
	}
	if _, err := xinyong.ParseCitizenID(code); err == nil {
		subj, err := tx.SubjectByKey(s.SubjectKey(code))
		if err != nil || !own(subj) {
			if err != nil && xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
				return subj, "", err
			}
			if err != nil {
				subj = xinyong.Subject{}
			}
			return subj, "", errPersonReport
		}
		return subj, report.ScopeSubject, nil
	}
	subj, err := tx.SubjectByKey(code)
	if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
		subj, err = tx.Subject(strings.ToLower(code)) // a subject id (a UUID, lower case)
	}
	if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
		return subj, "", xinyong.Errorf(xinyong.ENOTFOUND, "no credit subject with code %s", code)
	}
	if err != nil {
		return subj, "", err
	}
	if subj.Kind == xinyong.KindPerson {
		if !own(subj) {
			return subj, "", errPersonReport
		}
		return subj, report.ScopeSubject, nil
	}
	return subj, report.ScopePublic, nil
}

// IssueReport issues a credit report on the subject with the code (USCC,
// subject id, or for one's own report a citizen ID number): it builds the
// report from the records published today and the serious-dishonesty
// listings in force today (reportListings), seals it with the ledger key,
// and records it — register entry, audit event and ledger leaf — in one
// transaction.
func (s *Service) IssueReport(ctx context.Context, actor xinyong.Actor, code string) (Issued, error) {
	return s.IssueReportWith(ctx, actor, code, ReportAccess{})
}

// IssueReportWith is IssueReport with the consent and purpose under which
// an organisation asks for a natural person's report; such a report is
// also a query of non-public information and writes a query-use entry.
func (s *Service) IssueReportWith(ctx context.Context, actor xinyong.Actor, code string, acc ReportAccess) (Issued, error) {
	if s.Signer == nil {
		return Issued{}, xinyong.Errorf(xinyong.EINTERNAL, "no signing key: reports cannot be issued")
	}
	var out Issued
	err := s.update(ctx, actor, func(t *txn) error {
		subj, scope, consent, err := s.reportSubject(t, actor, code, acc, t.Now())
		if err != nil {
			if err == errPersonReport {
				return errPersonReport // the same answer whether or not the person is known
			}
			return err
		}
		var recs []xinyong.Record
		for after := ""; ; {
			page, err := t.ListRecords(xinyong.RecordFilter{SubjectID: subj.ID, Status: xinyong.RecordActive, AfterID: after, Limit: 1000})
			if err != nil {
				return err
			}
			recs = append(recs, page...)
			if len(page) < 1000 {
				break
			}
			after = page[len(page)-1].ID
		}
		list, err := t.CatalogueItems()
		if err != nil {
			return err
		}
		items := make(map[string]xinyong.CatalogueItem, len(list))
		for _, it := range list {
			items[it.Code] = it
		}
		cp := report.Checkpoint{Origin: s.Signer.Name(), Root: hex.EncodeToString(ledger.EmptyRoot())}
		switch c, err := t.LatestCheckpoint(); {
		case err == nil:
			cp.Size, cp.Root = c.Size, hex.EncodeToString(c.Root)
		case xinyong.ErrorCode(err) != xinyong.ENOTFOUND:
			return err
		}
		now := t.Now()
		number := report.NewNumber(now)
		in := report.Input{Number: number, IssuedAt: now, Issuer: ReportIssuer, Scope: scope, Subject: subj, Records: recs, Items: items, Checkpoint: cp}
		if in.Disputed, err = disputed(t, recs); err != nil {
			return err
		}
		if in.Repairs, err = recordRepairs(t, recs); err != nil {
			return err
		}
		if in.Listings, err = s.reportListings(t, subj, scope, xinyong.DateOf(now)); err != nil {
			return err
		}
		if consent != nil {
			in.Viewer, in.Consent = xinyong.ViewerOf(actor, consent.Purpose, ""), consent
		}
		rep := report.Build(in)
		canon, err := report.Canonical(rep)
		if err != nil {
			return err
		}
		digest := report.Digest(canon)
		note, err := report.Sign(s.Signer, number, digest)
		if err != nil {
			return err
		}
		entries, listings := 0, 0
		for _, sec := range rep.Sections {
			entries += len(sec.Entries)
			listings += len(sec.Listings)
		}
		if err := t.audit(ActReportIssue, "report", number, nil, map[string]string{"number": number, "digest": digest},
			"issued "+scope+" credit report on subject "+subj.ID+" with "+itoa(entries)+" records and "+itoa(listings)+" serious-list listings; sha256 "+digest); err != nil {
			return err
		}
		idx := t.head.Size + int64(len(t.entries)) - 1
		if consent != nil {
			if err := s.reportQueryUse(t, actor, subj, consent, rep); err != nil {
				return err
			}
		}
		if err := t.PutReport(xinyong.IssuedReport{
			Number: number, SubjectID: subj.ID, SubjectCode: rep.Subject.Code, SubjectName: rep.Subject.Name, SubjectKind: subj.Kind,
			Scope: scope, IssuedAt: rep.IssuedAt, IssuedBy: actor.Ref(), CheckpointSize: cp.Size, CheckpointRoot: mustHex(cp.Root),
			Digest: digest, Note: note, LedgerIdx: idx,
		}); err != nil {
			return err
		}
		out = Issued{Report: rep, Canonical: canon, Document: report.Envelope(canon, number, digest, note), Digest: digest, Note: note, KeyName: s.Signer.Name()}
		return nil
	})
	return out, err
}

// reportListings returns the subject's serious-dishonesty listings a report
// of the scope shows on the day (DOMAIN.md §3, §4: the report states what
// the platform and the identifying department show):
//   - public and consent scopes: exactly what the public serious-list pages
//     and the subject's 严重失信主体名单 tab show (portal.listings, that is
//     xinyong.ListingPublic and Listing.PublicView): listed, in force on
//     the day, published when listed and its list type still published,
//     with a decision; never a minor. A consent covers catalogue items, not
//     listings, so it opens no more than the public sees;
//   - the subject's own report: every listing of the subject listed and in
//     force on the day, published or not — the subject was notified, holds
//     the decision document and sees its listings in its own queue
//     (ListingQueuePage); shaped by Listing.PublicView all the same.
func (s *Service) reportListings(tx xinyong.Tx, subj xinyong.Subject, scope string, on xinyong.Date) ([]xinyong.PublicListingView, error) {
	p := portal{s: s, tx: tx, viewer: xinyong.Viewer{Kind: xinyong.ViewerPublic}, on: on}
	switch scope {
	case report.ScopePublic, report.ScopeConsent:
		return p.listings(subj)
	case report.ScopeSubject:
	default:
		return nil, nil
	}
	ls, err := tx.Listings(xinyong.ListingFilter{SubjectID: subj.ID, State: xinyong.ListingListed})
	if err != nil {
		return nil, err
	}
	lts, err := p.listTypes()
	if err != nil {
		return nil, err
	}
	out := []xinyong.PublicListingView{}
	for _, l := range ls {
		if l.SubjectID != subj.ID || !l.Active(on) {
			continue
		}
		lt, ok := lts[l.ListType]
		if !ok {
			lt = xinyong.ListType{Code: l.ListType, Name: l.ListType}
		}
		auth, err := p.authority(l.DepartmentID)
		if err != nil {
			return nil, err
		}
		out = append(out, l.PublicView(lt, subj, auth))
	}
	return out, nil
}

// reportQueryUse registers a report given under a consent in the query-use
// log (查询使用登记), with its ledger leaf. The consent's purpose is masked
// as it is copied: a consent stored before purposes were masked may hold a
// citizen ID number in clear.
func (s *Service) reportQueryUse(t *txn, actor xinyong.Actor, subj xinyong.Subject, c *xinyong.Consent, rep report.Report) error {
	e := xinyong.QueryUse{
		ID: NewID(), At: t.Now(), Actor: actor.Ref(), ActorName: actor.Name, Organisation: actor.Organisation,
		Viewer: xinyong.ViewerOf(actor, c.Purpose, "").Kind, Purpose: xinyong.MaskCitizenIDs(c.Purpose), ConsentID: c.ID, SubjectID: subj.ID,
		Items: []string{}, Records: []string{},
	}
	for _, sec := range rep.Sections {
		for _, en := range sec.Entries {
			e.Records = append(e.Records, en.RecordID)
			if !slices.Contains(e.Items, en.Item) {
				e.Items = append(e.Items, en.Item)
			}
		}
	}
	slices.Sort(e.Items)
	slices.Sort(e.Records)
	pol := s.policy()
	n, err := t.CountQuerySubjects(e.Actor, e.At.Add(-xinyong.QueryFlagWindow), e.SubjectID, xinyong.FlagCountCap(pol.QueryFlagLimit))
	if err != nil {
		return err
	}
	e.Flagged, e.FlagReason = xinyong.FlagQueries(n+1, pol.QueryFlagLimit)
	if e.LedgerIdx, err = t.leaf(LeafQueryUse, "query_use", e.ID, 0, ledger.Commit(querySalt, QueryUseContent(e))); err != nil {
		return err
	}
	return t.AddQueryUse(e)
}

func mustHex(s string) []byte {
	b, _ := hex.DecodeString(s)
	return b
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

// ReportCheck is the answer of report verification.
type ReportCheck struct {
	Genuine    bool                `json:"genuine"`
	Number     string              `json:"number"`
	Reason     string              `json:"reason"`
	Subject    *report.Subject     `json:"subject,omitempty"`
	Scope      string              `json:"scope,omitempty"`
	IssuedAt   *time.Time          `json:"issued_at,omitempty"`
	Checkpoint *report.Checkpoint  `json:"checkpoint,omitempty"`
	Digest     string              `json:"digest,omitempty"`
	Code       string              `json:"code,omitempty"`
	Found      bool                `json:"-"`
	Kind       xinyong.SubjectKind `json:"-"`
}

// VerifyReport checks a report number against the register: genuine when
// a report with the number was issued here and its signed note verifies.
func (s *Service) VerifyReport(ctx context.Context, number string) (ReportCheck, error) {
	number = strings.ToUpper(strings.TrimSpace(number))
	c := ReportCheck{Number: number}
	if !report.ValidNumber(number) {
		c.Reason = "not a report number: numbers look like XY-20260314-ABCDEFGHJK"
		return c, nil
	}
	var ir xinyong.IssuedReport
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		ir, err = tx.Report(number)
		return err
	})
	if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
		c.Reason = "no report with this number was issued by this platform"
		return c, nil
	}
	if err != nil {
		return c, err
	}
	c.Found = true
	if err := report.CheckNote(ir.Note, s.Verifier, ir.Number, ir.Digest); err != nil {
		c.Reason = "the register entry's signature does not verify with the platform's key: refused"
		return c, nil
	}
	at := ir.IssuedAt
	c.Genuine, c.Reason = true, "issued by this platform; the register entry's signature verifies"
	c.Subject = &report.Subject{Code: ir.SubjectCode, Name: ir.SubjectName, Kind: ir.SubjectKind, KindName: ir.SubjectKind.Chinese()}
	c.Scope, c.IssuedAt, c.Digest, c.Code, c.Kind = ir.Scope, &at, ir.Digest, report.Code(ir.Note), ir.SubjectKind
	c.Checkpoint = &report.Checkpoint{Origin: s.Signer.Name(), Size: ir.CheckpointSize, Root: hex.EncodeToString(ir.CheckpointRoot)}
	return c, nil
}

// VerifyReportDocument checks a JSON report document (as served by
// report.json) byte for byte: its report must hash to the digest the
// register holds for its number, and the document must be exactly the one
// served. Any changed byte is refused.
func (s *Service) VerifyReportDocument(ctx context.Context, body []byte) (ReportCheck, error) {
	p, err := report.Parse(body)
	if err != nil {
		return ReportCheck{Reason: err.Error()}, nil
	}
	c, err := s.VerifyReport(ctx, p.Report.Number)
	if err != nil || !c.Genuine {
		return c, err
	}
	refuse := func(why string) (ReportCheck, error) {
		return ReportCheck{Number: c.Number, Found: true, Reason: why}, nil
	}
	if p.Digest != c.Digest {
		return refuse("the report was altered: its SHA-256 differs from the one recorded when it was issued")
	}
	var ir xinyong.IssuedReport
	if err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		ir, err = tx.Report(c.Number)
		return err
	}); err != nil {
		return c, err
	}
	if !bytes.Equal(bytes.TrimSpace(body), bytes.TrimSpace(report.Envelope(p.Raw, ir.Number, ir.Digest, ir.Note))) {
		return refuse("the document was altered: its verification part differs from the one issued")
	}
	c.Reason = "genuine and unaltered: the report's SHA-256 matches the register and the signature verifies"
	return c, nil
}
