package main

import (
	"context"
	"fmt"
	"os"

	"xinyong"
)

// receipt verifies measures-check receipts offline (issue 6): KEYFILE holds
// the platform's verifier key (GET /api/v1/ledger/key), FILE the receipt
// JSON exactly as the check answered it.
func (m *Main) receipt(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(m.Stderr, "Usage: xinyong receipt verify --key KEYFILE FILE   (prints valid or invalid: REASON; exit 1 if invalid)")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return nil
		}
		return exitError{code: 2}
	}
	fs := m.flags("receipt verify", "receipt verify --key KEYFILE FILE   (prints valid or invalid: REASON; exit 1 if invalid)")
	keyFile := fs.String("key", "", "file holding the verifier key (GET /api/v1/ledger/key)")
	if err := parse(fs, args[1:]); err != nil {
		return helpOK(err)
	}
	if *keyFile == "" || fs.NArg() != 1 {
		fs.Usage()
		return exitError{code: 2}
	}
	key, err := os.ReadFile(*keyFile)
	if err != nil {
		return exitError{code: 2, msg: err.Error()}
	}
	b, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return exitError{code: 2, msg: err.Error()}
	}
	r, err := xinyong.VerifyReceipt(b, string(key))
	if err != nil {
		fmt.Fprintf(m.Stdout, "invalid: %v\n", err)
		return exitError{code: 1}
	}
	fmt.Fprintf(m.Stdout, "valid\tcheck %s at %s, checkpoint %s size %d\n", r.CheckID, r.Time, r.Checkpoint.Origin, r.Checkpoint.Size)
	return nil
}
