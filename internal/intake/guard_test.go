package intake

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"reflect"
	"testing"
)

// csvStarts returns the line on which encoding/csv starts each record.
func csvStarts(t *testing.T, data []byte, comma rune) []int {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	var starts []int
	for {
		_, err := cr.Read()
		var pe *csv.ParseError
		switch {
		case err == nil:
			line, _ := cr.FieldPos(0)
			starts = append(starts, line)
		case errors.As(err, &pe):
			starts = append(starts, pe.StartLine)
		case err == io.EOF:
			return starts
		default:
			t.Fatalf("csv: %v", err)
		}
	}
}

// guardStarts feeds data to a recordGuard one byte at a time and returns the
// start line of every record that is not a blank line, and the final state.
func guardStarts(data []byte, comma rune) (starts []int, end recordGuard) {
	g := newRecordGuard(nil, comma)
	var rec []byte
	flush := func(start int) {
		rec = bytes.TrimSuffix(rec, []byte("\n"))
		if len(rec) > 0 && string(rec) != "\r" {
			starts = append(starts, start)
		}
		rec = rec[:0]
	}
	for i := range data {
		start := g.start
		if g.scan(data[i:i+1]) >= 0 {
			panic("limit")
		}
		rec = append(rec, data[i])
		if g.size == 0 {
			flush(start)
		}
	}
	flush(g.start)
	return starts, *g
}

// FuzzRecordGuard checks that recordGuard splits records where encoding/csv
// does, and that feeding it in one piece or byte by byte gives one state.
func FuzzRecordGuard(f *testing.F) {
	for _, s := range []string{
		"a,b\n\"c\nd\",e\n", "\"x\n\"y\n\"x\n\"y\n", "a\"b\nc\n", "\"a\"\"\n\"\"b\"\r\nc\n",
		"\"a\"\r\"\nb\n", "\"a\"\r\r\nb\n", "\r\n\n\"\"\n", "x,\"y\"z\nw\n", "\"open\n\nq\n",
		"a\tb\n\"c\td\"\t\"\"\n", "\"a\"\r", "\xff\"\n\"\xff\"\n",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, tab bool) {
		comma := ','
		if tab {
			comma = '\t'
		}
		want := csvStarts(t, data, comma)
		got, end := guardStarts(data, comma)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: guard record starts %v, csv %v", data, got, want)
		}
		g := newRecordGuard(bytes.NewReader(data), comma)
		if n, err := io.Copy(io.Discard, g); err != nil || n != int64(len(data)) {
			t.Fatalf("copy %d %v", n, err)
		}
		end.r, g.r = nil, nil
		if *g != end {
			t.Fatalf("%q: state %+v in one piece, %+v byte by byte", data, *g, end)
		}
	})
}
