package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/signintech/gopdf"

	"xinyong"
)

// fontTTF is face 0 of Debian's wqy-microhei.ttc (WenQuanYi Micro Hei,
// Apache-2.0; see fonts/README.md), extracted by ./fontgen.
//
//go:embed fonts/wqy-microhei.ttf
var fontTTF []byte

const family = "wqy"

// Missing is printed for characters the font lacks (CJK Extension A/B and
// the like): 〓, the typesetter's mark for a missing character.
const Missing = '〓'

var (
	fontOnce  sync.Once
	fontErr   error
	fonts     *gopdf.FontContainer
	face      gopdf.SubsetFontObj // parsed once; read only
	glyphs    sync.Map            // rune → bool (the font has it)
	advance   sync.Map            // rune → float64 (width at size 1)
	measureMu sync.Mutex
	measurer  *gopdf.GoPdf
)

// loadFont parses the embedded font once; every PDF takes a copy of the
// parsed font from the container (gopdf re-initialises the per-document
// subset state on each copy).
func loadFont() error {
	fontOnce.Do(func() {
		fonts = &gopdf.FontContainer{}
		opt := gopdf.TtfOption{OnGlyphNotFoundSubstitute: func(rune) rune { return Missing }}
		if fontErr = fonts.AddTTFFontDataWithOption(family, fontTTF, opt); fontErr != nil {
			return
		}
		face.SetTtfFontOption(opt)
		if fontErr = face.SetTTFData(fontTTF); fontErr != nil {
			return
		}
		measurer = &gopdf.GoPdf{}
		measurer.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4})
		if fontErr = measurer.AddTTFFontFromFontContainer(family, fonts); fontErr != nil {
			return
		}
		fontErr = measurer.SetFont(family, "", 1000)
	})
	return fontErr
}

// HasGlyph reports whether the report font has a glyph for r.
func HasGlyph(r rune) bool {
	if loadFont() != nil {
		return false
	}
	if v, ok := glyphs.Load(r); ok {
		return v.(bool)
	}
	g, err := face.CharCodeToGlyphIndex(r)
	has := err == nil && g != 0
	glyphs.Store(r, has)
	return has
}

// printable replaces what the font cannot show: control characters go,
// characters without a glyph become Missing. It reports whether any was
// replaced.
func printable(s string) (string, bool) {
	ok := true
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r != ' ' && !HasGlyph(r)) {
			ok = false
			break
		}
	}
	if ok {
		return s, false
	}
	var b strings.Builder
	replaced := false
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
			b.WriteRune(' ')
		case r < 0x20 || r == 0x7f || unicode.Is(unicode.Cf, r):
		case r == ' ' || HasGlyph(r):
			b.WriteRune(r)
		default:
			b.WriteRune(Missing)
			replaced = true
		}
	}
	return b.String(), replaced
}

// width returns r's advance at size 1 (points per point of font size).
func width(r rune) float64 {
	if v, ok := advance.Load(r); ok {
		return v.(float64)
	}
	measureMu.Lock()
	w, err := measurer.MeasureTextWidth(string(r))
	measureMu.Unlock()
	if err != nil {
		w = 1000
	}
	w /= 1000
	advance.Store(r, w)
	return w
}

// Line-breaking rules (GB/T 15834 and common CJK practice): these never
// start a line, those never end one.
const (
	noStart = "，。、；：？！）》」』】〕〉”’…—·%,.;:?!)]}"
	noEnd   = "（《「『【〔〈“‘([{"
)

func isWordRune(r rune) bool {
	return r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.' || r == '/')
}

// Wrap breaks text into lines no wider than max points at font size size:
// between any two CJK characters, never inside a Latin word or number when
// a break elsewhere is possible, and never putting closing punctuation at a
// line's start or opening punctuation at its end.
func Wrap(text string, size, max float64) []string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		out = append(out, wrapPara([]rune(para), size, max)...)
	}
	return out
}

func wrapPara(rs []rune, size, max float64) []string {
	if len(rs) == 0 {
		return []string{""}
	}
	var lines []string
	start := 0
	for start < len(rs) {
		w, i := 0.0, start
		for i < len(rs) {
			cw := width(rs[i]) * size
			if w+cw > max && i > start {
				break
			}
			w += cw
			i++
		}
		if i >= len(rs) {
			lines = append(lines, string(rs[start:]))
			break
		}
		brk := adjustBreak(rs, start, i)
		line := strings.TrimRight(string(rs[start:brk]), " ")
		lines = append(lines, line)
		start = brk
		for start < len(rs) && rs[start] == ' ' {
			start++
		}
	}
	return lines
}

// adjustBreak moves a break before rs[brk] back so that Latin words and
// numbers stay whole, closing punctuation does not start the next line and
// opening punctuation does not end this one; when no such place exists in
// the line the break stays where the width put it.
func adjustBreak(rs []rune, start, brk int) int {
	b := brk
	for moved := true; moved && b-1 > start; {
		moved = false
		if isWordRune(rs[b]) && isWordRune(rs[b-1]) {
			j := b - 1
			for j > start && isWordRune(rs[j-1]) {
				j--
			}
			if j == start {
				return brk
			}
			b, moved = j, true
			continue
		}
		if strings.ContainsRune(noStart, rs[b]) || strings.ContainsRune(noEnd, rs[b-1]) {
			b, moved = b-1, true
		}
	}
	if b <= start {
		return brk
	}
	return b
}

// Page geometry (A4, points).
const (
	pageW, pageH  = 595.28, 841.89
	marginX       = 56.0
	marginTop     = 60.0
	marginBottom  = 64.0
	contentW      = pageW - 2*marginX
	labelW        = 130.0
	sizeTitle     = 18.0
	sizeHead      = 13.0
	sizeBody      = 10.0
	sizeSmall     = 8.0
	lineGap       = 1.5
	sealTitleText = "报告核验信息"
)

type writer struct {
	pdf      *gopdf.GoPdf
	y        float64
	page     int
	footer   string // printed at the foot of every page, left (the report or document number)
	replaced bool
	err      error
}

// Seal is what the PDF prints for verification.
type Seal struct {
	Digest string
	Note   []byte
	Key    string // the signer's name
}

// PDF renders a sealed report.
func PDF(r Report, seal Seal) ([]byte, error) {
	if err := loadFont(); err != nil {
		return nil, fmt.Errorf("report: font: %w", err)
	}
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: gopdf.Rect{W: pageW, H: pageH}, Unit: gopdf.UnitPT})
	pdf.SetCompressLevel(6)
	subject, _ := printable(r.Subject.Name)
	pdf.SetInfo(gopdf.PdfInfo{Title: r.Title + " " + r.Number, Subject: subject, Creator: "Xinyong 信用信息平台", Producer: "Xinyong", CreationDate: r.IssuedAt})
	if err := pdf.AddTTFFontFromFontContainer(family, fonts); err != nil {
		return nil, err
	}
	w := &writer{pdf: pdf, footer: "报告编号 " + r.Number}
	w.newPage()

	w.text(r.Title, sizeTitle, 0, 0)
	w.space(6)
	w.kv("报告编号", r.Number)
	w.kv("出具机构", r.Issuer)
	w.kv("出具时间", r.IssuedAt.In(xinyong.Shanghai).Format("2006-01-02 15:04:05")+"（北京时间）")
	w.kv("信息截止日期", r.AsOf.String())
	w.kv("信用主体", r.Subject.Name)
	w.space(4)
	w.rule()

	for i, s := range r.Sections {
		w.space(8)
		w.keep(sizeHead*2 + sizeBody*3)
		w.text(chineseOrdinal(i+1)+"、"+s.Title, sizeHead, 0, 0)
		w.space(4)
		for _, f := range s.Fields {
			w.kv(f.Label, f.Value)
		}
		for j, e := range s.Entries {
			w.space(4)
			w.keep(sizeBody * 6)
			w.text(strconv.Itoa(j+1)+". "+e.ItemName+" · "+e.Document+" "+e.Number, sizeBody+0.5, 0, 0)
			w.kv("作出机关", e.Authority)
			w.kv("决定日期", e.DecisionDate.String())
			if !e.PublishedUntil.IsZero() {
				w.kv("公示截止日期", e.PublishedUntil.String())
			}
			if e.Severity != "" {
				w.kv("失信程度", e.Severity)
			}
			for _, f := range e.Fields {
				w.kv(f.Label, f.Value)
			}
		}
		for j, l := range s.Listings {
			w.space(4)
			w.keep(sizeBody * 6)
			w.text(strconv.Itoa(len(s.Entries)+j+1)+". "+l.ListTypeName+" · 认定决定书 "+l.DecisionNumber, sizeBody+0.5, 0, 0)
			for _, f := range l.Fields {
				w.kv(f.Label, f.Value)
			}
		}
		if s.Empty != "" {
			w.paragraph(s.Empty, sizeBody, 0)
		}
	}

	w.space(10)
	w.keep(sizeHead*2 + sizeBody*8)
	w.rule()
	w.space(6)
	w.text(sealTitleText, sizeHead, 0, 0)
	w.space(4)
	w.kv("报告编号", r.Number)
	w.kv("核验码", Code(seal.Note))
	w.kv("报告摘要（SHA-256）", seal.Digest)
	w.kv("账本检查点", fmt.Sprintf("%s 第 %d 条", r.Checkpoint.Origin, r.Checkpoint.Size))
	w.kv("检查点根哈希", r.Checkpoint.Root)
	w.kv("签名密钥", seal.Key)
	w.kv("签名（Ed25519）", Signature(seal.Note))
	w.space(6)
	w.text("说明", sizeBody+0.5, 0, 0)
	for i, n := range r.Notes {
		w.paragraph(strconv.Itoa(i+1)+". "+n, sizeSmall+1, 0)
	}
	if w.replaced {
		w.paragraph(fmt.Sprintf("%d. 字库缺少的生僻字在本文件中以“〓”代替，以电子版（JSON）为准。", len(r.Notes)+1), sizeSmall+1, 0)
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

func (w *writer) setErr(err error) {
	if err != nil && w.err == nil {
		w.err = err
	}
}

func (w *writer) newPage() {
	w.pdf.AddPage()
	w.page++
	w.y = marginTop
	// Footer: number and page on every page.
	w.setErr(w.pdf.SetFont(family, "", sizeSmall))
	w.pdf.SetTextColor(110, 110, 110)
	if f, _ := printable(w.footer); f != "" {
		w.pdf.SetXY(marginX, pageH-marginBottom+24)
		w.setErr(w.pdf.Cell(nil, f))
	}
	p := "第 " + strconv.Itoa(w.page) + " 页"
	pw, _ := w.pdf.MeasureTextWidth(p)
	w.pdf.SetXY(pageW-marginX-pw, pageH-marginBottom+24)
	w.setErr(w.pdf.Cell(nil, p))
	w.pdf.SetTextColor(0, 0, 0)
}

// keep starts a new page unless h points remain.
func (w *writer) keep(h float64) {
	if w.y+h > pageH-marginBottom {
		w.newPage()
	}
}

func (w *writer) space(h float64) { w.y += h }

func (w *writer) rule() {
	w.pdf.SetStrokeColor(160, 160, 160)
	w.pdf.SetLineWidth(0.5)
	w.pdf.Line(marginX, w.y, pageW-marginX, w.y)
}

// line writes one line at x (offset from the margin) with the given size.
func (w *writer) line(s string, size, x float64) {
	h := size * lineGap
	w.keep(h)
	w.setErr(w.pdf.SetFont(family, "", size))
	w.pdf.SetXY(marginX+x, w.y)
	if s != "" {
		w.setErr(w.pdf.Cell(nil, s))
	}
	w.y += h
}

// text writes s, wrapped to the width left of x.
func (w *writer) text(s string, size, x, indent float64) {
	s, rep := printable(s)
	w.replaced = w.replaced || rep
	for i, l := range Wrap(s, size, contentW-x-indent) {
		off := x
		if i > 0 {
			off += indent
		}
		w.line(l, size, off)
	}
}

func (w *writer) paragraph(s string, size, x float64) { w.text(s, size, x, size) }

// kv writes a label and its value; long values wrap in the value column.
func (w *writer) kv(label, value string) {
	label, rep1 := printable(label)
	value, rep2 := printable(value)
	w.replaced = w.replaced || rep1 || rep2
	if value == "" {
		value = "—"
	}
	labels := Wrap(label, sizeBody, labelW-8)
	values := Wrap(value, sizeBody, contentW-labelW)
	n := max(len(labels), len(values))
	h := sizeBody * lineGap
	for i := 0; i < n; i++ {
		w.keep(h)
		w.setErr(w.pdf.SetFont(family, "", sizeBody))
		if i < len(labels) {
			w.pdf.SetTextColor(90, 90, 90)
			w.pdf.SetXY(marginX, w.y)
			w.setErr(w.pdf.Cell(nil, labels[i]))
			w.pdf.SetTextColor(0, 0, 0)
		}
		if i < len(values) && values[i] != "" {
			w.pdf.SetXY(marginX+labelW, w.y)
			w.setErr(w.pdf.Cell(nil, values[i]))
		}
		w.y += h
	}
}

func chineseOrdinal(n int) string {
	d := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}
	if n <= 10 {
		return d[n]
	}
	if n < 20 {
		return "十" + d[n-10]
	}
	return strconv.Itoa(n)
}
