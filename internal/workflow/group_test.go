package workflow

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"xinyong"
	"xinyong/internal/ledger"
	"xinyong/internal/sqlite"
)

func groupService(t *testing.T) *Service {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "x.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	signer, _, err := ledger.LoadOrCreateKey(filepath.Join(t.TempDir(), "ledger.key"), "test.xinyong/ledger")
	if err != nil {
		t.Fatal(err)
	}
	return &Service{Store: st, Signer: signer}
}

// Concurrent appends each land exactly once (one ledger leaf each), and an
// append that fails fails only its own caller: the batch it was in is
// retried one append per transaction.
func TestAppendGrouped(t *testing.T) {
	s := groupService(t)
	ctx := context.Background()
	const n = 200
	bad := errors.New("this append fails")
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = s.appendGrouped(ctx, xinyong.System, func(t *txn) error {
				if i%50 == 7 {
					return bad
				}
				_, err := t.leaf("test", "test", fmt.Sprint(i), 0, ledger.Commit([]byte("salt"), []byte(fmt.Sprint(i))))
				return err
			})
		})
	}
	wg.Wait()
	want := 0
	for i, err := range errs {
		switch {
		case i%50 == 7:
			if !errors.Is(err, bad) {
				t.Errorf("append %d: err %v, want its own failure", i, err)
			}
		case err != nil:
			t.Errorf("append %d failed with %v although it was valid", i, err)
		default:
			want++
		}
	}
	var head xinyong.LedgerHead
	seen := map[string]int{}
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		if head, err = tx.LedgerHead(); err != nil {
			return err
		}
		return tx.LedgerEntries(0, head.Size, func(e xinyong.LedgerEntry) error {
			seen[e.ObjectID]++
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if head.Size != int64(want) {
		t.Errorf("ledger size %d, want %d (one leaf per successful append)", head.Size, want)
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("leaf %s appended %d times", id, c)
		}
	}
}

// A caller whose context ended before its batch ran gets the context's
// error and nothing is written for it.
func TestAppendGroupedCancelled(t *testing.T) {
	s := groupService(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.appendGrouped(ctx, xinyong.System, func(t *txn) error {
		_, err := t.leaf("test", "test", "x", 0, ledger.Commit([]byte("salt"), []byte("x")))
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	var head xinyong.LedgerHead
	if err := s.view(context.Background(), func(tx xinyong.Tx) (err error) { head, err = tx.LedgerHead(); return }); err != nil {
		t.Fatal(err)
	}
	if head.Size != 0 {
		t.Fatalf("ledger size %d after a cancelled append, want 0", head.Size)
	}
}
