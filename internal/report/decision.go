package report

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/signintech/gopdf"

	"xinyong"
)

// The documents of the listing procedure (issue 6; DOMAIN.md §4): the prior
// notice (事先告知书) and the decision document (认定决定书). One model,
// ListingDocument, is built from the listing and rendered twice — as the console's
// HTML page and as PDF with the report font — so both always say the same.

// ListingDocument is a formal document: a title, a number, the party, numbered
// sections and the issuing body with the date.
type ListingDocument struct {
	Kind     string // "notice" or "decision"
	Title    string
	Number   string // 文号 (decision); empty for a notice
	Party    string // 当事人
	ListType string // 名单类型
	Sections []DocSection
	Issuer   string // 作出机关
	Date     xinyong.Date
	Ref      string // listing id and version, printed in the footer
	Notes    []string
}

// DocSection is one numbered part of a document.
type DocSection struct {
	No      string // 一、二、…
	Heading string
	Paras   []string
}

func numbered(ss []DocSection) []DocSection {
	for i := range ss {
		ss[i].No = chineseOrdinal(i+1) + "、"
	}
	return ss
}

// Text returns every word of the document, in order (tests and search).
func (d ListingDocument) Text() string {
	var b strings.Builder
	b.WriteString(d.Title + "\n" + d.Number + "\n" + d.Party + "\n" + d.ListType + "\n")
	for _, s := range d.Sections {
		b.WriteString(s.Heading + "\n" + strings.Join(s.Paras, "\n") + "\n")
	}
	b.WriteString(d.Issuer + "\n" + d.Date.String() + "\n" + strings.Join(d.Notes, "\n"))
	return b.String()
}

// ListingDoc is what the documents are built from.
type ListingDoc struct {
	Listing      xinyong.Listing
	ListTypeName string
	Department   string            // the identifying department's name
	PartyName    string            // the subject's name (masked for a natural person)
	PartyCode    string            // the subject's code (masked for a natural person)
	Measures     []xinyong.Measure // the decision's measures with their details
}

func (in ListingDoc) party() string {
	if in.PartyCode == "" {
		return in.PartyName
	}
	return in.PartyName + "（" + in.PartyCode + "）"
}

func (in ListingDoc) listType() string {
	if in.ListTypeName == "" {
		return in.Listing.ListType
	}
	return in.ListTypeName + "（" + in.Listing.ListType + "）"
}

func (in ListingDoc) ref() string {
	return "名单编号 " + in.Listing.ID + " · 第 " + strconv.Itoa(in.Listing.Version) + " 版"
}

// ListingDocument titles.
const (
	NoticeTitle   = "严重失信主体名单列入事先告知书"
	DecisionTitle = "严重失信主体名单认定决定书"
)

// NoticeDocument builds the prior notice (告知书): the reasons, the basis,
// the party's rights and the objection deadline in working days. ENOTFOUND
// when no notice was sent.
func NoticeDocument(in ListingDoc) (ListingDocument, error) {
	n := in.Listing.Notice
	if n == nil {
		return ListingDocument{}, xinyong.Errorf(xinyong.ENOTFOUND, "listing %s has no notice yet", in.Listing.ID)
	}
	d := ListingDocument{Kind: "notice", Title: NoticeTitle, Party: in.party(), ListType: in.listType(), Issuer: in.Department, Date: n.Date, Ref: in.ref()}
	d.Sections = []DocSection{
		{Heading: "拟列入事由", Paras: []string{n.Reasons}},
		{Heading: "拟列入依据", Paras: []string{n.Basis}},
		{Heading: "当事人权利", Paras: []string{n.Rights}},
		{Heading: "异议期限", Paras: []string{fmt.Sprintf("当事人可自本告知书送达之日起 %d 个工作日内（至 %s 止，按国家法定节假日安排计算）向本机关提出异议，陈述理由并提交相关证据。逾期未提出的，视为放弃陈述、申辩和异议。", n.ObjectionDays, n.ObjectionDeadline)}},
	}
	d.Sections = numbered(d.Sections)
	return d, nil
}

// DecisionDocument builds the decision document (认定决定书): the reason,
// the basis, the punishment measures that follow (from the measures list),
// the listing period, the removal conditions and procedure, and the
// remedies (administrative reconsideration, litigation). ENOTFOUND when
// there is no decision.
func DecisionDocument(in ListingDoc) (ListingDocument, error) {
	l := in.Listing
	dec := l.Decision
	if dec == nil {
		return ListingDocument{}, xinyong.Errorf(xinyong.ENOTFOUND, "listing %s has no decision yet", l.ID)
	}
	d := ListingDocument{Kind: "decision", Title: DecisionTitle, Number: dec.Number, Party: in.party(), ListType: in.listType(), Issuer: in.Department, Date: dec.Date, Ref: in.ref()}
	if l.Notice != nil {
		d.Sections = append(d.Sections, DocSection{Heading: "告知情况", Paras: []string{fmt.Sprintf("本机关已于 %s 向当事人送达事先告知书，告知拟列入的事由、依据及其陈述、申辩和异议的权利，异议期限至 %s。", l.Notice.Date, l.Notice.ObjectionDeadline)}})
	}
	if o := l.Objection; o != nil {
		paras := []string{fmt.Sprintf("当事人于 %s 提出异议：%s", o.Date, o.Statement)}
		if len(o.Evidence) > 0 {
			paras = append(paras, "提交证据："+strings.Join(o.Evidence, "、"))
		}
		if v := l.Verification; v != nil {
			paras = append(paras, fmt.Sprintf("经核实，本机关于 %s 答复：%s", v.Date, v.Answer))
		}
		d.Sections = append(d.Sections, DocSection{Heading: "异议及核实情况", Paras: paras})
	}
	d.Sections = append(d.Sections,
		DocSection{Heading: "认定理由", Paras: []string{dec.Reason}},
		DocSection{Heading: "认定依据", Paras: []string{dec.Basis}},
		DocSection{Heading: "失信惩戒措施", Paras: measureParas(dec.Measures, in.Measures)},
		DocSection{Heading: "列入期限", Paras: []string{periodText(l)}},
		DocSection{Heading: "移出条件", Paras: []string{dec.RemovalConditions}},
		DocSection{Heading: "移出程序", Paras: []string{dec.RemovalProcedure, "信用修复不收取任何费用。"}},
		DocSection{Heading: "救济途径", Paras: []string{"行政复议：" + dec.Remedies.Reconsideration, "行政诉讼：" + dec.Remedies.Litigation}},
	)
	d.Sections = numbered(d.Sections)
	d.Notes = []string{"依照本决定实施的失信惩戒措施以全国失信惩戒措施基础清单及本省补充清单所列为限，不得超出清单范围或加重惩戒（过惩相当）。"}
	return d, nil
}

// measureParas names each measure with its item, implementing body and
// legal basis; measures of the third kind are information only.
func measureParas(codes []string, details []xinyong.Measure) []string {
	out := []string{"依据失信惩戒措施清单，当事人被列入名单期间，有关单位可依法实施以下措施："}
	for i, c := range codes {
		line := strconv.Itoa(i+1) + ". " + c
		for _, m := range details {
			if m.Code != c {
				continue
			}
			line = strconv.Itoa(i+1) + ". " + m.Item + "（" + m.Code + "）；实施主体：" + m.Body + "；实施依据：" + m.LegalBasis
			if m.Kind == xinyong.MeasureVoluntary {
				line += "（由其他组织自主实施，仅作提示，不得强制）"
			}
		}
		out = append(out, line)
	}
	return out
}

func periodText(l xinyong.Listing) string {
	dec := l.Decision
	if dec.PeriodMonths == 0 {
		return "自列入之日起至依法移出之日止。"
	}
	s := fmt.Sprintf("%d 个月", dec.PeriodMonths)
	if dec.ExtensionMonths > 0 {
		s += fmt.Sprintf("（含延长 %d 个月）", dec.ExtensionMonths)
	}
	if !l.ListedOn.IsZero() {
		s += "，自 " + l.ListedOn.String() + " 起"
		// The effective end, and the stored end date where it lies beyond
		// the longest period (xinyong.Listing.PeriodEnd).
		if end := l.PeriodEnd(); !end.End.IsZero() {
			s += "至 " + end.Chinese() + " 止"
		}
	} else {
		s += "，自列入之日起计算"
	}
	return s + "；期满自动移出。"
}

// ListingDocumentPDF renders a document as A4 PDF with the report font; its text
// is extractable (pdftotext).
func ListingDocumentPDF(d ListingDocument, created time.Time) ([]byte, error) {
	if err := loadFont(); err != nil {
		return nil, fmt.Errorf("report: font: %w", err)
	}
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: gopdf.Rect{W: pageW, H: pageH}, Unit: gopdf.UnitPT})
	pdf.SetCompressLevel(6)
	party, _ := printable(d.Party)
	pdf.SetInfo(gopdf.PdfInfo{Title: strings.TrimSpace(d.Title + " " + d.Number), Subject: party, Creator: "Xinyong 信用信息平台", Producer: "Xinyong", CreationDate: created})
	if err := pdf.AddTTFFontFromFontContainer(family, fonts); err != nil {
		return nil, err
	}
	w := &docWriter{writer: writer{pdf: pdf, footer: d.Ref}}
	w.newPage()

	w.centered(d.Title, sizeTitle)
	if d.Number != "" {
		w.space(2)
		w.centered(d.Number, sizeBody+1)
	}
	w.space(10)
	w.kv("当事人", d.Party)
	w.kv("名单类型", d.ListType)
	w.space(4)
	w.rule()
	for _, s := range d.Sections {
		w.space(8)
		w.keep(sizeHead*2 + sizeBody*3)
		w.text(s.No+s.Heading, sizeHead, 0, 0)
		w.space(3)
		for _, p := range s.Paras {
			w.paraDoc(p, sizeBody+0.5)
		}
	}
	w.space(18)
	w.keep(sizeBody * 6)
	w.right(d.Issuer, sizeBody+1)
	w.right(d.Date.String(), sizeBody+1)
	if len(d.Notes) > 0 || w.replaced {
		w.space(10)
		w.rule()
		w.space(4)
		for _, n := range d.Notes {
			w.paraDoc(n, sizeSmall+1)
		}
		if w.replaced {
			w.paraDoc("字库缺少的生僻字在本文件中以“〓”代替，以平台记录为准。", sizeSmall+1)
		}
	}
	if w.err != nil {
		return nil, w.err
	}
	var buf bytes.Buffer
	if _, err := pdf.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("report: write PDF: %w", err)
	}
	return buf.Bytes(), nil
}

// docWriter is the report writer with the document's own footer.
// docWriter is the report's writer with the documents' own lines
// (centred titles, right-aligned signatures, first-line indents).
type docWriter struct {
	writer
}

// paraDoc writes a paragraph with a two-character first-line indent.
func (w *docWriter) paraDoc(s string, size float64) {
	w.text("\u3000\u3000"+s, size, 0, 0)
}

func (w *docWriter) centered(s string, size float64) {
	s, rep := printable(s)
	w.replaced = w.replaced || rep
	for _, l := range Wrap(s, size, contentW) {
		w.setErr(w.pdf.SetFont(family, "", size))
		lw, _ := w.pdf.MeasureTextWidth(l)
		w.line(l, size, (contentW-lw)/2)
	}
}

func (w *docWriter) right(s string, size float64) {
	s, rep := printable(s)
	w.replaced = w.replaced || rep
	if s == "" {
		return
	}
	for _, l := range Wrap(s, size, contentW) {
		w.setErr(w.pdf.SetFont(family, "", size))
		lw, _ := w.pdf.MeasureTextWidth(l)
		w.line(l, size, contentW-lw)
	}
}

// kv writes a label and value; long values wrap (the report's layout).
func (w *docWriter) kv(label, value string) {
	label, _ = printable(label)
	value, rep := printable(value)
	w.replaced = w.replaced || rep
	if value == "" {
		value = "—"
	}
	values := Wrap(value, sizeBody+0.5, contentW-80)
	h := (sizeBody + 0.5) * lineGap
	for i, v := range values {
		w.keep(h)
		w.setErr(w.pdf.SetFont(family, "", sizeBody+0.5))
		if i == 0 {
			w.pdf.SetTextColor(90, 90, 90)
			w.pdf.SetXY(marginX, w.y)
			w.setErr(w.pdf.Cell(nil, label+"："))
			w.pdf.SetTextColor(0, 0, 0)
		}
		w.pdf.SetXY(marginX+80, w.y)
		w.setErr(w.pdf.Cell(nil, v))
		w.y += h
	}
}
