package xinyong

import "time"

// SharingStore is the part of Tx that keeps consents and the query-use log
// (查询使用登记, issue 5). Implementations live in internal/sqlstore/sharing.go.
type SharingStore interface {
	// PutConsent stores a new consent; an id stored before is ECONFLICT.
	PutConsent(c Consent) error
	// Consent returns the consent with the id (ENOTFOUND if none).
	Consent(id string) (Consent, error)
	// ConsentsBySubject returns the subject's consents, newest grant first.
	ConsentsBySubject(subjectID string) ([]Consent, error)
	// RevokeConsent sets the consent's revocation time, only if it is not
	// revoked yet (ECONFLICT if it is, even by a concurrent transaction;
	// ENOTFOUND if none).
	RevokeConsent(id string, at time.Time) error

	// AddQueryUse appends a query-use entry.
	AddQueryUse(q QueryUse) error
	// QueryUse returns the entry with the id (ENOTFOUND if none).
	QueryUse(id string) (QueryUse, error)
	// QueryUses returns the entries f selects, newest first, one page.
	QueryUses(f QueryFilter) ([]QueryUse, error)
	// EachQueryUse streams every entry f selects (Limit and Offset
	// ignored), newest first. fn must not use the Tx.
	EachQueryUse(f QueryFilter, fn func(QueryUse) error) error
	// ReviewQueryUse marks an entry reviewed, only if it is not reviewed yet
	// (ECONFLICT if it is, even by a concurrent transaction; ENOTFOUND if
	// none).
	ReviewQueryUse(id string, at time.Time, by, note string) error
	// CountQuerySubjects counts the distinct subjects other than
	// exceptSubject that actor queried at or after since.
	CountQuerySubjects(actor string, since time.Time, exceptSubject string, max int) (int, error)
	// QueryUsesByLedger streams the entries whose leaf index is in
	// [from, to), in leaf order (ledger verification). fn must not use the Tx.
	QueryUsesByLedger(from, to int64, fn func(QueryUse) error) error
	// PurgeQueryUses deletes the entries recorded before before whose
	// ledger leaf is dated before it too, and returns how many. The
	// retention rule is the caller's (SharingPolicy).
	PurgeQueryUses(before time.Time) (int64, error)
}

// QueryUse is one entry of the query-use log: one access to non-public
// information (who, organisation, purpose, basis or consent, subject, items
// returned, time), committed to the ledger when written. Review fields are
// set later and are not part of the commitment.
type QueryUse struct {
	ID           string     `json:"id"`
	At           time.Time  `json:"at"`
	Actor        string     `json:"actor"` // actor ref
	ActorName    string     `json:"actor_name"`
	Organisation string     `json:"organisation"`
	Viewer       ViewerKind `json:"viewer"`
	Purpose      string     `json:"purpose"`
	Basis        string     `json:"basis,omitempty"`
	ConsentID    string     `json:"consent_id,omitempty"`
	SubjectID    string     `json:"subject_id"`
	// Items are the catalogue items of the records returned; Records their
	// ids.
	Items      []string   `json:"items"`
	Records    []string   `json:"records"`
	Flagged    bool       `json:"flagged"`
	FlagReason string     `json:"flag_reason,omitempty"`
	ReviewedAt *time.Time `json:"reviewed_at,omitempty"`
	ReviewedBy string     `json:"reviewed_by,omitempty"`
	ReviewNote string     `json:"review_note,omitempty"`
	LedgerIdx  int64      `json:"ledger_index"`
}

// QueryFilter selects query-use entries; zero fields match everything.
type QueryFilter struct {
	Actor     string
	SubjectID string
	From, To  time.Time // From inclusive, To exclusive
	Flagged   *bool
	Reviewed  *bool
	Offset    int
	Limit     int // 0: 100; at most 1000
}
