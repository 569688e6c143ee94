package xinyong

// ObjectionStore is the part of Tx that keeps objections to records (异议,
// issue 7). Implementations live in internal/sqlstore/objections.go.
type ObjectionStore interface {
	// InsertObjection stores a new objection (its first version); an id
	// stored before is ECONFLICT.
	InsertObjection(o Objection) error
	// UpdateObjection stores o as the next version if the stored objection
	// is still at fromVersion in state from; otherwise ECONFLICT.
	// ENOTFOUND when there is no such objection.
	UpdateObjection(o Objection, from ObjectionState, fromVersion int) error
	// Objection returns the objection with the id (ENOTFOUND if none).
	Objection(id string) (Objection, error)
	// ObjectionVersions returns every stored version, oldest first.
	ObjectionVersions(id string) ([]Objection, error)
	// Objections returns the objections f selects: open ones first, soonest
	// deadline first, then decided ones, last changed first (at most
	// f.Limit, 500 when 0).
	Objections(f ObjectionFilter) ([]Objection, error)
	// DisputedRecords returns which of the records have an open objection
	// (the portal marks them 异议处理中).
	DisputedRecords(recordIDs []string) (map[string]bool, error)
}
