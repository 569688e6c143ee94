package workflow

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"xinyong"
	"xinyong/internal/ledger"
)

// Outcome of one submission.
type Outcome string

const (
	Created    Outcome = "created"
	NewVersion Outcome = "new_version"
	Unchanged  Outcome = "unchanged"
)

// payload is the part of a record that the submitter decides: two
// submissions with the same payload are the same record version.
type payload struct {
	Item        string            `json:"item"`
	SubjectKey  string            `json:"subject_key"`
	SubjectName string            `json:"subject_name"`
	Document    xinyong.Document  `json:"document"`
	Fields      map[string]string `json:"fields"`
	Severity    xinyong.Severity  `json:"severity,omitempty"`
	Categories  []string          `json:"categories,omitempty"`
	Sector      string            `json:"sector,omitempty"`
	Leniency    xinyong.Leniency  `json:"leniency,omitzero"`
}

// committed is what a record version's ledger leaf commits to.
type committed struct {
	ID         string               `json:"id"`
	Version    int                  `json:"version"`
	Department string               `json:"department"`
	Payload    payload              `json:"payload"`
	Window     xinyong.Window       `json:"publication"`
	Lateness   xinyong.Lateness     `json:"disclosure"`
	Status     xinyong.RecordStatus `json:"status"`
	Withdrawal *xinyong.Withdrawal  `json:"withdrawal,omitempty"`
}

// content returns the canonical content of a record version (Go's JSON
// encoder sorts map keys, so the bytes are deterministic).
func content(r xinyong.Record, p payload) []byte {
	b, err := json.Marshal(committed{ID: r.ID, Version: r.Version, Department: r.DepartmentID, Payload: p, Window: r.Window, Lateness: r.Lateness, Status: r.Status, Withdrawal: r.Withdrawal})
	if err != nil {
		panic(err)
	}
	return b
}

// PayloadOf extracts the payload from stored content.
func payloadOf(contentBytes []byte) (committed, error) {
	var c committed
	err := json.Unmarshal(contentBytes, &c)
	return c, err
}

// submitCtx carries what a run of submissions shares.
type submitCtx struct {
	dept     xinyong.Department
	importID string
	cal      xinyong.Calendar
	regimes  xinyong.Regimes
	items    map[string]xinyong.CatalogueItem
}

func (s *Service) newSubmitCtx(t *txn, actor xinyong.Actor, deptRef string) (*submitCtx, error) {
	ref := deptRef
	if ref == "" {
		ref = actor.DepartmentID
	}
	if ref == "" {
		// Whoever may not submit at all (the public, agencies…) hears that
		// first, not that a department is missing.
		if err := xinyong.Authorize(actor, xinyong.ActRecordSubmit, xinyong.Resource{DepartmentID: "-"}, nil); err != nil && actor.Kind != "cli" && actor.Kind != "system" {
			return nil, err
		}
		return nil, xinyong.Invalid("no department", xinyong.FieldError{Field: "department", Rule: "record.department", Message: "records come from a department: use an officer token or name the department"})
	}
	dept, err := findDepartment(t, ref)
	if err != nil {
		return nil, err
	}
	// An admin or the command line may act for any department; anyone else
	// only for their own (Authorize decides per item below). A run for
	// another department is refused as a whole, before any item.
	if err := authorizeSubmit(actor, dept, ""); err != nil {
		return nil, err
	}
	cal, regimes, err := s.rules(t)
	if err != nil {
		return nil, err
	}
	return &submitCtx{dept: dept, cal: cal, regimes: regimes, items: map[string]xinyong.CatalogueItem{}}, nil
}

// authorizeSubmit asks the one authorisation function whether actor may
// submit records of item for dept.
func authorizeSubmit(actor xinyong.Actor, dept xinyong.Department, item string) error {
	return xinyong.Authorize(actor, xinyong.ActRecordSubmit, xinyong.Resource{DepartmentID: dept.ID, Item: item}, &dept)
}

func (sc *submitCtx) item(t *txn, code string) (xinyong.CatalogueItem, error) {
	if it, ok := sc.items[code]; ok {
		return it, nil
	}
	// The items in force as this transaction sees them (decoded once per
	// catalogue revision); other spellings of an item go to findItem.
	inForce, err := t.s.catalogue(t)
	if err != nil {
		return xinyong.CatalogueItem{}, err
	}
	if it, ok := inForce.byCode[code]; ok {
		sc.items[code] = it
		return it, nil
	}
	it, err := findItem(t, code)
	if err != nil {
		if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
			return it, xinyong.Invalid("the record is outside the catalogue", xinyong.FieldError{Field: "item", Rule: "catalogue.known", Message: fmt.Sprintf("catalogue item %q is not in the catalogue: a record outside the catalogue is refused (目录制管理)", code), Value: code})
		}
		return it, err
	}
	sc.items[code] = it
	return it, nil
}

// submit applies the intake rules to one submission and writes it; it
// writes no audit event (callers audit the operation).
func (s *Service) submit(t *txn, actor xinyong.Actor, sc *submitCtx, in xinyong.RecordInput) (xinyong.Record, Outcome, error) {
	var r xinyong.Record
	if strings.TrimSpace(in.Item) == "" {
		return r, "", xinyong.Invalid("the record was refused", xinyong.FieldError{Field: "item", Rule: "required", Message: "name the catalogue item (e.g. XZCF for 行政处罚)"})
	}
	item, err := sc.item(t, in.Item)
	if err != nil {
		return r, "", err
	}
	if err := authorizeSubmit(actor, sc.dept, item.Code); err != nil {
		return r, "", err
	}
	// The subject: a valid code, or an admin's audited override.
	code := xinyong.NormalizeCode(in.SubjectCode)
	id, idErr := xinyong.ParseIdentity(code)
	override := false
	if idErr != nil {
		o, oerr := t.CodeOverride(code)
		if oerr != nil {
			msg := xinyong.ErrorMessage(idErr)
			if code == "" {
				msg = "the subject's unified social credit code or ID number is required"
			}
			return r, "", xinyong.Invalid("the record was refused", xinyong.FieldError{Field: "subject_code", Rule: ruleOf(idErr, "subject.code"), Message: msg, Value: maskIfPerson(code)})
		}
		id, override = xinyong.Identity{Code: code, Kind: o.Kind}, true
	}
	today := xinyong.DateOf(t.Now())
	dec, err := xinyong.DecideRecord(in, xinyong.Intake{Item: item, Subject: id, Override: override, Today: today, Regimes: sc.regimes, Calendar: sc.cal})
	if err != nil {
		return r, "", err
	}
	// Personal information is kept only masked in the record's fields; the
	// subject is linked by its keyed hash. A citizen ID number a department
	// put in a code column meant for the unified social credit code (a
	// person recorded under CF_XDR_SHXYM) is masked as well.
	// (xinyong.KeepFieldValue: the rule objection corrections follow too.)
	for _, f := range item.Fields {
		if v, ok := dec.Fields[f.Code]; ok {
			dec.Fields[f.Code] = xinyong.KeepFieldValue(f, v)
		}
	}
	p := payload{Item: item.Code, SubjectKey: s.subjectKey(id), SubjectName: strings.TrimSpace(in.SubjectName), Document: normDoc(in.Document), Fields: dec.Fields, Severity: dec.Severity, Categories: dec.Categories, Sector: strings.TrimSpace(in.Sector), Leniency: in.Leniency}
	kind := item.Kind
	if kind == "" {
		kind = item.Code
	}
	// Nothing is written before every check has passed.
	prev, err := t.recordByDocKey(sc.dept.ID, kind, p.Document.Number)
	repaired := xinyong.RepairNone
	switch {
	case err == nil:
		if sc.importID != "" && prev.ImportID == sc.importID {
			return r, "", xinyong.Invalid("duplicate row", xinyong.FieldError{Field: "document.number", Rule: "row.duplicate", Message: fmt.Sprintf("decision number %s appears earlier in this file", p.Document.Number), Value: p.Document.Number})
		}
		var rerr error
		if repaired, _, rerr = t.RecordRepair(prev.ID); rerr != nil && xinyong.ErrorCode(rerr) != xinyong.ENOTFOUND {
			return r, "", rerr
		}
		if repaired == xinyong.RepairDeleted {
			// Deleted by credit repair: its content is erased and it is
			// shown to nobody (DOMAIN.md §6). The decision sent again (a
			// routine export still listing it) changes nothing.
			return prev, Unchanged, nil
		}
		old, perr := payloadOf(prev.Content)
		if perr == nil && samePayload(old.Payload, p) {
			// Idempotent, also after a withdrawal: the same decision sent
			// again (a department's next routine 双公示 export still listing
			// a revoked decision) does not bring a withdrawn record back.
			return prev, Unchanged, nil
		}
		r = prev
		r.Version++
		r.Status, r.Withdrawal = xinyong.RecordActive, nil
		// The 双公示 lateness is that of the first submission.
	case xinyong.ErrorCode(err) == xinyong.ENOTFOUND:
		r = xinyong.Record{ID: NewID(), Version: 1, Status: xinyong.RecordActive, SubmittedAt: t.Now(), Lateness: dec.Lateness}
	default:
		return r, "", err
	}
	subj, err := s.putSubject(t, id, in.SubjectName, override)
	if err != nil {
		return r, "", err
	}
	r.Item, r.Kind, r.DepartmentID = item.Code, kind, sc.dept.ID
	r.SubjectID, r.SubjectCode, r.SubjectName, r.SubjectKind = subj.ID, subj.Code, p.SubjectName, subj.Kind
	r.Document, r.Fields, r.Severity, r.Categories, r.Sector, r.Leniency = p.Document, p.Fields, p.Severity, p.Categories, p.Sector, p.Leniency
	r.Window, r.Dropped, r.UpdatedAt, r.ImportID = dec.Window, dec.Dropped, t.Now(), sc.importID
	if repaired != xinyong.RepairNone {
		// A changed version of a repaired record keeps the repair's end of
		// publication: a correction does not publish it again.
		r.Window = prev.Window
	}
	if err := s.seal(t, &r, p, ledger.KindRecordVersion); err != nil {
		return r, "", err
	}
	if r.Version == 1 {
		if err := t.insertRecord(r); err != nil {
			return r, "", err
		}
		t.recordPublished(r, subj, item)
		return r, Created, nil
	}
	if err := t.updateRecord(r); err != nil {
		return r, "", err
	}
	t.cacheRecord(r)
	t.recordPublished(r, subj, item)
	// Stored grades follow the changed decision (its fields, severity or
	// categories may be what an indicator reads; DOMAIN.md §8).
	if err := t.regradeLater(r.SubjectID, gradeStop{Cause: GradeCauseVersion, Ref: r.ID, Record: r.ID, Corrected: true}); err != nil {
		return r, "", err
	}
	return r, NewVersion, nil
}

// seal computes a version's content, salt and ledger leaf.
func (s *Service) seal(t *txn, r *xinyong.Record, p payload, kind string) error {
	r.Content = content(*r, p)
	r.Salt = t.salt()
	idx, err := t.leaf(kind, "record", r.ID, r.Version, ledger.Commit(r.Salt, r.Content))
	r.LedgerIdx = idx
	return err
}

// sealed is what an audit event records of a record version: its ledger
// commitment, SHA-256 over its erasable salt and content, never a plain
// digest of the content — once a repair erased content and salt, nobody
// can confirm a guess of the content against the audit log.
func sealed(r xinyong.Record) string {
	if r.Salt == nil && r.Content == nil {
		return ""
	}
	c := ledger.Commit(r.Salt, r.Content)
	return hex.EncodeToString(c[:])
}

func samePayload(a, b payload) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func normDoc(d xinyong.Document) xinyong.Document {
	d.Number = strings.TrimSpace(d.Number)
	d.Authority = strings.TrimSpace(d.Authority)
	d.Name = strings.TrimSpace(d.Name)
	return d
}

func ruleOf(err error, def string) string {
	if f := xinyong.ErrorFields(err); len(f) > 0 {
		return f[0].Rule
	}
	return def
}

func maskIfPerson(code string) string {
	if len(code) == 18 && strings.IndexFunc(code[:17], func(r rune) bool { return r < '0' || r > '9' }) < 0 {
		return xinyong.MaskID(code)
	}
	return code
}

// putSubject finds or creates the subject of an identity.
func (s *Service) putSubject(t *txn, id xinyong.Identity, name string, override bool) (xinyong.Subject, error) {
	key := s.subjectKey(id)
	subj, err := t.subjectByKey(key)
	if err == nil {
		if name != "" && subj.Name != strings.TrimSpace(name) && subj.Kind != xinyong.KindPerson {
			subj.Name = strings.TrimSpace(name) // organisations are renamed by later decisions
			if err := t.updateSubject(subj); err != nil {
				return subj, err
			}
		}
		return subj, nil
	}
	if xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
		return subj, err
	}
	subj = xinyong.Subject{ID: NewID(), Key: key, Code: id.Code, Kind: id.Kind, Name: strings.TrimSpace(name), Birth: id.Birth, CodeOverride: override, CreatedAt: t.Now()}
	if id.Kind == xinyong.KindPerson {
		subj.Code = xinyong.MaskID(id.Code)
	}
	return subj, t.insertSubject(subj)
}

// SubmitResult is the answer to one submission.
type SubmitResult struct {
	Record  xinyong.Record `json:"record"`
	Outcome Outcome        `json:"outcome"`
}

// SubmitRecord records one submission from a department.
func (s *Service) SubmitRecord(ctx context.Context, actor xinyong.Actor, dept string, in xinyong.RecordInput) (SubmitResult, error) {
	var res SubmitResult
	err := s.update(ctx, actor, func(t *txn) error {
		sc, err := s.newSubmitCtx(t, actor, dept)
		if err != nil {
			return err
		}
		r, out, err := s.submit(t, actor, sc, in)
		if err != nil {
			return err
		}
		res = SubmitResult{Record: r, Outcome: out}
		if out == Unchanged {
			return nil
		}
		return t.audit("record."+xinyong.Action(out), "record", r.ID, nil, sealed(r), fmt.Sprintf("%s %s v%d", r.Item, r.Document.Number, r.Version))
	})
	if err != nil {
		s.noteRefusal(ctx, actor, dept, in, err) // outside the catalogue: counted for the compliance board (compliance.go)
	}
	return res, err
}

// BatchItem is one item's result in a batch.
type BatchItem struct {
	Index   int                  `json:"index"`
	Outcome Outcome              `json:"outcome,omitempty"`
	ID      string               `json:"id,omitempty"`
	Errors  []xinyong.FieldError `json:"errors,omitempty"`
	Code    string               `json:"code,omitempty"`
}

// BatchResult is the answer to a batch.
type BatchResult struct {
	Mode      string      `json:"mode"`
	Committed bool        `json:"committed"`
	Accepted  int         `json:"accepted"`
	Rejected  int         `json:"rejected"`
	Items     []BatchItem `json:"items"`
}

// MaxBatch is the largest batch accepted.
const MaxBatch = 10000

func checkBatchSize(ins []xinyong.RecordInput) error {
	if len(ins) == 0 || len(ins) > MaxBatch {
		return xinyong.Invalid("bad batch size", xinyong.FieldError{Field: "records", Rule: "batch.size", Message: fmt.Sprintf("a batch holds 1 to %d records, this one %d", MaxBatch, len(ins))})
	}
	return nil
}

// SubmitBatch records up to MaxBatch submissions. In "atomic" mode one bad
// item refuses the whole batch (nothing is written); in "each" mode every
// valid item is written and the bad ones are reported.
func (s *Service) SubmitBatch(ctx context.Context, actor xinyong.Actor, dept, mode string, ins []xinyong.RecordInput) (BatchResult, error) {
	res := BatchResult{Mode: mode}
	if mode != "atomic" && mode != "each" {
		return res, xinyong.Invalid("bad mode", xinyong.FieldError{Field: "mode", Rule: "enum", Message: "mode is atomic (all or nothing) or each (per-item results)"})
	}
	if err := checkBatchSize(ins); err != nil {
		return res, err
	}
	err := s.update(ctx, actor, func(t *txn) error {
		var err error
		res, _, err = s.runBatch(t, actor, dept, mode, ins)
		return err
	})
	if err == nil || err == errRollback {
		s.noteBatchRefusals(ctx, actor, dept, ins, res.Items) // outside the catalogue: counted (compliance.go)
	}
	if err == errRollback {
		res.Accepted = 0
		for i := range res.Items {
			if res.Items[i].Outcome != "" {
				res.Items[i].Outcome, res.Items[i].ID = "", ""
			}
		}
		return res, nil
	}
	return res, err
}

var errRollback = fmt.Errorf("rollback")

// runBatch submits a batch in t (SubmitBatch, and the generator's sessions
// in genbatch.go): every item under the department's submit context, each
// under a savepoint in "each" mode; in "atomic" mode a refused item makes
// it return errRollback with the per-item results. It returns the
// department's id for the refusals to be noted against.
func (s *Service) runBatch(t *txn, actor xinyong.Actor, dept, mode string, ins []xinyong.RecordInput) (BatchResult, string, error) {
	res := BatchResult{Mode: mode}
	sc, err := s.newSubmitCtx(t, actor, dept)
	if err != nil {
		return res, "", err
	}
	if err := s.prefetchBatch(t, sc, ins); err != nil {
		return res, "", err
	}
	res.Items = make([]BatchItem, 0, len(ins))
	for i, in := range ins {
		var r xinyong.Record
		var out Outcome
		var err error
		if mode == "each" {
			err = s.savepoint(t, func() error { r, out, err = s.submit(t, actor, sc, in); return err })
		} else {
			r, out, err = s.submit(t, actor, sc, in)
		}
		if err != nil {
			if xinyong.ErrorCode(err) == xinyong.EINTERNAL {
				return res, sc.dept.ID, err
			}
			res.Rejected++
			fe := xinyong.ErrorFields(err)
			if fe == nil {
				fe = []xinyong.FieldError{{Field: "record", Rule: xinyong.ErrorCode(err), Message: xinyong.ErrorMessage(err)}}
			}
			for j := range fe {
				fe[j].Row = i + 1
			}
			res.Items = append(res.Items, BatchItem{Index: i, Errors: fe, Code: xinyong.ErrorCode(err)})
			continue
		}
		res.Accepted++
		res.Items = append(res.Items, BatchItem{Index: i, Outcome: out, ID: r.ID})
	}
	if mode == "atomic" && res.Rejected > 0 {
		return res, sc.dept.ID, errRollback
	}
	res.Committed = true
	return res, sc.dept.ID, t.audit("record.batch", "department", sc.dept.ID, nil, nil, fmt.Sprintf("mode %s: %d accepted, %d rejected", mode, res.Accepted, res.Rejected))
}

// prefetchBatch puts a batch in bulk mode: its subjects and records are
// read with a few IN queries and new ones inserted with multi-row
// statements. Inputs naming unknown items are left to submit to refuse.
func (s *Service) prefetchBatch(t *txn, sc *submitCtx, ins []xinyong.RecordInput) error {
	numbers := map[string][]string{}
	keys := make([]string, 0, len(ins))
	for _, in := range ins {
		item, err := sc.item(t, in.Item)
		if err != nil {
			if xinyong.ErrorCode(err) == xinyong.EINTERNAL {
				return err
			}
			continue
		}
		kind := item.Kind
		if kind == "" {
			kind = item.Code
		}
		numbers[kind] = append(numbers[kind], strings.TrimSpace(in.Document.Number))
		keys = append(keys, s.SubjectKey(in.SubjectCode))
	}
	return t.prefetch(sc.dept.ID, numbers, keys)
}

// savepoint runs fn so that, when it fails, nothing it wrote stays. Record
// submissions write rows only after all their checks pass, and the ledger
// leaves are queued in memory, so undoing the queued leaves is enough.
func (s *Service) savepoint(t *txn, fn func() error) error {
	n := len(t.entries)
	err := fn()
	if err != nil {
		t.entries, t.hashes = t.entries[:n], t.hashes[:n]
	}
	return err
}

// Withdraw withdraws a record whose decision was revoked, changed or voided:
// sharing and publication end at once (Administrative Penalty Law 2021 Art. 48).
func (s *Service) Withdraw(ctx context.Context, actor xinyong.Actor, id, reason, note string) (xinyong.Record, error) {
	var r xinyong.Record
	err := s.update(ctx, actor, func(t *txn) error {
		var err error
		r, err = s.withdrawIn(t, actor, id, reason, note)
		return err
	})
	return r, err
}

// withdrawIn withdraws a record in the caller's transaction (Withdraw, and
// the generator's sessions in genbatch.go).
func (s *Service) withdrawIn(t *txn, actor xinyong.Actor, id, reason, note string) (xinyong.Record, error) {
	r, err := t.Record(id)
	if err != nil {
		return r, err
	}
	dept, err := t.Department(r.DepartmentID)
	if err != nil {
		return r, err
	}
	if err := xinyong.Authorize(actor, xinyong.ActRecordWithdraw, xinyong.Resource{DepartmentID: r.DepartmentID, SubjectID: r.SubjectID}, &dept); err != nil {
		if actor.Kind != "public" && xinyong.Authorize(actor, xinyong.ActRecordRead, xinyong.Resource{DepartmentID: r.DepartmentID, SubjectID: r.SubjectID}, &dept) != nil {
			// Who may not even read it learns nothing about it.
			return r, &xinyong.Error{Code: xinyong.ENOTFOUND, Message: "record " + id + " not found"}
		}
		return r, err
	}
	if !slices.Contains(xinyong.WithdrawReasons, reason) {
		return r, xinyong.Invalid("bad reason", xinyong.FieldError{Field: "reason", Rule: "withdraw.reason", Message: "reason is revoked, changed, voided or unlawful (Administrative Penalty Law 2021 Art. 48)"})
	}
	if r.Status == xinyong.RecordWithdrawn {
		return r, xinyong.Errorf(xinyong.ECONFLICT, "record %s was already withdrawn", id)
	}
	old, err := payloadOf(r.Content)
	if err != nil {
		return r, fmt.Errorf("record %s: stored content unreadable: %w", id, err)
	}
	before, prev := sealed(r), r
	r.Version++
	r.Status = xinyong.RecordWithdrawn
	note = xinyong.MaskCitizenIDs(strings.TrimSpace(note)) // sent on to agencies and webhooks (DOMAIN.md §7)
	r.Withdrawal = &xinyong.Withdrawal{At: t.Now(), Reason: reason + strings.TrimSpace(" "+note), By: actor.Ref()}
	r.Window.Published = false
	r.Window.Reason = "withdrawn: " + reason
	r.UpdatedAt = t.Now()
	if err := s.seal(t, &r, old.Payload, ledger.KindRecordWithdrawn); err != nil {
		return r, err
	}
	if err := t.UpdateRecord(r); err != nil {
		return r, err
	}
	if err := s.removeListingsOnRecord(t, r.ID, reason); err != nil { // listings resting on it end (issue 6)
		return r, err
	}
	if err := t.regradeOnStop(r.SubjectID, gradeStop{Cause: GradeCauseWithdrawal, Ref: r.ID, Record: r.ID}); err != nil { // stored grades stop counting it
		return r, err
	}
	if err := t.recordWithdrawn(prev, r); err != nil {
		return r, err
	}
	return r, t.audit("record.withdraw", "record", r.ID, before, sealed(r), reason+" "+note)
}

// RecordView returns a record to someone allowed to read it.
func (s *Service) RecordView(ctx context.Context, actor xinyong.Actor, id string) (xinyong.Record, []xinyong.Record, error) {
	var r xinyong.Record
	var versions []xinyong.Record
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		if r, err = tx.Record(id); err != nil {
			return err
		}
		if err := xinyong.Authorize(actor, xinyong.ActRecordRead, xinyong.Resource{DepartmentID: r.DepartmentID, SubjectID: r.SubjectID}, nil); err != nil {
			return &xinyong.Error{Code: xinyong.ENOTFOUND, Message: "record " + id + " not found"}
		}
		versions, err = tx.RecordVersions(id)
		return err
	})
	if err == nil {
		if _, err = s.registerSupervision(ctx, actor, r.SubjectID, []string{r.ID}, []string{r.Item}); err != nil {
			return xinyong.Record{}, nil, err
		}
	}
	return r, versions, err
}

// Records lists a department's records (officers see only their own).
// A supervisor's read (admin, auditor) is registered before the answer
// (supervision.go, DOMAIN.md §7): by subject, every record of the page;
// across subjects, one entry per subject of the page naming its records
// there. An officer's or reviewer's listing is confined
// to its own department's records, which it manages: no query to register.
func (s *Service) Records(ctx context.Context, actor xinyong.Actor, f xinyong.RecordFilter) ([]xinyong.Record, error) {
	f, err := recordsFilter(actor, f)
	if err != nil {
		return nil, err
	}
	var out []xinyong.Record
	var reads []supervisionRead
	err = s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		out, err = tx.ListRecords(f)
		return err
	})
	// One entry per subject of the page (one subject when filtered by it).
	if err == nil && supervises(actor) {
		reads = bySubject(len(out), func(i int) (string, string, string) { return out[i].SubjectID, out[i].ID, out[i].Item })
	}
	if err == nil {
		if _, err = s.registerSupervisionReads(ctx, actor, reads); err != nil {
			return nil, err
		}
	}
	return out, err
}

// recordsFilter confines an officer's or reviewer's listing to its own
// department and authorises the listing.
func recordsFilter(actor xinyong.Actor, f xinyong.RecordFilter) (xinyong.RecordFilter, error) {
	if actor.Role == xinyong.RoleOfficer || actor.Role == xinyong.RoleReviewer {
		f.DepartmentID = actor.DepartmentID
	}
	return f, xinyong.Authorize(actor, xinyong.ActRecordRead, xinyong.Resource{DepartmentID: f.DepartmentID, SubjectID: f.SubjectID}, nil)
}

// RecordDocs is Records answering the stored JSON documents, for the API
// to pass on without decoding and encoding each record: the same records,
// the same authorisation, the same bytes as the JSON of Records' answer,
// the same supervision reads registered before the answer.
func (s *Service) RecordDocs(ctx context.Context, actor xinyong.Actor, f xinyong.RecordFilter) ([]xinyong.RecordDoc, error) {
	f, err := recordsFilter(actor, f)
	if err != nil {
		return nil, err
	}
	var out []xinyong.RecordDoc
	var reads []supervisionRead
	err = s.read(ctx, func(tx xinyong.Tx) error { // one statement
		var err error
		out, err = tx.ListRecordDocs(f)
		return err
	})
	if err == nil && supervises(actor) {
		// By subject or across subjects: one read per subject of the page,
		// every record of it (bySubject), from the rows' columns.
		reads = bySubject(len(out), func(i int) (string, string, string) { return out[i].SubjectID, out[i].ID, out[i].Item })
	}
	if err == nil {
		if _, err = s.registerSupervisionReads(ctx, actor, reads); err != nil {
			return nil, err
		}
	}
	return out, err
}
