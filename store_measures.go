package xinyong

import "time"

// MeasureStore is the part of Tx that keeps measures checks and the
// agencies' feedback (issue 6). Implementations live in
// internal/sqlstore/measures.go.
type MeasureStore interface {
	// AddMeasureCheck stores a check; an id stored before is ECONFLICT.
	AddMeasureCheck(c MeasureCheck) error
	// MeasureCheck returns the check with the id (ENOTFOUND if none).
	MeasureCheck(id string) (MeasureCheck, error)
	// AddMeasureFeedback appends feedback rows.
	AddMeasureFeedback(fs []MeasureFeedback) error
	// MeasureFeedback returns the feedback on a check, oldest first.
	MeasureFeedback(checkID string) ([]MeasureFeedback, error)
	// CountRefusedFeedback counts the refused feedback rows recorded at or
	// after since (the compliance board's counter).
	CountRefusedFeedback(since time.Time) (int64, error)
	// CheckRecords returns the subject's active records as the measures
	// check reads them — id, item, severity, status and the publication
	// window's published flag, start and maximum end — from the indexed
	// columns, without decoding the documents; at most limit when limit > 0
	// (in no set order), every one when limit <= 0.
	CheckRecords(subjectID string, limit int) ([]CheckRecord, error)
}

// MeasureCheck is one stored measures check: what was asked, the answer and
// its signed receipt.
type MeasureCheck struct {
	ID            string    `json:"id"`
	At            time.Time `json:"at"`
	Actor         string    `json:"actor"`
	Organisation  string    `json:"organisation"`
	SubjectID     string    `json:"subject_id"`
	SubjectDigest string    `json:"subject_digest"`
	Matter        string    `json:"matter"`
	Purpose       string    `json:"purpose"`
	Result        []byte    `json:"-"` // CanonicalMeasures of the answer
	ResultDigest  string    `json:"result_digest"`
	Receipt       []byte    `json:"-"` // the signed receipt's canonical JSON
	QueryID       string    `json:"query_id"`
	LedgerIdx     int64     `json:"ledger_index"`
}

// MeasureFeedback is one line of an agency's feedback (反馈): whether it
// applied a measure, and why. Refused lines (a measure applied that the
// check did not return) are stored with Refused set and counted.
type MeasureFeedback struct {
	ID        string    `json:"id"`
	CheckID   string    `json:"check_id"`
	At        time.Time `json:"at"`
	Actor     string    `json:"actor"`
	MeasureID string    `json:"measure_id"`
	Applied   bool      `json:"applied"`
	Reason    string    `json:"reason"`
	Refused   bool      `json:"refused"`
	Refusal   string    `json:"refusal,omitempty"`
}
