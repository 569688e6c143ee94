package workflow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"xinyong"
	"xinyong/internal/ledger"
	"xinyong/internal/refdata"
)

// Credit grading for classified supervision (信用分级分类监管, issue 8;
// DOMAIN.md §8). The rules are xinyong's (grading.go): models are data,
// Evaluate is pure. Here: models are created and versioned by the credit
// office (audit + ledger leaf per version); one subject is graded in one
// transaction; a batch run (everyone, or a department's subjects) reads
// records in subject order in large chunks from a covering index, grades
// in memory and writes grades with multi-row statements, committing its
// cursor and a running digest with each chunk (so a killed run resumes);
// at the end one ledger leaf commits to the digest of the run's results.
// Reviews of a grade are a workflow with a deadline in working days, like
// an objection.

// Audit actions of this file.
const (
	ActGradingModelCreate xinyong.Action = "grading.model.create"
	ActGradingRunStart    xinyong.Action = "grading.run.start"
	ActGradingRunFinish   xinyong.Action = "grading.run.finish"
	ActGradingRunResume   xinyong.Action = "grading.run.resume" // a run claimed to run (after its start, a resume, a takeover)
	ActGradingRunFail     xinyong.Action = "grading.run.fail"   // a run marked failed, with the cause
	ActGradingRunChunk    xinyong.Action = "grading.run.chunk"  // a chunk of a run's grades committed, with the run's progress
	ActGradeEvaluate      xinyong.Action = "grade.evaluate"
	ActGradeReviewFiled   xinyong.Action = "grade.review.file"
	ActGradeReviewDecided xinyong.Action = "grade.review.decide"
)

// Ledger leaf kinds of this file.
const (
	LeafGradingModel = "grading.model"
	LeafGradingRun   = "grading.run"
	LeafGradeReview  = "grade.review"
)

// Settings keys.
const (
	// MetaGradingDefaults is set once the default models are loaded.
	MetaGradingDefaults = "grading.defaults.loaded"
	// MetaGradeReviewDays is the review limit in working days (unset: 10).
	MetaGradeReviewDays = "grading.review_days"
)

// GradingChunk is how many subjects a batch run reads, grades and commits
// at a time.
var GradingChunk = 20000

// GradingStaleAfter: a running run without progress for this long is
// taken to have died with its process; it may be resumed.
const GradingStaleAfter = 2 * time.Minute

var (
	gradingModelSalt = []byte("xinyong-grading-model")
	gradingRunSalt   = []byte("xinyong-grading-run")
	gradeReviewSalt  = []byte("xinyong-grade-review")
)

func (t *txn) jsonLeaf(kind, objType, id string, version int, salt []byte, v any) (int64, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return 0, err
	}
	return t.leaf(kind, objType, id, version, ledger.Commit(salt, b))
}

func denyGrading(actor xinyong.Actor, action xinyong.Action, res xinyong.Resource) error {
	if actor.Kind == "system" || actor.Kind == "cli" {
		return nil
	}
	return xinyong.Authorize(actor, action, res, nil)
}

func catalogueMap(tx xinyong.Tx) (map[string]xinyong.CatalogueItem, error) {
	items, err := tx.CatalogueItems()
	if err != nil {
		return nil, err
	}
	m := make(map[string]xinyong.CatalogueItem, len(items))
	for _, it := range items {
		m[it.Code] = it
	}
	return m, nil
}

// ---- models ----

// LoadGradingDefaults stores the embedded default grading models once
// (the first start; later starts find the setting and do nothing).
func (s *Service) LoadGradingDefaults(ctx context.Context) error {
	var loaded bool
	if err := s.view(ctx, func(tx xinyong.Tx) error {
		_, err := tx.Meta(MetaGradingDefaults)
		loaded = err == nil
		if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
			return nil
		}
		return err
	}); err != nil || loaded {
		return err
	}
	ms, err := refdata.GradingModels()
	if err != nil {
		return fmt.Errorf("default grading models: %w", err)
	}
	return s.update(ctx, xinyong.System, func(t *txn) error {
		if _, err := t.Meta(MetaGradingDefaults); err == nil {
			return nil
		}
		cat, err := catalogueMap(t)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if _, err := t.GradingModel(m.ID, 0); err == nil {
				continue // a province stored its own under the same id
			}
			if err := xinyong.ValidateGradingModel(m, cat); err != nil {
				return fmt.Errorf("default grading model %s against the stored catalogue: %w", m.ID, err)
			}
			m.CreatedAt, m.CreatedBy = t.Now(), xinyong.System.Ref()
			if err := t.storeModel(m, "default model (reference data, provenance "+string(m.Provenance)+")"); err != nil {
				return err
			}
		}
		return t.SetMeta(MetaGradingDefaults, refdata.GradingFile)
	})
}

func (t *txn) storeModel(m xinyong.GradingModel, detail string) error {
	if err := t.InsertGradingModel(m); err != nil {
		return err
	}
	if _, err := t.jsonLeaf(LeafGradingModel, "grading_model", m.ID, m.Version, gradingModelSalt, m); err != nil {
		return err
	}
	return t.audit(ActGradingModelCreate, "grading_model", m.ID+"@"+strconv.Itoa(m.Version), nil, m, detail)
}

// CreateGradingModel stores a grading model (admin): version 1 of a new id,
// or the next version of an existing one. A model reading anything outside
// the catalogue is refused.
func (s *Service) CreateGradingModel(ctx context.Context, actor xinyong.Actor, m xinyong.GradingModel) (xinyong.GradingModel, error) {
	if err := denyGrading(actor, xinyong.ActGradingManage, xinyong.Resource{}); err != nil {
		return m, err
	}
	m = xinyong.NormalizeGradingModel(m)
	err := s.update(ctx, actor, func(t *txn) error {
		cat, err := catalogueMap(t)
		if err != nil {
			return err
		}
		m.Version = 1
		cur, err := t.GradingModel(m.ID, 0)
		switch {
		case err == nil:
			if m, err = xinyong.NextGradingModelVersion(cur, m); err != nil {
				return err
			}
		case xinyong.ErrorCode(err) != xinyong.ENOTFOUND:
			return err
		}
		if err := xinyong.ValidateGradingModel(m, cat); err != nil {
			return err
		}
		if m.DepartmentID != "" {
			d, err := findDepartment(t, m.DepartmentID)
			if err != nil {
				return xinyong.Invalid("the grading model is not valid", xinyong.FieldError{Field: "department_id", Rule: "grading.department", Message: "no department " + m.DepartmentID})
			}
			m.DepartmentID = d.ID
		}
		m.CreatedAt, m.CreatedBy = t.Now(), actor.Ref()
		return t.storeModel(m, fmt.Sprintf("version %d, %d indicators, effective %s", m.Version, len(m.Indicators), m.EffectiveFrom))
	})
	return m, err
}

// GradingModels lists the latest version of every model. Models are the
// published rules grades come from: anyone may read them.
func (s *Service) GradingModels(ctx context.Context) ([]xinyong.GradingModel, error) {
	var out []xinyong.GradingModel
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		out, err = tx.GradingModels()
		return err
	})
	if out == nil {
		out = []xinyong.GradingModel{}
	}
	return out, err
}

// GradingModel returns a model's latest version and every version.
func (s *Service) GradingModel(ctx context.Context, id string) (xinyong.GradingModel, []xinyong.GradingModel, error) {
	var vs []xinyong.GradingModel
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		vs, err = tx.GradingModelVersions(id)
		return err
	})
	if err != nil {
		return xinyong.GradingModel{}, nil, err
	}
	return vs[len(vs)-1], vs, nil
}

// resolveModel returns the model named, in its version in force on the
// day (a model with no version in force is refused: nobody is graded under
// a version not yet or no longer in force), or the default model when id
// is "": of each model the version in force on the day, and of those the
// most recently created one marked default (xinyong.DefaultGradingModel).
// A next version stored ahead of its effective date leaves the current
// one in force until then.
func resolveModel(tx xinyong.Tx, id string, on xinyong.Date) (xinyong.GradingModel, error) {
	if id != "" {
		vs, err := tx.GradingModelVersions(id)
		if err != nil {
			return xinyong.GradingModel{}, err
		}
		if m, ok := xinyong.GradingVersionInForce(vs, on); ok {
			return m, nil
		}
		return xinyong.GradingModel{}, noVersionInForce(id, vs, on)
	}
	latest, err := tx.GradingModels()
	if err != nil {
		return xinyong.GradingModel{}, err
	}
	all := make([][]xinyong.GradingModel, 0, len(latest))
	for _, m := range latest {
		vs := []xinyong.GradingModel{m}
		if m.Version > 1 {
			if vs, err = tx.GradingModelVersions(m.ID); err != nil {
				return xinyong.GradingModel{}, err
			}
		}
		all = append(all, vs)
	}
	if m, ok := xinyong.DefaultGradingModel(all, on); ok {
		return m, nil
	}
	return xinyong.GradingModel{}, xinyong.Errorf(xinyong.ENOTFOUND, "no default grading model is in force on %s: name one with ?model=ID", on)
}

// noVersionInForce is the error for a model named with no version in
// force on the day: when the next one takes effect, or when the last one
// ended.
func noVersionInForce(id string, vs []xinyong.GradingModel, on xinyong.Date) error {
	var next *xinyong.GradingModel
	for i := range vs {
		if !vs[i].EffectiveFrom.IsZero() && on.Before(vs[i].EffectiveFrom) && (next == nil || vs[i].EffectiveFrom.Before(next.EffectiveFrom)) {
			next = &vs[i]
		}
	}
	if next != nil {
		return xinyong.Errorf(xinyong.ENOTFOUND, "grading model %s has no version in force on %s: version %d takes effect on %s", id, on, next.Version, next.EffectiveFrom)
	}
	return xinyong.Errorf(xinyong.ENOTFOUND, "grading model %s has no version in force on %s: it is no longer in force", id, on)
}

// resultsModel is the model a read or an export of results names
// (readModel): the version whose results are read, whether it is the
// version in force on the day, and every version of the model.
type resultsModel struct {
	m        xinyong.GradingModel
	inForce  bool
	versions []xinyong.GradingModel
}

// readModel resolves the model a read or an export of grades names. Only
// grading is confined to the version in force (resolveModel): results
// computed under a version stay readable after it has ended. id "" is the
// default model in force on the day (version must be 0); a model named by
// id is its version in force on the day or, when none is, the latest
// version that had taken effect by then (its results, if any, are read;
// nobody is graded under it). version > 0 names that version, which must
// exist. A model whose every version lies ahead has no results.
func readModel(tx xinyong.Tx, id string, version int, on xinyong.Date) (resultsModel, error) {
	if id == "" {
		if version != 0 {
			return resultsModel{}, xinyong.Invalid("bad model", xinyong.FieldError{Field: "version", Rule: "grading.version", Message: "a version is of a model: name the model with ?model=ID"})
		}
		m, err := resolveModel(tx, "", on)
		if err != nil {
			return resultsModel{}, err
		}
		vs, err := tx.GradingModelVersions(m.ID)
		return resultsModel{m: m, inForce: true, versions: vs}, err
	}
	if version < 0 {
		return resultsModel{}, xinyong.Invalid("bad model", xinyong.FieldError{Field: "version", Rule: "grading.version", Message: "a model version is a whole number from 1"})
	}
	vs, err := tx.GradingModelVersions(id)
	if err != nil {
		return resultsModel{}, err
	}
	cur, ok := xinyong.GradingVersionInForce(vs, on)
	if version > 0 {
		i := slices.IndexFunc(vs, func(m xinyong.GradingModel) bool { return m.Version == version })
		if i < 0 {
			return resultsModel{}, xinyong.Errorf(xinyong.ENOTFOUND, "grading model %s has no version %d", id, version)
		}
		if vs[i].EffectiveFrom.After(on) {
			return resultsModel{}, xinyong.Errorf(xinyong.ENOTFOUND, "grading model %s version %d takes effect on %s: nothing was graded under it", id, version, vs[i].EffectiveFrom)
		}
		return resultsModel{m: vs[i], inForce: ok && cur.Version == version, versions: vs}, nil
	}
	if ok {
		return resultsModel{m: cur, inForce: true, versions: vs}, nil
	}
	var last *xinyong.GradingModel
	for i := range vs {
		if !vs[i].EffectiveFrom.After(on) && (last == nil || vs[i].Version > last.Version) {
			last = &vs[i]
		}
	}
	if last == nil {
		return resultsModel{}, noVersionInForce(id, vs, on) // not yet in force: nothing was graded under it
	}
	return resultsModel{m: *last, versions: vs}, nil
}

// version returns the model's version v (for a grade computed under it),
// or the resolved one when v is not among the versions read.
func (r resultsModel) version(v int) xinyong.GradingModel {
	for _, m := range r.versions {
		if m.Version == v {
			return m
		}
	}
	return r.m
}

// noResults is the error for a read of results under a model version not
// in force on the day (version: the one named, 0 none), when none were
// computed under it: nobody is graded for the answer.
func noResults(r resultsModel, version int, on xinyong.Date, what string) error {
	if version > 0 {
		return xinyong.Errorf(xinyong.ENOTFOUND, "grading model %s version %d is not in force on %s, so nobody is graded under it; %s", r.m.ID, version, on, what)
	}
	return xinyong.Errorf(xinyong.ENOTFOUND, "%s; %s", xinyong.ErrorMessage(noVersionInForce(r.m.ID, r.versions, on)), what)
}

// ---- evaluation ----

// grader grades a set of subjects read in one transaction.
type grader struct {
	ev      *xinyong.Evaluator
	items   []string
	fieldIt map[string]bool
}

func newGrader(m xinyong.GradingModel) *grader {
	g := &grader{ev: xinyong.NewEvaluator(m), items: m.Items(), fieldIt: map[string]bool{}}
	for _, it := range m.FieldItems() {
		g.fieldIt[it] = true
	}
	return g
}

// subjectRecords is one subject's records as read.
type subjectRecords struct {
	id   string
	recs []xinyong.GradingRecord
}

// read reads the records of the subjects (ids in order) in tx: from the
// covering index, then the details of the few records that need them
// (leniency flags, fields of items read with a field condition), and the
// repair outcomes and listings unless loaded for the whole run.
func (g *grader) read(tx xinyong.Tx, ids []string, after string, byRange bool) ([]subjectRecords, int, error) {
	out := make([]subjectRecords, len(ids))
	pos := make(map[string]int, len(ids))
	for i, id := range ids {
		out[i].id = id
		pos[id] = i
	}
	var need []string
	type ref struct{ s, r int }
	var needAt []ref
	var all []string
	n := 0
	fn := func(subj string, r xinyong.GradingRecord, lenient bool) error {
		i, ok := pos[subj]
		if !ok {
			return nil
		}
		if lenient || g.fieldIt[r.Item] {
			need = append(need, r.ID)
			needAt = append(needAt, ref{i, len(out[i].recs)})
		}
		all = append(all, r.ID)
		out[i].recs = append(out[i].recs, r)
		n++
		return nil
	}
	var err error
	if byRange && len(ids) > 0 {
		err = tx.GradingRecordsBetween(after, ids[len(ids)-1], g.items, fn)
	} else {
		err = tx.GradingRecordsOf(ids, g.items, fn)
	}
	if err != nil {
		return nil, 0, err
	}
	if len(need) > 0 {
		det, err := tx.GradingRecordDetails(need)
		if err != nil {
			return nil, 0, err
		}
		for _, at := range needAt {
			r := &out[at.s].recs[at.r]
			if d, ok := det[r.ID]; ok {
				r.Leniency, r.Fields = d.Leniency, d.Fields
			}
		}
	}
	// Only the records read: RepairOutcomes(nil) answers every repaired
	// record of the store, a whole-table read for subjects with none.
	var repairs map[string]xinyong.RepairOutcome
	if len(all) > 0 {
		if repairs, err = tx.RepairOutcomes(all); err != nil {
			return nil, 0, err
		}
	}
	if len(repairs) > 0 {
		for i := range out {
			for j := range out[i].recs {
				if o, ok := repairs[out[i].recs[j].ID]; ok {
					out[i].recs[j].Repair = o
				}
			}
		}
	}
	return out, n, nil
}

// gradeOne reads and grades one subject in tx.
func gradeOne(tx xinyong.Tx, m xinyong.GradingModel, subjectID string, on xinyong.Date) (xinyong.Grade, error) {
	g := newGrader(m)
	head, err := tx.LedgerHead()
	if err != nil {
		return xinyong.Grade{}, err
	}
	srs, _, err := g.read(tx, []string{subjectID}, "", false)
	if err != nil {
		return xinyong.Grade{}, err
	}
	ls, err := tx.ListedListings([]string{subjectID})
	if err != nil {
		return xinyong.Grade{}, err
	}
	res := g.ev.Evaluate(xinyong.GradeInput{Records: srs[0].recs, Listings: ls[subjectID]}, on)
	return xinyong.Grade{SubjectID: subjectID, ModelID: m.ID, ModelVersion: m.Version, Grade: res.Grade, Score: res.Score, On: on,
		Explanation: res.Explanation, LedgerSize: head.Size, Source: "evaluation", ComputedAt: tx.Now()}, nil
}

// GradeView is a grade as shown: the model's names beside the codes, and
// each indicator (those that counted nothing too) with the records behind it.
type GradeView struct {
	xinyong.Grade
	Subject    SubjectRef        `json:"subject"`
	ModelName  string            `json:"model_name"`
	Band       xinyong.GradeBand `json:"band"`
	Indicators []IndicatorView   `json:"indicators"`
	Stored     bool              `json:"stored"` // false: computed for this answer, not stored
	// Outdated: a record the stored grade counted has stopped counting
	// since (withdrawn or repaired), or a listing it counted has (removed,
	// or its period ended: xinyong.CountedListingStop), and the grade was
	// not recomputed (OutdatedWhy): OutdatedBy names each record or
	// listing and the day it stopped.
	Outdated   bool            `json:"outdated,omitempty"`
	OutdatedBy []StoppedRecord `json:"outdated_by,omitempty"`
	// OutdatedWhy says why the grade was not recomputed: "ended" (its
	// model has no version in force today, so nobody is graded under it)
	// or "stale" (the model is in force: the evaluation that stored it
	// read the records before they stopped counting — a run or an
	// evaluation older than the grade updates; the next one grades anew).
	OutdatedWhy string              `json:"outdated_why,omitempty"`
	Records     map[string]GradeRec `json:"records,omitempty"`
	Reviews     []GradeReviewView   `json:"reviews,omitempty"`
	// QueryID: the query-use entry of a supervision read that described
	// records the public does not see (supervision.go).
	QueryID string `json:"query_id,omitempty"`
	// beyond: the records described beyond the public's view, for a
	// supervision read to register.
	beyond supervisionRead
}

// SubjectRef names a subject.
type SubjectRef struct {
	ID   string              `json:"id"`
	Code string              `json:"code"`
	Name string              `json:"name"`
	Kind xinyong.SubjectKind `json:"kind"`
}

// IndicatorView is one indicator of a grade.
type IndicatorView struct {
	xinyong.IndicatorScore
	Name  string   `json:"name"`
	Items []string `json:"items"`
}

// GradeRec describes a record behind a grade (no field values).
type GradeRec struct {
	Item     string           `json:"item"`
	Number   string           `json:"number"`
	Decision xinyong.Date     `json:"decision_date"`
	Severity xinyong.Severity `json:"severity,omitempty"`
}

func gradeSubjectRef(s xinyong.Subject) SubjectRef {
	return SubjectRef{ID: s.ID, Code: s.Code, Name: s.DisplayName(), Kind: s.Kind}
}

// gradeView builds the answer for actor. The records behind a grade are
// described (item, number, date, severity) only to who may read them
// (xinyong.GradeRecordShown); the explanation keeps every record's id and reason.
// The records described to a supervisor (admin, auditor) that the public
// does not see are noted (v.beyond) for the caller to register.
func (s *Service) gradeView(tx xinyong.Tx, actor xinyong.Actor, g xinyong.Grade, subj xinyong.Subject, stored bool) (GradeView, error) {
	v := GradeView{Grade: g, Subject: gradeSubjectRef(subj), Stored: stored, Records: map[string]GradeRec{}, beyond: supervisionRead{subjectID: subj.ID}}
	cat, err := s.catalogue(tx)
	if err != nil {
		return v, err
	}
	on := xinyong.DateOf(tx.Now())
	m, err := tx.GradingModel(g.ModelID, g.ModelVersion)
	if err != nil {
		return v, err
	}
	v.ModelName = m.Name
	v.Band, _ = m.Band(g.Grade)
	scores := map[string]xinyong.IndicatorScore{}
	for _, s := range g.Explanation.Indicators {
		scores[s.Code] = s
	}
	var ids []string
	for _, in := range m.Indicators {
		s, ok := scores[in.Code]
		if !ok {
			s = xinyong.IndicatorScore{Code: in.Code}
		}
		v.Indicators = append(v.Indicators, IndicatorView{IndicatorScore: s, Name: in.Name, Items: in.Items})
		ids = append(ids, s.Records...)
	}
	deleted := map[string]bool{}
	for _, n := range g.Explanation.NotCounted {
		ids = append(ids, n.Record)
		deleted[n.Record] = deleted[n.Record] || n.Reason == "repaired."+string(xinyong.RepairDeleted)
	}
	repaired, err := tx.RecordRepairs(ids)
	if err != nil {
		return v, err
	}
	for _, id := range ids {
		if _, ok := v.Records[id]; ok || len(v.Records) >= 200 || deleted[id] || repaired[id] == xinyong.RepairDeleted {
			continue // a record deleted by credit repair is shown to nobody (DOMAIN.md §6)
		}
		r, err := tx.Record(id)
		if err != nil {
			continue // erased or gone since: the id stays in the explanation
		}
		if !xinyong.GradeRecordShown(actor, subj, r, cat.byCode[r.Item], repaired[id], on) {
			continue
		}
		v.Records[id] = GradeRec{Item: r.Item, Number: r.Document.Number, Decision: r.Document.DecisionDate, Severity: r.Severity}
		if supervises(actor) && !xinyong.PublicSees(r, subj, cat.byCode[r.Item], repaired[id], on) {
			v.beyond.ids, v.beyond.items = append(v.beyond.ids, id), append(v.beyond.items, r.Item)
		}
	}
	return v, nil
}

// subjectFor resolves a subject reference for grading ("me": the signed-in
// subject) and checks the actor may read its grade.
func (s *Service) subjectFor(tx xinyong.Tx, actor xinyong.Actor, ref string, action xinyong.Action) (xinyong.Subject, error) {
	var subj xinyong.Subject
	var err error
	if ref == "me" && actor.SubjectID != "" {
		subj, err = tx.Subject(actor.SubjectID)
	} else {
		subj, err = s.lookupSubject(tx, ref)
	}
	if err != nil {
		return subj, err
	}
	if err := denyGrading(actor, action, xinyong.Resource{SubjectID: subj.ID}); err != nil {
		if xinyong.ErrorCode(err) == xinyong.EFORBIDDEN && actor.Role == xinyong.RoleSubject {
			// Another subject's grade: as if it did not exist.
			return subj, xinyong.Errorf(xinyong.ENOTFOUND, "no credit subject %s", strings.TrimSpace(ref))
		}
		return subj, err
	}
	return subj, nil
}

// SubjectGrade returns the subject's stored grade under the model (the
// default when modelID is ""), with its explanation and reviews; a subject
// never graded under the model is graded for the answer (not stored).
func (s *Service) SubjectGrade(ctx context.Context, actor xinyong.Actor, ref, modelID string) (GradeView, error) {
	return s.SubjectGradeVersion(ctx, actor, ref, modelID, 0)
}

// SubjectGradeVersion is SubjectGrade naming the model's version too (0:
// any). A model named with no version in force on the day (no longer, or
// a version named that is not the one in force) answers the grade stored
// under it, if the subject has one computed under that version; nobody is
// graded for the answer under a version not in force (readModel).
func (s *Service) SubjectGradeVersion(ctx context.Context, actor xinyong.Actor, ref, modelID string, version int) (GradeView, error) {
	var v GradeView
	err := s.view(ctx, func(tx xinyong.Tx) error {
		subj, err := s.subjectFor(tx, actor, ref, xinyong.ActGradeRead)
		if err != nil {
			return err
		}
		on := xinyong.DateOf(tx.Now())
		rm, err := readModel(tx, modelID, version, on)
		if err != nil {
			return err
		}
		m := rm.m
		g, err := tx.Grade(subj.ID, m.ID)
		stored := err == nil && (version == 0 || g.ModelVersion == version)
		switch {
		case err != nil && xinyong.ErrorCode(err) != xinyong.ENOTFOUND:
			return err
		case stored:
		case rm.inForce:
			if g, err = gradeOne(tx, m, subj.ID, on); err != nil {
				return err
			}
		default:
			return noResults(rm, version, on, "the subject has no grade stored under it")
		}
		if v, err = s.gradeView(tx, actor, g, subj, stored); err != nil {
			return err
		}
		if stored {
			if v.OutdatedBy, err = gradeOutdated(tx, g); err != nil {
				return err
			}
			v.Outdated = len(v.OutdatedBy) > 0
			if v.Outdated {
				v.OutdatedWhy = "stale"
				if _, ok := xinyong.GradingVersionInForce(rm.versions, on); !ok {
					v.OutdatedWhy = "ended"
				}
			}
		}
		rs, err := tx.GradeReviews(xinyong.GradeReviewFilter{SubjectID: subj.ID})
		if err != nil {
			return err
		}
		for _, r := range rs {
			if r.ModelID == m.ID {
				v.Reviews = append(v.Reviews, GradeReviewView{GradeReview: r, Overdue: xinyong.ReviewOverdue(r, on)})
			}
		}
		return nil
	})
	if err == nil {
		// A supervisor shown records the public does not see: a
		// registered query (supervision.go, DOMAIN.md §7), before the
		// answer.
		var qids []string
		if qids, err = s.registerSupervisionReads(ctx, actor, []supervisionRead{v.beyond}); err != nil {
			return GradeView{}, err
		}
		if len(qids) > 0 {
			v.QueryID = qids[0]
		}
	}
	return v, err
}

// EvaluateSubject grades one subject now under the model and stores the
// grade (admin, or a department officer), audited.
func (s *Service) EvaluateSubject(ctx context.Context, actor xinyong.Actor, ref, modelID string) (GradeView, error) {
	var v GradeView
	err := s.update(ctx, actor, func(t *txn) error {
		subj, err := s.subjectFor(t, actor, ref, xinyong.ActGradeRead)
		if err != nil {
			return err
		}
		if actor.Role == xinyong.RoleSubject {
			return xinyong.Errorf(xinyong.EFORBIDDEN, "a subject asks for a review of its grade; grading is the departments' and the platform's")
		}
		if err := xinyong.Authorize(actor, xinyong.ActGradeEvaluate, xinyong.Resource{SubjectID: subj.ID}, nil); err != nil {
			return err
		}
		// The sequencer lock before the grade row: every writer of a grade
		// takes it first (a run's chunk, a review's regrade, a repair's or
		// withdrawal's regrade). Writing the row first and locking at the
		// first leaf made a cycle with a chunk that holds the lock and
		// waits for the row: a deadlock on PostgreSQL, which fails the run.
		if err := t.lockLedgerFirst(); err != nil {
			return err
		}
		on := xinyong.DateOf(t.Now())
		m, err := resolveModel(t, modelID, on)
		if err != nil {
			return err
		}
		g, err := gradeOne(t, m, subj.ID, on)
		if err != nil {
			return err
		}
		if err := t.PutGrades([]xinyong.Grade{g}); err != nil {
			return err
		}
		if v, err = s.gradeView(t, actor, g, subj, true); err != nil {
			return err
		}
		// The admin shown records the public does not see: registered in
		// this transaction (supervision.go, DOMAIN.md §7).
		for _, e := range s.supervisionEntries(actor, []supervisionRead{v.beyond}) {
			if err := s.appendQueryUse(t, e); err != nil {
				return err
			}
			v.QueryID = e.ID
		}
		return t.audit(ActGradeEvaluate, "grade", m.ID+":"+subj.ID, nil, g, fmt.Sprintf("%s %s %.2f (model %s@%d, ledger size %d)", subj.ID, g.Grade, g.Score, m.ID, m.Version, g.LedgerSize))
	})
	return v, err
}

// ---- batch runs ----

// RunInput starts a batch run.
type RunInput struct {
	Model      string `json:"model,omitempty"`      // model id ("" the default)
	Department string `json:"department,omitempty"` // a department's id or code ("" everyone)
}

// RunView is a run with its progress.
type RunView struct {
	xinyong.GradingRun
	Progress float64 `json:"progress"`
	Stale    bool    `json:"stale,omitempty"` // running without progress: its process died; resume it
}

func runView(r xinyong.GradingRun, now time.Time) RunView {
	return RunView{GradingRun: r, Progress: r.Progress(), Stale: r.State == xinyong.RunRunning && now.Sub(r.UpdatedAt) > GradingStaleAfter}
}

func mayReadRuns(actor xinyong.Actor) error {
	if actor.Role == xinyong.RoleAuditor {
		return nil
	}
	return denyGrading(actor, xinyong.ActGradingManage, xinyong.Resource{})
}

// StartGradingRun records a new batch run (admin) and returns it; RunGrading
// then does the work. A run of the same model and scope still making
// progress is a conflict; one gone stale is marked failed.
func (s *Service) StartGradingRun(ctx context.Context, actor xinyong.Actor, in RunInput) (xinyong.GradingRun, error) {
	var run xinyong.GradingRun
	if err := denyGrading(actor, xinyong.ActGradingManage, xinyong.Resource{}); err != nil {
		return run, err
	}
	err := s.update(ctx, actor, func(t *txn) error {
		now := t.Now()
		on := xinyong.DateOf(now)
		m, err := resolveModel(t, strings.TrimSpace(in.Model), on)
		if err != nil {
			return err
		}
		run = xinyong.GradingRun{ID: NewID(), ModelID: m.ID, ModelVersion: m.Version, Scope: "all", On: on, State: xinyong.RunRunning,
			Counts: map[string]int{}, By: actor.Ref(), StartedAt: now, UpdatedAt: now}
		if d := strings.TrimSpace(in.Department); d != "" {
			dep, err := findDepartment(t, d)
			if err != nil {
				return xinyong.Invalid("bad run", xinyong.FieldError{Field: "department", Rule: "grading.department", Message: "no department " + d})
			}
			run.Scope, run.DepartmentID = "department", dep.ID
			ids, err := t.DepartmentSubjectIDs(dep.ID)
			if err != nil {
				return err
			}
			run.Total = len(ids)
		} else if run.Total, err = t.CountSubjects(); err != nil {
			return err
		}
		runs, err := t.GradingRuns(200)
		if err != nil {
			return err
		}
		for _, o := range runs {
			if o.State != xinyong.RunRunning || o.ModelID != run.ModelID || o.DepartmentID != run.DepartmentID {
				continue
			}
			if now.Sub(o.UpdatedAt) <= GradingStaleAfter {
				return xinyong.Errorf(xinyong.ECONFLICT, "grading run %s of model %s over the same subjects is running (%d of %d done): wait for it", o.ID, o.ModelID, o.Done, o.Total)
			}
			before := o
			o.State, o.Message, o.UpdatedAt = xinyong.RunFailed, "interrupted: no progress for "+GradingStaleAfter.String()+"; resume it or start anew", now
			if err := t.UpdateGradingRun(o); err != nil {
				return err
			}
			if err := t.audit(ActGradingRunFail, "grading_run", o.ID, before, o, fmt.Sprintf("failed after %d of %d subjects: %s (a new run of the same model and scope starts)", o.Done, o.Total, o.Message)); err != nil {
				return err
			}
		}
		if err := t.InsertGradingRun(run); err != nil {
			return err
		}
		return t.audit(ActGradingRunStart, "grading_run", run.ID, nil, run, fmt.Sprintf("model %s@%d, scope %s %s, %d subjects", m.ID, m.Version, run.Scope, run.DepartmentID, run.Total))
	})
	return run, err
}

// GradingProgress reports a run's progress after each committed chunk.
type GradingProgress func(xinyong.GradingRun)

// gradeChunk is one chunk on its way through the pipeline.
type gradeChunk struct {
	after   string
	last    string
	subs    []subjectRecords
	records int
	ledger  int64 // the ledger's size when the chunk was read
	// listings: the chunk's subjects' listings in force, read with its
	// records.
	listings map[string][]xinyong.GradingListing
	grades   []xinyong.Grade
	digest   [32]byte
	counts   map[string]int
	err      error
}

// RunGrading runs (or resumes after its cursor) a batch run: a reader
// reads chunks of subjects in id order with their records, an evaluator
// grades them, and this goroutine commits each chunk's grades with the
// run's progress in one transaction. At the end, one ledger leaf commits
// to the digest of the run's results. force resumes a run that still
// looks alive.
func (s *Service) RunGrading(ctx context.Context, actor xinyong.Actor, id string, force bool, progress GradingProgress) (xinyong.GradingRun, error) {
	var run xinyong.GradingRun
	var m xinyong.GradingModel
	var deptIDs []string
	g := (*grader)(nil)
	// Claim the run.
	err := s.update(ctx, actor, func(t *txn) error {
		var err error
		if run, err = t.GradingRun(id); err != nil {
			return err
		}
		if err := denyGrading(actor, xinyong.ActGradingManage, xinyong.Resource{}); err != nil {
			return err
		}
		switch {
		case run.State == xinyong.RunDone:
			return xinyong.Errorf(xinyong.ECONFLICT, "grading run %s is done", id)
		case run.State == xinyong.RunRunning && !force && run.Done > 0 && t.Now().Sub(run.UpdatedAt) <= GradingStaleAfter:
			return xinyong.Errorf(xinyong.ECONFLICT, "grading run %s is running in another process", id)
		}
		if m, err = t.GradingModel(run.ModelID, run.ModelVersion); err != nil {
			return err
		}
		if run.Scope == "department" {
			if deptIDs, err = t.DepartmentSubjectIDs(run.DepartmentID); err != nil {
				return err
			}
		}
		// Repair outcomes and listings are read with each chunk's records
		// (in the chunk's read transaction), not once here: a repair or a
		// listing removed while the run is under way counts no more in the
		// chunks read after it.
		g = newGrader(m)
		before := run
		run.State, run.Message, run.UpdatedAt = xinyong.RunRunning, "", t.Now()
		if err := t.UpdateGradingRun(run); err != nil {
			return err
		}
		return t.audit(ActGradingRunResume, "grading_run", run.ID, before, run, claimDetail(before, t.Now(), force))
	})
	if err != nil {
		return run, err
	}
	run, err = s.runGrading(ctx, actor, run, m, g, deptIDs, progress)
	if err != nil && ctx.Err() == nil {
		msg := xinyong.ErrorMessage(err)
		if xinyong.ErrorCode(err) == xinyong.EINTERNAL {
			s.log().Error("grading run failed", "run", run.ID, "err", err)
			msg = "internal error; the server log has the cause (run " + run.ID + ")"
		}
		msg = xinyong.MaskCitizenIDs(msg) // shown on the console and kept in the audit trail (DOMAIN.md §7)
		if ferr := s.update(context.Background(), actor, func(t *txn) error {
			cur, err := t.GradingRun(run.ID)
			if err != nil {
				return err
			}
			before := cur
			cur.State, cur.Message, cur.UpdatedAt = xinyong.RunFailed, msg, t.Now()
			if err := t.UpdateGradingRun(cur); err != nil {
				return err
			}
			run = cur
			return t.audit(ActGradingRunFail, "grading_run", cur.ID, before, cur, fmt.Sprintf("failed after %d of %d subjects: %s", cur.Done, cur.Total, msg))
		}); ferr != nil {
			s.log().Error("marking a grading run failed", "run", run.ID, "err", ferr)
		}
		if progress != nil {
			progress(run)
		}
		return run, err
	}
	if err != nil {
		return run, err
	}
	// Finish: one leaf committing to the run's digest, and the audit event.
	err = s.update(ctx, actor, func(t *txn) error {
		cur, err := t.GradingRun(run.ID)
		if err != nil {
			return err
		}
		now := t.Now()
		cur.State, cur.Digest, cur.FinishedAt, cur.UpdatedAt = xinyong.RunDone, cur.Chain, &now, now
		if cur.LedgerIdx, err = t.jsonLeaf(LeafGradingRun, "grading_run", cur.ID, 1, gradingRunSalt, runCommitment(cur)); err != nil {
			return err
		}
		if err := t.UpdateGradingRun(cur); err != nil {
			return err
		}
		run = cur
		return t.audit(ActGradingRunFinish, "grading_run", cur.ID, nil, runCommitment(cur), fmt.Sprintf("%d subjects, %d records, grades %v, digest %s", cur.Done, cur.Records, cur.Counts, cur.Digest))
	})
	if progress != nil {
		progress(run)
	}
	return run, err
}

// claimDetail describes a claim of a run for its audit event: from which
// state, how far it had come, and whether it was taken over (stale, or
// forced while it looked alive).
func claimDetail(r xinyong.GradingRun, now time.Time, force bool) string {
	how := "first pass after its start"
	switch {
	case r.State == xinyong.RunFailed:
		how = "resumed after failing: " + r.Message
	case r.State == xinyong.RunRunning && r.Done > 0 && now.Sub(r.UpdatedAt) > GradingStaleAfter:
		how = "taken over: no progress since " + r.UpdatedAt.UTC().Format(time.RFC3339)
	case r.State == xinyong.RunRunning && r.Done > 0 && force:
		how = "taken over by force while it looked alive"
	case r.Done > 0 || r.Cursor != "":
		how = "resumed"
	}
	return fmt.Sprintf("from state %s at %d of %d subjects (cursor %q): %s", r.State, r.Done, r.Total, r.Cursor, how)
}

// runCommitment is what a run's ledger leaf commits to: the run's identity,
// scope, model version, counts and the digest of its results.
func runCommitment(r xinyong.GradingRun) any {
	return map[string]any{"id": r.ID, "model": r.ModelID, "version": r.ModelVersion, "scope": r.Scope, "department": r.DepartmentID,
		"on": r.On.String(), "subjects": r.Done, "records": r.Records, "counts": r.Counts, "digest": r.Digest}
}

// GradeDigestLine is the line of one grade in a run's digest:
// subject id, grade, score, ledger size, separated by tabs.
func GradeDigestLine(g xinyong.Grade) string {
	return g.SubjectID + "\t" + g.Grade + "\t" + strconv.FormatFloat(g.Score, 'f', 2, 64) + "\t" + strconv.FormatInt(g.LedgerSize, 10) + "\n"
}

// ChainDigest extends a run's digest with a chunk's digest:
// hex(SHA-256(previous hex ‖ chunk digest)).
func ChainDigest(prev string, chunk [32]byte) string {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write(chunk[:])
	return hex.EncodeToString(h.Sum(nil))
}

// chunkCommitment is what a chunk's audit event commits to (its after
// digest): the run, the chunk's range of subject ids (after, last], how
// many subjects and records it graded, its grades by grade, the digest of
// its grade lines and the run's digest chained over it.
func chunkCommitment(run, after, last string, subjects, records int, counts map[string]int, digest [32]byte, chain string) any {
	return map[string]any{"run": run, "after": after, "last": last, "subjects": subjects, "records": records,
		"counts": counts, "digest": hex.EncodeToString(digest[:]), "chain": chain}
}

func (s *Service) runGrading(ctx context.Context, actor xinyong.Actor, run xinyong.GradingRun, m xinyong.GradingModel, g *grader, deptIDs []string, progress GradingProgress) (xinyong.GradingRun, error) {
	ctx, cancel := context.WithCancel(ctx)
	// On any return the reader and evaluator are cancelled and waited for:
	// a reader left inside a read transaction would outlive the run (and
	// hold a connection of a store being closed).
	var stages sync.WaitGroup
	defer stages.Wait()
	defer cancel()
	read := make(chan *gradeChunk, 2)
	graded := make(chan *gradeChunk, 2)
	// What the reader and the evaluator need of the run, copied: the writer
	// below replaces run with each committed version.
	startCursor, byDept := run.Cursor, run.Scope == "department"
	runID, modelID, modelVersion, on := run.ID, run.ModelID, run.ModelVersion, run.On
	// Reader: chunks of subject ids after the cursor, with their records.
	stages.Go(func() {
		defer close(read)
		after := startCursor
		if byDept && after != "" {
			i, found := slices.BinarySearch(deptIDs, after)
			if found {
				i++
			}
			deptIDs = deptIDs[i:]
		}
		for {
			c := &gradeChunk{after: after}
			var ids []string
			c.err = s.view(ctx, func(tx xinyong.Tx) error {
				h, err := tx.LedgerHead()
				if err != nil {
					return err
				}
				c.ledger = h.Size
				if byDept {
					n := min(GradingChunk, len(deptIDs))
					ids, deptIDs = deptIDs[:n], deptIDs[n:]
				} else if ids, err = tx.SubjectIDsAfter(after, GradingChunk); err != nil {
					return err
				}
				if len(ids) == 0 {
					return nil
				}
				if c.subs, c.records, err = g.read(tx, ids, after, !byDept); err != nil {
					return err
				}
				c.listings, err = tx.ListedListings(ids)
				return err
			})
			if c.err == nil && len(ids) == 0 {
				return
			}
			if len(ids) > 0 {
				c.last = ids[len(ids)-1]
				after = c.last
			}
			select {
			case read <- c:
			case <-ctx.Done():
				return
			}
			if c.err != nil {
				return
			}
		}
	})
	// Evaluator.
	stages.Go(func() {
		defer close(graded)
		for c := range read {
			if c.err == nil {
				h := sha256.New()
				c.grades = make([]xinyong.Grade, 0, len(c.subs))
				c.counts = map[string]int{}
				now := s.Now()
				for _, sr := range c.subs {
					res := g.ev.Evaluate(xinyong.GradeInput{Records: sr.recs, Listings: c.listings[sr.id]}, on)
					gr := xinyong.Grade{SubjectID: sr.id, ModelID: modelID, ModelVersion: modelVersion, Grade: res.Grade, Score: res.Score, On: on,
						Explanation: res.Explanation, LedgerSize: c.ledger, RunID: runID, Source: "evaluation", ComputedAt: now}
					c.grades = append(c.grades, gr)
					c.counts[gr.Grade]++
					h.Write([]byte(GradeDigestLine(gr)))
				}
				copy(c.digest[:], h.Sum(nil))
				c.subs, c.listings = nil, nil
			}
			select {
			case graded <- c:
			case <-ctx.Done():
				return
			}
		}
	})
	// Writer: each chunk's grades and the run's progress in one transaction,
	// with its audit event (and that event's ledger leaf) summarising the
	// chunk: every mutating operation is audited in its own transaction.
	// The leaves scanned for changes so far (subjectsChangedSince): each
	// chunk scans only the leaves appended since the last chunk's write,
	// and a subject is graded anew when its last change is at or after
	// the leaf its chunk was read at (chunks are read in order, so the
	// first chunk's read point is the lowest).
	scanned := int64(-1)
	lastChange := map[string]int64{}
	for c := range graded {
		if c.err != nil {
			return run, c.err
		}
		var next xinyong.GradingRun
		err := s.update(ctx, actor, func(t *txn) error {
			// The sequencer lock first: every other writer of a grade (a
			// repair's or withdrawal's regrade, a subject's evaluation, a
			// review's regrade) audits it, and so appends a leaf, in the
			// transaction that stores it. Under the lock those committed
			// are all in the ledger, and those to come wait for this chunk.
			if err := t.lockLedgerFirst(); err != nil {
				return err
			}
			cur, err := t.GradingRun(run.ID)
			if err != nil {
				return err
			}
			if cur.Cursor != c.after {
				return xinyong.Errorf(xinyong.ECONFLICT, "grading run %s was resumed elsewhere meanwhile", run.ID)
			}
			// A subject whose records, listings or stored grade changed
			// after the chunk was read (a repair approved, a record
			// withdrawn, a listing removed, a grade stored by a repair's
			// regrade or a review) is graded anew here, under the lock:
			// the grade read earlier would count again what stopped
			// counting, over the grade that no longer does.
			from := c.ledger
			if scanned > from {
				from = scanned
			}
			changed, err := subjectsChangedSince(t, modelID, from, t.head.Size)
			if err != nil {
				return err
			}
			for subj, idx := range changed {
				lastChange[subj] = max(lastChange[subj], idx)
			}
			scanned = max(scanned, t.head.Size)
			regraded := 0
			for i, g := range c.grades {
				if at, ok := lastChange[g.SubjectID]; !ok || at < c.ledger {
					continue
				}
				ng, err := gradeOne(t, m, g.SubjectID, on)
				if err != nil {
					return err
				}
				ng.RunID = runID
				c.grades[i] = ng
				regraded++
			}
			if regraded > 0 {
				c.counts, c.digest = gradeCounts(c.grades), gradesDigest(c.grades)
			}
			if err := t.PutGrades(c.grades); err != nil {
				return err
			}
			cur.Done += len(c.grades)
			cur.Records += int64(c.records)
			if cur.Counts == nil {
				cur.Counts = map[string]int{}
			}
			for k, n := range c.counts {
				cur.Counts[k] += n
			}
			cur.Total = max(cur.Total, cur.Done)
			cur.Cursor, cur.Chain, cur.UpdatedAt = c.last, ChainDigest(cur.Chain, c.digest), t.Now()
			if err := t.UpdateGradingRun(cur); err != nil {
				return err
			}
			next = cur
			return t.audit(ActGradingRunChunk, "grading_run", cur.ID, nil,
				chunkCommitment(cur.ID, c.after, c.last, len(c.grades), c.records, c.counts, c.digest, cur.Chain),
				fmt.Sprintf("chunk of subjects (%q, %q]: %d subjects, %d records, grades %v%s; %d of %d done", c.after, c.last, len(c.grades), c.records, c.counts, regradedNote(regraded), cur.Done, cur.Total))
		})
		if err != nil {
			return run, err
		}
		run = next
		if progress != nil {
			progress(run)
		}
	}
	return run, ctx.Err()
}

// subjectsChangedSince returns the subjects the ledger's leaves from..to-1
// show changed for grading under the model (with the lock held, to is the
// head), each with the index of its last such leaf: a grade stored (every
// writer of a grade but a run's chunk audits it as object grade
// MODEL:SUBJECT in the transaction that stores it), a repair decided, a
// record's new version (a changed decision, an objection's correction) or
// withdrawal, a listing changed. Each leaf is looked up once, in batches.
func subjectsChangedSince(tx xinyong.Tx, modelID string, from, to int64) (map[string]int64, error) {
	if from >= to {
		return nil, nil
	}
	prefix := "grade:" + modelID + ":"
	out := map[string]int64{}
	note := func(subj string, idx int64) {
		if subj != "" {
			out[subj] = max(out[subj], idx)
		}
	}
	type ref struct {
		id  string
		idx int64
	}
	var repairs, records, listings []ref
	err := tx.LedgerEntries(from, to, func(e xinyong.LedgerEntry) error {
		switch {
		case e.ObjectType == "audit" && strings.HasPrefix(e.ObjectID, prefix):
			note(e.ObjectID[len(prefix):], e.Index)
		case e.Kind == LeafRepair:
			repairs = append(repairs, ref{e.ObjectID, e.Index})
		case e.Kind == ledger.KindRecordWithdrawn || (e.Kind == ledger.KindRecordVersion && e.Version > 1):
			records = append(records, ref{e.ObjectID, e.Index})
		case e.Kind == LeafListing:
			listings = append(listings, ref{e.ObjectID, e.Index})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, r := range repairs {
		if rep, err := tx.Repair(r.id); err == nil {
			note(rep.SubjectID, r.idx)
		} else if xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
			return nil, err
		}
	}
	// Records: one statement per 500 ids (a bulk intake of changed
	// versions during a run appends many such leaves).
	for i := 0; i < len(records); i += 500 {
		batch := records[i:min(i+500, len(records))]
		ids := make([]string, len(batch))
		for j, r := range batch {
			ids[j] = r.id
		}
		subjects, err := tx.RecordSubjects(ids)
		if err != nil {
			return nil, err
		}
		for _, r := range batch {
			note(subjects[r.id], r.idx)
		}
	}
	for _, l := range listings {
		if ls, err := tx.Listing(l.id); err == nil {
			note(ls.SubjectID, l.idx)
		} else if xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
			return nil, err
		}
	}
	return out, nil
}

// gradeCounts counts grades by letter.
func gradeCounts(gs []xinyong.Grade) map[string]int {
	out := map[string]int{}
	for _, g := range gs {
		out[g.Grade]++
	}
	return out
}

// gradesDigest is the digest of the grades' lines (GradeDigestLine).
func gradesDigest(gs []xinyong.Grade) [32]byte {
	h := sha256.New()
	for _, g := range gs {
		h.Write([]byte(GradeDigestLine(g)))
	}
	var d [32]byte
	copy(d[:], h.Sum(nil))
	return d
}

func regradedNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d graded anew at the write: changed after the chunk was read)", n)
}

// GradingRun returns a run with its progress (admin, auditor).
func (s *Service) GradingRun(ctx context.Context, actor xinyong.Actor, id string) (RunView, error) {
	if err := mayReadRuns(actor); err != nil {
		return RunView{}, err
	}
	var v RunView
	err := s.view(ctx, func(tx xinyong.Tx) error {
		r, err := tx.GradingRun(id)
		if err != nil {
			return err
		}
		v = runView(r, tx.Now())
		return nil
	})
	return v, err
}

// GradingRuns lists the latest runs (admin, auditor).
func (s *Service) GradingRuns(ctx context.Context, actor xinyong.Actor, limit int) ([]RunView, error) {
	if err := mayReadRuns(actor); err != nil {
		return nil, err
	}
	out := []RunView{}
	err := s.view(ctx, func(tx xinyong.Tx) error {
		rs, err := tx.GradingRuns(limit)
		for _, r := range rs {
			out = append(out, runView(r, tx.Now()))
		}
		return err
	})
	return out, err
}

// ---- export ----

// GradeExport streams the model's grades of a department's subjects, by
// grade. Officers and reviewers export their own department's; the admin
// any department's (departmentRef "" for every subject).
func (s *Service) GradeExport(ctx context.Context, actor xinyong.Actor, modelID, departmentRef string, fn func(xinyong.GradingModel, xinyong.Grade, xinyong.Subject) error) error {
	return s.GradeExportVersion(ctx, actor, modelID, 0, departmentRef, fn)
}

// GradeExportVersion is GradeExport naming the model's version too (0:
// every version's grades). fn gets each grade with the model version it
// was computed under. A model named with no version in force on the day
// is exported if grades were computed under it (readModel), else refused.
func (s *Service) GradeExportVersion(ctx context.Context, actor xinyong.Actor, modelID string, version int, departmentRef string, fn func(xinyong.GradingModel, xinyong.Grade, xinyong.Subject) error) error {
	return s.gradeExport(ctx, actor, modelID, version, departmentRef, false, func(r GradeRow) error { return fn(r.Model, r.Grade, r.Subject) })
}

// gradeExport streams the rows of GradeExportVersion; withOutdated reads
// the records that stopped counting first and flags the rows whose grade
// counted one of them.
func (s *Service) gradeExport(ctx context.Context, actor xinyong.Actor, modelID string, version int, departmentRef string, withOutdated bool, fn func(GradeRow) error) error {
	return s.view(ctx, func(tx xinyong.Tx) error {
		deptID := ""
		switch {
		case actor.Role == xinyong.RoleOfficer || actor.Role == xinyong.RoleReviewer:
			deptID = actor.DepartmentID
			if departmentRef != "" {
				d, err := findDepartment(tx, departmentRef)
				if err != nil || d.ID != deptID {
					return xinyong.Errorf(xinyong.EFORBIDDEN, "an officer exports only its own department's subjects")
				}
			}
		case departmentRef != "":
			d, err := findDepartment(tx, departmentRef)
			if err != nil {
				return xinyong.Errorf(xinyong.ENOTFOUND, "no department %s", departmentRef)
			}
			deptID = d.ID
		}
		res := xinyong.Resource{DepartmentID: deptID}
		if deptID == "" && actor.Role == xinyong.RoleAdmin {
			res.DepartmentID = ""
		}
		if err := denyGrading(actor, xinyong.ActGradeExport, res); err != nil {
			return err
		}
		on := xinyong.DateOf(tx.Now())
		rm, err := readModel(tx, modelID, version, on)
		if err != nil {
			return err
		}
		if !rm.inForce {
			counts, err := tx.GradeCounts(rm.m.ID)
			if err != nil {
				return err
			}
			n := 0
			for _, c := range counts {
				n += c
			}
			if n == 0 {
				return noResults(rm, version, on, "no grades were computed under it")
			}
		}
		var outdated outdatedIndex
		if withOutdated {
			if outdated, err = loadOutdated(tx, rm.m.ID, deptID, version); err != nil {
				return err
			}
		}
		return tx.ExportGrades(rm.m.ID, deptID, func(g xinyong.Grade, subj xinyong.Subject) error {
			if version > 0 && g.ModelVersion != version {
				return nil
			}
			row := GradeRow{Model: rm.version(g.ModelVersion), Grade: g, Subject: subj, OutdatedBy: outdated[g.SubjectID]}
			row.Outdated = len(row.OutdatedBy) > 0
			return fn(row)
		})
	})
}

// GradeCounts counts the model's grades by grade (for the console).
func (s *Service) GradeCounts(ctx context.Context, actor xinyong.Actor, modelID string) (map[string]int, error) {
	if err := mayReadRuns(actor); err != nil {
		return nil, err
	}
	var out map[string]int
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		out, err = tx.GradeCounts(modelID)
		return err
	})
	return out, err
}

// ---- reviews ----

// GradeReviewView is a review with whether it is past its limit.
type GradeReviewView struct {
	xinyong.GradeReview
	Overdue bool `json:"overdue"`
}

func reviewDays(tx xinyong.Tx) int {
	v, err := tx.Meta(MetaGradeReviewDays)
	if err != nil {
		return xinyong.DefaultGradeReviewDays
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > 60 {
		return xinyong.DefaultGradeReviewDays
	}
	return n
}

func reviewNotFound(id string) error {
	return &xinyong.Error{Code: xinyong.ENOTFOUND, Message: "review " + id + " not found"}
}

func mayReadReview(actor xinyong.Actor, r xinyong.GradeReview) bool {
	if actor.Kind == "system" || actor.Kind == "cli" || actor.Role == xinyong.RoleAuditor {
		return true
	}
	if actor.Role == xinyong.RoleSubject {
		return actor.SubjectID != "" && actor.SubjectID == r.SubjectID
	}
	return xinyong.Authorize(actor, xinyong.ActGradeReviewDecide, xinyong.Resource{DepartmentID: r.DepartmentID}, nil) == nil
}

// FileGradeReview: the subject asks for a human review of its stored grade
// under the model (the default when in.Model is ""). One open review per
// subject and model at a time.
func (s *Service) FileGradeReview(ctx context.Context, actor xinyong.Actor, ref string, in xinyong.GradeReviewInput) (xinyong.GradeReview, error) {
	var r xinyong.GradeReview
	err := s.update(ctx, actor, func(t *txn) error {
		subj, err := s.subjectFor(t, actor, ref, xinyong.ActGradeRead)
		if err != nil {
			return err
		}
		if err := xinyong.Authorize(actor, xinyong.ActGradeReviewFile, xinyong.Resource{SubjectID: subj.ID}, nil); err != nil {
			return err
		}
		today := xinyong.DateOf(t.Now())
		m, err := resolveModel(t, strings.TrimSpace(in.Model), today)
		if err != nil {
			return err
		}
		g, err := t.Grade(subj.ID, m.ID)
		if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
			return xinyong.Errorf(xinyong.ECONFLICT, "subject %s has no stored grade under model %s yet: a review is of a grade given", subj.Code, m.ID)
		}
		if err != nil {
			return err
		}
		gm, err := t.GradingModel(g.ModelID, g.ModelVersion)
		if err != nil {
			return err
		}
		open, err := t.GradeReviews(xinyong.GradeReviewFilter{SubjectID: subj.ID, Open: true})
		if err != nil {
			return err
		}
		for _, o := range open {
			if o.ModelID == m.ID {
				return xinyong.Errorf(xinyong.ECONFLICT, "a review of this grade is being handled (%s, due %s): wait for its answer", o.ID, o.Deadline)
			}
		}
		cal, _, err := s.rules(t)
		if err != nil {
			return err
		}
		if r, err = xinyong.FileGradeReview(g, gm, in, today, reviewDays(t), cal); err != nil {
			return err
		}
		now := t.Now()
		r.ID, r.FiledBy, r.CreatedAt, r.UpdatedAt, r.UpdatedBy = NewID(), actor.Ref(), now, now, actor.Ref()
		if err := t.InsertGradeReview(r); err != nil {
			return err
		}
		if _, err := t.jsonLeaf(LeafGradeReview, "grade_review", r.ID, r.Version, gradeReviewSalt, r); err != nil {
			return err
		}
		return t.audit(ActGradeReviewFiled, "grade_review", r.ID, nil, r, fmt.Sprintf("grade %s under %s@%d, due %s", r.Grade, r.ModelID, r.ModelVersion, r.Deadline))
	})
	return r, err
}

// DecideGradeReview answers a review (the platform, or the model's
// department): upheld, or regraded — the subject's grade becomes the
// reviewer's, with the review named as its source (the next evaluation of
// the model's cycle grades anew).
func (s *Service) DecideGradeReview(ctx context.Context, actor xinyong.Actor, id string, in xinyong.ReviewDecisionInput) (xinyong.GradeReview, error) {
	var r xinyong.GradeReview
	err := s.update(ctx, actor, func(t *txn) error {
		// The sequencer lock before the grade is read: a repair or a
		// withdrawal regrading the subject meanwhile (regradeOnStop, under
		// the same lock) either committed before — and its grade is the one
		// read and changed here — or waits for this one; the grade read
		// unlocked could be written back with the old explanation.
		if err := t.lockLedgerFirst(); err != nil {
			return err
		}
		cur, err := t.GradeReview(id)
		if xinyong.ErrorCode(err) == xinyong.ENOTFOUND || (err == nil && !mayReadReview(actor, cur)) {
			return reviewNotFound(id)
		}
		if err != nil {
			return err
		}
		if err := denyGrading(actor, xinyong.ActGradeReviewDecide, xinyong.Resource{DepartmentID: cur.DepartmentID}); err != nil {
			return err
		}
		m, err := t.GradingModel(cur.ModelID, cur.ModelVersion)
		if err != nil {
			return err
		}
		if r, err = xinyong.DecideGradeReview(cur, m, in, xinyong.DateOf(t.Now()), actor.Ref()); err != nil {
			return err
		}
		r.UpdatedAt, r.UpdatedBy = t.Now(), actor.Ref()
		if err := t.UpdateGradeReview(r, cur.State, cur.Version); err != nil {
			return err
		}
		if r.Decision.Outcome == xinyong.ReviewRegraded {
			g, err := t.Grade(r.SubjectID, r.ModelID)
			if err != nil {
				return err
			}
			if err := xinyong.RegradeTarget(r, g); err != nil {
				return err
			}
			before := g
			g.Grade, g.Source, g.ComputedAt, g.RunID = r.Decision.Grade, "review:"+r.ID, t.Now(), ""
			if err := t.PutGrades([]xinyong.Grade{g}); err != nil {
				return err
			}
			if err := t.audit("grade.regrade", "grade", g.ModelID+":"+g.SubjectID, before, g, before.Grade+" → "+g.Grade+": "+r.Decision.Reasons); err != nil {
				return err
			}
		}
		if _, err := t.jsonLeaf(LeafGradeReview, "grade_review", r.ID, r.Version, gradeReviewSalt, r); err != nil {
			return err
		}
		return t.audit(ActGradeReviewDecided, "grade_review", r.ID, cur, r, r.Decision.Outcome+" "+r.Decision.Grade+": "+r.Decision.Reasons)
	})
	return r, err
}

// GradeReview returns a review to who may read it.
func (s *Service) GradeReview(ctx context.Context, actor xinyong.Actor, id string) (GradeReviewView, error) {
	var v GradeReviewView
	err := s.view(ctx, func(tx xinyong.Tx) error {
		r, err := tx.GradeReview(id)
		if xinyong.ErrorCode(err) == xinyong.ENOTFOUND || (err == nil && !mayReadReview(actor, r)) {
			return reviewNotFound(id)
		}
		if err != nil {
			return err
		}
		v = GradeReviewView{GradeReview: r, Overdue: xinyong.ReviewOverdue(r, xinyong.DateOf(tx.Now()))}
		return nil
	})
	return v, err
}

// GradeReviews lists reviews: the admin and auditors all, officers and
// reviewers those of their department's models, a subject its own.
func (s *Service) GradeReviews(ctx context.Context, actor xinyong.Actor, open bool) ([]GradeReviewView, error) {
	f := xinyong.GradeReviewFilter{Open: open}
	switch {
	case actor.Kind == "system" || actor.Kind == "cli" || actor.Role == xinyong.RoleAdmin || actor.Role == xinyong.RoleAuditor:
	case (actor.Role == xinyong.RoleOfficer || actor.Role == xinyong.RoleReviewer) && actor.DepartmentID != "":
		d := actor.DepartmentID
		f.DepartmentID = &d
	case actor.Role == xinyong.RoleSubject && actor.SubjectID != "":
		f.SubjectID = actor.SubjectID
	default:
		return nil, denyObjection(actor, "list grade reviews")
	}
	out := []GradeReviewView{}
	err := s.view(ctx, func(tx xinyong.Tx) error {
		rs, err := tx.GradeReviews(f)
		today := xinyong.DateOf(tx.Now())
		for _, r := range rs {
			out = append(out, GradeReviewView{GradeReview: r, Overdue: xinyong.ReviewOverdue(r, today)})
		}
		return err
	})
	return out, err
}
