package workflow

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"xinyong"
	"xinyong/internal/ledger"
)

// The measures check, its signed receipt and the agencies' feedback
// (issue 6 "Punishment measures"; DOMAIN.md §5). A relying agency asks
// which measures it may apply to a subject for a matter; the answer is
// xinyong.ApplicableMeasures' decision over the subject's current listings
// and records; it carries a receipt signed with the platform's key, and the
// check is a query-use entry (查询使用登记) with its ledger leaf, all in one
// transaction. Feedback applying a measure the check did not return is
// refused and counted.

// Audit actions of this file.
const (
	ActCheckRefused    xinyong.Action = "measures.check_refused"
	ActFeedback        xinyong.Action = "measures.feedback"
	ActFeedbackRefused xinyong.Action = "measures.feedback_refused"
	ActMeasureAdd      xinyong.Action = "measure.add"
)

// LeafMeasureCheck is the ledger leaf kind of a check: it commits to the
// signed receipt.
const LeafMeasureCheck = "check"

// checkSalt is the fixed salt of check leaves (receipts hold no personal
// data: the subject is a digest).
var checkSalt = []byte("xinyong-measures-check")

// CheckBasis is the basis recorded in the query-use entry of a check.
const CheckBasis = "失信惩戒措施清单 (measures check, issue 6)"

// Limits of the check's free texts, in characters.
const (
	MaxMatterLength   = 200
	MaxFeedbackLines  = 100
	MaxFeedbackReason = 500
)

// CheckResult is the answer to a measures check.
type CheckResult struct {
	CheckID  string                      `json:"check_id"`
	On       xinyong.Date                `json:"on"`
	Matter   string                      `json:"matter"`
	Purpose  string                      `json:"purpose"`
	Measures []xinyong.ApplicableMeasure `json:"measures"`
	// Receipt is the signed receipt (canonical JSON, verify it as is).
	Receipt json.RawMessage `json:"receipt"`
	QueryID string          `json:"query_id"`
}

// checkFreeText validates a free text: trimmed, valid UTF-8, no control
// characters, at most max characters.
func checkFreeText(v *xinyong.Validation, field, s string, maxLen int, required bool) string {
	s = strings.TrimSpace(s)
	switch {
	case !utf8.ValidString(s):
		v.Add(field, field+".utf8", "%s is not valid UTF-8", field)
	case s == "" && required:
		v.Add(field, field+".required", "%s is required", field)
	case utf8.RuneCountInString(s) > maxLen:
		v.Add(field, field+".length", "%s has at most %d characters", field, maxLen)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		v.Add(field, field+".control", "%s may not contain control characters", field)
	}
	return s
}

// Check runs a measures check for a relying agency: the subject's code (a
// unified social credit code, or the subject reference a search gives; a
// malformed one is EINVALID), the matter (办理事项) and the purpose (查询用途),
// all required. A well-formed code the platform holds nothing on gets an
// empty answer, with its receipt.
func (s *Service) Check(ctx context.Context, actor xinyong.Actor, code, matter, purpose string) (CheckResult, error) {
	var out CheckResult
	var subjID string
	err := func() error {
		if err := xinyong.Authorize(actor, xinyong.ActMeasureCheck, xinyong.Resource{}, nil); err != nil {
			return err
		}
		var v xinyong.Validation
		// The matter and the purpose are stored, registered and signed
		// into the receipt with any citizen ID number masked (the purpose
		// by CheckQueryPurpose): the receipt and the check carry the same
		// text.
		matter = xinyong.MaskCitizenIDs(checkFreeText(&v, "matter", matter, MaxMatterLength, true))
		if err := v.Err("the measures check is not valid"); err != nil {
			return err
		}
		var err error
		if purpose, _, _, err = xinyong.CheckQueryPurpose(purpose, CheckBasis, ""); err != nil {
			return err
		}
		if s.Signer == nil {
			return xinyong.Errorf(xinyong.EINTERNAL, "the platform has no signing key: receipts cannot be signed")
		}
		ref := strings.TrimSpace(code)
		// Decide on a read transaction (the answer, the receipt over the
		// checkpoint the answer was read at), then append the query-use
		// entry and the check with other concurrent checks (group.go).
		var entry xinyong.QueryUse
		var chk xinyong.MeasureCheck
		err = s.view(ctx, func(tx xinyong.Tx) error {
			subj, err := s.lookupSubject(tx, ref)
			switch {
			case xinyong.ErrorCode(err) == xinyong.ENOTFOUND:
				// A well-formed code the platform holds nothing on: no measures.
			case err != nil:
				return err
			}
			subjID = subj.ID
			head, err := tx.LedgerHead()
			if err != nil {
				return err
			}
			now := s.Now()
			on := xinyong.DateOf(now)
			in := xinyong.CheckInput{On: on}
			if in.Measures, err = s.measures(tx); err != nil {
				return err
			}
			items := map[string]string{}
			if subj.ID != "" {
				if in.Records, err = checkRecords(tx, subj.ID, items); err != nil {
					return err
				}
				if in.Listings, err = checkListings(tx, subj.ID, on); err != nil {
					return err
				}
			}
			answer := xinyong.ApplicableMeasures(in)
			listTypes := map[string]string{}
			for _, l := range in.Listings {
				listTypes[l.ID] = l.ListType
			}
			if entry, chk, err = s.newCheck(actor, ref, subj.ID, matter, purpose, now, head, answer, items, listTypes); err != nil {
				return err
			}
			out = CheckResult{CheckID: chk.ID, On: on, Matter: matter, Purpose: purpose, Measures: answer, Receipt: chk.Receipt, QueryID: entry.ID}
			return nil
		})
		if err != nil {
			return err
		}
		if err = s.appendCheck(ctx, actor, entry, chk); err != nil {
			out = CheckResult{}
		}
		return err
	}()
	if err != nil && refusal(err) {
		s.refuse(ctx, actor, ActCheckRefused, "subject", subjID, err, "purpose "+strconv.Quote(clip(xinyong.MaskCitizenIDs(purpose), 200)))
	}
	if out.Measures == nil {
		out.Measures = []xinyong.ApplicableMeasure{}
	}
	return out, err
}

// newCheck builds what a check of ref (the subject subjectID, "" when
// the platform holds nothing on it) answering answer at now, read at the
// ledger head, appends: its query-use entry and the check with its signed
// receipt. items maps the answer's records to their catalogue items and
// listTypes its listings to their list types.
func (s *Service) newCheck(actor xinyong.Actor, ref, subjectID, matter, purpose string, now time.Time, head xinyong.LedgerHead, answer []xinyong.ApplicableMeasure, items, listTypes map[string]string) (xinyong.QueryUse, xinyong.MeasureCheck, error) {
	entry := xinyong.QueryUse{
		ID: NewID(), At: now, Actor: actor.Ref(), ActorName: actor.Name, Organisation: actor.Organisation, Viewer: xinyong.ViewerOf(actor, purpose, CheckBasis).Kind,
		Purpose: purpose, Basis: CheckBasis, SubjectID: subjectID, Items: []string{}, Records: []string{},
	}
	// The records and items the answer rests on, each once (a subject may
	// have thousands: sorted and compacted, not searched). The listings the
	// answer reveals are registered too, as "listing:ID" among the records
	// and "list:TYPE" among the items (a listing in force need not be
	// published).
	for _, a := range answer {
		for _, id := range a.Records {
			entry.Records = append(entry.Records, id)
			entry.Items = append(entry.Items, items[id])
		}
		for _, id := range a.Listings {
			entry.Records = append(entry.Records, "listing:"+id)
			entry.Items = append(entry.Items, "list:"+listTypes[id])
		}
	}
	slices.Sort(entry.Items)
	entry.Items = slices.Compact(entry.Items)
	slices.Sort(entry.Records)
	entry.Records = slices.Compact(entry.Records)
	chk := xinyong.MeasureCheck{ID: NewID(), At: now, Actor: entry.Actor, Organisation: actor.Organisation, SubjectID: subjectID,
		SubjectDigest: xinyong.SubjectDigest(ref), Matter: matter, Purpose: purpose, Result: xinyong.CanonicalMeasures(answer),
		ResultDigest: xinyong.ResultDigest(answer), QueryID: entry.ID}
	rc, err := xinyong.SignReceipt(xinyong.Receipt{CheckID: chk.ID, SubjectDigest: chk.SubjectDigest, Matter: matter, Purpose: purpose,
		ResultDigest: chk.ResultDigest, Time: xinyong.ReceiptTime(now),
		Checkpoint: xinyong.ReceiptCheckpoint{Origin: s.Signer.Name(), Size: head.Size, Root: base64.StdEncoding.EncodeToString(rootOf(head))}}, s.Signer)
	if err != nil {
		return entry, chk, err
	}
	chk.Receipt = rc.Canonical()
	return entry, chk, nil
}

// appendCheck appends what a check writes, with other concurrent checks
// (group.go): its query-use entry (appendQueryUse: the rate flag, the
// entry and its leaf), the check with its leaf committing to the signed
// receipt, and with them the batch's signed checkpoint. It returns once
// they committed.
func (s *Service) appendCheck(ctx context.Context, actor xinyong.Actor, entry xinyong.QueryUse, chk xinyong.MeasureCheck) error {
	return s.appendGrouped(ctx, actor, func(t *txn) error {
		c := chk
		if err := s.appendQueryUse(t, entry); err != nil {
			return err
		}
		var err error
		if c.LedgerIdx, err = t.leaf(LeafMeasureCheck, "measure_check", c.ID, 0, ledger.Commit(checkSalt, c.Receipt)); err != nil {
			return err
		}
		return t.AddMeasureCheck(c)
	})
}

// rootOf returns the head's root; an empty log has the empty root.
func rootOf(h xinyong.LedgerHead) []byte {
	if h.Size == 0 || len(h.Root) == 0 {
		return ledger.EmptyRoot()
	}
	return h.Root
}

// checkRecords reads the subject's active records (items maps their ids to
// their catalogue items) from the indexed columns.
func checkRecords(t xinyong.Tx, subjectID string, items map[string]string) ([]xinyong.CheckRecord, error) {
	// Every active record: a cap would drop whatever sorts after it in the
	// index (serious after general) and with it the measures it triggers.
	out, err := t.CheckRecords(subjectID, 0)
	for _, r := range out {
		items[r.ID] = r.Item
	}
	return out, err
}

// checkListings reads the subject's listings in force on day on.
func checkListings(t xinyong.Tx, subjectID string, on xinyong.Date) ([]xinyong.CheckListing, error) {
	ls, err := t.Listings(xinyong.ListingFilter{SubjectID: subjectID, State: xinyong.ListingListed})
	if err != nil {
		return nil, err
	}
	var out []xinyong.CheckListing
	for _, l := range ls {
		if l.Active(on) {
			c := xinyong.CheckListing{ID: l.ID, ListType: l.ListType}
			if l.Decision != nil {
				c.Measures = l.Decision.Measures // the measures that follow (R2)
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// FeedbackLine is one line of an agency's feedback.
type FeedbackLine struct {
	MeasureID string `json:"measure_id"`
	Applied   bool   `json:"applied"`
	Reason    string `json:"reason"`
}

// Feedback records what the agency that ran a check applied (反馈). A line
// applying a measure that is not on the list or that the check did not
// return is refused: the whole feedback is refused, and the refused lines
// are stored (refused) and counted for the compliance board, with an audit
// event, in a transaction that commits.
func (s *Service) Feedback(ctx context.Context, actor xinyong.Actor, checkID string, lines []FeedbackLine) ([]xinyong.MeasureFeedback, error) {
	var out []xinyong.MeasureFeedback
	var refused error
	checkID = strings.TrimSpace(checkID)
	err := func() error {
		if err := xinyong.Authorize(actor, xinyong.ActMeasureFeedback, xinyong.Resource{}, nil); err != nil {
			return err
		}
		var v xinyong.Validation
		if checkID == "" || len(checkID) > 64 {
			v.Add("check_id", "feedback.check", "give the check_id of the check the feedback is about")
		}
		if len(lines) == 0 || len(lines) > MaxFeedbackLines {
			v.Add("lines", "feedback.lines", "give between 1 and %d lines", MaxFeedbackLines)
		}
		for i := range lines {
			f := "lines[" + strconv.Itoa(i) + "]"
			lines[i].MeasureID = strings.TrimSpace(lines[i].MeasureID)
			if lines[i].MeasureID == "" || len(lines[i].MeasureID) > 64 {
				v.Add(f+".measure_id", "required", "each line names a measure_id")
			}
			// Stored, and refused lines listed on the compliance board: a
			// citizen ID number typed in is masked, as in the check's texts.
			lines[i].Reason = xinyong.MaskCitizenIDs(checkFreeText(&v, f+".reason", lines[i].Reason, MaxFeedbackReason, false))
		}
		if err := v.Err("the feedback is not valid"); err != nil {
			return err
		}
		return s.update(ctx, actor, func(t *txn) error {
			chk, err := t.MeasureCheck(checkID)
			if err == nil && chk.Actor != actor.Ref() {
				err = &xinyong.Error{Code: xinyong.ENOTFOUND, Message: "measures check not found"} // another agency's check: as if none
			}
			if err != nil {
				return err
			}
			var answer []xinyong.ApplicableMeasure
			if err := json.Unmarshal(chk.Result, &answer); err != nil {
				return err
			}
			list, err := t.Measures()
			if err != nil {
				return err
			}
			now := t.Now()
			var bad xinyong.Validation
			var rows, refusedRows []xinyong.MeasureFeedback
			for i, l := range lines {
				fb := xinyong.MeasureFeedback{ID: NewID(), CheckID: chk.ID, At: now, Actor: actor.Ref(), MeasureID: l.MeasureID, Applied: l.Applied, Reason: l.Reason}
				onList := slices.ContainsFunc(list, func(m xinyong.Measure) bool { return m.Code == l.MeasureID })
				field := "lines[" + strconv.Itoa(i) + "].measure_id"
				switch {
				case xinyong.Triggered(answer, l.MeasureID):
				case !onList:
					fb.Refusal = "measure " + l.MeasureID + " is not on the measures list (过惩相当: only listed measures)"
					bad.Add(field, "feedback.not_listed", "%s", fb.Refusal)
				default:
					fb.Refusal = "measure " + l.MeasureID + " was not triggered by check " + chk.ID + " (过惩相当)"
					bad.Add(field, "feedback.not_triggered", "%s", fb.Refusal)
				}
				if fb.Refusal != "" && l.Applied {
					fb.Refused = true
					refusedRows = append(refusedRows, fb)
				}
				rows = append(rows, fb)
			}
			if len(bad.Fields) > 0 {
				refused = bad.Err("the feedback names measures the check did not return")
				if len(refusedRows) == 0 {
					return refused // only unapplied lines were wrong: nothing to count
				}
				if err := t.AddMeasureFeedback(refusedRows); err != nil {
					return err
				}
				ids := make([]string, len(refusedRows))
				for i, r := range refusedRows {
					ids[i] = r.MeasureID
				}
				return t.audit(ActFeedbackRefused, "measure_check", chk.ID, nil, refusedRows, "refused: applied measures outside the check: "+strings.Join(ids, ","))
			}
			if err := t.AddMeasureFeedback(rows); err != nil {
				return err
			}
			var applied []string
			for _, r := range rows {
				if r.Applied {
					applied = append(applied, r.MeasureID)
				}
			}
			out = rows
			return t.audit(ActFeedback, "measure_check", chk.ID, nil, rows, strconv.Itoa(len(rows))+" lines; applied: "+strings.Join(applied, ","))
		})
	}()
	if err == nil && refused != nil {
		return nil, refused
	}
	if err != nil && refusal(err) && refused == nil {
		s.refuse(ctx, actor, ActFeedbackRefused, "measure_check", checkID, err, "")
	}
	return out, err
}

// RefusedFeedback counts the refused feedback lines since the start of
// time (the compliance board's counter; auditors and admins).
func (s *Service) RefusedFeedback(ctx context.Context, actor xinyong.Actor) (int64, error) {
	if err := xinyong.Authorize(actor, xinyong.ActAuditRead, xinyong.Resource{}, nil); err != nil {
		return 0, err
	}
	var n int64
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		n, err = tx.CountRefusedFeedback(time.Time{})
		return err
	})
	return n, err
}

// AddMeasure adds a supplementary measure (provincial or city layer) to the
// list: only with a legal basis and the other parts ValidateMeasure asks
// for, triggered only by list types the platform knows. The national base
// list is loaded from the official data, never added by hand.
func (s *Service) AddMeasure(ctx context.Context, actor xinyong.Actor, m xinyong.Measure) (xinyong.Measure, error) {
	err := s.update(ctx, actor, func(t *txn) error {
		if err := xinyong.Authorize(actor, xinyong.ActReferenceManage, xinyong.Resource{}, nil); err != nil {
			return err
		}
		m.Code = strings.TrimSpace(m.Code)
		if m.Layer == "" {
			m.Layer = xinyong.LayerProvincial
		}
		if m.Provenance == "" {
			m.Provenance = xinyong.ProvenanceLocal
		}
		if m.EffectiveFrom.IsZero() {
			m.EffectiveFrom = xinyong.DateOf(t.Now())
		}
		var v xinyong.Validation
		if m.Layer == xinyong.LayerNational {
			v.Add("layer", "measure.national", "the national base list is loaded from the official text: add supplementary measures (provincial or city) only")
		}
		lts, err := t.ListTypes()
		if err != nil {
			return err
		}
		for _, c := range m.ListTypes {
			if !slices.ContainsFunc(lts, func(lt xinyong.ListType) bool { return lt.Code == c }) {
				v.Add("list_types", "measure.list_type", "list type %s is not defined", c)
			}
		}
		if err := v.Err("the measure is not valid"); err != nil {
			return err
		}
		if err := xinyong.ValidateMeasure(m); err != nil {
			return err
		}
		ms, err := t.Measures()
		if err != nil {
			return err
		}
		if slices.ContainsFunc(ms, func(o xinyong.Measure) bool { return o.Code == m.Code }) {
			return xinyong.Errorf(xinyong.ECONFLICT, "measure %s is already on the list", m.Code)
		}
		if err := t.PutMeasure(m); err != nil {
			return err
		}
		return t.audit(ActMeasureAdd, "measure", m.Code, nil, m, "supplementary measure; basis "+clip(m.LegalBasis, 300))
	})
	return m, err
}
