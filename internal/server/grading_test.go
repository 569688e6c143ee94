package server

import (
	"time"

	"bytes"
	"encoding/csv"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"xinyong"
	"xinyong/internal/workflow"
)

// Credit grading (issue 8; DOMAIN.md §8) over HTTP: models are public and
// refused outside the catalogue; a subject's grade needs a token; a batch
// run started by the admin runs in the background; the department export
// in CSV and XLSX; the console page and the subject's own grade page with
// a review request.
func TestGradingAPI(t *testing.T) {
	f := newListingFixture(t) // two serious penalties of orgCode by department A
	e := f.e
	admin := e.token(t, "admin", "", "")

	var ms struct{ Models []xinyong.GradingModel }
	e.do(t, req{Path: "/api/v1/grading/models"}).json(t, &ms)
	if len(ms.Models) != 1 || ms.Models[0].ID != "public-credit" {
		t.Fatalf("models: %+v", ms)
	}
	bad := ms.Models[0]
	bad.Indicators[0].Items = []string{"NOT-AN-ITEM"}
	p := e.do(t, req{Method: "POST", Path: "/api/v1/grading/models", Token: admin, Body: bad}).problem(t, 400, xinyong.EINVALID)
	if !p.hasField("indicators[0].items", "grading.catalogue") {
		t.Errorf("outside the catalogue: %+v", p)
	}
	e.do(t, req{Method: "POST", Path: "/api/v1/grading/models", Token: f.offA, Body: ms.Models[0]}).problem(t, 403, xinyong.EFORBIDDEN)

	// Grades are not public.
	e.do(t, req{Path: "/api/v1/subjects/" + f.orgCode + "/grade"}).problem(t, 401, xinyong.EUNAUTHORIZED)
	var v workflow.GradeView
	e.do(t, req{Path: "/api/v1/subjects/" + f.orgCode + "/grade", Token: f.offB}).json(t, &v)
	if v.Stored || v.Grade.Grade != "D" || v.Score != 40 || len(v.Indicators) != 7 {
		t.Fatalf("computed grade: %+v", v)
	}
	e.do(t, req{Path: "/api/v1/subjects/" + f.orgCode + "/grade?model=nope", Token: f.offB}).problem(t, 404, xinyong.ENOTFOUND)
	// Auditors read grades but do not make them: storing one is refused
	// and stores nothing.
	auditor := e.token(t, "auditor", "", "")
	e.do(t, req{Method: "POST", Path: "/api/v1/subjects/" + f.orgCode + "/grade", Token: auditor}).problem(t, 403, xinyong.EFORBIDDEN)
	e.do(t, req{Path: "/api/v1/subjects/" + f.orgCode + "/grade", Token: auditor}).json(t, &v)
	if v.Stored {
		t.Fatalf("an auditor's refused evaluation stored a grade: %+v", v.Grade)
	}

	// A batch run in the background.
	e.do(t, req{Method: "POST", Path: "/api/v1/grading/runs", Token: f.offA, Body: workflow.RunInput{}}).problem(t, 403, xinyong.EFORBIDDEN)
	r := e.do(t, req{Method: "POST", Path: "/api/v1/grading/runs", Token: admin, Body: workflow.RunInput{}})
	if r.Status != 202 {
		t.Fatalf("start run: %s", r)
	}
	var run workflow.RunView
	r.json(t, &run)
	e.srv.jobs.Wait()
	e.do(t, req{Path: "/api/v1/grading/runs/" + run.ID, Token: admin}).json(t, &run)
	if run.State != xinyong.RunDone || run.Progress != 1 || run.Done != 1 || run.Digest == "" {
		t.Fatalf("run: %+v", run)
	}
	e.do(t, req{Path: "/api/v1/grading/runs/" + run.ID, Token: f.offA}).problem(t, 403, xinyong.EFORBIDDEN)
	e.do(t, req{Path: "/api/v1/subjects/" + f.orgCode + "/grade", Token: f.offB}).json(t, &v)
	if !v.Stored || v.RunID != run.ID {
		t.Fatalf("stored grade: %+v", v)
	}

	// Export: the officer's own department, CSV and XLSX.
	r = e.do(t, req{Path: "/api/v1/grading/export?format=csv", Token: f.offA})
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %s", r)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.Body, []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][0] != "D" || rows[1][3] != f.orgCode {
		t.Fatalf("csv rows: %v %v", err, rows)
	}
	r = e.do(t, req{Path: "/api/v1/grading/export?format=csv", Token: f.offB})
	if rows, _ := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.Body, []byte("\xef\xbb\xbf")))).ReadAll(); len(rows) != 1 {
		t.Errorf("another department's officer sees only the header: %v", rows)
	}
	e.do(t, req{Path: "/api/v1/grading/export?department=" + url.QueryEscape(f.deptA.Code), Token: f.offB}).problem(t, 403, xinyong.EFORBIDDEN)
	r = e.do(t, req{Path: "/api/v1/grading/export?format=xlsx&department=" + url.QueryEscape(f.deptA.Code), Token: admin})
	if r.Status != 200 {
		t.Fatalf("xlsx: %s", r)
	}
	x, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	xrows, err := x.GetRows("Sheet1")
	if err != nil || len(xrows) != 2 || xrows[1][0] != "D" {
		t.Fatalf("xlsx rows: %v %v", err, xrows)
	}
	e.do(t, req{Path: "/api/v1/grading/export?format=pdf", Token: admin}).problem(t, 400, xinyong.EINVALID)

	// The console page (admin) and the start form.
	cookies := e.signIn(t, workflow.AccountInput{Username: "gadmin", Name: "管理员", Role: "admin"})
	page := e.do(t, req{Path: "/console/grading", Cookies: cookies})
	if page.Status != 200 || !strings.Contains(string(page.Body), "public-credit") || !strings.Contains(string(page.Body), run.ID) {
		t.Fatalf("console: %s", page)
	}
	csrf := between(string(page.Body), `name="csrf" value="`, `"`)
	form := url.Values{"csrf": {csrf}, "model": {"public-credit"}}
	r = e.do(t, req{Method: "POST", Path: "/console/grading/runs", Type: "application/x-www-form-urlencoded", Body: form.Encode(), Cookies: cookies})
	if r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/console/grading?started=") {
		t.Fatalf("console start: %s", r)
	}
	e.srv.jobs.Wait()
	if r := e.do(t, req{Path: "/console/grading"}); r.Status != 303 {
		t.Errorf("console without signing in: %d", r.Status)
	}

	// The subject's own page: grade, explanation, review request.
	sc := e.signIn(t, workflow.AccountInput{Username: "org", Name: "兰州某某商贸有限公司", Role: "subject", SubjectCode: f.orgCode})
	page = e.do(t, req{Path: "/grade", Cookies: sc})
	body := string(page.Body)
	if page.Status != 200 || !strings.Contains(body, `id="grade-value">D<`) || !strings.Contains(body, "兰市监罚〔2026〕301号") || !strings.Contains(body, `action="/grade/review"`) {
		t.Fatalf("grade page: %s", page)
	}
	if r := e.do(t, req{Path: "/grade?lang=en", Cookies: sc}); !strings.Contains(string(r.Body), "My credit grade") {
		t.Errorf("English page")
	}
	csrf = between(body, `name="csrf" value="`, `"`)
	form = url.Values{"csrf": {csrf}, "model": {"public-credit"}, "reasons": {"处罚已履行完毕，请复核"}}
	r = e.do(t, req{Method: "POST", Path: "/grade/review", Type: "application/x-www-form-urlencoded", Body: form.Encode(), Cookies: sc})
	if r.Status != 303 || r.Header.Get("Location") != "/grade?filed=1" {
		t.Fatalf("review form: %s", r)
	}
	var rs struct{ Reviews []workflow.GradeReviewView }
	e.do(t, req{Path: "/api/v1/grading/reviews?open=true", Token: admin}).json(t, &rs)
	if len(rs.Reviews) != 1 || rs.Reviews[0].Grade != "D" {
		t.Fatalf("reviews: %+v", rs)
	}
	var dec xinyong.GradeReview
	r = e.do(t, req{Method: "POST", Path: "/api/v1/grading/reviews/" + rs.Reviews[0].ID + "/decide", Token: admin, Body: xinyong.ReviewDecisionInput{Outcome: "regraded", Grade: "C", Reasons: "已履行"}})
	r.json(t, &dec)
	if dec.Decision == nil || dec.Decision.Grade != "C" {
		t.Fatalf("decide: %s", r)
	}
	page = e.do(t, req{Path: "/grade", Cookies: sc})
	if !strings.Contains(string(page.Body), `id="grade-value">C<`) {
		t.Errorf("after the review: %s", page)
	}
	if r := e.do(t, req{Path: "/grade"}); r.Status != 401 {
		t.Errorf("grade page without signing in: %d", r.Status)
	}
}

func between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	if j := strings.Index(s, b); j >= 0 {
		return s[:j]
	}
	return s
}

// A grading run whose process died (running, no progress for longer than
// workflow.GradingStaleAfter) is taken over by a server when it starts,
// as imports are, and finishes.
func TestGradingRunResumedOnStart(t *testing.T) {
	e := newEnv(t)
	run, err := e.svc.StartGradingRun(e.ctx, xinyong.System, workflow.RunInput{})
	if err != nil {
		t.Fatal(err)
	}
	// Its process died three minutes ago, before the first chunk.
	if err := e.app.Store.Update(e.ctx, func(tx xinyong.Tx) error {
		cur, err := tx.GradingRun(run.ID)
		if err != nil {
			return err
		}
		cur.UpdatedAt = time.Now().Add(-workflow.GradingStaleAfter - time.Minute)
		return tx.UpdateGradingRun(cur)
	}); err != nil {
		t.Fatal(err)
	}
	srv := New(e.svc, e.srv.Log)
	srv.UploadDir = t.TempDir()
	if err := srv.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	srv.jobs.Wait() // the run it took over, to its end
	srv.Stop()
	v, err := e.svc.GradingRun(e.ctx, xinyong.System, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.State != xinyong.RunDone || v.Stale {
		t.Fatalf("the stale run after a server start: %+v", v.GradingRun)
	}
}
