package workflow

import (
	"context"
	"crypto/subtle"
	"slices"
	"strings"
	"unicode"

	"xinyong"
)

// Reads for the objection pages (异议, issue 7; doc/objections.md): the
// record as whoever files an objection sees it, an objection with its
// record for who may read it (or for its filer, by the objection number and
// the contact given when filing), and the queue with the record named.
// Nothing here writes: filing, forwarding and answering are objections.go's.
// Every record shown goes through xinyong.Visible.

// ObjectionField is one field of a record as a page shows it.
type ObjectionField struct {
	Code  string `json:"code"`
	Label string `json:"label"`
	Value string `json:"value"`
}

// ObjectionTarget is a record as the one who files an objection sees it.
type ObjectionTarget struct {
	Record xinyong.RecordView `json:"record"`
	// Fields are the record's fields the filer sees, in the item's order.
	Fields []ObjectionField `json:"fields"`
	// AsSubject: the filer is the record's subject (signed in); otherwise it
	// files as a member of the public, with a name and a contact.
	AsSubject bool `json:"as_subject"`
	// SubjectRef is the subject's reference in portal addresses.
	SubjectRef string                  `json:"subject_ref"`
	Limits     xinyong.ObjectionLimits `json:"limits"`
	// Deadline is the answer deadline of an objection filed today (the
	// platform's own check; later if it is forwarded).
	Deadline xinyong.Date `json:"deadline"`
	// Open is the subject's own objection to the record still being
	// handled (a second one is refused until it is answered).
	Open *xinyong.Objection `json:"open,omitempty"`
}

func recordNotFound(id string) error {
	return &xinyong.Error{Code: xinyong.ENOTFOUND, Message: "record " + id + " not found"}
}

// objectionFields lists the fields of view in the item's order, with labels.
func objectionFields(it xinyong.CatalogueItem, view xinyong.RecordView) []ObjectionField {
	var out []ObjectionField
	for _, f := range it.Fields {
		v, ok := view.Fields[f.Code]
		if !ok {
			continue
		}
		if v != "" && f.Unit != "" {
			v += " " + f.Unit
		}
		out = append(out, ObjectionField{Code: f.Code, Label: f.Label, Value: v})
	}
	return out
}

// recordAs returns the record as viewer sees it on the day, with the
// objection and repair marks; ok false when the viewer may not see it.
func recordAs(tx xinyong.Tx, viewer xinyong.Viewer, r xinyong.Record, on xinyong.Date) (xinyong.RecordView, xinyong.CatalogueItem, bool, error) {
	vis, it, err := recordVisibility(tx, viewer, r, on)
	if err != nil || !vis.Visible {
		return xinyong.RecordView{}, it, false, err
	}
	return vis.Apply(r, it), it, true, nil
}

// recordVisibility is the visibility decision about r for viewer on the day,
// with the objection and repair inputs.
func recordVisibility(tx xinyong.Tx, viewer xinyong.Viewer, r xinyong.Record, on xinyong.Date) (xinyong.Visibility, xinyong.CatalogueItem, error) {
	it, err := tx.CatalogueItem(r.Item)
	if err != nil {
		return xinyong.Visibility{}, it, err
	}
	subj, err := tx.Subject(r.SubjectID)
	if err != nil {
		return xinyong.Visibility{}, it, err
	}
	dis, err := tx.DisputedRecords([]string{r.ID})
	if err != nil {
		return xinyong.Visibility{}, it, err
	}
	rep, err := tx.RecordRepairs([]string{r.ID})
	if err != nil {
		return xinyong.Visibility{}, it, err
	}
	return xinyong.Visible(xinyong.VisibilityInput{Viewer: viewer, Record: r, Item: it, Subject: subj, On: on, Objection: dis[r.ID], Repair: rep[r.ID]}), it, nil
}

// correctionsAs returns an answer with its corrected values as the reader
// sees the record now: they are the record's content, so a field the
// reader may not see is left out, a masked one is masked, and none is shown
// once the record is hidden from the reader (deleted or shielded by a
// repair, publication ended for the public).
func correctionsAs(res *xinyong.ObjectionResolution, vis xinyong.Visibility, r xinyong.Record, it xinyong.CatalogueItem) *xinyong.ObjectionResolution {
	if res == nil || len(res.Corrections) == 0 {
		return res
	}
	cp := *res
	cp.Corrections = nil
	if vis.Visible {
		rc := r
		rc.Fields = res.Corrections
		if fs := vis.Apply(rc, it).Fields; len(fs) > 0 {
			cp.Corrections = fs
		}
	}
	return &cp
}

// correctionValues returns an answer with the values of its corrected fields
// (Resolution.Corrected) read from the record version the answer wrote:
// the objection does not keep them (xinyong.StoredResolution). Once a
// repair deleted the record, its versions hold no fields and nothing is
// returned. versions caches each record's versions.
func correctionValues(tx xinyong.Tx, res *xinyong.ObjectionResolution, r xinyong.Record, versions map[string][]xinyong.Record) (*xinyong.ObjectionResolution, error) {
	if res == nil || len(res.Corrections) > 0 || len(res.Corrected) == 0 || res.RecordVersion == 0 {
		return res, nil
	}
	vs, ok := versions[r.ID]
	if !ok {
		var err error
		if vs, err = tx.RecordVersions(r.ID); err != nil {
			return nil, err
		}
		versions[r.ID] = vs
	}
	cp := *res
	for _, v := range vs {
		if v.Version != res.RecordVersion {
			continue
		}
		for _, k := range res.Corrected {
			if val, ok := v.Fields[k]; ok {
				if cp.Corrections == nil {
					cp.Corrections = map[string]string{}
				}
				cp.Corrections[k] = val
			}
		}
	}
	return &cp, nil
}

// resolutionAs is an answer with its corrected values as the reader
// (whose visibility decision about r is vis) sees them now: read back from
// the record version (correctionValues), then correctionsAs.
func resolutionAs(tx xinyong.Tx, res *xinyong.ObjectionResolution, vis xinyong.Visibility, r xinyong.Record, it xinyong.CatalogueItem, versions map[string][]xinyong.Record) (*xinyong.ObjectionResolution, error) {
	if vis.Visible {
		var err error
		if res, err = correctionValues(tx, res, r, versions); err != nil {
			return nil, err
		}
	}
	return correctionsAs(res, vis, r, it), nil
}

// ObjectionTarget returns the record the actor wants to object to, as it
// sees it: the subject its own record in full, anyone else the published
// record as the public sees it (FileObjection's rule). A record the actor
// may not object to is "not found", as FileObjection answers.
func (s *Service) ObjectionTarget(ctx context.Context, actor xinyong.Actor, recordID string) (ObjectionTarget, error) {
	var out ObjectionTarget
	err := s.view(ctx, func(tx xinyong.Tx) error {
		r, err := tx.Record(recordID)
		if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
			return recordNotFound(recordID)
		}
		if err != nil {
			return err
		}
		today := xinyong.DateOf(tx.Now())
		out.AsSubject = actor.Role == xinyong.RoleSubject && actor.SubjectID != "" && actor.SubjectID == r.SubjectID
		viewer := xinyong.Viewer{Kind: xinyong.ViewerPublic}
		if out.AsSubject {
			viewer = xinyong.ViewerOf(actor, "", "")
		}
		view, it, ok, err := recordAs(tx, viewer, r, today)
		if err != nil {
			return err
		}
		if !ok {
			return recordNotFound(recordID)
		}
		subj, err := tx.Subject(r.SubjectID)
		if err != nil {
			return err
		}
		cal, _, err := s.rules(tx)
		if err != nil {
			return err
		}
		if out.Limits, err = objectionLimits(tx); err != nil {
			return err
		}
		out.Record, out.Fields, out.SubjectRef = view, objectionFields(it, view), subjectRef(subj)
		out.Deadline = xinyong.ObjectionDeadline(today, false, out.Limits, cal)
		if out.AsSubject {
			open, err := tx.Objections(xinyong.ObjectionFilter{RecordID: r.ID, Open: true})
			if err != nil {
				return err
			}
			for _, o := range open {
				if o.AsSubject {
					out.Open = &o
					break
				}
			}
		}
		return nil
	})
	return out, err
}

// ObjectionCase is an objection with its record, as a reader sees it.
type ObjectionCase struct {
	ObjectionView
	History []xinyong.Objection `json:"history"`
	// Record is the record as the reader sees it now; nil when it may not
	// see it any more (deleted on this objection, or by a repair).
	Record       *xinyong.RecordView `json:"record,omitempty"`
	RecordFields []ObjectionField    `json:"record_fields,omitempty"`
	// Labels names the record's fields (disputed fields, corrections).
	Labels map[string]string `json:"labels,omitempty"`
	// FilerHidden: the filer's name and contact are withheld (a member of
	// the public objected to the subject's record; the subject reads).
	FilerHidden bool `json:"filer_hidden,omitempty"`
	CanForward  bool `json:"can_forward"`
	CanResolve  bool `json:"can_resolve"`
	// ForwardDeadline is the deadline forwarding would set (CanForward).
	ForwardDeadline xinyong.Date `json:"forward_deadline,omitzero"`
	// ByContact: read by the objection number and the filer's contact.
	ByContact bool `json:"by_contact,omitempty"`
}

// NormalizeContact is the form contacts are compared in: no spaces or
// hyphens, lower case ("138-0000 0000" is "13800000000").
func NormalizeContact(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' || r == '－' {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// sameContact compares two contacts in constant time.
func sameContact(a, b string) bool {
	a, b = NormalizeContact(a), NormalizeContact(b)
	return a != "" && b != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// ObjectionCase returns an objection to who may read it (the handling
// department, the platform, auditors, the record's subject, its filer
// signed in), or — contact not empty — to whoever gives its number and the
// contact given when filing (the filer without an account). Anyone else,
// and a wrong contact, get "not found", as for an objection that does not
// exist.
//
// The admin and auditors read the disputed record as supervision: when
// what they see of it goes beyond the public's view (publication ended, a
// person's name in full, fields the public does not see), the read is
// registered before the answer (supervision.go, DOMAIN.md §7), as on the
// subject page. The handling department reading its own record registers
// nothing.
func (s *Service) ObjectionCase(ctx context.Context, actor xinyong.Actor, id, contact string) (ObjectionCase, error) {
	var out ObjectionCase
	var read supervisionRead
	err := s.view(ctx, func(tx xinyong.Tx) error {
		o, err := tx.Objection(id)
		if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
			return objectionNotFound(id)
		}
		if err != nil {
			return err
		}
		reader := mayRead(actor, o)
		if !reader {
			if !sameContact(contact, o.Contact) {
				return objectionNotFound(id)
			}
			out.ByContact = true
		}
		today := xinyong.DateOf(tx.Now())
		hist, err := tx.ObjectionVersions(id)
		if err != nil {
			return err
		}
		out.ObjectionView = ObjectionView{Objection: o, Overdue: xinyong.ObjectionOverdue(o, today)}
		out.History = hist
		if reader {
			out.CanResolve = o.State.Open() && mayHandle(actor, o)
			out.CanForward = o.State == xinyong.ObjectionFiled && (actor.Kind == "system" || actor.Kind == "cli" || actor.Role == xinyong.RoleAdmin)
			if out.CanForward {
				cal, _, err := s.rules(tx)
				if err != nil {
					return err
				}
				lim, err := objectionLimits(tx)
				if err != nil {
					return err
				}
				out.ForwardDeadline = xinyong.ObjectionDeadline(o.FiledOn, true, lim, cal)
			}
			// The subject learns what is disputed and why, not who (a member
			// of the public) disputes it.
			out.FilerHidden = xinyong.ObjectionFilerHidden(actor, o)
		}
		if out.FilerHidden {
			out.Name, out.Contact = "", ""
			for i := range out.History {
				out.History[i].Name, out.History[i].Contact = "", ""
			}
		}
		r, err := tx.Record(o.RecordID)
		if err != nil {
			return err
		}
		viewer := xinyong.Viewer{Kind: xinyong.ViewerPublic}
		if reader {
			viewer = xinyong.ViewerOf(actor, "", "")
		}
		vis, it, err := recordVisibility(tx, viewer, r, today)
		if err != nil {
			return err
		}
		out.Labels = make(map[string]string, len(it.Fields))
		for _, f := range it.Fields {
			out.Labels[f.Code] = f.Label
		}
		if vis.Visible {
			view := vis.Apply(r, it)
			out.Record, out.RecordFields = &view, objectionFields(it, view)
			if reader && supervises(actor) {
				pub, err := publicViews(tx, r, today)
				if err != nil {
					return err
				}
				read.subjectID = r.SubjectID
				read.ids, read.items = beyondPublic([]xinyong.RecordView{view}, pub, false)
			}
		}
		versions := map[string][]xinyong.Record{}
		if out.Resolution, err = resolutionAs(tx, out.Resolution, vis, r, it, versions); err != nil {
			return err
		}
		for i := range out.History {
			if out.History[i].Resolution, err = resolutionAs(tx, out.History[i].Resolution, vis, r, it, versions); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		if _, err = s.registerSupervisionReads(ctx, actor, []supervisionRead{read}); err != nil {
			return ObjectionCase{}, err
		}
	}
	return out, err
}

// publicViews is the public's view of r on the day: one view, or none when
// the public does not see it (beyondPublic's second argument).
func publicViews(tx xinyong.Tx, r xinyong.Record, on xinyong.Date) ([]xinyong.RecordView, error) {
	view, _, ok, err := recordAs(tx, xinyong.Viewer{Kind: xinyong.ViewerPublic}, r, on)
	if err != nil || !ok {
		return nil, err
	}
	return []xinyong.RecordView{view}, nil
}

// ObjectionRow is a line of an objection list: the objection and the
// record it disputes, named as the reader sees it.
type ObjectionRow struct {
	ObjectionView
	ItemName    string `json:"item_name,omitempty"`
	SubjectName string `json:"subject_name,omitempty"`
	Number      string `json:"decision_number,omitempty"`
}

// ObjectionRows lists objections (Objections' rules: the admin and
// auditors all, officers and reviewers their department's, a subject its
// own) with their records named; open ones first, by deadline.
//
// A row names its record's subject and decision number as the reader sees
// them: for the admin and auditors, a record the public does not see (or
// sees with the subject masked) is named beyond the public's view, a
// supervision read registered before the answer, one entry per subject of
// the list naming its records there (supervision.go, DOMAIN.md §7).
func (s *Service) ObjectionRows(ctx context.Context, actor xinyong.Actor, f xinyong.ObjectionFilter, overdueOnly bool) ([]ObjectionRow, error) {
	os, reads, err := s.objections(ctx, actor, f, overdueOnly) // reads registered below, with the rows'
	if err != nil {
		return nil, err
	}
	out := make([]ObjectionRow, len(os))
	viewer := xinyong.ViewerOf(actor, "", "")
	corrections := reads
	err = s.view(ctx, func(tx xinyong.Tx) error {
		reads = slices.Clip(corrections)
		today := xinyong.DateOf(tx.Now())
		for i, o := range os {
			out[i] = ObjectionRow{ObjectionView: o}
			if xinyong.ObjectionFilerHidden(actor, o.Objection) {
				out[i].Name, out[i].Contact = "", ""
			}
			r, err := tx.Record(o.RecordID)
			if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
				continue
			}
			if err != nil {
				return err
			}
			view, it, ok, err := recordAs(tx, viewer, r, today)
			if err != nil {
				return err
			}
			out[i].ItemName = it.Name
			if !ok {
				continue
			}
			out[i].SubjectName, out[i].Number = view.SubjectName, view.Document.Number
			if supervises(actor) {
				pub, err := publicViews(tx, r, today)
				if err != nil {
					return err
				}
				// The row shows the subject's name and the decision
				// number: beyond the public's view when the public does
				// not see the record or names it otherwise.
				if len(pub) == 0 || pub[0].SubjectName != view.SubjectName || pub[0].Document.Number != view.Document.Number {
					reads = append(reads, supervisionRead{subjectID: r.SubjectID, ids: []string{r.ID}, items: []string{r.Item}})
				}
			}
		}
		return nil
	})
	if err == nil {
		if _, err = s.registerSupervisionReads(ctx, actor, reads); err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(out, func(a, b ObjectionRow) int {
		if a.State.Open() != b.State.Open() {
			if a.State.Open() {
				return -1
			}
			return 1
		}
		if a.State.Open() {
			return a.Deadline.Days() - b.Deadline.Days()
		}
		return b.UpdatedAt.Compare(a.UpdatedAt)
	})
	return out, err
}
