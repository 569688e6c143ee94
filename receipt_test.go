package xinyong

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
)

func testKey(t testing.TB, name string) (note.Signer, string) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return s, vkey
}

func testReceipt(t testing.TB, s note.Signer) []byte {
	t.Helper()
	r := Receipt{CheckID: "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", SubjectDigest: SubjectDigest("91110000MA0000000X"), Matter: "贷款审批 <A&B>", Purpose: "授信审查",
		ResultDigest: ResultDigest(nil), Time: ReceiptTime(time.Date(2026, 6, 1, 2, 3, 4, 5678000, time.UTC)),
		Checkpoint: ReceiptCheckpoint{Origin: s.Name(), Size: 12, Root: base64.StdEncoding.EncodeToString(make([]byte, 32))}}
	signed, err := SignReceipt(r, s)
	if err != nil {
		t.Fatal(err)
	}
	return signed.Canonical()
}

func TestReceiptRoundTrip(t *testing.T) {
	s, v := testKey(t, "test.xinyong/ledger")
	b := testReceipt(t, s)
	r, err := VerifyReceipt(b, v)
	if err != nil {
		t.Fatalf("VerifyReceipt: %v\n%s", err, b)
	}
	if r.Matter != "贷款审批 <A&B>" || r.Checkpoint.Size != 12 {
		t.Errorf("receipt = %+v", r)
	}
	if strings.Contains(string(b), "91110000MA0000000X") {
		t.Error("the receipt holds the subject code")
	}
	if _, err := VerifyReceipt(append(b, '\n'), v); err != nil {
		t.Errorf("a trailing newline: %v", err)
	}
	_, other := testKey(t, "test.xinyong/ledger")
	if _, err := VerifyReceipt(b, other); err == nil {
		t.Error("verified with another key of the same name")
	}
	_, otherName := testKey(t, "other/ledger")
	if _, err := VerifyReceipt(b, otherName); err == nil {
		t.Error("verified with another signer")
	}
	if _, err := VerifyReceipt(b, "garbage"); err == nil {
		t.Error("verified with a bad key")
	}
}

// TestReceiptEveryByteMatters: every single-byte change of a receipt fails
// verification (each bit of each byte flipped).
func TestReceiptEveryByteMatters(t *testing.T) {
	s, v := testKey(t, "test.xinyong/ledger")
	b := testReceipt(t, s)
	for i := range b {
		for _, d := range []byte{1, 2, 4, 8, 0x10, 0x20, 0x40, 0x80} {
			c := append([]byte(nil), b...)
			c[i] ^= d
			if _, err := VerifyReceipt(c, v); err == nil {
				t.Fatalf("byte %d (%q) xor %#x: still valid", i, b[i], d)
			}
		}
	}
	if _, err := VerifyReceipt(b[:len(b)-1], v); err == nil {
		t.Error("a truncated receipt is valid")
	}
}

func TestReceiptRefusesBadFields(t *testing.T) {
	s, _ := testKey(t, "test.xinyong/ledger")
	good := Receipt{CheckID: "c", SubjectDigest: SubjectDigest("x"), ResultDigest: ResultDigest(nil), Time: ReceiptTime(time.Now()),
		Checkpoint: ReceiptCheckpoint{Origin: s.Name(), Root: base64.StdEncoding.EncodeToString(make([]byte, 32))}}
	if _, err := SignReceipt(good, s); err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]func(*Receipt){
		"no check id":    func(r *Receipt) { r.CheckID = "" },
		"bad digest":     func(r *Receipt) { r.ResultDigest = "XY" },
		"bad time":       func(r *Receipt) { r.Time = "yesterday" },
		"bad root":       func(r *Receipt) { r.Checkpoint.Root = "AAAA" },
		"no origin":      func(r *Receipt) { r.Checkpoint.Origin = "" },
		"subject digest": func(r *Receipt) { r.SubjectDigest = "91110000MA0000000X" },
	} {
		r := good
		f(&r)
		if _, err := SignReceipt(r, s); err == nil {
			t.Errorf("%s: signed", name)
		}
	}
}
