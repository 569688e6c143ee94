package server

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"xinyong"
	"xinyong/internal/workflow"
)

// listingRoutes: serious-dishonesty listings (issue 6; DOMAIN.md §4). The
// rules are xinyong's and the steps the workflow's; handlers translate.
func (s *Server) listingRoutes() []route {
	return []route{
		{Method: "POST", Path: "/api/v1/listings", Tag: "listings", Auth: "token", Summary: "Propose a listing (officer of the department whose records it rests on): list_type, subject (code or reference), record_ids, reasons, basis, leniency_reason (required when a record carries a leniency flag). Minors are refused", Request: xinyong.ListingProposal{}, Status: 201, Handler: s.postListing},
		{Method: "POST", Path: "/api/v1/listings/{id}/notify", Tag: "listings", Auth: "token", Summary: "Send the prior notice (告知): reasons and basis (default: the proposal's), rights, objection_working_days (default: the list type's); the objection deadline is computed on the working-day calendar", Request: xinyong.NoticeInput{}, Handler: s.listingStepHandler("notify")},
		{Method: "POST", Path: "/api/v1/listings/{id}/object", Tag: "listings", Auth: "token", Summary: "Object (异议) within the objection window: the subject itself, or the officer recording its statement; statement and evidence", Request: xinyong.ObjectionInput{}, Handler: s.listingStepHandler("object")},
		{Method: "POST", Path: "/api/v1/listings/{id}/verify", Tag: "listings", Auth: "token", Summary: "Answer the objection (核实答复): answer, upheld (an upheld objection ends the procedure)", Request: xinyong.VerifyInput{}, Handler: s.listingStepHandler("verify")},
		{Method: "POST", Path: "/api/v1/listings/{id}/decide", Tag: "listings", Auth: "token", Summary: "Issue the decision document (认定决定书): number, reason, basis, measures (codes from the measures list for the list type), removal_conditions, removal_procedure, remedies {reconsideration, litigation}; a decision missing a part is refused naming the parts. Of two racing decisions exactly one wins", Request: xinyong.ListingDecision{}, Handler: s.listingStepHandler("decide")},
		{Method: "POST", Path: "/api/v1/listings/{id}/list", Tag: "listings", Auth: "token", Summary: "Put a decided listing on the list (published if the list type says so); the end date follows the listing period", Handler: s.listingStepHandler("list")},
		{Method: "POST", Path: "/api/v1/listings/{id}/remove", Tag: "listings", Auth: "token", Summary: "Remove a listing: reason early (after the list type's minimum; note states the conditions met), expired or revoked", Request: removeInput{}, Handler: s.listingStepHandler("remove")},
		{Method: "GET", Path: "/api/v1/listings/{id}", Tag: "listings", Auth: "token", Summary: "A listing with its documents, due step, measures and history (every version)", Handler: s.getListing},
		{Method: "GET", Path: "/api/v1/listings", Tag: "listings", Auth: "token", Summary: "The listing queue, open listings soonest due first (overdue first): officers see their own department's only; query state (removed ones only when asked), overdue (true), department (admin, auditor), offset and limit (default 100, at most 500). Answers {listings, total, offset, limit, more, next_offset}", Handler: s.getListings},
		{Method: "POST", Path: "/api/v1/list-types", Tag: "listings", Auth: "token", Summary: "Add or change a list type (admin): refused without a legal basis or outside the four fields (health_life, fair_competition, statutory_duty, national_defence)", Request: xinyong.ListType{}, Status: 201, Handler: s.postListType},
		{Method: "GET", Path: "/listings/{id}/decision", Tag: "listings", Auth: "token", Summary: "The decision document (认定决定书) as an HTML page (zh-CN)", Handler: s.getDecisionHTML},
	}
}

type removeInput struct {
	Reason string `json:"reason"`
	Note   string `json:"note"`
}

func (s *Server) postListing(w http.ResponseWriter, r *http.Request) error {
	var in xinyong.ListingProposal
	if err := decodeJSON(r, s.MaxBody, &in); err != nil {
		return err
	}
	l, err := s.Svc.ProposeListing(r.Context(), actorOf(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, 201, l)
	return nil
}

func (s *Server) listingStepHandler(step string) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx, actor, id := r.Context(), actorOf(r), r.PathValue("id")
		var l xinyong.Listing
		var err error
		decode := func(v any) error {
			if r.ContentLength == 0 {
				return nil
			}
			return decodeJSON(r, s.MaxBody, v)
		}
		switch step {
		case "notify":
			var in xinyong.NoticeInput
			if err = decode(&in); err == nil {
				l, err = s.Svc.NotifyListing(ctx, actor, id, in)
			}
		case "object":
			var in xinyong.ObjectionInput
			if err = decode(&in); err == nil {
				l, err = s.Svc.ObjectListing(ctx, actor, id, in)
			}
		case "verify":
			var in xinyong.VerifyInput
			if err = decode(&in); err == nil {
				l, err = s.Svc.VerifyListing(ctx, actor, id, in)
			}
		case "decide":
			var in xinyong.ListingDecision
			if err = decode(&in); err == nil {
				l, err = s.Svc.DecideListing(ctx, actor, id, in)
			}
		case "list":
			l, err = s.Svc.ListListing(ctx, actor, id)
		case "remove":
			var in removeInput
			if err = decode(&in); err == nil {
				l, err = s.Svc.RemoveListing(ctx, actor, id, in.Reason, in.Note)
			}
		}
		if err != nil {
			return err
		}
		writeJSON(w, 200, l)
		return nil
	}
}

func (s *Server) getListing(w http.ResponseWriter, r *http.Request) error {
	v, err := s.Svc.Listing(r.Context(), actorOf(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 200, v)
	return nil
}

func (s *Server) getListings(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	overdue := false
	switch strings.TrimSpace(q.Get("overdue")) {
	case "", "false", "0":
	case "true", "1":
		overdue = true
	default:
		return xinyong.Invalid("bad query", xinyong.FieldError{Field: "overdue", Rule: "bool", Message: "overdue is true or false"})
	}
	in := workflow.QueueRequest{Department: q.Get("department"), State: xinyong.ListingState(q.Get("state")), Overdue: overdue}
	var v xinyong.Validation
	for _, p := range []struct {
		name string
		to   *int
		min  int
	}{{"offset", &in.Offset, 0}, {"limit", &in.Limit, 1}} {
		if s := strings.TrimSpace(q.Get(p.name)); s != "" {
			// The upper bound is the workflow's (ListingQueuePage), which
			// names it; here the number and its lower bound.
			n, err := strconv.Atoi(s)
			if err != nil || n < p.min {
				v.Add(p.name, "int", "%s is a whole number from %d, not %q", p.name, p.min, clip(s))
				continue
			}
			*p.to = n
		}
	}
	if err := v.Err("bad query"); err != nil {
		return err
	}
	page, err := s.Svc.ListingQueuePage(r.Context(), actorOf(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 200, page)
	return nil
}

func (s *Server) postListType(w http.ResponseWriter, r *http.Request) error {
	var in xinyong.ListType
	if err := decodeJSON(r, s.MaxBody, &in); err != nil {
		return err
	}
	lt, err := s.Svc.PutListType(r.Context(), actorOf(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, 201, lt)
	return nil
}

// decisionTmpl renders the decision document built by report.DecisionDocument:
// the same model as the console's page and the PDF.
var decisionTmpl = template.Must(template.New("decision").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{.Title}} {{.Number}}</title></head>
<body><main>
<h1>{{.Title}}</h1>
{{if .Number}}<p class="number">{{.Number}}</p>{{end}}
<p>当事人：{{.Party}}</p>
<p>名单类型：{{.ListType}}</p>
{{range .Sections}}<h2>{{.No}}{{.Heading}}</h2>{{range .Paras}}<p>{{.}}</p>{{end}}{{end}}
<p class="issuer">{{.Issuer}}</p>
<p class="date">{{.Date}}</p>
{{range .Notes}}<p class="note">{{.}}</p>{{end}}
<p class="ref">{{.Ref}}</p>
</main></body></html>
`))

// getDecisionHTML renders the decision document (zh-CN).
func (s *Server) getDecisionHTML(w http.ResponseWriter, r *http.Request) error {
	doc, _, err := s.listingDoc(r, "decision")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", "zh-CN")
	w.Header().Set("Cache-Control", "no-store")
	return decisionTmpl.Execute(w, doc)
}
