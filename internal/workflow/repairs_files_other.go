//go:build !unix

package workflow

import "os"

// linkCount is unknown here: a refused upload then keeps its material
// (releaseUpload keeps what it cannot prove unheld).
func linkCount(os.FileInfo) (uint64, bool) { return 0, false }
