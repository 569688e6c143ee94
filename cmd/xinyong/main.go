// Command xinyong is the Xinyong public credit information platform: one
// binary with subcommands. Run `xinyong -h` for the list.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// XINYONG_CPUPROFILE=FILE writes a CPU profile of the whole command,
	// for measuring hot paths (see BENCHMARKS.md).
	if path := os.Getenv("XINYONG_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	m := NewMain()
	err := m.Run(ctx, os.Args[1:])
	if cerr := m.CloseForExit(); cerr != nil && err == nil {
		err = fmt.Errorf("close the store: %w", cerr)
	}
	pprof.StopCPUProfile()
	if err != nil {
		var ex exitError
		if errors.As(err, &ex) {
			if ex.msg != "" {
				fmt.Fprintln(os.Stderr, "xinyong:", ex.msg)
			}
			os.Exit(ex.code)
		}
		fmt.Fprintln(os.Stderr, "xinyong:", err)
		os.Exit(1)
	}
}
