// Package pgtest gives tests a fresh, empty PostgreSQL schema of their own.
//
// Tests that need PostgreSQL call DSN. It reads XINYONG_TEST_POSTGRES (for
// example postgres://root@127.0.0.1:5432/test?sslmode=disable); when that is
// unset the test is skipped, unless XINYONG_REQUIRE_ALL=1, when it fails.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env is the variable holding the PostgreSQL DSN for tests.
const Env = "XINYONG_TEST_POSTGRES"

// BaseDSN returns the DSN from XINYONG_TEST_POSTGRES, or skips (fails with
// XINYONG_REQUIRE_ALL=1) when it is unset.
func BaseDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(Env)
	if dsn == "" {
		if os.Getenv("XINYONG_REQUIRE_ALL") == "1" {
			t.Fatal("XINYONG_REQUIRE_ALL=1 but " + Env + " is not set")
		}
		t.Skip("PostgreSQL tests skipped: set " + Env + "=postgres://root@127.0.0.1:5432/test?sslmode=disable")
	}
	return dsn
}

// DSN creates a schema of its own for the test (xt_<random>) and returns a
// DSN whose search_path is that schema, so that every table, goose's version
// table included, lives there. The schema is dropped when the test ends;
// close the connections opened on it in a t.Cleanup registered after DSN
// (cleanups run last-registered first). Safe for parallel tests.
func DSN(t testing.TB) string {
	t.Helper()
	base := BaseDSN(t)
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "xt_" + hex.EncodeToString(b[:])
	exec(t, base, "CREATE SCHEMA "+schema)
	t.Cleanup(func() { exec(t, base, "DROP SCHEMA IF EXISTS "+schema+" CASCADE") })
	return WithParam(t, base, "search_path", schema)
}

// WithParam returns dsn with a run-time parameter (e.g. search_path,
// application_name) set, in either URL or keyword/value form.
func WithParam(t testing.TB, dsn, key, value string) string {
	t.Helper()
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatalf("%s is not a valid URL: %v", Env, err)
		}
		q := u.Query()
		q.Set(key, value)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " " + key + "=" + value
}

func exec(t testing.TB, dsn, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect to PostgreSQL (%s): %v", Env, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
