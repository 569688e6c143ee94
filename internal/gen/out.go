package gen

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"xinyong"
	"xinyong/internal/refdata"
)

// Formats of WriteFiles.
const (
	FormatCSV    = "csv"
	FormatGBKCSV = "gbk-csv"
	FormatXLSX   = "xlsx"
)

// Columns returns the 双公示 fields of a kind ("penalty": XZCF's CF_*,
// "license": XZXK's XK_*) in catalogue order, from the reference data.
func Columns(kind string) ([]xinyong.FieldSpec, error) {
	set, err := refdata.Load()
	if err != nil {
		return nil, err
	}
	code := "XZXK"
	if kind == "penalty" {
		code = "XZCF"
	}
	for _, it := range set.Items {
		if it.Code == code {
			return it.Fields, nil
		}
	}
	return nil, fmt.Errorf("gen: catalogue item %s not in the reference data", code)
}

// OutOptions configure WriteFiles.
type OutOptions struct {
	Dir    string
	Format string // csv, gbk-csv or xlsx
	Labels bool   // header of Chinese labels instead of field codes (csv, gbk-csv)
	// Progress is called now and then with the number of records done.
	Progress func(done int)
	Manifest *Manifest
}

// OutResult summarises WriteFiles.
type OutResult struct {
	Files         []string // relative to Dir, sorted
	Penalties     int
	Licences      int
	MinorsSkipped int // penalties of minors left out (files carry no leniency flag)
	Withdrawn     int // records whose decision is later withdrawn (written anyway: the file is the decision as published)
}

// FileName returns the file of a department and kind.
func FileName(d Department, kind, format string) string {
	ext := ".csv"
	if format == FormatXLSX {
		ext = ".xlsx"
	}
	return d.Code + "-" + kind + ext
}

// fileWriter writes one department's file of one kind.
type fileWriter interface {
	write(row []string) error
	close() error
}

type csvFile struct {
	f  *os.File
	bw *bufio.Writer
	tw io.WriteCloser
	w  *csv.Writer
}

func (c *csvFile) write(row []string) error { return c.w.Write(row) }

func (c *csvFile) close() error {
	c.w.Flush()
	err := c.w.Error()
	if c.tw != nil {
		if e := c.tw.Close(); err == nil {
			err = e
		}
	}
	if e := c.bw.Flush(); err == nil {
		err = e
	}
	if e := c.f.Close(); err == nil {
		err = e
	}
	return err
}

type xlsxFile struct {
	path string
	f    *excelize.File
	sw   *excelize.StreamWriter
	row  int
	buf  []any
}

func (x *xlsxFile) write(row []string) error {
	x.row++
	x.buf = x.buf[:0]
	for _, v := range row {
		x.buf = append(x.buf, v)
	}
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, x.buf)
}

func (x *xlsxFile) close() error {
	err := x.sw.Flush()
	if err == nil {
		err = x.f.SaveAs(x.path)
	}
	if e := x.f.Close(); err == nil {
		err = e
	}
	return err
}

func openFile(path, format string, header []string) (fileWriter, error) {
	if format == FormatXLSX {
		f := excelize.NewFile()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			f.Close()
			return nil, err
		}
		x := &xlsxFile{path: path, f: f, sw: sw}
		return x, x.write(header)
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	c := &csvFile{f: f, bw: bufio.NewWriterSize(f, 32<<10)}
	var w io.Writer = c.bw
	if format == FormatGBKCSV {
		c.tw = transform.NewWriter(c.bw, simplifiedchinese.GBK.NewEncoder())
		w = c.tw
	}
	c.w = csv.NewWriter(w)
	return c, c.w.Write(header)
}

// WriteFiles writes the generator's records as 双公示 files, one per
// department and kind, and departments.csv (code, name, items provided).
// Penalties of minors are left out: a 双公示 file has no column for the
// minor leniency flag, and the import refuses a minor's penalty without it.
func WriteFiles(g *Generator, opt OutOptions) (OutResult, error) {
	var res OutResult
	switch opt.Format {
	case FormatCSV, FormatGBKCSV, FormatXLSX:
	default:
		return res, fmt.Errorf("gen: format is csv, gbk-csv or xlsx, not %q", opt.Format)
	}
	if err := os.MkdirAll(opt.Dir, 0o755); err != nil {
		return res, err
	}
	cols := map[string][]xinyong.FieldSpec{}
	headers := map[string][]string{}
	for _, kind := range []string{"penalty", "license"} {
		fs, err := Columns(kind)
		if err != nil {
			return res, err
		}
		cols[kind] = fs
		for _, f := range fs {
			h := f.Code
			if opt.Labels {
				h = f.Label
			}
			headers[kind] = append(headers[kind], h)
		}
	}
	depts := g.Departments()
	if err := writeDepartments(filepath.Join(opt.Dir, "departments.csv"), depts); err != nil {
		return res, err
	}
	files := map[string]fileWriter{}
	closeAll := func() error {
		var first error
		for _, f := range files {
			if err := f.close(); err != nil && first == nil {
				first = err
			}
		}
		files = nil
		return first
	}
	defer func() {
		if files != nil {
			closeAll()
		}
	}()
	row := make([]string, 0, 40)
	for j := 0; j < g.cfg.Records; j++ {
		r := g.Record(j)
		if r.MinorPenalty() {
			res.MinorsSkipped++
			continue
		}
		name := FileName(depts[r.Dept], r.Kind, opt.Format)
		fw := files[name]
		if fw == nil {
			var err error
			if fw, err = openFile(filepath.Join(opt.Dir, name), opt.Format, headers[r.Kind]); err != nil {
				return res, err
			}
			files[name] = fw
			res.Files = append(res.Files, name)
		}
		row = row[:0]
		for _, f := range cols[r.Kind] {
			row = append(row, r.Fields[f.Code])
		}
		if err := fw.write(row); err != nil {
			return res, fmt.Errorf("%s: %w", name, err)
		}
		if r.Kind == "penalty" {
			res.Penalties++
		} else {
			res.Licences++
		}
		if r.Withdraw {
			res.Withdrawn++
		}
		if opt.Manifest != nil {
			opt.Manifest.Add(r)
		}
		if opt.Progress != nil && j%1000 == 999 {
			opt.Progress(j + 1)
		}
	}
	if opt.Progress != nil {
		opt.Progress(g.cfg.Records)
	}
	slices.Sort(res.Files)
	return res, closeAll()
}

func writeDepartments(path string, depts []Department) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write([]string{"code", "name", "provides"})
	for _, d := range depts {
		w.Write([]string{d.Code, d.Name, "XZXK;XZCF"})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ManifestLimit is how many codes each manifest list keeps at most.
const ManifestLimit = 200

// Manifest holds sample subject codes by kind, for tests and benchmarks.
// Persons and minors are clear ID numbers: write it with WriteManifest
// (mode 0600).
type Manifest struct {
	Listed      []string `json:"listed"`
	Penalised   []string `json:"penalised"`
	Clean       []string `json:"clean"`
	Persons     []string `json:"persons"`
	Minors      []string `json:"minors"`
	Departments []string `json:"departments"`

	seen map[string]bool
}

// NewManifest returns an empty manifest listing the departments.
func NewManifest(depts []Department) *Manifest {
	m := &Manifest{Listed: []string{}, Penalised: []string{}, Clean: []string{}, Persons: []string{}, Minors: []string{}, Departments: []string{}, seen: map[string]bool{}}
	for _, d := range depts {
		m.Departments = append(m.Departments, d.Code)
	}
	return m
}

func (m *Manifest) add(list *[]string, tag, code string) {
	if len(*list) >= ManifestLimit || m.seen[tag+code] {
		return
	}
	m.seen[tag+code] = true
	*list = append(*list, code)
}

// Add notes an accepted record.
func (m *Manifest) Add(r Record) {
	s := r.Subject
	switch {
	case r.Kind == "penalty" && !r.Withdraw:
		m.add(&m.Penalised, "p", s.Code)
	case r.Kind == "license" && !s.Penalisable:
		// Subjects that are not penalisable never receive a penalty.
		m.add(&m.Clean, "c", s.Code)
	}
	if s.Kind == xinyong.KindPerson {
		m.add(&m.Persons, "n", s.Code)
		if xinyong.IsMinorOn(s.Birth, r.Decision) {
			m.add(&m.Minors, "m", s.Code)
		}
	}
}

// WriteManifest writes the manifest as JSON with mode 0600: it holds clear
// citizen ID numbers.
func WriteManifest(path string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadManifest reads a manifest.
func ReadManifest(path string) (*Manifest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", path, err)
	}
	return &m, nil
}
