package server

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"
)

// TestPublicReportLimit: without signing in, one client address issues at
// most PublicReportsPerHour reports an hour; the next is refused with 429,
// a problem answer and Retry-After, and writes nothing to the ledger. A
// token holder is not limited by it.
func TestPublicReportLimit(t *testing.T) {
	f := newSharing(t)
	e := f.e
	path := "/api/v1/subjects/" + f.orgCode + "/report.json"
	for i := range PublicReportsPerHour {
		if r := e.do(t, req{Path: path}); r.Status != 200 {
			t.Fatalf("public report %d: %s", i+1, r)
		}
	}
	size := e.ledgerSize(t)
	r := e.do(t, req{Path: path})
	if r.Status != 429 {
		t.Fatalf("report %d without signing in: %s, want 429", PublicReportsPerHour+1, r)
	}
	var p Problem
	if err := json.Unmarshal(r.Body, &p); err != nil || r.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("refusal is not a problem answer: %v %s", err, r)
	}
	if p.Code != "too_many_requests" {
		t.Errorf("problem = %+v", p)
	}
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s <= 0 || s > 3600 {
		t.Errorf("Retry-After = %q", r.Header.Get("Retry-After"))
	}
	if got := e.ledgerSize(t); got != size {
		t.Errorf("a refused report grew the ledger from %d to %d", size, got)
	}
	if r := e.do(t, req{Path: path, Token: f.agency}); r.Status != 200 {
		t.Errorf("a token holder after the public limit: %s", r)
	}
}

// TestClientLimiter: the fixed window counts per address, starts afresh
// when it ends, and counts at most limiterClients addresses.
func TestClientLimiter(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	l := newClientLimiter(2, time.Hour, func() time.Time { return now })
	for i, want := range []bool{true, true, false} {
		if ok, _ := l.allow("a"); ok != want {
			t.Fatalf("request %d of a: %v, want %v", i+1, ok, want)
		}
	}
	if ok, _ := l.allow("b"); !ok {
		t.Fatal("b is counted apart from a")
	}
	now = now.Add(30 * time.Minute)
	if ok, retry := l.allow("a"); ok || retry != 30*time.Minute {
		t.Fatalf("a half-way through the window: %v, retry %v", ok, retry)
	}
	now = now.Add(30 * time.Minute)
	if ok, _ := l.allow("a"); !ok {
		t.Fatal("a in the next window")
	}
	for i := len(l.counts); i < limiterClients; i++ {
		l.counts[strconv.Itoa(i)] = 1
	}
	if ok, _ := l.allow("new"); ok {
		t.Error("a new address beyond limiterClients was counted")
	}
	if ok, _ := l.allow("a"); !ok {
		t.Error("a known address is still counted when the table is full")
	}
}
