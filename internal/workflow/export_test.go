package workflow

// SetMaxOpening sets how many opened windows one deadlines run tells
// about, for tests; the returned function restores it.
func SetMaxOpening(n int) func() {
	old := maxOpening
	maxOpening = n
	return func() { maxOpening = old }
}
