package xinyong

import (
	"context"
	"time"
)

// Store persists the platform's state. It decides nothing: every rule runs
// in the domain before a store is called. Both implementations
// (internal/sqlite, internal/postgres) pass internal/storetest.
type Store interface {
	// Update runs fn in one read-write transaction: everything fn writes
	// commits together or not at all. fn must not retain tx.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// Read runs fn's reads each on its own, without a transaction around
	// them (no common snapshot): for a lookup of one statement on a hot
	// path (an API token, a page of records). fn must not write.
	Read(ctx context.Context, fn func(Tx) error) error
	// Migrate brings the schema to the binary's version. It refuses a schema
	// newer than the binary.
	Migrate(ctx context.Context) error
	// SchemaVersion returns the database's schema version and the binary's.
	SchemaVersion(ctx context.Context) (current, latest int64, err error)
	Ping(ctx context.Context) error
	Dialect() string // "sqlite" or "postgres"
	Close() error
}

// Tx is one transaction. Methods that find nothing return an ENOTFOUND
// *Error; methods that break a uniqueness constraint return ECONFLICT.
type Tx interface {
	SearchStore
	ReportStore
	SharingStore
	ListingStore
	MeasureStore
	EventStore
	ObjectionStore
	GradingStore
	RepairStore
	ComplianceStore

	// Now is the transaction's single "now", from the store's clock.
	Now() time.Time

	// Meta: small key/value settings (e.g. the admin-created flag).
	Meta(key string) (string, error) // ENOTFOUND when unset
	SetMeta(key, value string) error

	// Audit.
	AppendAudit(e AuditEvent) error
	ListAudit(f AuditFilter) ([]AuditEvent, error)
	// AllAudit streams every audit event in id order.
	AllAudit(fn func(AuditEvent) error) error
	// AuditByLedger streams the audit events whose leaf index is in
	// [from, to), in leaf order; AuditWithoutLeaf those with no leaf index
	// below size (ledger verification). fn must not use the Tx.
	AuditByLedger(from, to int64, fn func(AuditEvent) error) error
	AuditWithoutLeaf(size int64, fn func(AuditEvent) error) error

	// Catalogue. PutCatalogueItem stores the item as its current version and
	// appends it to the item's history.
	PutCategory(c Category) error
	Categories() ([]Category, error)
	PutCatalogueItem(it CatalogueItem) error
	CatalogueItem(code string) (CatalogueItem, error)
	CatalogueItems() ([]CatalogueItem, error)
	CatalogueItemHistory(code string) ([]CatalogueItem, error)
	// A proposed change of an item once approved waits as the item's
	// pending version (at most one) while its current version stays in
	// force (ChangeIsPending): nothing but the catalogue's listings reads
	// it. PutPendingCatalogueItem stores it, replacing the item's previous
	// pending version, and appends it to the item's history (ENOTFOUND when
	// the item does not exist; ECONFLICT when its version is in the history
	// already). PendingCatalogueItem returns ENOTFOUND when there is none;
	// DeletePendingCatalogueItem removes it (ENOTFOUND when there is none).
	// AppendCatalogueItemHistory appends a version to the history only (a
	// change withdrawn).
	PutPendingCatalogueItem(it CatalogueItem) error
	PendingCatalogueItem(code string) (CatalogueItem, error)
	PendingCatalogueItems() ([]CatalogueItem, error)
	DeletePendingCatalogueItem(code string) error
	AppendCatalogueItemHistory(it CatalogueItem) error

	// Measures, list types, regimes, calendar overrides.
	PutMeasure(m Measure) error
	Measures() ([]Measure, error)
	PutListType(lt ListType) error
	ListTypes() ([]ListType, error)
	PutRegime(r Regime) error
	Regimes() (Regimes, error)
	PutOverride(o Override) error
	DeleteOverride(d Date) error
	Overrides() ([]Override, error)

	// Departments.
	CreateDepartment(d Department) error
	UpdateDepartment(d Department) error
	Department(id string) (Department, error)
	DepartmentByCode(code string) (Department, error)
	Departments() ([]Department, error)

	// Accounts, tokens, sessions.
	CreateAccount(a Account) error
	UpdateAccount(a Account) error
	Account(id string) (Account, error)
	AccountByUsername(username string) (Account, error)
	Accounts() ([]Account, error)
	CreateToken(t Token) error
	TokenByHash(hash []byte) (Token, error)
	Tokens() ([]Token, error)
	RevokeToken(id string, at time.Time) error
	CreateSession(s Session) error
	SessionByHash(hash []byte) (Session, error)
	DeleteSession(hash []byte) error
	// DeleteAccountSessions ends every session of an account (its password
	// was reset or changed) and returns how many there were.
	DeleteAccountSessions(accountID string) (int64, error)
	// CountLoginFailures counts failures for key since t; AddLoginFailure records one.
	AddLoginFailure(key string, at time.Time) error
	// DeleteLoginFailure removes one failure recorded for key at at (an
	// attempt counted in advance that succeeded).
	DeleteLoginFailure(key string, at time.Time) error
	CountLoginFailures(key string, since time.Time) (int, error)

	// Subjects.
	PutSubject(s Subject) error // insert or update by Key
	Subject(id string) (Subject, error)
	SubjectByKey(key string) (Subject, error)
	// SubjectsByKeys returns the subjects among keys that exist (bulk intake).
	SubjectsByKeys(keys []string) ([]Subject, error)
	// InsertSubjects inserts new subjects (keys not yet stored).
	InsertSubjects(ss []Subject) error
	// CodeOverride returns the admin override for a code that fails its check.
	CodeOverride(code string) (CodeOverride, error)
	PutCodeOverride(o CodeOverride) error

	// Records.
	InsertRecord(r Record) error // a new record, version 1
	UpdateRecord(r Record) error // a new version of r (r.Version already incremented), history kept
	Record(id string) (Record, error)
	// RecordSubjects answers the subject of each of the records ids names
	// that exists (record id → subject id).
	RecordSubjects(ids []string) (map[string]string, error)
	RecordByDocKey(departmentID, kind, number string) (Record, error)
	// RecordsByDocKeys returns the department's records of a kind among the
	// given decision numbers (bulk intake).
	RecordsByDocKeys(departmentID, kind string, numbers []string) ([]Record, error)
	// InsertRecords inserts new records, version 1 (bulk intake).
	InsertRecords(rs []Record) error
	RecordVersions(id string) ([]Record, error)
	ListRecords(f RecordFilter) ([]Record, error)
	// ListRecordDocs is ListRecords answering each record's stored JSON
	// document as it is — the JSON of the Record ListRecords returns —
	// for callers that pass it on unchanged (the full view of a
	// department's own records), without decoding it.
	ListRecordDocs(f RecordFilter) ([]RecordDoc, error)
	// RecordContents streams every stored record version's id, version,
	// content and salt, for ledger verification.
	RecordContents(fn func(RecordContent) error) error
	// RecordContentsByLedger streams the record versions (current and
	// superseded) whose leaf index is in [from, to), in leaf order. fn must
	// not use the Tx.
	RecordContentsByLedger(from, to int64, fn func(RecordContent) error) error
	// RecordRowsByLedger streams the record versions whose leaf index is
	// in [from, to) with what their rows serve besides the content: the
	// JSON document and, for current versions, the columns readers filter
	// on (ledger verification compares them with the committed content).
	// Current versions come first, then superseded ones, each in leaf
	// order. fn must not use the Tx.
	RecordRowsByLedger(from, to int64, fn func(RecordRow) error) error
	// SubjectsByIDs returns the subjects among ids that exist (ledger
	// verification).
	SubjectsByIDs(ids []string) ([]Subject, error)

	// Imports.
	CreateImport(j Import) error
	UpdateImport(j Import) error
	Import(id string) (Import, error)
	AddImportErrors(importID string, errs []FieldError) error
	ImportErrors(importID string, fn func(FieldError) error) error
	Imports(status string) ([]Import, error)

	// Ledger. LockLedger takes the sequencer lock (the head row) for the rest
	// of the transaction and returns the head.
	LockLedger() (LedgerHead, error)
	LedgerHead() (LedgerHead, error)
	SetLedgerHead(h LedgerHead) error
	AppendLedgerEntries(es []LedgerEntry) error
	LedgerEntries(from, to int64, fn func(LedgerEntry) error) error
	LedgerEntry(idx int64) (LedgerEntry, error)
	ReadLedgerNodes(ctx context.Context, keys []int64) ([][]byte, error)
	WriteLedgerNodes(ctx context.Context, keys []int64, hashes [][]byte) error
	PutCheckpoint(c StoredCheckpoint) error
	LatestCheckpoint() (StoredCheckpoint, error)
	Checkpoints(limit int) ([]StoredCheckpoint, error)
}

// AuditFilter selects audit events; zero fields match everything.
type AuditFilter struct {
	ObjectType string
	ObjectID   string
	Actor      string
	Action     Action
	Limit      int
}

// RecordFilter selects records; zero fields match everything.
type RecordFilter struct {
	DepartmentID string
	SubjectID    string
	Item         string
	ImportID     string
	Status       RecordStatus
	AfterID      string // keyset pagination by id
	Limit        int
}

// RecordContent is one stored version's committed content.
type RecordContent struct {
	ID      string
	Version int
	Content []byte
	Salt    []byte
	Erased  bool
	// LedgerIdx is the leaf that committed to this version.
	LedgerIdx int64
}

// RecordRow is a stored record version as ledger verification reads it:
// its content and salt, and what readers are served from the same row.
type RecordRow struct {
	RecordContent
	Current bool   // the record row (else a superseded version, record_version)
	Data    []byte // the stored JSON document of the Record
	// The columns of a current version (zero for a superseded one).
	DepartmentID, Item, DocNumber, SubjectID string
	Status, DecisionDate, Severity           string
	Published                                bool
	PubStart, PubMaxEnd                      string // "" when NULL
	LateDays                                 int
	Lenient                                  bool
}

// Session is a console session; only a hash of its secret is stored.
type Session struct {
	Hash      []byte
	AccountID string
	CSRF      string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// CodeOverride is an admin's audited acceptance of a code that fails its check.
type CodeOverride struct {
	Code      string      `json:"code"`
	Kind      SubjectKind `json:"kind"`
	Reason    string      `json:"reason"`
	By        string      `json:"by"`
	CreatedAt time.Time   `json:"created_at"`
}

// Import is an import job: a 双公示 file being read into records.
type Import struct {
	ID           string     `json:"id"`
	DepartmentID string     `json:"department_id"`
	Kind         string     `json:"kind"` // penalty or license
	Item         string     `json:"item"`
	FileName     string     `json:"file_name"`
	FileSize     int64      `json:"file_size"`
	FileDigest   string     `json:"file_digest"`
	Format       string     `json:"format,omitempty"`
	Severity     string     `json:"severity,omitempty"`  // class given to the file's penalties
	KeepFile     bool       `json:"keep_file,omitempty"` // the file belongs to the caller (command line): not deleted at the end
	Status       string     `json:"status"`              // queued, running, done, failed
	Rows         int        `json:"rows"`                // rows read so far
	Accepted     int        `json:"accepted"`
	Rejected     int        `json:"rejected"`
	Unchanged    int        `json:"unchanged"`
	Message      string     `json:"message,omitempty"`
	By           string     `json:"by"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	FinishedAt   *time.Time `json:"finished_at,omitempty"`
	// Runner is the claim of the process running the job, written when it
	// takes the job: a process whose claim is no longer the job's (it was
	// taken over as stale) stops before its next batch.
	Runner string `json:"runner,omitempty"`
	// Checkpoint is the last committed data row; a resumed import skips rows up to it.
	Checkpoint int    `json:"-"`
	Path       string `json:"-"` // where the uploaded file is kept while the job runs
}

// Import statuses.
const (
	ImportQueued  = "queued"
	ImportRunning = "running"
	ImportDone    = "done"
	ImportFailed  = "failed"
)

// LedgerHead is the sequencer's view of the log.
type LedgerHead struct {
	Size int64
	Root []byte
}

// LedgerEntry is the stored description of one leaf.
type LedgerEntry struct {
	Index      int64
	Kind       string
	ObjectType string
	ObjectID   string
	Version    int
	Commitment []byte
	At         time.Time
}

// StoredCheckpoint is a signed checkpoint kept for history.
type StoredCheckpoint struct {
	Size      int64
	Root      []byte
	Note      []byte
	CreatedAt time.Time
}
