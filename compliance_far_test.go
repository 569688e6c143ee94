package xinyong

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestClassifyDeadlineFarDue: a due date far away (a listing stored before
// its period was bounded ends in year 102026, or later) is classified at
// once: due soon is counted from today over the reminder window, not over
// every day up to the due date (which took seconds for year 102026 and
// hours for a period of a billion months).
func TestClassifyDeadlineFarDue(t *testing.T) {
	today := MustDate("2026-06-01")
	for _, due := range []Date{{Year: 102026, Month: time.June, Day: 1}, {Year: 83335359, Month: time.October, Day: 1}} {
		done := make(chan DeadlineStatus, 1)
		go func() { done <- ClassifyDeadline(Deadline{Due: due}, today, 3, Calendar{}) }()
		select {
		case st := <-done:
			if st != DeadlineOK {
				t.Errorf("due %s: %s, want ok", due, st)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("classifying a deadline due %s took more than 10 s", due)
		}
	}
}

// TestClassifyDeadlineDueSoonAsCounted: due soon is exactly "at most remind
// working days after today up to the due date" (WorkingDaysBetween), on a
// calendar with holidays and make-up working days, for every remind and
// due date in reach.
func TestClassifyDeadlineDueSoonAsCounted(t *testing.T) {
	cal := Calendar{Overrides: map[Date]Override{}}
	rnd := rand.New(rand.NewPCG(1, 2))
	start := MustDate("2026-01-01")
	for i := range 400 {
		d := start.AddDays(i)
		switch rnd.IntN(6) {
		case 0:
			cal.Overrides[d] = Override{Date: d, Kind: DayHoliday}
		case 1:
			cal.Overrides[d] = Override{Date: d, Kind: DayWorkday}
		}
	}
	for range 3000 {
		today := start.AddDays(rnd.IntN(300))
		due := today.AddDays(rnd.IntN(40))
		remind := rnd.IntN(12) - 1
		want := DeadlineOK
		if cal.WorkingDaysBetween(today, due) <= remind {
			want = DeadlineDueSoon
		}
		if got := ClassifyDeadline(Deadline{Due: due}, today, remind, cal); got != want {
			t.Fatalf("today %s due %s remind %d: %s, want %s", today, due, remind, got, want)
		}
	}
}
