package server

import (
	"io"
	"net/http"

	"xinyong"
	"xinyong/internal/workflow"
)

// measureRoutes: the measures check with its signed receipt, receipt
// verification, the agencies' feedback and supplementary measures (issue 6
// "Punishment measures"; DOMAIN.md §5). Decisions are the workflow's and
// the domain's; handlers only translate.
func (s *Server) measureRoutes() []route {
	return []route{
		{Method: "GET", Path: "/api/v1/measures/check", Tag: "measures", Auth: "token", Summary: "Measures check (relying agencies, token role agency): query subject (unified social credit code or subject reference), matter and purpose (required). Answers the applicable measures (each with its basis and the listings or records that trigger it; kind-3 measures as information only) and a receipt signed with the platform's key; every check is registered in the query-use log", Handler: s.getMeasuresCheck},
		{Method: "POST", Path: "/api/v1/receipts/verify", Tag: "measures", Auth: "public", Summary: "Verify a measures-check receipt: the body is the receipt JSON exactly as received; answers valid true or false with the reason", Handler: s.verifyReceipt},
		{Method: "POST", Path: "/api/v1/measures/feedback", Tag: "measures", Auth: "token", Summary: "Report what was applied after a check (the agency that ran it): check_id and lines of measure_id, applied, reason. Applying a measure the check did not return is refused and counted", Request: feedbackInput{}, Status: 201, Handler: s.postFeedback},
		{Method: "POST", Path: "/api/v1/measures", Tag: "measures", Auth: "token", Summary: "Add a supplementary measure (admin): provincial or city layer, with its legal basis, item, target, means, body and triggers", Request: xinyong.Measure{}, Status: 201, Handler: s.postMeasure},
	}
}

func (s *Server) getMeasuresCheck(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	res, err := s.Svc.Check(r.Context(), actorOf(r), q.Get("subject"), q.Get("matter"), q.Get("purpose"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 200, res)
	return nil
}

// receiptVerdict is the answer of POST /api/v1/receipts/verify.
type receiptVerdict struct {
	Valid   bool             `json:"valid"`
	Reason  string           `json:"reason,omitempty"`
	Receipt *xinyong.Receipt `json:"receipt,omitempty"`
}

func (s *Server) verifyReceipt(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		return xinyong.Invalid("the receipt is too large or unreadable", xinyong.FieldError{Field: "body", Rule: "receipt.size", Message: "a receipt is at most 64 KiB"})
	}
	rc, err := xinyong.VerifyReceipt(body, s.Svc.Verifier)
	if err != nil {
		writeJSON(w, 200, receiptVerdict{Valid: false, Reason: err.Error()})
		return nil
	}
	writeJSON(w, 200, receiptVerdict{Valid: true, Receipt: &rc})
	return nil
}

type feedbackInput struct {
	CheckID string                  `json:"check_id"`
	Lines   []workflow.FeedbackLine `json:"lines"`
}

func (s *Server) postFeedback(w http.ResponseWriter, r *http.Request) error {
	var in feedbackInput
	if err := decodeJSON(r, s.MaxBody, &in); err != nil {
		return err
	}
	fb, err := s.Svc.Feedback(r.Context(), actorOf(r), in.CheckID, in.Lines)
	if err != nil {
		return err
	}
	writeJSON(w, 201, map[string]any{"feedback": fb})
	return nil
}

func (s *Server) postMeasure(w http.ResponseWriter, r *http.Request) error {
	var m xinyong.Measure
	if err := decodeJSON(r, s.MaxBody, &m); err != nil {
		return err
	}
	m, err := s.Svc.AddMeasure(r.Context(), actorOf(r), m)
	if err != nil {
		return err
	}
	writeJSON(w, 201, m)
	return nil
}
