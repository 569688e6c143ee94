package xinyong

// Repair limits on the compliance board (DOMAIN.md §6: the platform decides
// within 10 working days; repair.go computes AcceptBy and DecideBy when the
// application is filed and accepted).

// PlatformUnit is the organisation name of the board row for what the
// platform itself handles (repairs of items the platform decides).
const PlatformUnit = "platform"

// RepairDeadlinesOf are an application's limits: acceptance by AcceptBy and
// the decision by DecideBy. A refusal without acceptance closes both on
// its date.
func RepairDeadlinesOf(r Repair) []Deadline {
	var out []Deadline
	var decided Date
	if r.Decision != nil {
		decided = r.Decision.Date
	}
	if !r.AcceptBy.IsZero() {
		d := Deadline{Kind: DeadlineRepair, ObjectID: r.ID, DepartmentID: r.DepartmentID, Step: "accept", Due: r.AcceptBy}
		switch {
		case r.Acceptance != nil:
			d.Done = r.Acceptance.Date
		case !decided.IsZero():
			d.Done = decided
		}
		out = append(out, d)
	}
	if !r.DecideBy.IsZero() {
		d := Deadline{Kind: DeadlineRepair, ObjectID: r.ID, DepartmentID: r.DepartmentID, Step: "decide", Due: r.DecideBy, Done: decided}
		out = append(out, d)
	}
	return out
}
