package bench

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the raw-insert baseline writes a scratch SQLite file

	"xinyong"
	"xinyong/internal/gen"
	"xinyong/internal/intake"
	"xinyong/internal/sqlstore"
	"xinyong/internal/workflow"
)

// Scenarios are the names `xinyong bench --scenario` accepts.
var Scenarios = []string{"import", "profile", "search", "check", "page", "grade"}

// CheckURL refuses to load anything but this machine's loopback address.
func CheckURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("--url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("--url %q: use http://127.0.0.1:PORT", raw)
	}
	if u.Hostname() != "127.0.0.1" {
		return nil, fmt.Errorf("--url %q: benchmarks load only 127.0.0.1 (this machine), never another host", raw)
	}
	return u, nil
}

// DataSize counts the records and subjects of a store (SQL stores only):
// the count GET /api/v1/stats answers over HTTP (DataSizeHTTP).
func DataSize(ctx context.Context, st xinyong.Store) (records, subjects int64, err error) {
	db, ok := st.(*sqlstore.DB)
	if !ok {
		return 0, 0, fmt.Errorf("cannot count the rows of a %T", st)
	}
	return db.Size(ctx)
}

// DataSizeText is the "data size" of a run as it is printed and recorded.
func DataSizeText(records, subjects int64, dialect string) string {
	return fmt.Sprintf("%d records, %d subjects (%s)", records, subjects, dialect)
}

// StatsPath is the server's route that answers its data size.
const StatsPath = "/api/v1/stats"

// DataSizeHTTP asks a running server for its data size (GET /api/v1/stats,
// with the client's token) and returns it as DataSizeText does in process.
// When the server does not answer it (a token that may not read it, such
// as an agency's, or no token; a server without the route), the size is
// "unknown (over HTTP)" with the reason.
func DataSizeHTTP(ctx context.Context, c *Client) string {
	req, err := http.NewRequestWithContext(ctx, "GET", strings.TrimSuffix(c.Base.String(), "/")+StatsPath, nil)
	if err != nil {
		return "unknown (over HTTP): " + err.Error()
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return "unknown (over HTTP): GET " + StatsPath + ": " + err.Error()
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "unknown (over HTTP): GET " + StatsPath + ": " + err.Error()
	}
	if resp.StatusCode != http.StatusOK {
		why := strings.TrimSpace(string(body))
		var p struct {
			Detail string `json:"detail"`
		}
		if json.Unmarshal(body, &p) == nil && p.Detail != "" {
			why = p.Detail
		}
		return fmt.Sprintf("unknown (over HTTP): GET %s refused: %s: %.200s", StatsPath, resp.Status, why)
	}
	var sz struct {
		Records  *int64 `json:"records"`
		Subjects *int64 `json:"subjects"`
		Dialect  string `json:"dialect"`
	}
	if err := json.Unmarshal(body, &sz); err != nil || sz.Records == nil || sz.Subjects == nil {
		return fmt.Sprintf("unknown (over HTTP): GET %s answered no counts: %.200s", StatsPath, body)
	}
	return DataSizeText(*sz.Records, *sz.Subjects, sz.Dialect)
}

// ImportResult is the outcome of the import scenario.
type ImportResult struct {
	Rows, Accepted, Rejected int
	FileBytes                int64
	Seconds                  float64 // end to end: CreateImport + RunImport
	RawSeconds               float64 // the same rows parsed and inserted into a plain table
	Department               string
	Status                   string
}

// Rate is end-to-end rows per second.
func (r ImportResult) Rate() float64 { return float64(r.Rows) / max(r.Seconds, 1e-9) }

// RawRate is the raw insert rate.
func (r ImportResult) RawRate() float64 { return float64(r.Rows) / max(r.RawSeconds, 1e-9) }

// Ratio is end-to-end rate over raw rate.
func (r ImportResult) Ratio() float64 { return r.Rate() / max(r.RawRate(), 1e-9) }

// Summary is a one-line summary.
func (r ImportResult) Summary() string {
	return fmt.Sprintf("import %s: %d rows (%d accepted, %d rejected, %.1f MB) in %.1fs = %.0f rows/s end to end; raw insert of the same rows %.0f rows/s; ratio %.3f",
		r.Status, r.Rows, r.Accepted, r.Rejected, float64(r.FileBytes)/1e6, r.Seconds, r.Rate(), r.RawRate(), r.Ratio())
}

// Import generates a penalty CSV of rows rows for one department in dir,
// imports it through the real path (Service.CreateImport + RunImport:
// validation, rules, ledger, audit), then inserts the same rows into a
// plain table of a scratch SQLite file in dir (parsing included, no
// validation, no ledger) for comparison; on PostgreSQL the same rows are
// copied into a plain table of the store's own database (RawCopy). Document numbers carry a run tag,
// so each run adds new records.
func Import(ctx context.Context, svc *workflow.Service, actor xinyong.Actor, rows int, seed uint64, dir string) (ImportResult, error) {
	var res ImportResult
	today := xinyong.DateOf(svc.Now())
	tag := strconv.FormatInt(time.Now().UnixNano()%1e9, 36) + "-"
	g, err := gen.New(gen.Config{Seed: seed, Subjects: max(rows/4, 100), Records: rows, Today: today, PenaltyOnly: true, Dept: 0, NumberPrefix: tag})
	if err != nil {
		return res, err
	}
	d := g.Departments()[0]
	res.Department = d.Code
	if _, err := svc.FindDepartment(ctx, d.Code); err != nil {
		if _, err := svc.CreateDepartment(ctx, actor, workflow.DepartmentInput{Code: d.Code, Name: d.Name, Provides: []string{"行政许可", "行政处罚"}}); err != nil {
			return res, fmt.Errorf("department %s: %w", d.Code, err)
		}
	}
	out := filepath.Join(dir, "files")
	if _, err := gen.WriteFiles(g, gen.OutOptions{Dir: out, Format: gen.FormatCSV}); err != nil {
		return res, err
	}
	path := filepath.Join(out, gen.FileName(d, "penalty", gen.FormatCSV))
	st, err := os.Stat(path)
	if err != nil {
		return res, err
	}
	res.FileBytes = st.Size()
	start := time.Now()
	j, err := svc.CreateImport(ctx, actor, workflow.ImportRequest{Department: d.Code, Kind: "penalty", Path: path, KeepFile: true})
	if err != nil {
		return res, err
	}
	j, err = svc.RunImport(ctx, actor, j.ID, false, nil)
	res.Seconds = time.Since(start).Seconds()
	if err != nil {
		return res, err
	}
	res.Rows, res.Accepted, res.Rejected, res.Status = j.Rows, j.Accepted, j.Rejected, j.Status
	fields, err := gen.Columns("penalty")
	if err != nil {
		return res, err
	}
	rawStart := time.Now()
	var n int
	if db, ok := svc.Store.(*sqlstore.DB); ok && db.Dialect() == "postgres" {
		n, err = RawCopy(ctx, db, path, fields) // COPY into an unindexed table of the same database
	} else {
		n, err = RawInsert(ctx, path, filepath.Join(dir, "raw.db"), fields)
	}
	res.RawSeconds = time.Since(rawStart).Seconds()
	if err != nil {
		return res, fmt.Errorf("raw insert: %w", err)
	}
	if n != res.Rows {
		return res, fmt.Errorf("raw insert read %d rows, the import %d", n, res.Rows)
	}
	return res, nil
}

// RawInsert reads a 双公示 file with the import's reader and inserts every
// row into a plain table (one TEXT column per field, no index, no
// validation, no ledger) of a new SQLite file at dbPath, 2000 rows per
// transaction with the store's pragmas. It returns the number of rows.
func RawInsert(ctx context.Context, file, dbPath string, fields []xinyong.FieldSpec) (int, error) {
	rd, err := intake.OpenPath(file, intake.Options{Fields: fields})
	if err != nil {
		return 0, err
	}
	defer rd.Close()
	db, err := sql.Open("sqlite", "file:"+dbPath+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	cols := make([]string, len(fields))
	marks := make([]string, len(fields))
	for i, f := range fields {
		cols[i], marks[i] = f.Code+" TEXT", "?"
	}
	if _, err := db.ExecContext(ctx, "CREATE TABLE raw (line INTEGER, "+strings.Join(cols, ", ")+")"); err != nil {
		return 0, err
	}
	q := "INSERT INTO raw VALUES (?, " + strings.Join(marks, ", ") + ")"
	n := 0
	args := make([]any, len(fields)+1)
	for done := false; !done; {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return n, err
		}
		stmt, err := tx.PrepareContext(ctx, q)
		if err != nil {
			tx.Rollback()
			return n, err
		}
		for k := 0; k < workflow.ImportBatchSize; k++ {
			row, err := rd.Next()
			if err == io.EOF {
				done = true
				break
			}
			if err != nil && row.Fields == nil {
				tx.Rollback()
				return n, err
			}
			args[0] = row.Line
			for i, f := range fields {
				args[i+1] = row.Fields[f.Code]
			}
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				tx.Rollback()
				return n, err
			}
			n++
		}
		stmt.Close()
		if err := tx.Commit(); err != nil {
			return n, err
		}
	}
	return n, nil
}

// ---- profile ----

// SubjectIDs returns the store ids of the subjects with the given codes
// (USCCs or citizen ID numbers), skipping unknown ones.
func SubjectIDs(ctx context.Context, svc *workflow.Service, codes []string) ([]string, error) {
	var ids []string
	err := svc.Store.View(ctx, func(tx xinyong.Tx) error {
		for _, c := range codes {
			s, err := tx.SubjectByKey(svc.SubjectKey(c))
			if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
				continue
			}
			if err != nil {
				return err
			}
			ids = append(ids, s.ID)
		}
		return nil
	})
	return ids, err
}

// SampleSubjectIDs returns the distinct subject ids of up to pages×1000
// records the actor may read.
func SampleSubjectIDs(ctx context.Context, svc *workflow.Service, actor xinyong.Actor, pages int) ([]string, error) {
	seen := map[string]bool{}
	var ids []string
	after := ""
	for p := 0; p < pages; p++ {
		rs, err := svc.Records(ctx, actor, xinyong.RecordFilter{Limit: 1000, AfterID: after})
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if !seen[r.SubjectID] {
				seen[r.SubjectID] = true
				ids = append(ids, r.SubjectID)
			}
		}
		if len(rs) < 1000 {
			break
		}
		after = rs[len(rs)-1].ID
	}
	return ids, nil
}

// ProfileInProcess returns the profile request as a service call: one
// subject's records as the actor sees them.
func ProfileInProcess(svc *workflow.Service, actor xinyong.Actor, ids []string) Op {
	return func(ctx context.Context, rng *rand.Rand) error {
		_, err := svc.Records(ctx, actor, xinyong.RecordFilter{SubjectID: ids[rng.IntN(len(ids))], Limit: 100})
		return err
	}
}

// Client calls the HTTP API of a server on 127.0.0.1 with a token (none:
// the public's view).
type Client struct {
	Base  *url.URL
	Token string
	HTTP  *http.Client
}

// NewClient returns a client keeping up to conns connections alive.
func NewClient(base *url.URL, token string, conns int) *Client {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, IdleConnTimeout: time.Minute}
	// A redirect is answered as it is, never followed: load goes to the
	// checked 127.0.0.1 address only.
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{Base: base, Token: token, HTTP: &http.Client{Transport: tr, Timeout: 30 * time.Second, CheckRedirect: noRedirect}}
}

// Get GETs path (with query) and decodes a JSON answer into v (nil: drain).
func (c *Client) Get(ctx context.Context, pathQuery string, v any) error {
	req, err := http.NewRequestWithContext(ctx, "GET", strings.TrimSuffix(c.Base.String(), "/")+pathQuery, nil)
	if err != nil {
		return err
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("GET %s: %s: %s", pathQuery, resp.Status, strings.TrimSpace(string(b)))
	}
	if v == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// SampleSubjectIDsHTTP pages through GET /api/v1/records?limit=1000 and
// returns the distinct subject ids seen.
func SampleSubjectIDsHTTP(ctx context.Context, c *Client, pages int) ([]string, error) {
	seen := map[string]bool{}
	var ids []string
	after := ""
	for p := 0; p < pages; p++ {
		var page struct {
			Records []struct {
				SubjectID string `json:"subject_id"`
			} `json:"records"`
			Next string `json:"next"`
		}
		q := "/api/v1/records?limit=1000"
		if after != "" {
			q += "&after=" + url.QueryEscape(after)
		}
		if err := c.Get(ctx, q, &page); err != nil {
			return nil, err
		}
		for _, r := range page.Records {
			if !seen[r.SubjectID] {
				seen[r.SubjectID] = true
				ids = append(ids, r.SubjectID)
			}
		}
		if len(page.Records) < 1000 || page.Next == "" {
			break
		}
		after = page.Next
	}
	return ids, nil
}

// ProfileHTTP returns the profile request over HTTP:
// GET /api/v1/records?subject_id=ID.
func ProfileHTTP(c *Client, ids []string) Op {
	return func(ctx context.Context, rng *rand.Rand) error {
		return c.Get(ctx, "/api/v1/records?subject_id="+url.QueryEscape(ids[rng.IntN(len(ids))]), nil)
	}
}
