package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
)

// A request whose client went away is logged as abandoned (info), not as
// a failure an operator must look at; a real internal error still is one.
func TestProblemLogLevels(t *testing.T) {
	for _, tt := range []struct {
		name      string
		cancelled bool
		err       error
		level     string
		msg       string
	}{
		{"client went away", true, fmt.Errorf("begin read: %w", context.Canceled), "INFO", "request abandoned"},
		{"internal error of a live request", false, errors.New("disk full"), "ERROR", "request failed"},
		{"internal error after the client left", true, errors.New("disk full"), "ERROR", "request failed"},
	} {
		var buf bytes.Buffer
		log := slog.New(slog.NewJSONHandler(&buf, nil))
		r := httptest.NewRequest("GET", "/api/v1/records", nil)
		if tt.cancelled {
			ctx, cancel := context.WithCancel(r.Context())
			cancel()
			r = r.WithContext(ctx)
		}
		p := problemOf(r, log, tt.err)
		if p.Status != 500 {
			t.Errorf("%s: status %d, want 500", tt.name, p.Status)
		}
		if out := buf.String(); !strings.Contains(out, `"level":"`+tt.level+`"`) || !strings.Contains(out, `"msg":"`+tt.msg+`"`) {
			t.Errorf("%s: logged %s, want level %s and %q", tt.name, out, tt.level, tt.msg)
		}
	}
}

// A citizen ID number a caller typed into an address — mistyped (a wrong
// check character) or in a path no route takes — is never repeated in full
// in the answer, on the error page, or in the log of the refusal.
func TestProblemMasksCitizenIDs(t *testing.T) {
	logs := &syncBuffer{}
	e := newEnv(t, func(s *Server) { s.Log = slog.New(slog.NewJSONHandler(logs, nil)) })
	valid := citizenID(t, "62010219850312123")
	typo := valid[:17] + string("10X98765432"[(strings.IndexByte("10X98765432", valid[17])+1)%11]) // the check character mistyped
	for _, path := range []string{
		"/api/v1/subjects/" + typo,
		"/subjects/" + typo,
		"/api/v1/subjects/" + typo + "/report.json",
		"/api/v1/nothing/" + valid,
	} {
		r := e.do(t, req{Path: path})
		if r.Status < 400 {
			t.Errorf("GET %s: %s, want a refusal", path, r)
		}
		for _, id := range []string{valid, typo} {
			if strings.Contains(string(r.Body), id) {
				t.Errorf("GET %s answers with the full number %s: %s", path, id, r)
			}
		}
	}
	out := logs.String()
	if !strings.Contains(out, "request refused") {
		t.Fatalf("no refusal was logged: %s", out)
	}
	for _, id := range []string{valid, typo} {
		if strings.Contains(out, id) {
			t.Errorf("the log holds the full number %s:\n%s", id, out)
		}
	}
}

// TestAccessLogNamesActor: the access log line of a request made with a
// token names the token's actor (an operator traces who called what), and
// a request without one is the public's; a refused token is logged as the
// public's too, never as anyone it claimed to be.
func TestAccessLogNamesActor(t *testing.T) {
	logs := &syncBuffer{}
	e := newEnv(t, func(s *Server) { s.Log = slog.New(slog.NewJSONHandler(logs, nil)) })
	admin := e.token(t, "admin", "", "log admin")
	var toks struct {
		Tokens []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"tokens"`
	}
	e.do(t, req{Path: "/api/v1/tokens", Token: admin}).json(t, &toks)
	id := ""
	for _, k := range toks.Tokens {
		if k.Name == "log admin" {
			id = k.ID
		}
	}
	if id == "" {
		t.Fatalf("token not listed: %+v", toks)
	}
	lineOf := func(reqID string) map[string]any {
		for _, l := range strings.Split(logs.String(), "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "http" && m["request_id"] == reqID {
				return m
			}
		}
		t.Fatalf("no access log line for request %s in %s", reqID, logs.String())
		return nil
	}
	for _, c := range []struct {
		name, token, want string
	}{
		{"with a token", admin, "token:" + id},
		{"without", "", "public"},
		{"with a revoked or unknown token", "xy_nope", "public"},
	} {
		rid := "log-" + strings.ReplaceAll(c.name, " ", "-")
		e.do(t, req{Path: "/api/v1/catalogue", Token: c.token, Header: map[string]string{"X-Request-Id": rid}})
		if got := lineOf(rid)["actor"]; got != c.want {
			t.Errorf("%s: access log actor %v, want %s", c.name, got, c.want)
		}
	}
}
