package xinyong

import (
	"strings"
	"testing"
	"time"
)

var consentNow = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func knownItems(code string) bool { return code == "XZCF" || code == "XZXK" }

// TestCheckConsentGrantor: a minor does not consent alone (DOMAIN.md §2, §7;
// PIPL Art. 31); an adult and an organisation do.
func TestCheckConsentGrantor(t *testing.T) {
	on := NewDate(2026, 3, 1)
	for _, tt := range []struct {
		name string
		s    Subject
		rule string
	}{
		{"an adult person", Subject{Kind: KindPerson, Birth: NewDate(1990, 1, 1)}, ""},
		{"18 today", Subject{Kind: KindPerson, Birth: NewDate(2008, 3, 1)}, ""},
		{"18 tomorrow: a minor", Subject{Kind: KindPerson, Birth: NewDate(2008, 3, 2)}, "consent.minor"},
		{"a 16-year-old", Subject{Kind: KindPerson, Birth: NewDate(2010, 3, 12)}, "consent.minor"},
		{"an enterprise", Subject{Kind: KindEnterprise}, ""},
	} {
		err := CheckConsentGrantor(tt.s, on)
		if got := ""; err != nil {
			if fs := ErrorFields(err); len(fs) > 0 {
				got = fs[0].Rule
			}
			if got != tt.rule {
				t.Errorf("%s: %v, want rule %q", tt.name, err, tt.rule)
			}
		} else if tt.rule != "" {
			t.Errorf("%s: allowed, want %s", tt.name, tt.rule)
		}
	}
}

func TestNewConsent(t *testing.T) {
	ok := ConsentInput{Organisation: " 某银行 ", Items: []string{"XZXK", "XZCF", "XZCF"}, Purpose: "贷款审批", ExpiresAt: consentNow.Add(30 * 24 * time.Hour)}
	c, err := NewConsent(ok, "S1", "account:a1", consentNow, SharingPolicy{}, knownItems)
	if err != nil {
		t.Fatal(err)
	}
	if c.Organisation != "某银行" || strings.Join(c.Items, ",") != "XZCF,XZXK" || c.SubjectID != "S1" || !c.GrantedAt.Equal(consentNow) || c.GrantedBy != "account:a1" {
		t.Errorf("consent %+v", c)
	}
	long := 10 * 365 * 24 * time.Hour
	tests := []struct {
		name string
		mod  func(*ConsentInput)
		pol  SharingPolicy
		rule string
	}{
		{"no expiry: never unlimited", func(in *ConsentInput) { in.ExpiresAt = time.Time{} }, SharingPolicy{}, "consent.expiry.required"},
		{"expiry in the past", func(in *ConsentInput) { in.ExpiresAt = consentNow.Add(-time.Second) }, SharingPolicy{}, "consent.expiry.past"},
		{"expiry now", func(in *ConsentInput) { in.ExpiresAt = consentNow }, SharingPolicy{}, "consent.expiry.past"},
		{"more than a year by default", func(in *ConsentInput) { in.ExpiresAt = consentNow.Add(DefaultConsentMaxDuration + time.Second) }, SharingPolicy{}, "consent.expiry.max"},
		{"ten years", func(in *ConsentInput) { in.ExpiresAt = consentNow.Add(long) }, SharingPolicy{}, "consent.expiry.max"},
		{"configured maximum of 30 days", func(in *ConsentInput) { in.ExpiresAt = consentNow.Add(31 * 24 * time.Hour) }, SharingPolicy{ConsentMaxDuration: 30 * 24 * time.Hour}, "consent.expiry.max"},
		{"no organisation", func(in *ConsentInput) { in.Organisation = "  " }, SharingPolicy{}, "organisation.required"},
		{"organisation too long", func(in *ConsentInput) { in.Organisation = strings.Repeat("银", 101) }, SharingPolicy{}, "organisation.length"},
		{"no purpose", func(in *ConsentInput) { in.Purpose = "" }, SharingPolicy{}, "purpose.required"},
		{"purpose with control characters", func(in *ConsentInput) { in.Purpose = "贷款\x00审批" }, SharingPolicy{}, "purpose.control"},
		{"no items", func(in *ConsentInput) { in.Items = nil }, SharingPolicy{}, "consent.items.required"},
		{"blank items", func(in *ConsentInput) { in.Items = []string{" ", ""} }, SharingPolicy{}, "consent.items.required"},
		{"unknown item", func(in *ConsentInput) { in.Items = []string{"XZCF", "NOPE"} }, SharingPolicy{}, "consent.item"},
	}
	for _, tt := range tests {
		in := ok
		in.Items = append([]string(nil), ok.Items...)
		tt.mod(&in)
		_, err := NewConsent(in, "S1", "account:a1", consentNow, tt.pol, knownItems)
		if ErrorCode(err) != EINVALID || !hasRule(err, tt.rule) {
			t.Errorf("%s: err %v, want rule %s", tt.name, err, tt.rule)
		}
	}
	// Exactly the maximum is allowed.
	in := ok
	in.ExpiresAt = consentNow.Add(DefaultConsentMaxDuration)
	if _, err := NewConsent(in, "S1", "a", consentNow, SharingPolicy{}, knownItems); err != nil {
		t.Errorf("a consent of exactly one year: %v", err)
	}
	if _, err := NewConsent(ok, "", "a", consentNow, SharingPolicy{}, knownItems); !hasRule(err, "consent.subject") {
		t.Errorf("a consent without a subject: %v", err)
	}
}

func TestSharingPolicy(t *testing.T) {
	p := SharingPolicy{}.WithDefaults()
	if p.ConsentMaxDuration != DefaultConsentMaxDuration || p.QueryFlagLimit != DefaultQueryFlagLimit || p.QueryRetentionYears != 5 {
		t.Errorf("defaults %+v", p)
	}
	if err := (SharingPolicy{}).Validate(); err != nil {
		t.Errorf("the zero policy: %v", err)
	}
	for _, bad := range []SharingPolicy{{QueryRetentionYears: 4}, {ConsentMaxDuration: 100 * 365 * 24 * time.Hour}, {ConsentMaxDuration: -1}, {QueryFlagLimit: -1}} {
		if err := bad.Validate(); ErrorCode(err) != EINVALID {
			t.Errorf("policy %+v accepted", bad)
		}
	}
	if err := (SharingPolicy{QueryRetentionYears: 10}).Validate(); err != nil {
		t.Errorf("ten years' retention: %v", err)
	}
	now := time.Date(2031, 6, 1, 0, 0, 0, 0, time.UTC)
	if got := (SharingPolicy{}).RetentionCutoff(now); !got.Equal(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("cutoff %v", got)
	}
	if got := (SharingPolicy{QueryRetentionYears: 7}).RetentionCutoff(now); !got.Equal(time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("cutoff 7 years %v", got)
	}
}

func TestConsentRevoke(t *testing.T) {
	c := Consent{ID: "c1", SubjectID: "S1", GrantedAt: consentNow, ExpiresAt: consentNow.Add(time.Hour)}
	if !c.Active(consentNow) || c.Active(consentNow.Add(time.Hour)) || c.Active(consentNow.Add(-time.Second)) {
		t.Error("Active window")
	}
	r, err := c.Revoke(consentNow.Add(time.Minute))
	if err != nil || r.RevokedAt == nil {
		t.Fatal(err)
	}
	if !r.Active(consentNow.Add(30*time.Second)) || r.Active(consentNow.Add(time.Minute)) {
		t.Error("revocation takes effect at once, not before")
	}
	if _, err := r.Revoke(consentNow.Add(2 * time.Minute)); ErrorCode(err) != ECONFLICT {
		t.Errorf("revoking twice: %v", err)
	}
}

func TestCheckConsent(t *testing.T) {
	revokedAt := consentNow.Add(2 * time.Hour)
	c := Consent{ID: "c1", SubjectID: "S1", Organisation: "某银行", Items: []string{"XZCF"}, Purpose: "贷款审批", GrantedAt: consentNow, ExpiresAt: consentNow.Add(24 * time.Hour)}
	revoked := c
	revoked.RevokedAt = &revokedAt
	use := ConsentUse{SubjectID: "S1", Organisation: "某银行", Purpose: "贷款审批", At: consentNow.Add(time.Hour)}
	tests := []struct {
		name string
		c    Consent
		mod  func(*ConsentUse)
		rule string // "" allowed
	}{
		{"in force", c, func(*ConsentUse) {}, ""},
		{"purpose with spaces", c, func(u *ConsentUse) { u.Purpose = " 贷款审批 " }, ""},
		{"other organisation", c, func(u *ConsentUse) { u.Organisation = "另一银行" }, "consent.scope"},
		{"no organisation", c, func(u *ConsentUse) { u.Organisation = "" }, "consent.scope"},
		{"other subject", c, func(u *ConsentUse) { u.SubjectID = "S2" }, "consent.scope"},
		{"other purpose", c, func(u *ConsentUse) { u.Purpose = "营销" }, "consent.purpose"},
		{"expired", c, func(u *ConsentUse) { u.At = consentNow.Add(24 * time.Hour) }, "consent.expired"},
		{"before the grant", c, func(u *ConsentUse) { u.At = consentNow.Add(-time.Minute) }, "consent.not_yet"},
		{"revoked", revoked, func(u *ConsentUse) { u.At = revokedAt }, "consent.revoked"},
		{"before revocation", revoked, func(u *ConsentUse) { u.At = revokedAt.Add(-time.Second) }, ""},
		{"unknown consent", Consent{}, func(*ConsentUse) {}, "consent.scope"},
	}
	for _, tt := range tests {
		u := use
		tt.mod(&u)
		err := CheckConsent(tt.c, u)
		if tt.rule == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if ErrorCode(err) != EFORBIDDEN || !hasRule(err, tt.rule) {
			t.Errorf("%s: err %v, want rule %s", tt.name, err, tt.rule)
		}
		if tt.rule == "consent.scope" && (strings.Contains(ErrorMessage(err), "贷款") || strings.Contains(ErrorMessage(err), "某银行")) {
			t.Errorf("%s: the refusal leaks the consent: %v", tt.name, err)
		}
	}
	if !c.Covers("XZCF") || c.Covers("XZXK") {
		t.Error("Covers")
	}
}

func TestFlagQueries(t *testing.T) {
	for _, tt := range []struct {
		n, limit int
		flag     bool
	}{{1, 50, false}, {50, 50, false}, {51, 50, true}, {3, 2, true}, {51, 0, true}, {50, 0, false}} {
		got, why := FlagQueries(tt.n, tt.limit)
		if got != tt.flag || (got && why == "") {
			t.Errorf("FlagQueries(%d, %d) = %v %q", tt.n, tt.limit, got, why)
		}
	}
}

func TestCheckQueryPurpose(t *testing.T) {
	const id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
	tests := []struct {
		purpose, basis, consent string
		rule                    string
	}{
		{"行政许可审查", "《行政许可法》第三十一条", "", ""},
		{"贷款审批", "", id, ""},
		{"", "依据", "", "purpose.required"},
		{"   ", "", id, "purpose.required"},
		{"用途", "", "", "query.basis"},
		{"用途", "", "not-a-uuid", "consent.id"},
		{"用途", "", "0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B", "consent.id"},
		{strings.Repeat("用", 201), "依据", "", "purpose.length"},
		{"用途", strings.Repeat("依", 201), "", "basis.length"},
		{"用途\n", "依据\x1b", "", "basis.control"},
	}
	for _, tt := range tests {
		p, b, c, err := CheckQueryPurpose(tt.purpose, tt.basis, tt.consent)
		if tt.rule == "" {
			if err != nil || p != tt.purpose || b != tt.basis || c != tt.consent {
				t.Errorf("%q %q %q: %v", tt.purpose, tt.basis, tt.consent, err)
			}
			continue
		}
		if ErrorCode(err) != EINVALID || !hasRule(err, tt.rule) {
			t.Errorf("%q %q %q: err %v, want rule %s", tt.purpose, tt.basis, tt.consent, err, tt.rule)
		}
	}
}
