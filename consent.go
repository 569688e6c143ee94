package xinyong

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Consent and the query-use log (DOMAIN.md §7 security and privacy; issue
// 5 "Sharing, consent and the query-use log"). The rules are pure
// functions: the workflow loads, asks them, and stores.
//
// A consent names the subject granting it, the organisation it is granted
// to, the catalogue items it covers, the purpose, and an expiry. The expiry
// is required and at most SharingPolicy.ConsentMaxDuration after the grant
// (one year by default): no unlimited, once-for-life authorisation
// (一次授权、终身有效). A consent is revocable at once. Every use of one is
// checked (CheckConsent) and recorded (the query-use log).

// Consent is a subject's authorisation for an organisation to query named
// catalogue items for a purpose until an expiry.
type Consent struct {
	ID           string     `json:"id"`
	SubjectID    string     `json:"subject_id"`
	Organisation string     `json:"organisation"`
	Items        []string   `json:"items"`
	Purpose      string     `json:"purpose"`
	GrantedAt    time.Time  `json:"granted_at"`
	ExpiresAt    time.Time  `json:"expires_at"`
	RevokedAt    *time.Time `json:"revoked_at,omitempty"`
	GrantedBy    string     `json:"granted_by"` // actor ref
}

// Consent and query-log defaults and limits.
const (
	// DefaultConsentMaxDuration is how long a consent may run at most,
	// unless configured otherwise: one year.
	DefaultConsentMaxDuration = 365 * 24 * time.Hour
	// MaxConsentDurationCap bounds any configured maximum: even a
	// configured policy never allows more than five years.
	MaxConsentDurationCap = 5 * 366 * 24 * time.Hour
	// DefaultQueryFlagLimit: one account reading more distinct subjects
	// than this within QueryFlagWindow is flagged for review.
	DefaultQueryFlagLimit = 50
	// QueryFlagWindow is the window of the rate flag.
	QueryFlagWindow = time.Hour
	// MinQueryRetentionYears is the legal minimum retention of query-use
	// entries (DOMAIN.md §7: at least 5 years). A configured retention may
	// be longer, never shorter.
	MinQueryRetentionYears = 5
	// MaxPurposeLength and friends bound the free texts, in characters.
	MaxPurposeLength      = 200
	MaxBasisLength        = 200
	MaxOrganisationLength = 100
	MaxConsentItems       = 100
)

// SharingPolicy is the configurable part of the consent and query-log
// rules. The zero value means the defaults.
type SharingPolicy struct {
	// ConsentMaxDuration: the longest a consent may run (0: one year).
	ConsentMaxDuration time.Duration
	// QueryFlagLimit: distinct subjects one account may read per hour
	// before its queries are flagged (0: DefaultQueryFlagLimit).
	QueryFlagLimit int
	// QueryRetentionYears: how long query-use entries are kept (0: 5;
	// never less than MinQueryRetentionYears).
	QueryRetentionYears int
}

// WithDefaults fills zero fields with the defaults.
func (p SharingPolicy) WithDefaults() SharingPolicy {
	if p.ConsentMaxDuration == 0 {
		p.ConsentMaxDuration = DefaultConsentMaxDuration
	}
	if p.QueryFlagLimit == 0 {
		p.QueryFlagLimit = DefaultQueryFlagLimit
	}
	if p.QueryRetentionYears == 0 {
		p.QueryRetentionYears = MinQueryRetentionYears
	}
	return p
}

// Validate refuses a policy that would allow unlimited consent or keep
// query-use entries less than five years.
func (p SharingPolicy) Validate() error {
	p = p.WithDefaults()
	var v Validation
	if p.ConsentMaxDuration < 0 || p.ConsentMaxDuration > MaxConsentDurationCap {
		v.Add("consent_max_duration", "policy.consent_max", "the longest consent is between 1 second and 5 years (never unlimited)")
	}
	if p.QueryFlagLimit < 0 {
		v.Add("query_flag_limit", "policy.flag_limit", "the query flag limit is a positive number of subjects per hour")
	}
	if p.QueryRetentionYears < MinQueryRetentionYears {
		v.Add("query_retention_years", "policy.retention", "query-use entries are kept at least %d years", MinQueryRetentionYears)
	}
	return v.Err("the sharing policy is not valid")
}

// RetentionCutoff is the moment before which query-use entries may be
// purged at now: the latest instant c such that every entry recorded
// before c is at least the retention (n years) old, t.AddDate(n, 0, 0) <=
// now, counted on China's calendar. It is now minus n years, except
// around 29 February, which AddDate normalises to 1 March:
//
//   - now is 29 February and n years back has none: an entry of 1 March
//     then turns n years old only on 1 March, so the cutoff steps back to
//     the end of 28 February (not now.AddDate(-n), 1 March at now's time,
//     which purged entries of 1 March a day early);
//   - now is 1 March of a common year and n years back is leap: an entry
//     of 29 February then turns n years old on 1 March at its own time of
//     day, so the cutoff is 29 February at now's time of day.
func (p SharingPolicy) RetentionCutoff(now time.Time) time.Time {
	p = p.WithDefaults()
	n := max(p.QueryRetentionYears, MinQueryRetentionYears)
	cn := now.In(Shanghai)
	y, m, d := cn.Date()
	hh, mm, ss := cn.Clock()
	back := y - n
	var cut time.Time
	switch {
	case m == time.February && d == 29 && !isLeapYear(back):
		cut = time.Date(back, time.March, 1, 0, 0, 0, 0, Shanghai)
	case m == time.March && d == 1 && isLeapYear(back) && !isLeapYear(y):
		cut = time.Date(back, time.February, 29, hh, mm, ss, cn.Nanosecond(), Shanghai)
	default:
		cut = time.Date(back, m, d, hh, mm, ss, cn.Nanosecond(), Shanghai)
	}
	return cut.In(now.Location())
}

func isLeapYear(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// ConsentInput is what a subject grants.
type ConsentInput struct {
	Organisation string    `json:"organisation"`
	Items        []string  `json:"items"`
	Purpose      string    `json:"purpose"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// checkText validates a required free text.
func checkText(v *Validation, field, what, s string, maxLen int, required bool) string {
	s = strings.TrimSpace(s)
	switch n := utf8.RuneCountInString(s); {
	case !utf8.ValidString(s):
		v.Add(field, field+".encoding", "the %s is not valid UTF-8", what)
	case n == 0 && required:
		v.Add(field, field+".required", "state the %s", what)
	case n > maxLen:
		v.Add(field, field+".length", "the %s is at most %d characters; this one has %d", what, maxLen, n)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		v.Add(field, field+".control", "the %s contains control characters", what)
	}
	return s
}

// CheckConsentGrantor decides whether a subject may consent for itself on
// day on: an organisation may, and an adult person; a minor's personal
// information is processed only with a guardian's consent (DOMAIN.md §2,
// §7; Personal Information Protection Law Art. 31), which the platform
// does not take in: a minor's own consent is refused.
func CheckConsentGrantor(s Subject, on Date) error {
	if MinorOn(s, on) {
		return &Error{Code: EFORBIDDEN, Message: "a person under 18 cannot consent alone: a minor's personal information is shared only with a guardian's consent, which is not taken in online",
			Fields: []FieldError{{Field: "subject", Rule: "consent.minor", Message: "the subject is under 18"}}}
	}
	return nil
}

// NewConsent validates a grant by subjectID at now and returns the consent
// (without an ID). known reports whether a catalogue item code exists.
func NewConsent(in ConsentInput, subjectID, by string, now time.Time, p SharingPolicy, known func(item string) bool) (Consent, error) {
	p = p.WithDefaults()
	var v Validation
	c := Consent{SubjectID: subjectID, GrantedAt: now, GrantedBy: by}
	if subjectID == "" {
		v.Add("subject", "consent.subject", "a consent is granted by a credit subject for itself")
	}
	// A citizen ID number typed into the texts is masked before it is
	// stored, audited and shown (DESIGN: ID numbers never in clear).
	c.Organisation = MaskCitizenIDs(checkText(&v, "organisation", "organisation the consent is granted to", in.Organisation, MaxOrganisationLength, true))
	c.Purpose = MaskCitizenIDs(checkText(&v, "purpose", "purpose of the consent", in.Purpose, MaxPurposeLength, true))
	seen := map[string]bool{}
	for _, it := range in.Items {
		code := strings.TrimSpace(it)
		if code == "" || seen[code] {
			continue
		}
		seen[code] = true
		if len(code) > 64 || !known(code) {
			v.Add("items", "consent.item", "no catalogue item %s", quote(truncate(code, 64)))
			continue
		}
		c.Items = append(c.Items, code)
	}
	switch {
	case len(seen) == 0:
		v.Add("items", "consent.items.required", "name the catalogue items the consent covers (at least one)")
	case len(seen) > MaxConsentItems:
		v.Add("items", "consent.items.length", "a consent names at most %d catalogue items", MaxConsentItems)
	}
	slices.Sort(c.Items)
	c.ExpiresAt = in.ExpiresAt
	switch {
	case in.ExpiresAt.IsZero():
		v.Add("expires_at", "consent.expiry.required", "a consent needs an expiry (expires_at): consent is never unlimited")
	case !in.ExpiresAt.After(now):
		v.Add("expires_at", "consent.expiry.past", "the expiry must be in the future")
	case in.ExpiresAt.Sub(now) > p.ConsentMaxDuration:
		v.Add("expires_at", "consent.expiry.max", "a consent runs at most %s from its grant (until %s)", durationText(p.ConsentMaxDuration), now.Add(p.ConsentMaxDuration).In(Shanghai).Format(time.RFC3339))
	}
	return c, v.Err("the consent is not valid")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

func durationText(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + " days"
	}
	return d.String()
}

// Revoked reports whether the consent was revoked at or before at.
func (c Consent) Revoked(at time.Time) bool { return c.RevokedAt != nil && !c.RevokedAt.After(at) }

// Active reports whether the consent is in force at at: granted, not
// expired, not revoked.
func (c Consent) Active(at time.Time) bool {
	return !at.Before(c.GrantedAt) && at.Before(c.ExpiresAt) && !c.Revoked(at)
}

// Covers reports whether the consent names the catalogue item.
func (c Consent) Covers(item string) bool { return slices.Contains(c.Items, item) }

// Revoke returns the consent revoked at at. A consent revoked before is a
// conflict.
func (c Consent) Revoke(at time.Time) (Consent, error) {
	if c.RevokedAt != nil {
		return c, Errorf(ECONFLICT, "the consent was already revoked at %s", c.RevokedAt.In(Shanghai).Format(time.RFC3339))
	}
	c.RevokedAt = &at
	return c, nil
}

// ConsentUse is one use of a consent: who uses it, about whom, for what.
type ConsentUse struct {
	SubjectID    string
	Organisation string
	Purpose      string
	At           time.Time
}

// errConsentNotYours is the answer for a consent of another subject or
// organisation, or none: it says nothing about the consent.
func errConsentNotYours(id string) error {
	return &Error{Code: EFORBIDDEN, Message: "consent " + quote(truncate(id, 64)) + " does not authorise this query: it is not a consent of this subject to your organisation",
		Fields: []FieldError{{Field: "consent", Rule: "consent.scope", Message: "the consent must be granted by this subject to your organisation"}}}
}

// ErrConsentUnknown is CheckConsent's answer for a consent that does not
// exist: the same as for one of another organisation.
func ErrConsentUnknown(id string) error { return errConsentNotYours(id) }

// CheckConsent checks a use against a consent: granted by the subject to
// the organisation, for the purpose, in force (not expired, not revoked).
// It returns nil or an EFORBIDDEN error naming the rule. Another
// organisation or subject learns nothing about the consent. Texts compare
// with citizen ID numbers masked, as NewConsent and CheckQueryPurpose
// store them.
func CheckConsent(c Consent, use ConsentUse) error {
	org := MaskCitizenIDs(strings.TrimSpace(use.Organisation))
	if c.ID == "" || c.SubjectID == "" || c.SubjectID != use.SubjectID || org == "" || org != MaskCitizenIDs(c.Organisation) {
		return errConsentNotYours(c.ID)
	}
	forbid := func(rule, msg string) error {
		return &Error{Code: EFORBIDDEN, Message: msg, Fields: []FieldError{{Field: "consent", Rule: rule, Message: msg}}}
	}
	switch {
	case c.Revoked(use.At):
		return forbid("consent.revoked", "the consent was revoked on "+c.RevokedAt.In(Shanghai).Format(time.RFC3339)+": it no longer authorises any query")
	case !use.At.Before(c.ExpiresAt):
		return forbid("consent.expired", "the consent expired on "+c.ExpiresAt.In(Shanghai).Format(time.RFC3339)+": ask the subject for a new one")
	case use.At.Before(c.GrantedAt):
		return forbid("consent.not_yet", "the consent is not yet in force")
	case MaskCitizenIDs(strings.TrimSpace(use.Purpose)) != MaskCitizenIDs(c.Purpose):
		return forbid("consent.purpose", "the consent was given for another purpose ("+quote(MaskCitizenIDs(c.Purpose))+"): state that purpose")
	}
	return nil
}

// FlagQueries is the query-use flag rule: an account that read more than
// limit distinct subjects within QueryFlagWindow is flagged for review.
// distinct counts the subject of the query being made; stores count the
// others only up to the limit (FlagCountCap), so a flagged count reads "at
// least". It returns whether to flag, and why.
func FlagQueries(distinct, limit int) (bool, string) {
	if limit <= 0 {
		limit = DefaultQueryFlagLimit
	}
	if distinct <= limit {
		return false, ""
	}
	return true, "rate: at least " + strconv.Itoa(distinct) + " distinct subjects read within an hour (limit " + strconv.Itoa(limit) + ")"
}

// FlagCountCap is how far a store needs to count the other subjects an
// account read for FlagQueries to decide: one past the limit is enough.
func FlagCountCap(limit int) int {
	if limit <= 0 {
		limit = DefaultQueryFlagLimit
	}
	return limit
}

// CheckQueryReviewer decides whether reviewer may mark query-use entry q
// reviewed: never its own query (DOMAIN.md §7: queries "can be reviewed";
// a review by the one who queried is no review — the auditor's own
// supervision reads are reviewed by another auditor).
func CheckQueryReviewer(q QueryUse, reviewer Actor) error {
	if q.Actor != "" && q.Actor == reviewer.Ref() {
		return &Error{Code: EFORBIDDEN, Message: "you made this query yourself: a query-use entry is reviewed by another auditor, never by the one who queried",
			Fields: []FieldError{{Field: "id", Rule: "query_log.self_review", Message: "the entry records your own query"}}}
	}
	return nil
}

// CheckQueryPurpose validates the purpose and statutory basis of a query
// of shared information and the consent reference; it returns them
// trimmed, with any citizen ID number in the purpose or the basis masked:
// they are registered in the query-use log, committed to the ledger,
// exported and shown to the queried subject, where no full ID number may
// appear (DOMAIN.md §3, §7). A purpose is required, and either a basis or
// a consent.
func CheckQueryPurpose(purpose, basis, consent string) (string, string, string, error) {
	var v Validation
	purpose = MaskCitizenIDs(checkText(&v, "purpose", "purpose of the query (查询用途)", purpose, MaxPurposeLength, true))
	basis = MaskCitizenIDs(checkText(&v, "basis", "statutory basis", basis, MaxBasisLength, false))
	consent = strings.TrimSpace(consent)
	if consent != "" && !uuidText(consent) {
		v.Add("consent", "consent.id", "a consent id is the id the subject's consent was given (a UUID)")
	}
	if basis == "" && consent == "" && len(v.Fields) == 0 {
		v.Add("basis", "query.basis", "state a statutory basis (basis) or the id of the subject's consent (consent)")
	}
	return purpose, basis, consent, v.Err("the query of shared information is not valid")
}

// statutoryBasis matches a citation of a law and its article: a title in
// book-title marks naming a law, an administrative regulation or rules
// (…法, …条例, …规定, …办法, …决定, …解释, …细则, …规则), then the
// article (第…条).
var statutoryBasis = regexp.MustCompile(`《[^《》]+(法|条例|规定|办法|决定|解释|细则|规则)》[^《》]{0,40}?第[0-9０-９一二三四五六七八九十百千零〇两]+条`)

// StatutoryBasis reports whether a stated basis cites a statute: the law
// by its title and the article, e.g. 《中华人民共和国未成年人保护法》第一百零三条.
// Where consent is no basis (a minor's records, PIPL Art. 31), only such a
// citation lets the information be shared (Visible, sharing.minor).
func StatutoryBasis(basis string) bool {
	return statutoryBasis.MatchString(basis)
}

// uuidText reports whether s is a UUID in its canonical text form.
func uuidText(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}
