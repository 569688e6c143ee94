package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"xinyong"
	"xinyong/internal/app"
	"xinyong/internal/config"
	"xinyong/internal/refdata"
	"xinyong/internal/workflow"
)

// testEnv is a platform on a fresh SQLite store, served on 127.0.0.1.
type testEnv struct {
	t     *testing.T
	ctx   context.Context
	app   *app.App
	svc   *workflow.Service
	srv   *Server
	ts    *httptest.Server
	admin string // admin API token
	log   *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newEnv opens a migrated, bootstrapped store and serves it; adjust tunes
// the server before its handler is built.
func newEnv(t testing.TB, adjust ...func(*Server)) *testEnv {
	t.Helper()
	return newEnvDB(t, "", adjust...)
}

// newEnvDB is newEnv on the store db ("" for a fresh SQLite file).
func newEnvDB(t testing.TB, db string, adjust ...func(*Server)) *testEnv {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	if db == "" {
		db = "sqlite:" + filepath.Join(dir, "x.db")
	}
	cfg := config.Config{DB: db, KeyDir: filepath.Join(dir, "keys"), Origin: "test.xinyong/ledger", LogFormat: "json", LogLevel: "error"}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.Open(ctx, cfg, log, app.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	set, err := refdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Service.Bootstrap(ctx, set); err != nil {
		t.Fatal(err)
	}
	srv := New(a.Service, log)
	srv.UploadDir = filepath.Join(dir, "uploads")
	for _, f := range adjust {
		f(srv)
	}
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	e := &testEnv{ctx: ctx, app: a, svc: a.Service, srv: srv, ts: ts, log: logs}
	if tt, ok := t.(*testing.T); ok {
		e.t = tt
	}
	t.Cleanup(func() {
		ts.Close()
		srv.Stop()
		a.Close()
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	e.admin = e.token(t, "admin", "", "")
	return e
}

// uscc returns a valid unified social credit code from a 16-character prefix
// (authority, type, division and the first 8 characters of the organisation
// code), computing both check characters.
func uscc(t testing.TB, prefix16 string) string {
	t.Helper()
	oc, err := xinyong.OrgCodeCheckChar(prefix16[8:16])
	if err != nil {
		t.Fatal(err)
	}
	first17 := prefix16 + string(oc)
	cc, err := xinyong.USCCCheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	code := first17 + string(cc)
	if _, err := xinyong.ParseUSCC(code); err != nil {
		t.Fatalf("uscc(%s) = %s does not validate: %v", prefix16, code, err)
	}
	return code
}

// citizenID returns a valid citizen ID number from its first 17 digits
// (GB 11643-1999 check character).
func citizenID(t testing.TB, first17 string) string {
	t.Helper()
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * weights[i]
	}
	id := first17 + string("10X98765432"[sum%11])
	if _, err := xinyong.ParseCitizenID(id); err != nil {
		t.Fatalf("citizenID(%s) = %s does not validate: %v", first17, id, err)
	}
	return id
}

// dept creates a department providing items.
func (e *testEnv) dept(t testing.TB, prefix16, name string, provides ...string) xinyong.Department {
	t.Helper()
	d, err := e.svc.CreateDepartment(e.ctx, xinyong.System, workflow.DepartmentInput{Code: uscc(t, prefix16), Name: name, Provides: provides})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// token creates an API token of role for a department code (or none).
func (e *testEnv) token(t testing.TB, role, deptCode, name string) string {
	t.Helper()
	if name == "" {
		name = role + " system " + deptCode
	}
	in := workflow.TokenInput{Name: name, Role: role, Department: deptCode}
	if role == string(xinyong.RoleAgency) {
		in.Organisation = name // an agency names its organisation (DOMAIN.md §7)
	}
	_, secret, err := e.svc.CreateToken(e.ctx, xinyong.System, in)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// resp is a finished HTTP exchange.
type resp struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r resp) String() string {
	b := r.Body
	if len(b) > 2000 {
		b = b[:2000]
	}
	return fmt.Sprintf("%d %s", r.Status, b)
}

// req describes one request.
type req struct {
	Method, Path, Token, Type string
	Body                      any // string, []byte, or a value sent as JSON
	Header                    map[string]string
	Cookies                   []*http.Cookie
}

func (e *testEnv) do(t testing.TB, q req) resp {
	t.Helper()
	var body io.Reader
	ct := q.Type
	switch b := q.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(j)
		if ct == "" {
			ct = "application/json"
		}
	}
	if q.Method == "" {
		q.Method = "GET"
	}
	hr, err := http.NewRequest(q.Method, e.ts.URL+q.Path, body)
	if err != nil {
		t.Fatal(err)
	}
	if ct != "" {
		hr.Header.Set("Content-Type", ct)
	}
	if q.Token != "" {
		hr.Header.Set("Authorization", "Bearer "+q.Token)
	}
	for k, v := range q.Header {
		hr.Header.Set(k, v)
	}
	for _, c := range q.Cookies {
		hr.AddCookie(c)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp{Status: res.StatusCode, Header: res.Header, Body: b}
}

// json decodes a JSON answer, failing on anything else.
func (r resp) json(t testing.TB, v any) {
	t.Helper()
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		t.Fatalf("want application/json, got %q: %s", r.Header.Get("Content-Type"), r)
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("answer is not JSON: %v: %s", err, r)
	}
}

// problem checks that r is an RFC 9457 problem with status and code.
func (r resp) problem(t testing.TB, status int, code string) Problem {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r)
	}
	return checkProblem(t, r.Status, r.Header, r.Body, code)
}

func checkProblem(t testing.TB, status int, h http.Header, body []byte, code string) Problem {
	t.Helper()
	if ct := h.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json: %s", ct, body)
	}
	var p Problem
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("problem is not a Problem: %v: %s", err, body)
	}
	if p.Status != status || p.Title == "" || p.Type == "" || p.Detail == "" || p.Code == "" {
		t.Fatalf("incomplete problem (status %d): %+v", status, p)
	}
	if code != "" && p.Code != code {
		t.Fatalf("problem code %q, want %q: %s", p.Code, code, body)
	}
	if p.RequestID == "" || p.RequestID != h.Get("X-Request-Id") {
		t.Fatalf("problem request_id %q, header %q", p.RequestID, h.Get("X-Request-Id"))
	}
	for _, f := range p.Errors {
		if f.Field == "" || f.Rule == "" || f.Message == "" {
			t.Fatalf("field error without field, rule or message: %+v", f)
		}
	}
	return p
}

// hasField reports whether the problem names field with rule ("" matches any).
func (p Problem) hasField(field, rule string) bool {
	for _, f := range p.Errors {
		if f.Field == field && (rule == "" || f.Rule == rule) {
			return true
		}
	}
	return false
}

// penaltyInput is a valid 行政处罚 submission for subject (a USCC).
func penaltyInput(t testing.TB, subject, name, number string) xinyong.RecordInput {
	t.Helper()
	return xinyong.RecordInput{
		Item: "XZCF", SubjectCode: subject, SubjectName: name,
		Document: xinyong.Document{Type: xinyong.DocPenaltyDecision, Number: number, Authority: "兰州市市场监督管理局", DecisionDate: xinyong.MustDate("2025-03-03")},
		Fields: map[string]string{
			"CF_XDR_LB": "法人及非法人组织", "CF_WFXW": "虚假宣传", "CF_SY": "发布虚假广告", "CF_YJ": "《广告法》第五十五条",
			"CF_NR": "罚款人民币贰万元", "CF_NR_FK": "2", "CF_CFJGDM": uscc(t, "11620100MB000001"), "CF_SJLY": "兰州市市场监督管理局", "CF_SJLYDM": uscc(t, "11620100MB000001"),
		},
		Severity: "general", Categories: []string{"罚款"},
	}
}

// ledgerSize returns the log's size.
func (e *testEnv) ledgerSize(t testing.TB) int64 {
	t.Helper()
	var n int64
	err := e.app.Store.View(e.ctx, func(tx xinyong.Tx) error {
		h, err := tx.LedgerHead()
		n = h.Size
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// records lists every record of a department straight from the store.
func (e *testEnv) storedRecords(t testing.TB, deptID string) []xinyong.Record {
	t.Helper()
	var out []xinyong.Record
	err := e.app.Store.View(e.ctx, func(tx xinyong.Tx) error {
		var err error
		out, err = tx.ListRecords(xinyong.RecordFilter{DepartmentID: deptID, Limit: 1000})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// auditEvents reads the audit log as the system.
func (e *testEnv) auditEvents(t testing.TB, f xinyong.AuditFilter) []xinyong.AuditEvent {
	t.Helper()
	evs, err := e.svc.Audit(e.ctx, xinyong.System, f)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// alive checks the server still answers.
func (e *testEnv) alive(t testing.TB) {
	t.Helper()
	if r := e.do(t, req{Path: "/api/v1/catalogue/items/XZCF"}); r.Status != 200 {
		t.Fatalf("server stopped serving: %s", r)
	}
}
