package sqlstore

import (
	"encoding/json"
	"strings"
	"time"

	"xinyong"
)

// Compliance board, deadlines job, clean-up review and ledger verification
// jobs (issues 7 and 8). Portable SQL only: months are bucketed with a CASE
// over the microsecond columns (the month spans come from the domain, in
// Asia/Shanghai), so neither dialect's date functions are needed.

// bucketCase returns "CASE WHEN col >= ? AND col < ? THEN 0 … END" with its
// arguments, and the overall bounds.
func bucketCase(col string, spans []xinyong.MonthSpan) (string, []any, int64, int64) {
	var b strings.Builder
	args := make([]any, 0, 2*len(spans))
	b.WriteString("CASE")
	lo, hi := int64(1<<62), int64(-1<<62)
	for i, s := range spans {
		f, t := Micros(s.From), Micros(s.To)
		b.WriteString(" WHEN " + col + " >= ? AND " + col + " < ? THEN " + itoa(i))
		args = append(args, f, t)
		lo, hi = min(lo, f), max(hi, t)
	}
	b.WriteString(" ELSE -1 END")
	return b.String(), args, lo, hi
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// countBuckets runs "SELECT unit, b, COUNT(*) FROM (inner) x GROUP BY unit, b"
// and returns counts with the span's month.
func (t *Tx) countBuckets(spans []xinyong.MonthSpan, kind xinyong.ViolationKind, inner string, args []any) ([]xinyong.ComplianceCount, error) {
	rows, err := t.rows(`SELECT unit, b, COUNT(*) FROM (`+inner+`) x WHERE b >= 0 GROUP BY unit, b ORDER BY unit, b`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.ComplianceCount
	for rows.Next() {
		var unit string
		var b int
		var n int64
		if err := rows.Scan(&unit, &b, &n); err != nil {
			return nil, err
		}
		if b < 0 || b >= len(spans) {
			continue
		}
		out = append(out, xinyong.ComplianceCount{DepartmentID: unit, Month: spans[b].Month, Kind: kind, N: n})
	}
	return out, rows.Err()
}

// AddIntakeRefusals stores refused submissions.
func (t *Tx) AddIntakeRefusals(rs []xinyong.IntakeRefusal) error {
	for _, r := range rs {
		if err := t.exec(`INSERT INTO intake_refusal (id, department_id, at, month, channel, item, doc_number, rule, message, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.DepartmentID, Micros(r.At), xinyong.MonthOfTime(r.At).String(), r.Channel, r.Item, r.Number, r.Rule, r.Message, r.Actor); err != nil {
			return err
		}
	}
	return nil
}

// IntakeRefusals returns refusals in [from, to), newest first.
func (t *Tx) IntakeRefusals(dept string, from, to time.Time, limit int) ([]xinyong.IntakeRefusal, error) {
	q := `SELECT id, department_id, at, channel, item, doc_number, rule, message, actor FROM intake_refusal WHERE at >= ? AND at < ?`
	args := []any{Micros(from), Micros(to)}
	if dept != "" {
		q, args = q+` AND department_id = ?`, append(args, dept)
	}
	rows, err := t.rows(q+` ORDER BY at DESC, id DESC LIMIT ?`, append(args, limitOr(limit, 500))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.IntakeRefusal
	for rows.Next() {
		var r xinyong.IntakeRefusal
		var at int64
		if err := rows.Scan(&r.ID, &r.DepartmentID, &at, &r.Channel, &r.Item, &r.Number, &r.Rule, &r.Message, &r.Actor); err != nil {
			return nil, err
		}
		r.At = FromMicros(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

func limitOr(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}

// CountIntakeRefusals counts refusals per department and month.
func (t *Tx) CountIntakeRefusals(spans []xinyong.MonthSpan) ([]xinyong.ComplianceCount, error) {
	if len(spans) == 0 {
		return nil, nil
	}
	c, args, lo, hi := bucketCase("at", spans)
	return t.countBuckets(spans, xinyong.ViolationOutsideCatalogue,
		`SELECT department_id AS unit, `+c+` AS b FROM intake_refusal WHERE at >= ? AND at < ?`, append(args, lo, hi))
}

// importRefusalLike matches the stored JSON of a row error whose rule is
// catalogue.* (mustJSON writes FieldError without spaces).
const importRefusalLike = `%"rule":"catalogue.%`

// CountImportRefusals counts import row errors with a catalogue.* rule per
// department and month of the import job.
func (t *Tx) CountImportRefusals(spans []xinyong.MonthSpan) ([]xinyong.ComplianceCount, error) {
	if len(spans) == 0 {
		return nil, nil
	}
	c, args, lo, hi := bucketCase("j.created_at", spans)
	return t.countBuckets(spans, xinyong.ViolationOutsideCatalogue,
		`SELECT j.department_id AS unit, `+c+` AS b FROM import_job j JOIN import_error e ON e.import_id = j.id WHERE j.created_at >= ? AND j.created_at < ? AND e.data LIKE ?`,
		append(args, lo, hi, importRefusalLike))
}

// ImportRefusals returns the catalogue.* row errors of a department's
// imports created in [from, to).
func (t *Tx) ImportRefusals(dept string, from, to time.Time, limit int) ([]xinyong.IntakeRefusal, error) {
	q := `SELECT j.id, j.department_id, j.created_at, j.data, e.seq, e.data FROM import_job j JOIN import_error e ON e.import_id = j.id WHERE j.created_at >= ? AND j.created_at < ? AND e.data LIKE ?`
	args := []any{Micros(from), Micros(to), importRefusalLike}
	if dept != "" {
		q, args = q+` AND j.department_id = ?`, append(args, dept)
	}
	rows, err := t.rows(q+` ORDER BY j.created_at DESC, e.seq LIMIT ?`, append(args, limitOr(limit, 500))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.IntakeRefusal
	for rows.Next() {
		var id, dep, jdata, edata string
		var at int64
		var seq int
		if err := rows.Scan(&id, &dep, &at, &jdata, &seq, &edata); err != nil {
			return nil, err
		}
		var j xinyong.Import
		var fe xinyong.FieldError
		if err := json.Unmarshal([]byte(jdata), &j); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(edata), &fe); err != nil {
			return nil, err
		}
		out = append(out, xinyong.IntakeRefusal{ID: id + "#" + itoa(seq), DepartmentID: dep, At: FromMicros(at), Channel: "import", ImportID: id, Row: fe.Row,
			Item: j.Item, Rule: fe.Rule, Message: fe.Message, Actor: j.By})
	}
	return out, rows.Err()
}

// CountLateRecords counts late records per department and month of first
// submission (the partial index record_late covers the scan).
func (t *Tx) CountLateRecords(spans []xinyong.MonthSpan) ([]xinyong.ComplianceCount, error) {
	if len(spans) == 0 {
		return nil, nil
	}
	c, args, lo, hi := bucketCase("submitted_at", spans)
	return t.countBuckets(spans, xinyong.ViolationLateDisclosure,
		`SELECT department_id AS unit, `+c+` AS b FROM record WHERE late_days > 0 AND submitted_at >= ? AND submitted_at < ?`, append(args, lo, hi))
}

// LateRecords returns a department's late records first submitted in [from, to).
func (t *Tx) LateRecords(dept string, from, to time.Time, afterID string, limit int) ([]xinyong.Record, error) {
	q := `SELECT ` + recordCols + ` FROM record WHERE late_days > 0 AND submitted_at >= ? AND submitted_at < ? AND id > ?`
	args := []any{Micros(from), Micros(to), afterID}
	if dept != "" {
		q, args = q+` AND department_id = ?`, append(args, dept)
	}
	return t.scanRecords(q+` ORDER BY id LIMIT ?`, append(args, limitOr(limit, 500))...)
}

// CountRefusedFeedbackBy counts refused feedback lines per agency and month.
func (t *Tx) CountRefusedFeedbackBy(spans []xinyong.MonthSpan) ([]xinyong.FeedbackCount, error) {
	if len(spans) == 0 {
		return nil, nil
	}
	c, args, lo, hi := bucketCase("f.at", spans)
	rows, err := t.rows(`SELECT actor, org, b, COUNT(*) FROM (SELECT f.actor AS actor, COALESCE(c.organisation, '') AS org, `+c+` AS b
FROM measure_feedback f LEFT JOIN measure_check c ON c.id = f.check_id WHERE f.refused = 1 AND f.at >= ? AND f.at < ?) x
WHERE b >= 0 GROUP BY actor, org, b ORDER BY actor, org, b`, append(args, lo, hi)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.FeedbackCount
	for rows.Next() {
		var fc xinyong.FeedbackCount
		var b int
		if err := rows.Scan(&fc.Actor, &fc.Organisation, &b, &fc.N); err != nil {
			return nil, err
		}
		if b < 0 || b >= len(spans) {
			continue
		}
		fc.Month = spans[b].Month
		out = append(out, fc)
	}
	return out, rows.Err()
}

// RefusedFeedbackLines returns refused feedback lines in [from, to), newest
// first, after the given line (keyset: time descending, then id).
func (t *Tx) RefusedFeedbackLines(from, to time.Time, after *xinyong.RefusedFeedback, limit int) ([]xinyong.RefusedFeedback, error) {
	q := `SELECT f.id, f.check_id, f.at, f.actor, f.measure_id, f.applied, f.reason, f.refused, f.refusal, COALESCE(c.organisation, '')
FROM measure_feedback f LEFT JOIN measure_check c ON c.id = f.check_id WHERE f.refused = 1 AND f.at >= ? AND f.at < ?`
	args := []any{Micros(from), Micros(to)}
	if after != nil {
		// One range on at (both planners use it), then the tie on id.
		q += ` AND f.at <= ? AND (f.at < ? OR f.id > ?)`
		args = append(args, Micros(after.At), Micros(after.At), after.ID)
	}
	rows, err := t.rows(q+` ORDER BY f.at DESC, f.id LIMIT ?`, append(args, limitOr(limit, 500))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.RefusedFeedback
	for rows.Next() {
		var f xinyong.RefusedFeedback
		var at int64
		var applied, refused int
		if err := rows.Scan(&f.ID, &f.CheckID, &at, &f.Actor, &f.MeasureID, &applied, &f.Reason, &refused, &f.Refusal, &f.Organisation); err != nil {
			return nil, err
		}
		f.At, f.Applied, f.Refused = FromMicros(at), applied != 0, refused != 0
		out = append(out, f)
	}
	return out, rows.Err()
}

// ObjectionsByDeadline returns the objections whose deadline is in [from, to).
func (t *Tx) ObjectionsByDeadline(dept string, from, to xinyong.Date) ([]xinyong.Objection, error) {
	q := `SELECT data FROM objection WHERE deadline >= ? AND deadline < ?`
	args := []any{from.String(), to.String()}
	if dept != "" {
		q, args = q+` AND department_id = ?`, append(args, dept)
	}
	return t.objections(q+` ORDER BY deadline, id`, args...)
}

// ListingsWithDeadlines streams listings that had an objection or have an
// end date. Listings are few beside records; their step dates live in the
// JSON, so the rules read them in Go.
func (t *Tx) ListingsWithDeadlines(dept string, fn func(xinyong.Listing) error) error {
	q := `SELECT data FROM listing WHERE (end_date IS NOT NULL OR state <> 'proposed')`
	var args []any
	if dept != "" {
		q, args = q+` AND department_id = ?`, append(args, dept)
	}
	ls, err := t.listings(q+` ORDER BY id`, args...)
	if err != nil {
		return err
	}
	for _, l := range ls {
		if l.Objection == nil && l.EndDate.IsZero() {
			continue
		}
		if err := fn(l); err != nil {
			return err
		}
	}
	return nil
}

// PublicationsOpening returns active published records whose window starts
// after the decision date and in (after, upTo] (index record_pub_later).
func (t *Tx) PublicationsOpening(after, upTo xinyong.Date, limit int) ([]xinyong.Record, error) {
	lo := ""
	if !after.IsZero() {
		lo = after.String()
	}
	return t.scanRecords(`SELECT `+recordCols+` FROM record WHERE published = TRUE AND pub_start > decision_date AND pub_start > ? AND pub_start <= ? AND status = ? ORDER BY pub_start, id LIMIT ?`,
		lo, upTo.String(), string(xinyong.RecordActive), limitOr(limit, 1000))
}

// ItemHasRecords reports whether any record of the item exists.
func (t *Tx) ItemHasRecords(item string) (bool, error) {
	rows, err := t.rows(`SELECT 1 FROM record WHERE item = ? LIMIT 1`, item)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	found := rows.Next()
	return found, rows.Err()
}

func (t *Tx) countBy(q string, args ...any) (map[string]int64, error) {
	rows, err := t.rows(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var k string
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}

// CountListingsByType counts listings per list type, in every state (a
// list type's uses, history included).
func (t *Tx) CountListingsByType() (map[string]int64, error) {
	return t.countBy(`SELECT list_type, COUNT(*) FROM listing GROUP BY list_type`)
}

// CountListedListingsByType counts the listings in state listed per list
// type (those that trigger measures now).
func (t *Tx) CountListedListingsByType() (map[string]int64, error) {
	return t.countBy(`SELECT list_type, COUNT(*) FROM listing WHERE state = ? GROUP BY list_type`, string(xinyong.ListingListed))
}

// CountFeedbackByMeasure counts feedback lines per measure.
func (t *Tx) CountFeedbackByMeasure() (map[string]int64, error) {
	return t.countBy(`SELECT measure_id, COUNT(*) FROM measure_feedback GROUP BY measure_id`)
}

// ActiveSeverities returns the severities of which an active record exists
// (one probe per class, each stopping at the first row).
func (t *Tx) ActiveSeverities() (map[xinyong.Severity]bool, error) {
	out := map[xinyong.Severity]bool{}
	for _, s := range []xinyong.Severity{xinyong.SeverityMinor, xinyong.SeverityGeneral, xinyong.SeveritySerious} {
		rows, err := t.rows(`SELECT 1 FROM record WHERE severity = ? AND status = ? LIMIT 1`, string(s), string(xinyong.RecordActive))
		if err != nil {
			return nil, err
		}
		found := rows.Next()
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
		if found {
			out[s] = true
		}
	}
	return out, nil
}

// AddDeadlineNotice stores a notice once.
func (t *Tx) AddDeadlineNotice(n xinyong.DeadlineNotice) error {
	return t.exec(`INSERT INTO deadline_notice (kind, object_id, step, due, status, department_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		string(n.Kind), n.ObjectID, n.Step, n.Due.String(), string(n.Status), n.DepartmentID, Micros(n.At))
}

// HasDeadlineNotice reports whether the notice was stored.
func (t *Tx) HasDeadlineNotice(n xinyong.DeadlineNotice) (bool, error) {
	rows, err := t.rows(`SELECT 1 FROM deadline_notice WHERE kind = ? AND object_id = ? AND step = ? AND due = ? AND status = ?`,
		string(n.Kind), n.ObjectID, n.Step, n.Due.String(), string(n.Status))
	if err != nil {
		return false, err
	}
	defer rows.Close()
	found := rows.Next()
	return found, rows.Err()
}

// DeadlineNotices returns notices, newest first.
func (t *Tx) DeadlineNotices(dept string, limit int) ([]xinyong.DeadlineNotice, error) {
	q := `SELECT kind, object_id, step, due, status, department_id, at FROM deadline_notice`
	var args []any
	if dept != "" {
		q, args = q+` WHERE department_id = ?`, append(args, dept)
	}
	rows, err := t.rows(q+` ORDER BY at DESC, object_id LIMIT ?`, append(args, limitOr(limit, 200))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.DeadlineNotice
	for rows.Next() {
		var n xinyong.DeadlineNotice
		var kind, status, due string
		var at int64
		if err := rows.Scan(&kind, &n.ObjectID, &n.Step, &due, &status, &n.DepartmentID, &at); err != nil {
			return nil, err
		}
		n.Kind, n.Status, n.At = xinyong.DeadlineKind(kind), xinyong.DeadlineStatus(status), FromMicros(at)
		n.Due, _ = xinyong.ParseDate(due)
		out = append(out, n)
	}
	return out, rows.Err()
}

// PutVerifyJob inserts or replaces a verification job.
func (t *Tx) PutVerifyJob(j xinyong.VerifyJob) error {
	j.StartedAt, j.UpdatedAt, j.FinishedAt = UTC(j.StartedAt), UTC(j.UpdatedAt), UTC(j.FinishedAt)
	return t.exec(`INSERT INTO ledger_verify_job (id, state, started_at, updated_at, data) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at, data = excluded.data`,
		j.ID, j.State, Micros(j.StartedAt), Micros(j.UpdatedAt), mustJSON(j))
}

// VerifyJob returns a verification job.
func (t *Tx) VerifyJob(id string) (xinyong.VerifyJob, error) {
	var data string
	if err := t.row(`SELECT data FROM ledger_verify_job WHERE id = ?`, id).Scan(&data); err != nil {
		return xinyong.VerifyJob{}, notFound("verification job", err)
	}
	var j xinyong.VerifyJob
	err := json.Unmarshal([]byte(data), &j)
	return j, err
}

// VerifyJobs returns the newest verification jobs.
func (t *Tx) VerifyJobs(limit int) ([]xinyong.VerifyJob, error) {
	rows, err := t.rows(`SELECT data FROM ledger_verify_job ORDER BY started_at DESC, id DESC LIMIT ?`, limitOr(limit, 20))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.VerifyJob
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var j xinyong.VerifyJob
		if err := json.Unmarshal([]byte(data), &j); err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}
