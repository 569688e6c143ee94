package server

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"xinyong"
	"xinyong/internal/sqlstore"
)

// StoreSize is how much data the store holds: the "data size" that
// `xinyong bench` reports, in process (StoreSizeOf) and over HTTP
// (GET /api/v1/stats), so that both kinds of run record the same figure.
type StoreSize struct {
	Records   int64     `json:"records"`
	Subjects  int64     `json:"subjects"`
	Dialect   string    `json:"dialect"` // "sqlite" or "postgres"
	CountedAt time.Time `json:"counted_at"`
}

// StoreSizeOf counts the records and subjects of a store (SQL stores only,
// sqlstore.DB.Size): about a second per million records on SQLite, so the
// API answers from a cache (statsMaxAge).
func StoreSizeOf(ctx context.Context, st xinyong.Store) (StoreSize, error) {
	db, ok := st.(*sqlstore.DB)
	if !ok {
		return StoreSize{}, fmt.Errorf("cannot count the rows of a %T", st)
	}
	recs, subjs, err := db.Size(ctx)
	if err != nil {
		return StoreSize{}, err
	}
	return StoreSize{Records: recs, Subjects: subjs, Dialect: db.Dialect()}, nil
}

// statsMaxAge is how long GET /api/v1/stats answers from its last count.
const statsMaxAge = 10 * time.Second

// statsCache keeps the last count; one count runs at a time, so callers
// arriving during a count wait for it instead of starting another.
type statsCache struct {
	mu   sync.Mutex
	last StoreSize
}

func (s *Server) statsRoutes() []route {
	c := &statsCache{}
	return []route{
		{Method: "GET", Path: "/api/v1/stats", Tag: "operations", Auth: "token",
			Summary: "The store's size: record and subject counts and the database dialect, the data size `xinyong bench --url` records (platform staff: admin, auditor, officers, reviewers; counted at most every 10 seconds, counted_at says when)",
			Handler: func(w http.ResponseWriter, r *http.Request) error { return s.getStats(w, r, c) }},
	}
}

func (s *Server) getStats(w http.ResponseWriter, r *http.Request, c *statsCache) error {
	// The counts are no one's personal data, but neither are they
	// published: whoever may list the departments — the platform's own
	// staff — may read them; relying agencies, subjects and the public
	// may not.
	a := actorOf(r)
	if err := xinyong.Authorize(a, xinyong.ActDepartmentRead, xinyong.Resource{}, nil); err != nil {
		switch code := xinyong.ErrorCode(err); code {
		case xinyong.EUNAUTHORIZED:
			return &xinyong.Error{Code: code, Message: "sign in or send an API token to read the store's size (the platform's staff: admin, auditor, officer, reviewer)"}
		case xinyong.EFORBIDDEN:
			return &xinyong.Error{Code: code, Message: "role " + string(a.Role) + " may not read the store's size (the platform's staff may: admin, auditor, officer, reviewer)"}
		}
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// The wall clock, not the service's: the cache bounds load, and a
	// count is a fact of this moment whatever day the platform thinks it is.
	now := time.Now()
	if c.last.CountedAt.IsZero() || now.Sub(c.last.CountedAt) >= statsMaxAge || now.Before(c.last.CountedAt) {
		sz, err := StoreSizeOf(r.Context(), s.Svc.Store)
		if err != nil {
			return err
		}
		sz.CountedAt = now.UTC()
		c.last = sz
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, c.last)
	return nil
}
