package sqlstore

import (
	"encoding/json"
	"time"

	"xinyong"
)

// The outbox of events, webhook subscriptions and deliveries (issue 7).

const eventCols = `id, seq, type, object_type, object_id, payload, created_at`

// NextEventSeq returns one more than the largest stored cursor.
func (t *Tx) NextEventSeq() (int64, error) {
	var n int64
	err := t.row(`SELECT COALESCE(MAX(seq), 0) FROM outbox_event`).Scan(&n)
	return n + 1, err
}

// AppendEvents stores new events with multi-row statements (a bulk copy
// for a big batch on PostgreSQL: an import writes one event per record).
func (t *Tx) AppendEvents(es []xinyong.Event) error {
	return t.insertMany(`INSERT INTO outbox_event (`+eventCols+`) VALUES `, 7, len(es), func(i int, args []any) []any {
		e := es[i]
		payload := string(e.Payload)
		if payload == "" {
			payload = "{}"
		}
		return append(args, e.ID, e.Seq, e.Type, e.ObjectType, e.ObjectID, payload, Micros(e.CreatedAt))
	})
}

func scanEvent(sc interface{ Scan(...any) error }) (xinyong.Event, error) {
	var e xinyong.Event
	var payload string
	var at int64
	if err := sc.Scan(&e.ID, &e.Seq, &e.Type, &e.ObjectType, &e.ObjectID, &payload, &at); err != nil {
		return e, err
	}
	e.Payload, e.CreatedAt = json.RawMessage(payload), FromMicros(at)
	return e, nil
}

// Event returns the event with the id.
func (t *Tx) Event(id string) (xinyong.Event, error) {
	e, err := scanEvent(t.row(`SELECT `+eventCols+` FROM outbox_event WHERE id = ?`, id))
	return e, notFound("event", err)
}

// Events returns up to limit events after the cursor, in cursor order.
func (t *Tx) Events(after int64, limit int) ([]xinyong.Event, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := t.rows(`SELECT `+eventCols+` FROM outbox_event WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

const subscriptionCols = `id, url, events, secret, created_by, created_at`

// PutSubscription stores a new subscription.
func (t *Tx) PutSubscription(s xinyong.Subscription) error {
	return t.exec(`INSERT INTO webhook_subscription (`+subscriptionCols+`) VALUES (?, ?, ?, ?, ?, ?)`,
		s.ID, s.URL, mustJSON(nonNilStrings(s.Events)), s.Secret, s.CreatedBy, Micros(s.CreatedAt))
}

func scanSubscription(sc interface{ Scan(...any) error }) (xinyong.Subscription, error) {
	var s xinyong.Subscription
	var events string
	var at int64
	if err := sc.Scan(&s.ID, &s.URL, &events, &s.Secret, &s.CreatedBy, &at); err != nil {
		return s, err
	}
	s.CreatedAt = FromMicros(at)
	return s, json.Unmarshal([]byte(events), &s.Events)
}

// Subscription returns the subscription with the id.
func (t *Tx) Subscription(id string) (xinyong.Subscription, error) {
	s, err := scanSubscription(t.row(`SELECT `+subscriptionCols+` FROM webhook_subscription WHERE id = ?`, id))
	return s, notFound("subscription", err)
}

// Subscriptions returns every subscription, oldest first.
func (t *Tx) Subscriptions() ([]xinyong.Subscription, error) {
	rows, err := t.rows(`SELECT ` + subscriptionCols + ` FROM webhook_subscription ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.Subscription
	for rows.Next() {
		s, err := scanSubscription(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// DeleteSubscription deletes a subscription and its deliveries.
func (t *Tx) DeleteSubscription(id string) error {
	if err := t.execOne("subscription", `DELETE FROM webhook_subscription WHERE id = ?`, id); err != nil {
		return err
	}
	return t.exec(`DELETE FROM webhook_delivery WHERE subscription_id = ?`, id)
}

const deliveryCols = `id, subscription_id, event_id, event_type, status, attempts, window_start, next_at, last_at, last_status, last_error, delivered_at, created_at`

// AddDeliveries stores new deliveries.
func (t *Tx) AddDeliveries(ds []xinyong.Delivery) error {
	for _, d := range ds {
		if err := t.exec(`INSERT INTO webhook_delivery (`+deliveryCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.ID, d.SubscriptionID, d.EventID, d.EventType, string(d.Status), d.Attempts, Micros(d.WindowStart), Micros(d.NextAt),
			Micros(d.LastAt), d.LastStatus, d.LastError, Micros(d.DeliveredAt), Micros(d.CreatedAt)); err != nil {
			return err
		}
	}
	return nil
}

func scanDelivery(sc interface{ Scan(...any) error }) (xinyong.Delivery, error) {
	var d xinyong.Delivery
	var status string
	var start, next, last, delivered, created int64
	if err := sc.Scan(&d.ID, &d.SubscriptionID, &d.EventID, &d.EventType, &status, &d.Attempts, &start, &next, &last, &d.LastStatus, &d.LastError, &delivered, &created); err != nil {
		return d, err
	}
	d.Status = xinyong.DeliveryStatus(status)
	d.WindowStart, d.NextAt, d.LastAt, d.DeliveredAt, d.CreatedAt = FromMicros(start), FromMicros(next), FromMicros(last), FromMicros(delivered), FromMicros(created)
	return d, nil
}

func (t *Tx) deliveries(query string, args ...any) ([]xinyong.Delivery, error) {
	rows, err := t.rows(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ClaimDeliveries leases up to limit due pending deliveries until until.
func (t *Tx) ClaimDeliveries(now, until time.Time, limit int) ([]xinyong.Delivery, error) {
	if limit <= 0 {
		limit = 100
	}
	ds, err := t.deliveries(`SELECT `+deliveryCols+` FROM webhook_delivery WHERE status = ? AND next_at <= ? ORDER BY next_at, id LIMIT ?`+t.db.D.ClaimSuffix,
		string(xinyong.DeliveryPending), Micros(now), limit)
	if err != nil {
		return nil, err
	}
	for i := range ds {
		if err := t.exec(`UPDATE webhook_delivery SET next_at = ? WHERE id = ?`, Micros(until), ds[i].ID); err != nil {
			return nil, err
		}
		ds[i].NextAt = UTC(until)
	}
	return ds, nil
}

// Delivery returns the delivery with the id.
func (t *Tx) Delivery(id string) (xinyong.Delivery, error) {
	d, err := scanDelivery(t.row(`SELECT `+deliveryCols+` FROM webhook_delivery WHERE id = ?`, id))
	return d, notFound("delivery", err)
}

// UpdateDelivery stores a delivery's new state.
func (t *Tx) UpdateDelivery(d xinyong.Delivery) error {
	return t.execOne("delivery", `UPDATE webhook_delivery SET status = ?, attempts = ?, window_start = ?, next_at = ?, last_at = ?, last_status = ?, last_error = ?, delivered_at = ? WHERE id = ?`,
		string(d.Status), d.Attempts, Micros(d.WindowStart), Micros(d.NextAt), Micros(d.LastAt), d.LastStatus, d.LastError, Micros(d.DeliveredAt), d.ID)
}

// DeliveriesBy returns a subscription's deliveries in a status, oldest first.
func (t *Tx) DeliveriesBy(subscriptionID string, status xinyong.DeliveryStatus, limit int) ([]xinyong.Delivery, error) {
	if limit <= 0 {
		limit = 100
	}
	return t.deliveries(`SELECT `+deliveryCols+` FROM webhook_delivery WHERE subscription_id = ? AND status = ? ORDER BY created_at, id LIMIT ?`, subscriptionID, string(status), limit)
}
