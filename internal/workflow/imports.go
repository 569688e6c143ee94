package workflow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"xinyong"
	"xinyong/internal/intake"
)

// ImportLayout is a 双公示 layout (xinyong.SGSLayouts) read into records:
// its document and subject columns fill the document and subject; every
// other column goes to the record's fields.
type ImportLayout struct{ xinyong.SGSLayout }

// importLayout returns the layout of an import kind.
func importLayout(kind string) (ImportLayout, bool) {
	l, ok := xinyong.SGSLayouts[kind]
	return ImportLayout{l}, ok
}

// column maps an error's field to the file's column; an error about the
// subject's code names the column the code was read from (input).
func (l ImportLayout) column(field string, row map[string]string) string {
	switch field {
	case "document.number":
		return l.Number
	case "document.decision_date":
		return l.Date
	case "document.authority":
		return l.Authority
	case "subject_name":
		return l.Name
	case "subject_code", "leniency.minor":
		if row[l.OrgCode] == "" && row[l.PersonID] != "" {
			return l.PersonID
		}
		return l.OrgCode
	case "categories":
		return l.Categories
	}
	return strings.TrimPrefix(field, "fields.")
}

// echo is the value an error shows of a cell: a subject's code masked
// when it may be a natural person's ID number (never stored in clear).
func (l ImportLayout) echo(column, v string) string {
	switch {
	case v == "":
		return ""
	case column == l.PersonID:
		return xinyong.MaskID(xinyong.NormalizeCode(v))
	case column == l.OrgCode:
		return maskIfPerson(xinyong.NormalizeCode(v))
	}
	return clipValue(v)
}

// input turns a row into a submission.
func (l ImportLayout) input(item string, row intake.Row, severity string) xinyong.RecordInput {
	f := row.Fields
	code := f[l.OrgCode]
	if code == "" {
		code = f[l.PersonID]
	}
	d, _ := xinyong.ParseDate(f[l.Date])
	in := xinyong.RecordInput{
		Item: item, SubjectCode: code, SubjectName: f[l.Name],
		Document: xinyong.Document{Type: l.DocType, Number: f[l.Number], Authority: f[l.Authority], DecisionDate: d},
		Fields:   map[string]string{},
	}
	if l.Categories != "" {
		in.Categories = xinyong.SplitCategories(f[l.Categories])
		in.Severity = severity
	}
	for k, v := range f {
		if v != "" {
			in.Fields[k] = v
		}
	}
	return in
}

// ImportRequest starts an import job.
type ImportRequest struct {
	Department string // id or code; defaults to the actor's department
	Kind       string // penalty or license
	Path       string // the file, kept until the job ends
	FileName   string
	Severity   string // severity class of penalties (双公示 files carry none): minor, general (default) or serious
	KeepFile   bool   // do not delete Path when the job ends (command line)
}

// ImportBatchSize is how many rows one transaction commits.
const ImportBatchSize = 2000

// ImportStaleAfter is how long a running job may go without progress before
// another process takes it over (its process died).
const ImportStaleAfter = 2 * time.Minute

// ImportStale reports whether a running job went without progress long
// enough on now that its process is taken to have died.
func ImportStale(j xinyong.Import, now time.Time) bool {
	return j.Status == xinyong.ImportRunning && now.Sub(j.UpdatedAt) >= ImportStaleAfter
}

// itemForKind returns the catalogue item of a 双公示 kind.
func itemForKind(tx xinyong.Tx, kind string) (xinyong.CatalogueItem, error) {
	items, err := tx.CatalogueItems()
	if err != nil {
		return xinyong.CatalogueItem{}, err
	}
	for _, it := range items {
		if it.Kind == kind && it.Status == xinyong.ItemApproved {
			return it, nil
		}
	}
	return xinyong.CatalogueItem{}, xinyong.Invalid("no catalogue item", xinyong.FieldError{Field: "kind", Rule: "catalogue.known", Message: "no approved catalogue item of kind " + kind})
}

// CreateImport registers an import job for a file already on disk.
func (s *Service) CreateImport(ctx context.Context, actor xinyong.Actor, req ImportRequest) (xinyong.Import, error) {
	var j xinyong.Import
	if _, ok := importLayout(req.Kind); !ok {
		return j, xinyong.Invalid("bad kind", xinyong.FieldError{Field: "kind", Rule: "enum", Message: "kind is penalty (行政处罚) or license (行政许可)"})
	}
	if req.Severity == "" {
		req.Severity = string(xinyong.SeverityGeneral)
	}
	if sev, ok := xinyong.ParseSeverity(req.Severity); !ok || sev == xinyong.SeverityNone {
		return j, xinyong.Invalid("bad severity", xinyong.FieldError{Field: "severity", Rule: "record.severity", Message: "severity is minor, general or serious"})
	}
	st, err := os.Stat(req.Path)
	if err != nil {
		return j, fmt.Errorf("import file: %w", err)
	}
	digest, err := fileDigest(req.Path)
	if err != nil {
		return j, err
	}
	err = s.update(ctx, actor, func(t *txn) error {
		sc, err := s.newSubmitCtx(t, actor, req.Department)
		if err != nil {
			return err
		}
		item, err := itemForKind(t, req.Kind)
		if err != nil {
			return err
		}
		if err := authorizeSubmit(actor, sc.dept, item.Code); err != nil {
			return err
		}
		name := req.FileName
		if name == "" {
			name = st.Name()
		}
		j = xinyong.Import{ID: NewID(), DepartmentID: sc.dept.ID, Kind: req.Kind, Item: item.Code, FileName: name, FileSize: st.Size(), FileDigest: digest,
			Status: xinyong.ImportQueued, By: actor.Ref(), CreatedAt: t.Now(), UpdatedAt: t.Now(), Path: req.Path, Severity: req.Severity, KeepFile: req.KeepFile}
		if err := t.CreateImport(j); err != nil {
			return err
		}
		return t.audit("import.create", "import", j.ID, nil, j, fmt.Sprintf("%s %s %d bytes sha256 %s", req.Kind, name, st.Size(), digest))
	})
	return j, err
}

func fileDigest(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// stillRunner refuses a write by a process whose claim is no longer the
// job's: another process took it over as stale (this one had gone quiet
// for ImportStaleAfter) and runs it now.
func stillRunner(cur, mine xinyong.Import) error {
	if cur.Runner != mine.Runner {
		return xinyong.Errorf(xinyong.ECONFLICT, "import %s was taken over by another process (this one was quiet for %s); it goes on there", cur.ID, ImportStaleAfter)
	}
	return nil
}

// ImportProgress is called after every committed batch.
type ImportProgress func(j xinyong.Import)

// claimImport marks a job running if it is queued, or running but stale
// (its process died). It returns false if another process holds it.
func (s *Service) claimImport(ctx context.Context, id string, force bool) (xinyong.Import, bool, error) {
	var j xinyong.Import
	claimed := false
	err := s.update(ctx, xinyong.System, func(t *txn) error {
		// The sequencer lock serialises claims (and batches, which append
		// leaves) across processes: of two that find the job stale, one
		// claims it and the other then sees it running.
		h, err := t.LockLedger()
		if err != nil {
			return err
		}
		t.head = &h
		if j, err = t.Import(id); err != nil {
			return err
		}
		switch j.Status {
		case xinyong.ImportDone, xinyong.ImportFailed:
			return nil
		case xinyong.ImportRunning:
			if !force && !ImportStale(j, t.Now()) {
				return nil
			}
		}
		j.Status, j.UpdatedAt, j.Runner = xinyong.ImportRunning, t.Now(), NewID()
		claimed = true
		return t.UpdateImport(j)
	})
	return j, claimed, err
}

// RunImport runs (or resumes, from its last committed row) an import job.
// Each batch of rows is one transaction with its records, row errors,
// progress and audit event, so a crash loses at most the batch in flight
// and a resumed job neither duplicates nor skips a row.
func (s *Service) RunImport(ctx context.Context, actor xinyong.Actor, id string, force bool, progress ImportProgress) (xinyong.Import, error) {
	j, claimed, err := s.claimImport(ctx, id, force)
	if err != nil || !claimed {
		if err == nil && (j.Status == xinyong.ImportRunning) {
			err = xinyong.Errorf(xinyong.ECONFLICT, "import %s is running in another process", id)
		}
		return j, err
	}
	j, err = s.runImport(ctx, actor, j, progress)
	if err != nil && ctx.Err() == nil {
		msg := xinyong.ErrorMessage(err)
		if xinyong.ErrorCode(err) == xinyong.EINTERNAL {
			s.log().Error("import failed", "import", j.ID, "err", err)
			msg = "internal error; the server log has the cause (import " + j.ID + ")"
		}
		j2, ferr := s.finishImport(context.Background(), j, xinyong.ImportFailed, msg)
		if ferr == nil {
			j = j2
		}
		if progress != nil {
			progress(j)
		}
	}
	return j, err
}

// finishImport marks a job done or failed. Its file (unless the caller
// keeps it) is deleted only once that has committed: if the commit fails,
// or the process dies first, the job is still running and a resume needs
// the file. A file that cannot be deleted then is only logged.
func (s *Service) finishImport(ctx context.Context, j xinyong.Import, status, msg string) (xinyong.Import, error) {
	var fin xinyong.Import
	err := s.update(ctx, xinyong.System, func(t *txn) error {
		cur, err := t.Import(j.ID)
		if err != nil {
			return err
		}
		if err := stillRunner(cur, j); err != nil {
			return err
		}
		now := t.Now()
		cur.Status, cur.UpdatedAt, cur.FinishedAt = status, now, &now
		if msg != "" {
			cur.Message = strings.TrimPrefix(cur.Message+"; "+msg, "; ")
		}
		if path := cur.Path; !cur.KeepFile && path != "" {
			cur.Path = ""
			id := cur.ID
			t.after = append(t.after, func() { // after the commit
				if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
					s.log().Warn("import file not deleted", "import", id, "err", err)
				}
			})
		}
		if err := t.UpdateImport(cur); err != nil {
			return err
		}
		fin = cur
		return t.audit("import."+xinyong.Action(status), "import", cur.ID, nil, nil, fmt.Sprintf("%d rows: %d accepted (%d unchanged), %d rejected; %s", cur.Rows, cur.Accepted, cur.Unchanged, cur.Rejected, msg))
	})
	if err != nil {
		return j, err
	}
	return fin, nil
}

func (s *Service) runImport(ctx context.Context, actor xinyong.Actor, j xinyong.Import, progress ImportProgress) (xinyong.Import, error) {
	layout, _ := importLayout(j.Kind)
	severity := j.Severity
	if severity == "" {
		severity = string(xinyong.SeverityGeneral)
	}
	var item xinyong.CatalogueItem
	if err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		item, err = tx.CatalogueItem(j.Item)
		return err
	}); err != nil {
		return j, err
	}
	if j.Path == "" {
		return j, xinyong.Errorf(xinyong.EINVALID, "the import's file is gone (the process ended before it was read); upload it again")
	}
	rd, err := intake.OpenPath(j.Path, intake.Options{Fields: item.Fields})
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return j, xinyong.Errorf(xinyong.EINVALID, "the import's file is gone; upload it again")
		}
		return j, err
	}
	defer rd.Close()
	if j.Format == "" || len(rd.Unknown()) > 0 {
		j.Format = rd.Format()
		if u := rd.Unknown(); len(u) > 0 && !strings.Contains(j.Message, "dropped columns") {
			j.Message += "; dropped columns not in item " + item.Code + ": " + strings.Join(u, ", ")
		}
	}
	type pending struct {
		row intake.Row
		err *intake.RowError
		in  xinyong.RecordInput // rows without err: the submission
		key string              // and its subject's storage key
	}
	// Read-ahead: a goroutine reads and parses the next batch of the file
	// while this one commits the current batch (the reader is this
	// goroutine's only user; it stops before the deferred rd.Close).
	type readBatch struct {
		rows  []pending
		err   error
		prior [][16]byte // decision numbers accepted before the checkpoint (a resume)
	}
	batches := make(chan readBatch, 1)
	rctx, stopReading := context.WithCancel(ctx)
	var reading sync.WaitGroup
	defer func() { stopReading(); reading.Wait() }()
	checkpoint := j.Checkpoint
	// A resume rebuilds the duplicate check's decision numbers from the rows
	// up to the checkpoint that an earlier run accepted: those without a row
	// error. The records such a row wrote would be caught anyway (submit
	// refuses a number this job wrote), but a row found unchanged leaves no
	// trace in the records, and without this a later row with its number
	// would be taken as a new version instead of a duplicate.
	var refused map[int]bool
	if checkpoint > 0 {
		refused = map[int]bool{}
		if err := s.view(ctx, func(tx xinyong.Tx) error {
			return tx.ImportErrors(j.ID, func(fe xinyong.FieldError) error {
				refused[fe.Row] = true
				return nil
			})
		}); err != nil {
			return j, err
		}
	}
	reading.Go(func() {
		var prior [][16]byte
		defer close(batches)
		for done := false; !done; {
			rb := readBatch{rows: make([]pending, 0, ImportBatchSize)}
			for len(rb.rows) < ImportBatchSize {
				row, err := rd.Next()
				if err == io.EOF {
					done = true
					break
				}
				var re *intake.RowError
				if errors.As(err, &re) {
					if re.Line > checkpoint {
						rb.rows = append(rb.rows, pending{row: row, err: re})
					}
					continue
				}
				if err != nil {
					rb.err, done = err, true
					break
				}
				if row.Line <= checkpoint { // committed before a restart
					if n := strings.TrimSpace(row.Fields[layout.Number]); n != "" && !refused[row.Line] {
						prior = append(prior, docKey(n))
					}
					continue
				}
				p := pending{row: row, in: layout.input(item.Code, row, severity)}
				code := row.Fields[layout.OrgCode]
				if code == "" {
					code = row.Fields[layout.PersonID]
				}
				p.key = s.SubjectKey(code)
				rb.rows = append(rb.rows, p)
			}
			if len(rb.rows) == 0 && rb.err == nil {
				return
			}
			rb.prior, prior = prior, nil
			select {
			case batches <- rb:
			case <-rctx.Done():
				return
			}
		}
	})
	seen := map[[16]byte]struct{}{} // decision numbers accepted in this job (16 bytes each)
	for rb := range batches {
		if rb.err != nil {
			return j, rb.err
		}
		for _, k := range rb.prior {
			seen[k] = struct{}{}
		}
		batch := rb.rows
		if len(batch) == 0 {
			break
		}
		if err := ctx.Err(); err != nil {
			return j, err
		}
		err := s.update(ctx, actor, func(t *txn) error {
			cur, err := t.Import(j.ID)
			if err != nil {
				return err
			}
			if err := stillRunner(cur, j); err != nil {
				return err
			}
			cur.Format, cur.Message = j.Format, j.Message
			sc, err := s.newSubmitCtx(t, actor, cur.DepartmentID)
			if err != nil {
				return err
			}
			sc.importID = cur.ID
			// Bulk mode: one query for the batch's subjects and records
			// instead of two per row, multi-row inserts at the end.
			numbers := make([]string, 0, len(batch))
			keys := make([]string, 0, len(batch))
			for _, p := range batch {
				if p.err != nil {
					continue
				}
				numbers = append(numbers, strings.TrimSpace(p.row.Fields[layout.Number]))
				keys = append(keys, p.key)
			}
			if err := t.prefetch(sc.dept.ID, map[string][]string{j.Kind: numbers}, keys); err != nil {
				return err
			}
			var errs []xinyong.FieldError
			accepted, unchanged := 0, 0
			for _, p := range batch {
				if p.err != nil {
					fe := p.err.FieldError()
					fe.Row = p.err.Line
					errs = append(errs, fe)
					continue
				}
				in := p.in
				// A decision number seen earlier in this file is a duplicate
				// row even when its record was unchanged (submit's check
				// covers only records this job wrote).
				numKey := docKey(in.Document.Number)
				if _, dup := seen[numKey]; dup && strings.TrimSpace(in.Document.Number) != "" {
					n := strings.TrimSpace(in.Document.Number)
					errs = append(errs, xinyong.FieldError{Row: p.row.Line, Field: layout.Number, Rule: "row.duplicate", Message: fmt.Sprintf("decision number %s appears earlier in this file", n), Value: clipValue(n)})
					continue
				}
				var out Outcome
				err := s.savepoint(t, func() error {
					var err error
					_, out, err = s.submit(t, actor, sc, in)
					return err
				})
				if err != nil {
					if xinyong.ErrorCode(err) == xinyong.EINTERNAL {
						return err
					}
					fes := xinyong.ErrorFields(err)
					if len(fes) == 0 {
						fes = []xinyong.FieldError{{Field: "row", Rule: xinyong.ErrorCode(err), Message: xinyong.ErrorMessage(err)}}
					}
					badDate := false // the date cell's own error says why the date is missing
					for _, fe := range fes {
						badDate = badDate || (fe.Rule != "record.document" && layout.column(fe.Field, p.row.Fields) == layout.Date)
					}
					for _, fe := range fes {
						fe.Row = p.row.Line
						fe.Field = layout.column(fe.Field, p.row.Fields)
						if badDate && fe.Rule == "record.document" && fe.Field == layout.Date {
							continue
						}
						if fe.Value == "" {
							fe.Value = layout.echo(fe.Field, p.row.Fields[fe.Field])
						}
						errs = append(errs, fe)
					}
					continue
				}
				seen[numKey] = struct{}{}
				accepted++
				if out == Unchanged {
					unchanged++
				}
			}
			rejected := len(batch) - accepted
			cur.Rows += len(batch)
			cur.Accepted += accepted
			cur.Unchanged += unchanged
			cur.Rejected += rejected
			cur.Checkpoint = lastLine(batch[len(batch)-1].row, batch[len(batch)-1].err)
			cur.UpdatedAt = t.Now()
			for i := range errs {
				// Values echoed from any cell (the reader's errors and
				// the field checks' alike) keep no full citizen ID number
				// (DOMAIN.md §7): errors.csv and --json show them.
				errs[i].Value, errs[i].Message = xinyong.MaskCitizenIDs(errs[i].Value), xinyong.MaskCitizenIDs(errs[i].Message)
			}
			if err := t.AddImportErrors(cur.ID, errs); err != nil {
				return err
			}
			if err := t.UpdateImport(cur); err != nil {
				return err
			}
			j = cur
			return t.audit("import.batch", "import", cur.ID, nil, nil, fmt.Sprintf("rows to %d: %d accepted (%d unchanged), %d rejected", cur.Checkpoint, accepted, unchanged, rejected))
		})
		if err != nil {
			return j, err
		}
		if progress != nil {
			progress(j)
		}
	}
	// A cancelled context also stops the reader early: that is not the
	// end of the file.
	if err := ctx.Err(); err != nil {
		return j, err
	}
	return s.finishImport(ctx, j, xinyong.ImportDone, "")
}

// docKey is a compact key of a decision number for the duplicate check.
func docKey(number string) [16]byte {
	sum := sha256.Sum256([]byte(strings.TrimSpace(number)))
	return [16]byte(sum[:16])
}

func lastLine(row intake.Row, re *intake.RowError) int {
	if re != nil {
		return re.Line
	}
	return row.Line
}

func clipValue(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}

// Import returns a job to someone allowed to see it.
func (s *Service) Import(ctx context.Context, actor xinyong.Actor, id string) (xinyong.Import, error) {
	var j xinyong.Import
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		if j, err = tx.Import(id); err != nil {
			return err
		}
		if err := xinyong.Authorize(actor, xinyong.ActRecordRead, xinyong.Resource{DepartmentID: j.DepartmentID}, nil); err != nil {
			return &xinyong.Error{Code: xinyong.ENOTFOUND, Message: "import " + id + " not found"}
		}
		return nil
	})
	return j, err
}

// ImportErrors streams a job's row errors.
func (s *Service) ImportErrors(ctx context.Context, actor xinyong.Actor, id string, fn func(xinyong.FieldError) error) error {
	if _, err := s.Import(ctx, actor, id); err != nil {
		return err
	}
	return s.view(ctx, func(tx xinyong.Tx) error { return tx.ImportErrors(id, fn) })
}

// PendingImports returns jobs that are queued or whose process died.
func (s *Service) PendingImports(ctx context.Context) ([]xinyong.Import, error) {
	var out []xinyong.Import
	err := s.view(ctx, func(tx xinyong.Tx) error {
		for _, st := range []string{xinyong.ImportQueued, xinyong.ImportRunning} {
			js, err := tx.Imports(st)
			if err != nil {
				return err
			}
			out = append(out, js...)
		}
		return nil
	})
	slices.SortFunc(out, func(a, b xinyong.Import) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, err
}
