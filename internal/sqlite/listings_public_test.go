package sqlite_test

import (
	"testing"

	"xinyong"
	"xinyong/internal/storetest"
)

// TestPublicListings runs the store suite's public list page tests
// (storetest.RunPublicListings) on SQLite.
func TestPublicListings(t *testing.T) {
	storetest.RunPublicListings(t, func(t *testing.T) xinyong.Store {
		db := open(t)
		if err := db.Migrate(t.Context()); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
		return db
	})
}
