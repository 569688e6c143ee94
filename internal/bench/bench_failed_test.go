package bench_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"xinyong/internal/bench"
)

// TestRunFailed: a run whose every request failed says so (the command then
// fails and records nothing); one success is a measurement.
func TestRunFailed(t *testing.T) {
	fail := bench.Run(context.Background(), "x", 50*time.Millisecond, 2, 1, func(context.Context, *rand.Rand) error { return errors.New("401") })
	if !fail.Failed() || fail.Requests != 0 || fail.Errors == 0 {
		t.Errorf("every request failed: %+v", fail)
	}
	var n atomic.Int64
	some := bench.Run(context.Background(), "x", 50*time.Millisecond, 2, 1, func(context.Context, *rand.Rand) error {
		if n.Add(1) == 1 {
			return nil
		}
		return errors.New("401")
	})
	if some.Failed() {
		t.Errorf("a run with a success counted as failed: %+v", some)
	}
}

// TestClientFollowsNoRedirect: the load client answers a redirect as it
// is and never follows it, so that load reaches only the checked
// 127.0.0.1 address.
func TestClientFollowsNoRedirect(t *testing.T) {
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/x", http.StatusFound)
	}))
	defer srv.Close()
	base, _ := url.Parse(srv.URL)
	c := bench.NewClient(base, "", 1)
	if err := c.Get(context.Background(), "/api/v1/catalogue", nil); err == nil {
		t.Error("a redirect answered as a success")
	}
	if elsewhere.Load() != 0 {
		t.Error("the client followed the redirect")
	}
}
