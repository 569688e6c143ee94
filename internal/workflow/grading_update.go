package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"xinyong"
)

// Grades kept current when a record stops counting or is corrected
// (DOMAIN.md §6: a repair's outcomes include "evaluations updated"; §8: a
// grade is explainable from the records that produced it).
//
// Evaluate leaves out withdrawn and repaired records and reads the fields
// an indicator names, but a stored grade is only as fresh as the
// evaluation that wrote it. So the transaction that makes a record (or a
// listing) stop counting — an approved repair of any outcome, a
// withdrawal, an objection answered "deleted" — or that corrects a
// record's fields — an objection answered "corrected" — also grades the
// subject anew under every model it has a stored grade under that has
// a version in force today, stores the grade when it or its explanation
// changed, and audits that (grade.updated, the cause and what stopped
// counting or was corrected). A grade under a model with no version in force is never
// recomputed (nobody is graded under an ended model); the read and the
// export say it predates the change instead (gradeOutdated).

// ActGradeUpdated: a stored grade recomputed because a record or listing
// behind it stopped counting, or a record of the subject was corrected.
const ActGradeUpdated xinyong.Action = "grade.updated"

// Causes of a grade update (the grade's Source becomes CAUSE:ID).
const (
	GradeCauseRepair     = "repair"     // an approved credit repair (ID: the application)
	GradeCauseWithdrawal = "withdrawal" // a record withdrawn (ID: the record)
	GradeCauseObjection  = "objection"  // a record deleted or corrected on an objection (ID: the objection)
	GradeCauseVersion    = "version"    // a changed version of a decision sent by its department (ID: the record)
	GradeCauseListing    = "listing"    // a listing removed by an officer or at the end of its period (ID: the listing)
)

// gradeStop is what stopped counting (or was corrected), and why.
type gradeStop struct {
	Cause   string // GradeCause*
	Ref     string // the repair, record or objection id
	Record  string // the record that stopped counting or was corrected ("" for a listing)
	Listing string // the listing removed ("" for a record)
	// Corrected: the record still counts, with corrected fields (an
	// objection answered "corrected"); it did not stop counting.
	Corrected bool
}

func (c gradeStop) what() string {
	if c.Record != "" {
		return "record " + c.Record
	}
	return "listing " + c.Listing
}

// verb says what happened to the record or listing.
func (c gradeStop) verb() string {
	if c.Corrected {
		return "corrected"
	}
	return "stopped counting"
}

// regradeOnStop grades the subject anew in t under every model it has a
// stored grade under and which has a version in force today, after c made
// a record or listing stop counting (or corrected a record's fields,
// c.Corrected); it stores and audits each grade that changed. A subject with no stored grade costs one query.
func (t *txn) regradeOnStop(subjectID string, c gradeStop) error {
	// The sequencer lock before the stored grades are read: a review's
	// regrade or a run's chunk writing the subject's grade meanwhile either
	// committed before (and is read here) or waits for this transaction.
	if err := t.lockLedgerFirst(); err != nil {
		return err
	}
	gs, err := t.GradesOf(subjectID)
	if err != nil || len(gs) == 0 {
		return err
	}
	// In bulk intake, records of this batch may still be buffered: written
	// first, so that the grade counts every record the subject has (a
	// withdrawal; changed versions wait for the batch, regradeLater).
	if t.bulk != nil {
		if err := t.writeBuffered(); err != nil {
			return err
		}
	}
	on := xinyong.DateOf(t.Now())
	for _, before := range gs {
		vs, err := t.GradingModelVersions(before.ModelID)
		if err != nil {
			return err
		}
		m, ok := xinyong.GradingVersionInForce(vs, on)
		if !ok {
			continue // ended (or not yet in force): flagged outdated when read
		}
		g, err := gradeOne(t, m, subjectID, on)
		if err != nil {
			return err
		}
		g.Source = c.Cause + ":" + c.Ref
		// A reviewer's grade (source review:ID) was a judgement on the
		// records then counted; a record no longer counting never makes it
		// worse, nor does a correction (whichever way it goes, an automatic
		// update never lowers a reviewer's letter): the better of the two
		// letters stays, the score and the explanation are the evaluation's.
		if len(before.Source) > 7 && before.Source[:7] == "review:" && before.ModelVersion == m.Version && better(m, before.Grade, g.Grade) {
			g.Grade, g.Source = before.Grade, before.Source
		}
		if !gradeChanged(before, g) {
			continue
		}
		if err := t.PutGrades([]xinyong.Grade{g}); err != nil {
			return err
		}
		detail := fmt.Sprintf("%s %s %.2f (model %s@%d) → %s %.2f (model %s@%d, ledger size %d): %s %s %s (%s %s)",
			subjectID, before.Grade, before.Score, before.ModelID, before.ModelVersion, g.Grade, g.Score, m.ID, m.Version, g.LedgerSize,
			c.Cause, c.what(), c.verb(), c.Cause, c.Ref)
		if err := t.audit(ActGradeUpdated, "grade", m.ID+":"+subjectID, before, g, detail); err != nil {
			return err
		}
	}
	return nil
}

// regradeOnRemoval is regradeOnStop for a listing step from before to
// after that took a listing in force off the list (an officer's removal:
// early, expired or revoked; the expiry job): the subject's stored grades
// under models in force stop counting it (DOMAIN.md §6 "evaluations
// updated"). Other steps cost nothing. The removals inside a repair, a
// withdrawal or an objection regrade in their own transaction with their
// own cause and do not come here.
func (t *txn) regradeOnRemoval(before, after xinyong.Listing) error {
	if before.State != xinyong.ListingListed || after.State != xinyong.ListingRemoved {
		return nil
	}
	return t.regradeOnStop(after.SubjectID, gradeStop{Cause: GradeCauseListing, Ref: after.ID, Listing: after.ID})
}

// regradeLater is regradeOnStop for intake: in bulk mode (a batch, an
// import) the subject is graded once when the batch is written (flushBulk),
// however many of its records the batch changed, instead of cutting the
// buffered inserts and grading it again at each; otherwise at once.
func (t *txn) regradeLater(subjectID string, c gradeStop) error {
	if t.bulk == nil {
		return t.regradeOnStop(subjectID, c)
	}
	if t.bulk.regrades == nil {
		t.bulk.regrades = map[string]gradeStop{}
	}
	if _, ok := t.bulk.regrades[subjectID]; !ok {
		t.bulk.regrades[subjectID] = c // the first change of the subject names the cause
	}
	return nil
}

// better reports whether grade a is a better band of m than b.
func better(m xinyong.GradingModel, a, b string) bool {
	ia := slices.IndexFunc(m.Grades, func(x xinyong.GradeBand) bool { return x.Grade == a })
	ib := slices.IndexFunc(m.Grades, func(x xinyong.GradeBand) bool { return x.Grade == b })
	return ia >= 0 && ib >= 0 && ia < ib
}

// gradeChanged: the grade, its score, model version or explanation differ.
func gradeChanged(a, b xinyong.Grade) bool {
	if a.Grade != b.Grade || a.Score != b.Score || a.ModelVersion != b.ModelVersion {
		return true
	}
	ea, err1 := json.Marshal(a.Explanation)
	eb, err2 := json.Marshal(b.Explanation)
	return err1 != nil || err2 != nil || string(ea) != string(eb)
}

// StoppedRecord is a record or a listing a stored grade counted that has
// stopped counting since, and the day it stopped: a record (Record)
// withdrawn (revoked, changed, voided, or deleted on an objection) or
// repaired; a serious-list entry (Listing) removed (Reason: the removal's
// reason — expired, early, revoked, objection_upheld) or whose period has
// ended while it is still listed (xinyong.CountedListingStop decides).
type StoppedRecord struct {
	Record  string       `json:"record,omitempty"`
	Listing string       `json:"listing,omitempty"`
	Cause   string       `json:"cause"`            // withdrawn, repaired (a record); removed, expired (a listing)
	Reason  string       `json:"reason,omitempty"` // a removed listing's removal reason
	On      xinyong.Date `json:"on"`
}

// stoppedListings returns, of the listings ids a stored grade counted,
// those that no longer count on day on (xinyong.CountedListingStop), in
// the order of ids, each once; ls holds the listings read by id (one
// missing is left out: nothing to say about it).
func stoppedListings(ls map[string]xinyong.Listing, ids []string, on xinyong.Date) []StoppedRecord {
	var out []StoppedRecord
	for _, id := range ids {
		l, ok := ls[id]
		if !ok || slices.ContainsFunc(out, func(x StoppedRecord) bool { return x.Listing == id }) {
			continue
		}
		if st, ok := xinyong.CountedListingStop(l, on); ok {
			out = append(out, StoppedRecord{Listing: id, Cause: st.Cause, Reason: st.Reason, On: st.On})
		}
	}
	return out
}

// stoppedRecords returns, of the records ids, those withdrawn or repaired,
// with the day each stopped counting (a repair's decision date, a
// withdrawal's date). Nothing of a record is read beyond its status and
// those dates.
func stoppedRecords(tx xinyong.Tx, ids []string) ([]StoppedRecord, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	stops, err := tx.RecordStops(ids)
	if err != nil {
		return nil, err
	}
	return stoppedOf(stops, ids), nil
}

// stoppedOf returns, of the records ids (in their order, each once), those
// stops names: repaired, else withdrawn, with the day each stopped counting.
func stoppedOf(stops map[string]xinyong.RecordStop, ids []string) []StoppedRecord {
	var out []StoppedRecord
	for _, id := range ids {
		st, ok := stops[id]
		if !ok || slices.ContainsFunc(out, func(x StoppedRecord) bool { return x.Record == id }) {
			continue
		}
		s := StoppedRecord{Record: id, Cause: "withdrawn", On: st.On}
		if st.Repaired {
			s.Cause = "repaired"
		}
		out = append(out, s)
	}
	return out
}

// countedRecords returns the ids of the records a grade counted (its
// indicators' records), in explanation order.
func countedRecords(g xinyong.Grade) []string {
	var ids []string
	for _, in := range g.Explanation.Indicators {
		ids = append(ids, in.Records...)
	}
	return ids
}

// countedListings returns the ids of the listings a grade counted (its
// indicators' listings), in explanation order.
func countedListings(g xinyong.Grade) []string {
	var ids []string
	for _, in := range g.Explanation.Indicators {
		ids = append(ids, in.Listings...)
	}
	return ids
}

// gradeOutdated returns the records, then the listings, the stored grade
// counted that have stopped counting since (listings: by today, tx's
// date; nil: the grade is current).
func gradeOutdated(tx xinyong.Tx, g xinyong.Grade) ([]StoppedRecord, error) {
	out, err := stoppedRecords(tx, countedRecords(g))
	if err != nil {
		return nil, err
	}
	lids := countedListings(g)
	if len(lids) == 0 {
		return out, nil
	}
	ls, err := tx.GradedListings(lids)
	if err != nil {
		return nil, err
	}
	return append(out, stoppedListings(ls, lids, xinyong.DateOf(tx.Now()))...), nil
}

// outdatedIndex is, by subject id, the records and listings the
// subject's stored grade under a model counted that have stopped counting
// since: read once for an export (its rows are streamed without their
// explanations, and the stream may not query).
type outdatedIndex map[string][]StoppedRecord

// outdatedPage is how many stored grades loadOutdated reads at a time
// (their counted records are looked up in chunks of 500 by the store); a
// variable for tests.
var outdatedPage = 500

// loadOutdated reads the stored grades of the export (the model's, of the
// department's subjects, only version's when version > 0) page by page,
// the records each counted (GradeCountedAfter), and looks up by id the records each counted
// (RecordStops: an approved repair naming the record — the last one
// Repairs lists —, else a withdrawal, with the day it stopped counting),
// keeping by subject those that stopped counting; then the listings each
// counted, read by id (GradedListings), keeping those that no longer
// count today, tx's date (xinyong.CountedListingStop: removed, or their
// period ended). Index lookups only: the cost follows the grades exported, not
// the record, repair or listing tables.
func loadOutdated(tx xinyong.Tx, modelID, departmentID string, version int) (outdatedIndex, error) {
	on := xinyong.DateOf(tx.Now())
	idx := outdatedIndex{}
	after := ""
	for {
		gs, err := tx.GradeCountedAfter(modelID, departmentID, after, outdatedPage)
		if err != nil {
			return nil, err
		}
		var ids, lids []string
		seen := map[string]bool{}
		for i, g := range gs {
			if version > 0 && g.ModelVersion != version {
				gs[i].Records, gs[i].Listings = nil, nil // not exported
				continue
			}
			for _, id := range g.Records {
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
			for _, id := range g.Listings {
				if !seen["listing:"+id] {
					seen["listing:"+id] = true
					lids = append(lids, id)
				}
			}
		}
		stops, err := tx.RecordStops(ids)
		if err != nil {
			return nil, err
		}
		var ls map[string]xinyong.Listing
		if len(lids) > 0 {
			if ls, err = tx.GradedListings(lids); err != nil {
				return nil, err
			}
		}
		for _, g := range gs {
			out := append(stoppedOf(stops, g.Records), stoppedListings(ls, g.Listings, on)...)
			if len(out) > 0 {
				idx[g.SubjectID] = out
			}
		}
		if len(gs) < outdatedPage {
			return idx, nil
		}
		after = gs[len(gs)-1].SubjectID
	}
}

// GradeRow is one row of a grade export: the grade, the model version it
// was computed under, the subject, and the records and listings it
// counted that have stopped counting since (Outdated: the grade predates
// that change — a grade under a model no longer in force is never
// recomputed).
type GradeRow struct {
	Model      xinyong.GradingModel
	Grade      xinyong.Grade
	Subject    xinyong.Subject
	Outdated   bool
	OutdatedBy []StoppedRecord
}

// GradeExportRows is GradeExportVersion with each row saying whether the
// grade is outdated. The records that stopped counting are read once
// before the rows are streamed.
func (s *Service) GradeExportRows(ctx context.Context, actor xinyong.Actor, modelID string, version int, departmentRef string, fn func(GradeRow) error) error {
	return s.gradeExport(ctx, actor, modelID, version, departmentRef, true, fn)
}
