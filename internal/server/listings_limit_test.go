package server

import (
	"strconv"
	"strings"
	"testing"

	"xinyong"
)

// A queue page asked with a limit above the largest page is refused with
// the range (1 to MaxListingQueuePage), from the one place that decides it;
// the handler's own bound answered "a whole number from 1" to a whole
// number from 1 (2000000), and let 1,000,000 through to another message.
func TestListingQueueLimitMessage(t *testing.T) {
	f := newListingFixture(t)
	for _, limit := range []string{"2000000", "501"} {
		r := f.e.do(t, req{Path: "/api/v1/listings?limit=" + limit, Token: f.offA})
		if r.Status != 400 || !strings.Contains(string(r.Body), "1 to "+strconv.Itoa(xinyong.MaxListingQueuePage)) {
			t.Errorf("limit=%s: %d %s", limit, r.Status, r.Body)
		}
	}
	if r := f.e.do(t, req{Path: "/api/v1/listings?limit=ten", Token: f.offA}); r.Status != 400 || !strings.Contains(string(r.Body), `not \"ten\"`) {
		t.Errorf("limit=ten: %d %s", r.Status, r.Body)
	}
}
