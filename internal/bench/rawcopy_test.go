package bench_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"xinyong"
	"xinyong/internal/app"
	"xinyong/internal/bench"
	"xinyong/internal/config"
	"xinyong/internal/pgtest"
	"xinyong/internal/refdata"
	"xinyong/internal/sqlstore"
)

// The import scenario on PostgreSQL: the import goes through COPY and the
// baseline is a raw COPY into a scratch table, dropped afterwards. Times
// are not asserted.
func TestImportScenarioPostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	dir := t.TempDir()
	cfg := config.Config{DB: dsn, KeyDir: filepath.Join(dir, "keys"), Origin: "test/ledger"}
	a, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	set, _ := refdata.Load()
	if _, err := a.Service.Bootstrap(context.Background(), set); err != nil {
		t.Fatal(err)
	}
	res, err := bench.Import(context.Background(), a.Service, cli, 2500, 1, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Log(res.Summary())
	if res.Rows != 2500 || res.Accepted != 2500 || res.Status != xinyong.ImportDone || res.RawRate() <= 0 {
		t.Fatalf("%+v", res)
	}
	n, _, err := bench.DataSize(context.Background(), a.Store)
	if err != nil || n != 2500 {
		t.Fatalf("%d records, %v", n, err)
	}
	var left int
	db := a.Store.(*sqlstore.DB).R
	if err := db.QueryRowContext(context.Background(), `SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'bench_raw_%'`).Scan(&left); err != nil || left != 0 {
		t.Fatalf("%d scratch tables left (%v)", left, err)
	}
}
