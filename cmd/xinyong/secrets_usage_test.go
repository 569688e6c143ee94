package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestUsageHidesSecrets: a database password and a token taken from the
// environment never appear in a command's usage text, printed on -h and
// on every flag error.
func TestUsageHidesSecrets(t *testing.T) {
	t.Setenv("XINYONG_DB", "postgres://u:hunter2pw@127.0.0.1:5432/test")
	t.Setenv("XINYONG_TOKEN", "xyt_secret-token-42")
	t.Setenv("XINYONG_SIZE_TOKEN", "xyt_size-token-43")
	for _, args := range [][]string{{"migrate", "-h"}, {"import", "--bogus"}, {"bench", "-h"}, {"bench", "--nope"}, {"serve", "-h"}} {
		var out bytes.Buffer
		m := &Main{Stdout: &out, Stderr: &out, Ready: make(chan struct{})}
		m.Run(context.Background(), args)
		m.Close()
		s := out.String()
		if !strings.Contains(s, "Usage:") {
			t.Errorf("%v printed no usage: %s", args, s)
		}
		for _, secret := range []string{"hunter2pw", "xyt_secret-token-42", "xyt_size-token-43"} {
			if strings.Contains(s, secret) {
				t.Errorf("%v printed %s:\n%s", args, secret, s)
			}
		}
	}
}
