package ledger

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
)

// LoadOrCreateKey reads a note signer key ("PRIVATE+KEY+<name>+<hash>+<data>",
// as produced by note.GenerateKey) from path or, if the file does not exist,
// generates an Ed25519 key named name, writes it to path with mode 0600
// (creating parent directories with mode 0700) and uses it. It returns the
// signer and the verifier key string ("<name>+<hash>+<data>") to publish.
//
// If the file exists and name is not empty, the key's name must equal name.
// Creation is race-free: the key is written to a temporary file and linked
// into place only if path still does not exist; otherwise the existing key
// is read.
func LoadOrCreateKey(path, name string) (note.Signer, string, error) {
	s, v, err := loadKey(path, name)
	if !errors.Is(err, fs.ErrNotExist) {
		return s, v, err
	}
	if name == "" {
		return nil, "", fmt.Errorf("ledger: key %s does not exist and no key name given", path)
	}
	skey, _, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		return nil, "", fmt.Errorf("ledger: generate key: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", fmt.Errorf("ledger: create key directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".ledger-key-*")
	if err != nil {
		return nil, "", fmt.Errorf("ledger: create key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, "", fmt.Errorf("ledger: create key: %w", err)
	}
	if _, err := tmp.WriteString(skey + "\n"); err != nil {
		tmp.Close()
		return nil, "", fmt.Errorf("ledger: write key: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, "", fmt.Errorf("ledger: write key: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, "", fmt.Errorf("ledger: write key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, "", fmt.Errorf("ledger: install key: %w", err)
	}
	// Either our key or one created concurrently by another process.
	return loadKey(path, name)
}

func loadKey(path, name string) (note.Signer, string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, "", err
		}
		return nil, "", fmt.Errorf("ledger: read key: %w", err)
	}
	skey := strings.TrimSpace(string(data))
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, "", fmt.Errorf("ledger: key %s: %w", path, err)
	}
	if name != "" && s.Name() != name {
		return nil, "", fmt.Errorf("ledger: key %s is named %q, want %q", path, s.Name(), name)
	}
	// skey is PRIVATE+KEY+<name>+<hash>+<base64(alg || seed)>; the name has
	// no '+' (base64 data may).
	f := strings.SplitN(skey, "+", 5)
	if len(f) != 5 {
		return nil, "", fmt.Errorf("ledger: key %s: malformed", path)
	}
	raw, err := base64.StdEncoding.DecodeString(f[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return nil, "", fmt.Errorf("ledger: key %s: not an Ed25519 note key", path)
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(s.Name(), pub)
	if err != nil {
		return nil, "", fmt.Errorf("ledger: key %s: %w", path, err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil || v.KeyHash() != s.KeyHash() {
		return nil, "", fmt.Errorf("ledger: key %s: key hash does not match the key", path)
	}
	return s, vkey, nil
}

// Checkpoint is the C2SP tlog-checkpoint body:
// "<origin>\n<size decimal>\n<base64 root>\n". Xinyong writes no extension
// lines.
type Checkpoint struct {
	Origin string
	Size   uint64
	Root   []byte
}

// Marshal returns the checkpoint body.
func (c Checkpoint) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString(c.Origin)
	b.WriteByte('\n')
	b.WriteString(strconv.FormatUint(c.Size, 10))
	b.WriteByte('\n')
	b.WriteString(base64.StdEncoding.EncodeToString(c.Root))
	b.WriteByte('\n')
	return b.Bytes()
}

func (c Checkpoint) check() error {
	if c.Origin == "" || !utf8.ValidString(c.Origin) || strings.ContainsFunc(c.Origin, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return fmt.Errorf("ledger: checkpoint: invalid origin %q", c.Origin)
	}
	if len(c.Root) != HashSize {
		return fmt.Errorf("ledger: checkpoint: root has %d bytes, want %d", len(c.Root), HashSize)
	}
	return nil
}

// SignCheckpoint returns the checkpoint as a note signed by s. The origin
// must equal the signer's name.
func SignCheckpoint(s note.Signer, c Checkpoint) ([]byte, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	if c.Origin != s.Name() {
		return nil, fmt.Errorf("ledger: checkpoint origin %q differs from key name %q", c.Origin, s.Name())
	}
	msg, err := note.Sign(&note.Note{Text: string(c.Marshal())}, s)
	if err != nil {
		return nil, fmt.Errorf("ledger: sign checkpoint: %w", err)
	}
	return msg, nil
}

// OpenCheckpoint verifies msg as a note signed by the key verifierKey and
// parses its text strictly as a checkpoint: exactly three lines, origin
// equal to the key name, size in canonical decimal, root in canonical
// standard base64 of 32 bytes. Signatures by other keys are ignored.
func OpenCheckpoint(msg []byte, verifierKey string) (Checkpoint, error) {
	v, err := note.NewVerifier(verifierKey)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("ledger: verifier key: %w", err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("ledger: open checkpoint: %w", err)
	}
	// note.Open decodes signatures with lenient base64; insist on the
	// canonical encoding so that the signed note has a single valid form.
	for _, sig := range n.Sigs {
		if _, err := base64.StdEncoding.Strict().DecodeString(sig.Base64); err != nil {
			return Checkpoint{}, errors.New("ledger: open checkpoint: non-canonical signature encoding")
		}
	}
	c, err := ParseCheckpoint([]byte(n.Text))
	if err != nil {
		return Checkpoint{}, err
	}
	if c.Origin != v.Name() {
		return Checkpoint{}, fmt.Errorf("ledger: checkpoint origin %q differs from key name %q", c.Origin, v.Name())
	}
	return c, nil
}

// ParseCheckpoint parses an (unsigned) checkpoint body strictly; see
// OpenCheckpoint. Use it only on text whose signature was verified.
func ParseCheckpoint(text []byte) (Checkpoint, error) {
	lines := strings.Split(string(text), "\n")
	if len(lines) != 4 || lines[3] != "" {
		return Checkpoint{}, errors.New("ledger: checkpoint: want exactly three lines")
	}
	var c Checkpoint
	c.Origin = lines[0]
	sz := lines[1]
	if sz == "" || (sz[0] == '0' && len(sz) > 1) || strings.TrimLeft(sz, "0123456789") != "" {
		return Checkpoint{}, fmt.Errorf("ledger: checkpoint: invalid size %q", sz)
	}
	var err error
	if c.Size, err = strconv.ParseUint(sz, 10, 64); err != nil {
		return Checkpoint{}, fmt.Errorf("ledger: checkpoint: invalid size %q", sz)
	}
	if c.Root, err = base64.StdEncoding.Strict().DecodeString(lines[2]); err != nil {
		return Checkpoint{}, fmt.Errorf("ledger: checkpoint: invalid root: %w", err)
	}
	if base64.StdEncoding.EncodeToString(c.Root) != lines[2] {
		return Checkpoint{}, errors.New("ledger: checkpoint: non-canonical root encoding")
	}
	if err := c.check(); err != nil {
		return Checkpoint{}, err
	}
	return c, nil
}
