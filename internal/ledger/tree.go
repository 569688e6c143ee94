package ledger

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/tlog"
)

// HashSize is the size of every node hash (SHA-256).
const HashSize = 32

// maxSize bounds tree sizes so that every node key fits in an int64.
const maxSize = uint64(1) << 62

var factory = &compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}

// EmptyRoot returns the root of the empty tree: SHA-256 of the empty string.
func EmptyRoot() []byte { return rfc6962.DefaultHasher.EmptyRoot() }

// NodeKey maps a tree node (level, index) to a dense int64 key, numbered as
// golang.org/x/mod/sumdb/tlog.StoredHashIndex. Level 0 holds the leaf
// hashes. The stored nodes of a tree of size n have exactly the keys
// 0 .. StoredNodeCount(n)-1, so keys grow as the log grows.
func NodeKey(level uint, index uint64) int64 {
	return tlog.StoredHashIndex(int(level), int64(index))
}

// StoredNodeCount returns the number of nodes stored for a tree of the given
// size, which is also the smallest key not yet used by it.
func StoredNodeCount(size uint64) int64 {
	return tlog.StoredHashCount(int64(size))
}

// NodeStore is how the log reads and writes node hashes; the database
// transaction implements it.
type NodeStore interface {
	// ReadLedgerNodes returns the hashes stored under keys, in the same
	// order; it fails if any is missing.
	ReadLedgerNodes(ctx context.Context, keys []int64) ([][]byte, error)
	// WriteLedgerNodes stores hashes[i] under keys[i]. Keys are never
	// rewritten by this package.
	WriteLedgerNodes(ctx context.Context, keys []int64, hashes [][]byte) error
}

func checkSize(size uint64) error {
	if size > maxSize {
		return fmt.Errorf("ledger: tree size %d too large", size)
	}
	return nil
}

func readNodes(ctx context.Context, ns NodeStore, ids []compact.NodeID) ([][]byte, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	keys := make([]int64, len(ids))
	for i, id := range ids {
		keys[i] = NodeKey(id.Level, id.Index)
	}
	hashes, err := ns.ReadLedgerNodes(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("ledger: read nodes: %w", err)
	}
	if len(hashes) != len(keys) {
		return nil, fmt.Errorf("ledger: read nodes: got %d hashes for %d keys", len(hashes), len(keys))
	}
	for i, h := range hashes {
		if len(h) != HashSize {
			return nil, fmt.Errorf("ledger: node %d (level %d, index %d): hash has %d bytes", keys[i], ids[i].Level, ids[i].Index, len(h))
		}
	}
	return hashes, nil
}

// loadRange loads the compact range [0, size) from ns.
func loadRange(ctx context.Context, ns NodeStore, size uint64) (*compact.Range, error) {
	if err := checkSize(size); err != nil {
		return nil, err
	}
	ids := compact.RangeNodes(0, size, nil)
	hashes, err := readNodes(ctx, ns, ids)
	if err != nil {
		return nil, err
	}
	r, err := factory.NewRange(0, size, hashes)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	return r, nil
}

func rangeRoot(r *compact.Range) []byte {
	if r.End() == 0 {
		return EmptyRoot()
	}
	root, err := r.GetRootHash(nil)
	if err != nil { // cannot happen: the range starts at 0
		panic(err)
	}
	return root
}

// Append appends leafHashes to the tree of the given size stored in ns. It
// loads the compact range for [0, size) (the perfect-subtree roots given by
// compact.RangeNodes), writes every node that the new leaves complete,
// including the level-0 leaf hashes, in one WriteLedgerNodes call with keys
// in increasing order, and returns the new size and root. Ephemeral nodes
// are not written. With no leaf hashes it writes nothing and returns the
// current size and root.
//
// The caller must serialise appends (one sequencer) and store the returned
// size with the nodes in the same transaction.
func Append(ctx context.Context, ns NodeStore, size uint64, leafHashes [][]byte) (newSize uint64, root []byte, err error) {
	if uint64(len(leafHashes)) > maxSize-min(size, maxSize) {
		return 0, nil, fmt.Errorf("ledger: tree size %d + %d too large", size, len(leafHashes))
	}
	for i, h := range leafHashes {
		if len(h) != HashSize {
			return 0, nil, fmt.Errorf("ledger: leaf hash %d has %d bytes, want %d", i, len(h), HashSize)
		}
	}
	r, err := loadRange(ctx, ns, size)
	if err != nil {
		return 0, nil, err
	}
	if len(leafHashes) == 0 {
		return size, rangeRoot(r), nil
	}
	// The nodes completed by the new leaves are exactly the keys
	// StoredNodeCount(size) .. StoredNodeCount(newSize)-1.
	n := StoredNodeCount(size+uint64(len(leafHashes))) - StoredNodeCount(size)
	keys := make([]int64, 0, n)
	hashes := make([][]byte, 0, n)
	visit := func(id compact.NodeID, hash []byte) {
		keys = append(keys, NodeKey(id.Level, id.Index))
		hashes = append(hashes, hash)
	}
	for _, h := range leafHashes {
		if err := r.Append(bytes.Clone(h), visit); err != nil {
			return 0, nil, fmt.Errorf("ledger: %w", err)
		}
	}
	if int64(len(keys)) != n {
		return 0, nil, fmt.Errorf("ledger: internal error: %d nodes completed, want %d", len(keys), n)
	}
	if err := ns.WriteLedgerNodes(ctx, keys, hashes); err != nil {
		return 0, nil, fmt.Errorf("ledger: write nodes: %w", err)
	}
	return r.End(), rangeRoot(r), nil
}

// Root returns the root of the tree of the given size (for size 0, the
// SHA-256 of the empty string, as RFC 6962 defines).
func Root(ctx context.Context, ns NodeStore, size uint64) ([]byte, error) {
	r, err := loadRange(ctx, ns, size)
	if err != nil {
		return nil, err
	}
	return rangeRoot(r), nil
}

// InclusionProof returns the RFC 6962 inclusion proof (audit path) of leaf
// index in the tree of the given size. It requires index < size.
func InclusionProof(ctx context.Context, ns NodeStore, index, size uint64) ([][]byte, error) {
	if err := checkSize(size); err != nil {
		return nil, err
	}
	if index >= size {
		return nil, fmt.Errorf("ledger: inclusion proof: index %d not below size %d", index, size)
	}
	nodes, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	return fetchProof(ctx, ns, nodes)
}

// ConsistencyProof returns the RFC 6962 consistency proof between the trees
// of sizes oldSize and newSize. It requires oldSize <= newSize; the proof is
// empty when oldSize is 0 or equals newSize.
func ConsistencyProof(ctx context.Context, ns NodeStore, oldSize, newSize uint64) ([][]byte, error) {
	if err := checkSize(newSize); err != nil {
		return nil, err
	}
	if oldSize > newSize {
		return nil, fmt.Errorf("ledger: consistency proof: old size %d above new size %d", oldSize, newSize)
	}
	nodes, err := proof.Consistency(oldSize, newSize)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	return fetchProof(ctx, ns, nodes)
}

func fetchProof(ctx context.Context, ns NodeStore, nodes proof.Nodes) ([][]byte, error) {
	hashes, err := readNodes(ctx, ns, nodes.IDs)
	if err != nil {
		return nil, err
	}
	// Rehash may modify the slice in place; readNodes returned a fresh one,
	// but the hashes themselves may belong to the store: never written to.
	p, err := nodes.Rehash(hashes, rfc6962.DefaultHasher.HashChildren)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	if p == nil {
		p = [][]byte{}
	}
	return p, nil
}

// ErrProof is wrapped by the errors of VerifyInclusion and VerifyConsistency.
var ErrProof = errors.New("ledger: proof does not verify")

// VerifyInclusion checks that leafHash is the leaf at index in the tree of
// the given size with the given root.
func VerifyInclusion(leafHash []byte, index, size uint64, p [][]byte, root []byte) error {
	if index >= size {
		return fmt.Errorf("%w: index %d not below size %d", ErrProof, index, size)
	}
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, index, size, leafHash, p, root); err != nil {
		return fmt.Errorf("%w: %v", ErrProof, err)
	}
	return nil
}

// VerifyConsistency checks that the tree of size newSize with root newRoot
// extends the tree of size oldSize with root oldRoot. For oldSize 0 the
// proof must be empty and oldRoot must be nil or the empty-tree root.
func VerifyConsistency(oldSize, newSize uint64, oldRoot, newRoot []byte, p [][]byte) error {
	if oldSize > newSize {
		return fmt.Errorf("%w: old size %d above new size %d", ErrProof, oldSize, newSize)
	}
	if oldSize == 0 {
		if oldRoot == nil {
			oldRoot = EmptyRoot()
		} else if !bytes.Equal(oldRoot, EmptyRoot()) {
			return fmt.Errorf("%w: old root of the empty tree is not the empty root", ErrProof)
		}
	}
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, oldSize, newSize, p, oldRoot, newRoot); err != nil {
		return fmt.Errorf("%w: %v", ErrProof, err)
	}
	return nil
}

// Builder rebuilds a tree from its leaf hashes in memory, streaming, in
// O(log n) memory. The zero value is an empty tree.
type Builder struct {
	// OnNode, if set, is called with the key and hash of every node that
	// becomes complete (what Append would have stored), in the order Append
	// writes them; `ledger verify` uses it to compare stored nodes.
	OnNode func(key int64, hash []byte)

	r *compact.Range
}

// Add appends one leaf hash. The slice is retained; do not modify it.
func (b *Builder) Add(leafHash []byte) {
	if b.r == nil {
		b.r = factory.NewEmptyRange(0)
	}
	var visit compact.VisitFn
	if b.OnNode != nil {
		visit = func(id compact.NodeID, hash []byte) { b.OnNode(NodeKey(id.Level, id.Index), hash) }
	}
	if err := b.r.Append(leafHash, visit); err != nil { // cannot happen for a range built here
		panic(err)
	}
}

// Size returns the number of leaves added.
func (b *Builder) Size() uint64 {
	if b.r == nil {
		return 0
	}
	return b.r.End()
}

// Root returns the root of the tree of the leaves added so far.
func (b *Builder) Root() []byte {
	if b.r == nil {
		return EmptyRoot()
	}
	return rangeRoot(b.r)
}
