package server

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"mime/multipart"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"xinyong"
)

// penaltyColumns are the 双公示 penalty columns the tests' files carry, by
// code and by Chinese label.
var penaltyColumns = [][2]string{
	{"CF_XDR_MC", "行政相对人名称"}, {"CF_XDR_LB", "行政相对人类别"}, {"CF_XDR_SHXYM", "统一社会信用代码"}, {"CF_WSH", "行政处罚决定书文号"},
	{"CF_WFXW", "违法行为类型"}, {"CF_SY", "违法事实"}, {"CF_YJ", "处罚依据"}, {"CF_CFLB", "处罚类别"}, {"CF_NR", "处罚内容"},
	{"CF_NR_FK", "罚款金额（万元）"}, {"CF_JDRQ", "处罚决定日期"}, {"CF_CFJG", "处罚机关"}, {"CF_CFJGDM", "处罚机关统一社会信用代码"},
	{"CF_SJLY", "数据来源单位"}, {"CF_SJLYDM", "数据来源单位统一社会信用代码"},
}

// penaltyRow is a good row: subject code, decision number, fine, date.
func penaltyRow(t *testing.T, code, number, fine, date string) []string {
	org := uscc(t, "11620100MB000001")
	return []string{"兰州某某商贸有限公司", "法人及非法人组织", code, number, "虚假宣传", "发布虚假广告", "《广告法》第五十五条", "罚款", "罚款" + fine + "万元", fine, date, "兰州市市场监督管理局", org, "兰州市市场监督管理局", org}
}

func csvBytes(t *testing.T, header []string, rows [][]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(header)
	for _, r := range rows {
		w.Write(r)
	}
	w.Flush()
	return b.Bytes()
}

func header(labels bool) []string {
	var h []string
	for _, c := range penaltyColumns {
		if labels {
			h = append(h, c[1])
		} else {
			h = append(h, c[0])
		}
	}
	return h
}

// upload posts a multipart import.
func (e *testEnv) upload(t *testing.T, token string, fields map[string]string, name string, data []byte) resp {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if name != "" {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	return e.do(t, req{Method: "POST", Path: "/api/v1/imports", Token: token, Type: mw.FormDataContentType(), Body: b.Bytes()})
}

// importAndWait uploads, waits for the background job and returns it.
func (e *testEnv) importAndWait(t *testing.T, token, name string, data []byte) xinyong.Import {
	t.Helper()
	r := e.upload(t, token, map[string]string{"kind": "penalty"}, name, data)
	if r.Status != 202 {
		t.Fatalf("upload: %s", r)
	}
	var j xinyong.Import
	r.json(t, &j)
	if loc := r.Header.Get("Location"); loc != "/api/v1/imports/"+j.ID {
		t.Errorf("Location %q", loc)
	}
	e.srv.jobs.Wait() // the background job
	e.do(t, req{Path: "/api/v1/imports/" + j.ID, Token: token}).json(t, &j)
	return j
}

type errorRow struct{ row, column, value, rule, message string }

func (e *testEnv) importErrors(t *testing.T, token, id string) []errorRow {
	t.Helper()
	r := e.do(t, req{Path: "/api/v1/imports/" + id + "/errors.csv", Token: token})
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("errors.csv: %s", r)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.Body, []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil {
		t.Fatalf("errors.csv is not CSV: %v", err)
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != "row,column,value,rule,message" {
		t.Fatalf("errors.csv header: %v", recs)
	}
	var out []errorRow
	for _, r := range recs[1:] {
		out = append(out, errorRow{r[0], r[1], r[2], r[3], r[4]})
	}
	return out
}

func findError(errs []errorRow, row, column, rule string) bool {
	for _, e := range errs {
		if e.row == row && (column == "" || e.column == column) && strings.HasPrefix(e.rule, rule) && e.message != "" {
			return true
		}
	}
	return false
}

// TestImportCSV: a UTF-8 file with CF_* headers and a GBK file with Chinese
// labels, each with good rows and the bad rows the issue lists.
func TestImportCSV(t *testing.T) {
	e := newEnv(t)
	d := e.dept(t, "11620000MB192104", "甘肃省市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	s1, s2, s3 := uscc(t, "91620100MA000001"), uscc(t, "91620100MA000002"), uscc(t, "91620100MA000003")

	for _, c := range []struct {
		name   string
		labels bool
		encode func([]byte) []byte
		format string
	}{
		{"utf8-codes", false, func(b []byte) []byte { return b }, "csv-utf8"},
		{"gbk-labels", true, func(b []byte) []byte {
			g, err := simplifiedchinese.GBK.NewEncoder().Bytes(b)
			if err != nil {
				t.Fatal(err)
			}
			return g
		}, "csv-gbk"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := c.name + "-"
			good1 := penaltyRow(t, s1, p+"罚1号", "2", "2025-03-03")
			good2 := penaltyRow(t, s2, p+"罚2号", "0.5", "2025/03/04")
			ragged := penaltyRow(t, s3, p+"罚3号", "1", "2025-03-05")[:6]
			badDate := penaltyRow(t, s3, p+"罚4号", "1", "2025-02-30")
			badFine := penaltyRow(t, s3, p+"罚5号", "两万", "2025-03-05")
			dup := penaltyRow(t, s3, p+"罚1号", "9", "2025-03-06")
			badCode := penaltyRow(t, s1[:17]+"0", p+"罚6号", "1", "2025-03-05")
			if badCode[2] == s1 {
				badCode[2] = s1[:17] + "1"
			}
			future := penaltyRow(t, s3, p+"罚7号", "1", "2999-01-01")
			data := c.encode(csvBytes(t, header(c.labels), [][]string{good1, good2, ragged, badDate, badFine, dup, badCode, future}))
			before := len(e.storedRecords(t, d.ID))
			j := e.importAndWait(t, off, c.name+".csv", data)
			if j.Status != "done" || j.Format != c.format {
				t.Fatalf("job: %+v", j)
			}
			if j.Rows != 8 || j.Accepted != 2 || j.Rejected != 6 {
				t.Errorf("counts: rows %d accepted %d rejected %d", j.Rows, j.Accepted, j.Rejected)
			}
			errs := e.importErrors(t, off, j.ID)
			for _, want := range []struct{ row, column, rule string }{
				{"4", "", "csv.ragged"},
				{"5", "CF_JDRQ", ""},
				{"6", "CF_NR_FK", "field.amount"},
				{"7", "CF_WSH", "row.duplicate"},
				{"8", "CF_XDR_SHXYM", "uscc"},
				{"9", "CF_JDRQ", "record.decision_date"},
			} {
				if !findError(errs, want.row, want.column, want.rule) {
					t.Errorf("no error row %s column %s rule %s in %v", want.row, want.column, want.rule, errs)
				}
			}
			for _, er := range errs {
				if er.row == "2" || er.row == "3" {
					t.Errorf("a good row has an error: %v", er)
				}
			}
			if !findError(errs, "6", "CF_NR_FK", "") || !strings.Contains(fmt.Sprint(errs), "两万") {
				t.Errorf("the bad value is not echoed: %v", errs)
			}
			// Exactly the good rows are stored, linked to the import.
			var list struct {
				Records []xinyong.Record `json:"records"`
			}
			e.do(t, req{Path: "/api/v1/records?import_id=" + j.ID, Token: off}).json(t, &list)
			if len(list.Records) != 2 {
				t.Fatalf("%d records from the import, want 2", len(list.Records))
			}
			for _, r := range list.Records {
				if r.SubjectName != "兰州某某商贸有限公司" || r.Fields["CF_WFXW"] != "虚假宣传" {
					t.Errorf("the text was not decoded right: %+v", r)
				}
			}
			if got := len(e.storedRecords(t, d.ID)); got != before+2 {
				t.Errorf("%d records stored, want %d", got, before+2)
			}
		})
	}

	// The same file again: every row unchanged, nothing new.
	data := csvBytes(t, header(false), [][]string{penaltyRow(t, s1, "utf8-codes-罚1号", "2", "2025-03-03")})
	size := e.ledgerSize(t)
	j := e.importAndWait(t, off, "again.csv", data)
	if j.Status != "done" || j.Accepted != 1 || j.Unchanged != 1 || j.Rejected != 0 {
		t.Errorf("re-import: %+v", j)
	}
	if n := e.ledgerSize(t) - size; n > 4 {
		t.Errorf("re-importing an unchanged row appended %d leaves (only job audit expected)", n)
	}
}

// TestImportRefusals: file-level problems are clear refusals, and nothing
// is stored.
func TestImportRefusals(t *testing.T) {
	e := newEnv(t)
	d := e.dept(t, "11620000MB192104", "甘肃省市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	good := csvBytes(t, header(false), [][]string{penaltyRow(t, uscc(t, "91620100MA000001"), "罚1号", "2", "2025-03-03")})

	// Refused at upload.
	e.do(t, req{Method: "POST", Path: "/api/v1/imports", Token: off, Type: "application/json", Body: `{"kind":"penalty"}`}).problem(t, 415, "unsupported_media_type")
	e.do(t, req{Method: "POST", Path: "/api/v1/imports", Token: off, Type: "text/csv", Body: good}).problem(t, 415, "unsupported_media_type")
	e.upload(t, "", map[string]string{"kind": "penalty"}, "a.csv", good).problem(t, 401, "unauthorized")
	if p := e.upload(t, off, map[string]string{"kind": "penalty"}, "", nil).problem(t, 400, "invalid"); !p.hasField("file", "required") {
		t.Errorf("no file: %+v", p)
	}
	if p := e.upload(t, off, map[string]string{"kind": "weather"}, "a.csv", good).problem(t, 400, "invalid"); !p.hasField("kind", "") {
		t.Errorf("bad kind: %+v", p)
	}
	if p := e.upload(t, off, map[string]string{"kind": "penalty", "severity": "apocalyptic"}, "a.csv", good).problem(t, 400, "invalid"); !p.hasField("severity", "") {
		t.Errorf("bad severity: %+v", p)
	}
	e.do(t, req{Method: "POST", Path: "/api/v1/imports", Token: off, Type: "multipart/form-data; boundary=xyz", Body: "--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nCF_WSH\r\n"}).problem(t, 400, "invalid")
	other := e.dept(t, "11620000MB192200", "甘肃省生态环境厅", "XZCF")
	e.upload(t, off, map[string]string{"kind": "penalty", "department": other.Code}, "a.csv", good).problem(t, 403, "forbidden")

	// Refused when read: the job fails with a message saying why.
	binary := append([]byte("CF_WSH,CF_JDRQ\n"), bytes.Repeat([]byte{0, 1, 2, 0xff, 0xfe, 0x7f, 0, 0}, 512)...)
	missing := csvBytes(t, []string{"CF_XDR_MC", "CF_WSH", "CF_JDRQ"}, [][]string{{"甲", "罚1号", "2025-03-03"}})
	for _, c := range []struct {
		name, file string
		data       []byte
		says       []string
	}{
		{"binary named .csv", "data.csv", binary, []string{"binary"}},
		{"missing required columns", "short.csv", missing, []string{"CF_CFLB", "CF_SJLY"}},
		{"empty file", "empty.csv", nil, nil},
		{"old Excel file", "old.csv", append([]byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}, make([]byte, 600)...), nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.upload(t, off, map[string]string{"kind": "penalty"}, c.file, c.data)
			var msg string
			switch r.Status {
			case 202:
				var j xinyong.Import
				r.json(t, &j)
				e.srv.jobs.Wait()
				e.do(t, req{Path: "/api/v1/imports/" + j.ID, Token: off}).json(t, &j)
				if j.Status != "failed" || j.Accepted != 0 {
					t.Fatalf("job: %+v", j)
				}
				msg = j.Message
			case 400:
				msg = r.problem(t, 400, "invalid").Detail
			default:
				t.Fatalf("%s", r)
			}
			for _, s := range c.says {
				if !strings.Contains(strings.ToLower(msg), strings.ToLower(s)) {
					t.Errorf("message %q does not say %q", msg, s)
				}
			}
			if msg == "" {
				t.Error("no message")
			}
		})
	}
	if n := len(e.storedRecords(t, d.ID)); n != 0 {
		t.Fatalf("refused imports stored %d records", n)
	}

	// Another department's officer cannot see the job.
	j := e.importAndWait(t, off, "ok.csv", good)
	offOther := e.token(t, "officer", other.Code, "")
	e.do(t, req{Path: "/api/v1/imports/" + j.ID, Token: offOther}).problem(t, 404, "not_found")
	e.do(t, req{Path: "/api/v1/imports/" + j.ID + "/errors.csv", Token: offOther}).problem(t, 404, "not_found")
	e.alive(t)
}

// TestImportUploadLimit: a file above MaxUpload is refused with 413.
func TestImportUploadLimit(t *testing.T) {
	e := newEnv(t, func(s *Server) { s.MaxUpload = 1024 })
	d := e.dept(t, "11620000MB192104", "甘肃省市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	rows := make([][]string, 40)
	for i := range rows {
		rows[i] = penaltyRow(t, uscc(t, "91620100MA000001"), fmt.Sprintf("罚%d号", i), "1", "2025-03-03")
	}
	e.upload(t, off, map[string]string{"kind": "penalty"}, "big.csv", csvBytes(t, header(false), rows)).problem(t, 413, "too_large")
	if n := len(e.storedRecords(t, d.ID)); n != 0 {
		t.Fatalf("stored %d records", n)
	}
	e.alive(t)
}

// TestImportPersonErrors: an error about a natural person's ID number
// names the column that held it, and never echoes the clear number.
func TestImportPersonErrors(t *testing.T) {
	e := newEnv(t)
	d := e.dept(t, "11620000MB192104", "甘肃省市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	minor := citizenID(t, "62010220100101789") // born 2010-01-01: 15 on the decision date
	h := append(header(false), "CF_XDR_ZJHM")
	inZJHM := append(penaltyRow(t, "", "罚1号", "1", "2025-03-03"), minor)
	inSHXYM := append(penaltyRow(t, minor, "罚2号", "1", "2025-03-03"), "")
	j := e.importAndWait(t, off, "persons.csv", csvBytes(t, h, [][]string{inZJHM, inSHXYM}))
	if j.Status != "done" || j.Rejected != 2 {
		t.Fatalf("job: %+v", j)
	}
	errs := e.importErrors(t, off, j.ID)
	if !findError(errs, "2", "CF_XDR_ZJHM", "minor.flag") || !findError(errs, "3", "CF_XDR_SHXYM", "minor.flag") {
		t.Errorf("the minor errors do not name the column of the ID number: %v", errs)
	}
	if strings.Contains(fmt.Sprint(errs), minor) {
		t.Errorf("errors.csv carries the clear ID number: %v", errs)
	}
}

// TestUploadDirAbsolute: the upload directory is made absolute at start,
// so that a job's stored file path does not depend on the directory the
// server (or a later `xinyong import --resume`) was started from.
func TestUploadDirAbsolute(t *testing.T) {
	e := newEnv(t)
	srv := New(e.svc, e.srv.Log)
	t.Chdir(t.TempDir())
	srv.UploadDir = "relative-uploads"
	if err := srv.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	if !filepath.IsAbs(srv.UploadDir) || filepath.Base(srv.UploadDir) != "relative-uploads" {
		t.Errorf("UploadDir %q after Start", srv.UploadDir)
	}
}
