package workflow

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
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
// upload holds it (the same material sent twice, by a double click or a
// common template: the other may be accepted); a material kept before
// stays. done(false), once the application has committed, keeps it for
// good.
//
// Holds work across server processes sharing the files directory: each
// upload being read holds a hard link to the material under tmp/, an
// accepted material gets a lasting link under kept/, and a refused upload
// removes the material only when its link count says nobody else holds
// it (moved aside first, so an upload arriving meanwhile puts its own
// copy back).
func (s *Service) StoreUpload(ctx context.Context, name string, r io.Reader) (f xinyong.RepairFile, done func(refused bool), err error) {
	f, hold, created, err := s.storeProof(name, r)
	if err != nil {
		return f, func(bool) {}, err
	}
	return f, func(refused bool) {
		if err := s.releaseUpload(f.SHA256, hold, refused, created); err != nil {
			s.log().Warn("repair material hold not released", "sha256", f.SHA256, "refused", refused, "err", err)
		}
	}, nil
}

// releaseUpload ends an upload's hold on a material (see StoreUpload).
func (s *Service) releaseUpload(sum, hold string, refused, created bool) error {
	dir := s.RepairFiles.FilesDir
	final := proofPath(dir, sum)
	defer os.Remove(hold)
	if !refused {
		// The application has committed: its material stays, whatever a
		// refused upload of the same file does later.
		if err := os.Link(hold, final); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		kept := filepath.Join(dir, "kept", sum[:2], sum)
		if err := os.MkdirAll(filepath.Dir(kept), 0o700); err != nil {
			return err
		}
		if err := os.Link(final, kept); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		return nil
	}
	if err := os.Remove(hold); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if !created {
		return nil // kept before this upload: not this upload's to remove
	}
	if fi, err := os.Stat(final); err == nil {
		if n, ok := linkCount(fi); !ok || n > 1 {
			return nil // held or kept: nothing to move
		}
	}
	dying := filepath.Join(dir, "tmp", "refused-"+RandomSecret(9))
	if err := os.Rename(final, dying); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	defer os.Remove(dying)
	fi, err := os.Stat(dying)
	if n, ok := linkCount(fi); err != nil || !ok || n > 1 {
		// Held by another upload, or kept for an accepted application:
		// back in place (unless an upload has put its own copy there).
		if err := os.Link(dying, final); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	return nil
}

// storeProof keeps the material. hold is this upload's link to it under
// tmp/ (released by releaseUpload), created whether this call put the file
// in place.
func (s *Service) storeProof(name string, r io.Reader) (f xinyong.RepairFile, hold string, created bool, err error) {
	dir := s.RepairFiles.FilesDir
	if dir == "" {
		return f, "", false, xinyong.Errorf(xinyong.EINTERNAL, "no files directory is configured (--files-dir)")
	}
	limit := s.RepairFiles.MaxProofSize()
	head := make([]byte, 512)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return f, "", false, readErr(err, limit)
	}
	head = head[:n]
	if n == 0 {
		return f, "", false, xinyong.Invalid("empty file", xinyong.FieldError{Field: "proof", Rule: "repair.file_empty", Message: "the file " + cleanFileName(name) + " is empty"})
	}
	ct, err := SniffProof(head)
	if err != nil {
		return f, "", false, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o700); err != nil {
		return f, "", false, fmt.Errorf("files directory: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Join(dir, "tmp"), "upload-*")
	if err != nil {
		return f, "", false, fmt.Errorf("files directory: %w", err)
	}
	name0 := tmp.Name()
	defer func() {
		tmp.Close()
		if err != nil {
			os.Remove(name0)
		}
	}()
	h := sha256.New()
	w := io.MultiWriter(tmp, h)
	if _, err := w.Write(head); err != nil {
		return f, "", false, err
	}
	rest, err := io.Copy(w, io.LimitReader(r, limit-int64(n)+1))
	if err != nil {
		return f, "", false, readErr(err, limit)
	}
	size := int64(n) + rest
	if size > limit {
		return f, "", false, tooLarge(limit)
	}
	if err := tmp.Sync(); err != nil {
		return f, "", false, err
	}
	if err := tmp.Close(); err != nil {
		return f, "", false, err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	final := proofPath(dir, sum)
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return f, "", false, err
	}
	f = xinyong.RepairFile{Name: cleanFileName(name), Type: ct, Size: size, SHA256: sum}
	for range 4 {
		err := os.Link(name0, final)
		if err == nil {
			return f, name0, true, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return f, "", false, fmt.Errorf("keep the file: %w", err)
		}
		if have, herr := fileSHA256(final); herr != nil || have != sum {
			// The kept file no longer matches its name (changed or cut
			// short): this upload replaces it, but does not own it (it may
			// be another application's).
			repl := name0 + ".replace"
			if err := os.Link(name0, repl); err != nil {
				return f, "", false, fmt.Errorf("keep the file: %w", err)
			}
			if err := os.Rename(repl, final); err != nil {
				os.Remove(repl)
				return f, "", false, fmt.Errorf("keep the file: %w", err)
			}
			return f, name0, false, nil
		}
		// The same material is kept already: hold that file itself, so a
		// refused upload that created it sees this one. If it was moved
		// aside meanwhile, try again to put this copy in place.
		held := name0 + ".held"
		if err := os.Link(final, held); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return f, "", false, fmt.Errorf("hold the file: %w", err)
		}
		os.Remove(name0)
		return f, held, false, nil
	}
	return f, "", false, xinyong.Errorf(xinyong.ECONFLICT, "the material %s… is being added and removed by other uploads; send it again", sum[:12])
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
