package sqlite_test

import (
	"testing"

	"xinyong/internal/storetest"
)

// TestSearchBackfill: subjects stored before migration 0002 are indexed by it.
func TestSearchBackfill(t *testing.T) { storetest.SearchBackfill(t, open(t)) }
