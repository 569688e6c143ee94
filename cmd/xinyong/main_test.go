package main

// End-to-end tests of the xinyong binary: Main is run in-process with
// buffers for its streams (serve on 127.0.0.1:0), and the built binary is
// run as a subprocess where a test must kill it.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	_ "modernc.org/sqlite"
)

// scratch holds what TestMain removes at the end: the built binary and the
// bootstrapped template database.
var scratch string

func TestMain(m *testing.M) {
	// The tests pass every setting as a flag; XINYONG_* from the caller's
	// environment must not change them.
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "XINYONG_") && !strings.HasPrefix(k, "XINYONG_TEST_") {
			os.Unsetenv(k)
		}
	}
	dir, err := os.MkdirTemp("", "xinyong-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	scratch = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	buildOnce sync.Once
	buildErr  error
)

// binary builds the xinyong binary once (only tests that need a separate
// process ask for it).
func binary(t *testing.T) string {
	t.Helper()
	path := filepath.Join(scratch, "bin", "xinyong")
	buildOnce.Do(func() {
		out, err := exec.Command("go", "build", "-o", path, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return path
}

// syncBuffer is a bytes.Buffer safe for the server's concurrent writers. A
// test can wait for a text to be written (no polling: each Write signals).
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	waiters []waiter
}

type waiter struct {
	text string
	ch   chan struct{}
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.b.Write(p)
	keep := s.waiters[:0]
	for _, w := range s.waiters {
		if strings.Contains(s.b.String(), w.text) {
			close(w.ch)
		} else {
			keep = append(keep, w)
		}
	}
	s.waiters = keep
	return n, err
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// written returns a channel closed once text has been written.
func (s *syncBuffer) written(text string) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan struct{})
	if strings.Contains(s.b.String(), text) {
		close(ch)
	} else {
		s.waiters = append(s.waiters, waiter{text, ch})
	}
	return ch
}

// result is the outcome of one command.
type result struct {
	stdout, stderr string
	code           int
	err            error
}

func (r result) String() string {
	return fmt.Sprintf("exit %d, err %v\nstdout:\n%s\nstderr:\n%s", r.code, r.err, r.stdout, r.stderr)
}

// exitCode maps Run's error to the process's exit status as main does.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ex exitError
	if errors.As(err, &ex) {
		return ex.code
	}
	return 1
}

// run runs one command in-process and closes its store.
func run(t *testing.T, args ...string) result {
	t.Helper()
	m := NewMain()
	var out, errb syncBuffer
	m.Stdout, m.Stderr, m.Stdin = &out, &errb, strings.NewReader("")
	err := m.Run(context.Background(), args)
	if cerr := m.Close(); cerr != nil {
		t.Errorf("close after %v: %v", args, cerr)
	}
	return result{stdout: out.String(), stderr: errb.String(), code: exitCode(err), err: err}
}

// env is one platform: a SQLite file and a key directory.
type env struct {
	dir, path, keys string
	adminPassword   string // when bootstrapped from the template
}

func newEnv(t *testing.T) *env {
	return envIn(t.TempDir())
}

func envIn(dir string) *env {
	return &env{dir: dir, path: filepath.Join(dir, "x.db"), keys: filepath.Join(dir, "keys")}
}

func (e *env) flags() []string {
	return []string{"--db", "sqlite:" + e.path, "--key-dir", e.keys, "--log-format", "json"}
}

// run runs "WORDS [store flags] ARGS…", e.g. e.run(t, "department add", "--code", c).
func (e *env) run(t *testing.T, words string, args ...string) result {
	t.Helper()
	a := append(strings.Fields(words), e.flags()...)
	return run(t, append(a, args...)...)
}

// must runs a command that must succeed.
func (e *env) must(t *testing.T, words string, args ...string) result {
	t.Helper()
	r := e.run(t, words, args...)
	if r.code != 0 {
		t.Fatalf("%s %v: %s", words, args, r)
	}
	return r
}

// sqldb opens the environment's SQLite file directly, as someone going
// behind the application's back would.
func (e *env) sqldb(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+e.path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func (e *env) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	db := e.sqldb(t)
	defer db.Close()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// copyTo copies the database (with its WAL, if any) and the keys to a new
// directory; the source must not be open.
func (e *env) copyTo(t *testing.T, dir string) *env {
	t.Helper()
	c := envIn(dir)
	c.adminPassword = e.adminPassword
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(e.path + suffix)
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(c.path+suffix, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.CopyFS(c.keys, os.DirFS(e.keys)); err != nil {
		t.Fatal(err)
	}
	return c
}

var (
	templateOnce sync.Once
	template     *env
	templateErr  string
)

// readyEnv returns a copy of a platform that has been started once (schema,
// reference data, admin account), so each test does not pay for a first
// start of its own.
func readyEnv(t *testing.T) *env {
	t.Helper()
	templateOnce.Do(func() {
		e := envIn(filepath.Join(scratch, "template"))
		if err := os.MkdirAll(e.dir, 0o755); err != nil {
			templateErr = err.Error()
			return
		}
		s, err := startServeErr(e)
		if err != nil {
			templateErr = err.Error()
			return
		}
		pw, ok := passwordIn(s.out.String())
		if err := s.stop(); err != nil || !ok {
			templateErr = fmt.Sprintf("template serve: stop %v, password found %v:\n%s", err, ok, s.out.String())
			return
		}
		e.adminPassword = pw
		template = e
	})
	if template == nil {
		t.Fatal("bootstrapping the template database: " + templateErr)
	}
	return template.copyTo(t, t.TempDir())
}

// server is a running `xinyong serve`.
type serving struct {
	m         *Main
	out, errb *syncBuffer
	cancel    context.CancelFunc
	done      chan error
	stopOnce  sync.Once
	stopErr   error
}

func startServeErr(e *env, extra ...string) (*serving, error) {
	s := &serving{m: NewMain(), out: &syncBuffer{}, errb: &syncBuffer{}, done: make(chan error, 1)}
	s.m.Stdout, s.m.Stderr = s.out, s.errb
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	args := append(append([]string{"serve"}, e.flags()...), "--addr", "127.0.0.1:0")
	args = append(args, extra...)
	go func() { s.done <- s.m.Run(ctx, args) }()
	select {
	case <-s.m.Ready:
		return s, nil
	case err := <-s.done:
		cancel()
		s.m.Close()
		return nil, fmt.Errorf("serve ended before it was ready: %v\nstdout:\n%s\nstderr:\n%s", err, s.out, s.errb)
	}
}

// startServe starts serve and stops it when the test ends.
func startServe(t *testing.T, e *env, extra ...string) *serving {
	t.Helper()
	s, err := startServeErr(e, extra...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return s
}

// stop cancels serve's context, waits for Run and closes the store.
func (s *serving) stop() error {
	s.stopOnce.Do(func() {
		s.cancel()
		s.stopErr = <-s.done
		if err := s.m.Close(); err != nil && s.stopErr == nil {
			s.stopErr = err
		}
	})
	return s.stopErr
}

// client does not follow redirects, so a test sees the 303 of a login.
var client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func (s *serving) get(t *testing.T, path, bearer string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", s.m.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// loginToken fetches the sign-in form and returns its CSRF cookie and token.
func loginToken(t *testing.T, base string) (*http.Cookie, string) {
	t.Helper()
	resp, err := client.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(b)
	for _, c := range resp.Cookies() {
		if c.Name == "xinyong_login" && m != nil {
			return &http.Cookie{Name: c.Name, Value: c.Value}, string(m[1])
		}
	}
	t.Fatalf("the sign-in form has no CSRF token")
	return nil, ""
}

// login posts the sign-in form and returns the response.
func (s *serving) login(t *testing.T, user, password string) *http.Response {
	t.Helper()
	cookie, token := loginToken(t, s.m.URL)
	rq, _ := http.NewRequest("POST", s.m.URL+"/login", strings.NewReader(url.Values{"username": {user}, "password": {password}, "csrf": {token}}.Encode()))
	rq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rq.AddCookie(cookie)
	resp, err := client.Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// wantLogin checks that user signs in: 303 to the console and a session cookie.
func (s *serving) wantLogin(t *testing.T, user, password string) {
	t.Helper()
	resp := s.login(t, user, password)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: status %d, want 303", user, resp.StatusCode)
	}
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Value != "" {
			session = c
		}
	}
	if session == nil {
		t.Fatalf("login %s: no session cookie in %v", user, resp.Header["Set-Cookie"])
	}
	if !session.HttpOnly {
		t.Errorf("session cookie %s is not HttpOnly", session.Name)
	}
	req, _ := http.NewRequest("GET", s.m.URL+"/console/", nil)
	req.AddCookie(session)
	r2, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != 200 {
		t.Errorf("console with the session cookie: status %d, want 200", r2.StatusCode)
	}
}

var passwordRE = regexp.MustCompile(`one-time password[^\n]*\n\s+(\S+)`)

// passwordIn finds the one-time admin password in serve's output.
func passwordIn(stdout string) (string, bool) {
	m := passwordRE.FindStringSubmatch(stdout)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// ---- identities, computed here independently of the code under test ----

const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// orgCode completes an 8-character GB 11714 body with its check character.
func orgCode(body string) string {
	w := []int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 8; i++ {
		c := body[i]
		v := int(c - '0')
		if c >= 'A' && c <= 'Z' {
			v = int(c-'A') + 10
		}
		sum += v * w[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return body + "X"
	case 11:
		return body + "0"
	default:
		return body + string(rune('0'+c))
	}
}

// uscc builds a valid GB 32100 code from 8 leading characters (registration
// authority, kind, region) and an 8-character organisation code body.
func uscc(prefix, body string) string {
	s := prefix + orgCode(body)
	sum, w := 0, 1
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(usccAlphabet, s[i]) * w
		w = w * 3 % 31
	}
	return s + string(usccAlphabet[(31-sum%31)%31])
}

// ---- 双公示 penalty files ----

var penaltyColumns = []string{"CF_XDR_MC", "CF_XDR_LB", "CF_XDR_SHXYM", "CF_WSH", "CF_WFXW", "CF_SY", "CF_YJ", "CF_CFLB", "CF_NR", "CF_NR_FK", "CF_JDRQ", "CF_CFJG", "CF_CFJGDM", "CF_SJLY", "CF_SJLYDM"}

// penaltyLabels are the same columns by their Chinese labels.
var penaltyLabels = []string{"行政相对人名称", "行政相对人类别", "统一社会信用代码", "行政处罚决定书文号", "违法行为类型", "违法事实", "处罚依据", "处罚类别", "处罚内容", "罚款金额（万元）", "处罚决定日期", "处罚机关", "处罚机关统一社会信用代码", "数据来源单位", "数据来源单位统一社会信用代码"}

// penalty returns a valid row: the i-th decision of the department dept.
func penalty(i int, dept string) map[string]string {
	return map[string]string{
		"CF_XDR_MC": fmt.Sprintf("福州某某贸易有限公司%d", i), "CF_XDR_LB": "法人及非法人组织",
		"CF_XDR_SHXYM": uscc("91350100", fmt.Sprintf("%08d", 10000000+i)),
		"CF_WSH":       fmt.Sprintf("榕市监罚〔2024〕%d号", i),
		"CF_WFXW":      "未按规定公示年度报告", "CF_SY": "当事人未按规定公示年度报告，经责令限期改正仍未改正。",
		"CF_YJ": "《企业信息公示暂行条例》第八条", "CF_CFLB": "罚款", "CF_NR": "罚款0.2万元", "CF_NR_FK": "0.2",
		"CF_JDRQ": "2024-03-01", "CF_CFJG": "福州市市场监督管理局", "CF_CFJGDM": dept,
		"CF_SJLY": "福州市市场监督管理局", "CF_SJLYDM": dept,
	}
}

// writePenalties writes a CSV file with the given header cells and rows.
func writePenalties(t *testing.T, path string, header []string, rows []map[string]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	w.Write(header)
	for _, r := range rows {
		rec := make([]string, len(penaltyColumns))
		for i, c := range penaltyColumns {
			rec[i] = r[c]
		}
		w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// deptCode is the department the import tests use.
var deptCode = uscc("11350100", "MB000000")

// addDepartment adds the department that provides 行政许可 and 行政处罚.
func (e *env) addDepartment(t *testing.T) {
	t.Helper()
	e.must(t, "department add", "--code", deptCode, "--name", "福州市市场监督管理局", "--provides", "行政许可,行政处罚")
}
