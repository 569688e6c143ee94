package xinyong

import "time"

// ReportStore is the part of Tx that keeps issued credit reports (issue 5).
// Implementations live in internal/sqlstore/reports.go.
//
// Only what verification needs is kept: the number, whom the report is
// about (masked for natural persons), when, against which checkpoint, the
// digest of its canonical JSON and the signed note over that digest. The
// report's content is not stored: it is rebuilt from the records, and the
// holder's copy is checked against the digest.
type ReportStore interface {
	// PutReport records an issued report; a number issued before is ECONFLICT.
	PutReport(r IssuedReport) error
	// Report returns the issued report with the number (ENOTFOUND if none).
	Report(number string) (IssuedReport, error)
	// ReportsBySubject returns the subject's issued reports, newest first.
	ReportsBySubject(subjectID string, limit int) ([]IssuedReport, error)
}

// IssuedReport is the register entry of one issued credit report.
type IssuedReport struct {
	Number      string      `json:"number"`
	SubjectID   string      `json:"subject_id"`
	SubjectCode string      `json:"subject_code"` // USCC, or the masked ID number
	SubjectName string      `json:"subject_name"` // masked for natural persons
	SubjectKind SubjectKind `json:"subject_kind"`
	// Scope is "public" (the public report) or "subject" (a natural
	// person's own report, given to that person).
	Scope    string    `json:"scope"`
	IssuedAt time.Time `json:"issued_at"`
	IssuedBy string    `json:"issued_by"` // actor ref
	// The ledger checkpoint the report reflects.
	CheckpointSize int64  `json:"checkpoint_size"`
	CheckpointRoot []byte `json:"checkpoint_root"`
	// Digest is the hex SHA-256 of the report's canonical JSON; Note is the
	// signed note over it (see internal/report).
	Digest    string `json:"digest"`
	Note      []byte `json:"-"`
	LedgerIdx int64  `json:"ledger_index"` // the audit leaf that recorded the issue
}
