package workflow

import (
	"context"
	"strings"

	"xinyong"
)

// Reference is the reference data as stored.
type Reference struct {
	Measures  []xinyong.Measure  `json:"measures"`
	ListTypes []xinyong.ListType `json:"list_types"`
	Regimes   xinyong.Regimes    `json:"regimes"`
}

// Reference returns measures, list types and regimes (public).
func (s *Service) Reference(ctx context.Context) (Reference, error) {
	var ref Reference
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		if ref.Measures, err = tx.Measures(); err != nil {
			return err
		}
		if ref.ListTypes, err = tx.ListTypes(); err != nil {
			return err
		}
		ref.Regimes, err = tx.Regimes()
		return err
	})
	return ref, err
}

// CalendarDay is one non-ordinary day of the calendar.
type CalendarDay struct {
	Date     xinyong.Date `json:"date"`
	Working  bool         `json:"working"`
	Name     string       `json:"name,omitempty"`
	Override bool         `json:"override,omitempty"`
}

// CalendarYear lists the holidays and make-up working days of a year.
func (s *Service) CalendarYear(ctx context.Context, year int) ([]CalendarDay, error) {
	cal, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	var out []CalendarDay
	for d := xinyong.NewDate(year, 1, 1); d.Year == year; d = d.AddDays(1) {
		k, name := cal.DayInfo(d)
		if k == xinyong.DayUnknown {
			continue
		}
		_, ov := cal.Overrides[d]
		out = append(out, CalendarDay{Date: d, Working: k == xinyong.DayWorkday, Name: name, Override: ov})
	}
	return out, nil
}

// PutOverride corrects the calendar for one date.
func (s *Service) PutOverride(ctx context.Context, actor xinyong.Actor, date, kind, name, reason string) (xinyong.Override, error) {
	var o xinyong.Override
	var v xinyong.Validation
	d, err := xinyong.ParseDate(date)
	if err != nil {
		v.Add("date", "date", "%s", err.Error())
	}
	switch kind {
	case "holiday":
		o.Kind = xinyong.DayHoliday
	case "workday":
		o.Kind = xinyong.DayWorkday
	default:
		v.Add("kind", "enum", "kind is holiday or workday")
	}
	if strings.TrimSpace(reason) == "" {
		v.Add("reason", "required", "say why the official calendar is corrected (e.g. the notice's number)")
	}
	if err := v.Err("the calendar override is not valid"); err != nil {
		return o, err
	}
	o.Date, o.Name, o.Reason = d, strings.TrimSpace(name), strings.TrimSpace(reason)
	err = s.update(ctx, actor, func(t *txn) error {
		if err := xinyong.Authorize(actor, xinyong.ActReferenceManage, xinyong.Resource{}, nil); err != nil {
			return err
		}
		if err := t.PutOverride(o); err != nil {
			return err
		}
		return t.audit("calendar.override", "calendar", d.String(), nil, o, kind+" "+o.Reason)
	})
	return o, err
}

// DeleteOverride removes a calendar correction.
func (s *Service) DeleteOverride(ctx context.Context, actor xinyong.Actor, date string) error {
	d, err := xinyong.ParseDate(date)
	if err != nil {
		return xinyong.Invalid("bad date", xinyong.FieldError{Field: "date", Rule: "date", Message: err.Error()})
	}
	err = s.update(ctx, actor, func(t *txn) error {
		if err := xinyong.Authorize(actor, xinyong.ActReferenceManage, xinyong.Resource{}, nil); err != nil {
			return err
		}
		if err := t.DeleteOverride(d); err != nil {
			return err
		}
		return t.audit("calendar.override.delete", "calendar", d.String(), nil, nil, "")
	})
	return err
}

// Audit reads the audit log.
func (s *Service) Audit(ctx context.Context, actor xinyong.Actor, f xinyong.AuditFilter) ([]xinyong.AuditEvent, error) {
	if err := xinyong.Authorize(actor, xinyong.ActAuditRead, xinyong.Resource{}, nil); err != nil {
		return nil, err
	}
	var out []xinyong.AuditEvent
	err := s.view(ctx, func(tx xinyong.Tx) error {
		var err error
		out, err = tx.ListAudit(f)
		return err
	})
	return out, err
}
