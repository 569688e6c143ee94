package server

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"xinyong"
	"xinyong/internal/workflow"
)

// The admin console (issue 8) under /console/admin/: departments and
// accounts, API tokens, catalogue items with consultation and approval, the
// measures list, list types, holiday-calendar overrides, webhook
// subscriptions and dead letters. Server-rendered forms with the session's
// CSRF token, no JavaScript. Every change is a workflow call (one
// transaction, audit event, ledger leaf); the workflow authorises it again.
// A one-time secret (password, API token, webhook secret) is shown once on
// the page that answers the form and never stored in clear.

func init() {
	maps.Copy(chinese, consoleAdminChinese)
	maps.Copy(english, consoleAdminEnglish)
}

// InConsole reports whether the page is part of the console (the console
// nav is shown).
func (p Page) InConsole() bool { return strings.HasPrefix(p.Path, "/console") }

// IsAdmin reports whether the signed-in actor is the platform admin.
func (p Page) IsAdmin() bool { return p.SignedIn && p.Actor.Role == xinyong.RoleAdmin }

// IsOfficer reports whether the signed-in actor is a department officer.
func (p Page) IsOfficer() bool { return p.SignedIn && p.Actor.Role == xinyong.RoleOfficer }

// adminSections are the admin console's pages, in nav order.
var adminSections = []string{"departments", "accounts", "tokens", "catalogue", "measures", "list-types", "calendar", "webhooks"}

// consoleForm is the state of a console form: what was posted (to fill the
// form again after a refusal), the broken rules, a success message and a
// one-time secret.
type consoleForm struct {
	Values     url.Values
	Fields     []xinyong.FieldError
	Done       string // key of the success message (done.*)
	Secret     string // shown once
	SecretWhat string // key naming the secret
	SecretFor  string // whom the secret belongs to
}

// V returns a posted value.
func (f consoleForm) V(name string) string { return f.Values.Get(name) }

// Has reports whether a posted multi-value field holds v.
func (f consoleForm) Has(name, v string) bool { return slices.Contains(f.Values[name], v) }

// FieldMsg joins the messages of the broken rules on a field.
func (f consoleForm) FieldMsg(name string) string {
	var out []string
	for _, e := range f.Fields {
		if e.Field == name || strings.HasPrefix(e.Field, name+".") {
			out = append(out, e.Message)
		}
	}
	return strings.Join(out, "；")
}

// adminPage is what console_admin.html receives as Page.Data.
type adminPage struct {
	Section  string
	Sections []string
	Form     consoleForm
	D        any
}

// adminOnly lets only the platform admin through; others get the 403 page.
func (w *web) adminOnly(rw http.ResponseWriter, r *http.Request) (Page, bool) {
	p, ok := w.signedIn(rw, r)
	if !ok {
		return p, false
	}
	if p.Actor.Role != xinyong.RoleAdmin {
		w.fail(rw, r, xinyong.Errorf(xinyong.EFORBIDDEN, "管理功能仅限平台管理员（admin）使用；当前角色为 %s。The admin console is for the platform admin only; you are signed in as %s.", p.Actor.Role, p.Actor.Role))
		return p, false
	}
	return p, true
}

// parseConsoleForm reads a posted form (at most 1 MiB) whose names and
// values are all valid UTF-8 without NUL (checkFormText).
func parseConsoleForm(rw http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(rw, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		return xinyong.Errorf(xinyong.EINVALID, "the form could not be read")
	}
	return checkFormText(r.Form)
}

// checkFormText refuses a form (query and body) with a name or value that
// is not valid UTF-8 or holds NUL, as decodeJSON does for JSON bodies:
// PostgreSQL text refuses both (SQLSTATE 22021), which would otherwise end
// as an internal error. The message names the field, never its value (it
// may be a password).
func checkFormText(form url.Values) error {
	for _, k := range slices.Sorted(maps.Keys(form)) {
		if !utf8.ValidString(k) || strings.IndexByte(k, 0) >= 0 {
			return xinyong.Invalid("表单含有无效的字段名：须为不含 NUL 的 UTF-8 文本。A form field name is not valid UTF-8 text or holds NUL.",
				xinyong.FieldError{Field: "form", Rule: "encoding.utf8", Message: "form field names are UTF-8 text without NUL"})
		}
		name := k
		if len(name) > 64 {
			name = strings.ToValidUTF8(name[:64], "") + "…"
		}
		for _, v := range form[k] {
			switch {
			case !utf8.ValidString(v):
				return xinyong.Invalid(fmt.Sprintf("表单字段 %s 含有无效的 UTF-8 字节，请以 UTF-8 重新输入。Form field %s holds bytes that are not valid UTF-8 text.", name, name),
					xinyong.FieldError{Field: k, Rule: "encoding.utf8", Message: "text must be valid UTF-8"})
			case strings.IndexByte(v, 0) >= 0:
				return xinyong.Invalid(fmt.Sprintf("表单字段 %s 含有 NUL 字符。Form field %s holds a NUL character.", name, name),
					xinyong.FieldError{Field: k, Rule: "encoding.nul", Message: "text must not contain NUL (U+0000)"})
			}
		}
	}
	return nil
}

// adminLoader loads a section's data.
type adminLoader func(r *http.Request, p Page) (any, error)

// adminAction does a section's change; it returns the form state to show
// (a success message key, or a one-time secret).
type adminAction func(r *http.Request, p Page) (consoleForm, error)

func (w *web) renderAdmin(rw http.ResponseWriter, r *http.Request, p Page, section string, load adminLoader, form consoleForm, status int) {
	var d any
	if load != nil {
		var err error
		if d, err = load(r, p); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	p.Data = adminPage{Section: section, Sections: adminSections, Form: form, D: d}
	p.Title = p.T("admin." + section)
	rw.Header().Set("Cache-Control", "no-store")
	w.render(rw, r, "console_admin", status, p)
}

// doneKeys are the success messages a redirect may name (?done=KEY).
var doneKeys = []string{"created", "updated", "disabled", "enabled", "revoked", "transitioned", "added", "removed", "deleted", "replayed"}

func (w *web) adminGet(section string, load adminLoader) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		p, ok := w.adminOnly(rw, r)
		if !ok {
			return
		}
		var f consoleForm
		if k := r.URL.Query().Get("done"); slices.Contains(doneKeys, k) {
			f.Done = k
		}
		w.renderAdmin(rw, r, p, section, load, f, http.StatusOK)
	}
}

// adminPost runs act: on success it redirects to the section (post,
// redirect, get) or, when a one-time secret is to be shown, answers the
// page with it; on refusal it shows the form again with the message and
// the broken rules.
func (w *web) adminPost(section string, load adminLoader, act adminAction) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		p, ok := w.adminOnly(rw, r)
		if !ok {
			return
		}
		if err := parseConsoleForm(rw, r); err != nil {
			w.fail(rw, r, err)
			return
		}
		f, err := act(r, p)
		if err != nil {
			w.refused(rw, r, p, err, func(p Page, status int, fields []xinyong.FieldError) {
				w.renderAdmin(rw, r, p, section, load, consoleForm{Values: r.PostForm, Fields: fields}, status)
			})
			return
		}
		if f.Secret != "" {
			w.renderAdmin(rw, r, p, section, load, f, http.StatusOK)
			return
		}
		target := "/console/admin/" + section
		if q := r.URL.Query().Get("year"); q != "" {
			target += "?year=" + url.QueryEscape(q) + "&done=" + f.Done
		} else {
			target += "?done=" + f.Done
		}
		http.Redirect(rw, r, target, http.StatusSeeOther)
	}
}

// refused shows a refused form again with the error's message, its field
// errors and status, masked as the API's problem answers are (citizen ID
// numbers); internal errors go to the error page (logged with the request
// id).
func (w *web) refused(rw http.ResponseWriter, r *http.Request, p Page, err error, again func(p Page, status int, fields []xinyong.FieldError)) {
	code := xinyong.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok || status >= 500 {
		w.fail(rw, r, err)
		return
	}
	pr := problemOf(r, w.s.Log, err) // logs the refusal like the API does
	p.Error = pr.Detail
	again(p, status, pr.Errors)
}

// installConsole registers the console's forms, the admin pages and the
// listing documents.
func (w *web) installConsole(mux *http.ServeMux) {
	mux.HandleFunc("GET /console/admin/{$}", w.adminIndex)
	for _, s := range adminSections {
		mux.HandleFunc("GET /console/admin/"+s, w.adminGet(s, w.adminLoaders()[s]))
	}
	l := w.adminLoaders()
	mux.HandleFunc("POST /console/admin/departments", w.adminPost("departments", l["departments"], w.createDepartment))
	mux.HandleFunc("POST /console/admin/departments/{code}/disable", w.adminPost("departments", l["departments"], w.disableDepartment))
	mux.HandleFunc("POST /console/admin/accounts", w.adminPost("accounts", l["accounts"], w.createAccount))
	mux.HandleFunc("POST /console/admin/accounts/{username}/disable", w.adminPost("accounts", l["accounts"], w.disableAccount))
	mux.HandleFunc("POST /console/admin/accounts/{username}/reset", w.adminPost("accounts", l["accounts"], w.resetPassword))
	mux.HandleFunc("POST /console/admin/tokens", w.adminPost("tokens", l["tokens"], w.createToken))
	mux.HandleFunc("POST /console/admin/tokens/{id}/revoke", w.adminPost("tokens", l["tokens"], w.revokeToken))
	mux.HandleFunc("POST /console/admin/catalogue", w.adminPost("catalogue", l["catalogue"], w.proposeItem))
	mux.HandleFunc("POST /console/admin/catalogue/{code}/transition", w.adminPost("catalogue", l["catalogue"], w.transitionItem))
	mux.HandleFunc("POST /console/admin/measures", w.adminPost("measures", l["measures"], w.addMeasure))
	mux.HandleFunc("POST /console/admin/list-types", w.adminPost("list-types", l["list-types"], w.createListType))
	mux.HandleFunc("POST /console/admin/calendar", w.adminPost("calendar", l["calendar"], w.addOverride))
	mux.HandleFunc("POST /console/admin/calendar/{date}/delete", w.adminPost("calendar", l["calendar"], w.deleteOverride))
	mux.HandleFunc("POST /console/admin/webhooks", w.adminPost("webhooks", l["webhooks"], w.createSubscription))
	mux.HandleFunc("POST /console/admin/webhooks/{id}/delete", w.adminPost("webhooks", l["webhooks"], w.deleteSubscription))
	mux.HandleFunc("POST /console/admin/webhooks/{id}/dead-letters/{delivery}/replay", w.adminPost("webhooks", l["webhooks"], w.replayDelivery))
	w.installListingConsole(mux)
}

func (w *web) adminIndex(rw http.ResponseWriter, r *http.Request) {
	p, ok := w.adminOnly(rw, r)
	if !ok {
		return
	}
	w.renderAdmin(rw, r, p, "index", nil, consoleForm{}, http.StatusOK)
}

// ---- loaders ----

type deptRow struct {
	xinyong.Department
	Accounts int
}

type departmentsData struct {
	Departments []deptRow
}

type accountRow struct {
	xinyong.Account
	Department string
}

type accountsData struct {
	Accounts    []accountRow
	Departments []xinyong.Department
	Roles       []xinyong.Role
}

type tokenRow struct {
	xinyong.Token
	Department string
}

type tokensData struct {
	Tokens      []tokenRow
	Departments []xinyong.Department
	Roles       []xinyong.Role
}

type catalogueData struct {
	Categories []xinyong.Category
	Items      []xinyong.CatalogueItem
}

type measuresData struct {
	Measures  []xinyong.Measure
	ListTypes []xinyong.ListType
}

type listTypesData struct {
	ListTypes []xinyong.ListType
	Fields    []xinyong.ListField
}

type calendarData struct {
	Year      int
	Prev      int
	Next      int
	Days      []workflow.CalendarDay
	Overrides []overrideRow
}

type overrideRow struct {
	xinyong.Override
	Workday bool
}

type webhooksData struct {
	Subscriptions []xinyong.Subscription
	DeadLetters   []workflow.DeadLetter
	EventTypes    []string
}

func deptNames(ds []xinyong.Department) map[string]string {
	m := map[string]string{}
	for _, d := range ds {
		m[d.ID] = d.Name
	}
	return m
}

func (w *web) adminLoaders() map[string]adminLoader {
	svc := w.s.Svc
	return map[string]adminLoader{
		"departments": func(r *http.Request, p Page) (any, error) {
			ds, err := svc.Departments(r.Context(), p.Actor)
			if err != nil {
				return nil, err
			}
			as, err := svc.Accounts(r.Context(), p.Actor)
			if err != nil {
				return nil, err
			}
			var d departmentsData
			for _, x := range ds {
				row := deptRow{Department: x}
				for _, a := range as {
					if a.DepartmentID == x.ID {
						row.Accounts++
					}
				}
				d.Departments = append(d.Departments, row)
			}
			return d, nil
		},
		"accounts": func(r *http.Request, p Page) (any, error) {
			ds, err := svc.Departments(r.Context(), p.Actor)
			if err != nil {
				return nil, err
			}
			as, err := svc.Accounts(r.Context(), p.Actor)
			if err != nil {
				return nil, err
			}
			names := deptNames(ds)
			d := accountsData{Departments: ds, Roles: xinyong.Roles}
			for _, a := range as {
				d.Accounts = append(d.Accounts, accountRow{Account: a, Department: names[a.DepartmentID]})
			}
			return d, nil
		},
		"tokens": func(r *http.Request, p Page) (any, error) {
			ds, err := svc.Departments(r.Context(), p.Actor)
			if err != nil {
				return nil, err
			}
			ts, err := svc.Tokens(r.Context(), p.Actor)
			if err != nil {
				return nil, err
			}
			names := deptNames(ds)
			d := tokensData{Departments: ds, Roles: xinyong.Roles}
			for _, t := range ts {
				d.Tokens = append(d.Tokens, tokenRow{Token: t, Department: names[t.DepartmentID]})
			}
			return d, nil
		},
		"catalogue": func(r *http.Request, p Page) (any, error) {
			cats, items, err := svc.CatalogueItems(r.Context())
			if err != nil {
				return nil, err
			}
			// Supplementary items first (they are the ones the admin
			// moves through consultation), then the national ones.
			slices.SortStableFunc(items, func(a, b xinyong.CatalogueItem) int {
				return btoi(a.Layer == xinyong.LayerNational) - btoi(b.Layer == xinyong.LayerNational)
			})
			return catalogueData{Categories: cats, Items: items}, nil
		},
		"measures": func(r *http.Request, p Page) (any, error) {
			ref, err := svc.Reference(r.Context())
			if err != nil {
				return nil, err
			}
			return measuresData{Measures: ref.Measures, ListTypes: ref.ListTypes}, nil
		},
		"list-types": func(r *http.Request, p Page) (any, error) {
			ref, err := svc.Reference(r.Context())
			if err != nil {
				return nil, err
			}
			return listTypesData{ListTypes: ref.ListTypes, Fields: []xinyong.ListField{xinyong.FieldHealthLife, xinyong.FieldFairCompetition, xinyong.FieldStatutoryDuty, xinyong.FieldNationalDefence}}, nil
		},
		"calendar": func(r *http.Request, p Page) (any, error) {
			year := xinyong.DateOf(svc.Now()).Year
			if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && y >= 2000 && y <= 2100 {
				year = y
			}
			days, err := svc.CalendarYear(r.Context(), year)
			if err != nil {
				return nil, err
			}
			ovs, err := svc.Overrides(r.Context(), p.Actor)
			if err != nil {
				return nil, err
			}
			d := calendarData{Year: year, Prev: year - 1, Next: year + 1, Days: days}
			for _, o := range ovs {
				d.Overrides = append(d.Overrides, overrideRow{Override: o, Workday: o.Kind == xinyong.DayWorkday})
			}
			return d, nil
		},
		"webhooks": func(r *http.Request, p Page) (any, error) {
			subs, err := svc.Subscriptions(r.Context(), p.Actor)
			if err != nil {
				return nil, err
			}
			dead, err := svc.AllDeadLetters(r.Context(), p.Actor, 200)
			if err != nil {
				return nil, err
			}
			return webhooksData{Subscriptions: subs, DeadLetters: dead, EventTypes: xinyong.EventTypes}, nil
		},
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// splitList splits a comma, 、, semicolon or newline separated list.
func splitList(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ';' || r == '；' || r == '\n' || r == '\r'
	})
	out := []string{}
	for _, x := range f {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// intField parses an optional whole number; blank is 0.
func intField(v *xinyong.Validation, form url.Values, name string) int {
	s := strings.TrimSpace(form.Get(name))
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		v.Add(name, "integer", "%s is a whole number; got %q", name, s)
	}
	return n
}

// ---- actions ----

func (w *web) createDepartment(r *http.Request, p Page) (consoleForm, error) {
	f := r.PostForm
	_, err := w.s.Svc.CreateDepartment(r.Context(), p.Actor, workflow.DepartmentInput{Code: f.Get("code"), Name: f.Get("name"), Provides: splitList(f.Get("provides"))})
	return consoleForm{Done: "created"}, err
}

func (w *web) disableDepartment(r *http.Request, p Page) (consoleForm, error) {
	off := r.PostForm.Get("disabled") == "1"
	_, err := w.s.Svc.UpdateDepartment(r.Context(), p.Actor, r.PathValue("code"), workflow.DepartmentUpdate{Disabled: &off})
	if off {
		return consoleForm{Done: "disabled"}, err
	}
	return consoleForm{Done: "enabled"}, err
}

func (w *web) createAccount(r *http.Request, p Page) (consoleForm, error) {
	f := r.PostForm
	a, pw, err := w.s.Svc.CreateAccount(r.Context(), p.Actor, workflow.AccountInput{Username: f.Get("username"), Name: f.Get("name"), Role: f.Get("role"),
		Department: f.Get("department"), SubjectCode: f.Get("subject_code"), Organisation: f.Get("organisation")})
	if err != nil {
		return consoleForm{}, err
	}
	return consoleForm{Done: "created", Secret: pw, SecretWhat: "secret.password", SecretFor: a.Username}, nil
}

func (w *web) disableAccount(r *http.Request, p Page) (consoleForm, error) {
	off := r.PostForm.Get("disabled") == "1"
	user := r.PathValue("username")
	err := w.s.Svc.DisableAccount(r.Context(), p.Actor, user, off)
	if off {
		return consoleForm{Done: "disabled"}, err
	}
	return consoleForm{Done: "enabled"}, err
}

func (w *web) resetPassword(r *http.Request, p Page) (consoleForm, error) {
	user := r.PathValue("username")
	pw, err := w.s.Svc.ResetPassword(r.Context(), p.Actor, user)
	if err != nil {
		return consoleForm{}, err
	}
	return consoleForm{Done: "updated", Secret: pw, SecretWhat: "secret.password", SecretFor: user}, nil
}

func (w *web) createToken(r *http.Request, p Page) (consoleForm, error) {
	f := r.PostForm
	k, secret, err := w.s.Svc.CreateToken(r.Context(), p.Actor, workflow.TokenInput{Name: f.Get("name"), Role: f.Get("role"), Department: f.Get("department"), Organisation: f.Get("organisation")})
	if err != nil {
		return consoleForm{}, err
	}
	return consoleForm{Done: "created", Secret: secret, SecretWhat: "secret.token", SecretFor: k.Name}, nil
}

func (w *web) revokeToken(r *http.Request, p Page) (consoleForm, error) {
	return consoleForm{Done: "revoked"}, w.s.Svc.RevokeToken(r.Context(), p.Actor, r.PathValue("id"))
}

// parseFieldSpecs reads the item's fields, one a line: CODE 标签 [type].
func parseFieldSpecs(v *xinyong.Validation, s string) []xinyong.FieldSpec {
	out := []xinyong.FieldSpec{}
	for i, line := range strings.Split(s, "\n") {
		parts := strings.Fields(line)
		if len(parts) == 0 {
			continue
		}
		fs := xinyong.FieldSpec{Code: parts[0], Label: parts[0], Type: xinyong.FieldText}
		if len(parts) > 1 {
			fs.Label = parts[1]
		}
		if len(parts) > 2 {
			switch t := xinyong.FieldType(parts[2]); t {
			case xinyong.FieldText, xinyong.FieldDate, xinyong.FieldAmount, xinyong.FieldCode, xinyong.FieldEnum:
				fs.Type = t
			default:
				v.Add("fields", "enum", "line %d: field type %q is not text, date, amount, code or enum", i+1, parts[2])
			}
		}
		out = append(out, fs)
	}
	return out
}

func (w *web) proposeItem(r *http.Request, p Page) (consoleForm, error) {
	f := r.PostForm
	var v xinyong.Validation
	it := xinyong.CatalogueItem{Code: strings.TrimSpace(f.Get("code")), Name: strings.TrimSpace(f.Get("name")), Category: f.Get("category"), Layer: xinyong.Layer(f.Get("layer")),
		Kind: strings.TrimSpace(f.Get("kind")), Negative: f.Get("negative") == "1", Providers: splitList(f.Get("providers")),
		SharingScope: xinyong.SharingScope(f.Get("sharing_scope")), DisclosureScope: xinyong.DisclosureScope(f.Get("disclosure_scope")),
		LegalBasis: strings.TrimSpace(f.Get("legal_basis")), Edition: strings.TrimSpace(f.Get("edition")), Status: xinyong.ItemStatus(f.Get("status")), Source: strings.TrimSpace(f.Get("source"))}
	it.Fields = parseFieldSpecs(&v, f.Get("fields"))
	if err := v.Err("the catalogue item is not valid"); err != nil {
		return consoleForm{}, err
	}
	_, err := w.s.Svc.ProposeItem(r.Context(), p.Actor, it)
	return consoleForm{Done: "created"}, err
}

func (w *web) transitionItem(r *http.Request, p Page) (consoleForm, error) {
	_, err := w.s.Svc.TransitionItem(r.Context(), p.Actor, r.PathValue("code"), xinyong.ItemStatus(r.PostForm.Get("to")), r.PostForm.Get("note"))
	return consoleForm{Done: "transitioned"}, err
}

func (w *web) addMeasure(r *http.Request, p Page) (consoleForm, error) {
	f := r.PostForm
	var v xinyong.Validation
	kind := intField(&v, f, "kind")
	m := xinyong.Measure{Code: f.Get("code"), Kind: xinyong.MeasureKind(kind), Item: strings.TrimSpace(f.Get("item")), Target: strings.TrimSpace(f.Get("target")),
		Means: strings.TrimSpace(f.Get("means")), Body: strings.TrimSpace(f.Get("body")), LegalBasis: strings.TrimSpace(f.Get("legal_basis")),
		ListTypes: f["list_types"], Layer: xinyong.Layer(f.Get("layer")), Edition: strings.TrimSpace(f.Get("edition")), Source: strings.TrimSpace(f.Get("source"))}
	for _, s := range f["severities"] {
		sv, ok := xinyong.ParseSeverity(s)
		if !ok || sv == xinyong.SeverityNone {
			v.Add("severities", "enum", "severity %q is not minor, general or serious", s)
			continue
		}
		m.Severities = append(m.Severities, sv)
	}
	if err := v.Err("the measure is not valid"); err != nil {
		return consoleForm{}, err
	}
	_, err := w.s.Svc.AddMeasure(r.Context(), p.Actor, m)
	return consoleForm{Done: "added"}, err
}

func (w *web) createListType(r *http.Request, p Page) (consoleForm, error) {
	f := r.PostForm
	var v xinyong.Validation
	lt := xinyong.ListType{Code: f.Get("code"), Name: f.Get("name"), Field: xinyong.ListField(f.Get("field")), LegalBasis: strings.TrimSpace(f.Get("legal_basis")),
		Authority: strings.TrimSpace(f.Get("authority")), Criteria: strings.TrimSpace(f.Get("criteria")),
		PeriodMonths: intField(&v, f, "period_months"), ExtensionMinMonths: intField(&v, f, "extension_min_months"), ExtensionMaxMonths: intField(&v, f, "extension_max_months"),
		EarlyRemovalMonths: intField(&v, f, "early_removal_months"), EarlyRemoval: strings.TrimSpace(f.Get("early_removal")), Remedies: strings.TrimSpace(f.Get("remedies")),
		Published: f.Get("published") == "1", ObjectionWorkingDays: intField(&v, f, "objection_working_days"), Source: strings.TrimSpace(f.Get("source"))}
	if s := strings.TrimSpace(f.Get("effective_from")); s != "" {
		d, err := xinyong.ParseDate(s)
		if err != nil {
			v.Add("effective_from", "date", "effective_from is a date YYYY-MM-DD")
		}
		lt.EffectiveFrom = d
	}
	if err := v.Err("the list type is not valid"); err != nil {
		return consoleForm{}, err
	}
	_, err := w.s.Svc.CreateListType(r.Context(), p.Actor, lt)
	return consoleForm{Done: "created"}, err
}

func (w *web) addOverride(r *http.Request, p Page) (consoleForm, error) {
	f := r.PostForm
	_, err := w.s.Svc.PutOverride(r.Context(), p.Actor, strings.TrimSpace(f.Get("date")), f.Get("kind"), f.Get("name"), f.Get("reason"))
	return consoleForm{Done: "added"}, err
}

func (w *web) deleteOverride(r *http.Request, p Page) (consoleForm, error) {
	return consoleForm{Done: "removed"}, w.s.Svc.DeleteOverride(r.Context(), p.Actor, r.PathValue("date"))
}

func (w *web) createSubscription(r *http.Request, p Page) (consoleForm, error) {
	f := r.PostForm
	sub, err := w.s.Svc.CreateSubscription(r.Context(), p.Actor, workflow.SubscriptionInput{URL: strings.TrimSpace(f.Get("url")), Events: f["events"]})
	if err != nil {
		return consoleForm{}, err
	}
	return consoleForm{Done: "created", Secret: sub.Secret, SecretWhat: "secret.webhook", SecretFor: sub.URL}, nil
}

func (w *web) deleteSubscription(r *http.Request, p Page) (consoleForm, error) {
	return consoleForm{Done: "deleted"}, w.s.Svc.DeleteSubscription(r.Context(), p.Actor, r.PathValue("id"))
}

func (w *web) replayDelivery(r *http.Request, p Page) (consoleForm, error) {
	_, err := w.s.Svc.ReplayDelivery(r.Context(), p.Actor, r.PathValue("id"), r.PathValue("delivery"))
	return consoleForm{Done: "replayed"}, err
}
