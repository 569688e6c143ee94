package xinyong

import (
	"encoding/json"
	"time"
)

// ComplianceStore is the part of Tx behind the compliance board, the
// deadlines job, the clean-up review and the ledger verification jobs
// (issues 7 and 8). It only reads and counts: which rows are violations is
// decided in compliance.go (the stores count rows by columns the workflow
// wrote from those rules: late_days > 0, refused = 1, a catalogue.* rule).
// Implementations live in internal/sqlstore/compliance.go.
type ComplianceStore interface {
	// AddIntakeRefusals stores submissions refused as outside the catalogue.
	AddIntakeRefusals(rs []IntakeRefusal) error
	// IntakeRefusals returns the refusals of a department (all when empty)
	// in [from, to), newest first, at most limit.
	IntakeRefusals(dept string, from, to time.Time, limit int) ([]IntakeRefusal, error)
	// CountIntakeRefusals counts refusals per department and month.
	CountIntakeRefusals(spans []MonthSpan) ([]ComplianceCount, error)
	// CountImportRefusals counts import row errors with a catalogue.* rule
	// per department and month of the import job.
	CountImportRefusals(spans []MonthSpan) ([]ComplianceCount, error)
	// ImportRefusals returns those row errors for a department's imports
	// created in [from, to), at most limit.
	ImportRefusals(dept string, from, to time.Time, limit int) ([]IntakeRefusal, error)
	// CountLateRecords counts records with late_days > 0 per department and
	// month of first submission.
	CountLateRecords(spans []MonthSpan) ([]ComplianceCount, error)
	// LateRecords returns a department's late records first submitted in
	// [from, to), by id after afterID, at most limit.
	LateRecords(dept string, from, to time.Time, afterID string, limit int) ([]Record, error)
	// CountRefusedFeedbackBy counts refused feedback lines per month and
	// agency (actor and organisation of the check); DepartmentID is left
	// for the caller to resolve from the actor.
	CountRefusedFeedbackBy(spans []MonthSpan) ([]FeedbackCount, error)
	// RefusedFeedbackLines returns refused feedback lines in [from, to),
	// newest first (by time, then id), after the line after when it is not
	// nil (the last of the previous page), at most limit, with the check's
	// organisation.
	RefusedFeedbackLines(from, to time.Time, after *RefusedFeedback, limit int) ([]RefusedFeedback, error)
	// ObjectionsByDeadline returns the objections (of a department, all
	// when empty) whose deadline is in [from, to).
	ObjectionsByDeadline(dept string, from, to Date) ([]Objection, error)
	// ListingsWithDeadlines streams the listings (of a department, all when
	// empty) that had an objection or have an end date.
	ListingsWithDeadlines(dept string, fn func(Listing) error) error
	// PublicationsOpening returns the active published records whose
	// window starts after their decision date and in (after, upTo], by id.
	PublicationsOpening(after, upTo Date, limit int) ([]Record, error)

	// Usage for the clean-up review.
	// ItemHasRecords reports whether any record of the catalogue item exists.
	ItemHasRecords(item string) (bool, error)
	// CountListingsByType counts listings per list type, in every state.
	CountListingsByType() (map[string]int64, error)
	// CountListedListingsByType counts listings in state listed per list type.
	CountListedListingsByType() (map[string]int64, error)
	// CountFeedbackByMeasure counts the agencies' feedback lines per measure.
	CountFeedbackByMeasure() (map[string]int64, error)
	// ActiveSeverities returns the severities of which an active record exists.
	ActiveSeverities() (map[Severity]bool, error)

	// Deadline notices: each reminder or overdue notice once.
	// AddDeadlineNotice stores a notice; the same (kind, object, step, due,
	// status) stored before is ECONFLICT.
	AddDeadlineNotice(n DeadlineNotice) error
	// HasDeadlineNotice reports whether that notice was stored.
	HasDeadlineNotice(n DeadlineNotice) (bool, error)
	// DeadlineNotices returns a department's notices (all when empty),
	// newest first, at most limit.
	DeadlineNotices(dept string, limit int) ([]DeadlineNotice, error)

	// Ledger verification jobs.
	PutVerifyJob(j VerifyJob) error // insert or replace by id
	VerifyJob(id string) (VerifyJob, error)
	VerifyJobs(limit int) ([]VerifyJob, error) // newest first
}

// IntakeRefusal is a submission refused as outside the catalogue. Only
// what identifies the attempt is kept: never the subject's code.
type IntakeRefusal struct {
	ID           string    `json:"id"`
	DepartmentID string    `json:"department_id"`
	At           time.Time `json:"at"`
	Channel      string    `json:"channel"` // api, batch, import
	ImportID     string    `json:"import_id,omitempty"`
	Row          int       `json:"row,omitempty"`
	Item         string    `json:"item"`
	Number       string    `json:"decision_number,omitempty"`
	Rule         string    `json:"rule"`
	Message      string    `json:"message"`
	Actor        string    `json:"actor,omitempty"`
}

// FeedbackCount is refused feedback lines of one agency in one month.
type FeedbackCount struct {
	Actor        string
	Organisation string
	Month        Month
	N            int64
}

// RefusedFeedback is a refused feedback line with the check's organisation.
type RefusedFeedback struct {
	MeasureFeedback
	Organisation string `json:"organisation"`
}

// DeadlineNotice is the deadlines job's note that a deadline came near or
// passed (written once per deadline and status).
type DeadlineNotice struct {
	Kind         DeadlineKind   `json:"kind"`
	ObjectID     string         `json:"object_id"`
	Step         string         `json:"step"`
	Due          Date           `json:"due"`
	Status       DeadlineStatus `json:"status"`
	DepartmentID string         `json:"department_id"`
	At           time.Time      `json:"at"`
}

// VerifyJob is a ledger verification run in the background (the console's
// verify button).
type VerifyJob struct {
	ID         string          `json:"id"`
	State      string          `json:"state"` // running, done, failed
	By         string          `json:"by"`
	Done       int64           `json:"done"`
	Total      int64           `json:"total"`
	OK         bool            `json:"ok"`
	Problems   int             `json:"problems"`
	Report     json.RawMessage `json:"report,omitempty"`
	Error      string          `json:"error,omitempty"`
	StartedAt  time.Time       `json:"started_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
	FinishedAt time.Time       `json:"finished_at,omitzero"`
}

// Verify job states.
const (
	VerifyRunning = "running"
	VerifyDone    = "done"
	VerifyFailed  = "failed"
)
