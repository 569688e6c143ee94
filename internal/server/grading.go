package server

import (
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"xinyong"
	"xinyong/internal/workflow"
)

// gradingRoutes: credit grading for classified supervision (信用分级分类监管,
// issue 8; DOMAIN.md §8). The rules are xinyong's (grading.go), the steps
// the workflow's (workflow/grading.go). Grades are not public: the subject
// sees its own, departments and the credit office all (an internal
// supervision reference, like SAMR's risk classes); the models grades come
// from are public, so that every grade can be explained.
func (s *Server) gradingRoutes() []route {
	return []route{
		{Method: "GET", Path: "/api/v1/subjects/{code}/grade", Tag: "grading", Auth: "token", Summary: "A subject's grade (query model=ID, the default model when none is named; version=N to read the grade computed under that version) with its explanation: each indicator, the records and listings behind it, the points given, the rule that capped the grade, the records not counted and why; the model version and ledger size used. The subject itself (code me), officers, reviewers, auditors and the admin. A subject never graded under the model is graded for the answer (stored: false) under the version in force; a model or version no longer in force answers only the grade stored under it", Handler: s.getGrade},
		{Method: "POST", Path: "/api/v1/subjects/{code}/grade", Tag: "grading", Auth: "token", Summary: "Grade one subject now under the model (query model=ID) and store the grade (admin, officers), audited", Status: 200, Handler: s.postGrade},
		{Method: "POST", Path: "/api/v1/subjects/{code}/grade/reviews", Tag: "grading", Auth: "token", Summary: "The subject (code me) asks for a human review of its stored grade (model, reasons, evidence); answered within 10 working days by default", Request: xinyong.GradeReviewInput{}, Status: 201, Handler: s.postGradeReview},
		{Method: "GET", Path: "/api/v1/grading/models", Tag: "grading", Auth: "public", Summary: "The grading models (latest version of each): grade set, indicators tied to catalogue items, points, caps, rules, cycle, legal basis and provenance", Handler: s.getGradingModels},
		{Method: "POST", Path: "/api/v1/grading/models", Tag: "grading", Auth: "token", Summary: "Create a grading model, or the next version of one (admin). An indicator reading an item outside the catalogue is refused", Request: xinyong.GradingModel{}, Status: 201, Handler: s.postGradingModel},
		{Method: "GET", Path: "/api/v1/grading/models/{id}", Tag: "grading", Auth: "public", Summary: "A grading model with every version", Handler: s.getGradingModel},
		{Method: "POST", Path: "/api/v1/grading/runs", Tag: "grading", Auth: "token", Summary: "Start a batch run (admin): everyone, or a department's subjects (department: id or code), under a model (model: id, default the default model). Returns the run at once (202); follow it at /api/v1/grading/runs/{id}", Request: workflow.RunInput{}, Status: 202, Handler: s.postGradingRun},
		{Method: "GET", Path: "/api/v1/grading/runs", Tag: "grading", Auth: "token", Summary: "The latest batch runs with their progress (admin, auditor)", Handler: s.getGradingRuns},
		{Method: "GET", Path: "/api/v1/grading/runs/{id}", Tag: "grading", Auth: "token", Summary: "A batch run: state, progress, subjects done of total, counts by grade, the digest of its results and its ledger leaf (admin, auditor)", Handler: s.getGradingRun},
		{Method: "POST", Path: "/api/v1/grading/runs/{id}/resume", Tag: "grading", Auth: "token", Summary: "Resume a failed or interrupted run after its last committed subject (admin)", Status: 202, Handler: s.postGradingRunResume},
		{Method: "GET", Path: "/api/v1/grading/reviews", Tag: "grading", Auth: "token", Summary: "Grade reviews: the admin and auditors all, officers and reviewers those of their department's models, a subject its own; query open=true", Handler: s.getGradeReviews},
		{Method: "GET", Path: "/api/v1/grading/reviews/{id}", Tag: "grading", Auth: "token", Summary: "A grade review and whether it is overdue", Handler: s.getGradeReview},
		{Method: "POST", Path: "/api/v1/grading/reviews/{id}/decide", Tag: "grading", Auth: "token", Summary: "Decide a grade review (the admin, or the model's department): outcome upheld or regraded (grade), reasons required", Request: xinyong.ReviewDecisionInput{}, Handler: s.postGradeReviewDecide},
		{Method: "GET", Path: "/api/v1/grading/export", Tag: "grading", Auth: "token", Summary: "A department's subjects by grade for supervision planning (query model, version to keep only the grades computed under it, format=csv|xlsx, department for the admin; officers get their own department's), streamed. A model no longer in force is exported if grades were computed under it", Handler: s.getGradeExport},
	}
}

// modelVersion reads the optional version query parameter of a read of
// grades (0: none named).
func modelVersion(r *http.Request) (int, error) {
	v := strings.TrimSpace(r.URL.Query().Get("version"))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, xinyong.Invalid("bad query parameter", xinyong.FieldError{Field: "version", Rule: "grading.version", Message: "version is a model version, a whole number from 1, got " + strconv.Quote(clip(v))})
	}
	return n, nil
}

func (s *Server) getGrade(w http.ResponseWriter, r *http.Request) error {
	version, err := modelVersion(r)
	if err != nil {
		return err
	}
	v, err := s.Svc.SubjectGradeVersion(r.Context(), actorOf(r), r.PathValue("code"), strings.TrimSpace(r.URL.Query().Get("model")), version)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 200, v)
	return nil
}

func (s *Server) postGrade(w http.ResponseWriter, r *http.Request) error {
	v, err := s.Svc.EvaluateSubject(r.Context(), actorOf(r), r.PathValue("code"), strings.TrimSpace(r.URL.Query().Get("model")))
	if err != nil {
		return err
	}
	writeJSON(w, 200, v)
	return nil
}

func (s *Server) postGradeReview(w http.ResponseWriter, r *http.Request) error {
	var in xinyong.GradeReviewInput
	if err := decodeJSON(r, s.MaxBody, &in); err != nil {
		return err
	}
	v, err := s.Svc.FileGradeReview(r.Context(), actorOf(r), r.PathValue("code"), in)
	if err != nil {
		return err
	}
	writeJSON(w, 201, v)
	return nil
}

func (s *Server) getGradingModels(w http.ResponseWriter, r *http.Request) error {
	ms, err := s.Svc.GradingModels(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, 200, map[string]any{"models": ms})
	return nil
}

func (s *Server) getGradingModel(w http.ResponseWriter, r *http.Request) error {
	m, vs, err := s.Svc.GradingModel(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, map[string]any{"model": m, "versions": vs})
	return nil
}

func (s *Server) postGradingModel(w http.ResponseWriter, r *http.Request) error {
	var m xinyong.GradingModel
	if err := decodeJSON(r, s.MaxBody, &m); err != nil {
		return err
	}
	m, err := s.Svc.CreateGradingModel(r.Context(), actorOf(r), m)
	if err != nil {
		return err
	}
	writeJSON(w, 201, m)
	return nil
}

// runGradingJob runs a batch run in the background under the server's
// lifetime (a stopped server leaves it resumable).
func (s *Server) runGradingJob(id string, actor xinyong.Actor, force bool) {
	ctx := s.jobCtx
	if ctx == nil {
		ctx = context.Background()
	}
	s.jobs.Add(1)
	go func() {
		defer s.jobs.Done()
		if _, err := s.Svc.RunGrading(ctx, actor, id, force, nil); err != nil && ctx.Err() == nil {
			s.Log.Warn("grading run ended with an error", "run", id, "err", err)
		}
	}()
}

// resumeGradingRuns takes over grading runs whose process died (running
// without progress for workflow.GradingStaleAfter), as imports are. Two
// servers taking over the same run cannot both write: each chunk commits
// only from the cursor it read.
func (s *Server) resumeGradingRuns(ctx context.Context) {
	runs, err := s.Svc.GradingRuns(ctx, xinyong.System, 100)
	if err != nil {
		if ctx.Err() == nil {
			s.Log.Warn("looking for grading runs to resume", "err", err)
		}
		return
	}
	for _, r := range runs {
		if r.Stale {
			s.Log.Info("resuming grading run", "run", r.ID, "done", r.Done)
			s.runGradingJob(r.ID, xinyong.System, false)
		}
	}
}

func (s *Server) postGradingRun(w http.ResponseWriter, r *http.Request) error {
	var in workflow.RunInput
	if r.ContentLength != 0 {
		if err := decodeJSON(r, s.MaxBody, &in); err != nil {
			return err
		}
	}
	run, err := s.Svc.StartGradingRun(r.Context(), actorOf(r), in)
	if err != nil {
		return err
	}
	s.runGradingJob(run.ID, actorOf(r), false)
	w.Header().Set("Location", "/api/v1/grading/runs/"+run.ID)
	writeJSON(w, 202, workflow.RunView{GradingRun: run, Progress: run.Progress()})
	return nil
}

func (s *Server) postGradingRunResume(w http.ResponseWriter, r *http.Request) error {
	// Resuming is the admin's (auditors may read runs, not run them): the
	// job would refuse them in the background after a 202.
	if err := xinyong.Authorize(actorOf(r), xinyong.ActGradingManage, xinyong.Resource{}, nil); err != nil {
		return err
	}
	v, err := s.Svc.GradingRun(r.Context(), actorOf(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	if v.State == xinyong.RunDone {
		return xinyong.Errorf(xinyong.ECONFLICT, "grading run %s is done", v.ID)
	}
	if v.State == xinyong.RunRunning && !v.Stale {
		return xinyong.Errorf(xinyong.ECONFLICT, "grading run %s is running", v.ID)
	}
	s.runGradingJob(v.ID, actorOf(r), true)
	writeJSON(w, 202, v)
	return nil
}

func (s *Server) getGradingRuns(w http.ResponseWriter, r *http.Request) error {
	rs, err := s.Svc.GradingRuns(r.Context(), actorOf(r), 50)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 200, map[string]any{"runs": rs})
	return nil
}

func (s *Server) getGradingRun(w http.ResponseWriter, r *http.Request) error {
	v, err := s.Svc.GradingRun(r.Context(), actorOf(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 200, v)
	return nil
}

func (s *Server) getGradeReviews(w http.ResponseWriter, r *http.Request) error {
	open, err := queryBool(r.URL.Query().Get("open"), "open")
	if err != nil {
		return err
	}
	rs, err := s.Svc.GradeReviews(r.Context(), actorOf(r), open)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 200, map[string]any{"reviews": rs})
	return nil
}

func (s *Server) getGradeReview(w http.ResponseWriter, r *http.Request) error {
	v, err := s.Svc.GradeReview(r.Context(), actorOf(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 200, v)
	return nil
}

func (s *Server) postGradeReviewDecide(w http.ResponseWriter, r *http.Request) error {
	var in xinyong.ReviewDecisionInput
	if err := decodeJSON(r, s.MaxBody, &in); err != nil {
		return err
	}
	v, err := s.Svc.DecideGradeReview(r.Context(), actorOf(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, 200, v)
	return nil
}

// The /grade page's words for a grade that predates a record or listing
// it counted stopping counting (workflow.GradeView.Outdated).
func init() {
	chinese["grade.outdated.ended"] = "该等级评定后，其所依据的下列记录或名单已不再计入（所属模型已停止施行，未重新评价）"
	chinese["grade.outdated.stale"] = "该等级评定时读取的下列记录或名单此后已不再计入（模型仍在施行，下次评价将重新评定）"
	chinese["grade.outdated.withdrawn"] = "已撤回，日期"
	chinese["grade.outdated.repaired"] = "已信用修复，日期"
	chinese["grade.outdated.removed"] = "已移出严重失信主体名单，日期"
	chinese["grade.outdated.expired"] = "列入期限已届满，日期"
	chinese["grade.outdated.listing"] = "名单列入"
	english["grade.outdated.ended"] = "Outdated: since this grade was given, these records or listings behind it stopped counting (its model is no longer in force, so it was not recomputed)"
	english["grade.outdated.stale"] = "Outdated: the evaluation that stored this grade read these records or listings before they stopped counting (its model is in force: the next evaluation grades anew)"
	english["grade.outdated.withdrawn"] = "withdrawn on"
	english["grade.outdated.repaired"] = "repaired on"
	english["grade.outdated.removed"] = "removed from the serious-dishonesty list on"
	english["grade.outdated.expired"] = "listing period ended on"
	english["grade.outdated.listing"] = "listing"
}

// gradeExportHeader is the export's header row.
var gradeExportHeader = []string{"等级 grade", "等级名称 grade name", "得分 score", "统一社会信用代码 code", "名称 name", "主体类别 kind", "评价日期 on", "模型 model", "模型版本 version", "账本大小 ledger size", "来源 source", "已过时 outdated", "过时原因 outdated by"}

// gradeExportRowOf is a row of the export: gradeExportRow, then whether
// the grade predates a record or listing it counted stopping counting (a
// grade under a model no longer in force is never recomputed) and which,
// with the day each stopped: "RECORD CAUSE DAY", "listing LISTING CAUSE
// DAY" with a removal's reason after the cause (ids only: nothing of a
// record or listing is described).
func gradeExportRowOf(r workflow.GradeRow) []string {
	row := gradeExportRow(r.Model, r.Grade, r.Subject)
	if !r.Outdated {
		return append(row, "", "")
	}
	why := make([]string, len(r.OutdatedBy))
	for i, s := range r.OutdatedBy {
		switch {
		case s.Listing != "" && s.Reason != "":
			why[i] = "listing " + s.Listing + " " + s.Cause + " (" + s.Reason + ") " + s.On.String()
		case s.Listing != "":
			why[i] = "listing " + s.Listing + " " + s.Cause + " " + s.On.String()
		default:
			why[i] = s.Record + " " + s.Cause + " " + s.On.String()
		}
	}
	return append(row, "outdated", csvSafe(strings.Join(why, "; ")))
}

func gradeExportRow(m xinyong.GradingModel, g xinyong.Grade, subj xinyong.Subject) []string {
	band, _ := m.Band(g.Grade)
	name := subj.Name
	if subj.Kind == xinyong.KindPerson {
		name = xinyong.MaskName(name) // a person's name is masked; the code is stored masked
	}
	return []string{csvSafe(g.Grade), csvSafe(band.Name), strconv.FormatFloat(g.Score, 'f', 2, 64), csvSafe(subj.Code), csvSafe(name), subj.Kind.Chinese(),
		g.On.String(), csvSafe(g.ModelID), strconv.Itoa(g.ModelVersion), strconv.FormatInt(g.LedgerSize, 10), csvSafe(g.Source)}
}

func (s *Server) getGradeExport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	format := q.Get("format")
	if format == "" {
		format = "csv"
	}
	if format != "csv" && format != "xlsx" {
		return xinyong.Invalid("bad format", xinyong.FieldError{Field: "format", Rule: "enum", Message: "format is csv or xlsx"})
	}
	model, dept := strings.TrimSpace(q.Get("model")), strings.TrimSpace(q.Get("department"))
	version, err := modelVersion(r)
	if err != nil {
		return err
	}
	name := "grades"
	w.Header().Set("Cache-Control", "no-store")
	if format == "csv" {
		started := false
		var cw *csv.Writer
		err := s.Svc.GradeExportRows(r.Context(), actorOf(r), model, version, dept, func(row workflow.GradeRow) error {
			if !started {
				started = true
				gradeCSVStart(w, name)
				cw = csv.NewWriter(w)
				cw.Write(gradeExportHeader)
			}
			return cw.Write(gradeExportRowOf(row))
		})
		if err != nil && !started {
			return err
		}
		if !started { // nothing graded: the header alone
			gradeCSVStart(w, name)
			cw = csv.NewWriter(w)
			cw.Write(gradeExportHeader)
		}
		cw.Flush()
		if err != nil {
			s.Log.Warn("grade export cut short", "err", err, "request_id", requestID(r.Context()))
		}
		return nil
	}
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	row := 1
	put := func(vals []string) error {
		cells := make([]any, len(vals))
		for i, v := range vals {
			cells[i] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		row++
		return sw.SetRow(cell, cells)
	}
	if err := put(gradeExportHeader); err != nil {
		return err
	}
	if err := s.Svc.GradeExportRows(r.Context(), actorOf(r), model, version, dept, func(row workflow.GradeRow) error {
		return put(gradeExportRowOf(row))
	}); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
	_, err = f.WriteTo(w)
	return err
}

func gradeCSVStart(w http.ResponseWriter, name string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	w.Write([]byte("\xef\xbb\xbf")) // BOM: Excel opens UTF-8 CSV correctly
}
