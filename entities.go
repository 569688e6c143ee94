package xinyong

import "time"

// SubjectKind is the kind of credit subject (信用主体).
type SubjectKind string

const (
	KindEnterprise         SubjectKind = "enterprise"          // 企业
	KindOrganisation       SubjectKind = "organisation"        // 其他组织
	KindIndividualBusiness SubjectKind = "individual_business" // 个体工商户
	KindPerson             SubjectKind = "person"              // 自然人
)

// Valid reports whether k is one of the four kinds.
func (k SubjectKind) Valid() bool {
	switch k {
	case KindEnterprise, KindOrganisation, KindIndividualBusiness, KindPerson:
		return true
	}
	return false
}

// Chinese returns the kind's Chinese name.
func (k SubjectKind) Chinese() string {
	switch k {
	case KindEnterprise:
		return "企业"
	case KindOrganisation:
		return "其他组织"
	case KindIndividualBusiness:
		return "个体工商户"
	case KindPerson:
		return "自然人"
	}
	return string(k)
}

// English returns the kind's English name.
func (k SubjectKind) English() string {
	switch k {
	case KindEnterprise:
		return "enterprise"
	case KindOrganisation:
		return "other organisation"
	case KindIndividualBusiness:
		return "individual business"
	case KindPerson:
		return "natural person"
	}
	return string(k)
}

// Subject is a credit subject, keyed by its unified social credit code or,
// for a natural person, by a keyed hash of the ID number. The clear ID number
// is never stored; only its masked form and, where the catalogue needs it,
// an encrypted copy in the store.
type Subject struct {
	ID   string      `json:"id"`
	Key  string      `json:"-"`    // USCC, or "P:"+keyed hash of the ID number
	Code string      `json:"code"` // USCC, or the masked ID number for persons
	Kind SubjectKind `json:"kind"`
	Name string      `json:"name"`
	// Birth is the birth date of a natural person (from the ID number); it
	// decides whether the person is a minor on a date.
	Birth Date `json:"-"`
	// CodeOverride is set when an admin accepted a code that fails its check
	// (real codes with bad check characters exist); the audit log holds why.
	CodeOverride bool      `json:"code_override,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// DisplayName is the subject's name as shown to the public: masked for
// natural persons.
func (s Subject) DisplayName() string {
	if s.Kind == KindPerson {
		return MaskName(s.Name)
	}
	return s.Name
}

// Department is a public management body that identifies conduct and
// provides records (认定部门 / 数据来源单位).
type Department struct {
	ID        string    `json:"id"`
	Code      string    `json:"code"` // its own USCC
	Name      string    `json:"name"`
	Provides  []string  `json:"provides"` // catalogue item codes it may submit
	Disabled  bool      `json:"disabled,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// ProvidesItem reports whether the department may submit records of item.
func (d Department) ProvidesItem(item string) bool {
	for _, p := range d.Provides {
		if p == item {
			return true
		}
	}
	return false
}

// Role is an account's role. The names are those used on the command line
// and in the API.
type Role string

const (
	RoleAdmin    Role = "admin"    // credit office, platform admin
	RoleOfficer  Role = "officer"  // department officer
	RoleReviewer Role = "reviewer" // reviews objections, repairs, listings
	RoleAgency   Role = "agency"   // relying agency (实施主体)
	RoleAuditor  Role = "auditor"  // reviews query-use logs and the ledger
	RoleSubject  Role = "subject"  // a credit subject itself
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleOfficer, RoleReviewer, RoleAgency, RoleAuditor, RoleSubject}

// ParseRole returns the role named s.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", Invalid("unknown role", FieldError{Field: "role", Rule: "role.known", Message: "role must be one of admin, officer, reviewer, agency, auditor, subject; got " + quote(s)})
}

// NeedsDepartment reports whether accounts of this role are scoped to a department.
func (r Role) NeedsDepartment() bool { return r == RoleOfficer || r == RoleReviewer }

// Account is a person or system that signs in.
type Account struct {
	ID           string    `json:"id"`
	Username     string    `json:"username"`
	Name         string    `json:"name"`
	Role         Role      `json:"role"`
	DepartmentID string    `json:"department_id,omitempty"`
	SubjectID    string    `json:"subject_id,omitempty"` // for RoleSubject
	Organisation string    `json:"organisation,omitempty"`
	PasswordHash string    `json:"-"`
	Disabled     bool      `json:"disabled,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// Token is an API token for a system. Only a hash of the secret is stored.
type Token struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	Role         Role       `json:"role"`
	DepartmentID string     `json:"department_id,omitempty"`
	Organisation string     `json:"organisation,omitempty"`
	Hash         []byte     `json:"-"`
	CreatedAt    time.Time  `json:"created_at"`
	RevokedAt    *time.Time `json:"revoked_at,omitempty"`
}

// Actor is whoever acts in a request: an account or a token, or the system
// itself (jobs) or the anonymous public.
type Actor struct {
	Kind         string // "account", "token", "system", "public"
	ID           string
	Name         string
	Role         Role
	DepartmentID string
	SubjectID    string
	Organisation string
}

// Public is the anonymous actor.
var Public = Actor{Kind: "public", Name: "public"}

// System is the platform itself (migrations, reference data, jobs).
var System = Actor{Kind: "system", ID: "system", Name: "system", Role: RoleAdmin}

// Ref returns "kind:id" for the audit log.
func (a Actor) Ref() string {
	if a.ID == "" {
		return a.Kind
	}
	return a.Kind + ":" + a.ID
}

// AuditEvent is one row of the audit table, written in the same transaction
// as the change it describes.
type AuditEvent struct {
	ID           int64     `json:"id"`
	At           time.Time `json:"at"`
	Actor        string    `json:"actor"`
	ActorName    string    `json:"actor_name"`
	Action       Action    `json:"action"`
	ObjectType   string    `json:"object_type"`
	ObjectID     string    `json:"object_id"`
	BeforeDigest string    `json:"before_digest,omitempty"`
	AfterDigest  string    `json:"after_digest,omitempty"`
	Detail       string    `json:"detail,omitempty"`
	LedgerIdx    int64     `json:"ledger_index"`
}

func quote(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return "\"" + s + "\""
}
