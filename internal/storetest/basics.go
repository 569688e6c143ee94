package storetest

import (
	"errors"
	"testing"
	"time"

	"xinyong"
)

func testMigrate(e *env) {
	t := e.t
	cur, latest, err := e.s.SchemaVersion(e.ctx)
	ok(t, err, "SchemaVersion")
	if latest < 1 || cur != latest {
		t.Fatalf("SchemaVersion = (%d, %d), want (latest, latest) with latest ≥ 1", cur, latest)
	}
	ok(t, e.s.Migrate(e.ctx), "second Migrate")
	ok(t, e.s.Migrate(e.ctx), "third Migrate")
	cur2, latest2, err := e.s.SchemaVersion(e.ctx)
	ok(t, err, "SchemaVersion after Migrate")
	if cur2 != cur || latest2 != latest {
		t.Errorf("SchemaVersion after re-Migrate = (%d, %d), want (%d, %d)", cur2, latest2, cur, latest)
	}
	// Migrating again must not have touched the data.
	e.update(func(tx xinyong.Tx) { ok(t, tx.SetMeta("k", "v"), "SetMeta") })
	ok(t, e.s.Migrate(e.ctx), "Migrate with data")
	e.view(func(tx xinyong.Tx) {
		v, err := tx.Meta("k")
		ok(t, err, "Meta")
		equal(t, "meta after Migrate", v, "v")
	})
	ok(t, e.s.Ping(e.ctx), "Ping")
	if d := e.s.Dialect(); d != "sqlite" && d != "postgres" {
		t.Errorf("Dialect() = %q", d)
	}
}

// testEmptyStore: every single-row getter says ENOTFOUND on an empty store,
// every list is empty, and mutations of missing rows say ENOTFOUND.
func testEmptyStore(e *env) {
	t := e.t
	e.view(func(tx xinyong.Tx) {
		getters := map[string]func() error{
			"Meta":              func() error { _, err := tx.Meta("nope"); return err },
			"CatalogueItem":     func() error { _, err := tx.CatalogueItem("nope"); return err },
			"Department":        func() error { _, err := tx.Department("nope"); return err },
			"DepartmentByCode":  func() error { _, err := tx.DepartmentByCode("nope"); return err },
			"Account":           func() error { _, err := tx.Account("nope"); return err },
			"AccountByUsername": func() error { _, err := tx.AccountByUsername("nope"); return err },
			"TokenByHash":       func() error { _, err := tx.TokenByHash([]byte("nope")); return err },
			"SessionByHash":     func() error { _, err := tx.SessionByHash([]byte("nope")); return err },
			"Subject":           func() error { _, err := tx.Subject("nope"); return err },
			"SubjectByKey":      func() error { _, err := tx.SubjectByKey("nope"); return err },
			"CodeOverride":      func() error { _, err := tx.CodeOverride("nope"); return err },
			"Record":            func() error { _, err := tx.Record("nope"); return err },
			"RecordByDocKey":    func() error { _, err := tx.RecordByDocKey("d", "penalty", "nope"); return err },
			"RecordVersions":    func() error { _, err := tx.RecordVersions("nope"); return err },
			"Import":            func() error { _, err := tx.Import("nope"); return err },
			"LedgerEntry":       func() error { _, err := tx.LedgerEntry(0); return err },
			"LatestCheckpoint":  func() error { _, err := tx.LatestCheckpoint(); return err },
		}
		for name, get := range getters {
			wantCode(t, get(), xinyong.ENOTFOUND, name)
		}
		lists := map[string]func() (int, error){
			"ListAudit":      func() (int, error) { v, err := tx.ListAudit(xinyong.AuditFilter{}); return len(v), err },
			"Categories":     func() (int, error) { v, err := tx.Categories(); return len(v), err },
			"CatalogueItems": func() (int, error) { v, err := tx.CatalogueItems(); return len(v), err },
			"CatalogueItemHistory": func() (int, error) {
				v, err := tx.CatalogueItemHistory("nope")
				return len(v), err
			},
			"Measures":     func() (int, error) { v, err := tx.Measures(); return len(v), err },
			"ListTypes":    func() (int, error) { v, err := tx.ListTypes(); return len(v), err },
			"Regimes":      func() (int, error) { v, err := tx.Regimes(); return len(v), err },
			"Overrides":    func() (int, error) { v, err := tx.Overrides(); return len(v), err },
			"Departments":  func() (int, error) { v, err := tx.Departments(); return len(v), err },
			"Accounts":     func() (int, error) { v, err := tx.Accounts(); return len(v), err },
			"Tokens":       func() (int, error) { v, err := tx.Tokens(); return len(v), err },
			"ListRecords":  func() (int, error) { v, err := tx.ListRecords(xinyong.RecordFilter{}); return len(v), err },
			"Imports":      func() (int, error) { v, err := tx.Imports(xinyong.ImportQueued); return len(v), err },
			"Checkpoints":  func() (int, error) { v, err := tx.Checkpoints(10); return len(v), err },
			"LoginFailure": func() (int, error) { return tx.CountLoginFailures("nope", time.Time{}) },
			"AllAudit":     func() (int, error) { return count(tx.AllAudit, func(xinyong.AuditEvent) {}) },
			"RecordContents": func() (int, error) {
				return count(tx.RecordContents, func(xinyong.RecordContent) {})
			},
			"ImportErrors": func() (int, error) {
				return count(func(fn func(xinyong.FieldError) error) error { return tx.ImportErrors("nope", fn) }, func(xinyong.FieldError) {})
			},
			"LedgerEntries": func() (int, error) {
				return count(func(fn func(xinyong.LedgerEntry) error) error { return tx.LedgerEntries(0, 100, fn) }, func(xinyong.LedgerEntry) {})
			},
		}
		for name, list := range lists {
			n, err := list()
			ok(t, err, name)
			if n != 0 {
				t.Errorf("%s on an empty store: %d rows", name, n)
			}
		}
		h, err := tx.LedgerHead()
		ok(t, err, "LedgerHead")
		if h.Size != 0 || h.Root != nil {
			t.Errorf("LedgerHead of an empty store = %+v, want size 0 and no root", h)
		}
	})
	// Changes to rows that do not exist say so; each runs in its own
	// transaction, which is rolled back.
	muts := map[string]func(tx xinyong.Tx) error{
		"UpdateDepartment": func(tx xinyong.Tx) error { return tx.UpdateDepartment(department("nope", "X")) },
		"UpdateAccount":    func(tx xinyong.Tx) error { return tx.UpdateAccount(account("nope", "nope", "")) },
		"UpdateImport":     func(tx xinyong.Tx) error { return tx.UpdateImport(importJob("nope", "d")) },
		"UpdateRecord": func(tx xinyong.Tx) error {
			r := record("nope", "d", "s", "N")
			r.Version = 2
			return tx.UpdateRecord(r)
		},
		"RevokeToken":    func(tx xinyong.Tx) error { return tx.RevokeToken("nope", base) },
		"DeleteOverride": func(tx xinyong.Tx) error { return tx.DeleteOverride(xinyong.NewDate(2026, 1, 1)) },
	}
	for name, mut := range muts {
		err := e.s.Update(e.ctx, mut)
		wantCode(t, err, xinyong.ENOTFOUND, name+" of a missing row")
	}
}

// count runs a streaming method and counts what it streams.
func count[T any](stream func(func(T) error) error, each func(T)) (int, error) {
	n := 0
	err := stream(func(v T) error { each(v); n++; return nil })
	return n, err
}

func testClock(e *env) {
	t := e.t
	want := Start.Truncate(time.Microsecond).UTC()
	e.update(func(tx xinyong.Tx) {
		sameTime(t, "Tx.Now", tx.Now(), Start)
		e.clk.Advance(time.Hour) // the transaction keeps its single now
		sameTime(t, "Tx.Now later in the same transaction", tx.Now(), Start)
		if !tx.Now().Equal(want) || tx.Now() != tx.Now() {
			t.Errorf("Tx.Now is not stable")
		}
	})
	e.view(func(tx xinyong.Tx) { sameTime(t, "View Tx.Now after Advance", tx.Now(), Start.Add(time.Hour)) })
}

// testTimesRoundTrip: whatever zone and precision a time comes in, the store
// gives it back in UTC at microsecond precision.
func testTimesRoundTrip(e *env) {
	t := e.t
	in := time.Date(2026, 5, 6, 23, 59, 58, 123456789, xinyong.Shanghai)
	later := in.Add(90*24*time.Hour + 987)
	d := department("d1", "C1")
	d.CreatedAt = in
	a := account("a1", "u1", "d1")
	a.CreatedAt = in
	k := token("k1", "h1")
	k.CreatedAt = in
	s := subject("s1", "K1")
	s.CreatedAt = in
	o := xinyong.CodeOverride{Code: "C", Kind: xinyong.KindEnterprise, Reason: "r", By: "account:a1", CreatedAt: in}
	r := record("r1", "d1", "s1", "N1")
	r.SubmittedAt, r.UpdatedAt = in, in
	r.Withdrawal = &xinyong.Withdrawal{At: in, Reason: "revoked", By: "account:a1"}
	r.Status = xinyong.RecordWithdrawn
	j := importJob("j1", "d1")
	fin := later
	j.CreatedAt, j.UpdatedAt, j.FinishedAt = in, in, &fin
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.CreateDepartment(d), "CreateDepartment")
		ok(t, tx.CreateAccount(a), "CreateAccount")
		ok(t, tx.CreateToken(k), "CreateToken")
		ok(t, tx.RevokeToken("k1", later), "RevokeToken")
		ok(t, tx.CreateSession(xinyong.Session{Hash: []byte("s"), AccountID: "a1", CSRF: "c", CreatedAt: in, ExpiresAt: later}), "CreateSession")
		ok(t, tx.PutSubject(s), "PutSubject")
		ok(t, tx.PutCodeOverride(o), "PutCodeOverride")
		ok(t, tx.InsertRecord(r), "InsertRecord")
		ok(t, tx.CreateImport(j), "CreateImport")
		ok(t, tx.AppendAudit(xinyong.AuditEvent{At: in, Actor: "system", ActorName: "system", Action: "x", ObjectType: "o", ObjectID: "1"}), "AppendAudit")
		ok(t, tx.AppendLedgerEntries([]xinyong.LedgerEntry{{Index: 0, Kind: "record", ObjectType: "record", ObjectID: "r1", Version: 1, Commitment: []byte{1}, At: in}}), "AppendLedgerEntries")
		ok(t, tx.PutCheckpoint(xinyong.StoredCheckpoint{Size: 1, Root: []byte{1}, Note: []byte("n"), CreatedAt: in}), "PutCheckpoint")
	})
	e.view(func(tx xinyong.Tx) {
		gd, err := tx.Department("d1")
		ok(t, err, "Department")
		sameTime(t, "Department.CreatedAt", gd.CreatedAt, in)
		ga, err := tx.Account("a1")
		ok(t, err, "Account")
		sameTime(t, "Account.CreatedAt", ga.CreatedAt, in)
		gk, err := tx.TokenByHash([]byte("h1"))
		ok(t, err, "TokenByHash")
		sameTime(t, "Token.CreatedAt", gk.CreatedAt, in)
		if gk.RevokedAt == nil {
			t.Fatalf("Token.RevokedAt is nil")
		}
		sameTime(t, "Token.RevokedAt", *gk.RevokedAt, later)
		gs, err := tx.SessionByHash([]byte("s"))
		ok(t, err, "SessionByHash")
		sameTime(t, "Session.CreatedAt", gs.CreatedAt, in)
		sameTime(t, "Session.ExpiresAt", gs.ExpiresAt, later)
		gsub, err := tx.Subject("s1")
		ok(t, err, "Subject")
		sameTime(t, "Subject.CreatedAt", gsub.CreatedAt, in)
		gco, err := tx.CodeOverride("C")
		ok(t, err, "CodeOverride")
		sameTime(t, "CodeOverride.CreatedAt", gco.CreatedAt, in)
		gr, err := tx.Record("r1")
		ok(t, err, "Record")
		sameTime(t, "Record.SubmittedAt", gr.SubmittedAt, in)
		sameTime(t, "Record.UpdatedAt", gr.UpdatedAt, in)
		if gr.Withdrawal == nil {
			t.Fatalf("Record.Withdrawal is nil")
		}
		sameTime(t, "Record.Withdrawal.At", gr.Withdrawal.At, in)
		gj, err := tx.Import("j1")
		ok(t, err, "Import")
		sameTime(t, "Import.CreatedAt", gj.CreatedAt, in)
		sameTime(t, "Import.UpdatedAt", gj.UpdatedAt, in)
		if gj.FinishedAt == nil {
			t.Fatalf("Import.FinishedAt is nil")
		}
		sameTime(t, "Import.FinishedAt", *gj.FinishedAt, later)
		evs, err := tx.ListAudit(xinyong.AuditFilter{})
		ok(t, err, "ListAudit")
		if len(evs) != 1 {
			t.Fatalf("ListAudit: %d events", len(evs))
		}
		sameTime(t, "AuditEvent.At", evs[0].At, in)
		le, err := tx.LedgerEntry(0)
		ok(t, err, "LedgerEntry")
		sameTime(t, "LedgerEntry.At", le.At, in)
		cp, err := tx.LatestCheckpoint()
		ok(t, err, "LatestCheckpoint")
		sameTime(t, "StoredCheckpoint.CreatedAt", cp.CreatedAt, in)
	})
	// Login failures compare at microsecond precision.
	e.update(func(tx xinyong.Tx) { ok(t, tx.AddLoginFailure("k", in), "AddLoginFailure") })
	e.view(func(tx xinyong.Tx) {
		n, err := tx.CountLoginFailures("k", in.Truncate(time.Microsecond))
		ok(t, err, "CountLoginFailures")
		equal(t, "failures since the same microsecond", n, 1)
		n, err = tx.CountLoginFailures("k", in.Truncate(time.Microsecond).Add(time.Microsecond))
		ok(t, err, "CountLoginFailures")
		equal(t, "failures since the next microsecond", n, 0)
	})
}

func testMeta(e *env) {
	t := e.t
	e.update(func(tx xinyong.Tx) {
		_, err := tx.Meta("admin_created")
		wantCode(t, err, xinyong.ENOTFOUND, "Meta unset")
		ok(t, tx.SetMeta("admin_created", "1"), "SetMeta")
		ok(t, tx.SetMeta("other", "x"), "SetMeta other")
		v, err := tx.Meta("admin_created")
		ok(t, err, "Meta in the same tx")
		equal(t, "Meta", v, "1")
	})
	e.update(func(tx xinyong.Tx) { ok(t, tx.SetMeta("admin_created", "2026-03-14 中文"), "SetMeta overwrite") })
	e.view(func(tx xinyong.Tx) {
		v, err := tx.Meta("admin_created")
		ok(t, err, "Meta")
		equal(t, "Meta after overwrite", v, "2026-03-14 中文")
		v, err = tx.Meta("other")
		ok(t, err, "Meta other")
		equal(t, "Meta other", v, "x")
	})
}

func testAudit(e *env) {
	t := e.t
	evs := []xinyong.AuditEvent{
		{At: base, Actor: "account:a1", ActorName: "张三", Action: "record.submit", ObjectType: "record", ObjectID: "r1", AfterDigest: "sha256:1", Detail: "v1", LedgerIdx: 0},
		{At: base.Add(time.Second), Actor: "account:a2", ActorName: "李四", Action: "record.submit", ObjectType: "record", ObjectID: "r2", AfterDigest: "sha256:2", LedgerIdx: 1},
		{At: base.Add(2 * time.Second), Actor: "account:a1", ActorName: "张三", Action: "record.withdraw", ObjectType: "record", ObjectID: "r1", BeforeDigest: "sha256:1", AfterDigest: "sha256:3", LedgerIdx: 2},
		{Actor: "system", ActorName: "system", Action: "catalogue.load", ObjectType: "catalogue_item", ObjectID: "CF01", LedgerIdx: 3}, // At from Tx.Now
	}
	e.update(func(tx xinyong.Tx) {
		for _, ev := range evs {
			ok(t, tx.AppendAudit(ev), "AppendAudit")
		}
	})
	var all []xinyong.AuditEvent
	e.view(func(tx xinyong.Tx) {
		ok(t, tx.AllAudit(func(ev xinyong.AuditEvent) error { all = append(all, ev); return nil }), "AllAudit")
	})
	if len(all) != len(evs) {
		t.Fatalf("AllAudit: %d events, want %d", len(all), len(evs))
	}
	for i := range all {
		if i > 0 && all[i].ID <= all[i-1].ID {
			t.Errorf("AllAudit not in id order: %d after %d", all[i].ID, all[i-1].ID)
		}
		want := evs[i]
		want.ID = all[i].ID
		if want.At.IsZero() {
			want.At = Start.Truncate(time.Microsecond).UTC()
		}
		equal(t, "AllAudit event "+want.ObjectID, all[i], want)
	}
	ids := func(es []xinyong.AuditEvent) []int64 {
		out := []int64{}
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	id := func(i int) int64 { return all[i].ID }
	e.view(func(tx xinyong.Tx) {
		for _, tt := range []struct {
			name string
			f    xinyong.AuditFilter
			want []int64 // newest first
		}{
			{"all", xinyong.AuditFilter{}, []int64{id(3), id(2), id(1), id(0)}},
			{"object type", xinyong.AuditFilter{ObjectType: "record"}, []int64{id(2), id(1), id(0)}},
			{"object", xinyong.AuditFilter{ObjectType: "record", ObjectID: "r1"}, []int64{id(2), id(0)}},
			{"object id only", xinyong.AuditFilter{ObjectID: "r2"}, []int64{id(1)}},
			{"actor", xinyong.AuditFilter{Actor: "account:a1"}, []int64{id(2), id(0)}},
			{"action", xinyong.AuditFilter{Action: "record.submit"}, []int64{id(1), id(0)}},
			{"actor and action", xinyong.AuditFilter{Actor: "account:a1", Action: "record.submit"}, []int64{id(0)}},
			{"limit", xinyong.AuditFilter{Limit: 2}, []int64{id(3), id(2)}},
			{"limit with filter", xinyong.AuditFilter{ObjectType: "record", Limit: 1}, []int64{id(2)}},
			{"no match", xinyong.AuditFilter{Actor: "nobody"}, []int64{}},
		} {
			got, err := tx.ListAudit(tt.f)
			ok(t, err, "ListAudit "+tt.name)
			equal(t, "ListAudit "+tt.name, ids(got), tt.want)
		}
	})
	// Events of later transactions get larger ids.
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.AppendAudit(xinyong.AuditEvent{Actor: "system", ActorName: "system", Action: "x", ObjectType: "o", ObjectID: "5"}), "AppendAudit")
	})
	e.view(func(tx xinyong.Tx) {
		got, err := tx.ListAudit(xinyong.AuditFilter{Limit: 1})
		ok(t, err, "ListAudit")
		if len(got) != 1 || got[0].ObjectID != "5" || got[0].ID <= id(3) {
			t.Errorf("latest audit event = %+v, want object 5 with id > %d", got, id(3))
		}
	})
}

func testUpdateCommits(e *env) {
	t := e.t
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.SetMeta("a", "1"), "SetMeta")
		ok(t, tx.CreateDepartment(department("d1", "C1")), "CreateDepartment")
	})
	e.view(func(tx xinyong.Tx) {
		_, err := tx.Meta("a")
		ok(t, err, "Meta after commit")
		_, err = tx.Department("d1")
		ok(t, err, "Department after commit")
	})
}

// everything writes one row of many kinds.
func everything(t *testing.T, tx xinyong.Tx) {
	t.Helper()
	ok(t, tx.SetMeta("m", "1"), "SetMeta")
	ok(t, tx.AppendAudit(xinyong.AuditEvent{Actor: "system", ActorName: "system", Action: "x", ObjectType: "o", ObjectID: "1"}), "AppendAudit")
	ok(t, tx.CreateDepartment(department("d1", "C1")), "CreateDepartment")
	ok(t, tx.CreateAccount(account("a1", "u1", "d1")), "CreateAccount")
	ok(t, tx.PutSubject(subject("s1", "K1")), "PutSubject")
	ok(t, tx.InsertRecord(record("r1", "d1", "s1", "N1")), "InsertRecord")
	ok(t, tx.CreateImport(importJob("j1", "d1")), "CreateImport")
	ok(t, tx.AddImportErrors("j1", []xinyong.FieldError{{Row: 1, Field: "f", Rule: "r", Message: "m"}}), "AddImportErrors")
	h, err := tx.LockLedger()
	ok(t, err, "LockLedger")
	ok(t, tx.SetLedgerHead(xinyong.LedgerHead{Size: h.Size + 1, Root: []byte{9}}), "SetLedgerHead")
	ok(t, tx.AppendLedgerEntries([]xinyong.LedgerEntry{{Index: 0, Kind: "record", ObjectType: "record", ObjectID: "r1", Version: 1, Commitment: []byte{1}, At: base}}), "AppendLedgerEntries")
	ok(t, tx.WriteLedgerNodes(context0(), []int64{1}, [][]byte{{1}}), "WriteLedgerNodes")
	ok(t, tx.PutCheckpoint(xinyong.StoredCheckpoint{Size: 1, Root: []byte{1}, Note: []byte("n"), CreatedAt: base}), "PutCheckpoint")
	ok(t, tx.PutCatalogueItem(item("CF01", 1)), "PutCatalogueItem")
	ok(t, tx.PutOverride(xinyong.Override{Date: xinyong.NewDate(2026, 1, 1), Kind: xinyong.DayHoliday, Name: "元旦", Reason: "r"}), "PutOverride")
}

// nothing checks that none of everything's rows is visible.
func nothing(t *testing.T, tx xinyong.Tx) {
	t.Helper()
	_, err := tx.Meta("m")
	wantCode(t, err, xinyong.ENOTFOUND, "Meta after rollback")
	evs, err := tx.ListAudit(xinyong.AuditFilter{})
	ok(t, err, "ListAudit")
	if len(evs) != 0 {
		t.Errorf("audit after rollback: %d events", len(evs))
	}
	_, err = tx.Department("d1")
	wantCode(t, err, xinyong.ENOTFOUND, "Department after rollback")
	_, err = tx.Account("a1")
	wantCode(t, err, xinyong.ENOTFOUND, "Account after rollback")
	_, err = tx.Subject("s1")
	wantCode(t, err, xinyong.ENOTFOUND, "Subject after rollback")
	_, err = tx.Record("r1")
	wantCode(t, err, xinyong.ENOTFOUND, "Record after rollback")
	_, err = tx.Import("j1")
	wantCode(t, err, xinyong.ENOTFOUND, "Import after rollback")
	h, err := tx.LedgerHead()
	ok(t, err, "LedgerHead")
	if h.Size != 0 || h.Root != nil {
		t.Errorf("ledger head after rollback = %+v", h)
	}
	_, err = tx.LedgerEntry(0)
	wantCode(t, err, xinyong.ENOTFOUND, "LedgerEntry after rollback")
	if _, err := tx.ReadLedgerNodes(context0(), []int64{1}); err == nil {
		t.Errorf("ledger node readable after rollback")
	}
	_, err = tx.LatestCheckpoint()
	wantCode(t, err, xinyong.ENOTFOUND, "LatestCheckpoint after rollback")
	_, err = tx.CatalogueItem("CF01")
	wantCode(t, err, xinyong.ENOTFOUND, "CatalogueItem after rollback")
	hist, err := tx.CatalogueItemHistory("CF01")
	ok(t, err, "CatalogueItemHistory")
	os, err := tx.Overrides()
	ok(t, err, "Overrides")
	if len(hist) != 0 || len(os) != 0 {
		t.Errorf("after rollback: %d history rows, %d overrides", len(hist), len(os))
	}
}

func testUpdateRollsBack(e *env) {
	t := e.t
	boom := errors.New("boom")
	err := e.s.Update(e.ctx, func(tx xinyong.Tx) error {
		everything(t, tx)
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want the callback's error", err)
	}
	e.view(func(tx xinyong.Tx) { nothing(t, tx) })
	// The store is still usable, and the same rows can now be written.
	e.update(func(tx xinyong.Tx) { everything(t, tx) })
}

func testUpdatePanicRollsBack(e *env) {
	t := e.t
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("the panic did not propagate out of Update")
			}
		}()
		_ = e.s.Update(e.ctx, func(tx xinyong.Tx) error {
			everything(t, tx)
			panic("boom")
		})
	}()
	// The transaction was rolled back and its connection released: the next
	// transactions neither block nor see its rows.
	ctx, cancel := contextTimeout(e.ctx, 30*time.Second)
	defer cancel()
	err := e.s.View(ctx, func(tx xinyong.Tx) error { nothing(t, tx); return nil })
	ok(t, err, "View after a panic")
	err = e.s.Update(ctx, func(tx xinyong.Tx) error { everything(t, tx); return nil })
	ok(t, err, "Update after a panic")
}

func testViewCannotWrite(e *env) {
	t := e.t
	writes := map[string]func(tx xinyong.Tx) error{
		"SetMeta": func(tx xinyong.Tx) error { return tx.SetMeta("k", "v") },
		"AppendAudit": func(tx xinyong.Tx) error {
			return tx.AppendAudit(xinyong.AuditEvent{Actor: "a", ActorName: "a", Action: "x", ObjectType: "o", ObjectID: "1"})
		},
		"CreateDepartment": func(tx xinyong.Tx) error { return tx.CreateDepartment(department("d1", "C1")) },
		"SetLedgerHead":    func(tx xinyong.Tx) error { return tx.SetLedgerHead(xinyong.LedgerHead{Size: 5}) },
	}
	for name, w := range writes {
		err := e.s.View(e.ctx, func(tx xinyong.Tx) error { return w(tx) })
		if err == nil {
			t.Errorf("%s inside View succeeded", name)
		}
	}
	e.view(func(tx xinyong.Tx) {
		_, err := tx.Meta("k")
		wantCode(t, err, xinyong.ENOTFOUND, "Meta after a write in View")
		_, err = tx.Department("d1")
		wantCode(t, err, xinyong.ENOTFOUND, "Department after a write in View")
		h, err := tx.LedgerHead()
		ok(t, err, "LedgerHead")
		equal(t, "ledger size after a write in View", h.Size, int64(0))
	})
}

// testCallbackErrors: a streaming method stops at its callback's error and
// returns it.
func testCallbackErrors(e *env) {
	t := e.t
	dept, subj := e.seed()
	e.update(func(tx xinyong.Tx) {
		for i, id := range []string{"r1", "r2"} {
			ok(t, tx.InsertRecord(record(id, dept.ID, subj.ID, "N"+id)), "InsertRecord")
			ok(t, tx.AppendAudit(xinyong.AuditEvent{Actor: "a", ActorName: "a", Action: "x", ObjectType: "o", ObjectID: id}), "AppendAudit")
			ok(t, tx.AppendLedgerEntries([]xinyong.LedgerEntry{{Index: int64(i), Kind: "k", ObjectType: "o", ObjectID: id, Version: 1, Commitment: []byte{1}, At: base}}), "AppendLedgerEntries")
		}
		ok(t, tx.CreateImport(importJob("j1", dept.ID)), "CreateImport")
		ok(t, tx.AddImportErrors("j1", []xinyong.FieldError{{Row: 1, Field: "a"}, {Row: 2, Field: "b"}}), "AddImportErrors")
	})
	e.view(func(tx xinyong.Tx) {
		streams := map[string]func(stop func() error) error{
			"AllAudit": func(stop func() error) error { return tx.AllAudit(func(xinyong.AuditEvent) error { return stop() }) },
			"RecordContents": func(stop func() error) error {
				return tx.RecordContents(func(xinyong.RecordContent) error { return stop() })
			},
			"ImportErrors": func(stop func() error) error {
				return tx.ImportErrors("j1", func(xinyong.FieldError) error { return stop() })
			},
			"LedgerEntries": func(stop func() error) error {
				return tx.LedgerEntries(0, 10, func(xinyong.LedgerEntry) error { return stop() })
			},
		}
		for name, stream := range streams {
			calls := 0
			err := stream(func() error { calls++; return errStop })
			if !errors.Is(err, errStop) || calls != 1 {
				t.Errorf("%s: returned %v after %d calls, want the callback's error after 1", name, err, calls)
			}
		}
		// The transaction is still usable after a stream stopped early.
		_, err := tx.Record("r1")
		ok(t, err, "Record after a stopped stream")
	})
}

// testRead: Read answers what committed transactions wrote, statement by
// statement, with the store's clock.
func testRead(e *env) {
	t := e.t
	dept, subj := e.seed()
	r := record("r1", dept.ID, subj.ID, "罚〔2026〕1号")
	e.update(func(tx xinyong.Tx) { ok(t, tx.InsertRecord(r), "InsertRecord") })
	err := e.s.Read(e.ctx, func(tx xinyong.Tx) error {
		got, err := tx.Record("r1")
		ok(t, err, "Record through Read")
		equal(t, "Record through Read", got, r)
		docs, err := tx.ListRecordDocs(xinyong.RecordFilter{SubjectID: subj.ID})
		ok(t, err, "ListRecordDocs through Read")
		equal(t, "documents through Read", len(docs), 1)
		if tx.Now().IsZero() {
			t.Errorf("Read's Now is zero")
		}
		_, err = tx.Record("nope")
		wantCode(t, err, xinyong.ENOTFOUND, "Record of an unknown id through Read")
		return nil
	})
	ok(t, err, "Read")
}
