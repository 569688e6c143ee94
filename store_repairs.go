package xinyong

// RepairStore is the part of Tx that keeps credit repair applications
// (信用修复, issue 7), the repair outcome of each repaired record, and the
// peers whose repair decisions are recognised. Implementations live in
// internal/sqlstore/repairs.go.
type RepairStore interface {
	// InsertRepair stores a new application (its first version); an id,
	// progress code or (origin peer, decision id) stored before is ECONFLICT.
	InsertRepair(r Repair) error
	// UpdateRepair stores r as the next version if the stored application
	// is still at fromVersion in state from; otherwise ECONFLICT.
	// ENOTFOUND when there is no such application.
	UpdateRepair(r Repair, from RepairState, fromVersion int) error
	// Repair returns the application with the id (ENOTFOUND if none).
	Repair(id string) (Repair, error)
	// RepairByCode returns the application with the progress code.
	RepairByCode(code string) (Repair, error)
	// RepairByOrigin returns the application received from a peer with the
	// peer's decision id (ENOTFOUND if none).
	RepairByOrigin(peer, decisionID string) (Repair, error)
	// RepairVersions returns every stored version, oldest first.
	RepairVersions(id string) ([]Repair, error)
	// Repairs returns the applications f selects, by next deadline then id.
	Repairs(f RepairFilter) ([]Repair, error)

	// SetRecordRepair records the outcome an approved repair gave a record
	// (one per record: a second is ECONFLICT).
	SetRecordRepair(recordID, repairID string, outcome RepairOutcome) error
	// RecordRepairs returns the repair outcome of each of the records that
	// has one (the visibility input of every reader).
	RecordRepairs(recordIDs []string) (map[string]RepairOutcome, error)
	// RecordRepair returns a record's repair outcome and the repair's id
	// (ENOTFOUND when the record was never repaired).
	RecordRepair(recordID string) (RepairOutcome, string, error)
	// EraseRecord erases the content and salt of every stored version of
	// the record and replaces its stored document with what is left
	// (deletion by repair: the ledger still verifies, the content is gone).
	EraseRecord(r Record) error

	// Peers.
	PutPeer(p Peer) error // insert or update by name
	PeerByName(name string) (Peer, error)
	Peers() ([]Peer, error)
}
