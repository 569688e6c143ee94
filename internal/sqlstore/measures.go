package sqlstore

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"xinyong"
)

// Measures checks and feedback (issue 6).

const checkCols = `id, at, actor, organisation, subject_id, subject_digest, matter, purpose, result, result_digest, receipt, query_id, ledger_idx`

// AddMeasureCheck stores a check.
func (t *Tx) AddMeasureCheck(c xinyong.MeasureCheck) error {
	return t.exec(`INSERT INTO measure_check (`+checkCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, Micros(c.At), c.Actor, c.Organisation, c.SubjectID, c.SubjectDigest, c.Matter, c.Purpose, string(c.Result), c.ResultDigest, string(c.Receipt), c.QueryID, c.LedgerIdx)
}

// MeasureCheck returns the check with the id.
func (t *Tx) MeasureCheck(id string) (xinyong.MeasureCheck, error) {
	var c xinyong.MeasureCheck
	var at int64
	var result, receipt string
	err := t.row(`SELECT `+checkCols+` FROM measure_check WHERE id = ?`, id).Scan(&c.ID, &at, &c.Actor, &c.Organisation, &c.SubjectID, &c.SubjectDigest,
		&c.Matter, &c.Purpose, &result, &c.ResultDigest, &receipt, &c.QueryID, &c.LedgerIdx)
	if err != nil {
		return c, notFound("measures check", err)
	}
	c.At, c.Result, c.Receipt = FromMicros(at), []byte(result), []byte(receipt)
	return c, nil
}

const feedbackCols = `id, check_id, at, actor, measure_id, applied, reason, refused, refusal`

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// AddMeasureFeedback appends feedback rows.
func (t *Tx) AddMeasureFeedback(fs []xinyong.MeasureFeedback) error {
	for _, f := range fs {
		if err := t.exec(`INSERT INTO measure_feedback (`+feedbackCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			f.ID, f.CheckID, Micros(f.At), f.Actor, f.MeasureID, boolInt(f.Applied), f.Reason, boolInt(f.Refused), f.Refusal); err != nil {
			return err
		}
	}
	return nil
}

// MeasureFeedback returns the feedback on a check, oldest first.
func (t *Tx) MeasureFeedback(checkID string) ([]xinyong.MeasureFeedback, error) {
	rows, err := t.rows(`SELECT `+feedbackCols+` FROM measure_feedback WHERE check_id = ? ORDER BY at, id`, checkID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.MeasureFeedback
	for rows.Next() {
		var f xinyong.MeasureFeedback
		var at int64
		var applied, refused int
		if err := rows.Scan(&f.ID, &f.CheckID, &at, &f.Actor, &f.MeasureID, &applied, &f.Reason, &refused, &f.Refusal); err != nil {
			return nil, err
		}
		f.At, f.Applied, f.Refused = FromMicros(at), applied != 0, refused != 0
		out = append(out, f)
	}
	return out, rows.Err()
}

// CountRefusedFeedback counts the refused feedback rows recorded at or
// after since.
func (t *Tx) CountRefusedFeedback(since time.Time) (int64, error) {
	var n int64
	err := t.row(`SELECT COUNT(*) FROM measure_feedback WHERE refused = 1 AND at >= ?`, Micros(since)).Scan(&n)
	return n, err
}

// CheckRecords returns the subject's active records for the measures check
// from the record columns.
func (t *Tx) CheckRecords(subjectID string, limit int) ([]xinyong.CheckRecord, error) {
	// No ORDER BY: the rows come from a covering index (record_rules) and
	// are sorted here.
	q, args := `SELECT id, item, severity, status, published, pub_start, pub_max_end FROM record WHERE subject_id = ? AND status = ?`, []any{subjectID, string(xinyong.RecordActive)}
	if limit > 0 {
		q, args = q+` LIMIT ?`, append(args, limit)
	}
	rows, err := t.rows(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.CheckRecord
	for rows.Next() {
		var r xinyong.CheckRecord
		var sev, status string
		var start, maxEnd sql.NullString
		if err := rows.Scan(&r.ID, &r.Item, &sev, &status, &r.Window.Published, &start, &maxEnd); err != nil {
			return nil, err
		}
		r.Severity, r.Status, r.Window.Severity = xinyong.Severity(sev), xinyong.RecordStatus(status), xinyong.Severity(sev)
		if start.Valid {
			if r.Window.Start, err = xinyong.ParseDate(start.String); err != nil {
				return nil, fmt.Errorf("record %s: publication start: %w", r.ID, err)
			}
		}
		if maxEnd.Valid {
			if r.Window.MaxEnd, err = xinyong.ParseDate(maxEnd.String); err != nil {
				return nil, fmt.Errorf("record %s: publication end: %w", r.ID, err)
			}
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b xinyong.CheckRecord) int { return strings.Compare(a.ID, b.ID) })
	return out, rows.Err()
}
