package server

import (
	"encoding/json"
	"net/http/httptest"
	"net/netip"
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
		if ok, _, _ := l.allow("a"); ok != want {
			t.Fatalf("request %d of a: %v, want %v", i+1, ok, want)
		}
	}
	if ok, _, _ := l.allow("b"); !ok {
		t.Fatal("b is counted apart from a")
	}
	now = now.Add(30 * time.Minute)
	if ok, _, retry := l.allow("a"); ok || retry != 30*time.Minute {
		t.Fatalf("a half-way through the window: %v, retry %v", ok, retry)
	}
	now = now.Add(30 * time.Minute)
	if ok, _, _ := l.allow("a"); !ok {
		t.Fatal("a in the next window")
	}
	for i := len(l.counts); i < limiterClients; i++ {
		l.counts[strconv.Itoa(i)] = 1
	}
	if ok, full, _ := l.allow("new"); ok || !full {
		t.Errorf("a new address beyond limiterClients: allowed %v, full %v", ok, full)
	}
	if ok, _, _ := l.allow("a"); !ok {
		t.Error("a known address is still counted when the table is full")
	}
}

// TestClientLimiterRefund: a refunded request (nothing issued) does not use
// the client's share.
func TestClientLimiterRefund(t *testing.T) {
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	l := newClientLimiter(1, time.Hour, func() time.Time { return now })
	for range 3 {
		if ok, _, _ := l.allow("a"); !ok {
			t.Fatal("a refunded request used the share")
		}
		l.refund("a")
	}
	l.allow("a")
	if ok, full, _ := l.allow("a"); ok || full {
		t.Fatalf("over the limit after one issued: allowed %v, full %v", ok, full)
	}
}

// TestClientKey: the connecting address is the client, an IPv6 client by
// its /64; X-Forwarded-For counts only from a trusted proxy, and then its
// rightmost hop that is not itself a trusted proxy (the hops to its left
// are the client's to write).
func TestClientKey(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::1/128")}
	for _, c := range []struct {
		remote, xff, want string
	}{
		{"203.0.113.7:5555", "", "203.0.113.7"},
		{"203.0.113.7:5555", "198.51.100.1", "203.0.113.7"},                // not a trusted proxy: the header is the client's
		{"[2001:db8:1:2:aaaa::1]:443", "", "2001:db8:1:2::/64"},            // one subscriber's /64
		{"[2001:db8:1:2:bbbb::9]:443", "", "2001:db8:1:2::/64"},            // the same subscriber, another address
		{"[::ffff:203.0.113.7]:80", "", "203.0.113.7"},                     // IPv4-mapped
		{"10.1.2.3:80", "198.51.100.1", "198.51.100.1"},                    // through the proxy
		{"10.1.2.3:80", "1.1.1.1, 198.51.100.1, 10.9.9.9", "198.51.100.1"}, // a second trusted hop skipped, the client's own claim ignored
		{"[fd00::1]:80", "2001:db8:9:9::5", "2001:db8:9:9::/64"},           // IPv6 proxy
		{"10.1.2.3:80", "not-an-address", "10.1.2.3"},                      // garbage: the proxy itself
		{"10.1.2.3:80", "", "10.1.2.3"},                                    // no header
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.remote
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := clientKey(r, trusted); got != c.want {
			t.Errorf("%s via %q: %q, want %q", c.remote, c.xff, got, c.want)
		}
	}
}

// TestPublicReportRefusalsAreFree: refused reports (an unknown code) do not
// use the anonymous client's share of issued reports.
func TestPublicReportRefusalsAreFree(t *testing.T) {
	f := newSharing(t)
	e := f.e
	for range PublicReportsPerHour + 5 {
		if r := e.do(t, req{Path: "/api/v1/subjects/" + uscc(t, "91620100MA7NXNE1") + "/report.json"}); r.Status == 200 || r.Status == 429 {
			t.Fatalf("a report of a subject the platform does not hold: %s", r)
		}
	}
	if r := e.do(t, req{Path: "/api/v1/subjects/" + f.orgCode + "/report.json"}); r.Status != 200 {
		t.Fatalf("the first report issued after refusals: %s", r)
	}
}
