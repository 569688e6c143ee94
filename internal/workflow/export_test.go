package workflow

// SetMaxOpening sets how many opened windows one deadlines run tells
// about, for tests; the returned function restores it.
func SetMaxOpening(n int) func() {
	old := maxOpening
	maxOpening = n
	return func() { maxOpening = old }
}

// SetFeedbackPage sets how many refused feedback lines one read of the
// compliance cases takes, for tests; the returned function restores it.
func SetFeedbackPage(n int) func() {
	old := feedbackPage
	feedbackPage = n
	return func() { feedbackPage = old }
}
