package server

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"xinyong"
	"xinyong/internal/workflow"
)

// Objection pages (异议, issue 7; doc/objections.md). The portal: the form
// a record's "提出异议" leads to, the confirmation with the objection number
// and the answer deadline, the status page and the subject's own list. The
// console: the queue and the case page with the forward and answer forms.
// Handlers only translate: the rules are xinyong's (objection.go), the
// steps the workflow's (objections.go), the reads objection_pages.go's.
//
// Who sees an objection's status page: whoever may read it signed in (the
// handling department, the platform, auditors, the record's subject, the
// account that filed it), or whoever gives its number together with the
// contact given when filing (the way a filer without an account finds the
// answer). The number alone shows nothing; a wrong contact is answered
// like an unknown number.

// objectionCookie carries the anonymous form's CSRF token (double submit,
// as the sign-in form): signed-in users' forms carry their session's token.
const objectionCookie = "xinyong_objection"

// maxObjectionForm bounds a filed form: 20,000 characters of evidence,
// 5,000 of reasons, URL-encoded.
const maxObjectionForm = 512 << 10

func (w *web) installObjections(mux *http.ServeMux) {
	mux.HandleFunc("GET /objections/new", w.objectionForm)
	mux.HandleFunc("POST /objections", w.objectionSubmit)
	mux.HandleFunc("GET /objections", w.objectionList)
	mux.HandleFunc("POST /objections/lookup", w.objectionLookup)
	mux.HandleFunc("GET /objections/{id}", w.objectionStatus)
	mux.HandleFunc("GET /console/objections", w.consoleObjections)
	mux.HandleFunc("GET /console/objections/{id}", w.consoleObjection)
	mux.HandleFunc("POST /console/objections/{id}/forward", w.consoleObjectionForward)
	mux.HandleFunc("POST /console/objections/{id}/resolve", w.consoleObjectionResolve)
}

// objectionRefusal is a refusal as a page shows it: a message for the top
// of the page and one per field, in the page's language where the rule is
// known (the domain's English message otherwise).
type objectionRefusal struct {
	Status  int
	Message string
	Fields  map[string]string
}

func (w *web) refusal(r *http.Request, p Page, err error, answer bool) objectionRefusal {
	pr := problemOf(r, w.s.Log, err)
	out := objectionRefusal{Status: pr.Status, Fields: map[string]string{}}
	lead := p.T("objection.err." + pr.Code)
	if lead == "objection.err."+pr.Code {
		lead = pr.Title
	}
	var msgs []string
	for _, f := range pr.Errors {
		key := "objection.err." + f.Field + "." + f.Rule
		if answer && f.Field == "reasons" && f.Rule == "required" {
			key += ".answer"
		}
		m := p.T(key)
		if m == key {
			m = f.Message
		}
		if prev, ok := out.Fields[f.Field]; ok {
			if strings.Contains(prev, m) {
				continue
			}
			m = prev + " " + m
		}
		out.Fields[f.Field] = m
		msgs = append(msgs, m)
	}
	switch {
	case len(pr.Errors) > 0:
		slices.Sort(msgs)
		out.Message = lead + " " + strings.Join(slices.Compact(msgs), " ")
	case pr.Code == xinyong.ENOTFOUND && !answer:
		out.Message = lead
	default:
		out.Message = lead + " " + pr.Detail
	}
	return out
}

// ---- portal ----

type objectionFormPage struct {
	RecordID    string
	Target      *workflow.ObjectionTarget
	Form        xinyong.RecordObjectionInput
	Chosen      map[string]bool
	FieldErrors map[string]string
	Filed       *xinyong.Objection
}

func (w *web) objectionForm(rw http.ResponseWriter, r *http.Request) {
	p := w.page(r, "", nil)
	p.Title = p.T("objection.title")
	rec := strings.TrimSpace(r.URL.Query().Get("record"))
	if rec == "" {
		w.fail(rw, r, xinyong.Invalid("no record", xinyong.FieldError{Field: "record", Rule: "required", Message: "open the form from a record's 提出异议 link (record=ID)"}))
		return
	}
	t, err := w.s.Svc.ObjectionTarget(r.Context(), p.Actor, rec)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.renderObjectionForm(rw, r, p, 200, objectionFormPage{RecordID: rec, Target: &t})
}

func (w *web) renderObjectionForm(rw http.ResponseWriter, r *http.Request, p Page, status int, data objectionFormPage) {
	if !p.SignedIn {
		tok := workflow.RandomSecret(18)
		http.SetCookie(rw, &http.Cookie{Name: objectionCookie, Value: tok, Path: "/objections", HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode, MaxAge: 4 * 3600})
		p.CSRF = tok
	}
	if data.Chosen == nil {
		data.Chosen = map[string]bool{}
	}
	for _, f := range data.Form.Fields {
		data.Chosen[f] = true
	}
	rw.Header().Set("Cache-Control", "no-store")
	p.Data = data
	w.render(rw, r, "objection_form", status, p)
}

func (w *web) objectionSubmit(rw http.ResponseWriter, r *http.Request) {
	p := w.page(r, "", nil)
	p.Title = p.T("objection.title")
	r.Body = http.MaxBytesReader(rw, r.Body, maxObjectionForm)
	if err := r.ParseForm(); err != nil {
		w.fail(rw, r, xinyong.Errorf(xinyong.EINVALID, "the form could not be read (at most %d KiB)", maxObjectionForm>>10))
		return
	}
	if err := checkFormText(r.Form); err != nil {
		w.fail(rw, r, err)
		return
	}
	f := r.PostForm
	rec := strings.TrimSpace(f.Get("record"))
	in := xinyong.RecordObjectionInput{Name: f.Get("name"), Contact: f.Get("contact"), Fields: f["fields"], Reasons: f.Get("reasons"), Evidence: f.Get("evidence")}
	data := objectionFormPage{RecordID: rec, Form: in}
	t, err := w.s.Svc.ObjectionTarget(r.Context(), p.Actor, rec)
	if err != nil {
		ref := w.refusal(r, p, err, false)
		p.Error = ref.Message
		w.renderObjectionForm(rw, r, p, ref.Status, data)
		return
	}
	data.Target = &t
	if !p.SignedIn {
		// The anonymous form's double-submit token (a signed-in form's
		// session token is checked before any handler runs).
		if c, err := r.Cookie(objectionCookie); err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(f.Get("csrf")), []byte(c.Value)) != 1 {
			p.Error = p.T("objection.form.expired")
			w.renderObjectionForm(rw, r, p, http.StatusForbidden, data)
			return
		}
	}
	o, err := w.s.Svc.FileObjection(r.Context(), p.Actor, rec, in)
	if err != nil {
		ref := w.refusal(r, p, err, false)
		p.Error, data.FieldErrors = ref.Message, ref.Fields
		if t2, err := w.s.Svc.ObjectionTarget(r.Context(), p.Actor, rec); err == nil {
			data.Target = &t2 // e.g. the subject's own open objection, now shown
		}
		w.renderObjectionForm(rw, r, p, ref.Status, data)
		return
	}
	p.Title, data.Filed = p.T("objection.filed"), &o
	w.renderObjectionForm(rw, r, p, http.StatusCreated, data)
}

type objectionStatusPage struct {
	Case workflow.ObjectionCase
}

func (w *web) renderObjectionStatus(rw http.ResponseWriter, r *http.Request, p Page, c workflow.ObjectionCase) {
	rw.Header().Set("Cache-Control", "no-store")
	p.Title, p.Data = p.T("objection.status"), objectionStatusPage{Case: c}
	w.render(rw, r, "objection_status", 200, p)
}

type objectionListPage struct {
	Rows    []workflow.ObjectionRow
	Mine    bool // a subject's own list
	Staff   bool
	ID      string // the lookup form's number
	Contact string
}

func (w *web) renderObjectionList(rw http.ResponseWriter, r *http.Request, p Page, status int, data objectionListPage) {
	rw.Header().Set("Cache-Control", "no-store")
	p.Data = data
	if data.Mine {
		p.Title = p.T("objection.list")
	} else {
		p.Title = p.T("objection.lookup.title")
	}
	w.render(rw, r, "objection_list", status, p)
}

func (w *web) objectionStatus(rw http.ResponseWriter, r *http.Request) {
	p := w.page(r, "", nil)
	id := r.PathValue("id")
	c, err := w.s.Svc.ObjectionCase(r.Context(), p.Actor, id, "")
	switch {
	case err == nil:
		w.renderObjectionStatus(rw, r, p, c)
	case xinyong.ErrorCode(err) == xinyong.ENOTFOUND:
		// Unknown, or not the reader's: ask for the contact; say nothing
		// about whether the number exists.
		w.renderObjectionList(rw, r, p, 200, objectionListPage{ID: id})
	default:
		w.fail(rw, r, err)
	}
}

func (w *web) objectionLookup(rw http.ResponseWriter, r *http.Request) {
	p := w.page(r, "", nil)
	r.Body = http.MaxBytesReader(rw, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		w.fail(rw, r, xinyong.Errorf(xinyong.EINVALID, "the form could not be read"))
		return
	}
	if err := checkFormText(r.Form); err != nil {
		w.fail(rw, r, err)
		return
	}
	id, contact := strings.TrimSpace(r.PostForm.Get("id")), r.PostForm.Get("contact")
	c, err := w.s.Svc.ObjectionCase(r.Context(), p.Actor, id, contact)
	switch {
	case err == nil:
		w.renderObjectionStatus(rw, r, p, c)
	case xinyong.ErrorCode(err) == xinyong.ENOTFOUND || id == "":
		p.Error = p.T("objection.lookup.none")
		w.renderObjectionList(rw, r, p, http.StatusNotFound, objectionListPage{ID: id, Contact: contact})
	default:
		w.fail(rw, r, err)
	}
}

func (w *web) objectionList(rw http.ResponseWriter, r *http.Request) {
	p := w.page(r, "", nil)
	data := objectionListPage{ID: strings.TrimSpace(r.URL.Query().Get("id"))}
	switch {
	case p.SignedIn && p.Actor.Role == xinyong.RoleSubject:
		rows, err := w.s.Svc.ObjectionRows(r.Context(), p.Actor, xinyong.ObjectionFilter{}, false)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		data.Rows, data.Mine = rows, true
	case p.SignedIn:
		data.Staff = p.Actor.Role != xinyong.RoleAgency
	}
	w.renderObjectionList(rw, r, p, 200, data)
}

// ---- console ----

type consoleObjectionsPage struct {
	Rows          []workflow.ObjectionRow
	Open, Overdue bool
}

func (w *web) consoleObjections(rw http.ResponseWriter, r *http.Request) {
	p := w.page(r, "", nil)
	if !p.SignedIn {
		http.Redirect(rw, r, "/login", http.StatusSeeOther)
		return
	}
	q := r.URL.Query()
	data := consoleObjectionsPage{Open: formTrue(q.Get("open")), Overdue: formTrue(q.Get("overdue"))}
	if q.Get("f") == "" && !q.Has("open") && !q.Has("overdue") {
		data.Open = true // the queue shows what is being handled, unless asked otherwise
	}
	rows, err := w.s.Svc.ObjectionRows(r.Context(), p.Actor, xinyong.ObjectionFilter{Open: data.Open}, data.Overdue)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	data.Rows = rows
	rw.Header().Set("Cache-Control", "no-store")
	p.Data, p.Title = data, p.T("console.objections")
	w.render(rw, r, "console_objections", 200, p)
}

// objectionAnswerForm is the answer form as sent (refilled on a refusal).
type objectionAnswerForm struct {
	Outcome     string
	Reasons     string
	Corrections map[string]string
	Note        string
}

type consoleObjectionPage struct {
	Case        workflow.ObjectionCase
	Form        objectionAnswerForm
	FieldErrors map[string]string
	Done        bool
	Outcomes    []xinyong.ObjectionOutcome
}

func (w *web) consoleObjectionView(rw http.ResponseWriter, r *http.Request, p Page, status int, form objectionAnswerForm, fieldErrs map[string]string) {
	c, err := w.s.Svc.ObjectionCase(r.Context(), p.Actor, r.PathValue("id"), "")
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if form.Corrections == nil {
		form.Corrections = map[string]string{}
	}
	rw.Header().Set("Cache-Control", "no-store")
	p.Data = consoleObjectionPage{Case: c, Form: form, FieldErrors: fieldErrs, Done: r.URL.Query().Get("done") == "1", Outcomes: xinyong.ObjectionOutcomes}
	p.Title = p.T("console.objections") + " " + c.ID
	w.render(rw, r, "console_objection", status, p)
}

func (w *web) consoleObjection(rw http.ResponseWriter, r *http.Request) {
	p := w.page(r, "", nil)
	if !p.SignedIn {
		http.Redirect(rw, r, "/login", http.StatusSeeOther)
		return
	}
	w.consoleObjectionView(rw, r, p, 200, objectionAnswerForm{}, nil)
}

func (w *web) consoleObjectionStep(rw http.ResponseWriter, r *http.Request, step func(p Page, form objectionAnswerForm) error) {
	p := w.page(r, "", nil)
	if !p.SignedIn {
		http.Redirect(rw, r, "/login", http.StatusSeeOther)
		return
	}
	r.Body = http.MaxBytesReader(rw, r.Body, 256<<10)
	if err := r.ParseForm(); err != nil {
		w.fail(rw, r, xinyong.Errorf(xinyong.EINVALID, "the form could not be read"))
		return
	}
	if err := checkFormText(r.Form); err != nil {
		w.fail(rw, r, err)
		return
	}
	form := objectionAnswerForm{Outcome: r.PostForm.Get("outcome"), Reasons: r.PostForm.Get("reasons"), Note: r.PostForm.Get("note"), Corrections: map[string]string{}}
	for k, vs := range r.PostForm {
		if code, ok := strings.CutPrefix(k, "corr."); ok && code != "" && len(vs) > 0 && strings.TrimSpace(vs[0]) != "" {
			form.Corrections[code] = vs[0]
		}
	}
	if err := step(p, form); err != nil {
		ref := w.refusal(r, p, err, true)
		p.Error = ref.Message
		w.consoleObjectionView(rw, r, p, ref.Status, form, ref.Fields)
		return
	}
	http.Redirect(rw, r, "/console/objections/"+url.PathEscape(r.PathValue("id"))+"?done=1", http.StatusSeeOther)
}

func (w *web) consoleObjectionForward(rw http.ResponseWriter, r *http.Request) {
	w.consoleObjectionStep(rw, r, func(p Page, form objectionAnswerForm) error {
		_, err := w.s.Svc.ForwardObjection(r.Context(), p.Actor, r.PathValue("id"), xinyong.ObjectionForwardInput{Note: form.Note})
		return err
	})
}

func (w *web) consoleObjectionResolve(rw http.ResponseWriter, r *http.Request) {
	w.consoleObjectionStep(rw, r, func(p Page, form objectionAnswerForm) error {
		in := xinyong.ObjectionResolveInput{Outcome: xinyong.ObjectionOutcome(form.Outcome), Reasons: form.Reasons}
		if len(form.Corrections) > 0 {
			in.Corrections = form.Corrections
		}
		_, err := w.s.Svc.ResolveObjection(r.Context(), p.Actor, r.PathValue("id"), in)
		return err
	})
}
