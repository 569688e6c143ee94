package server

import (
	"crypto/subtle"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// web is the portal and the console: server-rendered, zh-CN first with an
// English switch, no JavaScript needed.
type web struct {
	s     *Server
	pages map[string]*template.Template
}

// Page is what every page template receives.
type Page struct {
	Lang     string // "zh" or "en"
	Title    string
	Actor    xinyong.Actor
	SignedIn bool
	CSRF     string
	Path     string
	Flash    string
	Error    string
	Data     any
}

// T translates a key into the page's language.
func (p Page) T(key string) string {
	if p.Lang == "en" {
		if v, ok := english[key]; ok {
			return v
		}
	}
	if v, ok := chinese[key]; ok {
		return v
	}
	return key
}

var chinese = map[string]string{
	"site": "信用信息平台", "home": "首页", "catalogue": "信用信息目录", "console": "管理后台", "login": "登录", "logout": "退出",
	"username": "用户名", "password": "密码", "search.placeholder": "输入企业名称或统一社会信用代码", "search": "查询",
	"intro":                "本平台依法归集、共享、公示公共信用信息，实施失信约束，并为信用主体提供异议与信用修复服务。",
	"provenance.confirmed": "已核实", "provenance.unconfirmed": "待核实", "provenance.local": "本省",
	"code": "编码", "name": "名称", "layer": "层级", "sharing": "共享属性", "disclosure": "公开属性", "basis": "依据", "status": "状态", "provenance": "来源核实",
	"departments": "部门", "accounts": "账号", "role": "角色", "signed_in_as": "当前用户", "lang.switch": "English",
	"error.signin": "请先登录。", "fields": "信息项",
	"password.change": "修改密码", "password.current": "当前密码", "password.new": "新密码（至少 12 个字符）", "password.confirm": "再次输入新密码",
	"password.change.help": "管理员设置的一次性密码须在首次登录后修改。修改后所有会话（包括本次）都将结束，请用新密码重新登录。",
	"password.changed":     "密码已修改，请用新密码登录。",
	// Record marks (xinyong.Mark*) as pages show them.
	"mark.异议处理中": "异议处理中", "mark.已撤回": "已撤回", "mark.已修复": "已修复", "mark.已屏蔽": "已屏蔽", "mark.不公示": "不公示",
}

var english = map[string]string{
	"site": "Credit Information Platform", "home": "Home", "catalogue": "Catalogue", "console": "Console", "login": "Sign in", "logout": "Sign out",
	"username": "Username", "password": "Password", "search.placeholder": "Company name or unified social credit code", "search": "Search",
	"intro":                "This platform collects, shares and publishes public credit information as the law allows, carries out dishonesty restraint, and serves subjects with objections and credit repair.",
	"provenance.confirmed": "confirmed", "provenance.unconfirmed": "unconfirmed", "provenance.local": "local",
	"code": "Code", "name": "Name", "layer": "Layer", "sharing": "Sharing", "disclosure": "Disclosure", "basis": "Legal basis", "status": "Status", "provenance": "Provenance",
	"departments": "Departments", "accounts": "Accounts", "role": "Role", "signed_in_as": "Signed in as", "lang.switch": "中文",
	"error.signin": "Please sign in first.", "fields": "Fields",
	"password.change": "Change password", "password.current": "Current password", "password.new": "New password (at least 12 characters)", "password.confirm": "New password again",
	"password.change.help": "A one-time password an admin set is replaced after the first sign-in. Changing it ends every session, this one included: sign in again with the new password.",
	"password.changed":     "The password was changed; sign in with the new one.",
	"mark.异议处理中":           "objection being handled (异议处理中)", "mark.已撤回": "withdrawn (已撤回)", "mark.已修复": "repaired (已修复)", "mark.已屏蔽": "shielded (已屏蔽)", "mark.不公示": "not published (不公示)",
}

func (s *Server) newWeb() *web {
	w := &web{s: s, pages: map[string]*template.Template{}}
	funcs := template.FuncMap{"lower": strings.ToLower, "sh": inShanghai}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		// Templates are checked at start-up: a broken one stops the server.
		w.pages[base] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n))
	}
	return w
}

func (w *web) install(mux *http.ServeMux) {
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /{$}", w.home)
	mux.HandleFunc("GET /catalogue", w.catalogue)
	mux.HandleFunc("GET /login", w.loginForm)
	mux.HandleFunc("POST /login", w.login)
	mux.HandleFunc("POST /logout", w.logout)
	mux.HandleFunc("GET /console/{$}", w.console)
	mux.HandleFunc("GET /console/password", w.passwordForm)
	mux.HandleFunc("POST /console/password", w.changePassword)
	mux.HandleFunc("GET /verify", w.verify)
	w.installPortal(mux)
	w.installRepairs(mux)
	mux.HandleFunc("GET /lists/serious", w.seriousList)
	mux.HandleFunc("GET /console/listings", w.consoleListings)
	mux.HandleFunc("GET /console/listings/{id}", w.consoleListing)
	w.installConsole(mux) // console forms, /console/admin/, listing documents (console_admin.go)
	// Compliance board, clean-up review, ledger page (console_compliance.go).
	w.installCompliance(mux)
	w.installGrading(mux) // grading models and runs, the subject's grade (console_grading.go)
	w.installObjections(mux)
}

// inShanghai is a stored time (UTC) on the Asia/Shanghai clock, as pages
// show dates and times (templates: (sh .UpdatedAt).Format …): the legal
// dates beside them (deadlines, decision dates) are Shanghai days, and a
// UTC date is the day before until 08:00.
func inShanghai(v any) time.Time {
	switch t := v.(type) {
	case time.Time:
		return t.In(xinyong.Shanghai)
	case *time.Time:
		if t != nil {
			return t.In(xinyong.Shanghai)
		}
	}
	return time.Time{}
}

func (w *web) page(r *http.Request, title string, data any) Page {
	p := Page{Lang: "zh", Title: title, Actor: actorOf(r), Path: r.URL.Path, Data: data}
	if c, err := r.Cookie("lang"); err == nil && c.Value == "en" {
		p.Lang = "en"
	}
	if l := r.URL.Query().Get("lang"); l == "en" || l == "zh" {
		p.Lang = l
	}
	if sess, ok := sessionOf(r); ok {
		p.SignedIn, p.CSRF = true, sess.CSRF
	}
	return p
}

func (w *web) render(rw http.ResponseWriter, r *http.Request, name string, status int, p Page) {
	if l := r.URL.Query().Get("lang"); l == "en" || l == "zh" {
		http.SetCookie(rw, &http.Cookie{Name: "lang", Value: l, Path: "/", MaxAge: 365 * 86400, SameSite: http.SameSiteLaxMode, HttpOnly: true})
	}
	t, ok := w.pages[name]
	if !ok {
		http.Error(rw, "no such page", 500)
		return
	}
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.WriteHeader(status)
	if err := t.Execute(rw, p); err != nil {
		w.s.Log.Error("render", "page", name, "err", err, "request_id", requestID(r.Context()))
	}
}

func (w *web) home(rw http.ResponseWriter, r *http.Request) {
	p := w.page(r, "", nil)
	w.render(rw, r, "home", 200, p)
}

type cataloguePage struct {
	Categories []xinyong.Category
	Items      map[string][]xinyong.CatalogueItem
}

func (w *web) catalogue(rw http.ResponseWriter, r *http.Request) {
	cats, items, err := w.s.Svc.CatalogueItems(r.Context())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	data := cataloguePage{Categories: cats, Items: map[string][]xinyong.CatalogueItem{}}
	for _, it := range items {
		data.Items[it.Category] = append(data.Items[it.Category], it)
	}
	p := w.page(r, "catalogue", data)
	p.Title = p.T("catalogue")
	w.render(rw, r, "catalogue", 200, p)
}

func (w *web) fail(rw http.ResponseWriter, r *http.Request, err error) {
	p := w.page(r, "", nil)
	pr := problemOf(r, w.s.Log, err)
	p.Title, p.Error = pr.Title, pr.Detail
	w.render(rw, r, "error", pr.Status, p)
}

// loginCookie carries the sign-in form's CSRF token (double submit): a
// page on another site cannot read it, so it cannot sign a victim in to the
// attacker's account.
const loginCookie = "xinyong_login"

func (w *web) loginForm(rw http.ResponseWriter, r *http.Request) {
	p := w.page(r, "", nil)
	p.Title = p.T("login")
	w.renderLogin(rw, r, 200, p)
}

func (w *web) renderLogin(rw http.ResponseWriter, r *http.Request, status int, p Page) {
	tok := workflow.RandomSecret(18)
	http.SetCookie(rw, &http.Cookie{Name: loginCookie, Value: tok, Path: "/login", HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	p.CSRF = tok
	w.render(rw, r, "login", status, p)
}

func (w *web) login(rw http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(rw, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		w.fail(rw, r, xinyong.Errorf(xinyong.EINVALID, "the form could not be read"))
		return
	}
	if err := checkFormText(r.Form); err != nil {
		// Bad bytes would reach the store (PostgreSQL refuses them): the
		// form again, with what to fix.
		p := w.page(r, "", nil)
		p.Title, p.Error = p.T("login"), xinyong.ErrorMessage(err)
		w.renderLogin(rw, r, http.StatusBadRequest, p)
		return
	}
	if c, err := r.Cookie(loginCookie); err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(c.Value)) != 1 {
		p := w.page(r, "", nil)
		p.Title, p.Error = p.T("login"), "登录表单已过期，请重新提交。 (The sign-in form expired; please submit it again.)"
		w.renderLogin(rw, r, http.StatusForbidden, p)
		return
	}
	_, _, secret, err := w.s.Svc.Login(r.Context(), r.PostForm.Get("username"), r.PostForm.Get("password"), clientKey(r, w.s.TrustedProxies))
	if err != nil {
		p := w.page(r, "", nil)
		p.Title, p.Error = p.T("login"), xinyong.ErrorMessage(err)
		status := statusOf[xinyong.ErrorCode(err)]
		if status == 0 {
			status = 500
		}
		w.renderLogin(rw, r, status, p)
		return
	}
	http.SetCookie(rw, &http.Cookie{Name: loginCookie, Value: "", Path: "/login", MaxAge: -1})
	http.SetCookie(rw, &http.Cookie{Name: SessionCookie, Value: secret, Path: "/", HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode, MaxAge: 8 * 3600})
	http.Redirect(rw, r, "/console/", http.StatusSeeOther)
}

// passwordForm is the signed-in account's own password change.
func (w *web) passwordForm(rw http.ResponseWriter, r *http.Request) {
	p := w.page(r, "", nil)
	if !p.SignedIn {
		http.Redirect(rw, r, "/login", http.StatusSeeOther)
		return
	}
	p.Title = p.T("password.change")
	rw.Header().Set("Cache-Control", "no-store")
	w.render(rw, r, "console_password", 200, p)
}

// changePassword replaces the account's own password; every session ends,
// so the answer is the sign-in page with what happened.
func (w *web) changePassword(rw http.ResponseWriter, r *http.Request) {
	p := w.page(r, "", nil)
	if !p.SignedIn {
		http.Redirect(rw, r, "/login", http.StatusSeeOther)
		return
	}
	p.Title = p.T("password.change")
	rw.Header().Set("Cache-Control", "no-store")
	fail := func(err error) {
		p.Error = xinyong.ErrorMessage(err)
		for _, f := range xinyong.ErrorFields(err) {
			p.Error += "；" + f.Message
		}
		status := statusOf[xinyong.ErrorCode(err)]
		if status == 0 {
			status = 500
		}
		w.render(rw, r, "console_password", status, p)
	}
	if err := parseConsoleForm(rw, r); err != nil {
		fail(err)
		return
	}
	next := r.PostForm.Get("new_password")
	if next != r.PostForm.Get("confirm_password") {
		fail(xinyong.Invalid("两次输入的新密码不一致。The two new passwords differ.", xinyong.FieldError{Field: "confirm_password", Rule: "password.confirm", Message: "the two new passwords differ"}))
		return
	}
	if err := w.s.Svc.ChangeOwnPassword(r.Context(), p.Actor, r.PostForm.Get("current_password"), next); err != nil {
		fail(err)
		return
	}
	http.SetCookie(rw, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	lp := w.page(r, "", nil)
	lp.SignedIn, lp.Actor = false, xinyong.Public
	lp.Title, lp.Flash = lp.T("login"), lp.T("password.changed")
	w.renderLogin(rw, r, 200, lp)
}

func (w *web) logout(rw http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		w.s.Svc.Logout(r.Context(), c.Value)
	}
	http.SetCookie(rw, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	http.Redirect(rw, r, "/", http.StatusSeeOther)
}

type consolePage struct {
	Departments []xinyong.Department
	Reminders   *remindersPanel // due soon and overdue steps (console_compliance.go)
}

func (w *web) console(rw http.ResponseWriter, r *http.Request) {
	p := w.page(r, "", nil)
	if !p.SignedIn {
		http.Redirect(rw, r, "/login", http.StatusSeeOther)
		return
	}
	var data consolePage
	if ds, err := w.s.Svc.Departments(r.Context(), p.Actor); err == nil {
		data.Departments = ds
	}
	data.Reminders = w.consoleReminders(r, p.Actor)
	p.Data, p.Title = data, p.T("console")
	w.render(rw, r, "console", 200, p)
}
