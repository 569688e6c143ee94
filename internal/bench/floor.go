package bench

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/mod/sumdb/note"

	"xinyong"
	"xinyong/internal/sqlite"
	"xinyong/internal/sqlstore"
	"xinyong/internal/workflow"
)

// The check scenario's floor: a net/http server whose handler does only
// what every measures check must do whatever the design, with no read of
// the store, loaded with the same client and requests as CheckHTTP. Beside
// the hello ceiling (HTTP alone) it shows what the irreducible work of a
// check costs on this machine:
//
//  1. the bearer token is authenticated by its hash (workflow.TokenHash)
//     in an in-memory map;
//  2. subject, matter and purpose are parsed from the query and checked
//     (xinyong.CheckQueryPurpose, the citizen ID mask);
//  3. the receipt is built by Service.Check's own code, over the empty
//     answer and the empty log's checkpoint, and signed with a real
//     Ed25519 note signer (workflow.Service.FloorCheck);
//  4. the rows a check writes — its query-use entry (with the flag count)
//     and the check, their two ledger leaves and one signed checkpoint per
//     batch — are group-committed into a fresh SQLite store with the
//     platform's schema, through Service.Check's own append;
//  5. the answer (measures [], the receipt) is written as JSON, as the
//     real handler writes it.

// Floor is the floor's store, service and in-memory lookups.
type Floor struct {
	Store   *sqlstore.DB
	Service *workflow.Service
	// Token is the agency's bearer token the floor accepts.
	Token string

	tokens    map[string]xinyong.Actor // by TokenHash
	subjects  map[string]string        // normalised code -> subject id, made in Run
	committed atomic.Uint64
}

// FloorOrigin is the checkpoint origin of the floor's signing key.
const FloorOrigin = "bench.xinyong/floor"

// OpenFloor creates the floor's SQLite store in dir (migrated to the
// platform's schema), a fresh Ed25519 note signer and an agency token.
func OpenFloor(ctx context.Context, dir string) (*Floor, error) {
	db, err := sqlite.Open(filepath.Join(dir, "floor.db"), nil)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	skey, vkey, err := note.GenerateKey(rand.Reader, FloorOrigin)
	if err != nil {
		db.Close()
		return nil, err
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		db.Close()
		return nil, err
	}
	f := &Floor{Store: db, Service: &workflow.Service{Store: db, Signer: signer, Verifier: vkey}}
	f.Token = workflow.TokenPrefix + workflow.RandomSecret(32)
	f.tokens = map[string]xinyong.Actor{
		string(workflow.TokenHash(f.Token)): {Kind: "token", ID: workflow.NewID(), Name: "bench-floor", Role: xinyong.RoleAgency, Organisation: "基准测试机构"},
	}
	return f, nil
}

// Close closes the floor's store.
func (f *Floor) Close() error { return f.Store.Close() }

// Committed is the number of checks whose rows the floor committed.
func (f *Floor) Committed() uint64 { return f.committed.Load() }

// Handler is the floor's HTTP handler: GET /api/v1/measures/check only.
func (f *Floor) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/measures/check", f.check)
	return mux
}

func (f *Floor) check(w http.ResponseWriter, r *http.Request) {
	// 1. The token, by its hash, in memory.
	secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	ok = ok && strings.HasPrefix(secret, workflow.TokenPrefix) && len(secret) <= 200
	actor, known := xinyong.Actor{}, false
	if ok {
		actor, known = f.tokens[string(workflow.TokenHash(secret))]
	}
	if !known {
		http.Error(w, "the API token is not valid", http.StatusUnauthorized)
		return
	}
	if err := xinyong.Authorize(actor, xinyong.ActMeasureCheck, xinyong.Resource{}, nil); err != nil {
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	// 2. The query.
	q := r.URL.Query()
	ref := strings.TrimSpace(q.Get("subject"))
	matter := xinyong.MaskCitizenIDs(strings.TrimSpace(q.Get("matter")))
	purpose, _, _, err := xinyong.CheckQueryPurpose(q.Get("purpose"), workflow.CheckBasis, "")
	if err != nil || ref == "" || matter == "" {
		http.Error(w, "give subject, matter and purpose", http.StatusBadRequest)
		return
	}
	// 3–4. The receipt over the empty answer and the check's rows,
	// group-committed, by Check's own code.
	res, err := f.Service.FloorCheck(r.Context(), actor, ref, f.subjects[xinyong.NormalizeCode(ref)], matter, purpose)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	f.committed.Add(1)
	// 5. The answer, as the real handler writes it (server.writeJSON).
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(res)
}

// Run serves the floor on 127.0.0.1 and loads it like CheckHTTP over
// codes. Each code stands for a subject the platform holds (an id made
// here and kept in memory, like the token), so that the query-use entry
// carries a subject and its flag count runs as for a real check of a
// known subject. When Run returns, every request the server took has
// committed or failed: the store holds Committed() checks.
func (f *Floor) Run(ctx context.Context, codes []string, duration time.Duration, concurrency int, seed uint64) (*Result, error) {
	if len(codes) == 0 {
		return nil, errors.New("bench: the floor needs subject codes")
	}
	f.subjects = make(map[string]string, len(codes))
	for _, c := range codes {
		f.subjects[xinyong.NormalizeCode(c)] = workflow.NewID()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: f.Handler()}
	go srv.Serve(ln)
	u, _ := url.Parse("http://" + ln.Addr().String())
	c := NewClient(u, f.Token, concurrency)
	res := Run(ctx, "floor", duration, concurrency, seed, CheckHTTP(c, codes))
	c.HTTP.CloseIdleConnections()
	// Wait for the handlers the end of the run cut off: their appends
	// still commit (appendGrouped waits for its batch).
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return res, fmt.Errorf("bench: floor server shutdown: %w", err)
	}
	return res, nil
}

// FloorCeiling runs the floor (Floor.Run) on a fresh store in a temporary
// directory, removed afterwards: the cost of what every check must do
// (token map, receipt signature, the check's rows group-committed, no
// reads), loaded like the check scenario over HTTP.
func FloorCeiling(ctx context.Context, codes []string, duration time.Duration, concurrency int, seed uint64) (*Result, error) {
	dir, err := os.MkdirTemp("", "xinyong-bench-floor-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	f, err := OpenFloor(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Run(ctx, codes, duration, concurrency, seed)
}
