package server

import (
	"slices"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// Objections to records (异议, issue 7; DOMAIN.md §6).

func profileMarks(t *testing.T, e *testEnv, code, recID, token string) []string {
	t.Helper()
	var prof workflow.SubjectProfile
	e.do(t, req{Path: "/api/v1/subjects/" + code, Token: token}).json(t, &prof)
	for _, r := range prof.Records {
		if r.ID == recID {
			return r.Marks
		}
	}
	return nil
}

func fileBody() xinyong.RecordObjectionInput {
	return xinyong.RecordObjectionInput{Name: "张三", Contact: "13800000000", Fields: []string{"CF_NR_FK"}, Reasons: "罚款金额登记有误", Evidence: "决定书原件第二页"}
}

// TestObjectionAPI: filing marks the record 异议处理中 at once on the public
// page and API; bad input and another subject are refused; the platform
// forwards; the department answers; the mark goes away.
func TestObjectionAPI(t *testing.T) {
	f := newListingFixture(t)
	e := f.e
	admin := e.token(t, "admin", "", "")
	offB := f.offB
	if m := profileMarks(t, e, f.orgCode, f.recA1, ""); slices.Contains(m, xinyong.MarkInDispute) {
		t.Fatalf("marked before any objection: %v", m)
	}
	// Bad input: no reasons, no contact from the public, an unknown field, an unknown record.
	p := e.do(t, req{Method: "POST", Path: "/api/v1/records/" + f.recA1 + "/objections", Body: xinyong.RecordObjectionInput{Fields: []string{"NOPE"}}}).problem(t, 400, xinyong.EINVALID)
	if !p.hasField("reasons", "required") || !p.hasField("name", "objection.filer") || !p.hasField("fields", "objection.field") {
		t.Errorf("bad objection: %+v", p)
	}
	e.do(t, req{Method: "POST", Path: "/api/v1/records/nope/objections", Body: fileBody()}).problem(t, 404, xinyong.ENOTFOUND)
	if n := len(e.auditEvents(t, xinyong.AuditFilter{ObjectType: "objection"})); n != 0 {
		t.Fatalf("refused objections left %d audit events", n)
	}

	// The public objects to published information.
	r := e.do(t, req{Method: "POST", Path: "/api/v1/records/" + f.recA1 + "/objections", Body: fileBody()})
	if r.Status != 201 {
		t.Fatalf("file: %s", r)
	}
	var o xinyong.Objection
	r.json(t, &o)
	if o.State != xinyong.ObjectionFiled || o.Deadline.IsZero() || o.RecordID != f.recA1 || o.AsSubject {
		t.Fatalf("filed: %+v", o)
	}
	if m := profileMarks(t, e, f.orgCode, f.recA1, ""); !slices.Contains(m, xinyong.MarkInDispute) {
		t.Fatalf("public API: not marked 异议处理中: %v", m)
	}
	if m := profileMarks(t, e, f.orgCode, f.recA2, ""); slices.Contains(m, xinyong.MarkInDispute) {
		t.Fatalf("the other record is marked too: %v", m)
	}
	if page := e.do(t, req{Path: "/subjects/" + f.orgCode + "?tab=penalty"}); !strings.Contains(string(page.Body), xinyong.MarkInDispute) {
		t.Errorf("public page does not show 异议处理中")
	}
	// The same party again: refused while the first is handled.
	e.do(t, req{Method: "POST", Path: "/api/v1/records/" + f.recA1 + "/objections", Body: fileBody()}).problem(t, 409, xinyong.ECONFLICT)

	// Another subject cannot object as the subject; the record's subject can.
	subj := xinyong.Actor{Kind: "account", ID: "u-s", Role: xinyong.RoleSubject, SubjectID: o.SubjectID}
	other := xinyong.Actor{Kind: "account", ID: "u-o", Role: xinyong.RoleSubject, SubjectID: "other"}
	if so, err := e.svc.FileObjection(e.ctx, other, f.recA2, xinyong.RecordObjectionInput{Reasons: "不是我的"}); err == nil || so.AsSubject {
		t.Errorf("another subject objects as the subject: %+v %v", so, err)
	}
	so, err := e.svc.FileObjection(e.ctx, subj, f.recA2, xinyong.RecordObjectionInput{Reasons: "已依法撤销"})
	if err != nil || !so.AsSubject {
		t.Fatalf("subject objects: %+v %v", so, err)
	}

	// Only the platform forwards; officers of other departments see nothing.
	e.do(t, req{Method: "POST", Path: "/api/v1/objections/" + o.ID + "/forward", Token: f.offA}).problem(t, 403, xinyong.EFORBIDDEN)
	e.do(t, req{Method: "POST", Path: "/api/v1/objections/" + o.ID + "/forward", Token: offB}).problem(t, 404, xinyong.ENOTFOUND)
	r = e.do(t, req{Method: "POST", Path: "/api/v1/objections/" + o.ID + "/forward", Token: admin, Body: xinyong.ObjectionForwardInput{Note: "需信息提供单位核实"}})
	if r.Status != 200 {
		t.Fatalf("forward: %s", r)
	}
	var fo xinyong.Objection
	r.json(t, &fo)
	if fo.State != xinyong.ObjectionForwarded || !fo.Deadline.After(o.Deadline) {
		t.Fatalf("forwarded: %+v (filed deadline %s)", fo, o.Deadline)
	}
	e.do(t, req{Method: "POST", Path: "/api/v1/objections/" + o.ID + "/forward", Token: admin}).problem(t, 409, xinyong.ECONFLICT)

	// Queues: officers see their own department's.
	var q struct {
		Objections []workflow.ObjectionView `json:"objections"`
	}
	e.do(t, req{Path: "/api/v1/objections", Token: f.offA}).json(t, &q)
	if len(q.Objections) != 2 {
		t.Errorf("department A queue: %+v", q.Objections)
	}
	q.Objections = nil
	e.do(t, req{Path: "/api/v1/objections", Token: offB}).json(t, &q)
	if len(q.Objections) != 0 {
		t.Errorf("department B sees A's objections: %+v", q.Objections)
	}
	e.do(t, req{Path: "/api/v1/objections?overdue=true", Token: f.offA}).json(t, &q)
	if len(q.Objections) != 0 {
		t.Errorf("overdue on the day of filing: %+v", q.Objections)
	}
	e.do(t, req{Path: "/api/v1/objections?overdue=maybe", Token: f.offA}).problem(t, 400, xinyong.EINVALID)
	e.do(t, req{Path: "/api/v1/objections"}).problem(t, 401, xinyong.EUNAUTHORIZED)

	// Resolve: bad input refused; department B may not; A corrects.
	e.do(t, req{Method: "POST", Path: "/api/v1/objections/" + o.ID + "/resolve", Token: f.offA, Body: xinyong.ObjectionResolveInput{Outcome: "maybe"}}).problem(t, 400, xinyong.EINVALID)
	e.do(t, req{Method: "POST", Path: "/api/v1/objections/" + o.ID + "/resolve", Token: f.offA, Body: xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeCorrected, Reasons: "登记有误"}}).problem(t, 400, xinyong.EINVALID)
	e.do(t, req{Method: "POST", Path: "/api/v1/objections/" + o.ID + "/resolve", Token: offB, Body: xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeUpheld, Reasons: "x"}}).problem(t, 404, xinyong.ENOTFOUND)
	before, _, err := e.svc.RecordView(e.ctx, xinyong.System, f.recA1)
	if err != nil {
		t.Fatal(err)
	}
	r = e.do(t, req{Method: "POST", Path: "/api/v1/objections/" + o.ID + "/resolve", Token: f.offA, Body: xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeCorrected, Reasons: "经核实，罚款金额登记有误", Corrections: map[string]string{"CF_NR_FK": "0.5"}}})
	if r.Status != 200 {
		t.Fatalf("resolve: %s", r)
	}
	var ro xinyong.Objection
	r.json(t, &ro)
	after, versions, err := e.svc.RecordView(e.ctx, xinyong.System, f.recA1)
	if err != nil {
		t.Fatal(err)
	}
	if ro.State != xinyong.ObjectionResolved || ro.Resolution.RecordVersion != before.Version+1 || after.Version != before.Version+1 || after.Fields["CF_NR_FK"] != "0.5" || len(versions) != after.Version {
		t.Fatalf("corrected: %+v record %+v", ro.Resolution, after.Fields)
	}
	if m := profileMarks(t, e, f.orgCode, f.recA1, ""); slices.Contains(m, xinyong.MarkInDispute) {
		t.Errorf("still marked after the answer: %v", m)
	}
	e.do(t, req{Method: "POST", Path: "/api/v1/objections/" + o.ID + "/resolve", Token: f.offA, Body: xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeUpheld, Reasons: "x"}}).problem(t, 409, xinyong.ECONFLICT)
	var got struct {
		Objection workflow.ObjectionView `json:"objection"`
		History   []xinyong.Objection    `json:"history"`
	}
	e.do(t, req{Path: "/api/v1/objections/" + o.ID, Token: admin}).json(t, &got)
	if len(got.History) != 3 || got.Objection.Resolution == nil {
		t.Errorf("history: %+v", got)
	}
	if n := len(e.auditEvents(t, xinyong.AuditFilter{ObjectType: "objection", ObjectID: o.ID})); n != 3 {
		t.Errorf("audit events: %d", n)
	}

	// Deleted: the record leaves the public page.
	r = e.do(t, req{Method: "POST", Path: "/api/v1/objections/" + so.ID + "/resolve", Token: admin, Body: xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeDeleted, Reasons: "处罚决定已被撤销"}})
	if r.Status != 200 {
		t.Fatalf("resolve deleted: %s", r)
	}
	rec, _, err := e.svc.RecordView(e.ctx, xinyong.System, f.recA2)
	if err != nil || rec.Status != xinyong.RecordWithdrawn || rec.Window.Published {
		t.Fatalf("deleted: %+v %v", rec, err)
	}
	var prof workflow.SubjectProfile
	e.do(t, req{Path: "/api/v1/subjects/" + f.orgCode}).json(t, &prof)
	for _, pr := range prof.Records {
		if pr.ID == f.recA2 {
			t.Errorf("deleted record still public")
		}
	}
	// The event objection.resolved was written with each answer.
	evs := e.auditEvents(t, xinyong.AuditFilter{Action: workflow.ActObjectionResolve})
	if len(evs) != 2 {
		t.Errorf("resolve audits: %d", len(evs))
	}
	feed := e.do(t, req{Path: "/api/v1/events?after=0", Token: admin})
	if feed.Status != 200 || strings.Count(string(feed.Body), xinyong.EventObjectionResolved) != 2 {
		t.Errorf("events: want two objection.resolved: %s", feed)
	}
	// Every step was a ledger leaf that verification recomputes.
	rep, err := e.svc.Verify(e.ctx, "", nil)
	if err != nil || !rep.OK() || rep.Objections == 0 {
		t.Fatalf("ledger verify after the objections: %v %+v", err, rep)
	}
}

// TestObjectionUpheldAndOverdue: an upheld objection keeps the record;
// deadlines are 3 / 7 working days on the calendar.
func TestObjectionUpheldAndOverdue(t *testing.T) {
	f := newListingFixture(t)
	e := f.e
	o, err := e.svc.FileObjection(e.ctx, xinyong.Actor{Kind: "public"}, f.recA1, fileBody())
	if err != nil {
		t.Fatal(err)
	}
	cal, err := e.svc.Calendar(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := cal.AddWorkingDays(o.FiledOn, 3); o.Deadline != want {
		t.Errorf("deadline %s, want %s (3 working days)", o.Deadline, want)
	}
	fo, err := e.svc.ForwardObjection(e.ctx, xinyong.System, o.ID, xinyong.ObjectionForwardInput{})
	if err != nil {
		t.Fatal(err)
	}
	if want := cal.AddWorkingDays(o.FiledOn, 7); fo.Deadline != want {
		t.Errorf("forwarded deadline %s, want %s (7 working days)", fo.Deadline, want)
	}
	ro, err := e.svc.ResolveObjection(e.ctx, xinyong.System, o.ID, xinyong.ObjectionResolveInput{Outcome: xinyong.OutcomeUpheld, Reasons: "经核实，记录准确"})
	if err != nil || ro.Resolution.Outcome != xinyong.OutcomeUpheld || ro.Resolution.Late {
		t.Fatalf("upheld: %+v %v", ro, err)
	}
	rec, _, _ := e.svc.RecordView(e.ctx, xinyong.System, f.recA1)
	if rec.Status != xinyong.RecordActive || rec.Version != 1 {
		t.Errorf("upheld changed the record: %+v", rec)
	}
}
