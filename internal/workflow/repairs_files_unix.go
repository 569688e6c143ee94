//go:build unix

package workflow

import (
	"os"
	"syscall"
)

// linkCount is the number of hard links to a file, where the system
// reports it.
func linkCount(fi os.FileInfo) (uint64, bool) {
	if fi == nil {
		return 0, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return uint64(st.Nlink), true
}
