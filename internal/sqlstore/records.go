package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"xinyong"
)

// ---- records ----

func pubCols(r xinyong.Record) (published bool, start, maxEnd any) {
	w := r.Window
	if !w.Published {
		return false, nil, nil
	}
	var me any
	if !w.MaxEnd.IsZero() {
		me = w.MaxEnd.String()
	}
	return true, w.Start.String(), me
}

// normRecord puts the record's times in UTC at microsecond precision, as
// every stored time is, so that the JSON document and the columns agree.
func normRecord(r xinyong.Record) xinyong.Record {
	r.SubmittedAt, r.UpdatedAt = UTC(r.SubmittedAt), UTC(r.UpdatedAt)
	if r.Withdrawal != nil {
		w := *r.Withdrawal
		w.At = UTC(w.At)
		r.Withdrawal = &w
	}
	return r
}

func (t *Tx) InsertRecord(r xinyong.Record) error {
	r = normRecord(r)
	published, start, maxEnd := pubCols(r)
	return t.exec(`INSERT INTO record (id, department_id, kind, doc_number, item, subject_id, version, status, decision_date, severity, published, pub_start, pub_max_end, late_days, import_id, ledger_idx, submitted_at, updated_at, data, content, salt, lenient)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.DepartmentID, r.Kind, r.Document.Number, r.Item, r.SubjectID, r.Version, string(r.Status), r.Document.DecisionDate.String(), string(r.Severity),
		published, start, maxEnd, r.Lateness.WorkingDays, nullStr(r.ImportID), r.LedgerIdx, Micros(r.SubmittedAt), Micros(r.UpdatedAt), mustJSON(r), r.Content, r.Salt, lenientCol(r))
}

// lenientCol is the record's lenient column: whether it carries leniency
// flags or a leniency reason (宽容审慎), a hint to grading runs that read
// the covering index record_rules and fetch such records' details.
func lenientCol(r xinyong.Record) bool { return r.Leniency != (xinyong.Leniency{}) }

// InsertRecords inserts new records with multi-row statements.
func (t *Tx) InsertRecords(rs []xinyong.Record) error {
	return t.insertMany(`INSERT INTO record (id, department_id, kind, doc_number, item, subject_id, version, status, decision_date, severity, published, pub_start, pub_max_end, late_days, import_id, ledger_idx, submitted_at, updated_at, data, content, salt, lenient) VALUES `, 22, len(rs), func(i int, args []any) []any {
		r := normRecord(rs[i])
		published, start, maxEnd := pubCols(r)
		return append(args, r.ID, r.DepartmentID, r.Kind, r.Document.Number, r.Item, r.SubjectID, r.Version, string(r.Status), r.Document.DecisionDate.String(), string(r.Severity),
			published, start, maxEnd, r.Lateness.WorkingDays, nullStr(r.ImportID), r.LedgerIdx, Micros(r.SubmittedAt), Micros(r.UpdatedAt), mustJSON(r), r.Content, r.Salt, lenientCol(r))
	})
}

// inChunk is how many values one IN (…) list carries.
const inChunk = 500

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// RecordsByDocKeys returns the records among the decision numbers.
func (t *Tx) RecordsByDocKeys(departmentID, kind string, numbers []string) ([]xinyong.Record, error) {
	if t.db.D.DocKeyLookup != "" {
		return t.docKeyLookup(departmentID, kind, numbers)
	}
	var out []xinyong.Record
	for start := 0; start < len(numbers); start += inChunk {
		chunk := numbers[start:min(start+inChunk, len(numbers))]
		args := []any{departmentID, kind}
		for _, n := range chunk {
			args = append(args, n)
		}
		var err error
		if out, err = t.appendRecords(out, `SELECT `+recordCols+` FROM record WHERE department_id = ? AND kind = ? AND doc_number IN (`+placeholders(len(chunk))+`)`, args...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// UpdateRecord moves the current version to record_version and stores r as current.
// Only the version r replaces is moved (r.Version-1): a stale or skipping
// version is refused with ECONFLICT before anything is written, so the
// transaction stays usable.
func (t *Tx) UpdateRecord(r xinyong.Record) error {
	r = normRecord(r)
	res, err := t.q.ExecContext(t.ctx, t.db.q(`INSERT INTO record_version (record_id, version, ledger_idx, at, data, content, salt)
SELECT id, version, ledger_idx, updated_at, data, content, salt FROM record WHERE id = ? AND version = ?`), r.ID, r.Version-1)
	if err != nil {
		if t.db.D.IsUnique != nil && t.db.D.IsUnique(err) {
			return &xinyong.Error{Code: xinyong.ECONFLICT, Message: "the record changed meanwhile; reload it and try again"}
		}
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		var cur int
		if err := t.row(`SELECT version FROM record WHERE id = ?`, r.ID).Scan(&cur); err != nil {
			return notFound("record "+r.ID, err)
		}
		return &xinyong.Error{Code: xinyong.ECONFLICT, Message: fmt.Sprintf("the record changed meanwhile (version %d, not %d); reload it and try again", cur, r.Version-1)}
	}
	published, start, maxEnd := pubCols(r)
	res, err = t.q.ExecContext(t.ctx, t.db.q(`UPDATE record SET item = ?, subject_id = ?, version = ?, status = ?, decision_date = ?, severity = ?, published = ?, pub_start = ?, pub_max_end = ?, late_days = ?, import_id = ?, ledger_idx = ?, updated_at = ?, data = ?, content = ?, salt = ?, lenient = ? WHERE id = ? AND version = ?`),
		r.Item, r.SubjectID, r.Version, string(r.Status), r.Document.DecisionDate.String(), string(r.Severity), published, start, maxEnd, r.Lateness.WorkingDays, nullStr(r.ImportID),
		r.LedgerIdx, Micros(r.UpdatedAt), mustJSON(r), r.Content, r.Salt, lenientCol(r), r.ID, r.Version-1)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return &xinyong.Error{Code: xinyong.ECONFLICT, Message: "the record changed meanwhile; reload it and try again"}
	}
	return nil
}

const recordCols = `data, content, salt, version, status, ledger_idx`

func scanRecord(sc interface{ Scan(...any) error }) (xinyong.Record, error) {
	var r xinyong.Record
	var data string
	var status string
	var version int
	var idx int64
	var content, salt []byte
	if err := sc.Scan(&data, &content, &salt, &version, &status, &idx); err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(data), &r); err != nil {
		return r, fmt.Errorf("decode record: %w", err)
	}
	r.Content, r.Salt, r.Version, r.LedgerIdx = content, salt, version, idx
	if status != "" { // old versions keep the status in their document
		r.Status = xinyong.RecordStatus(status)
	}
	return r, nil
}

// scanRecords runs a query selecting recordCols and decodes its records.
func (t *Tx) scanRecords(q string, args ...any) ([]xinyong.Record, error) {
	rows, err := t.rows(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// appendRecords appends the records of a query's rows (recordCols) to out.
func (t *Tx) appendRecords(out []xinyong.Record, q string, args ...any) ([]xinyong.Record, error) {
	rs, err := t.scanRecords(q, args...)
	return append(out, rs...), err
}

func (t *Tx) Record(id string) (xinyong.Record, error) {
	r, err := scanRecord(t.row(`SELECT `+recordCols+` FROM record WHERE id = ?`, id))
	return r, notFound("record "+id, err)
}

func (t *Tx) RecordSubjects(ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := t.rows(`SELECT id, subject_id FROM record WHERE id IN (`+placeholders(len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, subj string
		if err := rows.Scan(&id, &subj); err != nil {
			return nil, err
		}
		out[id] = subj
	}
	return out, rows.Err()
}

func (t *Tx) RecordByDocKey(departmentID, kind, number string) (xinyong.Record, error) {
	r, err := scanRecord(t.row(`SELECT `+recordCols+` FROM record WHERE department_id = ? AND kind = ? AND doc_number = ?`, departmentID, kind, number))
	return r, notFound("record", err)
}

func (t *Tx) RecordVersions(id string) ([]xinyong.Record, error) {
	out, err := t.scanRecords(`SELECT data, content, salt, version, '', ledger_idx FROM record_version WHERE record_id = ? ORDER BY version`, id)
	if err != nil {
		return nil, err
	}
	cur, err := t.Record(id)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Status == "" {
			out[i].Status = xinyong.RecordActive
		}
	}
	return append(out, cur), nil
}

// listRecordsQuery builds the query of ListRecords and ListRecordDocs.
func listRecordsQuery(cols string, f xinyong.RecordFilter) (string, []any) {
	var where []string
	var args []any
	add := func(cond string, v any) { where, args = append(where, cond), append(args, v) }
	if f.DepartmentID != "" {
		add("department_id = ?", f.DepartmentID)
	}
	if f.SubjectID != "" {
		add("subject_id = ?", f.SubjectID)
	}
	if f.Item != "" {
		add("item = ?", f.Item)
	}
	if f.ImportID != "" {
		add("import_id = ?", f.ImportID)
	}
	if f.Status != "" {
		add("status = ?", string(f.Status))
	}
	if f.AfterID != "" {
		add("id > ?", f.AfterID)
	}
	q := `SELECT ` + cols + ` FROM record`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	q += " ORDER BY id LIMIT ?"
	return q, append(args, limit)
}

func (t *Tx) ListRecords(f xinyong.RecordFilter) ([]xinyong.Record, error) {
	q, args := listRecordsQuery(recordCols, f)
	return t.scanRecords(q, args...)
}

// ListRecordDocs answers the stored documents of the records ListRecords
// selects. The document of a current record is the JSON of the Record, its
// version, status and ledger index included (every write stores them in
// both the columns and the document).
func (t *Tx) ListRecordDocs(f xinyong.RecordFilter) ([]xinyong.RecordDoc, error) {
	q, args := listRecordsQuery("id, subject_id, item, data", f)
	rows, err := t.rows(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.RecordDoc
	for rows.Next() {
		var d xinyong.RecordDoc
		var doc sql.RawBytes
		if err := rows.Scan(&d.ID, &d.SubjectID, &d.Item, &doc); err != nil {
			return nil, err
		}
		d.Doc = append([]byte(nil), doc...)
		out = append(out, d)
	}
	return out, rows.Err()
}

func (t *Tx) RecordContents(fn func(xinyong.RecordContent) error) error {
	for _, q := range []string{`SELECT id, version, content, salt, ledger_idx FROM record ORDER BY id`, `SELECT record_id, version, content, salt, ledger_idx FROM record_version ORDER BY record_id, version`} {
		rows, err := t.rows(q)
		if err != nil {
			return err
		}
		for rows.Next() {
			var c xinyong.RecordContent
			if err := rows.Scan(&c.ID, &c.Version, &c.Content, &c.Salt, &c.LedgerIdx); err != nil {
				rows.Close()
				return err
			}
			c.Erased = c.Content == nil && c.Salt == nil
			if err := fn(c); err != nil {
				rows.Close()
				return err
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tx) RecordContentsByLedger(from, to int64, fn func(xinyong.RecordContent) error) error {
	rows, err := t.rows(`SELECT id, version, content, salt, ledger_idx FROM record WHERE ledger_idx >= ? AND ledger_idx < ?
UNION ALL SELECT record_id, version, content, salt, ledger_idx FROM record_version WHERE ledger_idx >= ? AND ledger_idx < ?
ORDER BY 5`, from, to, from, to)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c xinyong.RecordContent
		if err := rows.Scan(&c.ID, &c.Version, &c.Content, &c.Salt, &c.LedgerIdx); err != nil {
			return err
		}
		c.Erased = c.Content == nil && c.Salt == nil
		if err := fn(c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// RecordRowsByLedger streams the record versions of leaves [from, to) with
// their stored documents and, for current versions, their columns: the
// current versions first, then the superseded ones, each in leaf order.
func (t *Tx) RecordRowsByLedger(from, to int64, fn func(xinyong.RecordRow) error) error {
	rows, err := t.rows(`SELECT id, version, content, salt, ledger_idx, data, department_id, item, doc_number, subject_id, status, decision_date, severity, published, pub_start, pub_max_end, late_days, lenient
FROM record WHERE ledger_idx >= ? AND ledger_idx < ? ORDER BY ledger_idx`, from, to)
	if err != nil {
		return err
	}
	err = eachRecordRow(rows, fn, func(r *xinyong.RecordRow) error {
		r.Current = true
		var start, maxEnd sql.NullString
		err := rows.Scan(&r.ID, &r.Version, &r.Content, &r.Salt, &r.LedgerIdx, &r.Data, &r.DepartmentID, &r.Item, &r.DocNumber, &r.SubjectID,
			&r.Status, &r.DecisionDate, &r.Severity, &r.Published, &start, &maxEnd, &r.LateDays, &r.Lenient)
		r.PubStart, r.PubMaxEnd = start.String, maxEnd.String
		return err
	})
	if err != nil {
		return err
	}
	rows, err = t.rows(`SELECT record_id, version, content, salt, ledger_idx, data FROM record_version WHERE ledger_idx >= ? AND ledger_idx < ? ORDER BY ledger_idx`, from, to)
	if err != nil {
		return err
	}
	return eachRecordRow(rows, fn, func(r *xinyong.RecordRow) error {
		return rows.Scan(&r.ID, &r.Version, &r.Content, &r.Salt, &r.LedgerIdx, &r.Data)
	})
}

// SubjectsByIDs returns the stored subjects among ids.
func (t *Tx) SubjectsByIDs(ids []string) ([]xinyong.Subject, error) {
	return t.subjectsIn("id", ids)
}

// eachRecordRow scans each of rows with scan and hands it to fn; it closes
// rows.
func eachRecordRow(rows *sql.Rows, fn func(xinyong.RecordRow) error, scan func(*xinyong.RecordRow) error) error {
	defer rows.Close()
	for rows.Next() {
		var r xinyong.RecordRow
		if err := scan(&r); err != nil {
			return err
		}
		r.Erased = r.Content == nil && r.Salt == nil
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ---- imports ----

// normImport puts the job's times in UTC at microsecond precision.
func normImport(j xinyong.Import) xinyong.Import {
	j.CreatedAt, j.UpdatedAt = UTC(j.CreatedAt), UTC(j.UpdatedAt)
	if j.FinishedAt != nil {
		f := UTC(*j.FinishedAt)
		j.FinishedAt = &f
	}
	return j
}

func (t *Tx) CreateImport(j xinyong.Import) error {
	j = normImport(j)
	return t.exec(`INSERT INTO import_job (id, department_id, status, checkpoint, path, created_at, updated_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		j.ID, j.DepartmentID, j.Status, j.Checkpoint, j.Path, Micros(j.CreatedAt), Micros(j.UpdatedAt), mustJSON(j))
}

func (t *Tx) UpdateImport(j xinyong.Import) error {
	j = normImport(j)
	return t.execOne("import "+j.ID, `UPDATE import_job SET status = ?, checkpoint = ?, path = ?, updated_at = ?, data = ? WHERE id = ?`,
		j.Status, j.Checkpoint, j.Path, Micros(j.UpdatedAt), mustJSON(j), j.ID)
}

func (t *Tx) Import(id string) (xinyong.Import, error) {
	var j xinyong.Import
	var data, path string
	var cp int
	if err := t.row(`SELECT data, checkpoint, path FROM import_job WHERE id = ?`, id).Scan(&data, &cp, &path); err != nil {
		return j, notFound("import "+id, err)
	}
	err := json.Unmarshal([]byte(data), &j)
	j.Checkpoint, j.Path = cp, path
	return j, err
}

func (t *Tx) Imports(status string) ([]xinyong.Import, error) {
	rows, err := t.rows(`SELECT data, checkpoint, path FROM import_job WHERE status = ? ORDER BY created_at`, status)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.Import
	for rows.Next() {
		var j xinyong.Import
		var data, path string
		var cp int
		if err := rows.Scan(&data, &cp, &path); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(data), &j); err != nil {
			return nil, err
		}
		j.Checkpoint, j.Path = cp, path
		out = append(out, j)
	}
	return out, rows.Err()
}

// AddImportErrors appends a batch's row errors, numbered (seq) on from the
// job's last, with multi-row inserts (insertMany): a file of 100,000 bad
// rows is not 100,000 statements.
func (t *Tx) AddImportErrors(importID string, errs []xinyong.FieldError) error {
	if len(errs) == 0 {
		return nil
	}
	var last int64
	if err := t.row(`SELECT COALESCE(MAX(seq), 0) FROM import_error WHERE import_id = ?`, importID).Scan(&last); err != nil {
		return err
	}
	return t.insertMany(`INSERT INTO import_error (import_id, seq, data) VALUES `, 3, len(errs), func(i int, args []any) []any {
		return append(args, importID, last+int64(i)+1, mustJSON(errs[i]))
	})
}

func (t *Tx) ImportErrors(importID string, fn func(xinyong.FieldError) error) error {
	rows, err := t.rows(`SELECT data FROM import_error WHERE import_id = ? ORDER BY seq`, importID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return err
		}
		var e xinyong.FieldError
		if err := json.Unmarshal([]byte(data), &e); err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ---- ledger ----

func (t *Tx) LockLedger() (xinyong.LedgerHead, error) {
	var h xinyong.LedgerHead
	err := t.row(`SELECT size, root FROM ledger_head WHERE id = 1`+t.db.D.LockLedgerSuffix).Scan(&h.Size, &h.Root)
	return h, err
}

func (t *Tx) LedgerHead() (xinyong.LedgerHead, error) {
	var h xinyong.LedgerHead
	err := t.row(`SELECT size, root FROM ledger_head WHERE id = 1`).Scan(&h.Size, &h.Root)
	return h, err
}

func (t *Tx) SetLedgerHead(h xinyong.LedgerHead) error {
	return t.exec(`UPDATE ledger_head SET size = ?, root = ? WHERE id = 1`, h.Size, h.Root)
}

func (t *Tx) AppendLedgerEntries(es []xinyong.LedgerEntry) error {
	return t.insertMany(`INSERT INTO ledger_entry (idx, kind, object_type, object_id, version, commitment, at) VALUES `, 7, len(es), func(i int, args []any) []any {
		e := es[i]
		return append(args, e.Index, e.Kind, e.ObjectType, e.ObjectID, e.Version, e.Commitment, Micros(e.At))
	})
}

func scanEntry(sc interface{ Scan(...any) error }) (xinyong.LedgerEntry, error) {
	var e xinyong.LedgerEntry
	var at int64
	err := sc.Scan(&e.Index, &e.Kind, &e.ObjectType, &e.ObjectID, &e.Version, &e.Commitment, &at)
	e.At = FromMicros(at)
	return e, err
}

func (t *Tx) LedgerEntries(from, to int64, fn func(xinyong.LedgerEntry) error) error {
	rows, err := t.rows(`SELECT idx, kind, object_type, object_id, version, commitment, at FROM ledger_entry WHERE idx >= ? AND idx < ? ORDER BY idx`, from, to)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (t *Tx) LedgerEntry(idx int64) (xinyong.LedgerEntry, error) {
	e, err := scanEntry(t.row(`SELECT idx, kind, object_type, object_id, version, commitment, at FROM ledger_entry WHERE idx = ?`, idx))
	return e, notFound(fmt.Sprintf("ledger leaf %d", idx), err)
}

func (t *Tx) ReadLedgerNodes(ctx context.Context, keys []int64) ([][]byte, error) {
	out := make([][]byte, len(keys))
	pos := make(map[int64][]int, len(keys))
	for i, k := range keys {
		pos[k] = append(pos[k], i)
	}
	for start := 0; start < len(keys); start += inChunk {
		chunk := keys[start:min(start+inChunk, len(keys))]
		args := make([]any, len(chunk))
		for i, k := range chunk {
			args[i] = k
		}
		rows, err := t.rows(`SELECT key, hash FROM ledger_node WHERE key IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k int64
			var h []byte
			if err := rows.Scan(&k, &h); err != nil {
				rows.Close()
				return nil, err
			}
			for _, i := range pos[k] {
				out[i] = h
			}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	for i, h := range out {
		if h == nil {
			return nil, fmt.Errorf("ledger node %d missing", keys[i])
		}
	}
	return out, nil
}

func (t *Tx) WriteLedgerNodes(ctx context.Context, keys []int64, hashes [][]byte) error {
	return t.insertMany(`INSERT INTO ledger_node (key, hash) VALUES `, 2, len(keys), func(i int, args []any) []any {
		return append(args, keys[i], hashes[i])
	})
}

// insertRowsPerStatement is how many rows one multi-row INSERT carries:
// SQLite parses and runs one statement per chunk instead of one per row.
const insertRowsPerStatement = 100

// insertMany inserts n rows of cols columns with multi-row INSERT
// statements (both dialects accept VALUES (…), (…)), or, for a batch of
// CopyMinRows or more on a dialect with CopyRows, with one bulk copy.
func (t *Tx) insertMany(prefix string, cols, n int, rowArgs func(i int, args []any) []any) error {
	if t.db.D.CopyRows != nil && n >= CopyMinRows && t.conn != nil {
		if table, names, ok := parseInsertPrefix(prefix); ok && len(names) == cols {
			err := t.db.D.CopyRows(t, table, names, n, rowArgs)
			if err != nil && t.db.D.IsUnique != nil && t.db.D.IsUnique(err) {
				return uniqueConflict(err)
			}
			return err
		}
	}
	ph := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	full := ""
	for start := 0; start < n; start += insertRowsPerStatement {
		end := min(start+insertRowsPerStatement, n)
		var q string
		if end-start == insertRowsPerStatement {
			if full == "" {
				full = prefix + strings.TrimSuffix(strings.Repeat(ph+", ", insertRowsPerStatement), ", ")
			}
			q = full
		} else {
			q = prefix + strings.TrimSuffix(strings.Repeat(ph+", ", end-start), ", ")
		}
		args := make([]any, 0, (end-start)*cols)
		for i := start; i < end; i++ {
			args = rowArgs(i, args)
		}
		if err := t.exec(q, args...); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tx) PutCheckpoint(c xinyong.StoredCheckpoint) error {
	return t.exec(`INSERT INTO ledger_checkpoint (size, root, note, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (size) DO NOTHING`, c.Size, c.Root, c.Note, Micros(c.CreatedAt))
}

func scanCheckpoint(sc interface{ Scan(...any) error }) (xinyong.StoredCheckpoint, error) {
	var c xinyong.StoredCheckpoint
	var at int64
	err := sc.Scan(&c.Size, &c.Root, &c.Note, &at)
	c.CreatedAt = FromMicros(at)
	return c, err
}

func (t *Tx) LatestCheckpoint() (xinyong.StoredCheckpoint, error) {
	c, err := scanCheckpoint(t.row(`SELECT size, root, note, created_at FROM ledger_checkpoint ORDER BY size DESC LIMIT 1`))
	return c, notFound("checkpoint", err)
}

func (t *Tx) Checkpoints(limit int) ([]xinyong.StoredCheckpoint, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := t.rows(`SELECT size, root, note, created_at FROM ledger_checkpoint ORDER BY size DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.StoredCheckpoint
	for rows.Next() {
		c, err := scanCheckpoint(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
