package workflow

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"xinyong"
	"xinyong/internal/ledger"
)

// Serious-dishonesty listings (issue 6; DOMAIN.md §4): the procedure
// proposed → notified → (objected → verified) → decided → listed → removed.
// The rules are xinyong's (listing.go); each step here is one transaction
// writing the new version (compare-and-set on state and version, so of two
// racing steps exactly one wins), its ledger leaf and its audit event.

// Audit actions of this file.
const (
	ActListingPropose xinyong.Action = "listing.propose"
	ActListingNotify  xinyong.Action = "listing.notify"
	ActListingObject  xinyong.Action = "listing.object"
	ActListingVerify  xinyong.Action = "listing.verify"
	ActListingDecide  xinyong.Action = "listing.decide"
	ActListingList    xinyong.Action = "listing.list"
	ActListingRemove  xinyong.Action = "listing.remove"
	ActListTypePut    xinyong.Action = "list_type.put"
)

// LeafListing is the ledger leaf kind of a listing version.
const LeafListing = "listing.version"

var listingSalt = []byte("xinyong-listing")

// listingLeaf commits the listing version to the ledger.
func (t *txn) listingLeaf(l xinyong.Listing) error {
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	_, err = t.leaf(LeafListing, "listing", l.ID, l.Version, ledger.Commit(listingSalt, b))
	return err
}

func listTypeOf(tx xinyong.Tx, code string) (xinyong.ListType, error) {
	lts, err := tx.ListTypes()
	if err != nil {
		return xinyong.ListType{}, err
	}
	for _, lt := range lts {
		if lt.Code == code {
			return lt, nil
		}
	}
	return xinyong.ListType{}, xinyong.Invalid("unknown list type", xinyong.FieldError{Field: "list_type", Rule: "listing.list_type", Message: "no list type " + code})
}

func listingRecords(tx xinyong.Tx, ids []string) ([]xinyong.Record, error) {
	var v xinyong.Validation
	out := make([]xinyong.Record, 0, len(ids))
	for _, id := range ids {
		r, err := tx.Record(id)
		if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
			v.Add("record_ids", "listing.records", "no record %s", id)
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, v.Err("the listing proposal is refused")
}

// ProposeListing opens a listing: an officer of the department whose
// records it rests on proposes it for the subject.
func (s *Service) ProposeListing(ctx context.Context, actor xinyong.Actor, p xinyong.ListingProposal) (xinyong.Listing, error) {
	var l xinyong.Listing
	// Who may propose for no department learns nothing about the records.
	if err := xinyong.Authorize(actor, xinyong.ActListingManage, xinyong.Resource{DepartmentID: actor.DepartmentID}, nil); err != nil {
		return l, err
	}
	err := s.update(ctx, actor, func(t *txn) error {
		ids := slices.Compact(slices.Sorted(slices.Values(p.RecordIDs)))
		if len(ids) == 0 {
			return xinyong.Invalid("the listing proposal is refused", xinyong.FieldError{Field: "record_ids", Rule: "listing.records", Message: "a listing rests on at least one record"})
		}
		recs, err := listingRecords(t, ids)
		if err != nil {
			return err
		}
		dept := recs[0].DepartmentID
		if err := xinyong.Authorize(actor, xinyong.ActListingManage, xinyong.Resource{DepartmentID: dept}, nil); err != nil {
			return err
		}
		subj, err := s.lookupSubject(t, strings.TrimSpace(p.Subject))
		if err != nil {
			return err
		}
		lt, err := listTypeOf(t, p.ListType)
		if err != nil {
			return err
		}
		now := t.Now()
		if l, err = xinyong.ProposeListing(p, lt, subj, dept, recs, xinyong.DateOf(now)); err != nil {
			return err
		}
		if err := checkNoOpenListing(t, lt.Code, subj.ID); err != nil {
			return err
		}
		l.ID, l.ProposedBy, l.ProposedAt, l.UpdatedAt, l.UpdatedBy = NewID(), actor.Ref(), now, now, actor.Ref()
		if err := t.InsertListing(l); err != nil {
			return err
		}
		if err := t.listingLeaf(l); err != nil {
			return err
		}
		return t.audit(ActListingPropose, "listing", l.ID, nil, l, lt.Code+" "+strings.Join(l.RecordIDs, ","))
	})
	return l, err
}

// checkNoOpenListing refuses, with ECONFLICT naming it, a proposal while
// the subject has a listing on the list type that is not removed
// (xinyong.CheckNoOpenListing). It first takes the ledger lock the
// transaction's leaf takes anyway: on PostgreSQL two racing proposals
// would otherwise both read "none" and both insert; under the lock the
// second reads the first's committed row (SQLite has one writer).
func checkNoOpenListing(t *txn, listType, subjectID string) error {
	if err := t.lockLedgerFirst(); err != nil {
		return err
	}
	open, err := t.Listings(xinyong.ListingFilter{SubjectID: subjectID, ListType: listType, Open: true, Limit: 1})
	if err != nil {
		return err
	}
	return xinyong.CheckNoOpenListing(open, listType, subjectID)
}

// stepEnv is what a step sees.
type stepEnv struct {
	t     *txn
	lt    xinyong.ListType
	today xinyong.Date
	cal   xinyong.Calendar
	by    string
}

// listingStep runs one step of the procedure in one transaction.
func (s *Service) listingStep(ctx context.Context, actor xinyong.Actor, id string, authz xinyong.Action, act xinyong.Action, detail string, step func(e stepEnv, l xinyong.Listing) (xinyong.Listing, error)) (xinyong.Listing, error) {
	var out xinyong.Listing
	err := s.update(ctx, actor, func(t *txn) error {
		if err := t.lockLedgerFirst(); err != nil {
			return err
		}
		l, err := t.Listing(id)
		if err != nil {
			return err
		}
		res := xinyong.Resource{DepartmentID: l.DepartmentID, SubjectID: l.SubjectID}
		if err := xinyong.Authorize(actor, authz, res, nil); err != nil {
			if xinyong.Authorize(actor, xinyong.ActListingRead, res, nil) != nil {
				return xinyong.Errorf(xinyong.ENOTFOUND, "listing %s not found", id)
			}
			return err
		}
		cal, _, err := s.rules(t)
		if err != nil {
			return err
		}
		lt, err := listTypeOf(t, l.ListType)
		if err != nil {
			return err
		}
		if out, err = s.applyStep(t, l, stepEnv{t: t, lt: lt, today: xinyong.DateOf(t.Now()), cal: cal, by: actor.Ref()}, act, detail, step); err != nil {
			return err
		}
		return t.regradeOnRemoval(l, out) // a listing in force removed: stored grades stop counting it
	})
	return out, err
}

func (s *Service) applyStep(t *txn, l xinyong.Listing, e stepEnv, act xinyong.Action, detail string, step func(e stepEnv, l xinyong.Listing) (xinyong.Listing, error)) (xinyong.Listing, error) {
	next, err := step(e, l)
	if err != nil {
		return l, err
	}
	next.Version = l.Version + 1
	next.UpdatedAt, next.UpdatedBy = t.Now(), e.by
	if err := t.UpdateListing(next, l.State, l.Version); err != nil {
		return l, err
	}
	if err := t.listingLeaf(next); err != nil {
		return l, err
	}
	t.listingStepEvent(next)
	if err := t.audit(act, "listing", l.ID, l, next, string(l.State)+" → "+string(next.State)+strings.TrimRight(" "+detail, " ")); err != nil {
		return l, err
	}
	return next, nil
}

// NotifyListing sends the prior notice (告知).
func (s *Service) NotifyListing(ctx context.Context, actor xinyong.Actor, id string, in xinyong.NoticeInput) (xinyong.Listing, error) {
	return s.listingStep(ctx, actor, id, xinyong.ActListingManage, ActListingNotify, "", func(e stepEnv, l xinyong.Listing) (xinyong.Listing, error) {
		return xinyong.Notify(l, e.lt, in, e.today, e.cal, e.by)
	})
}

// ObjectListing records the party's objection (the subject itself, or the
// officer recording its statement).
func (s *Service) ObjectListing(ctx context.Context, actor xinyong.Actor, id string, in xinyong.ObjectionInput) (xinyong.Listing, error) {
	return s.listingStep(ctx, actor, id, xinyong.ActListingObject, ActListingObject, "", func(e stepEnv, l xinyong.Listing) (xinyong.Listing, error) {
		return xinyong.Object(l, in, e.today, e.cal, 0, e.by)
	})
}

// VerifyListing records the answer to the objection.
func (s *Service) VerifyListing(ctx context.Context, actor xinyong.Actor, id string, in xinyong.VerifyInput) (xinyong.Listing, error) {
	return s.listingStep(ctx, actor, id, xinyong.ActListingManage, ActListingVerify, "", func(e stepEnv, l xinyong.Listing) (xinyong.Listing, error) {
		return xinyong.Verify(l, in, e.today, e.by)
	})
}

// DecideListing issues the decision document (认定决定书).
func (s *Service) DecideListing(ctx context.Context, actor xinyong.Actor, id string, d xinyong.ListingDecision) (xinyong.Listing, error) {
	return s.listingStep(ctx, actor, id, xinyong.ActListingManage, ActListingDecide, d.Number, func(e stepEnv, l xinyong.Listing) (xinyong.Listing, error) {
		ms, err := e.t.Measures()
		if err != nil {
			return l, err
		}
		subj, err := e.t.Subject(l.SubjectID)
		if err != nil {
			return l, err
		}
		recs, err := listingRecords(e.t, l.RecordIDs)
		if err != nil {
			return l, err
		}
		d.By = e.by
		return xinyong.Decide(l, e.lt, d, ms, subj, recs, e.today)
	})
}

// ListListing puts a decided listing on the list.
func (s *Service) ListListing(ctx context.Context, actor xinyong.Actor, id string) (xinyong.Listing, error) {
	return s.listingStep(ctx, actor, id, xinyong.ActListingManage, ActListingList, "", func(e stepEnv, l xinyong.Listing) (xinyong.Listing, error) {
		return xinyong.List(l, e.lt, e.today)
	})
}

// RemoveListing removes a listing on the officer's decision: early (after
// the minimum), expired, or revoked.
func (s *Service) RemoveListing(ctx context.Context, actor xinyong.Actor, id, reason, note string) (xinyong.Listing, error) {
	return s.listingStep(ctx, actor, id, xinyong.ActListingManage, ActListingRemove, reason, func(e stepEnv, l xinyong.Listing) (xinyong.Listing, error) {
		return xinyong.Remove(l, e.lt, reason, note, e.today, e.by)
	})
}

// ExpireListings is the daily job: it removes every listing whose period
// ended on or before today, each in its own transaction (the removal step,
// audited and on the ledger). The period ends at the effective end
// (xinyong.Listing.EffectiveEnd): the end date, or the longest period any
// list type allows when an end date stored before the bounds lies beyond
// it. It returns how many it removed.
func (s *Service) ExpireListings(ctx context.Context, today xinyong.Date) (int, error) {
	var due []xinyong.Listing
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		due, err = tx.Listings(xinyong.ListingFilter{State: xinyong.ListingListed, EndBefore: today, Limit: 100000})
		return err
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, l := range due {
		err := s.update(ctx, xinyong.System, func(t *txn) error {
			if err := t.lockLedgerFirst(); err != nil {
				return err
			}
			cur, err := t.Listing(l.ID)
			if err != nil {
				return err
			}
			lt, err := listTypeOf(t, cur.ListType)
			if err != nil {
				return err
			}
			next, err := s.applyStep(t, cur, stepEnv{t: t, lt: lt, today: today, by: xinyong.System.Ref()}, ActListingRemove, "expired", func(e stepEnv, l xinyong.Listing) (xinyong.Listing, error) {
				return xinyong.Remove(l, e.lt, xinyong.RemovalExpired, "", e.today, e.by)
			})
			if err != nil {
				return err
			}
			return t.regradeOnRemoval(cur, next) // stored grades stop counting it
		})
		if xinyong.ErrorCode(err) == xinyong.ECONFLICT {
			continue // removed meanwhile
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// removeListingsOnRecord removes, in the caller's transaction, every
// listing resting on a withdrawn record (revocation of the underlying
// document: measures stop at once).
func (s *Service) removeListingsOnRecord(t *txn, recordID, why string) error {
	ls, err := t.Listings(xinyong.ListingFilter{RecordID: recordID})
	if err != nil {
		return err
	}
	for _, l := range ls {
		if l.State == xinyong.ListingRemoved {
			continue
		}
		lt, err := listTypeOf(t, l.ListType)
		if err != nil {
			return err
		}
		e := stepEnv{t: t, lt: lt, today: xinyong.DateOf(t.Now()), by: t.actor.Ref()}
		if _, err := s.applyStep(t, l, e, ActListingRemove, "revoked", func(e stepEnv, l xinyong.Listing) (xinyong.Listing, error) {
			return xinyong.Remove(l, e.lt, xinyong.RemovalRevoked, "record "+recordID+" withdrawn: "+why, e.today, e.by)
		}); err != nil {
			return err
		}
	}
	return nil
}

// ListingView is a listing with its history (every version).
type ListingView struct {
	xinyong.Listing
	ListTypeName string            `json:"list_type_name"`
	Overdue      bool              `json:"overdue"`
	Due          xinyong.Date      `json:"due,omitzero"`
	DueStep      string            `json:"due_step,omitempty"`
	Measures     []xinyong.Measure `json:"measure_details,omitempty"`
	History      []xinyong.Listing `json:"history,omitempty"`
	Subject      *SubjectCard      `json:"subject_card,omitempty"`
	// DateProblems flags a listing stored before its numbers were bounded
	// (an objection window, a period or a date out of bounds), with the
	// reasons, for an officer to correct (listings_dates.go).
	DateProblems []ListingDateProblem `json:"date_problems,omitempty"`
	// EffectiveEnd is the day the listing ends when its stored end date
	// lies beyond the longest period the rules allow
	// (xinyong.Listing.EffectiveEnd); absent when it is the end date.
	EffectiveEnd xinyong.Date `json:"effective_end,omitzero"`
}

func viewOf(l xinyong.Listing, today xinyong.Date) ListingView {
	v := ListingView{Listing: l, Overdue: xinyong.Overdue(l, today), DateProblems: ListingDateProblems(l)}
	if end := l.EffectiveEnd(); end != l.EndDate {
		v.EffectiveEnd = end
	}
	v.Due, v.DueStep = l.Due()
	return v
}

// Listing returns one listing with its history to someone who may read it.
func (s *Service) Listing(ctx context.Context, actor xinyong.Actor, id string) (ListingView, error) {
	var out ListingView
	err := s.view(ctx, func(tx xinyong.Tx) error {
		l, err := tx.Listing(id)
		if err != nil {
			return err
		}
		if xinyong.Authorize(actor, xinyong.ActListingRead, xinyong.Resource{DepartmentID: l.DepartmentID, SubjectID: l.SubjectID}, nil) != nil {
			return xinyong.Errorf(xinyong.ENOTFOUND, "listing %s not found", id)
		}
		out = viewOf(l, xinyong.DateOf(s.Now()))
		if lt, err := listTypeOf(tx, l.ListType); err == nil {
			out.ListTypeName = lt.Name
		}
		if l.Decision != nil {
			ms, err := tx.Measures()
			if err != nil {
				return err
			}
			for _, m := range ms {
				if slices.Contains(l.Decision.Measures, m.Code) {
					out.Measures = append(out.Measures, m)
				}
			}
		}
		if subj, err := tx.Subject(l.SubjectID); err == nil {
			out.Subject = &SubjectCard{Ref: subj.ID, Code: subj.Code, Kind: subj.Kind, KindName: subj.Kind.Chinese(), Name: subj.DisplayName(), Masked: subj.Kind == xinyong.KindPerson}
		}
		out.History, err = tx.ListingVersions(id)
		return err
	})
	return out, err
}

// QueueRequest asks for one page of the listing queue.
type QueueRequest struct {
	Department string               // admins and auditors: one department ("" all)
	State      xinyong.ListingState // "" : every open state (not removed)
	Overdue    bool                 // only the listings overdue today
	Offset     int
	Limit      int // 0: xinyong.DefaultListingQueuePage; at most MaxListingQueuePage
}

// QueuePage is one page of the listing queue and how many listings the
// request selects in all: More says whether a page follows (NextOffset).
type QueuePage struct {
	Listings   []ListingView `json:"listings"`
	Total      int           `json:"total"`
	Offset     int           `json:"offset"`
	Limit      int           `json:"limit"`
	More       bool          `json:"more"`
	NextOffset int           `json:"next_offset,omitempty"`
}

// ListingQueuePage is the officer's queue: its own department's open
// listings (every state but removed, unless State asks for one), the next
// due date first (overdue first), those without one after, oldest first;
// optionally in one state or only the overdue ones. Every condition is
// applied before the page is cut, and Total counts them all. Admins and
// auditors see every department (or one); a subject sees its own listings.
func (s *Service) ListingQueuePage(ctx context.Context, actor xinyong.Actor, in QueueRequest) (QueuePage, error) {
	out := QueuePage{Listings: []ListingView{}}
	q := xinyong.ListingQueueQuery{DepartmentID: in.Department, State: in.State, Offset: in.Offset, Limit: in.Limit}
	switch actor.Role {
	case xinyong.RoleOfficer, xinyong.RoleReviewer:
		if in.Department != "" && in.Department != actor.DepartmentID {
			return out, &xinyong.Error{Code: xinyong.EFORBIDDEN, Message: "role " + string(actor.Role) + " may not read another department's listings"}
		}
		q.DepartmentID = actor.DepartmentID
	case xinyong.RoleSubject:
		q.SubjectID = actor.SubjectID
	}
	var v xinyong.Validation
	if in.State != "" && !in.State.Valid() {
		v.Add("state", "enum", "state is one of proposed, notified, objected, verified, decided, listed, removed")
	}
	if in.Offset < 0 {
		v.Add("offset", "range", "offset is 0 or more")
	}
	if in.Limit < 0 || in.Limit > xinyong.MaxListingQueuePage {
		v.Add("limit", "range", "limit is 1 to %d (0: %d)", xinyong.MaxListingQueuePage, xinyong.DefaultListingQueuePage)
	}
	if err := v.Err("bad queue request"); err != nil {
		return out, err
	}
	if err := xinyong.Authorize(actor, xinyong.ActListingRead, xinyong.Resource{DepartmentID: q.DepartmentID, SubjectID: q.SubjectID}, nil); err != nil {
		return out, err
	}
	if q.Limit == 0 {
		q.Limit = xinyong.DefaultListingQueuePage
	}
	today := xinyong.DateOf(s.Now())
	if in.Overdue {
		q.OverdueOn = today
	}
	out.Offset, out.Limit = q.Offset, q.Limit
	err := s.view(ctx, func(tx xinyong.Tx) error {
		ls, n, err := tx.ListingQueue(q)
		if err != nil {
			return err
		}
		out.Total = n
		lts, err := tx.ListTypes()
		if err != nil {
			return err
		}
		names := make(map[string]string, len(lts))
		for _, lt := range lts {
			names[lt.Code] = lt.Name
		}
		for _, l := range ls {
			v := viewOf(l, today)
			v.ListTypeName = names[l.ListType]
			// The queue names the subject (the console shows it); a
			// natural person's stored code is masked already.
			if subj, err := tx.Subject(l.SubjectID); err == nil {
				v.Subject = &SubjectCard{Ref: subj.ID, Code: xinyong.MaskIDIfPerson(subj.Code), Kind: subj.Kind, KindName: subj.Kind.Chinese(), Name: subj.DisplayName(), Masked: subj.Kind == xinyong.KindPerson}
			}
			out.Listings = append(out.Listings, v)
		}
		return nil
	})
	if next := out.Offset + len(out.Listings); err == nil && next < out.Total {
		out.More, out.NextOffset = true, next
	}
	return out, err
}

// PutListType adds or changes a list type (admin): refused without a legal
// basis or outside the four fields (xinyong.ValidateListType).
func (s *Service) PutListType(ctx context.Context, actor xinyong.Actor, lt xinyong.ListType) (xinyong.ListType, error) {
	if err := xinyong.Authorize(actor, xinyong.ActReferenceManage, xinyong.Resource{}, nil); err != nil {
		return lt, err
	}
	if err := xinyong.ValidateListType(lt); err != nil {
		return lt, err
	}
	err := s.update(ctx, actor, func(t *txn) error {
		var before any
		if old, err := listTypeOf(t, lt.Code); err == nil {
			before = old
		}
		if err := t.PutListType(lt); err != nil {
			return err
		}
		return t.audit(ActListTypePut, "list_type", lt.Code, before, lt, lt.Name)
	})
	return lt, err
}
