package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

// hook is one request a test receiver got.
type hook struct {
	ID, TS, Type string
	RecordID     string
	Accepted     bool
}

// receiver is a webhook endpoint on 127.0.0.1. Mode "up" checks the
// signature (computed here, independently of the platform's code) and
// answers 204; "fail" answers 503; "hang" answers nothing until the client
// gives up.
type receiver struct {
	t      *testing.T
	mu     sync.Mutex
	secret string
	mode   string
	hooks  []hook
	seen   chan hook
	srv    *httptest.Server
	addr   string
}

func newReceiver(t *testing.T, mode string) *receiver {
	rc := &receiver{t: t, mode: mode, seen: make(chan hook, 100)}
	rc.srv = httptest.NewServer(rc)
	rc.addr = rc.srv.Listener.Addr().String()
	t.Cleanup(rc.srv.Close)
	return rc
}

// down stops listening; up listens again at the same address.
func (rc *receiver) down() { rc.srv.Close() }

func (rc *receiver) up() {
	ln, err := net.Listen("tcp", rc.addr)
	if err != nil {
		rc.t.Fatalf("listen again on %s: %v", rc.addr, err)
	}
	rc.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: rc}}
	rc.srv.Start()
	rc.t.Cleanup(rc.srv.Close)
}

func (rc *receiver) url() string { return "http://" + rc.addr + "/hooks" }

func (rc *receiver) set(mode, secret string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if mode != "" {
		rc.mode = mode
	}
	if secret != "" {
		rc.secret = secret
	}
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	mode, secret := rc.mode, rc.secret
	rc.mu.Unlock()
	var msg struct {
		Type string `json:"type"`
		Data struct {
			RecordID string `json:"record_id"`
		} `json:"data"`
	}
	json.Unmarshal(body, &msg)
	h := hook{ID: r.Header.Get("webhook-id"), TS: r.Header.Get("webhook-timestamp"), Type: msg.Type, RecordID: msg.Data.RecordID}
	record := func(accepted bool) {
		h.Accepted = accepted
		rc.mu.Lock()
		rc.hooks = append(rc.hooks, h)
		rc.mu.Unlock()
		rc.seen <- h
	}
	switch mode {
	case "fail":
		record(false)
		http.Error(w, "down for maintenance", 503)
	case "hang":
		record(false)
		<-r.Context().Done()
	default:
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
		if err != nil || !strings.HasPrefix(secret, "whsec_") {
			rc.t.Errorf("receiver secret %q", secret)
		}
		m := hmac.New(sha256.New, key)
		m.Write([]byte(h.ID + "." + h.TS + "." + string(body)))
		want := "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
		if !strings.Contains(" "+r.Header.Get("webhook-signature")+" ", " "+want+" ") || h.ID == "" || r.Method != "POST" {
			rc.t.Errorf("bad webhook: %s id %q signature %q, want %q", r.Method, h.ID, r.Header.Get("webhook-signature"), want)
			http.Error(w, "bad signature", 401)
			return
		}
		record(true)
		w.WriteHeader(204)
	}
}

// accepted returns the hooks answered 2xx.
func (rc *receiver) accepted() []hook {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []hook
	for _, h := range rc.hooks {
		if h.Accepted {
			out = append(out, h)
		}
	}
	return out
}

// idsPerRecord maps each record to the webhook-ids of every request about it.
func (rc *receiver) idsPerRecord() map[string]map[string]bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := map[string]map[string]bool{}
	for _, h := range rc.hooks {
		if out[h.RecordID] == nil {
			out[h.RecordID] = map[string]bool{}
		}
		out[h.RecordID][h.ID] = true
	}
	return out
}

func noDelivery(s *Server) { s.Delivery.Disabled = true }

// dyingStore lets left more Update calls through, then fails every one, as
// a process that dies would.
type dyingStore struct {
	xinyong.Store
	mu   sync.Mutex
	left int
}

func (s *dyingStore) Update(ctx context.Context, fn func(xinyong.Tx) error) error {
	s.mu.Lock()
	s.left--
	dead := s.left < 0
	s.mu.Unlock()
	if dead {
		return fmt.Errorf("the process died")
	}
	return s.Store.Update(ctx, fn)
}

// subscribe creates a subscription and gives its secret to the receiver.
func (e *testEnv) subscribe(t *testing.T, rc *receiver, events ...string) string {
	t.Helper()
	r := e.do(t, req{Method: "POST", Path: "/api/v1/subscriptions", Token: e.admin, Body: map[string]any{"url": rc.url(), "events": events}})
	if r.Status != 201 {
		t.Fatalf("subscribe: %s", r)
	}
	var a struct{ ID, Secret string }
	r.json(t, &a)
	if a.ID == "" || !strings.HasPrefix(a.Secret, "whsec_") {
		t.Fatalf("subscribe: %s", r)
	}
	rc.set("", a.Secret)
	return a.ID
}

// withdrawn submits a record and withdraws it, returning its id.
func (e *testEnv) withdrawn(t *testing.T, off, number string) string {
	t.Helper()
	r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: off, Body: penaltyInput(t, uscc(t, "91620100MA000001"), "兰州某某商贸有限公司", number)})
	if r.Status != 201 {
		t.Fatalf("create: %s", r)
	}
	var a submitAnswer
	r.json(t, &a)
	r = e.do(t, req{Method: "POST", Path: "/api/v1/records/" + a.Record.ID + "/withdraw", Token: off, Body: map[string]any{"reason": "revoked", "note": "复议撤销"}})
	if r.Status != 200 {
		t.Fatalf("withdraw: %s", r)
	}
	return a.Record.ID
}

func deliver(t *testing.T, svc *workflow.Service, now time.Time) workflow.DeliveryReport {
	t.Helper()
	rep, err := svc.DeliverWebhooks(t.Context(), now)
	if err != nil {
		t.Fatalf("DeliverWebhooks: %v", err)
	}
	return rep
}

// eventPage reads the pull feed.
func (e *testEnv) eventPage(t *testing.T, token string, after int64) workflow.EventPage {
	t.Helper()
	r := e.do(t, req{Path: fmt.Sprintf("/api/v1/events?after=%d", after), Token: token})
	if r.Status != 200 {
		t.Fatalf("events: %s", r)
	}
	var p workflow.EventPage
	r.json(t, &p)
	return p
}

// A withdrawal reaches a subscriber as a correctly signed record.withdrawn,
// and the pull feed lists the events in commit order.
func TestWebhookWithdrawalSigned(t *testing.T) {
	e := newEnv(t, noDelivery)
	d := e.dept(t, "11620000MB192104", "甘肃省市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	rc := newReceiver(t, "up")
	subID := e.subscribe(t, rc, "record.withdrawn")

	r := e.do(t, req{Path: "/api/v1/subscriptions", Token: e.admin})
	if r.Status != 200 || strings.Contains(string(r.Body), "whsec_") || !strings.Contains(string(r.Body), subID) {
		t.Errorf("list subscriptions (no secret): %s", r)
	}
	e.do(t, req{Path: "/api/v1/subscriptions", Token: off}).problem(t, 403, "forbidden")

	id := e.withdrawn(t, off, "甘市监罚〔2025〕1号")
	rep := deliver(t, e.svc, time.Now())
	if rep.Delivered != 1 || rep.Attempted != 1 {
		t.Fatalf("delivery: %+v", rep)
	}
	got := rc.accepted()
	if len(got) != 1 || got[0].Type != "record.withdrawn" || got[0].RecordID != id {
		t.Fatalf("received %+v", got)
	}
	if rep := deliver(t, e.svc, time.Now().Add(48*time.Hour)); rep.Attempted != 0 {
		t.Errorf("delivered again: %+v", rep)
	}

	// The pull feed: record.published then record.withdrawn; the webhook's
	// id is the event's.
	for _, tok := range []string{e.admin, e.token(t, "agency", "", ""), e.token(t, "auditor", "", "")} {
		p := e.eventPage(t, tok, 0)
		if len(p.Events) != 2 || p.Events[0].Type != "record.published" || p.Events[1].Type != "record.withdrawn" || p.Events[0].Seq >= p.Events[1].Seq || p.Next != p.Events[1].Seq {
			t.Fatalf("feed: %+v", p)
		}
		if p.Events[1].ID != got[0].ID || p.Events[1].ObjectID != id {
			t.Errorf("feed event %+v, webhook id %s", p.Events[1], got[0].ID)
		}
		if q := e.eventPage(t, tok, p.Next); len(q.Events) != 0 || q.Next != p.Next {
			t.Errorf("feed after the last cursor: %+v", q)
		}
	}
	e.do(t, req{Path: "/api/v1/events?after=0", Token: off}).problem(t, 403, "forbidden")
	e.do(t, req{Path: "/api/v1/events?after=0"}).problem(t, 401, "unauthorized")
	e.do(t, req{Path: "/api/v1/events?after=-1", Token: e.admin}).problem(t, 400, "invalid")

	// Deleting the subscription: nothing more is sent to it.
	if r := e.do(t, req{Method: "DELETE", Path: "/api/v1/subscriptions/" + subID, Token: e.admin}); r.Status != 204 {
		t.Fatalf("delete: %s", r)
	}
	e.withdrawn(t, off, "甘市监罚〔2025〕2号")
	if rep := deliver(t, e.svc, time.Now()); rep.Attempted != 0 {
		t.Errorf("delivered to a deleted subscription: %+v", rep)
	}
	e.do(t, req{Method: "DELETE", Path: "/api/v1/subscriptions/" + subID, Token: e.admin}).problem(t, 404, "not_found")
}

// A receiver that is down gets the event when it is up again, with the
// same webhook-id.
func TestWebhookReceiverDownThenUp(t *testing.T) {
	e := newEnv(t, noDelivery)
	d := e.dept(t, "11620000MB192104", "甘肃省市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	rc := newReceiver(t, "up")
	e.subscribe(t, rc, "record.withdrawn", "record.published")
	rc.down()

	e.withdrawn(t, off, "甘市监罚〔2025〕1号")
	now := time.Now()
	if rep := deliver(t, e.svc, now); rep.Attempted != 2 || rep.Retrying != 2 {
		t.Fatalf("first attempt: %+v", rep)
	}
	if rep := deliver(t, e.svc, now.Add(5*time.Second)); rep.Attempted != 0 {
		t.Fatalf("retried before the backoff: %+v", rep)
	}
	now = now.Add(10 * time.Second)
	if rep := deliver(t, e.svc, now); rep.Attempted != 2 || rep.Retrying != 2 {
		t.Fatalf("second attempt: %+v", rep)
	}
	rc.up()
	if rep := deliver(t, e.svc, now.Add(20*time.Second)); rep.Attempted != 0 {
		t.Fatalf("retried before the backoff: %+v", rep)
	}
	if rep := deliver(t, e.svc, now.Add(30*time.Second)); rep.Delivered != 2 {
		t.Fatalf("after the receiver came back: %+v", rep)
	}
	p := e.eventPage(t, e.admin, 0)
	got := rc.accepted()
	if len(got) != 2 || got[0].ID == got[1].ID {
		t.Fatalf("received %+v", got)
	}
	for i, ev := range p.Events {
		if got[0].ID != ev.ID && got[1].ID != ev.ID {
			t.Errorf("event %d (%s) not received under its id", i, ev.ID)
		}
	}
}

// A receiver that times out is retried; the retry carries the same id.
func TestWebhookReceiverTimesOut(t *testing.T) {
	e := newEnv(t, noDelivery)
	e.svc.Webhooks.Timeout = 300 * time.Millisecond
	d := e.dept(t, "11620000MB192104", "甘肃省市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	rc := newReceiver(t, "hang")
	subID := e.subscribe(t, rc, "record.withdrawn")
	id := e.withdrawn(t, off, "甘市监罚〔2025〕1号")
	now := time.Now()
	if rep := deliver(t, e.svc, now); rep.Retrying != 1 {
		t.Fatalf("timed-out attempt: %+v", rep)
	}
	rc.set("up", "")
	if rep := deliver(t, e.svc, now.Add(10*time.Second)); rep.Delivered != 1 {
		t.Fatalf("retry: %+v", rep)
	}
	ids := rc.idsPerRecord()[id]
	if len(ids) != 1 || len(rc.accepted()) != 1 {
		t.Errorf("webhook ids for the event: %v (accepted %+v)", ids, rc.accepted())
	}
	var ds []xinyong.Delivery
	e.svc.Store.View(e.ctx, func(tx xinyong.Tx) error {
		var err error
		ds, err = tx.DeliveriesBy(subID, xinyong.DeliveryDelivered, 10)
		return err
	})
	if len(ds) != 1 || ds[0].Attempts != 2 || ds[0].LastStatus != 204 {
		t.Errorf("delivery %+v", ds)
	}
}

// After at least 24 hours of retries a delivery is a dead letter; the admin
// replays it and it arrives with the same id.
func TestWebhookDeadLetterReplay(t *testing.T) {
	e := newEnv(t, noDelivery)
	d := e.dept(t, "11620000MB192104", "甘肃省市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	rc := newReceiver(t, "fail")
	subID := e.subscribe(t, rc, "record.withdrawn")
	id := e.withdrawn(t, off, "甘市监罚〔2025〕1号")
	start := time.Now()
	dead, attempts := false, 0
	for now := start; now.Before(start.Add(30 * time.Hour)); now = now.Add(5 * time.Minute) {
		rep := deliver(t, e.svc, now)
		attempts += rep.Attempted
		if rep.Dead > 0 {
			dead = true
			if now.Sub(start) < xinyong.RetryWindow {
				t.Errorf("dead after %v", now.Sub(start))
			}
			break
		}
	}
	if !dead {
		t.Fatal("never dead")
	}
	t.Logf("%d attempts", attempts)
	r := e.do(t, req{Path: "/api/v1/subscriptions/" + subID + "/dead-letters", Token: e.admin})
	var dl struct {
		DeadLetters []xinyong.Delivery `json:"dead_letters"`
	}
	r.json(t, &dl)
	if len(dl.DeadLetters) != 1 || dl.DeadLetters[0].Attempts != attempts || dl.DeadLetters[0].LastStatus != 503 {
		t.Fatalf("dead letters: %s", r)
	}
	dID := dl.DeadLetters[0].ID
	replay := "/api/v1/subscriptions/" + subID + "/dead-letters/" + dID + "/replay"
	e.do(t, req{Method: "POST", Path: replay, Token: off}).problem(t, 403, "forbidden")
	e.do(t, req{Method: "POST", Path: "/api/v1/subscriptions/nope/dead-letters/" + dID + "/replay", Token: e.admin}).problem(t, 404, "not_found")
	rc.set("up", "")
	if r := e.do(t, req{Method: "POST", Path: replay, Token: e.admin}); r.Status != 200 {
		t.Fatalf("replay: %s", r)
	}
	e.do(t, req{Method: "POST", Path: replay, Token: e.admin}).problem(t, 409, "conflict")
	if rep := deliver(t, e.svc, time.Now()); rep.Delivered != 1 {
		t.Fatalf("after replay: %+v", rep)
	}
	if ids := rc.idsPerRecord()[id]; len(ids) != 1 || len(rc.accepted()) != 1 {
		t.Errorf("ids %v", ids)
	}
	if len(e.auditEvents(t, xinyong.AuditFilter{Action: "subscription.replay"})) != 1 {
		t.Error("the replay is not audited")
	}
}

// A restart in the middle of retries (a new Service and Server over the
// same store, the old process gone mid-attempt) loses no event and sends
// none under two ids.
func TestWebhookRestart(t *testing.T) {
	e := newEnv(t, noDelivery)
	d := e.dept(t, "11620000MB192104", "甘肃省市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	rc := newReceiver(t, "fail")
	e.subscribe(t, rc, "record.withdrawn")
	a := e.withdrawn(t, off, "甘市监罚〔2025〕1号")
	b := e.withdrawn(t, off, "甘市监罚〔2025〕2号")
	now := time.Now()
	if rep := deliver(t, e.svc, now); rep.Retrying != 2 {
		t.Fatalf("first attempt: %+v", rep)
	}
	// The second attempt hangs and the process dies during it: its
	// outcome is never recorded (the store refuses every transaction after
	// the claim).
	rc.set("hang", "")
	old := e.svc
	dying := &workflow.Service{Store: &dyingStore{Store: old.Store, left: 1}, IDKey: old.IDKey, Log: old.Log}
	dying.Webhooks.Timeout = 200 * time.Millisecond
	if _, err := dying.DeliverWebhooks(t.Context(), now.Add(10*time.Second)); err == nil {
		t.Fatal("the crashed run recorded its outcome")
	}
	if n := len(rc.idsPerRecord()); n != 2 {
		t.Fatalf("the hanging attempt reached %d records", n)
	}
	for len(rc.seen) > 0 {
		<-rc.seen
	}

	// A new process over the same store delivers on start, once the old
	// process's lease ran out.
	later := now.Add(10*time.Second + 10*time.Second + 2*time.Minute) // after the dead process's lease
	svc2 := &workflow.Service{Store: old.Store, Clock: func() time.Time { return later }, Signer: old.Signer, Verifier: old.Verifier, IDKey: old.IDKey, Holiday: old.Holiday, Log: old.Log}
	srv2 := New(svc2, e.srv.Log)
	srv2.UploadDir = t.TempDir()
	rc.set("up", "")
	if err := srv2.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		select {
		case <-rc.seen:
		case <-time.After(10 * time.Second):
			t.Fatal("the restarted server delivered nothing")
		}
	}
	srv2.Stop()
	if rep := deliver(t, svc2, later.Add(48*time.Hour)); rep.Attempted != 0 {
		t.Errorf("left to deliver after the restart: %+v", rep)
	}
	got := rc.accepted()
	if len(got) != 2 || got[0].RecordID == got[1].RecordID {
		t.Fatalf("received %+v", got)
	}
	for rec, ids := range rc.idsPerRecord() {
		if len(ids) != 1 {
			t.Errorf("record %s sent under ids %v", rec, ids)
		}
		if rec != a && rec != b {
			t.Errorf("unexpected record %s", rec)
		}
	}
}

// A webhook URL of another scheme, or credentials in it, or an unknown
// event type, is refused clearly and nothing is stored.
func TestWebhookSubscriptionRefused(t *testing.T) {
	e := newEnv(t, noDelivery)
	for _, u := range []string{"ftp://127.0.0.1/hooks", "file:///etc/passwd", "javascript:alert(1)", "https://user:pw@example.com/", "/relative"} {
		p := e.do(t, req{Method: "POST", Path: "/api/v1/subscriptions", Token: e.admin, Body: map[string]any{"url": u, "events": []string{"record.withdrawn"}}}).problem(t, 400, "invalid")
		if !p.hasField("url", "webhook.url") {
			t.Errorf("%s: %+v", u, p)
		}
	}
	p := e.do(t, req{Method: "POST", Path: "/api/v1/subscriptions", Token: e.admin, Body: map[string]any{"url": "ftp://example.com/x", "events": []string{"record.withdrawn"}}}).problem(t, 400, "invalid")
	if !strings.Contains(fmt.Sprint(p), "http or https") {
		t.Errorf("message: %+v", p)
	}
	e.do(t, req{Method: "POST", Path: "/api/v1/subscriptions", Token: e.admin, Body: map[string]any{"url": "https://example.com/x", "events": []string{"record.deleted"}}}).problem(t, 400, "invalid")
	e.do(t, req{Method: "POST", Path: "/api/v1/subscriptions", Token: e.admin, Body: map[string]any{"url": "https://example.com/x"}}).problem(t, 400, "invalid")
	e.do(t, req{Method: "POST", Path: "/api/v1/subscriptions", Token: e.token(t, "agency", "", ""), Body: map[string]any{"url": "https://example.com/x", "events": []string{"record.withdrawn"}}}).problem(t, 403, "forbidden")
	r := e.do(t, req{Path: "/api/v1/subscriptions", Token: e.admin})
	if r.Status != 200 || !strings.Contains(string(r.Body), `"subscriptions":[]`) {
		t.Errorf("stored after refusals: %s", r)
	}
}

// The listing procedure's decision and removal are events; a withdrawal
// that ends a listing writes both events in its one transaction.
func TestListingEvents(t *testing.T) {
	f := newListingFixture(t)
	e := f.e
	l := f.propose(t, f.recA1)
	f.step(t, f.offA, l.ID, "notify", nil, 200)
	f.step(t, f.offA, l.ID, "object", xinyong.ObjectionInput{Statement: "当事人口头陈述，由执法人员记录"}, 200)
	f.step(t, f.offA, l.ID, "verify", xinyong.VerifyInput{Answer: "不成立"}, 200)
	f.step(t, f.offA, l.ID, "decide", decisionBody(), 200)
	f.step(t, f.offA, l.ID, "list", nil, 200)
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/records/" + f.recA1 + "/withdraw", Token: f.offA, Body: map[string]string{"reason": "revoked"}}); r.Status != 200 {
		t.Fatalf("withdraw: %s", r)
	}
	var types []string
	for _, ev := range e.eventPage(t, e.admin, 0).Events {
		types = append(types, ev.Type+":"+ev.ObjectID)
	}
	want := []string{"record.published:" + f.recA1, "record.published:" + f.recA2, "listing.decided:" + l.ID, "listing.removed:" + l.ID, "record.withdrawn:" + f.recA1}
	if strings.Join(types, " ") != strings.Join(want, " ") {
		t.Errorf("events %v, want %v", types, want)
	}
}

// A receiver's URL may carry its token in the query (…?access_token=…, as
// chat-robot webhooks do): a failed delivery's last_error and the dead-letter
// log line name the cause, never the URL.
func TestWebhookErrorKeepsURLTokenOut(t *testing.T) {
	e := newEnv(t, noDelivery)
	d := e.dept(t, "11620000MB192104", "甘肃省市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	rc := newReceiver(t, "up")
	const token = "tok-3f9c2a7e51"
	r := e.do(t, req{Method: "POST", Path: "/api/v1/subscriptions", Token: e.admin, Body: map[string]any{"url": rc.url() + "?access_token=" + token, "events": []string{"record.withdrawn"}}})
	if r.Status != 201 {
		t.Fatalf("subscribe: %s", r)
	}
	var sub struct{ ID string }
	r.json(t, &sub)
	rc.down()
	e.withdrawn(t, off, "甘市监罚〔2025〕1号")
	now := time.Now()
	if rep := deliver(t, e.svc, now); rep.Retrying != 1 {
		t.Fatalf("first attempt: %+v", rep)
	}
	if rep := deliver(t, e.svc, now.Add(xinyong.RetryWindow+time.Hour)); rep.Dead != 1 {
		t.Fatalf("after the retry window: %+v", rep)
	}
	var ds []xinyong.Delivery
	e.svc.Store.View(e.ctx, func(tx xinyong.Tx) error {
		var err error
		ds, err = tx.DeliveriesBy(sub.ID, xinyong.DeliveryDead, 10)
		return err
	})
	if len(ds) != 1 || ds[0].LastError == "" || strings.Contains(ds[0].LastError, token) {
		t.Errorf("dead letter %+v: want a last_error without the URL's token", ds)
	}
	if logs := e.log.String(); !strings.Contains(logs, "webhook delivery dead") || strings.Contains(logs, token) {
		t.Errorf("log (want the dead letter logged, without the URL's token):\n%s", logs)
	}
}
