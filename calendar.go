package xinyong

import (
	"sync"
	"time"
)

// DayKind is what the official calendar says of a date.
type DayKind int

const (
	DayUnknown DayKind = iota // the source does not say: weekday rule applies
	DayHoliday                // a public holiday (法定节假日 and the days off around it)
	DayWorkday                // a make-up working day (调休上班), often a weekend
)

// HolidaySource tells for a date whether the official calendar makes it a
// holiday or a make-up working day. Implementations: internal/holiday
// (the State Council notices via lunar-go) and the admin's override table.
type HolidaySource interface {
	Lookup(d Date) (kind DayKind, name string)
}

// Override is an admin's correction of the official calendar for one date.
type Override struct {
	Date   Date    `json:"date"`
	Kind   DayKind `json:"kind"` // DayHoliday or DayWorkday
	Name   string  `json:"name"`
	Reason string  `json:"reason"`
}

// Calendar decides working days: the overrides first, then the official
// source, then Monday to Friday.
type Calendar struct {
	Source    HolidaySource
	Overrides map[Date]Override
	// Memo, when set, remembers working-day counts between pairs of dates
	// (intake computes the same lateness for thousands of rows).
	Memo *sync.Map
}

// DayInfo returns the kind of d and the name of its holiday, if any.
func (c Calendar) DayInfo(d Date) (DayKind, string) {
	if o, ok := c.Overrides[d]; ok {
		return o.Kind, o.Name
	}
	if c.Source != nil {
		if k, name := c.Source.Lookup(d); k != DayUnknown {
			return k, name
		}
	}
	return DayUnknown, ""
}

// IsWorkingDay reports whether d is a working day on the official calendar.
func (c Calendar) IsWorkingDay(d Date) bool {
	switch k, _ := c.DayInfo(d); k {
	case DayHoliday:
		return false
	case DayWorkday:
		return true
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// AddWorkingDays returns the n-th working day after d (n ≥ 0; n = 0 gives d).
// "Within 7 working days of the decision" means on or before
// AddWorkingDays(decision, 7).
func (c Calendar) AddWorkingDays(d Date, n int) Date {
	for n > 0 {
		d = d.AddDays(1)
		if c.IsWorkingDay(d) {
			n--
		}
	}
	return d
}

// WorkingDaysBetween counts the working days after from, up to and
// including to; 0 when to is not after from.
func (c Calendar) WorkingDaysBetween(from, to Date) int {
	var key [2]int
	if c.Memo != nil {
		key = [2]int{from.Days(), to.Days()}
		if v, ok := c.Memo.Load(key); ok {
			return v.(int)
		}
	}
	n := c.countWorkingDays(from, to)
	if c.Memo != nil {
		c.Memo.Store(key, n)
	}
	return n
}

func (c Calendar) countWorkingDays(from, to Date) int {
	n := 0
	for d := from.AddDays(1); !d.After(to); d = d.AddDays(1) {
		if c.IsWorkingDay(d) {
			n++
		}
	}
	return n
}

// DisclosureDeadlineWorkingDays is the 双公示 limit: licensing and penalty
// decisions online within 7 working days of the decision (国发〔2016〕33号;
// see regulation.md §5.1).
const DisclosureDeadlineWorkingDays = 7

// Lateness is the 双公示 check of one record.
type Lateness struct {
	Due         Date `json:"due"`
	Late        bool `json:"late"`
	WorkingDays int  `json:"late_working_days,omitempty"` // working days past the due date
}

// DisclosureLateness computes the 双公示 due date of a decision and whether
// a submission on submitted is late, and by how many working days.
func (c Calendar) DisclosureLateness(decision, submitted Date, limit int) Lateness {
	due := c.AddWorkingDays(decision, limit)
	l := Lateness{Due: due}
	if submitted.After(due) {
		l.Late = true
		l.WorkingDays = c.WorkingDaysBetween(due, submitted)
	}
	return l
}
