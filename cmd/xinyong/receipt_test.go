package main

import (
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"xinyong"
)

// TestReceiptVerify: `xinyong receipt verify --key KEYFILE FILE` prints
// valid for a signed receipt and invalid with exit status 1 for every
// single-byte change.
func TestReceiptVerify(t *testing.T) {
	skey, vkey, err := note.GenerateKey(rand.Reader, "test.xinyong/ledger")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := xinyong.SignReceipt(xinyong.Receipt{CheckID: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", SubjectDigest: xinyong.SubjectDigest("91110000MA0000000X"),
		Matter: "贷款审批", Purpose: "授信", ResultDigest: xinyong.ResultDigest(nil), Time: xinyong.ReceiptTime(time.Now()),
		Checkpoint: xinyong.ReceiptCheckpoint{Origin: signer.Name(), Size: 3, Root: base64.StdEncoding.EncodeToString(make([]byte, 32))}}, signer)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keyFile, file := filepath.Join(dir, "key"), filepath.Join(dir, "receipt.json")
	if err := os.WriteFile(keyFile, []byte(vkey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	good := rc.Canonical()
	if err := os.WriteFile(file, good, 0o600); err != nil {
		t.Fatal(err)
	}
	if r := run(t, "receipt", "verify", "--key", keyFile, file); r.code != 0 || !strings.HasPrefix(r.stdout, "valid") {
		t.Fatalf("valid receipt: %s", r)
	}
	// The command is offline (no store): check every byte.
	for i := range good {
		c := append([]byte(nil), good...)
		c[i] ^= 1
		if err := os.WriteFile(file, c, 0o600); err != nil {
			t.Fatal(err)
		}
		if r := run(t, "receipt", "verify", "--key", keyFile, file); r.code != 1 || !strings.HasPrefix(r.stdout, "invalid: ") {
			t.Fatalf("byte %d changed: %s", i, r)
		}
	}
	if r := run(t, "receipt", "verify", file); r.code != 2 {
		t.Errorf("no key: %s", r)
	}
}
