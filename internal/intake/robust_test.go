package intake

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"testing"

	"xinyong"
)

// openQuotePair is a record whose quoted cell spans two lines and then has
// an extraneous quote: a multi-line csv.ErrQuote.
const openQuotePair = "\"x\n\"y\n"

// readAll returns the row errors and rows in the order Next gives them, and
// the error that ended the file (nil for io.EOF).
func readAll(t *testing.T, r Reader) (lines []int, errRows []bool, final error) {
	t.Helper()
	for {
		row, err := r.Next()
		if err == io.EOF {
			return lines, errRows, nil
		}
		var re *RowError
		switch {
		case errors.As(err, &re):
			if re.Line != row.Line || re.Rule != "csv.syntax" {
				t.Fatalf("row error %v (row line %d)", re, row.Line)
			}
			lines, errRows = append(lines, re.Line), append(errRows, true)
		case err != nil:
			return lines, errRows, err
		default:
			lines, errRows = append(lines, row.Line), append(errRows, false)
		}
	}
}

// TestCSVOpenQuoteRowsInOrder: after a multi-line cell with a bad quote the
// reader looks one record ahead; every such row must be reported, in file
// order, and only a bad quote followed by the end of the file becomes the
// file-level error.
func TestCSVOpenQuoteRowsInOrder(t *testing.T) {
	const pairs = 20
	good := "丙,,罚3,罚款,,2024-03-01,\n"

	// Pairs followed by a good row: all row errors, then the row.
	r, err := OpenReader(strings.NewReader(codeHeader+strings.Repeat(openQuotePair, pairs)+good), opts())
	if err != nil {
		t.Fatal(err)
	}
	lines, errRows, final := readAll(t, r)
	if final != nil {
		t.Fatalf("final error %v after %v", final, lines)
	}
	if len(lines) != pairs+1 {
		t.Fatalf("got rows %v, want %d results", lines, pairs+1)
	}
	for i, l := range lines {
		if l != i+2 || errRows[i] != (i < pairs) {
			t.Fatalf("result %d: row %d (error %v); all: %v", i, l, errRows[i], lines)
		}
	}

	// Pairs up to the end of the file: the last one is the file-level error.
	r, err = OpenReader(strings.NewReader(codeHeader+strings.Repeat(openQuotePair, pairs)), opts())
	if err != nil {
		t.Fatal(err)
	}
	lines, _, final = readAll(t, r)
	wantCode(t, final, xinyong.EINVALID, fmt.Sprintf("第%d行的引号没有闭合", pairs+1))
	if len(lines) != pairs-1 {
		t.Fatalf("got row errors %v before the final error, want %d", lines, pairs-1)
	}
	for i, l := range lines {
		if l != i+2 {
			t.Fatalf("row errors out of order: %v", lines)
		}
	}
	if _, err := r.Next(); err != final {
		t.Errorf("final error not sticky: %v", err)
	}
}

// TestCSVOpenQuoteManyBoundedStack: a long run of such records must be read
// with constant stack (it once recursed once per record, and a 48 MB file
// overflowed the 1 GB stack and killed the server).
func TestCSVOpenQuoteManyBoundedStack(t *testing.T) {
	const pairs = 200_000
	// Far more than the reader needs, far less than one frame per record.
	defer debug.SetMaxStack(debug.SetMaxStack(4 << 20))
	data := codeHeader + strings.Repeat(openQuotePair, pairs)
	done := make(chan struct{})
	var (
		n, last int
		final   error
	)
	go func() { // a fresh goroutine: its stack starts small
		defer close(done)
		r, err := OpenReader(strings.NewReader(data), opts())
		if err != nil {
			final = err
			return
		}
		for {
			row, err := r.Next()
			var re *RowError
			if !errors.As(err, &re) {
				final = err
				return
			}
			if row.Line != last+1 && last != 0 || last == 0 && row.Line != 2 {
				final = fmt.Errorf("row %d after row %d", row.Line, last)
				return
			}
			n, last = n+1, row.Line
		}
	}()
	<-done
	if n != pairs-1 {
		t.Fatalf("%d row errors, want %d (stopped with %v)", n, pairs-1, final)
	}
	wantCode(t, final, xinyong.EINVALID, fmt.Sprintf("第%d行的引号没有闭合", pairs+1))
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// TestCSVUnclosedQuoteBounded: a quote left open on a row followed by a lot
// of data is refused after about maxLine bytes, with a file-level error that
// names the row, instead of the whole rest of the file being buffered as
// one cell.
func TestCSVUnclosedQuoteBounded(t *testing.T) {
	for _, enc := range []string{"utf8", "gbk"} {
		t.Run(enc, func(t *testing.T) {
			prefix := codeHeader + "甲,,罚1,罚款,,2024-03-01,\n" + "\"乙,,罚2,罚款,,2024-03-01,\n"
			rest := []byte(strings.Repeat("丙,,罚3,罚款,,2024-03-01,\n", 64))
			if enc == "gbk" {
				prefix, rest = string(gbk(t, prefix)), gbk(t, string(rest))
			}
			const total = 3 * maxLine // with the limit, most is never read
			cr := &countingReader{r: io.MultiReader(strings.NewReader(prefix), io.LimitReader(&repeatReader{b: rest}, total))}
			r, err := OpenReader(cr, opts())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := r.Next(); err != nil {
				t.Fatal(err)
			}
			_, err = r.Next()
			wantCode(t, err, xinyong.EINVALID, "第3行", "引号", "16 MiB")
			if _, err2 := r.Next(); err2 != err {
				t.Errorf("final error not sticky: %v", err2)
			}
			if max := int64(len(prefix)) + maxLine + 1<<20; cr.n > max {
				t.Errorf("read %d bytes before refusing, want at most %d", cr.n, max)
			}
		})
	}
}

// TestCSVQuotedRecordsUnderLimit: quoted cells with line breaks, doubled
// quotes, CRLF and the syntax errors after which the parser skips to the
// end of the line must not confuse the record limit: a file well past
// maxLine made of such records reads in full.
func TestCSVQuotedRecordsUnderLimit(t *testing.T) {
	note := strings.Repeat("违法事实", 1000) // 12 KB
	var b bytes.Buffer
	b.WriteString(codeHeader)
	b.WriteString("甲,,罚1,罚款,,2024-03-01,\"第一行\n第二行 \"\"引文\"\"\r\n第三行\"\r\n") // row 2: multi-line cell
	b.WriteString("乙,,罚2,罚款,,2024-03-01,5\" 屏幕\n")                           // row 3: bare quote (csv.syntax)
	b.WriteString("\"丙\"x,,罚3,罚款,,2024-03-01,\n")                            // row 4: extraneous quote (csv.syntax)
	b.WriteString("丁,,罚4,罚款,,2024-03-01,\"\"\"\"\n")                         // row 5: a cell that is one quote
	b.WriteString("戊,,罚5,罚款,,2024-03-01,\"a\"\"\n\"\"b\"\n")                 // row 6: doubled quotes around a line break
	rows := 0
	for b.Len() < maxLine+maxLine/2 {
		fmt.Fprintf(&b, "己%d,,罚%d,罚款,,2024-03-01,%s\n", rows, rows, note)
		rows++
	}
	// A record that spans many lines and almost reaches the limit.
	big := strings.Repeat(note+"\n", (maxLine-len(note))/(len(note)+1))
	fmt.Fprintf(&b, "庚,,罚X,罚款,,2024-03-01,\"%s\"\n", big)
	b.WriteString("辛,,罚Y,罚款,,2024-03-01,\n")

	for _, enc := range []string{"utf8", "gbk"} {
		t.Run(enc, func(t *testing.T) {
			data := b.Bytes()
			if enc == "gbk" {
				data = gbk(t, b.String())
			}
			r, err := OpenReader(bytes.NewReader(data), opts())
			if err != nil {
				t.Fatal(err)
			}
			res := drain(t, r)
			if len(res.errs) != 2 || res.errs[0].Line != 3 || res.errs[1].Line != 4 {
				t.Fatalf("row errors %v", res.errs)
			}
			if want := 3 + rows + 2; len(res.rows) != want {
				t.Fatalf("%d rows, want %d", len(res.rows), want)
			}
			want := map[int]string{2: "第一行\n第二行 \"引文\"\n第三行", 5: "\"", 6: "a\"\n\"b"}
			for _, row := range res.rows[:3] {
				if row.Fields["BZ"] != want[row.Line] {
					t.Errorf("row %d: BZ %q, want %q", row.Line, row.Fields["BZ"], want[row.Line])
				}
			}
			last := res.rows[len(res.rows)-2:]
			if got := last[0].Fields["BZ"]; got != strings.TrimSpace(big) {
				t.Errorf("big cell of %d bytes, want %d", len(got), len(big)-1)
			}
			if last[1].Fields["CF_WSH"] != "罚Y" || last[1].Line != last[0].Line+1 {
				t.Errorf("last rows %d %d %q", last[0].Line, last[1].Line, last[1].Fields["CF_WSH"])
			}
		})
	}
}
