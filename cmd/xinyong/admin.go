package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"xinyong"
	"xinyong/internal/config"
	"xinyong/internal/workflow"
)

// sub dispatches "COMMAND SUB [flags]".
func (m *Main) sub(name string, args []string, subs map[string]func([]string) error, order []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(m.Stderr, "Usage: xinyong %s SUBCOMMAND [flags]\n\nSubcommands: %s\nRun `xinyong %s SUBCOMMAND -h` for flags.\n", name, strings.Join(order, ", "), name)
		if len(args) == 0 {
			return exitError{code: 2}
		}
		return nil
	}
	f, ok := subs[args[0]]
	if !ok {
		return exitError{code: 2, msg: fmt.Sprintf("%s: unknown subcommand %q (want one of %s)", name, args[0], strings.Join(order, ", "))}
	}
	return helpOK(f(args[1:]))
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (m *Main) department(ctx context.Context, args []string) error {
	return m.sub("department", args, map[string]func([]string) error{
		"add": func(args []string) error {
			var cfg config.Config
			fs := m.flags("department add", "department add --db URL --code USCC --name NAME [--provides ITEM,...]")
			cfg.Flags(fs)
			code := fs.String("code", "", "the department's unified social credit code")
			name := fs.String("name", "", "the department's name")
			provides := fs.String("provides", "", "catalogue items it provides: codes or Chinese names, comma-separated (e.g. 行政许可,行政处罚)")
			if err := parse(fs, args); err != nil {
				return err
			}
			a, err := m.open(ctx, &cfg, false)
			if err != nil {
				return err
			}
			d, err := a.Service.CreateDepartment(ctx, cliActor(), workflow.DepartmentInput{Code: *code, Name: *name, Provides: splitList(*provides)})
			if err != nil {
				return cliError(err)
			}
			fmt.Fprintf(m.Stdout, "added department %s %s (id %s), provides %s\n", d.Code, d.Name, d.ID, strings.Join(d.Provides, ","))
			return nil
		},
		"set": func(args []string) error {
			var cfg config.Config
			fs := m.flags("department set", "department set --db URL --code USCC [--name NAME] [--provides ITEM,...] [--disable|--enable]")
			cfg.Flags(fs)
			code := fs.String("code", "", "the department's code")
			name := fs.String("name", "", "new name")
			provides := fs.String("provides", "\x00", "catalogue items it provides (replaces the list; empty string for none)")
			disable := fs.Bool("disable", false, "disable the department")
			enable := fs.Bool("enable", false, "re-enable the department")
			if err := parse(fs, args); err != nil {
				return err
			}
			var u workflow.DepartmentUpdate
			if *name != "" {
				u.Name = name
			}
			if *provides != "\x00" {
				l := splitList(*provides)
				u.Provides = &l
			}
			if *disable || *enable {
				d := *disable
				u.Disabled = &d
			}
			a, err := m.open(ctx, &cfg, false)
			if err != nil {
				return err
			}
			d, err := a.Service.UpdateDepartment(ctx, cliActor(), *code, u)
			if err != nil {
				return cliError(err)
			}
			fmt.Fprintf(m.Stdout, "department %s %s provides %s disabled=%v\n", d.Code, d.Name, strings.Join(d.Provides, ","), d.Disabled)
			return nil
		},
		"list": func(args []string) error {
			var cfg config.Config
			fs := m.flags("department list", "department list --db URL [--json]")
			cfg.Flags(fs)
			asJSON := fs.Bool("json", false, "print JSON")
			if err := parse(fs, args); err != nil {
				return err
			}
			a, err := m.open(ctx, &cfg, false)
			if err != nil {
				return err
			}
			ds, err := a.Service.Departments(ctx, cliActor())
			if err != nil {
				return cliError(err)
			}
			if *asJSON {
				return json.NewEncoder(m.Stdout).Encode(ds)
			}
			tw := tabwriter.NewWriter(m.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CODE\tNAME\tPROVIDES\tDISABLED")
			for _, d := range ds {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%v\n", d.Code, d.Name, strings.Join(d.Provides, ","), d.Disabled)
			}
			return tw.Flush()
		},
	}, []string{"add", "list", "set"})
}

func (m *Main) user(ctx context.Context, args []string) error {
	return m.sub("user", args, map[string]func([]string) error{
		"add": func(args []string) error {
			var cfg config.Config
			fs := m.flags("user add", "user add --db URL --username NAME --role ROLE [--department CODE] [--subject CODE] [--name FULLNAME]")
			cfg.Flags(fs)
			var in workflow.AccountInput
			fs.StringVar(&in.Username, "username", "", "sign-in name")
			fs.StringVar(&in.Name, "name", "", "full name")
			fs.StringVar(&in.Role, "role", "", "admin, officer, reviewer, agency, auditor or subject")
			fs.StringVar(&in.Department, "department", "", "department code (officer, reviewer)")
			fs.StringVar(&in.SubjectCode, "subject", "", "the subject's code (role subject)")
			fs.StringVar(&in.Organisation, "organisation", "", "organisation (agency)")
			if err := parse(fs, args); err != nil {
				return err
			}
			a, err := m.open(ctx, &cfg, false)
			if err != nil {
				return err
			}
			acc, pw, err := a.Service.CreateAccount(ctx, cliActor(), in)
			if err != nil {
				return cliError(err)
			}
			fmt.Fprintf(m.Stderr, "added %s (%s); its one-time password follows on stdout and is not shown again\n", acc.Username, acc.Role)
			fmt.Fprintln(m.Stdout, pw)
			return nil
		},
		"list": func(args []string) error {
			var cfg config.Config
			fs := m.flags("user list", "user list --db URL")
			cfg.Flags(fs)
			if err := parse(fs, args); err != nil {
				return err
			}
			a, err := m.open(ctx, &cfg, false)
			if err != nil {
				return err
			}
			as, err := a.Service.Accounts(ctx, cliActor())
			if err != nil {
				return cliError(err)
			}
			tw := tabwriter.NewWriter(m.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "USERNAME\tROLE\tORGANISATION\tDISABLED")
			for _, u := range as {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%v\n", u.Username, u.Role, u.Organisation, u.Disabled)
			}
			return tw.Flush()
		},
		"disable": func(args []string) error {
			var cfg config.Config
			fs := m.flags("user disable", "user disable --db URL --username NAME [--enable]")
			cfg.Flags(fs)
			name := fs.String("username", "", "account")
			enable := fs.Bool("enable", false, "re-enable instead")
			if err := parse(fs, args); err != nil {
				return err
			}
			a, err := m.open(ctx, &cfg, false)
			if err != nil {
				return err
			}
			if err := a.Service.DisableAccount(ctx, cliActor(), *name, !*enable); err != nil {
				return cliError(err)
			}
			fmt.Fprintf(m.Stdout, "%s disabled=%v\n", *name, !*enable)
			return nil
		},
		"passwd": func(args []string) error {
			var cfg config.Config
			fs := m.flags("user passwd", "user passwd --db URL --username NAME   (prints a new one-time password)")
			cfg.Flags(fs)
			name := fs.String("username", "", "account")
			if err := parse(fs, args); err != nil {
				return err
			}
			a, err := m.open(ctx, &cfg, false)
			if err != nil {
				return err
			}
			pw := workflow.RandomSecret(15)
			if err := a.Service.SetPassword(ctx, cliActor(), *name, pw); err != nil {
				return cliError(err)
			}
			fmt.Fprintln(m.Stdout, pw)
			return nil
		},
	}, []string{"add", "list", "disable", "passwd"})
}

func (m *Main) token(ctx context.Context, args []string) error {
	return m.sub("token", args, map[string]func([]string) error{
		"create": func(args []string) error {
			var cfg config.Config
			fs := m.flags("token create", "token create --db URL --role ROLE [--department CODE] --name NAME")
			cfg.Flags(fs)
			var in workflow.TokenInput
			fs.StringVar(&in.Role, "role", "", "admin, officer, reviewer, agency, auditor or subject")
			fs.StringVar(&in.Department, "department", "", "department code (required for officer and reviewer)")
			fs.StringVar(&in.Name, "name", "", "which system uses the token")
			fs.StringVar(&in.Organisation, "organisation", "", "the organisation behind the token (agency)")
			if err := parse(fs, args); err != nil {
				return err
			}
			a, err := m.open(ctx, &cfg, false)
			if err != nil {
				return err
			}
			_, secret, err := a.Service.CreateToken(ctx, cliActor(), in)
			if err != nil {
				return cliError(err)
			}
			fmt.Fprintln(m.Stdout, secret)
			return nil
		},
		"list": func(args []string) error {
			var cfg config.Config
			fs := m.flags("token list", "token list --db URL")
			cfg.Flags(fs)
			if err := parse(fs, args); err != nil {
				return err
			}
			a, err := m.open(ctx, &cfg, false)
			if err != nil {
				return err
			}
			ts, err := a.Service.Tokens(ctx, cliActor())
			if err != nil {
				return cliError(err)
			}
			tw := tabwriter.NewWriter(m.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tROLE\tORGANISATION\tREVOKED")
			for _, k := range ts {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\n", k.ID, k.Name, k.Role, k.Organisation, k.RevokedAt != nil)
			}
			return tw.Flush()
		},
		"revoke": func(args []string) error {
			var cfg config.Config
			fs := m.flags("token revoke", "token revoke --db URL --id ID")
			cfg.Flags(fs)
			id := fs.String("id", "", "token id (from token list)")
			if err := parse(fs, args); err != nil {
				return err
			}
			a, err := m.open(ctx, &cfg, false)
			if err != nil {
				return err
			}
			if err := a.Service.RevokeToken(ctx, cliActor(), *id); err != nil {
				return cliError(err)
			}
			fmt.Fprintln(m.Stdout, "revoked", *id)
			return nil
		},
	}, []string{"create", "list", "revoke"})
}

func (m *Main) catalogue(ctx context.Context, args []string) error {
	return m.sub("catalogue", args, map[string]func([]string) error{
		"list": func(args []string) error {
			var cfg config.Config
			fs := m.flags("catalogue list", "catalogue list --db URL [--json]")
			cfg.Flags(fs)
			asJSON := fs.Bool("json", false, "print JSON")
			if err := parse(fs, args); err != nil {
				return err
			}
			a, err := m.open(ctx, &cfg, false)
			if err != nil {
				return err
			}
			cats, items, err := a.Service.CatalogueItems(ctx)
			if err != nil {
				return err
			}
			if *asJSON {
				return json.NewEncoder(m.Stdout).Encode(map[string]any{"categories": cats, "items": items})
			}
			tw := tabwriter.NewWriter(m.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CODE\tNAME\tCATEGORY\tLAYER\tSTATUS\tV\tSHARING\tDISCLOSURE\tPROVENANCE\tPENDING")
			for _, it := range items {
				pending := "-"
				if p := it.Pending; p != nil { // a change awaiting approval; the version in force governs
					pending = fmt.Sprintf("%s v%d", p.Status, p.Version)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", it.Code, it.Name, it.Category, it.Layer, it.Status, it.Version, it.SharingScope, it.DisclosureScope, it.Provenance, pending)
			}
			return tw.Flush()
		},
		"load": func(args []string) error {
			var cfg config.Config
			fs := m.flags("catalogue load", "catalogue load --db URL FILE   (a provincial or city supplement, JSON; see data/README.md)")
			cfg.Flags(fs)
			if err := parse(fs, args); err != nil {
				return err
			}
			if fs.NArg() != 1 {
				return exitError{code: 2, msg: "catalogue load: give exactly one FILE"}
			}
			f, err := os.Open(fs.Arg(0))
			if err != nil {
				return err
			}
			defer f.Close()
			a, err := m.open(ctx, &cfg, false)
			if err != nil {
				return err
			}
			sup, err := a.Service.LoadSupplement(ctx, cliActor(), f)
			if err != nil {
				return cliError(err)
			}
			fmt.Fprintf(m.Stdout, "loaded %s supplement %s: %d items (as %s), %d measures\n", sup.Layer, sup.Edition, len(sup.Items), "draft or consultation", len(sup.Measures))
			return nil
		},
		"transition": func(args []string) error {
			var cfg config.Config
			fs := m.flags("catalogue transition", "catalogue transition --db URL --item CODE --to consultation|approved|retired|withdrawn [--note TEXT]   (a pending change of an approved item moves with consultation, approved or withdrawn)")
			cfg.Flags(fs)
			item := fs.String("item", "", "item code or name")
			to := fs.String("to", "", "consultation, approved or retired")
			note := fs.String("note", "", "why (e.g. the consultation notice)")
			if err := parse(fs, args); err != nil {
				return err
			}
			a, err := m.open(ctx, &cfg, false)
			if err != nil {
				return err
			}
			it, err := a.Service.TransitionItem(ctx, cliActor(), *item, xinyong.ItemStatus(*to), *note)
			if err != nil {
				return cliError(err)
			}
			fmt.Fprintf(m.Stdout, "%s %s is now %s (version %d)\n", it.Code, it.Name, it.Status, it.Version)
			return nil
		},
		"override": func(args []string) error {
			var cfg config.Config
			fs := m.flags("catalogue override", "catalogue override --db URL --code CODE --kind enterprise|organisation|individual_business --reason TEXT   (accept a code that fails its check)")
			cfg.Flags(fs)
			code := fs.String("code", "", "the 18-character code")
			kind := fs.String("kind", "enterprise", "subject kind")
			reason := fs.String("reason", "", "why it is genuine")
			if err := parse(fs, args); err != nil {
				return err
			}
			a, err := m.open(ctx, &cfg, false)
			if err != nil {
				return err
			}
			o, err := a.Service.AddCodeOverride(ctx, cliActor(), *code, *kind, *reason)
			if err != nil {
				return cliError(err)
			}
			fmt.Fprintf(m.Stdout, "override recorded for %s (%s)\n", o.Code, o.Kind)
			return nil
		},
	}, []string{"list", "load", "transition", "override"})
}

// cliError formats an application error with its field details.
func cliError(err error) error {
	fields := xinyong.ErrorFields(err)
	if len(fields) == 0 {
		if xinyong.ErrorCode(err) == xinyong.EINTERNAL {
			return err
		}
		return exitError{code: 1, msg: xinyong.ErrorMessage(err)}
	}
	var b strings.Builder
	b.WriteString(xinyong.ErrorMessage(err))
	for _, f := range fields {
		b.WriteString("\n  ")
		if f.Row > 0 {
			fmt.Fprintf(&b, "row %d: ", f.Row)
		}
		fmt.Fprintf(&b, "%s: %s [%s]", f.Field, f.Message, f.Rule)
	}
	return exitError{code: 1, msg: b.String()}
}

func (m *Main) ident(ctx context.Context, args []string) error {
	fs := m.flags("ident", "ident CODE...   (prints valid or invalid: REASON per code; exit 1 if any is invalid)")
	if err := parse(fs, args); err != nil {
		return helpOK(err)
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitError{code: 2}
	}
	bad := 0
	for _, raw := range fs.Args() {
		shown := xinyong.NormalizeCode(raw)
		id, err := xinyong.ParseIdentity(raw)
		if err == nil && id.Kind == xinyong.KindPerson || (err != nil && len(shown) == 18 && isDigits(shown[:17])) {
			shown = xinyong.MaskID(shown) // never print a full citizen ID number
		}
		if err != nil {
			bad++
			fmt.Fprintf(m.Stdout, "%s\tinvalid: %s\n", shown, xinyong.ErrorMessage(err))
			continue
		}
		fmt.Fprintf(m.Stdout, "%s\tvalid\t%s\n", shown, id.Describe())
	}
	if bad > 0 {
		return exitError{code: 1}
	}
	return nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
