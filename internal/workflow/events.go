package workflow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"xinyong"
)

// Mutual recognition (互联互通, issue 7): events written to the outbox in the
// transaction that made the change, delivered after commit to subscribed
// systems as Standard Webhooks, retried with backoff for at least
// xinyong.RetryWindow and then parked as dead letters; and read by the pull
// feed.

// Webhooks configures delivery. The zero value works.
type Webhooks struct {
	// Client sends the deliveries; nil: a client with Timeout that follows
	// no redirect.
	Client *http.Client
	// Timeout bounds one attempt (0: 10 s).
	Timeout time.Duration
	// Parallel is how many attempts run at once (0: 8).
	Parallel int

	once   sync.Once
	wakeCh chan struct{}
}

func (w *Webhooks) init() { w.once.Do(func() { w.wakeCh = make(chan struct{}, 1) }) }

// Wake returns the channel that receives a value when events were committed
// for a subscriber: the deliverer waits on it.
func (w *Webhooks) Wake() <-chan struct{} {
	w.init()
	return w.wakeCh
}

func (w *Webhooks) wake() {
	w.init()
	select {
	case w.wakeCh <- struct{}{}:
	default:
	}
}

func (w *Webhooks) timeout() time.Duration {
	if w.Timeout > 0 {
		return w.Timeout
	}
	return 10 * time.Second
}

// parallel is how many attempts run at once.
func (w *Webhooks) parallel() int {
	if w.Parallel > 0 {
		return w.Parallel
	}
	return 8
}

// lease is how long a claimed batch is held: long enough for every attempt
// of a full batch to time out, wave after wave of parallel() attempts,
// and a minute to record the outcomes, so that another server never
// re-claims deliveries still being attempted here.
func (w *Webhooks) lease() time.Duration {
	waves := (deliveryBatch + w.parallel() - 1) / w.parallel()
	return time.Duration(waves)*w.timeout() + time.Minute
}

func (w *Webhooks) client() *http.Client {
	if w.Client != nil {
		return w.Client
	}
	return &http.Client{Timeout: w.timeout(), CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// event queues an event of the change being made; it is written with the
// transaction (flushEvents) and wakes the deliverer after commit.
func (t *txn) event(typ, objectID string, data any) {
	b, err := json.Marshal(data)
	if err != nil {
		panic(err)
	}
	objType, _, _ := strings.Cut(typ, ".")
	if len(t.events) == 0 {
		t.after = append(t.after, t.s.Webhooks.wake)
	}
	t.events = append(t.events, xinyong.Event{ID: "evt_" + NewID(), Type: typ, ObjectType: objType, ObjectID: objectID, Payload: b, CreatedAt: t.Now()})
}

// flushEvents writes the queued events with their cursors, taken under the
// ledger lock so that they follow commit order, and one delivery per
// subscription that wants each.
func (t *txn) flushEvents() error {
	if len(t.events) == 0 {
		return nil
	}
	es := t.events
	t.events = nil
	if t.head == nil {
		h, err := t.LockLedger()
		if err != nil {
			return err
		}
		t.head = &h
	}
	seq, err := t.NextEventSeq()
	if err != nil {
		return err
	}
	for i := range es {
		es[i].Seq = seq + int64(i)
	}
	if err := t.AppendEvents(es); err != nil {
		return err
	}
	subs, err := t.Subscriptions()
	if err != nil || len(subs) == 0 {
		return err
	}
	var ds []xinyong.Delivery
	for _, e := range es {
		for _, sub := range subs {
			if sub.Wants(e.Type) {
				ds = append(ds, xinyong.Delivery{ID: NewID(), SubscriptionID: sub.ID, EventID: e.ID, EventType: e.Type, Status: xinyong.DeliveryPending,
					WindowStart: e.CreatedAt, NextAt: e.CreatedAt, CreatedAt: e.CreatedAt})
			}
		}
	}
	return t.AddDeliveries(ds)
}

// recordEvent is the data of a record event.
type recordEvent struct {
	RecordID       string    `json:"record_id"`
	Version        int       `json:"version"`
	Item           string    `json:"item"`
	Kind           string    `json:"kind"`
	DepartmentID   string    `json:"department_id"`
	SubjectCode    string    `json:"subject_code"` // masked for natural persons
	DocumentNumber string    `json:"document_number"`
	Status         string    `json:"status"`
	LedgerIndex    int64     `json:"ledger_index"`
	Reason         string    `json:"reason,omitempty"`
	At             time.Time `json:"at"`
}

func recordEventOf(r xinyong.Record) recordEvent {
	e := recordEvent{RecordID: r.ID, Version: r.Version, Item: r.Item, Kind: r.Kind, DepartmentID: r.DepartmentID, SubjectCode: r.SubjectCode,
		DocumentNumber: r.Document.Number, Status: string(r.Status), LedgerIndex: r.LedgerIdx, At: r.UpdatedAt}
	if r.Withdrawal != nil {
		e.Reason = r.Withdrawal.Reason
	}
	return e
}

// recordPublished queues record.published for a record created or changed
// that the public sees today: its publication window open, and the
// visibility rules agreeing (a minor's record, one outside its item's
// disclosure scope or a person's without a basis is published to nobody,
// so it is announced to nobody).
func (t *txn) recordPublished(r xinyong.Record, subj xinyong.Subject, item xinyong.CatalogueItem) {
	if xinyong.PublicSees(r, subj, item, xinyong.RepairNone, xinyong.DateOf(t.Now())) {
		t.event(xinyong.EventRecordPublished, r.ID, recordEventOf(r))
	}
}

// recordWithdrawn queues record.withdrawn for a record withdrawn (or
// deleted on objection) from prev: when it had been announced, that is
// when the public saw prev today or on the day its window opened. A
// record published to nobody (a minor's, one outside its item's
// disclosure) was never announced and is withdrawn without an event: the
// event would tell agencies and webhooks of it.
func (t *txn) recordWithdrawn(prev, r xinyong.Record) error {
	subj, err := t.Subject(prev.SubjectID)
	if err != nil {
		return err
	}
	cat, err := t.s.catalogue(t)
	if err != nil {
		return err
	}
	item := cat.byCode[prev.Item]
	if xinyong.PublicSees(prev, subj, item, xinyong.RepairNone, xinyong.DateOf(t.Now())) || (!prev.Window.Start.IsZero() && xinyong.PublicSees(prev, subj, item, xinyong.RepairNone, prev.Window.Start)) {
		t.event(xinyong.EventRecordWithdrawn, r.ID, recordEventOf(r))
	}
	return nil
}

// listingEvent is the data of a listing event.
type listingEvent struct {
	ListingID     string    `json:"listing_id"`
	Version       int       `json:"version"`
	ListType      string    `json:"list_type"`
	State         string    `json:"state"`
	SubjectID     string    `json:"subject_id"`
	DepartmentID  string    `json:"department_id"`
	RecordIDs     []string  `json:"record_ids"`
	Decision      string    `json:"decision_number,omitempty"`
	Measures      []string  `json:"measures,omitempty"`
	RemovalReason string    `json:"removal_reason,omitempty"`
	At            time.Time `json:"at"`
}

// listingStepEvent queues listing.decided or listing.removed when a step
// takes a listing there.
func (t *txn) listingStepEvent(l xinyong.Listing) {
	var typ string
	switch l.State {
	case xinyong.ListingDecided:
		typ = xinyong.EventListingDecided
	case xinyong.ListingRemoved:
		typ = xinyong.EventListingRemoved
	default:
		return
	}
	e := listingEvent{ListingID: l.ID, Version: l.Version, ListType: l.ListType, State: string(l.State), SubjectID: l.SubjectID, DepartmentID: l.DepartmentID, RecordIDs: l.RecordIDs, At: l.UpdatedAt}
	if l.Decision != nil {
		e.Decision, e.Measures = l.Decision.Number, l.Decision.Measures
	}
	if l.Removal != nil {
		e.RemovalReason = l.Removal.Reason
	}
	t.event(typ, l.ID, e)
}

// SubscriptionInput is a subscription as requested.
type SubscriptionInput struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
}

// CreateSubscription registers another system's webhook endpoint. The
// answer carries the secret; it is never shown again.
func (s *Service) CreateSubscription(ctx context.Context, actor xinyong.Actor, in SubscriptionInput) (xinyong.Subscription, error) {
	var sub xinyong.Subscription
	if err := xinyong.Authorize(actor, xinyong.ActWebhookManage, xinyong.Resource{}, nil); err != nil {
		return sub, err
	}
	if err := xinyong.CheckWebhookURL(in.URL); err != nil {
		return sub, err
	}
	var events []string
	for _, e := range in.Events {
		e = strings.TrimSpace(e)
		if !slices.Contains(xinyong.EventTypes, e) {
			return sub, xinyong.Invalid("the subscription was refused", xinyong.FieldError{Field: "events", Rule: "webhook.events", Value: e,
				Message: fmt.Sprintf("unknown event type %q; the types are %s", e, strings.Join(xinyong.EventTypes, ", "))})
		}
		if !slices.Contains(events, e) {
			events = append(events, e)
		}
	}
	if len(events) == 0 {
		return sub, xinyong.Invalid("the subscription was refused", xinyong.FieldError{Field: "events", Rule: "required", Message: "name at least one event type: " + strings.Join(xinyong.EventTypes, ", ")})
	}
	err := s.update(ctx, actor, func(t *txn) error {
		sub = xinyong.Subscription{ID: NewID(), URL: strings.TrimSpace(in.URL), Events: events, Secret: xinyong.NewWebhookSecret(), CreatedBy: actor.Ref(), CreatedAt: t.Now()}
		if err := t.PutSubscription(sub); err != nil {
			return err
		}
		return t.audit("subscription.create", "subscription", sub.ID, nil, sub, auditURL(sub.URL)+" "+strings.Join(events, ","))
	})
	return sub, err
}

// Subscriptions lists the subscriptions (secrets are not serialised).
func (s *Service) Subscriptions(ctx context.Context, actor xinyong.Actor) ([]xinyong.Subscription, error) {
	if err := xinyong.Authorize(actor, xinyong.ActWebhookManage, xinyong.Resource{}, nil); err != nil {
		return nil, err
	}
	var out []xinyong.Subscription
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		out, err = tx.Subscriptions()
		return err
	})
	return out, err
}

// DeleteSubscription ends a subscription: its pending deliveries go too.
func (s *Service) DeleteSubscription(ctx context.Context, actor xinyong.Actor, id string) error {
	if err := xinyong.Authorize(actor, xinyong.ActWebhookManage, xinyong.Resource{}, nil); err != nil {
		return err
	}
	return s.update(ctx, actor, func(t *txn) error {
		sub, err := t.Subscription(id)
		if err != nil {
			return err
		}
		if err := t.DeleteSubscription(id); err != nil {
			return err
		}
		return t.audit("subscription.delete", "subscription", id, sub, nil, auditURL(sub.URL))
	})
}

// auditURL is a webhook URL as the audit trail records it: scheme, host and
// path only. The query (…?access_token=…) and any user:password@ may carry
// the receiver's credentials, and an audit detail is a ledger leaf that can
// never be scrubbed.
func auditURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return "(unparseable URL)"
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}).String()
}

// DeadLetters lists a subscription's deliveries whose retries ran out.
func (s *Service) DeadLetters(ctx context.Context, actor xinyong.Actor, subID string, limit int) ([]xinyong.Delivery, error) {
	if err := xinyong.Authorize(actor, xinyong.ActWebhookManage, xinyong.Resource{}, nil); err != nil {
		return nil, err
	}
	var out []xinyong.Delivery
	err := s.view(ctx, func(tx xinyong.Tx) error {
		if _, err := tx.Subscription(subID); err != nil {
			return err
		}
		var err error
		out, err = tx.DeliveriesBy(subID, xinyong.DeliveryDead, limit)
		return err
	})
	return out, err
}

// ReplayDelivery puts a dead letter back in the queue for a new run of
// retries, with the same webhook-id.
func (s *Service) ReplayDelivery(ctx context.Context, actor xinyong.Actor, subID, id string) (xinyong.Delivery, error) {
	var d xinyong.Delivery
	if err := xinyong.Authorize(actor, xinyong.ActWebhookManage, xinyong.Resource{}, nil); err != nil {
		return d, err
	}
	err := s.update(ctx, actor, func(t *txn) error {
		var err error
		if d, err = t.Delivery(id); err != nil {
			return err
		}
		if d.SubscriptionID != subID {
			return notFoundErr("delivery")
		}
		if d.Status != xinyong.DeliveryDead {
			return xinyong.Errorf(xinyong.ECONFLICT, "delivery %s is %s, not a dead letter: only dead letters are replayed", id, d.Status)
		}
		before := d
		d.Status, d.WindowStart, d.NextAt = xinyong.DeliveryPending, t.Now(), t.Now()
		if err := t.UpdateDelivery(d); err != nil {
			return err
		}
		t.after = append(t.after, s.Webhooks.wake)
		return t.audit("subscription.replay", "delivery", d.ID, before, d, d.EventType+" "+d.EventID)
	})
	return d, err
}

// EventPage is one page of the pull feed.
type EventPage struct {
	Events []xinyong.Event `json:"events"`
	// Next is the cursor to ask for the following page (after=Next).
	Next int64 `json:"next"`
}

// MaxEventPage is the largest page of the pull feed.
const MaxEventPage = 1000

// EventFeed returns the events after the cursor, in commit order.
func (s *Service) EventFeed(ctx context.Context, actor xinyong.Actor, after int64, limit int) (EventPage, error) {
	page := EventPage{Events: []xinyong.Event{}, Next: after}
	if err := xinyong.Authorize(actor, xinyong.ActEventRead, xinyong.Resource{}, nil); err != nil {
		return page, err
	}
	if after < 0 {
		return page, xinyong.Invalid("bad cursor", xinyong.FieldError{Field: "after", Rule: "events.cursor", Message: "after is a cursor from an earlier page (0 for the start)"})
	}
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, MaxEventPage)
	err := s.view(ctx, func(tx xinyong.Tx) error {
		es, err := tx.Events(after, limit)
		if err != nil {
			return err
		}
		if len(es) > 0 {
			page.Events, page.Next = es, es[len(es)-1].Seq
		}
		return nil
	})
	return page, err
}

// DeliveryReport counts what a delivery run did.
type DeliveryReport struct {
	Attempted, Delivered, Retrying, Dead int
}

// deliveryJob is one claimed delivery with what it sends.
type deliveryJob struct {
	d   xinyong.Delivery
	sub xinyong.Subscription
	ev  xinyong.Event
}

// deliveryBatch is how many deliveries one claim takes.
const deliveryBatch = 50

// DeliverWebhooks makes every delivery due at now: claims them (a lease
// that outlasts an attempt, so that another server skips them and a crash
// leaves them due again), posts each signed with its event's id, and
// records the outcome: delivered on 2xx, else the next attempt by the
// backoff, or the dead-letter list once the retries ran xinyong.RetryWindow.
//
// now is the caller's clock (the server's, or a test's) when the run
// starts: the first batch is claimed at now. The run's clock then moves on
// with the service clock (now plus the time s.Now has advanced since the
// start), so that during a long backlog each later batch is claimed, and
// its lease runs, from the time of its own claim (another server does not
// re-claim rows whose lease only looked expired), and each delivery is
// signed with the time it is sent (receivers check webhook-timestamp
// against a few minutes' tolerance). Outcomes and the next retry count
// from the batch's claim.
func (s *Service) DeliverWebhooks(ctx context.Context, now time.Time) (DeliveryReport, error) {
	var rep DeliveryReport
	lease := s.Webhooks.lease()
	start := s.Now()
	clock := func() time.Time { return now.Add(s.Now().Sub(start)) }
	for batch := 0; ctx.Err() == nil; batch++ {
		var jobs []deliveryJob
		claimAt := now
		if batch > 0 {
			claimAt = clock()
		}
		err := s.Store.Update(ctx, func(tx xinyong.Tx) error {
			jobs = nil
			ds, err := tx.ClaimDeliveries(claimAt, claimAt.Add(lease), deliveryBatch)
			if err != nil {
				return err
			}
			subs := map[string]xinyong.Subscription{}
			for _, d := range ds {
				sub, ok := subs[d.SubscriptionID]
				if !ok {
					if sub, err = tx.Subscription(d.SubscriptionID); err != nil {
						return err
					}
					subs[d.SubscriptionID] = sub
				}
				ev, err := tx.Event(d.EventID)
				if err != nil {
					return err
				}
				jobs = append(jobs, deliveryJob{d: d, sub: sub, ev: ev})
			}
			return nil
		})
		if err != nil || len(jobs) == 0 {
			return rep, err
		}
		s.attempt(ctx, claimAt, clock, jobs)
		// Outcomes are recorded even while the caller shuts down: a
		// delivered event is not sent again.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		err = s.Store.Update(rctx, func(tx xinyong.Tx) error {
			for _, j := range jobs {
				if err := tx.UpdateDelivery(j.d); err != nil && xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
					return err // ENOTFOUND: the subscription was deleted meanwhile
				}
			}
			return nil
		})
		cancel()
		if err != nil {
			return rep, err
		}
		for _, j := range jobs {
			rep.Attempted++
			switch j.d.Status {
			case xinyong.DeliveryDelivered:
				rep.Delivered++
			case xinyong.DeliveryDead:
				rep.Dead++
				s.log().Warn("webhook delivery dead", "subscription", j.sub.ID, "event", j.ev.ID, "type", j.ev.Type, "attempts", j.d.Attempts, "last_error", j.d.LastError)
			default:
				rep.Retrying++
			}
		}
		if len(jobs) < deliveryBatch {
			break
		}
	}
	return rep, ctx.Err()
}

func (s *Service) log() interface {
	Warn(msg string, args ...any)
	Error(msg string, args ...any)
} {
	if s.Log != nil {
		return s.Log
	}
	return nopLog{}
}

type nopLog struct{}

func (nopLog) Warn(string, ...any)  {}
func (nopLog) Error(string, ...any) {}

// attempt posts the jobs, a few at a time, each signed with the time it is
// sent (clock), and sets each delivery's new state as of now (the claim).
func (s *Service) attempt(ctx context.Context, now time.Time, clock func() time.Time, jobs []deliveryJob) {
	par := s.Webhooks.parallel()
	client := s.Webhooks.client()
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i := range jobs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			j := &jobs[i]
			status, err := s.post(ctx, client, clock, j.sub, j.ev)
			d := &j.d
			d.Attempts++
			d.LastAt, d.LastStatus, d.LastError = now, status, ""
			if err == nil {
				d.Status, d.DeliveredAt, d.NextAt = xinyong.DeliveryDelivered, now, now
				return
			}
			d.LastError = truncate(err.Error(), 500)
			next, dead := xinyong.NextRetry(d.WindowStart, now, d.Attempts)
			if dead {
				d.Status, d.NextAt = xinyong.DeliveryDead, now
			} else {
				d.NextAt = next
			}
		})
	}
	wg.Wait()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// WebhookBody is the body of a delivery: the same bytes at every attempt.
func WebhookBody(e xinyong.Event) []byte {
	b, err := json.Marshal(struct {
		Type      string          `json:"type"`
		Timestamp time.Time       `json:"timestamp"`
		Data      json.RawMessage `json:"data"`
	}{e.Type, e.CreatedAt.UTC(), e.Payload})
	if err != nil {
		panic(err)
	}
	return b
}

var errStatus = errors.New("receiver answered")

// post makes one attempt, signed with the time it is sent (clock, read
// just before sending): nil error on a 2xx answer. An attempt under way
// when the caller shuts down runs to its end (at most the timeout), so
// that its outcome is recorded and a delivered event is not sent again.
func (s *Service) post(ctx context.Context, client *http.Client, clock func() time.Time, sub xinyong.Subscription, e xinyong.Event) (int, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.Webhooks.timeout())
	defer cancel()
	body := WebhookBody(e)
	now := clock()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "xinyong-webhooks/1")
	if err := xinyong.WebhookHeaders(req.Header, sub.Secret, e.ID, now, body); err != nil {
		return 0, err
	}
	res, err := client.Do(req)
	if err != nil {
		// The client's error quotes the URL, whose query may carry the
		// receiver's token (…?access_token=…): last_error and the log
		// keep only the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, err
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		return res.StatusCode, fmt.Errorf("%w %d", errStatus, res.StatusCode)
	}
	return res.StatusCode, nil
}
