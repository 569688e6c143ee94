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

// errLongLine is returned by limitReader for a line longer than maxLine.
var errLongLine = errors.New("intake: line too long")

// maxLine bounds the bytes between two newlines, so that a file without
// line breaks cannot make the CSV parser buffer it whole.
const maxLine = 16 << 20

// limitReader counts bytes, stops after max, and refuses very long lines.
// Its errors are sticky.
type limitReader struct {
	r       io.Reader
	n, max  int64
	sinceNL int64
	err     error
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
	if i := bytes.LastIndexByte(p[:n], '\n'); i >= 0 {
		l.sinceNL = int64(n - i - 1)
	} else {
		l.sinceNL += int64(n)
	}
	switch {
	case l.n > l.max:
		l.err = errLimit
	case l.sinceNL > maxLine:
		l.err = errLongLine
	default:
		return n, err
	}
	return n, l.err
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
