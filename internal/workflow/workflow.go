// Package workflow holds the use cases: each call is one transaction that
// asks the domain for the decision, writes the change, its audit event and
// its ledger leaves, and commits them together.
package workflow

import (
	"context"
	"crypto/hmac"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"maps"
	mrand "math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/note"

	"xinyong"
	"xinyong/internal/ledger"
)

// Service runs the use cases over a store.
type Service struct {
	Store  xinyong.Store
	Clock  func() time.Time
	Signer note.Signer // checkpoint signer (key file outside the database)
	// Verifier is the note verifier key matching Signer.
	Verifier string
	// IDKey keys the hash under which natural persons' ID numbers are
	// stored; the clear number is never stored.
	IDKey   []byte
	Holiday xinyong.HolidaySource
	Log     *slog.Logger
	// Sharing: consent and query-use log limits (zero: the defaults).
	Sharing xinyong.SharingPolicy
	// Webhooks: delivery of events to subscribed systems (events.go).
	Webhooks Webhooks
	// RepairFiles: where repair materials are kept and how large they may be (repairs.go).
	RepairFiles RepairConfig

	group          grouper                     // group commit of query-use appends (group.go)
	measureCache   revCache[[]xinyong.Measure] // group.go
	catalogueCache revCache[catalogueSnapshot]
	rulesCache     revCache[rulesSnapshot] // calendar corrections and regimes
}

// Now returns the service clock's time.
func (s *Service) Now() time.Time {
	if s.Clock != nil {
		return s.Clock()
	}
	return time.Now()
}

// NewID returns a new time-ordered row id (UUIDv7).
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// Digest returns the hex SHA-256 of v's JSON (for audit before/after).
func Digest(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// txn wraps a store transaction with the audit and ledger helpers.
type txn struct {
	xinyong.Tx
	s       *Service
	ctx     context.Context
	actor   xinyong.Actor
	head    *xinyong.LedgerHead
	hashes  [][]byte
	entries []xinyong.LedgerEntry
	after   []func()
	events  []xinyong.Event // queued for the outbox (events.go)
	changed map[string]bool // cached lists this transaction changed (group.go)
	salts   *mrand.ChaCha8
	bulk    *bulk
	flags   map[string]*flagProbe // the rate flag's probes, by account (supervision.go)
}

// bulk is the write-behind buffer of bulk intake: lookups are answered from
// what was prefetched for the whole batch, and new subjects and records are
// inserted with multi-row statements when the transaction flushes.
type bulk struct {
	dept        string
	kinds       map[string]bool            // record kinds prefetched
	subjects    map[string]xinyong.Subject // by key; absent keys map to the zero Subject
	records     map[string]xinyong.Record  // by kind and decision number (docKey); likewise
	newSubjects []xinyong.Subject
	newRecords  []xinyong.Record
	pending     map[string]bool // ids of newRecords
	// regrades: the subjects whose stored grades follow a changed record
	// of the batch (regradeLater), graded once each when the batch is
	// written (flushBulk), with every record of the batch in place.
	regrades map[string]gradeStop
}

func bulkKey(kind, number string) string { return kind + "\x00" + number }

// prefetch starts bulk mode for a batch: it loads the subjects and records
// the batch may touch (decision numbers by record kind) with a few IN
// queries.
func (t *txn) prefetch(dept string, numbers map[string][]string, keys []string) error {
	b := &bulk{dept: dept, kinds: map[string]bool{}, subjects: make(map[string]xinyong.Subject, len(keys)), records: map[string]xinyong.Record{}}
	for _, k := range keys {
		b.subjects[k] = xinyong.Subject{}
	}
	ss, err := t.SubjectsByKeys(keys)
	if err != nil {
		return err
	}
	for _, s := range ss {
		b.subjects[s.Key] = s
	}
	for kind, nums := range numbers {
		b.kinds[kind] = true
		for _, n := range nums {
			b.records[bulkKey(kind, n)] = xinyong.Record{}
		}
		rs, err := t.RecordsByDocKeys(dept, kind, nums)
		if err != nil {
			return err
		}
		for _, r := range rs {
			b.records[bulkKey(kind, r.Document.Number)] = r
		}
	}
	t.bulk = b
	return nil
}

func notFoundErr(what string) error {
	return &xinyong.Error{Code: xinyong.ENOTFOUND, Message: what + " not found"}
}

func (t *txn) subjectByKey(key string) (xinyong.Subject, error) {
	if t.bulk != nil {
		if s, ok := t.bulk.subjects[key]; ok {
			if s.ID == "" {
				return s, notFoundErr("subject")
			}
			return s, nil
		}
	}
	return t.SubjectByKey(key)
}

// updateSubject stores a changed subject: in the write-behind buffer if it
// is new in this batch, else in the store.
func (t *txn) updateSubject(s xinyong.Subject) error {
	if b := t.bulk; b != nil {
		b.subjects[s.Key] = s
		for i := range b.newSubjects {
			if b.newSubjects[i].Key == s.Key {
				b.newSubjects[i] = s
				return nil
			}
		}
	}
	return t.putSubject(s)
}

// putSubject stores a subject and its search index rows (issue 5), in the
// same transaction.
func (t *txn) putSubject(s xinyong.Subject) error {
	if err := t.PutSubject(s); err != nil {
		return err
	}
	return t.IndexSubjects([]xinyong.Subject{s})
}

func (t *txn) insertSubject(s xinyong.Subject) error {
	if t.bulk == nil {
		return t.putSubject(s)
	}
	t.bulk.subjects[s.Key] = s
	t.bulk.newSubjects = append(t.bulk.newSubjects, s)
	return nil
}

func (t *txn) recordByDocKey(dept, kind, number string) (xinyong.Record, error) {
	if b := t.bulk; b != nil && b.dept == dept && b.kinds[kind] {
		if r, ok := b.records[bulkKey(kind, number)]; ok {
			if r.ID == "" {
				return r, notFoundErr("record")
			}
			return r, nil
		}
	}
	return t.RecordByDocKey(dept, kind, number)
}

func (t *txn) cacheRecord(r xinyong.Record) {
	if b := t.bulk; b != nil && b.dept == r.DepartmentID && b.kinds[r.Kind] {
		b.records[bulkKey(r.Kind, r.Document.Number)] = r
	}
}

func (t *txn) insertRecord(r xinyong.Record) error {
	if b := t.bulk; b != nil && b.dept == r.DepartmentID && b.kinds[r.Kind] {
		b.records[bulkKey(r.Kind, r.Document.Number)] = r
		b.newRecords = append(b.newRecords, r)
		if b.pending == nil {
			b.pending = map[string]bool{}
		}
		b.pending[r.ID] = true
		return nil
	}
	return t.InsertRecord(r)
}

// updateRecord writes a new version of a record. In bulk mode a record
// created earlier in the same batch (the same decision number twice, the
// second changed) is still in the buffer: the buffer is written first, so
// that the new version has the row it follows.
func (t *txn) updateRecord(r xinyong.Record) error {
	if b := t.bulk; b != nil && b.pending[r.ID] {
		if err := t.writeBuffered(); err != nil {
			return err
		}
	}
	return t.UpdateRecord(r)
}

// flushBulk writes the buffered subjects and records and ends bulk mode.
func (t *txn) flushBulk() error {
	if t.bulk == nil {
		return nil
	}
	err := t.writeBuffered()
	regrades := t.bulk.regrades
	t.bulk = nil
	if err != nil {
		return err
	}
	for _, subj := range slices.Sorted(maps.Keys(regrades)) {
		if err := t.regradeOnStop(subj, regrades[subj]); err != nil {
			return err
		}
	}
	return nil
}

// writeBuffered writes the buffered subjects and records; bulk mode goes on.
func (t *txn) writeBuffered() error {
	b := t.bulk
	subjects, records := b.newSubjects, b.newRecords
	b.newSubjects, b.newRecords = nil, nil
	clear(b.pending)
	if err := t.InsertSubjects(subjects); err != nil {
		return err
	}
	if err := t.IndexSubjects(subjects); err != nil {
		return err
	}
	return t.InsertRecords(records)
}

// salt returns a fresh 32-byte salt. A transaction draws its salts from a
// ChaCha8 stream seeded once from crypto/rand (a cryptographically strong
// generator), instead of one system call per record.
func (t *txn) salt() []byte {
	if t.salts == nil {
		var seed [32]byte
		crand.Read(seed[:])
		t.salts = mrand.NewChaCha8(seed)
	}
	b := make([]byte, ledger.SaltSize)
	t.salts.Read(b)
	return b
}

// update runs fn in one transaction and, before commit, appends the ledger
// leaves fn queued and signs a checkpoint over the new head.
func (s *Service) update(ctx context.Context, actor xinyong.Actor, fn func(t *txn) error) error {
	var after []func()
	err := s.Store.Update(ctx, func(tx xinyong.Tx) error {
		t := &txn{Tx: tx, s: s, ctx: ctx, actor: actor}
		if err := fn(t); err != nil {
			return err
		}
		after = t.after
		return t.flush()
	})
	if err == nil {
		for _, f := range after {
			f()
		}
	}
	return err
}

// view runs fn in a read-only transaction.
func (s *Service) view(ctx context.Context, fn func(tx xinyong.Tx) error) error {
	return s.Store.View(ctx, fn)
}

// read runs fn's reads each on its own (Store.Read): only for a lookup of
// one statement, which needs no common snapshot.
func (s *Service) read(ctx context.Context, fn func(tx xinyong.Tx) error) error {
	return s.Store.Read(ctx, fn)
}

// leaf queues a ledger leaf and returns the index it will have.
func (t *txn) leaf(kind, objType, objID string, version int, commitment [32]byte) (int64, error) {
	if t.head == nil {
		h, err := t.LockLedger()
		if err != nil {
			return 0, err
		}
		t.head = &h
	}
	idx := t.head.Size + int64(len(t.entries))
	l := ledger.Leaf{Kind: kind, ObjectType: objType, ObjectID: objID, Version: version, Commitment: commitment, At: t.Now()}.Normalize()
	t.hashes = append(t.hashes, l.Hash())
	t.entries = append(t.entries, xinyong.LedgerEntry{Index: idx, Kind: kind, ObjectType: objType, ObjectID: objID, Version: version, Commitment: commitment[:], At: l.At})
	return idx, nil
}

// LeafOf rebuilds the ledger leaf an entry describes.
func LeafOf(e xinyong.LedgerEntry) ledger.Leaf {
	var c [32]byte
	copy(c[:], e.Commitment)
	return ledger.Leaf{Kind: e.Kind, ObjectType: e.ObjectType, ObjectID: e.ObjectID, Version: e.Version, Commitment: c, At: e.At}.Normalize()
}

func (t *txn) flush() error {
	if err := t.flushBulk(); err != nil {
		return err
	}
	if err := t.flushEvents(); err != nil {
		return err
	}
	if len(t.hashes) == 0 {
		return nil
	}
	size, root, err := ledger.Append(t.ctx, t, uint64(t.head.Size), t.hashes)
	if err != nil {
		return err
	}
	if err := t.AppendLedgerEntries(t.entries); err != nil {
		return err
	}
	h := xinyong.LedgerHead{Size: int64(size), Root: root}
	if err := t.SetLedgerHead(h); err != nil {
		return err
	}
	if t.s.Signer != nil {
		msg, err := ledger.SignCheckpoint(t.s.Signer, ledger.Checkpoint{Origin: t.s.Signer.Name(), Size: size, Root: root})
		if err != nil {
			return err
		}
		if err := t.PutCheckpoint(xinyong.StoredCheckpoint{Size: h.Size, Root: root, Note: msg, CreatedAt: t.Now()}); err != nil {
			return err
		}
	}
	t.hashes, t.entries = nil, nil
	return nil
}

// AuditContent is the canonical content an audit leaf commits to.
func AuditContent(e xinyong.AuditEvent) []byte {
	b, _ := json.Marshal([]any{e.At.UTC().UnixMicro(), e.Actor, e.ActorName, string(e.Action), e.ObjectType, e.ObjectID, e.BeforeDigest, e.AfterDigest, e.Detail})
	return b
}

// auditSalt is the fixed salt of audit leaves: audit rows are kept for good,
// so they need no erasable salt.
var auditSalt = []byte("xinyong-audit")

// audit writes an audit event and its ledger leaf.
func (t *txn) audit(action xinyong.Action, objType, objID string, before, after any, detail string) error {
	e := xinyong.AuditEvent{
		At: t.Now().UTC().Truncate(time.Microsecond), Actor: t.actor.Ref(), ActorName: t.actor.Name, Action: action,
		ObjectType: objType, ObjectID: objID, BeforeDigest: Digest(before), AfterDigest: Digest(after),
		// Free text in the audit trail (and its ledger leaf, which is never
		// erased) holds no full citizen ID number (DOMAIN.md §7).
		Detail: xinyong.MaskCitizenIDs(detail),
	}
	idx, err := t.leaf("audit", "audit", objType+":"+objID, 0, ledger.Commit(auditSalt, AuditContent(e)))
	if err != nil {
		return err
	}
	e.LedgerIdx = idx
	return t.AppendAudit(e)
}

// subjectKey returns the storage key of an identity: the USCC, or for a
// natural person a keyed hash of the ID number.
func (s *Service) subjectKey(id xinyong.Identity) string {
	if id.Kind != xinyong.KindPerson {
		return id.Code
	}
	m := hmac.New(sha256.New, s.IDKey)
	m.Write([]byte(id.Code))
	return "P:" + hex.EncodeToString(m.Sum(nil))
}

// SubjectKey returns the storage key for a code (USCC or citizen ID).
func (s *Service) SubjectKey(code string) string {
	code = xinyong.NormalizeCode(code)
	if id, err := xinyong.ParseCitizenID(code); err == nil {
		return s.subjectKey(id)
	}
	return code
}

// rules returns the working-day calendar and the publication regimes in
// force as tx sees them, decoded once per revision of the calendar
// corrections and regimes (group.go): a correction another process made
// counts from its commit on.
func (s *Service) rules(tx xinyong.Tx) (xinyong.Calendar, xinyong.Regimes, error) {
	r, err := s.rulesCache.get(tx, MetaRulesRev, func() (rulesSnapshot, error) {
		ovs, err := tx.Overrides()
		if err != nil {
			return rulesSnapshot{}, err
		}
		rs, err := tx.Regimes()
		if err != nil {
			return rulesSnapshot{}, err
		}
		m := make(map[xinyong.Date]xinyong.Override, len(ovs))
		for _, o := range ovs {
			m[o.Date] = o
		}
		return rulesSnapshot{cal: xinyong.Calendar{Source: s.Holiday, Overrides: m, Memo: new(sync.Map)}, regimes: rs}, nil
	})
	return r.cal, r.regimes, err
}

type rulesSnapshot struct {
	cal     xinyong.Calendar
	regimes xinyong.Regimes
}

// Calendar returns the current working-day calendar.
func (s *Service) Calendar(ctx context.Context) (xinyong.Calendar, error) {
	var c xinyong.Calendar
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		c, _, err = s.rules(tx)
		return err
	})
	return c, err
}

// lockLedgerFirst takes the ledger's sequencer lock, once per
// transaction, before the transaction touches the rows it will write: every
// writer of a listing or grade row locks first. A withdrawal or an objection's deletion seals the
// record (taking the lock) and then updates the listings resting on it; a
// step that updated the listing row first and locked at its leaf made a
// cycle with them on PostgreSQL (one failed with a deadlock), and the
// removal's regrade writes grade rows, whose writers all lock first
// (grading.go, EvaluateSubject).
func (t *txn) lockLedgerFirst() error {
	if t.head != nil {
		return nil
	}
	h, err := t.LockLedger()
	if err != nil {
		return err
	}
	t.head = &h
	return nil
}
