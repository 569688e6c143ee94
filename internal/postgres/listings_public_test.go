package postgres_test

import (
	"testing"

	"xinyong"
	"xinyong/internal/pgtest"
	"xinyong/internal/storetest"
)

// TestPublicListings runs the store suite's public list page tests
// (storetest.RunPublicListings) on PostgreSQL.
func TestPublicListings(t *testing.T) {
	storetest.RunPublicListings(t, func(t *testing.T) xinyong.Store { return migrated(t, pgtest.DSN(t)) })
}
