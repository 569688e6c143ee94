package xinyong

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// Objections (异议): DOMAIN.md §6 — answer within 3 working days when the
// platform checks alone, 7 when the source department must check
// (山东省公共信用信息管理办法; 河南省社会信用条例); configurable.

func objRecord() (Record, CatalogueItem) {
	it := CatalogueItem{Code: "XZCF", Fields: []FieldSpec{{Code: "CF_WSH"}, {Code: "CF_NR_FK"}}}
	r := Record{ID: "r1", Item: "XZCF", SubjectID: "s1", DepartmentID: "d1", Status: RecordActive, Fields: map[string]string{"CF_WSH": "x", "CF_NR_FK": "1"}}
	return r, it
}

func TestObjectionDeadline(t *testing.T) {
	c := Calendar{Source: guoqing2026()}
	// Filed Wednesday 30 September 2026, before the National Day holiday
	// (1–7 October; Saturday 10 October is a working day).
	filed := MustDate("2026-09-30")
	if got := ObjectionDeadline(filed, false, DefaultObjectionLimits, c); got != MustDate("2026-10-10") {
		t.Errorf("own check: %s, want 2026-10-10 (3 working days: 8, 9, 10 October)", got)
	}
	if got := ObjectionDeadline(filed, true, DefaultObjectionLimits, c); got != MustDate("2026-10-15") {
		t.Errorf("forwarded: %s, want 2026-10-15 (7 working days: 8, 9, 10, 12–15 October)", got)
	}
	// An ordinary week: filed Monday, 3 working days is Thursday, 7 the next Wednesday.
	mon := MustDate("2026-06-01")
	if got := ObjectionDeadline(mon, false, DefaultObjectionLimits, Calendar{}); got != MustDate("2026-06-04") {
		t.Errorf("own: %s", got)
	}
	if got := ObjectionDeadline(mon, true, DefaultObjectionLimits, Calendar{}); got != MustDate("2026-06-10") {
		t.Errorf("forwarded: %s", got)
	}
	// Configurable: a province sets 5 and 10.
	lim, err := ParseObjectionLimits("5, 10")
	if err != nil || lim != (ObjectionLimits{Own: 5, Forwarded: 10}) {
		t.Fatalf("parse: %+v %v", lim, err)
	}
	if got := ObjectionDeadline(mon, false, lim, Calendar{}); got != MustDate("2026-06-08") {
		t.Errorf("own 5: %s", got)
	}
	if d, err := ParseObjectionLimits(""); err != nil || d != DefaultObjectionLimits {
		t.Errorf("default: %+v %v", d, err)
	}
	for _, bad := range []string{"3", "0,7", "a,b", "3,-1", "3,7,9"} {
		if _, err := ParseObjectionLimits(bad); ErrorCode(err) != EINVALID {
			t.Errorf("ParseObjectionLimits(%q): %v", bad, err)
		}
	}
}

func TestObjectionSteps(t *testing.T) {
	r, it := objRecord()
	today := MustDate("2026-06-01")
	in := RecordObjectionInput{Fields: []string{"CF_NR_FK", "CF_NR_FK", " "}, Reasons: " 金额有误 "}
	// The public needs a name and contact, and sees only published records.
	if _, err := FileObjection(in, r, it, false, true, today, DefaultObjectionLimits, Calendar{}); ErrorCode(err) != EINVALID {
		t.Errorf("public without contact: %v", err)
	}
	if _, err := FileObjection(in, r, it, false, false, today, DefaultObjectionLimits, Calendar{}); ErrorCode(err) != EFORBIDDEN {
		t.Errorf("public, unpublished: %v", err)
	}
	if _, err := FileObjection(RecordObjectionInput{Fields: []string{"NOPE"}}, r, it, true, false, today, DefaultObjectionLimits, Calendar{}); ErrorCode(err) != EINVALID {
		t.Errorf("unknown field, no reasons: %v", err)
	}
	w := r
	w.Status = RecordWithdrawn
	if _, err := FileObjection(in, w, it, true, false, today, DefaultObjectionLimits, Calendar{}); ErrorCode(err) != ECONFLICT {
		t.Errorf("withdrawn record: %v", err)
	}
	o, err := FileObjection(in, r, it, true, false, today, DefaultObjectionLimits, Calendar{})
	if err != nil {
		t.Fatal(err)
	}
	if o.State != ObjectionFiled || !o.State.Open() || len(o.Fields) != 1 || o.Reasons != "金额有误" || o.Deadline != MustDate("2026-06-04") {
		t.Fatalf("filed: %+v", o)
	}
	if ObjectionOverdue(o, MustDate("2026-06-04")) || !ObjectionOverdue(o, MustDate("2026-06-05")) {
		t.Errorf("overdue is the day after the deadline")
	}
	f, err := ForwardObjection(o, ObjectionForwardInput{}, today.AddDays(1), DefaultObjectionLimits, Calendar{}, "admin")
	if err != nil || f.State != ObjectionForwarded || f.Deadline != MustDate("2026-06-10") || f.Version != 2 {
		t.Fatalf("forward: %+v %v", f, err)
	}
	if _, err := ForwardObjection(f, ObjectionForwardInput{}, today, DefaultObjectionLimits, Calendar{}, "admin"); ErrorCode(err) != ECONFLICT {
		t.Errorf("forward twice: %v", err)
	}
	// Every outcome states reasons; corrections only with corrected, on known fields.
	for _, bad := range []ObjectionResolveInput{
		{Outcome: "maybe", Reasons: "x"},
		{Outcome: OutcomeUpheld},
		{Outcome: OutcomeCorrected, Reasons: "x"},
		{Outcome: OutcomeCorrected, Reasons: "x", Corrections: map[string]string{"NOPE": "1"}},
		{Outcome: OutcomeUpheld, Reasons: "x", Corrections: map[string]string{"CF_NR_FK": "1"}},
	} {
		if _, err := ResolveObjection(f, bad, r, it, "", today, "o"); ErrorCode(err) != EINVALID {
			t.Errorf("resolve %+v: %v", bad, err)
		}
	}
	res, err := ResolveObjection(f, ObjectionResolveInput{Outcome: OutcomeCorrected, Reasons: "登记有误", Corrections: map[string]string{"CF_NR_FK": "0.5"}}, r, it, "", MustDate("2026-06-11"), "o")
	if err != nil || res.State != ObjectionResolved || res.State.Open() || res.Resolution.Corrections["CF_NR_FK"] != "0.5" || !res.Resolution.Late {
		t.Fatalf("corrected: %+v %v", res, err)
	}
	if ObjectionOverdue(res, MustDate("2026-07-01")) {
		t.Errorf("a resolved objection is never overdue")
	}
	if _, err := ResolveObjection(res, ObjectionResolveInput{Outcome: OutcomeUpheld, Reasons: "x"}, r, it, "", today, "o"); ErrorCode(err) != ECONFLICT {
		t.Errorf("resolve twice: %v", err)
	}
	for _, oc := range []ObjectionOutcome{OutcomeDeleted, OutcomeUpheld} {
		res, err := ResolveObjection(o, ObjectionResolveInput{Outcome: oc, Reasons: "理由"}, r, it, "", today, "o")
		if err != nil || res.Resolution.Outcome != oc || res.Resolution.Late {
			t.Errorf("%s: %+v %v", oc, res, err)
		}
	}
}

// TestObjectionFilerHidden: the record's subject sees an objection filed by
// a member of the public without the filer's name and contact (DOMAIN.md,
// objections: the subject learns what is disputed, not who disputes it);
// everyone else who may read it, and the subject's own objection, show them.
func TestObjectionFilerHidden(t *testing.T) {
	subj := Actor{Kind: "account", ID: "u1", Role: RoleSubject, SubjectID: "s1"}
	other := Actor{Kind: "account", ID: "u2", Role: RoleSubject, SubjectID: "s2"}
	officer := Actor{Kind: "account", ID: "u3", Role: RoleOfficer, DepartmentID: "d1"}
	public := Objection{SubjectID: "s1", FiledBy: "public", Name: "李四", Contact: "13900000000"}
	own := Objection{SubjectID: "s1", AsSubject: true, FiledBy: subj.Ref()}
	for _, c := range []struct {
		name   string
		reader Actor
		o      Objection
		want   bool
	}{
		{"the subject reading the public's objection", subj, public, true},
		{"the subject reading its own objection", subj, own, false},
		{"another subject (who may not read it at all)", other, public, false},
		{"an officer", officer, public, false},
		{"the public filer", Public, public, false},
	} {
		if got := ObjectionFilerHidden(c.reader, c.o); got != c.want {
			t.Errorf("%s: hidden = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestObjectionCorrectionsFollowIntake: a correction is a new record
// version, so each corrected value passes the rules intake applies to a
// submission (目录制管理: only the item's fields, required fields present,
// the catalogue's type, enum values and length — DecideRecord) and is kept
// as intake keeps it (DOMAIN.md §7 and PIPL: personal ID numbers only
// masked; a citizen ID number in a code field masked too).
func TestObjectionCorrectionsFollowIntake(t *testing.T) {
	it := CatalogueItem{Code: "XZCF", Fields: []FieldSpec{
		{Code: "CF_WSH", Label: "行政处罚决定书文号", Type: FieldText, Required: true, MaxLen: 128},
		{Code: "CF_XDR_LB", Label: "行政相对人类别", Type: FieldEnum, Required: true, Values: []string{"法人及非法人组织", "自然人", "个体工商户"}},
		{Code: "CF_XDR_SHXYM", Label: "统一社会信用代码", Type: FieldCode, MaxLen: 18},
		{Code: "CF_FR_ZJHM", Label: "法定代表人证件号码", Type: FieldCode, Personal: true, MaxLen: 32},
		{Code: "CF_WFXW", Label: "违法行为类型", Type: FieldText, Required: true, MaxLen: 10},
		{Code: "CF_NR_FK", Label: "罚款金额", Type: FieldAmount, Unit: "万元"},
		{Code: "CF_JDRQ", Label: "处罚决定日期", Type: FieldDate},
	}}
	r := Record{ID: "r1", Item: "XZCF", SubjectID: "s1", DepartmentID: "d1", Status: RecordActive,
		Fields: map[string]string{"CF_WSH": "x", "CF_XDR_LB": "自然人", "CF_WFXW": "虚假宣传", "CF_NR_FK": "1", "OLD_FIELD": "y"}}
	o := Objection{ID: "o1", State: ObjectionFiled, Version: 1, Deadline: MustDate("2026-06-04")}
	id := makeID(t, "62010219800101123")
	for _, c := range []struct {
		name       string
		field, val string
		rule       string // "" accepted
		kept       string
		basis      string
	}{
		{"amount", "CF_NR_FK", " 0.5 ", "", "0.5", "DecideRecord: amount is a decimal"},
		{"amount not a number", "CF_NR_FK", "abc", "field.amount", "", "catalogue field type amount"},
		{"enum value", "CF_XDR_LB", "个体工商户", "", "个体工商户", "catalogue enum values"},
		{"not an enum value", "CF_XDR_LB", "不是枚举值", "field.enum", "", "catalogue enum values"},
		{"too long", "CF_WFXW", "一二三四五六七八九十十一", "field.text", "", "catalogue max_len"},
		{"date", "CF_JDRQ", "2026-02-30", "field.date", "", "catalogue field type date"},
		{"required emptied", "CF_XDR_LB", " ", "field.required", "", "catalogue required field"},
		{"optional emptied", "CF_JDRQ", "", "", "", "an optional field may be empty"},
		{"personal ID masked", "CF_FR_ZJHM", id, "", MaskID(id), "DOMAIN.md §7: personal code fields kept masked (intake)"},
		{"citizen ID in the USCC column masked", "CF_XDR_SHXYM", id, "", MaskIDIfPerson(id), "DOMAIN.md §7: MaskIDIfPerson (intake)"},
		{"USCC kept", "CF_XDR_SHXYM", "91620100MA74QX3K1E", "", "91620100MA74QX3K1E", "a unified social credit code is public"},
		{"label as key", "罚款金额", "0.7", "", "0.7", "intake accepts a field's label"},
		{"field the item does not define", "OLD_FIELD", "z", "objection.field", "", "目录制管理: only the item's fields"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := ResolveObjection(o, ObjectionResolveInput{Outcome: OutcomeCorrected, Reasons: "经核实更正", Corrections: map[string]string{c.field: c.val}}, r, it, "", MustDate("2026-06-02"), "o")
			if c.rule != "" {
				if ErrorCode(err) != EINVALID || ruleOf(err) != c.rule {
					t.Fatalf("%s (%s): err %v (rule %q), want rule %s", c.name, c.basis, err, ruleOf(err), c.rule)
				}
				var e *Error
				if errors.As(err, &e) && !strings.HasPrefix(e.Fields[0].Field, "corrections") {
					t.Errorf("field error names %q, want corrections.<field>", e.Fields[0].Field)
				}
				if strings.Contains(err.Error(), id) || (e != nil && strings.Contains(e.Fields[0].Value, id)) {
					t.Errorf("the refusal repeats the ID number in clear")
				}
				return
			}
			if err != nil {
				t.Fatalf("%s (%s): %v", c.name, c.basis, err)
			}
			code := c.field
			if f, ok := it.Field(c.field); ok {
				code = f.Code
			}
			if got := res.Resolution.Corrections[code]; got != c.kept || !slices.Equal(res.Resolution.Corrected, []string{code}) {
				t.Errorf("%s (%s): kept %q %v, want %q", c.name, c.basis, got, res.Resolution.Corrected, c.kept)
			}
			if st := StoredResolution(res.Resolution); st.Corrections != nil || !slices.Equal(st.Corrected, []string{code}) || res.Resolution.Corrections == nil {
				t.Errorf("stored resolution keeps values: %+v", st)
			}
		})
	}
}

// TestObjectionOnRecordDeletedByRepair: a record deleted by credit repair
// has its content erased and is shown to nobody (DOMAIN.md §6, repair
// outcome deleted): it cannot be corrected, but the objection is still
// answered (deleted or upheld, saying the record is already deleted) so
// that it does not stay open past its limit.
func TestObjectionOnRecordDeletedByRepair(t *testing.T) {
	r, it := objRecord()
	r.Fields = nil
	o := Objection{ID: "o1", State: ObjectionFiled, Version: 1, Deadline: MustDate("2026-06-04")}
	for _, c := range []struct {
		repaired RepairOutcome
		outcome  ObjectionOutcome
		corr     map[string]string
		code     string
	}{
		{RepairDeleted, OutcomeCorrected, map[string]string{"CF_NR_FK": "0.5"}, ECONFLICT},
		{RepairDeleted, OutcomeDeleted, nil, ""},
		{RepairDeleted, OutcomeUpheld, nil, ""},
		{RepairShielded, OutcomeUpheld, nil, ""},
	} {
		res, err := ResolveObjection(o, ObjectionResolveInput{Outcome: c.outcome, Reasons: "经核实", Corrections: c.corr}, r, it, c.repaired, MustDate("2026-06-02"), "o")
		if ErrorCode(err) != c.code {
			t.Errorf("%s after repair %s: %v, want %q", c.outcome, c.repaired, err, c.code)
			continue
		}
		if c.code != "" {
			if !strings.Contains(ErrorMessage(err), "deleted by credit repair") {
				t.Errorf("refusal does not say why: %v", err)
			}
			continue
		}
		if res.State != ObjectionResolved || res.Resolution.RecordRepaired != c.repaired ||
			strings.Contains(res.Resolution.Reasons, RepairDeletedNote) != (c.repaired == RepairDeleted) {
			t.Errorf("%s after repair %s: %+v", c.outcome, c.repaired, res.Resolution)
		}
	}
}
