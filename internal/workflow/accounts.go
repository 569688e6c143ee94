package workflow

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"xinyong"
)

// Password hashing: argon2id with RFC 9106's second recommended option
// (64 MiB would hurt a 2-core server under login bursts, so 19 MiB, t=2,
// per the OWASP minimum).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns an encoded argon2id hash.
func HashPassword(pw string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// CheckPassword reports whether pw matches the encoded hash.
func CheckPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// RandomSecret returns n random bytes, base64url without padding.
func RandomSecret(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// TokenHash is how tokens and session secrets are stored: SHA-256 (they are
// 256-bit random, so a slow hash adds nothing).
func TokenHash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// TokenPrefix marks Xinyong API tokens so that secret scanners find them.
const TokenPrefix = "xyt_"

// ---- departments ----

// DepartmentInput creates or changes a department.
type DepartmentInput struct {
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	Provides []string `json:"provides"` // catalogue item codes or Chinese names
}

// resolveItems maps item codes or names to codes, refusing unknown ones.
func resolveItems(tx xinyong.Tx, refs []string) ([]string, error) {
	items, err := tx.CatalogueItems()
	if err != nil {
		return nil, err
	}
	var out []string
	var v xinyong.Validation
	for _, ref := range refs {
		ref = strings.TrimSpace(ref)
		if ref == "" {
			continue
		}
		found := ""
		for _, it := range items {
			if ItemMatches(it, ref) {
				found = it.Code
				break
			}
		}
		if found == "" {
			v.Add("provides", "catalogue.known", "%q is not a catalogue item code or name", ref)
			continue
		}
		dup := false
		for _, o := range out {
			dup = dup || o == found
		}
		if !dup {
			out = append(out, found)
		}
	}
	if err := v.Err("unknown catalogue items"); err != nil {
		return nil, err
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

// ItemMatches reports whether ref names the item: its code, its Chinese
// name, or the name without the trailing 信息 (行政处罚 for 行政处罚信息).
func ItemMatches(it xinyong.CatalogueItem, ref string) bool {
	return it.Code == ref || it.Name == ref || strings.TrimSuffix(it.Name, "信息") == ref
}

// CreateDepartment adds a department with its own USCC.
func (s *Service) CreateDepartment(ctx context.Context, actor xinyong.Actor, in DepartmentInput) (xinyong.Department, error) {
	var d xinyong.Department
	err := s.update(ctx, actor, func(t *txn) error {
		if err := xinyong.Authorize(actor, xinyong.ActDepartmentManage, xinyong.Resource{}, nil); err != nil {
			return err
		}
		var v xinyong.Validation
		code := xinyong.NormalizeCode(in.Code)
		if _, err := xinyong.ParseUSCC(code); err != nil {
			if _, oerr := t.CodeOverride(code); oerr != nil {
				v.Add("code", "uscc", "department code: %s", xinyong.ErrorMessage(err))
			}
		}
		if strings.TrimSpace(in.Name) == "" {
			v.Add("name", "required", "a department needs a name")
		}
		if err := v.Err("the department is not valid"); err != nil {
			return err
		}
		provides, err := resolveItems(t, in.Provides)
		if err != nil {
			return err
		}
		if _, err := t.DepartmentByCode(code); err == nil {
			return xinyong.Errorf(xinyong.ECONFLICT, "a department with code %s already exists", code)
		}
		d = xinyong.Department{ID: NewID(), Code: code, Name: strings.TrimSpace(in.Name), Provides: provides, CreatedAt: t.Now()}
		if err := t.CreateDepartment(d); err != nil {
			return err
		}
		return t.audit("department.create", "department", d.ID, nil, d, d.Code+" "+d.Name)
	})
	return d, err
}

// UpdateDepartment changes a department's name, what it provides, or disables it.
type DepartmentUpdate struct {
	Name     *string   `json:"name,omitempty"`
	Provides *[]string `json:"provides,omitempty"`
	Disabled *bool     `json:"disabled,omitempty"`
}

// UpdateDepartment applies u to the department with the given id or code.
func (s *Service) UpdateDepartment(ctx context.Context, actor xinyong.Actor, ref string, u DepartmentUpdate) (xinyong.Department, error) {
	var d xinyong.Department
	err := s.update(ctx, actor, func(t *txn) error {
		if err := xinyong.Authorize(actor, xinyong.ActDepartmentManage, xinyong.Resource{}, nil); err != nil {
			return err
		}
		var err error
		if d, err = findDepartment(t, ref); err != nil {
			return err
		}
		before := d
		if u.Name != nil {
			if strings.TrimSpace(*u.Name) == "" {
				return xinyong.Invalid("the department is not valid", xinyong.FieldError{Field: "name", Rule: "required", Message: "a department needs a name"})
			}
			d.Name = strings.TrimSpace(*u.Name)
		}
		if u.Provides != nil {
			if d.Provides, err = resolveItems(t, *u.Provides); err != nil {
				return err
			}
		}
		if u.Disabled != nil {
			d.Disabled = *u.Disabled
		}
		if err := t.UpdateDepartment(d); err != nil {
			return err
		}
		return t.audit("department.update", "department", d.ID, before, d, strings.Join(d.Provides, ","))
	})
	return d, err
}

func findDepartment(tx xinyong.Tx, ref string) (xinyong.Department, error) {
	if d, err := tx.DepartmentByCode(xinyong.NormalizeCode(ref)); err == nil {
		return d, nil
	}
	return tx.Department(ref)
}

// FindDepartment returns the department with the given id or code.
func (s *Service) FindDepartment(ctx context.Context, ref string) (xinyong.Department, error) {
	var d xinyong.Department
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		d, err = findDepartment(tx, ref)
		return err
	})
	return d, err
}

// Departments lists departments.
func (s *Service) Departments(ctx context.Context, actor xinyong.Actor) ([]xinyong.Department, error) {
	var out []xinyong.Department
	err := s.view(ctx, func(tx xinyong.Tx) error {
		all, err := tx.Departments()
		if err != nil {
			return err
		}
		for _, d := range all {
			if xinyong.Authorize(actor, xinyong.ActDepartmentRead, xinyong.Resource{DepartmentID: d.ID}, &d) == nil {
				out = append(out, d)
			}
		}
		if len(out) == 0 && len(all) > 0 {
			return xinyong.Authorize(actor, xinyong.ActDepartmentRead, xinyong.Resource{DepartmentID: "-"}, nil)
		}
		return nil
	})
	return out, err
}

// ---- accounts ----

// AccountInput creates an account.
type AccountInput struct {
	Username     string `json:"username"`
	Name         string `json:"name"`
	Role         string `json:"role"`
	Department   string `json:"department,omitempty"` // id or code, for officer and reviewer
	SubjectCode  string `json:"subject_code,omitempty"`
	Organisation string `json:"organisation,omitempty"`
	Password     string `json:"password,omitempty"` // empty: a one-time password is generated
}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 12

// CreateAccount adds an account and returns it with its initial password
// (generated when none was given); the password is not stored in clear.
func (s *Service) CreateAccount(ctx context.Context, actor xinyong.Actor, in AccountInput) (xinyong.Account, string, error) {
	var a xinyong.Account
	pw := in.Password
	err := s.update(ctx, actor, func(t *txn) error {
		if err := xinyong.Authorize(actor, xinyong.ActAccountManage, xinyong.Resource{}, nil); err != nil {
			return err
		}
		var err error
		a, err = s.newAccount(t, in)
		if err != nil {
			return err
		}
		if pw == "" {
			pw = RandomSecret(15)
		} else if len(pw) < MinPasswordLength {
			return xinyong.Invalid("the account is not valid", xinyong.FieldError{Field: "password", Rule: "password.length", Message: fmt.Sprintf("a password has at least %d characters", MinPasswordLength)})
		}
		a.PasswordHash = HashPassword(pw)
		if err := t.CreateAccount(a); err != nil {
			if xinyong.ErrorCode(err) == xinyong.ECONFLICT {
				return xinyong.Errorf(xinyong.ECONFLICT, "username %s is taken", a.Username)
			}
			return err
		}
		return t.audit("account.create", "account", a.ID, nil, a, a.Username+" "+string(a.Role))
	})
	return a, pw, err
}

func (s *Service) newAccount(t *txn, in AccountInput) (xinyong.Account, error) {
	var v xinyong.Validation
	role, err := xinyong.ParseRole(in.Role)
	if err != nil {
		v.Fields = append(v.Fields, xinyong.ErrorFields(err)...)
	}
	username := strings.TrimSpace(in.Username)
	if username == "" || len(username) > 64 || strings.ContainsAny(username, " \t\n/\\") {
		v.Add("username", "username.format", "a username is 1-64 characters without spaces or slashes")
	}
	a := xinyong.Account{ID: NewID(), Username: username, Name: strings.TrimSpace(in.Name), Role: role, Organisation: strings.TrimSpace(in.Organisation), CreatedAt: t.Now()}
	if a.Name == "" {
		a.Name = username
	}
	if role.NeedsDepartment() || (in.Department != "" && role != "") {
		if in.Department == "" {
			v.Add("department", "account.department", "a %s account belongs to a department", role)
		} else if d, err := findDepartment(t, in.Department); err != nil {
			v.Add("department", "department.known", "department %q does not exist", in.Department)
		} else {
			a.DepartmentID = d.ID
			if a.Organisation == "" {
				a.Organisation = d.Name
			}
		}
	}
	if role == xinyong.RoleSubject {
		if in.SubjectCode == "" {
			v.Add("subject_code", "account.subject", "a subject account names the subject's code")
		} else if sub, err := t.SubjectByKey(s.SubjectKey(in.SubjectCode)); err != nil {
			v.Add("subject_code", "subject.known", "no subject with that code is on record")
		} else {
			a.SubjectID = sub.ID
		}
	}
	if role == xinyong.RoleAgency && a.Organisation == "" {
		// The query-use register records who and which organisation
		// (DOMAIN.md §7); an agency without one would query anonymously.
		v.Add("organisation", "account.organisation", "an agency account names its organisation (the register records which organisation queried)")
	}
	return a, v.Err("the account is not valid")
}

// Accounts lists accounts.
func (s *Service) Accounts(ctx context.Context, actor xinyong.Actor) ([]xinyong.Account, error) {
	if err := xinyong.Authorize(actor, xinyong.ActAccountRead, xinyong.Resource{}, nil); err != nil {
		return nil, err
	}
	var out []xinyong.Account
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		out, err = tx.Accounts()
		return err
	})
	return out, err
}

// Login throttling, in LoginWindow: at most LoginMaxFailures failed
// attempts for one username from one client; LoginMaxClientFailures from
// one client whatever the usernames (guessing many accounts); and
// LoginMaxUserFailures for one username from all clients together
// (guessing one account from many addresses). The per-pair limit is the
// tight one: anyone could otherwise keep an account — the well-known
// "admin" above all — locked out with five wrong passwords an hour from
// anywhere; its owner, signing in from another client, is not refused
// until the account is under a wide attack.
const (
	LoginMaxFailures       = 5
	LoginMaxClientFailures = 20
	LoginMaxUserFailures   = 100
	LoginWindow            = 15 * time.Minute
	SessionLifetime        = 8 * time.Hour
)

// Login checks a username and password and opens a console session. It
// returns the session secret for the cookie.
func (s *Service) Login(ctx context.Context, username, password, client string) (xinyong.Account, xinyong.Session, string, error) {
	var a xinyong.Account
	var sess xinyong.Session
	secret := RandomSecret(32)
	// The attempt is counted as a failure in advance, in a short write
	// transaction that also reads the throttle and the account: parallel
	// attempts are serialised there, so no more than LoginMaxFailures are
	// ever checked in a window. The password is then checked outside any
	// transaction (argon2id takes tens of milliseconds, which must not hold
	// SQLite's only writer); a success removes the advance count in the
	// transaction that opens the session. An unknown username costs a check
	// against a dummy hash, so the time of the answer does not tell which
	// usernames exist.
	keys := []string{"pair:" + client + " " + username, "addr:" + client, "user:" + username}
	limits := []int{LoginMaxFailures, LoginMaxClientFailures, LoginMaxUserFailures}
	known := false
	var at time.Time
	err := s.Store.Update(ctx, func(tx xinyong.Tx) error {
		now := tx.Now()
		for i, key := range keys {
			n, err := tx.CountLoginFailures(key, now.Add(-LoginWindow))
			if err != nil {
				return err
			}
			if n >= limits[i] {
				return xinyong.Errorf(xinyong.ETOOMANY, "too many failed sign-ins; try again in %d minutes", int(LoginWindow.Minutes()))
			}
		}
		var err error
		a, err = tx.AccountByUsername(username)
		switch {
		case err == nil:
			known = true
		case xinyong.ErrorCode(err) != xinyong.ENOTFOUND:
			return err
		}
		at = now
		for _, key := range keys {
			if err := tx.AddLoginFailure(key, at); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return a, sess, "", err
	}
	hash := a.PasswordHash
	if !known {
		hash = dummyHash()
	}
	failed := !CheckPassword(hash, password) || !known || a.Disabled
	if !failed {
		err = s.update(ctx, xinyong.Public, func(t *txn) error {
			cur, err := t.Account(a.ID)
			if err != nil || cur.Disabled || cur.PasswordHash != a.PasswordHash {
				failed = true // disabled or reset meanwhile: the advance count stands
				return nil
			}
			for _, key := range keys {
				if err := t.DeleteLoginFailure(key, at); err != nil {
					return err
				}
			}
			sess = xinyong.Session{Hash: TokenHash(secret), AccountID: a.ID, CSRF: RandomSecret(24), CreatedAt: t.Now(), ExpiresAt: t.Now().Add(SessionLifetime)}
			if err := t.CreateSession(sess); err != nil {
				return err
			}
			t.actor = ActorOfAccount(a)
			return t.audit("account.login", "account", a.ID, nil, nil, "client "+client)
		})
		if err != nil {
			return a, sess, "", err
		}
	}
	if failed {
		return a, sess, "", xinyong.Errorf(xinyong.EUNAUTHORIZED, "wrong username or password")
	}
	return a, sess, secret, nil
}

var dummy struct {
	once sync.Once
	hash string
}

// dummyHash is an argon2id hash of a random secret, for the sign-in of an
// unknown username to cost what a known one costs.
func dummyHash() string {
	dummy.once.Do(func() { dummy.hash = HashPassword(RandomSecret(16)) })
	return dummy.hash
}

// SetPassword changes an account's password (the admin resets it, or the
// first login replaces the one-time password).
func (s *Service) SetPassword(ctx context.Context, actor xinyong.Actor, username, password string) error {
	if len(password) < MinPasswordLength {
		return xinyong.Invalid("the password is too short", xinyong.FieldError{Field: "password", Rule: "password.length", Message: fmt.Sprintf("a password has at least %d characters", MinPasswordLength)})
	}
	return s.replacePassword(ctx, actor, username, HashPassword(password), "account.password", "password changed")
}

// ChangeOwnPassword replaces the signed-in account's password (the owner
// replacing a one-time password an admin saw, or any time): the current
// password must be given, the new one differ and be long enough. Wrong
// current passwords are counted under their own key (change:ACCOUNT) with
// the sign-in throttle's window and limit, so a stolen session cannot be
// turned into the account by guessing. Every session of the account ends, this one included.
func (s *Service) ChangeOwnPassword(ctx context.Context, actor xinyong.Actor, current, next string) error {
	if actor.Kind != "account" || actor.ID == "" {
		return xinyong.Errorf(xinyong.EFORBIDDEN, "only a signed-in account changes its own password")
	}
	var v xinyong.Validation
	switch {
	case len(next) < MinPasswordLength:
		v.Add("new_password", "password.length", "a password has at least %d characters", MinPasswordLength)
	case next == current:
		v.Add("new_password", "password.same", "the new password differs from the current one")
	}
	if err := v.Err("the new password is refused"); err != nil {
		return err
	}
	var a xinyong.Account
	key := "change:" + actor.ID
	var at time.Time
	err := s.Store.Update(ctx, func(tx xinyong.Tx) error {
		now := tx.Now()
		n, err := tx.CountLoginFailures(key, now.Add(-LoginWindow))
		if err != nil {
			return err
		}
		if n >= LoginMaxFailures {
			return xinyong.Errorf(xinyong.ETOOMANY, "too many wrong current passwords; try again in %d minutes", int(LoginWindow.Minutes()))
		}
		if a, err = tx.Account(actor.ID); err != nil {
			return err
		}
		at = now
		return tx.AddLoginFailure(key, at) // counted in advance, as for sign-ins
	})
	if err != nil {
		return err
	}
	if a.Disabled || !CheckPassword(a.PasswordHash, current) {
		return &xinyong.Error{Code: xinyong.EUNAUTHORIZED, Message: "the current password is wrong",
			Fields: []xinyong.FieldError{{Field: "current_password", Rule: "password.current", Message: "the current password is wrong"}}}
	}
	if err := s.Store.Update(ctx, func(tx xinyong.Tx) error { return tx.DeleteLoginFailure(key, at) }); err != nil {
		return err
	}
	return s.replacePassword(ctx, actor, a.Username, HashPassword(next), "account.password.change", "password changed by its owner")
}

// replacePassword stores a new password hash for the account and ends its
// sessions (whoever held the old password is signed out), audited. The
// hash is computed by the caller, outside the write transaction: argon2
// would otherwise hold the only writer. One's own password needs no
// right; another's needs account.manage, checked before the account is
// looked up.
func (s *Service) replacePassword(ctx context.Context, actor xinyong.Actor, username, hash string, action xinyong.Action, note string) error {
	username = strings.TrimSpace(username)
	return s.update(ctx, actor, func(t *txn) error {
		manage := xinyong.Authorize(actor, xinyong.ActAccountManage, xinyong.Resource{}, nil)
		a, err := t.AccountByUsername(username)
		if err != nil {
			if manage != nil {
				return manage
			}
			if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
				return xinyong.Errorf(xinyong.ENOTFOUND, "no account %q", username)
			}
			return err
		}
		if actor.ID != a.ID && manage != nil {
			return manage
		}
		a.PasswordHash = hash
		if err := t.UpdateAccount(a); err != nil {
			return err
		}
		ended, err := t.DeleteAccountSessions(a.ID)
		if err != nil {
			return err
		}
		return t.audit(action, "account", a.ID, nil, nil, fmt.Sprintf("%s; %d sessions ended", note, ended))
	})
}

// DisableAccount disables or re-enables an account.
func (s *Service) DisableAccount(ctx context.Context, actor xinyong.Actor, username string, disabled bool) error {
	return s.update(ctx, actor, func(t *txn) error {
		if err := xinyong.Authorize(actor, xinyong.ActAccountManage, xinyong.Resource{}, nil); err != nil {
			return err
		}
		a, err := t.AccountByUsername(username)
		if err != nil {
			return err
		}
		if disabled && actor.Kind == "account" && actor.ID == a.ID {
			// The last admin could otherwise lock everyone out.
			return xinyong.Invalid("refused", xinyong.FieldError{Field: "username", Rule: "account.self", Message: "you cannot disable your own account (another admin can)"})
		}
		before := a
		a.Disabled = disabled
		if err := t.UpdateAccount(a); err != nil {
			return err
		}
		note := fmt.Sprintf("disabled=%v", disabled)
		if disabled {
			// End its sessions now: SessionActor refuses a disabled
			// account, but re-enabling would otherwise bring back every
			// cookie issued before (a stolen one too).
			ended, err := t.DeleteAccountSessions(a.ID)
			if err != nil {
				return err
			}
			note = fmt.Sprintf("%s; %d sessions ended", note, ended)
		}
		return t.audit("account.disable", "account", a.ID, before, a, note)
	})
}

// SessionActor resolves a console session secret to its actor.
func (s *Service) SessionActor(ctx context.Context, secret string) (xinyong.Actor, xinyong.Session, error) {
	var act xinyong.Actor
	var sess xinyong.Session
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		sess, err = tx.SessionByHash(TokenHash(secret))
		if err != nil {
			return xinyong.Errorf(xinyong.EUNAUTHORIZED, "the session has ended; sign in again")
		}
		if !tx.Now().Before(sess.ExpiresAt) {
			return xinyong.Errorf(xinyong.EUNAUTHORIZED, "the session has expired; sign in again")
		}
		a, err := tx.Account(sess.AccountID)
		if err != nil || a.Disabled {
			return xinyong.Errorf(xinyong.EUNAUTHORIZED, "the account is disabled")
		}
		act = ActorOfAccount(a)
		return nil
	})
	return act, sess, err
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, secret string) error {
	return s.Store.Update(ctx, func(tx xinyong.Tx) error { return tx.DeleteSession(TokenHash(secret)) })
}

// ActorOfAccount returns the actor for an account.
func ActorOfAccount(a xinyong.Account) xinyong.Actor {
	return xinyong.Actor{Kind: "account", ID: a.ID, Name: a.Username, Role: a.Role, DepartmentID: a.DepartmentID, SubjectID: a.SubjectID, Organisation: a.Organisation}
}

// ---- tokens ----

// TokenInput creates an API token.
type TokenInput struct {
	Name         string `json:"name"`
	Role         string `json:"role"`
	Department   string `json:"department,omitempty"`
	Organisation string `json:"organisation,omitempty"`
}

// CreateToken creates an API token and returns its secret, once.
func (s *Service) CreateToken(ctx context.Context, actor xinyong.Actor, in TokenInput) (xinyong.Token, string, error) {
	var k xinyong.Token
	secret := TokenPrefix + RandomSecret(32)
	err := s.update(ctx, actor, func(t *txn) error {
		if err := xinyong.Authorize(actor, xinyong.ActTokenManage, xinyong.Resource{}, nil); err != nil {
			return err
		}
		var v xinyong.Validation
		role, err := xinyong.ParseRole(in.Role)
		if err != nil {
			v.Fields = append(v.Fields, xinyong.ErrorFields(err)...)
		}
		if strings.TrimSpace(in.Name) == "" {
			v.Add("name", "required", "a token needs a name that says which system uses it")
		}
		k = xinyong.Token{ID: NewID(), Name: strings.TrimSpace(in.Name), Role: role, Organisation: strings.TrimSpace(in.Organisation), Hash: TokenHash(secret), CreatedAt: t.Now()}
		if role.NeedsDepartment() && in.Department == "" {
			v.Add("department", "token.department", "an %s token belongs to a department: give --department CODE", role)
		}
		if in.Department != "" {
			d, err := findDepartment(t, in.Department)
			if err != nil {
				v.Add("department", "department.known", "department %q does not exist", in.Department)
			} else {
				k.DepartmentID = d.ID
				if k.Organisation == "" {
					k.Organisation = d.Name
				}
			}
		}
		if role == xinyong.RoleAgency && k.Organisation == "" {
			// DOMAIN.md §7: the query-use register records which organisation queried.
			v.Add("organisation", "token.organisation", "an agency token names its organisation: give --organisation NAME (the register records which organisation queried)")
		}
		if err := v.Err("the token is not valid"); err != nil {
			return err
		}
		if err := t.CreateToken(k); err != nil {
			return err
		}
		return t.audit("token.create", "token", k.ID, nil, k, k.Name+" "+string(k.Role))
	})
	if err != nil {
		return k, "", err
	}
	return k, secret, nil
}

// RevokeToken revokes a token at once.
func (s *Service) RevokeToken(ctx context.Context, actor xinyong.Actor, id string) error {
	return s.update(ctx, actor, func(t *txn) error {
		if err := xinyong.Authorize(actor, xinyong.ActTokenManage, xinyong.Resource{}, nil); err != nil {
			return err
		}
		if err := t.RevokeToken(id, t.Now()); err != nil {
			return err
		}
		return t.audit("token.revoke", "token", id, nil, nil, "")
	})
}

// Tokens lists tokens (never their secrets).
func (s *Service) Tokens(ctx context.Context, actor xinyong.Actor) ([]xinyong.Token, error) {
	if err := xinyong.Authorize(actor, xinyong.ActTokenManage, xinyong.Resource{}, nil); err != nil {
		return nil, err
	}
	var out []xinyong.Token
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		out, err = tx.Tokens()
		return err
	})
	return out, err
}

// TokenActor resolves a bearer token to its actor.
func (s *Service) TokenActor(ctx context.Context, secret string) (xinyong.Actor, error) {
	var act xinyong.Actor
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) > 200 {
		return act, xinyong.Errorf(xinyong.EUNAUTHORIZED, "the API token is not valid")
	}
	err := s.read(ctx, func(tx xinyong.Tx) error { // one statement
		k, err := tx.TokenByHash(TokenHash(secret))
		if err != nil || k.RevokedAt != nil {
			return xinyong.Errorf(xinyong.EUNAUTHORIZED, "the API token is not valid or was revoked")
		}
		act = xinyong.Actor{Kind: "token", ID: k.ID, Name: k.Name, Role: k.Role, DepartmentID: k.DepartmentID, Organisation: k.Organisation}
		return nil
	})
	return act, err
}
