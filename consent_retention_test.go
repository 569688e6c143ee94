package xinyong

import (
	"testing"
	"time"
)

// TestRetentionCutoffLeapDays: query-use entries are kept at least five
// years (DOMAIN.md §7), so the purge cutoff is the latest instant c such
// that every entry recorded before c is n years old, t.AddDate(n, 0, 0) <=
// now, on China's calendar. now.AddDate(-5, 0, 0) on 29 February 2028 is
// 1 March 2023 (2023 has no 29 February), which purged the entries of
// 1 March 2023 a day before they were five years old.
func TestRetentionCutoffLeapDays(t *testing.T) {
	at := func(y int, m time.Month, d, h, mi int) time.Time { return time.Date(y, m, d, h, mi, 0, 0, Shanghai) }
	for _, tt := range []struct {
		name  string
		years int
		now   time.Time
		want  time.Time
	}{
		{"an ordinary day", 5, at(2031, 6, 1, 8, 0), at(2026, 6, 1, 8, 0)},
		{"seven years", 7, at(2031, 6, 1, 8, 0), at(2024, 6, 1, 8, 0)},
		{"29 February, none five years back: end of 28 February", 5, at(2028, 2, 29, 10, 0), at(2023, 3, 1, 0, 0)},
		{"29 February, four-year multiple back is leap", 8, at(2028, 2, 29, 10, 0), at(2020, 2, 29, 10, 0)},
		{"1 March of a common year, leap year back: 29 February at now's time", 5, at(2029, 3, 1, 6, 0), at(2024, 2, 29, 6, 0)},
		{"1 March of a leap year", 5, at(2028, 3, 1, 6, 0), at(2023, 3, 1, 6, 0)},
		{"28 February", 5, at(2028, 2, 28, 23, 0), at(2023, 2, 28, 23, 0)},
		{"2 March", 5, at(2029, 3, 2, 0, 30), at(2024, 3, 2, 0, 30)},
		{"2100 is no leap year", 5, at(2104, 2, 29, 12, 0), at(2099, 3, 1, 0, 0)},
	} {
		got := SharingPolicy{QueryRetentionYears: tt.years}.RetentionCutoff(tt.now)
		if !got.Equal(tt.want) {
			t.Errorf("%s: cutoff at %s is %s, want %s", tt.name, tt.now, got.In(Shanghai), tt.want)
		}
	}
	// A UTC clock gives the same instant (the store's clock is UTC).
	now := time.Date(2028, 2, 28, 18, 0, 0, 0, time.UTC) // 29 February 02:00 in China
	if got, want := (SharingPolicy{}).RetentionCutoff(now), at(2023, 3, 1, 0, 0); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("cutoff at %s (UTC) is %s, want %s in UTC", now, got, want)
	}
}

// TestRetentionCutoffNeverEarly walks every hour of late February and
// early March over a leap cycle and more, for several retentions: no entry
// recorded before the cutoff is younger than the retention, and the cutoff
// is the latest such instant (an entry a minute after it is younger).
func TestRetentionCutoffNeverEarly(t *testing.T) {
	for _, years := range []int{5, 6, 7, 8, 10} {
		p := SharingPolicy{QueryRetentionYears: years}
		for y := 2027; y <= 2034; y++ {
			for now := time.Date(y, 2, 26, 0, 30, 0, 0, Shanghai); now.Before(time.Date(y, 3, 4, 0, 0, 0, 0, Shanghai)); now = now.Add(time.Hour) {
				cut := p.RetentionCutoff(now).In(Shanghai)
				for tm := cut.Add(-50 * time.Hour); tm.Before(cut); tm = tm.Add(17 * time.Minute) {
					if tm.AddDate(years, 0, 0).After(now) {
						t.Fatalf("%d years, now %s: cutoff %s purges %s, %d years old only at %s", years, now, cut, tm, years, tm.AddDate(years, 0, 0))
					}
				}
				if last := cut.Add(-time.Nanosecond); last.AddDate(years, 0, 0).After(now) {
					t.Fatalf("%d years, now %s: cutoff %s purges %s, too young", years, now, cut, last)
				}
				if next := cut.Add(time.Minute); !next.AddDate(years, 0, 0).After(now) {
					t.Fatalf("%d years, now %s: cutoff %s is not the latest (%s is old enough)", years, now, cut, next)
				}
			}
		}
	}
}
