package server

import (
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Anonymous report issuance: every issued report is registered, audited
// and a leaf of the ledger, and an organisation's public report may be
// asked for by anyone without signing in. Without a limit one client could
// grow the ledger and the register without bound. Signed-in accounts and
// tokens are accountable and not limited here. Behind a reverse proxy, name
// it with --trusted-proxies, or every client counts as the proxy.
const (
	// PublicReportsPerHour is how many reports one client address may
	// issue without signing in, per hour.
	PublicReportsPerHour = 60
	// limiterClients is the most client addresses one window counts; a new
	// address beyond it is refused until the window ends (memory stays
	// bounded whatever the number of addresses).
	limiterClients = 100_000
)

// clientLimiter allows at most max requests per client address in each
// fixed window of time.
type clientLimiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	now    func() time.Time
	start  time.Time
	counts map[string]int
}

func newClientLimiter(max int, window time.Duration, now func() time.Time) *clientLimiter {
	return &clientLimiter{max: max, window: window, now: now, counts: map[string]int{}}
}

// allow counts a request of client and reports whether it is within the
// limit; when it is not, retry is how long until the window ends, and full
// says the refusal is because the window counts limiterClients addresses
// already (not because this client used its share).
func (l *clientLimiter) allow(client string) (ok, full bool, retry time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.start) >= l.window || now.Before(l.start) {
		l.start = now
		clear(l.counts)
	}
	retry = l.start.Add(l.window).Sub(now)
	n, seen := l.counts[client]
	if !seen && len(l.counts) >= limiterClients {
		return false, true, retry
	}
	if n >= l.max {
		return false, false, retry
	}
	l.counts[client] = n + 1
	return true, false, 0
}

// refund gives back a request allow counted that wrote nothing (a refused
// or failed issue): only what is issued uses the client's share.
func (l *clientLimiter) refund(client string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := l.counts[client]; n > 1 {
		l.counts[client] = n - 1
	} else if n == 1 {
		delete(l.counts, client)
	}
}

// clientKey names the client a request is counted for: its address, or
// the address the trusted proxies in front of the server forwarded for
// (the rightmost X-Forwarded-For hop that is not a trusted proxy); an IPv6
// client by its /64, which one subscriber holds whole.
func clientKey(r *http.Request, trusted []netip.Prefix) string {
	addr, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	a := addr.Addr().Unmap().WithZone("")
	if isTrusted(a, trusted) {
		var hops []string
		for _, v := range r.Header.Values("X-Forwarded-For") {
			hops = append(hops, strings.Split(v, ",")...)
		}
		for i := len(hops) - 1; i >= 0; i-- {
			h, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break // not an address: count the last hop known
			}
			a = h.Unmap().WithZone("")
			if !isTrusted(a, trusted) {
				break
			}
		}
	}
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
