package workflow

import (
	"bytes"
	"context"
	"encoding/hex"
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
	Erased      int       `json:"erased_versions"`
	Problems    []Problem `json:"problems"`
}

// OK reports whether nothing was found.
func (r VerifyReport) OK() bool { return len(r.Problems) == 0 }

// MaxProblems caps the problems reported (the count is still right).
const MaxProblems = 1000

// Verify recomputes every leaf from the stored content, rebuilds the tree,
// and checks it against the head, the stored nodes and the signed
// checkpoints. Rows changed, deleted or inserted behind the application's
// back are reported by leaf index.
func (s *Service) Verify(ctx context.Context, verifierKey string, progress func(done, total int64)) (VerifyReport, error) {
	var rep VerifyReport
	if verifierKey == "" {
		verifierKey = s.Verifier
	}
	add := func(idx int64, obj, format string, args ...any) {
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
		cps, err := tx.Checkpoints(1 << 30)
		if err != nil {
			return err
		}
		want := map[int64][]byte{} // size → root, from signed checkpoints
		for _, c := range cps {
			cp, err := ledger.OpenCheckpoint(c.Note, verifierKey)
			if err != nil {
				add(-1, "", "checkpoint of size %d: signature or format does not verify: %v", c.Size, err)
				continue
			}
			if int64(cp.Size) != c.Size || !bytes.Equal(cp.Root, c.Root) {
				add(-1, "", "checkpoint row of size %d disagrees with its signed note", c.Size)
			}
			if int64(cp.Size) > head.Size {
				add(int64(cp.Size)-1, "", "a signed checkpoint of size %d is beyond the log (size %d): leaves were deleted", cp.Size, head.Size)
				continue
			}
			want[int64(cp.Size)] = cp.Root
		}
		// Pass 1: leaves → tree, compared with stored leaf nodes and checkpoints.
		var b ledger.Builder
		var expect int64
		batch := make([]xinyong.LedgerEntry, 0, 4096)
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			keys := make([]int64, len(batch))
			for i, e := range batch {
				keys[i] = ledger.NodeKey(0, uint64(e.Index))
			}
			stored, err := tx.ReadLedgerNodes(ctx, keys)
			if err != nil {
				add(batch[0].Index, "", "stored leaf hashes missing: %v", err)
				stored = nil
			}
			for i, e := range batch {
				h := LeafOf(e).Hash()
				if stored != nil && !bytes.Equal(stored[i], h) {
					add(e.Index, e.ObjectType+":"+e.ObjectID, "leaf row does not match the stored leaf hash: the ledger entry was changed")
				}
				b.Add(h)
				if root, ok := want[int64(b.Size())]; ok {
					rep.Checkpoints++
					if !bytes.Equal(root, b.Root()) {
						add(int64(b.Size())-1, "", "the recomputed tree of size %d does not match its signed checkpoint", b.Size())
					}
				}
			}
			batch = batch[:0]
			return nil
		}
		if root, ok := want[0]; ok {
			rep.Checkpoints++
			if !bytes.Equal(root, ledger.EmptyRoot()) {
				add(-1, "", "the signed checkpoint of size 0 has a wrong root")
			}
		}
		err = tx.LedgerEntries(0, head.Size, func(e xinyong.LedgerEntry) error {
			for expect < e.Index {
				add(expect, "", "ledger entry %d is missing (deleted)", expect)
				expect++
			}
			expect = e.Index + 1
			batch = append(batch, e)
			if len(batch) == cap(batch) {
				if progress != nil {
					progress(e.Index, head.Size)
				}
				return flush()
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := flush(); err != nil {
			return err
		}
		for expect < head.Size {
			add(expect, "", "ledger entry %d is missing (deleted)", expect)
			expect++
		}
		if int64(b.Size()) == head.Size && !bytes.Equal(b.Root(), head.Root) && head.Size > 0 {
			add(head.Size-1, "", "the recomputed root differs from the stored head")
		}
		rep.Root = hex.EncodeToString(b.Root())
		// Pass 2: every stored record version against its leaf, and every
		// leaf about a record against a stored version.
		seen := map[string]bool{}
		err = tx.RecordContents(func(c xinyong.RecordContent) error {
			rep.Records++
			obj := fmt.Sprintf("record:%s v%d", c.ID, c.Version)
			seen[fmt.Sprintf("%s\x00%d", c.ID, c.Version)] = true
			if c.Erased {
				rep.Erased++
				return nil
			}
			if c.Content == nil || c.Salt == nil {
				add(-1, obj, "record version has content or salt but not both")
				return nil
			}
			cc, err := payloadOf(c.Content)
			if err != nil || cc.ID != c.ID || cc.Version != c.Version {
				add(-1, obj, "stored content does not describe this record version")
			}
			return nil
		})
		if err != nil {
			return err
		}
		// Commitments: look each record leaf's version up.
		err = tx.LedgerEntries(0, head.Size, func(e xinyong.LedgerEntry) error {
			if e.ObjectType != "record" {
				return nil
			}
			key := fmt.Sprintf("%s\x00%d", e.ObjectID, e.Version)
			if !seen[key] {
				add(e.Index, "record:"+e.ObjectID, "the record version this leaf commits to (v%d) is missing: a row was deleted", e.Version)
				return nil
			}
			delete(seen, key)
			return nil
		})
		if err != nil {
			return err
		}
		for key := range seen {
			id, v, _ := cutVersion(key)
			add(-1, fmt.Sprintf("record:%s v%s", id, v), "this record version has no ledger leaf: it was inserted behind the application's back")
		}
		return s.verifyCommitments(ctx, tx, head.Size, &rep, add)
	})
	return rep, err
}

func cutVersion(key string) (string, string, bool) {
	i := bytes.IndexByte([]byte(key), 0)
	if i < 0 {
		return key, "", false
	}
	return key[:i], key[i+1:], true
}

// verifyCommitments recomputes each record version's and audit event's
// commitment and compares it with its leaf.
func (s *Service) verifyCommitments(ctx context.Context, tx xinyong.Tx, size int64, rep *VerifyReport, add func(int64, string, string, ...any)) error {
	err := tx.RecordContents(func(c xinyong.RecordContent) error {
		if c.Erased {
			return nil
		}
		idx := c.LedgerIdx
		e, err := tx.LedgerEntry(idx)
		if err != nil || e.ObjectID != c.ID || e.Version != c.Version {
			add(idx, "record:"+c.ID, "the record version's ledger index points to a leaf about something else")
			return nil
		}
		got := ledger.Commit(c.Salt, c.Content)
		if !bytes.Equal(got[:], e.Commitment) {
			add(idx, fmt.Sprintf("record:%s v%d", c.ID, c.Version), "stored content does not match the ledger commitment: the row was changed")
		}
		return nil
	})
	if err != nil {
		return err
	}
	auditLeaves := 0
	if err := tx.LedgerEntries(0, size, func(e xinyong.LedgerEntry) error {
		if e.Kind == "audit" {
			auditLeaves++
		}
		return nil
	}); err != nil {
		return err
	}
	err = tx.AllAudit(func(a xinyong.AuditEvent) error {
		rep.Audit++
		if a.LedgerIdx < 0 {
			add(-1, fmt.Sprintf("audit:%d", a.ID), "audit event has no ledger leaf: it was inserted behind the application's back")
			return nil
		}
		e, err := tx.LedgerEntry(a.LedgerIdx)
		if err != nil || e.Kind != "audit" {
			add(a.LedgerIdx, fmt.Sprintf("audit:%d", a.ID), "audit event points to a missing or foreign leaf")
			return nil
		}
		got := ledger.Commit(auditSalt, AuditContent(a))
		if !bytes.Equal(got[:], e.Commitment) {
			add(a.LedgerIdx, fmt.Sprintf("audit:%d", a.ID), "audit event does not match its ledger commitment: the row was changed")
		}
		return nil
	})
	if err != nil {
		return err
	}
	if rep.Audit != auditLeaves {
		add(-1, "audit", "%d audit leaves but %d audit events: audit rows were deleted or inserted", auditLeaves, rep.Audit)
	}
	return nil
}
