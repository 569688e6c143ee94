package xinyong

import (
	"encoding/json"
	"time"
)

// EventStore is the part of Tx that keeps the outbox of events for other
// systems (互联互通, issue 7): the events themselves, in commit order, the
// webhook subscriptions and the delivery of each event to each subscriber.
// Implementations live in internal/sqlstore/events.go.
type EventStore interface {
	// NextEventSeq returns the cursor the next event gets (one more than
	// the largest stored). Callers hold the ledger lock, so that cursors
	// follow commit order.
	NextEventSeq() (int64, error)
	// AppendEvents stores events (their Seq already assigned); an id or
	// cursor stored before is ECONFLICT.
	AppendEvents(es []Event) error
	// Event returns the event with the id (ENOTFOUND if none).
	Event(id string) (Event, error)
	// Events returns up to limit events with a cursor above after, in
	// cursor order.
	Events(after int64, limit int) ([]Event, error)

	// PutSubscription stores a new subscription (its secret included).
	PutSubscription(s Subscription) error
	// Subscription returns the subscription with the id (ENOTFOUND if none).
	Subscription(id string) (Subscription, error)
	// Subscriptions returns every subscription, oldest first.
	Subscriptions() ([]Subscription, error)
	// DeleteSubscription deletes a subscription and its deliveries
	// (ENOTFOUND if none).
	DeleteSubscription(id string) error

	// AddDeliveries stores new deliveries; a second delivery of the same
	// event to the same subscription is ECONFLICT.
	AddDeliveries(ds []Delivery) error
	// ClaimDeliveries returns up to limit pending deliveries due at or
	// before now, oldest due first, and moves their next attempt to until
	// (a lease: another worker skips them meanwhile, and a worker that dies
	// leaves them due again at until). Rows another transaction holds are
	// skipped where the database can (PostgreSQL SKIP LOCKED).
	ClaimDeliveries(now, until time.Time, limit int) ([]Delivery, error)
	// Delivery returns the delivery with the id (ENOTFOUND if none).
	Delivery(id string) (Delivery, error)
	// UpdateDelivery stores a delivery's new state (ENOTFOUND if none).
	UpdateDelivery(d Delivery) error
	// DeliveriesBy returns a subscription's deliveries in a status, oldest
	// first, at most limit.
	DeliveriesBy(subscriptionID string, status DeliveryStatus, limit int) ([]Delivery, error)
}

// Event types sent to other systems.
const (
	EventRecordPublished   = "record.published"
	EventRecordWithdrawn   = "record.withdrawn"
	EventRecordRepaired    = "record.repaired"
	EventListingDecided    = "listing.decided"
	EventListingRemoved    = "listing.removed"
	EventRepairDecided     = "repair.decided"
	EventObjectionResolved = "objection.resolved"
)

// EventTypes lists every event type.
var EventTypes = []string{EventRecordPublished, EventRecordWithdrawn, EventRecordRepaired, EventListingDecided, EventListingRemoved, EventRepairDecided, EventObjectionResolved}

// Event is one change told to other systems, written in the transaction
// that made the change. Seq is the feed's cursor: it increases in commit
// order.
type Event struct {
	ID         string          `json:"id"`
	Seq        int64           `json:"cursor"`
	Type       string          `json:"type"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	Payload    json.RawMessage `json:"data"`
	CreatedAt  time.Time       `json:"created_at"`
}

// Subscription is another system's webhook endpoint. The secret signs the
// deliveries; it is shown once, when the subscription is created, and never
// serialised afterwards.
type Subscription struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	Secret    string    `json:"-"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Wants reports whether the subscription takes events of the type.
func (s Subscription) Wants(typ string) bool {
	for _, e := range s.Events {
		if e == typ {
			return true
		}
	}
	return false
}

// DeliveryStatus is where a delivery stands.
type DeliveryStatus string

const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliveryDelivered DeliveryStatus = "delivered"
	DeliveryDead      DeliveryStatus = "dead" // retries exhausted: in the dead-letter list
)

// Delivery is one event to one subscription. Its webhook-id is the event's
// id, the same at every attempt and replay.
type Delivery struct {
	ID             string         `json:"id"`
	SubscriptionID string         `json:"subscription_id"`
	EventID        string         `json:"event_id"`
	EventType      string         `json:"event_type"`
	Status         DeliveryStatus `json:"status"`
	Attempts       int            `json:"attempts"`
	// WindowStart is when the current run of retries began (the event, or
	// the last replay): retries stop RetryWindow after it.
	WindowStart time.Time `json:"window_start"`
	NextAt      time.Time `json:"next_at"`
	LastAt      time.Time `json:"last_at,omitzero"`
	LastStatus  int       `json:"last_status,omitempty"`
	LastError   string    `json:"last_error,omitempty"`
	DeliveredAt time.Time `json:"delivered_at,omitzero"`
	CreatedAt   time.Time `json:"created_at"`
}
