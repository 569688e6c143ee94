package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"xinyong/internal/ledger"
)

// checkpoint fetches and verifies the latest checkpoint with the served key.
func (e *testEnv) checkpoint(t *testing.T) ledger.Checkpoint {
	t.Helper()
	k := e.do(t, req{Path: "/api/v1/ledger/key"})
	if k.Status != 200 || !strings.HasPrefix(k.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("key: %s", k)
	}
	c := e.do(t, req{Path: "/api/v1/ledger/checkpoint"})
	if c.Status != 200 || !strings.HasPrefix(c.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("checkpoint: %s", c)
	}
	cp, err := ledger.OpenCheckpoint(c.Body, strings.TrimSpace(string(k.Body)))
	if err != nil {
		t.Fatalf("checkpoint does not verify with the served key: %v\n%s", err, c.Body)
	}
	if cp.Origin != "test.xinyong/ledger" {
		t.Errorf("origin %q", cp.Origin)
	}
	return cp
}

func decodeProof(t *testing.T, r resp) [][]byte {
	t.Helper()
	var p struct {
		Proof []string `json:"proof"`
	}
	r.json(t, &p)
	out := make([][]byte, len(p.Proof))
	for i, s := range p.Proof {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = b
	}
	return out
}

// TestLedgerProofs: the served checkpoint verifies with the served key;
// every leaf is provably in it; an older checkpoint is provably a prefix.
func TestLedgerProofs(t *testing.T) {
	e := newEnv(t)
	d := e.dept(t, "11620000MB192104", "甘肃省市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	submit := func(i int) string {
		r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: off, Body: penaltyInput(t, uscc(t, "91620100MA000001"), "兰州某某商贸有限公司", fmt.Sprintf("罚%d号", i))})
		if r.Status != 201 {
			t.Fatal(r)
		}
		var a submitAnswer
		r.json(t, &a)
		return a.Record.ID
	}
	for i := 0; i < 3; i++ {
		submit(i)
	}
	old := e.checkpoint(t)
	if int64(old.Size) != e.ledgerSize(t) {
		t.Fatalf("checkpoint size %d, log size %d", old.Size, e.ledgerSize(t))
	}
	id := submit(10)
	submit(11)
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/records/" + id + "/withdraw", Token: off, Body: map[string]any{"reason": "voided"}}); r.Status != 200 {
		t.Fatal(r)
	}
	cp := e.checkpoint(t)
	if cp.Size <= old.Size || int64(cp.Size) != e.ledgerSize(t) {
		t.Fatalf("checkpoint sizes %d then %d, log %d", old.Size, cp.Size, e.ledgerSize(t))
	}

	kinds := map[string]int{}
	for i := uint64(0); i < cp.Size; i++ {
		var leaf struct {
			Index    int64  `json:"index"`
			Kind     string `json:"kind"`
			LeafHash string `json:"leaf_hash"`
			LeafData []byte `json:"leaf_data"`
		}
		e.do(t, req{Path: fmt.Sprintf("/api/v1/ledger/leaves/%d", i)}).json(t, &leaf)
		kinds[leaf.Kind]++
		h, err := hex.DecodeString(leaf.LeafHash)
		if err != nil || leaf.Index != int64(i) {
			t.Fatalf("leaf %d: %+v", i, leaf)
		}
		// RFC 6962: the leaf hash is SHA-256(0x00 || leaf data).
		sum := sha256.Sum256(append([]byte{0}, leaf.LeafData...))
		if !bytes.Equal(sum[:], h) {
			t.Fatalf("leaf %d: leaf_hash is not the RFC 6962 hash of leaf_data", i)
		}
		for _, size := range []uint64{cp.Size, old.Size} {
			if i >= size {
				continue
			}
			p := decodeProof(t, e.do(t, req{Path: fmt.Sprintf("/api/v1/ledger/proof/inclusion?index=%d&size=%d", i, size)}))
			root := cp.Root
			if size == old.Size {
				root = old.Root
			}
			if err := ledger.VerifyInclusion(h, i, size, p, root); err != nil {
				t.Fatalf("leaf %d in tree %d: %v", i, size, err)
			}
			// The proof is bound to the leaf: another leaf's hash fails.
			other := sha256.Sum256([]byte("not this leaf"))
			if ledger.VerifyInclusion(other[:], i, size, p, root) == nil {
				t.Fatalf("leaf %d: a wrong leaf verifies", i)
			}
		}
	}
	if kinds["audit"] == 0 || len(kinds) < 3 {
		t.Errorf("leaf kinds %v: want record versions, a withdrawal and audit events", kinds)
	}

	p := decodeProof(t, e.do(t, req{Path: fmt.Sprintf("/api/v1/ledger/proof/consistency?old=%d&new=%d", old.Size, cp.Size)}))
	if err := ledger.VerifyConsistency(old.Size, cp.Size, old.Root, cp.Root, p); err != nil {
		t.Fatalf("consistency %d → %d: %v", old.Size, cp.Size, err)
	}
	forged := append([]byte(nil), old.Root...)
	forged[0] ^= 1
	if ledger.VerifyConsistency(old.Size, cp.Size, forged, cp.Root, p) == nil {
		t.Fatal("a forged old root verifies")
	}

	// Bad queries are problems naming the parameter.
	for _, c := range []struct {
		path, field string
		status      int
	}{
		{"/api/v1/ledger/proof/inclusion?index=abc&size=1", "index", 400},
		{"/api/v1/ledger/proof/inclusion?size=1", "index", 400},
		{"/api/v1/ledger/proof/inclusion?index=0", "size", 400},
		{"/api/v1/ledger/proof/inclusion?index=0&size=99999999", "size", 400},
		{fmt.Sprintf("/api/v1/ledger/proof/inclusion?index=%d&size=%d", cp.Size, cp.Size), "index", 400},
		{"/api/v1/ledger/proof/inclusion?index=-1&size=1", "index", 400},
		{"/api/v1/ledger/proof/inclusion?index=0&size=1e3", "size", 400},
		{"/api/v1/ledger/proof/inclusion?index=0&size=99999999999999999999", "size", 400},
		{"/api/v1/ledger/proof/consistency?old=x&new=1", "old", 400},
		{"/api/v1/ledger/proof/consistency?old=1", "new", 400},
		{fmt.Sprintf("/api/v1/ledger/proof/consistency?old=%d&new=%d", cp.Size, old.Size), "old", 400},
		{"/api/v1/ledger/proof/consistency?old=-2&new=1", "size", 400},
		{"/api/v1/ledger/leaves/abc", "index", 400},
		{fmt.Sprintf("/api/v1/ledger/leaves/%d", cp.Size), "", 404},
		{"/api/v1/ledger/leaves/-1", "", 404},
	} {
		t.Run(c.path, func(t *testing.T) {
			r := e.do(t, req{Path: c.path})
			code := "invalid"
			if c.status == 404 {
				code = "not_found"
			}
			p := r.problem(t, c.status, code)
			if c.field != "" && !p.hasField(c.field, "") {
				t.Errorf("no error on %s: %s", c.field, r)
			}
		})
	}
}

// TestLedgerEmpty: a log with only the bootstrap leaves still serves a
// verifiable checkpoint, and proofs of size 0 are well defined.
func TestLedgerEmptyConsistency(t *testing.T) {
	e := newEnv(t)
	cp := e.checkpoint(t)
	p := decodeProof(t, e.do(t, req{Path: fmt.Sprintf("/api/v1/ledger/proof/consistency?old=0&new=%d", cp.Size)}))
	if err := ledger.VerifyConsistency(0, cp.Size, ledger.EmptyRoot(), cp.Root, p); err != nil {
		t.Fatal(err)
	}
}
