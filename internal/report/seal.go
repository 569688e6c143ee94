package report

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"xinyong"
)

// Canonical returns the report's canonical JSON: encoding/json of Report
// (fields in declaration order, compact, HTML characters escaped).
func Canonical(r Report) ([]byte, error) { return json.Marshal(r) }

// Digest returns the hex SHA-256 of canonical JSON.
func Digest(canonical []byte) string {
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:])
}

// NoteText is the text the platform signs for a report:
// "xinyong-report/v1\n<number>\n<digest>\n".
func NoteText(number, digest string) string {
	return Format + "\n" + number + "\n" + digest + "\n"
}

// Sign returns the signed note over the report's number and digest.
func Sign(s note.Signer, number, digest string) ([]byte, error) {
	msg, err := note.Sign(&note.Note{Text: NoteText(number, digest)}, s)
	if err != nil {
		return nil, fmt.Errorf("report: sign: %w", err)
	}
	return msg, nil
}

// ErrSignature is returned when a signed note does not verify or does not
// sign the expected number and digest.
var ErrSignature = errors.New("the report's signature does not verify")

// CheckNote verifies msg with the verifier key and checks that it signs
// exactly the number and digest.
func CheckNote(msg []byte, verifierKey, number, digest string) error {
	v, err := note.NewVerifier(verifierKey)
	if err != nil {
		return fmt.Errorf("report: verifier key: %w", err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil || n.Text != NoteText(number, digest) {
		return ErrSignature
	}
	return nil
}

// Code is the short verification code printed on a report: 16 characters
// derived from the signed note (a reader can compare it with what the
// verification page shows for the number).
func Code(signedNote []byte) string {
	sum := sha256.Sum256(signedNote)
	c := base32.StdEncoding.EncodeToString(sum[:10])
	return c[0:4] + "-" + c[4:8] + "-" + c[8:12] + "-" + c[12:16]
}

// Signature returns the base64 Ed25519 signature line of a signed note
// ("— name base64"), for printing.
func Signature(signedNote []byte) string {
	_, sigs, ok := bytes.Cut(signedNote, []byte("\n\n"))
	if !ok {
		return ""
	}
	line, _, _ := bytes.Cut(sigs, []byte("\n"))
	return strings.TrimPrefix(string(line), "— ")
}

// Verification is the seal served with the JSON report.
type Verification struct {
	Algorithm string `json:"algorithm"`
	Digest    string `json:"digest"` // hex SHA-256 of the "report" value's exact bytes
	Code      string `json:"code"`
	Note      string `json:"note"` // the signed note over Format, number and digest
	VerifyURL string `json:"verify_url"`
}

// Document is the JSON report as served: the canonical report and its seal.
type Document struct {
	Report       json.RawMessage `json:"report"`
	Verification Verification    `json:"verification"`
}

// Algorithm names the seal.
const Algorithm = "sha256 of the report value, signed as a C2SP signed note (Ed25519)"

// Envelope returns the JSON document served for a sealed report.
func Envelope(canonical []byte, number, digest string, signedNote []byte) []byte {
	d := Document{Report: canonical, Verification: Verification{
		Algorithm: Algorithm, Digest: digest, Code: Code(signedNote), Note: string(signedNote),
		VerifyURL: "/api/v1/reports/" + number + "/verify",
	}}
	b, err := json.Marshal(d)
	if err != nil {
		panic(err) // a RawMessage from json.Marshal and strings always marshal
	}
	return append(b, '\n')
}

// Parsed is a JSON report document as submitted for verification.
type Parsed struct {
	Raw    []byte // the exact bytes of the "report" value
	Digest string // their SHA-256
	Report Report
}

// Parse reads a submitted JSON report document. It does not decide
// genuineness: the caller compares it with the register.
func Parse(body []byte) (Parsed, error) {
	var d Document
	if err := json.Unmarshal(body, &d); err != nil {
		return Parsed{}, fmt.Errorf("not a report document: %v", err)
	}
	if len(d.Report) == 0 {
		return Parsed{}, errors.New("not a report document: no \"report\" value")
	}
	var p Parsed
	p.Raw = []byte(d.Report)
	p.Digest = Digest(p.Raw)
	if err := json.Unmarshal(p.Raw, &p.Report); err != nil {
		return Parsed{}, fmt.Errorf("not a report document: %v", err)
	}
	return p, nil
}

// numberAlphabet avoids letters read alike (I, L, O, U) and digits 0, 1.
const numberAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewNumber returns a fresh report number XY-YYYYMMDD-XXXXXXXXXX (10
// random characters, about 49 bits).
func NewNumber(at time.Time) string {
	var b [10]byte
	rand.Read(b[:])
	out := make([]byte, 10)
	for i, x := range b {
		out[i] = numberAlphabet[int(x)%len(numberAlphabet)]
	}
	return "XY-" + at.In(xinyong.Shanghai).Format("20060102") + "-" + string(out)
}

var numberPattern = regexp.MustCompile(`^XY-[0-9]{8}-[` + numberAlphabet + `]{10}$`)

// ValidNumber reports whether s has the form of a report number.
func ValidNumber(s string) bool { return numberPattern.MatchString(s) }
