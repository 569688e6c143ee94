package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"xinyong"
	"xinyong/internal/config"
	"xinyong/internal/ledger"
	"xinyong/internal/workflow"
)

// importResult is the --json output of xinyong import.
type importResult struct {
	ID       string        `json:"id"`
	Accepted int           `json:"accepted"`
	Rejected int           `json:"rejected"`
	Errors   []importError `json:"errors"`
}

type importError struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Value   string `json:"value,omitempty"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

func (m *Main) terminal() bool {
	f, ok := m.Stderr.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (m *Main) importCmd(ctx context.Context, args []string) error {
	var cfg config.Config
	fs := m.flags("import", "import --db URL --department CODE --kind penalty|license [--severity general] [--json] FILE\n       xinyong import --db URL --resume IMPORT_ID")
	cfg.Flags(fs)
	dept := fs.String("department", "", "the providing department's code")
	kind := fs.String("kind", "", "penalty (行政处罚, CF_* columns) or license (行政许可, XK_* columns)")
	severity := fs.String("severity", "general", "severity class of the penalties in the file (双公示 files carry none): minor, general or serious")
	asJSON := fs.Bool("json", false, `print one JSON object {"accepted":N,"rejected":M,"errors":[…]} instead of a summary`)
	resume := fs.String("resume", "", "resume an interrupted import by its id (its process must have died: no progress for 2 minutes, or --force)")
	force := fs.Bool("force", false, "with --resume: take the job over at once (only when you know its process is gone)")
	if err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	if *resume == "" && fs.NArg() != 1 {
		fs.Usage()
		return exitError{code: 2, msg: "import: give exactly one FILE"}
	}
	a, err := m.open(ctx, &cfg, false)
	if err != nil {
		return err
	}
	actor := cliActor()
	id := *resume
	if id == "" {
		path, err := filepath.Abs(fs.Arg(0))
		if err != nil {
			return err
		}
		j, err := a.Service.CreateImport(ctx, actor, workflow.ImportRequest{Department: *dept, Kind: *kind, Path: path, Severity: *severity, KeepFile: true})
		if err != nil {
			return cliError(err)
		}
		id = j.ID
	}
	var bar *progressbar.ProgressBar
	if m.terminal() && !*asJSON {
		bar = progressbar.NewOptions(-1, progressbar.OptionSetWriter(m.Stderr), progressbar.OptionSetDescription("importing rows"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("rows"), progressbar.OptionThrottle(100*time.Millisecond))
	}
	start := time.Now()
	fmt.Fprintf(m.Stderr, "import %s started\n", id)
	j, err := a.Service.RunImport(ctx, actor, id, *resume != "" && *force, func(j xinyong.Import) {
		if bar != nil {
			bar.Set(j.Rows)
			return
		}
		fmt.Fprintf(m.Stderr, "import %s: rows to %d committed, %d accepted, %d rejected\n", j.ID, j.Checkpoint, j.Accepted, j.Rejected)
	})
	if bar != nil {
		bar.Finish()
		fmt.Fprintln(m.Stderr)
	}
	if err != nil {
		if *asJSON {
			// The same shape as a finished import (the issue names it),
			// with the file-level refusal beside it and its field errors
			// (a missing column, say) in errors.
			errs := []importError{}
			for _, fe := range xinyong.ErrorFields(err) {
				errs = append(errs, importError{Row: fe.Row, Column: fe.Field, Value: xinyong.MaskCitizenIDs(fe.Value), Rule: fe.Rule, Message: fe.Message})
			}
			enc := json.NewEncoder(m.Stdout)
			enc.SetEscapeHTML(false)
			enc.Encode(map[string]any{"id": id, "accepted": j.Accepted, "rejected": j.Rejected, "errors": errs, "error": xinyong.ErrorMessage(err)})
		}
		return cliError(err)
	}
	res := importResult{ID: j.ID, Accepted: j.Accepted, Rejected: j.Rejected, Errors: []importError{}}
	err = a.Service.ImportErrors(ctx, actor, j.ID, func(e xinyong.FieldError) error {
		res.Errors = append(res.Errors, importError{Row: e.Row, Column: e.Field, Value: e.Value, Rule: e.Rule, Message: e.Message})
		return nil
	})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(m.Stdout)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		secs := time.Since(start).Seconds()
		fmt.Fprintf(m.Stdout, "import %s %s: %d rows in %.1fs (%.0f rows/s): %d accepted (%d unchanged), %d rejected; format %s\n",
			j.ID, j.Status, j.Rows, secs, float64(j.Rows)/max(secs, 1e-9), j.Accepted, j.Unchanged, j.Rejected, j.Format)
		if j.Message != "" {
			fmt.Fprintf(m.Stdout, "  note: %s\n", j.Message)
		}
		for i, e := range res.Errors {
			if i == 20 {
				fmt.Fprintf(m.Stdout, "  … %d more errors (use --json or GET /api/v1/imports/%s/errors.csv)\n", len(res.Errors)-20, j.ID)
				break
			}
			fmt.Fprintf(m.Stdout, "  row %d, %s: %s [%s]\n", e.Row, e.Column, e.Message, e.Rule)
		}
	}
	if j.Status == xinyong.ImportFailed {
		// A job that failed (now, or before a --resume that found it
		// failed) is a failure, whatever its row counts.
		return exitError{code: 1, msg: "import " + j.ID + " failed: " + j.Message}
	}
	if j.Rejected > 0 {
		return exitError{code: 1}
	}
	return nil
}

func (m *Main) ledgerCmd(ctx context.Context, args []string) error {
	return m.sub("ledger", args, map[string]func([]string) error{
		"verify": func(args []string) error {
			var cfg config.Config
			fs := m.flags("ledger verify", "ledger verify --db URL [--key VERIFIER_FILE] [--json]")
			cfg.Flags(fs)
			keyFile := fs.String("key", "", "file holding the verifier key (from GET /api/v1/ledger/key); default: derived from the signing key in --key-dir")
			asJSON := fs.Bool("json", false, "print the report as JSON")
			if err := parse(fs, args); err != nil {
				return err
			}
			a, err := m.open(ctx, &cfg, false)
			if err != nil {
				return err
			}
			vkey := ""
			if *keyFile != "" {
				b, err := os.ReadFile(*keyFile)
				if err != nil {
					return err
				}
				vkey = string(trimSpace(b))
			}
			rep, err := a.Service.Verify(ctx, vkey, nil)
			if err != nil {
				return err
			}
			if *asJSON {
				json.NewEncoder(m.Stdout).Encode(rep)
			} else {
				fmt.Fprintf(m.Stdout, "ledger size %d, root %s\nchecked %d signed checkpoints, %d record versions (%d erased), %d audit events\n", rep.Size, rep.Root, rep.Checkpoints, rep.Records, rep.Erased, rep.Audit)
				for _, p := range rep.Problems {
					if p.Index >= 0 {
						fmt.Fprintf(m.Stdout, "PROBLEM at leaf %d %s: %s\n", p.Index, p.Object, p.Message)
					} else {
						fmt.Fprintf(m.Stdout, "PROBLEM %s: %s\n", p.Object, p.Message)
					}
				}
				if rep.OK() {
					fmt.Fprintln(m.Stdout, "OK: the ledger verifies")
				}
			}
			if !rep.OK() {
				return exitError{code: 1, msg: fmt.Sprintf("ledger verification found %d problem(s)", len(rep.Problems))}
			}
			return nil
		},
		"proof": func(args []string) error {
			var cfg config.Config
			fs := m.flags("ledger proof", "ledger proof --db URL --index N [--size M]")
			cfg.Flags(fs)
			index := fs.Int64("index", -1, "leaf index")
			size := fs.Int64("size", 0, "tree size (default: the latest checkpoint's)")
			if err := parse(fs, args); err != nil {
				return err
			}
			a, err := m.open(ctx, &cfg, false)
			if err != nil {
				return err
			}
			note, err := a.Service.Checkpoint(ctx)
			if err != nil {
				return err
			}
			cp, err := ledger.OpenCheckpoint(note, a.Service.Verifier)
			if err != nil {
				return err
			}
			if *size == 0 {
				*size = int64(cp.Size)
			}
			leaf, err := a.Service.Leaf(ctx, *index)
			if err != nil {
				return cliError(err)
			}
			p, err := a.Service.InclusionProof(ctx, *index, *size)
			if err != nil {
				return cliError(err)
			}
			proof := make([]string, len(p))
			for i, h := range p {
				proof[i] = base64.StdEncoding.EncodeToString(h)
			}
			return json.NewEncoder(m.Stdout).Encode(map[string]any{"leaf": leaf, "size": *size, "proof": proof, "checkpoint": string(note)})
		},
	}, []string{"verify", "proof"})
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}
