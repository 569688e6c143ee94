package server

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// Credit repair over HTTP (issue 7): the eligibility answer, applications
// with uploads, and the bad input of the issue — another subject's record,
// a duplicate, an executable renamed .pdf, a 1 GB upload, a forged inbound
// repair — each refused clearly with nothing changed.

var testPDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

type repairFixture struct {
	e             *testEnv
	dept          xinyong.Department
	off, offOther string
	org, other    string
	rec, theirs   string
	session       *http.Cookie
	csrf          string
}

func newRepairFixture(t *testing.T, adjust ...func(*Server)) *repairFixture {
	t.Helper()
	e := newEnv(t, adjust...)
	a := e.dept(t, "11620100MB0001AA", "兰州市市场监督管理局", "XZCF")
	b := e.dept(t, "11620100MB0002BB", "兰州市税务局", "XZCF")
	f := &repairFixture{e: e, dept: a, off: e.token(t, "officer", a.Code, ""), offOther: e.token(t, "officer", b.Code, ""),
		org: uscc(t, "91620100MA74QX3K"), other: uscc(t, "91620100MA74QX5M")}
	for _, s := range []struct {
		code, num string
		id        *string
	}{{f.org, "兰市监罚〔2025〕601号", &f.rec}, {f.other, "兰市监罚〔2025〕602号", &f.theirs}} {
		r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: f.off, Body: penaltyInput(t, s.code, "兰州某某商贸有限公司", s.num)})
		if r.Status != 201 {
			t.Fatalf("submit: %s", r)
		}
		var res workflow.SubmitResult
		r.json(t, &res)
		*s.id = res.Record.ID
	}
	if _, _, err := e.svc.CreateAccount(e.ctx, xinyong.System, workflow.AccountInput{Username: "qiye", Role: "subject", SubjectCode: f.org, Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	_, sess, secret, err := e.svc.Login(e.ctx, "qiye", "correct horse battery", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	f.session, f.csrf = &http.Cookie{Name: SessionCookie, Value: secret}, sess.CSRF
	return f
}

type formFile struct {
	name string
	body io.Reader
}

// multipartBody builds an application form.
func multipartBody(t testing.TB, fields map[string]string, files ...formFile) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="proof"; filename="`+f.name+`"`)
		h.Set("Content-Type", "application/pdf") // what the client claims: never trusted
		w, _ := mw.CreatePart(h)
		io.Copy(w, f.body)
	}
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

func repairFields(recordID string) map[string]string {
	return map[string]string{"record_id": recordID, "name": "张三", "contact": "13800000000", "correction": "罚款已缴清", "obligations_met": "1", "commitment": "1"}
}

func (f *repairFixture) apply(t *testing.T, fields map[string]string, files ...formFile) resp {
	t.Helper()
	body, ct := multipartBody(t, fields, files...)
	return f.e.do(t, req{Method: "POST", Path: "/api/v1/repairs?csrf=" + f.csrf, Type: ct, Body: body, Cookies: []*http.Cookie{f.session}})
}

func (f *repairFixture) nothingChanged(t *testing.T, what string) {
	t.Helper()
	var n int
	err := f.e.app.Store.View(f.e.ctx, func(tx xinyong.Tx) error {
		rs, err := tx.Repairs(xinyong.RepairFilter{})
		n = len(rs)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 || len(f.e.auditEvents(t, xinyong.AuditFilter{ObjectType: "repair"})) != 0 {
		t.Fatalf("%s: %d applications stored", what, n)
	}
}

func TestRepairHTTPBadInput(t *testing.T) {
	f := newRepairFixture(t, func(s *Server) { s.Svc.RepairFiles.MaxProof = 64 << 10 })
	e := f.e
	cookies := []*http.Cookie{f.session}

	// Eligibility.
	var el xinyong.Eligibility
	e.do(t, req{Path: "/api/v1/records/" + f.rec + "/repair-eligibility", Cookies: cookies}).json(t, &el)
	if !el.Eligible || !el.Free || !slices.Contains(el.Requirements, "commitment") {
		t.Fatalf("own record: %+v", el)
	}
	e.do(t, req{Path: "/api/v1/records/" + f.theirs + "/repair-eligibility", Cookies: cookies}).json(t, &el)
	if el.Eligible || el.Reasons[0].Rule != "repair.not_own" {
		t.Fatalf("another subject's record: %+v", el)
	}
	e.do(t, req{Path: "/api/v1/records/nope/repair-eligibility", Cookies: cookies}).problem(t, 404, xinyong.ENOTFOUND)

	// Another subject's record.
	p := f.apply(t, repairFields(f.theirs), formFile{"收据.pdf", bytes.NewReader(testPDF)}).problem(t, 403, xinyong.EFORBIDDEN)
	if !strings.Contains(p.Detail, "subject itself") {
		t.Errorf("another subject: %+v", p)
	}
	f.nothingChanged(t, "another subject's record")
	// The refused application keeps none of its files (a subject could
	// otherwise fill the disk with refused applications).
	refusedSum := sha256.Sum256(testPDF)
	if _, err := os.Stat(filepath.Join(e.svc.RepairFiles.FilesDir, hex.EncodeToString(refusedSum[:])[:2], hex.EncodeToString(refusedSum[:]))); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the refused application's file is kept: %v", err)
	}

	// An executable renamed .pdf.
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), bytes.Repeat([]byte{0}, 1000)...)
	p = f.apply(t, repairFields(f.rec), formFile{"缴款收据.pdf", bytes.NewReader(exe)}).problem(t, 415, xinyong.EUNSUPPORTED)
	if !p.hasField("proof", "repair.file_type") || !strings.Contains(p.Detail, "executable") {
		t.Errorf("exe renamed .pdf: %+v", p)
	}
	f.nothingChanged(t, "exe renamed .pdf")

	// A file over the limit (64 KiB here), streamed without a length.
	big := io.MultiReader(bytes.NewReader(testPDF), bytes.NewReader(make([]byte, 200<<10)))
	f.apply(t, repairFields(f.rec), formFile{"big.pdf", big}).problem(t, 413, xinyong.ETOOLARGE)
	f.nothingChanged(t, "oversized file")

	// A 1 GB upload is refused from its length, without reading it.
	var read atomic.Int64
	gb := int64(1 << 30)
	hr, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/repairs?csrf="+f.csrf, &countingZeros{n: gb, read: &read})
	hr.ContentLength = gb
	hr.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	hr.AddCookie(f.session)
	res, err := http.DefaultClient.Do(hr)
	if err == nil {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		checkProblem(t, res.StatusCode, res.Header, b, xinyong.ETOOLARGE)
		if res.StatusCode != 413 {
			t.Errorf("1 GB upload: %d", res.StatusCode)
		}
	}
	if n := read.Load(); n > 64<<20 {
		t.Errorf("the server read %d bytes of a 1 GB upload", n)
	}
	f.nothingChanged(t, "1 GB upload")

	// Missing commitment and proof: each reason named.
	fields := repairFields(f.rec)
	delete(fields, "commitment")
	p = f.apply(t, fields).problem(t, 400, xinyong.EINVALID)
	if !p.hasField("commitment", "repair.commitment") || !p.hasField("proof", "repair.proof") {
		t.Errorf("incomplete: %+v", p)
	}
	f.nothingChanged(t, "incomplete application")
	// A multipart form with a session but no CSRF token.
	body, ct := multipartBody(t, repairFields(f.rec), formFile{"收据.pdf", bytes.NewReader(testPDF)})
	e.do(t, req{Method: "POST", Path: "/api/v1/repairs", Type: ct, Body: body, Cookies: cookies}).problem(t, 403, xinyong.EFORBIDDEN)
	f.nothingChanged(t, "no CSRF token")

	// A good application, then a duplicate.
	r := f.apply(t, repairFields(f.rec), formFile{"收据.pdf", bytes.NewReader(testPDF)})
	if r.Status != 201 {
		t.Fatalf("apply: %s", r)
	}
	var rep xinyong.Repair
	r.json(t, &rep)
	if !xinyong.ValidProgressCode(rep.Code) || len(rep.Proofs) != 1 || rep.Proofs[0].Type != "application/pdf" {
		t.Fatalf("applied: %+v", rep)
	}
	p = f.apply(t, repairFields(f.rec), formFile{"收据.pdf", bytes.NewReader(testPDF)}).problem(t, 409, xinyong.ECONFLICT)
	if !p.hasField("target", "repair.duplicate") {
		t.Errorf("duplicate: %+v", p)
	}
	// No fee field anywhere (repair is free): look at the JSON keys, not
	// the bytes (hex digests and ids may spell "fee").
	var doc any
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatal(err)
	}
	if k := feeKey(doc); k != "" {
		t.Errorf("an application carries a fee field %q", k)
	}

	// Progress is public, with the code only.
	var pv xinyong.ProgressView
	e.do(t, req{Path: "/api/v1/repair-progress/" + rep.Code}).json(t, &pv)
	if pv.State != xinyong.RepairApplied || pv.DecideBy != rep.DecideBy {
		t.Errorf("progress: %+v", pv)
	}
	e.do(t, req{Path: "/api/v1/repair-progress/XF000000000000"}).problem(t, 404, xinyong.ENOTFOUND)
	e.do(t, req{Path: "/api/v1/repair-progress/nope"}).problem(t, 400, xinyong.EINVALID)

	// The material: the deciding department downloads it, another cannot.
	dl := e.do(t, req{Path: "/api/v1/repairs/" + rep.ID + "/proofs/" + rep.Proofs[0].SHA256, Token: f.off})
	if dl.Status != 200 || !bytes.Equal(dl.Body, testPDF) || dl.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("download: %d %q", dl.Status, dl.Header.Get("Content-Type"))
	}
	e.do(t, req{Path: "/api/v1/repairs/" + rep.ID + "/proofs/" + rep.Proofs[0].SHA256, Token: f.offOther}).problem(t, 404, xinyong.ENOTFOUND)
	// A material changed in the files directory behind the application's
	// back is refused, never served under its recorded hash.
	sum := rep.Proofs[0].SHA256
	path := filepath.Join(e.svc.RepairFiles.FilesDir, sum[:2], sum)
	if err := os.WriteFile(path, append(bytes.Clone(testPDF), "altered"...), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := e.do(t, req{Path: "/api/v1/repairs/" + rep.ID + "/proofs/" + sum, Token: f.off}); r.Status != 500 || bytes.Contains(r.Body, []byte("altered")) {
		t.Errorf("a tampered material: %d %q", r.Status, r.Body)
	}
	if err := os.WriteFile(path, testPDF, 0o600); err != nil {
		t.Fatal(err)
	}

	// Another department neither sees nor decides it.
	var q struct {
		Repairs []workflow.RepairView `json:"repairs"`
	}
	e.do(t, req{Path: "/api/v1/repairs", Token: f.offOther}).json(t, &q)
	if len(q.Repairs) != 0 {
		t.Errorf("another department's queue: %d", len(q.Repairs))
	}
	e.do(t, req{Method: "POST", Path: "/api/v1/repairs/" + rep.ID + "/accept", Token: f.offOther}).problem(t, 404, xinyong.ENOTFOUND)
	e.do(t, req{Path: "/api/v1/repairs", Token: f.off}).json(t, &q)
	if len(q.Repairs) != 1 || q.Repairs[0].DueStep != "accept" {
		t.Fatalf("queue: %+v", q.Repairs)
	}

	// The department accepts and approves; the record leaves the public API.
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/repairs/" + rep.ID + "/accept", Token: f.off}); r.Status != 200 {
		t.Fatalf("accept: %s", r)
	}
	e.do(t, req{Method: "POST", Path: "/api/v1/repairs/" + rep.ID + "/decide", Token: f.off, Body: xinyong.RepairDecisionInput{Approve: true, Treatment: "erase", Reasons: "x"}}).problem(t, 400, xinyong.EINVALID)
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/repairs/" + rep.ID + "/decide", Token: f.off, Body: xinyong.RepairDecisionInput{Approve: true, Treatment: xinyong.RepairEnded, Reasons: "符合修复条件"}}); r.Status != 200 {
		t.Fatalf("decide: %s", r)
	}
	var prof workflow.SubjectProfile
	e.do(t, req{Path: "/api/v1/subjects/" + f.org}).json(t, &prof)
	for _, rv := range prof.Records {
		if rv.ID == f.rec {
			t.Error("the public API still shows the repaired record")
		}
	}
	if page := e.do(t, req{Path: "/subjects/" + f.org + "?tab=penalty"}); strings.Contains(string(page.Body), "兰市监罚〔2025〕601号") {
		t.Error("the public page still shows the repaired record")
	}
	e.do(t, req{Path: "/api/v1/subjects/" + f.org, Cookies: cookies}).json(t, &prof)
	marked := false
	for _, rv := range prof.Records {
		if rv.ID == f.rec && slices.Contains(rv.Marks, xinyong.MarkRepaired) {
			marked = true
		}
	}
	if !marked {
		t.Error("the subject's own view does not mark the record 已修复")
	}
}

// countingZeros yields n zero bytes and counts what was read.
type countingZeros struct {
	n    int64
	read *atomic.Int64
}

func (c *countingZeros) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), c.n)
	clear(p[:k])
	c.n -= k
	c.read.Add(k)
	return int(k), nil
}

func TestInboundRepairHTTP(t *testing.T) {
	f := newRepairFixture(t)
	e := f.e
	pub, priv, _ := ed25519.GenerateKey(nil)
	e.do(t, req{Method: "POST", Path: "/api/v1/peers", Token: f.off, Body: workflow.PeerInput{Name: "shaanxi", Key: base64.StdEncoding.EncodeToString(pub)}}).problem(t, 403, xinyong.EFORBIDDEN)
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/peers", Token: e.admin, Body: workflow.PeerInput{Name: "shaanxi", Key: base64.StdEncoding.EncodeToString(pub)}}); r.Status != 201 {
		t.Fatalf("add peer: %s", r)
	}
	body, _ := json.Marshal(xinyong.InboundRepair{DecisionID: "sx-1", DepartmentCode: f.dept.Code, Kind: "penalty", DecisionNumber: "兰市监罚〔2025〕601号",
		Treatment: xinyong.RepairShielded, DecidedOn: xinyong.MustDate("2026-01-05"), Reasons: "准予修复"})
	send := func(b []byte, sig string) resp {
		return e.do(t, req{Method: "POST", Path: "/api/v1/inbound/repairs", Type: "application/json", Body: b,
			Header: map[string]string{workflow.HeaderPeer: "shaanxi", workflow.HeaderSignature: sig}})
	}
	size := e.ledgerSize(t)
	_, forger, _ := ed25519.GenerateKey(nil)
	send(body, workflow.SignInbound(forger, body)).problem(t, 401, xinyong.EUNAUTHORIZED)
	altered := bytes.Replace(body, []byte("shielded"), []byte("deleted"), 1)
	send(altered, workflow.SignInbound(priv, body)).problem(t, 401, xinyong.EUNAUTHORIZED)
	send(body, "").problem(t, 401, xinyong.EUNAUTHORIZED)
	if e.ledgerSize(t) != size {
		t.Fatal("a refused inbound repair changed the ledger")
	}
	f.nothingChanged(t, "forged inbound repair")
	if r := send(body, workflow.SignInbound(priv, body)); r.Status != 201 {
		t.Fatalf("inbound: %s", r)
	}
	if r := send(body, workflow.SignInbound(priv, body)); r.Status != 200 {
		t.Fatalf("inbound again: %s", r)
	}
	var prof workflow.SubjectProfile
	e.do(t, req{Path: "/api/v1/subjects/" + f.org}).json(t, &prof)
	for _, rv := range prof.Records {
		if rv.ID == f.rec {
			t.Error("the inbound repair did not end publication")
		}
	}
}

func TestRepairPages(t *testing.T) {
	f := newRepairFixture(t)
	e := f.e
	cookies := []*http.Cookie{f.session}
	// The portal's entry point links the form with the record.
	page := e.do(t, req{Path: "/subjects/" + f.org + "?tab=penalty"})
	if !strings.Contains(string(page.Body), "/repairs/new?record="+f.rec) {
		t.Fatal("the subject page does not link the repair form")
	}
	// Not signed in: the form asks to sign in.
	if r := e.do(t, req{Path: "/repairs/new?record=" + f.rec}); r.Status != 200 || !strings.Contains(string(r.Body), "/login") {
		t.Errorf("form for the public: %d", r.Status)
	}
	r := e.do(t, req{Path: "/repairs/new?record=" + f.rec, Cookies: cookies})
	if r.Status != 200 || !strings.Contains(string(r.Body), "符合申请条件") || !strings.Contains(string(r.Body), "信用修复承诺书") || !strings.Contains(string(r.Body), "csrf="+f.csrf) {
		t.Fatalf("form: %d %s", r.Status, r.Body)
	}
	r = e.do(t, req{Path: "/repairs/new?record=" + f.theirs, Cookies: cookies})
	if !strings.Contains(string(r.Body), "repair.not_own") || strings.Contains(string(r.Body), `id="repair-form"`) {
		t.Errorf("another subject's record offers the form")
	}
	if r := e.do(t, req{Path: "/repairs/commitment?record=" + f.rec, Cookies: cookies}); r.Status != 200 || !strings.Contains(string(r.Body), "不收取任何费用") {
		t.Errorf("commitment page: %d", r.Status)
	}
	body, ct := multipartBody(t, repairFields(f.rec), formFile{"收据.pdf", bytes.NewReader(testPDF)})
	r = e.do(t, req{Method: "POST", Path: "/repairs?csrf=" + f.csrf, Type: ct, Body: body, Cookies: cookies})
	if r.Status != 201 || !strings.Contains(string(r.Body), `id="progress-code"`) {
		t.Fatalf("submit: %d %s", r.Status, r.Body)
	}
	i := strings.Index(string(r.Body), `id="progress-code">`)
	code := string(r.Body[i+len(`id="progress-code">`) : i+len(`id="progress-code">`)+14])
	if r := e.do(t, req{Path: "/repairs/progress?code=" + code}); r.Status != 200 || !strings.Contains(string(r.Body), `data-state="applied"`) {
		t.Errorf("progress page: %d", r.Status)
	}
	if r := e.do(t, req{Path: "/repairs/progress?code=XF000000000000"}); r.Status != 404 {
		t.Errorf("unknown code page: %d", r.Status)
	}
}

// feeKey returns the first object key in v that names a fee or charge.
func feeKey(v any) string {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if l := strings.ToLower(k); strings.Contains(l, "fee") || strings.Contains(l, "charge") || strings.Contains(l, "price") {
				return k
			}
			if k := feeKey(x); k != "" {
				return k
			}
		}
	case []any:
		for _, x := range v {
			if k := feeKey(x); k != "" {
				return k
			}
		}
	}
	return ""
}
