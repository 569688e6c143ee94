package bench_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"xinyong"
	"xinyong/internal/bench"
	"xinyong/internal/workflow"
)

// floorCodes are well-formed organisation codes for the floor (it reads
// nothing: any code is a subject it holds).
func floorCodes(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("91330100MA%08d", i)
	}
	return out
}

// TestFloorCeiling runs the check's floor: every request answered is a
// check whose query-use entry and receipt-bearing row are in the store,
// under the ledger, and its receipt verifies with the floor's key. With
// XINYONG_BENCH_CHECK=DURATION it runs that long at concurrency 64 (or
// XINYONG_BENCH_CONCURRENCY) and logs the figures, as TestCheckScenario.
func TestFloorCeiling(t *testing.T) {
	ctx := context.Background()
	d, conc := 300*time.Millisecond, 4
	if v := os.Getenv("XINYONG_BENCH_CHECK"); v != "" {
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			t.Fatal(err)
		}
		conc = 64
		if c, err := strconv.Atoi(os.Getenv("XINYONG_BENCH_CONCURRENCY")); err == nil {
			conc = c
		}
	}
	f, err := bench.OpenFloor(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	codes := floorCodes(200)
	cpu0 := processCPU()
	res, err := f.Run(ctx, codes, d, conc, 1)
	if err != nil {
		t.Fatal(err)
	}
	cpu := processCPU() - cpu0
	if res.Requests == 0 || res.Errors != 0 {
		t.Fatalf("floor: %s %v", res.Summary(), res.FirstError)
	}
	t.Log("floor (token map, receipt signature, the check's rows group-committed, no reads): " + res.Summary())
	if cpu > 0 {
		t.Logf("floor: %.0f µs of CPU per check, server and client in this process (%s for %d requests)", float64(cpu.Microseconds())/float64(res.Requests), cpu.Round(time.Millisecond), res.Requests)
	}
	// Requests cut off by the end of the run are not counted by the
	// client, but their rows may have committed.
	n := f.Committed()
	if n < res.Requests || n > res.Requests+uint64(conc) {
		t.Fatalf("%d checks committed for %d requests answered at concurrency %d", n, res.Requests, conc)
	}
	rep, err := f.Service.Verify(ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || uint64(rep.Checks) != n || uint64(rep.Queries) != n || rep.Size != int64(2*n) || rep.Checkpoints == 0 {
		t.Fatalf("ledger verify after %d checks: %+v", n, rep)
	}
	t.Logf("floor: %d checks in %d group commits (signed checkpoints), %.1f a batch", n, rep.Checkpoints, float64(n)/float64(max(rep.Checkpoints, 1)))
	// The store holds the rows themselves, with the subject.
	var uses uint64
	if err := f.Store.View(ctx, func(tx xinyong.Tx) error {
		return tx.EachQueryUse(xinyong.QueryFilter{}, func(q xinyong.QueryUse) error {
			if q.SubjectID == "" || q.Basis != workflow.CheckBasis {
				return fmt.Errorf("query-use entry %+v", q)
			}
			uses++
			return nil
		})
	}); err != nil || uses != n {
		t.Fatalf("%d query-use entries for %d checks: %v", uses, n, err)
	}

	// One answer as the agency sees it: its receipt verifies with the
	// floor's key, and the check is the one the store holds.
	hs := httptest.NewServer(f.Handler())
	defer hs.Close()
	u, _ := url.Parse(hs.URL)
	var out workflow.CheckResult
	if err := bench.NewClient(u, f.Token, 1).Get(ctx, "/api/v1/measures/check?"+url.Values{"subject": {codes[0]}, "matter": {bench.CheckMatter}, "purpose": {bench.CheckPurpose}}.Encode(), &out); err != nil {
		t.Fatal(err)
	}
	rc, err := xinyong.VerifyReceipt(out.Receipt, f.Service.Verifier)
	if err != nil || rc.CheckID != out.CheckID || out.Measures == nil || len(out.Measures) != 0 {
		t.Fatalf("receipt %s: %v", out.Receipt, err)
	}
	if err := f.Store.View(ctx, func(tx xinyong.Tx) error {
		chk, err := tx.MeasureCheck(out.CheckID)
		if err == nil && string(chk.Receipt) != string(out.Receipt) {
			err = fmt.Errorf("stored receipt %s", chk.Receipt)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// A wrong token is refused, and nothing is written.
	if err := bench.NewClient(u, workflow.TokenPrefix+"nope", 1).Get(ctx, "/api/v1/measures/check?subject=x&matter=y&purpose=z", nil); err == nil {
		t.Fatal("a wrong token was accepted")
	}
	if f.Committed() != n+1 {
		t.Fatalf("%d committed after one more check, want %d", f.Committed(), n+1)
	}

	if os.Getenv("XINYONG_BENCH_CHECK") != "" {
		cpu0 := processCPU()
		hello, err := bench.HelloCeiling(ctx, d, conc, 1)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("ceiling (plain net/http hello handler, same client): %s; %.0f µs of CPU per request", hello.Summary(), float64((processCPU()-cpu0).Microseconds())/float64(max(hello.Requests, 1)))
		r := testing.Benchmark(benchmarkSignReceipt)
		t.Logf("xinyong.SignReceipt: %s (%.1f µs per receipt)", r, float64(r.NsPerOp())/1e3)
		r = testing.Benchmark(benchmarkEd25519Sign)
		t.Logf("ed25519.Sign of the receipt's note text: %s (%.1f µs per receipt)", r, float64(r.NsPerOp())/1e3)
	}
}

// processCPU is the user and system CPU time this process used so far,
// from /proc/self/stat (Linux, USER_HZ 100); 0 where there is none.
func processCPU() time.Duration {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	_, rest, ok := strings.Cut(string(b), ") ") // the command name may hold spaces
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// floorReceipt is a receipt as the floor signs it.
func floorReceipt() xinyong.Receipt {
	answer := []xinyong.ApplicableMeasure{}
	return xinyong.Receipt{CheckID: workflow.NewID(), SubjectDigest: xinyong.SubjectDigest("91330100MA00000001"), Matter: bench.CheckMatter, Purpose: bench.CheckPurpose,
		ResultDigest: xinyong.ResultDigest(answer), Time: xinyong.ReceiptTime(time.Now()),
		Checkpoint: xinyong.ReceiptCheckpoint{Origin: bench.FloorOrigin, Size: 123456, Root: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}}
}

// BenchmarkSignReceipt is the whole receipt signature of a check
// (xinyong.SignReceipt: field checks, JSON, note.Sign).
func BenchmarkSignReceipt(b *testing.B) { benchmarkSignReceipt(b) }

func benchmarkSignReceipt(b *testing.B) {
	skey, _, err := note.GenerateKey(rand.Reader, bench.FloorOrigin)
	if err != nil {
		b.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		b.Fatal(err)
	}
	r := floorReceipt()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := xinyong.SignReceipt(r, s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEd25519Sign is the plain Ed25519 signature of a receipt's
// signed text: the part of a receipt no design can avoid.
func BenchmarkEd25519Sign(b *testing.B) { benchmarkEd25519Sign(b) }

func benchmarkEd25519Sign(b *testing.B) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	r := floorReceipt()
	msg, _ := json.Marshal(r)
	msg = append(msg, '\n')
	b.ReportAllocs()
	for b.Loop() {
		ed25519.Sign(priv, msg)
	}
}
