package holiday_test

import (
	"sync"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/holiday"
)

func d(s string) xinyong.Date { return xinyong.MustDate(s) }

// 国务院办公厅关于2026年部分节假日安排的通知:
//
//	春节：2月15日（农历腊月二十八、周日）至23日（周一）放假调休，共9天。
//	      2月14日（周六）、2月28日（周六）上班。
//	国庆节：10月1日（周四）至7日（周三）放假调休，共7天。
//	      9月20日（周日）、10月10日（周六）上班。
//	中秋节：9月25日（周五）放假，与周末连休。
//
// 国务院办公厅关于2025年部分节假日安排的通知:
//
//	春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。
//	      1月26日（周日）、2月8日（周六）上班。
func TestLookupStateCouncilNotices(t *testing.T) {
	src := holiday.New()
	cases := []struct {
		date string
		kind xinyong.DayKind
	}{
		// 2026 国庆节
		{"2026-09-30", xinyong.DayUnknown},
		{"2026-10-01", xinyong.DayHoliday},
		{"2026-10-02", xinyong.DayHoliday},
		{"2026-10-03", xinyong.DayHoliday},
		{"2026-10-04", xinyong.DayHoliday},
		{"2026-10-05", xinyong.DayHoliday},
		{"2026-10-06", xinyong.DayHoliday},
		{"2026-10-07", xinyong.DayHoliday},
		{"2026-10-08", xinyong.DayUnknown},
		{"2026-10-10", xinyong.DayWorkday}, // Saturday, make-up working day
		{"2026-09-20", xinyong.DayWorkday}, // Sunday, make-up working day
		{"2026-09-25", xinyong.DayHoliday}, // 中秋节, Friday
		// 2026 春节
		{"2026-02-14", xinyong.DayWorkday}, // Saturday
		{"2026-02-15", xinyong.DayHoliday},
		{"2026-02-23", xinyong.DayHoliday},
		{"2026-02-28", xinyong.DayWorkday}, // Saturday
		// 2025 春节
		{"2025-01-26", xinyong.DayWorkday}, // Sunday
		{"2025-01-27", xinyong.DayUnknown},
		{"2025-01-28", xinyong.DayHoliday},
		{"2025-01-29", xinyong.DayHoliday},
		{"2025-02-01", xinyong.DayHoliday},
		{"2025-02-04", xinyong.DayHoliday},
		{"2025-02-05", xinyong.DayUnknown},
		{"2025-02-08", xinyong.DayWorkday}, // Saturday
		// no notice for 2031: nothing known
		{"2031-10-01", xinyong.DayUnknown},
		{"2031-01-01", xinyong.DayUnknown},
	}
	for _, c := range cases {
		k, name := src.Lookup(d(c.date))
		if k != c.kind {
			t.Errorf("Lookup(%s) = %v %q, want %v", c.date, k, name, c.kind)
		}
		if k != xinyong.DayUnknown && name == "" {
			t.Errorf("Lookup(%s): no holiday name", c.date)
		}
	}
	if _, name := src.Lookup(d("2026-10-01")); name != "国庆节" {
		t.Errorf("2026-10-01 name = %q, want 国庆节", name)
	}
	if _, name := src.Lookup(d("2025-01-28")); name != "春节" {
		t.Errorf("2025-01-28 name = %q, want 春节", name)
	}
	if !src.HasYear(2026) || src.HasYear(2031) {
		t.Errorf("HasYear(2026) = %v, HasYear(2031) = %v", src.HasYear(2026), src.HasYear(2031))
	}
}

func TestLookupOutOfRange(t *testing.T) {
	src := holiday.New()
	for _, dt := range []xinyong.Date{{}, {Year: 1, Month: 1, Day: 1}, {Year: 9999, Month: 12, Day: 31}, {Year: 2026, Month: 13, Day: 1}} {
		if k, _ := src.Lookup(dt); k != xinyong.DayUnknown {
			t.Errorf("Lookup(%v) = %v, want DayUnknown", dt, k)
		}
	}
}

func TestCalendarAddWorkingDays(t *testing.T) {
	cal := xinyong.Calendar{Source: holiday.New()}
	cases := []struct {
		from string
		n    int
		want string
		why  string
	}{
		// 10-01..07 off; 10-08 Thu (1), 10-09 Fri (2), 10-10 Sat make-up (3),
		// 10-11 Sun off, 10-12 Mon (4), 10-13 (5), 10-14 (6), 10-15 (7).
		{"2026-09-30", 7, "2026-10-15", "双公示 limit across 国庆 2026"},
		{"2026-09-30", 1, "2026-10-08", "first working day after 国庆"},
		{"2026-09-30", 3, "2026-10-10", "the make-up Saturday counts"},
		{"2026-09-30", 0, "2026-09-30", "n = 0 gives the date itself"},
		// 09-19 Sat off, 09-20 Sun make-up (1), 09-21 Mon (2) … 09-24 Thu (5),
		// 09-25 Fri 中秋节 off, 09-28 Mon (6), 09-29 Tue (7).
		{"2026-09-18", 7, "2026-09-29", "make-up Sunday and 中秋 before 国庆"},
		// 春节 2026: 02-14 Sat make-up (1), 02-15..23 off, 02-24 Tue (2) … 02-27 Fri (5), 02-28 Sat make-up (6), 03-02 Mon (7).
		{"2026-02-13", 7, "2026-03-02", "春节 2026 with two make-up Saturdays"},
		// 春节 2025: 01-26 Sun make-up (1), 01-27 Mon (2), 01-28..02-04 off, 02-05 Wed (3), 02-06 (4), 02-07 (5), 02-08 Sat make-up (6), 02-10 Mon (7).
		{"2025-01-24", 7, "2025-02-10", "春节 2025"},
		// 2031: no notice, Monday to Friday: 10-01 is a Wednesday.
		{"2031-09-30", 7, "2031-10-09", "no data for 2031: weekdays only"},
	}
	for _, c := range cases {
		if got := cal.AddWorkingDays(d(c.from), c.n); got != d(c.want) {
			t.Errorf("%s: AddWorkingDays(%s, %d) = %s, want %s", c.why, c.from, c.n, got, c.want)
		}
	}
	if wd := d("2031-10-01").Weekday(); wd != time.Wednesday {
		t.Fatalf("2031-10-01 is a %v", wd)
	}
	if !cal.IsWorkingDay(d("2026-10-10")) || cal.IsWorkingDay(d("2026-10-05")) || !cal.IsWorkingDay(d("2031-10-01")) {
		t.Error("IsWorkingDay disagrees with the notices")
	}
}

func TestConcurrentLookups(t *testing.T) {
	src := holiday.New()
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for y := 2020; y <= 2032; y++ {
				src.Lookup(xinyong.Date{Year: y, Month: time.Month(1 + g%12), Day: 1 + g})
			}
		}(g)
	}
	wg.Wait()
	if k, _ := src.Lookup(d("2026-10-01")); k != xinyong.DayHoliday {
		t.Fatal("2026-10-01 lost after concurrent loading")
	}
}

func BenchmarkLookup(b *testing.B) {
	src := holiday.New()
	dt := d("2026-10-05")
	src.Lookup(dt)
	b.ReportAllocs()
	for b.Loop() {
		src.Lookup(dt)
	}
}

func BenchmarkAddWorkingDays7(b *testing.B) {
	cal := xinyong.Calendar{Source: holiday.New()}
	dt := d("2026-09-30")
	cal.AddWorkingDays(dt, 7)
	b.ReportAllocs()
	for b.Loop() {
		cal.AddWorkingDays(dt, 7)
	}
}
