package workflow

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"xinyong"
)

// Repair materials (proof of correction, a signed commitment) are kept
// outside the database row, in RepairConfig.FilesDir, named by their
// SHA-256 (content-addressed: the same file is kept once); the application
// lists each file's hash, which its ledger leaf commits to. The type is
// sniffed from the bytes, never taken from the name: PDF, JPEG and PNG only.

// ProofTypes are the accepted material types with their magic bytes.
var ProofTypes = map[string][]byte{
	"application/pdf": []byte("%PDF-"),
	"image/jpeg":      {0xFF, 0xD8, 0xFF},
	"image/png":       {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'},
}

// SniffProof returns the type of a material from its first bytes, or an
// EUNSUPPORTED error naming what it is not. Both net/http's sniffer and the
// magic bytes must agree.
func SniffProof(head []byte) (string, error) {
	ct := http.DetectContentType(head)
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	magic, ok := ProofTypes[ct]
	if !ok || !bytes.HasPrefix(head, magic) {
		what := ct
		if bytes.HasPrefix(head, []byte("MZ")) || bytes.HasPrefix(head, []byte("\x7fELF")) {
			what = "an executable program"
		}
		return "", &xinyong.Error{Code: xinyong.EUNSUPPORTED, Message: "the file is " + what + ", whatever its name says: upload PDF, JPEG or PNG",
			Fields: []xinyong.FieldError{{Field: "proof", Rule: "repair.file_type", Message: "only PDF, JPEG and PNG are accepted (the type is read from the file's content)"}}}
	}
	return ct, nil
}

var unsafeName = regexp.MustCompile(`[\x00-\x1f/\\:*?"<>|]`)

// cleanFileName keeps a display name: no path, no control characters, at
// most 120 characters, any citizen ID number masked.
func cleanFileName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = unsafeName.ReplaceAllString(name, "_")
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "_")
	}
	if r := []rune(name); len(r) > 120 {
		name = string(r[:120])
	}
	if name == "." || name == "" {
		name = "file"
	}
	return xinyong.MaskCitizenIDs(name)
}

// StoreProof reads one material from r (at most MaxProofSize bytes: a
// larger one is refused with ETOOLARGE as soon as the limit is crossed,
// without reading the rest), checks its type, and keeps it under its
// SHA-256 in FilesDir. The caller lists the result in the application.
func (s *Service) StoreProof(ctx context.Context, name string, r io.Reader) (xinyong.RepairFile, error) {
	f, done, err := s.StoreUpload(ctx, name, r)
	done(false)
	return f, err
}

// StoreUpload is StoreProof for an application still being read. The
// caller calls done once the application is decided: done(true) when it
// was refused removes the file again if this call created it and no other
// upload of this process holds it meanwhile (the same material sent twice,
// by a double click or a common template: the other may be accepted); a
// material kept before stays. done(false) keeps it.
func (s *Service) StoreUpload(ctx context.Context, name string, r io.Reader) (f xinyong.RepairFile, done func(refused bool), err error) {
	f, created, err := s.storeProof(name, r)
	if err != nil {
		return f, func(bool) {}, err
	}
	return f, func(refused bool) {
		if _, err := s.uploads.release(f.SHA256, refused, created); err != nil {
			s.log().Warn("refused upload not removed", "sha256", f.SHA256, "err", err)
		}
	}, nil
}

// uploadHolds counts the uploads of this process that hold each material
// until their application is decided. Keeping a material (storeProof) and
// removing a refused one (release) are ordered by mu, so a refused upload
// never removes a file another upload has found or kept meanwhile.
type uploadHolds struct {
	mu sync.Mutex
	n  map[string]int
}

func (u *uploadHolds) hold(sum string) {
	if u.n == nil {
		u.n = map[string]int{}
	}
	u.n[sum]++
}

// release drops a hold; a refused upload that created the file, holding it
// last, removes it.
func (u *uploadHolds) release(sum string, refused bool, created string) (bool, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.n[sum]--; u.n[sum] <= 0 {
		delete(u.n, sum)
		if refused && created != "" {
			if err := os.Remove(created); err != nil && !errors.Is(err, os.ErrNotExist) {
				return false, err
			}
			return true, nil
		}
	}
	return false, nil
}

// storeProof keeps the material; final is its path when this call
// created the file, "" when one of that name was there already.
func (s *Service) storeProof(name string, r io.Reader) (xinyong.RepairFile, string, error) {
	dir := s.RepairFiles.FilesDir
	if dir == "" {
		return xinyong.RepairFile{}, "", xinyong.Errorf(xinyong.EINTERNAL, "no files directory is configured (--files-dir)")
	}
	limit := s.RepairFiles.MaxProofSize()
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return xinyong.RepairFile{}, "", readErr(err, limit)
	}
	head = head[:n]
	if n == 0 {
		return xinyong.RepairFile{}, "", xinyong.Invalid("empty file", xinyong.FieldError{Field: "proof", Rule: "repair.file_empty", Message: "the file " + cleanFileName(name) + " is empty"})
	}
	ct, err := SniffProof(head)
	if err != nil {
		return xinyong.RepairFile{}, "", err
	}
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o700); err != nil {
		return xinyong.RepairFile{}, "", fmt.Errorf("files directory: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Join(dir, "tmp"), "upload-*")
	if err != nil {
		return xinyong.RepairFile{}, "", fmt.Errorf("files directory: %w", err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	h := sha256.New()
	w := io.MultiWriter(tmp, h)
	if _, err := w.Write(head); err != nil {
		return xinyong.RepairFile{}, "", err
	}
	rest, err := io.Copy(w, io.LimitReader(r, limit-int64(n)+1))
	if err != nil {
		return xinyong.RepairFile{}, "", readErr(err, limit)
	}
	size := int64(n) + rest
	if size > limit {
		return xinyong.RepairFile{}, "", tooLarge(limit)
	}
	if err := tmp.Sync(); err != nil {
		return xinyong.RepairFile{}, "", err
	}
	if err := tmp.Close(); err != nil {
		return xinyong.RepairFile{}, "", err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	final := proofPath(dir, sum)
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return xinyong.RepairFile{}, "", err
	}
	// The same material uploaded before is kept as it is, unless the kept
	// file no longer matches its name (changed or cut short): then this
	// upload replaces it.
	created := ""
	s.uploads.mu.Lock()
	defer s.uploads.mu.Unlock()
	s.uploads.hold(sum)
	if have, herr := fileSHA256(final); herr != nil || have != sum {
		if err := os.Rename(tmp.Name(), final); err != nil {
			if s.uploads.n[sum]--; s.uploads.n[sum] <= 0 {
				delete(s.uploads.n, sum)
			}
			return xinyong.RepairFile{}, "", fmt.Errorf("keep the file: %w", err)
		}
		if herr != nil {
			created = final // new here (a replaced file may be another application's)
		}
	}
	return xinyong.RepairFile{Name: cleanFileName(name), Type: ct, Size: size, SHA256: sum}, created, nil
}

func tooLarge(limit int64) error {
	return &xinyong.Error{Code: xinyong.ETOOLARGE, Message: fmt.Sprintf("a file is at most %d bytes (%.1f MiB)", limit, float64(limit)/(1<<20)),
		Fields: []xinyong.FieldError{{Field: "proof", Rule: "repair.file_size", Message: fmt.Sprintf("at most %d bytes", limit)}}}
}

// readErr turns a body read error into the answer: a MaxBytesReader limit
// is ETOOLARGE.
func readErr(err error, limit int64) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge(limit)
	}
	return xinyong.Errorf(xinyong.EINVALID, "the upload could not be read: %v", err)
}

// proofPath is where a material with the hash is kept: DIR/ab/abcdef….
func proofPath(dir, sum string) string { return filepath.Join(dir, sum[:2], sum) }

var hexSum = regexp.MustCompile(`^[0-9a-f]{64}$`)

// OpenProof opens a material of an application for who may read the
// application. The file is hashed before it is served: one that no longer
// matches the hash the application recorded (changed or cut short in the
// files directory) is refused as an internal error, never served under
// that hash.
func (s *Service) OpenProof(ctx context.Context, actor xinyong.Actor, repairID, sum string) (io.ReadCloser, xinyong.RepairFile, error) {
	v, err := s.Repair(ctx, actor, repairID)
	if err != nil {
		return nil, xinyong.RepairFile{}, err
	}
	for _, f := range v.Proofs {
		if f.SHA256 == sum && hexSum.MatchString(sum) {
			// Hashed through the handle that is served, so what is checked
			// is what is sent.
			fh, err := os.Open(proofPath(s.RepairFiles.FilesDir, sum))
			if err != nil {
				return nil, f, xinyong.Errorf(xinyong.EINTERNAL, "material %s… of application %s is missing from the files directory", sum[:12], v.Code)
			}
			h := sha256.New()
			_, herr := io.Copy(h, fh)
			if _, err := fh.Seek(0, io.SeekStart); herr != nil || err != nil || hex.EncodeToString(h.Sum(nil)) != sum {
				fh.Close()
				return nil, f, xinyong.Errorf(xinyong.EINTERNAL, "material %s… of application %s no longer matches its hash in the files directory", sum[:12], v.Code)
			}
			return fh, f, nil
		}
	}
	return nil, xinyong.RepairFile{}, repairNotFound("material")
}

// fileSHA256 is the hex SHA-256 of a file's content.
func fileSHA256(path string) (string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	h := sha256.New()
	if _, err := io.Copy(h, fh); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
