package workflow

import (
	"context"
	"reflect"
	"slices"
	"time"

	"xinyong"
	"xinyong/internal/ledger"
)

// Supervision reads (DOMAIN.md §7). The admin and auditors see every
// record, non-public ones included (personal fields masked): every such
// read of one subject's non-public information is a query to register,
// like an agency's, so that it can be reviewed and the subject sees who
// read it. The purpose and basis are the platform's supervision duty.
const (
	SupervisionPurpose = "监督管理 (platform supervision)"
	SupervisionBasis   = "平台监督管理职责：管理员、审计员查阅非公开信息 (DOMAIN.md §7)"
)

// supervises reports whether the actor reads as supervision (admin,
// auditor), whose reads of non-public information are registered.
func supervises(actor xinyong.Actor) bool {
	return actor.Kind != "system" && actor.Kind != "cli" && (actor.Role == xinyong.RoleAdmin || actor.Role == xinyong.RoleAuditor)
}

// registerSupervision appends the query-use entry of a supervision read of
// subjectID's records (ids with their catalogue items); nothing when the
// actor does not supervise or no record was read. It returns the entry's
// id. The read is answered only once the entry has committed.
func (s *Service) registerSupervision(ctx context.Context, actor xinyong.Actor, subjectID string, ids, items []string) (string, error) {
	qids, err := s.registerSupervisionReads(ctx, actor, []supervisionRead{{subjectID: subjectID, ids: ids, items: items}})
	if err != nil || len(qids) == 0 {
		return "", err
	}
	return qids[0], nil
}

// supervisionRead is what a supervision read showed of one subject: the
// records (ids with their catalogue items) to register.
type supervisionRead struct {
	subjectID  string
	ids, items []string
	// subject: the read showed the subject itself beyond the public's view
	// (found by a search the public's finds nothing, a page the public
	// gets "not found" for, tabs counting records the public does not
	// see), so it is registered even when it names no record.
	subject bool
}

// registerSupervisionReads appends one query-use entry per subject read
// (reads without a subject, or naming no record and not showing the
// subject beyond the public's view, are skipped), all in one grouped
// transaction; nothing when the actor does not supervise. It returns the
// entries' ids, in the order of the subjects registered. The read is answered
// only once the entries have committed.
func (s *Service) registerSupervisionReads(ctx context.Context, actor xinyong.Actor, reads []supervisionRead) ([]string, error) {
	es := s.supervisionEntries(actor, reads)
	if len(es) == 0 {
		return nil, nil
	}
	err := s.appendGrouped(ctx, actor, func(t *txn) error {
		for _, e := range es {
			if err := s.appendQueryUse(t, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	return ids, nil
}

// supervisionEntries are the query-use entries of reads
// (registerSupervisionReads' rules; reads of the same subject merged into
// one entry), for a caller that appends them in a write transaction of its
// own (appendQueryUse); none when the actor does not supervise.
func (s *Service) supervisionEntries(actor xinyong.Actor, reads []supervisionRead) []xinyong.QueryUse {
	if !supervises(actor) {
		return nil
	}
	var merged []supervisionRead
	idx := map[string]int{}
	for _, r := range reads {
		j, ok := idx[r.subjectID]
		if !ok {
			idx[r.subjectID] = len(merged)
			merged = append(merged, r)
			continue
		}
		m := &merged[j]
		m.ids, m.items, m.subject = append(slices.Clip(m.ids), r.ids...), append(slices.Clip(m.items), r.items...), m.subject || r.subject
	}
	var es []xinyong.QueryUse
	for _, r := range merged {
		if r.subjectID == "" || (len(r.ids) == 0 && !r.subject) {
			continue
		}
		e := xinyong.QueryUse{ID: NewID(), At: s.Now(), Actor: actor.Ref(), ActorName: actor.Name, Organisation: actor.Organisation,
			Viewer: xinyong.ViewerOf(actor, "", "").Kind, Purpose: SupervisionPurpose, Basis: SupervisionBasis, SubjectID: r.subjectID,
			Records: nonNilStr(slices.Compact(slices.Sorted(slices.Values(r.ids)))), Items: nonNilStr(slices.Compact(slices.Sorted(slices.Values(r.items))))}
		if e.Organisation == "" {
			e.Organisation = "省信用办 (platform)"
		}
		es = append(es, e)
	}
	return es
}

// bySubject groups the records of a page that spans subjects (a
// supervisor's listing without a subject) by subject, in the order
// subjects first appear: each group is one supervision read to register,
// naming every record of the subject on the page. Every one, public ones
// included: the page answers the stored documents, which carry more than
// the public's view of the same record (a person's full name and ID
// number, fields outside the disclosure scope), as the reads by subject
// register every record too.
func bySubject(n int, at func(i int) (subjectID, id, item string)) []supervisionRead {
	var out []supervisionRead
	idx := map[string]int{}
	for i := range n {
		subj, id, item := at(i)
		j, ok := idx[subj]
		if !ok {
			j = len(out)
			idx[subj] = j
			out = append(out, supervisionRead{subjectID: subj})
		}
		out[j].ids, out[j].items = append(out[j].ids, id), append(out[j].items, item)
	}
	return out
}

// appendQueryUse writes a query-use entry with its flag and ledger leaf in
// t (the shared-records query, the measures check and supervision reads).
//
// The entry keeps the time the caller set when it read: the time the
// subject sees under "who queried me", the one an agency's receipt signs,
// and the one checked against the consent. Its leaf carries t's time,
// later by the grouped append's wait; the retention purge deletes an
// entry only when both are before its horizon (sqlstore PurgeQueryUses),
// so `ledger verify`, which accepts a missing entry when its leaf's time
// is before the horizon, agrees with it.
func (s *Service) appendQueryUse(t *txn, e xinyong.QueryUse) error {
	if e.SubjectID != "" {
		n, err := t.otherSubjectsRead(e, s.policy().QueryFlagLimit)
		if err != nil {
			return err
		}
		e.Flagged, e.FlagReason = xinyong.FlagQueries(n+1, s.policy().QueryFlagLimit)
	}
	var err error
	if e.LedgerIdx, err = t.leaf(LeafQueryUse, "query_use", e.ID, 0, ledger.Commit(querySalt, QueryUseContent(e))); err != nil {
		return err
	}
	return t.AddQueryUse(e)
}

// beyondPublic returns the ids and items of the records of recs (a
// supervision view) that show more than the public's view of them
// (public): records the public does not see at all, and records it sees
// otherwise (a natural person's name masked, fields withheld). When the
// subject's card shows more than the public's (cardBeyond: a person's
// full name), every record of the view is such a read.
func beyondPublic(recs, public []xinyong.RecordView, cardBeyond bool) (ids, items []string) {
	for _, r := range recs {
		i := slices.IndexFunc(public, func(p xinyong.RecordView) bool { return p.ID == r.ID })
		if !cardBeyond && i >= 0 && sameView(r, public[i]) {
			continue
		}
		ids, items = append(ids, r.ID), append(items, r.Item)
	}
	return ids, items
}

// sameView reports whether two views of a record show the same (whether
// the view is the public disclosure or shared information aside).
func sameView(a, b xinyong.RecordView) bool {
	a.Public, b.Public = false, false
	return reflect.DeepEqual(a, b)
}

// flagProbe is what a transaction learnt of one account's reads for the
// rate flag (otherSubjectsRead).
type flagProbe struct {
	entries   int       // entries of the account counted in this transaction
	probed    bool      // the saturation probe ran
	saturated time.Time // when non-zero: the probe's time, at which the account was past the cap
}

// otherSubjectsRead returns the distinct subjects other than e's that e's
// account read within the flag window before e (xinyong.QueryFlagWindow),
// counted up to xinyong.FlagCountCap(limit): the store's
// CountQuerySubjects for e, which FlagQueries decides on.
//
// A grouped append writes many entries of one busy account (an agency's
// measures checks, a supervisor's page of subjects) in one transaction,
// and each count would scan the account's last hour again. So at the
// account's second entry in the transaction one probe counts the distinct
// subjects of its entries since one window before the probe's time P,
// without excluding any subject, up to cap+1. When it finds cap+1, every
// entry of the account read at or before P has at least cap others in
// its own window (its window starts no later than the probe's and holds
// every subject the probe saw but at most its own), so its capped count
// is exactly cap and needs no query. Otherwise each entry is counted as
// before. Nothing in the transaction removes an entry once written, so the
// probe stays true until the transaction ends.
func (t *txn) otherSubjectsRead(e xinyong.QueryUse, limit int) (int, error) {
	max := xinyong.FlagCountCap(limit)
	if t.flags == nil {
		t.flags = map[string]*flagProbe{}
	}
	p := t.flags[e.Actor]
	if p == nil {
		p = &flagProbe{}
		t.flags[e.Actor] = p
	}
	if !p.saturated.IsZero() && !e.At.After(p.saturated) {
		return max, nil
	}
	if p.entries > 0 && !p.probed {
		p.probed = true
		at := t.Now()
		n, err := t.CountQuerySubjects(e.Actor, at.Add(-xinyong.QueryFlagWindow), "", max+1)
		if err != nil {
			return 0, err
		}
		if n > max {
			p.saturated = at
			if !e.At.After(at) {
				return max, nil
			}
		}
	}
	p.entries++
	return t.CountQuerySubjects(e.Actor, e.At.Add(-xinyong.QueryFlagWindow), e.SubjectID, max)
}
