package server

import (
	"maps"
	"net/http"
	"slices"
	"strings"

	"xinyong"
	"xinyong/internal/workflow"
)

// Grading pages (issue 8): the console's list of grading models and batch
// runs with a form to start a run (admin; auditors read), and the subject's
// own grade with its explanation and a review request (/grade). Who sees
// what is the workflow's; handlers only translate.

func init() {
	maps.Copy(chinese, gradingChinese)
	maps.Copy(english, gradingEnglish)
}

var gradingChinese = map[string]string{
	"console.grading": "信用分级分类监管", "grading.models": "评价模型", "grading.runs": "批量评价", "grading.version": "版本",
	"grading.effective": "生效日期", "grading.cycle": "评价周期", "grading.default": "默认模型", "grading.indicators": "指标",
	"grading.counts": "等级分布", "grading.run.start": "开始批量评价", "grading.run.model": "模型", "grading.run.department": "部门代码（留空：全部主体）",
	"grading.run.state": "状态", "grading.run.progress": "进度", "grading.run.digest": "结果摘要", "grading.run.started": "开始时间",
	"grading.run.none": "尚无批量评价。", "grading.run.started_ok": "批量评价已开始。", "grading.run.stale": "已中断，可续跑",
	"grade.title": "我的信用等级", "grade.score": "得分", "grade.model": "评价模型", "grade.on": "评价日期", "grade.ledger": "所依据的账本大小",
	"grade.not_stored": "尚未正式评价：以下为按当前信息计算的结果。", "grade.indicator": "指标", "grade.count": "条数", "grade.points": "分值",
	"grade.records": "依据信息", "grade.not_counted": "未计入的信息", "grade.rules": "等级上限规则", "grade.supervision": "监管措施",
	"grade.review": "申请人工复核", "grade.review.reasons": "复核理由", "grade.review.evidence": "证明材料（文字说明）", "grade.review.submit": "提交复核申请",
	"grade.review.filed": "复核申请已提交，将在期限内答复。", "grade.reviews": "复核记录", "grade.review.deadline": "答复期限", "grade.review.decision": "复核结论",
	"grade.signin": "信用主体登录后可查看本主体的信用等级。", "grade.base": "基础分", "reason.withdrawn": "已撤回", "reason.force_majeure": "不可抗力",
	"reason.no_fault": "无主观过错", "reason.first_minor": "首违轻微", "reason.minor": "未成年", "reason.repaired.ended": "已信用修复（停止公示）",
	"reason.repaired.shielded": "已信用修复（屏蔽）", "reason.repaired.deleted": "已信用修复（删除）", "grade.source.review": "经人工复核调整",
	"review.filed": "处理中", "review.decided": "已办结", "review.upheld": "维持", "review.regraded": "调整等级",
}

var gradingEnglish = map[string]string{
	"console.grading": "Credit grading", "grading.models": "Grading models", "grading.runs": "Batch runs", "grading.version": "Version",
	"grading.effective": "Effective", "grading.cycle": "Cycle", "grading.default": "default", "grading.indicators": "Indicators",
	"grading.counts": "Grades", "grading.run.start": "Start a batch run", "grading.run.model": "Model", "grading.run.department": "Department code (empty: every subject)",
	"grading.run.state": "State", "grading.run.progress": "Progress", "grading.run.digest": "Digest", "grading.run.started": "Started",
	"grading.run.none": "No batch runs yet.", "grading.run.started_ok": "The batch run started.", "grading.run.stale": "interrupted: resume it",
	"grade.title": "My credit grade", "grade.score": "Score", "grade.model": "Model", "grade.on": "Evaluated on", "grade.ledger": "Ledger size used",
	"grade.not_stored": "Not graded yet: this is computed from the current information.", "grade.indicator": "Indicator", "grade.count": "Count", "grade.points": "Points",
	"grade.records": "Records", "grade.not_counted": "Not counted", "grade.rules": "Grade caps", "grade.supervision": "Supervision",
	"grade.review": "Ask for a human review", "grade.review.reasons": "Reasons", "grade.review.evidence": "Evidence (text)", "grade.review.submit": "Ask for review",
	"grade.review.filed": "Your review request was filed and will be answered in time.", "grade.reviews": "Reviews", "grade.review.deadline": "Due", "grade.review.decision": "Decision",
	"grade.signin": "Sign in as a credit subject to see your grade.", "grade.base": "Base score", "reason.withdrawn": "withdrawn", "reason.force_majeure": "force majeure",
	"reason.no_fault": "no fault", "reason.first_minor": "first minor violation", "reason.minor": "minor", "reason.repaired.ended": "repaired (publication ended)",
	"reason.repaired.shielded": "repaired (shielded)", "reason.repaired.deleted": "repaired (deleted)", "grade.source.review": "changed on review",
	"review.filed": "in progress", "review.decided": "decided", "review.upheld": "upheld", "review.regraded": "regraded",
}

func (w *web) installGrading(mux *http.ServeMux) {
	mux.HandleFunc("GET /console/grading", w.consoleGrading)
	mux.HandleFunc("POST /console/grading/runs", w.consoleGradingRun)
	mux.HandleFunc("GET /grade", w.gradePage)
	mux.HandleFunc("POST /grade/review", w.gradeReview)
}

type modelRow struct {
	xinyong.GradingModel
	Counts []gradeCount
}

type gradeCount struct {
	Grade string
	N     int
}

type consoleGradingPage struct {
	Models  []modelRow
	Runs    []workflow.RunView
	CanRun  bool
	SeeRuns bool
}

func (w *web) consoleGrading(rw http.ResponseWriter, r *http.Request) {
	p := w.page(r, "", nil)
	if !p.SignedIn {
		http.Redirect(rw, r, "/login", http.StatusSeeOther)
		return
	}
	ms, err := w.s.Svc.GradingModels(r.Context())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	var data consoleGradingPage
	data.CanRun = xinyong.Authorize(p.Actor, xinyong.ActGradingManage, xinyong.Resource{}, nil) == nil
	if runs, err := w.s.Svc.GradingRuns(r.Context(), p.Actor, 20); err == nil {
		data.Runs, data.SeeRuns = runs, true
	}
	for _, m := range ms {
		row := modelRow{GradingModel: m}
		if data.SeeRuns {
			if counts, err := w.s.Svc.GradeCounts(r.Context(), p.Actor, m.ID); err == nil {
				for _, b := range m.Grades {
					row.Counts = append(row.Counts, gradeCount{b.Grade, counts[b.Grade]})
				}
			}
		}
		data.Models = append(data.Models, row)
	}
	if r.URL.Query().Get("started") != "" {
		p.Flash = p.T("grading.run.started_ok")
	}
	p.Data, p.Title = data, p.T("console.grading")
	w.render(rw, r, "console_grading", 200, p)
}

func (w *web) consoleGradingRun(rw http.ResponseWriter, r *http.Request) {
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
	in := workflow.RunInput{Model: strings.TrimSpace(r.PostForm.Get("model")), Department: strings.TrimSpace(r.PostForm.Get("department"))}
	run, err := w.s.Svc.StartGradingRun(r.Context(), p.Actor, in)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.s.runGradingJob(run.ID, p.Actor, false)
	http.Redirect(rw, r, "/console/grading?started="+run.ID, http.StatusSeeOther)
}

type gradePage struct {
	V     workflow.GradeView
	Rules []xinyong.RuleHit
	Filed bool
	// FromReview: the grade was set by a reviewer.
	FromReview bool
}

func (w *web) gradePage(rw http.ResponseWriter, r *http.Request) {
	p := w.page(r, "", nil)
	p.Title = p.T("grade.title")
	if !p.SignedIn || p.Actor.Role != xinyong.RoleSubject {
		p.Error = p.T("grade.signin")
		w.render(rw, r, "grade", http.StatusUnauthorized, p)
		return
	}
	version, err := modelVersion(r)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	v, err := w.s.Svc.SubjectGradeVersion(r.Context(), p.Actor, "me", strings.TrimSpace(r.URL.Query().Get("model")), version)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	data := gradePage{V: v, Rules: v.Explanation.Rules, Filed: r.URL.Query().Get("filed") != "", FromReview: strings.HasPrefix(v.Source, "review:")}
	slices.SortStableFunc(data.V.Indicators, func(a, b workflow.IndicatorView) int { return b.Count - a.Count })
	if data.Filed {
		p.Flash = p.T("grade.review.filed")
	}
	p.Data = data
	w.render(rw, r, "grade", 200, p)
}

func (w *web) gradeReview(rw http.ResponseWriter, r *http.Request) {
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
	in := xinyong.GradeReviewInput{Model: r.PostForm.Get("model"), Reasons: r.PostForm.Get("reasons"), Evidence: r.PostForm.Get("evidence")}
	if _, err := w.s.Svc.FileGradeReview(r.Context(), p.Actor, "me", in); err != nil {
		w.fail(rw, r, err)
		return
	}
	http.Redirect(rw, r, "/grade?filed=1", http.StatusSeeOther)
}
