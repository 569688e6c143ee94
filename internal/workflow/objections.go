package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"

	"xinyong"
	"xinyong/internal/ledger"
)

// Objections to records (异议, issue 7; DOMAIN.md §6): filed → (forwarded)
// → resolved. The rules are xinyong's (objection.go); each step here is one
// transaction writing the objection's new version (compare-and-set on
// state and version), its ledger leaf and its audit event; a resolution
// also writes the record's new version (corrected, deleted) and the event
// objection.resolved.

// Audit actions of this file.
const (
	ActObjectionFile    xinyong.Action = "objection.file"
	ActObjectionForward xinyong.Action = "objection.forward"
	ActObjectionResolve xinyong.Action = "objection.resolve"
)

// LeafObjection is the ledger leaf kind of an objection version.
const LeafObjection = "objection.version"

// MetaObjectionLimits is the settings key of the answer limits, written
// "own,forwarded" in working days (e.g. "3,7"); unset: the defaults.
const MetaObjectionLimits = "objection.limits"

var objectionSalt = []byte("xinyong-objection")

// storedResolution is what the stored objection keeps of an answer
// (xinyong.StoredResolution). A variable only so that tests can write an
// answer as it was stored before (with its values: migration 0017).
var storedResolution = xinyong.StoredResolution

func (t *txn) objectionLeaf(o xinyong.Objection) error {
	b, err := json.Marshal(o)
	if err != nil {
		return err
	}
	_, err = t.leaf(LeafObjection, "objection", o.ID, o.Version, ledger.Commit(objectionSalt, b))
	return err
}

func objectionLimits(tx xinyong.Tx) (xinyong.ObjectionLimits, error) {
	v, err := tx.Meta(MetaObjectionLimits)
	if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
		return xinyong.DefaultObjectionLimits, nil
	}
	if err != nil {
		return xinyong.ObjectionLimits{}, err
	}
	return xinyong.ParseObjectionLimits(v)
}

// ObjectionView is an objection with whether it is past its limit.
type ObjectionView struct {
	xinyong.Objection
	Overdue bool `json:"overdue"`
}

func objectionNotFound(id string) error {
	return &xinyong.Error{Code: xinyong.ENOTFOUND, Message: "objection " + id + " not found"}
}

// FileObjection files an objection to a record: the subject for its own
// record, or anyone (with a name and a contact) for published information.
// The record shows 异议处理中 from this commit on.
func (s *Service) FileObjection(ctx context.Context, actor xinyong.Actor, recordID string, in xinyong.RecordObjectionInput) (xinyong.Objection, error) {
	var o xinyong.Objection
	err := s.update(ctx, actor, func(t *txn) error {
		r, err := t.Record(recordID)
		if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
			return &xinyong.Error{Code: xinyong.ENOTFOUND, Message: "record " + recordID + " not found"}
		}
		if err != nil {
			return err
		}
		it, err := t.CatalogueItem(r.Item)
		if err != nil {
			return err
		}
		subj, err := t.Subject(r.SubjectID)
		if err != nil {
			return err
		}
		cal, _, err := s.rules(t)
		if err != nil {
			return err
		}
		lim, err := objectionLimits(t)
		if err != nil {
			return err
		}
		today := xinyong.DateOf(t.Now())
		asSubject := actor.Role == xinyong.RoleSubject && actor.SubjectID != "" && actor.SubjectID == r.SubjectID
		pub := xinyong.Visible(xinyong.VisibilityInput{Viewer: xinyong.Viewer{Kind: xinyong.ViewerPublic}, Record: r, Item: it, Subject: subj, On: today})
		if !asSubject && !pub.Visible {
			// Who may not see the record learns nothing about it.
			return &xinyong.Error{Code: xinyong.ENOTFOUND, Message: "record " + recordID + " not found"}
		}
		if o, err = xinyong.FileObjection(in, r, it, asSubject, pub.Visible, today, lim, cal); err != nil {
			return err
		}
		open, err := t.Objections(xinyong.ObjectionFilter{RecordID: r.ID, Open: true})
		if err != nil {
			return err
		}
		for _, p := range open {
			if (asSubject && p.AsSubject) || (!asSubject && !p.AsSubject && p.FiledBy == actor.Ref() && strings.EqualFold(p.Contact, o.Contact)) {
				return xinyong.Errorf(xinyong.ECONFLICT, "an objection to record %s by the same party is being handled (%s): wait for its answer", r.ID, p.ID)
			}
		}
		now := t.Now()
		o.ID, o.FiledBy, o.CreatedAt, o.UpdatedAt, o.UpdatedBy = NewID(), actor.Ref(), now, now, actor.Ref()
		if err := t.InsertObjection(o); err != nil {
			return err
		}
		if err := t.objectionLeaf(o); err != nil {
			return err
		}
		return t.audit(ActObjectionFile, "objection", o.ID, nil, o, "record "+r.ID)
	})
	return o, err
}

// mayHandle: the platform (admin) handles every objection; the source
// department's officers and reviewers those to its records.
func mayHandle(actor xinyong.Actor, o xinyong.Objection) bool {
	return xinyong.Authorize(actor, xinyong.ActObjectionHandle, objectionResource(o), nil) == nil
}

func objectionResource(o xinyong.Objection) xinyong.Resource {
	return xinyong.Resource{DepartmentID: o.DepartmentID, SubjectID: o.SubjectID, Owner: o.FiledBy}
}

// mayRead: who handles it, auditors, the subject, and who filed it.
func mayRead(actor xinyong.Actor, o xinyong.Objection) bool {
	return xinyong.Authorize(actor, xinyong.ActObjectionRead, objectionResource(o), nil) == nil
}

func denyObjection(actor xinyong.Actor, why string) error {
	if actor.Kind == "public" || actor.Role == "" {
		return &xinyong.Error{Code: xinyong.EUNAUTHORIZED, Message: "sign in or send an API token to " + why}
	}
	return &xinyong.Error{Code: xinyong.EFORBIDDEN, Message: "role " + string(actor.Role) + " may not " + why}
}

// ForwardObjection sends a filed objection to the record's source
// department (the platform cannot check it alone): the limit becomes the
// forwarded one. The platform (admin) forwards.
func (s *Service) ForwardObjection(ctx context.Context, actor xinyong.Actor, id string, in xinyong.ObjectionForwardInput) (xinyong.Objection, error) {
	var o xinyong.Objection
	err := s.update(ctx, actor, func(t *txn) error {
		cur, err := t.Objection(id)
		if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
			return objectionNotFound(id)
		}
		if err != nil {
			return err
		}
		if !mayRead(actor, cur) {
			return objectionNotFound(id)
		}
		if !(actor.Kind == "system" || actor.Kind == "cli" || actor.Role == xinyong.RoleAdmin) {
			return denyObjection(actor, "forward objections (the platform, admin only)")
		}
		cal, _, err := s.rules(t)
		if err != nil {
			return err
		}
		lim, err := objectionLimits(t)
		if err != nil {
			return err
		}
		if o, err = xinyong.ForwardObjection(cur, in, xinyong.DateOf(t.Now()), lim, cal, actor.Ref()); err != nil {
			return err
		}
		o.UpdatedAt, o.UpdatedBy = t.Now(), actor.Ref()
		if err := t.UpdateObjection(o, cur.State, cur.Version); err != nil {
			return err
		}
		if err := t.objectionLeaf(o); err != nil {
			return err
		}
		return t.audit(ActObjectionForward, "objection", o.ID, cur, o, "to department "+o.DepartmentID+" deadline "+o.Deadline.String())
	})
	return o, err
}

// objectionEvent is the data of objection.resolved.
type objectionEvent struct {
	ObjectionID   string `json:"objection_id"`
	RecordID      string `json:"record_id"`
	RecordVersion int    `json:"record_version"`
	SubjectID     string `json:"subject_id"`
	DepartmentID  string `json:"department_id"`
	Outcome       string `json:"outcome"` // the answer's reasons are the objector's matter: not in the event
	Late          bool   `json:"late"`
	Date          string `json:"date"`
}

// ResolveObjection answers an open objection: corrected (the record gets a
// new version with the corrected fields), deleted (publication and sharing
// of the record end, as on withdrawal) or upheld (the record stands); with
// reasons. The admin or the source department's officers and reviewers.
func (s *Service) ResolveObjection(ctx context.Context, actor xinyong.Actor, id string, in xinyong.ObjectionResolveInput) (xinyong.Objection, error) {
	var o xinyong.Objection
	err := s.update(ctx, actor, func(t *txn) error {
		cur, err := t.Objection(id)
		if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
			return objectionNotFound(id)
		}
		if err != nil {
			return err
		}
		if !mayRead(actor, cur) {
			return objectionNotFound(id)
		}
		if !mayHandle(actor, cur) {
			return denyObjection(actor, "answer objections (the platform, or the source department's officers)")
		}
		r, err := t.Record(cur.RecordID)
		if err != nil {
			return err
		}
		it, err := t.CatalogueItem(r.Item)
		if err != nil {
			return err
		}
		// A record deleted by credit repair has no content left (erased
		// with its salt): the rules refuse a correction and the answer
		// touches nothing of the record.
		reps, err := t.RecordRepairs([]string{r.ID})
		if err != nil {
			return err
		}
		repaired := reps[r.ID]
		if o, err = xinyong.ResolveObjection(cur, in, r, it, repaired, xinyong.DateOf(t.Now()), actor.Ref()); err != nil {
			return err
		}
		before := sealed(r)
		switch {
		case repaired == xinyong.RepairDeleted:
			o.Resolution.RecordVersion = r.Version
		case o.Resolution.Outcome == xinyong.OutcomeCorrected:
			if r.Status == xinyong.RecordWithdrawn {
				return xinyong.Errorf(xinyong.ECONFLICT, "record %s was withdrawn meanwhile: answer deleted or upheld", r.ID)
			}
			old, err := payloadOf(r.Content)
			if err != nil {
				return fmt.Errorf("record %s: stored content unreadable: %w", r.ID, err)
			}
			p := old.Payload
			fields := maps.Clone(r.Fields)
			if fields == nil {
				fields = map[string]string{}
			}
			maps.Copy(fields, o.Resolution.Corrections)
			p.Fields = fields
			r.Fields = fields
			r.Version++
			r.UpdatedAt = t.Now()
			if err := s.seal(t, &r, p, ledger.KindRecordVersion); err != nil {
				return err
			}
			if err := t.UpdateRecord(r); err != nil {
				return err
			}
			o.Resolution.RecordVersion = r.Version
			if err := t.audit("record.correct", "record", r.ID, before, sealed(r), "objection "+o.ID); err != nil {
				return err
			}
			// An indicator may read the corrected field: stored grades are
			// recomputed from the corrected version (DOMAIN.md §6, §8).
			if err := t.regradeOnStop(r.SubjectID, gradeStop{Cause: GradeCauseObjection, Ref: o.ID, Record: r.ID, Corrected: true}); err != nil {
				return err
			}
		case o.Resolution.Outcome == xinyong.OutcomeDeleted:
			if r.Status != xinyong.RecordWithdrawn {
				old, err := payloadOf(r.Content)
				if err != nil {
					return fmt.Errorf("record %s: stored content unreadable: %w", r.ID, err)
				}
				prev := r
				r.Version++
				r.Status = xinyong.RecordWithdrawn
				r.Withdrawal = &xinyong.Withdrawal{At: t.Now(), Reason: "objection " + o.ID + ": deleted", By: actor.Ref()}
				r.Window.Published = false
				r.Window.Reason = "deleted on objection " + o.ID
				r.UpdatedAt = t.Now()
				if err := s.seal(t, &r, old.Payload, ledger.KindRecordWithdrawn); err != nil {
					return err
				}
				if err := t.UpdateRecord(r); err != nil {
					return err
				}
				if err := s.removeListingsOnRecord(t, r.ID, "objection"); err != nil {
					return err
				}
				if err := t.recordWithdrawn(prev, r); err != nil {
					return err
				}
				if err := t.audit("record.delete", "record", r.ID, before, sealed(r), "objection "+o.ID); err != nil {
					return err
				}
				if err := t.regradeOnStop(r.SubjectID, gradeStop{Cause: GradeCauseObjection, Ref: o.ID, Record: r.ID}); err != nil { // stored grades stop counting it
					return err
				}
			}
			o.Resolution.RecordVersion = r.Version
		default:
			o.Resolution.RecordVersion = r.Version
		}
		o.UpdatedAt, o.UpdatedBy = t.Now(), actor.Ref()
		// The objection keeps the corrected fields' names, not their
		// values: those are the content of record version RecordVersion
		// (salted, erased by a deletion), so its leaf commits to nothing a
		// repair must erase. The caller gets the values it just wrote.
		stored := o
		stored.Resolution = storedResolution(o.Resolution)
		if err := t.UpdateObjection(stored, cur.State, cur.Version); err != nil {
			return err
		}
		if err := t.objectionLeaf(stored); err != nil {
			return err
		}
		t.event(xinyong.EventObjectionResolved, o.ID, objectionEvent{ObjectionID: o.ID, RecordID: o.RecordID, RecordVersion: o.Resolution.RecordVersion,
			SubjectID: o.SubjectID, DepartmentID: o.DepartmentID, Outcome: string(o.Resolution.Outcome), Late: o.Resolution.Late, Date: o.Resolution.Date.String()})
		return t.audit(ActObjectionResolve, "objection", o.ID, cur, stored, string(o.Resolution.Outcome)+" "+o.Resolution.Reasons)
	})
	return o, err
}

// Objection returns an objection to who may read it, with its history.
//
// The admin and auditors read the corrected values as supervision: when
// they show more than the public's view of the record does (publication
// ended, fields the public does not see), the read is registered before
// the answer, one entry naming the record (supervision.go, DOMAIN.md §7),
// as the console's case (ObjectionCase) is. The handling department's
// and the subject's reads register nothing.
func (s *Service) Objection(ctx context.Context, actor xinyong.Actor, id string) (ObjectionView, []xinyong.Objection, error) {
	var v ObjectionView
	var hist []xinyong.Objection
	var read supervisionRead
	err := s.view(ctx, func(tx xinyong.Tx) error {
		o, err := tx.Objection(id)
		if xinyong.ErrorCode(err) == xinyong.ENOTFOUND || (err == nil && !mayRead(actor, o)) {
			return objectionNotFound(id)
		}
		if err != nil {
			return err
		}
		v = ObjectionView{Objection: o, Overdue: xinyong.ObjectionOverdue(o, xinyong.DateOf(tx.Now()))}
		if hist, err = tx.ObjectionVersions(id); err != nil {
			return err
		}
		if xinyong.ObjectionFilerHidden(actor, o) {
			v.Name, v.Contact = "", ""
			for i := range hist {
				hist[i].Name, hist[i].Contact = "", ""
			}
		}
		// Corrected values are the record's content: the reader sees them
		// as it sees the record now (none once the record is hidden from
		// it, e.g. deleted by a repair).
		r, err := tx.Record(o.RecordID)
		if err != nil {
			return err
		}
		today := xinyong.DateOf(tx.Now())
		vis, it, err := recordVisibility(tx, xinyong.ViewerOf(actor, "", ""), r, today)
		if err != nil {
			return err
		}
		pub, err := publicCorrections(tx, actor, r, today)
		if err != nil {
			return err
		}
		versions := map[string][]xinyong.Record{}
		beyond := false
		as := func(res *xinyong.ObjectionResolution) (*xinyong.ObjectionResolution, error) {
			seen, err := resolutionAs(tx, res, vis, r, it, versions)
			if err != nil || pub == nil {
				return seen, err
			}
			b, err := pub.beyond(tx, res, seen, versions)
			beyond = beyond || b
			return seen, err
		}
		if v.Resolution, err = as(v.Resolution); err != nil {
			return err
		}
		for i := range hist {
			if hist[i].Resolution, err = as(hist[i].Resolution); err != nil {
				return err
			}
		}
		if beyond {
			read = supervisionRead{subjectID: r.SubjectID, ids: []string{r.ID}, items: []string{r.Item}}
		}
		return nil
	})
	if err == nil {
		if _, err = s.registerSupervisionReads(ctx, actor, []supervisionRead{read}); err != nil {
			return ObjectionView{}, nil, err
		}
	}
	return v, hist, err
}

// publicView is the public's view of a record's corrected values, against
// which a supervisor's is compared (nil for a reader who does not
// supervise: nothing to register).
type publicView struct {
	r   xinyong.Record
	vis xinyong.Visibility
	it  xinyong.CatalogueItem
}

func publicCorrections(tx xinyong.Tx, actor xinyong.Actor, r xinyong.Record, on xinyong.Date) (*publicView, error) {
	if !supervises(actor) {
		return nil, nil
	}
	vis, it, err := recordVisibility(tx, xinyong.Viewer{Kind: xinyong.ViewerPublic}, r, on)
	if err != nil {
		return nil, err
	}
	return &publicView{r: r, vis: vis, it: it}, nil
}

// beyond reports whether seen, the supervisor's view of the answer res,
// shows corrected values the public's view of it does not.
func (p *publicView) beyond(tx xinyong.Tx, res, seen *xinyong.ObjectionResolution, versions map[string][]xinyong.Record) (bool, error) {
	if seen == nil || len(seen.Corrections) == 0 {
		return false, nil
	}
	pub, err := resolutionAs(tx, res, p.vis, p.r, p.it, versions)
	if err != nil {
		return false, err
	}
	return pub == nil || !maps.Equal(seen.Corrections, pub.Corrections), nil
}

// Objections lists objections: the admin and auditors all, officers and
// reviewers their department's, a subject its own. overdueOnly keeps the
// open objections past their limit (the queue of reminders).
//
// The admin and auditors read the corrected values as supervision: the
// records whose corrected values they see beyond the public's view are
// registered before the answer, one entry per subject of the list naming
// its records (supervision.go, DOMAIN.md §7), as in the single view.
func (s *Service) Objections(ctx context.Context, actor xinyong.Actor, f xinyong.ObjectionFilter, overdueOnly bool) ([]ObjectionView, error) {
	out, reads, err := s.objections(ctx, actor, f, overdueOnly)
	if err == nil {
		if _, err = s.registerSupervisionReads(ctx, actor, reads); err != nil {
			return nil, err
		}
	}
	return out, err
}

// objections is Objections without registering: it returns the
// supervision reads to register with the views (ObjectionRows registers
// them with its own, in one entry per subject).
func (s *Service) objections(ctx context.Context, actor xinyong.Actor, f xinyong.ObjectionFilter, overdueOnly bool) ([]ObjectionView, []supervisionRead, error) {
	switch {
	case actor.Kind == "system" || actor.Kind == "cli" || actor.Role == xinyong.RoleAdmin || actor.Role == xinyong.RoleAuditor:
	case (actor.Role == xinyong.RoleOfficer || actor.Role == xinyong.RoleReviewer) && actor.DepartmentID != "":
		f.DepartmentID = actor.DepartmentID
	case actor.Role == xinyong.RoleSubject && actor.SubjectID != "":
		f.SubjectID = actor.SubjectID
	default:
		return nil, nil, denyObjection(actor, "list objections")
	}
	out := []ObjectionView{}
	var reads []supervisionRead
	err := s.view(ctx, func(tx xinyong.Tx) error {
		reads = nil
		today := xinyong.DateOf(tx.Now())
		if overdueOnly {
			f.Open, f.DeadlineTo = true, today.AddDays(-1)
		}
		os, err := tx.Objections(f)
		if err != nil {
			return err
		}
		// Corrected values are the record's content: each reader sees them
		// as it sees the record now, as in the single view (Objection).
		viewer := xinyong.ViewerOf(actor, "", "")
		type seen struct {
			r   xinyong.Record
			vis xinyong.Visibility
			it  xinyong.CatalogueItem
			pub *publicView // the public's, for a supervisor
		}
		registered := map[string]bool{}
		records := map[string]seen{}
		versions := map[string][]xinyong.Record{}
		for _, o := range os {
			v := ObjectionView{Objection: o, Overdue: xinyong.ObjectionOverdue(o, today)}
			if overdueOnly && !v.Overdue {
				continue
			}
			if xinyong.ObjectionFilerHidden(actor, o) {
				v.Name, v.Contact = "", ""
			}
			if res := v.Resolution; res != nil && (len(res.Corrections) > 0 || len(res.Corrected) > 0) {
				sr, done := records[o.RecordID]
				if !done {
					r, err := tx.Record(o.RecordID)
					switch {
					case err == nil:
						vis, it, err := recordVisibility(tx, viewer, r, today)
						if err != nil {
							return err
						}
						sr = seen{r: r, vis: vis, it: it}
						if sr.pub, err = publicCorrections(tx, actor, r, today); err != nil {
							return err
						}
					case xinyong.ErrorCode(err) != xinyong.ENOTFOUND:
						return err
					}
					records[o.RecordID] = sr
				}
				if v.Resolution, err = resolutionAs(tx, res, sr.vis, sr.r, sr.it, versions); err != nil {
					return err
				}
				if sr.pub != nil && !registered[sr.r.ID] {
					b, err := sr.pub.beyond(tx, res, v.Resolution, versions)
					if err != nil {
						return err
					}
					if b {
						registered[sr.r.ID] = true
						reads = append(reads, supervisionRead{subjectID: sr.r.SubjectID, ids: []string{sr.r.ID}, items: []string{sr.r.Item}})
					}
				}
			}
			out = append(out, v)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return out, reads, nil
}

// disputed returns which of the records have an open objection (the
// portal's 异议处理中).
func disputed(tx xinyong.Tx, rs []xinyong.Record) (map[string]bool, error) {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return tx.DisputedRecords(ids)
}
