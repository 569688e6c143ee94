package server

import (
	"encoding/csv"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"xinyong"
)

// The clean-up review (清理规范, issue 8; DOMAIN.md §9): every local
// catalogue item, list type and measure with its legal basis and whether
// anything relies on it; entries without a basis are flagged. Admins and
// auditors; HTML and CSV from the same rows.

func init() {
	maps.Copy(chinese, cleanupChinese)
	maps.Copy(english, cleanupEnglish)
}

var cleanupChinese = map[string]string{
	"cleanup.intro": "清理规范：逐项列出地方补充目录事项、失信主体名单类型和失信惩戒措施，核对设定依据，并说明是否有信息记录、名单或核查反馈依赖该项。无设定依据的事项已标出，应予清理。",
	"cleanup.type":  "类别", "cleanup.uses": "依赖情况", "cleanup.flags": "问题", "cleanup.none": "没有需要审查的事项。",
	"cleanup.catalogue_item": "补充目录事项", "cleanup.list_type": "名单类型", "cleanup.measure": "惩戒措施",
	"flag.no_basis": "无设定依据", "flag.unused": "无信息依赖", "flag.unconfirmed": "来源待核实", "flag.retired_used": "已废止仍被依赖",
	"cleanup.yes": "有", "cleanup.no": "无", "cleanup.count": "条", "cleanup.flagged": "存在问题的事项",
	"cleanup.by.records": "信息记录", "cleanup.by.listings": "名单", "cleanup.by.feedback": "核查反馈", "cleanup.by.triggered": "现可触发",
}

var cleanupEnglish = map[string]string{
	"cleanup.intro": "Clean-up review: every local catalogue item, list type and punishment measure with its legal basis, and whether records, listings or measures checks rely on it. Entries without a basis are flagged for removal.",
	"cleanup.type":  "Type", "cleanup.uses": "Relied on", "cleanup.flags": "Findings", "cleanup.none": "Nothing to review.",
	"cleanup.catalogue_item": "Catalogue item (local)", "cleanup.list_type": "List type", "cleanup.measure": "Measure",
	"flag.no_basis": "no legal basis", "flag.unused": "nothing relies on it", "flag.unconfirmed": "provenance unconfirmed", "flag.retired_used": "retired but still relied on",
	"cleanup.yes": "yes", "cleanup.no": "no", "cleanup.count": "", "cleanup.flagged": "Entries with findings",
	"cleanup.by.records": "records", "cleanup.by.listings": "listings", "cleanup.by.feedback": "check feedback", "cleanup.by.triggered": "triggered now",
}

type cleanupPage struct {
	Entries []xinyong.CleanupEntry
	Flagged int
	NoBasis int
}

func (w *web) consoleCleanup(rw http.ResponseWriter, r *http.Request) {
	p, ok := w.signedIn(rw, r)
	if !ok {
		return
	}
	es, err := w.s.Svc.CleanupReview(r.Context(), p.Actor)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	data := cleanupPage{Entries: es}
	for _, e := range es {
		if len(e.Flags) > 0 {
			data.Flagged++
		}
		if slices.Contains(e.Flags, xinyong.FlagNoBasis) {
			data.NoBasis++
		}
	}
	p.Data, p.Title = data, p.T("console.cleanup")
	w.render(rw, r, "console_cleanup", 200, p)
}

func (w *web) consoleCleanupCSV(rw http.ResponseWriter, r *http.Request) {
	p, ok := w.signedIn(rw, r)
	if !ok {
		return
	}
	es, err := w.s.Svc.CleanupReview(r.Context(), p.Actor)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="cleanup-review.csv"`)
	h.Set("Cache-Control", "no-store")
	rw.Write([]byte("\ufeff"))
	cw := csv.NewWriter(rw)
	cw.Write([]string{"type", "code", "name", "layer", "provenance", "status", "legal_basis", "uses", "used_by", "flags"})
	for _, e := range es {
		cw.Write([]string{e.Type, csvSafe(e.Code), csvSafe(e.Name), string(e.Layer), string(e.Provenance), e.Status, csvSafe(e.LegalBasis), strconv.FormatInt(e.Uses, 10), e.UsedBy, strings.Join(e.Flags, " ")})
	}
	cw.Flush()
}

func (s *Server) getCleanup(w http.ResponseWriter, r *http.Request) error {
	es, err := s.Svc.CleanupReview(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	if es == nil {
		es = []xinyong.CleanupEntry{}
	}
	writeJSON(w, 200, map[string]any{"entries": es})
	return nil
}
