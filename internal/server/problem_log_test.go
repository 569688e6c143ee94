package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
)

// A request whose client went away is logged as abandoned (info), not as
// a failure an operator must look at; a real internal error still is one.
func TestProblemLogLevels(t *testing.T) {
	for _, tt := range []struct {
		name      string
		cancelled bool
		err       error
		level     string
		msg       string
	}{
		{"client went away", true, fmt.Errorf("begin read: %w", context.Canceled), "INFO", "request abandoned"},
		{"internal error of a live request", false, errors.New("disk full"), "ERROR", "request failed"},
		{"internal error after the client left", true, errors.New("disk full"), "ERROR", "request failed"},
	} {
		var buf bytes.Buffer
		log := slog.New(slog.NewJSONHandler(&buf, nil))
		r := httptest.NewRequest("GET", "/api/v1/records", nil)
		if tt.cancelled {
			ctx, cancel := context.WithCancel(r.Context())
			cancel()
			r = r.WithContext(ctx)
		}
		p := problemOf(r, log, tt.err)
		if p.Status != 500 {
			t.Errorf("%s: status %d, want 500", tt.name, p.Status)
		}
		if out := buf.String(); !strings.Contains(out, `"level":"`+tt.level+`"`) || !strings.Contains(out, `"msg":"`+tt.msg+`"`) {
			t.Errorf("%s: logged %s, want level %s and %q", tt.name, out, tt.level, tt.msg)
		}
	}
}
