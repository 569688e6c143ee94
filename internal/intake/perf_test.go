package intake

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/xuri/excelize/v2"
)

var sampleFacts = strings.Repeat("当事人未按规定公示年度报告，经责令限期改正仍未改正，违反了《企业信息公示暂行条例》第八条的规定。", 3)

func writeRow(w io.Writer, i int) {
	fmt.Fprintf(w, "福州某某贸易有限公司%d,91350100M000100Y43,榕市监罚〔2024〕%d号,罚款,0.2,2024-03-01,%s\n", i, i, sampleFacts)
}

func genCSV(rows int) []byte {
	var b bytes.Buffer
	b.WriteString(codeHeader)
	for i := range rows {
		writeRow(&b, i)
	}
	return b.Bytes()
}

// TestMemoryFlat streams a large CSV from disk and checks that the heap stays
// small while reading: the file is larger than the limit.
func TestMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a large file")
	}
	const rows = 200_000
	p := filepath.Join(t.TempDir(), "big.csv")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	w.WriteString(codeHeader)
	for i := range rows {
		writeRow(w, i)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	fi, _ := os.Stat(p)
	const limit = 64 << 20
	if fi.Size() < limit {
		t.Fatalf("file %d bytes: too small to prove anything", fi.Size())
	}

	runtime.GC()
	r, err := OpenPath(p, opts())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var ms runtime.MemStats
	var peak uint64
	n := 0
	for {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if row.Fields["CF_CFLB"] != "罚款" {
			t.Fatalf("row %d: %v", row.Line, row.Fields)
		}
		n++
		if n%10_000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}
	runtime.ReadMemStats(&ms)
	peak = max(peak, ms.HeapInuse)
	if n != rows {
		t.Fatalf("read %d rows", n)
	}
	t.Logf("file %d MiB, peak HeapInuse %d MiB", fi.Size()>>20, peak>>20)
	if peak > limit {
		t.Errorf("HeapInuse reached %d MiB while streaming a %d MiB file", peak>>20, fi.Size()>>20)
	}
}

func BenchmarkCSVRead(b *testing.B) {
	const rows = 100_000
	data := genCSV(rows)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		r, err := OpenReader(bytes.NewReader(data), opts())
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != rows {
			b.Fatalf("%d rows", n)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkCSVReadGBK(b *testing.B) {
	const rows = 100_000
	data := gbk(b, string(genCSV(rows)))
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		r, err := OpenReader(bytes.NewReader(data), opts())
		if err != nil {
			b.Fatal(err)
		}
		if r.Format() != FormatCSVGBK {
			b.Fatal(r.Format())
		}
		for {
			if _, err := r.Next(); err != nil {
				break
			}
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkXLSXRead(b *testing.B) {
	const rows = 20_000
	data := buildXLSX(b, func(f *excelize.File, sw *excelize.StreamWriter) {
		must(b, sw.SetRow("A1", labelRow))
		for i := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			must(b, sw.SetRow(cell, []any{fmt.Sprintf("福州某某贸易有限公司%d", i), "91350100M000100Y43",
				fmt.Sprintf("榕市监罚〔2024〕%d号", i), "罚款", 0.2, 45352, sampleFacts}))
		}
	})
	f := writeFile(b, "bench.xlsx", data)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		r, err := Open(f, opts())
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		r.Close()
		if n != rows {
			b.Fatalf("%d rows", n)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// drainFuzz reads everything and fails if Next does not make progress. With
// ordered, every result (row or row error) must be on a later row than the
// one before.
func drainFuzz(t *testing.T, r Reader, budget int, ordered bool) {
	defer r.Close()
	_ = r.Columns()
	_ = r.Unknown()
	_ = r.Format()
	last := r.HeaderLine()
	for i := 0; ; i++ {
		if i > budget {
			t.Fatalf("Next did not finish after %d calls", budget)
		}
		row, err := r.Next()
		var re *RowError
		if ordered && (err == nil || errors.As(err, &re)) {
			if row.Line <= last {
				t.Fatalf("row %d after row %d (%v)", row.Line, last, err)
			}
			last = row.Line
		}
		switch {
		case err == nil:
			if row.Line <= r.HeaderLine() {
				t.Fatalf("row line %d not after header %d", row.Line, r.HeaderLine())
			}
		case errors.As(err, &re):
			_ = re.Error()
		default:
			if _, err2 := r.Next(); err2 == nil {
				t.Fatalf("Next after final error %v returned a row", err)
			}
			return
		}
	}
}

func FuzzCSV(f *testing.F) {
	f.Add([]byte(codeHeader + "甲,,罚1,罚款,,2024-03-01,\n"))
	f.Add([]byte("\uFEFF行政相对人名称,行政处罚决定书文号,处罚类别,处罚决定日期\n\"a\nb\",x,罚款,2024\n\"open"))
	f.Add(gbk(f, "行政相对人名称\t行政处罚决定书文号\t处罚类别\t处罚决定日期\n甲\t罚1\t罚款\t2024-03-01\n"))
	f.Add([]byte("a,b\n\xff\xfe,\"\"\"\n,,,,\n"))
	f.Add([]byte{})
	f.Add([]byte(codeHeader + strings.Repeat(openQuotePair, 5) + "甲,,罚1,罚款,,2024-03-01,\n" + openQuotePair))
	f.Add([]byte(codeHeader + "甲,,罚1,罚款,,2024-03-01,\"a\"\"\n\"\"b\"\r\n乙,,罚2,罚款,,2024-03-01,5\" x\n\"丙\"x,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		o := Options{Fields: penaltyFields, MaxBytes: 1 << 20, MaxRows: 10_000}
		if len(data)%2 == 0 {
			o.Fields = nil // any first row is the header
		}
		r, err := OpenReader(bytes.NewReader(data), o)
		if err != nil {
			return
		}
		drainFuzz(t, r, len(data)+20, true)
	})
}

func FuzzXLSX(f *testing.F) {
	f.Add(buildXLSX(f, func(fx *excelize.File, sw *excelize.StreamWriter) {
		must(f, sw.SetRow("A1", labelRow))
		must(f, sw.SetRow("A2", []any{"甲", "", "罚1", "罚款", 0.2, 45352, excelize.Cell{Formula: "A2"}}))
		must(f, sw.SetRow("A3", []any{"乙", "", "罚2", "罚款", 0.2, "2024-03-01"}))
		must(f, sw.MergeCell("A3", "A4"))
	}))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "f.xlsx")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		r, err := OpenPath(p, Options{Fields: penaltyFields, MaxBytes: 1 << 20, MaxRows: 10_000})
		if err != nil {
			return
		}
		drainFuzz(t, r, 1<<20, false)
	})
}

// FuzzClean checks the fast path of clean against x/text's NFC and the
// classification against utf8.ValidString.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"", " 甲 ", "Cafe\u0301", "〔2024〕", "\u302A中", "\xff", "\uFFFD", "ｅ\u0301", "가\u11A8", "\u1100\u1161", "ab\xe4\xb8"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		class := scanCell(s)
		bad := !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError)
		if bad != (class == cellBad) {
			t.Fatalf("scanCell(%q) = %d, invalid=%v", s, class, bad)
		}
		if bad {
			return
		}
		want := norm.NFC.String(strings.TrimFunc(s, isTrim))
		if got := clean(s); got != want {
			t.Fatalf("clean(%q) = %q, want %q", s, got, want)
		}
		if class == cellPlain && !norm.NFC.IsNormalString(s) {
			t.Fatalf("%q classed plain but is not NFC", s)
		}
	})
}
