package server

import (
	"context"
	"encoding/hex"
	"maps"
	"net/http"

	"xinyong"
	"xinyong/internal/workflow"
)

// The ledger page (issue 8): the latest signed checkpoint, the tree size,
// the history of checkpoints, and a verify button (POST with CSRF) that
// starts ledger verification (workflow.Service.Verify) as a background job.
// The job is persisted (ledger_verify_job): its progress and result show on
// the page from any server sharing the database; the page refreshes itself
// with a meta refresh while a job runs (no JavaScript).

func init() {
	maps.Copy(chinese, ledgerChinese)
	maps.Copy(english, ledgerEnglish)
}

var ledgerChinese = map[string]string{
	"ledger.intro": "每一次变更都写入默克尔树日志，并签署检查点。校验会重新计算每个叶子、重建整棵树，并核对所有已签名的检查点。",
	"ledger.size":  "日志大小（叶子数）", "ledger.root": "根哈希", "ledger.latest": "最新检查点", "ledger.history": "检查点历史",
	"ledger.none": "尚无检查点。", "ledger.verify": "校验账本", "ledger.jobs": "校验任务", "ledger.state": "状态",
	"ledger.progress": "进度", "ledger.result": "结果", "ledger.ok": "通过：未发现问题", "ledger.problems": "发现问题",
	"ledger.started": "开始时间", "ledger.by": "发起人", "ledger.running": "校验进行中，本页每 3 秒自动刷新。",
	"ledger.interrupted": "已中断（进程已停止）", "ledger.state.running": "进行中", "ledger.state.done": "已完成", "ledger.state.failed": "失败",
	"ledger.verify.who": "仅管理员和审计员可发起校验。", "ledger.note": "签名检查点", "ledger.time": "时间",
}

var ledgerEnglish = map[string]string{
	"ledger.intro": "Every change is a leaf of a Merkle log with signed checkpoints. Verification recomputes every leaf, rebuilds the tree and checks every signed checkpoint.",
	"ledger.size":  "Tree size (leaves)", "ledger.root": "Root hash", "ledger.latest": "Latest checkpoint", "ledger.history": "Checkpoint history",
	"ledger.none": "No checkpoint yet.", "ledger.verify": "Verify the ledger", "ledger.jobs": "Verification runs", "ledger.state": "State",
	"ledger.progress": "Progress", "ledger.result": "Result", "ledger.ok": "passed: no problem found", "ledger.problems": "problems found",
	"ledger.started": "Started", "ledger.by": "By", "ledger.running": "Verification is running; this page refreshes every 3 seconds.",
	"ledger.interrupted": "interrupted (its process stopped)", "ledger.state.running": "running", "ledger.state.done": "done", "ledger.state.failed": "failed",
	"ledger.verify.who": "Only admins and auditors may run verification.", "ledger.note": "Signed checkpoint", "ledger.time": "Time",
}

type checkpointRow struct {
	Size      int64
	Root      string
	CreatedAt string
}

type ledgerPage struct {
	Size      int64
	Root      string
	Latest    *checkpointRow
	Note      string
	History   []checkpointRow
	CanVerify bool
	Jobs      []workflow.VerifyJobView
	Running   bool
}

func (w *web) consoleLedger(rw http.ResponseWriter, r *http.Request) {
	p, ok := w.signedIn(rw, r)
	if !ok {
		return
	}
	o, err := w.s.Svc.LedgerOverview(r.Context(), 50)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	data := ledgerPage{Size: o.Head.Size, Root: hex.EncodeToString(o.Head.Root)}
	if o.Latest != nil {
		data.Latest = &checkpointRow{Size: o.Latest.Size, Root: hex.EncodeToString(o.Latest.Root), CreatedAt: o.Latest.CreatedAt.In(xinyong.Shanghai).Format("2006-01-02 15:04:05")}
		data.Note = string(o.Latest.Note)
	}
	for _, c := range o.Checkpoints {
		data.History = append(data.History, checkpointRow{Size: c.Size, Root: hex.EncodeToString(c.Root), CreatedAt: c.CreatedAt.In(xinyong.Shanghai).Format("2006-01-02 15:04:05")})
	}
	if js, err := w.s.Svc.VerifyJobs(r.Context(), p.Actor, 10); err == nil {
		data.CanVerify, data.Jobs = true, js
		for _, j := range js {
			if j.State == xinyong.VerifyRunning && !j.Interrupted {
				data.Running = true
			}
		}
	}
	p.Data, p.Title = data, p.T("console.ledger")
	w.render(rw, r, "console_ledger", 200, p)
}

// consoleLedgerVerify starts a verification job and goes back to the page.
func (w *web) consoleLedgerVerify(rw http.ResponseWriter, r *http.Request) {
	p, ok := w.signedIn(rw, r)
	if !ok {
		return
	}
	if _, err := w.s.startVerify(r.Context(), p.Actor); err != nil {
		w.fail(rw, r, err)
		return
	}
	http.Redirect(rw, r, "/console/ledger", http.StatusSeeOther)
}

// startVerify registers a job and runs it in the background (unless one is
// running already); the server's Stop waits for it.
func (s *Server) startVerify(ctx context.Context, actor xinyong.Actor) (workflow.VerifyJobView, error) {
	j, started, err := s.Svc.StartVerifyJob(ctx, actor)
	if err != nil || !started {
		return j, err
	}
	jobCtx := s.jobCtx
	if jobCtx == nil {
		jobCtx = context.Background()
	}
	s.jobs.Add(1)
	go func() {
		defer s.jobs.Done()
		if _, err := s.Svc.RunVerifyJob(jobCtx, j.ID); err != nil && jobCtx.Err() == nil {
			s.Log.Warn("ledger verification job", "job", j.ID, "err", err)
		}
	}()
	return j, nil
}

func (s *Server) postVerifyJob(w http.ResponseWriter, r *http.Request) error {
	j, err := s.startVerify(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/ledger/verify-jobs/"+j.ID)
	writeJSON(w, http.StatusAccepted, j)
	return nil
}

func (s *Server) getVerifyJob(w http.ResponseWriter, r *http.Request) error {
	j, err := s.Svc.VerifyJob(r.Context(), actorOf(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 200, j)
	return nil
}
