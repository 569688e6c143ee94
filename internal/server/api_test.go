package server

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"xinyong"
)

// TestBadInput sends malformed, oversized, mistyped and hostile requests:
// each gets an RFC 9457 problem with a stable code naming what is wrong,
// nothing is written, and the server keeps serving.
func TestBadInput(t *testing.T) {
	e := newEnv(t)
	d := e.dept(t, "11620000MB192104", "甘肃省市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	good := penaltyInput(t, uscc(t, "91620100MA000001"), "兰州某某商贸有限公司", "甘市监罚〔2025〕7号")
	withJSON := func(mut func(m map[string]any)) []byte {
		b, _ := json.Marshal(good)
		var m map[string]any
		json.Unmarshal(b, &m)
		mut(m)
		b, _ = json.Marshal(m)
		return b
	}
	badCheck := good.SubjectCode[:17] + string("0123456789ABCDEFGHJKLMNPQRTUWXY"[(strings.IndexByte("0123456789ABCDEFGHJKLMNPQRTUWXY", good.SubjectCode[17])+1)%31])

	cases := []struct {
		name       string
		q          req
		status     int
		code       string
		field      string // a field error that must be reported ("" = none required)
		rule       string
		detailHas  string
		allow      string // expected Allow header
		needFields bool
	}{
		{name: "truncated JSON", q: req{Method: "POST", Path: "/api/v1/records", Token: off, Type: "application/json", Body: `{"item": "XZCF", "document": {`}, status: 400, code: "invalid", field: "body", rule: "json.syntax"},
		{name: "syntax error", q: req{Method: "POST", Path: "/api/v1/records", Token: off, Type: "application/json", Body: `{"item": "XZCF",}`}, status: 400, code: "invalid", field: "body", rule: "json.syntax"},
		{name: "not an object", q: req{Method: "POST", Path: "/api/v1/records", Token: off, Type: "application/json", Body: `["XZCF"]`}, status: 400, code: "invalid", field: "body", rule: "json.type"},
		{name: "empty body", q: req{Method: "POST", Path: "/api/v1/records", Token: off, Type: "application/json", Body: ``}, status: 400, code: "invalid", field: "body", rule: "json.empty"},
		{name: "unknown field", q: req{Method: "POST", Path: "/api/v1/records", Token: off, Type: "application/json", Body: withJSON(func(m map[string]any) { m["itme"] = "XZCF" })}, status: 400, code: "invalid", field: "itme", rule: "json.unknown_field"},
		{name: "unknown nested field", q: req{Method: "POST", Path: "/api/v1/records", Token: off, Type: "application/json", Body: withJSON(func(m map[string]any) { m["document"].(map[string]any)["signed_by"] = "x" })}, status: 400, code: "invalid", rule: "json.unknown_field"},
		{name: "wrong type", q: req{Method: "POST", Path: "/api/v1/records", Token: off, Type: "application/json", Body: withJSON(func(m map[string]any) { m["item"] = 5 })}, status: 400, code: "invalid", field: "item", rule: "json.type"},
		{name: "second value after the object", q: req{Method: "POST", Path: "/api/v1/records", Token: off, Type: "application/json", Body: string(withJSON(func(map[string]any) {})) + ` {}`}, status: 400, code: "invalid", field: "body", rule: "json.single"},
		{name: "stray brace after the object", q: req{Method: "POST", Path: "/api/v1/records", Token: off, Type: "application/json", Body: string(withJSON(func(map[string]any) {})) + `}`}, status: 400, code: "invalid", field: "body", rule: "json.single"},
		{name: "garbage after the object", q: req{Method: "POST", Path: "/api/v1/records", Token: off, Type: "application/json", Body: string(withJSON(func(map[string]any) {})) + "\nDROP"}, status: 400, code: "invalid", field: "body", rule: "json.single"},
		{name: "not UTF-8", q: req{Method: "POST", Path: "/api/v1/records", Token: off, Type: "application/json", Body: []byte(strings.Replace(string(withJSON(func(m map[string]any) { m["subject_name"] = "PLACEHOLDER" })), "PLACEHOLDER", "\xc0\xfe\xb2\xe2", 1))}, status: 400, code: "invalid", field: "body", rule: "encoding.utf8"},
		{name: "NUL character", q: req{Method: "POST", Path: "/api/v1/records", Token: off, Body: func() xinyong.RecordInput { in := good; in.SubjectName = "NUL\x00byte"; return in }()}, status: 400, code: "invalid", field: "body", rule: "encoding.nul"},
		{name: "GBK bytes as JSON", q: req{Method: "POST", Path: "/api/v1/records", Token: off, Type: "application/json; charset=gbk", Body: []byte("{\"subject_name\":\"\xc0\xbc\xd6\xdd\"}")}, status: 400, code: "invalid", field: "body", rule: "encoding.utf8"},
		{name: "text/plain", q: req{Method: "POST", Path: "/api/v1/records", Token: off, Type: "text/plain", Body: string(withJSON(func(map[string]any) {}))}, status: 415, code: "unsupported_media_type"},
		{name: "form encoded", q: req{Method: "POST", Path: "/api/v1/records", Token: off, Type: "application/x-www-form-urlencoded", Body: "item=XZCF"}, status: 415, code: "unsupported_media_type"},
		{name: "no content type", q: req{Method: "POST", Path: "/api/v1/records", Token: off, Body: []byte(withJSON(func(map[string]any) {}))}, status: 415, code: "unsupported_media_type"},
		{name: "bad date", q: req{Method: "POST", Path: "/api/v1/records", Token: off, Type: "application/json", Body: withJSON(func(m map[string]any) { m["document"].(map[string]any)["decision_date"] = "2025-02-30" })}, status: 400, code: "invalid", needFields: true},
		{name: "subject code fails its check", q: req{Method: "POST", Path: "/api/v1/records", Token: off, Body: func() xinyong.RecordInput { in := good; in.SubjectCode = badCheck; return in }()}, status: 400, code: "invalid", field: "subject_code", rule: "uscc.check"},
		{name: "subject code garbage", q: req{Method: "POST", Path: "/api/v1/records", Token: off, Body: func() xinyong.RecordInput { in := good; in.SubjectCode = "not a code"; return in }()}, status: 400, code: "invalid", field: "subject_code"},
		{name: "unknown catalogue item", q: req{Method: "POST", Path: "/api/v1/records", Token: off, Body: func() xinyong.RecordInput { in := good; in.Item = "NOPE"; return in }()}, status: 400, code: "invalid", field: "item", rule: "catalogue.known", detailHas: "catalogue"},
		{name: "no item", q: req{Method: "POST", Path: "/api/v1/records", Token: off, Body: func() xinyong.RecordInput { in := good; in.Item = ""; return in }()}, status: 400, code: "invalid", field: "item", rule: "required"},
		{name: "bad severity", q: req{Method: "POST", Path: "/api/v1/records", Token: off, Body: func() xinyong.RecordInput { in := good; in.Severity = "catastrophic"; return in }()}, status: 400, code: "invalid", field: "severity", rule: "record.severity"},
		{name: "unknown penalty category", q: req{Method: "POST", Path: "/api/v1/records", Token: off, Body: func() xinyong.RecordInput { in := good; in.Categories = []string{"流放"}; return in }()}, status: 400, code: "invalid", field: "categories", rule: "record.penalty_category"},
		{name: "department with a bad USCC", q: req{Method: "POST", Path: "/api/v1/departments", Token: e.admin, Body: map[string]any{"code": badCheck, "name": "某局"}}, status: 400, code: "invalid", field: "code", rule: "uscc"},
		{name: "department providing an unknown item", q: req{Method: "POST", Path: "/api/v1/departments", Token: e.admin, Body: map[string]any{"code": uscc(t, "11620000MB555555"), "name": "某局", "provides": []string{"行政处罚", "天气预报"}}}, status: 400, code: "invalid", field: "provides", rule: "catalogue.known", detailHas: "catalogue"},
		{name: "unknown catalogue item read", q: req{Path: "/api/v1/catalogue/items/NOPE"}, status: 404, code: "not_found"},
		{name: "unknown API route", q: req{Path: "/api/v1/nothing/here"}, status: 404, code: "not_found", detailHas: "no API route"},
		{name: "unknown API version", q: req{Method: "POST", Path: "/api/v2/records", Token: off, Body: good}, status: 404, code: "not_found"},
		{name: "method not allowed", q: req{Method: "PUT", Path: "/api/v1/records", Token: off, Body: good}, status: 405, code: "method_not_allowed", allow: "POST, GET"},
		{name: "method not allowed on a parameterised path", q: req{Method: "DELETE", Path: "/api/v1/records/123", Token: off}, status: 405, code: "method_not_allowed", allow: "GET"},
		{name: "method not allowed on openapi.json", q: req{Method: "POST", Path: "/api/v1/openapi.json", Type: "application/json", Body: "{}"}, status: 405, code: "method_not_allowed", allow: "GET"},
		{name: "token in the wrong scheme", q: req{Method: "POST", Path: "/api/v1/records", Header: map[string]string{"Authorization": "Token " + off}, Body: good}, status: 401, code: "unauthorized"},
		{name: "unknown token", q: req{Method: "POST", Path: "/api/v1/records", Token: "xyt_" + strings.Repeat("A", 43), Body: good}, status: 401, code: "unauthorized"},
		{name: "calendar year out of range", q: req{Path: "/api/v1/calendar/1800"}, status: 400, code: "invalid", field: "year", rule: "calendar.year"},
		{name: "huge ident path", q: req{Path: "/api/v1/ident/" + strings.Repeat("9", 100)}, status: 400, code: "invalid", field: "code", rule: "code.length"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.ledgerSize(t)
			r := e.do(t, c.q)
			p := r.problem(t, c.status, c.code)
			if c.field != "" || c.rule != "" {
				found := false
				for _, f := range p.Errors {
					if (c.field == "" || f.Field == c.field) && (c.rule == "" || strings.HasPrefix(f.Rule, c.rule)) {
						found = true
					}
				}
				if !found {
					t.Errorf("no field error %s/%s in %s", c.field, c.rule, r)
				}
			}
			if c.needFields && len(p.Errors) == 0 {
				t.Errorf("no field errors: %s", r)
			}
			if c.detailHas != "" && !strings.Contains(p.Detail, c.detailHas) {
				t.Errorf("detail %q does not mention %q", p.Detail, c.detailHas)
			}
			if c.allow != "" && r.Header.Get("Allow") != c.allow {
				t.Errorf("Allow %q, want %q", r.Header.Get("Allow"), c.allow)
			}
			if got := e.ledgerSize(t); got != before {
				t.Errorf("a refused request grew the ledger from %d to %d", before, got)
			}
			if n := len(e.storedRecords(t, d.ID)); n != 0 {
				t.Errorf("a refused request stored %d records", n)
			}
			e.alive(t)
		})
	}
}

// TestOversizedBody: a JSON body above MaxBody is refused with 413 before it
// is decoded, and the limit is per request.
func TestOversizedBody(t *testing.T) {
	e := newEnv(t, func(s *Server) { s.MaxBody = 2048 })
	d := e.dept(t, "11620000MB192104", "甘肃省市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	in := penaltyInput(t, uscc(t, "91620100MA000001"), "兰州某某商贸有限公司", "甘市监罚〔2025〕8号")
	in.Fields["BZ"] = strings.Repeat("备", 1000)
	r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: off, Body: in})
	p := r.problem(t, 413, "too_large")
	if !strings.Contains(p.Detail, "2048") {
		t.Errorf("detail does not name the limit: %q", p.Detail)
	}
	if n := len(e.storedRecords(t, d.ID)); n != 0 {
		t.Fatalf("stored %d records", n)
	}
	in.Fields["BZ"] = "短"
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: off, Body: in}); r.Status != 201 {
		t.Fatalf("a small body after a refused big one: %s", r)
	}
}

// TestHostileStringsStoredVerbatim: SQL-looking and markup strings are data:
// stored and returned exactly, harming nothing.
func TestHostileStringsStoredVerbatim(t *testing.T) {
	e := newEnv(t)
	d := e.dept(t, "11620000MB192104", "甘肃省市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	hostile := []string{
		`Robert'); DROP TABLE records;--`,
		`1' OR '1'='1`,
		`"; DELETE FROM ledger_entries; --`,
		`<script>alert(1)</script>`,
		`%00\x00\u0000`,
	}
	for i, s := range hostile {
		in := penaltyInput(t, uscc(t, "91620100MA00000"+string(rune('1'+i))), s, s+" 号")
		in.Fields["CF_SY"] = s
		r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: off, Body: in})
		if r.Status != 201 {
			t.Fatalf("%q: %s", s, r)
		}
		var res struct {
			Record xinyong.Record `json:"record"`
		}
		r.json(t, &res)
		g := e.do(t, req{Path: "/api/v1/records/" + res.Record.ID, Token: off})
		var got struct {
			Record xinyong.Record `json:"record"`
		}
		g.json(t, &got)
		if got.Record.SubjectName != s || got.Record.Document.Number != s+" 号" || got.Record.Fields["CF_SY"] != s {
			t.Errorf("%q came back as name %q, number %q, CF_SY %q", s, got.Record.SubjectName, got.Record.Document.Number, got.Record.Fields["CF_SY"])
		}
		if strings.Contains(string(g.Body), "<script>") {
			t.Errorf("JSON answer carries unescaped markup: %s", g.Body)
		}
	}
	if n := len(e.storedRecords(t, d.ID)); n != len(hostile) {
		t.Fatalf("%d records stored, want %d", n, len(hostile))
	}
	// Hostile query parameters are data too.
	r := e.do(t, req{Path: "/api/v1/records?subject_id=1%27%20OR%20%271%27%3D%271&item=XZCF%27--", Token: off})
	var list struct {
		Records []xinyong.Record `json:"records"`
	}
	r.json(t, &list)
	if len(list.Records) != 0 {
		t.Fatalf("an injected filter matched %d records", len(list.Records))
	}
	e.alive(t)
}

// TestOpenAPI: the document is OpenAPI 3.1 JSON, every documented operation
// is routed, and every route is documented.
func TestOpenAPI(t *testing.T) {
	e := newEnv(t)
	r := e.do(t, req{Path: "/api/v1/openapi.json"})
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Info    map[string]any                        `json:"info"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	r.json(t, &doc)
	if doc.OpenAPI != "3.1.0" || doc.Info["title"] == nil {
		t.Fatalf("openapi %q info %v", doc.OpenAPI, doc.Info)
	}
	if len(doc.Paths) == 0 {
		t.Fatal("no paths")
	}
	// Every route of the table is documented, with its method.
	for _, rt := range e.srv.routes {
		if _, ok := doc.Paths[rt.Path][strings.ToLower(rt.Method)]; !ok {
			t.Errorf("route %s %s is not in the OpenAPI document", rt.Method, rt.Path)
		}
	}
	// The served document is the one the server builds.
	built, _ := json.Marshal(e.srv.OpenAPI())
	var a, b any
	json.Unmarshal(built, &a)
	json.Unmarshal(r.Body, &b)
	ab, _ := json.Marshal(a)
	bb, _ := json.Marshal(b)
	if string(ab) != string(bb) {
		t.Error("the served document differs from Server.OpenAPI()")
	}
	// Every documented operation exists: the request reaches a handler, not
	// the fallback that answers for unknown routes and methods.
	dummy := map[string]string{"code": "XZCF", "year": "2025", "date": "2025-10-01", "username": "nobody", "id": "00000000-0000-0000-0000-000000000000", "index": "0", "sha256": "0000000000000000000000000000000000000000000000000000000000000000"}
	param := regexp.MustCompile(`\{([^{}]+)\}`) // any name: the document must declare each
	ops := map[string]bool{}
	count := 0
	for path, methods := range doc.Paths {
		for method, raw := range methods {
			count++
			var op struct {
				OperationID string `json:"operationId"`
				Summary     string `json:"summary"`
				Responses   map[string]any
				Parameters  []struct {
					Name string `json:"name"`
					In   string `json:"in"`
				} `json:"parameters"`
				RequestBody *struct {
					Content map[string]struct {
						Schema map[string]any `json:"schema"`
					} `json:"content"`
				} `json:"requestBody"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			if op.OperationID == "" || ops[op.OperationID] {
				t.Errorf("%s %s: operationId %q missing or not unique", method, path, op.OperationID)
			}
			ops[op.OperationID] = true
			if op.Summary == "" || op.Responses["default"] == nil {
				t.Errorf("%s %s: no summary or default (problem) response", method, path)
			}
			var names []string
			for _, m := range param.FindAllStringSubmatch(path, -1) {
				names = append(names, m[1])
			}
			var declared []string
			for _, p := range op.Parameters {
				if p.In == "path" {
					declared = append(declared, p.Name)
					if !slices.Contains(names, p.Name) {
						t.Errorf("%s %s: documents path parameter %s that the path lacks", method, path, p.Name)
					}
				}
			}
			for _, n := range names {
				if !slices.Contains(declared, n) {
					t.Errorf("%s %s: path parameter %s is not declared", method, path, n)
				}
			}
			if op.RequestBody != nil {
				if sch := op.RequestBody.Content["application/json"].Schema; sch["type"] != "object" {
					t.Errorf("%s %s: request body schema %v", method, path, sch)
				}
			}
			concrete := param.ReplaceAllStringFunc(path, func(m string) string { return dummy[m[1:len(m)-1]] })
			q := req{Method: strings.ToUpper(method), Path: concrete, Token: e.admin}
			if method == "post" || method == "put" || method == "patch" {
				q.Type, q.Body = "application/json", "{}"
			}
			res := e.do(t, q)
			if res.Status == http.StatusMethodNotAllowed {
				t.Errorf("%s %s (%s): documented but the method is not routed: %s", method, path, concrete, res)
			}
			if res.Status == 404 && strings.Contains(string(res.Body), "no API route") {
				t.Errorf("%s %s (%s): documented but not routed: %s", method, path, concrete, res)
			}
			if res.Status >= 500 {
				t.Errorf("%s %s: %s", method, path, res)
			}
		}
	}
	if count != len(e.srv.routes) {
		t.Errorf("%d documented operations, %d routes", count, len(e.srv.routes))
	}
	// The record submission's schema names the record's own fields (the
	// embedded input is flattened, as encoding/json reads it).
	var post struct {
		RequestBody struct {
			Content map[string]struct {
				Schema struct {
					Properties map[string]any `json:"properties"`
				} `json:"schema"`
			} `json:"content"`
		} `json:"requestBody"`
	}
	json.Unmarshal(doc.Paths["/api/v1/records"]["post"], &post)
	props := post.RequestBody.Content["application/json"].Schema.Properties
	for _, f := range []string{"item", "subject_code", "document", "fields", "department"} {
		if props[f] == nil {
			t.Errorf("POST /api/v1/records schema lacks %q: %v", f, props)
		}
	}
	if props["RecordInput"] != nil {
		t.Errorf("POST /api/v1/records schema nests the embedded struct: %v", props)
	}
}
