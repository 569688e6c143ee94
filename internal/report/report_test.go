package report

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"xinyong"
)

// A valid citizen ID number (GB 11643-1999 check character) that must never
// appear in full.
const fullID = "11010519491231002X"

var (
	issued  = time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)
	today   = xinyong.DateOf(issued)
	company = xinyong.Subject{ID: "s1", Key: "91620100MA71XYZ12K", Code: "91620100MA71XYZ12K", Kind: xinyong.KindEnterprise, Name: "兰州市㐀𠀀犇淼燚堃赟垚商贸有限责任公司"}
	person  = xinyong.Subject{ID: "s2", Key: "P:abc", Code: xinyong.MaskID(fullID), Kind: xinyong.KindPerson, Name: "欧阳晓明"}
)

func items() map[string]xinyong.CatalogueItem {
	xzcf := xinyong.CatalogueItem{Code: "XZCF", Name: "行政处罚信息", Kind: "penalty", Category: "administrative", Negative: true, DisclosureScope: xinyong.DisclosePublic, LegalBasis: "《中华人民共和国行政处罚法》第四十八条", SubjectKinds: []xinyong.SubjectKind{xinyong.KindEnterprise, xinyong.KindPerson},
		Fields: []xinyong.FieldSpec{
			{Code: "CF_XDR_MC", Label: "行政相对人名称", Type: xinyong.FieldText},
			{Code: "CF_FRDB", Label: "法定代表人", Type: xinyong.FieldText, Personal: true},
			{Code: "CF_FR_ZJHM", Label: "法定代表人证件号码", Type: xinyong.FieldCode, Personal: true},
			{Code: "CF_WFXW", Label: "违法行为类型", Type: xinyong.FieldText},
			{Code: "CF_SY", Label: "违法事实", Type: xinyong.FieldText},
			{Code: "CF_NR_FK", Label: "罚款金额", Type: xinyong.FieldAmount, Unit: "万元"},
		}}
	xzxk := xinyong.CatalogueItem{Code: "XZXK", Name: "行政许可信息", Kind: "license", Category: "administrative", DisclosureScope: xinyong.DisclosePublic,
		Fields: []xinyong.FieldSpec{{Code: "XK_NR", Label: "许可内容", Type: xinyong.FieldText}}}
	xycn := xinyong.CatalogueItem{Code: "XYCN", Name: "信用承诺及履行情况信息", Category: "commitment", DisclosureScope: xinyong.DiscloseOnRequest,
		Fields: []xinyong.FieldSpec{{Code: "CN_SX", Label: "承诺事项", Type: xinyong.FieldText}}}
	cxry := xinyong.CatalogueItem{Code: "CXRY", Name: "诚实守信相关荣誉信息", Category: "honour", DisclosureScope: xinyong.DisclosePublic,
		Fields: []xinyong.FieldSpec{{Code: "RY_MC", Label: "荣誉名称", Type: xinyong.FieldText}}}
	return map[string]xinyong.CatalogueItem{"XZCF": xzcf, "XZXK": xzxk, "XYCN": xycn, "CXRY": cxry}
}

func penalty(id string, subj xinyong.Subject, number string, decision xinyong.Date, months int) xinyong.Record {
	return xinyong.Record{
		ID: id, Item: "XZCF", Kind: "penalty", SubjectID: subj.ID, SubjectName: subj.Name, SubjectKind: subj.Kind, Version: 1, Status: xinyong.RecordActive,
		Document: xinyong.Document{Type: xinyong.DocPenaltyDecision, Number: number, Authority: "兰州市市场监督管理局", DecisionDate: decision},
		Fields: map[string]string{
			"CF_XDR_MC": subj.Name, "CF_FRDB": "欧阳晓明", "CF_FR_ZJHM": fullID, "CF_WFXW": "虚假宣传",
			"CF_SY":    "当事人在其经营场所及网络平台发布虚假广告，宣称其产品具有治疗功效（证人身份证号" + fullID + "），违反《中华人民共和国广告法》第二十八条、第五十五条之规定；经查属实，依法应予处罚。",
			"CF_NR_FK": "2",
		},
		Severity: xinyong.SeverityGeneral, Categories: []string{"罚款", "没收违法所得"},
		Window: xinyong.Window{Published: true, Start: decision, MinEnd: decision.AddMonths(3), MaxEnd: decision.AddMonths(months)},
	}
}

func input(subj xinyong.Subject, scope string) Input {
	recs := []xinyong.Record{
		penalty("r1", subj, "兰市监罚〔2025〕12号", xinyong.MustDate("2025-06-03"), 36),
		penalty("r2", subj, "兰市监罚〔2022〕1号", xinyong.MustDate("2022-01-03"), 36), // window closed
		{ID: "r3", Item: "XZXK", Kind: "license", SubjectID: subj.ID, Status: xinyong.RecordActive, Version: 1,
			Document: xinyong.Document{Type: xinyong.DocLicenseDecision, Number: "甘食经〔2024〕88号", Authority: "兰州市市场监督管理局", DecisionDate: xinyong.MustDate("2024-05-01")},
			Fields:   map[string]string{"XK_NR": "食品经营许可"},
			Window:   xinyong.Window{Published: true, Start: xinyong.MustDate("2024-05-01")}},
		{ID: "r4", Item: "XYCN", SubjectID: subj.ID, Status: xinyong.RecordActive, Version: 1,
			Document: xinyong.Document{Type: xinyong.DocOther, Name: "信用承诺书", Number: "CN-1", Authority: "兰州市发展和改革委员会", DecisionDate: xinyong.MustDate("2025-01-01")},
			Fields:   map[string]string{"CN_SX": "按期履行"},
			Window:   xinyong.Window{Published: true, Start: xinyong.MustDate("2025-01-01")}},
	}
	w := penalty("r5", subj, "兰市监罚〔2025〕99号", xinyong.MustDate("2025-07-01"), 36)
	w.Status = xinyong.RecordWithdrawn
	recs = append(recs, w)
	return Input{Number: "XY-20260314-ABCDEFGHJK", IssuedAt: issued, Issuer: "信用信息平台（测试）", Scope: scope, Subject: subj, Records: recs, Items: items(),
		Checkpoint: Checkpoint{Origin: "test.xinyong/ledger", Size: 42, Root: strings.Repeat("ab", 32)}}
}

func section(r Report, key string) Section {
	for _, s := range r.Sections {
		if s.Key == key {
			return s
		}
	}
	return Section{}
}

func TestBuildSelectsPublishedRecords(t *testing.T) {
	r := Build(input(company, ScopePublic))
	if r.Title != "法人和非法人组织公共信用信息报告" || r.AsOf != today {
		t.Fatalf("title %q as of %s", r.Title, r.AsOf)
	}
	pen := section(r, SecPenalties)
	if len(pen.Entries) != 1 || pen.Entries[0].Number != "兰市监罚〔2025〕12号" {
		t.Fatalf("penalties: want only the open, active one, got %+v", pen.Entries)
	}
	if pen.Entries[0].PublishedUntil != xinyong.MustDate("2028-06-03") {
		t.Errorf("publication end %s", pen.Entries[0].PublishedUntil)
	}
	if lic := section(r, SecLicences); len(lic.Entries) != 1 {
		t.Errorf("licences (open-ended window): %+v", lic)
	}
	if c := section(r, SecCommitments); len(c.Entries) != 0 || c.Empty == "" {
		t.Errorf("an on-request commitment is not in the public report: %+v", c)
	}
	if s := section(r, SecSeriousList); len(s.Entries) != 0 || !strings.Contains(s.Empty, "no listing on record") {
		t.Errorf("serious list: %+v", s)
	}
	if h := section(r, SecHonours); h.Empty == "" {
		t.Errorf("empty honours must say so: %+v", h)
	}
	// The subject's own report includes what is disclosed on request.
	own := Build(input(company, ScopeSubject))
	if c := section(own, SecCommitments); len(c.Entries) != 1 {
		t.Errorf("own report: commitments %+v", c)
	}
}

func TestNoFullIDNumber(t *testing.T) {
	for _, subj := range []xinyong.Subject{company, person} {
		r := Build(input(subj, ScopeSubject))
		b, err := Canonical(r)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(fullID)) {
			t.Fatalf("full ID number in the JSON report: %s", b)
		}
		if subj.Kind == xinyong.KindPerson && (bytes.Contains(b, []byte(person.Name)) || r.Subject.Name != "欧**明") {
			t.Errorf("a person's name must be masked: %q", r.Subject.Name)
		}
		if !bytes.Contains(b, []byte(xinyong.MaskID(fullID))) {
			t.Errorf("the masked ID number should appear")
		}
	}
}

func TestWrap(t *testing.T) {
	if err := loadFont(); err != nil {
		t.Fatal(err)
	}
	text := "当事人在其经营场所发布虚假广告，违反《中华人民共和国广告法》第二十八条之规定；罚款人民币20000元，没收违法所得ABCDEFGHIJKLMNOP。"
	for _, max := range []float64{60, 95, 130, 200} {
		lines := Wrap(text, 10, max)
		if strings.Join(lines, "") != text {
			t.Fatalf("width %v: lines lose text: %q", max, lines)
		}
		for i, l := range lines {
			rs := []rune(l)
			if len(rs) == 0 {
				t.Fatalf("empty line in %q", lines)
			}
			if i > 0 && strings.ContainsRune(noStart, rs[0]) {
				t.Errorf("width %v: line %q starts with closing punctuation", max, l)
			}
			if i < len(lines)-1 && strings.ContainsRune(noEnd, rs[len(rs)-1]) {
				t.Errorf("width %v: line %q ends with opening punctuation", max, l)
			}
			w := 0.0
			for _, r := range rs {
				w += width(r) * 10
			}
			if w > max+0.01 && len(rs) > 1 && !strings.ContainsRune(noStart, rs[len(rs)-1]) {
				t.Errorf("width %v: line %q is %.1f wide", max, l, w)
			}
		}
	}
	// Latin words stay whole where possible.
	for _, l := range Wrap("处罚决定书 ABCDEFGH 已送达", 10, 80) {
		if strings.Contains(l, "ABC") && !strings.Contains(l, "ABCDEFGH") {
			t.Errorf("a word was broken: %q", l)
		}
	}
}

func testSigner(t testing.TB) (note.Signer, string) {
	skey, vkey, err := note.GenerateKey(rand.Reader, "test.xinyong/ledger")
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return s, vkey
}

func sealed(t testing.TB, r Report, s note.Signer) ([]byte, string, []byte) {
	canon, err := Canonical(r)
	if err != nil {
		t.Fatal(err)
	}
	digest := Digest(canon)
	n, err := Sign(s, r.Number, digest)
	if err != nil {
		t.Fatal(err)
	}
	return canon, digest, n
}

func TestSealAndParse(t *testing.T) {
	s, vkey := testSigner(t)
	r := Build(input(company, ScopePublic))
	canon, digest, n := sealed(t, r, s)
	if err := CheckNote(n, vkey, r.Number, digest); err != nil {
		t.Fatal(err)
	}
	if CheckNote(n, vkey, r.Number, strings.Repeat("0", 64)) == nil || CheckNote(n, vkey, "XY-20260314-XXXXXXXXXX", digest) == nil {
		t.Fatal("a note must sign exactly the number and digest")
	}
	doc := Envelope(canon, r.Number, digest, n)
	p, err := Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	if p.Digest != digest || !bytes.Equal(p.Raw, canon) || p.Report.Number != r.Number {
		t.Fatalf("parse: digest %s vs %s", p.Digest, digest)
	}
	if !ValidNumber(NewNumber(issued)) || ValidNumber("XY-2026-1") || !strings.HasPrefix(NewNumber(issued), "XY-20260314-") {
		t.Error("report numbers")
	}
	if c := Code(n); !regexp.MustCompile(`^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$`).MatchString(c) {
		t.Errorf("code %q", c)
	}
}

func pdftotext(t *testing.T, pdf []byte) string {
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
	return string(out)
}

func TestPDFChineseTextExtractable(t *testing.T) {
	s, _ := testSigner(t)
	r := Build(input(company, ScopePublic))
	// Long text to force wrapping and several pages.
	long := strings.Repeat("当事人未按规定公示年度报告，经责令限期改正仍未改正；", 30)
	r.Sections[2].Entries = append(r.Sections[2].Entries, Entry{ItemName: "行政处罚信息", Document: "行政处罚决定书", Number: "兰市监罚〔2025〕13号", Authority: "兰州市市场监督管理局",
		DecisionDate: xinyong.MustDate("2025-06-04"), Fields: []Field{{"违法事实", long}}})
	_, digest, n := sealed(t, r, s)
	pdf, err := PDF(r, Seal{Digest: digest, Note: n, Key: s.Name()})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	if bytes.Contains(pdf, []byte(fullID)) {
		t.Fatal("full ID number in the PDF bytes")
	}
	text := pdftotext(t, pdf)
	flat := strings.Join(strings.Fields(text), "")
	for _, want := range []string{
		"法人和非法人组织公共信用信息报告", "XY-20260314-ABCDEFGHJK", "基本信息", "行政许可信息", "行政处罚信息", "严重失信主体名单信息",
		"信用承诺及履行情况信息", "守信激励信息", "兰市监罚〔2025〕12号", "犇淼燚堃赟垚商贸有限责任公司", "91620100MA71XYZ12K",
		"2028-06-03", "no listing on record", "欧**明", xinyong.MaskID(fullID), digest, Code(n), "报告核验信息",
		strings.Repeat("当事人未按规定公示年度报告，经责令限期改正仍未改正；", 3),
		"〓〓", // 㐀 and 𠀀: not in the font, substituted
	} {
		if !strings.Contains(flat, strings.Join(strings.Fields(want), "")) {
			t.Errorf("pdftotext lacks %q", want)
		}
	}
	if strings.Contains(text, fullID) {
		t.Error("full ID number in the PDF text")
	}
	if !strings.Contains(flat, "第2页") {
		t.Error("the long report should run to a second page")
	}
}

func TestPDFConcurrent(t *testing.T) {
	s, _ := testSigner(t)
	r := Build(input(company, ScopePublic))
	_, digest, n := sealed(t, r, s)
	var wg sync.WaitGroup
	outs := make([][]byte, 8)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := PDF(r, Seal{Digest: digest, Note: n, Key: s.Name()})
			if err != nil {
				t.Error(err)
			}
			outs[i] = b
		}()
	}
	wg.Wait()
	for i := 1; i < len(outs); i++ {
		if !bytes.Equal(outs[0], outs[i]) {
			t.Fatal("the same report rendered twice differs")
		}
	}
}

func BenchmarkPDF(b *testing.B) {
	s, _ := testSigner(b)
	r := Build(input(company, ScopePublic))
	_, digest, n := sealed(b, r, s)
	if _, err := PDF(r, Seal{Digest: digest, Note: n, Key: s.Name()}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := PDF(r, Seal{Digest: digest, Note: n, Key: s.Name()}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pdfs/s")
}

func BenchmarkPDFParallel(b *testing.B) {
	s, _ := testSigner(b)
	r := Build(input(company, ScopePublic))
	_, digest, n := sealed(b, r, s)
	if _, err := PDF(r, Seal{Digest: digest, Note: n, Key: s.Name()}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := PDF(r, Seal{Digest: digest, Note: n, Key: s.Name()}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pdfs/s")
}

func TestEnvelopeIsJSON(t *testing.T) {
	s, _ := testSigner(t)
	r := Build(input(person, ScopeSubject))
	canon, digest, n := sealed(t, r, s)
	var v map[string]any
	if err := json.Unmarshal(Envelope(canon, r.Number, digest, n), &v); err != nil {
		t.Fatal(err)
	}
	if r.Title != "个人公共信用信息报告" {
		t.Errorf("person title %q", r.Title)
	}
}

// A number shaped like a citizen ID number is masked in a report whatever
// its check character (as xinyong.Visible masks it everywhere else): a
// mistyped number is still a person's number. The consent note repeats the
// organisation's and the consent's own texts.
func TestNoMistypedIDNumber(t *testing.T) {
	typo := fullID[:17] + "1" // the check character of fullID is X
	in := input(person, ScopeConsent)
	in.Viewer = xinyong.Viewer{Kind: xinyong.ViewerAgency, Organisation: "某银行（经办人身份证 " + typo + "）", Purpose: "贷款审查"}
	in.Consent = &xinyong.Consent{ID: "c1", SubjectID: person.ID, Organisation: in.Viewer.Organisation, Items: []string{"XZCF"}, Purpose: "贷款审查，申请人 " + typo, ExpiresAt: issued.AddDate(0, 1, 0)}
	b, err := Canonical(Build(in))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(typo)) {
		t.Errorf("the report repeats the number %s in full: %s", typo, b)
	}
	if !bytes.Contains(b, []byte(xinyong.MaskID(typo))) {
		t.Errorf("the consent note should show the number masked: %s", b)
	}
}
