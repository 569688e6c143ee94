package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

// eventRoutes: mutual recognition (互联互通, issue 7): webhook subscriptions
// of other systems, their dead letters, and the pull feed.
func (s *Server) eventRoutes() []route {
	return []route{
		{Method: "POST", Path: "/api/v1/subscriptions", Tag: "events", Auth: "token", Summary: "Subscribe another system to events (admin): url (http or https) and events (" + strings.Join(xinyong.EventTypes, ", ") + "). The answer carries the id and the whsec_ secret of the Standard Webhooks signature, shown this once", Request: workflow.SubscriptionInput{}, Status: 201, Handler: s.postSubscription},
		{Method: "GET", Path: "/api/v1/subscriptions", Tag: "events", Auth: "token", Summary: "List the subscriptions (admin); secrets are not shown", Handler: s.getSubscriptions},
		{Method: "DELETE", Path: "/api/v1/subscriptions/{id}", Tag: "events", Auth: "token", Summary: "Delete a subscription and its pending deliveries (admin)", Status: 204, Handler: s.deleteSubscription},
		{Method: "GET", Path: "/api/v1/subscriptions/{id}/dead-letters", Tag: "events", Auth: "token", Summary: "The subscription's deliveries whose retries ran out (at least 24 hours of backoff), oldest first (admin); query limit", Handler: s.getDeadLetters},
		{Method: "POST", Path: "/api/v1/subscriptions/{id}/dead-letters/{delivery}/replay", Tag: "events", Auth: "token", Summary: "Replay a dead letter (admin): a new run of retries, with the same webhook-id", Handler: s.replayDeadLetter},
		{Method: "GET", Path: "/api/v1/events", Tag: "events", Auth: "token", Summary: "The pull feed for systems that cannot receive webhooks (admin, relying agencies, auditors): the events after the cursor, in commit order; query after (the previous page's next, 0 at the start) and limit (at most 1000)", Handler: s.getEvents},
	}
}

// subscriptionCreated is the answer to a subscription: the only time the
// secret is shown.
type subscriptionCreated struct {
	xinyong.Subscription
	Secret string `json:"secret"`
}

func (s *Server) postSubscription(w http.ResponseWriter, r *http.Request) error {
	var in workflow.SubscriptionInput
	if err := decodeJSON(r, s.MaxBody, &in); err != nil {
		return err
	}
	sub, err := s.Svc.CreateSubscription(r.Context(), actorOf(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", "/api/v1/subscriptions/"+sub.ID)
	writeJSON(w, 201, subscriptionCreated{Subscription: sub, Secret: sub.Secret})
	return nil
}

func (s *Server) getSubscriptions(w http.ResponseWriter, r *http.Request) error {
	subs, err := s.Svc.Subscriptions(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	if subs == nil {
		subs = []xinyong.Subscription{}
	}
	writeJSON(w, 200, map[string]any{"subscriptions": subs})
	return nil
}

func (s *Server) deleteSubscription(w http.ResponseWriter, r *http.Request) error {
	if err := s.Svc.DeleteSubscription(r.Context(), actorOf(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) getDeadLetters(w http.ResponseWriter, r *http.Request) error {
	limit, err := intParam(r, "limit")
	if err != nil {
		return err
	}
	ds, err := s.Svc.DeadLetters(r.Context(), actorOf(r), r.PathValue("id"), int(limit))
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []xinyong.Delivery{}
	}
	writeJSON(w, 200, map[string]any{"dead_letters": ds})
	return nil
}

func (s *Server) replayDeadLetter(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Svc.ReplayDelivery(r.Context(), actorOf(r), r.PathValue("id"), r.PathValue("delivery"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, d)
	return nil
}

func (s *Server) getEvents(w http.ResponseWriter, r *http.Request) error {
	after, err := intParam(r, "after")
	if err != nil {
		return err
	}
	limit, err := intParam(r, "limit")
	if err != nil {
		return err
	}
	page, err := s.Svc.EventFeed(r.Context(), actorOf(r), after, int(limit))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 200, page)
	return nil
}

// intParam reads a non-negative integer query parameter (0 when absent).
func intParam(r *http.Request, name string) (int64, error) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, xinyong.Invalid("bad query parameter", xinyong.FieldError{Field: name, Rule: "query.integer", Message: name + " is a non-negative integer", Value: v})
	}
	return n, nil
}

// DeliveryLoop configures the server's webhook deliverer.
type DeliveryLoop struct {
	// Disabled: the server delivers nothing by itself (tests drive
	// Service.DeliverWebhooks with their own clock).
	Disabled bool
	// Every is how often due retries are looked for (0: DeliverEvery);
	// new events wake the deliverer at once.
	Every time.Duration
}

// DeliverEvery is how often the deliverer looks for due retries.
var DeliverEvery = 5 * time.Second

// startDelivery runs the deliverer: at start (deliveries left by an earlier
// process), when a commit wrote events for subscribers, and periodically for
// retries that fall due.
func (s *Server) startDelivery() {
	if s.Delivery.Disabled {
		return
	}
	every := s.Delivery.Every
	if every <= 0 {
		every = DeliverEvery
	}
	wake := s.Svc.Webhooks.Wake()
	s.loops.Add(1)
	go func() {
		defer s.loops.Done()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			// The run starts at the service clock and reads it again for
			// each batch it claims and each delivery it signs: a long
			// backlog neither sends stale webhook-timestamps nor claims
			// with leases already run out.
			if _, err := s.Svc.DeliverWebhooks(s.jobCtx, s.Svc.Now()); err != nil && s.jobCtx.Err() == nil {
				s.Log.Warn("delivering webhooks", "err", err)
			}
			select {
			case <-s.jobCtx.Done():
				return
			case <-tick.C:
			case <-wake:
			}
		}
	}()
}
