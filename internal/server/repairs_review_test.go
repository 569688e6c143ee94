package server

import (
	"bytes"
	"io/fs"
	"net/http"
	"path/filepath"
	"testing"

	"xinyong"
)

// storedFiles counts the materials kept in the files directory.
func storedFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

// TestRepairUploadNeedsTheSubject: whoever may not apply (the public, an
// officer) is refused before a byte of an upload is kept: otherwise anyone
// could fill the files directory with 100 MiB per request.
func TestRepairUploadNeedsTheSubject(t *testing.T) {
	f := newRepairFixture(t)
	e := f.e
	dir := e.svc.RepairFiles.FilesDir
	body, ct := multipartBody(t, repairFields(f.rec), formFile{"收据.pdf", bytes.NewReader(testPDF)})
	e.do(t, req{Method: "POST", Path: "/api/v1/repairs", Type: ct, Body: body}).problem(t, 401, xinyong.EUNAUTHORIZED)
	if n := storedFiles(t, dir); n != 0 {
		t.Errorf("an anonymous upload kept %d files", n)
	}
	e.do(t, req{Method: "POST", Path: "/api/v1/repairs", Type: ct, Body: body, Token: f.off}).problem(t, 403, xinyong.EFORBIDDEN)
	if n := storedFiles(t, dir); n != 0 {
		t.Errorf("an officer's upload kept %d files", n)
	}
	// The portal form, posted without a session.
	r := e.do(t, req{Method: "POST", Path: "/repairs", Type: ct, Body: body})
	if r.Status != http.StatusUnauthorized {
		t.Errorf("anonymous form: %d", r.Status)
	}
	if n := storedFiles(t, dir); n != 0 {
		t.Errorf("an anonymous form kept %d files", n)
	}
}
