package server

import (
	"sync"
	"time"
)

// Anonymous report issuance: every issued report is registered, audited
// and a leaf of the ledger, and an organisation's public report may be
// asked for by anyone without signing in. Without a limit one client could
// grow the ledger and the register without bound. Signed-in accounts and
// tokens are accountable and not limited here.
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
// limit; when it is not, retry is how long until the window ends.
func (l *clientLimiter) allow(client string) (ok bool, retry time.Duration) {
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
		return false, retry
	}
	if n >= l.max {
		return false, retry
	}
	l.counts[client] = n + 1
	return true, 0
}
