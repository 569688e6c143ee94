package ledger_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"xinyong/internal/ledger"
)

// ---- in-memory NodeStore ----

type memStore struct {
	mu     sync.Mutex
	nodes  map[int64][]byte
	writes [][]int64 // keys of each WriteLedgerNodes call
}

func newMemStore() *memStore { return &memStore{nodes: map[int64][]byte{}} }

func (m *memStore) ReadLedgerNodes(_ context.Context, keys []int64) ([][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([][]byte, len(keys))
	for i, k := range keys {
		h, ok := m.nodes[k]
		if !ok {
			return nil, fmt.Errorf("node %d not found", k)
		}
		out[i] = h
	}
	return out, nil
}

func (m *memStore) WriteLedgerNodes(_ context.Context, keys []int64, hashes [][]byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(keys) != len(hashes) {
		return fmt.Errorf("%d keys, %d hashes", len(keys), len(hashes))
	}
	for i, k := range keys {
		if _, ok := m.nodes[k]; ok {
			return fmt.Errorf("node %d written twice", k)
		}
		m.nodes[k] = bytes.Clone(hashes[i])
	}
	m.writes = append(m.writes, append([]int64(nil), keys...))
	return nil
}

// ---- independent RFC 6962 reference implementation ----

func refLeafHash(data []byte) []byte {
	h := sha256.Sum256(append([]byte{0}, data...))
	return h[:]
}

func refNodeHash(l, r []byte) []byte {
	b := append([]byte{1}, l...)
	h := sha256.Sum256(append(b, r...))
	return h[:]
}

// largest power of two strictly below n (n >= 2).
func split(n int) int {
	k := 1
	for k<<1 < n {
		k <<= 1
	}
	return k
}

// refMTH is MTH(D) of RFC 6962 section 2.1 over leaf hashes.
func refMTH(d [][]byte) []byte {
	switch len(d) {
	case 0:
		h := sha256.Sum256(nil)
		return h[:]
	case 1:
		return d[0]
	}
	k := split(len(d))
	return refNodeHash(refMTH(d[:k]), refMTH(d[k:]))
}

// refPath is PATH(m, D) of RFC 6962 section 2.1.1.
func refPath(m int, d [][]byte) [][]byte {
	if len(d) <= 1 {
		return nil
	}
	k := split(len(d))
	if m < k {
		return append(refPath(m, d[:k]), refMTH(d[k:]))
	}
	return append(refPath(m-k, d[k:]), refMTH(d[:k]))
}

// refSubproof is SUBPROOF(m, D, b) of RFC 6962 section 2.1.2.
func refSubproof(m int, d [][]byte, b bool) [][]byte {
	if m == len(d) {
		if b {
			return nil
		}
		return [][]byte{refMTH(d)}
	}
	k := split(len(d))
	if m <= k {
		return append(refSubproof(m, d[:k], b), refMTH(d[k:]))
	}
	return append(refSubproof(m-k, d[k:], false), refMTH(d[:k]))
}

func refConsistency(m int, d [][]byte) [][]byte {
	if m == 0 || m == len(d) {
		return nil
	}
	return refSubproof(m, d, true)
}

// ---- fixtures ----

var t0 = time.Date(2026, 3, 1, 8, 30, 0, 123456789, time.FixedZone("CST", 8*3600))

func testLeaf(i int) ledger.Leaf {
	kinds := []string{ledger.KindRecordVersion, ledger.KindRecordWithdrawn, ledger.KindCatalogueItem, ledger.KindAudit}
	content := fmt.Appendf(nil, "content %d", i)
	salt := sha256.Sum256(fmt.Appendf(nil, "salt %d", i)) // deterministic for tests
	return ledger.Leaf{
		Kind:       kinds[i%len(kinds)],
		ObjectType: "record",
		ObjectID:   fmt.Sprintf("01J%023d", i),
		Version:    i % 5,
		Commitment: ledger.Commit(salt[:], content),
		At:         t0.Add(time.Duration(i) * time.Second),
	}
}

func testLeafHashes(n int) [][]byte {
	hs := make([][]byte, n)
	for i := range hs {
		hs[i] = testLeaf(i).Hash()
	}
	return hs
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i%len(c)] ^= 0x01
	return c
}

func cloneProof(p [][]byte) [][]byte {
	c := make([][]byte, len(p))
	for i := range p {
		c[i] = bytes.Clone(p[i])
	}
	return c
}

func appendAll(t testing.TB, ns ledger.NodeStore, hashes [][]byte, batch int) (uint64, []byte) {
	t.Helper()
	ctx := context.Background()
	var size uint64
	var root []byte
	for i := 0; i < len(hashes); i += batch {
		var err error
		size, root, err = ledger.Append(ctx, ns, size, hashes[i:min(i+batch, len(hashes))])
		if err != nil {
			t.Fatal(err)
		}
	}
	return size, root
}

const nLeaves = 2100 // crosses 2048

// ---- leaves and commitments ----

func TestLeafEncoding(t *testing.T) {
	l := testLeaf(7)
	b := l.Bytes()
	if !bytes.Contains(b, []byte("xinyong-leaf/v1")) || binary.BigEndian.Uint32(b) != uint32(len("xinyong-leaf/v1")) {
		t.Fatalf("bytes do not start with the length-prefixed version: %q", b[:20])
	}
	if got, want := l.Hash(), refLeafHash(b); !bytes.Equal(got, want) {
		t.Fatalf("Hash = %x, want RFC 6962 leaf hash %x", got, want)
	}
	// Time zone and sub-microsecond precision do not matter.
	l2 := l
	l2.At = l.At.UTC().Truncate(time.Microsecond)
	if !bytes.Equal(l2.Bytes(), b) {
		t.Fatal("encoding depends on time zone or nanoseconds")
	}
	l3 := l
	l3.At = l.At.Add(time.Microsecond)
	if bytes.Equal(l3.Bytes(), b) {
		t.Fatal("encoding ignores microseconds")
	}
	got, err := ledger.ParseLeaf(b)
	if err != nil {
		t.Fatal(err)
	}
	if got != l.Normalize() || got.At.Location() != time.UTC || got.At.Nanosecond()%1000 != 0 {
		t.Fatalf("ParseLeaf = %+v, want %+v", got, l.Normalize())
	}
	// Field boundaries are unambiguous.
	a := ledger.Leaf{Kind: "ab", ObjectType: "c", ObjectID: "d"}
	c := ledger.Leaf{Kind: "a", ObjectType: "bc", ObjectID: "d"}
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Fatal("ambiguous string boundaries")
	}
	// Each field changes the hash.
	variants := []func(*ledger.Leaf){
		func(l *ledger.Leaf) { l.Kind += "x" },
		func(l *ledger.Leaf) { l.ObjectType += "x" },
		func(l *ledger.Leaf) { l.ObjectID += "x" },
		func(l *ledger.Leaf) { l.Version++ },
		func(l *ledger.Leaf) { l.Commitment[31] ^= 1 },
		func(l *ledger.Leaf) { l.At = l.At.Add(time.Second) },
	}
	for i, f := range variants {
		v := l
		f(&v)
		if bytes.Equal(v.Hash(), l.Hash()) {
			t.Errorf("variant %d: hash unchanged", i)
		}
	}
	// Negative versions and pre-1970 times round-trip.
	odd := ledger.Leaf{Kind: "audit", Version: -3, At: time.Date(1960, 1, 2, 3, 4, 5, 6000, time.UTC)}
	if got, err := ledger.ParseLeaf(odd.Bytes()); err != nil || got != odd {
		t.Fatalf("ParseLeaf(odd) = %+v, %v", got, err)
	}
	// Malformed encodings.
	for i := range len(b) {
		if _, err := ledger.ParseLeaf(b[:i]); err == nil {
			t.Fatalf("ParseLeaf accepted %d-byte prefix", i)
		}
	}
	if _, err := ledger.ParseLeaf(append(bytes.Clone(b), 0)); err == nil {
		t.Fatal("ParseLeaf accepted trailing byte")
	}
	bad := bytes.Clone(b)
	bad[4+14] = '2' // xinyong-leaf/v2
	if _, err := ledger.ParseLeaf(bad); err == nil {
		t.Fatal("ParseLeaf accepted another version")
	}
}

func TestCommit(t *testing.T) {
	s1, s2 := ledger.NewSalt(), ledger.NewSalt()
	if len(s1) != 32 || bytes.Equal(s1, s2) {
		t.Fatalf("NewSalt: %x, %x", s1, s2)
	}
	content := []byte("某某公司 行政处罚决定书")
	if ledger.Commit(s1, content) != ledger.Commit(bytes.Clone(s1), bytes.Clone(content)) {
		t.Fatal("Commit not deterministic")
	}
	if ledger.Commit(s1, content) == ledger.Commit(s2, content) {
		t.Fatal("salt ignored")
	}
	if ledger.Commit([]byte("ab"), []byte("c")) == ledger.Commit([]byte("a"), []byte("bc")) {
		t.Fatal("ambiguous salt/content boundary")
	}
	if ledger.Commit(nil, []byte("x")) == sha256.Sum256([]byte("x")) {
		t.Fatal("not domain separated")
	}
	// The documented encoding.
	var buf []byte
	buf = binary.BigEndian.AppendUint32(buf, 17)
	buf = append(buf, "xinyong-commit/v1"...)
	buf = binary.BigEndian.AppendUint64(buf, uint64(len(s1)))
	buf = append(buf, s1...)
	buf = binary.BigEndian.AppendUint64(buf, uint64(len(content)))
	buf = append(buf, content...)
	if ledger.Commit(s1, content) != sha256.Sum256(buf) {
		t.Fatal("Commit differs from documented encoding")
	}
}

func TestNodeKey(t *testing.T) {
	for level := range uint(10) {
		for idx := range uint64(100) {
			if got, want := ledger.NodeKey(level, idx), tlog.StoredHashIndex(int(level), int64(idx)); got != want {
				t.Fatalf("NodeKey(%d,%d) = %d, want %d", level, idx, got, want)
			}
		}
	}
}

// ---- tree building ----

func TestAppendBatches(t *testing.T) {
	ctx := context.Background()
	hashes := testLeafHashes(nLeaves)
	refRoot := refMTH(hashes)

	// Builder, with the nodes it reports.
	var b ledger.Builder
	if !bytes.Equal(b.Root(), refMTH(nil)) || b.Size() != 0 {
		t.Fatal("empty Builder root")
	}
	builderNodes := map[int64][]byte{}
	var builderKeys []int64
	b.OnNode = func(key int64, hash []byte) {
		builderNodes[key] = hash
		builderKeys = append(builderKeys, key)
	}
	builderRoots := make([][]byte, nLeaves+1)
	builderRoots[0] = b.Root()
	for i, h := range hashes {
		b.Add(h)
		builderRoots[i+1] = b.Root()
		if b.Size() != uint64(i+1) {
			t.Fatalf("Builder.Size = %d, want %d", b.Size(), i+1)
		}
		if i < 300 || i%97 == 0 {
			if want := refMTH(hashes[:i+1]); !bytes.Equal(builderRoots[i+1], want) {
				t.Fatalf("Builder root at %d = %x, want %x", i+1, builderRoots[i+1], want)
			}
		}
	}
	if !bytes.Equal(b.Root(), refRoot) {
		t.Fatalf("Builder root = %x, want %x", b.Root(), refRoot)
	}

	var stores []*memStore
	for _, batch := range []int{1, 7, 1000, nLeaves} {
		t.Run(fmt.Sprint("batch", batch), func(t *testing.T) {
			ns := newMemStore()
			stores = append(stores, ns)
			// Empty append on an empty tree.
			size, root, err := ledger.Append(ctx, ns, 0, nil)
			if err != nil || size != 0 || !bytes.Equal(root, refMTH(nil)) || len(ns.nodes) != 0 {
				t.Fatalf("Append(0, nil) = %d, %x, %v", size, root, err)
			}
			for i := 0; i < nLeaves; i += batch {
				end := min(i+batch, nLeaves)
				before := len(ns.writes)
				newSize, r, err := ledger.Append(ctx, ns, size, hashes[i:end])
				if err != nil {
					t.Fatal(err)
				}
				root = r
				if newSize != uint64(end) {
					t.Fatalf("size = %d, want %d", newSize, end)
				}
				if !bytes.Equal(root, builderRoots[end]) {
					t.Fatalf("root at %d = %x, want %x", end, root, builderRoots[end])
				}
				// One write, of exactly the keys [StoredHashCount(old), StoredHashCount(new)) in order.
				if len(ns.writes) != before+1 {
					t.Fatalf("Append made %d writes", len(ns.writes)-before)
				}
				keys := ns.writes[len(ns.writes)-1]
				lo := tlog.StoredHashCount(int64(size))
				for j, k := range keys {
					if k != lo+int64(j) {
						t.Fatalf("write keys %v not dense from %d", keys, lo)
					}
				}
				if got, want := lo+int64(len(keys)), ledger.StoredNodeCount(newSize); got != want {
					t.Fatalf("wrote up to %d, want %d", got, want)
				}
				size = newSize
			}
			if !bytes.Equal(root, refRoot) {
				t.Fatalf("final root %x, want %x", root, refRoot)
			}
			if int64(len(ns.nodes)) != tlog.StoredHashCount(nLeaves) {
				t.Fatalf("%d nodes stored, want %d", len(ns.nodes), tlog.StoredHashCount(nLeaves))
			}
			// Leaf hashes are stored at level 0.
			for i, h := range hashes {
				if !bytes.Equal(ns.nodes[ledger.NodeKey(0, uint64(i))], h) {
					t.Fatalf("leaf %d not stored", i)
				}
			}
			// Root of every past size from the final store.
			for s := 0; s <= nLeaves; s++ {
				r, err := ledger.Root(ctx, ns, uint64(s))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(r, builderRoots[s]) {
					t.Fatalf("Root(%d) = %x, want %x", s, r, builderRoots[s])
				}
			}
			// Empty append on a non-empty tree writes nothing.
			before := len(ns.writes)
			size2, root2, err := ledger.Append(ctx, ns, size, [][]byte{})
			if err != nil || size2 != size || !bytes.Equal(root2, refRoot) || len(ns.writes) != before {
				t.Fatalf("empty Append = %d, %x, %v", size2, root2, err)
			}
		})
	}
	// Every batching and the Builder produce the same stored nodes.
	for i, ns := range stores {
		if len(ns.nodes) != len(builderNodes) {
			t.Fatalf("store %d: %d nodes, Builder reported %d", i, len(ns.nodes), len(builderNodes))
		}
		for k, h := range builderNodes {
			if !bytes.Equal(ns.nodes[k], h) {
				t.Fatalf("store %d: node %d differs from Builder", i, k)
			}
		}
	}
	for i, k := range builderKeys {
		if k != int64(i) {
			t.Fatalf("Builder reported key %d at position %d", k, i)
		}
	}
}

func TestAppendErrors(t *testing.T) {
	ctx := context.Background()
	ns := newMemStore()
	hashes := testLeafHashes(10)
	appendAll(t, ns, hashes, 10)
	if _, _, err := ledger.Append(ctx, ns, 11, hashes[:1]); err == nil {
		t.Fatal("Append beyond the stored tree succeeded")
	}
	if _, _, err := ledger.Append(ctx, ns, 10, [][]byte{make([]byte, 31)}); err == nil {
		t.Fatal("Append of a short hash succeeded")
	}
	if _, err := ledger.Root(ctx, ns, 11); err == nil {
		t.Fatal("Root beyond the stored tree succeeded")
	}
	if _, err := ledger.Root(ctx, ns, 1<<63); err == nil {
		t.Fatal("Root of a huge tree succeeded")
	}
	// A corrupted stored node is detected by size.
	ns.nodes[ledger.NodeKey(3, 0)] = []byte{1, 2, 3}
	if _, err := ledger.Root(ctx, ns, 10); err == nil {
		t.Fatal("Root with a malformed node succeeded")
	}
}

// ---- proofs ----

func TestInclusionProofs(t *testing.T) {
	ctx := context.Background()
	hashes := testLeafHashes(nLeaves)
	ns := newMemStore()
	appendAll(t, ns, hashes, 333)
	for _, size := range []int{1, 2, 3, 4, 5, 7, 8, 9, 16, 31, 33, 100, 257, 1000, 1024, 2048, 2049, nLeaves} {
		root := refMTH(hashes[:size])
		for i := range size {
			idx, sz := uint64(i), uint64(size)
			p, err := ledger.InclusionProof(ctx, ns, idx, sz)
			if err != nil {
				t.Fatalf("InclusionProof(%d, %d): %v", i, size, err)
			}
			if size <= 257 {
				if want := refPath(i, hashes[:size]); !equalProofs(p, want) {
					t.Fatalf("InclusionProof(%d, %d) differs from RFC 6962 PATH", i, size)
				}
			}
			if err := ledger.VerifyInclusion(hashes[i], idx, sz, p, root); err != nil {
				t.Fatalf("VerifyInclusion(%d, %d): %v", i, size, err)
			}
			// Tampering.
			if ledger.VerifyInclusion(flip(hashes[i], i), idx, sz, p, root) == nil {
				t.Fatalf("(%d, %d): tampered leaf verified", i, size)
			}
			if ledger.VerifyInclusion(testLeaf(i+1).Hash(), idx, sz, p, root) == nil {
				t.Fatalf("(%d, %d): other leaf verified", i, size)
			}
			if ledger.VerifyInclusion(hashes[i], idx, sz, p, flip(root, i)) == nil {
				t.Fatalf("(%d, %d): tampered root verified", i, size)
			}
			for j := range p {
				q := cloneProof(p)
				q[j] = flip(q[j], i+j)
				if ledger.VerifyInclusion(hashes[i], idx, sz, q, root) == nil {
					t.Fatalf("(%d, %d): tampered proof element %d verified", i, size, j)
				}
			}
			if len(p) > 0 && ledger.VerifyInclusion(hashes[i], idx, sz, p[:len(p)-1], root) == nil {
				t.Fatalf("(%d, %d): truncated proof verified", i, size)
			}
			if ledger.VerifyInclusion(hashes[i], idx, sz, append(cloneProof(p), root), root) == nil {
				t.Fatalf("(%d, %d): extended proof verified", i, size)
			}
			if size > 1 && ledger.VerifyInclusion(hashes[i], (idx+1)%sz, sz, p, root) == nil {
				t.Fatalf("(%d, %d): wrong index verified", i, size)
			}
		}
		if _, err := ledger.InclusionProof(ctx, ns, uint64(size), uint64(size)); err == nil {
			t.Fatalf("InclusionProof(%d, %d) succeeded", size, size)
		}
		if ledger.VerifyInclusion(hashes[0], uint64(size), uint64(size), nil, root) == nil {
			t.Fatal("VerifyInclusion with index == size succeeded")
		}
	}
	if _, err := ledger.InclusionProof(ctx, ns, 0, nLeaves+1); err == nil {
		t.Fatal("InclusionProof beyond the stored tree succeeded")
	}
}

func TestConsistencyProofs(t *testing.T) {
	ctx := context.Background()
	hashes := testLeafHashes(nLeaves)
	ns := newMemStore()
	appendAll(t, ns, hashes, 500)
	roots := make([][]byte, nLeaves+1)
	var b ledger.Builder
	roots[0] = b.Root()
	for i, h := range hashes {
		b.Add(h)
		roots[i+1] = b.Root()
	}
	type pair struct{ m, n int }
	var pairs []pair
	for n := 0; n <= 70; n++ {
		for m := 0; m <= n; m++ {
			pairs = append(pairs, pair{m, n})
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 400 {
		n := r.IntN(nLeaves + 1)
		pairs = append(pairs, pair{r.IntN(n + 1), n})
	}
	pairs = append(pairs, pair{1, nLeaves}, pair{1024, 2048}, pair{2048, 2049}, pair{2048, nLeaves}, pair{2047, nLeaves}, pair{nLeaves, nLeaves})
	for _, pr := range pairs {
		m, n := uint64(pr.m), uint64(pr.n)
		if pr.n <= 70 && pr.n > 0 {
			if got, want := refMTH(hashes[:pr.n]), roots[pr.n]; !bytes.Equal(got, want) {
				t.Fatalf("root %d differs from reference", pr.n)
			}
		}
		p, err := ledger.ConsistencyProof(ctx, ns, m, n)
		if err != nil {
			t.Fatalf("ConsistencyProof(%d, %d): %v", m, n, err)
		}
		if pr.n <= 70 {
			if want := refConsistency(pr.m, hashes[:pr.n]); !equalProofs(p, want) {
				t.Fatalf("ConsistencyProof(%d, %d) differs from RFC 6962 PROOF", m, n)
			}
		}
		oldRoot, newRoot := roots[pr.m], roots[pr.n]
		if err := ledger.VerifyConsistency(m, n, oldRoot, newRoot, p); err != nil {
			t.Fatalf("VerifyConsistency(%d, %d): %v", m, n, err)
		}
		if m == 0 {
			if len(p) != 0 {
				t.Fatalf("(%d, %d): non-empty proof from the empty tree", m, n)
			}
			if ledger.VerifyConsistency(m, n, nil, newRoot, p) != nil {
				t.Fatal("nil old root of the empty tree rejected")
			}
			if ledger.VerifyConsistency(m, n, flip(oldRoot, 0), newRoot, p) == nil {
				t.Fatal("wrong empty-tree root accepted")
			}
			continue
		}
		// Tampering.
		if ledger.VerifyConsistency(m, n, flip(oldRoot, pr.m), newRoot, p) == nil {
			t.Fatalf("(%d, %d): tampered old root verified", m, n)
		}
		if ledger.VerifyConsistency(m, n, oldRoot, flip(newRoot, pr.n), p) == nil {
			t.Fatalf("(%d, %d): tampered new root verified", m, n)
		}
		for j := range p {
			q := cloneProof(p)
			q[j] = flip(q[j], j)
			if ledger.VerifyConsistency(m, n, oldRoot, newRoot, q) == nil {
				t.Fatalf("(%d, %d): tampered proof element %d verified", m, n, j)
			}
		}
		if len(p) > 0 && ledger.VerifyConsistency(m, n, oldRoot, newRoot, p[:len(p)-1]) == nil {
			t.Fatalf("(%d, %d): truncated proof verified", m, n)
		}
		if ledger.VerifyConsistency(m, n, oldRoot, newRoot, append(cloneProof(p), oldRoot)) == nil {
			t.Fatalf("(%d, %d): extended proof verified", m, n)
		}
		if m < n {
			if ledger.VerifyConsistency(n, m, newRoot, oldRoot, p) == nil {
				t.Fatalf("(%d, %d): swapped sizes verified", m, n)
			}
			if m+1 < n && ledger.VerifyConsistency(m+1, n, roots[pr.m+1], newRoot, p) == nil && !equalProofsSizes(ctx, t, ns, m, m+1, n) {
				t.Fatalf("(%d, %d): proof verified for old size %d", m, n, m+1)
			}
		}
	}
	if _, err := ledger.ConsistencyProof(ctx, ns, 5, 4); err == nil {
		t.Fatal("ConsistencyProof(5, 4) succeeded")
	}
	if _, err := ledger.ConsistencyProof(ctx, ns, 5, nLeaves+1); err == nil {
		t.Fatal("ConsistencyProof beyond the stored tree succeeded")
	}
}

// equalProofsSizes reports whether the consistency proofs (m1, n) and (m2, n)
// are identical (in which case a proof legitimately verifies for both).
func equalProofsSizes(ctx context.Context, t *testing.T, ns ledger.NodeStore, m1, m2, n uint64) bool {
	p1, err1 := ledger.ConsistencyProof(ctx, ns, m1, n)
	p2, err2 := ledger.ConsistencyProof(ctx, ns, m2, n)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	return equalProofs(p1, p2)
}

func equalProofs(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// ---- keys and checkpoints ----

func TestLoadOrCreateKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keys", "sub", "ledger.key")
	s1, v1, err := ledger.LoadOrCreateKey(path, "xinyong.example")
	if err != nil {
		t.Fatal(err)
	}
	if s1.Name() != "xinyong.example" || !strings.HasPrefix(v1, "xinyong.example+") {
		t.Fatalf("signer %q, verifier %q", s1.Name(), v1)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v", fi.Mode().Perm())
	}
	for _, d := range []string{filepath.Join(dir, "keys"), filepath.Join(dir, "keys", "sub")} {
		if fi, err := os.Stat(d); err != nil || fi.Mode().Perm() != 0o700 {
			t.Fatalf("dir %s: %v, %v", d, fi.Mode(), err)
		}
	}
	data, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(data), "PRIVATE+KEY+xinyong.example+") {
		t.Fatalf("key file content %q", data)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
	// Reused, not regenerated.
	s2, v2, err := ledger.LoadOrCreateKey(path, "xinyong.example")
	if err != nil {
		t.Fatal(err)
	}
	if v2 != v1 || s2.KeyHash() != s1.KeyHash() {
		t.Fatalf("second load: verifier %q, want %q", v2, v1)
	}
	data2, _ := os.ReadFile(path)
	if !bytes.Equal(data, data2) {
		t.Fatal("key file rewritten")
	}
	// The verifier matches what note.GenerateKey-style keys verify.
	cp := ledger.Checkpoint{Origin: "xinyong.example", Size: 1, Root: refMTH(nil)}
	msg, err := ledger.SignCheckpoint(s1, cp)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.OpenCheckpoint(msg, v2); err != nil {
		t.Fatal(err)
	}
	// Name mismatch, empty name, corrupt file.
	if _, _, err := ledger.LoadOrCreateKey(path, "other.example"); err == nil {
		t.Fatal("key with another name accepted")
	}
	if _, v, err := ledger.LoadOrCreateKey(path, ""); err != nil || v != v1 {
		t.Fatalf("load without name: %v", err)
	}
	if _, _, err := ledger.LoadOrCreateKey(filepath.Join(dir, "none"), ""); err == nil {
		t.Fatal("created a key without a name")
	}
	bad := filepath.Join(dir, "bad.key")
	os.WriteFile(bad, []byte("PRIVATE+KEY+garbage\n"), 0o600)
	if _, _, err := ledger.LoadOrCreateKey(bad, "xinyong.example"); err == nil {
		t.Fatal("corrupt key accepted")
	}
	// A key made by note.GenerateKey is accepted, with the same verifier.
	skey, vkey, err := note.GenerateKey(nil, "gen.example")
	if err != nil {
		t.Fatal(err)
	}
	gen := filepath.Join(dir, "gen.key")
	os.WriteFile(gen, []byte(skey+"\n"), 0o600)
	if _, v, err := ledger.LoadOrCreateKey(gen, "gen.example"); err != nil || v != vkey {
		t.Fatalf("GenerateKey key: %q, %v; want %q", v, err, vkey)
	}
}

func TestLoadOrCreateKeyConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.key")
	var wg sync.WaitGroup
	vkeys := make([]string, 8)
	errs := make([]error, 8)
	for i := range vkeys {
		wg.Go(func() { _, vkeys[i], errs[i] = ledger.LoadOrCreateKey(path, "xinyong.example") })
	}
	wg.Wait()
	for i := range vkeys {
		if errs[i] != nil || vkeys[i] != vkeys[0] {
			t.Fatalf("call %d: %q, %v; want %q", i, vkeys[i], errs[i], vkeys[0])
		}
	}
}

func testKey(t *testing.T, name string) (note.Signer, string) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(nil, name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return s, vkey
}

func TestCheckpoint(t *testing.T) {
	s, vkey := testKey(t, "xinyong.example")
	_, otherV := testKey(t, "xinyong.example")
	root := refMTH(testLeafHashes(5))
	cp := ledger.Checkpoint{Origin: "xinyong.example", Size: 5, Root: root}
	body := cp.Marshal()
	if want := "xinyong.example\n5\n" + base64Std(root) + "\n"; string(body) != want {
		t.Fatalf("Marshal = %q, want %q", body, want)
	}
	msg, err := ledger.SignCheckpoint(s, cp)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(msg, append(body, '\n')) || !bytes.Contains(msg, []byte("\u2014 xinyong.example ")) {
		t.Fatalf("signed note %q", msg)
	}
	got, err := ledger.OpenCheckpoint(msg, vkey)
	if err != nil {
		t.Fatal(err)
	}
	if got.Origin != cp.Origin || got.Size != cp.Size || !bytes.Equal(got.Root, cp.Root) {
		t.Fatalf("OpenCheckpoint = %+v, want %+v", got, cp)
	}
	// Any changed byte is rejected.
	for i := range msg {
		for _, x := range []byte{0x01, 0x20, 0x80} {
			m := bytes.Clone(msg)
			m[i] ^= x
			if _, err := ledger.OpenCheckpoint(m, vkey); err == nil {
				t.Fatalf("byte %d ^ %#x: tampered checkpoint opened: %q", i, x, m)
			}
		}
	}
	if _, err := ledger.OpenCheckpoint(msg[:len(msg)-1], vkey); err == nil {
		t.Fatal("truncated checkpoint opened")
	}
	// Another key with the same name.
	if _, err := ledger.OpenCheckpoint(msg, otherV); err == nil {
		t.Fatal("checkpoint opened with another key")
	}
	if _, err := ledger.OpenCheckpoint(msg, "garbage"); err == nil {
		t.Fatal("checkpoint opened with a garbage key")
	}
	// A second signature by another key is ignored; the note still opens.
	other, _ := testKey(t, "witness.example")
	cosigned, err := note.Sign(&note.Note{Text: string(body)}, s, other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.OpenCheckpoint(cosigned, vkey); err != nil {
		t.Fatalf("cosigned checkpoint: %v", err)
	}
	// Size 0, the empty root.
	empty := ledger.Checkpoint{Origin: "xinyong.example", Size: 0, Root: refMTH(nil)}
	if m, err := ledger.SignCheckpoint(s, empty); err != nil {
		t.Fatal(err)
	} else if c, err := ledger.OpenCheckpoint(m, vkey); err != nil || c.Size != 0 {
		t.Fatalf("empty checkpoint: %+v, %v", c, err)
	}
	// SignCheckpoint refuses bad checkpoints.
	for _, c := range []ledger.Checkpoint{
		{Origin: "other.example", Size: 1, Root: root},
		{Origin: "", Size: 1, Root: root},
		{Origin: "xinyong.example", Size: 1, Root: root[:31]},
		{Origin: "xinyong.example", Size: 1},
	} {
		if _, err := ledger.SignCheckpoint(s, c); err == nil {
			t.Fatalf("SignCheckpoint(%+v) succeeded", c)
		}
	}
	// Validly signed but malformed bodies are rejected.
	b64 := base64Std(root)
	for _, text := range []string{
		"other.example\n5\n" + b64 + "\n",              // origin differs from key name
		"xinyong.example\n5\n" + b64 + "\nextension\n", // extra line
		"xinyong.example\n05\n" + b64 + "\n",           // leading zero
		"xinyong.example\n+5\n" + b64 + "\n",           // sign
		"xinyong.example\n-5\n" + b64 + "\n",
		"xinyong.example\n\n" + b64 + "\n",
		"xinyong.example\n18446744073709551616\n" + b64 + "\n", // overflow
		"xinyong.example\n5\n" + b64[:len(b64)-1] + "\n",       // bad base64
		"xinyong.example\n5\n" + base64Std(root[:31]) + "\n",   // short root
		"xinyong.example\n5\n" + strings.TrimRight(b64, "=") + "\n",
	} {
		m, err := note.Sign(&note.Note{Text: text}, s)
		if err != nil {
			t.Fatal(err)
		}
		if c, err := ledger.OpenCheckpoint(m, vkey); err == nil {
			t.Fatalf("OpenCheckpoint(%q) = %+v", text, c)
		}
	}
	// Non-canonical base64 in the root (non-zero padding bits).
	nonCanon := []byte(b64)
	nonCanon[len(nonCanon)-2] ^= 0x01 // 32 bytes -> "...x=": the last char has 2 unused bits
	if _, err := ledger.ParseCheckpoint([]byte("xinyong.example\n5\n" + string(nonCanon) + "\n")); err == nil {
		t.Fatal("non-canonical root accepted")
	}
}

func base64Std(b []byte) string {
	return strings.TrimSpace(string(ledger.Checkpoint{Origin: "x", Root: b}.Marshal()[4:]))
}

// ---- benchmarks ----

func BenchmarkLeafHash(b *testing.B) {
	l := testLeaf(42)
	b.ReportAllocs()
	for b.Loop() {
		_ = l.Hash()
	}
}

func BenchmarkAppend(b *testing.B) {
	ctx := context.Background()
	const batch = 1000
	hashes := testLeafHashes(batch)
	ns := newMemStore()
	var size uint64
	b.ReportAllocs()
	for b.Loop() {
		var err error
		size, _, err = ledger.Append(ctx, ns, size, hashes)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/leaf")
}
