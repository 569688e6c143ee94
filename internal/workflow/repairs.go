package workflow

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"xinyong"
	"xinyong/internal/ledger"
)

// Credit repair (信用修复, issue 7; DOMAIN.md §6): apply → accept → decide.
// The rules are xinyong's (repair.go); each step here is one transaction
// writing the application's new version (compare-and-set on state and
// version), its ledger leaf and its audit event. An approval also applies
// the outcome in the same transaction: a new record version whose
// publication ends, the record's repair outcome (what every reader's
// visibility decision takes), deletion of content and salt, or the removal
// of a serious-list entry through the listing procedure (listing.removed,
// measures stop); and the events record.repaired and repair.decided.

// Audit actions and ledger leaf kinds of this file.
const (
	ActRepairApply  xinyong.Action = "repair.apply"
	ActRepairAccept xinyong.Action = "repair.accept"
	ActRepairDecide xinyong.Action = "repair.decide"
	ActRepairRules  xinyong.Action = "repair.rules"

	LeafRepair         = "repair.version"
	LeafRecordRepaired = "record.repaired"
)

// MetaRepairRules is the settings key of the rule sets as JSON (unset:
// xinyong.DefaultRepairRules). Limits change with the sets (SetRepairRules),
// each with its legal basis and dates.
const MetaRepairRules = "repair.rules"

var repairSalt = []byte("xinyong-repair")

// RepairConfig configures repair materials.
type RepairConfig struct {
	// FilesDir keeps uploaded materials outside the database, named by
	// their SHA-256 ("" refuses uploads).
	FilesDir string
	// MaxProof is the largest material accepted, in bytes (0: 10 MiB).
	MaxProof int64
}

// DefaultMaxProof is the default largest material: 10 MiB.
const DefaultMaxProof = 10 << 20

// MaxProofSize returns the configured limit.
func (c RepairConfig) MaxProofSize() int64 {
	if c.MaxProof > 0 {
		return c.MaxProof
	}
	return DefaultMaxProof
}

func (t *txn) repairLeaf(r xinyong.Repair) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = t.leaf(LeafRepair, "repair", r.ID, r.Version, ledger.Commit(repairSalt, b))
	return err
}

// repairRules returns the rule sets in force (settings, else the defaults).
func repairRules(tx xinyong.Tx) (xinyong.RepairRuleSets, error) {
	rs := xinyong.DefaultRepairRules
	v, err := tx.Meta(MetaRepairRules)
	switch {
	case err == nil:
		if err := json.Unmarshal([]byte(v), &rs); err != nil {
			return nil, fmt.Errorf("setting %s: %w", MetaRepairRules, err)
		}
	case xinyong.ErrorCode(err) != xinyong.ENOTFOUND:
		return nil, err
	}
	return rs, nil
}

// RepairRuleSets returns the rule sets in force (public).
func (s *Service) RepairRuleSets(ctx context.Context) (xinyong.RepairRuleSets, error) {
	var rs xinyong.RepairRuleSets
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		rs, err = repairRules(tx)
		return err
	})
	return rs, err
}

// SetRepairRules replaces the rule sets (admin, audited): a province's own
// sets with their bases and dates.
func (s *Service) SetRepairRules(ctx context.Context, actor xinyong.Actor, rs xinyong.RepairRuleSets) (xinyong.RepairRuleSets, error) {
	if err := xinyong.Authorize(actor, xinyong.ActReferenceManage, xinyong.Resource{}, nil); err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return nil, xinyong.Invalid("no rules", xinyong.FieldError{Field: "rules", Rule: "required", Message: "give at least one rule set"})
	}
	if err := xinyong.CheckRepairRuleSets(rs); err != nil {
		return nil, err
	}
	err := s.update(ctx, actor, func(t *txn) error {
		old, err := repairRules(t)
		if err != nil {
			return err
		}
		b, _ := json.Marshal(rs)
		if err := t.SetMeta(MetaRepairRules, string(b)); err != nil {
			return err
		}
		return t.audit(ActRepairRules, "setting", MetaRepairRules, old, rs, fmt.Sprintf("%d rule sets", len(rs)))
	})
	return rs, err
}

// newProgressCode returns a fresh progress query code (XF + 12 Crockford
// base32 characters, 60 random bits).
func newProgressCode() string {
	var b [12]byte
	rand.Read(b[:])
	out := []byte("XF")
	for _, c := range b {
		out = append(out, xinyong.ProgressAlphabet[int(c)%32])
	}
	return string(out)
}

func repairNotFound(what string) error {
	return &xinyong.Error{Code: xinyong.ENOTFOUND, Message: what + " not found"}
}

// repairTarget is what an application is about, loaded in a transaction.
type repairTarget struct {
	check   xinyong.RepairCheck
	subject xinyong.Subject
	what    string // the information, in words (for the commitment)
}

// loadTarget loads the record or listing of an application with what the
// eligibility rules read. Who may not see the record learns nothing.
func (s *Service) loadTarget(tx xinyong.Tx, actor xinyong.Actor, recordID, listingID string) (repairTarget, error) {
	var tg repairTarget
	today := xinyong.DateOf(tx.Now())
	rules, err := repairRules(tx)
	if err != nil {
		return tg, err
	}
	c := xinyong.RepairCheck{ApplicantSubjectID: "", Today: today, Rules: rules}
	if actor.Role == xinyong.RoleSubject {
		c.ApplicantSubjectID = actor.SubjectID
	}
	switch {
	case recordID != "" && listingID != "":
		return tg, xinyong.Invalid("two targets", xinyong.FieldError{Field: "record_id", Rule: "repair.target", Message: "an application is for one record or one listing"})
	case recordID != "":
		r, err := tx.Record(recordID)
		if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
			return tg, repairNotFound("record " + recordID)
		}
		if err != nil {
			return tg, err
		}
		it, err := tx.CatalogueItem(r.Item)
		if err != nil {
			return tg, err
		}
		subj, err := tx.Subject(r.SubjectID)
		if err != nil {
			return tg, err
		}
		out, _, err := tx.RecordRepair(r.ID)
		if err != nil && xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
			return tg, err
		}
		if !mayKnowRecord(actor, r, it, subj, out, today) {
			return tg, repairNotFound("record " + recordID)
		}
		ls, err := tx.Listings(xinyong.ListingFilter{RecordID: r.ID})
		if err != nil {
			return tg, err
		}
		for _, l := range ls {
			if l.State == xinyong.ListingListed {
				c.ListedOn = append(c.ListedOn, l.ID)
			}
		}
		open, err := tx.Repairs(xinyong.RepairFilter{RecordID: r.ID, Open: true})
		if err != nil {
			return tg, err
		}
		c.Target, c.Record, c.Item, c.Repaired, c.Open = xinyong.TargetRecord, r, it, out, open
		tg.subject, tg.what = subj, it.Name+" "+r.Document.Number+"（"+r.Document.Authority+"，"+r.Document.DecisionDate.String()+"）"
	case listingID != "":
		l, err := tx.Listing(listingID)
		if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
			return tg, repairNotFound("listing " + listingID)
		}
		if err != nil {
			return tg, err
		}
		res := xinyong.Resource{DepartmentID: l.DepartmentID, SubjectID: l.SubjectID}
		if xinyong.Authorize(actor, xinyong.ActListingRead, res, nil) != nil && !(l.Published && l.State == xinyong.ListingListed) {
			return tg, repairNotFound("listing " + listingID)
		}
		lt, err := listTypeOf(tx, l.ListType)
		if err != nil {
			return tg, err
		}
		subj, err := tx.Subject(l.SubjectID)
		if err != nil {
			return tg, err
		}
		open, err := tx.Repairs(xinyong.RepairFilter{ListingID: l.ID, Open: true})
		if err != nil {
			return tg, err
		}
		c.Target, c.Listing, c.ListType, c.Open = xinyong.TargetListing, l, lt, open
		num := ""
		if l.Decision != nil {
			num = l.Decision.Number
		}
		tg.subject, tg.what = subj, lt.Name+" "+num
	default:
		return tg, xinyong.Invalid("no target", xinyong.FieldError{Field: "record_id", Rule: "required", Message: "name the record (record_id) or the serious-list entry (listing_id) to repair"})
	}
	tg.check = c
	return tg, nil
}

// mayKnowRecord: whoever may read the record (its subject, its department,
// supervision), or anyone while the public sees it.
func mayKnowRecord(actor xinyong.Actor, r xinyong.Record, it xinyong.CatalogueItem, subj xinyong.Subject, out xinyong.RepairOutcome, today xinyong.Date) bool {
	if actor.Kind == "system" || actor.Kind == "cli" {
		return true
	}
	if actor.Kind != "public" && xinyong.Authorize(actor, xinyong.ActRecordRead, xinyong.Resource{DepartmentID: r.DepartmentID, SubjectID: r.SubjectID}, nil) == nil {
		return true
	}
	return xinyong.Visible(xinyong.VisibilityInput{Viewer: xinyong.Viewer{Kind: xinyong.ViewerPublic}, Record: r, Item: it, Subject: subj, On: today, Repair: out}).Visible
}

// RepairEligibility answers, before an application, whether the signed-in
// subject may apply for the record or listing, why not, and what the
// application needs.
func (s *Service) RepairEligibility(ctx context.Context, actor xinyong.Actor, recordID, listingID string) (xinyong.Eligibility, error) {
	var e xinyong.Eligibility
	err := s.view(ctx, func(tx xinyong.Tx) error {
		tg, err := s.loadTarget(tx, actor, recordID, listingID)
		if err != nil {
			return err
		}
		e = xinyong.CheckRepair(tg.check)
		return nil
	})
	return e, err
}

// Commitment is the generated credit commitment for a target.
type Commitment struct {
	Text   string `json:"text"`
	SHA256 string `json:"sha256"`
	Rules  string `json:"rules"`
}

func commitmentOf(tg repairTarget, today xinyong.Date) (xinyong.RepairCommitment, string, error) {
	rules, ok := tg.check.Rules.For(today)
	if !ok {
		return xinyong.RepairCommitment{}, "", xinyong.Errorf(xinyong.ECONFLICT, "no repair rule set governs applications made on %s", today)
	}
	text := xinyong.CommitmentText(tg.subject.Name, tg.subject.Code, tg.what, rules, today)
	sum := sha256.Sum256([]byte(text))
	return xinyong.RepairCommitment{Text: text, SHA256: hex.EncodeToString(sum[:]), Date: today}, rules.Code, nil
}

// RepairCommitment generates the credit commitment (信用承诺书) the subject
// signs for a record or listing of its own.
func (s *Service) RepairCommitment(ctx context.Context, actor xinyong.Actor, recordID, listingID string) (Commitment, error) {
	var out Commitment
	err := s.view(ctx, func(tx xinyong.Tx) error {
		tg, err := s.loadTarget(tx, actor, recordID, listingID)
		if err != nil {
			return err
		}
		subj := tg.check.Record.SubjectID
		if tg.check.Target == xinyong.TargetListing {
			subj = tg.check.Listing.SubjectID
		}
		if err := xinyong.Authorize(actor, xinyong.ActRepairApply, xinyong.Resource{SubjectID: subj}, nil); err != nil {
			return err
		}
		c, code, err := commitmentOf(tg, tg.check.Today)
		out = Commitment{Text: c.Text, SHA256: c.SHA256, Rules: code}
		return err
	})
	return out, err
}

// RepairApplicant refuses whoever may not apply for repair at all (only a
// credit subject applies, for its own information): checked before an
// upload is read, so that nothing is kept for them.
func RepairApplicant(actor xinyong.Actor) error {
	if actor.Role != xinyong.RoleSubject || actor.SubjectID == "" {
		if actor.Kind == "public" || actor.Role == "" {
			return xinyong.Errorf(xinyong.EUNAUTHORIZED, "sign in as the credit subject (or send its API token) to apply for repair")
		}
		return xinyong.Errorf(xinyong.EFORBIDDEN, "only the credit subject itself applies for repair of its information")
	}
	return nil
}

// ApplyRepair files an application for the signed-in subject's own record
// or listing, with the materials already stored (StoreProof). Whatever the
// eligibility rules say against it refuses the application, each reason
// named; an open application for the same information is ECONFLICT.
func (s *Service) ApplyRepair(ctx context.Context, actor xinyong.Actor, in xinyong.RepairInput, proofs []xinyong.RepairFile) (xinyong.Repair, error) {
	var rep xinyong.Repair
	err := s.update(ctx, actor, func(t *txn) error {
		if err := RepairApplicant(actor); err != nil {
			return err
		}
		tg, err := s.loadTarget(t, actor, strings.TrimSpace(in.RecordID), strings.TrimSpace(in.ListingID))
		if err != nil {
			return err
		}
		c := tg.check
		c.Input, c.Proofs = &in, len(proofs)
		e := xinyong.CheckRepair(c)
		if err := xinyong.RepairRefusalError(e); err != nil {
			return err
		}
		cal, _, err := s.rules(t)
		if err != nil {
			return err
		}
		cm, _, err := commitmentOf(tg, c.Today)
		if err != nil {
			return err
		}
		if rep, err = xinyong.ApplyRepair(c, e, in, cm, proofs, cal); err != nil {
			return err
		}
		now := t.Now()
		rep.ID, rep.Code, rep.FiledBy, rep.CreatedAt, rep.UpdatedAt, rep.UpdatedBy = NewID(), newProgressCode(), actor.Ref(), now, now, actor.Ref()
		if err := t.InsertRepair(rep); err != nil {
			return err
		}
		if err := t.repairLeaf(rep); err != nil {
			return err
		}
		return t.audit(ActRepairApply, "repair", rep.ID, nil, rep, string(rep.Target)+" "+rep.RecordID+rep.ListingID+" code "+rep.Code+" to "+rep.Route+" "+rep.DepartmentID)
	})
	return rep, err
}

func repairResource(r xinyong.Repair) xinyong.Resource {
	return xinyong.Resource{DepartmentID: r.DepartmentID, SubjectID: r.SubjectID}
}

// loadForDecision loads an application a decider may handle; who may not
// even read it learns nothing.
func loadForDecision(t *txn, actor xinyong.Actor, id string) (xinyong.Repair, error) {
	r, err := t.Repair(id)
	if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
		return r, repairNotFound("repair application " + id)
	}
	if err != nil {
		return r, err
	}
	if err := xinyong.Authorize(actor, xinyong.ActRepairDecide, repairResource(r), nil); err != nil {
		if xinyong.Authorize(actor, xinyong.ActRepairRead, repairResource(r), nil) != nil {
			return r, repairNotFound("repair application " + id)
		}
		return r, err
	}
	return r, nil
}

// AcceptRepair accepts an application (受理): the identifying department's
// officers and reviewers, or the admin for the platform's items.
func (s *Service) AcceptRepair(ctx context.Context, actor xinyong.Actor, id, note string) (xinyong.Repair, error) {
	var rep xinyong.Repair
	err := s.update(ctx, actor, func(t *txn) error {
		cur, err := loadForDecision(t, actor, id)
		if err != nil {
			return err
		}
		if rep, err = xinyong.AcceptRepair(cur, note, xinyong.DateOf(t.Now()), actor.Ref()); err != nil {
			return err
		}
		rep.UpdatedAt, rep.UpdatedBy = t.Now(), actor.Ref()
		if err := t.UpdateRepair(rep, cur.State, cur.Version); err != nil {
			return err
		}
		if err := t.repairLeaf(rep); err != nil {
			return err
		}
		return t.audit(ActRepairAccept, "repair", rep.ID, cur, rep, "decide by "+rep.DecideBy.String())
	})
	return rep, err
}

// repairEvent is the data of repair.decided and record.repaired: enough for
// a connected system to find the same record (department code, kind and
// decision number) and apply the same outcome within SyncBy.
// The applicant's progress query code is not in it (it opens the public
// progress page); a refusal's reasons and remedy are the applicant's own
// matter and stay out too: agencies and connected systems read events.
type repairEvent struct {
	RepairID       string   `json:"repair_id"`
	Target         string   `json:"target"`
	RecordID       string   `json:"record_id,omitempty"`
	RecordVersion  int      `json:"record_version,omitempty"`
	ListingID      string   `json:"listing_id,omitempty"`
	SubjectID      string   `json:"subject_id"`
	SubjectCode    string   `json:"subject_code,omitempty"` // masked for natural persons
	DepartmentID   string   `json:"department_id,omitempty"`
	DepartmentCode string   `json:"department_code,omitempty"`
	Kind           string   `json:"kind,omitempty"`
	DecisionNumber string   `json:"decision_number,omitempty"`
	Approved       bool     `json:"approved"`
	Treatment      string   `json:"treatment,omitempty"`
	Effects        []string `json:"effects,omitempty"`
	Reasons        string   `json:"reasons,omitempty"`
	Remedy         string   `json:"remedy,omitempty"`
	Date           string   `json:"date"`
	SyncBy         string   `json:"sync_by,omitempty"`
	Rules          string   `json:"rules"`
	Origin         string   `json:"origin,omitempty"` // the peer, for an inbound decision
}

// DecideRepair approves or refuses an application. An approval applies its
// outcome in the same transaction; both write repair.decided, a record
// repair also record.repaired.
func (s *Service) DecideRepair(ctx context.Context, actor xinyong.Actor, id string, in xinyong.RepairDecisionInput) (xinyong.Repair, error) {
	var rep xinyong.Repair
	err := s.update(ctx, actor, func(t *txn) error {
		cur, err := loadForDecision(t, actor, id)
		if err != nil {
			return err
		}
		cal, _, err := s.rules(t)
		if err != nil {
			return err
		}
		sets, err := repairRules(t)
		if err != nil {
			return err
		}
		rules, ok := ruleSet(sets, cur.Rules)
		if !ok {
			if rules, ok = sets.For(cur.AppliedOn); !ok {
				return xinyong.Errorf(xinyong.ECONFLICT, "repair rule set %s is no longer defined", cur.Rules)
			}
		}
		if rep, err = xinyong.DecideRepair(cur, in, rules, xinyong.DateOf(t.Now()), cal, actor.Ref()); err != nil {
			return err
		}
		if in.Approve && cur.RecordID != "" {
			// Eligibility was checked when the subject applied; the record
			// may have changed since (put on a serious list, the law now
			// marking it unrepairable). Its state today and the law still
			// govern, as for a peer's decision (the minimum period, once
			// run, stays run).
			tg, err := s.loadTarget(t, actor, cur.RecordID, "")
			if err != nil {
				return err
			}
			if reasons := xinyong.CheckInboundRecord(tg.check); len(reasons) > 0 {
				fs := make([]xinyong.FieldError, len(reasons))
				for i, r := range reasons {
					fs[i] = xinyong.FieldError{Field: "approve", Rule: r.Rule, Message: r.Message}
				}
				return &xinyong.Error{Code: xinyong.ECONFLICT, Message: "the record changed since the application and cannot be repaired now: " + reasons[0].Message + "; refuse the application with these reasons", Fields: fs}
			}
		}
		return s.finishDecision(t, cur, &rep)
	})
	return rep, err
}

func ruleSet(rs xinyong.RepairRuleSets, code string) (xinyong.RepairRules, bool) {
	for _, r := range rs {
		if r.Code == code {
			return r, true
		}
	}
	return xinyong.RepairRules{}, false
}

// finishDecision stores a decided application (cur → rep), applying an
// approval's outcome, with its leaf, events and audit.
func (s *Service) finishDecision(t *txn, cur xinyong.Repair, rep *xinyong.Repair) error {
	ev := repairEvent{RepairID: rep.ID, Target: string(rep.Target), RecordID: rep.RecordID, ListingID: rep.ListingID, SubjectID: rep.SubjectID,
		DepartmentID: rep.DepartmentID, Approved: rep.Decision.Approved, Treatment: string(rep.Decision.Treatment), Effects: rep.Decision.Effects,
		Date: rep.Decision.Date.String(), SyncBy: rep.Decision.SyncBy.String(), Rules: rep.Rules}
	if rep.Decision.Approved {
		ev.Reasons = rep.Decision.Reasons // what a connected system applies (修复结果互认)
	}
	if rep.Origin != nil {
		ev.Origin = rep.Origin.Peer
	}
	if rep.Target == xinyong.TargetRecord {
		r, err := t.Record(rep.RecordID)
		if err != nil {
			return err
		}
		ev.Kind, ev.DecisionNumber, ev.SubjectCode = r.Kind, r.Document.Number, xinyong.MaskIDIfPerson(r.SubjectCode)
		d, err := t.Department(r.DepartmentID)
		if err != nil {
			return err // peers match the decision by the department's code
		}
		ev.DepartmentCode = d.Code
	}
	rep.UpdatedAt, rep.UpdatedBy = t.Now(), t.actor.Ref()
	if rep.Decision.Approved {
		switch rep.Target {
		case xinyong.TargetRecord:
			v, err := s.repairRecord(t, *rep)
			if err != nil {
				return err
			}
			rep.Decision.RecordVersion, ev.RecordVersion = v, v
		case xinyong.TargetListing:
			if err := s.repairListing(t, *rep); err != nil {
				return err
			}
		}
		// Evaluations updated (DOMAIN.md §6): the subject's stored grades
		// no longer count what was repaired.
		if err := t.regradeOnStop(rep.SubjectID, gradeStop{Cause: GradeCauseRepair, Ref: rep.ID, Record: rep.RecordID, Listing: rep.ListingID}); err != nil {
			return err
		}
	}
	if cur.Version == 0 {
		if err := t.InsertRepair(*rep); err != nil {
			return err
		}
	} else if err := t.UpdateRepair(*rep, cur.State, cur.Version); err != nil {
		return err
	}
	if err := t.repairLeaf(*rep); err != nil {
		return err
	}
	if rep.Decision.Approved && rep.Target == xinyong.TargetRecord {
		t.event(xinyong.EventRecordRepaired, rep.RecordID, ev)
	}
	t.event(xinyong.EventRepairDecided, rep.ID, ev)
	what := "refused"
	if rep.Decision.Approved {
		what = "approved " + string(rep.Decision.Treatment)
	}
	var before any
	if cur.Version > 0 {
		before = cur
	}
	return t.audit(ActRepairDecide, "repair", rep.ID, before, *rep, what+": "+rep.Decision.Reasons)
}

// repairRecord applies an approved record repair: a new record version
// whose publication ends on the day (a ledger leaf of kind record.repaired),
// the record's repair outcome (visibility), and for deletion the erasure of
// every version's content and salt. It returns the new record version.
func (s *Service) repairRecord(t *txn, rep xinyong.Repair) (int, error) {
	r, err := t.Record(rep.RecordID)
	if err != nil {
		return 0, err
	}
	if r.Status == xinyong.RecordWithdrawn {
		return 0, xinyong.Errorf(xinyong.ECONFLICT, "record %s was withdrawn meanwhile: refuse the application (nothing left to repair)", r.ID)
	}
	if _, _, err := t.RecordRepair(r.ID); err == nil {
		return 0, xinyong.Errorf(xinyong.ECONFLICT, "record %s was already repaired", r.ID)
	} else if xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
		return 0, err
	}
	old, err := payloadOf(r.Content)
	if err != nil {
		return 0, fmt.Errorf("record %s: stored content unreadable: %w", r.ID, err)
	}
	before := sealed(r)
	today := xinyong.DateOf(t.Now())
	r.Version++
	r.Window = xinyong.EndPublication(r.Window, today, rep.Code)
	r.UpdatedAt = t.Now()
	if err := s.seal(t, &r, old.Payload, LeafRecordRepaired); err != nil {
		return 0, err
	}
	if err := t.UpdateRecord(r); err != nil {
		return 0, err
	}
	if err := t.SetRecordRepair(r.ID, rep.ID, rep.Decision.Treatment); err != nil {
		return 0, err
	}
	if err := t.audit("record.repair", "record", r.ID, before, sealed(r), string(rep.Decision.Treatment)+" by repair "+rep.Code); err != nil {
		return 0, err
	}
	if rep.Decision.Treatment == xinyong.RepairDeleted {
		erased := r
		erased.Fields, erased.Content, erased.Salt, erased.Dropped = nil, nil, nil, nil
		erased.Document.Name = ""
		erased.Leniency = xinyong.Leniency{}
		if err := t.EraseRecord(erased); err != nil {
			return 0, err
		}
		if err := t.audit("record.erase", "record", r.ID, nil, nil, "content and salt of every version erased by repair "+rep.Code); err != nil {
			return 0, err
		}
	}
	return r.Version, nil
}

// repairListing removes a serious-list entry through the listing
// procedure's early removal (listing.removed; the measures stop).
func (s *Service) repairListing(t *txn, rep xinyong.Repair) error {
	l, err := t.Listing(rep.ListingID)
	if err != nil {
		return err
	}
	lt, err := listTypeOf(t, l.ListType)
	if err != nil {
		return err
	}
	e := stepEnv{t: t, lt: lt, today: xinyong.DateOf(t.Now()), by: t.actor.Ref()}
	_, err = s.applyStep(t, l, e, ActListingRemove, "credit repair "+rep.Code, func(e stepEnv, l xinyong.Listing) (xinyong.Listing, error) {
		return xinyong.Remove(l, e.lt, xinyong.RemovalEarly, "credit repair "+rep.Code+": "+rep.Decision.Reasons, e.today, e.by)
	})
	return err
}

// RepairView is an application with whether it is past its limit, its
// next deadline and its history.
type RepairView struct {
	xinyong.Repair
	Overdue bool             `json:"overdue"`
	Due     xinyong.Date     `json:"due,omitzero"`
	DueStep string           `json:"due_step,omitempty"`
	History []xinyong.Repair `json:"history,omitempty"`
	Record  *xinyong.Record  `json:"-"`
	Listing *xinyong.Listing `json:"-"`
	Item    string           `json:"item_name,omitempty"`
}

func repairViewOf(r xinyong.Repair, today xinyong.Date) RepairView {
	v := RepairView{Repair: r, Overdue: xinyong.RepairOverdue(r, today)}
	v.Due, v.DueStep = r.Due()
	return v
}

// Repair returns an application to who may read it (its subject, the
// deciding department, the admin and auditors), with its history.
func (s *Service) Repair(ctx context.Context, actor xinyong.Actor, id string) (RepairView, error) {
	var v RepairView
	err := s.view(ctx, func(tx xinyong.Tx) error {
		r, err := tx.Repair(id)
		if xinyong.ErrorCode(err) == xinyong.ENOTFOUND || (err == nil && xinyong.Authorize(actor, xinyong.ActRepairRead, repairResource(r), nil) != nil) {
			return repairNotFound("repair application " + id)
		}
		if err != nil {
			return err
		}
		v = repairViewOf(r, xinyong.DateOf(tx.Now()))
		if v.History, err = tx.RepairVersions(id); err != nil {
			return err
		}
		if r.RecordID != "" {
			if rec, err := tx.Record(r.RecordID); err == nil {
				v.Record = &rec
				if it, err := tx.CatalogueItem(rec.Item); err == nil {
					v.Item = it.Name
				}
			}
		}
		if r.ListingID != "" {
			if l, err := tx.Listing(r.ListingID); err == nil {
				v.Listing = &l
			}
		}
		return nil
	})
	return v, err
}

// RepairProgress answers a progress query code: anyone holding the code
// sees the state and the dates, nothing else.
func (s *Service) RepairProgress(ctx context.Context, code string) (xinyong.ProgressView, error) {
	var p xinyong.ProgressView
	code = strings.ToUpper(strings.TrimSpace(code))
	if !xinyong.ValidProgressCode(code) {
		return p, xinyong.Invalid("bad code", xinyong.FieldError{Field: "code", Rule: "repair.code", Message: "a progress code is XF followed by 12 letters and digits, as given when applying"})
	}
	err := s.view(ctx, func(tx xinyong.Tx) error {
		r, err := tx.RepairByCode(code)
		if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
			return repairNotFound("repair application with this progress code")
		}
		if err != nil {
			return err
		}
		p = xinyong.Progress(r, xinyong.DateOf(tx.Now()))
		return nil
	})
	return p, err
}

// Repairs lists applications: officers and reviewers their department's,
// the admin the platform's (and, with a department, that one's), auditors
// all, a subject its own; by next deadline. overdueOnly keeps the open ones
// past their limit.
func (s *Service) Repairs(ctx context.Context, actor xinyong.Actor, f xinyong.RepairFilter, overdueOnly bool) ([]RepairView, error) {
	switch {
	case actor.Kind == "system" || actor.Kind == "cli" || actor.Role == xinyong.RoleAdmin || actor.Role == xinyong.RoleAuditor:
	case (actor.Role == xinyong.RoleOfficer || actor.Role == xinyong.RoleReviewer) && actor.DepartmentID != "":
		f.DepartmentID, f.Platform = actor.DepartmentID, false
	case actor.Role == xinyong.RoleSubject && actor.SubjectID != "":
		f.SubjectID = actor.SubjectID
	default:
		return nil, xinyong.Authorize(actor, xinyong.ActRepairRead, xinyong.Resource{DepartmentID: "-"}, nil)
	}
	out := []RepairView{}
	err := s.view(ctx, func(tx xinyong.Tx) error {
		today := xinyong.DateOf(tx.Now())
		if overdueOnly {
			f.DueBefore = today.AddDays(-1) // narrows the read; the rule decides below
		}
		rs, err := tx.Repairs(f)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if overdueOnly && !xinyong.RepairOverdue(r, today) {
				continue
			}
			out = append(out, repairViewOf(r, today))
		}
		return nil
	})
	return out, err
}

// recordRepairs returns the repair outcome of each of the records that has
// one: the Repair input of every visibility decision (portal, sharing).
func recordRepairs(tx xinyong.Tx, rs []xinyong.Record) (map[string]xinyong.RepairOutcome, error) {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.ID
	}
	return tx.RecordRepairs(ids)
}

// erasureProblem is what ledger verification reports about an erased record
// version: "" when an approved repair deleted the record (the only lawful
// erasure), else why the erasure is a problem.
func erasureProblem(tx xinyong.Tx, recordID string) string {
	out, id, err := tx.RecordRepair(recordID)
	if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
		return "the record version's content and salt were erased, but no repair deleted the record: erased behind the application's back"
	}
	if err != nil {
		return "the record version's content and salt were erased, and its repair could not be read to tell why: " + err.Error()
	}
	if out != xinyong.RepairDeleted {
		return "the record version's content and salt were erased, but repair " + id + " only " + string(out) + " the record"
	}
	r, err := tx.Repair(id)
	if err != nil || r.State != xinyong.RepairApproved || r.Decision == nil || r.Decision.Treatment != xinyong.RepairDeleted {
		return "the record version was erased, but its repair " + id + " is not an approved deletion"
	}
	return ""
}
