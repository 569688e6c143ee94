package workflow_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/report"
	"xinyong/internal/workflow"
)

// reportListingsPDFText extracts a PDF's text with pdftotext, whitespace
// removed; the test is skipped without pdftotext (unless XINYONG_REQUIRE_ALL).
func reportListingsPDFText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("XINYONG_REQUIRE_ALL") == "1" {
			t.Fatal("pdftotext (poppler-utils) is required")
		}
		t.Skip("pdftotext not installed")
	}
	f := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(f, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", f, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, out)
	}
	return strings.Join(strings.Fields(string(out)), "")
}

func seriousSection(t *testing.T, r report.Report) report.Section {
	t.Helper()
	for _, s := range r.Sections {
		if s.Key == report.SecSeriousList {
			return s
		}
	}
	t.Fatalf("no serious-list section: %+v", r.Sections)
	return report.Section{}
}

// TestReportSeriousListings: a credit report states the subject's
// serious-dishonesty listing walked through the procedure — list type,
// decision number, identifying department, dates — in the sealed JSON and
// in the PDF, and the report still verifies; once the listing is removed a
// new report says there is none; a listing of a list type that is not
// published is not in the public report (as on the public list pages).
func TestReportSeriousListings(t *testing.T) {
	e := newRepairEnv(t)
	rec := e.penalty(t, e.org, "兰市监罚〔2026〕11号", "2026-05-20", "serious")
	issue := func() workflow.Issued {
		t.Helper()
		iss, err := e.svc.IssueReport(e.ctx, xinyong.Public, e.org)
		if err != nil {
			t.Fatal(err)
		}
		if iss.Report.Scope != report.ScopePublic {
			t.Fatalf("scope %s", iss.Report.Scope)
		}
		return iss
	}
	none := func(what string, iss workflow.Issued, hidden ...string) {
		t.Helper()
		s := seriousSection(t, iss.Report)
		if len(s.Listings) != 0 || len(s.Entries) != 0 || !strings.Contains(s.Empty, "no listing on record") {
			t.Errorf("%s: serious-list section %+v", what, s)
		}
		for _, h := range hidden {
			if bytes.Contains(iss.Document, []byte(h)) {
				t.Errorf("%s: the report shows %q", what, h)
			}
		}
	}
	none("before listing", issue())

	var lt xinyong.ListType
	ref, err := e.svc.Reference(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ref.ListTypes {
		if x.Code == "SAMR_SERIOUS" {
			lt = x
		}
	}
	if !lt.Published || lt.Name == "" {
		t.Fatalf("SAMR_SERIOUS: %+v", lt)
	}
	const number = "兰市监认〔2026〕21号"
	l := e.list(t, rec, number)
	if l.State != xinyong.ListingListed || !l.Published {
		t.Fatalf("listing: %+v", l)
	}

	iss := issue()
	s := seriousSection(t, iss.Report)
	if len(s.Listings) != 1 || s.Empty != "" {
		t.Fatalf("listed: serious-list section %+v", s)
	}
	got := s.Listings[0]
	if got.ListType != "SAMR_SERIOUS" || got.ListTypeName != lt.Name || got.DecisionNumber != number || got.Authority != "兰州市市场监督管理局" ||
		got.ListedOn != l.ListedOn || got.EndDate != l.EndDate || got.DecisionDate != l.Decision.Date {
		t.Errorf("listing entry %+v, listing %+v", got, l)
	}
	labels := map[string]string{}
	for _, f := range got.Fields {
		labels[f.Label] = f.Value
	}
	if labels[report.LabelListType] != lt.Name || labels[report.LabelDecisionNumber] != number || labels[report.LabelListAuthority] != "兰州市市场监督管理局" ||
		labels[report.LabelListedOn] != l.ListedOn.String() || labels[report.LabelListingEnd] != l.EndDate.String() {
		t.Errorf("listing fields %+v", got.Fields)
	}
	// The seal covers the listing: it is in the canonical report the
	// digest is taken of, and the served document verifies; a changed
	// decision number is refused.
	if !bytes.Contains(iss.Canonical, []byte(number)) || report.Digest(iss.Canonical) != iss.Digest {
		t.Error("the canonical report (sealed) lacks the listing")
	}
	if c, err := e.svc.VerifyReportDocument(e.ctx, iss.Document); err != nil || !c.Genuine {
		t.Errorf("verify document: %v %+v", err, c)
	}
	if c, err := e.svc.VerifyReport(e.ctx, iss.Report.Number); err != nil || !c.Genuine || c.Digest != iss.Digest {
		t.Errorf("verify number: %v %+v", err, c)
	}
	alt := bytes.Replace(iss.Document, []byte(number), []byte("兰市监认〔2026〕22号"), 1)
	if c, err := e.svc.VerifyReportDocument(e.ctx, alt); err != nil || c.Genuine {
		t.Errorf("a changed decision number verifies: %v %+v", err, c)
	}
	pdf, err := iss.PDF()
	if err != nil {
		t.Fatal(err)
	}
	text := reportListingsPDFText(t, pdf)
	for _, want := range []string{"严重失信主体名单信息", lt.Name, number, "兰州市市场监督管理局", l.ListedOn.String(), l.EndDate.String(), "认定决定书文号", "名单类型（list type）"} {
		if !strings.Contains(text, strings.Join(strings.Fields(want), "")) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	if strings.Contains(text, "nolistingonrecord") {
		t.Error("the PDF says there is no listing beside one")
	}

	// Removed (revoked): a new report has none.
	if _, err := e.svc.RemoveListing(e.ctx, e.offA, l.ID, xinyong.RemovalRevoked, "复议撤销"); err != nil {
		t.Fatal(err)
	}
	none("after removal", issue(), number)

	// A list type that is not published: its listing is not in the public
	// report, as it is not on the public list pages.
	unpub := lt
	unpub.Published = false
	if _, err := e.svc.PutListType(e.ctx, xinyong.System, unpub); err != nil {
		t.Fatal(err)
	}
	const hidden = "兰市监认〔2026〕23号"
	l2 := e.list(t, e.penalty(t, e.org, "兰市监罚〔2026〕12号", "2026-05-21", "serious"), hidden)
	if l2.State != xinyong.ListingListed || l2.Published {
		t.Fatalf("listing of an unpublished list type: %+v", l2)
	}
	none("unpublished list type", issue(), number, hidden)
	if p, err := e.svc.PublicSeriousList(e.ctx, "", 1); err != nil || len(p.Listings) != 0 {
		t.Errorf("the public list page: %v %+v", err, p.Listings)
	}
}
