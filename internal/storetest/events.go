package storetest

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"xinyong"
)

// testEvents: the outbox keeps every field, pages in cursor order after a
// cursor; subscriptions keep their secret; deliveries are claimed with a
// lease (never twice while leased, also by concurrent transactions), updated,
// listed by status and deleted with their subscription.
func testEvents(e *env) {
	t := e.t
	e.view(func(tx xinyong.Tx) {
		n, err := tx.NextEventSeq()
		ok(t, err, "NextEventSeq")
		equal(t, "NextEventSeq on an empty store", n, int64(1))
		es, err := tx.Events(0, 10)
		ok(t, err, "Events")
		equal(t, "Events on an empty store", len(es), 0)
		_, err = tx.Event("nope")
		wantCode(t, err, xinyong.ENOTFOUND, "Event of an unknown id")
	})
	var evs []xinyong.Event
	for i := range 120 {
		evs = append(evs, xinyong.Event{ID: fmt.Sprintf("evt_%03d", i), Seq: int64(i + 1), Type: xinyong.EventRecordWithdrawn, ObjectType: "record",
			ObjectID: fmt.Sprintf("r%d", i), Payload: json.RawMessage(`{"record_id":"r` + fmt.Sprint(i) + `","n":1}`), CreatedAt: base.Add(time.Duration(i) * time.Second)})
	}
	e.update(func(tx xinyong.Tx) { ok(t, tx.AppendEvents(evs), "AppendEvents") })
	err := e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.AppendEvents(evs[:1]) })
	wantCode(t, err, xinyong.ECONFLICT, "AppendEvents of an id stored before")
	e.view(func(tx xinyong.Tx) {
		n, err := tx.NextEventSeq()
		ok(t, err, "NextEventSeq")
		equal(t, "NextEventSeq", n, int64(121))
		got, err := tx.Event("evt_007")
		ok(t, err, "Event")
		equal(t, "Event", got, evs[7])
		page, err := tx.Events(100, 50)
		ok(t, err, "Events")
		if len(page) != 20 || page[0].Seq != 101 || page[19].Seq != 120 {
			t.Errorf("Events(100, 50): %d events from %d", len(page), page[0].Seq)
		}
		page, err = tx.Events(0, 3)
		ok(t, err, "Events")
		equal(t, "Events(0, 3)", page, evs[:3])
	})

	sub := xinyong.Subscription{ID: "sub1", URL: "https://example.gov.cn/hooks", Events: []string{xinyong.EventRecordWithdrawn, xinyong.EventListingRemoved},
		Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", CreatedBy: "account:a", CreatedAt: base}
	sub2 := sub
	sub2.ID, sub2.CreatedAt = "sub2", base.Add(time.Hour)
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.PutSubscription(sub), "PutSubscription")
		ok(t, tx.PutSubscription(sub2), "PutSubscription 2")
	})
	err = e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.PutSubscription(sub) })
	wantCode(t, err, xinyong.ECONFLICT, "PutSubscription of an id stored before")
	e.view(func(tx xinyong.Tx) {
		got, err := tx.Subscription("sub1")
		ok(t, err, "Subscription")
		equal(t, "Subscription", got, sub)
		equal(t, "Subscription secret", got.Secret, sub.Secret)
		all, err := tx.Subscriptions()
		ok(t, err, "Subscriptions")
		equal(t, "Subscriptions", all, []xinyong.Subscription{sub, sub2})
		_, err = tx.Subscription("nope")
		wantCode(t, err, xinyong.ENOTFOUND, "Subscription of an unknown id")
	})

	var ds []xinyong.Delivery
	for i := range 10 {
		ds = append(ds, xinyong.Delivery{ID: fmt.Sprintf("d%02d", i), SubscriptionID: "sub1", EventID: evs[i].ID, EventType: evs[i].Type, Status: xinyong.DeliveryPending,
			WindowStart: evs[i].CreatedAt, NextAt: evs[i].CreatedAt, CreatedAt: evs[i].CreatedAt})
	}
	other := ds[0]
	other.ID, other.SubscriptionID = "o1", "sub2"
	e.update(func(tx xinyong.Tx) { ok(t, tx.AddDeliveries(append(ds, other)), "AddDeliveries") })
	dup := ds[0]
	dup.ID = "dup"
	err = e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.AddDeliveries([]xinyong.Delivery{dup}) })
	wantCode(t, err, xinyong.ECONFLICT, "a second delivery of an event to a subscription")
	e.view(func(tx xinyong.Tx) {
		got, err := tx.Delivery("d03")
		ok(t, err, "Delivery")
		equal(t, "Delivery", got, ds[3])
		_, err = tx.Delivery("nope")
		wantCode(t, err, xinyong.ENOTFOUND, "Delivery of an unknown id")
	})

	// Due at base+4s: d00…d04 and o1, oldest first; leased, they are not
	// claimed again until the lease ends.
	now, until := base.Add(4*time.Second), base.Add(time.Hour)
	var claimed []xinyong.Delivery
	e.update(func(tx xinyong.Tx) {
		var err error
		claimed, err = tx.ClaimDeliveries(now, until, 100)
		ok(t, err, "ClaimDeliveries")
	})
	if len(claimed) != 6 {
		t.Fatalf("claimed %d deliveries, want 6", len(claimed))
	}
	for _, d := range claimed {
		sameTime(t, "claimed NextAt", d.NextAt, until)
	}
	e.update(func(tx xinyong.Tx) {
		again, err := tx.ClaimDeliveries(now, until, 100)
		ok(t, err, "ClaimDeliveries again")
		equal(t, "claimed while leased", len(again), 0)
	})
	e.update(func(tx xinyong.Tx) {
		again, err := tx.ClaimDeliveries(until, until.Add(time.Hour), 2)
		ok(t, err, "ClaimDeliveries after the lease")
		equal(t, "claimed after the lease (limit 2)", len(again), 2)
	})

	d := ds[5]
	d.Status, d.Attempts, d.LastAt, d.LastStatus, d.LastError = xinyong.DeliveryDead, 9, base.Add(25*time.Hour), 503, "receiver answered 503"
	d.WindowStart = base.Add(time.Minute)
	d2 := ds[6]
	d2.Status, d2.Attempts, d2.DeliveredAt, d2.LastStatus = xinyong.DeliveryDelivered, 1, base.Add(time.Second), 204
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.UpdateDelivery(d), "UpdateDelivery")
		ok(t, tx.UpdateDelivery(d2), "UpdateDelivery 2")
	})
	err = e.s.Update(e.ctx, func(tx xinyong.Tx) error { x := d; x.ID = "nope"; return tx.UpdateDelivery(x) })
	wantCode(t, err, xinyong.ENOTFOUND, "UpdateDelivery of an unknown id")
	e.view(func(tx xinyong.Tx) {
		got, err := tx.Delivery(d.ID)
		ok(t, err, "Delivery")
		equal(t, "updated Delivery", got, d)
		dead, err := tx.DeliveriesBy("sub1", xinyong.DeliveryDead, 10)
		ok(t, err, "DeliveriesBy")
		equal(t, "dead letters", dead, []xinyong.Delivery{d})
		done, err := tx.DeliveriesBy("sub1", xinyong.DeliveryDelivered, 10)
		ok(t, err, "DeliveriesBy delivered")
		equal(t, "delivered", len(done), 1)
	})
	// A dead or delivered delivery is never claimed.
	e.update(func(tx xinyong.Tx) {
		all, err := tx.ClaimDeliveries(base.Add(1000*time.Hour), base.Add(1001*time.Hour), 100)
		ok(t, err, "ClaimDeliveries")
		for _, c := range all {
			if c.ID == d.ID || c.ID == d2.ID {
				t.Errorf("claimed %s (%s)", c.ID, c.Status)
			}
		}
		equal(t, "claimable", len(all), 9)
	})

	// Concurrent claims never take the same delivery.
	var more []xinyong.Delivery
	for i := 10; i < 110; i++ {
		more = append(more, xinyong.Delivery{ID: fmt.Sprintf("m%03d", i), SubscriptionID: "sub2", EventID: evs[i].ID, EventType: evs[i].Type, Status: xinyong.DeliveryPending,
			WindowStart: base, NextAt: base, CreatedAt: base})
	}
	e.update(func(tx xinyong.Tx) { ok(t, tx.AddDeliveries(more), "AddDeliveries") })
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				var got []xinyong.Delivery
				err := e.s.Update(e.ctx, func(tx xinyong.Tx) error {
					var err error
					got, err = tx.ClaimDeliveries(base.Add(time.Minute), base.Add(2000*time.Hour), 7)
					return err
				})
				if err != nil {
					t.Errorf("concurrent ClaimDeliveries: %v", err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, d := range got {
					seen[d.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for id, n := range seen {
		if n != 1 {
			t.Errorf("delivery %s claimed %d times", id, n)
		}
	}
	if len(seen) != 100 {
		t.Errorf("concurrent claims took %d deliveries, want 100", len(seen))
	}

	// Deleting a subscription deletes its deliveries.
	e.update(func(tx xinyong.Tx) { ok(t, tx.DeleteSubscription("sub2"), "DeleteSubscription") })
	err = e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.DeleteSubscription("sub2") })
	wantCode(t, err, xinyong.ENOTFOUND, "DeleteSubscription of an unknown id")
	e.view(func(tx xinyong.Tx) {
		_, err := tx.Delivery("o1")
		wantCode(t, err, xinyong.ENOTFOUND, "a deleted subscription's delivery")
		_, err = tx.Delivery("d00")
		ok(t, err, "another subscription's delivery")
	})
}

// testEventsSkipLocked: on PostgreSQL a claim skips the rows another open
// transaction claimed instead of waiting for it.
func testEventsSkipLocked(e *env) {
	t := e.t
	if e.s.Dialect() != "postgres" {
		t.Skip("SQLite has a single writer")
	}
	ev := xinyong.Event{ID: "evt_1", Seq: 1, Type: xinyong.EventRecordWithdrawn, ObjectType: "record", ObjectID: "r1", Payload: json.RawMessage(`{}`), CreatedAt: base}
	sub := xinyong.Subscription{ID: "sub1", URL: "https://example.gov.cn/hooks", Events: []string{xinyong.EventRecordWithdrawn}, Secret: "whsec_AAAA", CreatedBy: "a", CreatedAt: base}
	var ds []xinyong.Delivery
	for i := range 4 {
		ds = append(ds, xinyong.Delivery{ID: fmt.Sprintf("d%d", i), SubscriptionID: "sub1", EventID: fmt.Sprintf("evt_%d", i), EventType: ev.Type, Status: xinyong.DeliveryPending, WindowStart: base, NextAt: base.Add(time.Duration(i) * time.Second), CreatedAt: base})
	}
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.AppendEvents([]xinyong.Event{ev}), "AppendEvents")
		ok(t, tx.PutSubscription(sub), "PutSubscription")
		ok(t, tx.AddDeliveries(ds), "AddDeliveries")
	})
	held, release, done := make(chan []xinyong.Delivery), make(chan struct{}), make(chan error)
	go func() {
		done <- e.s.Update(e.ctx, func(tx xinyong.Tx) error {
			got, err := tx.ClaimDeliveries(base.Add(time.Minute), base.Add(time.Hour), 2)
			held <- got
			<-release
			return err
		})
	}()
	first := <-held
	var second []xinyong.Delivery
	e.update(func(tx xinyong.Tx) {
		var err error
		second, err = tx.ClaimDeliveries(base.Add(time.Minute), base.Add(time.Hour), 10)
		ok(t, err, "ClaimDeliveries beside an open claim")
	})
	close(release)
	ok(t, <-done, "first claim")
	if len(first) != 2 || len(second) != 2 || first[0].ID != "d0" || second[0].ID != "d2" {
		t.Errorf("claims %v and %v, want d0 d1 and d2 d3", first, second)
	}
}
