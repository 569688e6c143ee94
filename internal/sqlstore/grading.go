package sqlstore

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"xinyong"
)

// Credit grading (issue 8): models (every version as JSON), grades (one
// per subject and model, explanation as JSON), runs and reviews; and the
// bulk reads a batch run makes (record_rules is a covering index).

// ---- models ----

// InsertGradingModel stores a model version.
func (t *Tx) InsertGradingModel(m xinyong.GradingModel) error {
	m.CreatedAt = UTC(m.CreatedAt)
	return t.exec(`INSERT INTO grading_model (id, version, effective_from, is_default, created_at, data) VALUES (?, ?, ?, ?, ?, ?)`,
		m.ID, m.Version, m.EffectiveFrom.String(), boolInt(m.Default), Micros(m.CreatedAt), mustJSON(m))
}

func (t *Tx) gradingModels(query string, args ...any) ([]xinyong.GradingModel, error) {
	rows, err := t.rows(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.GradingModel
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var m xinyong.GradingModel
		if err := json.Unmarshal([]byte(data), &m); err != nil {
			return nil, fmt.Errorf("decode grading model: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// GradingModel returns a model's version (0: the latest).
func (t *Tx) GradingModel(id string, version int) (xinyong.GradingModel, error) {
	var ms []xinyong.GradingModel
	var err error
	if version > 0 {
		ms, err = t.gradingModels(`SELECT data FROM grading_model WHERE id = ? AND version = ?`, id, version)
	} else {
		ms, err = t.gradingModels(`SELECT data FROM grading_model WHERE id = ? ORDER BY version DESC LIMIT 1`, id)
	}
	if err != nil {
		return xinyong.GradingModel{}, err
	}
	if len(ms) == 0 {
		return xinyong.GradingModel{}, &xinyong.Error{Code: xinyong.ENOTFOUND, Message: "grading model " + id + " not found"}
	}
	return ms[0], nil
}

// GradingModels returns the latest version of every model.
func (t *Tx) GradingModels() ([]xinyong.GradingModel, error) {
	return t.gradingModels(`SELECT m.data FROM grading_model m WHERE m.version = (SELECT MAX(v.version) FROM grading_model v WHERE v.id = m.id) ORDER BY m.id`)
}

// GradingModelVersions returns every version of a model, oldest first.
func (t *Tx) GradingModelVersions(id string) ([]xinyong.GradingModel, error) {
	ms, err := t.gradingModels(`SELECT data FROM grading_model WHERE id = ? ORDER BY version`, id)
	if err == nil && len(ms) == 0 {
		return nil, &xinyong.Error{Code: xinyong.ENOTFOUND, Message: "grading model " + id + " not found"}
	}
	return ms, err
}

// ---- grades ----

const gradeCols = `model_id, subject_id, model_version, grade, score, on_date, ledger_size, run_id, source, computed_at, explanation`

// PutGrades upserts grades with multi-row statements.
func (t *Tx) PutGrades(gs []xinyong.Grade) error {
	const cols = 11
	const suffix = ` ON CONFLICT (model_id, subject_id) DO UPDATE SET model_version = excluded.model_version, grade = excluded.grade, score = excluded.score, on_date = excluded.on_date, ledger_size = excluded.ledger_size, run_id = excluded.run_id, source = excluded.source, computed_at = excluded.computed_at, explanation = excluded.explanation`
	ph := "(" + placeholders(cols) + ")"
	full := ""
	for start := 0; start < len(gs); start += insertRowsPerStatement {
		end := min(start+insertRowsPerStatement, len(gs))
		var q string
		if end-start == insertRowsPerStatement {
			if full == "" {
				full = `INSERT INTO grade (` + gradeCols + `) VALUES ` + strings.TrimSuffix(strings.Repeat(ph+", ", insertRowsPerStatement), ", ") + suffix
			}
			q = full
		} else {
			q = `INSERT INTO grade (` + gradeCols + `) VALUES ` + strings.TrimSuffix(strings.Repeat(ph+", ", end-start), ", ") + suffix
		}
		args := make([]any, 0, (end-start)*cols)
		for _, g := range gs[start:end] {
			ex, err := json.Marshal(g.Explanation)
			if err != nil {
				return err
			}
			args = append(args, g.ModelID, g.SubjectID, g.ModelVersion, g.Grade, g.Score, g.On.String(), g.LedgerSize, g.RunID, g.Source, Micros(UTC(g.ComputedAt)), string(ex))
		}
		if err := t.exec(q, args...); err != nil {
			return err
		}
	}
	return nil
}

func scanGrade(sc interface{ Scan(...any) error }, g *xinyong.Grade, extra ...any) error {
	var on, ex string
	var at int64
	dst := append([]any{&g.ModelID, &g.SubjectID, &g.ModelVersion, &g.Grade, &g.Score, &on, &g.LedgerSize, &g.RunID, &g.Source, &at, &ex}, extra...)
	if err := sc.Scan(dst...); err != nil {
		return err
	}
	d, err := xinyong.ParseDate(on)
	if err != nil {
		return fmt.Errorf("grade of %s: bad date %q", g.SubjectID, on)
	}
	g.On, g.ComputedAt = d, FromMicros(at)
	if ex != "" {
		if err := json.Unmarshal([]byte(ex), &g.Explanation); err != nil {
			return fmt.Errorf("decode grade explanation: %w", err)
		}
	}
	return nil
}

// Grade returns the subject's grade under the model.
func (t *Tx) Grade(subjectID, modelID string) (xinyong.Grade, error) {
	var g xinyong.Grade
	err := scanGrade(t.row(`SELECT `+gradeCols+` FROM grade WHERE model_id = ? AND subject_id = ?`, modelID, subjectID), &g)
	return g, notFound("grade", err)
}

// GradesOf returns the subject's grades under every model.
func (t *Tx) GradesOf(subjectID string) ([]xinyong.Grade, error) {
	rows, err := t.rows(`SELECT `+gradeCols+` FROM grade WHERE subject_id = ? ORDER BY model_id`, subjectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.Grade
	for rows.Next() {
		var g xinyong.Grade
		if err := scanGrade(rows, &g); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// ExportGrades streams the model's grades of a department's subjects.
func (t *Tx) ExportGrades(modelID, departmentID string, fn func(xinyong.Grade, xinyong.Subject) error) error {
	q := `SELECT g.model_id, g.subject_id, g.model_version, g.grade, g.score, g.on_date, g.ledger_size, g.run_id, g.source, g.computed_at, '', s.code, s.kind, s.name
FROM grade g JOIN subject s ON s.id = g.subject_id WHERE g.model_id = ?`
	args := []any{modelID}
	if departmentID != "" {
		q += ` AND g.subject_id IN (SELECT DISTINCT subject_id FROM record WHERE department_id = ?)`
		args = append(args, departmentID)
	}
	rows, err := t.rows(q+` ORDER BY g.grade, s.code`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var g xinyong.Grade
		var s xinyong.Subject
		var kind string
		if err := scanGrade(rows, &g, &s.Code, &kind, &s.Name); err != nil {
			return err
		}
		s.ID, s.Kind = g.SubjectID, xinyong.SubjectKind(kind)
		if err := fn(g, s); err != nil {
			return err
		}
	}
	return rows.Err()
}

// GradeCounts counts the model's grades by grade.
func (t *Tx) GradeCounts(modelID string) (map[string]int, error) {
	rows, err := t.rows(`SELECT grade, COUNT(*) FROM grade WHERE model_id = ? GROUP BY grade`, modelID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var g string
		var n int
		if err := rows.Scan(&g, &n); err != nil {
			return nil, err
		}
		out[g] = n
	}
	return out, rows.Err()
}

// ---- bulk reads ----

// SubjectIDsAfter returns up to limit subject ids after the id.
func (t *Tx) SubjectIDsAfter(after string, limit int) ([]string, error) {
	return t.strings(`SELECT id FROM subject WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
}

// CountSubjects counts the subjects.
func (t *Tx) CountSubjects() (int, error) {
	var n int
	err := t.row(`SELECT COUNT(*) FROM subject`).Scan(&n)
	return n, err
}

// DepartmentSubjectIDs returns the subjects with a record from the department.
func (t *Tx) DepartmentSubjectIDs(departmentID string) ([]string, error) {
	return t.strings(`SELECT DISTINCT subject_id FROM record WHERE department_id = ? ORDER BY subject_id`, departmentID)
}

func (t *Tx) strings(query string, args ...any) ([]string, error) {
	rows, err := t.rows(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// gradingSelect reads the covering index record_rules (migration 0013), so
// the table is not read.
const gradingSelect = `SELECT subject_id, item, status, decision_date, severity, id, lenient FROM record WHERE `

func itemArgs(items []string) (string, []any) {
	args := make([]any, len(items))
	for i, it := range items {
		args[i] = it
	}
	return `item IN (` + placeholders(len(items)) + `)`, args
}

// GradingRecordsBetween streams the records of subjects in (after, last].
func (t *Tx) GradingRecordsBetween(after, last string, items []string, fn func(string, xinyong.GradingRecord, bool) error) error {
	if len(items) == 0 {
		return nil
	}
	args := []any{after}
	q := gradingSelect + `subject_id > ?`
	if last != "" {
		q += ` AND subject_id <= ?`
		args = append(args, last)
	}
	cond, ia := itemArgs(items)
	args = append(args, ia...)
	return t.gradingRows(q+` AND `+cond+` ORDER BY subject_id`, fn, args...)
}

// GradingRecordsOf streams the records of the given subjects.
func (t *Tx) GradingRecordsOf(subjectIDs []string, items []string, fn func(string, xinyong.GradingRecord, bool) error) error {
	if len(items) == 0 {
		return nil
	}
	cond, itemArgs := itemArgs(items)
	for start := 0; start < len(subjectIDs); start += inChunk {
		chunk := subjectIDs[start:min(start+inChunk, len(subjectIDs))]
		args := make([]any, 0, len(chunk)+len(itemArgs))
		for _, id := range chunk {
			args = append(args, id)
		}
		args = append(args, itemArgs...)
		if err := t.gradingRows(gradingSelect+`subject_id IN (`+placeholders(len(chunk))+`) AND `+cond+` ORDER BY subject_id`, fn, args...); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tx) gradingRows(q string, fn func(string, xinyong.GradingRecord, bool) error, args ...any) error {
	rows, err := t.rows(q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var subj, item, status, decision, sev sql.RawBytes
	var id string
	var lenient bool
	var curSubj, curItem string
	for rows.Next() {
		if err := rows.Scan(&subj, &item, &status, &decision, &sev, &id, &lenient); err != nil {
			return err
		}
		// Subject ids and item codes repeat: keep one string of each.
		if string(subj) != curSubj {
			curSubj = string(subj)
		}
		if string(item) != curItem {
			curItem = string(item)
		}
		d, err := xinyong.ParseDate(string(decision))
		if err != nil {
			return fmt.Errorf("record %s: bad decision date %q", id, decision)
		}
		r := xinyong.GradingRecord{ID: id, Item: curItem, Status: recordStatus(status), Decision: d, Severity: severity(sev)}
		if err := fn(curSubj, r, lenient); err != nil {
			return err
		}
	}
	return rows.Err()
}

func recordStatus(b []byte) xinyong.RecordStatus {
	switch string(b) {
	case "active":
		return xinyong.RecordActive
	case "withdrawn":
		return xinyong.RecordWithdrawn
	}
	return xinyong.RecordStatus(string(b))
}

func severity(b []byte) xinyong.Severity {
	switch string(b) {
	case "":
		return xinyong.SeverityNone
	case "minor":
		return xinyong.SeverityMinor
	case "general":
		return xinyong.SeverityGeneral
	case "serious":
		return xinyong.SeveritySerious
	}
	return xinyong.Severity(string(b))
}

// GradingRecordDetails returns the leniency flags and fields of records.
func (t *Tx) GradingRecordDetails(ids []string) (map[string]xinyong.GradingRecord, error) {
	out := map[string]xinyong.GradingRecord{}
	for start := 0; start < len(ids); start += inChunk {
		chunk := ids[start:min(start+inChunk, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := t.rows(`SELECT data, status FROM record WHERE id IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var data, status string
			if err := rows.Scan(&data, &status); err != nil {
				rows.Close()
				return nil, err
			}
			var r xinyong.Record
			if err := json.Unmarshal([]byte(data), &r); err != nil {
				rows.Close()
				return nil, fmt.Errorf("decode record: %w", err)
			}
			out[r.ID] = xinyong.GradingRecord{ID: r.ID, Item: r.Item, Status: xinyong.RecordStatus(status), Decision: r.Document.DecisionDate,
				Severity: r.Severity, Leniency: r.Leniency, Fields: r.Fields}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ListedListings returns the listings in state listed, by subject (nil
// subjectIDs: every subject).
func (t *Tx) ListedListings(subjectIDs []string) (map[string][]xinyong.GradingListing, error) {
	out := map[string][]xinyong.GradingListing{}
	scan := func(q string, args ...any) error {
		rows, err := t.rows(q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var data string
			if err := rows.Scan(&data); err != nil {
				return err
			}
			l, err := decodeListing(data)
			if err != nil {
				return err
			}
			out[l.SubjectID] = append(out[l.SubjectID], xinyong.GradingListing{ID: l.ID, ListType: l.ListType, State: l.State, ListedOn: l.ListedOn, EndDate: l.EndDate})
		}
		return rows.Err()
	}
	if subjectIDs == nil {
		return out, scan(`SELECT data FROM listing WHERE state = ? ORDER BY id`, string(xinyong.ListingListed))
	}
	for start := 0; start < len(subjectIDs); start += inChunk {
		chunk := subjectIDs[start:min(start+inChunk, len(subjectIDs))]
		args := []any{string(xinyong.ListingListed)}
		for _, id := range chunk {
			args = append(args, id)
		}
		if err := scan(`SELECT data FROM listing WHERE state = ? AND subject_id IN (`+placeholders(len(chunk))+`) ORDER BY id`, args...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// RepairOutcomes returns the repair outcome of the repaired records among
// ids (nil: every repaired record).
func (t *Tx) RepairOutcomes(ids []string) (map[string]xinyong.RepairOutcome, error) {
	out := map[string]xinyong.RepairOutcome{}
	scan := func(q string, args ...any) error {
		rows, err := t.rows(q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, o string
			if err := rows.Scan(&id, &o); err != nil {
				return err
			}
			out[id] = xinyong.RepairOutcome(o)
		}
		return rows.Err()
	}
	if ids == nil {
		return out, scan(`SELECT record_id, outcome FROM record_repair`)
	}
	for start := 0; start < len(ids); start += inChunk {
		chunk := ids[start:min(start+inChunk, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		if err := scan(`SELECT record_id, outcome FROM record_repair WHERE record_id IN (`+placeholders(len(chunk))+`)`, args...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ---- runs ----

func runData(r xinyong.GradingRun) string {
	r.StartedAt, r.UpdatedAt = UTC(r.StartedAt), UTC(r.UpdatedAt)
	if r.FinishedAt != nil {
		f := UTC(*r.FinishedAt)
		r.FinishedAt = &f
	}
	return mustJSON(r)
}

// InsertGradingRun stores a new run.
func (t *Tx) InsertGradingRun(r xinyong.GradingRun) error {
	return t.exec(`INSERT INTO grading_run (id, state, started_at, updated_at, cursor, chain, data) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.State, Micros(UTC(r.StartedAt)), Micros(UTC(r.UpdatedAt)), r.Cursor, r.Chain, runData(r))
}

// UpdateGradingRun stores the run.
func (t *Tx) UpdateGradingRun(r xinyong.GradingRun) error {
	return t.execOne("grading run "+r.ID, `UPDATE grading_run SET state = ?, updated_at = ?, cursor = ?, chain = ?, data = ? WHERE id = ?`,
		r.State, Micros(UTC(r.UpdatedAt)), r.Cursor, r.Chain, runData(r), r.ID)
}

func scanRun(sc interface{ Scan(...any) error }) (xinyong.GradingRun, error) {
	var r xinyong.GradingRun
	var data, cursor, chain string
	if err := sc.Scan(&data, &cursor, &chain); err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(data), &r); err != nil {
		return r, fmt.Errorf("decode grading run: %w", err)
	}
	r.Cursor, r.Chain = cursor, chain
	return r, nil
}

// GradingRun returns a run.
func (t *Tx) GradingRun(id string) (xinyong.GradingRun, error) {
	r, err := scanRun(t.row(`SELECT data, cursor, chain FROM grading_run WHERE id = ?`, id))
	return r, notFound("grading run "+id, err)
}

// GradingRuns returns the latest runs first.
func (t *Tx) GradingRuns(limit int) ([]xinyong.GradingRun, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := t.rows(`SELECT data, cursor, chain FROM grading_run ORDER BY started_at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.GradingRun
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ---- reviews ----

func reviewOpen(r xinyong.GradeReview) int { return boolInt(r.State == xinyong.ReviewFiled) }

func reviewData(r xinyong.GradeReview) string {
	r.CreatedAt, r.UpdatedAt = UTC(r.CreatedAt), UTC(r.UpdatedAt)
	return mustJSON(r)
}

// InsertGradeReview stores a new review.
func (t *Tx) InsertGradeReview(r xinyong.GradeReview) error {
	return t.exec(`INSERT INTO grade_review (id, subject_id, model_id, department_id, state, open, version, deadline, updated_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.SubjectID, r.ModelID, r.DepartmentID, string(r.State), reviewOpen(r), r.Version, r.Deadline.String(), Micros(UTC(r.UpdatedAt)), reviewData(r))
}

// UpdateGradeReview stores the next version (compare and set).
func (t *Tx) UpdateGradeReview(r xinyong.GradeReview, from xinyong.GradeReviewState, fromVersion int) error {
	res, err := t.execResult(`UPDATE grade_review SET state = ?, open = ?, version = ?, deadline = ?, updated_at = ?, data = ? WHERE id = ? AND state = ? AND version = ?`,
		string(r.State), reviewOpen(r), r.Version, r.Deadline.String(), Micros(UTC(r.UpdatedAt)), reviewData(r), r.ID, string(from), fromVersion)
	return casOutcome(res, err, "review", r.ID, string(from), fromVersion, func() error { _, err := t.GradeReview(r.ID); return err })
}

// GradeReview returns a review.
func (t *Tx) GradeReview(id string) (xinyong.GradeReview, error) {
	var data string
	if err := t.row(`SELECT data FROM grade_review WHERE id = ?`, id).Scan(&data); err != nil {
		return xinyong.GradeReview{}, notFound("review "+id, err)
	}
	var r xinyong.GradeReview
	err := json.Unmarshal([]byte(data), &r)
	return r, err
}

// GradeReviews returns the reviews f selects, by id.
func (t *Tx) GradeReviews(f xinyong.GradeReviewFilter) ([]xinyong.GradeReview, error) {
	var conds []string
	var args []any
	if f.SubjectID != "" {
		conds, args = append(conds, "subject_id = ?"), append(args, f.SubjectID)
	}
	if f.DepartmentID != nil {
		conds, args = append(conds, "department_id = ?"), append(args, *f.DepartmentID)
	}
	if f.Open {
		conds = append(conds, "open = 1")
	}
	q := `SELECT data FROM grade_review`
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 500
	}
	rows, err := t.rows(q+` ORDER BY id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.GradeReview
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var r xinyong.GradeReview
		if err := json.Unmarshal([]byte(data), &r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
