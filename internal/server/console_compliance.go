package server

import (
	"context"
	"encoding/csv"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

// The compliance board (追责问责, issue 8) and the officers' reminders
// (issue 7): per department × month counts of each violation kind, with
// server-rendered SVG charts (no JavaScript) and links down to the cases;
// a CSV export; the same counts as JSON under /api/v1/compliance. Who sees
// what is the workflow's: admins and auditors every department, an officer
// its own (another department's cases are refused).

func init() {
	maps.Copy(chinese, complianceChinese)
	maps.Copy(english, complianceEnglish)
}

var complianceChinese = map[string]string{
	"console.compliance": "追责问责：合规看板", "console.compliance.cases": "违规事项清单", "compliance.range": "统计月份",
	"compliance.from": "起始月", "compliance.to": "截止月", "compliance.show": "查看", "compliance.unit": "部门/单位",
	"compliance.total": "合计", "compliance.none": "所选月份内没有违规事项。", "compliance.csv": "导出 CSV",
	"compliance.chart.months": "各月违规事项（按类型）", "compliance.chart.units": "各部门违规事项合计",
	"compliance.all": "全部部门", "compliance.case.object": "事项", "compliance.case.ref": "文号/说明",
	"compliance.case.due": "期限", "compliance.case.date": "发生/办结日期", "compliance.case.late": "超期工作日",
	"compliance.case.open": "尚未办结", "compliance.case.detail": "详情", "compliance.back": "返回看板",
	"reminders": "到期提醒", "reminders.none": "近期没有即将到期或已逾期的事项。", "reminders.window": "提前提醒工作日数",
	"reminders.due_soon": "即将到期", "reminders.overdue": "已逾期", "reminders.left": "剩余工作日", "reminders.past": "已超期工作日",
	"deadline.objection": "异议答复", "deadline.listing": "名单程序", "deadline.repair": "信用修复",
	"step.answer": "答复异议", "step.verify": "核实异议", "step.remove": "期满移出", "step.accept": "受理", "step.decide": "作出决定",
	"console.cleanup": "清理规范审查", "console.ledger": "可信账本",
}

var complianceEnglish = map[string]string{
	"console.compliance": "Accountability: compliance board", "console.compliance.cases": "Cases", "compliance.range": "Months",
	"compliance.from": "From", "compliance.to": "To", "compliance.show": "Show", "compliance.unit": "Department / unit",
	"compliance.total": "Total", "compliance.none": "No violations in these months.", "compliance.csv": "Export CSV",
	"compliance.chart.months": "Violations per month (by kind)", "compliance.chart.units": "Violations per department",
	"compliance.all": "All departments", "compliance.case.object": "Case", "compliance.case.ref": "Reference",
	"compliance.case.due": "Limit", "compliance.case.date": "Date", "compliance.case.late": "Working days late",
	"compliance.case.open": "still open", "compliance.case.detail": "Detail", "compliance.back": "Back to the board",
	"reminders": "Reminders", "reminders.none": "Nothing due soon or overdue.", "reminders.window": "Reminder window (working days)",
	"reminders.due_soon": "due soon", "reminders.overdue": "overdue", "reminders.left": "working days left", "reminders.past": "working days past",
	"deadline.objection": "Objection", "deadline.listing": "Listing", "deadline.repair": "Repair",
	"step.answer": "answer", "step.verify": "verify the objection", "step.remove": "remove at the end", "step.accept": "accept", "step.decide": "decide",
	"console.cleanup": "Clean-up review", "console.ledger": "Ledger",
}

// kindColours are the chart colours per kind (colour-blind safe palette).
var kindColours = map[xinyong.ViolationKind]string{
	xinyong.ViolationLateDisclosure:   "#0072b2",
	xinyong.ViolationOutsideCatalogue: "#e69f00",
	xinyong.ViolationMeasureNotListed: "#cc79a7",
	xinyong.ViolationObjectionOverdue: "#d55e00",
	xinyong.ViolationListingOverdue:   "#009e73",
	xinyong.ViolationRepairOverdue:    "#56b4e9",
}

func (s *Server) complianceRoutes() []route {
	return []route{
		{Method: "GET", Path: "/api/v1/compliance", Tag: "compliance", Auth: "token", Summary: "Compliance board (追责问责): violations per department and month — 双公示 later than 7 working days, records refused as outside the catalogue, measures applied outside the list, objections, listing steps and repairs past their limits. Query from, to (YYYY-MM; default the last 6 months), department (id, or org:NAME for an agency). Admins and auditors see all; officers their own department", Handler: s.getCompliance},
		{Method: "GET", Path: "/api/v1/compliance/cases", Tag: "compliance", Auth: "token", Summary: "The cases behind one cell of the board: query kind, month (YYYY-MM), department", Handler: s.getComplianceCases},
		{Method: "GET", Path: "/api/v1/compliance/reminders", Tag: "compliance", Auth: "token", Summary: "Open steps of the caller's department due within the reminder window or overdue, soonest first", Handler: s.getReminders},
		{Method: "GET", Path: "/api/v1/compliance/cleanup", Tag: "compliance", Auth: "token", Summary: "Clean-up review (清理规范): every local catalogue item, list type and measure with its legal basis and whether anything relies on it; flags no_basis, unused, unconfirmed, retired_used (admin, auditor)", Handler: s.getCleanup},
		{Method: "PUT", Path: "/api/v1/compliance/settings", Tag: "compliance", Auth: "token", Summary: "Set how many working days before a limit officers are reminded (admin; 0–30, default 2)", Request: complianceSettings{}, Handler: s.putComplianceSettings},
		{Method: "POST", Path: "/api/v1/ledger/verify-jobs", Tag: "ledger", Auth: "token", Summary: "Start ledger verification as a background job (admin, auditor); a run in progress is returned instead of a second", Status: 202, Handler: s.postVerifyJob},
		{Method: "GET", Path: "/api/v1/ledger/verify-jobs/{id}", Tag: "ledger", Auth: "token", Summary: "A verification job: progress, and the report when done", Handler: s.getVerifyJob},
	}
}

type complianceSettings struct {
	RemindWorkingDays int `json:"remind_working_days"`
}

// boardQuery reads from, to and department; the default range is the last
// six months up to the current one.
func (s *Server) boardQuery(q url.Values) (workflow.BoardQuery, error) {
	now := xinyong.MonthOfTime(s.Svc.Now())
	bq := workflow.BoardQuery{To: now, From: xinyong.MonthOf(now.First().AddMonths(-5)), Unit: strings.TrimSpace(q.Get("department"))}
	var v xinyong.Validation
	if f := q.Get("from"); f != "" {
		m, err := xinyong.ParseMonth(f)
		if err != nil {
			v.Add("from", "month.format", "from is a month written YYYY-MM")
		}
		bq.From = m
	}
	if t := q.Get("to"); t != "" {
		m, err := xinyong.ParseMonth(t)
		if err != nil {
			v.Add("to", "month.format", "to is a month written YYYY-MM")
		}
		bq.To = m
	}
	return bq, v.Err("bad board query")
}

func (s *Server) getCompliance(w http.ResponseWriter, r *http.Request) error {
	bq, err := s.boardQuery(r.URL.Query())
	if err != nil {
		return err
	}
	b, err := s.Svc.ComplianceBoard(r.Context(), actorOf(r), bq)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 200, b)
	return nil
}

func casesQuery(q url.Values) (xinyong.ViolationKind, xinyong.Month, error) {
	m, err := xinyong.ParseMonth(q.Get("month"))
	return xinyong.ViolationKind(q.Get("kind")), m, err
}

func (s *Server) getComplianceCases(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	kind, m, err := casesQuery(q)
	if err != nil {
		return err
	}
	cases, err := s.Svc.ComplianceCases(r.Context(), actorOf(r), kind, q.Get("department"), m, 0)
	if err != nil {
		return err
	}
	if cases == nil {
		cases = []xinyong.Violation{}
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 200, map[string]any{"kind": kind, "month": m, "cases": cases})
	return nil
}

func (s *Server) getReminders(w http.ResponseWriter, r *http.Request) error {
	rs, days, err := s.Svc.Reminders(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	if rs == nil {
		rs = []workflow.Reminder{}
	}
	writeJSON(w, 200, map[string]any{"remind_working_days": days, "reminders": rs})
	return nil
}

func (s *Server) putComplianceSettings(w http.ResponseWriter, r *http.Request) error {
	var in complianceSettings
	if err := decodeJSON(r, s.MaxBody, &in); err != nil {
		return err
	}
	if err := s.Svc.SetRemindDays(r.Context(), actorOf(r), in.RemindWorkingDays); err != nil {
		return err
	}
	writeJSON(w, 200, in)
	return nil
}

// ---- the deadlines job in the server's loop ----

// complianceState is the server's part of the compliance jobs.
type complianceState struct {
	mu          sync.Mutex
	deadlinesAt time.Time // last run of the deadlines job (service clock)
}

// DeadlinesEvery is how often the server runs the deadlines job (the
// record.published catch-up and the deadline notices).
var DeadlinesEvery = 10 * time.Minute

// runDeadlines runs the deadlines job for the service clock's day if it
// has not run for DeadlinesEvery (the periodic loop calls it every tick).
func (s *Server) runDeadlines(ctx context.Context) {
	now := s.Svc.Now()
	c := &s.compliance
	c.mu.Lock()
	if !c.deadlinesAt.IsZero() && now.Sub(c.deadlinesAt) < DeadlinesEvery && now.After(c.deadlinesAt) {
		c.mu.Unlock()
		return
	}
	c.deadlinesAt = now
	c.mu.Unlock()
	run, err := s.Svc.RunDeadlines(ctx, xinyong.DateOf(now))
	if err != nil && ctx.Err() == nil {
		s.Log.Warn("deadlines job", "err", err)
		return
	}
	if run.Published+run.Reminded+run.Overdue > 0 {
		s.Log.Info("deadlines job", "published", run.Published, "reminded", run.Reminded, "overdue", run.Overdue)
	}
}

// ---- console pages ----

// svgBar is one bar of a chart (a link down to its cases).
type svgBar struct {
	X, Y, W, H int
	Fill       string
	Title      string
	Href       string
}

type svgText struct {
	X, Y   int
	Text   string
	Anchor string
}

// svgChart is a server-rendered bar chart.
type svgChart struct {
	ID     string
	Title  string
	W, H   int
	Bars   []svgBar
	Labels []svgText
	Lines  []svgBar // axis lines (H or W 1)
}

type legendItem struct {
	Kind   xinyong.ViolationKind
	Colour string
	Total  int64
}

type complianceRow struct {
	xinyong.BoardRow
	Months []complianceCell
}

type complianceCell struct {
	Month string
	Kinds []cellCount
	Total int64
}

type cellCount struct {
	Kind xinyong.ViolationKind
	N    int64
	Href string
}

type compliancePage struct {
	Board      xinyong.Board
	From, To   string
	Unit       string
	Units      []unitOption
	Rows       []complianceRow
	Legend     []legendItem
	MonthChart svgChart
	UnitChart  svgChart
	CSV        string
	AllUnits   bool
}

type unitOption struct {
	Value, Name string
	Selected    bool
}

func kindName(p Page, k xinyong.ViolationKind) string {
	if p.Lang == "en" {
		return k.English()
	}
	return k.Chinese()
}

func casesHref(k xinyong.ViolationKind, unit, month string) string {
	v := url.Values{"kind": {string(k)}, "month": {month}}
	if unit != "" {
		v.Set("department", unit)
	}
	return "/console/compliance/cases?" + v.Encode()
}

// monthChart stacks each month's counts by kind.
func monthChart(p Page, b xinyong.Board, unit string) svgChart {
	const barW, gap, left, top, plotH, bottom = 36, 18, 40, 20, 180, 40
	c := svgChart{ID: "chart-months", Title: p.T("compliance.chart.months"), W: left + len(b.Months)*(barW+gap) + gap, H: top + plotH + bottom}
	var peak int64 = 1
	for _, m := range b.Months {
		var sum int64
		for _, n := range b.ByMonth[m.String()] {
			sum += n
		}
		peak = max(peak, sum)
	}
	c.Lines = append(c.Lines, svgBar{X: left, Y: top + plotH, W: c.W - left, H: 1, Fill: "#555"})
	c.Labels = append(c.Labels, svgText{X: left - 6, Y: top + 10, Text: strconv.FormatInt(peak, 10), Anchor: "end"}, svgText{X: left - 6, Y: top + plotH, Text: "0", Anchor: "end"})
	for i, m := range b.Months {
		x := left + gap + i*(barW+gap)
		y := top + plotH
		ms := m.String()
		var sum int64
		for _, k := range xinyong.ViolationKinds {
			n := b.ByMonth[ms][k]
			if n == 0 {
				continue
			}
			sum += n
			h := int(n * plotH / peak)
			if h < 2 {
				h = 2
			}
			y -= h
			c.Bars = append(c.Bars, svgBar{X: x, Y: y, W: barW, H: h, Fill: kindColours[k], Title: fmt.Sprintf("%s %s: %d", ms, kindName(p, k), n), Href: casesHref(k, unit, ms)})
		}
		c.Labels = append(c.Labels, svgText{X: x + barW/2, Y: top + plotH + 16, Text: ms[2:], Anchor: "middle"})
		if sum > 0 {
			c.Labels = append(c.Labels, svgText{X: x + barW/2, Y: y - 4, Text: strconv.FormatInt(sum, 10), Anchor: "middle"})
		}
	}
	return c
}

// unitChart is one horizontal bar per unit (its total), stacked by kind.
func unitChart(p Page, b xinyong.Board) svgChart {
	const rowH, gap, left, plotW, top = 18, 8, 220, 420, 10
	rows := b.Rows
	if len(rows) > 20 {
		rows = rows[:20]
	}
	c := svgChart{ID: "chart-units", Title: p.T("compliance.chart.units"), W: left + plotW + 60, H: top*2 + len(rows)*(rowH+gap)}
	var peak int64 = 1
	for _, r := range rows {
		peak = max(peak, r.Total)
	}
	for i, r := range rows {
		y := top + i*(rowH+gap)
		name := []rune(r.Name)
		if len(name) > 16 {
			name = append(name[:15], '…')
		}
		c.Labels = append(c.Labels, svgText{X: left - 8, Y: y + rowH - 4, Text: string(name), Anchor: "end"})
		x := left
		for _, k := range xinyong.ViolationKinds {
			n := r.Totals[k]
			if n == 0 {
				continue
			}
			w := int(n * plotW / peak)
			if w < 2 {
				w = 2
			}
			c.Bars = append(c.Bars, svgBar{X: x, Y: y, W: w, H: rowH, Fill: kindColours[k], Title: fmt.Sprintf("%s %s: %d", r.Name, kindName(p, k), n)})
			x += w
		}
		c.Labels = append(c.Labels, svgText{X: x + 6, Y: y + rowH - 4, Text: strconv.FormatInt(r.Total, 10), Anchor: "start"})
	}
	return c
}

func (w *web) signedIn(rw http.ResponseWriter, r *http.Request) (Page, bool) {
	p := w.page(r, "", nil)
	if !p.SignedIn {
		http.Redirect(rw, r, "/login", http.StatusSeeOther)
		return p, false
	}
	return p, true
}

func (w *web) consoleCompliance(rw http.ResponseWriter, r *http.Request) {
	p, ok := w.signedIn(rw, r)
	if !ok {
		return
	}
	bq, err := w.s.boardQuery(r.URL.Query())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	b, err := w.s.Svc.ComplianceBoard(r.Context(), p.Actor, bq)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	data := compliancePage{Board: b, From: bq.From.String(), To: bq.To.String(), Unit: bq.Unit,
		AllUnits: p.Actor.Role == xinyong.RoleAdmin || p.Actor.Role == xinyong.RoleAuditor}
	if data.AllUnits {
		if names, err := w.s.Svc.UnitNames(r.Context()); err == nil {
			data.Units = append(data.Units, unitOption{Value: "", Name: p.T("compliance.all"), Selected: bq.Unit == ""})
			for _, d := range sortedUnits(names) {
				data.Units = append(data.Units, unitOption{Value: d[0], Name: d[1], Selected: d[0] == bq.Unit})
			}
		}
	}
	for _, row := range b.Rows {
		cr := complianceRow{BoardRow: row}
		for _, m := range b.Months {
			ms := m.String()
			cell := complianceCell{Month: ms}
			for _, k := range xinyong.ViolationKinds {
				n := row.Cells[ms][k]
				cell.Kinds = append(cell.Kinds, cellCount{Kind: k, N: n, Href: casesHref(k, row.Unit, ms)})
				cell.Total += n
			}
			cr.Months = append(cr.Months, cell)
		}
		data.Rows = append(data.Rows, cr)
	}
	for _, k := range xinyong.ViolationKinds {
		data.Legend = append(data.Legend, legendItem{Kind: k, Colour: kindColours[k], Total: b.Totals[k]})
	}
	data.MonthChart = monthChart(p, b, bq.Unit)
	data.UnitChart = unitChart(p, b)
	v := url.Values{"from": {data.From}, "to": {data.To}}
	if bq.Unit != "" {
		v.Set("department", bq.Unit)
	}
	data.CSV = "/console/compliance.csv?" + v.Encode()
	p.Data, p.Title = data, p.T("console.compliance")
	w.render(rw, r, "console_compliance", 200, p)
}

// sortedUnits lists unit keys and names, departments by name.
func sortedUnits(names map[string]string) [][2]string {
	var out [][2]string
	for k, v := range names {
		out = append(out, [2]string{k, v})
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j][1] < out[j-1][1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// consoleComplianceCSV exports the board as CSV: one line per unit, month
// and kind with a count (zeros left out).
func (w *web) consoleComplianceCSV(rw http.ResponseWriter, r *http.Request) {
	p, ok := w.signedIn(rw, r)
	if !ok {
		return
	}
	bq, err := w.s.boardQuery(r.URL.Query())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	b, err := w.s.Svc.ComplianceBoard(r.Context(), p.Actor, bq)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="compliance-%s-%s.csv"`, bq.From, bq.To))
	h.Set("Cache-Control", "no-store")
	rw.Write([]byte("\ufeff"))
	cw := csv.NewWriter(rw)
	cw.Write([]string{"unit", "department_id", "organisation", "name", "month", "kind", "kind_zh", "count"})
	for _, row := range b.Rows {
		for _, m := range b.Months {
			for _, k := range xinyong.ViolationKinds {
				if n := row.Cells[m.String()][k]; n > 0 {
					cw.Write([]string{row.Unit, row.DepartmentID, csvSafe(row.Organisation), csvSafe(row.Name), m.String(), string(k), k.Chinese(), strconv.FormatInt(n, 10)})
				}
			}
		}
	}
	cw.Flush()
}

type casesPage struct {
	Kind     xinyong.ViolationKind
	KindName string
	Month    string
	Unit     string
	UnitName string
	Cases    []xinyong.Violation
	Back     string
}

func (w *web) consoleComplianceCases(rw http.ResponseWriter, r *http.Request) {
	p, ok := w.signedIn(rw, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	kind, m, err := casesQuery(q)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	cases, err := w.s.Svc.ComplianceCases(r.Context(), p.Actor, kind, q.Get("department"), m, 0)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	data := casesPage{Kind: kind, KindName: kindName(p, kind), Month: m.String(), Unit: q.Get("department"), Cases: cases}
	if names, err := w.s.Svc.UnitNames(r.Context()); err == nil {
		data.UnitName = names[data.Unit]
	}
	if data.UnitName == "" {
		data.UnitName = strings.TrimPrefix(data.Unit, "org:")
	}
	v := url.Values{"from": {m.String()}, "to": {m.String()}}
	if data.Unit != "" {
		v.Set("department", data.Unit)
	}
	data.Back = "/console/compliance?" + v.Encode()
	p.Data, p.Title = data, p.T("console.compliance.cases")
	w.render(rw, r, "console_compliance_cases", 200, p)
}

// remindersPanel is the reminders shown on /console/ (officers: their
// department; admins and auditors: all).
type remindersPanel struct {
	Days      int
	Reminders []workflow.Reminder
	More      int
}

// consoleReminders returns the panel, or nil for roles without one.
func (w *web) consoleReminders(r *http.Request, actor xinyong.Actor) *remindersPanel {
	switch actor.Role {
	case xinyong.RoleAdmin, xinyong.RoleAuditor, xinyong.RoleOfficer, xinyong.RoleReviewer:
	default:
		return nil
	}
	rs, days, err := w.s.Svc.Reminders(r.Context(), actor)
	if err != nil {
		return nil
	}
	p := &remindersPanel{Days: days, Reminders: rs}
	if len(rs) > 50 {
		p.Reminders, p.More = rs[:50], len(rs)-50
	}
	return p
}

// reminderHref links a reminder to its page.
func reminderHref(r workflow.Reminder) string {
	switch r.Kind {
	case xinyong.DeadlineListing:
		return "/console/listings/" + url.PathEscape(r.ObjectID)
	case xinyong.DeadlineObjection:
		return "/console/objections/" + url.PathEscape(r.ObjectID)
	case xinyong.DeadlineRepair:
		return "/console/repairs/" + url.PathEscape(r.ObjectID)
	}
	return ""
}

func (w *web) installCompliance(mux *http.ServeMux) {
	mux.HandleFunc("GET /console/compliance", w.consoleCompliance)
	mux.HandleFunc("GET /console/compliance.csv", w.consoleComplianceCSV)
	mux.HandleFunc("GET /console/compliance/cases", w.consoleComplianceCases)
	mux.HandleFunc("GET /console/cleanup", w.consoleCleanup)
	mux.HandleFunc("GET /console/cleanup.csv", w.consoleCleanupCSV)
	mux.HandleFunc("GET /console/ledger", w.consoleLedger)
	mux.HandleFunc("POST /console/ledger/verify", w.consoleLedgerVerify)
}
