package server

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"xinyong"
	"xinyong/internal/report"
	"xinyong/internal/workflow"
)

// reportRoutes: credit reports and their verification (issue 5).
func (s *Server) reportRoutes() []route {
	return []route{
		{Method: "GET", Path: "/api/v1/subjects/{code}/report.pdf", Tag: "reports", Auth: "public", Summary: "Issue a credit report as PDF (application/pdf): an organisation's public report to anyone; a natural person's report only to that person (subject account) or to an organisation (token) with ?consent=ID&purpose=TEXT naming the person's consent in force, which also writes a query-use entry. Each call issues a new, registered report", Handler: s.getReportPDF},
		{Method: "GET", Path: "/api/v1/subjects/{code}/report.json", Tag: "reports", Auth: "public", Summary: "Issue a credit report as JSON: {report, verification}; the same access rules as report.pdf", Handler: s.getReportJSON},
		{Method: "GET", Path: "/api/v1/reports/{number}/verify", Tag: "reports", Auth: "public", Summary: "Check a report number against the register: genuine (with subject, issue time, ledger checkpoint, digest and verification code) or refused", Handler: s.getReportVerify},
		{Method: "POST", Path: "/api/v1/reports/verify", Tag: "reports", Auth: "public", Summary: "Check a JSON report document (as report.json served it) is genuine and unaltered: any changed byte is refused", Request: report.Document{}, Handler: s.postReportVerify},
	}
}

func (s *Server) issueReport(w http.ResponseWriter, r *http.Request) (workflow.Issued, error) {
	q := r.URL.Query()
	if a := actorOf(r); a.Kind == xinyong.Public.Kind {
		client := clientKey(r, s.TrustedProxies)
		ok, full, retry := s.publicReports.allow(client)
		if !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(retry.Seconds())+1))
			if full {
				return workflow.Issued{}, xinyong.Errorf(xinyong.ETOOMANY,
					"too many clients have asked for reports without signing in this hour; try again in %d minutes, or sign in", int(retry.Minutes())+1)
			}
			return workflow.Issued{}, xinyong.Errorf(xinyong.ETOOMANY,
				"a client may issue %d reports an hour without signing in; try again in %d minutes, or sign in", s.publicReports.max, int(retry.Minutes())+1)
		}
		iss, err := s.Svc.IssueReportWith(r.Context(), a, r.PathValue("code"), workflow.ReportAccess{Consent: q.Get("consent"), Purpose: q.Get("purpose")})
		if err != nil {
			s.publicReports.refund(client) // nothing was issued
		}
		return iss, err
	}
	return s.Svc.IssueReportWith(r.Context(), actorOf(r), r.PathValue("code"), workflow.ReportAccess{Consent: q.Get("consent"), Purpose: q.Get("purpose")})
}

func reportHeaders(w http.ResponseWriter, number string) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Report-Number", number)
}

func (s *Server) getReportPDF(w http.ResponseWriter, r *http.Request) error {
	iss, err := s.issueReport(w, r)
	if err != nil {
		return err
	}
	pdf, err := iss.PDF()
	if err != nil {
		return err
	}
	reportHeaders(w, iss.Report.Number)
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+iss.Report.Number+`.pdf"`)
	w.WriteHeader(http.StatusOK)
	w.Write(pdf)
	return nil
}

func (s *Server) getReportJSON(w http.ResponseWriter, r *http.Request) error {
	iss, err := s.issueReport(w, r)
	if err != nil {
		return err
	}
	reportHeaders(w, iss.Report.Number)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="`+iss.Report.Number+`.json"`)
	w.WriteHeader(http.StatusOK)
	w.Write(iss.Document)
	return nil
}

// getReportVerify answers 200 with genuine true, or 404 with genuine false
// when the number was never issued here (or is not a number).
func (s *Server) getReportVerify(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Svc.VerifyReport(r.Context(), r.PathValue("number"))
	if err != nil {
		return err
	}
	status := http.StatusOK
	if !c.Found {
		status = http.StatusNotFound
	}
	writeJSON(w, status, c)
	return nil
}

// maxReportBody bounds a report document submitted for verification.
const maxReportBody = 16 << 20

// postReportVerify answers 200 with genuine true or false: the check ran.
func (s *Server) postReportVerify(w http.ResponseWriter, r *http.Request) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.Contains(ct, "json") {
		return xinyong.Errorf(xinyong.EUNSUPPORTED, "send the report document as application/json (got %q)", ct)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxReportBody+1))
	if err != nil {
		return xinyong.Errorf(xinyong.EINVALID, "could not read the request body")
	}
	if len(body) > maxReportBody {
		return xinyong.Errorf(xinyong.ETOOLARGE, "a report document is at most %d bytes", maxReportBody)
	}
	c, err := s.Svc.VerifyReportDocument(r.Context(), body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// verifyPage is the /verify page's data.
type verifyPage struct {
	Number    string
	Code      string
	Checked   bool
	Check     workflow.ReportCheck
	CodeGiven bool
	CodeOK    bool
}

// verify is the public report verification page: a form with the report
// number (and optionally the verification code printed on it), answering
// genuine or refused. It works without JavaScript.
func (w *web) verify(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	data := verifyPage{Number: strings.TrimSpace(q.Get("number")), Code: strings.ToUpper(strings.TrimSpace(q.Get("code")))}
	if len(data.Number) > 64 {
		data.Number = data.Number[:64]
	}
	if len(data.Code) > 32 {
		data.Code = data.Code[:32]
	}
	status := http.StatusOK
	if data.Number != "" {
		c, err := w.s.Svc.VerifyReport(r.Context(), data.Number)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		data.Checked, data.Check = true, c
		if data.Code != "" {
			data.CodeGiven = true
			data.CodeOK = c.Genuine && data.Code == c.Code
		}
		if !c.Found {
			status = http.StatusNotFound
		}
	}
	p := w.page(r, "", data)
	p.Title = "报告核验"
	if p.Lang == "en" {
		p.Title = "Verify a credit report"
	}
	w.render(rw, r, "verify", status, p)
}
