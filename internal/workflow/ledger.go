package workflow

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"xinyong"
	"xinyong/internal/ledger"
)

// Checkpoint returns the latest signed checkpoint note. An empty log gets a
// checkpoint of size 0 signed on the fly.
func (s *Service) Checkpoint(ctx context.Context) ([]byte, error) {
	var note []byte
	err := s.view(ctx, func(tx xinyong.Tx) error {
		c, err := tx.LatestCheckpoint()
		if err == nil {
			note = c.Note
			return nil
		}
		if xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
			return err
		}
		note, err = ledger.SignCheckpoint(s.Signer, ledger.Checkpoint{Origin: s.Signer.Name(), Size: 0, Root: ledger.EmptyRoot()})
		return err
	})
	return note, err
}

// LeafInfo describes one leaf for the API: never the content, only what the
// leaf commits to.
type LeafInfo struct {
	Index      int64  `json:"index"`
	Kind       string `json:"kind"`
	ObjectType string `json:"object_type"`
	ObjectID   string `json:"object_id"`
	Version    int    `json:"version"`
	Commitment string `json:"commitment"`
	At         string `json:"at"`
	LeafHash   string `json:"leaf_hash"`
	LeafData   []byte `json:"leaf_data"` // the exact bytes hashed (RFC 6962 leaf input)
}

// Leaf returns the leaf at index.
func (s *Service) Leaf(ctx context.Context, index int64) (LeafInfo, error) {
	var li LeafInfo
	err := s.view(ctx, func(tx xinyong.Tx) error {
		h, err := tx.LedgerHead()
		if err != nil {
			return err
		}
		if index < 0 || index >= h.Size {
			return xinyong.Errorf(xinyong.ENOTFOUND, "leaf %d is outside the log (size %d)", index, h.Size)
		}
		e, err := tx.LedgerEntry(index)
		if err != nil {
			return err
		}
		l := LeafOf(e)
		li = LeafInfo{Index: e.Index, Kind: e.Kind, ObjectType: e.ObjectType, ObjectID: e.ObjectID, Version: e.Version, Commitment: hex.EncodeToString(e.Commitment),
			At: e.At.UTC().Format("2006-01-02T15:04:05.000000Z"), LeafHash: hex.EncodeToString(l.Hash()), LeafData: l.Bytes()}
		return nil
	})
	return li, err
}

// sizeCheck refuses tree sizes beyond the head.
func sizeCheck(tx xinyong.Tx, sizes ...int64) error {
	h, err := tx.LedgerHead()
	if err != nil {
		return err
	}
	for _, n := range sizes {
		if n < 0 || n > h.Size {
			return xinyong.Invalid("tree size out of range", xinyong.FieldError{Field: "size", Rule: "ledger.size", Message: fmt.Sprintf("size %d is not between 0 and the log size %d", n, h.Size)})
		}
	}
	return nil
}

// InclusionProof proves leaf index is in the tree of the given size.
func (s *Service) InclusionProof(ctx context.Context, index, size int64) ([][]byte, error) {
	var p [][]byte
	err := s.view(ctx, func(tx xinyong.Tx) error {
		if err := sizeCheck(tx, size); err != nil {
			return err
		}
		if index < 0 || index >= size {
			return xinyong.Invalid("index out of range", xinyong.FieldError{Field: "index", Rule: "ledger.index", Message: fmt.Sprintf("index %d is not below size %d", index, size)})
		}
		var err error
		p, err = ledger.InclusionProof(ctx, tx, uint64(index), uint64(size))
		return err
	})
	return p, err
}

// ConsistencyProof proves the tree of size old is a prefix of size new.
func (s *Service) ConsistencyProof(ctx context.Context, old, new int64) ([][]byte, error) {
	var p [][]byte
	err := s.view(ctx, func(tx xinyong.Tx) error {
		if err := sizeCheck(tx, old, new); err != nil {
			return err
		}
		if old > new {
			return xinyong.Invalid("old after new", xinyong.FieldError{Field: "old", Rule: "ledger.size", Message: "old must not exceed new"})
		}
		var err error
		p, err = ledger.ConsistencyProof(ctx, tx, uint64(old), uint64(new))
		return err
	})
	return p, err
}

// Problem is one finding of ledger verification.
type Problem struct {
	Index   int64  `json:"index"` // leaf index, or -1 when none applies
	Object  string `json:"object,omitempty"`
	Message string `json:"message"`
}

// VerifyReport is the outcome of ledger verification.
type VerifyReport struct {
	Size        int64     `json:"size"`
	Root        string    `json:"root"`
	Checkpoints int       `json:"checkpoints_checked"`
	Records     int       `json:"record_versions_checked"`
	Audit       int       `json:"audit_events_checked"`
	Queries     int       `json:"query_uses_checked"`
	Erased      int       `json:"erased_versions"`
	Listings    int       `json:"listing_versions_checked"`
	Objections  int       `json:"objection_versions_checked"`
	Repairs     int       `json:"repair_versions_checked"`
	Checks      int       `json:"measure_checks_checked"`
	Grading     int       `json:"grading_leaves_checked"`
	Problems    []Problem `json:"problems"`
}

// OK reports whether nothing was found.
func (r VerifyReport) OK() bool { return len(r.Problems) == 0 }

// MaxProblems caps the problems reported (the count is still right).
const MaxProblems = 1000

// verifyChunk is how many leaves verification reads at a time: each chunk
// reads its entries, leaf nodes, record versions and audit events, then
// compares them, so memory stays bounded whatever the log's size and no
// query runs while another's rows are open (PostgreSQL forbids that).
const verifyChunk = 4096

// Verify recomputes every leaf from the stored content, rebuilds the tree,
// and checks it against the head, the stored nodes and the signed
// checkpoints. Rows changed, deleted or inserted behind the application's
// back are reported by leaf index.
func (s *Service) Verify(ctx context.Context, verifierKey string, progress func(done, total int64)) (VerifyReport, error) {
	var rep VerifyReport
	if verifierKey == "" {
		verifierKey = s.Verifier
	}
	total := 0
	add := func(idx int64, obj, format string, args ...any) {
		total++
		if len(rep.Problems) < MaxProblems {
			rep.Problems = append(rep.Problems, Problem{Index: idx, Object: obj, Message: fmt.Sprintf(format, args...)})
		}
	}
	err := s.view(ctx, func(tx xinyong.Tx) error {
		head, err := tx.LedgerHead()
		if err != nil {
			return err
		}
		rep.Size = head.Size
		want, err := signedRoots(tx, verifierKey, head.Size, add)
		if err != nil {
			return err
		}
		if root, ok := want[0]; ok {
			rep.Checkpoints++
			if !bytes.Equal(root, ledger.EmptyRoot()) {
				add(-1, "", "the signed checkpoint of size 0 has a wrong root")
			}
		}
		unsignedHead(head, want, add)
		var b ledger.Builder
		var subjects subjectCache
		var rows recordRows // each chunk's record versions, in the same memory
		for from := int64(0); from < head.Size; from += verifyChunk {
			if err := ctx.Err(); err != nil {
				return err
			}
			to := min(from+verifyChunk, head.Size)
			if err := s.verifyChunk(ctx, tx, from, to, &b, want, &rows, &subjects, &rep, add); err != nil {
				return err
			}
			if progress != nil {
				progress(to, head.Size)
			}
		}
		rep.Root = hex.EncodeToString(b.Root())
		if head.Size > 0 && !bytes.Equal(b.Root(), head.Root) {
			add(head.Size-1, "", "the recomputed root differs from the stored head")
		}
		// Rows that no leaf of the log covers were inserted behind the
		// application's back.
		if err := tx.RecordContentsByLedger(head.Size, 1<<62, func(c xinyong.RecordContent) error {
			add(-1, fmt.Sprintf("record:%s v%d", c.ID, c.Version), "this record version claims leaf %d beyond the log: it was inserted behind the application's back", c.LedgerIdx)
			return nil
		}); err != nil {
			return err
		}
		if err := tx.RecordContentsByLedger(-1<<62, 0, func(c xinyong.RecordContent) error {
			add(-1, fmt.Sprintf("record:%s v%d", c.ID, c.Version), "this record version has no ledger leaf: it was inserted behind the application's back")
			return nil
		}); err != nil {
			return err
		}
		// Leaves stored beyond the head were appended behind the
		// application's back (or the head was moved back over them).
		if err := tx.LedgerEntries(head.Size, 1<<62, func(e xinyong.LedgerEntry) error {
			add(e.Index, e.ObjectType+":"+e.ObjectID, "a ledger entry beyond the head (size %d): it was appended without the sequencer and is not covered by any signed checkpoint", head.Size)
			return nil
		}); err != nil {
			return err
		}
		if err := queryUsesOutsideLog(tx, head.Size, add); err != nil {
			return err
		}
		if err := objectionMigrationProblems(tx, head.Size, add); err != nil { // objections_seal.go
			return err
		}
		return tx.AuditWithoutLeaf(head.Size, func(a xinyong.AuditEvent) error {
			rep.Audit++
			add(-1, fmt.Sprintf("audit:%d", a.ID), "this audit event has no ledger leaf: it was inserted behind the application's back")
			return nil
		})
	})
	if total > len(rep.Problems) {
		rep.Problems = append(rep.Problems, Problem{Index: -1, Message: fmt.Sprintf("… and %d more problems", total-len(rep.Problems))})
	}
	return rep, err
}

// unsignedHead reports leaves no signed checkpoint covers. Every
// transaction that appends leaves signs a checkpoint over its new head in
// the same transaction (txn.flush; group commits too), so the head of an
// untouched log always has one: leaves after the largest signed
// checkpoint were appended by someone without the signing key, and a log
// with leaves and no checkpoint lost its checkpoints.
func unsignedHead(head xinyong.LedgerHead, want map[int64][]byte, add func(int64, string, string, ...any)) {
	if head.Size == 0 {
		return
	}
	if root, ok := want[head.Size]; ok {
		if !bytes.Equal(root, head.Root) {
			add(head.Size-1, "", "the signed checkpoint of size %d does not sign the stored head root: the head was changed", head.Size)
		}
		return
	}
	largest := int64(0)
	for n := range want {
		largest = max(largest, n)
	}
	if len(want) == 0 {
		add(0, "", "no signed checkpoint covers leaves 0 to %d (the log has %d leaves and no valid signed checkpoint): appended without the signing key, or the checkpoints were deleted", head.Size-1, head.Size)
		return
	}
	leaves := fmt.Sprintf("leaves %d to %d are", largest, head.Size-1)
	if largest == head.Size-1 {
		leaves = fmt.Sprintf("leaf %d is", largest)
	}
	add(largest, "", "%s not covered by any signed checkpoint (the largest has size %d, the log %d): appended without the signing key", leaves, largest, head.Size)
}

// signedRoots opens every stored checkpoint with the verifier key and
// returns the signed root per tree size.
func signedRoots(tx xinyong.Tx, verifierKey string, size int64, add func(int64, string, string, ...any)) (map[int64][]byte, error) {
	cps, err := tx.Checkpoints(1 << 30)
	if err != nil {
		return nil, err
	}
	want := map[int64][]byte{}
	for _, c := range cps {
		cp, err := ledger.OpenCheckpoint(c.Note, verifierKey)
		if err != nil {
			add(-1, "", "checkpoint of size %d: signature or format does not verify: %v", c.Size, err)
			continue
		}
		if int64(cp.Size) != c.Size || !bytes.Equal(cp.Root, c.Root) {
			add(-1, "", "checkpoint row of size %d disagrees with its signed note", c.Size)
		}
		if int64(cp.Size) > size {
			add(int64(cp.Size)-1, "", "a signed checkpoint of size %d is beyond the log (size %d): leaves were deleted", cp.Size, size)
			continue
		}
		want[int64(cp.Size)] = cp.Root
	}
	return want, nil
}

// verifyChunk checks leaves [from, to).
func (s *Service) verifyChunk(ctx context.Context, tx xinyong.Tx, from, to int64, b *ledger.Builder, want map[int64][]byte, versions *recordRows, subjects *subjectCache, rep *VerifyReport, add func(int64, string, string, ...any)) error {
	entries := make(map[int64]xinyong.LedgerEntry, to-from)
	if err := tx.LedgerEntries(from, to, func(e xinyong.LedgerEntry) error {
		entries[e.Index] = e
		return nil
	}); err != nil {
		return err
	}
	keys := make([]int64, to-from)
	for i := range keys {
		keys[i] = ledger.NodeKey(0, uint64(from)+uint64(i))
	}
	stored, err := tx.ReadLedgerNodes(ctx, keys)
	if err != nil {
		add(from, "", "stored leaf hashes of leaves %d to %d are missing: %v", from, to-1, err)
		stored = nil
	}
	// One scan of the chunk's record versions serves both checks: the
	// commitment of each content and what each row serves (ledger_rows.go).
	if err := versions.read(tx, from, to, add); err != nil {
		return err
	}
	if err := checkServedRows(tx, versions, entries, subjects); err != nil {
		return err
	}
	audits := map[int64]xinyong.AuditEvent{}
	if err := tx.AuditByLedger(from, to, func(a xinyong.AuditEvent) error {
		audits[a.LedgerIdx] = a
		return nil
	}); err != nil {
		return err
	}
	queries, purged, err := queryUsesByLedger(tx, from, to)
	if err != nil {
		return err
	}
	listingCache := map[string][]xinyong.Listing{}
	objectionCache := map[string][]xinyong.Objection{}
	repairCache := map[string][]xinyong.Repair{}
	modelCache := map[string][]xinyong.GradingModel{}
	for idx := from; idx < to; idx++ {
		e, ok := entries[idx]
		var h []byte
		if !ok {
			add(idx, "", "ledger entry %d is missing (deleted)", idx)
			if stored != nil {
				h = stored[idx-from] // keep building so later checkpoints still compare
			}
		} else {
			h = LeafOf(e).Hash()
			if stored != nil && !bytes.Equal(stored[idx-from], h) {
				add(idx, e.ObjectType+":"+e.ObjectID, "the leaf row does not match the stored leaf hash: the ledger entry was changed")
			}
		}
		if h == nil {
			h = make([]byte, 32)
		}
		b.Add(h)
		if root, ok := want[int64(b.Size())]; ok {
			rep.Checkpoints++
			if !bytes.Equal(root, b.Root()) {
				add(int64(b.Size())-1, "", "the recomputed tree of size %d does not match its signed checkpoint", b.Size())
			}
		}
		v := versions.at(idx)
		hasVersion := v != nil
		var c xinyong.RecordRow
		if hasVersion {
			c = v.row
		}
		a, hasAudit := audits[idx]
		switch {
		case !ok:
		case e.ObjectType == "record":
			obj := fmt.Sprintf("record:%s v%d", e.ObjectID, e.Version)
			if !hasVersion {
				add(idx, obj, "the record version this leaf commits to is missing: the row was deleted")
				break
			}
			rep.Records++
			if c.ID != e.ObjectID || c.Version != e.Version {
				add(idx, obj, "the record version stored at this leaf is %s v%d: rows were changed", c.ID, c.Version)
				break
			}
			if c.Erased {
				rep.Erased++
				if msg := erasureProblem(tx, c.ID); msg != "" { // repairs.go: only a deletion by repair erases
					add(idx, obj, "%s", msg)
				}
				break
			}
			if c.Content == nil || c.Salt == nil {
				add(idx, obj, "the record version has content or salt but not both")
				break
			}
			if !bytes.Equal(v.commit[:], e.Commitment) { // v.commit: ledger.Commit(c.Salt, c.Content), computed in checkServedRows
				add(idx, obj, "the stored content does not match the ledger commitment: the row was changed")
				break
			}
			// The content is what the leaf commits to: what the row serves
			// must be what the content says (ledger_rows.go).
			if !v.checked {
				return fmt.Errorf("ledger verify: record %s v%d at leaf %d matches its commitment but its row was not checked", c.ID, c.Version, idx)
			}
			for _, msg := range v.msgs {
				add(idx, obj, "%s: the row was changed", msg)
			}
		case e.Kind == LeafListing:
			rep.Listings++
			if msg := versionLeafProblem(e, "listing", listingSalt, listingCache, tx.ListingVersions, func(l xinyong.Listing) int { return l.Version }); msg != "" {
				add(idx, fmt.Sprintf("listing:%s v%d", e.ObjectID, e.Version), "%s", msg)
			}
		case e.Kind == LeafObjection:
			rep.Objections++
			if msg := objectionLeafProblem(tx, e, objectionCache); msg != "" { // objections_ledger.go
				add(idx, fmt.Sprintf("objection:%s v%d", e.ObjectID, e.Version), "%s", msg)
			}
		case e.Kind == LeafObjectionMigrated:
			objectionSealCheck(tx, e, add) // objections_seal.go
		case e.Kind == LeafRepair:
			rep.Repairs++
			if msg := versionLeafProblem(e, "repair", repairSalt, repairCache, tx.RepairVersions, func(r xinyong.Repair) int { return r.Version }); msg != "" {
				add(idx, fmt.Sprintf("repair:%s v%d", e.ObjectID, e.Version), "%s", msg)
			}
		case e.Kind == LeafMeasureCheck:
			rep.Checks++
			chk, err := tx.MeasureCheck(e.ObjectID)
			if err != nil {
				add(idx, "measure_check:"+e.ObjectID, "the measures check this leaf commits to is missing: the row was deleted")
				break
			}
			if got := ledger.Commit(checkSalt, chk.Receipt); !bytes.Equal(got[:], e.Commitment) {
				add(idx, "measure_check:"+e.ObjectID, "the stored receipt does not match the ledger commitment: the row was changed")
			}
		case e.Kind == LeafGradingModel:
			rep.Grading++
			if msg := versionLeafProblem(e, "grading model", gradingModelSalt, modelCache, tx.GradingModelVersions, func(m xinyong.GradingModel) int { return m.Version }); msg != "" {
				add(idx, fmt.Sprintf("grading_model:%s v%d", e.ObjectID, e.Version), "%s", msg)
			}
		case e.Kind == LeafGradingRun:
			rep.Grading++
			if msg := gradingRunLeafProblem(tx, e); msg != "" {
				add(idx, "grading_run:"+e.ObjectID, "%s", msg)
			}
		case e.Kind == LeafGradeReview:
			// Only a review's current version is stored (earlier ones live
			// only as leaves): the current one is recomputed.
			if msg, checked := gradeReviewLeafProblem(tx, e); checked {
				rep.Grading++
				if msg != "" {
					add(idx, fmt.Sprintf("grade_review:%s v%d", e.ObjectID, e.Version), "%s", msg)
				}
			}
		case e.Kind == "audit":
			if !hasAudit {
				add(idx, e.ObjectID, "the audit event of this leaf is missing: the row was deleted")
				break
			}
			rep.Audit++
			if got := ledger.Commit(auditSalt, AuditContent(a)); !bytes.Equal(got[:], e.Commitment) {
				add(idx, fmt.Sprintf("audit:%d", a.ID), "the audit event does not match its ledger commitment: the row was changed")
			}
		}
		if hasVersion && (!ok || e.ObjectType != "record") {
			add(idx, fmt.Sprintf("record:%s v%d", c.ID, c.Version), "this record version points to a leaf about something else: it was inserted or changed behind the application's back")
		}
		checkQueryLeaf(idx, e, ok, queries, purged, rep, add)
		if hasAudit && (!ok || e.Kind != "audit") {
			add(idx, fmt.Sprintf("audit:%d", a.ID), "this audit event points to a leaf about something else")
		}
	}
	return nil
}

// versionLeafProblem recomputes the commitment of a stored version (a
// listing's or an objection's: their leaves commit to the JSON of the
// version under a fixed salt); "" when it matches. cache holds each
// object's versions for the chunk.
func versionLeafProblem[T any](e xinyong.LedgerEntry, what string, salt []byte, cache map[string][]T, load func(id string) ([]T, error), version func(T) int) string {
	vs, ok := cache[e.ObjectID]
	if !ok {
		var err error
		if vs, err = load(e.ObjectID); err != nil {
			vs = nil
		}
		cache[e.ObjectID] = vs
	}
	for _, v := range vs {
		if version(v) != e.Version {
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			return "the stored " + what + " version cannot be encoded"
		}
		if got := ledger.Commit(salt, b); !bytes.Equal(got[:], e.Commitment) {
			return "the stored " + what + " version does not match the ledger commitment: the row was changed"
		}
		return ""
	}
	return "the " + what + " version this leaf commits to is missing: the row was deleted"
}

// gradingRunLeafProblem recomputes the commitment of a finished grading
// run (its scope, counts and the digest of every grade it wrote).
func gradingRunLeafProblem(tx xinyong.Tx, e xinyong.LedgerEntry) string {
	r, err := tx.GradingRun(e.ObjectID)
	if err != nil {
		return "the grading run this leaf commits to is missing: the row was deleted"
	}
	b, err := json.Marshal(runCommitment(r))
	if err != nil {
		return "the grading run cannot be encoded"
	}
	if got := ledger.Commit(gradingRunSalt, b); !bytes.Equal(got[:], e.Commitment) {
		return "the stored grading run (counts or digest) does not match the ledger commitment: the row was changed"
	}
	return ""
}

// gradeReviewLeafProblem recomputes the commitment of a grade review's
// current version; checked is false for a leaf of an earlier version.
func gradeReviewLeafProblem(tx xinyong.Tx, e xinyong.LedgerEntry) (msg string, checked bool) {
	r, err := tx.GradeReview(e.ObjectID)
	if err != nil {
		return "the grade review this leaf commits to is missing: the row was deleted", true
	}
	if r.Version != e.Version {
		return "", false
	}
	b, err := json.Marshal(r)
	if err != nil {
		return "the grade review cannot be encoded", true
	}
	if got := ledger.Commit(gradeReviewSalt, b); !bytes.Equal(got[:], e.Commitment) {
		return "the stored grade review does not match the ledger commitment: the row was changed", true
	}
	return "", true
}
