// Package holiday implements xinyong.HolidaySource from the State Council's
// yearly holiday notices (国务院办公厅关于部分节假日安排的通知) as compiled in
// github.com/6tail/lunar-go's HolidayUtil: public holidays (放假) and the
// make-up working days (调休上班) around them.
//
// Lookups are on the hot path (every 双公示 deadline, objection and repair
// limit counts working days), so each year is read from lunar-go once, into
// a fixed table, and later lookups are lock-free atomic reads.
// A year the library has no notice for (a future year not yet announced, or
// before 2002) gives DayUnknown for every date, and xinyong.Calendar falls
// back to Monday–Friday; the admin's override table corrects either.
package holiday

import (
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/6tail/lunar-go/HolidayUtil"

	"xinyong"
)

// Years outside this range are never looked up in the library (it has no
// data there) and never cached, so hostile or mistyped dates cannot grow the
// cache without bound.
const (
	minYear = 1990
	maxYear = 2200
)

type entry struct {
	kind xinyong.DayKind
	name string
}

// yearTable holds one year's days by (month-1)*31 + (day-1).
type yearTable [12 * 31]entry

// emptyYear is shared by every year without data.
var emptyYear = new(yearTable)

// Source is the official calendar from lunar-go. The zero value is ready to
// use; New returns one. It is safe for concurrent use.
type Source struct {
	years [maxYear - minYear + 1]atomic.Pointer[yearTable] // nil until loaded; immutable once stored
	mu    sync.Mutex                                       // serialises loading (and lunar-go, which is not synchronised)
}

var _ xinyong.HolidaySource = (*Source)(nil)

// New returns a Source.
func New() *Source { return &Source{} }

// Lookup implements xinyong.HolidaySource: DayHoliday for a day off, with
// the holiday's name (e.g. 国庆节); DayWorkday for a make-up working day,
// with the name of the holiday it belongs to; DayUnknown otherwise.
func (s *Source) Lookup(d xinyong.Date) (xinyong.DayKind, string) {
	if d.Year < minYear || d.Year > maxYear || d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > 31 {
		return xinyong.DayUnknown, ""
	}
	t := s.year(d.Year)
	e := t[(int(d.Month)-1)*31+d.Day-1]
	return e.kind, e.name
}

// HasYear reports whether the library has a holiday notice for the year.
func (s *Source) HasYear(year int) bool {
	return year >= minYear && year <= maxYear && s.year(year) != emptyYear
}

func (s *Source) year(y int) *yearTable {
	p := &s.years[y-minYear]
	if t := p.Load(); t != nil {
		return t
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := p.Load(); t != nil {
		return t
	}
	t := load(y)
	p.Store(t)
	return t
}

// load reads one year from lunar-go. Its dates are "YYYY-MM-DD".
func load(y int) *yearTable {
	l := HolidayUtil.GetHolidaysByYear(y)
	if l == nil || l.Len() == 0 {
		return emptyYear
	}
	t := new(yearTable)
	n := 0
	for e := l.Front(); e != nil; e = e.Next() {
		h, ok := e.Value.(*HolidayUtil.Holiday)
		if !ok || h == nil {
			continue
		}
		day := h.GetDay()
		if len(day) != 10 {
			continue
		}
		yy, err1 := strconv.Atoi(day[0:4])
		mm, err2 := strconv.Atoi(day[5:7])
		dd, err3 := strconv.Atoi(day[8:10])
		if err1 != nil || err2 != nil || err3 != nil || yy != y || mm < 1 || mm > 12 || dd < 1 || dd > 31 {
			continue
		}
		kind := xinyong.DayHoliday
		if h.IsWork() {
			kind = xinyong.DayWorkday
		}
		t[(mm-1)*31+dd-1] = entry{kind: kind, name: h.GetName()}
		n++
	}
	if n == 0 {
		return emptyYear
	}
	return t
}
