package xinyong

import "testing"

// fakeHolidays is a HolidaySource modelled on the State Council's notice for
// the 2026 National Day holiday (国庆节): 1–7 October off, Saturday
// 10 October a make-up working day (调休上班).
type fakeHolidays map[Date]holidayEntry

type holidayEntry struct {
	kind DayKind
	name string
}

func (f fakeHolidays) Lookup(d Date) (DayKind, string) {
	e, ok := f[d]
	if !ok {
		return DayUnknown, ""
	}
	return e.kind, e.name
}

func guoqing2026() fakeHolidays {
	f := fakeHolidays{}
	for d := 1; d <= 7; d++ {
		f[NewDate(2026, 10, d)] = holidayEntry{DayHoliday, "国庆节"}
	}
	f[MustDate("2026-10-10")] = holidayEntry{DayWorkday, "国庆节调休"}
	return f
}

func TestIsWorkingDay(t *testing.T) {
	c := Calendar{Source: guoqing2026()}
	tests := []struct {
		d       string
		working bool
		basis   string
	}{
		{"2026-09-30", true, "Wednesday"},
		{"2026-10-01", false, "国庆节 (Thursday)"},
		{"2026-10-05", false, "国庆节 (Monday)"},
		{"2026-10-07", false, "国庆节 last day (Wednesday)"},
		{"2026-10-08", true, "Thursday after the holiday"},
		{"2026-10-10", true, "make-up working Saturday (调休)"},
		{"2026-10-11", false, "Sunday"},
		{"2026-10-17", false, "ordinary Saturday"},
	}
	for _, tt := range tests {
		if got := c.IsWorkingDay(MustDate(tt.d)); got != tt.working {
			t.Errorf("IsWorkingDay(%s) = %v, want %v (%s)", tt.d, got, tt.working, tt.basis)
		}
	}
	if k, name := c.DayInfo(MustDate("2026-10-03")); k != DayHoliday || name != "国庆节" {
		t.Errorf("DayInfo(10-03) = %v %q", k, name)
	}
	if k, name := c.DayInfo(MustDate("2026-10-14")); k != DayUnknown || name != "" {
		t.Errorf("DayInfo(10-14) = %v %q", k, name)
	}
	// No source: Monday to Friday.
	if (Calendar{}).IsWorkingDay(MustDate("2026-10-01")) != true || (Calendar{}).IsWorkingDay(MustDate("2026-10-10")) != false {
		t.Error("without a source the weekday rule applies")
	}
}

func TestAddWorkingDays(t *testing.T) {
	c := Calendar{Source: guoqing2026()}
	tests := []struct {
		from string
		n    int
		want string
		cal  Calendar
		rule string
	}{
		{"2026-09-29", 7, "2026-10-14", c, "双公示 7 working days across 国庆 (国发〔2016〕33号): 9-30, 10-08, 09, 10 (Sat, 调休), 12, 13, 14"},
		{"2026-09-29", 7, "2026-10-08", Calendar{}, "weekday rule only: 9-30, 10-01, 02, 05, 06, 07, 08"},
		{"2026-09-30", 1, "2026-10-08", c, "the holiday is skipped"},
		{"2026-10-09", 1, "2026-10-10", c, "the make-up Saturday counts"},
		{"2026-10-10", 1, "2026-10-12", c, "Sunday skipped"},
		{"2026-10-03", 1, "2026-10-08", c, "counting from a holiday"},
		{"2026-10-03", 0, "2026-10-03", c, "n = 0 gives the date itself"},
		{"2026-10-16", 3, "2026-10-21", c, "ordinary weekend"},
		{"2026-09-30", 10, "2026-10-20", c, "10 working days (repair decision, DOMAIN.md §6)"},
		{"2026-09-30", -1, "2026-09-30", c, "negative n gives the date itself"},
	}
	for _, tt := range tests {
		if got := tt.cal.AddWorkingDays(MustDate(tt.from), tt.n).String(); got != tt.want {
			t.Errorf("AddWorkingDays(%s, %d) = %s, want %s (%s)", tt.from, tt.n, got, tt.want, tt.rule)
		}
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	c := Calendar{Source: guoqing2026()}
	tests := []struct {
		from, to string
		want     int
		rule     string
	}{
		{"2026-09-30", "2026-10-12", 4, "10-08, 09, 10 (调休), 12"},
		{"2026-09-30", "2026-10-07", 0, "all holiday"},
		{"2026-10-14", "2026-10-14", 0, "same day"},
		{"2026-10-14", "2026-10-01", 0, "to before from"},
		{"2026-10-12", "2026-10-16", 4, "after from, up to and including to"},
		{"2026-09-29", "2026-10-14", 7, "inverse of AddWorkingDays"},
	}
	for _, tt := range tests {
		if got := c.WorkingDaysBetween(MustDate(tt.from), MustDate(tt.to)); got != tt.want {
			t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d (%s)", tt.from, tt.to, got, tt.want, tt.rule)
		}
	}
}

func TestDisclosureLateness(t *testing.T) {
	c := Calendar{Source: guoqing2026()}
	tests := []struct {
		decision, submitted string
		due                 string
		late                bool
		days                int
		rule                string
	}{
		{"2026-09-29", "2026-09-29", "2026-10-14", false, 0, "same day"},
		{"2026-09-29", "2026-10-14", "2026-10-14", false, 0, "on the 7th working day: in time (双公示, 国发〔2016〕33号)"},
		{"2026-09-29", "2026-10-08", "2026-10-14", false, 0, "a naive weekday count would make 10-08 the last day"},
		{"2026-09-29", "2026-10-15", "2026-10-14", true, 1, "late by 1 working day"},
		{"2026-09-29", "2026-10-19", "2026-10-14", true, 3, "late by 3 working days: 10-15, 16, 19"},
		{"2026-09-29", "2026-10-17", "2026-10-14", true, 2, "submitted on a Saturday: 10-15, 16"},
		{"2026-09-21", "2026-10-02", "2026-09-30", true, 0, "submitted on a holiday after the due date: late, no working day past due"},
		{"2026-09-21", "2026-10-08", "2026-09-30", true, 1, "first working day after the holiday"},
		{"2026-10-01", "2026-10-09", "2026-10-15", false, 0, "decision on a holiday: counting starts after it"},
		{"2026-10-01", "2026-09-30", "2026-10-15", false, 0, "submitted before the decision date is not late"},
	}
	for _, tt := range tests {
		l := c.DisclosureLateness(MustDate(tt.decision), MustDate(tt.submitted), DisclosureDeadlineWorkingDays)
		if l.Due.String() != tt.due || l.Late != tt.late || l.WorkingDays != tt.days {
			t.Errorf("DisclosureLateness(%s, %s) = %+v, want due %s late %v by %d (%s)", tt.decision, tt.submitted, l, tt.due, tt.late, tt.days, tt.rule)
		}
	}
	if DisclosureDeadlineWorkingDays != 7 {
		t.Errorf("双公示 limit = %d, want 7 working days (DOMAIN.md §2)", DisclosureDeadlineWorkingDays)
	}
}

func TestOverridesBeatTheSource(t *testing.T) {
	// DOMAIN.md §2: the admin can amend the calendar each year.
	c := Calendar{
		Source: guoqing2026(),
		Overrides: map[Date]Override{
			MustDate("2026-10-10"): {Date: MustDate("2026-10-10"), Kind: DayHoliday, Name: "local holiday", Reason: "make-up day cancelled"},
			MustDate("2026-10-05"): {Date: MustDate("2026-10-05"), Kind: DayWorkday, Name: "duty day", Reason: "test"},
			MustDate("2026-10-14"): {Date: MustDate("2026-10-14"), Kind: DayHoliday, Name: "weekday off", Reason: "test"},
		},
	}
	if c.IsWorkingDay(MustDate("2026-10-10")) {
		t.Error("override holiday on the source's make-up day: still a working day")
	}
	if !c.IsWorkingDay(MustDate("2026-10-05")) {
		t.Error("override workday on the source's holiday: still a holiday")
	}
	if k, name := c.DayInfo(MustDate("2026-10-05")); k != DayWorkday || name != "duty day" {
		t.Errorf("DayInfo = %v %q, want the override", k, name)
	}
	// 9-30, 10-05 (override), 08, 09, 12 (10-10 now off), 13, 15 (10-14 off).
	if got := c.AddWorkingDays(MustDate("2026-09-29"), 7).String(); got != "2026-10-15" {
		t.Errorf("AddWorkingDays with overrides = %s, want 2026-10-15", got)
	}
}

func BenchmarkAddWorkingDays(b *testing.B) {
	c := Calendar{Source: guoqing2026()}
	d := MustDate("2026-09-29")
	for b.Loop() {
		if c.AddWorkingDays(d, DisclosureDeadlineWorkingDays).IsZero() {
			b.Fatal("zero")
		}
	}
}
