package intake

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"xinyong"
)

// buildXLSX writes a workbook with a stream writer; fill writes the rows of
// the first sheet.
func buildXLSX(t testing.TB, fill func(f *excelize.File, sw *excelize.StreamWriter)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	fill(f, sw)
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var labelRow = []any{"行政相对人名称", "统一社会信用代码", "行政处罚决定书文号", "处罚类别", "罚款金额（万元）", "处罚决定日期", "备注"}

func TestXLSX(t *testing.T) {
	data := buildXLSX(t, func(f *excelize.File, sw *excelize.StreamWriter) {
		dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
		must(t, err)
		cnStyle, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptr(`yyyy"年"m"月"d"日"`)})
		must(t, err)
		moneyStyle, err := f.NewStyle(&excelize.Style{NumFmt: 2}) // 0.00
		must(t, err)
		must(t, sw.SetRow("A1", []any{"行政处罚信息表"}))
		must(t, sw.MergeCell("A1", "G1")) // title banner: fine
		must(t, sw.SetRow("A2", labelRow))
		must(t, sw.SetRow("A3", []any{" 某某有限公司 ", "91350100M000100Y43", "罚1号", "罚款",
			excelize.Cell{StyleID: moneyStyle, Value: 0.2}, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), "", "列外备注"}))
		must(t, sw.SetRow("A4", []any{"乙", "", "罚2号", "罚款", 0.1 + 0.2, excelize.Cell{StyleID: dateStyle, Value: 45352}}))
		must(t, sw.SetRow("A5", []any{"丙", "", "罚3号", "警告", nil, 45353}))
		must(t, sw.SetRow("A6", []any{"丁", "", "罚4号", "警告", nil, excelize.Cell{StyleID: cnStyle, Value: 45354},
			excelize.Cell{Formula: `A6&"备注"`, Value: "丁备注"}}))
		must(t, sw.SetRow("A7", []any{"戊", "91350100M000100Y43", "罚5号", "警告", nil, "2024-03-05"}))
		must(t, sw.SetRow("A8", []any{"己", nil, "罚6号", "警告", nil, "2024-03-06"}))
		must(t, sw.MergeCell("B7", "B8"))
		must(t, sw.SetRow("A9", []any{"庚", "", "罚7号", "警告", nil, 2024}))
		must(t, sw.SetRow("A11", []any{"辛", "", "罚8号", "警告", 123456789012345678, "2024/3/1"}))
	})
	r, err := openBytes(t, "upload.csv", data, opts()) // the name says csv; the content decides
	if err != nil {
		t.Fatal(err)
	}
	if r.Format() != FormatXLSX || r.HeaderLine() != 2 {
		t.Fatalf("format %q header %d", r.Format(), r.HeaderLine())
	}
	type got struct {
		row Row
		err *RowError
	}
	var rows []got
	for {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		var re *RowError
		if err != nil && !errors.As(err, &re) {
			t.Fatal(err)
		}
		rows = append(rows, got{row, re})
	}
	if len(rows) != 8 {
		t.Fatalf("%d rows: %+v", len(rows), rows)
	}
	check := func(i, line int, field, want string) {
		t.Helper()
		if rows[i].row.Line != line {
			t.Errorf("row %d: line %d, want %d", i, rows[i].row.Line, line)
		}
		if v := rows[i].row.Fields[field]; v != want {
			t.Errorf("line %d %s = %q, want %q", line, field, v, want)
		}
	}
	check(0, 3, "CF_XDR_MC", "某某有限公司")
	check(0, 3, "CF_NR_FK", "0.2")
	check(0, 3, "CF_JDRQ", "2024-03-01")
	if rows[0].row.Extra["列H"] != "列外备注" || rows[0].err != nil {
		t.Errorf("row 3 extra %v err %v", rows[0].row.Extra, rows[0].err)
	}
	check(1, 4, "CF_JDRQ", "2024-03-01")
	check(1, 4, "CF_NR_FK", "0.3")
	check(2, 5, "CF_JDRQ", "2024-03-02") // unformatted serial in a date field
	check(3, 6, "CF_JDRQ", "2024-03-03")
	check(3, 6, "BZ", "丁备注")
	if e := rows[3].err; e == nil || e.Rule != "xlsx.formula" || e.Column != "BZ" || e.Line != 6 {
		t.Errorf("formula: %+v", e)
	}
	for i, line := range []int{7, 8} {
		if e := rows[4+i].err; e == nil || e.Rule != "xlsx.merged" || e.Line != line || e.Column != "CF_XDR_SHXYM" {
			t.Errorf("merged line %d: %+v", line, e)
		}
	}
	check(5, 8, "CF_XDR_SHXYM", "")
	check(6, 9, "CF_JDRQ", "2024") // a year is not a serial date: left for validation
	check(7, 11, "CF_JDRQ", "2024/3/1")
	check(7, 11, "CF_NR_FK", "1.23456789012346E+17")
	for i, g := range rows {
		if i != 3 && i != 4 && i != 5 && g.err != nil {
			t.Errorf("unexpected error %v", g.err)
		}
	}
	if x, ok := r.(*xlsxReader); !ok || x.Sheet() != "Sheet1" {
		t.Errorf("sheet")
	}
}

func ptr[T any](v T) *T { return &v }

func TestXLSXCodesAndSecondSheet(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	must(t, f.SetSheetRow("Sheet1", "A1", &[]any{"CF_XDR_MC", "CF_WSH", "CF_CFLB", "CF_JDRQ", "经办人"}))
	must(t, f.SetSheetRow("Sheet1", "A2", &[]any{"甲", "罚1", "罚款", "2024-03-01", "张三"}))
	_, err := f.NewSheet("说明")
	must(t, err)
	must(t, f.SetCellValue("说明", "A1", "填写说明"))
	p := filepath.Join(t.TempDir(), "codes.xlsx")
	must(t, f.SaveAs(p))
	r, err := OpenPath(p, opts())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	res := drain(t, r)
	if len(res.rows) != 1 || res.rows[0].Fields["CF_WSH"] != "罚1" || res.rows[0].Extra["经办人"] != "张三" {
		t.Fatalf("%+v", res)
	}
	if u := r.Unknown(); len(u) != 1 || u[0] != "经办人" {
		t.Errorf("unknown %v", u)
	}
}

func TestXLSXRefusals(t *testing.T) {
	// Missing required columns.
	data := buildXLSX(t, func(f *excelize.File, sw *excelize.StreamWriter) {
		must(t, sw.SetRow("A1", []any{"行政相对人名称", "罚款金额"}))
	})
	_, err := openBytes(t, "m.xlsx", data, opts())
	wantCode(t, err, xinyong.EINVALID, "CF_WSH", "行政处罚决定书文号", "Sheet1")

	// Empty sheet.
	data = buildXLSX(t, func(f *excelize.File, sw *excelize.StreamWriter) {})
	_, err = openBytes(t, "e.xlsx", data, opts())
	wantCode(t, err, xinyong.EINVALID, "no header row")

	// A zip that is not a workbook.
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("readme.txt")
	w.Write([]byte("hello"))
	zw.Close()
	_, err = openBytes(t, "z.xlsx", b.Bytes(), opts())
	wantCode(t, err, xinyong.EINVALID, "not an xlsx")

	// A truncated workbook.
	data = buildXLSX(t, func(f *excelize.File, sw *excelize.StreamWriter) {
		must(t, sw.SetRow("A1", labelRow))
	})
	_, err = openBytes(t, "t.xlsx", data[:len(data)/2], opts())
	wantCode(t, err, xinyong.EINVALID, "zip")

	// XLSX through OpenReader.
	_, err = OpenReader(bytes.NewReader(data), opts())
	wantCode(t, err, xinyong.EINVALID, "xlsx")
}

// An *os.File whose name is not its path (unlinked temp file) is read too.
func TestXLSXUnlinked(t *testing.T) {
	data := buildXLSX(t, func(f *excelize.File, sw *excelize.StreamWriter) {
		must(t, sw.SetRow("A1", labelRow))
		must(t, sw.SetRow("A2", []any{"甲", "", "罚1", "罚款", 1, 45352}))
	})
	f, err := os.CreateTemp(t.TempDir(), "up")
	must(t, err)
	defer f.Close()
	_, err = f.Write(data)
	must(t, err)
	must(t, os.Remove(f.Name()))
	r, err := Open(f, opts())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	res := drain(t, r)
	if len(res.rows) != 1 || res.rows[0].Fields["CF_JDRQ"] != "2024-03-01" {
		t.Fatalf("%+v", res)
	}
}
