package sqlstore

import (
	"encoding/hex"

	"xinyong"
)

const reportCols = `number, subject_id, subject_code, subject_name, subject_kind, scope, issued_at, issued_by, checkpoint_size, checkpoint_root, digest, note, ledger_idx`

// PutReport records an issued credit report.
func (t *Tx) PutReport(r xinyong.IssuedReport) error {
	return t.exec(`INSERT INTO credit_report (`+reportCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Number, r.SubjectID, r.SubjectCode, r.SubjectName, string(r.SubjectKind), r.Scope, Micros(r.IssuedAt), r.IssuedBy,
		r.CheckpointSize, hex.EncodeToString(r.CheckpointRoot), r.Digest, string(r.Note), r.LedgerIdx)
}

func scanReport(sc interface{ Scan(...any) error }) (xinyong.IssuedReport, error) {
	var r xinyong.IssuedReport
	var kind, root, note string
	var at int64
	if err := sc.Scan(&r.Number, &r.SubjectID, &r.SubjectCode, &r.SubjectName, &kind, &r.Scope, &at, &r.IssuedBy, &r.CheckpointSize, &root, &r.Digest, &note, &r.LedgerIdx); err != nil {
		return r, err
	}
	r.SubjectKind, r.IssuedAt, r.Note = xinyong.SubjectKind(kind), FromMicros(at), []byte(note)
	var err error
	if r.CheckpointRoot, err = hex.DecodeString(root); err != nil {
		return r, err
	}
	return r, nil
}

// Report returns the issued report with the number.
func (t *Tx) Report(number string) (xinyong.IssuedReport, error) {
	r, err := scanReport(t.row(`SELECT `+reportCols+` FROM credit_report WHERE number = ?`, number))
	return r, notFound("report", err)
}

// ReportsBySubject returns the subject's issued reports, newest first.
func (t *Tx) ReportsBySubject(subjectID string, limit int) ([]xinyong.IssuedReport, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := t.rows(`SELECT `+reportCols+` FROM credit_report WHERE subject_id = ? ORDER BY issued_at DESC, number DESC LIMIT ?`, subjectID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.IssuedReport
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
