package workflow_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// Objections (异议) and credit repair (信用修复) together, on a real SQLite
// store (the repair environment of repairs_test.go).

// fixDeleteByRepair has the subject repair rec and the department approve
// its deletion (content and salt of every version erased).
func (e *rpEnv) fixDeleteByRepair(t *testing.T, rec xinyong.Record) {
	t.Helper()
	rep, err := e.svc.ApplyRepair(e.ctx, e.subj, goodInput(rec.ID), []xinyong.RepairFile{e.proof(t)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AcceptRepair(e.ctx, e.offA, rep.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.DecideRepair(e.ctx, e.offA, rep.ID, xinyong.RepairDecisionInput{Approve: true, Treatment: xinyong.RepairDeleted, Reasons: "符合删除条件"}); err != nil {
		t.Fatal(err)
	}
}

// fixStoredObjection returns the JSON of every stored row of the objection
// (current and versions).
func (e *rpEnv) fixStoredObjection(t *testing.T, id string) string {
	t.Helper()
	var b strings.Builder
	err := e.svc.Store.View(e.ctx, func(tx xinyong.Tx) error {
		o, err := tx.Objection(id)
		if err != nil {
			return err
		}
		vs, err := tx.ObjectionVersions(id)
		if err != nil {
			return err
		}
		for _, v := range append(vs, o) {
			j, _ := json.Marshal(v)
			b.Write(j)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// fixRecord reads a record as stored.
func (e *rpEnv) fixRecord(t *testing.T, id string) xinyong.Record {
	t.Helper()
	var r xinyong.Record
	err := e.svc.Store.View(e.ctx, func(tx xinyong.Tx) error {
		var err error
		r, err = tx.Record(id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func listCorrections(t *testing.T, e *rpEnv, as xinyong.Actor, id string) string {
	t.Helper()
	os, err := e.svc.Objections(e.ctx, as, xinyong.ObjectionFilter{}, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range os {
		if o.ID == id {
			j, _ := json.Marshal(o)
			return string(j)
		}
	}
	t.Fatalf("objection %s not in %s's list", id, as.Ref())
	return ""
}

// TestObjectionCorrectionsErasedWithTheRecord: the corrected values of an
// answer are the record's content. A deletion by credit repair erases the
// content of every version (DOMAIN.md §6; doc/repair.md), so afterwards no
// list, no single view and no stored objection row holds them, and the
// ledger still verifies (the objection's leaves commit to no value).
func TestObjectionCorrectionsErasedWithTheRecord(t *testing.T) {
	e := newRepairEnv(t)
	rec := e.penalty(t, e.org, "兰市监罚〔2025〕401号", "2025-12-01", "general")
	const marker = "标记值甲乙丙"
	o, err := e.svc.FileObjection(e.ctx, e.subj, rec.ID, xinyong.RecordObjectionInput{Fields: []string{"CF_WFXW"}, Reasons: "违法行为类型登记有误"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.ResolveObjection(e.ctx, e.offA, o.ID, xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeCorrected, Reasons: "经核实更正", Corrections: map[string]string{"CF_WFXW": marker}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Resolution.Corrections["CF_WFXW"] != marker || res.Resolution.RecordVersion != rec.Version+1 {
		t.Fatalf("answer: %+v", res.Resolution)
	}
	// Before the deletion: every reader who sees the record sees the value,
	// in the list and in the single view, read from the record version.
	for _, as := range []xinyong.Actor{e.subj, e.offA, xinyong.System} {
		if l := listCorrections(t, e, as, o.ID); !strings.Contains(l, marker) {
			t.Errorf("%s's list lacks the corrected value: %s", as.Ref(), l)
		}
	}
	v, hist, err := e.svc.Objection(e.ctx, e.subj, o.ID)
	if err != nil || v.Resolution.Corrections["CF_WFXW"] != marker || !slices.Equal(v.Resolution.Corrected, []string{"CF_WFXW"}) || hist[len(hist)-1].Resolution.Corrections["CF_WFXW"] != marker {
		t.Fatalf("single view: %+v %v", v.Resolution, err)
	}
	// The objection's own rows name the field, not the value.
	if s := e.fixStoredObjection(t, o.ID); strings.Contains(s, marker) || !strings.Contains(s, `"corrected_fields":["CF_WFXW"]`) {
		t.Errorf("stored objection rows: %s", s)
	}

	e.fixDeleteByRepair(t, rec)
	for _, as := range []xinyong.Actor{e.subj, e.offA, xinyong.System} {
		if l := listCorrections(t, e, as, o.ID); strings.Contains(l, marker) || strings.Contains(l, `"corrections"`) {
			t.Errorf("%s's list still shows the deleted record's value: %s", as.Ref(), l)
		}
		v, hist, err := e.svc.Objection(e.ctx, as, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		j, _ := json.Marshal(struct {
			V workflow.ObjectionView
			H []xinyong.Objection
		}{v, hist})
		if strings.Contains(string(j), marker) {
			t.Errorf("%s's single view still shows it: %s", as.Ref(), j)
		}
	}
	rows, err := e.svc.ObjectionRows(e.ctx, e.offA, xinyong.ObjectionFilter{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if j, _ := json.Marshal(rows); strings.Contains(string(j), marker) {
		t.Errorf("console rows: %s", j)
	}
	if s := e.fixStoredObjection(t, o.ID); strings.Contains(s, marker) {
		t.Errorf("stored objection rows keep the value: %s", s)
	}
	if rpt := e.verify(t); !rpt.OK() || rpt.Objections == 0 || rpt.Erased == 0 {
		t.Fatalf("ledger verify after the deletion: %+v", rpt)
	}
}

// TestObjectionCorrectionsIntakeRules: a correction passes intake's rules
// (catalogue type, enum values, length) and is kept as intake keeps it
// (personal ID numbers masked, DOMAIN.md §7); a refusal names the field and
// the rule and writes nothing.
func TestObjectionCorrectionsIntakeRules(t *testing.T) {
	e := newRepairEnv(t)
	rec := e.penalty(t, e.org, "兰市监罚〔2025〕402号", "2025-12-01", "general")
	o, err := e.svc.FileObjection(e.ctx, e.subj, rec.ID, xinyong.RecordObjectionInput{Reasons: "多项登记有误"})
	if err != nil {
		t.Fatal(err)
	}
	audits := e.auditCount(t)
	for _, c := range []struct{ field, val, rule string }{
		{"CF_XDR_LB", "不是枚举值", "field.enum"},
		{"CF_NR_FK", "abc", "field.amount"},
		{"CF_WFXW", "", "field.required"},
	} {
		_, err := e.svc.ResolveObjection(e.ctx, e.offA, o.ID, xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeCorrected, Reasons: "更正", Corrections: map[string]string{c.field: c.val}})
		fs := xinyong.ErrorFields(err)
		if xinyong.ErrorCode(err) != xinyong.EINVALID || len(fs) != 1 || fs[0].Field != "corrections."+c.field || fs[0].Rule != c.rule {
			t.Errorf("%s=%q: %v %+v, want corrections.%s %s", c.field, c.val, err, fs, c.field, c.rule)
		}
	}
	if n := e.auditCount(t); n != audits {
		t.Errorf("refusals wrote %d audit events", n-audits)
	}
	var id string // a valid ID number (GB 11643-1999 check character)
	for _, ch := range "0123456789X" {
		if c, err := xinyong.ParseCitizenID("62010219800101123" + string(ch)); err == nil {
			id = c.Code
		}
	}
	if id == "" {
		t.Fatal("no check character fits")
	}
	res, err := e.svc.ResolveObjection(e.ctx, e.offA, o.ID, xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeCorrected, Reasons: "更正法定代表人证件号码", Corrections: map[string]string{"CF_FR_ZJHM": id, "CF_NR_FK": "0.5"}})
	if err != nil {
		t.Fatal(err)
	}
	after := e.fixRecord(t, rec.ID)
	if got := after.Fields["CF_FR_ZJHM"]; got != xinyong.MaskID(id) || res.Resolution.Corrections["CF_FR_ZJHM"] != xinyong.MaskID(id) || after.Fields["CF_NR_FK"] != "0.5" {
		t.Fatalf("kept %q (answer %q), want %q", got, res.Resolution.Corrections["CF_FR_ZJHM"], xinyong.MaskID(id))
	}
	err = e.svc.Store.View(e.ctx, func(tx xinyong.Tx) error {
		vs, err := tx.RecordVersions(rec.ID)
		for _, v := range vs {
			if j, _ := json.Marshal(v); strings.Contains(string(j), id) || strings.Contains(string(v.Content), id) {
				t.Errorf("record v%d keeps the ID number in clear", v.Version)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if s := e.fixStoredObjection(t, o.ID); strings.Contains(s, id) {
		t.Errorf("objection keeps the ID number in clear")
	}
	if rpt := e.verify(t); !rpt.OK() {
		t.Fatalf("ledger verify: %+v", rpt)
	}
}

// TestObjectionAfterRepairDeletion: a record deleted by credit repair has
// no content left; an objection to it is still answerable (deleted or
// upheld, saying the record is already deleted) so that it does not stay
// overdue, a correction is refused as a conflict, and nothing of the record
// is written again.
func TestObjectionAfterRepairDeletion(t *testing.T) {
	e := newRepairEnv(t)
	rec := e.penalty(t, e.org, "兰市监罚〔2025〕403号", "2025-12-01", "general")
	o1, err := e.svc.FileObjection(e.ctx, e.subj, rec.ID, xinyong.RecordObjectionInput{Fields: []string{"CF_NR_FK"}, Reasons: "金额有误"})
	if err != nil {
		t.Fatal(err)
	}
	o2, err := e.svc.FileObjection(e.ctx, xinyong.Public, rec.ID, xinyong.RecordObjectionInput{Name: "李四", Contact: "13900000000", Reasons: "信息有误"})
	if err != nil {
		t.Fatal(err)
	}
	e.fixDeleteByRepair(t, rec)
	before := e.fixRecord(t, rec.ID)
	_, err = e.svc.ResolveObjection(e.ctx, e.offA, o1.ID, xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeCorrected, Reasons: "更正", Corrections: map[string]string{"CF_NR_FK": "0.5"}})
	if xinyong.ErrorCode(err) != xinyong.ECONFLICT || !strings.Contains(xinyong.ErrorMessage(err), "deleted by credit repair") {
		t.Fatalf("correcting a record deleted by repair: %v", err)
	}
	for _, c := range []struct {
		id      string
		outcome xinyong.ObjectionOutcome
	}{{o1.ID, xinyong.OutcomeDeleted}, {o2.ID, xinyong.OutcomeUpheld}} {
		res, err := e.svc.ResolveObjection(e.ctx, e.offA, c.id, xinyong.ObjectionResolveInput{Outcome: c.outcome, Reasons: "经核实"})
		if err != nil {
			t.Fatalf("%s after repair deletion: %v", c.outcome, err)
		}
		if res.State != xinyong.ObjectionResolved || res.Resolution.RecordRepaired != xinyong.RepairDeleted ||
			!strings.Contains(res.Resolution.Reasons, xinyong.RepairDeletedNote) || res.Resolution.RecordVersion != before.Version {
			t.Errorf("%s: %+v", c.outcome, res.Resolution)
		}
	}
	after := e.fixRecord(t, rec.ID)
	if after.Version != before.Version || after.Status != before.Status || after.Content != nil {
		t.Fatalf("the erased record was written again: v%d→v%d %s", before.Version, after.Version, after.Status)
	}
	// Nothing stays open, so nothing becomes overdue.
	e.clk.Set(day("2026-07-01"))
	if od, err := e.svc.Objections(e.ctx, xinyong.System, xinyong.ObjectionFilter{}, true); err != nil || len(od) != 0 {
		t.Errorf("overdue after the answers: %+v %v", od, err)
	}
	if rpt := e.verify(t); !rpt.OK() {
		t.Fatalf("ledger verify: %+v", rpt)
	}
}
