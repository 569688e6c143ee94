package intake

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"xinyong"
)

var penaltyFields = []xinyong.FieldSpec{
	{Code: "CF_XDR_MC", Label: "行政相对人名称", Type: xinyong.FieldText, Required: true},
	{Code: "CF_XDR_SHXYM", Label: "统一社会信用代码", Type: xinyong.FieldCode},
	{Code: "CF_WSH", Label: "行政处罚决定书文号", Type: xinyong.FieldText, Required: true},
	{Code: "CF_CFLB", Label: "处罚类别", Type: xinyong.FieldEnum, Required: true},
	{Code: "CF_NR_FK", Label: "罚款金额", Type: xinyong.FieldAmount, Unit: "万元"},
	{Code: "CF_JDRQ", Label: "处罚决定日期", Type: xinyong.FieldDate, Required: true},
	{Code: "BZ", Label: "备注", Type: xinyong.FieldText},
}

func opts() Options { return Options{Fields: penaltyFields} }

func writeFile(t testing.TB, name string, data []byte) *os.File {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func openBytes(t testing.TB, name string, data []byte, o Options) (Reader, error) {
	t.Helper()
	r, err := Open(writeFile(t, name, data), o)
	if err == nil {
		t.Cleanup(func() { r.Close() })
	}
	return r, err
}

type result struct {
	rows []Row
	errs []*RowError
}

func drain(t testing.TB, r Reader) result {
	t.Helper()
	var res result
	for {
		row, err := r.Next()
		if err == io.EOF {
			return res
		}
		var re *RowError
		if errors.As(err, &re) {
			if re.Line != row.Line {
				t.Errorf("RowError line %d != row line %d", re.Line, row.Line)
			}
			res.errs = append(res.errs, re)
			continue
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		res.rows = append(res.rows, row)
	}
}

func wantCode(t *testing.T, err error, code string, substrs ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s error, got nil", code)
	}
	var xe *xinyong.Error
	if !errors.As(err, &xe) {
		t.Fatalf("want *xinyong.Error, got %T %v", err, err)
	}
	if xe.Code != code {
		t.Fatalf("code %q, want %q (%v)", xe.Code, code, err)
	}
	for _, s := range substrs {
		if !strings.Contains(xe.Error(), s) {
			t.Errorf("error %q does not mention %q", xe.Error(), s)
		}
	}
}

const codeHeader = "CF_XDR_MC,CF_XDR_SHXYM,CF_WSH,CF_CFLB,CF_NR_FK,CF_JDRQ,BZ\n"

func TestCSVUTF8Codes(t *testing.T) {
	data := codeHeader +
		"某某有限公司,91350100M000100Y43,闽市监罚〔2024〕1号,罚款,0.2,2024-03-01,\n" +
		"  另一公司 ,91350100M000100Y43,闽市监罚〔2024〕2号,警告,,2024-03-02,无\n"
	r, err := openBytes(t, "a.txt", []byte(data), opts())
	if err != nil {
		t.Fatal(err)
	}
	if r.Format() != FormatCSVUTF8 {
		t.Errorf("format %q", r.Format())
	}
	if got := r.Columns(); !reflect.DeepEqual(got, []string{"CF_XDR_MC", "CF_XDR_SHXYM", "CF_WSH", "CF_CFLB", "CF_NR_FK", "CF_JDRQ", "BZ"}) {
		t.Errorf("columns %v", got)
	}
	if len(r.Unknown()) != 0 || r.HeaderLine() != 1 {
		t.Errorf("unknown %v header line %d", r.Unknown(), r.HeaderLine())
	}
	res := drain(t, r)
	if len(res.errs) != 0 || len(res.rows) != 2 {
		t.Fatalf("rows %d errs %v", len(res.rows), res.errs)
	}
	r0, r1 := res.rows[0], res.rows[1]
	if r0.Line != 2 || r1.Line != 3 {
		t.Errorf("lines %d %d", r0.Line, r1.Line)
	}
	if r0.Fields["CF_WSH"] != "闽市监罚〔2024〕1号" || r0.Fields["CF_NR_FK"] != "0.2" || r0.Fields["BZ"] != "" {
		t.Errorf("row 0 %v", r0.Fields)
	}
	if _, ok := r0.Fields["BZ"]; !ok {
		t.Error("blank known cell should be present as empty")
	}
	if r1.Fields["CF_XDR_MC"] != "另一公司" || r1.Extra != nil {
		t.Errorf("row 1 %v %v", r1.Fields, r1.Extra)
	}
}

func TestCSVBOMLabelsAndUnknown(t *testing.T) {
	// Labels with full-width parentheses and unit, a required marker, a
	// line break in a header cell, a code in lower case, decomposed text.
	data := "\uFEFF*行政相对人名称,统一社会信用代码,\"行政处罚\n决定书文号\",cf_cflb,罚款金额（万元）,处罚决定日期,经办人,\n" +
		"某公司,91350100M000100Y43,罚字1号,罚款,1.5,2024-03-01,张三,\n" +
		"Cafe\u0301,,罚字2号,警告,,2024-03-02,,\n"
	r, err := openBytes(t, "b.csv", []byte(data), opts())
	if err != nil {
		t.Fatal(err)
	}
	if r.Format() != FormatCSVUTF8BOM {
		t.Errorf("format %q", r.Format())
	}
	if got := r.Unknown(); !reflect.DeepEqual(got, []string{"经办人"}) {
		t.Errorf("unknown %v", got)
	}
	if got := r.Columns(); !reflect.DeepEqual(got, []string{"CF_XDR_MC", "CF_XDR_SHXYM", "CF_WSH", "CF_CFLB", "CF_NR_FK", "CF_JDRQ", ""}) {
		t.Errorf("columns %v", got)
	}
	res := drain(t, r)
	if len(res.errs) != 0 || len(res.rows) != 2 {
		t.Fatalf("rows %d errs %v", len(res.rows), res.errs)
	}
	// The header spans two physical lines; rows are still 2 and 3.
	if res.rows[0].Line != 2 || res.rows[1].Line != 3 {
		t.Errorf("lines %d %d", res.rows[0].Line, res.rows[1].Line)
	}
	if res.rows[0].Extra["经办人"] != "张三" || res.rows[1].Extra != nil {
		t.Errorf("extra %v %v", res.rows[0].Extra, res.rows[1].Extra)
	}
	if res.rows[1].Fields["CF_XDR_MC"] != "Café" {
		t.Errorf("NFC: %q", res.rows[1].Fields["CF_XDR_MC"])
	}
}

func gbk(t testing.TB, s string) []byte {
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCSVGBK(t *testing.T) {
	data := gbk(t, "行政相对人名称,行政处罚决定书文号,处罚类别,处罚决定日期\n福州某某贸易有限公司,榕市监罚〔2024〕12号,罚款,2024-03-01\n")
	r, err := openBytes(t, "gbk.csv", data, opts())
	if err != nil {
		t.Fatal(err)
	}
	if r.Format() != FormatCSVGBK {
		t.Errorf("format %q", r.Format())
	}
	res := drain(t, r)
	if len(res.rows) != 1 || res.rows[0].Fields["CF_XDR_MC"] != "福州某某贸易有限公司" || res.rows[0].Fields["CF_WSH"] != "榕市监罚〔2024〕12号" {
		t.Fatalf("%+v %v", res.rows, res.errs)
	}
}

func TestCSVGB18030(t *testing.T) {
	for _, name := range []string{"𠀀记商行", "王䶮"} {
		src := "行政相对人名称,行政处罚决定书文号,处罚类别,处罚决定日期\n" + name + ",罚字1号,罚款,2024-03-01\n"
		data, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		r, err := openBytes(t, "gb.csv", data, opts())
		if err != nil {
			t.Fatal(err)
		}
		if _, gbkErr := simplifiedchinese.GBK.NewEncoder().String(name); gbkErr != nil && r.Format() != FormatCSVGB18030 {
			t.Errorf("%s: format %q", name, r.Format())
		}
		res := drain(t, r)
		if len(res.rows) != 1 || res.rows[0].Fields["CF_XDR_MC"] != name {
			t.Fatalf("%s: %+v %v", name, res.rows, res.errs)
		}
	}
}

func TestCSVMissingRequired(t *testing.T) {
	_, err := openBytes(t, "m.csv", []byte("行政相对人名称,罚款金额\n某公司,1\n"), opts())
	wantCode(t, err, xinyong.EINVALID, "CF_WSH", "行政处罚决定书文号", "CF_CFLB", "CF_JDRQ", "第1行")
	if fe := xinyong.ErrorFields(err); len(fe) != 3 || fe[0].Rule != "header.required" {
		t.Errorf("fields %+v", fe)
	}
}

func TestCSVDuplicateHeader(t *testing.T) {
	_, err := openBytes(t, "d.csv", []byte(codeHeader[:len(codeHeader)-1]+",行政处罚决定书文号\n"), opts())
	wantCode(t, err, xinyong.EINVALID, "CF_WSH", "重复", "第C列", "第H列")
	_, err = openBytes(t, "d2.csv", []byte(codeHeader[:len(codeHeader)-1]+",经办人,经办人\n"), opts())
	wantCode(t, err, xinyong.EINVALID, "经办人")
}

func TestCSVUnitMismatch(t *testing.T) {
	_, err := openBytes(t, "u.csv", []byte("行政相对人名称,行政处罚决定书文号,处罚类别,处罚决定日期,罚款金额（元）\n"), opts())
	wantCode(t, err, xinyong.EINVALID, "万元", "header")
}

func TestCSVRagged(t *testing.T) {
	data := codeHeader +
		"甲,,罚1,罚款,,2024-03-01,\n" +
		"乙,,罚2,罚款,2024-03-01\n" + // short
		"丙,,罚3,罚款,,2024-03-01,,多余\n" + // extra non-blank cell
		"丁,,罚4,罚款,,2024-03-01,,,\n" + // extra blank cells: fine
		"戊,,罚5,罚款,,2024-03-01,\n"
	r, err := openBytes(t, "r.csv", []byte(data), opts())
	if err != nil {
		t.Fatal(err)
	}
	res := drain(t, r)
	if len(res.rows) != 3 || len(res.errs) != 2 {
		t.Fatalf("rows %d errs %v", len(res.rows), res.errs)
	}
	if e := res.errs[0]; e.Rule != "csv.ragged" || e.Line != 3 || !strings.Contains(e.Message, "5") || !strings.Contains(e.Message, "7") {
		t.Errorf("err0 %+v", e)
	}
	if e := res.errs[1]; e.Rule != "csv.ragged" || e.Line != 4 || e.Value != "多余" {
		t.Errorf("err1 %+v", e)
	}
	if res.rows[2].Line != 6 || res.rows[2].Fields["CF_WSH"] != "罚5" {
		t.Errorf("last row %+v", res.rows[2])
	}
}

func TestCSVBinaryAndEmpty(t *testing.T) {
	bin := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00")
	_, err := openBytes(t, "photo.csv", bin, opts())
	wantCode(t, err, xinyong.EINVALID, "binary")

	garbage := bytes.Repeat([]byte{0xFF, 0xFE, 0xFD, 0x80, 0x81}, 100)
	_, err = openBytes(t, "x.csv", append([]byte("a,b\n"), garbage...), opts())
	wantCode(t, err, xinyong.EINVALID, "binary")

	_, err = openBytes(t, "e.csv", nil, opts())
	wantCode(t, err, xinyong.EINVALID, "empty")
	_, err = OpenReader(strings.NewReader("\uFEFF"), opts())
	wantCode(t, err, xinyong.EINVALID, "empty")
	_, err = openBytes(t, "w.csv", []byte("\n\r\n ,, \n"), opts())
	wantCode(t, err, xinyong.EINVALID, "no header row")

	_, err = OpenReader(bytes.NewReader([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}), opts())
	wantCode(t, err, xinyong.EINVALID, "xls")
	_, err = OpenReader(bytes.NewReader([]byte("\xff\xfea\x00,\x00")), opts())
	wantCode(t, err, xinyong.EINVALID, "UTF-16")
}

func TestCSVInvalidBytesMidFile(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(codeHeader)
	for range 3000 { // push the bad row past the 64 KiB sample
		b.WriteString("某某有限公司,91350100M000100Y43,闽市监罚〔2024〕1号,罚款,0.2,2024-03-01,\n")
	}
	b.WriteString("坏\xff\xfe行,,罚X,罚款,,2024-03-01,\n")
	b.WriteString("好行,,罚Y,罚款,,2024-03-01,\n")
	if b.Len() < sampleSize {
		t.Fatal("test data too small")
	}
	r, err := OpenReader(&b, opts())
	if err != nil {
		t.Fatal(err)
	}
	res := drain(t, r)
	if len(res.errs) != 1 || len(res.rows) != 3001 {
		t.Fatalf("rows %d errs %v", len(res.rows), res.errs)
	}
	e := res.errs[0]
	if e.Rule != "encoding" || e.Line != 3002 || e.Column != "CF_XDR_MC" {
		t.Errorf("%+v", e)
	}
	if last := res.rows[len(res.rows)-1]; last.Line != 3003 || last.Fields["CF_XDR_MC"] != "好行" {
		t.Errorf("last %+v", last)
	}
}

func TestCSVGBKInvalidLater(t *testing.T) {
	var b bytes.Buffer
	b.Write(gbk(t, "行政相对人名称,行政处罚决定书文号,处罚类别,处罚决定日期\n"))
	for range 5000 {
		b.Write(gbk(t, "福州某某贸易有限公司,榕市监罚〔2024〕12号,罚款,2024-03-01\n"))
	}
	b.Write([]byte("\x81\x20bad,x,罚款,2024-03-01\n"))
	b.Write(gbk(t, "好,y,罚款,2024-03-01\n"))
	r, err := OpenReader(&b, opts())
	if err != nil {
		t.Fatal(err)
	}
	res := drain(t, r)
	if len(res.errs) != 1 || res.errs[0].Rule != "encoding" || res.errs[0].Line != 5002 || len(res.rows) != 5001 {
		t.Fatalf("rows %d errs %v", len(res.rows), res.errs)
	}
}

func TestCSVTabsTitleAndBlankLines(t *testing.T) {
	data := "行政处罚信息表\n\n" +
		"行政相对人名称\t行政处罚决定书文号\t处罚类别\t处罚决定日期\n" +
		"甲, 有限公司\t罚1\t罚款\t2024-03-01\n" +
		"\n\t\t\t\n" +
		"乙\t罚2\t罚款\t2024-03-02\n"
	r, err := openBytes(t, "t.tsv", []byte(data), opts())
	if err != nil {
		t.Fatal(err)
	}
	if r.HeaderLine() != 3 {
		t.Errorf("header line %d", r.HeaderLine())
	}
	res := drain(t, r)
	if len(res.errs) != 0 || len(res.rows) != 2 {
		t.Fatalf("rows %d errs %v", len(res.rows), res.errs)
	}
	if res.rows[0].Line != 4 || res.rows[0].Fields["CF_XDR_MC"] != "甲, 有限公司" || res.rows[1].Line != 7 {
		t.Errorf("%+v", res.rows)
	}
}

func TestCSVSyntax(t *testing.T) {
	data := codeHeader +
		"甲,,罚\"1,罚款,,2024-03-01,\n" + // bare quote
		"\"乙\n(两行)\",,罚2,罚款,,2024-03-01,\n" + // multi-line cell: one spreadsheet row
		"丙,,罚3,罚款,,2024-03-01,\n"
	r, err := openBytes(t, "s.csv", []byte(data), opts())
	if err != nil {
		t.Fatal(err)
	}
	res := drain(t, r)
	if len(res.errs) != 1 || res.errs[0].Rule != "csv.syntax" || res.errs[0].Line != 2 {
		t.Fatalf("errs %v", res.errs)
	}
	if len(res.rows) != 2 || res.rows[0].Line != 3 || res.rows[0].Fields["CF_XDR_MC"] != "乙\n(两行)" || res.rows[1].Line != 4 {
		t.Fatalf("rows %+v", res.rows)
	}

	// A quote left open swallows the rest of the file: file-level error.
	data = codeHeader + "甲,,罚1,罚款,,2024-03-01,\n" + "\"乙,,罚2,罚款,,2024-03-01,\n" + "丙,,罚3,罚款,,2024-03-01,\n"
	r, err = openBytes(t, "q.csv", []byte(data), opts())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	_, err = r.Next()
	wantCode(t, err, xinyong.EINVALID, "第3行", "引号")
	if _, err2 := r.Next(); err2 != err {
		t.Errorf("final error not sticky: %v", err2)
	}
}

func TestCSVLimits(t *testing.T) {
	data := []byte(codeHeader + strings.Repeat("甲,,罚1,罚款,,2024-03-01,\n", 10))
	_, err := openBytes(t, "big.csv", data, Options{Fields: penaltyFields, MaxBytes: 100})
	wantCode(t, err, xinyong.ETOOLARGE)

	big := []byte(codeHeader + strings.Repeat("甲,,罚1,罚款,,2024-03-01,\n", 5000))
	r, err := OpenReader(bytes.NewReader(big), Options{Fields: penaltyFields, MaxBytes: int64(len(big) - 10)})
	if err != nil {
		t.Fatal(err)
	}
	var last error
	for {
		if _, last = r.Next(); last != nil {
			break
		}
	}
	wantCode(t, last, xinyong.ETOOLARGE)

	r, err = openBytes(t, "rows.csv", data, Options{Fields: penaltyFields, MaxRows: 3})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		_, err := r.Next()
		if err != nil {
			wantCode(t, err, xinyong.ETOOLARGE, "3")
			break
		}
		n++
	}
	if n != 3 {
		t.Errorf("read %d rows before the limit", n)
	}

	// A "CSV" without line breaks is refused, not buffered whole.
	long := io.MultiReader(strings.NewReader("CF_XDR_MC,CF_WSH,CF_CFLB,CF_JDRQ\n"), &repeatReader{b: []byte("aaaaaaaa,")})
	r, err = OpenReader(long, Options{Fields: penaltyFields, MaxBytes: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Next()
	wantCode(t, err, xinyong.EINVALID, "16 MiB")
}

type repeatReader struct{ b []byte }

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		n += copy(p[n:], r.b)
	}
	return n, nil
}

func TestOpenPath(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.csv")
	if err := os.WriteFile(p, []byte(codeHeader+"甲,,罚1,罚款,,2024-03-01,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := OpenPath(p, opts())
	if err != nil {
		t.Fatal(err)
	}
	if res := drain(t, r); len(res.rows) != 1 {
		t.Fatal(res)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestRowErrorString(t *testing.T) {
	e := &RowError{Line: 7, Column: "CF_WSH", Rule: "csv.ragged", Message: "m"}
	if got := e.Error(); !strings.Contains(got, "7") || !strings.Contains(got, "CF_WSH") || !strings.Contains(got, "csv.ragged") {
		t.Error(got)
	}
	if fe := e.FieldError(); fe.Row != 7 || fe.Field != "CF_WSH" {
		t.Error(fe)
	}
}
