package workflow

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"xinyong"
	"xinyong/internal/ledger"
)

// Sharing, consent and the query-use log (issue 5; DOMAIN.md §7). A
// department or a relying agency queries a subject's shared information
// with a purpose and a statutory basis or the subject's consent; what it
// sees is xinyong.Visible's decision; every query is registered in the
// query-use log (查询使用登记) in the same transaction, each entry
// committed to the ledger. Refusals are audited in a transaction of their
// own (the refused one rolled back), saying nothing about the subject.

// Audit actions of this file.
const (
	ActQueryRefused  xinyong.Action = "record.query_refused"
	ActConsentGrant  xinyong.Action = "consent.grant"
	ActConsentRevoke xinyong.Action = "consent.revoke"
	ActQueryReview   xinyong.Action = "querylog.review"
	ActQueryExport   xinyong.Action = "querylog.export"
	ActQueryPurge    xinyong.Action = "querylog.purge"
)

// LeafQueryUse is the ledger leaf kind of a query-use entry.
const LeafQueryUse = "query"

// metaQueryPurged is the meta key holding (in microseconds) the time
// before which query-use entries were purged: ledger verification expects
// no entry row for leaves older than that.
const metaQueryPurged = "query_log.purged_before"

// querySalt is the fixed salt of query-use leaves (entries hold no content
// to erase; they are purged whole after the retention period).
var querySalt = []byte("xinyong-query-use")

// QueryUseContent is the canonical content a query-use leaf commits to:
// everything recorded when the entry was written, not the later review.
func QueryUseContent(q xinyong.QueryUse) []byte {
	b, _ := json.Marshal([]any{q.ID, q.At.UTC().UnixMicro(), q.Actor, q.ActorName, q.Organisation, string(q.Viewer), q.Purpose, q.Basis, q.ConsentID,
		q.SubjectID, nonNilStr(q.Items), nonNilStr(q.Records), q.Flagged, q.FlagReason})
	return b
}

func nonNilStr(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// policy returns the sharing policy with defaults, never looser than the
// rules allow.
func (s *Service) policy() xinyong.SharingPolicy {
	p := s.Sharing.WithDefaults()
	if p.ConsentMaxDuration <= 0 || p.ConsentMaxDuration > xinyong.MaxConsentDurationCap {
		p.ConsentMaxDuration = xinyong.DefaultConsentMaxDuration
	}
	if p.QueryFlagLimit <= 0 {
		p.QueryFlagLimit = xinyong.DefaultQueryFlagLimit
	}
	p.QueryRetentionYears = max(p.QueryRetentionYears, xinyong.MinQueryRetentionYears)
	return p
}

// SharedQuery is what the querier states.
type SharedQuery struct {
	Purpose string // 查询用途, required
	Basis   string // statutory basis (法定依据)
	Consent string // the id of the subject's consent
}

// SharedRecords is the answer to a query of shared information.
type SharedRecords struct {
	Subject   SubjectCard          `json:"subject"`
	On        xinyong.Date         `json:"on"`
	Purpose   string               `json:"purpose"`
	Basis     string               `json:"basis,omitempty"`
	ConsentID string               `json:"consent_id,omitempty"`
	Records   []xinyong.RecordView `json:"records"`
	Truncated bool                 `json:"truncated,omitempty"`
	// QueryID is the query-use entry registering this query (查询使用登记).
	QueryID string `json:"query_id"`
}

// refusal reports whether an error refuses a request (to be audited)
// rather than failing it.
func refusal(err error) bool {
	switch xinyong.ErrorCode(err) {
	case xinyong.EINVALID, xinyong.EFORBIDDEN, xinyong.ENOTFOUND, xinyong.EUNAUTHORIZED, xinyong.ECONFLICT:
		return true
	}
	return false
}

// refuse audits a refused request of a signed-in actor in a transaction of
// its own. The public's refusals are not audited (they would let anyone
// grow the ledger); the access log keeps them.
func (s *Service) refuse(ctx context.Context, actor xinyong.Actor, action xinyong.Action, objType, objID string, cause error, detail string) {
	if actor.Kind == "public" || actor.Role == "" {
		return
	}
	if objID == "" {
		objID = "-"
	}
	msg := "refused (" + xinyong.ErrorCode(cause) + "): " + xinyong.ErrorMessage(cause)
	if detail != "" {
		msg += "; " + detail
	}
	msg = clip(xinyong.MaskCitizenIDs(msg), 1000) // masked before cut: a cut ID no longer matches
	err := s.update(ctx, actor, func(t *txn) error { return t.audit(action, objType, objID, nil, nil, msg) })
	if err != nil && s.Log != nil {
		s.log().Warn("audit of a refusal failed", "action", string(action), "err", err)
	}
}

// clip shortens s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// QuerySharedRecords answers a department's or a relying agency's query of
// a subject's shared information: purpose required, and a statutory basis
// or a consent in force. It returns what xinyong.Visible shows the viewer
// and registers the query in the query-use log, in one transaction.
func (s *Service) QuerySharedRecords(ctx context.Context, actor xinyong.Actor, ref string, q SharedQuery) (SharedRecords, error) {
	var out SharedRecords
	var subjID string
	purpose, basis, consentID := q.Purpose, q.Basis, q.Consent
	err := func() error {
		if err := xinyong.Authorize(actor, xinyong.ActRecordQuery, xinyong.Resource{}, nil); err != nil {
			return err
		}
		var err error
		purpose, basis, consentID, err = xinyong.CheckQueryPurpose(q.Purpose, q.Basis, q.Consent)
		if err != nil {
			return err
		}
		// Decide on a read transaction; append the query-use entry with
		// other concurrent queries (group.go).
		var entry xinyong.QueryUse
		err = s.view(ctx, func(t xinyong.Tx) error {
			subj, err := s.lookupSubject(t, strings.TrimSpace(ref))
			if err != nil {
				return err
			}
			subjID = subj.ID
			now := s.Now()
			var consent *xinyong.Consent
			if consentID != "" {
				c, err := t.Consent(consentID)
				if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
					return xinyong.ErrConsentUnknown(consentID)
				}
				if err != nil {
					return err
				}
				if err := xinyong.CheckConsent(c, xinyong.ConsentUse{SubjectID: subj.ID, Organisation: actor.Organisation, Purpose: purpose, At: now}); err != nil {
					return err
				}
				consent = &c
			}
			p := portal{s: s, tx: t, viewer: xinyong.ViewerOf(actor, purpose, basis), on: xinyong.DateOf(now)}
			recs, shown, err := p.sharedRecords(subj, consent)
			if err != nil {
				return err
			}
			card, ok, err := p.card(subj, recs, 0, true) // a registered query: SubjectVisible reads the purpose
			if err != nil {
				return err
			}
			if !ok {
				return xinyong.Errorf(xinyong.ENOTFOUND, "no credit subject %s", strings.TrimSpace(ref))
			}
			if !card.Masked && xinyong.SharedSubjectMasked(subj, p.on, shown.minor, shown.clear) {
				card.Name, card.Masked = xinyong.MaskName(subj.Name), true // a minor: named as supervision names it
			}
			truncated := shown.truncated
			entry = xinyong.QueryUse{
				ID: NewID(), At: now, Actor: actor.Ref(), ActorName: actor.Name, Organisation: actor.Organisation, Viewer: p.viewer.Kind,
				Purpose: purpose, Basis: basis, ConsentID: consentID, SubjectID: subj.ID, Items: []string{}, Records: make([]string, 0, len(recs)),
			}
			for _, r := range recs {
				entry.Records = append(entry.Records, r.ID)
				if !slices.Contains(entry.Items, r.Item) {
					entry.Items = append(entry.Items, r.Item)
				}
			}
			slices.Sort(entry.Items)
			out = SharedRecords{Subject: card, On: p.on, Purpose: purpose, Basis: basis, ConsentID: consentID, Records: recs, Truncated: truncated, QueryID: entry.ID}
			return nil
		})
		if err != nil {
			return err
		}
		err = s.appendGrouped(ctx, actor, func(t *txn) error { return s.appendQueryUse(t, entry) })
		if err != nil {
			out = SharedRecords{}
		}
		return err
	}()
	if err != nil && refusal(err) {
		detail := "purpose " + strconv.Quote(clip(xinyong.MaskCitizenIDs(purpose), 200))
		if consentID != "" {
			detail += "; consent " + strconv.Quote(clip(consentID, 64))
		}
		s.refuse(ctx, actor, ActQueryRefused, "subject", subjID, err, detail)
	}
	if out.Records == nil {
		out.Records = []xinyong.RecordView{}
	}
	return out, err
}

// sharedShown counts what sharedRecords showed: records of a minor shown
// under the minor rule (subject masked), records showing the subject in
// clear; truncated: the subject has more records than were read.
type sharedShown struct {
	minor, clear int
	truncated    bool
}

// sharedRecords is records (portal.go) with a consent: a record's item
// covered by a consent in force is shown with Consent set.
func (p *portal) sharedRecords(subj xinyong.Subject, consent *xinyong.Consent) ([]xinyong.RecordView, sharedShown, error) {
	var out []xinyong.RecordView
	var shown sharedShown
	read := 0
	for after := ""; ; {
		if read >= MaxProfileRecords {
			shown.truncated = true
			break
		}
		page, err := p.tx.ListRecords(xinyong.RecordFilter{SubjectID: subj.ID, AfterID: after, Limit: 1000})
		if err != nil {
			return nil, shown, err
		}
		dis, err := disputed(p.tx, page) // open objections (objections.go)
		if err != nil {
			return nil, shown, err
		}
		rep, err := recordRepairs(p.tx, page) // repair outcomes (repairs.go)
		if err != nil {
			return nil, shown, err
		}
		for _, r := range page {
			it, ok, err := p.item(r.Item)
			if err != nil {
				return nil, shown, err
			}
			if !ok {
				continue
			}
			vis := xinyong.Visible(xinyong.VisibilityInput{Viewer: p.viewer, Record: r, Item: it, Subject: subj, On: p.on,
				Consent: consent != nil && consent.Covers(r.Item), Objection: dis[r.ID], Repair: rep[r.ID]})
			if !vis.Visible {
				continue
			}
			out = append(out, vis.Apply(r, it))
			switch {
			case vis.Rule == "sharing.minor":
				shown.minor++
			case !vis.MaskSubject:
				shown.clear++
			}
		}
		read += len(page)
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].ID
	}
	slices.SortStableFunc(out, func(a, b xinyong.RecordView) int {
		return b.Document.DecisionDate.Days() - a.Document.DecisionDate.Days()
	})
	return out, shown, nil
}

// ---- consent ----

// GrantConsent records a subject's consent for itself: an organisation may
// query the named catalogue items for the purpose until the expiry.
func (s *Service) GrantConsent(ctx context.Context, actor xinyong.Actor, in xinyong.ConsentInput) (xinyong.Consent, error) {
	var c xinyong.Consent
	err := s.update(ctx, actor, func(t *txn) error {
		if err := xinyong.Authorize(actor, xinyong.ActConsentGrant, xinyong.Resource{SubjectID: actor.SubjectID}, nil); err != nil {
			return err
		}
		subj, err := t.Subject(actor.SubjectID)
		if err != nil {
			if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
				return xinyong.Errorf(xinyong.EFORBIDDEN, "this subject account names no subject on record")
			}
			return err
		}
		if err := xinyong.CheckConsentGrantor(subj, xinyong.DateOf(t.Now())); err != nil {
			return err
		}
		items, err := t.CatalogueItems()
		if err != nil {
			return err
		}
		known := func(code string) bool {
			return slices.ContainsFunc(items, func(it xinyong.CatalogueItem) bool { return it.Code == code })
		}
		c, err = xinyong.NewConsent(in, actor.SubjectID, actor.Ref(), t.Now(), s.policy(), known)
		if err != nil {
			return err
		}
		c.ID = NewID()
		if err := t.PutConsent(c); err != nil {
			return err
		}
		return t.audit(ActConsentGrant, "consent", c.ID, nil, c, "consent to "+strconv.Quote(c.Organisation)+" for "+strconv.Quote(c.Purpose)+
			" on items "+strings.Join(c.Items, ",")+" until "+c.ExpiresAt.In(xinyong.Shanghai).Format(time.RFC3339))
	})
	return c, err
}

// Consents returns the actor's own consents, newest first.
func (s *Service) Consents(ctx context.Context, actor xinyong.Actor) ([]xinyong.Consent, error) {
	if err := xinyong.Authorize(actor, xinyong.ActConsentRead, xinyong.Resource{SubjectID: actor.SubjectID}, nil); err != nil {
		return nil, err
	}
	if actor.Role != xinyong.RoleSubject || actor.SubjectID == "" {
		return nil, xinyong.Errorf(xinyong.EFORBIDDEN, "consents are listed for the subject that granted them: sign in with a subject account")
	}
	var out []xinyong.Consent
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		out, err = tx.ConsentsBySubject(actor.SubjectID)
		return err
	})
	if out == nil {
		out = []xinyong.Consent{}
	}
	return out, err
}

// RevokeConsent revokes the actor's consent at once: from this moment no
// query may use it.
func (s *Service) RevokeConsent(ctx context.Context, actor xinyong.Actor, id string) (xinyong.Consent, error) {
	var c xinyong.Consent
	id = strings.TrimSpace(id)
	err := s.update(ctx, actor, func(t *txn) error {
		if err := xinyong.Authorize(actor, xinyong.ActConsentRevoke, xinyong.Resource{SubjectID: actor.SubjectID}, nil); err != nil {
			return err
		}
		notFound := xinyong.Errorf(xinyong.ENOTFOUND, "no consent %s of yours", clip(id, 64))
		if !uuidLike.MatchString(id) {
			return xinyong.Invalid("bad consent id", xinyong.FieldError{Field: "id", Rule: "consent.id", Message: "a consent id is a UUID"})
		}
		old, err := t.Consent(id)
		if xinyong.ErrorCode(err) == xinyong.ENOTFOUND || (err == nil && old.SubjectID != actor.SubjectID) {
			return notFound // another subject's consent: as if there were none
		}
		if err != nil {
			return err
		}
		if c, err = old.Revoke(t.Now()); err != nil {
			return err
		}
		if err := t.RevokeConsent(id, *c.RevokedAt); err != nil {
			return err
		}
		return t.audit(ActConsentRevoke, "consent", id, old, c, "consent to "+strconv.Quote(c.Organisation)+" revoked")
	})
	if err != nil && refusal(err) && xinyong.ErrorCode(err) != xinyong.EINVALID {
		s.refuse(ctx, actor, ActConsentRevoke, "consent", clip(id, 64), err, "")
	}
	return c, err
}

// ---- the query-use log ----

// QueryView is a query-use entry as the queried subject sees it: who
// (organisation and kind), for what, on which basis, which items, when.
type QueryView struct {
	ID           string             `json:"id"`
	At           time.Time          `json:"at"`
	Organisation string             `json:"organisation"`
	Viewer       xinyong.ViewerKind `json:"viewer"`
	Purpose      string             `json:"purpose"`
	Basis        string             `json:"basis,omitempty"`
	ConsentID    string             `json:"consent_id,omitempty"`
	Items        []string           `json:"items"`
	Records      int                `json:"records"`
}

// QueryPage is one page of query-use entries.
type QueryPage[T any] struct {
	Page     int  `json:"page"`
	PageSize int  `json:"page_size"`
	Entries  []T  `json:"entries"`
	More     bool `json:"more"`
}

// QueryLogPageSize is how many entries a page of the log shows.
const QueryLogPageSize = 100

// SubjectQueries returns "who queried me": the query-use entries about the
// actor's own subject (ref is its code, its reference, or "me").
func (s *Service) SubjectQueries(ctx context.Context, actor xinyong.Actor, ref string, page int) (QueryPage[QueryView], error) {
	out := QueryPage[QueryView]{Page: page, PageSize: QueryLogPageSize, Entries: []QueryView{}}
	if err := xinyong.Authorize(actor, xinyong.ActQueryLogOwn, xinyong.Resource{SubjectID: actor.SubjectID}, nil); err != nil {
		return out, err
	}
	if page < 1 || page > 100_000 {
		return out, xinyong.Invalid("bad page", xinyong.FieldError{Field: "page", Rule: "page", Message: "page is a whole number from 1"})
	}
	err := s.view(ctx, func(tx xinyong.Tx) error {
		subjID := actor.SubjectID
		if ref = strings.TrimSpace(ref); ref != "me" {
			subj, err := s.lookupSubject(tx, ref)
			if xinyong.ErrorCode(err) == xinyong.EINVALID {
				return err
			}
			// Another subject, or none: the same answer.
			if err != nil || subj.ID != actor.SubjectID {
				if err != nil && xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
					return err
				}
				return xinyong.Errorf(xinyong.EFORBIDDEN, "a subject sees who queried itself only")
			}
		}
		qs, err := tx.QueryUses(xinyong.QueryFilter{SubjectID: subjID, Offset: (page - 1) * QueryLogPageSize, Limit: QueryLogPageSize + 1})
		if err != nil {
			return err
		}
		if len(qs) > QueryLogPageSize {
			out.More, qs = true, qs[:QueryLogPageSize]
		}
		for _, q := range qs {
			out.Entries = append(out.Entries, QueryView{ID: q.ID, At: q.At, Organisation: q.Organisation, Viewer: q.Viewer, Purpose: q.Purpose,
				Basis: q.Basis, ConsentID: q.ConsentID, Items: nonNilStr(q.Items), Records: len(q.Records)})
		}
		return nil
	})
	return out, err
}

// QueryLogQuery is an auditor's filter of the query-use log, as typed.
type QueryLogQuery struct {
	Actor    string // actor ref, e.g. token:ID
	Subject  string // the subject's code or reference
	From, To string // RFC 3339 times or YYYY-MM-DD days (To inclusive)
	Flagged  string // "", "true", "false"
	Reviewed string // "", "true", "false"
	Page     int
}

// parseTimeParam reads an RFC 3339 time or a YYYY-MM-DD day (in China
// time; endOfDay moves to the next day's start).
func parseTimeParam(field, v string, endOfDay bool) (time.Time, *xinyong.FieldError) {
	if v = strings.TrimSpace(v); v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	d, err := xinyong.ParseDate(v)
	if err != nil {
		return time.Time{}, &xinyong.FieldError{Field: field, Rule: "query_log.time", Message: field + " is a time (RFC 3339) or a day YYYY-MM-DD"}
	}
	if endOfDay {
		d = d.AddDays(1)
	}
	return d.Start(), nil
}

func parseBoolParam(field, v string) (*bool, *xinyong.FieldError) {
	switch strings.TrimSpace(v) {
	case "":
		return nil, nil
	case "true", "1", "yes":
		b := true
		return &b, nil
	case "false", "0", "no":
		b := false
		return &b, nil
	}
	return nil, &xinyong.FieldError{Field: field, Rule: "query_log.bool", Message: field + " is true or false"}
}

// queryFilter turns an auditor's query into a store filter.
func (s *Service) queryFilter(tx xinyong.Tx, q QueryLogQuery) (xinyong.QueryFilter, error) {
	var f xinyong.QueryFilter
	var fields []xinyong.FieldError
	add := func(fe *xinyong.FieldError) {
		if fe != nil {
			fields = append(fields, *fe)
		}
	}
	var fe *xinyong.FieldError
	f.From, fe = parseTimeParam("from", q.From, false)
	add(fe)
	f.To, fe = parseTimeParam("to", q.To, true)
	add(fe)
	f.Flagged, fe = parseBoolParam("flagged", q.Flagged)
	add(fe)
	f.Reviewed, fe = parseBoolParam("reviewed", q.Reviewed)
	add(fe)
	if a := strings.TrimSpace(q.Actor); a != "" {
		if len(a) > 100 || strings.IndexFunc(a, func(r rune) bool { return r < 0x21 || r == 0x7f }) >= 0 {
			fields = append(fields, xinyong.FieldError{Field: "actor", Rule: "query_log.actor", Message: "actor is an actor reference such as token:ID or account:ID"})
		}
		f.Actor = a
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		fields = append(fields, xinyong.FieldError{Field: "to", Rule: "query_log.range", Message: "to is after from"})
	}
	if len(fields) > 0 {
		return f, xinyong.Invalid("bad query-log filter", fields...)
	}
	if ref := strings.TrimSpace(q.Subject); ref != "" {
		if uuidLike.MatchString(ref) {
			f.SubjectID = ref
		} else {
			subj, err := s.lookupSubject(tx, ref)
			if err != nil {
				return f, err
			}
			f.SubjectID = subj.ID
		}
	}
	return f, nil
}

// QueryLog returns one page of the query-use log for review (auditor,
// admin), newest first.
func (s *Service) QueryLog(ctx context.Context, actor xinyong.Actor, q QueryLogQuery) (QueryPage[xinyong.QueryUse], error) {
	out := QueryPage[xinyong.QueryUse]{Page: q.Page, PageSize: QueryLogPageSize, Entries: []xinyong.QueryUse{}}
	if err := xinyong.Authorize(actor, xinyong.ActQueryLogRead, xinyong.Resource{}, nil); err != nil {
		return out, err
	}
	if q.Page < 1 || q.Page > 100_000 {
		return out, xinyong.Invalid("bad page", xinyong.FieldError{Field: "page", Rule: "page", Message: "page is a whole number from 1"})
	}
	err := s.view(ctx, func(tx xinyong.Tx) error {
		f, err := s.queryFilter(tx, q)
		if err != nil {
			return err
		}
		f.Offset, f.Limit = (q.Page-1)*QueryLogPageSize, QueryLogPageSize+1
		qs, err := tx.QueryUses(f)
		if err != nil {
			return err
		}
		if len(qs) > QueryLogPageSize {
			out.More, qs = true, qs[:QueryLogPageSize]
		}
		out.Entries = append(out.Entries, qs...)
		return nil
	})
	return out, err
}

// ReviewQuery marks a query-use entry reviewed by the auditor, with a note:
// never the auditor's own query (xinyong.CheckQueryReviewer).
func (s *Service) ReviewQuery(ctx context.Context, actor xinyong.Actor, id, note string) (xinyong.QueryUse, error) {
	var q xinyong.QueryUse
	var self error // the refusal of a self-review
	id = strings.TrimSpace(id)
	err := s.update(ctx, actor, func(t *txn) error {
		if err := xinyong.Authorize(actor, xinyong.ActQueryLogReview, xinyong.Resource{}, nil); err != nil {
			return err
		}
		var v xinyong.Validation
		if !uuidLike.MatchString(id) {
			v.Add("id", "query_log.id", "a query-use entry id is a UUID")
		}
		note = xinyong.MaskCitizenIDs(strings.TrimSpace(note)) // stored, exported: no full ID number
		if utf8Len(note) > 1000 || strings.ContainsFunc(note, func(r rune) bool { return r < 0x20 && r != '\n' }) {
			v.Add("note", "query_log.note", "the note is at most 1000 characters of text")
		}
		if err := v.Err("bad review"); err != nil {
			return err
		}
		var err error
		if q, err = t.QueryUse(id); err != nil {
			return err
		}
		if self = xinyong.CheckQueryReviewer(q, actor); self != nil {
			return self
		}
		if q.ReviewedAt != nil {
			return xinyong.Errorf(xinyong.ECONFLICT, "the entry was already reviewed at %s by %s", q.ReviewedAt.In(xinyong.Shanghai).Format(time.RFC3339), q.ReviewedBy)
		}
		now := t.Now()
		if err := t.ReviewQueryUse(id, now, actor.Ref(), note); err != nil {
			return err
		}
		q.ReviewedAt, q.ReviewedBy, q.ReviewNote = &now, actor.Ref(), note
		return t.audit(ActQueryReview, "query_use", id, nil, nil, "reviewed: "+clip(note, 500))
	})
	if self != nil {
		s.refuse(ctx, actor, ActQueryReview, "query_use", id, self, "") // an attempted self-review is audited
	}
	return q, err
}

func utf8Len(s string) int { return len([]rune(s)) }

// QueryLogCSVHeader is the export's header row.
var QueryLogCSVHeader = []string{"id", "at", "actor", "actor_name", "organisation", "viewer", "purpose", "basis", "consent_id", "subject_id", "items", "records", "flagged", "flag_reason", "reviewed_at", "reviewed_by", "review_note", "ledger_index"}

// csvCell defuses spreadsheet formulas (a cell starting with = + - @ or a
// tab is prefixed with an apostrophe).
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// ExportQueryLog writes the entries the filter selects as CSV (auditor,
// admin); the export itself is audited first.
func (s *Service) ExportQueryLog(ctx context.Context, actor xinyong.Actor, q QueryLogQuery, start func(), w io.Writer) error {
	if err := xinyong.Authorize(actor, xinyong.ActQueryLogRead, xinyong.Resource{}, nil); err != nil {
		return err
	}
	var f xinyong.QueryFilter
	if err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		f, err = s.queryFilter(tx, q)
		return err
	}); err != nil {
		return err
	}
	desc, _ := json.Marshal(q)
	if err := s.update(ctx, actor, func(t *txn) error {
		return t.audit(ActQueryExport, "query_log", "export", nil, nil, "exported the query-use log as CSV; filter "+string(desc))
	}); err != nil {
		return err
	}
	if start != nil {
		start()
	}
	cw := csv.NewWriter(w)
	cw.Write(QueryLogCSVHeader)
	err := s.view(ctx, func(tx xinyong.Tx) error {
		return tx.EachQueryUse(f, func(e xinyong.QueryUse) error {
			reviewed := ""
			if e.ReviewedAt != nil {
				reviewed = e.ReviewedAt.In(xinyong.Shanghai).Format(time.RFC3339)
			}
			row := []string{e.ID, e.At.In(xinyong.Shanghai).Format(time.RFC3339Nano), e.Actor, e.ActorName, e.Organisation, string(e.Viewer), e.Purpose, e.Basis, e.ConsentID, e.SubjectID,
				strings.Join(e.Items, ";"), strconv.Itoa(len(e.Records)), strconv.FormatBool(e.Flagged), e.FlagReason, reviewed, e.ReviewedBy, e.ReviewNote, strconv.FormatInt(e.LedgerIdx, 10)}
			for i := range row {
				row[i] = csvCell(row[i])
			}
			if err := cw.Write(row); err != nil {
				return err
			}
			cw.Flush()
			return cw.Error()
		})
	})
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	return err
}

// PurgeQueryLog deletes the query-use entries recorded before before. It
// refuses any entry younger than the retention period (at least 5 years,
// SharingPolicy.QueryRetentionYears). The ledger leaves of purged entries
// stay; verification knows entries before the purge horizon are gone.
func (s *Service) PurgeQueryLog(ctx context.Context, actor xinyong.Actor, before time.Time) (int64, error) {
	var n int64
	err := s.update(ctx, actor, func(t *txn) error {
		if err := xinyong.Authorize(actor, xinyong.ActQueryLogPurge, xinyong.Resource{}, nil); err != nil {
			return err
		}
		pol := s.policy()
		cutoff := pol.RetentionCutoff(t.Now())
		if before.IsZero() || before.After(cutoff) {
			msg := "query-use entries are kept at least " + itoa(pol.QueryRetentionYears) + " years: only entries before " + cutoff.In(xinyong.Shanghai).Format(time.RFC3339) + " may be purged"
			return xinyong.Invalid(msg, xinyong.FieldError{Field: "before", Rule: "query_log.retention", Message: msg})
		}
		var err error
		n, err = purgeQueries(t, before, true)
		return err
	})
	return n, err
}

// purgeQueries deletes the query-use entries recorded before before, moves
// the purge horizon and audits it (always when asked by hand; by the
// retention job only when something was purged).
func purgeQueries(t *txn, before time.Time, always bool) (int64, error) {
	n, err := t.PurgeQueryUses(before)
	if err != nil || (n == 0 && !always) {
		return n, err
	}
	prev, err := t.Meta(metaQueryPurged)
	if err != nil && xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
		return n, err
	}
	if p, _ := strconv.ParseInt(prev, 10, 64); before.UnixMicro() > p {
		if err := t.SetMeta(metaQueryPurged, strconv.FormatInt(before.UnixMicro(), 10)); err != nil {
			return n, err
		}
	}
	return n, t.audit(ActQueryPurge, "query_log", "purge", nil, nil, "purged "+strconv.FormatInt(n, 10)+" query-use entries recorded before "+before.UTC().Format(time.RFC3339))
}

// purgeExpiredQueries is the retention job's part: entries older than the
// retention period (QueryRetentionYears, at least 5) are deleted, as
// little personal information kept as necessary (DOMAIN.md §7).
func (s *Service) purgeExpiredQueries(ctx context.Context) (int64, error) {
	var n int64
	err := s.update(ctx, xinyong.System, func(t *txn) error {
		var err error
		n, err = purgeQueries(t, s.policy().RetentionCutoff(t.Now()), false)
		return err
	})
	return n, err
}

// queryPurgedBefore returns the purge horizon: leaves of query-use entries
// older than it may have no row.
func queryPurgedBefore(tx xinyong.Tx) (time.Time, error) {
	v, err := tx.Meta(metaQueryPurged)
	if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	us, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, nil
	}
	return time.UnixMicro(us).UTC(), nil
}

// queryUsesByLedger reads the query-use entries of leaves [from, to) and
// the purge horizon, for ledger verification.
func queryUsesByLedger(tx xinyong.Tx, from, to int64) (map[int64]xinyong.QueryUse, time.Time, error) {
	out := map[int64]xinyong.QueryUse{}
	if err := tx.QueryUsesByLedger(from, to, func(q xinyong.QueryUse) error {
		out[q.LedgerIdx] = q
		return nil
	}); err != nil {
		return nil, time.Time{}, err
	}
	purged, err := queryPurgedBefore(tx)
	return out, purged, err
}

// checkQueryLeaf verifies one leaf against the query-use entries: a query
// leaf's entry exists (unless purged after retention) and matches its
// commitment; an entry points only to a query leaf.
func checkQueryLeaf(idx int64, e xinyong.LedgerEntry, ok bool, queries map[int64]xinyong.QueryUse, purged time.Time, rep *VerifyReport, add func(int64, string, string, ...any)) {
	q, has := queries[idx]
	switch {
	case ok && e.Kind == LeafQueryUse:
		if !has {
			if !purged.IsZero() && e.At.Before(purged) {
				return // purged after its retention period
			}
			add(idx, "query_use:"+e.ObjectID, "the query-use entry of this leaf is missing: the row was deleted")
			return
		}
		rep.Queries++
		if got := ledger.Commit(querySalt, QueryUseContent(q)); q.ID != e.ObjectID || !bytesEqual(got[:], e.Commitment) {
			add(idx, "query_use:"+q.ID, "the query-use entry does not match its ledger commitment: the row was changed")
		}
	case has:
		add(idx, "query_use:"+q.ID, "this query-use entry points to a leaf about something else: it was inserted or changed behind the application's back")
	}
}

func bytesEqual(a, b []byte) bool { return string(a) == string(b) }

// queryUsesOutsideLog reports query-use entries that claim no leaf or a
// leaf beyond the log: inserted behind the application's back.
func queryUsesOutsideLog(tx xinyong.Tx, size int64, add func(int64, string, string, ...any)) error {
	report := func(q xinyong.QueryUse) error {
		add(-1, "query_use:"+q.ID, "this query-use entry claims leaf %d, outside the log: it was inserted behind the application's back", q.LedgerIdx)
		return nil
	}
	if err := tx.QueryUsesByLedger(size, 1<<62, report); err != nil {
		return err
	}
	return tx.QueryUsesByLedger(-1<<62, 0, report)
}
