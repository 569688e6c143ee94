package workflow_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/pgtest"
	"xinyong/internal/workflow"
)

// GenSession (genbatch.go) against SubmitBatch and Withdraw: the same
// submissions at the same simulated times give the same outcomes, records,
// audit trail, events and refusals, in fewer transactions; on SQLite and
// (with XINYONG_TEST_POSTGRES) PostgreSQL.

var genStores = []struct {
	name string
	db   func(t *testing.T, dir string) string
}{
	{"sqlite", func(t *testing.T, dir string) string { return "sqlite:" + filepath.Join(dir, "x.db") }},
	{"postgres", func(t *testing.T, dir string) string { return pgtest.DSN(t) }},
}

type genEnv struct {
	ctx   context.Context
	svc   *workflow.Service
	clk   *clock
	deptA xinyong.Department
	deptB xinyong.Department
}

var genActor = xinyong.Actor{Kind: "cli", ID: "cli:test", Name: "cli:test", Role: xinyong.RoleAdmin}

func newGenEnv(t *testing.T, db func(t *testing.T, dir string) string) *genEnv {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	clk := &clock{now: day("2026-05-04")}
	a, _ := openAppIn(t, clk, dir, db(t, dir))
	e := &genEnv{ctx: ctx, svc: a.Service, clk: clk}
	var err error
	if e.deptA, err = a.Service.CreateDepartment(ctx, xinyong.System, workflow.DepartmentInput{Code: uscc(t, "11620100MB0001AA"), Name: "兰州市市场监督管理局", Provides: []string{"XZCF"}}); err != nil {
		t.Fatal(err)
	}
	if e.deptB, err = a.Service.CreateDepartment(ctx, xinyong.System, workflow.DepartmentInput{Code: uscc(t, "11620100MB0002BB"), Name: "兰州市税务局", Provides: []string{"XZCF"}}); err != nil {
		t.Fatal(err)
	}
	return e
}

func genPenalty(dept xinyong.Department, org, name, number, decided, fine string) xinyong.RecordInput {
	return xinyong.RecordInput{
		Item: "XZCF", SubjectCode: org, SubjectName: name,
		Document: xinyong.Document{Type: xinyong.DocPenaltyDecision, Number: number, Authority: dept.Name, DecisionDate: xinyong.MustDate(decided)},
		Fields: map[string]string{"CF_XDR_LB": "法人及非法人组织", "CF_WFXW": "虚假宣传", "CF_SY": "发布虚假广告", "CF_YJ": "《广告法》第五十五条",
			"CF_NR": "罚款人民币" + fine + "万元", "CF_NR_FK": fine, "CF_CFJGDM": dept.Code, "CF_SJLY": dept.Name, "CF_SJLYDM": dept.Code},
		Severity: "general", Categories: []string{"罚款"},
	}
}

// genOp is a batch (dept set) or a withdrawal (number set) at a time.
type genOp struct {
	at     time.Time
	dept   func(e *genEnv) xinyong.Department
	ins    func(e *genEnv) []xinyong.RecordInput
	number string // withdraw the record of this decision number (department A)
}

func genScenario(t *testing.T) []genOp {
	orgA, orgB := uscc(t, "91620100MA74QX3K"), uscc(t, "91620100MA74QX4L")
	a := func(e *genEnv) xinyong.Department { return e.deptA }
	b := func(e *genEnv) xinyong.Department { return e.deptB }
	return []genOp{
		// Decided Monday 11 May, submitted 1 June: late. Then one in
		// time, one outside the catalogue, one without its fields.
		{at: day("2026-06-01"), dept: a, ins: func(e *genEnv) []xinyong.RecordInput {
			return []xinyong.RecordInput{genPenalty(e.deptA, orgA, "兰州某某商贸有限公司", "兰市监罚〔2026〕801号", "2026-05-11", "2"),
				genPenalty(e.deptA, orgB, "兰州某某物流有限公司", "兰市监罚〔2026〕802号", "2026-05-28", "1"),
				{Item: "NOT-IN-CATALOGUE", SubjectCode: orgA, SubjectName: "x", Document: xinyong.Document{Number: "X-1"}},
				{Item: "XZCF", SubjectCode: orgA}}
		}},
		// The other department, a day later: the organisation renamed.
		{at: day("2026-06-02"), dept: b, ins: func(e *genEnv) []xinyong.RecordInput {
			return []xinyong.RecordInput{genPenalty(e.deptB, orgA, "兰州某某商贸集团有限公司", "兰税罚〔2026〕11号", "2026-06-01", "3")}
		}},
		// A new version of 801, 802 unchanged, a new one.
		{at: day("2026-06-03"), dept: a, ins: func(e *genEnv) []xinyong.RecordInput {
			return []xinyong.RecordInput{genPenalty(e.deptA, orgA, "兰州某某商贸集团有限公司", "兰市监罚〔2026〕801号", "2026-05-11", "2.5"),
				genPenalty(e.deptA, orgB, "兰州某某物流有限公司", "兰市监罚〔2026〕802号", "2026-05-28", "1"),
				genPenalty(e.deptA, orgB, "兰州某某物流有限公司", "兰市监罚〔2026〕803号", "2026-06-03", "4")}
		}},
		{at: day("2026-06-04"), number: "兰市监罚〔2026〕802号"},
		// A record submitted and withdrawn on the same day.
		{at: day("2026-06-05"), dept: a, ins: func(e *genEnv) []xinyong.RecordInput {
			return []xinyong.RecordInput{genPenalty(e.deptA, orgA, "兰州某某商贸集团有限公司", "兰市监罚〔2026〕804号", "2026-06-04", "1")}
		}},
		{at: day("2026-06-05").Add(time.Millisecond), number: "兰市监罚〔2026〕804号"},
	}
}

// genTrail is what a run leaves that does not depend on random ids.
type genTrail struct {
	Results  []string
	Records  []string
	Audit    []string
	Events   []string
	Refusals []string
}

func (e *genEnv) trail(t *testing.T, results []string) genTrail {
	t.Helper()
	tr := genTrail{Results: results}
	err := e.svc.Store.View(e.ctx, func(tx xinyong.Tx) error {
		for _, d := range []xinyong.Department{e.deptA, e.deptB} {
			rs, err := tx.ListRecords(xinyong.RecordFilter{DepartmentID: d.ID, Limit: 100})
			if err != nil {
				return err
			}
			for _, r := range rs {
				w := ""
				if r.Withdrawal != nil {
					w = r.Withdrawal.At.UTC().String() + " " + r.Withdrawal.Reason
				}
				vs, err := tx.RecordVersions(r.ID)
				if err != nil {
					return err
				}
				tr.Records = append(tr.Records, fmt.Sprintf("%s v%d %s %s late=%+v window=%+v submitted=%s updated=%s fields=%v name=%s withdrawal=%s versions=%d",
					r.Document.Number, r.Version, r.Status, r.SubjectName, r.Lateness, r.Window, r.SubmittedAt.UTC(), r.UpdatedAt.UTC(), r.Fields, r.SubjectName, w, len(vs)))
			}
		}
		s, err := tx.SubjectByKey(uscc(t, "91620100MA74QX3K"))
		if err != nil {
			return err
		}
		tr.Records = append(tr.Records, "subject "+s.Name)
		as, err := tx.ListAudit(xinyong.AuditFilter{Limit: 1000})
		if err != nil {
			return err
		}
		for _, a := range as {
			if a.Action == "record.batch" || a.Action == "record.withdraw" {
				tr.Audit = append(tr.Audit, fmt.Sprintf("%s %s %s %s", a.At.UTC(), a.Action, a.Actor, a.Detail))
			}
		}
		es, err := tx.Events(0, 1000)
		if err != nil {
			return err
		}
		for _, ev := range es {
			tr.Events = append(tr.Events, fmt.Sprintf("%s %s", ev.Type, ev.CreatedAt.UTC()))
		}
		rf, err := tx.IntakeRefusals("", time.Time{}, time.Now().AddDate(10, 0, 0), 100)
		if err != nil {
			return err
		}
		for _, r := range rf {
			tr.Refusals = append(tr.Refusals, fmt.Sprintf("%s %s %d %s %s %s", r.At.UTC(), r.Channel, r.Row, r.Item, r.Number, r.Rule))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := e.svc.Verify(e.ctx, "", nil)
	if err != nil || !rep.OK() {
		t.Fatalf("ledger verify: %+v %v", rep.Problems, err)
	}
	return tr
}

func resultLine(res workflow.BatchResult) string {
	s := fmt.Sprintf("%d accepted %d rejected:", res.Accepted, res.Rejected)
	for _, it := range res.Items {
		rule := ""
		if len(it.Errors) > 0 {
			rule = it.Errors[0].Rule
		}
		s += fmt.Sprintf(" [%d %s %s %s]", it.Index, it.Outcome, it.Code, rule)
	}
	return s
}

func (e *genEnv) recordID(t *testing.T, number string) string {
	t.Helper()
	var id string
	err := e.svc.Store.View(e.ctx, func(tx xinyong.Tx) error {
		rs, err := tx.ListRecords(xinyong.RecordFilter{DepartmentID: e.deptA.ID, Limit: 100})
		for _, r := range rs {
			if r.Document.Number == number {
				id = r.ID
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func checkpoints(t *testing.T, e *genEnv) int {
	t.Helper()
	var n int
	err := e.svc.Store.View(e.ctx, func(tx xinyong.Tx) error {
		cs, err := tx.Checkpoints(100000)
		n = len(cs)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestGenSessionMatchesSubmitBatch(t *testing.T) {
	for _, st := range genStores {
		t.Run(st.name, func(t *testing.T) {
			ops := genScenario(t)
			// One transaction per batch and withdrawal.
			one := newGenEnv(t, st.db)
			before := checkpoints(t, one)
			var results []string
			for _, op := range ops {
				one.clk.Set(op.at)
				if op.number != "" {
					if _, err := one.svc.Withdraw(one.ctx, genActor, one.recordID(t, op.number), "revoked", "复议撤销"); err != nil {
						t.Fatal(err)
					}
					continue
				}
				res, err := one.svc.SubmitBatch(one.ctx, genActor, op.dept(one).Code, "each", op.ins(one))
				if err != nil {
					t.Fatal(err)
				}
				results = append(results, resultLine(res))
			}
			want := one.trail(t, results)
			perOp := checkpoints(t, one) - before

			// All in one session transaction, the store's clock elsewhere.
			many := newGenEnv(t, st.db)
			before = checkpoints(t, many)
			sess := many.svc.NewGenSession(many.ctx, genActor, 0)
			defer sess.Abort()
			results = nil
			ids := map[string]string{} // decision number → id, from the results
			for _, op := range ops {
				if op.number != "" {
					if _, err := sess.Withdraw(op.at, ids[op.number], "revoked", "复议撤销"); err != nil {
						t.Fatal(err)
					}
					continue
				}
				ins := op.ins(many)
				res, err := sess.SubmitBatch(op.at, op.dept(many).Code, ins)
				if err != nil {
					t.Fatal(err)
				}
				for _, it := range res.Items {
					if it.ID != "" {
						ids[ins[it.Index].Document.Number] = it.ID
					}
				}
				results = append(results, resultLine(res))
			}
			if err := sess.Commit(); err != nil {
				t.Fatal(err)
			}
			got := many.trail(t, results)
			if n := checkpoints(t, many) - before; sess.Transactions() != 1 || n != 1 || perOp != len(ops) {
				t.Errorf("%d transactions, %d checkpoints; one per operation: %d checkpoints", sess.Transactions(), n, perOp)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("session:\n%s\nSubmitBatch and Withdraw:\n%s", dump(got), dump(want))
			}
			if len(want.Refusals) != 1 || len(want.Audit) != len(ops) || len(want.Records) != 6 {
				t.Errorf("scenario: %s", dump(want))
			}
		})
	}
}

func dump(tr genTrail) string {
	s := ""
	for _, l := range [][]string{tr.Results, tr.Records, tr.Audit, tr.Events, tr.Refusals} {
		for _, x := range l {
			s += "  " + x + "\n"
		}
		s += "  --\n"
	}
	return s
}

// TestGenSessionCommitsAndFailures: a session commits every perTx
// submissions; a failure rolls back the open transaction only and ends the
// session; Abort rolls back.
func TestGenSessionCommitsAndFailures(t *testing.T) {
	e := newGenEnv(t, genStores[0].db)
	org := uscc(t, "91620100MA74QX3K")
	count := func() int {
		var n int
		err := e.svc.Store.View(e.ctx, func(tx xinyong.Tx) error {
			rs, err := tx.ListRecords(xinyong.RecordFilter{DepartmentID: e.deptA.ID, Limit: 1000})
			n = len(rs)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	sess := e.svc.NewGenSession(e.ctx, genActor, 2)
	for i := range 5 {
		res, err := sess.SubmitBatch(day("2026-06-01").Add(time.Duration(i)*time.Millisecond), e.deptA.Code,
			[]xinyong.RecordInput{genPenalty(e.deptA, org, "兰州某某商贸有限公司", fmt.Sprintf("兰市监罚〔2026〕9%02d号", i), "2026-05-28", "1")})
		if err != nil || res.Accepted != 1 {
			t.Fatalf("%+v %v", res, err)
		}
	}
	// Two transactions of two committed; the fifth batch is open.
	if sess.Transactions() != 2 || count() != 4 {
		t.Fatalf("%d transactions, %d records", sess.Transactions(), count())
	}
	// Withdrawing an unknown record fails: the open transaction (the fifth
	// batch) rolls back, and the session is over.
	if _, err := sess.Withdraw(day("2026-06-02"), "no-such-record", "revoked", ""); xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
		t.Fatalf("unknown record: %v", err)
	}
	if _, err := sess.SubmitBatch(day("2026-06-03"), e.deptA.Code, []xinyong.RecordInput{genPenalty(e.deptA, org, "x", "兰市监罚〔2026〕999号", "2026-05-28", "1")}); err == nil {
		t.Fatal("a failed session goes on")
	}
	if err := sess.Commit(); err == nil {
		t.Fatal("a failed session commits")
	}
	sess.Abort()
	if count() != 4 {
		t.Fatalf("%d records after the failure", count())
	}
	// Abort rolls back what is open.
	sess = e.svc.NewGenSession(e.ctx, genActor, 0)
	if _, err := sess.SubmitBatch(day("2026-06-03"), e.deptA.Code, []xinyong.RecordInput{genPenalty(e.deptA, org, "x", "兰市监罚〔2026〕998号", "2026-05-28", "1")}); err != nil {
		t.Fatal(err)
	}
	sess.Abort()
	sess.Abort()
	if count() != 4 {
		t.Fatalf("%d records after Abort", count())
	}
	// An empty or oversized batch is refused without touching the session.
	sess = e.svc.NewGenSession(e.ctx, genActor, 0)
	if _, err := sess.SubmitBatch(day("2026-06-03"), e.deptA.Code, nil); xinyong.ErrorCode(err) != xinyong.EINVALID {
		t.Fatalf("empty batch: %v", err)
	}
	if err := sess.Commit(); err != nil || sess.Transactions() != 0 {
		t.Fatalf("commit of nothing: %v, %d transactions", err, sess.Transactions())
	}
	rep, err := e.svc.Verify(e.ctx, "", nil)
	if err != nil || !rep.OK() {
		t.Fatalf("ledger verify: %+v %v", rep.Problems, err)
	}
}
