package report

import (
	"strings"
	"testing"

	"xinyong"
)

// TestReportBuildListings: the serious-list section holds the listings in force
// on the issue date, newest first, labelled in Chinese and English, and
// says it is empty only when there is none; the seal covers them and the
// PDF prints them.
func TestReportBuildListings(t *testing.T) {
	in := input(company, ScopePublic)
	view := func(number string, listed, end xinyong.Date) xinyong.PublicListingView {
		return xinyong.PublicListingView{ListType: "SAMR_SERIOUS", ListTypeName: "市场监督管理严重违法失信名单", DecisionNumber: number, DecisionDate: listed,
			Authority: "兰州市市场监督管理局", ListedOn: listed, EndDate: end, Basis: "《市场监督管理严重违法失信名单管理办法》第二条"}
	}
	in.Listings = []xinyong.PublicListingView{
		view("兰市监认〔2025〕1号", today.AddDays(-100), today.AddDays(900)),
		view("兰市监认〔2026〕2号", today.AddDays(-10), xinyong.Date{}),    // no fixed end
		view("兰市监认〔2026〕3号", today.AddDays(1), today.AddDays(1000)), // not yet in force
		view("兰市监认〔2023〕4号", today.AddDays(-900), today),            // ended today
	}
	r := Build(in)
	s := section(r, SecSeriousList)
	if s.Empty != "" || len(s.Listings) != 2 || s.Listings[0].DecisionNumber != "兰市监认〔2026〕2号" || s.Listings[1].DecisionNumber != "兰市监认〔2025〕1号" {
		t.Fatalf("serious list: %+v", s)
	}
	fields := map[string]string{}
	for _, f := range s.Listings[0].Fields {
		fields[f.Label] = f.Value
	}
	if fields[LabelListType] != "市场监督管理严重违法失信名单" || fields[LabelDecisionNumber] != "兰市监认〔2026〕2号" || fields[LabelListAuthority] != "兰州市市场监督管理局" ||
		fields[LabelListedOn] != today.AddDays(-10).String() || fields[LabelListingEnd] != NoFixedEnd {
		t.Errorf("fields: %+v", s.Listings[0].Fields)
	}
	if l := s.Listings[1]; l.EndDate != today.AddDays(900) || l.ListedOn != today.AddDays(-100) || l.Authority != "兰州市市场监督管理局" {
		t.Errorf("second listing: %+v", l)
	}
	// Without listings the section says so.
	in.Listings = in.Listings[2:]
	if s := section(Build(in), SecSeriousList); len(s.Listings) != 0 || !strings.Contains(s.Empty, "no listing on record") {
		t.Errorf("no listing in force: %+v", s)
	}

	sg, _ := testSigner(t)
	canon, digest, n := sealed(t, r, sg)
	if !strings.Contains(string(canon), "兰市监认〔2026〕2号") {
		t.Error("the sealed canonical report lacks the listing")
	}
	pdf, err := PDF(r, Seal{Digest: digest, Note: n, Key: sg.Name()})
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(pdftotext(t, pdf)), "")
	for _, want := range []string{"严重失信主体名单信息", "市场监督管理严重违法失信名单", "兰市监认〔2026〕2号", "兰市监认〔2025〕1号", "兰州市市场监督管理局", "无固定期限", today.AddDays(900).String()} {
		if !strings.Contains(flat, want) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	if strings.Contains(flat, "nolistingonrecord") || strings.Contains(flat, "兰市监认〔2026〕3号") {
		t.Error("the PDF says there is no listing, or shows one not in force")
	}
}
