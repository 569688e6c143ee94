package server

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"xinyong"
	"xinyong/internal/report"
	"xinyong/internal/workflow"
)

// The officer's forms for the listing procedure (issue 6): propose, send
// the notice, record an objection and the answer, decide, list, remove.
// Each form calls the workflow step the API calls; the rules (order of the
// steps, the parts a decision must state, deadlines) are the domain's, and
// a refusal shows the form again with the precise message. The notice and
// the decision are also documents: HTML pages in the console and PDFs
// (/api/v1/listings/{id}/notice.pdf, /decision.pdf).

// listingSteps are the step forms, in procedure order.
var listingSteps = []string{"notify", "object", "verify", "decide", "list", "remove"}

func (w *web) installListingConsole(mux *http.ServeMux) {
	mux.HandleFunc("GET /console/listings/new", w.proposeForm)
	mux.HandleFunc("POST /console/listings", w.proposeListing)
	mux.HandleFunc("POST /console/listings/{id}/{step}", w.listingStepForm)
	mux.HandleFunc("GET /console/listings/{id}/decision", w.listingDocPage("decision"))
	mux.HandleFunc("GET /console/listings/{id}/notice", w.listingDocPage("notice"))
}

// listingDocRoutes: the listing documents as PDF (API route table, so they
// are in the OpenAPI document; a console session works too).
func (s *Server) listingDocRoutes() []route {
	return []route{
		{Method: "GET", Path: "/api/v1/listings/{id}/decision.pdf", Tag: "listings", Auth: "token", Summary: "The decision document (认定决定书) as PDF: reason, basis, the measures that follow (from the measures list), listing period, removal conditions and procedure, remedies (administrative reconsideration, litigation)", Handler: s.listingDocPDF("decision")},
		{Method: "GET", Path: "/api/v1/listings/{id}/notice.pdf", Tag: "listings", Auth: "token", Summary: "The prior notice (告知书) as PDF: reasons, basis, the party's rights and the objection deadline in working days", Handler: s.listingDocPDF("notice")},
	}
}

// listingDoc builds a listing's notice or decision as the actor may read it.
func (s *Server) listingDoc(r *http.Request, kind string) (report.ListingDocument, workflow.ListingView, error) {
	v, err := s.Svc.Listing(r.Context(), actorOf(r), r.PathValue("id"))
	if err != nil {
		return report.ListingDocument{}, v, err
	}
	in := report.ListingDoc{Listing: v.Listing, ListTypeName: v.ListTypeName, Measures: v.Measures}
	if d, err := s.Svc.FindDepartment(r.Context(), v.DepartmentID); err == nil {
		in.Department = d.Name
	}
	if v.Subject != nil {
		in.PartyName, in.PartyCode = v.Subject.Name, xinyong.MaskIDIfPerson(v.Subject.Code)
	}
	var doc report.ListingDocument
	if kind == "notice" {
		doc, err = report.NoticeDocument(in)
	} else {
		doc, err = report.DecisionDocument(in)
	}
	return doc, v, err
}

func (s *Server) listingDocPDF(kind string) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		doc, v, err := s.listingDoc(r, kind)
		if err != nil {
			return err
		}
		b, err := report.ListingDocumentPDF(doc, s.Svc.Now())
		if err != nil {
			return err
		}
		h := w.Header()
		h.Set("Content-Type", "application/pdf")
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Disposition", `inline; filename="`+kind+"-"+v.ID+`.pdf"`)
		w.WriteHeader(http.StatusOK)
		w.Write(b)
		return nil
	}
}

type listingDocPage struct {
	Doc  report.ListingDocument
	ID   string
	Kind string
}

func (w *web) listingDocPage(kind string) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		p, ok := w.signedIn(rw, r)
		if !ok {
			return
		}
		doc, v, err := w.s.listingDoc(r, kind)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		p.Data, p.Title = listingDocPage{Doc: doc, ID: v.ID, Kind: kind}, doc.Title
		rw.Header().Set("Cache-Control", "no-store")
		w.render(rw, r, "decision", http.StatusOK, p)
	}
}

// ---- propose ----

type proposePage struct {
	Subject    string
	Found      *xinyong.Subject
	Candidates []xinyong.Record
	ListTypes  []xinyong.ListType
	Form       consoleForm
}

func (w *web) renderPropose(rw http.ResponseWriter, r *http.Request, p Page, subject string, form consoleForm, status int) {
	// A citizen ID number typed here is never echoed back in full.
	data := proposePage{Subject: xinyong.MaskCitizenIDs(subject), Form: form}
	ref, err := w.s.Svc.Reference(r.Context())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	data.ListTypes = ref.ListTypes
	if subject != "" {
		subj, recs, err := w.s.Svc.ListingCandidates(r.Context(), p.Actor, subject)
		switch {
		case err == nil:
			subj.Code = xinyong.MaskIDIfPerson(subj.Code)
			data.Found, data.Candidates = &subj, recs
		case p.Error == "":
			p.Error = xinyong.MaskCitizenIDs(xinyong.ErrorMessage(err))
		}
	}
	p.Data, p.Title = data, p.T("listing.propose")
	rw.Header().Set("Cache-Control", "no-store")
	w.render(rw, r, "console_listing_new", status, p)
}

func (w *web) proposeForm(rw http.ResponseWriter, r *http.Request) {
	p, ok := w.signedIn(rw, r)
	if !ok {
		return
	}
	if err := xinyong.Authorize(p.Actor, xinyong.ActListingManage, xinyong.Resource{DepartmentID: p.Actor.DepartmentID}, nil); err != nil {
		w.fail(rw, r, err)
		return
	}
	w.renderPropose(rw, r, p, strings.TrimSpace(r.URL.Query().Get("subject")), consoleForm{}, http.StatusOK)
}

func (w *web) proposeListing(rw http.ResponseWriter, r *http.Request) {
	p, ok := w.signedIn(rw, r)
	if !ok {
		return
	}
	if err := parseConsoleForm(rw, r); err != nil {
		w.fail(rw, r, err)
		return
	}
	f := r.PostForm
	ids := append(slices.Clone(f["record_ids"]), splitList(strings.ReplaceAll(f.Get("record_ids_text"), " ", ","))...)
	in := xinyong.ListingProposal{ListType: f.Get("list_type"), Subject: strings.TrimSpace(f.Get("subject")), RecordIDs: ids,
		Reasons: f.Get("reasons"), Basis: f.Get("basis"), LeniencyReason: f.Get("leniency_reason")}
	if in.Subject == "" && len(ids) > 0 {
		// The subject of the first record (a natural person is never
		// named by an ID number in a form).
		if rec, _, err := w.s.Svc.RecordView(r.Context(), p.Actor, ids[0]); err == nil {
			in.Subject = rec.SubjectID
		}
	}
	l, err := w.s.Svc.ProposeListing(r.Context(), p.Actor, in)
	if err != nil {
		w.refused(rw, r, p, err, func(p Page, status int, fields []xinyong.FieldError) {
			w.renderPropose(rw, r, p, f.Get("subject"), consoleForm{Values: f, Fields: fields}, status)
		})
		return
	}
	http.Redirect(rw, r, "/console/listings/"+l.ID+"?done=proposed", http.StatusSeeOther)
}

// ---- steps ----

// stepsFor returns the step forms open in the listing's state.
func stepsFor(l xinyong.Listing) []string {
	var out []string
	for _, s := range listingSteps {
		ok := false
		switch s {
		case "notify":
			ok = xinyong.CanTransition(l.State, xinyong.ListingNotified)
		case "object":
			ok = xinyong.CanTransition(l.State, xinyong.ListingObjected)
		case "verify":
			ok = xinyong.CanTransition(l.State, xinyong.ListingVerified)
		case "decide":
			ok = xinyong.CanTransition(l.State, xinyong.ListingDecided)
		case "list":
			ok = xinyong.CanTransition(l.State, xinyong.ListingListed)
		case "remove":
			ok = l.State != xinyong.ListingRemoved
		}
		if ok {
			out = append(out, s)
		}
	}
	return out
}

func (w *web) listingStepForm(rw http.ResponseWriter, r *http.Request) {
	p, ok := w.signedIn(rw, r)
	if !ok {
		return
	}
	step := r.PathValue("step")
	if !slices.Contains(listingSteps, step) {
		w.fail(rw, r, xinyong.Errorf(xinyong.ENOTFOUND, "no step %q; the steps are %s", step, strings.Join(listingSteps, ", ")))
		return
	}
	if err := parseConsoleForm(rw, r); err != nil {
		w.fail(rw, r, err)
		return
	}
	ctx, f, id, svc := r.Context(), r.PostForm, r.PathValue("id"), w.s.Svc
	var err error
	switch step {
	case "notify":
		var v xinyong.Validation
		days := intField(&v, f, "objection_working_days")
		if err = v.Err("the notice is incomplete"); err == nil {
			_, err = svc.NotifyListing(ctx, p.Actor, id, xinyong.NoticeInput{Reasons: f.Get("reasons"), Basis: f.Get("basis"), Rights: f.Get("rights"), Days: days})
		}
	case "object":
		_, err = svc.ObjectListing(ctx, p.Actor, id, xinyong.ObjectionInput{Statement: f.Get("statement"), Evidence: splitList(f.Get("evidence"))})
	case "verify":
		_, err = svc.VerifyListing(ctx, p.Actor, id, xinyong.VerifyInput{Answer: f.Get("answer"), Upheld: f.Get("upheld") == "1"})
	case "decide":
		var v xinyong.Validation
		ext := intField(&v, f, "extension_months")
		if err = v.Err("the decision is refused"); err == nil {
			_, err = svc.DecideListing(ctx, p.Actor, id, xinyong.ListingDecision{Number: strings.TrimSpace(f.Get("number")), Reason: f.Get("reason"), Basis: f.Get("basis"),
				Measures: f["measures"], RemovalConditions: f.Get("removal_conditions"), RemovalProcedure: f.Get("removal_procedure"),
				Remedies: xinyong.Remedies{Reconsideration: f.Get("reconsideration"), Litigation: f.Get("litigation")}, ExtensionMonths: ext})
		}
	case "list":
		_, err = svc.ListListing(ctx, p.Actor, id)
	case "remove":
		_, err = svc.RemoveListing(ctx, p.Actor, id, f.Get("reason"), f.Get("note"))
	}
	if err != nil {
		w.refused(rw, r, p, err, func(p Page, status int, fields []xinyong.FieldError) {
			w.renderListing(rw, r, p, id, consoleForm{Values: f, Fields: fields}, step, status)
		})
		return
	}
	http.Redirect(rw, r, "/console/listings/"+url.PathEscape(id)+"?done="+step, http.StatusSeeOther)
}
