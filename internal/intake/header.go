package intake

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"

	"xinyong"
)

// matcher maps header texts to fields.
type matcher struct {
	fields   []xinyong.FieldSpec
	byCode   map[string]int // upper-case code
	byLabel  map[string]int // labelKey(label)
	byLabel2 map[string]int // labelKey(label) without a trailing "(…)"
}

func newMatcher(fields []xinyong.FieldSpec) *matcher {
	m := &matcher{
		fields:   fields,
		byCode:   make(map[string]int, len(fields)),
		byLabel:  make(map[string]int, len(fields)),
		byLabel2: make(map[string]int, len(fields)),
	}
	for i, f := range fields {
		if c := strings.ToUpper(strings.TrimSpace(f.Code)); c != "" {
			if _, dup := m.byCode[c]; !dup {
				m.byCode[c] = i
			}
		}
		if k := labelKey(f.Label); k != "" {
			if _, dup := m.byLabel[k]; !dup {
				m.byLabel[k] = i
			}
			if s, _ := stripUnit(k); s != "" && s != k {
				if _, dup := m.byLabel2[s]; !dup {
					m.byLabel2[s] = i
				}
			}
		}
	}
	return m
}

// match returns the index of the field a header cell names, or -1, and the
// unit written in the header ("" if none).
func (m *matcher) match(cell string) (int, string) {
	c := cleanHeader(cell)
	if c == "" {
		return -1, ""
	}
	if i, ok := m.byCode[strings.ToUpper(c)]; ok {
		return i, ""
	}
	k := labelKey(c)
	if i, ok := m.byLabel[k]; ok {
		_, unit := stripUnit(k)
		return i, unit
	}
	s, unit := stripUnit(k)
	if i, ok := m.byLabel[s]; ok {
		return i, unit
	}
	if i, ok := m.byLabel2[s]; ok {
		return i, unit
	}
	if i, ok := m.byLabel2[k]; ok {
		return i, ""
	}
	return -1, ""
}

// score counts the cells of a row that name a field.
func (m *matcher) score(cells []string) int {
	n := 0
	for _, c := range cells {
		if i, _ := m.match(c); i >= 0 {
			n++
		}
	}
	return n
}

// headerThreshold is the number of matching cells that makes a row the header.
func (m *matcher) headerThreshold() int {
	if len(m.fields) < 2 {
		return len(m.fields)
	}
	return 2
}

// cleanHeader strips a BOM and zero-width characters, normalises to NFC and
// trims.
func cleanHeader(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\uFEFF' || r == '\u200B' || r == '\u200C' || r == '\u200D' {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(norm.NFC.String(strings.ToValidUTF8(s, "\uFFFD")))
}

// labelKey folds a label for comparison: NFC, full-width to half-width,
// no white space, no "*" required markers, lower case.
func labelKey(s string) string {
	s = width.Fold.String(norm.NFC.String(s))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\uFEFF' || r == '\u200B' {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return strings.Trim(b.String(), "*")
}

// stripUnit removes a trailing "(…)" from a folded label and returns the
// rest and the text in the parentheses.
func stripUnit(k string) (string, string) {
	if !strings.HasSuffix(k, ")") {
		return k, ""
	}
	i := strings.LastIndexByte(k, '(')
	if i <= 0 {
		return k, ""
	}
	return strings.Trim(k[:i], "*"), k[i+1 : len(k)-1]
}

// header is the result of mapping a header row.
type header struct {
	codes   []string // per column: field code or ""
	names   []string // per column: header text (cleaned) or "列C"
	unknown []string
	known   int // number of mapped columns
	width   int // columns up to the last non-blank header cell
}

// buildHeader maps a header row and checks it: duplicates, required
// columns, unit mismatches.
func buildHeader(m *matcher, cells []string) (*header, error) {
	h := &header{}
	for i := len(cells) - 1; i >= 0; i-- {
		if cleanHeader(cells[i]) != "" {
			h.width = i + 1
			break
		}
	}
	h.codes = make([]string, h.width)
	h.names = make([]string, h.width)
	seenField := make(map[int]int, len(m.fields)) // field -> column
	seenText := make(map[string]int, h.width)
	var errs []xinyong.FieldError
	for col := 0; col < h.width; col++ {
		text := cleanHeader(cells[col])
		if text == "" {
			h.names[col] = "列" + colName(col)
			continue
		}
		h.names[col] = text
		i, unit := m.match(text)
		if i < 0 {
			if prev, dup := seenText[text]; dup {
				errs = append(errs, xinyong.FieldError{Row: 0, Field: text, Rule: "header.duplicate",
					Message: fmt.Sprintf("表头“%s”重复出现：第%s列和第%s列 (duplicate header column)", text, colName(prev), colName(col))})
				continue
			}
			seenText[text] = col
			h.unknown = append(h.unknown, text)
			continue
		}
		f := m.fields[i]
		if prev, dup := seenField[i]; dup {
			errs = append(errs, xinyong.FieldError{Field: f.Code, Rule: "header.duplicate",
				Message: fmt.Sprintf("列 %s（%s）重复出现：第%s列“%s”和第%s列“%s” (duplicate column)",
					f.Code, f.Label, colName(prev), h.names[prev], colName(col), text)})
			continue
		}
		if unit != "" && f.Unit != "" && strings.Contains(unit, "元") && unit != labelKey(f.Unit) {
			errs = append(errs, xinyong.FieldError{Field: f.Code, Rule: "header.unit",
				Message: fmt.Sprintf("第%s列“%s”的单位与目录不符：%s 的单位应为%s (unit mismatch)", colName(col), text, f.Code, f.Unit)})
			continue
		}
		seenField[i] = col
		h.codes[col] = f.Code
		h.known++
	}
	if len(errs) > 0 {
		return nil, &xinyong.Error{Code: xinyong.EINVALID, Message: "表头有误 (bad header row): " + joinMessages(errs), Fields: errs}
	}
	var missing []xinyong.FieldError
	var names []string
	for i, f := range m.fields {
		if _, ok := seenField[i]; ok || !f.Required {
			continue
		}
		names = append(names, fmt.Sprintf("%s（%s）", f.Code, f.Label))
		missing = append(missing, xinyong.FieldError{Field: f.Code, Rule: "header.required",
			Message: fmt.Sprintf("缺少必填列 %s（%s） (missing required column)", f.Code, f.Label)})
	}
	if len(missing) > 0 {
		return nil, &xinyong.Error{Code: xinyong.EINVALID,
			Message: "缺少必填列 (missing required columns): " + strings.Join(names, "、"), Fields: missing}
	}
	return h, nil
}

func joinMessages(errs []xinyong.FieldError) string {
	parts := make([]string, len(errs))
	for i, e := range errs {
		parts[i] = e.Message
	}
	return strings.Join(parts, "；")
}

// colName returns the spreadsheet column letters of a 0-based column.
func colName(col int) string {
	n := col + 1
	var b [8]byte
	i := len(b)
	for n > 0 && i > 0 {
		n--
		i--
		b[i] = byte('A' + n%26)
		n /= 26
	}
	return string(b[i:])
}

// Cell text classes found by scanCell.
const (
	cellPlain = iota // ASCII and characters that NFC never changes: no normalisation needed
	cellOther        // other characters: run NFC
	cellBad          // invalid UTF-8 or U+FFFD (a decoding failure)
)

// scanCell classifies s in one pass.
func scanCell(s string) int {
	class := cellPlain
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= 0xE1 && c <= 0xEC && i+2 < len(s) {
			// Fast path for three-byte sequences without the surrogate
			// and overlong special cases (lead bytes E1–EC): U+1000–U+CFFF.
			c1, c2 := s[i+1], s[i+2]
			if c1&0xC0 == 0x80 && c2&0xC0 == 0x80 {
				if r := rune(c&0x0F)<<12 | rune(c1&0x3F)<<6 | rune(c2&0x3F); !nfcInert(r) {
					class = cellOther
				}
				i += 3
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError {
			return cellBad
		}
		if !nfcInert(r) {
			class = cellOther
		}
		i += size
	}
	return class
}

// nfcInert reports characters that NFC leaves alone and that never combine
// with a neighbour: CJK ideographs, CJK punctuation (but not the tone marks
// U+302A–U+302F) and full-width forms. Anything else goes through NFC.
func nfcInert(r rune) bool {
	switch {
	case r >= 0x4E00 && r <= 0x9FFF:
		return true
	case r >= 0x3000 && r <= 0x3029, r >= 0x3030 && r <= 0x303F:
		return true
	case r >= 0xFF01 && r <= 0xFF5E:
		return true
	case r == 0x2014 || r == 0x2018 || r == 0x2019 || r == 0x201C || r == 0x201D || r == 0x2026 || r == 0x00B7:
		return true
	}
	return false
}

// clean trims a cell and normalises it to NFC, without allocating in the
// common case of text that needs neither. class is scanCell's result.
func clean(s string) string {
	return cleanClass(s, scanCell(s))
}

func cleanClass(s string, class int) string {
	if s == "" {
		return s
	}
	if first, last := s[0], s[len(s)-1]; first <= ' ' || first >= utf8.RuneSelf || last <= ' ' || last >= utf8.RuneSelf {
		s = strings.TrimFunc(s, isTrim)
	}
	if class != cellPlain {
		return norm.NFC.String(s)
	}
	return s
}

func isTrim(r rune) bool {
	return unicode.IsSpace(r) || r == '\uFEFF' || r == '\u200B' || r == 0
}

// rowBuilder turns cells into a Row.
type rowBuilder struct {
	h *header
}

// build makes the row for the cells of one record. It returns blank=true for
// a row whose cells are all blank. For CSV (strict=true) a row with fewer
// cells than the header, or with non-blank cells to the right of it, is
// ragged; for XLSX cells to the right of the header go to Extra.
func (b *rowBuilder) build(line int, cells []string, strict bool) (row Row, rerr *RowError, blank bool) {
	h := b.h
	row.Line = line
	row.Fields = make(map[string]string, h.known)
	blank = true
	var ragged *RowError
	for col, raw := range cells {
		class := scanCell(raw)
		if class == cellBad {
			if rerr == nil {
				rerr = &RowError{Line: line, Column: b.colLabel(col), Value: shorten(strings.ToValidUTF8(raw, "\uFFFD")), Rule: "encoding",
					Message: fmt.Sprintf("第%s列含有无法识别的字符或替换符“\uFFFD”（编码错误），请将文件另存为 UTF-8 或 GBK 后重新上传 (invalid characters for the file's encoding)", colName(col))}
			}
			raw = strings.ToValidUTF8(raw, "\uFFFD")
			class = cellOther
		}
		v := cleanClass(raw, class)
		if v != "" {
			blank = false
		}
		if col < h.width {
			if code := h.codes[col]; code != "" {
				row.Fields[code] = v
			} else if v != "" {
				if row.Extra == nil {
					row.Extra = make(map[string]string, 2)
				}
				row.Extra[h.names[col]] = v
			}
			continue
		}
		if v == "" {
			continue
		}
		if strict {
			if ragged == nil {
				ragged = &RowError{Line: line, Column: "列" + colName(col), Value: shorten(v), Rule: "csv.ragged",
					Message: fmt.Sprintf("本行有 %d 个单元格，表头只有 %d 列；第%s列超出表头 (row has %d cells, header has %d)", len(cells), h.width, colName(col), len(cells), h.width)}
			}
			continue
		}
		if row.Extra == nil {
			row.Extra = make(map[string]string, 2)
		}
		row.Extra["列"+colName(col)] = v
	}
	if blank {
		return row, nil, true
	}
	if strict && len(cells) < h.width && ragged == nil {
		ragged = &RowError{Line: line, Rule: "csv.ragged",
			Message: fmt.Sprintf("本行只有 %d 个单元格，表头有 %d 列，可能有错位或缺少分隔符 (row has %d cells, header has %d)", len(cells), h.width, len(cells), h.width)}
	}
	if rerr == nil {
		rerr = ragged
	}
	return row, rerr, false
}

func (b *rowBuilder) colLabel(col int) string {
	if col < b.h.width {
		if c := b.h.codes[col]; c != "" {
			return c
		}
		return b.h.names[col]
	}
	return "列" + colName(col)
}
