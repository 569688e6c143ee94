package server

import (
	"testing"

	"xinyong"
)

// TestAuthorisationBoundaries walks role × endpoint: who may write, who may
// read which department's records, and how a refusal looks.
func TestAuthorisationBoundaries(t *testing.T) {
	e := newEnv(t)
	a := e.dept(t, "11620000MB192104", "甘肃省市场监督管理局", "XZCF")
	b := e.dept(t, "11620000MB192200", "甘肃省生态环境厅", "XZCF", "XZXK")
	offA := e.token(t, "officer", a.Code, "")
	offB := e.token(t, "officer", b.Code, "")
	auditor := e.token(t, "auditor", "", "")
	agency := e.token(t, "agency", "", "")
	reviewerA := e.token(t, "reviewer", a.Code, "")

	subject := uscc(t, "91620100MA000001")
	recA := penaltyInput(t, subject, "兰州某某商贸有限公司", "甘市监罚〔2025〕1号")
	r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: offA, Body: recA})
	if r.Status != 201 {
		t.Fatalf("officer A submits for A: %s", r)
	}
	var created struct {
		Record xinyong.Record `json:"record"`
	}
	r.json(t, &created)
	idA := created.Record.ID

	license := xinyong.RecordInput{Item: "XZXK", SubjectCode: subject, SubjectName: "兰州某某商贸有限公司",
		Document: xinyong.Document{Type: xinyong.DocLicenseDecision, Number: "甘环许〔2025〕3号", Authority: "甘肃省生态环境厅", DecisionDate: xinyong.MustDate("2025-03-03")}}
	forB := recA
	forB.Document.Number = "甘市监罚〔2025〕2号"

	withDept := func(in xinyong.RecordInput, dept string) map[string]any {
		return map[string]any{"department": dept, "item": in.Item, "subject_code": in.SubjectCode, "subject_name": in.SubjectName, "document": in.Document, "fields": in.Fields, "severity": in.Severity, "categories": in.Categories}
	}
	dept := map[string]any{"code": uscc(t, "11620000MB300001"), "name": "甘肃省税务局", "provides": []string{"行政处罚"}}

	cases := []struct {
		name   string
		q      req
		status int
		code   string
	}{
		{"public cannot submit a record", req{Method: "POST", Path: "/api/v1/records", Body: recA}, 401, "unauthorized"},
		{"public cannot submit naming a department", req{Method: "POST", Path: "/api/v1/records", Body: withDept(forB, a.Code)}, 401, "unauthorized"},
		{"public cannot submit a batch", req{Method: "POST", Path: "/api/v1/records:batch", Body: map[string]any{"mode": "each", "records": []any{recA}}}, 401, "unauthorized"},
		{"public cannot add a department", req{Method: "POST", Path: "/api/v1/departments", Body: dept}, 401, "unauthorized"},
		{"public cannot create a token", req{Method: "POST", Path: "/api/v1/tokens", Body: map[string]any{"name": "x", "role": "admin"}}, 401, "unauthorized"},
		{"public cannot withdraw", req{Method: "POST", Path: "/api/v1/records/" + idA + "/withdraw", Body: map[string]any{"reason": "revoked"}}, 401, "unauthorized"},
		{"public cannot read the audit log", req{Path: "/api/v1/audit"}, 401, "unauthorized"},
		{"public cannot list records", req{Path: "/api/v1/records"}, 401, "unauthorized"},
		{"public reads the catalogue", req{Path: "/api/v1/catalogue"}, 200, ""},
		{"public reads the ledger checkpoint", req{Path: "/api/v1/ledger/checkpoint"}, 200, ""},
		{"officer cannot add a department", req{Method: "POST", Path: "/api/v1/departments", Token: offA, Body: dept}, 403, "forbidden"},
		{"officer cannot change a department", req{Method: "PATCH", Path: "/api/v1/departments/" + a.Code, Token: offA, Body: map[string]any{"provides": []string{"XZCF", "XZXK"}}}, 403, "forbidden"},
		{"officer cannot create tokens", req{Method: "POST", Path: "/api/v1/tokens", Token: offA, Body: map[string]any{"name": "x", "role": "officer", "department": a.Code}}, 403, "forbidden"},
		{"officer cannot list accounts", req{Path: "/api/v1/accounts", Token: offA}, 403, "forbidden"},
		{"officer cannot read the audit log", req{Path: "/api/v1/audit", Token: offA}, 403, "forbidden"},
		{"officer cannot propose catalogue items", req{Method: "POST", Path: "/api/v1/catalogue/items", Token: offA, Body: map[string]any{"code": "GSX1", "name": "试点信息"}}, 403, "forbidden"},
		{"officer of A cannot submit for B", req{Method: "POST", Path: "/api/v1/records", Token: offA, Body: withDept(forB, b.Code)}, 403, "forbidden"},
		{"officer of A cannot batch for B", req{Method: "POST", Path: "/api/v1/records:batch", Token: offA, Body: map[string]any{"mode": "each", "department": b.Code, "records": []any{forB}}}, 403, "forbidden"},
		{"officer cannot submit an item the department does not provide", req{Method: "POST", Path: "/api/v1/records", Token: offA, Body: license}, 403, "forbidden"},
		{"officer of B cannot read A's record", req{Path: "/api/v1/records/" + idA, Token: offB}, 404, "not_found"},
		{"officer of B cannot withdraw A's record", req{Method: "POST", Path: "/api/v1/records/" + idA + "/withdraw", Token: offB, Body: map[string]any{"reason": "revoked"}}, 404, "not_found"}, // who may not read it learns nothing of it
		{"agency cannot submit", req{Method: "POST", Path: "/api/v1/records", Token: agency, Body: recA}, 403, "forbidden"},
		{"agency cannot read the audit log", req{Path: "/api/v1/audit", Token: agency}, 403, "forbidden"},
		{"agency cannot list records", req{Path: "/api/v1/records", Token: agency}, 403, "forbidden"},
		{"auditor cannot submit", req{Method: "POST", Path: "/api/v1/records", Token: auditor, Body: withDept(forB, a.Code)}, 403, "forbidden"},
		{"auditor cannot add a department", req{Method: "POST", Path: "/api/v1/departments", Token: auditor, Body: dept}, 403, "forbidden"},
		{"reviewer cannot submit", req{Method: "POST", Path: "/api/v1/records", Token: reviewerA, Body: forB}, 403, "forbidden"},
		{"officer of A reads A's record", req{Path: "/api/v1/records/" + idA, Token: offA}, 200, ""},
		{"reviewer of A reads A's record", req{Path: "/api/v1/records/" + idA, Token: reviewerA}, 200, ""},
		{"auditor reads A's record", req{Path: "/api/v1/records/" + idA, Token: auditor}, 200, ""},
		{"auditor reads the audit log", req{Path: "/api/v1/audit", Token: auditor}, 200, ""},
		{"auditor lists accounts", req{Path: "/api/v1/accounts", Token: auditor}, 200, ""},
		{"officer of B submits an item B provides", req{Method: "POST", Path: "/api/v1/records", Token: offB, Body: license}, -1, ""},
		{"admin adds a department", req{Method: "POST", Path: "/api/v1/departments", Token: e.admin, Body: dept}, 201, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.ledgerSize(t)
			r := e.do(t, c.q)
			if c.status == -1 {
				// Allowed: whatever the rules then say, it is not an access refusal.
				if r.Status == 401 || r.Status == 403 {
					t.Fatalf("refused: %s", r)
				}
				return
			}
			if c.code != "" {
				r.problem(t, c.status, c.code)
				if got := e.ledgerSize(t); got != before {
					t.Errorf("a refused request grew the ledger from %d to %d", before, got)
				}
				return
			}
			if r.Status != c.status {
				t.Fatalf("status %d, want %d: %s", r.Status, c.status, r)
			}
		})
	}

	// Nothing was written for B by A, and officers list only their own records.
	if n := len(e.storedRecords(t, b.ID)); n > 1 {
		t.Errorf("department B has %d records", n)
	}
	for _, tc := range []struct {
		token string
		want  string
	}{{offA, a.ID}, {offB, b.ID}} {
		var list struct {
			Records []xinyong.Record `json:"records"`
		}
		// Asking for another department's records does not widen the view.
		e.do(t, req{Path: "/api/v1/records?department_id=" + a.ID, Token: tc.token}).json(t, &list)
		for _, rec := range list.Records {
			if rec.DepartmentID != tc.want {
				t.Errorf("an officer of %s listed a record of %s", tc.want, rec.DepartmentID)
			}
		}
	}

	// The auditor sees the record's audit trail.
	var audit struct {
		Events []xinyong.AuditEvent `json:"events"`
	}
	e.do(t, req{Path: "/api/v1/audit?object_type=record&object_id=" + idA, Token: auditor}).json(t, &audit)
	if len(audit.Events) != 1 || audit.Events[0].Action != "record.created" {
		t.Fatalf("audit trail of %s: %+v", idA, audit.Events)
	}

	// A revoked token is refused at once.
	var tok struct {
		Token  xinyong.Token `json:"token"`
		Secret string        `json:"secret"`
	}
	r = e.do(t, req{Method: "POST", Path: "/api/v1/tokens", Token: e.admin, Body: map[string]any{"name": "short-lived", "role": "auditor"}})
	if r.Status != 201 {
		t.Fatal(r)
	}
	r.json(t, &tok)
	if r := e.do(t, req{Path: "/api/v1/audit", Token: tok.Secret}); r.Status != 200 {
		t.Fatalf("fresh token: %s", r)
	}
	if r := e.do(t, req{Method: "DELETE", Path: "/api/v1/tokens/" + tok.Token.ID, Token: e.admin}); r.Status != 204 {
		t.Fatalf("revoke: %s", r)
	}
	e.do(t, req{Path: "/api/v1/audit", Token: tok.Secret}).problem(t, 401, "unauthorized")
}
