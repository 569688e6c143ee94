package workflow_test

import (
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// TestDisableEndsSessions: disabling an account ends its sessions in the
// same transaction (the audit note counts them), so re-enabling it does
// not bring back a cookie issued before (a stolen one too); a new sign-in
// works.
func TestDisableEndsSessions(t *testing.T) {
	ctx, svc := adminService(t)
	if _, _, err := svc.CreateAccount(ctx, xinyong.System, workflow.AccountInput{Username: "li", Role: "auditor", Password: "a long password 1"}); err != nil {
		t.Fatal(err)
	}
	_, _, secret, err := svc.Login(ctx, "li", "a long password 1", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.SessionActor(ctx, secret); err != nil {
		t.Fatalf("the fresh session: %v", err)
	}
	if err := svc.DisableAccount(ctx, xinyong.System, "li", true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.SessionActor(ctx, secret); xinyong.ErrorCode(err) != xinyong.EUNAUTHORIZED {
		t.Fatalf("session of a disabled account: %v", err)
	}
	if err := svc.DisableAccount(ctx, xinyong.System, "li", false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.SessionActor(ctx, secret); xinyong.ErrorCode(err) != xinyong.EUNAUTHORIZED {
		t.Fatalf("re-enabling brought back the session issued before the disable: %v", err)
	}
	evs, err := svc.Audit(ctx, xinyong.System, xinyong.AuditFilter{Action: "account.disable"})
	if err != nil || len(evs) != 2 {
		t.Fatalf("disable audit: %+v %v", evs, err)
	}
	var notes []string
	for _, ev := range evs {
		notes = append(notes, ev.Detail)
	}
	if !strings.Contains(strings.Join(notes, "|"), "disabled=true; 1 sessions ended") {
		t.Errorf("the audit note does not count the ended sessions: %q", notes)
	}
	if _, _, secret2, err := svc.Login(ctx, "li", "a long password 1", "127.0.0.1"); err != nil {
		t.Fatalf("sign in after re-enabling: %v", err)
	} else if _, _, err := svc.SessionActor(ctx, secret2); err != nil {
		t.Errorf("a new session after re-enabling: %v", err)
	}
}

// TestAgencyNeedsOrganisation: an agency token or account names its
// organisation (DOMAIN.md §7: the query-use register records who and which
// organisation); without one it is refused with a field error. Other roles
// do not need one.
func TestAgencyNeedsOrganisation(t *testing.T) {
	ctx, svc := adminService(t)
	fieldRule := func(err error) string {
		var rules []string
		for _, f := range xinyong.ErrorFields(err) {
			rules = append(rules, f.Field+" "+f.Rule)
		}
		return strings.Join(rules, ",")
	}
	tests := []struct {
		name string
		run  func() error
		rule string // "" when allowed
	}{
		{"agency token without organisation", func() error {
			_, _, err := svc.CreateToken(ctx, xinyong.System, workflow.TokenInput{Name: "信贷系统", Role: "agency"})
			return err
		}, "organisation token.organisation"},
		{"agency token with a blank organisation", func() error {
			_, _, err := svc.CreateToken(ctx, xinyong.System, workflow.TokenInput{Name: "信贷系统", Role: "agency", Organisation: "  "})
			return err
		}, "organisation token.organisation"},
		{"agency token with organisation", func() error {
			k, _, err := svc.CreateToken(ctx, xinyong.System, workflow.TokenInput{Name: "信贷系统", Role: "agency", Organisation: "某银行"})
			if err == nil && k.Organisation != "某银行" {
				t.Errorf("token organisation %q", k.Organisation)
			}
			return err
		}, ""},
		{"auditor token without organisation", func() error {
			_, _, err := svc.CreateToken(ctx, xinyong.System, workflow.TokenInput{Name: "审计系统", Role: "auditor"})
			return err
		}, ""},
		{"agency account without organisation", func() error {
			_, _, err := svc.CreateAccount(ctx, xinyong.System, workflow.AccountInput{Username: "bank1", Role: "agency"})
			return err
		}, "organisation account.organisation"},
		{"agency account with organisation", func() error {
			a, _, err := svc.CreateAccount(ctx, xinyong.System, workflow.AccountInput{Username: "bank2", Role: "agency", Organisation: "某银行"})
			if err == nil && a.Organisation != "某银行" {
				t.Errorf("account organisation %q", a.Organisation)
			}
			return err
		}, ""},
		{"auditor account without organisation", func() error {
			_, _, err := svc.CreateAccount(ctx, xinyong.System, workflow.AccountInput{Username: "aud1", Role: "auditor"})
			return err
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			if tt.rule == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if xinyong.ErrorCode(err) != xinyong.EINVALID || fieldRule(err) != tt.rule {
				t.Fatalf("got %v (fields %q), want %s with field %q", err, fieldRule(err), xinyong.EINVALID, tt.rule)
			}
		})
	}
}
