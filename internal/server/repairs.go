package server

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"xinyong"
	"xinyong/internal/workflow"
)

// Credit repair (信用修复, issue 7; DOMAIN.md §6): the eligibility answer,
// the application with its materials, the progress query, the deciding
// department's queue and decision, and the repair rule sets. Handlers only
// translate; the rules are xinyong's and the steps the workflow's.

func (s *Server) repairRoutes() []route {
	return []route{
		{Method: "GET", Path: "/api/v1/repair-rules", Tag: "repairs", Auth: "public", Summary: "The dated repair rule sets (2019 regime, NDRC Order 58, Order 36 / 国办发〔2025〕22号): conditions, what the law marks unrepairable, time limits in working days, treatments, legal basis and provenance", Handler: s.getRepairRules},
		{Method: "PUT", Path: "/api/v1/repair-rules", Tag: "repairs", Auth: "token", Summary: "Replace the repair rule sets with the province's own: {\"rules\": [...]} (admin; each set with a legal basis and dates, no overlaps)", Request: repairRulesInput{}, Handler: s.putRepairRules},
		{Method: "GET", Path: "/api/v1/records/{id}/repair-eligibility", Tag: "repairs", Auth: "token", Summary: "May the signed-in subject apply to repair this record, and why not: another subject's record, unrepairable by law, minimum publication period not run (with the date), under a serious-list entry, an open application; and what the application needs (obligations, commitment, proof). Free of charge", Handler: s.getEligibility("record")},
		{Method: "GET", Path: "/api/v1/listings/{id}/repair-eligibility", Tag: "repairs", Auth: "token", Summary: "The same for removal of a serious-list entry by repair (after the list type's minimum time listed)", Handler: s.getEligibility("listing")},
		{Method: "GET", Path: "/api/v1/repairs/commitment", Tag: "repairs", Auth: "token", Summary: "The credit commitment (信用承诺书) generated for the subject to sign, for query record or listing: text and its SHA-256", Handler: s.getCommitment},
		{Method: "POST", Path: "/api/v1/repairs", Tag: "repairs", Auth: "token", Summary: "Apply for credit repair (the subject, for its own record_id or listing_id): name, contact, correction, obligations_met, commitment; as JSON, or multipart/form-data with the same fields and up to 10 files \"proof\" (PDF, JPEG or PNG, sniffed from the content; at most --max-proof bytes each). Answers the application with its progress code and deadlines. Free: there is no fee", Request: xinyong.RepairInput{}, Status: 201, Handler: s.postRepair},
		{Method: "GET", Path: "/api/v1/repairs", Tag: "repairs", Auth: "token", Summary: "The repair queue by deadline: officers and reviewers their department's, the admin the platform's (department=…, or all), subjects their own; query state, open, overdue, department, platform", Handler: s.getRepairs},
		{Method: "GET", Path: "/api/v1/repairs/{id}", Tag: "repairs", Auth: "token", Summary: "A repair application with its history (its subject, the deciding department, admin, auditors)", Handler: s.getRepair},
		{Method: "GET", Path: "/api/v1/repairs/{id}/proofs/{sha256}", Tag: "repairs", Auth: "token", Summary: "Download a material of an application by its SHA-256", Handler: s.getProof},
		{Method: "POST", Path: "/api/v1/repairs/{id}/accept", Tag: "repairs", Auth: "token", Summary: "Accept an application (受理): the identifying department's officer or reviewer (谁认定、谁修复), the admin for the platform's items", Request: acceptInput{}, Handler: s.postRepairAccept},
		{Method: "POST", Path: "/api/v1/repairs/{id}/decide", Tag: "repairs", Auth: "token", Summary: "Decide an application: approve (accepted first; treatment ended, shielded or deleted for a record, the rules' default when omitted; a listing is removed from the list) or refuse with reasons and the remedy. The outcome is applied atomically, ledgered, and sent as record.repaired and repair.decided", Request: xinyong.RepairDecisionInput{}, Handler: s.postRepairDecide},
		{Method: "GET", Path: "/api/v1/repair-progress/{code}", Tag: "repairs", Auth: "public", Summary: "Progress of an application by its progress query code (进度查询码): state and dates only", Handler: s.getProgress},
		{Method: "POST", Path: "/api/v1/inbound/repairs", Tag: "repairs", Auth: "public", Summary: "A repair decision from another platform (修复结果互认), signed by a registered peer: headers Xinyong-Peer: NAME and Xinyong-Signature: ed25519=BASE64 over the exact body; applied to the matching local record (department_code + kind + decision_number, or subject_code + decision_number), once per decision_id. A forged or altered body is 401 with nothing changed", Request: xinyong.InboundRepair{}, Handler: s.postInbound},
		{Method: "GET", Path: "/api/v1/peers", Tag: "repairs", Auth: "token", Summary: "Registered peer platforms (admin)", Handler: s.getPeers},
		{Method: "POST", Path: "/api/v1/peers", Tag: "repairs", Auth: "token", Summary: "Register or re-key a peer platform: name and its Ed25519 public key (PEM or base64) (admin)", Request: workflow.PeerInput{}, Status: 201, Handler: s.postPeer},
	}
}

type acceptInput struct {
	Note string `json:"note,omitempty"`
}

func (s *Server) getRepairRules(w http.ResponseWriter, r *http.Request) error {
	rs, err := s.Svc.RepairRuleSets(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, 200, map[string]any{"rules": rs})
	return nil
}

type repairRulesInput struct {
	Rules xinyong.RepairRuleSets `json:"rules"`
}

func (s *Server) putRepairRules(w http.ResponseWriter, r *http.Request) error {
	var in repairRulesInput
	if err := decodeJSON(r, s.MaxBody, &in); err != nil {
		return err
	}
	out, err := s.Svc.SetRepairRules(r.Context(), actorOf(r), in.Rules)
	if err != nil {
		return err
	}
	writeJSON(w, 200, map[string]any{"rules": out})
	return nil
}

func (s *Server) getEligibility(target string) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		rec, lst := r.PathValue("id"), ""
		if target == "listing" {
			rec, lst = "", r.PathValue("id")
		}
		e, err := s.Svc.RepairEligibility(r.Context(), actorOf(r), rec, lst)
		if err != nil {
			return err
		}
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, 200, e)
		return nil
	}
}

func (s *Server) getCommitment(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	c, err := s.Svc.RepairCommitment(r.Context(), actorOf(r), q.Get("record"), q.Get("listing"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 200, c)
	return nil
}

// maxRepairForm bounds a whole application form: every file at the limit
// plus the text fields.
func (s *Server) maxRepairForm() int64 {
	return s.Svc.RepairFiles.MaxProofSize()*xinyong.MaxRepairProofs + 1<<20
}

// readRepair reads an application: JSON, or multipart/form-data whose files
// ("proof") are streamed to the files directory as they arrive. A body
// announced larger than the form can be is refused before reading it; one
// that grows past it (or a file past its limit) is cut off there.
// readRepair reads an application; done(refused) tells the files this
// request kept how the application was decided (a refused one's files are
// removed unless another upload holds them; on a refusal while reading,
// done(true) has run already).
func (s *Server) readRepair(w http.ResponseWriter, r *http.Request) (in xinyong.RepairInput, proofs []xinyong.RepairFile, done func(refused bool), err error) {
	var kept []func(bool)
	done = func(refused bool) {
		for _, d := range kept {
			d(refused)
		}
		kept = nil
	}
	in, proofs, err = s.readRepairParts(w, r, &kept)
	if err != nil {
		done(true)
	}
	return in, proofs, done, err
}

func (s *Server) readRepairParts(w http.ResponseWriter, r *http.Request, kept *[]func(bool)) (xinyong.RepairInput, []xinyong.RepairFile, error) {
	var in xinyong.RepairInput
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		err := decodeJSON(r, s.MaxBody, &in)
		return in, nil, err
	}
	if err := workflow.RepairApplicant(actorOf(r)); err != nil {
		return in, nil, err // refused before any file is kept
	}
	limit := s.maxRepairForm()
	if r.ContentLength > limit {
		return in, nil, &xinyong.Error{Code: xinyong.ETOOLARGE, Message: fmt.Sprintf("the application is %d bytes: at most %d files of %d bytes each", r.ContentLength, xinyong.MaxRepairProofs, s.Svc.RepairFiles.MaxProofSize()),
			Fields: []xinyong.FieldError{{Field: "proof", Rule: "repair.file_size", Message: fmt.Sprintf("each file at most %d bytes", s.Svc.RepairFiles.MaxProofSize())}}}
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	mr, err := r.MultipartReader()
	if err != nil {
		return in, nil, xinyong.Errorf(xinyong.EINVALID, "the form could not be read: %v", err)
	}
	var proofs []xinyong.RepairFile
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return in, nil, &xinyong.Error{Code: xinyong.ETOOLARGE, Message: fmt.Sprintf("the application is larger than %d bytes", limit)}
			}
			return in, nil, xinyong.Errorf(xinyong.EINVALID, "the form could not be read: %v", err)
		}
		name := part.FormName()
		if part.FileName() != "" || name == "proof" {
			if name != "proof" {
				part.Close()
				return in, nil, xinyong.Invalid("bad field", xinyong.FieldError{Field: name, Rule: "repair.form", Message: "files go in the field proof"})
			}
			if part.FileName() == "" {
				continue // an empty file input of a form sent without a file
			}
			if len(proofs) == xinyong.MaxRepairProofs {
				return in, nil, xinyong.Invalid("too many files", xinyong.FieldError{Field: "proof", Rule: "repair.proofs", Message: fmt.Sprintf("at most %d files", xinyong.MaxRepairProofs)})
			}
			f, done, err := s.Svc.StoreUpload(r.Context(), part.FileName(), part)
			part.Close()
			if err != nil {
				return in, nil, err
			}
			*kept = append(*kept, done)
			proofs = append(proofs, f)
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, 64<<10+1))
		part.Close()
		if err != nil {
			return in, nil, xinyong.Errorf(xinyong.EINVALID, "the form could not be read")
		}
		if len(b) > 64<<10 {
			return in, nil, xinyong.Invalid("field too long", xinyong.FieldError{Field: name, Rule: "repair.length", Message: "a text field is at most 64 KiB"})
		}
		v := string(b)
		switch name {
		case "record_id":
			in.RecordID = v
		case "listing_id":
			in.ListingID = v
		case "name":
			in.Name = v
		case "contact":
			in.Contact = v
		case "correction":
			in.Correction = v
		case "obligations_met":
			in.Obligations = formTrue(v)
		case "commitment":
			in.Commitment = formTrue(v)
		case "csrf":
		default:
			return in, nil, xinyong.Invalid("unknown field", xinyong.FieldError{Field: name, Rule: "repair.form", Message: "unknown field " + strconv.Quote(name)})
		}
	}
	return in, proofs, nil
}

func formTrue(v string) bool {
	switch strings.TrimSpace(v) {
	case "1", "true", "on", "yes":
		return true
	}
	return false
}

func (s *Server) postRepair(w http.ResponseWriter, r *http.Request) error {
	in, proofs, done, err := s.readRepair(w, r)
	if err != nil {
		return err
	}
	rep, err := s.Svc.ApplyRepair(r.Context(), actorOf(r), in, proofs)
	done(err != nil)
	if err != nil {
		return err
	}
	writeJSON(w, 201, rep)
	return nil
}

func (s *Server) getRepairs(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	overdue, err := queryBool(q.Get("overdue"), "overdue")
	if err != nil {
		return err
	}
	open, err := queryBool(q.Get("open"), "open")
	if err != nil {
		return err
	}
	platform, err := queryBool(q.Get("platform"), "platform")
	if err != nil {
		return err
	}
	st := xinyong.RepairState(strings.TrimSpace(q.Get("state")))
	if st != "" && !st.Valid() {
		return xinyong.Invalid("bad state", xinyong.FieldError{Field: "state", Rule: "enum", Message: "state is applied, accepted, approved or refused"})
	}
	f := xinyong.RepairFilter{DepartmentID: strings.TrimSpace(q.Get("department")), Platform: platform, State: st, Open: open, RecordID: strings.TrimSpace(q.Get("record"))}
	rs, err := s.Svc.Repairs(r.Context(), actorOf(r), f, overdue)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 200, map[string]any{"repairs": rs})
	return nil
}

func (s *Server) getRepair(w http.ResponseWriter, r *http.Request) error {
	v, err := s.Svc.Repair(r.Context(), actorOf(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 200, v)
	return nil
}

func (s *Server) getProof(w http.ResponseWriter, r *http.Request) error {
	rc, f, err := s.Svc.OpenProof(r.Context(), actorOf(r), r.PathValue("id"), r.PathValue("sha256"))
	if err != nil {
		return err
	}
	defer rc.Close()
	h := w.Header()
	h.Set("Content-Type", f.Type)
	h.Set("Content-Length", strconv.FormatInt(f.Size, 10))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	h.Set("Cache-Control", "no-store")
	h.Set("Digest", "sha-256="+f.SHA256)
	io.Copy(w, rc)
	return nil
}

func (s *Server) postRepairAccept(w http.ResponseWriter, r *http.Request) error {
	var in acceptInput
	if r.ContentLength != 0 {
		if err := decodeJSON(r, s.MaxBody, &in); err != nil {
			return err
		}
	}
	rep, err := s.Svc.AcceptRepair(r.Context(), actorOf(r), r.PathValue("id"), in.Note)
	if err != nil {
		return err
	}
	writeJSON(w, 200, rep)
	return nil
}

func (s *Server) postRepairDecide(w http.ResponseWriter, r *http.Request) error {
	var in xinyong.RepairDecisionInput
	if err := decodeJSON(r, s.MaxBody, &in); err != nil {
		return err
	}
	rep, err := s.Svc.DecideRepair(r.Context(), actorOf(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, 200, rep)
	return nil
}

func (s *Server) getProgress(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Svc.RepairProgress(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 200, p)
	return nil
}

func (s *Server) getPeers(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.Svc.Peers(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, 200, map[string]any{"peers": nonNil(ps)})
	return nil
}

func (s *Server) postPeer(w http.ResponseWriter, r *http.Request) error {
	var in workflow.PeerInput
	if err := decodeJSON(r, s.MaxBody, &in); err != nil {
		return err
	}
	p, err := s.Svc.AddPeer(r.Context(), actorOf(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, 201, p)
	return nil
}

// ---- pages ----

func init() {
	maps.Copy(chinese, repairChinese)
	maps.Copy(english, repairEnglish)
}

var repairChinese = map[string]string{
	"repair.title": "申请信用修复", "repair.eligible": "符合申请条件，可以提交申请。", "repair.not_eligible": "暂不符合申请条件：",
	"repair.eligible_from": "可申请日期", "repair.rules": "适用规则", "repair.route": "办理单位", "repair.route.department": "认定部门（谁认定、谁修复）",
	"repair.route.platform": "信用平台", "repair.free": "信用修复不收取任何费用。", "repair.limits": "办理时限",
	"repair.limits.text": "个工作日内作出决定；相关联的平台在决定后", "repair.limits.sync": "个工作日内同步修复结果。",
	"repair.name": "联系人", "repair.contact": "联系电话或邮箱", "repair.correction": "失信行为纠正情况", "repair.obligations": "已履行法定义务（如已缴清罚款）",
	"repair.commitment": "本主体作出上述信用承诺", "repair.commitment.title": "信用修复承诺书", "repair.commitment.download": "下载承诺书（打印签章后可作为材料上传）",
	"repair.proof": "纠正失信行为的证明材料（PDF、JPEG 或 PNG，每个不超过", "repair.submit": "提交申请", "repair.signin": "请以信用主体账号登录后申请。",
	"repair.applied": "申请已提交", "repair.code": "进度查询码", "repair.code.keep": "请妥善保存进度查询码，可随时查询办理进度。",
	"repair.progress": "信用修复进度查询", "repair.state": "办理状态", "repair.applied_on": "申请日期", "repair.accept_by": "受理期限", "repair.decide_by": "决定期限",
	"repair.accepted_on": "受理日期", "repair.decided_on": "决定日期", "repair.sync_by": "联网系统同步期限", "repair.overdue": "已逾期", "repair.query": "查询",
	"console.repairs": "信用修复办理", "repair.target": "修复信息", "repair.subject": "信用主体", "repair.due": "办理期限",
	"repair.step.accept": "受理", "repair.step.decide": "决定", "repair.accept": "受理申请", "repair.decide": "作出决定", "repair.approve": "准予修复", "repair.refuse": "不予修复",
	"repair.treatment": "修复方式", "repair.treatment.ended": "终止公示并标注已修复", "repair.treatment.shielded": "终止公示、停止共享（屏蔽）", "repair.treatment.deleted": "删除（内容及盐值擦除）",
	"repair.reasons": "理由", "repair.remedy": "救济途径（不予修复时必填）", "repair.note": "备注", "repair.history": "办理记录", "repair.materials": "申请材料",
	"repair.decision": "决定", "repair.effects": "修复结果", "repair.done": "已办理。", "repair.list": "申请列表",
}

var repairEnglish = map[string]string{
	"repair.title": "Apply for credit repair", "repair.eligible": "You may apply.", "repair.not_eligible": "You may not apply yet:",
	"repair.eligible_from": "You may apply from", "repair.rules": "Rules applied", "repair.route": "Decided by", "repair.route.department": "the identifying department (谁认定、谁修复)",
	"repair.route.platform": "the credit platform", "repair.free": "Credit repair is free of charge.", "repair.limits": "Time limits",
	"repair.limits.text": "working days to decide; connected platforms apply the result within", "repair.limits.sync": "working days of the decision.",
	"repair.name": "Contact person", "repair.contact": "Phone or e-mail", "repair.correction": "How the conduct was corrected", "repair.obligations": "The legal obligations are met (e.g. the fine is paid)",
	"repair.commitment": "We make the credit commitment above", "repair.commitment.title": "Credit commitment", "repair.commitment.download": "Download the commitment (sign and stamp it, then upload it as a material)",
	"repair.proof": "Proof of correction (PDF, JPEG or PNG, each at most", "repair.submit": "Apply", "repair.signin": "Sign in with the credit subject's account to apply.",
	"repair.applied": "Application filed", "repair.code": "Progress code", "repair.code.keep": "Keep the progress code: it shows the progress of the application at any time.",
	"repair.progress": "Credit repair progress", "repair.state": "State", "repair.applied_on": "Applied on", "repair.accept_by": "Acceptance due", "repair.decide_by": "Decision due",
	"repair.accepted_on": "Accepted on", "repair.decided_on": "Decided on", "repair.sync_by": "Connected systems by", "repair.overdue": "overdue", "repair.query": "Look up",
	"console.repairs": "Credit repair", "repair.target": "Information", "repair.subject": "Subject", "repair.due": "Due",
	"repair.step.accept": "accept", "repair.step.decide": "decide", "repair.accept": "Accept", "repair.decide": "Decide", "repair.approve": "Approve", "repair.refuse": "Refuse",
	"repair.treatment": "Treatment", "repair.treatment.ended": "end publication, mark repaired", "repair.treatment.shielded": "end publication and sharing (shield)", "repair.treatment.deleted": "delete (content and salt erased)",
	"repair.reasons": "Reasons", "repair.remedy": "Remedy (required when refusing)", "repair.note": "Note", "repair.history": "History", "repair.materials": "Materials",
	"repair.decision": "Decision", "repair.effects": "Outcome", "repair.done": "Done.", "repair.list": "Applications",
}

func (w *web) installRepairs(mux *http.ServeMux) {
	mux.HandleFunc("GET /repairs/new", w.repairForm)
	mux.HandleFunc("POST /repairs", w.repairSubmit)
	mux.HandleFunc("GET /repairs/commitment", w.repairCommitment)
	mux.HandleFunc("GET /repairs/progress", w.repairProgress)
	mux.HandleFunc("GET /console/repairs", w.consoleRepairs)
	mux.HandleFunc("GET /console/repairs/{id}", w.consoleRepair)
	mux.HandleFunc("POST /console/repairs/{id}/accept", w.consoleRepairAccept)
	mux.HandleFunc("POST /console/repairs/{id}/decide", w.consoleRepairDecide)
}

type repairFormPage struct {
	RecordID, ListingID string
	Eligibility         *xinyong.Eligibility
	Commitment          *workflow.Commitment
	MaxMiB              string
	Query               string // record=… or listing=…
	Form                xinyong.RepairInput
	Applied             *xinyong.Repair
}

func (w *web) repairTarget(r *http.Request) (string, string, string) {
	q := r.URL.Query()
	rec, lst := strings.TrimSpace(q.Get("record")), strings.TrimSpace(q.Get("listing"))
	v := url.Values{}
	if rec != "" {
		v.Set("record", rec)
	}
	if lst != "" {
		v.Set("listing", lst)
	}
	return rec, lst, v.Encode()
}

func (w *web) repairForm(rw http.ResponseWriter, r *http.Request) {
	p := w.page(r, "", nil)
	p.Title = p.T("repair.title")
	rec, lst, query := w.repairTarget(r)
	data := repairFormPage{RecordID: rec, ListingID: lst, Query: query, MaxMiB: fmt.Sprintf("%.0f MiB", float64(w.s.Svc.RepairFiles.MaxProofSize())/(1<<20))}
	if p.Actor.Role == xinyong.RoleSubject {
		e, err := w.s.Svc.RepairEligibility(r.Context(), p.Actor, rec, lst)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		data.Eligibility = &e
		if c, err := w.s.Svc.RepairCommitment(r.Context(), p.Actor, rec, lst); err == nil {
			data.Commitment = &c
		}
	}
	p.Data = data
	w.render(rw, r, "repair_form", 200, p)
}

func (w *web) repairSubmit(rw http.ResponseWriter, r *http.Request) {
	p := w.page(r, "", nil)
	p.Title = p.T("repair.title")
	in, proofs, done, err := w.s.readRepair(rw, r)
	if err == nil {
		var rep xinyong.Repair
		rep, err = w.s.Svc.ApplyRepair(r.Context(), p.Actor, in, proofs)
		done(err != nil)
		if err == nil {
			p.Title = p.T("repair.applied")
			p.Data = repairFormPage{Applied: &rep}
			w.render(rw, r, "repair_form", 201, p)
			return
		}
	}
	pr := problemOf(r, w.s.Log, err)
	p.Error = pr.Detail
	for _, f := range pr.Errors {
		p.Error += " · " + f.Message
	}
	data := repairFormPage{RecordID: in.RecordID, ListingID: in.ListingID, Form: in, MaxMiB: fmt.Sprintf("%.0f MiB", float64(w.s.Svc.RepairFiles.MaxProofSize())/(1<<20))}
	v := url.Values{}
	if in.RecordID != "" {
		v.Set("record", in.RecordID)
	}
	if in.ListingID != "" {
		v.Set("listing", in.ListingID)
	}
	data.Query = v.Encode()
	if p.Actor.Role == xinyong.RoleSubject && (in.RecordID != "" || in.ListingID != "") {
		if e, err := w.s.Svc.RepairEligibility(r.Context(), p.Actor, in.RecordID, in.ListingID); err == nil {
			data.Eligibility = &e
		}
		if c, err := w.s.Svc.RepairCommitment(r.Context(), p.Actor, in.RecordID, in.ListingID); err == nil {
			data.Commitment = &c
		}
	}
	p.Data = data
	w.render(rw, r, "repair_form", pr.Status, p)
}

func (w *web) repairCommitment(rw http.ResponseWriter, r *http.Request) {
	p := w.page(r, "", nil)
	rec, lst, _ := w.repairTarget(r)
	c, err := w.s.Svc.RepairCommitment(r.Context(), p.Actor, rec, lst)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p.Title, p.Data = p.T("repair.commitment.title"), c
	rw.Header().Set("Content-Disposition", `inline; filename="commitment.html"`)
	rw.Header().Set("Cache-Control", "no-store")
	w.render(rw, r, "repair_commitment", 200, p)
}

type repairProgressPage struct {
	Code     string
	Progress *xinyong.ProgressView
}

func (w *web) repairProgress(rw http.ResponseWriter, r *http.Request) {
	p := w.page(r, "", nil)
	p.Title = p.T("repair.progress")
	data := repairProgressPage{Code: strings.TrimSpace(r.URL.Query().Get("code"))}
	status := 200
	if data.Code != "" {
		pv, err := w.s.Svc.RepairProgress(r.Context(), data.Code)
		if err != nil {
			pr := problemOf(r, w.s.Log, err)
			p.Error, status = pr.Detail, pr.Status
		} else {
			data.Progress = &pv
		}
	}
	p.Data = data
	w.render(rw, r, "repair_progress", status, p)
}

type consoleRepairsPage struct {
	Repairs []workflow.RepairView
}

func (w *web) consoleRepairs(rw http.ResponseWriter, r *http.Request) {
	p := w.page(r, "", nil)
	if !p.SignedIn {
		http.Redirect(rw, r, "/login", http.StatusSeeOther)
		return
	}
	rs, err := w.s.Svc.Repairs(r.Context(), p.Actor, xinyong.RepairFilter{}, false)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	p.Data, p.Title = consoleRepairsPage{Repairs: rs}, p.T("console.repairs")
	w.render(rw, r, "repair_queue", 200, p)
}

type consoleRepairPage struct {
	V          workflow.RepairView
	CanDecide  bool
	Treatments []xinyong.RepairOutcome
	Default    xinyong.RepairOutcome
	Done       bool
}

func (w *web) consoleRepairView(rw http.ResponseWriter, r *http.Request, p Page, status int) {
	v, err := w.s.Svc.Repair(r.Context(), p.Actor, r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	data := consoleRepairPage{V: v, CanDecide: xinyong.Authorize(p.Actor, xinyong.ActRepairDecide, xinyong.Resource{DepartmentID: v.DepartmentID, SubjectID: v.SubjectID}, nil) == nil && v.State.Open(),
		Done: r.URL.Query().Get("done") == "1"}
	if rs, err := w.s.Svc.RepairRuleSets(r.Context()); err == nil {
		for _, set := range rs {
			if set.Code == v.Rules {
				data.Treatments, data.Default = set.Treatments, set.DefaultTreatment
			}
		}
	}
	p.Data, p.Title = data, p.T("console.repairs")+" "+v.Code
	w.render(rw, r, "repair_console", status, p)
}

func (w *web) consoleRepair(rw http.ResponseWriter, r *http.Request) {
	p := w.page(r, "", nil)
	if !p.SignedIn {
		http.Redirect(rw, r, "/login", http.StatusSeeOther)
		return
	}
	w.consoleRepairView(rw, r, p, 200)
}

func (w *web) consoleRepairStep(rw http.ResponseWriter, r *http.Request, step func(p Page) error) {
	p := w.page(r, "", nil)
	if !p.SignedIn {
		http.Redirect(rw, r, "/login", http.StatusSeeOther)
		return
	}
	r.Body = http.MaxBytesReader(rw, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		w.fail(rw, r, xinyong.Errorf(xinyong.EINVALID, "the form could not be read"))
		return
	}
	if err := checkFormText(r.Form); err != nil {
		w.fail(rw, r, err)
		return
	}
	if err := step(p); err != nil {
		pr := problemOf(r, w.s.Log, err)
		p.Error = pr.Detail
		for _, f := range pr.Errors {
			p.Error += " · " + f.Message
		}
		w.consoleRepairView(rw, r, p, pr.Status)
		return
	}
	http.Redirect(rw, r, "/console/repairs/"+url.PathEscape(r.PathValue("id"))+"?done=1", http.StatusSeeOther)
}

func (w *web) consoleRepairAccept(rw http.ResponseWriter, r *http.Request) {
	w.consoleRepairStep(rw, r, func(p Page) error {
		_, err := w.s.Svc.AcceptRepair(r.Context(), p.Actor, r.PathValue("id"), r.PostForm.Get("note"))
		return err
	})
}

func (w *web) consoleRepairDecide(rw http.ResponseWriter, r *http.Request) {
	w.consoleRepairStep(rw, r, func(p Page) error {
		in := xinyong.RepairDecisionInput{Approve: r.PostForm.Get("approve") == "1", Treatment: xinyong.RepairOutcome(r.PostForm.Get("treatment")),
			Reasons: r.PostForm.Get("reasons"), Remedy: r.PostForm.Get("remedy")}
		if !in.Approve {
			in.Treatment = ""
		}
		_, err := w.s.Svc.DecideRepair(r.Context(), p.Actor, r.PathValue("id"), in)
		return err
	})
}

// ---- inbound (修复结果互认) ----

func (s *Server) postInbound(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10+1))
	if err != nil {
		return xinyong.Errorf(xinyong.EINVALID, "could not read the request body")
	}
	if len(body) > 64<<10 {
		return xinyong.Errorf(xinyong.ETOOLARGE, "an inbound repair is at most 64 KiB")
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return xinyong.Errorf(xinyong.EUNSUPPORTED, "send the body as application/json")
	}
	res, err := s.Svc.ReceiveInbound(r.Context(), r.Header.Get(workflow.HeaderPeer), r.Header.Get(workflow.HeaderSignature), body)
	if err != nil {
		return err
	}
	status := 200
	if res.Created {
		status = 201
	}
	writeJSON(w, status, res)
	return nil
}
