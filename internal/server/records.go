package server

import (
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

func (s *Server) recordRoutes() []route {
	return []route{
		{Method: "POST", Path: "/api/v1/records", Tag: "records", Auth: "token", Summary: "Submit one record (department officer); same department + kind + decision number is the same record", Request: recordRequest{}, Status: 201, Handler: s.postRecord},
		{Method: "POST", Path: "/api/v1/records:batch", Tag: "records", Auth: "token", Summary: "Submit up to 10,000 records: mode atomic (all or nothing) or each (per-item results)", Request: batchRequest{}, Handler: s.postBatch},
		{Method: "GET", Path: "/api/v1/records", Tag: "records", Auth: "token", Summary: "List records the caller may read (officers: their department's); filters subject_id, item, import_id, status, after, limit", Handler: s.getRecords},
		{Method: "GET", Path: "/api/v1/records/{id}", Tag: "records", Auth: "token", Summary: "Read a record with its version history", Handler: s.getRecord},
		{Method: "POST", Path: "/api/v1/records/{id}/withdraw", Tag: "records", Auth: "token", Summary: "Withdraw a record whose decision was revoked, changed or voided: sharing and publication end at once", Request: withdrawRequest{}, Handler: s.withdrawRecord},
		{Method: "POST", Path: "/api/v1/imports", Tag: "records", Auth: "token", Summary: "Upload a 双公示 CSV (UTF-8/GBK/GB18030) or XLSX file as multipart/form-data (fields kind=penalty|license, file, optional severity, department); returns an import job", Status: 202, Handler: s.postImport},
		{Method: "GET", Path: "/api/v1/imports/{id}", Tag: "records", Auth: "token", Summary: "An import job's status, progress and counts", Handler: s.getImport},
		{Method: "GET", Path: "/api/v1/imports/{id}/errors.csv", Tag: "records", Auth: "token", Summary: "The import's row-level errors as CSV: row, column, value, rule, message", Handler: s.getImportErrors},
		{Method: "GET", Path: "/api/v1/ledger/checkpoint", Tag: "ledger", Auth: "public", Summary: "The latest signed checkpoint (C2SP tlog-checkpoint signed note, text/plain)", Handler: s.getCheckpoint},
		{Method: "GET", Path: "/api/v1/ledger/key", Tag: "ledger", Auth: "public", Summary: "The checkpoint verifier key in note format (text/plain)", Handler: s.getKey},
		{Method: "GET", Path: "/api/v1/ledger/proof/inclusion", Tag: "ledger", Auth: "public", Summary: "Inclusion proof of leaf index in the tree of size (query index, size)", Handler: s.getInclusion},
		{Method: "GET", Path: "/api/v1/ledger/proof/consistency", Tag: "ledger", Auth: "public", Summary: "Consistency proof between tree sizes old and new (query old, new)", Handler: s.getConsistency},
		{Method: "GET", Path: "/api/v1/ledger/leaves/{index}", Tag: "ledger", Auth: "public", Summary: "One leaf: what it commits to (never the content) and its exact leaf bytes", Handler: s.getLeaf},
	}
}

type recordRequest struct {
	Department string `json:"department,omitempty"` // admins act for a department
	xinyong.RecordInput
}

func (s *Server) postRecord(w http.ResponseWriter, r *http.Request) error {
	var in recordRequest
	if err := decodeJSON(r, s.MaxBody, &in); err != nil {
		return err
	}
	res, err := s.Svc.SubmitRecord(r.Context(), actorOf(r), in.Department, in.RecordInput)
	if err != nil {
		return err
	}
	status := 201
	if res.Outcome != workflow.Created {
		status = 200
	}
	writeJSON(w, status, res)
	return nil
}

type batchRequest struct {
	Mode       string                `json:"mode"` // atomic or each
	Department string                `json:"department,omitempty"`
	Records    []xinyong.RecordInput `json:"records"`
}

func (s *Server) postBatch(w http.ResponseWriter, r *http.Request) error {
	var in batchRequest
	if err := decodeJSON(r, s.MaxBody, &in); err != nil {
		return err
	}
	res, err := s.Svc.SubmitBatch(r.Context(), actorOf(r), in.Department, in.Mode, in.Records)
	if err != nil {
		return err
	}
	status := 200
	if in.Mode == "atomic" && !res.Committed {
		status = 422
	}
	writeJSON(w, status, res)
	return nil
}

func (s *Server) getRecords(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	docs, err := s.Svc.RecordDocs(r.Context(), actorOf(r), xinyong.RecordFilter{SubjectID: q.Get("subject_id"), Item: q.Get("item"), ImportID: q.Get("import_id"), Status: xinyong.RecordStatus(q.Get("status")), AfterID: q.Get("after"), Limit: limit, DepartmentID: q.Get("department_id")})
	if err != nil {
		return err
	}
	// {"records":[…],"next":"ID"}: the stored documents are the records'
	// JSON (storetest checks it byte for byte), so they are written as they
	// are instead of decoded and encoded again.
	next := ""
	if len(docs) > 0 {
		next = docs[len(docs)-1].ID
	}
	n := 32 + len(next)
	for _, d := range docs {
		n += len(d.Doc) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, `{"records":[`...)
	for i, d := range docs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, d.Doc...)
	}
	b = append(b, `],"next":`...)
	nb, _ := json.Marshal(next)
	b = append(b, nb...)
	b = append(b, "}\n"...)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(200)
	w.Write(b)
	return nil
}

func (s *Server) getRecord(w http.ResponseWriter, r *http.Request) error {
	rec, versions, err := s.Svc.RecordView(r.Context(), actorOf(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, map[string]any{"record": rec, "versions": versions})
	return nil
}

type withdrawRequest struct {
	Reason string `json:"reason"` // revoked, changed, voided, unlawful
	Note   string `json:"note,omitempty"`
}

func (s *Server) withdrawRecord(w http.ResponseWriter, r *http.Request) error {
	var in withdrawRequest
	if err := decodeJSON(r, s.MaxBody, &in); err != nil {
		return err
	}
	rec, err := s.Svc.Withdraw(r.Context(), actorOf(r), r.PathValue("id"), in.Reason, in.Note)
	if err != nil {
		return err
	}
	writeJSON(w, 200, rec)
	return nil
}

// postImport streams the uploaded file to disk (never into memory), creates
// the job and runs it in the background.
func (s *Server) postImport(w http.ResponseWriter, r *http.Request) error {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return xinyong.Errorf(xinyong.EUNSUPPORTED, "upload the file as multipart/form-data with fields kind and file")
	}
	actor := actorOf(r)
	if actor.Kind == "public" {
		return xinyong.Errorf(xinyong.EUNAUTHORIZED, "sign in or send an API token to import records")
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.MaxUpload+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return xinyong.Errorf(xinyong.EINVALID, "the multipart body could not be read")
	}
	fields := map[string]string{}
	var path, name string
	defer func() {
		if path != "" && err != nil {
			os.Remove(path)
		}
	}()
	for {
		part, perr := mr.NextPart()
		if perr == io.EOF {
			break
		}
		if perr != nil {
			err = uploadError(perr, s.MaxUpload)
			return err
		}
		if part.FormName() == "file" {
			if path != "" {
				err = xinyong.Invalid("two files", xinyong.FieldError{Field: "file", Rule: "upload.single", Message: "send one file per import"})
				return err
			}
			name = filepath.Base(part.FileName())
			path, err = s.saveUpload(part)
			if err != nil {
				return err
			}
			continue
		}
		b, _ := io.ReadAll(io.LimitReader(part, 1024))
		fields[part.FormName()] = strings.TrimSpace(string(b))
	}
	if path == "" {
		err = xinyong.Invalid("no file", xinyong.FieldError{Field: "file", Rule: "required", Message: "attach the 双公示 file in the form field \"file\""})
		return err
	}
	j, err := s.Svc.CreateImport(r.Context(), actor, workflow.ImportRequest{Department: fields["department"], Kind: fields["kind"], Path: path, FileName: name, Severity: fields["severity"]})
	if err != nil {
		return err
	}
	s.runImport(j.ID, actor)
	w.Header().Set("Location", "/api/v1/imports/"+j.ID)
	writeJSON(w, 202, j)
	return nil
}

func uploadError(err error, limit int64) error {
	var mbe *http.MaxBytesError
	var xe *xinyong.Error
	if errors.As(err, &xe) {
		return xe
	}
	if errors.As(err, &mbe) {
		return xinyong.Errorf(xinyong.ETOOLARGE, "the file is larger than %d bytes", limit)
	}
	return xinyong.Errorf(xinyong.EINVALID, "the upload was cut off or malformed: %v", err)
}

func (s *Server) saveUpload(src io.Reader) (string, error) {
	if err := os.MkdirAll(s.UploadDir, 0o700); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(s.UploadDir, "import-*.upload")
	if err != nil {
		return "", err
	}
	n, err := io.Copy(f, io.LimitReader(src, s.MaxUpload+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > s.MaxUpload {
		err = xinyong.Errorf(xinyong.ETOOLARGE, "the file is larger than %d bytes", s.MaxUpload)
	}
	if err != nil {
		os.Remove(f.Name())
		return "", uploadError(err, s.MaxUpload)
	}
	return f.Name(), nil
}

// runImport runs a job in the background under the server's lifetime.
func (s *Server) runImport(id string, actor xinyong.Actor) {
	s.mu.Lock()
	if s.running == nil {
		s.running = map[string]bool{}
	}
	s.running[id] = true
	s.mu.Unlock()
	s.jobs.Add(1)
	go func() {
		defer s.jobs.Done()
		defer func() {
			s.mu.Lock()
			delete(s.running, id)
			s.mu.Unlock()
		}()
		if _, err := s.Svc.RunImport(s.jobCtx, actor, id, false, nil); err != nil && s.jobCtx.Err() == nil {
			s.Log.Warn("import ended with an error", "import", id, "err", err)
		}
	}()
}

// Start resumes imports whose process died, and starts background work.
func (s *Server) Start(ctx context.Context) error {
	s.jobCtx, s.jobStop = context.WithCancel(context.Background())
	if s.UploadDir == "" {
		s.UploadDir = filepath.Join(os.TempDir(), "xinyong-uploads")
	}
	// A job stores its file's path: an absolute one, so that a server
	// started from another directory (or `xinyong import --resume`) finds
	// the file instead of failing the job with its file left behind.
	abs, err := filepath.Abs(s.UploadDir)
	if err != nil {
		return fmt.Errorf("upload directory %s: %w", s.UploadDir, err)
	}
	s.UploadDir = abs
	if err := s.resumeImports(ctx); err != nil {
		return err
	}
	s.resumeGradingRuns(ctx)
	// Jobs whose process died while this one runs (another server, or a
	// killed `xinyong import`) are taken over once they go stale, and
	// listings at the end of their period are removed.
	s.loops.Add(1)
	go func() {
		defer s.loops.Done()
		tick := time.NewTicker(ResumeEvery)
		defer tick.Stop()
		for {
			select {
			case <-s.jobCtx.Done():
				return
			case <-tick.C:
				if err := s.resumeImports(s.jobCtx); err != nil && s.jobCtx.Err() == nil {
					s.Log.Warn("looking for imports to resume", "err", err)
				}
				s.resumeGradingRuns(s.jobCtx)
				// Listings end by themselves at the end of their period.
				if n, err := s.Svc.ExpireListings(s.jobCtx, xinyong.DateOf(s.Svc.Now())); err != nil && s.jobCtx.Err() == nil {
					s.Log.Warn("expiring listings", "err", err)
				} else if n > 0 {
					s.Log.Info("listings expired", "count", n)
				}
				// Windows that opened, limits near or past (console_compliance.go).
				s.runDeadlines(s.jobCtx)
			}
		}
	}()
	s.startDelivery()
	return nil
}

// ResumeEvery is how often the server looks for imports to take over.
var ResumeEvery = time.Minute

// resumeImports runs queued jobs and running jobs that went stale, except
// those this process is already running.
func (s *Server) resumeImports(ctx context.Context) error {
	pending, err := s.Svc.PendingImports(ctx)
	if err != nil {
		return err
	}
	for _, j := range pending {
		if j.Status == xinyong.ImportRunning && !workflow.ImportStale(j, s.Svc.Now()) {
			continue // its process is alive, or this one runs it
		}
		s.mu.Lock()
		busy := s.running[j.ID]
		s.mu.Unlock()
		if busy {
			continue
		}
		s.Log.Info("resuming import", "import", j.ID, "status", j.Status, "checkpoint", j.Checkpoint)
		s.runImport(j.ID, xinyong.System)
	}
	return nil
}

// Stop cancels background work and waits for it; an interrupted import
// resumes on the next start.
func (s *Server) Stop() {
	if s.jobStop != nil {
		s.jobStop()
	}
	s.loops.Wait()
	s.jobs.Wait()
}

type jobState struct {
	mu      sync.Mutex
	running map[string]bool // import jobs this process runs
	jobs    sync.WaitGroup  // running import jobs
	loops   sync.WaitGroup  // periodic background loops
	jobCtx  context.Context
	jobStop context.CancelFunc
}

func (s *Server) getImport(w http.ResponseWriter, r *http.Request) error {
	j, err := s.Svc.Import(r.Context(), actorOf(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, j)
	return nil
}

func (s *Server) getImportErrors(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.Svc.Import(r.Context(), actorOf(r), r.PathValue("id")); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="import-`+r.PathValue("id")+`-errors.csv"`)
	w.Write([]byte("\xef\xbb\xbf")) // BOM: Excel opens UTF-8 CSV correctly
	cw := csv.NewWriter(w)
	cw.Write([]string{"row", "column", "value", "rule", "message"})
	err := s.Svc.ImportErrors(r.Context(), actorOf(r), r.PathValue("id"), func(e xinyong.FieldError) error {
		// Every cell, not only the value: a column is the file's own header
		// text for an unknown column, and messages quote cells.
		return cw.Write([]string{strconv.Itoa(e.Row), csvSafe(e.Field), csvSafe(e.Value), csvSafe(e.Rule), csvSafe(e.Message)})
	})
	cw.Flush()
	if err != nil {
		s.Log.Error("error csv", "err", err)
	}
	return nil
}

// csvSafe defuses spreadsheet formula injection in echoed values.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func (s *Server) getCheckpoint(w http.ResponseWriter, r *http.Request) error {
	note, err := s.Svc.Checkpoint(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(note)
	return nil
}

func (s *Server) getKey(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, s.Svc.Verifier)
	return nil
}

func queryInt(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, xinyong.Invalid("bad query parameter", xinyong.FieldError{Field: name, Rule: "integer", Message: name + " must be a whole number, got " + strconv.Quote(clip(v))})
	}
	return n, nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func b64s(p [][]byte) []string {
	out := make([]string, len(p))
	for i, h := range p {
		out[i] = base64.StdEncoding.EncodeToString(h)
	}
	return out
}

func (s *Server) getInclusion(w http.ResponseWriter, r *http.Request) error {
	idx, err := queryInt(r, "index")
	if err != nil {
		return err
	}
	size, err := queryInt(r, "size")
	if err != nil {
		return err
	}
	p, err := s.Svc.InclusionProof(r.Context(), idx, size)
	if err != nil {
		return err
	}
	writeJSON(w, 200, map[string]any{"index": idx, "size": size, "proof": b64s(p)})
	return nil
}

func (s *Server) getConsistency(w http.ResponseWriter, r *http.Request) error {
	old, err := queryInt(r, "old")
	if err != nil {
		return err
	}
	nw, err := queryInt(r, "new")
	if err != nil {
		return err
	}
	p, err := s.Svc.ConsistencyProof(r.Context(), old, nw)
	if err != nil {
		return err
	}
	writeJSON(w, 200, map[string]any{"old": old, "new": nw, "proof": b64s(p)})
	return nil
}

func (s *Server) getLeaf(w http.ResponseWriter, r *http.Request) error {
	idx, err := strconv.ParseInt(r.PathValue("index"), 10, 64)
	if err != nil {
		return xinyong.Invalid("bad index", xinyong.FieldError{Field: "index", Rule: "integer", Message: "the leaf index is a whole number"})
	}
	li, err := s.Svc.Leaf(r.Context(), idx)
	if err != nil {
		return err
	}
	writeJSON(w, 200, li)
	return nil
}
