package main

import (
	"bufio"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestServeFirstAndSecondStart: the first start migrates, loads the
// catalogue and prints the URL and a one-time admin password that signs in;
// the second prints the URL but no password and keeps everything.
func TestServeFirstAndSecondStart(t *testing.T) {
	e := newEnv(t)
	s := startServe(t, e)
	out := s.out.String()
	if !strings.HasPrefix(s.m.URL, "http://127.0.0.1:") || strings.HasSuffix(s.m.URL, ":0") {
		t.Fatalf("URL %q", s.m.URL)
	}
	if !strings.Contains(out, s.m.URL) {
		t.Errorf("the URL is not printed:\n%s", out)
	}
	pw, ok := passwordIn(out)
	if !ok || len(pw) < 12 {
		t.Fatalf("no one-time password printed:\n%s", out)
	}
	if strings.Contains(s.errb.String(), pw) {
		t.Errorf("the password is logged")
	}
	if code, _ := s.get(t, "/healthz", ""); code != 200 {
		t.Errorf("/healthz: %d", code)
	}
	if code, body := s.get(t, "/readyz", ""); code != 200 {
		t.Errorf("/readyz: %d %s", code, body)
	}
	if code, body := s.get(t, "/api/v1/catalogue", ""); code != 200 || !strings.Contains(body, "XZCF") {
		t.Errorf("catalogue: %d %.200s", code, body)
	}
	s.wantLogin(t, "admin", pw)
	if resp := s.login(t, "admin", pw+"x"); resp.StatusCode == http.StatusSeeOther {
		t.Errorf("a wrong password signs in")
	}
	if err := s.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}

	s2 := startServe(t, e)
	out2 := s2.out.String()
	if !strings.Contains(out2, s2.m.URL) {
		t.Errorf("second start does not print the URL:\n%s", out2)
	}
	if strings.Contains(strings.ToLower(out2), "password") || strings.Contains(out2, pw) {
		t.Errorf("second start prints a password:\n%s", out2)
	}
	if code, body := s2.get(t, "/api/v1/catalogue", ""); code != 200 || !strings.Contains(body, "XZCF") {
		t.Errorf("catalogue after restart: %d %.200s", code, body)
	}
	s2.wantLogin(t, "admin", pw)
	if err := s2.stop(); err != nil {
		t.Fatal(err)
	}
	// One admin account, one load of the reference data.
	r := e.must(t, "user list")
	if n := strings.Count(r.stdout, "\nadmin "); n != 1 {
		t.Errorf("want one admin account, found %d:\n%s", n, r.stdout)
	}
	if n := e.count(t, `SELECT count(*) FROM audit WHERE action = 'refdata.load'`); n != 1 {
		t.Errorf("reference data loaded %d times", n)
	}
	e.must(t, "ledger verify")
}

// TestGracefulShutdown cancels serve's context while a request is in
// flight: the request completes, Run returns nil, and the port is closed.
func TestGracefulShutdown(t *testing.T) {
	e := readyEnv(t)
	s := startServe(t, e)
	addr := strings.TrimPrefix(s.m.URL, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cookie, token := loginToken(t, s.m.URL)
	form := url.Values{"username": {"admin"}, "password": {e.adminPassword}, "csrf": {token}}.Encode()
	// Expect: 100-continue makes the server tell us when the handler starts
	// reading the body: from then on the request is in flight.
	head := "POST /login HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
		"Cookie: " + cookie.Name + "=" + cookie.Value + "\r\n" +
		"Content-Length: " + strconv.Itoa(len(form)) + "\r\nExpect: 100-continue\r\n\r\n"
	if _, err := conn.Write([]byte(head)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	line, err := br.ReadString('\n')
	if err != nil || !strings.Contains(line, "100 Continue") {
		t.Fatalf("want 100 Continue, got %q %v", line, err)
	}
	if _, err := br.ReadString('\n'); err != nil { // the blank line after 100
		t.Fatal(err)
	}
	shutting := s.errb.written("shutting down")
	s.cancel()
	select {
	case <-shutting:
	case <-time.After(30 * time.Second): // a guard, not a synchronisation
		t.Fatalf("serve did not log that it is shutting down:\n%s", s.errb)
	}
	select {
	case err := <-s.done:
		t.Fatalf("Run returned (%v) before the in-flight request finished", err)
	default:
	}
	if _, err := conn.Write([]byte(form)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("in-flight request: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("in-flight login: status %d, want 303", resp.StatusCode)
	}
	if err := s.stop(); err != nil {
		t.Fatalf("Run after cancel: %v, want nil", err)
	}
	if c, err := net.Dial("tcp", addr); err == nil {
		c.Close()
		t.Errorf("the port still accepts connections after shutdown")
	}
}
