package intake

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"xinyong"
)

// maxPartInMemory bounds the parts of a workbook that excelize keeps in
// memory (everything but worksheets and the shared strings, which it spills
// to temporary files).
const maxPartInMemory = 256 << 20

// cellMeta is what the raw worksheet XML says about one cell.
type cellMeta struct {
	style   int32
	numeric bool
	formula bool
}

type xrec struct {
	cells []string
	meta  []cellMeta
	line  int
}

type cellRange struct {
	r1, c1, r2, c2 int
	ref            string
}

type xlsxReader struct {
	xf       *excelize.File
	rows     *excelize.Rows
	scan     *sheetScanner
	sheet    string
	date1904 bool
	opts     Options
	hdr      *header
	b        rowBuilder
	hdrLine  int
	dateCol  []bool // per header column: a date field
	styles   map[int32]bool

	rowNum  int
	count   int
	replay  []xrec
	final   error
	merges  []cellRange // sorted by r1
	mi      int
	active  []cellRange
	closers []io.Closer
}

func badXLSX(format string, args ...any) error {
	return xinyong.Errorf(xinyong.EINVALID, "xlsx 文件无法读取："+format, args...)
}

func openXLSX(f *os.File, size int64, opts Options) (_ Reader, err error) {
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return nil, badXLSX("不是完整的 zip 压缩包 (damaged zip archive: %v)", err)
	}
	files := make(map[string]*zip.File, len(zr.File))
	for _, zf := range zr.File {
		name := strings.ToLower(strings.ReplaceAll(zf.Name, "\\", "/"))
		files[name] = zf
		if zf.UncompressedSize64 > maxPartInMemory && !strings.HasPrefix(name, "xl/worksheets/") && name != "xl/sharedstrings.xml" {
			return nil, badXLSX("部件 %s 过大 (part %s is too large)", zf.Name, zf.Name)
		}
	}
	wbf := files["xl/workbook.xml"]
	if wbf == nil {
		return nil, xinyong.Errorf(xinyong.EINVALID, "文件是 zip 压缩包，但不是 xlsx 工作簿（没有 xl/workbook.xml），请上传 .xlsx 或 CSV (a zip archive that is not an xlsx workbook)")
	}
	sheetName, sheetPath, date1904, err := firstSheet(wbf, files)
	if err != nil {
		return nil, err
	}
	sheetFile := files[strings.ToLower(sheetPath)]
	if sheetFile == nil {
		return nil, badXLSX("找不到工作表“%s”的数据 %s (missing worksheet part)", sheetName, sheetPath)
	}
	merges, err := scanMerges(sheetFile)
	if err != nil {
		return nil, badXLSX("工作表“%s”已损坏 (damaged worksheet: %v)", sheetName, err)
	}

	x := &xlsxReader{sheet: sheetName, date1904: date1904, opts: opts, merges: merges, styles: map[int32]bool{}}
	defer func() {
		if err != nil {
			x.Close()
		}
	}()
	unzipLimit := min(max(maxBytes(opts)*16, 256<<20), 16<<30)
	xo := excelize.Options{UnzipSizeLimit: unzipLimit}
	if sameFile(f) {
		x.xf, err = excelize.OpenFile(f.Name(), xo)
	} else {
		x.xf, err = excelize.OpenReader(io.NewSectionReader(f, 0, size), xo)
	}
	if err != nil {
		if x.xf != nil {
			x.xf.Close()
			x.xf = nil
		}
		return nil, badXLSX("%v", err)
	}
	x.closers = append(x.closers, x.xf)
	if x.rows, err = x.xf.Rows(sheetName); err != nil {
		return nil, badXLSX("工作表“%s”：%v", sheetName, err)
	}
	x.closers = append(x.closers, x.rows)
	if x.scan, err = newSheetScanner(sheetFile); err != nil {
		return nil, badXLSX("工作表“%s”：%v", sheetName, err)
	}
	x.closers = append(x.closers, x.scan)
	if err = x.readHeader(); err != nil {
		return nil, err
	}
	return x, nil
}

// sameFile reports whether f.Name() is a path to f, so excelize can open it
// by name and read it with random access instead of into memory.
func sameFile(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	pi, err := os.Stat(f.Name())
	return err == nil && os.SameFile(fi, pi)
}

func (x *xlsxReader) Columns() []string { return append([]string(nil), x.hdr.codes...) }
func (x *xlsxReader) Unknown() []string { return append([]string(nil), x.hdr.unknown...) }
func (x *xlsxReader) Format() string    { return FormatXLSX }
func (x *xlsxReader) HeaderLine() int   { return x.hdrLine }

// Sheet returns the name of the worksheet read (the first visible one).
func (x *xlsxReader) Sheet() string { return x.sheet }

func (x *xlsxReader) Close() error {
	var first error
	for i := len(x.closers) - 1; i >= 0; i-- {
		if err := x.closers[i].Close(); err != nil && first == nil {
			first = err
		}
	}
	x.closers = nil
	return first
}

// firstSheet returns the first visible worksheet of the workbook.
func firstSheet(wbf *zip.File, files map[string]*zip.File) (name, target string, date1904 bool, err error) {
	var wb struct {
		Pr struct {
			Date1904 string `xml:"date1904,attr"`
		} `xml:"workbookPr"`
		Sheets []struct {
			Name  string     `xml:"name,attr"`
			State string     `xml:"state,attr"`
			Attrs []xml.Attr `xml:",any,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := decodeXMLPart(wbf, &wb); err != nil {
		return "", "", false, badXLSX("workbook.xml 已损坏 (damaged workbook.xml: %v)", err)
	}
	date1904 = wb.Pr.Date1904 == "1" || wb.Pr.Date1904 == "true"
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if rf := files["xl/_rels/workbook.xml.rels"]; rf != nil {
		if err := decodeXMLPart(rf, &rels); err != nil {
			return "", "", false, badXLSX("workbook.xml.rels 已损坏 (damaged workbook relationships: %v)", err)
		}
	}
	for _, s := range wb.Sheets {
		if s.State == "hidden" || s.State == "veryHidden" {
			continue
		}
		var rid string
		for _, a := range s.Attrs {
			if a.Name.Local == "id" {
				rid = a.Value
			}
		}
		for _, r := range rels.Rels {
			if r.ID != rid || r.Target == "" {
				continue
			}
			t := strings.ReplaceAll(r.Target, "\\", "/")
			if strings.HasPrefix(t, "/") {
				t = strings.TrimPrefix(t, "/")
			} else {
				t = "xl/" + t
			}
			return s.Name, path.Clean(t), date1904, nil
		}
		return "", "", false, badXLSX("找不到工作表“%s”的数据 (worksheet relationship missing)", s.Name)
	}
	return "", "", false, xinyong.Errorf(xinyong.EINVALID, "xlsx 工作簿中没有可见的工作表 (no visible worksheet)")
}

func decodeXMLPart(zf *zip.File, v any) error {
	rc, err := zf.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return xml.NewDecoder(io.LimitReader(rc, maxPartInMemory)).Decode(v)
}

// scanMerges finds the merged ranges of a worksheet. They follow the cell
// data, so the data is skipped by searching for the end of <sheetData>
// without parsing it.
func scanMerges(zf *zip.File) ([]cellRange, error) {
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	const keep = 64
	buf := make([]byte, 256<<10)
	carry := 0
	for {
		n, rerr := io.ReadFull(rc, buf[carry:])
		data := buf[:carry+n]
		if i := sheetDataEnd(data); i >= 0 {
			return decodeMerges(io.MultiReader(bytes.NewReader(data[i:]), rc))
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			return nil, nil
		}
		if rerr != nil {
			return nil, rerr
		}
		carry = copy(buf, data[len(data)-keep:])
	}
}

// sheetDataEnd returns the index just after "</sheetData>" (with any
// namespace prefix) in b, or -1.
func sheetDataEnd(b []byte) int {
	const name = "sheetData>"
	off := 0
	for {
		i := bytes.Index(b[off:], []byte(name))
		if i < 0 {
			return -1
		}
		i += off
		if lt := bytes.LastIndexByte(b[:i], '<'); lt >= 0 && i-lt < 48 && lt+1 < len(b) && b[lt+1] == '/' {
			return i + len(name)
		}
		off = i + len(name)
	}
}

func decodeMerges(r io.Reader) ([]cellRange, error) {
	const maxMerges = 1 << 20
	d := xml.NewDecoder(r)
	var out []cellRange
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, nil // a damaged tail: keep what was read
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "mergeCell" {
			continue
		}
		for _, a := range se.Attr {
			if a.Name.Local != "ref" {
				continue
			}
			if cr, ok := parseRange(a.Value); ok && len(out) < maxMerges {
				out = append(out, cr)
			}
		}
	}
}

func parseRange(ref string) (cellRange, bool) {
	a, b, ok := strings.Cut(ref, ":")
	if !ok {
		b = a
	}
	c1, r1, err1 := excelize.CellNameToCoordinates(a)
	c2, r2, err2 := excelize.CellNameToCoordinates(b)
	if err1 != nil || err2 != nil {
		return cellRange{}, false
	}
	if r2 < r1 {
		r1, r2 = r2, r1
	}
	if c2 < c1 {
		c1, c2 = c2, c1
	}
	if r1 == r2 && c1 == c2 {
		return cellRange{}, false
	}
	return cellRange{r1: r1, c1: c1, r2: r2, c2: c2, ref: ref}, true
}

// read returns the next row of the sheet with its raw cell metadata.
func (x *xlsxReader) read() (xrec, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return xrec{}, badXLSX("第%d行之后：%v", x.rowNum, err)
		}
		return xrec{}, io.EOF
	}
	x.rowNum++
	cells, err := x.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return xrec{}, badXLSX("第%d行：%v", x.rowNum, err)
	}
	return xrec{cells: cells, meta: x.scan.rowMeta(x.rowNum), line: x.rowNum}, nil
}

func (x *xlsxReader) readHeader() error {
	m := newMatcher(x.opts.Fields)
	need := m.headerThreshold()
	var cands []xrec
	for len(cands) < maxTitleRows {
		r, err := x.read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if isBlankRecord(r.cells) {
			continue
		}
		r.meta = append([]cellMeta(nil), r.meta...)
		if m.score(r.cells) >= need {
			return x.setHeader(m, r, nil)
		}
		cands = append(cands, r)
	}
	if len(cands) == 0 {
		return xinyong.Errorf(xinyong.EINVALID, "工作表“%s”没有表头行（是空的） (no header row in the first worksheet)", x.sheet)
	}
	return x.setHeader(m, cands[0], cands[1:])
}

func (x *xlsxReader) setHeader(m *matcher, r xrec, replay []xrec) error {
	h, err := buildHeader(m, r.cells)
	if err != nil {
		var xe *xinyong.Error
		if errors.As(err, &xe) {
			xe.Message = fmt.Sprintf("工作表“%s”第%d行表头：%s", x.sheet, r.line, xe.Message)
			for i := range xe.Fields {
				xe.Fields[i].Row = r.line
			}
		}
		return err
	}
	x.hdr, x.hdrLine, x.replay = h, r.line, replay
	x.b.h = h
	x.dateCol = make([]bool, h.width)
	types := make(map[string]xinyong.FieldType, len(x.opts.Fields))
	for _, f := range x.opts.Fields {
		types[f.Code] = f.Type
	}
	for i, code := range h.codes {
		x.dateCol[i] = code != "" && types[code] == xinyong.FieldDate
	}
	return nil
}

func (x *xlsxReader) Next() (Row, error) {
	if x.final != nil {
		return Row{}, x.final
	}
	for {
		var r xrec
		if len(x.replay) > 0 {
			r = x.replay[0]
			x.replay = x.replay[1:]
		} else {
			var err error
			if r, err = x.read(); err != nil {
				x.final = err
				return Row{}, err
			}
		}
		x.convert(r)
		row, rerr, blank := x.b.build(r.line, r.cells, false)
		if blank {
			continue
		}
		x.count++
		if x.opts.MaxRows > 0 && x.count > x.opts.MaxRows {
			x.final = errTooManyRows(x.opts.MaxRows)
			return Row{}, x.final
		}
		if rerr == nil {
			rerr = x.checkMerged(r.line)
		}
		if rerr == nil {
			rerr = x.checkFormula(r)
		}
		if rerr != nil {
			return row, rerr
		}
		return row, nil
	}
}

// convert turns raw numeric values into text: serial numbers into dates in
// date fields and date-formatted cells, other numbers as Excel shows them in
// the General format.
func (x *xlsxReader) convert(r xrec) {
	for col, v := range r.cells {
		if v == "" {
			continue
		}
		dateField := col < len(x.dateCol) && x.dateCol[col]
		if col >= len(r.meta) || !r.meta[col].numeric {
			if dateField && len(v) > 10 && v[10] == 'T' && v[4] == '-' && v[7] == '-' {
				r.cells[col] = v[:10] // an ISO 8601 date cell (t="d")
			}
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			continue
		}
		dateStyle := x.isDateStyle(r.meta[col].style)
		switch {
		case dateStyle && f >= 0 && f < 2958466:
			if t, err := excelize.ExcelDateToTime(f, x.date1904); err == nil {
				if dateField || t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
					r.cells[col] = t.Format("2006-01-02")
				} else {
					r.cells[col] = t.Format("2006-01-02 15:04:05")
				}
				continue
			}
		case dateField && f >= 25569 && f < 73051: // 1970-01-01 .. 2100-01-01, unformatted serial
			if t, err := excelize.ExcelDateToTime(f, x.date1904); err == nil {
				r.cells[col] = t.Format("2006-01-02")
				continue
			}
		}
		r.cells[col] = formatGeneral(v, f)
	}
}

// formatGeneral formats a number the way excelize (and Excel's General
// format) shows it: at most 15 significant digits.
func formatGeneral(raw string, f float64) string {
	digits := 0
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == 'e' || c == 'E':
			return strconv.FormatFloat(f, 'G', 15, 64)
		case c >= '1' && c <= '9', c == '0' && digits > 0:
			digits++
		}
	}
	if digits > 15 {
		return strconv.FormatFloat(f, 'G', 15, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// isDateStyle reports whether a cell style has a date number format.
func (x *xlsxReader) isDateStyle(s int32) bool {
	if s <= 0 {
		return false
	}
	if v, ok := x.styles[s]; ok {
		return v
	}
	v := false
	if st, err := x.xf.GetStyle(int(s)); err == nil && st != nil {
		if st.CustomNumFmt != nil {
			v = isDateFormatCode(*st.CustomNumFmt)
		} else {
			v = isBuiltinDateFormat(st.NumFmt)
		}
	}
	if len(x.styles) < 1<<16 {
		x.styles[s] = v
	}
	return v
}

func isBuiltinDateFormat(id int) bool {
	switch {
	case id >= 14 && id <= 17, id == 22, id >= 27 && id <= 31, id >= 34 && id <= 36, id >= 50 && id <= 58, id >= 71 && id <= 76:
		return true
	}
	return false
}

// isDateFormatCode reports a number format that shows a calendar date: it
// has y, d or e (era year) outside quotes, escapes and brackets.
func isDateFormatCode(code string) bool {
	inQuote, inBracket := false, false
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case inQuote:
			inQuote = c != '"'
		case inBracket:
			inBracket = c != ']'
		case c == '"':
			inQuote = true
		case c == '[':
			inBracket = true
		case c == '\\' || c == '_' || c == '*':
			i++
		case c == 'y' || c == 'Y' || c == 'd' || c == 'D' || c == 'e' || c == 'E':
			if c == 'E' || c == 'e' {
				// "E+" is scientific notation, not an era.
				if i+1 < len(code) && (code[i+1] == '+' || code[i+1] == '-') {
					continue
				}
			}
			return true
		}
	}
	return false
}

func (x *xlsxReader) checkMerged(line int) *RowError {
	for x.mi < len(x.merges) && x.merges[x.mi].r1 <= line {
		x.active = append(x.active, x.merges[x.mi])
		x.mi++
	}
	kept := x.active[:0]
	var hit *cellRange
	for i := range x.active {
		m := x.active[i]
		if m.r2 < line {
			continue
		}
		kept = append(kept, m)
		if hit == nil {
			hit = &kept[len(kept)-1]
		}
	}
	x.active = kept
	if hit == nil {
		return nil
	}
	col := hit.c1 - 1
	return &RowError{Line: line, Column: x.b.colLabel(col), Rule: "xlsx.merged",
		Message: fmt.Sprintf("本行在合并单元格 %s 内：合并区域只有左上角单元格有值，其余为空，请取消合并并逐行填写 (row is inside merged cells %s)", hit.ref, hit.ref)}
}

func (x *xlsxReader) checkFormula(r xrec) *RowError {
	var cols []string
	first := -1
	for col, m := range r.meta {
		if m.formula {
			if first < 0 {
				first = col
			}
			cols = append(cols, colName(col)+strconv.Itoa(r.line))
		}
	}
	if first < 0 {
		return nil
	}
	val := ""
	if first < len(r.cells) {
		val = shorten(r.cells[first])
	}
	return &RowError{Line: r.line, Column: x.b.colLabel(first), Value: val, Rule: "xlsx.formula",
		Message: fmt.Sprintf("单元格 %s 是公式，读取的是上次计算保存的值，可能已过时；请粘贴为数值后再上传 (formula cells; the cached value may be stale)", strings.Join(cols, "、"))}
}

// sheetScanner walks the raw worksheet XML in step with excelize's row
// iterator and reports, per row, which cells are numbers, their styles and
// which hold formulas. It looks only at tags, without an XML parser.
type sheetScanner struct {
	rc        io.ReadCloser
	br        *bufio.Reader
	cur       int  // row number of a <row> start tag read but not consumed
	curClosed bool // that tag was self-closing
	lastRow   int
	done      bool
	meta      []cellMeta
}

func newSheetScanner(zf *zip.File) (*sheetScanner, error) {
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	return &sheetScanner{rc: rc, br: bufio.NewReaderSize(rc, 64<<10)}, nil
}

func (s *sheetScanner) Close() error { return s.rc.Close() }

// tag returns the text between the next '<' and '>'. ok is false at the end.
func (s *sheetScanner) tag() (b []byte, ok bool) {
	for {
		_, err := s.br.ReadSlice('<')
		if err == nil {
			break
		}
		if err != bufio.ErrBufferFull {
			s.done = true
			return nil, false
		}
	}
	b, err := s.br.ReadSlice('>')
	if err == bufio.ErrBufferFull {
		for err == bufio.ErrBufferFull {
			_, err = s.br.ReadSlice('>')
		}
		b = nil
	}
	if err != nil {
		s.done = true
		return nil, false
	}
	if len(b) > 0 {
		b = b[:len(b)-1]
	}
	return b, true
}

// tagName returns the local name of a tag, whether it is an end tag, and
// whether it is self-closing.
func tagName(b []byte) (name []byte, end, selfClosing bool) {
	if len(b) > 0 && b[0] == '/' {
		end = true
		b = b[1:]
	}
	selfClosing = len(b) > 0 && b[len(b)-1] == '/'
	i := 0
	for i < len(b) && b[i] != ' ' && b[i] != '\t' && b[i] != '\n' && b[i] != '\r' && b[i] != '/' {
		i++
	}
	name = b[:i]
	if j := bytes.IndexByte(name, ':'); j >= 0 {
		name = name[j+1:]
	}
	return name, end, selfClosing
}

// attr returns the value of the attribute with the given local name.
func attr(b []byte, name string) ([]byte, bool) {
	for i := 0; i < len(b); {
		j := bytes.Index(b[i:], []byte(name+"="))
		if j < 0 {
			return nil, false
		}
		j += i
		start := j + len(name) + 1
		if start >= len(b) {
			return nil, false
		}
		if prev := b[max(j-1, 0)]; j > 0 && (prev == ' ' || prev == '\t' || prev == '\n' || prev == '\r') {
			q := b[start]
			if q == '"' || q == '\'' {
				if k := bytes.IndexByte(b[start+1:], q); k >= 0 {
					return b[start+1 : start+1+k], true
				}
			}
			return nil, false
		}
		i = start
	}
	return nil, false
}

// refCol returns the 1-based column of a cell reference like "AB12".
func refCol(ref []byte) int {
	col := 0
	for _, c := range ref {
		switch {
		case c >= 'A' && c <= 'Z':
			col = col*26 + int(c-'A'+1)
		case c >= 'a' && c <= 'z':
			col = col*26 + int(c-'a'+1)
		default:
			return col
		}
		if col > 1<<14 {
			return 0
		}
	}
	return col
}

// rowStart advances to the next <row> start tag.
func (s *sheetScanner) rowStart() bool {
	for !s.done {
		b, ok := s.tag()
		if !ok {
			return false
		}
		name, end, closed := tagName(b)
		switch string(name) {
		case "row":
			if end {
				continue
			}
			n := s.lastRow + 1
			if v, ok := attr(b, "r"); ok {
				if r, err := strconv.Atoi(string(v)); err == nil && r > 0 {
					n = r
				}
			}
			s.cur, s.curClosed, s.lastRow = n, closed, n
			return true
		case "sheetData":
			if end || closed {
				s.done = true
			}
		}
	}
	return false
}

// consume reads the cells of the current row, recording them if collect.
func (s *sheetScanner) consume(collect bool) {
	s.cur = 0
	if s.curClosed {
		return
	}
	col := 0
	for !s.done {
		b, ok := s.tag()
		if !ok {
			return
		}
		name, end, closed := tagName(b)
		switch string(name) {
		case "row":
			if end {
				return
			}
			// A <row> without </row>: treat as the next row.
			n := s.lastRow + 1
			if v, ok := attr(b, "r"); ok {
				if r, err := strconv.Atoi(string(v)); err == nil && r > 0 {
					n = r
				}
			}
			s.cur, s.curClosed, s.lastRow = n, closed, n
			return
		case "sheetData":
			if end {
				s.done = true
			}
			return
		case "c":
			if end {
				continue
			}
			if v, ok := attr(b, "r"); ok {
				if c := refCol(v); c > 0 {
					col = c
				} else {
					col++
				}
			} else {
				col++
			}
			if !collect || col > 1<<14 {
				continue
			}
			m := cellMeta{numeric: true}
			if t, ok := attr(b, "t"); ok && string(t) != "n" {
				m.numeric = false
			}
			if st, ok := attr(b, "s"); ok {
				if v, err := strconv.Atoi(string(st)); err == nil && v >= 0 && v < 1<<30 {
					m.style = int32(v)
				}
			}
			for len(s.meta) < col {
				s.meta = append(s.meta, cellMeta{})
			}
			s.meta[col-1] = m
		case "f":
			if !end && collect && col > 0 && col <= len(s.meta) {
				s.meta[col-1].formula = true
			}
		}
	}
}

// rowMeta returns the metadata of the cells of row n (nil if the XML has
// no such row). Calls must have increasing n.
func (s *sheetScanner) rowMeta(n int) []cellMeta {
	s.meta = s.meta[:0]
	for {
		if s.cur == 0 && !s.rowStart() {
			return nil
		}
		switch {
		case s.cur > n:
			return nil
		case s.cur < n:
			s.consume(false)
		default:
			s.consume(true)
			return s.meta
		}
	}
}
