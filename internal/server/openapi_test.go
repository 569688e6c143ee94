package server

import (
	"bytes"
	"mime"
	"slices"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// apiDoc is the served OpenAPI document, as a client reads it.
type apiDoc struct {
	Paths map[string]map[string]apiOp `json:"paths"`
}

type apiOp struct {
	Parameters []struct {
		Name        string         `json:"name"`
		In          string         `json:"in"`
		Required    bool           `json:"required"`
		Description string         `json:"description"`
		Schema      map[string]any `json:"schema"`
	} `json:"parameters"`
	Responses map[string]struct {
		Content map[string]struct {
			Schema map[string]any `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
}

func servedDoc(t *testing.T, e *testEnv) apiDoc {
	t.Helper()
	var doc apiDoc
	e.do(t, req{Path: "/api/v1/openapi.json"}).json(t, &doc)
	return doc
}

// op is the documented operation of a route (fails the test if none).
func (d apiDoc) op(t *testing.T, rt route) (apiOp, bool) {
	t.Helper()
	op, ok := d.Paths[rt.Path][strings.ToLower(rt.Method)]
	if !ok {
		t.Errorf("%s %s is not documented", rt.Method, rt.Path)
	}
	return op, ok
}

// successTypes are the media types of the operation's 2xx answer.
func (op apiOp) successTypes() (status string, types []string) {
	for code, r := range op.Responses {
		if strings.HasPrefix(code, "2") {
			for mt := range r.Content {
				types = append(types, mt)
			}
			slices.Sort(types)
			return code, types
		}
	}
	return "", nil
}

// TestOpenAPIQueryParameters: every query parameter a route's handler reads
// (found in this package's source, through the helpers it calls) is
// declared in the served document as a parameter "in": "query", with a
// schema and a description, and the document declares no query parameter
// the handler does not read.
func TestOpenAPIQueryParameters(t *testing.T) {
	e := newEnv(t)
	doc := servedDoc(t, e)
	src := loadSrcIndex(t)
	routes := map[string]bool{}
	reading := 0
	for _, rt := range e.srv.routes {
		routes[rt.Method+" "+rt.Path] = true
		decl := handlerDecl(t, rt.Handler)
		if src.funcs[decl] == nil {
			t.Errorf("%s %s: handler %s not found in the package's source", rt.Method, rt.Path, decl)
			continue
		}
		reach := src.reach(decl)
		for _, u := range reach.unresolved {
			t.Errorf("%s %s: %s reads a query parameter whose name the test cannot tell (%s): read it by a literal or a helper's string parameter", rt.Method, rt.Path, decl, u)
		}
		reads := sortedKeys(reach.keys)
		if len(reads) > 0 {
			reading++
		}
		op, ok := doc.op(t, rt)
		if !ok {
			continue
		}
		var declared []string
		for _, p := range op.Parameters {
			if p.In != "query" {
				continue
			}
			if slices.Contains(declared, p.Name) {
				t.Errorf("%s %s: query parameter %s declared twice", rt.Method, rt.Path, p.Name)
			}
			declared = append(declared, p.Name)
			if p.Description == "" || p.Schema["type"] == nil {
				t.Errorf("%s %s: query parameter %s has no description or schema type", rt.Method, rt.Path, p.Name)
			}
			if !reach.keys[p.Name] {
				t.Errorf("%s %s: the document declares query parameter %s, which %s does not read", rt.Method, rt.Path, p.Name, decl)
			}
		}
		for _, k := range reads {
			if !slices.Contains(declared, k) {
				t.Errorf("%s %s: %s reads query parameter %s, which the document does not declare", rt.Method, rt.Path, decl, k)
			}
		}
	}
	// The index finds the reads it should: a route known to read several.
	if reading < 10 {
		t.Errorf("only %d routes read query parameters: the source index misses reads", reading)
	}
	for k := range opDocs {
		if !routes[k] {
			t.Errorf("opDocs documents %s, which is not a route", k)
		}
	}
}

// TestOpenAPIContentTypes: the media types the document declares for each
// route's success answer are the ones its handler sets (read from the
// source: every literal Content-Type it or its helpers set, writeJSON's
// included), and the answers of a real server agree: the test walks every
// GET route of the table on a store with a record, a listing, an import,
// a repair application with a PDF proof and an issued report, and compares
// each successful answer's Content-Type with the document. Every route that
// declares a PDF, CSV or other non-JSON answer must have answered.
func TestOpenAPIContentTypes(t *testing.T) {
	f := newRepairFixture(t)
	e := f.e
	doc := servedDoc(t, e)
	src := loadSrcIndex(t)

	// From the source.
	for _, rt := range e.srv.routes {
		op, ok := doc.op(t, rt)
		if !ok {
			continue
		}
		status, declared := op.successTypes()
		reach := src.reach(handlerDecl(t, rt.Handler))
		delete(reach.ctypes, "application/problem+json") // errors, the default response
		set := sortedKeys(reach.ctypes)
		switch {
		case status == "204":
			if len(declared) != 0 || len(set) != 0 {
				t.Errorf("%s %s: 204 with content %v, handler sets %v", rt.Method, rt.Path, declared, set)
			}
		case reach.dynamicCT: // a stored file's own type: declared ones checked live
			if len(declared) == 0 || slices.Contains(declared, "application/json") && len(declared) == 1 {
				t.Errorf("%s %s: the handler answers a file's own type; the document declares %v", rt.Method, rt.Path, declared)
			}
		case !slices.Equal(declared, set):
			t.Errorf("%s %s: the document declares %v, the handler sets %v", rt.Method, rt.Path, declared, set)
		}
	}

	// From a real server.
	ctx := e.ctx
	serious := penaltyInput(t, f.org, "兰州某某商贸有限公司", "兰市监罚〔2025〕603号")
	serious.Severity = "serious"
	var sub workflow.SubmitResult
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: f.off, Body: serious}); r.Status != 201 {
		t.Fatalf("submit: %s", r)
	} else {
		r.json(t, &sub)
	}
	var l xinyong.Listing
	e.do(t, req{Method: "POST", Path: "/api/v1/listings", Token: f.off, Body: xinyong.ListingProposal{
		ListType: "SAMR_SERIOUS", Subject: f.org, RecordIDs: []string{sub.Record.ID}, Reasons: "一年内三次虚假宣传受较重处罚", Basis: "《市场监督管理严重违法失信名单管理办法》第二条"}}).json(t, &l)
	// Through the procedure to a decision: the decision document exists.
	step := func(name string, body any) {
		t.Helper()
		if r := e.do(t, req{Method: "POST", Path: "/api/v1/listings/" + l.ID + "/" + name, Token: f.off, Body: body}); r.Status != 200 {
			t.Fatalf("%s: %s", name, r)
		}
	}
	step("notify", nil)
	subj := xinyong.Actor{Kind: "account", ID: "u-s", Name: "subject", Role: xinyong.RoleSubject, SubjectID: l.SubjectID}
	if _, err := e.svc.ObjectListing(ctx, subj, l.ID, xinyong.ObjectionInput{Statement: "处罚已履行完毕"}); err != nil {
		t.Fatal(err)
	}
	step("verify", xinyong.VerifyInput{Answer: "经核实，不符合移出条件"})
	step("decide", decisionBody())
	imp := e.upload(t, f.off, map[string]string{"kind": "penalty"}, "a.csv", csvBytes(t, header(false), [][]string{penaltyRow(t, "not a code", "兰市监罚〔2025〕604号", "1", "2025-10-01")}))
	var j xinyong.Import
	imp.json(t, &j)
	e.srv.jobs.Wait()
	var rep xinyong.Repair
	if r := f.apply(t, repairFields(f.rec), formFile{"收据.pdf", bytes.NewReader(testPDF)}); r.Status != 201 {
		t.Fatalf("apply: %s", r)
	} else {
		r.json(t, &rep)
	}
	iss, err := e.svc.IssueReportWith(ctx, xinyong.Public, f.org, workflow.ReportAccess{})
	if err != nil {
		t.Fatal(err)
	}
	values := map[string][]string{
		"code":     {f.org},
		"id":       {f.rec, l.ID, j.ID, rep.ID},
		"sha256":   {rep.Proofs[0].SHA256},
		"number":   {iss.Report.Number},
		"index":    {"0"},
		"year":     {"2026"},
		"username": {"qiye"},
	}
	tokens := []string{e.admin, f.off}
	answered := map[string]string{} // route → media type answered
	for _, rt := range e.srv.routes {
		if rt.Method != "GET" {
			continue
		}
		op, ok := doc.op(t, rt)
		if !ok {
			continue
		}
		_, declared := op.successTypes()
		for _, path := range expandPath(rt.Path, values) {
			r, ok := firstSuccess(t, e, path, tokens)
			if !ok {
				continue
			}
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil {
				t.Errorf("GET %s: Content-Type %q: %v", path, r.Header.Get("Content-Type"), err)
			}
			if !slices.Contains(declared, mt) {
				t.Errorf("GET %s answered %s; the document declares %v", path, mt, declared)
			}
			answered[rt.Path] = mt
			break
		}
	}
	for _, rt := range e.srv.routes {
		op, _ := doc.Paths[rt.Path][strings.ToLower(rt.Method)]
		_, declared := op.successTypes()
		if rt.Method == "GET" && slices.ContainsFunc(declared, func(mt string) bool { return mt != "application/json" }) && answered[rt.Path] == "" {
			t.Errorf("GET %s declares %v but answered no request of the walk: give the test the data it needs", rt.Path, declared)
		}
	}
	var pdf, csv int
	for _, mt := range answered {
		pdf += boolInt(mt == "application/pdf")
		csv += boolInt(mt == "text/csv")
	}
	if pdf < 3 || csv < 2 {
		t.Errorf("the walk checked %d PDF and %d CSV answers; want the reports, listing documents, proofs and exports: %v", pdf, csv, answered)
	}
	t.Logf("checked %d GET routes' answers", len(answered))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// expandPath gives every concrete path of a pattern with the candidate
// values of its parameters.
func expandPath(pattern string, values map[string][]string) []string {
	m := pathParam.FindStringSubmatchIndex(pattern)
	if m == nil {
		return []string{pattern}
	}
	name := pattern[m[2]:m[3]]
	var out []string
	for _, v := range values[name] {
		for _, rest := range expandPath(pattern[m[1]:], values) {
			out = append(out, pattern[:m[0]]+v+rest)
		}
	}
	return out
}

// firstSuccess asks path with each token, then with none, and returns the
// first 2xx answer.
func firstSuccess(t *testing.T, e *testEnv, path string, tokens []string) (resp, bool) {
	t.Helper()
	for _, tok := range append(slices.Clone(tokens), "") {
		r := e.do(t, req{Path: path, Token: tok})
		if r.Status >= 200 && r.Status < 300 {
			return r, true
		}
		if r.Status >= 500 {
			t.Errorf("GET %s: %s", path, r)
		}
	}
	return resp{}, false
}
