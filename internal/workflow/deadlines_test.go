package workflow_test

import (
	"context"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

// The deadlines job and the compliance board (issue 7 "Deadlines and
// compliance", issue 8 "Compliance board"), on a real SQLite store with a
// settable clock: nothing sleeps.

type fixture struct {
	ctx        context.Context
	svc        *workflow.Service
	clk        *clock
	deptA      xinyong.Department
	deptB      xinyong.Department
	offA, offB xinyong.Actor
	admin      xinyong.Actor
	org        string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	clk := &clock{now: day("2026-06-01")} // a Monday
	a, _ := openApp(t, clk)
	var err error
	f := &fixture{ctx: ctx, svc: a.Service, clk: clk, admin: xinyong.Actor{Kind: "account", ID: "adm", Name: "admin", Role: xinyong.RoleAdmin}}
	f.deptA, err = a.Service.CreateDepartment(ctx, xinyong.System, workflow.DepartmentInput{Code: uscc(t, "11620100MB0001AA"), Name: "兰州市市场监督管理局", Provides: []string{"XZCF"}})
	if err != nil {
		t.Fatal(err)
	}
	f.deptB, err = a.Service.CreateDepartment(ctx, xinyong.System, workflow.DepartmentInput{Code: uscc(t, "11620100MB0002BB"), Name: "兰州市税务局", Provides: []string{"XZCF"}})
	if err != nil {
		t.Fatal(err)
	}
	f.offA = xinyong.Actor{Kind: "account", ID: "oa", Name: "officer A", Role: xinyong.RoleOfficer, DepartmentID: f.deptA.ID}
	f.offB = xinyong.Actor{Kind: "account", ID: "ob", Name: "officer B", Role: xinyong.RoleOfficer, DepartmentID: f.deptB.ID}
	f.org = uscc(t, "91620100MA74QX3K")
	return f
}

func (f *fixture) penalty(t *testing.T, actor xinyong.Actor, number, decided string) (xinyong.Record, error) {
	t.Helper()
	res, err := f.svc.SubmitRecord(f.ctx, actor, "", xinyong.RecordInput{
		Item: "XZCF", SubjectCode: f.org, SubjectName: "兰州某某商贸有限公司",
		Document: xinyong.Document{Type: xinyong.DocPenaltyDecision, Number: number, Authority: "兰州市市场监督管理局", DecisionDate: xinyong.MustDate(decided)},
		Fields: map[string]string{"CF_XDR_LB": "法人及非法人组织", "CF_WFXW": "虚假宣传", "CF_SY": "发布虚假广告", "CF_YJ": "《广告法》第五十五条",
			"CF_NR": "罚款人民币贰万元", "CF_NR_FK": "2", "CF_CFJGDM": f.deptA.Code, "CF_SJLY": "兰州市市场监督管理局", "CF_SJLYDM": f.deptA.Code},
		Severity: "general", Categories: []string{"罚款"},
	})
	return res.Record, err
}

// published counts the record.published events about a record.
func (f *fixture) published(t *testing.T, recordID string) int {
	t.Helper()
	n := 0
	err := f.svc.Store.View(f.ctx, func(tx xinyong.Tx) error {
		es, err := tx.Events(0, 100000)
		for _, e := range es {
			if e.Type == xinyong.EventRecordPublished && e.ObjectID == recordID {
				n++
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPublishedWhenWindowOpens: a record whose publication window opens
// after it was written gets record.published exactly once, on the day the
// window opens; a record published at intake gets none from the job.
func TestPublishedWhenWindowOpens(t *testing.T) {
	f := newFixture(t)
	now, err := f.penalty(t, f.offA, "兰市监罚〔2026〕501号", "2026-05-28")
	if err != nil {
		t.Fatal(err)
	}
	later, err := f.penalty(t, f.offA, "兰市监罚〔2026〕502号", "2026-05-29")
	if err != nil {
		t.Fatal(err)
	}
	if f.published(t, now.ID) != 1 || f.published(t, later.ID) != 1 {
		t.Fatalf("intake: %d, %d record.published", f.published(t, now.ID), f.published(t, later.ID))
	}
	// A window that opens later than the write (no rule produces one today;
	// a dated regime or a deferred start would): written on 1 June, opens on
	// Friday 5 June.
	err = f.svc.Store.Update(f.ctx, func(tx xinyong.Tx) error {
		r, err := tx.Record(later.ID)
		if err != nil {
			return err
		}
		r.Version++
		r.Window.Start = xinyong.MustDate("2026-06-05")
		r.UpdatedAt = f.clk.Now()
		return tx.UpdateRecord(r)
	})
	if err != nil {
		t.Fatal(err)
	}
	before := f.published(t, later.ID)
	for _, d := range []string{"2026-06-01", "2026-06-04"} {
		f.clk.Set(day(d))
		run, err := f.svc.RunDeadlines(f.ctx, xinyong.MustDate(d))
		if err != nil || run.Published != 0 {
			t.Fatalf("%s: %+v %v", d, run, err)
		}
	}
	f.clk.Set(day("2026-06-05"))
	run, err := f.svc.RunDeadlines(f.ctx, xinyong.MustDate("2026-06-05"))
	if err != nil || run.Published != 1 {
		t.Fatalf("the day it opens: %+v %v", run, err)
	}
	if got := f.published(t, later.ID); got != before+1 {
		t.Errorf("record.published for the opened window: %d, want %d", got, before+1)
	}
	// Again the same day, the next days: nothing more; the other record
	// never gets a second event.
	for _, d := range []string{"2026-06-05", "2026-06-08", "2026-07-01"} {
		f.clk.Set(day(d))
		if run, err := f.svc.RunDeadlines(f.ctx, xinyong.MustDate(d)); err != nil || run.Published != 0 {
			t.Fatalf("%s again: %+v %v", d, run, err)
		}
	}
	if f.published(t, later.ID) != before+1 || f.published(t, now.ID) != 1 {
		t.Errorf("double emission: %d, %d", f.published(t, later.ID), f.published(t, now.ID))
	}
}

// TestOverdueObjectionAndReminder: an objection filed Monday 1 June is due
// Thursday 4 June (3 working days); officers are reminded 2 working days
// before, it is overdue from Friday, it shows on the board and in the
// cases of its department only.
func TestOverdueObjectionAndReminder(t *testing.T) {
	f := newFixture(t)
	rec, err := f.penalty(t, f.offA, "兰市监罚〔2026〕601号", "2026-05-28")
	if err != nil {
		t.Fatal(err)
	}
	o, err := f.svc.FileObjection(f.ctx, xinyong.Public, rec.ID, xinyong.RecordObjectionInput{Name: "张三", Contact: "13800000000", Reasons: "罚款金额有误"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Deadline != xinyong.MustDate("2026-06-04") {
		t.Fatalf("deadline %s", o.Deadline)
	}
	// Monday: 3 working days left, no reminder yet.
	rs, n, err := f.svc.Reminders(f.ctx, f.offA)
	if err != nil || len(rs) != 0 || n != xinyong.DefaultRemindWorkingDays {
		t.Fatalf("Monday: %+v %d %v", rs, n, err)
	}
	// Tuesday: due within 2 working days.
	f.clk.Set(day("2026-06-02"))
	rs, _, err = f.svc.Reminders(f.ctx, f.offA)
	if err != nil || len(rs) != 1 || rs[0].Status != xinyong.DeadlineDueSoon || rs[0].ObjectID != o.ID || rs[0].WorkingDays != 2 {
		t.Fatalf("Tuesday reminders: %+v %v", rs, err)
	}
	if rs, _, _ := f.svc.Reminders(f.ctx, f.offB); len(rs) != 0 {
		t.Errorf("another department's officer is reminded: %+v", rs)
	}
	run, err := f.svc.RunDeadlines(f.ctx, xinyong.MustDate("2026-06-02"))
	if err != nil || run.Reminded != 1 || run.Overdue != 0 {
		t.Fatalf("job Tuesday: %+v %v", run, err)
	}
	if run, _ := f.svc.RunDeadlines(f.ctx, xinyong.MustDate("2026-06-03")); run.Reminded != 0 {
		t.Errorf("reminded twice: %+v", run)
	}
	// A setting of 0 days: no reminder before the day itself.
	if err := f.svc.SetRemindDays(f.ctx, f.offA, 0); xinyong.ErrorCode(err) != xinyong.EFORBIDDEN {
		t.Errorf("an officer changes the setting: %v", err)
	}
	// Friday: overdue.
	f.clk.Set(day("2026-06-05"))
	run, err = f.svc.RunDeadlines(f.ctx, xinyong.MustDate("2026-06-05"))
	if err != nil || run.Overdue != 1 {
		t.Fatalf("job Friday: %+v %v", run, err)
	}
	ns, err := f.svc.DeadlineNotices(f.ctx, f.offA, 10)
	if err != nil || len(ns) != 2 || ns[0].Status != xinyong.DeadlineOverdue {
		t.Errorf("notices: %+v %v", ns, err)
	}
	rs, _, _ = f.svc.Reminders(f.ctx, f.offA)
	if len(rs) != 1 || rs[0].Status != xinyong.DeadlineOverdue || rs[0].WorkingDays != 1 {
		t.Errorf("Friday reminders: %+v", rs)
	}
	jun := xinyong.Month{Year: 2026, Month: time.June}
	b, err := f.svc.ComplianceBoard(f.ctx, f.offA, workflow.BoardQuery{From: xinyong.Month{Year: 2026, Month: time.May}, To: jun})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Rows) != 1 || b.Rows[0].DepartmentID != f.deptA.ID || b.Rows[0].Cells["2026-06"][xinyong.ViolationObjectionOverdue] != 1 {
		t.Errorf("board: %+v", b)
	}
	cases, err := f.svc.ComplianceCases(f.ctx, f.offA, xinyong.ViolationObjectionOverdue, "", jun, 0)
	if err != nil || len(cases) != 1 || cases[0].ObjectID != o.ID || !cases[0].Open {
		t.Errorf("cases: %+v %v", cases, err)
	}
	// Officer B sees nothing of A's, and may not ask for A's cases.
	if b, _ := f.svc.ComplianceBoard(f.ctx, f.offB, workflow.BoardQuery{From: jun, To: jun}); b.Total != 0 {
		t.Errorf("officer B's board: %+v", b)
	}
	if _, err := f.svc.ComplianceCases(f.ctx, f.offB, xinyong.ViolationObjectionOverdue, f.deptA.ID, jun, 0); xinyong.ErrorCode(err) != xinyong.EFORBIDDEN {
		t.Errorf("officer B asks for A's cases: %v", err)
	}
	// Answered late (Monday 8 June): still a violation of June, no longer open.
	f.clk.Set(day("2026-06-08"))
	if _, err := f.svc.ResolveObjection(f.ctx, f.offA, o.ID, xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeUpheld, Reasons: "核实无误"}); err != nil {
		t.Fatal(err)
	}
	cases, _ = f.svc.ComplianceCases(f.ctx, f.admin, xinyong.ViolationObjectionOverdue, f.deptA.ID, jun, 0)
	if len(cases) != 1 || cases[0].Open || cases[0].WorkingDays != 2 {
		t.Errorf("answered late: %+v", cases)
	}
	if rs, _, _ := f.svc.Reminders(f.ctx, f.offA); len(rs) != 0 {
		t.Errorf("reminders after the answer: %+v", rs)
	}
}

// TestBoardCountsIntake: a late 双公示 record and a submission outside the
// catalogue count for their department and month; only catalogue refusals
// count.
func TestBoardCountsIntake(t *testing.T) {
	f := newFixture(t)
	// Decided Monday 11 May: due 20 May (7 working days); submitted 1 June.
	if _, err := f.penalty(t, f.offA, "兰市监罚〔2026〕701号", "2026-05-11"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.penalty(t, f.offA, "兰市监罚〔2026〕702号", "2026-05-28"); err != nil { // in time
		t.Fatal(err)
	}
	_, err := f.svc.SubmitRecord(f.ctx, f.offA, "", xinyong.RecordInput{Item: "NOT-IN-CATALOGUE", SubjectCode: f.org, SubjectName: "x"})
	if xinyong.ErrorCode(err) != xinyong.EINVALID {
		t.Fatalf("outside the catalogue: %v", err)
	}
	_, err = f.svc.SubmitRecord(f.ctx, f.offA, "", xinyong.RecordInput{Item: "XZCF", SubjectCode: f.org}) // refused, but not for the catalogue
	if xinyong.ErrorCode(err) != xinyong.EINVALID {
		t.Fatalf("bad record: %v", err)
	}
	res, err := f.svc.SubmitBatch(f.ctx, f.offB, "", "atomic", []xinyong.RecordInput{{Item: "NOPE", SubjectCode: f.org, Document: xinyong.Document{Number: "B-1"}}, {Item: "NOPE2", SubjectCode: f.org}})
	if err != nil || res.Committed {
		t.Fatalf("batch: %+v %v", res, err)
	}
	jun := xinyong.Month{Year: 2026, Month: time.June}
	b, err := f.svc.ComplianceBoard(f.ctx, f.admin, workflow.BoardQuery{From: jun, To: jun})
	if err != nil {
		t.Fatal(err)
	}
	cell := func(dept string, k xinyong.ViolationKind) int64 {
		for _, r := range b.Rows {
			if r.DepartmentID == dept {
				return r.Cells["2026-06"][k]
			}
		}
		return 0
	}
	if cell(f.deptA.ID, xinyong.ViolationLateDisclosure) != 1 || cell(f.deptA.ID, xinyong.ViolationOutsideCatalogue) != 1 || cell(f.deptB.ID, xinyong.ViolationOutsideCatalogue) != 2 || b.Total != 4 {
		t.Errorf("board: %+v", b)
	}
	cases, err := f.svc.ComplianceCases(f.ctx, f.admin, xinyong.ViolationOutsideCatalogue, f.deptB.ID, jun, 0)
	if err != nil || len(cases) != 2 || cases[0].Ref == "" {
		t.Errorf("refusal cases: %+v %v", cases, err)
	}
	late, err := f.svc.ComplianceCases(f.ctx, f.offA, xinyong.ViolationLateDisclosure, "", jun, 0)
	if err != nil || len(late) != 1 || late[0].Ref != "兰市监罚〔2026〕701号" || late[0].WorkingDays < 1 {
		t.Errorf("late cases: %+v %v", late, err)
	}
	// The clean-up review is for admins and auditors.
	if _, err := f.svc.CleanupReview(f.ctx, f.offA); xinyong.ErrorCode(err) != xinyong.EFORBIDDEN {
		t.Errorf("officer reads the clean-up review: %v", err)
	}
	es, err := f.svc.CleanupReview(f.ctx, f.admin)
	if err != nil || len(es) == 0 {
		t.Fatalf("clean-up: %d %v", len(es), err)
	}
}

// TestVerifyJob: the verification runs as a job with its result stored.
func TestVerifyJob(t *testing.T) {
	f := newFixture(t)
	if _, err := f.penalty(t, f.offA, "兰市监罚〔2026〕801号", "2026-05-28"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.StartVerifyJob(f.ctx, f.offA); xinyong.ErrorCode(err) != xinyong.EFORBIDDEN {
		t.Errorf("officer starts verification: %v", err)
	}
	j, started, err := f.svc.StartVerifyJob(f.ctx, f.admin)
	if err != nil || !started || j.State != xinyong.VerifyRunning || j.Total == 0 {
		t.Fatalf("start: %+v %v %v", j, started, err)
	}
	again, started2, err := f.svc.StartVerifyJob(f.ctx, f.admin)
	if err != nil || started2 || again.ID != j.ID {
		t.Errorf("second click while running: %+v %v", again, started2)
	}
	done, err := f.svc.RunVerifyJob(f.ctx, j.ID)
	if err != nil || done.State != xinyong.VerifyDone || !done.OK || done.Percent != 100 || done.Result == nil {
		t.Fatalf("run: %+v %v", done, err)
	}
	js, err := f.svc.VerifyJobs(f.ctx, f.admin, 5)
	if err != nil || len(js) != 1 || !js[0].OK {
		t.Errorf("jobs: %+v %v", js, err)
	}
}

// More windows opening on one day than a run tells about at a time: the
// run tells that whole day rather than stall (the watermark could never
// pass a day it may not finish), and days after it follow on later runs.
func TestPublishedWhenMoreOpenOnADayThanARunTells(t *testing.T) {
	defer workflow.SetMaxOpening(1)()
	f := newFixture(t)
	var ids []string
	for i, opens := range []string{"2026-06-05", "2026-06-05", "2026-06-05", "2026-06-08"} {
		r, err := f.penalty(t, f.offA, "兰市监罚〔2026〕"+string(rune('A'+i))+"号", "2026-05-29")
		if err != nil {
			t.Fatal(err)
		}
		err = f.svc.Store.Update(f.ctx, func(tx xinyong.Tx) error {
			cur, err := tx.Record(r.ID)
			if err != nil {
				return err
			}
			cur.Version++
			cur.Window.Start = xinyong.MustDate(opens)
			cur.UpdatedAt = f.clk.Now()
			return tx.UpdateRecord(cur)
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	before := map[string]int{}
	for _, id := range ids {
		before[id] = f.published(t, id)
	}
	f.clk.Set(day("2026-06-08"))
	total := 0
	for range 3 { // a few runs the same day: each tells what it may
		run, err := f.svc.RunDeadlines(f.ctx, xinyong.MustDate("2026-06-08"))
		if err != nil {
			t.Fatal(err)
		}
		total += run.Published
	}
	if total != 4 {
		t.Errorf("%d record.published over the runs, want 4", total)
	}
	for _, id := range ids {
		if got := f.published(t, id); got != before[id]+1 {
			t.Errorf("record %s: %d record.published, want %d", id, got, before[id]+1)
		}
	}
}

// TestCasesMeasureNotListedPaged: an agency's refused feedback lines are
// its cases even when other agencies' newer lines fill the first page read
// (the unit of a line is resolved after reading it).
func TestCasesMeasureNotListedPaged(t *testing.T) {
	f := newFixture(t)
	defer workflow.SetFeedbackPage(1)()
	refuse := func(org string) {
		t.Helper()
		a := xinyong.Actor{Kind: "account", ID: "ag-" + org, Name: org, Role: xinyong.RoleAgency, Organisation: org}
		chk, err := f.svc.Check(f.ctx, a, "91620100MA74QX3K00", "贷款审批", "贷款审批")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Feedback(f.ctx, a, chk.CheckID, []workflow.FeedbackLine{{MeasureID: "NOT-ON-THE-LIST", Applied: true}}); err == nil {
			t.Fatal("feedback applying a measure not on the list was accepted")
		}
	}
	refuse("甲银行")
	refuse("甲银行")
	for range 3 {
		f.clk.Set(f.clk.Now().Add(time.Minute))
		refuse("乙银行")
	}
	m := xinyong.MonthOf(xinyong.DateOf(f.clk.Now()))
	for _, tt := range []struct {
		unit string
		want int
	}{{"org:甲银行", 2}, {"org:乙银行", 3}, {"", 5}} {
		cases, err := f.svc.ComplianceCases(f.ctx, f.admin, xinyong.ViolationMeasureNotListed, tt.unit, m, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(cases) != tt.want {
			t.Errorf("unit %q: %d cases, want %d: %+v", tt.unit, len(cases), tt.want, cases)
		}
	}
}
