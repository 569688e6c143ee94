package xinyong

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestPublicViewEffectiveEnd: the public JSON view of a listing (the
// portal's API, /api/v1/subjects/{code} and the serious list) names the day
// it really ends when the stored end date lies beyond the 60-month cap
// (Listing.EffectiveEnd; 过惩相当, DOMAIN.md §3–§5), and adds nothing for a
// listing within it.
func TestPublicViewEffectiveEnd(t *testing.T) {
	listed := MustDate("2026-03-01")
	far := listed.AddMonths(1_200_000) // a period stored before the bounds existed
	lt := ListType{Code: "T", Name: "名单"}
	subj := Subject{Kind: KindEnterprise, Code: "91620100MA74QX3K00", Name: "某公司"}
	for _, c := range []struct {
		name string
		end  Date
		want Date // effective_end, zero when absent
	}{
		{"within the cap", listed.AddMonths(36), Date{}},
		{"exactly the cap", listed.AddMonths(MaxListPeriodMonths), Date{}},
		{"stored far beyond", far, listed.AddMonths(MaxListPeriodMonths)},
		{"until removed", Date{}, Date{}},
	} {
		l := Listing{ListType: "T", State: ListingListed, ListedOn: listed, EndDate: c.end}
		v := l.PublicView(lt, subj, "某局")
		if v.EndDate != c.end || v.EffectiveEnd != c.want {
			t.Errorf("%s: end_date %s effective_end %s, want %s and %s", c.name, v.EndDate, v.EffectiveEnd, c.end, c.want)
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if has := strings.Contains(string(b), `"effective_end"`); has != !c.want.IsZero() {
			t.Errorf("%s: JSON %s", c.name, b)
		}
	}
}
