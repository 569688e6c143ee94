package xinyong

import "strings"

// Public disclosure of serious-dishonesty listings (issue 6, "Listing —
// published on the portal if the list type allows"). Like Visible for
// records, ListingPublic is the only function deciding whether the public
// sees a listing, and Listing.PublicView the only one shaping what it sees.

// ListingPublic reports whether the public sees the listing on on: listed,
// in force that day (Active), published when it was listed and its list
// type still published, with a decision document; never a minor (who
// cannot be listed, but is checked again here). A removed listing never
// shows.
func ListingPublic(l Listing, lt ListType, subj Subject, on Date) bool {
	switch {
	case l.State != ListingListed || !l.Active(on):
		return false
	case !l.Published || !lt.Published || lt.Code != l.ListType:
		return false
	case !l.Disclosable():
		return false
	case MinorOn(subj, on):
		return false
	}
	return true
}

// Disclosable reports whether the listing may be shown to the public at
// all, whatever the day and the list type: published when it was listed,
// with a decision document (ListingPublic; the store keeps it as a column
// to pick the public page from an index).
func (l Listing) Disclosable() bool { return l.Published && l.Decision != nil }

// PublicListingView is a listing as the public sees it: the list, the
// decision document's number and date, the identifying department, the
// listing period and the basis. A natural person's name is masked (in the
// name and in the text) and no full citizen ID number appears.
type PublicListingView struct {
	ListType       string      `json:"list_type"`
	ListTypeName   string      `json:"list_type_name"`
	SubjectRef     string      `json:"subject_ref,omitempty"` // what /subjects/{ref} takes
	SubjectCode    string      `json:"subject_code"`
	SubjectName    string      `json:"subject_name"`
	SubjectKind    SubjectKind `json:"subject_kind"`
	Masked         bool        `json:"masked,omitempty"`
	DecisionNumber string      `json:"decision_number"`
	DecisionDate   Date        `json:"decision_date"`
	Authority      string      `json:"authority"`     // the identifying department (认定部门)
	PeriodMonths   int         `json:"period_months"` // 0: until removed
	ListedOn       Date        `json:"listed_on"`
	EndDate        Date        `json:"end_date,omitzero"` // zero: until removed
	// EffectiveEnd is the day the listing ends when its stored end date
	// lies beyond the longest period (Listing.PeriodEnd: a date stored
	// before the bounds existed); absent when it is the end date.
	EffectiveEnd Date   `json:"effective_end,omitzero"`
	Basis        string `json:"basis"`
}

// PublicView returns the public view of a listing ListingPublic allows;
// authority is the identifying department's name.
func (l Listing) PublicView(lt ListType, subj Subject, authority string) PublicListingView {
	person := subj.Kind == KindPerson
	name := strings.TrimSpace(subj.Name)
	text := func(s string) string {
		if person && name != "" {
			s = strings.ReplaceAll(s, name, MaskName(name))
		}
		return MaskCitizenIDs(s)
	}
	v := PublicListingView{
		ListType: l.ListType, ListTypeName: lt.Name, SubjectCode: MaskIDIfPerson(subj.Code), SubjectName: name, SubjectKind: subj.Kind,
		Authority: text(authority), ListedOn: l.ListedOn, EndDate: l.EndDate,
	}
	if e := l.PeriodEnd(); e.Capped() {
		v.EffectiveEnd = e.End
	}
	if person {
		v.SubjectName, v.Masked, v.SubjectCode = MaskName(name), true, MaskID(subj.Code)
	}
	if d := l.Decision; d != nil {
		v.DecisionNumber, v.DecisionDate, v.PeriodMonths, v.Basis = text(d.Number), d.Date, d.PeriodMonths, text(d.Basis)
	}
	if v.Basis == "" {
		v.Basis = text(l.Basis)
	}
	return v
}
