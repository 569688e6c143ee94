package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"

	"xinyong/internal/config"
	"xinyong/internal/workflow"
)

// peer registers the other platforms whose signed repair decisions are
// applied here (修复结果互认, POST /api/v1/inbound/repairs).
func (m *Main) peer(ctx context.Context, args []string) error {
	return m.sub("peer", args, map[string]func([]string) error{
		"add": func(args []string) error {
			var cfg config.Config
			fs := m.flags("peer add", "peer add --db URL --name NAME --key FILE")
			cfg.Flags(fs)
			name := fs.String("name", "", "the peer's name, as it sends it in the Xinyong-Peer header")
			keyFile := fs.String("key", "", "file with the peer's Ed25519 public key: PEM (PUBLIC KEY) or the 32 bytes in base64")
			if err := parse(fs, args); err != nil {
				return err
			}
			if *keyFile == "" {
				return exitError{code: 2, msg: "--key FILE is required"}
			}
			b, err := os.ReadFile(*keyFile)
			if err != nil {
				return exitError{code: 1, msg: err.Error()}
			}
			a, err := m.open(ctx, &cfg, false)
			if err != nil {
				return err
			}
			p, err := a.Service.AddPeer(ctx, cliActor(), workflow.PeerInput{Name: *name, Key: string(b)})
			if err != nil {
				return cliError(err)
			}
			fmt.Fprintf(m.Stdout, "peer %s registered (id %s), key %s\n", p.Name, p.ID, base64.StdEncoding.EncodeToString(p.PublicKey))
			return nil
		},
		"list": func(args []string) error {
			var cfg config.Config
			fs := m.flags("peer list", "peer list --db URL")
			cfg.Flags(fs)
			if err := parse(fs, args); err != nil {
				return err
			}
			a, err := m.open(ctx, &cfg, false)
			if err != nil {
				return err
			}
			ps, err := a.Service.Peers(ctx, cliActor())
			if err != nil {
				return cliError(err)
			}
			for _, p := range ps {
				state := "enabled"
				if p.Disabled {
					state = "disabled"
				}
				fmt.Fprintf(m.Stdout, "%s\t%s\t%s\t%s\n", p.Name, base64.StdEncoding.EncodeToString(p.PublicKey), state, p.CreatedAt.Format("2006-01-02"))
			}
			return nil
		},
	}, []string{"add", "list"})
}
