package workflow_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"

	"xinyong"
	"xinyong/internal/app"
	"xinyong/internal/config"
	"xinyong/internal/refdata"
	"xinyong/internal/workflow"
)

// The admin console's use cases (workflow/admin.go): each authorised for
// the admin only, each change one transaction with its audit event.

func adminService(t *testing.T) (context.Context, *workflow.Service) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	cfg := config.Config{DB: "sqlite:" + filepath.Join(dir, "x.db"), KeyDir: filepath.Join(dir, "keys"), Origin: "test.xinyong/ledger", LogFormat: "json", LogLevel: "error"}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	set, err := refdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Service.Bootstrap(ctx, set); err != nil {
		t.Fatal(err)
	}
	return ctx, a.Service
}

func TestAdminUseCases(t *testing.T) {
	ctx, svc := adminService(t)
	admin := xinyong.Actor{Kind: "account", ID: "adm", Name: "boss", Role: xinyong.RoleAdmin}
	officer := xinyong.Actor{Kind: "account", ID: "off", Name: "wang", Role: xinyong.RoleOfficer, DepartmentID: "d"}
	auditor := xinyong.Actor{Kind: "account", ID: "aud", Name: "aud", Role: xinyong.RoleAuditor}

	// ResetPassword: admin only; the new password signs in, the old does not.
	if _, _, err := svc.CreateAccount(ctx, xinyong.System, workflow.AccountInput{Username: "li", Role: "auditor", Password: "an old password 1"}); err != nil {
		t.Fatal(err)
	}
	for _, a := range []xinyong.Actor{officer, auditor, xinyong.Public} {
		if _, err := svc.ResetPassword(ctx, a, "li"); err == nil {
			t.Errorf("%s reset a password", a.Role)
		}
	}
	if _, err := svc.ResetPassword(ctx, admin, "nobody"); xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
		t.Errorf("reset of no account: %v", err)
	}
	pw, err := svc.ResetPassword(ctx, admin, "li")
	if err != nil || len(pw) < workflow.MinPasswordLength {
		t.Fatalf("reset: %d characters, %v", len(pw), err)
	}
	if _, _, _, err := svc.Login(ctx, "li", "an old password 1", "t"); err == nil {
		t.Error("the old password still signs in")
	}
	if _, _, _, err := svc.Login(ctx, "li", pw, "t"); err != nil {
		t.Errorf("the new password: %v", err)
	}
	evs, err := svc.Audit(ctx, xinyong.System, xinyong.AuditFilter{Action: workflow.ActAccountReset})
	if err != nil || len(evs) != 1 || evs[0].LedgerIdx == 0 || evs[0].ObjectType != "account" {
		t.Errorf("reset audit: %+v %v", evs, err)
	}

	// CreateListType: a basis and one of the four fields (国办发〔2020〕49号);
	// an existing code is refused; the row is local.
	lt := xinyong.ListType{Code: "GS_X", Name: "本省某名单", Field: "tax", Remedies: "行政复议、行政诉讼", Provenance: xinyong.ProvenanceConfirmed}
	err = func() error { _, err := svc.CreateListType(ctx, admin, lt); return err }()
	fields := map[string]bool{}
	for _, f := range xinyong.ErrorFields(err) {
		fields[f.Field+" "+f.Rule] = true
	}
	if !fields["field list.field"] || !fields["legal_basis list.legal_basis"] {
		t.Errorf("list type without basis, outside the fields: %v", err)
	}
	lt.Field, lt.LegalBasis = xinyong.FieldHealthLife, "《安全生产法》"
	if _, err := svc.CreateListType(ctx, officer, lt); xinyong.ErrorCode(err) != xinyong.EFORBIDDEN {
		t.Errorf("officer creates a list type: %v", err)
	}
	got, err := svc.CreateListType(ctx, admin, lt)
	if err != nil || got.Provenance != xinyong.ProvenanceLocal || got.EffectiveFrom.IsZero() {
		t.Fatalf("create: %+v %v", got, err)
	}
	lt.Code = "SAMR_SERIOUS"
	if _, err := svc.CreateListType(ctx, admin, lt); xinyong.ErrorCode(err) != xinyong.ECONFLICT {
		t.Errorf("existing code: %v", err)
	}

	// Reads: the admin only.
	if _, err := svc.AllDeadLetters(ctx, officer, 0); xinyong.ErrorCode(err) != xinyong.EFORBIDDEN {
		t.Errorf("officer reads dead letters: %v", err)
	}
	if _, err := svc.Overrides(ctx, auditor); xinyong.ErrorCode(err) != xinyong.EFORBIDDEN {
		t.Errorf("auditor reads overrides: %v", err)
	}
	if _, err := svc.PutOverride(ctx, admin, "2027-10-09", "workday", "国庆调休", "国办发明电"); err != nil {
		t.Fatal(err)
	}
	ovs, err := svc.Overrides(ctx, admin)
	if err != nil || len(ovs) != 1 || ovs[0].Date.String() != "2027-10-09" {
		t.Errorf("overrides: %+v %v", ovs, err)
	}
	// ListingCandidates: officers of a department only.
	if _, _, err := svc.ListingCandidates(ctx, admin, "91620100MA74QX3K8T"); xinyong.ErrorCode(err) != xinyong.EFORBIDDEN {
		t.Errorf("admin asks for listing candidates: %v", err)
	}
}

// TestDisableOwnAccount: an admin cannot disable the account it is signed
// in with, whatever the door (the console, the API, a script on the
// service): another admin can, and the last admin cannot lock everyone out.
func TestDisableOwnAccount(t *testing.T) {
	ctx, svc := adminService(t)
	a, _, err := svc.CreateAccount(ctx, xinyong.System, workflow.AccountInput{Username: "boss", Role: "admin", Password: "a long password 1"})
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := svc.CreateAccount(ctx, xinyong.System, workflow.AccountInput{Username: "deputy", Role: "admin", Password: "a long password 2"})
	if err != nil {
		t.Fatal(err)
	}
	self := xinyong.Actor{Kind: "account", ID: a.ID, Name: a.Username, Role: xinyong.RoleAdmin}
	err = svc.DisableAccount(ctx, self, "boss", true)
	if xinyong.ErrorCode(err) != xinyong.EINVALID || len(xinyong.ErrorFields(err)) != 1 || xinyong.ErrorFields(err)[0].Rule != "account.self" {
		t.Fatalf("disabling one's own account: %v", err)
	}
	if _, _, _, err := svc.Login(ctx, "boss", "a long password 1", "127.0.0.1"); err != nil {
		t.Fatalf("the refused self-disable still changed the account: %v", err)
	}
	other := xinyong.Actor{Kind: "account", ID: b.ID, Name: b.Username, Role: xinyong.RoleAdmin}
	if err := svc.DisableAccount(ctx, other, "boss", true); err != nil {
		t.Fatalf("another admin disabling it: %v", err)
	}
}

// TestLoginThrottleParallel: wrong passwords sent at once are counted
// before any is checked, so no more than LoginMaxFailures of them are ever
// checked in a window (the rest are throttled), and a right password
// afterwards is throttled too; a success does not count as a failure.
func TestLoginThrottleParallel(t *testing.T) {
	ctx, svc := adminService(t)
	for _, u := range []string{"victim", "ok"} {
		if _, _, err := svc.CreateAccount(ctx, xinyong.System, workflow.AccountInput{Username: u, Role: "auditor", Password: "the right password"}); err != nil {
			t.Fatal(err)
		}
	}
	// Successes do not count: more of them than the limit all work.
	for i := range workflow.LoginMaxFailures + 2 {
		if _, _, _, err := svc.Login(ctx, "ok", "the right password", "10.0.0.2"); err != nil {
			t.Fatalf("sign-in %d: %v", i+1, err)
		}
	}
	const n = 3 * workflow.LoginMaxFailures
	codes := make(chan string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, _, _, err := svc.Login(ctx, "victim", fmt.Sprintf("guess %d", i), "10.1.0.1")
			codes <- xinyong.ErrorCode(err)
		})
	}
	wg.Wait()
	close(codes)
	checked := 0
	for c := range codes {
		switch c {
		case xinyong.EUNAUTHORIZED:
			checked++
		case xinyong.ETOOMANY:
		default:
			t.Errorf("a parallel wrong password answered %q", c)
		}
	}
	if checked > workflow.LoginMaxFailures {
		t.Errorf("%d of %d parallel wrong passwords were checked, at most %d may be", checked, n, workflow.LoginMaxFailures)
	}
	if _, _, _, err := svc.Login(ctx, "victim", "the right password", "10.1.0.1"); xinyong.ErrorCode(err) != xinyong.ETOOMANY {
		t.Errorf("the right password after the limit, from the same client: %v", err)
	}
	// The owner signing in from elsewhere is not locked out by them.
	if _, _, _, err := svc.Login(ctx, "victim", "the right password", "10.2.0.1"); err != nil {
		t.Errorf("the right password from another client: %v", err)
	}
}

// TestLoginThrottleWide: guessing one account from many clients is
// throttled once LoginMaxUserFailures failed in the window, and guessing
// many accounts from one client once LoginMaxClientFailures did.
func TestLoginThrottleWide(t *testing.T) {
	ctx, svc := adminService(t)
	if _, _, err := svc.CreateAccount(ctx, xinyong.System, workflow.AccountInput{Username: "admin2", Role: "auditor", Password: "the right password"}); err != nil {
		t.Fatal(err)
	}
	for i := range workflow.LoginMaxUserFailures {
		if _, _, _, err := svc.Login(ctx, "admin2", "guess", fmt.Sprintf("10.%d.%d.1", i/200, i%200)); xinyong.ErrorCode(err) != xinyong.EUNAUTHORIZED {
			t.Fatalf("guess %d: %v", i+1, err)
		}
	}
	if _, _, _, err := svc.Login(ctx, "admin2", "the right password", "192.0.2.7"); xinyong.ErrorCode(err) != xinyong.ETOOMANY {
		t.Errorf("after %d guesses from many clients: %v", workflow.LoginMaxUserFailures, err)
	}
	for i := range workflow.LoginMaxClientFailures {
		if _, _, _, err := svc.Login(ctx, fmt.Sprintf("nobody%d", i), "guess", "198.51.100.9"); xinyong.ErrorCode(err) != xinyong.EUNAUTHORIZED {
			t.Fatalf("guess %d: %v", i+1, err)
		}
	}
	if _, _, _, err := svc.Login(ctx, "nobody-else", "guess", "198.51.100.9"); xinyong.ErrorCode(err) != xinyong.ETOOMANY {
		t.Errorf("after %d guesses at many accounts from one client: %v", workflow.LoginMaxClientFailures, err)
	}
}
