package gen_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/app"
	"xinyong/internal/bench"
	"xinyong/internal/config"
	"xinyong/internal/gen"
	"xinyong/internal/refdata"
	"xinyong/internal/workflow"
)

var today = xinyong.NewDate(2026, 11, 25)

// openStore opens a fresh, bootstrapped SQLite store on clock.
func openStore(t testing.TB, clock func() time.Time) *app.App {
	t.Helper()
	dir := t.TempDir()
	cfg := config.Config{DB: "sqlite:" + filepath.Join(dir, "x.db"), KeyDir: filepath.Join(dir, "keys"), Origin: "test/ledger"}
	a, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{Clock: clock, Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	set, err := refdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Service.Bootstrap(context.Background(), set); err != nil {
		t.Fatal(err)
	}
	return a
}

var cli = xinyong.Actor{Kind: "cli", ID: "cli:test", Name: "cli:test", Role: xinyong.RoleAdmin}

// TestFill fills a store through the workflow: every record is accepted,
// the ledger verifies, the store holds as many records as were accepted,
// and the manifest's codes are in it.
func TestFill(t *testing.T) {
	subjects, records := 1000, 5000
	if testing.Short() {
		subjects, records = 300, 1000
	}
	ctx := context.Background()
	g, err := gen.New(gen.Config{Seed: 7, Subjects: subjects, Records: records, Today: today, Dept: -1})
	if err != nil {
		t.Fatal(err)
	}
	clock := gen.NewClock(g.Start().AddDays(-30).Start())
	a := openStore(t, clock.Now)
	man := gen.NewManifest(g.Departments())
	res, err := gen.Fill(ctx, g, gen.FillOptions{Service: a.Service, Clock: clock, Actor: cli, Manifest: man})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", res)
	if res.Refused != 0 || res.Accepted != records {
		t.Fatalf("accepted %d of %d, refused %d: %v", res.Accepted, records, res.Refused, res.RefusedBy)
	}
	if res.Withdrawn == 0 || res.Late == 0 || res.Departments != len(g.Departments()) {
		t.Errorf("withdrawn %d, late %d, departments %d", res.Withdrawn, res.Late, res.Departments)
	}
	rep, err := a.Service.Verify(ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("ledger verify: %+v", rep.Problems)
	}
	n, subj, err := bench.DataSize(ctx, a.Store)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(res.Accepted) || subj != int64(res.Subjects) {
		t.Fatalf("store holds %d records of %d subjects, Fill accepted %d of %d", n, subj, res.Accepted, res.Subjects)
	}
	if len(man.Penalised) == 0 || len(man.Clean) == 0 || len(man.Persons) == 0 || len(man.Minors) == 0 || (len(man.Listed) == 0 && !testing.Short()) || len(man.Listed) != res.Listed {
		t.Fatalf("manifest: %d penalised, %d clean, %d persons, %d minors, %d listed", len(man.Penalised), len(man.Clean), len(man.Persons), len(man.Minors), len(man.Listed))
	}
	// Listed subjects are on a serious list today, through the procedure.
	listedIDs, err := bench.SubjectIDs(ctx, a.Service, man.Listed)
	if err != nil || len(listedIDs) != len(man.Listed) {
		t.Fatalf("%d of %d listed codes found: %v", len(listedIDs), len(man.Listed), err)
	}
	err = a.Store.View(ctx, func(tx xinyong.Tx) error {
		for _, id := range listedIDs {
			ls, err := tx.Listings(xinyong.ListingFilter{SubjectID: id, State: xinyong.ListingListed})
			if err != nil {
				return err
			}
			if len(ls) != 1 || !ls[0].Active(today) || ls[0].Decision == nil || len(ls[0].Decision.Measures) == 0 || ls[0].Notice == nil {
				t.Errorf("listed subject %s: listings %+v", id, ls)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	all := append(append(append(append([]string{}, man.Penalised...), man.Clean...), man.Persons...), man.Minors...)
	ids, err := bench.SubjectIDs(ctx, a.Service, all)
	if err != nil || len(ids) != len(all) {
		t.Fatalf("%d of %d manifest codes found: %v", len(ids), len(all), err)
	}
	// Clean subjects have no penalty; penalised ones have an active one.
	check := func(code string, wantPenalty bool) {
		id, _ := bench.SubjectIDs(ctx, a.Service, []string{code})
		rs, err := a.Service.Records(ctx, cli, xinyong.RecordFilter{SubjectID: id[0], Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		has := false
		for _, r := range rs {
			has = has || (r.Kind == "penalty" && r.Status == xinyong.RecordActive)
		}
		if has != wantPenalty {
			t.Errorf("subject %s: active penalty %v, want %v", xinyong.MaskID(code), has, wantPenalty)
		}
	}
	for _, c := range man.Clean[:min(20, len(man.Clean))] {
		check(c, false)
	}
	for _, c := range man.Penalised[:min(20, len(man.Penalised))] {
		check(c, true)
	}
	path := filepath.Join(t.TempDir(), "m.json")
	if err := gen.WriteManifest(path, man); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("manifest mode %v", st.Mode().Perm())
	}
	if back, err := gen.ReadManifest(path); err != nil || len(back.Persons) != len(man.Persons) {
		t.Fatalf("manifest read back: %v", err)
	}
}

// TestFilesDeterministic: the same seed gives the same bytes; another seed
// other bytes.
func TestFilesDeterministic(t *testing.T) {
	write := func(seed uint64, format string) map[string][]byte {
		dir := t.TempDir()
		g, err := gen.New(gen.Config{Seed: seed, Subjects: 500, Records: 3000, Today: today, Dept: -1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := gen.WriteFiles(g, gen.OutOptions{Dir: dir, Format: format}); err != nil {
			t.Fatal(err)
		}
		out := map[string][]byte{}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			out[e.Name()] = b
		}
		return out
	}
	for _, format := range []string{gen.FormatCSV, gen.FormatGBKCSV} {
		a, b, c := write(3, format), write(3, format), write(4, format)
		if len(a) < 10 || len(a) != len(b) {
			t.Fatalf("%s: %d and %d files", format, len(a), len(b))
		}
		differ := false
		for name, x := range a {
			if !bytes.Equal(x, b[name]) {
				t.Fatalf("%s: %s differs between two runs with the same seed", format, name)
			}
			if name != "departments.csv" && !bytes.Equal(x, c[name]) {
				differ = true
			}
		}
		if !differ {
			t.Fatalf("%s: seeds 3 and 4 gave the same files", format)
		}
	}
}

// TestFilesReimport: files written by gen --out import with every row
// accepted, in each format.
func TestFilesReimport(t *testing.T) {
	ctx := context.Background()
	a := openStore(t, nil)
	g, err := gen.New(gen.Config{Seed: 11, Subjects: 400, Records: 2000, Today: xinyong.DateOf(a.Service.Now()), Dept: -1})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range g.Departments() {
		if _, err := a.Service.CreateDepartment(ctx, cli, workflow.DepartmentInput{Code: d.Code, Name: d.Name, Provides: []string{"XZCF", "XZXK"}}); err != nil {
			t.Fatal(err)
		}
	}
	byCode := map[string]gen.Department{}
	for _, d := range g.Departments() {
		byCode[d.Code] = d
	}
	for _, tc := range []struct {
		format string
		labels bool
	}{{gen.FormatCSV, false}, {gen.FormatCSV, true}, {gen.FormatGBKCSV, false}, {gen.FormatXLSX, false}} {
		dir := t.TempDir()
		res, err := gen.WriteFiles(g, gen.OutOptions{Dir: dir, Format: tc.format, Labels: tc.labels})
		if err != nil {
			t.Fatal(err)
		}
		rows, accepted := 0, 0
		for _, name := range res.Files {
			code, kind, _ := strings.Cut(strings.TrimSuffix(strings.TrimSuffix(name, ".csv"), ".xlsx"), "-")
			j, err := a.Service.CreateImport(ctx, cli, workflow.ImportRequest{Department: byCode[code].Code, Kind: kind, Path: filepath.Join(dir, name), KeepFile: true})
			if err != nil {
				t.Fatal(err)
			}
			j, err = a.Service.RunImport(ctx, cli, j.ID, false, nil)
			if err != nil {
				t.Fatal(err)
			}
			if j.Rejected > 0 {
				var msgs []string
				a.Service.ImportErrors(ctx, cli, j.ID, func(e xinyong.FieldError) error {
					msgs = append(msgs, e.Field+": "+e.Message)
					return nil
				})
				t.Fatalf("%s %s: %d rejected: %v", tc.format, name, j.Rejected, msgs[:min(5, len(msgs))])
			}
			rows += j.Rows
			accepted += j.Accepted
		}
		if rows != res.Penalties+res.Licences || accepted != rows {
			t.Fatalf("%s: %d rows, %d accepted; written %d + %d", tc.format, rows, accepted, res.Penalties, res.Licences)
		}
		t.Logf("%s labels=%v: %d files, %d rows accepted, %d minors' penalties left out", tc.format, tc.labels, len(res.Files), rows, res.MinorsSkipped)
	}
}

// TestFillTransactionsDoNotMatter: how many submissions share a
// transaction changes nothing Fill produces: the same counts, manifest and
// records (lateness, publication windows, submission times, withdrawals)
// with one transaction per ~25 submissions as with the default.
func TestFillTransactionsDoNotMatter(t *testing.T) {
	ctx := context.Background()
	fill := func(perTx int) (gen.FillResult, *gen.Manifest, []string) {
		g, err := gen.New(gen.Config{Seed: 5, Subjects: 300, Records: 1500, Today: today, Dept: -1})
		if err != nil {
			t.Fatal(err)
		}
		clock := gen.NewClock(g.Start().AddDays(-30).Start())
		a := openStore(t, clock.Now)
		man := gen.NewManifest(g.Departments())
		res, err := gen.Fill(ctx, g, gen.FillOptions{Service: a.Service, Clock: clock, Actor: cli, Manifest: man, PerTx: perTx})
		if err != nil {
			t.Fatal(err)
		}
		if perTx > 0 && res.Commits < (res.Accepted+res.Withdrawn)/perTx/2 {
			t.Errorf("per transaction %d: %d transactions for %d submissions", perTx, res.Commits, res.Accepted+res.Withdrawn)
		}
		res.Seconds, res.Commits = 0, 0
		rep, err := a.Service.Verify(ctx, "", nil)
		if err != nil || !rep.OK() {
			t.Fatalf("ledger verify: %+v %v", rep.Problems, err)
		}
		var lines []string
		err = a.Store.View(ctx, func(tx xinyong.Tx) error {
			codes := map[string]string{}
			for after := ""; ; {
				rs, err := tx.ListRecords(xinyong.RecordFilter{AfterID: after, Limit: 1000})
				if err != nil {
					return err
				}
				if len(rs) == 0 {
					return nil
				}
				for _, r := range rs {
					if codes[r.DepartmentID] == "" {
						d, err := tx.Department(r.DepartmentID)
						if err != nil {
							return err
						}
						codes[r.DepartmentID] = d.Code
					}
					w := ""
					if r.Withdrawal != nil {
						w = r.Withdrawal.At.UTC().String() + " " + r.Withdrawal.Reason
					}
					lines = append(lines, fmt.Sprintf("%s %s %s v%d %s %s late=%+v window=%+v submitted=%s updated=%s withdrawn=%s",
						codes[r.DepartmentID], r.Kind, r.Document.Number, r.Version, r.Status, r.SubjectCode, r.Lateness, r.Window, r.SubmittedAt.UTC(), r.UpdatedAt.UTC(), w))
				}
				after = rs[len(rs)-1].ID
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(lines)
		return res, man, lines
	}
	res1, man1, recs1 := fill(0)
	res2, man2, recs2 := fill(25)
	if !reflect.DeepEqual(res1, res2) {
		t.Errorf("results differ:\n%+v\n%+v", res1, res2)
	}
	if !reflect.DeepEqual(man1, man2) {
		t.Errorf("manifests differ")
	}
	if len(recs1) != res1.Accepted || !slices.Equal(recs1, recs2) {
		for i := range min(len(recs1), len(recs2)) {
			if recs1[i] != recs2[i] {
				t.Fatalf("%d and %d records; first difference:\n%s\n%s", len(recs1), len(recs2), recs1[i], recs2[i])
			}
		}
		t.Fatalf("%d and %d records, %d accepted", len(recs1), len(recs2), res1.Accepted)
	}
	if res1.Withdrawn == 0 || res1.Late == 0 {
		t.Fatalf("%+v", res1)
	}
}
