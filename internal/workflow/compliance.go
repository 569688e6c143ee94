package workflow

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"xinyong"
)

// Accountability (追责问责, DOMAIN.md §9): the compliance board per
// department and month, the cases behind each count, the officers'
// reminders, and the clean-up review (清理规范). The rules are in
// compliance.go (root); this file reads the stores and applies them.

// MetaRemindDays is the settings key of how many working days before a
// limit officers are reminded ("" or unset: xinyong.DefaultRemindWorkingDays).
const MetaRemindDays = "compliance.remind_days"

// remindDays reads the reminder setting.
func remindDays(tx xinyong.Tx) (int, error) {
	v, err := tx.Meta(MetaRemindDays)
	if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
		return xinyong.DefaultRemindWorkingDays, nil
	}
	if err != nil {
		return 0, err
	}
	return xinyong.ParseRemindDays(v)
}

// RemindDays returns the reminder setting.
func (s *Service) RemindDays(ctx context.Context) (int, error) {
	var n int
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		n, err = remindDays(tx)
		return err
	})
	return n, err
}

// SetRemindDays changes how many working days before a limit officers are
// reminded (admin; audited).
func (s *Service) SetRemindDays(ctx context.Context, actor xinyong.Actor, n int) error {
	if _, err := xinyong.ParseRemindDays(strconv.Itoa(n)); err != nil {
		return err
	}
	return s.update(ctx, actor, func(t *txn) error {
		if err := xinyong.Authorize(actor, xinyong.ActReferenceManage, xinyong.Resource{}, nil); err != nil {
			return err
		}
		old, _ := remindDays(t)
		if err := t.SetMeta(MetaRemindDays, strconv.Itoa(n)); err != nil {
			return err
		}
		return t.audit("compliance.remind_days", "setting", MetaRemindDays, old, n, fmt.Sprintf("remind %d working days before a limit (was %d)", n, old))
	})
}

// ---- refusals outside the catalogue ----

// refusedSubmission is one submission refused as outside the catalogue.
type refusedSubmission struct {
	Item, Number string
	Row          int
	Err          xinyong.FieldError
}

// refusedOf returns the submission's refusal if err puts it outside the catalogue.
func refusedOf(in xinyong.RecordInput, row int, errs []xinyong.FieldError) (refusedSubmission, bool) {
	fe, ok := xinyong.OutsideCatalogue(errs)
	if !ok {
		return refusedSubmission{}, false
	}
	return refusedSubmission{Item: strings.TrimSpace(in.Item), Number: strings.TrimSpace(in.Document.Number), Row: row, Err: fe}, true
}

// noteRefusal records a single submission refused as outside the
// catalogue (SubmitRecord). The refused transaction rolled back, so the
// note is written in its own transaction right after it; a failure to note
// is logged, never returned to the submitter.
func (s *Service) noteRefusal(ctx context.Context, actor xinyong.Actor, deptRef string, in xinyong.RecordInput, err error) {
	if r, ok := refusedOf(in, 0, xinyong.ErrorFields(err)); ok {
		s.noteRefusals(ctx, actor, deptRef, "api", []refusedSubmission{r})
	}
}

// noteBatchRefusals records the items of a batch refused as outside the
// catalogue (committed "each" batches and rolled-back "atomic" ones alike:
// the refusal happened either way).
func (s *Service) noteBatchRefusals(ctx context.Context, actor xinyong.Actor, deptRef string, ins []xinyong.RecordInput, items []BatchItem) {
	s.noteRefusals(ctx, actor, deptRef, "batch", batchRefusals(ins, items))
}

// batchRefusals picks a batch's items refused as outside the catalogue.
func batchRefusals(ins []xinyong.RecordInput, items []BatchItem) []refusedSubmission {
	var rs []refusedSubmission
	for _, it := range items {
		if len(it.Errors) == 0 || it.Index < 0 || it.Index >= len(ins) {
			continue
		}
		if r, ok := refusedOf(ins[it.Index], it.Index+1, it.Errors); ok {
			rs = append(rs, r)
		}
	}
	return rs
}

// intakeRefusals are the counted refusals of rs, at the time at.
func intakeRefusals(rs []refusedSubmission, deptID, channel string, at time.Time, actor xinyong.Actor) []xinyong.IntakeRefusal {
	out := make([]xinyong.IntakeRefusal, len(rs))
	for i, r := range rs {
		out[i] = xinyong.IntakeRefusal{ID: NewID(), DepartmentID: deptID, At: at, Channel: channel, Row: r.Row, Item: clip(r.Item, 64), Number: clip(r.Number, 128),
			Rule: r.Err.Rule, Message: clip(r.Err.Message, 500), Actor: actor.Ref()}
	}
	return out
}

func (s *Service) noteRefusals(ctx context.Context, actor xinyong.Actor, deptRef, channel string, rs []refusedSubmission) {
	if len(rs) == 0 || ctx.Err() != nil {
		return
	}
	if deptRef == "" {
		deptRef = actor.DepartmentID
	}
	if deptRef == "" {
		return // no department to hold to account (the submission was refused before that)
	}
	// A plain store transaction: no audit event and no ledger leaf, so a
	// refused request leaves the log as it was (nothing changed but this
	// counter, like a failed sign-in).
	err := s.Store.Update(ctx, func(tx xinyong.Tx) error {
		dept, err := findDepartment(tx, deptRef)
		if err != nil {
			return err
		}
		return tx.AddIntakeRefusals(intakeRefusals(rs, dept.ID, channel, tx.Now(), actor))
	})
	if err != nil && xinyong.ErrorCode(err) != xinyong.ENOTFOUND && s.Log != nil {
		s.log().Warn("noting refusals outside the catalogue", "department", deptRef, "count", len(rs), "err", err)
	}
}

// ---- the board ----

// BoardQuery selects the board's months and, optionally, one unit (a
// department id, or "org:" and an agency's organisation).
type BoardQuery struct {
	From, To xinyong.Month
	Unit     string
}

// complianceScope checks who asks for which unit: admins and auditors may
// ask for all ("") or any unit; officers and reviewers get their own
// department whatever they ask, and asking for another is refused.
func complianceScope(actor xinyong.Actor, unit string) (string, error) {
	if (actor.Role == xinyong.RoleOfficer || actor.Role == xinyong.RoleReviewer) && unit == "" {
		unit = actor.DepartmentID
	}
	dept := unit
	if strings.HasPrefix(unit, "org:") {
		dept = "-" // an agency's row: not a department an officer owns
	}
	if err := xinyong.Authorize(actor, xinyong.ActComplianceRead, xinyong.Resource{DepartmentID: dept}, nil); err != nil {
		return "", err
	}
	return unit, nil
}

// complianceCtx is what one board computation shares.
type complianceCtx struct {
	tx     xinyong.Tx
	today  xinyong.Date
	remind int
	cal    xinyong.Calendar
	// agencyUnit maps a feedback actor to its board unit.
	agencyUnit map[string][2]string
}

func (s *Service) newComplianceCtx(tx xinyong.Tx) (*complianceCtx, error) {
	cal, _, err := s.rules(tx)
	if err != nil {
		return nil, err
	}
	n, err := remindDays(tx)
	if err != nil {
		return nil, err
	}
	return &complianceCtx{tx: tx, today: xinyong.DateOf(s.Now()), remind: n, cal: cal, agencyUnit: map[string][2]string{}}, nil
}

// unitOfAgency returns the department (if the agency's token or account
// belongs to one) or the organisation of a feedback actor.
func (c *complianceCtx) unitOfAgency(actor, org string) (dept, organisation string) {
	if u, ok := c.agencyUnit[actor+"\x00"+org]; ok {
		return u[0], u[1]
	}
	kind, id, _ := strings.Cut(actor, ":")
	switch kind {
	case "token":
		if ts, err := c.tx.Tokens(); err == nil {
			for _, t := range ts {
				if t.ID == id {
					dept = t.DepartmentID
					if org == "" {
						org = t.Organisation
					}
				}
			}
		}
	case "account":
		if a, err := c.tx.Account(id); err == nil {
			dept = a.DepartmentID
			if org == "" {
				org = a.Organisation
			}
		}
	}
	if dept == "" && org == "" {
		org = actor
	}
	c.agencyUnit[actor+"\x00"+org] = [2]string{dept, org}
	return dept, org
}

// deadlineViolations applies the deadline rules to objections, listings and
// repairs of a department ("" all) whose limits fell in [from, to).
func (c *complianceCtx) deadlineViolations(dept string, from, to xinyong.Month, kinds map[xinyong.ViolationKind]bool) ([]xinyong.Violation, error) {
	lo, hi := from.First(), to.Next().First()
	var out []xinyong.Violation
	add := func(d xinyong.Deadline, label string) {
		if d.Due.Before(lo) || !d.Due.Before(hi) {
			return
		}
		d.Label = label
		if v, ok := xinyong.DeadlineViolation(d, xinyong.ClassifyDeadline(d, c.today, c.remind, c.cal), c.today, c.cal); ok {
			if v.DepartmentID == "" {
				v.Organisation = xinyong.PlatformUnit
			}
			out = append(out, v)
		}
	}
	if kinds[xinyong.ViolationObjectionOverdue] {
		os, err := c.tx.ObjectionsByDeadline(dept, lo, hi)
		if err != nil {
			return nil, err
		}
		for _, o := range os {
			add(xinyong.ObjectionDeadlineOf(o), "record "+o.RecordID)
		}
	}
	if kinds[xinyong.ViolationListingOverdue] {
		if err := c.tx.ListingsWithDeadlines(dept, func(l xinyong.Listing) error {
			for _, d := range xinyong.ListingDeadlinesOf(l) {
				add(d, l.ListType)
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	if kinds[xinyong.ViolationRepairOverdue] {
		f := xinyong.RepairFilter{DepartmentID: dept, Limit: 100000}
		if strings.HasPrefix(dept, "org:") {
			f = xinyong.RepairFilter{Platform: true, Limit: 100000}
		}
		rs, err := c.tx.Repairs(f)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			for _, d := range xinyong.RepairDeadlinesOf(r) {
				add(d, r.Code)
			}
		}
	}
	return out, nil
}

// allKinds selects every violation kind.
func allKinds() map[xinyong.ViolationKind]bool {
	m := map[xinyong.ViolationKind]bool{}
	for _, k := range xinyong.ViolationKinds {
		m[k] = true
	}
	return m
}

// ComplianceBoard counts violations per department and month. Admins and
// auditors see every department (and relying agencies' rows); an officer
// only its own department.
func (s *Service) ComplianceBoard(ctx context.Context, actor xinyong.Actor, q BoardQuery) (xinyong.Board, error) {
	var b xinyong.Board
	if err := xinyong.CheckBoardRange(q.From, q.To); err != nil {
		return b, err
	}
	unit, err := complianceScope(actor, q.Unit)
	if err != nil {
		return b, err
	}
	err = s.view(ctx, func(tx xinyong.Tx) error {
		c, err := s.newComplianceCtx(tx)
		if err != nil {
			return err
		}
		spans := xinyong.SpansOf(xinyong.Months(q.From, q.To, xinyong.MaxBoardMonths))
		var counts []xinyong.ComplianceCount
		for _, f := range []func([]xinyong.MonthSpan) ([]xinyong.ComplianceCount, error){tx.CountLateRecords, tx.CountIntakeRefusals, tx.CountImportRefusals} {
			cs, err := f(spans)
			if err != nil {
				return err
			}
			counts = append(counts, cs...)
		}
		fcs, err := tx.CountRefusedFeedbackBy(spans)
		if err != nil {
			return err
		}
		for _, fc := range fcs {
			dept, org := c.unitOfAgency(fc.Actor, fc.Organisation)
			if dept != "" {
				org = ""
			}
			counts = append(counts, xinyong.ComplianceCount{DepartmentID: dept, Organisation: org, Month: fc.Month, Kind: xinyong.ViolationMeasureNotListed, N: fc.N})
		}
		deptFilter := unit
		if strings.HasPrefix(unit, "org:") {
			deptFilter = ""
		}
		vs, err := c.deadlineViolations(deptFilter, q.From, q.To, allKinds())
		if err != nil {
			return err
		}
		counts = append(counts, xinyong.CountViolations(vs)...)
		if unit != "" {
			counts = slices.DeleteFunc(counts, func(x xinyong.ComplianceCount) bool { return x.Unit() != unit })
		}
		names, err := unitNames(tx)
		if err != nil {
			return err
		}
		b = xinyong.BuildBoard(q.From, q.To, counts, names)
		return nil
	})
	return b, err
}

// unitNames maps department ids (and the platform) to their names.
func unitNames(tx xinyong.Tx) (map[string]string, error) {
	ds, err := tx.Departments()
	if err != nil {
		return nil, err
	}
	m := map[string]string{"org:" + xinyong.PlatformUnit: "信用平台 (platform)"}
	for _, d := range ds {
		m[d.ID] = d.Name
	}
	return m, nil
}

// UnitNames returns the display names of the board's units.
func (s *Service) UnitNames(ctx context.Context) (map[string]string, error) {
	var m map[string]string
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		m, err = unitNames(tx)
		return err
	})
	return m, err
}

// MaxCases is the most cases one list shows.
const MaxCases = 1000

// feedbackPage is how many refused feedback lines one read of the cases
// takes (a variable for tests).
var feedbackPage = MaxCases

// ComplianceCases lists the cases behind one cell of the board: a kind, a
// unit (department id or "org:…"), a month.
func (s *Service) ComplianceCases(ctx context.Context, actor xinyong.Actor, kind xinyong.ViolationKind, unit string, m xinyong.Month, limit int) ([]xinyong.Violation, error) {
	if !kind.Valid() {
		return nil, xinyong.Invalid("bad kind", xinyong.FieldError{Field: "kind", Rule: "enum", Message: "kind is one of late_disclosure, outside_catalogue, measure_not_listed, objection_overdue, listing_overdue, repair_overdue", Value: clip(string(kind), 40)})
	}
	if m.IsZero() {
		return nil, xinyong.Invalid("no month", xinyong.FieldError{Field: "month", Rule: "required", Message: "name the month (YYYY-MM)"})
	}
	unit, err := complianceScope(actor, unit)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxCases {
		limit = MaxCases
	}
	dept := unit
	if strings.HasPrefix(unit, "org:") {
		dept = ""
	}
	from, to := m.Span()
	var out []xinyong.Violation
	err = s.view(ctx, func(tx xinyong.Tx) error {
		c, err := s.newComplianceCtx(tx)
		if err != nil {
			return err
		}
		switch kind {
		case xinyong.ViolationLateDisclosure:
			if dept == "" && unit != "" {
				return nil // agencies submit no records
			}
			rs, err := tx.LateRecords(dept, from, to, "", limit)
			if err != nil {
				return err
			}
			for _, r := range rs {
				name := r.SubjectName
				if r.SubjectKind == xinyong.KindPerson {
					name = xinyong.MaskName(name) // a natural person is never named in clear on the board
				}
				out = append(out, xinyong.Violation{Kind: kind, DepartmentID: r.DepartmentID, Month: m, ObjectType: "record", ObjectID: r.ID, Ref: r.Document.Number,
					Due: r.Lateness.Due, Date: xinyong.DateOf(r.SubmittedAt), WorkingDays: r.Lateness.WorkingDays, Detail: r.Item + " " + name})
			}
		case xinyong.ViolationOutsideCatalogue:
			if dept == "" && unit != "" {
				return nil
			}
			rs, err := tx.IntakeRefusals(dept, from, to, limit)
			if err != nil {
				return err
			}
			more, err := tx.ImportRefusals(dept, from, to, limit)
			if err != nil {
				return err
			}
			for _, r := range append(rs, more...) {
				v := xinyong.Violation{Kind: kind, DepartmentID: r.DepartmentID, Month: m, ObjectType: "refusal", ObjectID: r.ID, Ref: r.Item, Date: xinyong.DateOf(r.At), Detail: r.Rule + ": " + r.Message}
				if r.ImportID != "" {
					v.ObjectType, v.ObjectID, v.Ref = "import", r.ImportID, fmt.Sprintf("%s row %d", r.Item, r.Row)
				} else if r.Number != "" {
					v.Ref = r.Item + " " + r.Number
				}
				out = append(out, v)
			}
		case xinyong.ViolationMeasureNotListed:
			// The unit of a line is resolved from its actor here, so a
			// unit's lines are found by reading the month's lines page by
			// page until limit of them are found (not within the first
			// page of everyone's).
			var after *xinyong.RefusedFeedback
			for len(out) < limit {
				lines, err := tx.RefusedFeedbackLines(from, to, after, feedbackPage)
				if err != nil {
					return err
				}
				for _, l := range lines {
					d, org := c.unitOfAgency(l.Actor, l.Organisation)
					if d != "" {
						org = ""
					}
					if unit != "" && xinyong.UnitOf(d, org) != unit {
						continue
					}
					out = append(out, xinyong.Violation{Kind: kind, DepartmentID: d, Organisation: org, Month: m, ObjectType: "measure_check", ObjectID: l.CheckID, Ref: l.MeasureID, Date: xinyong.DateOf(l.At), Detail: l.Refusal})
				}
				if len(lines) < feedbackPage {
					break
				}
				after = &lines[len(lines)-1]
			}
		default:
			vs, err := c.deadlineViolations(dept, m, m, map[xinyong.ViolationKind]bool{kind: true})
			if err != nil {
				return err
			}
			for _, v := range vs {
				if v.Kind == kind && (unit == "" || xinyong.UnitOf(v.DepartmentID, v.Organisation) == unit) {
					out = append(out, v)
				}
			}
		}
		return nil
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, err
}

// ---- reminders ----

// Reminder is one open step due soon or overdue.
type Reminder struct {
	xinyong.Deadline
	Status      xinyong.DeadlineStatus `json:"status"`
	WorkingDays int                    `json:"working_days"` // left (due soon) or past (overdue)
}

// Reminders returns the open steps of the actor's department (every
// department for admins and auditors) that are due within the reminder
// window or overdue, soonest first.
func (s *Service) Reminders(ctx context.Context, actor xinyong.Actor) ([]Reminder, int, error) {
	unit, err := complianceScope(actor, "")
	if err != nil {
		return nil, 0, err
	}
	var out []Reminder
	var remind int
	err = s.view(ctx, func(tx xinyong.Tx) error {
		c, err := s.newComplianceCtx(tx)
		if err != nil {
			return err
		}
		remind = c.remind
		var ds []xinyong.Deadline
		os, err := tx.Objections(xinyong.ObjectionFilter{DepartmentID: unit, Open: true, Limit: 5000})
		if err != nil {
			return err
		}
		for _, o := range os {
			d := xinyong.ObjectionDeadlineOf(o)
			d.Label = "record " + o.RecordID
			ds = append(ds, d)
		}
		if err := tx.ListingsWithDeadlines(unit, func(l xinyong.Listing) error {
			for _, d := range xinyong.ListingDeadlinesOf(l) {
				d.Label = l.ListType
				ds = append(ds, d)
			}
			return nil
		}); err != nil {
			return err
		}
		rf := xinyong.RepairFilter{DepartmentID: unit, Open: true, Limit: 5000}
		rs, err := tx.Repairs(rf)
		if err != nil {
			return err
		}
		for _, r := range rs {
			for _, d := range xinyong.RepairDeadlinesOf(r) {
				d.Label = r.Code
				ds = append(ds, d)
			}
		}
		for _, d := range ds {
			if !d.Done.IsZero() {
				continue
			}
			st := xinyong.ClassifyDeadline(d, c.today, c.remind, c.cal)
			switch st {
			case xinyong.DeadlineDueSoon:
				out = append(out, Reminder{Deadline: d, Status: st, WorkingDays: c.cal.WorkingDaysBetween(c.today, d.Due)})
			case xinyong.DeadlineOverdue:
				out = append(out, Reminder{Deadline: d, Status: st, WorkingDays: c.cal.WorkingDaysBetween(d.Due, c.today)})
			}
		}
		return nil
	})
	slices.SortStableFunc(out, func(a, b Reminder) int { return a.Due.Days() - b.Due.Days() })
	return out, remind, err
}

// ---- clean-up review ----

// CleanupReview builds the clean-up review (清理规范): every local catalogue
// item, every list type and measure, with its basis and what relies on it
// (admins and auditors).
func (s *Service) CleanupReview(ctx context.Context, actor xinyong.Actor) ([]xinyong.CleanupEntry, error) {
	if err := xinyong.Authorize(actor, xinyong.ActComplianceRead, xinyong.Resource{}, nil); err != nil {
		return nil, err
	}
	var out []xinyong.CleanupEntry
	err := s.view(ctx, func(tx xinyong.Tx) error {
		items, err := tx.CatalogueItems()
		if err != nil {
			return err
		}
		lts, err := tx.ListTypes()
		if err != nil {
			return err
		}
		ms, err := tx.Measures()
		if err != nil {
			return err
		}
		u := xinyong.CleanupUsage{ItemRecords: map[string]int64{}}
		for _, it := range items {
			if it.Layer == xinyong.LayerNational {
				continue
			}
			has, err := tx.ItemHasRecords(it.Code)
			if err != nil {
				return err
			}
			if has {
				u.ItemRecords[it.Code] = 1
			} else {
				u.ItemRecords[it.Code] = 0
			}
		}
		if u.ListTypeListings, err = tx.CountListingsByType(); err != nil {
			return err
		}
		if u.MeasureFeedback, err = tx.CountFeedbackByMeasure(); err != nil {
			return err
		}
		sev, err := tx.ActiveSeverities()
		if err != nil {
			return err
		}
		// A measure is triggered now by a listing in force, not by one
		// removed or still proposed: the list type's uses above count
		// every listing, its triggers only those listed.
		nListed, err := tx.CountListedListingsByType()
		if err != nil {
			return err
		}
		listed := map[string]bool{}
		for lt, n := range nListed {
			listed[lt] = n > 0
		}
		u.MeasureTriggers = xinyong.MeasuresTriggered(ms, listed, sev)
		out = xinyong.CleanupReview(items, lts, ms, u)
		return nil
	})
	return out, err
}
