package workflow_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

// backlog queues n record.withdrawn events for every subscription, all due
// at the clock's time, as a commit would (flushEvents).
func backlog(t *testing.T, svc *workflow.Service, n int) {
	t.Helper()
	err := svc.Store.Update(context.Background(), func(tx xinyong.Tx) error {
		if _, err := tx.LockLedger(); err != nil {
			return err
		}
		seq, err := tx.NextEventSeq()
		if err != nil {
			return err
		}
		subs, err := tx.Subscriptions()
		if err != nil {
			return err
		}
		now := svc.Now()
		var es []xinyong.Event
		var ds []xinyong.Delivery
		for i := range n {
			e := xinyong.Event{ID: "evt_" + workflow.NewID(), Seq: seq + int64(i), Type: xinyong.EventRecordWithdrawn, ObjectType: "record",
				ObjectID: fmt.Sprintf("r%d", i), Payload: []byte(`{}`), CreatedAt: now}
			es = append(es, e)
			for _, sub := range subs {
				ds = append(ds, xinyong.Delivery{ID: workflow.NewID(), SubscriptionID: sub.ID, EventID: e.ID, EventType: e.Type, Status: xinyong.DeliveryPending,
					WindowStart: now, NextAt: now, CreatedAt: now})
			}
		}
		if err := tx.AppendEvents(es); err != nil {
			return err
		}
		return tx.AddDeliveries(ds)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestWebhookBacklogFreshClock: a run that drains a backlog over several
// batches signs each delivery with the time it is sent (receivers reject a
// webhook-timestamp more than a few minutes old) and claims each batch with
// a lease from its own claim (a lease from the run's start would have
// expired, and another server would re-claim the rows). The service clock
// advances one second per delivery; nothing sleeps.
func TestWebhookBacklogFreshClock(t *testing.T) {
	clk := &clock{now: day("2026-03-02")}
	a, _ := openApp(t, clk)
	svc := a.Service
	svc.Webhooks.Parallel = 1
	svc.Webhooks.Timeout = 5 * time.Second
	// A batch of 50 attempted one at a time, each up to the timeout, and a
	// minute to record the outcomes: the lease outlasts the whole batch.
	lease := 50*svc.Webhooks.Timeout + time.Minute
	t0 := clk.Now()

	var (
		mu     sync.Mutex
		stale  []string // wrong webhook-timestamp
		leases []string // wrong lease
		sent   int
		subID  string
	)
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		defer mu.Unlock()
		at := clk.Now()
		i := sent
		sent++
		if ts := r.Header.Get("webhook-timestamp"); ts != strconv.FormatInt(at.Unix(), 10) {
			stale = append(stale, fmt.Sprintf("delivery %d sent at %s: webhook-timestamp %s (%+ds), want the time it is sent", i, at.Format(time.TimeOnly), ts, mustUnix(ts)-at.Unix()))
		}
		// The delivery being sent is pending under its claim's lease.
		claimAt := t0.Add(time.Duration(i/50*50) * time.Second) // 50 per claim; the clock moves 1 s per delivery
		var lease0 time.Time
		svc.Store.View(r.Context(), func(tx xinyong.Tx) error {
			ds, err := tx.DeliveriesBy(subID, xinyong.DeliveryPending, 1000)
			for _, d := range ds {
				if d.EventID == r.Header.Get("webhook-id") {
					lease0 = d.NextAt
				}
			}
			return err
		})
		if !lease0.Equal(claimAt.Add(lease)) || !lease0.After(at) {
			leases = append(leases, fmt.Sprintf("delivery %d sent at %s: lease until %s, want %s (its claim's time + %s)", i, at.Format(time.TimeOnly), lease0.In(xinyong.Shanghai).Format(time.TimeOnly), claimAt.Add(lease).Format(time.TimeOnly), lease))
		}
		clk.Set(at.Add(time.Second))
		w.WriteHeader(204)
	}))
	t.Cleanup(rc.Close)

	sub, err := svc.CreateSubscription(t.Context(), xinyong.System, workflow.SubscriptionInput{URL: rc.URL + "/hooks", Events: []string{xinyong.EventRecordWithdrawn}})
	if err != nil {
		t.Fatal(err)
	}
	subID = sub.ID
	backlog(t, svc, 120)

	rep, err := svc.DeliverWebhooks(t.Context(), svc.Now())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Delivered != 120 || sent != 120 {
		t.Fatalf("delivered %+v, receiver saw %d", rep, sent)
	}
	for what, ps := range map[string][]string{"signed with a stale timestamp": stale, "sent under a wrong lease": leases} {
		if len(ps) > 0 {
			t.Errorf("%d of 120 deliveries %s, e.g.:\n%s", len(ps), what, strings.Join(ps[:min(len(ps), 3)], "\n"))
		}
	}
	// Outcomes count from their batch's claim: the last batch was claimed
	// at t0+100s (old: every outcome at t0).
	var latest time.Time
	svc.Store.View(t.Context(), func(tx xinyong.Tx) error {
		ds, err := tx.DeliveriesBy(subID, xinyong.DeliveryDelivered, 1000)
		for _, d := range ds {
			if d.DeliveredAt.After(latest) {
				latest = d.DeliveredAt
			}
		}
		return err
	})
	if want := t0.Add(100 * time.Second); !latest.Equal(want) {
		t.Errorf("the last batch is recorded as delivered at %s, want %s (its claim)", latest, want)
	}
}

func mustUnix(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// TestWebhookAuditKeepsURLCredentialsOut: the audit trail (whose detail is
// a ledger leaf, never scrubbed) records a subscription's URL as scheme,
// host and path: not the receiver's ?access_token=, and a URL with
// user:password@ is refused outright.
func TestWebhookAuditKeepsURLCredentialsOut(t *testing.T) {
	clk := &clock{now: day("2026-03-02")}
	a, _ := openApp(t, clk)
	svc, ctx := a.Service, t.Context()
	const secret = "SECRET-5b1e9d"
	sub, err := svc.CreateSubscription(ctx, xinyong.System, workflow.SubscriptionInput{URL: "https://hooks.example.cn/robot/send?access_token=" + secret + "&x=1", Events: []string{xinyong.EventRecordWithdrawn}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sub.URL, secret) {
		t.Fatalf("the subscription itself keeps its URL for delivery: %q", sub.URL)
	}
	_, err = svc.CreateSubscription(ctx, xinyong.System, workflow.SubscriptionInput{URL: "https://user:pass-7c2f@hooks.example.cn/in?access_token=" + secret, Events: []string{xinyong.EventRecordWithdrawn}})
	if xinyong.ErrorCode(err) != xinyong.EINVALID {
		t.Fatalf("a URL with credentials: %v", err)
	}
	if err := svc.DeleteSubscription(ctx, xinyong.System, sub.ID); err != nil {
		t.Fatal(err)
	}
	evs, err := svc.Audit(ctx, xinyong.System, xinyong.AuditFilter{ObjectType: "subscription"})
	if err != nil || len(evs) != 2 {
		t.Fatalf("subscription audit: %+v %v", evs, err)
	}
	for _, ev := range evs {
		if strings.Contains(ev.Detail, secret) || strings.Contains(ev.Detail, "pass-7c2f") || strings.Contains(ev.Detail, "access_token") {
			t.Errorf("%s: audit detail %q carries the URL's credentials", ev.Action, ev.Detail)
		}
		if !strings.Contains(ev.Detail, "https://hooks.example.cn/robot/send") {
			t.Errorf("%s: audit detail %q does not name the endpoint", ev.Action, ev.Detail)
		}
	}
}
