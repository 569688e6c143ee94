package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
)

// The page scenario (issue 5): a subject's public page as the portal
// serves it — the HTML page (/subjects/{code}) and the same data as JSON
// (/api/v1/subjects/{code}) — for organisations, over HTTP.

// PageClasses are the page scenario's kinds of request.
var PageClasses = []string{"html page", "json"}

// PageHTTP returns the page scenario's request: a random organisation's
// page, as HTML or as JSON, half and half.
func PageHTTP(c *Client, subjects []NamedSubject) (ClassOp, error) {
	var codes []string
	for _, s := range subjects {
		if s.Code != "" {
			codes = append(codes, s.Code)
		}
	}
	if len(codes) == 0 {
		return nil, fmt.Errorf("bench: no organisation codes to open pages of")
	}
	return func(ctx context.Context, rng *rand.Rand) (int, error) {
		code := url.PathEscape(codes[rng.IntN(len(codes))])
		if rng.IntN(2) == 0 {
			return 0, c.Get(ctx, "/subjects/"+code, nil)
		}
		return 1, c.Get(ctx, "/api/v1/subjects/"+code, nil)
	}, nil
}
