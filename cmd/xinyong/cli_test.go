package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUsage(t *testing.T) {
	r := run(t, "-h")
	if r.code != 0 {
		t.Fatalf("-h: %s", r)
	}
	for _, c := range commands() {
		if !strings.Contains(r.stdout, c.name) {
			t.Errorf("-h does not list %s", c.name)
		}
	}
	if r := run(t); r.code != 2 {
		t.Errorf("no arguments: exit %d, want 2", r.code)
	}
	r = run(t, "frobnicate")
	if r.code != 2 || !strings.Contains(r.err.Error(), "frobnicate") {
		t.Errorf("unknown command: %s", r)
	}
	if _, ok := r.err.(exitError); !ok {
		t.Errorf("unknown command: error %T, want exitError", r.err)
	}
	if r := run(t, "department", "frobnicate"); r.code != 2 {
		t.Errorf("unknown subcommand: %s", r)
	}
	if r := run(t, "version", "--no-such-flag"); r.code != 2 {
		t.Errorf("unknown flag: %s", r)
	}
}

// TestHelp: every command and subcommand answers -h with its usage and
// exit status 0.
func TestHelp(t *testing.T) {
	subs := map[string][]string{
		"department": {"add", "list", "set"},
		"user":       {"add", "list", "disable", "passwd"},
		"token":      {"create", "list", "revoke"},
		"catalogue":  {"list", "load", "transition", "override"},
		"ledger":     {"verify", "proof"},
		"peer":       {"add", "list"},
	}
	for _, c := range commands() {
		cases := [][]string{{c.name, "-h"}, {c.name, "--help"}}
		for _, s := range subs[c.name] {
			cases = append(cases, []string{c.name, s, "-h"})
		}
		for _, args := range cases {
			r := run(t, args...)
			if r.code != 0 || r.err != nil {
				t.Errorf("%v: %s", args, r)
				continue
			}
			out := r.stdout + r.stderr
			if !strings.Contains(out, "Usage: xinyong "+c.name) {
				t.Errorf("%v: no usage line:\n%s", args, out)
			}
			if len(args) == 3 && !strings.Contains(out, "xinyong "+args[0]+" "+args[1]) {
				t.Errorf("%v: usage does not name the subcommand:\n%s", args, out)
			}
		}
	}
	// Flags are listed, with their environment equivalents.
	r := run(t, "serve", "-h")
	for _, want := range []string{"-db", "-addr", "XINYONG_DB", "XINYONG_ADDR"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("serve -h does not mention %s:\n%s", want, r.stderr)
		}
	}
}

func TestVersion(t *testing.T) {
	r := run(t, "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "xinyong ") || len(strings.TrimSpace(r.stdout)) <= len("xinyong") {
		t.Fatalf("version: %s", r)
	}
}

func TestIdent(t *testing.T) {
	enterprise := uscc("91350100", "M0001000")
	institution := uscc("12350100", "40000123")
	if enterprise != "91350100M00010006A" {
		// guards the test's own GB 32100 / GB 11714 arithmetic
		t.Fatalf("test helper: uscc = %s", enterprise)
	}
	const citizen = "11010519491231002X" // the example of GB 11643-1999
	const bad = "91350203M0001QAY9B"

	r := run(t, "ident", enterprise, institution, citizen)
	if r.code != 0 {
		t.Fatalf("valid codes: %s", r)
	}
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("want one line per code, got:\n%s", r.stdout)
	}
	for i, want := range [][]string{
		{enterprise, "\tvalid", "enterprise"},
		{institution, "\tvalid"},
		{"110105********002X", "\tvalid", "person", "female", "1949-12-31"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i], w) {
				t.Errorf("line %d %q does not contain %q", i+1, lines[i], w)
			}
		}
	}
	if strings.Contains(lines[1], "enterprise") {
		t.Errorf("a 12-prefixed code (public institution) described as an enterprise: %q", lines[1])
	}
	if strings.Contains(r.stdout, citizen) || strings.Contains(r.stdout, "19491231") {
		t.Errorf("the citizen ID number is printed in full:\n%s", r.stdout)
	}

	r = run(t, "ident", enterprise, bad)
	if r.code != 1 {
		t.Fatalf("an invalid code: %s", r)
	}
	lines = strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "\tvalid") || !strings.HasPrefix(lines[1], bad+"\tinvalid: ") || len(lines[1]) <= len(bad+"\tinvalid: ") {
		t.Errorf("want valid then invalid: REASON, got:\n%s", r.stdout)
	}

	// A citizen ID with a wrong check character is invalid and still masked.
	wrong := citizen[:17] + "1"
	r = run(t, "ident", wrong)
	if r.code != 1 || !strings.Contains(r.stdout, "invalid: ") || strings.Contains(r.stdout, wrong) || !strings.Contains(r.stdout, "110105********0021") {
		t.Errorf("bad citizen ID: %s", r)
	}
	// A bad birth date.
	r = run(t, "ident", "110105194913310023")
	if r.code != 1 || !strings.Contains(r.stdout, "invalid: ") {
		t.Errorf("bad birth date: %s", r)
	}
	if r := run(t, "ident"); r.code != 2 {
		t.Errorf("ident without codes: %s", r)
	}
}

func TestSchemaNewerThanBinary(t *testing.T) {
	e := newEnv(t)
	r := e.must(t, "migrate")
	if !strings.Contains(r.stdout, "schema version") {
		t.Errorf("migrate output: %s", r)
	}
	db := e.sqldb(t)
	if _, err := db.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (9999, 1)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, words := range []string{"migrate", "serve", "department list", "ledger verify"} {
		args := []string{}
		if words == "serve" {
			args = []string{"--addr", "127.0.0.1:0"}
		}
		r := e.run(t, words, args...)
		if r.code == 0 || r.err == nil || !strings.Contains(r.err.Error(), "newer") || !strings.Contains(r.err.Error(), "9999") {
			t.Errorf("%s on a newer schema: %s", words, r)
		}
	}
}

// TestAdministration: departments, tokens, accounts and the catalogue from
// the command line, checked against a running server.
func TestAdministration(t *testing.T) {
	e := readyEnv(t)
	r := e.must(t, "department add", "--code", deptCode, "--name", "福州市市场监督管理局", "--provides", "行政许可,行政处罚")
	if !strings.Contains(r.stdout, deptCode) || !strings.Contains(r.stdout, "XZXK") || !strings.Contains(r.stdout, "XZCF") {
		t.Errorf("department add: %s", r)
	}
	r = e.must(t, "department list")
	if !strings.Contains(r.stdout, deptCode) || !strings.Contains(r.stdout, "福州市市场监督管理局") || !strings.Contains(r.stdout, "XZXK,XZCF") {
		t.Errorf("department list: %s", r)
	}
	// Bad input: an invalid code, an unknown item, a duplicate.
	if r := e.run(t, "department add", "--code", "91350203M0001QAY9B", "--name", "x"); r.code != 1 {
		t.Errorf("department with an invalid code: %s", r)
	}
	if r := e.run(t, "department add", "--code", uscc("11350100", "MB000001"), "--name", "y", "--provides", "不存在的事项"); r.code != 1 || !strings.Contains(r.err.Error(), "不存在的事项") {
		t.Errorf("department providing an unknown item: %s", r)
	}
	if r := e.run(t, "department add", "--code", deptCode, "--name", "again"); r.code != 1 {
		t.Errorf("duplicate department: %s", r)
	}

	r = e.must(t, "token create", "--role", "officer", "--department", deptCode, "--name", "双公示系统")
	token := strings.TrimSuffix(r.stdout, "\n")
	if !strings.HasPrefix(token, "xyt_") || strings.ContainsAny(token, " \t\n") || len(token) < 20 {
		t.Fatalf("token create must print only the token on one line: %q", r.stdout)
	}
	if r := e.run(t, "token create", "--role", "officer", "--name", "no department"); r.code != 1 || r.stdout != "" {
		t.Errorf("officer token without a department: %s", r)
	}

	r = e.must(t, "user add", "--username", "officer1", "--role", "officer", "--department", deptCode, "--name", "张三明")
	password := strings.TrimSuffix(r.stdout, "\n")
	if password == "" || strings.ContainsAny(password, " \t\n") {
		t.Fatalf("user add must print only the password on stdout: %q", r.stdout)
	}
	if r := e.run(t, "user add", "--username", "x", "--role", "emperor"); r.code != 1 || r.stdout != "" {
		t.Errorf("user with an unknown role: %s", r)
	}
	r = e.must(t, "user list")
	if !strings.Contains(r.stdout, "officer1") || !strings.Contains(r.stdout, "admin") {
		t.Errorf("user list: %s", r)
	}

	r = e.must(t, "catalogue list")
	for _, want := range []string{"XZCF", "XZXK", "行政处罚"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("catalogue list lacks %s", want)
		}
	}

	// A provincial supplement loads; one whose item lacks a legal basis is
	// refused, naming the item, and nothing of it is loaded.
	good := filepath.Join(e.dir, "supplement.json")
	os.WriteFile(good, []byte(supplement("GS-NMG", `"legal_basis": "《甘肃省社会信用条例》",`)), 0o644)
	r = e.must(t, "catalogue load", good)
	if !strings.Contains(r.stdout, "loaded") {
		t.Errorf("catalogue load: %s", r)
	}
	bad := filepath.Join(e.dir, "bad.json")
	os.WriteFile(bad, []byte(supplement("GS-NOBASIS", "")), 0o644)
	r = e.run(t, "catalogue load", bad)
	if r.code != 1 || !strings.Contains(r.err.Error(), "GS-NOBASIS") || !strings.Contains(r.err.Error(), "legal_basis") {
		t.Errorf("supplement without legal basis: %s", r)
	}
	if r := e.run(t, "catalogue load", filepath.Join(e.dir, "missing.json")); r.code == 0 {
		t.Errorf("missing file: %s", r)
	}
	r = e.must(t, "catalogue list")
	if !strings.Contains(r.stdout, "GS-NMG") || strings.Contains(r.stdout, "GS-NOBASIS") {
		t.Errorf("after loading: %s", r)
	}
	// Approved, then proposed again: the list shows the version in force
	// and the pending change beside it until the change is withdrawn.
	for _, to := range []string{"consultation", "approved"} {
		e.must(t, "catalogue transition", "--item", "GS-NMG", "--to", to)
	}
	e.must(t, "catalogue load", good)
	rowOf := func(out, code string) string {
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, code+" ") {
				return l
			}
		}
		return ""
	}
	if row := rowOf(e.must(t, "catalogue list").stdout, "GS-NMG"); !strings.Contains(row, "approved") || !strings.Contains(row, "draft v") {
		t.Errorf("an approved item with a pending change: %q", row)
	}
	e.must(t, "catalogue transition", "--item", "GS-NMG", "--to", "withdrawn")
	if row := rowOf(e.must(t, "catalogue list").stdout, "GS-NMG"); !strings.Contains(row, "approved") || strings.Contains(row, "draft") || !strings.HasSuffix(strings.TrimSpace(row), "-") {
		t.Errorf("after withdrawing the change: %q", row)
	}

	// The token and the password work against a running server.
	s := startServe(t, e)
	code, body := s.get(t, "/api/v1/departments", token)
	if code != 200 || !strings.Contains(body, deptCode) {
		t.Errorf("GET /api/v1/departments with the token: %d %s", code, body)
	}
	if code, _ := s.get(t, "/api/v1/departments", "xyt_not-a-token"); code != 401 {
		t.Errorf("with a wrong token: %d, want 401", code)
	}
	if code, _ := s.get(t, "/api/v1/departments", ""); code != 401 {
		t.Errorf("without a token: %d, want 401", code)
	}
	s.wantLogin(t, "officer1", password)
	if code, body := s.get(t, "/api/v1/catalogue/items/GS-NMG", ""); code != 200 || !strings.Contains(body, "农民工工资支付信息") {
		t.Errorf("the supplementary item over the API: %d %s", code, body)
	}

	// Revoking the token ends its use (found through token list).
	r = e.must(t, "token list")
	var id string
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.Contains(line, "双公示系统") {
			id = strings.Fields(line)[0]
		}
	}
	if id == "" {
		t.Fatalf("token list does not show the token:\n%s", r.stdout)
	}
	e.must(t, "token revoke", "--id", id)
	if code, _ := s.get(t, "/api/v1/departments", token); code != 401 {
		t.Errorf("revoked token: %d, want 401", code)
	}
}

// supplement is a provincial supplement with one item; basis is the item's
// legal_basis member (or "" for none).
func supplement(code, basis string) string {
	return `{
  "layer": "provincial",
  "edition": "2025",
  "legal_basis": "《甘肃省社会信用条例》",
  "effective_from": "2025-01-01",
  "source": "test",
  "items": [{
    "code": "` + code + `",
    "name": "农民工工资支付信息",
    "category": "administrative",
    "negative": true,
    "providers": ["省人力资源社会保障厅"],
    "fields": [{"code": "WSH", "label": "决定书文号", "type": "text", "required": true}],
    "sharing_scope": "conditional",
    "disclosure_scope": "authorised",
    ` + basis + `
    "provenance": "local"
  }]
}`
}
