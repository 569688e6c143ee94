package intake

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"xinyong"
)

// Row is one data row.
//
// Line is the 1-based row number in the file as a spreadsheet user sees it
// (normally the header is row 1 and the first data row is 2). Fields maps the
// field code (e.g. "CF_WSH") to the trimmed, NFC-normalised cell text; every
// column of the header that matched a field is present, possibly as "" (a
// short, ragged CSV row lacks the cells it does not have). Cells of unknown
// columns that are not blank are kept in Extra (header text -> value; a column
// without a header text is keyed "列C" by its column letter) so the caller can
// report them as dropped. Extra is nil when there are none.
type Row struct {
	Line   int
	Fields map[string]string
	Extra  map[string]string
}

// Options configure Open and OpenReader.
type Options struct {
	// Fields of the catalogue item: they decide the header mapping, and the
	// required ones must have a column.
	Fields []xinyong.FieldSpec
	// MaxBytes limits the size of the file; 0 means DefaultMaxBytes.
	MaxBytes int64
	// MaxRows limits the number of data rows; 0 means unlimited.
	MaxRows int
}

// DefaultMaxBytes is the size limit when Options.MaxBytes is 0.
const DefaultMaxBytes int64 = 2 << 30

// Formats reported by Reader.Format.
const (
	FormatCSVUTF8    = "csv-utf8"
	FormatCSVUTF8BOM = "csv-utf8-bom"
	FormatCSVGBK     = "csv-gbk"
	FormatCSVGB18030 = "csv-gb18030"
	FormatXLSX       = "xlsx"
)

// Reader reads the data rows of one file.
type Reader interface {
	// Columns returns the field codes in file order ("" for unknown or
	// blank header cells).
	Columns() []string
	// Unknown returns the header texts that matched no field.
	Unknown() []string
	// Next returns the next data row. It returns io.EOF at the end; a
	// *RowError for a bad row, after which the reader stays usable (the next
	// call continues with the next row); any other error (an *xinyong.Error
	// for a limit or a broken file) is final. With a *RowError, Row.Line is
	// always set and Row.Fields holds what could be read (nil for
	// "csv.syntax"); for the warnings "xlsx.formula" and "xlsx.merged" the
	// row is complete and the caller may decide to keep it.
	Next() (Row, error)
	// Format returns FormatCSVUTF8, FormatCSVUTF8BOM, FormatCSVGBK,
	// FormatCSVGB18030 or FormatXLSX.
	Format() string
	// HeaderLine returns the row number of the header row (1 unless title
	// rows or blank rows precede it).
	HeaderLine() int
	// Close releases what the reader opened. It does not close the
	// *os.File given to Open.
	Close() error
}

// RowError is a problem with one row that does not stop the file.
type RowError struct {
	Line    int    // row number as in Row.Line
	Column  string // field code, or header text / "列C" for other columns; "" for the whole row
	Value   string // the offending value, shortened
	Rule    string // "encoding", "csv.ragged", "csv.syntax", "xlsx.formula", "xlsx.merged"
	Message string
}

func (e *RowError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "第%d行 (row %d)", e.Line, e.Line)
	if e.Column != "" {
		b.WriteString(" ")
		b.WriteString(e.Column)
	}
	b.WriteString(": ")
	b.WriteString(e.Message)
	if e.Rule != "" {
		b.WriteString(" [")
		b.WriteString(e.Rule)
		b.WriteString("]")
	}
	return b.String()
}

// FieldError converts the row error into the domain's field error.
func (e *RowError) FieldError() xinyong.FieldError {
	return xinyong.FieldError{Row: e.Line, Field: e.Column, Rule: e.Rule, Message: e.Message, Value: e.Value}
}

// Open reads the file f from its start. The content decides the format: an
// XLSX workbook (zip magic and xl/workbook.xml) or CSV text. File-level
// refusals are *xinyong.Error with code EINVALID, or ETOOLARGE when the file
// is larger than Options.MaxBytes. The caller keeps ownership of f and must
// not close it before the Reader.
func Open(f *os.File, opts Options) (Reader, error) {
	if f == nil {
		return nil, xinyong.Errorf(xinyong.EINVALID, "没有文件 (no file)")
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("intake: stat %s: %w", f.Name(), err)
	}
	size := fi.Size()
	if err := checkSize(size, opts); err != nil {
		return nil, err
	}
	if size == 0 {
		return nil, errEmpty()
	}
	var magic [8]byte
	n, err := f.ReadAt(magic[:], 0)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("intake: read %s: %w", f.Name(), err)
	}
	switch {
	case n >= 4 && bytes.Equal(magic[:4], zipMagic):
		return openXLSX(f, size, opts)
	case n >= 8 && bytes.Equal(magic[:], oleMagic):
		return nil, errOLE()
	}
	return openCSV(io.NewSectionReader(f, 0, size), opts)
}

// OpenPath opens the file at path and reads it as Open does; Close closes
// the file.
func OpenPath(path string, opts Options) (Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := Open(f, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &closingReader{Reader: r, f: f}, nil
}

type closingReader struct {
	Reader
	f *os.File
}

func (c *closingReader) Close() error {
	err := c.Reader.Close()
	if ferr := c.f.Close(); err == nil {
		err = ferr
	}
	return err
}

// OpenReader reads CSV from r (an XLSX workbook needs random access: write
// it to a file and use Open). The size limit is enforced while reading.
func OpenReader(r io.Reader, opts Options) (Reader, error) {
	return openCSV(r, opts)
}

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

func maxBytes(opts Options) int64 {
	if opts.MaxBytes <= 0 {
		return DefaultMaxBytes
	}
	return opts.MaxBytes
}

func checkSize(size int64, opts Options) error {
	if max := maxBytes(opts); size > max {
		return errTooLarge(max)
	}
	return nil
}

func errTooLarge(max int64) error {
	return xinyong.Errorf(xinyong.ETOOLARGE, "文件超过大小上限 %s (file larger than %d bytes)", humanBytes(max), max)
}

func errTooManyRows(max int) error {
	return xinyong.Errorf(xinyong.ETOOLARGE, "数据行数超过上限 %d (more than %d data rows)", max, max)
}

func errEmpty() error {
	return xinyong.Errorf(xinyong.EINVALID, "文件为空 (empty file)")
}

func errOLE() error {
	return xinyong.Errorf(xinyong.EINVALID, "不支持 Excel 97-2003 (.xls) 或加密的工作簿，请另存为 .xlsx 或 CSV (xls or encrypted workbooks are not supported; save as xlsx or CSV)")
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// errLimit is returned by limitReader when the byte limit is passed.
var errLimit = errors.New("intake: size limit")

// maxLine bounds the bytes of one CSV record (a physical line, or several
// when a quoted cell spans lines), so that a file without line breaks or
// with a quote left open cannot make the CSV parser buffer it whole.
const maxLine = 16 << 20

// limitReader counts bytes and stops after max. Its error is sticky.
type limitReader struct {
	r      io.Reader
	n, max int64
	err    error
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	if rem := l.max + 1 - l.n; int64(len(p)) > rem {
		p = p[:rem]
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	if l.n > l.max {
		l.err = errLimit
		return n, l.err
	}
	return n, err
}

// longRecordError is returned by recordGuard for a record longer than
// maxLine.
type longRecordError struct {
	line   int  // physical line where the record starts (1-based, after the BOM)
	quoted bool // the limit was reached inside a quoted cell
}

func (e *longRecordError) Error() string {
	if e.quoted {
		return fmt.Sprintf("intake: quoted field of the record from line %d longer than %d bytes", e.line, maxLine)
	}
	return fmt.Sprintf("intake: record from line %d longer than %d bytes", e.line, maxLine)
}

// Parser states followed by recordGuard.
const (
	gsField   = iota // at the start of a field (or of a record)
	gsBare           // in a field without quotes
	gsQuoted         // in a quoted field
	gsQuote          // just after a '"' in a quoted field
	gsQuoteCR        // after `"\r` in a quoted field
	gsSkip           // after a syntax error: the parser drops the rest of the line
)

// recordGuard refuses a CSV record longer than maxLine. It sits directly
// under the CSV parser, on the bytes after the BOM, and follows
// encoding/csv's state machine (with LazyQuotes and TrimLeadingSpace off) to
// know where a record ends: a newline inside a quoted cell does not end it,
// so an unclosed quote is stopped after maxLine bytes instead of being
// buffered up to the end of the file. A doubled quote ("") inside a quoted
// cell keeps the cell open; a syntax error makes the parser skip to the end
// of the physical line, and the guard does the same.
//
// For GBK and GB18030 files it sees the bytes before decoding. This is
// safe: the bytes it looks at ('"', the delimiter ',' or '\t', '\r', '\n')
// are below 0x30 and never occur in a GBK or GB18030 multi-byte sequence
// (lead bytes are 0x81-0xFE, trail bytes 0x40-0xFE or, for four-byte codes,
// 0x30-0x39), and x/text's decoder consumes an invalid lead byte alone, so
// every such byte reaches the parser unchanged and in place. The same holds
// for UTF-8, where multi-byte sequences contain only bytes >= 0x80.
// Its error is sticky.
type recordGuard struct {
	r     io.Reader
	comma byte
	state int
	size  int64 // bytes of the current record so far
	line  int   // physical line of the next byte
	start int   // physical line where the current record starts
	err   error
}

func newRecordGuard(r io.Reader, comma rune) *recordGuard {
	return &recordGuard{r: r, comma: byte(comma), line: 1, start: 1}
}

func (g *recordGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	if i := g.scan(p[:n]); i >= 0 {
		// Hand the parser the bytes up to the limit, then the error.
		g.err = &longRecordError{line: g.start, quoted: g.state == gsQuoted || g.state == gsQuote || g.state == gsQuoteCR}
		return i, g.err
	}
	return n, err
}

// scan advances the state over b. It returns -1, or the number of bytes of b
// up to the point where the current record passed maxLine.
func (g *recordGuard) scan(b []byte) int {
	i := 0
	for i < len(b) {
		switch g.state {
		case gsQuoted:
			// Up to and including the next quote.
			seg := b[i:]
			if j := bytes.IndexByte(seg, '"'); j >= 0 {
				seg = seg[:j+1]
				g.state = gsQuote
			}
			g.line += bytes.Count(seg, newline)
			g.size += int64(len(seg))
			i += len(seg)
			if g.size > maxLine {
				return i
			}
			continue
		case gsSkip:
			// Up to the end of the line.
			seg := b[i:]
			j := bytes.IndexByte(seg, '\n')
			if j >= 0 {
				seg = seg[:j]
			}
			g.size += int64(len(seg))
			i += len(seg)
			if g.size > maxLine {
				return i
			}
			if j < 0 {
				continue
			}
		case gsField, gsBare:
			// Unquoted cells and delimiters, up to a quote or a newline.
			seg := b[i:]
			if j := bytes.IndexByte(seg, '\n'); j >= 0 {
				seg = seg[:j]
			}
			if j := bytes.IndexByte(seg, '"'); j >= 0 {
				seg = seg[:j]
			}
			if len(seg) > 0 {
				if seg[len(seg)-1] == g.comma {
					g.state = gsField
				} else {
					g.state = gsBare
				}
				g.size += int64(len(seg))
				i += len(seg)
				if g.size > maxLine {
					return i
				}
				continue
			}
		}
		// One byte: a quote or a newline outside a quoted cell, or the
		// byte after a closing quote.
		c := b[i]
		i++
		g.size++
		if g.size > maxLine {
			return i
		}
		switch {
		case c == '\n':
			g.newRecord()
		case g.state == gsField:
			if c == '"' {
				g.state = gsQuoted
			} else if c != g.comma {
				g.state = gsBare
			}
		case g.state == gsBare:
			if c == '"' {
				g.state = gsSkip
			} else if c == g.comma {
				g.state = gsField
			}
		case g.state == gsQuote:
			switch c {
			case '"':
				g.state = gsQuoted
			case g.comma:
				g.state = gsField
			case '\r':
				g.state = gsQuoteCR
			default:
				g.state = gsSkip
			}
		default: // gsQuoteCR: anything but '\n' makes an extraneous quote
			g.state = gsSkip
		}
	}
	return -1
}

var newline = []byte{'\n'}

// newRecord is called after a newline that ends a record (or a blank line).
func (g *recordGuard) newRecord() {
	g.line++
	g.start = g.line
	g.size = 0
	g.state = gsField
}

// shorten cuts a value for an error report.
func shorten(s string) string {
	const max = 200
	if len(s) <= max {
		return s
	}
	i := max
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// newBufReader is bufio.NewReaderSize, named for clarity.
func newBufReader(r io.Reader, size int) *bufio.Reader { return bufio.NewReaderSize(r, size) }
