package server

import (
	"net/http"
	"strings"

	"xinyong"
)

// objectionRoutes: objections to records (异议, issue 7; DOMAIN.md §6). The
// rules are xinyong's (objection.go) and the steps the workflow's.
func (s *Server) objectionRoutes() []route {
	return []route{
		{Method: "POST", Path: "/api/v1/records/{id}/objections", Tag: "objections", Auth: "public", Summary: "Object (异议) to a record: the subject for its own record (signed in), or anyone for published information with name and contact; fields disputed, reasons (required), evidence text. The record shows 异议处理中 at once; the answer is due within 3 working days (7 when forwarded to the source department)", Request: xinyong.RecordObjectionInput{}, Status: 201, Handler: s.postObjection},
		{Method: "POST", Path: "/api/v1/objections/{id}/forward", Tag: "objections", Auth: "token", Summary: "Forward a filed objection to the record's source department (admin): the limit becomes the forwarded one (7 working days from filing)", Request: xinyong.ObjectionForwardInput{}, Handler: s.postObjectionForward},
		{Method: "POST", Path: "/api/v1/objections/{id}/resolve", Tag: "objections", Auth: "token", Summary: "Answer an objection (admin, or the source department's officer or reviewer): outcome corrected (corrections: field → value; a new record version), deleted (publication and sharing end) or upheld; reasons required", Request: xinyong.ObjectionResolveInput{}, Handler: s.postObjectionResolve},
		{Method: "GET", Path: "/api/v1/objections/{id}", Tag: "objections", Auth: "token", Summary: "An objection with its history (every version) and whether it is overdue", Handler: s.getObjection},
		{Method: "GET", Path: "/api/v1/objections", Tag: "objections", Auth: "token", Summary: "The objection queue: officers see their own department's, subjects their own; query overdue (true), open (true), record, department (admin, auditor)", Handler: s.getObjections},
	}
}

func (s *Server) postObjection(w http.ResponseWriter, r *http.Request) error {
	var in xinyong.RecordObjectionInput
	if err := decodeJSON(r, s.MaxBody, &in); err != nil {
		return err
	}
	o, err := s.Svc.FileObjection(r.Context(), actorOf(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, 201, o)
	return nil
}

func (s *Server) postObjectionForward(w http.ResponseWriter, r *http.Request) error {
	var in xinyong.ObjectionForwardInput
	if r.ContentLength != 0 {
		if err := decodeJSON(r, s.MaxBody, &in); err != nil {
			return err
		}
	}
	o, err := s.Svc.ForwardObjection(r.Context(), actorOf(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, 200, o)
	return nil
}

func (s *Server) postObjectionResolve(w http.ResponseWriter, r *http.Request) error {
	var in xinyong.ObjectionResolveInput
	if err := decodeJSON(r, s.MaxBody, &in); err != nil {
		return err
	}
	o, err := s.Svc.ResolveObjection(r.Context(), actorOf(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, 200, o)
	return nil
}

func (s *Server) getObjection(w http.ResponseWriter, r *http.Request) error {
	v, hist, err := s.Svc.Objection(r.Context(), actorOf(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 200, map[string]any{"objection": v, "history": hist})
	return nil
}

func queryBool(q string, field string) (bool, error) {
	switch strings.TrimSpace(q) {
	case "", "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, xinyong.Invalid("bad query", xinyong.FieldError{Field: field, Rule: "bool", Message: field + " is true or false"})
}

func (s *Server) getObjections(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	overdue, err := queryBool(q.Get("overdue"), "overdue")
	if err != nil {
		return err
	}
	open, err := queryBool(q.Get("open"), "open")
	if err != nil {
		return err
	}
	f := xinyong.ObjectionFilter{DepartmentID: strings.TrimSpace(q.Get("department")), RecordID: strings.TrimSpace(q.Get("record")), Open: open}
	os, err := s.Svc.Objections(r.Context(), actorOf(r), f, overdue)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 200, map[string]any{"objections": os})
	return nil
}
