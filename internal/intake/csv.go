package intake

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"xinyong"
)

// maxTitleRows is how many non-blank rows are searched for the header.
const maxTitleRows = 10

type record struct {
	cells []string
	line  int
}

// pendingRow is one result of Next. open is set for a syntax error of a
// record that spans lines and ends in a bad or missing quote: it is the
// file-level error that replaces the row error when the end of the file
// follows.
type pendingRow struct {
	row  Row
	err  error
	open error
}

type csvReader struct {
	cr      *csv.Reader
	format  string
	hdr     *header
	b       rowBuilder
	opts    Options
	hdrLine int

	delta    int // physical lines minus spreadsheet rows so far
	lastLine int // spreadsheet row of the last record read
	count    int // data rows returned
	replay   []record
	held     *pendingRow // result read ahead after an open quote
	final    error
}

func openCSV(src io.Reader, opts Options) (Reader, error) {
	lim := &limitReader{r: src, max: maxBytes(opts)}
	br := bufio.NewReaderSize(lim, sampleSize)
	sample, err := br.Peek(sampleSize)
	eof := false
	if err != nil {
		switch {
		case errors.Is(err, errLimit):
			return nil, errTooLarge(lim.max)
		case err == io.EOF:
			eof = true
		default:
			return nil, fmt.Errorf("intake: read: %w", err)
		}
	}
	if len(sample) == 0 {
		return nil, errEmpty()
	}
	switch {
	case bytes.HasPrefix(sample, zipMagic):
		return nil, xinyong.Errorf(xinyong.EINVALID, "收到的是 zip/xlsx 内容，此处只接受 CSV；xlsx 请通过文件上传 (zip or xlsx content where CSV was expected)")
	case bytes.HasPrefix(sample, oleMagic):
		return nil, errOLE()
	}
	sn, err := sniffCSV(sample, eof)
	if err != nil {
		return nil, err
	}
	if _, err := br.Discard(sn.bom); err != nil {
		return nil, fmt.Errorf("intake: read: %w", err)
	}
	c := &csvReader{format: sn.format, opts: opts}
	// The guard sees the raw bytes: see recordGuard for why that is safe
	// before GBK/GB18030 decoding.
	var rd io.Reader = newRecordGuard(br, sn.comma)
	if sn.gb {
		rd = bufio.NewReaderSize(transform.NewReader(rd, simplifiedchinese.GB18030.NewDecoder()), sampleSize)
	}
	c.cr = csv.NewReader(rd)
	c.cr.Comma = sn.comma
	c.cr.FieldsPerRecord = -1
	c.cr.LazyQuotes = false
	c.cr.ReuseRecord = true
	if err := c.readHeader(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *csvReader) Columns() []string { return append([]string(nil), c.hdr.codes...) }
func (c *csvReader) Unknown() []string { return append([]string(nil), c.hdr.unknown...) }
func (c *csvReader) Format() string    { return c.format }
func (c *csvReader) HeaderLine() int   { return c.hdrLine }
func (c *csvReader) Close() error      { return nil }

// read returns the next record and its spreadsheet row number.
func (c *csvReader) read() ([]string, int, error) {
	rec, err := c.cr.Read()
	if err == nil {
		start, _ := c.cr.FieldPos(0)
		end, _ := c.cr.FieldPos(len(rec) - 1)
		end += strings.Count(rec[len(rec)-1], "\n")
		line := start - c.delta
		c.delta += end - start
		c.lastLine = line
		return rec, line, nil
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		line := pe.StartLine - c.delta
		c.delta += pe.Line - pe.StartLine
		c.lastLine = line
		return nil, line, pe
	}
	return nil, c.lastLine, c.fatal(err)
}

// fatal converts a read error into the final error.
func (c *csvReader) fatal(err error) error {
	switch {
	case err == io.EOF:
		return io.EOF
	case errors.Is(err, errLimit):
		return errTooLarge(maxBytes(c.opts))
	}
	var le *longRecordError
	if errors.As(err, &le) {
		// Every record before this one has been read, so c.delta holds
		// the extra lines of the multi-line records before it.
		row := le.line - c.delta
		if row <= c.lastLine {
			row = c.lastLine + 1
		}
		if le.quoted {
			return xinyong.Errorf(xinyong.EINVALID, "第%d行起的加引号单元格超过 %s 仍未闭合，请检查该行的双引号 (a quoted field from row %d is still open after %d bytes: unclosed quote?)",
				row, humanBytes(maxLine), row, maxLine)
		}
		return xinyong.Errorf(xinyong.EINVALID, "第%d行起有一行超过 %s 没有换行，文件可能不是 CSV (a line longer than %d bytes from row %d)",
			row, humanBytes(maxLine), maxLine, row)
	}
	return fmt.Errorf("intake: read csv after row %d: %w", c.lastLine, err)
}

func syntaxMessage(pe *csv.ParseError) string {
	what := pe.Err.Error()
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		what = "未加引号的单元格里有双引号 \" (bare \" in a non-quoted field)"
	case errors.Is(pe.Err, csv.ErrQuote):
		what = "加引号的单元格引号不配对 (extraneous or missing \" in a quoted field)"
	}
	if pe.Line != pe.StartLine {
		return fmt.Sprintf("CSV 格式错误：%s，位于文件第%d行第%d个字符 (record from line %d to %d)", what, pe.Line, pe.Column, pe.StartLine, pe.Line)
	}
	return fmt.Sprintf("CSV 格式错误：%s，位于第%d个字符", what, pe.Column)
}

// readHeader finds the header row among the first non-blank rows.
func (c *csvReader) readHeader() error {
	m := newMatcher(c.opts.Fields)
	need := m.headerThreshold()
	var cands []record
	for len(cands) < maxTitleRows {
		rec, line, err := c.read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return xinyong.Errorf(xinyong.EINVALID, "第%d行%s，无法确定表头 (CSV syntax error before the data)", line, syntaxMessage(pe))
		}
		if err != nil {
			return err
		}
		if isBlankRecord(rec) {
			continue
		}
		r := record{cells: append([]string(nil), rec...), line: line}
		if m.score(r.cells) >= need {
			return c.setHeader(m, r, nil)
		}
		cands = append(cands, r)
	}
	if len(cands) == 0 {
		return xinyong.Errorf(xinyong.EINVALID, "文件没有表头行（只有空行） (no header row)")
	}
	return c.setHeader(m, cands[0], cands[1:])
}

func (c *csvReader) setHeader(m *matcher, r record, replay []record) error {
	h, err := buildHeader(m, r.cells)
	if err != nil {
		var xe *xinyong.Error
		if errors.As(err, &xe) {
			xe.Message = fmt.Sprintf("第%d行表头：%s", r.line, xe.Message)
			for i := range xe.Fields {
				xe.Fields[i].Row = r.line
			}
		}
		return err
	}
	c.hdr, c.hdrLine, c.replay = h, r.line, replay
	c.b.h = h
	return nil
}

func isBlankRecord(rec []string) bool {
	for _, s := range rec {
		if clean(s) != "" {
			return false
		}
	}
	return true
}

func (c *csvReader) Next() (Row, error) {
	var p pendingRow
	switch {
	case c.held != nil:
		p, c.held = *c.held, nil
	case c.final != nil:
		return Row{}, c.final
	default:
		p = c.step()
	}
	if p.open != nil {
		// A quote left open may have swallowed the rest of the file: look
		// one result ahead. The result read ahead is held, not looked
		// ahead from, so this takes constant stack however many such
		// records follow each other.
		q := c.step()
		if q.err == io.EOF {
			c.final = p.open
			return Row{}, c.final
		}
		c.held = &q
	}
	return p.row, p.err
}

// step reads the next result without looking ahead.
func (c *csvReader) step() pendingRow {
	if c.final != nil {
		return pendingRow{err: c.final}
	}
	for {
		var (
			rec  []string
			line int
			err  error
		)
		if len(c.replay) > 0 {
			rec, line = c.replay[0].cells, c.replay[0].line
			c.replay = c.replay[1:]
		} else {
			rec, line, err = c.read()
		}
		var pe *csv.ParseError
		switch {
		case err == nil:
		case errors.As(err, &pe):
			if c.tooMany() {
				return pendingRow{err: c.final}
			}
			p := pendingRow{row: Row{Line: line}, err: &RowError{Line: line, Rule: "csv.syntax", Message: syntaxMessage(pe)}}
			if pe.Line > pe.StartLine && errors.Is(pe.Err, csv.ErrQuote) {
				p.open = xinyong.Errorf(xinyong.EINVALID,
					"第%d行的引号没有闭合，从第%d行到文件末尾（第%d行）都被当成了一个单元格，请检查该行的双引号 (unterminated quoted field from row %d to the end of the file)",
					line, line, pe.Line, line)
			}
			return p
		default:
			c.final = err
			return pendingRow{err: err}
		}
		row, rerr, blank := c.b.build(line, rec, true)
		if blank {
			continue
		}
		if c.tooMany() {
			return pendingRow{err: c.final}
		}
		if rerr != nil {
			return pendingRow{row: row, err: rerr}
		}
		return pendingRow{row: row}
	}
}

func (c *csvReader) tooMany() bool {
	c.count++
	if c.opts.MaxRows > 0 && c.count > c.opts.MaxRows {
		c.final = errTooManyRows(c.opts.MaxRows)
		return true
	}
	return false
}
