package report

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"xinyong"
)

func sampleListing() ListingDoc {
	l := xinyong.Listing{ID: "0190-listing", Version: 6, ListType: "SAMR_SERIOUS", State: xinyong.ListingListed,
		Notice:       &xinyong.ListingNotice{Date: xinyong.MustDate("2026-03-02"), Reasons: "一年内三次虚假宣传受较重处罚", Basis: "《市场监督管理严重违法失信名单管理办法》第二条", Rights: xinyong.StandardRights, ObjectionDays: 5, ObjectionDeadline: xinyong.MustDate("2026-03-09")},
		Objection:    &xinyong.ListingObjection{Date: xinyong.MustDate("2026-03-04"), Statement: "罚款已缴清", Evidence: []string{"缴款凭证"}},
		Verification: &xinyong.ListingVerification{Date: xinyong.MustDate("2026-03-10"), Answer: "经核实，异议不成立"},
		Decision: &xinyong.ListingDecision{Number: "兰市监认〔2026〕1号", Date: xinyong.MustDate("2026-03-16"), Reason: "一年内三次虚假宣传受较重处罚", Basis: "《市场监督管理严重违法失信名单管理办法》第二条",
			Measures: []string{"M-1", "M-3"}, RemovalConditions: "列入满一年，已履行处罚，危害已消除", RemovalProcedure: "向作出决定的部门申请信用修复",
			Remedies: xinyong.Remedies{Reconsideration: "可在六十日内申请行政复议", Litigation: "可在六个月内提起行政诉讼"}, PeriodMonths: 36},
		ListedOn: xinyong.MustDate("2026-03-17"), EndDate: xinyong.MustDate("2029-03-17")}
	return ListingDoc{Listing: l, ListTypeName: "市场监管严重违法失信名单", Department: "兰州市市场监督管理局", PartyName: "兰州某某商贸有限公司", PartyCode: "91620100MA74QX3K0X",
		Measures: []xinyong.Measure{
			{Code: "M-1", Kind: xinyong.MeasureReducesRights, Item: "限制参加政府采购", Body: "财政部门", LegalBasis: "《政府采购法》第二十二条"},
			{Code: "M-3", Kind: xinyong.MeasureVoluntary, Item: "金融机构审慎授信", Body: "金融机构", LegalBasis: "国办发〔2020〕49号"},
		}}
}

// TestDecisionDocument: the decision states every part the procedure asks
// for (国办发〔2020〕49号: reason, basis, measures from the list, removal
// conditions and procedure, remedies), and the notice the reasons, basis,
// rights and deadline; the PDF's text is extractable and holds the same.
func TestDecisionDocument(t *testing.T) {
	in := sampleListing()
	d, err := DecisionDocument(in)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{DecisionTitle, "兰市监认〔2026〕1号", "兰州某某商贸有限公司", "市场监管严重违法失信名单",
		"认定理由", "认定依据", "失信惩戒措施", "限制参加政府采购", "《政府采购法》第二十二条", "仅作提示", "移出条件", "移出程序",
		"救济途径", "行政复议：可在六十日内申请行政复议", "行政诉讼：可在六个月内提起行政诉讼", "2029-03-17", "罚款已缴清", "经核实，异议不成立", "兰州市市场监督管理局"}
	for _, w := range want {
		if !strings.Contains(d.Text(), w) {
			t.Errorf("decision lacks %q", w)
		}
	}
	n, err := NoticeDocument(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{NoticeTitle, "拟列入事由", "拟列入依据", "当事人权利", "陈述", "异议期限", "5 个工作日", "2026-03-09"} {
		if !strings.Contains(n.Text(), w) {
			t.Errorf("notice lacks %q", w)
		}
	}
	// Not yet decided / notified: not found.
	in.Listing.Decision, in.Listing.Notice = nil, nil
	if _, err := DecisionDocument(in); xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
		t.Errorf("no decision: %v", err)
	}
	if _, err := NoticeDocument(in); xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
		t.Errorf("no notice: %v", err)
	}

	for name, doc := range map[string]ListingDocument{"decision": d, "notice": n} {
		b, err := ListingDocumentPDF(doc, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte("%PDF-")) {
			t.Fatalf("%s: not a PDF", name)
		}
		txt := PDFText(t, b)
		var checks []string
		if name == "decision" {
			checks = []string{DecisionTitle, "兰市监认〔2026〕1号", "认定理由", "认定依据", "失信惩戒措施", "限制参加政府采购", "移出条件", "移出程序", "救济途径", "行政复议", "行政诉讼", "名单编号 0190-listing"}
		} else {
			checks = []string{NoticeTitle, "拟列入事由", "当事人权利", "异议期限", "2026-03-09"}
		}
		for _, w := range checks {
			if !strings.Contains(txt, w) {
				t.Errorf("%s PDF text lacks %q:\n%s", name, w, txt)
			}
		}
	}
}

// PDFText extracts a PDF's text with pdftotext (poppler-utils); it skips
// when the tool is missing unless XINYONG_REQUIRE_ALL=1.
func PDFText(t testing.TB, pdf []byte) string {
	t.Helper()
	exe, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("XINYONG_REQUIRE_ALL") == "1" {
			t.Fatal("pdftotext not found (apt-get install -y poppler-utils)")
		}
		t.Skip("pdftotext not found (apt-get install -y poppler-utils)")
	}
	cmd := exec.Command(exe, "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	// Lines wrap: join them so that phrases split across lines match.
	return strings.NewReplacer("\n", "", "\f", "").Replace(string(out))
}

// BenchmarkDecisionPDF renders the decision document as PDF.
func BenchmarkDecisionPDF(b *testing.B) {
	d, err := DecisionDocument(sampleListing())
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	for b.Loop() {
		if _, err := ListingDocumentPDF(d, now); err != nil {
			b.Fatal(err)
		}
	}
}
