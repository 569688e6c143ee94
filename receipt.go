package xinyong

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// Receipts of the measures check (issue 6): every answer carries a receipt
// signed with the platform's Ed25519 key as a C2SP signed note
// (golang.org/x/mod/sumdb/note), so that a relying agency can prove later,
// offline, what it was told and when, against which ledger checkpoint.
//
// The receipt travels as JSON: the fields below in this order, compact, and
// "signature" holding the note's signature lines. The signed note text is
// the same JSON without "signature", followed by a newline. Verification
// accepts only the canonical bytes (one trailing newline allowed), so that
// any changed byte fails: a change in a field breaks the signature, a change
// in the layout breaks canonicity.

// ReceiptCheckpoint is the ledger checkpoint a check was computed against.
type ReceiptCheckpoint struct {
	Origin string `json:"origin"`
	Size   int64  `json:"size"`
	Root   string `json:"root"` // base64 (standard) of the tree head, as in checkpoint notes
}

// Receipt is the signed statement of one measures check.
type Receipt struct {
	CheckID string `json:"check_id"`
	// SubjectDigest is the hex SHA-256 of the subject code the agency gave
	// (never the code itself: a person's ID number is not on a receipt).
	SubjectDigest string            `json:"subject_digest"`
	Matter        string            `json:"matter"`
	Purpose       string            `json:"purpose"`
	ResultDigest  string            `json:"result_digest"` // hex SHA-256 of CanonicalMeasures
	Time          string            `json:"time"`          // RFC 3339, UTC, microseconds
	Checkpoint    ReceiptCheckpoint `json:"checkpoint"`
	Signature     string            `json:"signature,omitempty"` // the note's signature lines
}

// signedReceipt is the JSON layout of a receipt with its signature (the
// field is always present).
type signedReceipt struct {
	CheckID       string            `json:"check_id"`
	SubjectDigest string            `json:"subject_digest"`
	Matter        string            `json:"matter"`
	Purpose       string            `json:"purpose"`
	ResultDigest  string            `json:"result_digest"`
	Time          string            `json:"time"`
	Checkpoint    ReceiptCheckpoint `json:"checkpoint"`
	Signature     string            `json:"signature"`
}

// SubjectDigest returns the hex SHA-256 of a normalised subject code.
func SubjectDigest(code string) string {
	sum := sha256.Sum256([]byte(NormalizeCode(code)))
	return hex.EncodeToString(sum[:])
}

// ReceiptTime formats a time for a receipt.
func ReceiptTime(t time.Time) string {
	return t.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.000000Z")
}

// encodeJSON is json.Marshal: compact, HTML characters and U+2028/U+2029
// escaped, so that re-encoding the bytes as a json.RawMessage leaves them
// unchanged.
func encodeJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // plain data: cannot fail
	}
	return b
}

// text is the signed note text: the receipt without its signature.
func (r Receipt) text() string {
	r.Signature = ""
	return string(encodeJSON(r)) + "\n"
}

// Canonical returns the receipt's canonical JSON (with its signature).
func (r Receipt) Canonical() []byte {
	return encodeJSON(signedReceipt(r))
}

var hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (r Receipt) check() error {
	switch {
	case r.CheckID == "":
		return errors.New("no check_id")
	case !hex64.MatchString(r.SubjectDigest):
		return errors.New("subject_digest is not a hex SHA-256")
	case !hex64.MatchString(r.ResultDigest):
		return errors.New("result_digest is not a hex SHA-256")
	case r.Checkpoint.Origin == "" || r.Checkpoint.Size < 0:
		return errors.New("the checkpoint has no origin or a negative size")
	}
	if t, err := time.Parse(time.RFC3339Nano, r.Time); err != nil || ReceiptTime(t) != r.Time {
		return errors.New("time is not an RFC 3339 UTC time with microseconds")
	}
	if root, err := base64.StdEncoding.DecodeString(r.Checkpoint.Root); err != nil || len(root) != sha256.Size {
		return errors.New("the checkpoint root is not a base64 SHA-256 hash")
	}
	return nil
}

// SignReceipt signs r with the platform's signer and returns it with its
// Signature set.
func SignReceipt(r Receipt, s note.Signer) (Receipt, error) {
	r.Signature = ""
	if err := r.check(); err != nil {
		return r, err
	}
	text := r.text()
	msg, err := note.Sign(&note.Note{Text: text}, s)
	if err != nil {
		return r, err
	}
	r.Signature = strings.TrimPrefix(string(msg), text+"\n")
	return r, nil
}

// VerifyReceipt checks a receipt's JSON against the platform's verifier key
// (as GET /api/v1/ledger/key gives it). It returns the receipt when the
// bytes are canonical and the signature is the key's; the error says why
// not.
func VerifyReceipt(receiptJSON []byte, verifierKey string) (Receipt, error) {
	v, err := note.NewVerifier(strings.TrimSpace(verifierKey))
	if err != nil {
		return Receipt{}, fmt.Errorf("bad verifier key: %v", err)
	}
	body := bytes.TrimSuffix(receiptJSON, []byte("\n"))
	var sr signedReceipt
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sr); err != nil {
		return Receipt{}, fmt.Errorf("not a receipt: %v", err)
	}
	if dec.More() {
		return Receipt{}, errors.New("not a receipt: data after the JSON object")
	}
	r := Receipt(sr)
	if !bytes.Equal(r.Canonical(), body) {
		return r, errors.New("the receipt is not in its canonical form (it was changed)")
	}
	if r.Signature == "" {
		return r, errors.New("the receipt is not signed")
	}
	if err := r.check(); err != nil {
		return r, err
	}
	if err := canonicalSignature(r.Signature); err != nil {
		return r, err
	}
	n, err := note.Open([]byte(r.text()+"\n"+r.Signature), note.VerifierList(v))
	if err != nil {
		return r, fmt.Errorf("bad signature: %v", err)
	}
	if len(n.Sigs) != 1 || len(n.UnverifiedSigs) != 0 {
		return r, errors.New("the receipt carries signatures other than the platform's")
	}
	if r.Checkpoint.Origin != v.Name() {
		return r, fmt.Errorf("the checkpoint origin %q is not the signer %q", r.Checkpoint.Origin, v.Name())
	}
	return r, nil
}

// canonicalSignature refuses signature lines whose base64 is not in its one
// canonical form (note.Open decodes leniently: the unused bits of the last
// character would otherwise be free to change).
func canonicalSignature(sig string) error {
	for _, line := range strings.SplitAfter(sig, "\n") {
		if line == "" {
			continue
		}
		rest, ok := strings.CutPrefix(line, "\u2014 ")
		name, b64, ok2 := strings.Cut(strings.TrimSuffix(rest, "\n"), " ")
		if !ok || !ok2 || name == "" || !strings.HasSuffix(line, "\n") {
			return errors.New("bad signature: malformed signature line")
		}
		raw, err := base64.StdEncoding.Strict().DecodeString(b64)
		if err != nil || base64.StdEncoding.EncodeToString(raw) != b64 {
			return errors.New("bad signature: the signature is not canonical base64")
		}
	}
	return nil
}
