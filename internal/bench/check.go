package bench

import (
	"context"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

// The check scenario (issue 6 "Performance"): measures checks by a relying
// agency, each with its receipt signature, query-use entry and ledger
// leaves, over HTTP (GET /api/v1/measures/check with an agency token) or in
// process (Service.Check); and, as the ceiling, a plain net/http handler's
// rate on the same machine.

// Check matter and purpose sent by the scenario.
const (
	CheckMatter  = "基准测试:贷款审批"
	CheckPurpose = "基准测试"
)

// CheckInProcess returns the check as a service call by an agency actor.
func CheckInProcess(svc *workflow.Service, agency xinyong.Actor, codes []string) Op {
	return func(ctx context.Context, rng *rand.Rand) error {
		_, err := svc.Check(ctx, agency, codes[rng.IntN(len(codes))], CheckMatter, CheckPurpose)
		return err
	}
}

// CheckHTTP returns the check over HTTP (the client's token: role agency).
func CheckHTTP(c *Client, codes []string) Op {
	return func(ctx context.Context, rng *rand.Rand) error {
		q := url.Values{"subject": {codes[rng.IntN(len(codes))]}, "matter": {CheckMatter}, "purpose": {CheckPurpose}}
		return c.Get(ctx, "/api/v1/measures/check?"+q.Encode(), nil)
	}
}

// BenchAgency is the in-process actor of the check scenario.
var BenchAgency = xinyong.Actor{Kind: "token", ID: "bench-agency", Name: "bench", Role: xinyong.RoleAgency, Organisation: "基准测试机构"}

// HelloCeiling serves a plain net/http handler answering a small JSON
// object on 127.0.0.1 and loads it like a scenario: the machine's ceiling
// for an HTTP request with this client.
func HelloCeiling(ctx context.Context, duration time.Duration, concurrency int, seed uint64) (*Result, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"hello":"world"}`)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	u, _ := url.Parse("http://" + ln.Addr().String())
	c := NewClient(u, "", concurrency)
	return Run(ctx, "hello", duration, concurrency, seed, func(ctx context.Context, _ *rand.Rand) error {
		return c.Get(ctx, "/", nil)
	}), nil
}
