package server

import (
	"net/http"
	"strings"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

// sharingRoutes: the query of shared information, consent and the
// query-use log (issue 5; DOMAIN.md §7). What is shown is xinyong.Visible's
// decision, through the workflow; handlers only translate.
func (s *Server) sharingRoutes() []route {
	return []route{
		{Method: "GET", Path: "/api/v1/subjects/{code}/records", Tag: "sharing", Auth: "token", Summary: "Query a subject's shared credit information (department officers, relying agencies): query purpose (required) and basis (a statutory basis) or consent (the id of the subject's consent in force). Returns only what the caller may see; every query is registered in the query-use log (query_id)", Handler: s.getSharedRecords},
		{Method: "POST", Path: "/api/v1/consents", Tag: "sharing", Auth: "token", Summary: "Grant consent (a subject, for itself): organisation, items (catalogue item codes), purpose and expires_at (RFC 3339 time or YYYY-MM-DD, required, at most one year ahead by default)", Request: consentInput{}, Status: 201, Handler: s.postConsent},
		{Method: "GET", Path: "/api/v1/consents", Tag: "sharing", Auth: "token", Summary: "List one's own consents (a subject), newest first", Handler: s.getConsents},
		{Method: "POST", Path: "/api/v1/consents/{id}/revoke", Tag: "sharing", Auth: "token", Summary: "Revoke one's consent at once (the subject that granted it)", Handler: s.revokeConsent},
		{Method: "GET", Path: "/api/v1/subjects/{code}/queries", Tag: "sharing", Auth: "token", Summary: "Who queried me: the query-use entries about the caller's own subject (code: its code, reference or me); query page", Handler: s.getSubjectQueries},
		{Method: "GET", Path: "/api/v1/query-log", Tag: "sharing", Auth: "token", Summary: "Review the query-use log (auditor, admin), newest first; query actor, subject, from, to (RFC 3339 or YYYY-MM-DD), flagged, reviewed (true/false), page", Handler: s.getQueryLog},
		{Method: "POST", Path: "/api/v1/query-log/{id}/review", Tag: "sharing", Auth: "token", Summary: "Mark a query-use entry reviewed, with a note (auditor)", Request: reviewInput{}, Handler: s.reviewQuery},
		{Method: "GET", Path: "/api/v1/query-log.csv", Tag: "sharing", Auth: "token", Summary: "Export the query-use log as CSV (text/csv; auditor, admin), with the filters of /api/v1/query-log; the export is audited", Handler: s.getQueryLogCSV},
	}
}

func (s *Server) getSharedRecords(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	res, err := s.Svc.QuerySharedRecords(r.Context(), actorOf(r), r.PathValue("code"), workflow.SharedQuery{Purpose: q.Get("purpose"), Basis: q.Get("basis"), Consent: q.Get("consent")})
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 200, res)
	return nil
}

// consentInput is a grant as sent: the expiry as an RFC 3339 time or a day
// (the consent then runs to the end of that day, China time).
type consentInput struct {
	Organisation string   `json:"organisation"`
	Items        []string `json:"items"`
	Purpose      string   `json:"purpose"`
	ExpiresAt    string   `json:"expires_at"`
}

func (s *Server) postConsent(w http.ResponseWriter, r *http.Request) error {
	var in consentInput
	if err := decodeJSON(r, s.MaxBody, &in); err != nil {
		return err
	}
	ci := xinyong.ConsentInput{Organisation: in.Organisation, Items: in.Items, Purpose: in.Purpose}
	if v := strings.TrimSpace(in.ExpiresAt); v != "" {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			ci.ExpiresAt = t
		} else if d, err := xinyong.ParseDate(v); err == nil {
			ci.ExpiresAt = d.AddDays(1).Start()
		} else {
			return xinyong.Invalid("the consent is not valid", xinyong.FieldError{Field: "expires_at", Rule: "consent.expiry.format", Message: "expires_at is a time (RFC 3339) or a day YYYY-MM-DD"})
		}
	}
	c, err := s.Svc.GrantConsent(r.Context(), actorOf(r), ci)
	if err != nil {
		return err
	}
	writeJSON(w, 201, c)
	return nil
}

func (s *Server) getConsents(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.Svc.Consents(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, 200, map[string]any{"consents": cs})
	return nil
}

func (s *Server) revokeConsent(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Svc.RevokeConsent(r.Context(), actorOf(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, c)
	return nil
}

func (s *Server) getSubjectQueries(w http.ResponseWriter, r *http.Request) error {
	page, err := pageParam(r)
	if err != nil {
		return err
	}
	p, err := s.Svc.SubjectQueries(r.Context(), actorOf(r), r.PathValue("code"), page)
	if err != nil {
		return err
	}
	writeJSON(w, 200, p)
	return nil
}

func queryLogQuery(r *http.Request) (workflow.QueryLogQuery, error) {
	page, err := pageParam(r)
	q := r.URL.Query()
	return workflow.QueryLogQuery{Actor: q.Get("actor"), Subject: q.Get("subject"), From: q.Get("from"), To: q.Get("to"), Flagged: q.Get("flagged"), Reviewed: q.Get("reviewed"), Page: page}, err
}

func (s *Server) getQueryLog(w http.ResponseWriter, r *http.Request) error {
	q, err := queryLogQuery(r)
	if err != nil {
		return err
	}
	p, err := s.Svc.QueryLog(r.Context(), actorOf(r), q)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 200, p)
	return nil
}

type reviewInput struct {
	Note string `json:"note"`
}

func (s *Server) reviewQuery(w http.ResponseWriter, r *http.Request) error {
	var in reviewInput
	if err := decodeJSON(r, s.MaxBody, &in); err != nil {
		return err
	}
	q, err := s.Svc.ReviewQuery(r.Context(), actorOf(r), r.PathValue("id"), in.Note)
	if err != nil {
		return err
	}
	writeJSON(w, 200, q)
	return nil
}

func (s *Server) getQueryLogCSV(w http.ResponseWriter, r *http.Request) error {
	q, err := queryLogQuery(r)
	if err != nil {
		return err
	}
	started := false
	err = s.Svc.ExportQueryLog(r.Context(), actorOf(r), q, func() {
		started = true
		h := w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="query-log.csv"`)
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("\ufeff")) // a BOM, so that spreadsheet programs read UTF-8
	}, w)
	if err != nil && started {
		// The body has begun: the error can only end it.
		s.Log.Error("query-log export failed", "request_id", requestID(r.Context()), "err", err)
		return nil
	}
	return err
}
