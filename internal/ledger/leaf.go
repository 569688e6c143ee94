package ledger

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/transparency-dev/merkle/rfc6962"
)

// Leaf kinds used by the application. Other kinds are allowed; the kind is
// part of the committed leaf bytes.
const (
	KindRecordVersion   = "record.version"
	KindRecordWithdrawn = "record.withdrawn"
	KindCatalogueItem   = "catalogue.item"
	KindAudit           = "audit"
)

const (
	leafPrefix   = "xinyong-leaf/v1"
	commitPrefix = "xinyong-commit/v1"
	// SaltSize is the size in bytes of the salts produced by NewSalt.
	SaltSize = 32
)

// Leaf is the content of one ledger leaf.
type Leaf struct {
	Kind       string    // e.g. "record.version", "record.withdrawn", "catalogue.item", "audit"
	ObjectType string    // e.g. "record"
	ObjectID   string    // id of the object the event is about
	Version    int       // object version (0 when not applicable)
	Commitment [32]byte  // Commit(salt, content)
	At         time.Time // encoded in UTC, truncated to the microsecond
}

// NewSalt returns SaltSize random bytes from crypto/rand.
func NewSalt() []byte {
	s := make([]byte, SaltSize)
	// crypto/rand.Read never returns an error (it crashes the program
	// irrecoverably instead) since Go 1.24.
	_, _ = rand.Read(s)
	return s
}

// Commit returns SHA-256 over a domain-separated encoding of salt and content:
//
//	uint32be(len("xinyong-commit/v1")) "xinyong-commit/v1"
//	uint64be(len(salt)) salt
//	uint64be(len(content)) content
//
// The length prefixes make the boundary between salt and content
// unambiguous.
func Commit(salt, content []byte) [32]byte {
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint32(n[:4], uint32(len(commitPrefix)))
	h.Write(n[:4])
	h.Write([]byte(commitPrefix))
	binary.BigEndian.PutUint64(n[:], uint64(len(salt)))
	h.Write(n[:])
	h.Write(salt)
	binary.BigEndian.PutUint64(n[:], uint64(len(content)))
	h.Write(n[:])
	h.Write(content)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// Bytes returns the canonical encoding of the leaf:
//
//	uint32be(15) "xinyong-leaf/v1"
//	uint32be(len(Kind)) Kind
//	uint32be(len(ObjectType)) ObjectType
//	uint32be(len(ObjectID)) ObjectID
//	int64be(Version)
//	Commitment (32 bytes)
//	int64be(At as Unix microseconds, UTC)
//
// Strings are length-prefixed and the other fields have fixed sizes, so the
// encoding is unambiguous; ParseLeaf inverts it.
func (l Leaf) Bytes() []byte {
	b := make([]byte, 0, 4+len(leafPrefix)+12+len(l.Kind)+len(l.ObjectType)+len(l.ObjectID)+8+32+8)
	b = appendString(b, leafPrefix)
	b = appendString(b, l.Kind)
	b = appendString(b, l.ObjectType)
	b = appendString(b, l.ObjectID)
	b = binary.BigEndian.AppendUint64(b, uint64(int64(l.Version)))
	b = append(b, l.Commitment[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(l.At.UnixMicro()))
	return b
}

// Hash returns the RFC 6962 leaf hash of l.Bytes().
func (l Leaf) Hash() []byte {
	return rfc6962.DefaultHasher.HashLeaf(l.Bytes())
}

// Normalize returns l with At converted to UTC and truncated to the
// microsecond, i.e. the value that ParseLeaf(l.Bytes()) returns. Store
// leaves normalised so that what the database holds equals what was hashed.
func (l Leaf) Normalize() Leaf {
	l.At = time.UnixMicro(l.At.UnixMicro()).UTC()
	return l
}

// ParseLeaf decodes a leaf encoded by Leaf.Bytes. It rejects any other
// version prefix and trailing bytes. At is returned in UTC.
func ParseLeaf(b []byte) (Leaf, error) {
	var l Leaf
	prefix, b, ok := readString(b)
	if !ok || prefix != leafPrefix {
		return Leaf{}, errors.New("ledger: leaf: not a xinyong-leaf/v1 encoding")
	}
	if l.Kind, b, ok = readString(b); !ok {
		return Leaf{}, errors.New("ledger: leaf: truncated kind")
	}
	if l.ObjectType, b, ok = readString(b); !ok {
		return Leaf{}, errors.New("ledger: leaf: truncated object type")
	}
	if l.ObjectID, b, ok = readString(b); !ok {
		return Leaf{}, errors.New("ledger: leaf: truncated object id")
	}
	if len(b) != 8+32+8 {
		return Leaf{}, fmt.Errorf("ledger: leaf: %d bytes after object id, want 48", len(b))
	}
	v := int64(binary.BigEndian.Uint64(b))
	if int64(int(v)) != v {
		return Leaf{}, errors.New("ledger: leaf: version out of range")
	}
	l.Version = int(v)
	copy(l.Commitment[:], b[8:40])
	l.At = time.UnixMicro(int64(binary.BigEndian.Uint64(b[40:]))).UTC()
	return l, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

func readString(b []byte) (string, []byte, bool) {
	if len(b) < 4 {
		return "", nil, false
	}
	n := binary.BigEndian.Uint32(b)
	b = b[4:]
	if uint64(len(b)) < uint64(n) {
		return "", nil, false
	}
	return string(b[:n]), b[n:], true
}
