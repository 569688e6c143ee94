package xinyong

import (
	"encoding/json"
	"strings"
	"testing"
)

// A minor's record shared to another department or a relying agency
// (DOMAIN.md §2 lenient treatment of minors, §3 sharing, §7 personal
// information; PIPL Art. 31: a minor's personal information needs a
// guardian's consent; Minors Protection Law 2020 Art. 103): consent is
// never a basis, a statutory basis citing the law and its article is
// required, and then the subject and the personal fields are masked as
// supervision shows them. This holds for a record decided while the person
// was under 18 even once the person is an adult (who may now consent to
// other records, never to those), and for any record of a person under
// 18 on the day.
func TestVisibleMinorSharing(t *testing.T) {
	law := "《中华人民共和国未成年人保护法》第一百零三条"
	otherLawV := func(basis string) Viewer {
		return Viewer{Kind: ViewerOfficer, DepartmentID: visOther, Purpose: "行政许可审查", Basis: basis}
	}
	agencyV := func(basis string) Viewer {
		return Viewer{Kind: ViewerAgency, Organisation: "某银行", Purpose: "营销", Basis: basis}
	}
	supervised := map[string]FieldShow{"CF_SY": ShowClear, "CF_XDR_MC": ShowClear, "CF_XDR_ZJHM": ShowMasked, "SX_XB": ShowMasked}
	// minorAtDecision: the leniency flag says the person was under 18 when
	// decided; the person is an adult today.
	minorAtDecision := func(in *VisibilityInput) { in.Record, in.Subject = personRecord(); in.Record.Leniency.Minor = true }
	// minorByBirth: decided at 15, 16 on the day; no leniency flag.
	minorByBirth := func(in *VisibilityInput) {
		in.Record, in.Subject = personRecord()
		in.Subject.Birth = MustDate("2010-03-01")
	}
	// adultThenMinor: born 2008-03-01, decided 2026-01-10 at 17, viewed
	// 2026-06-01 at 18: an adult today, a minor's record all the same.
	adultThenMinor := func(in *VisibilityInput) {
		in.Record, in.Subject = personRecord()
		in.Subject.Birth = MustDate("2008-03-01")
	}
	tests := []struct {
		name    string
		viewer  Viewer
		change  func(in *VisibilityInput)
		consent bool
		visible bool
		rule    string
	}{
		{"agency, any text as basis: refused", agencyV("x"), minorByBirth, false, false, "sharing.minor_basis"},
		{"agency, a basis without the article: refused", agencyV("《行政处罚法》"), minorByBirth, false, false, "sharing.minor_basis"},
		{"agency, a basis naming no law: refused", agencyV("依据第三条"), minorAtDecision, false, false, "sharing.minor_basis"},
		{"agency, consent only: refused (PIPL Art. 31)", agencyV(""), minorByBirth, true, false, "sharing.minor_basis"},
		{"agency, adult now, consent to a record decided at 17: refused", agencyV(""), adultThenMinor, true, false, "sharing.minor_basis"},
		{"agency, adult now, consent to a flagged minor record: refused", agencyV(""), minorAtDecision, true, false, "sharing.minor_basis"},
		{"agency, statutory basis: shared masked", agencyV(law), minorByBirth, false, true, "sharing.minor"},
		{"agency, statutory basis and consent: shared masked", agencyV(law), adultThenMinor, true, true, "sharing.minor"},
		{"department, statutory basis (Arabic article): shared masked", otherLawV("《行政许可法》第34条"), minorAtDecision, false, true, "sharing.minor"},
		{"department, a conditional item, statutory basis: shared masked", otherLawV(law), func(in *VisibilityInput) {
			minorByBirth(in)
			in.Item.SharingScope, in.Item.DisclosureScope = ShareConditional, DiscloseAuthorised
		}, false, true, "sharing.minor"},
		{"department, item not shared: refused whatever the basis", otherLawV(law), func(in *VisibilityInput) {
			minorByBirth(in)
			in.Item.SharingScope, in.On = ShareNone, MustDate("2030-01-01")
		}, false, false, "sharing.none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := VisibilityInput{Viewer: tt.viewer, Record: visRecord(), Item: visItem(), On: visOn, Consent: tt.consent}
			tt.change(&in)
			got := Visible(in)
			if got.Visible != tt.visible || got.Rule != tt.rule {
				t.Fatalf("Visible = %v by %q (%s), want %v by %q", got.Visible, got.Rule, got.Reason, tt.visible, tt.rule)
			}
			if !got.Visible {
				return
			}
			if !got.MaskSubject {
				t.Error("a minor's record shared with the subject in clear")
			}
			if in.Item.SharingScope == ShareUnconditional {
				for k, want := range supervised {
					if got.Fields[k] != want {
						t.Errorf("field %s shown %q, want %q (as supervision shows it)", k, got.Fields[k], want)
					}
				}
			}
			b, _ := json.Marshal(got.Apply(in.Record, in.Item))
			for _, leak := range []string{"张三明", visPersonID} {
				if strings.Contains(string(b), leak) {
					t.Errorf("the shared view holds %s: %s", leak, b)
				}
			}
		})
	}
	// The adult record of the same person is shared in clear on consent:
	// the rule follows the record, not the person.
	in := VisibilityInput{Viewer: agencyV(""), Item: visItem(), On: visOn, Consent: true}
	in.Record, in.Subject = personRecord()
	if got := Visible(in); !got.Visible || got.Rule != "sharing" || got.MaskSubject {
		t.Errorf("an adult's record on consent: %+v", got)
	}
}

func TestStatutoryBasis(t *testing.T) {
	for basis, want := range map[string]bool{
		"《中华人民共和国未成年人保护法》第一百零三条":  true,
		"《征信业管理条例》第十四条":           true,
		"依据《行政许可法》第34条第一款":        true,
		"《市场监督管理严重违法失信名单管理办法》第二条": true,
		"":           false,
		"x":          false,
		"依据":         false,
		"《行政处罚法》":    false, // no article
		"行政处罚法第四十八条": false, // no title in book-title marks
		"《关于进一步完善信用修复制度的实施方案》第二条": false, // a policy document, not a law or rules
		"《》第一条":  false,
		"《法》第一条": false,
	} {
		if got := StatutoryBasis(basis); got != want {
			t.Errorf("StatutoryBasis(%q) = %v, want %v", basis, got, want)
		}
	}
}

// TestSharedSubjectMasked: the card of a registered query names a minor
// as supervision does (masked), unless a record shows the subject in clear.
func TestSharedSubjectMasked(t *testing.T) {
	on := MustDate("2026-06-01")
	minor := Subject{Kind: KindPerson, Name: "李小明", Birth: MustDate("2010-05-20")}
	adult := Subject{Kind: KindPerson, Name: "张三明", Birth: MustDate("1985-03-12")}
	org := Subject{Kind: KindEnterprise, Name: "兰州某某商贸有限公司"}
	for _, tt := range []struct {
		name         string
		s            Subject
		minor, clear int
		want         bool
	}{
		{"a minor today, nothing shown", minor, 0, 0, true},
		{"a minor today, records shown masked", minor, 2, 0, true},
		{"a minor today, its own department's records in clear", minor, 0, 1, false},
		{"an adult, nothing shown", adult, 0, 0, false},
		{"an adult whose shown records are a minor's only", adult, 1, 0, true},
		{"an adult with adult records shown in clear", adult, 1, 1, false},
		{"an enterprise", org, 1, 0, false},
	} {
		if got := SharedSubjectMasked(tt.s, on, tt.minor, tt.clear); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
