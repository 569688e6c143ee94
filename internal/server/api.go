package server

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"

	"xinyong"
	"xinyong/internal/workflow"
)

// apiRoutes is the API's route table: the mux and the OpenAPI document are
// both built from it.
func (s *Server) apiRoutes() []route {
	return []route{
		{Method: "GET", Path: "/api/v1/catalogue", Tag: "catalogue", Auth: "public", Summary: "List the catalogue: categories and items", Handler: s.getCatalogue},
		{Method: "GET", Path: "/api/v1/catalogue/items/{code}", Tag: "catalogue", Auth: "public", Summary: "Read one catalogue item (code or Chinese name) with its version history", Handler: s.getCatalogueItem},
		{Method: "POST", Path: "/api/v1/catalogue/items", Tag: "catalogue", Auth: "token", Summary: "Propose a supplementary catalogue item (admin)", Request: xinyong.CatalogueItem{}, Status: 201, Handler: s.proposeItem},
		{Method: "POST", Path: "/api/v1/catalogue/items/{code}/transition", Tag: "catalogue", Auth: "token", Summary: "Put an item to consultation, approve or retire it (admin)", Request: transitionInput{}, Handler: s.transitionItem},
		{Method: "POST", Path: "/api/v1/catalogue/supplements", Tag: "catalogue", Auth: "token", Summary: "Load a provincial or city supplement (items and measures, each with a legal basis) (admin)", Request: map[string]any{}, Status: 201, Handler: s.loadSupplement},
		{Method: "GET", Path: "/api/v1/measures", Tag: "reference", Auth: "public", Summary: "List the punishment measures (national base list and supplements), with provenance", Handler: s.getMeasures},
		{Method: "GET", Path: "/api/v1/list-types", Tag: "reference", Auth: "public", Summary: "List the serious-dishonesty list types", Handler: s.getListTypes},
		{Method: "GET", Path: "/api/v1/regimes", Tag: "reference", Auth: "public", Summary: "List the dated publication-period regimes", Handler: s.getRegimes},
		{Method: "GET", Path: "/api/v1/calendar/{year}", Tag: "reference", Auth: "public", Summary: "The working-day calendar of a year: holidays, make-up working days and overrides", Handler: s.getCalendar},
		{Method: "PUT", Path: "/api/v1/calendar/overrides/{date}", Tag: "reference", Auth: "token", Summary: "Correct the official calendar for one date (admin)", Request: overrideInput{}, Handler: s.putOverride},
		{Method: "DELETE", Path: "/api/v1/calendar/overrides/{date}", Tag: "reference", Auth: "token", Summary: "Remove a calendar correction (admin)", Status: 204, Handler: s.deleteOverride},
		{Method: "GET", Path: "/api/v1/ident/{code}", Tag: "identity", Auth: "public", Summary: "Validate a unified social credit code or citizen ID number (the answer never repeats a full ID number)", Handler: s.getIdent},
		{Method: "POST", Path: "/api/v1/code-overrides", Tag: "identity", Auth: "token", Summary: "Accept a code that fails its check, with a written reason (admin, audited)", Request: overrideCodeInput{}, Status: 201, Handler: s.postCodeOverride},
		{Method: "GET", Path: "/api/v1/departments", Tag: "accounts", Auth: "token", Summary: "List departments", Handler: s.getDepartments},
		{Method: "POST", Path: "/api/v1/departments", Tag: "accounts", Auth: "token", Summary: "Add a department (admin)", Request: workflow.DepartmentInput{}, Status: 201, Handler: s.postDepartment},
		{Method: "PATCH", Path: "/api/v1/departments/{code}", Tag: "accounts", Auth: "token", Summary: "Change a department's name, provided items or disabled flag (admin)", Request: workflow.DepartmentUpdate{}, Handler: s.patchDepartment},
		{Method: "GET", Path: "/api/v1/accounts", Tag: "accounts", Auth: "token", Summary: "List accounts (admin, auditor)", Handler: s.getAccounts},
		{Method: "POST", Path: "/api/v1/accounts", Tag: "accounts", Auth: "token", Summary: "Create an account; the answer carries its one-time password (admin)", Request: workflow.AccountInput{}, Status: 201, Handler: s.postAccount},
		{Method: "POST", Path: "/api/v1/accounts/{username}/disable", Tag: "accounts", Auth: "token", Summary: "Disable or re-enable an account (admin)", Request: disableInput{}, Handler: s.disableAccount},
		{Method: "GET", Path: "/api/v1/tokens", Tag: "accounts", Auth: "token", Summary: "List API tokens, never their secrets (admin)", Handler: s.getTokens},
		{Method: "POST", Path: "/api/v1/tokens", Tag: "accounts", Auth: "token", Summary: "Create an API token; the secret is shown once (admin)", Request: workflow.TokenInput{}, Status: 201, Handler: s.postToken},
		{Method: "DELETE", Path: "/api/v1/tokens/{id}", Tag: "accounts", Auth: "token", Summary: "Revoke an API token (admin)", Status: 204, Handler: s.deleteToken},
		{Method: "GET", Path: "/api/v1/audit", Tag: "audit", Auth: "token", Summary: "Read the audit log (admin, auditor)", Handler: s.getAudit},
	}
}

func (s *Server) getCatalogue(w http.ResponseWriter, r *http.Request) error {
	cats, items, err := s.Svc.CatalogueItems(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, 200, map[string]any{"categories": nonNil(cats), "items": nonNil(items)})
	return nil
}

func (s *Server) getCatalogueItem(w http.ResponseWriter, r *http.Request) error {
	it, hist, err := s.Svc.CatalogueItem(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, map[string]any{"item": it, "history": hist})
	return nil
}

func (s *Server) proposeItem(w http.ResponseWriter, r *http.Request) error {
	var it xinyong.CatalogueItem
	if err := decodeJSON(r, s.MaxBody, &it); err != nil {
		return err
	}
	it, err := s.Svc.ProposeItem(r.Context(), actorOf(r), it)
	if err != nil {
		return err
	}
	writeJSON(w, 201, it)
	return nil
}

type transitionInput struct {
	Status xinyong.ItemStatus `json:"status"`
	Note   string             `json:"note,omitempty"`
}

func (s *Server) transitionItem(w http.ResponseWriter, r *http.Request) error {
	var in transitionInput
	if err := decodeJSON(r, s.MaxBody, &in); err != nil {
		return err
	}
	it, err := s.Svc.TransitionItem(r.Context(), actorOf(r), r.PathValue("code"), in.Status, in.Note)
	if err != nil {
		return err
	}
	writeJSON(w, 200, it)
	return nil
}

func (s *Server) loadSupplement(w http.ResponseWriter, r *http.Request) error {
	if err := xinyong.Authorize(actorOf(r), xinyong.ActCatalogueLoad, xinyong.Resource{}, nil); err != nil {
		return err
	}
	var raw map[string]any
	body, err := io.ReadAll(io.LimitReader(r.Body, s.MaxBody+1))
	if err != nil {
		return err
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err := decodeJSON(r, s.MaxBody, &raw); err != nil {
		return err
	}
	sup, err := s.Svc.LoadSupplement(r.Context(), actorOf(r), bytes.NewReader(body))
	if err != nil {
		return err
	}
	writeJSON(w, 201, sup)
	return nil
}

func (s *Server) getMeasures(w http.ResponseWriter, r *http.Request) error {
	ref, err := s.Svc.Reference(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, 200, map[string]any{"measures": nonNil(ref.Measures)})
	return nil
}

func (s *Server) getListTypes(w http.ResponseWriter, r *http.Request) error {
	ref, err := s.Svc.Reference(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, 200, map[string]any{"list_types": nonNil(ref.ListTypes)})
	return nil
}

func (s *Server) getRegimes(w http.ResponseWriter, r *http.Request) error {
	ref, err := s.Svc.Reference(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, 200, map[string]any{"regimes": nonNil(ref.Regimes)})
	return nil
}

func (s *Server) getCalendar(w http.ResponseWriter, r *http.Request) error {
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || year < 1949 || year > 2100 {
		return xinyong.Invalid("bad year", xinyong.FieldError{Field: "year", Rule: "calendar.year", Message: "year is a number between 1949 and 2100"})
	}
	days, err := s.Svc.CalendarYear(r.Context(), year)
	if err != nil {
		return err
	}
	writeJSON(w, 200, map[string]any{"year": year, "days": days})
	return nil
}

type overrideInput struct {
	Kind   string `json:"kind"` // holiday or workday
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

func (s *Server) putOverride(w http.ResponseWriter, r *http.Request) error {
	var in overrideInput
	if err := decodeJSON(r, s.MaxBody, &in); err != nil {
		return err
	}
	o, err := s.Svc.PutOverride(r.Context(), actorOf(r), r.PathValue("date"), in.Kind, in.Name, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, 200, o)
	return nil
}

func (s *Server) deleteOverride(w http.ResponseWriter, r *http.Request) error {
	if err := s.Svc.DeleteOverride(r.Context(), actorOf(r), r.PathValue("date")); err != nil {
		return err
	}
	w.WriteHeader(204)
	return nil
}

// identAnswer is the public answer about a code: a citizen ID number is
// only ever echoed masked.
type identAnswer struct {
	Code     string `json:"code"`
	Valid    bool   `json:"valid"`
	Reason   string `json:"reason,omitempty"`
	Rule     string `json:"rule,omitempty"`
	Kind     string `json:"kind,omitempty"`
	OrgType  string `json:"org_type,omitempty"`
	Sex      string `json:"sex,omitempty"`
	Birth    string `json:"birth_date,omitempty"`
	Division string `json:"division,omitempty"`
}

func (s *Server) getIdent(w http.ResponseWriter, r *http.Request) error {
	raw := r.PathValue("code")
	if len(raw) > 64 {
		return xinyong.Invalid("code too long", xinyong.FieldError{Field: "code", Rule: "code.length", Message: "a code has 18 characters"})
	}
	id, err := xinyong.ParseIdentity(raw)
	ans := identAnswer{Code: xinyong.NormalizeCode(raw)}
	if looksLikePerson(ans.Code) {
		ans.Code = xinyong.MaskID(ans.Code)
	}
	if err != nil {
		ans.Reason = xinyong.ErrorMessage(err)
		if f := xinyong.ErrorFields(err); len(f) > 0 {
			ans.Rule = f[0].Rule
		}
		writeJSON(w, 200, ans)
		return nil
	}
	ans.Valid, ans.Kind, ans.Division = true, string(id.Kind), id.Division
	if id.OrgType != nil {
		ans.OrgType = id.OrgType.Authority + "/" + id.OrgType.Type
	}
	if id.Kind == xinyong.KindPerson {
		ans.Sex, ans.Birth, ans.Division = string(id.Sex), id.Birth.String(), id.Division
	}
	writeJSON(w, 200, ans)
	return nil
}

// looksLikePerson reports whether a code could be a citizen ID number (so
// that it is never echoed in full).
func looksLikePerson(code string) bool {
	if len(code) != 18 {
		return false
	}
	for i := 0; i < 17; i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

type overrideCodeInput struct {
	Code   string `json:"code"`
	Kind   string `json:"kind"`
	Reason string `json:"reason"`
}

func (s *Server) postCodeOverride(w http.ResponseWriter, r *http.Request) error {
	var in overrideCodeInput
	if err := decodeJSON(r, s.MaxBody, &in); err != nil {
		return err
	}
	o, err := s.Svc.AddCodeOverride(r.Context(), actorOf(r), in.Code, in.Kind, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, 201, o)
	return nil
}

func (s *Server) getDepartments(w http.ResponseWriter, r *http.Request) error {
	ds, err := s.Svc.Departments(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, 200, map[string]any{"departments": nonNil(ds)})
	return nil
}

func (s *Server) postDepartment(w http.ResponseWriter, r *http.Request) error {
	var in workflow.DepartmentInput
	if err := decodeJSON(r, s.MaxBody, &in); err != nil {
		return err
	}
	d, err := s.Svc.CreateDepartment(r.Context(), actorOf(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, 201, d)
	return nil
}

func (s *Server) patchDepartment(w http.ResponseWriter, r *http.Request) error {
	var in workflow.DepartmentUpdate
	if err := decodeJSON(r, s.MaxBody, &in); err != nil {
		return err
	}
	d, err := s.Svc.UpdateDepartment(r.Context(), actorOf(r), r.PathValue("code"), in)
	if err != nil {
		return err
	}
	writeJSON(w, 200, d)
	return nil
}

func (s *Server) getAccounts(w http.ResponseWriter, r *http.Request) error {
	as, err := s.Svc.Accounts(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, 200, map[string]any{"accounts": nonNil(as)})
	return nil
}

func (s *Server) postAccount(w http.ResponseWriter, r *http.Request) error {
	var in workflow.AccountInput
	if err := decodeJSON(r, s.MaxBody, &in); err != nil {
		return err
	}
	a, pw, err := s.Svc.CreateAccount(r.Context(), actorOf(r), in)
	if err != nil {
		return err
	}
	out := map[string]any{"account": a}
	if in.Password == "" {
		out["one_time_password"] = pw
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 201, out)
	return nil
}

type disableInput struct {
	Disabled bool `json:"disabled"`
}

func (s *Server) disableAccount(w http.ResponseWriter, r *http.Request) error {
	var in disableInput
	if err := decodeJSON(r, s.MaxBody, &in); err != nil {
		return err
	}
	if err := s.Svc.DisableAccount(r.Context(), actorOf(r), r.PathValue("username"), in.Disabled); err != nil {
		return err
	}
	writeJSON(w, 200, map[string]any{"username": r.PathValue("username"), "disabled": in.Disabled})
	return nil
}

func (s *Server) getTokens(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.Svc.Tokens(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, 200, map[string]any{"tokens": nonNil(ts)})
	return nil
}

func (s *Server) postToken(w http.ResponseWriter, r *http.Request) error {
	var in workflow.TokenInput
	if err := decodeJSON(r, s.MaxBody, &in); err != nil {
		return err
	}
	k, secret, err := s.Svc.CreateToken(r.Context(), actorOf(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 201, map[string]any{"token": k, "secret": secret})
	return nil
}

func (s *Server) deleteToken(w http.ResponseWriter, r *http.Request) error {
	if err := s.Svc.RevokeToken(r.Context(), actorOf(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(204)
	return nil
}

func (s *Server) getAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	evs, err := s.Svc.Audit(r.Context(), actorOf(r), xinyong.AuditFilter{ObjectType: q.Get("object_type"), ObjectID: q.Get("object_id"), Actor: q.Get("actor"), Action: xinyong.Action(q.Get("action")), Limit: limit})
	if err != nil {
		return err
	}
	writeJSON(w, 200, map[string]any{"events": nonNil(evs)})
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

var _ = strings.TrimSpace
