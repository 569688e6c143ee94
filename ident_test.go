package xinyong

import (
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The helpers below compute check characters from the standards' text
// independently of ident.go, so that expected values never come from the
// code under test.

// refUSCCAlphabet is GB 32100-2015 §4: 0-9 and A-Y without I, O, S, V, Z.
const refUSCCAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// refUSCCCheck computes GB 32100-2015 position 18: weights 3^(i-1) mod 31,
// C18 = 31 - (Σ mod 31), 31 → 0.
func refUSCCCheck(t testing.TB, first17 string) byte {
	t.Helper()
	if len(first17) != 17 {
		t.Fatalf("refUSCCCheck: need 17 characters, got %q", first17)
	}
	sum, w := 0, 1
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(refUSCCAlphabet, first17[i])
		if v < 0 {
			t.Fatalf("refUSCCCheck: %q not in the GB 32100 alphabet", first17[i])
		}
		sum += v * w
		w = w * 3 % 31
	}
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return refUSCCAlphabet[c]
}

// refOrgCheck computes the GB 11714-1997 check character: 0-9 = 0-9,
// A-Z = 10-35, weights 3,7,9,10,5,8,4,2, C9 = 11 - (Σ mod 11); 10 → X, 11 → 0.
func refOrgCheck(t testing.TB, first8 string) byte {
	t.Helper()
	w := []int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 8; i++ {
		c := first8[i]
		v := 0
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		default:
			t.Fatalf("refOrgCheck: %q is not 0-9 or A-Z", c)
		}
		sum += v * w[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + c)
	}
}

// refIDCheck computes GB 11643-1999 position 18: weights 2^(18-i) mod 11,
// check = (12 - Σ mod 11) mod 11, 10 → X.
func refIDCheck(t testing.TB, first17 string) byte {
	t.Helper()
	sum := 0
	for i := 0; i < 17; i++ {
		w := 1
		for k := 0; k < 17-i; k++ { // 2^(18-(i+1))
			w = w * 2 % 11
		}
		sum += int(first17[i]-'0') * w
	}
	c := (12 - sum%11) % 11
	if c == 10 {
		return 'X'
	}
	return byte('0' + c)
}

// makeUSCC builds a valid USCC from positions 1–8 and the 8-character body of
// the organisation code.
func makeUSCC(t testing.TB, prefix8, body8 string) string {
	t.Helper()
	s := prefix8 + body8 + string(refOrgCheck(t, body8))
	return s + string(refUSCCCheck(t, s))
}

// makeID builds a valid citizen ID number from its first 17 digits.
func makeID(t testing.TB, first17 string) string {
	t.Helper()
	return first17 + string(refIDCheck(t, first17))
}

// ruleOf returns the rule of the first field error of err.
func ruleOf(err error) string {
	if fs := ErrorFields(err); len(fs) > 0 {
		return fs[0].Rule
	}
	return ""
}

func hasRule(err error, rule string) bool {
	for _, f := range ErrorFields(err) {
		if f.Rule == rule {
			return true
		}
	}
	return false
}

// TestReferenceHelpers pins the independent helpers on hand-checked values.
func TestReferenceHelpers(t *testing.T) {
	// GB 11643-1999's own example: 11010519491231002X.
	// Σ = 1·7+1·9+0·10+1·5+0·8+5·4+1·2+9·1+4·6+9·3+1·7+2·9+3·10+1·5+0·8+0·4+2·2 = 167;
	// 167 mod 11 = 2; (12-2) mod 11 = 10 → X.
	if c := refIDCheck(t, "11010519491231002"); c != 'X' {
		t.Fatalf("GB 11643 example: check %q, want X", c)
	}
	// 91512081MA62K0260E (worked example in the GB 32100 explanation quoted by
	// 02020/vite validateSocialCreditCode.js): values 9 1 5 1 2 0 8 1 21 10 6 2 19 0 2 6 0,
	// Σ value·weight = 9+3+45+27+38+0+128+17+420+290+150+26+152+0+20+180+0 = 1505,
	// 1505 mod 31 = 17, 31-17 = 14 → E. Its organisation code MA62K026 (M=22, A=10, K=20):
	// 22·3+10·7+6·9+2·10+20·5+0·8+2·4+6·2 = 66+70+54+20+100+0+8+12 = 330,
	// 330 mod 11 = 0, 11-0 = 11 → '0' (GB 11714's "11 is written 0" case).
	if c := refUSCCCheck(t, "91512081MA62K0260"); c != 'E' {
		t.Fatalf("USCC worked example: check %q, want E", c)
	}
	if c := refOrgCheck(t, "MA62K026"); c != '0' {
		t.Fatalf("GB 11714 11→0 case: check %q, want 0", c)
	}
	// GB 11714 text example (quoted in the same file): 59467239-9, Σ = 255, 255 mod 11 = 2, 11-2 = 9.
	if c := refOrgCheck(t, "59467239"); c != '9' {
		t.Fatalf("GB 11714 example: check %q, want 9", c)
	}
	// 9135021359498494XQ: org code 59498494 gives 10 → X (Σ = 320, 320 mod 11 = 1).
	if c := refOrgCheck(t, "59498494"); c != 'X' {
		t.Fatalf("GB 11714 10→X case: check %q, want X", c)
	}
}

func TestParseUSCC(t *testing.T) {
	generated := makeUSCC(t, "92620102", "MA7BCD12") // 个体工商户, 兰州市城关区
	tests := []struct {
		name, in string
		rule     string // "" = valid
		kind     SubjectKind
		orgType  string
		basis    string
	}{
		// Real codes listed in 02020/vite learn/utils/validateSocialCreditCode.js,
		// checked by refUSCCCheck and refOrgCheck above (regulation.md §6.1 verification).
		{"worked example, org check 11→0", "91512081MA62K0260E", "", KindEnterprise, "企业", "GB 32100-2015 §5; GB 11714-1997"},
		{"enterprise, numeric org code", "913502000728319549", "", KindEnterprise, "企业", "GB 32100-2015 §5"},
		{"enterprise, check A", "91350200776049653A", "", KindEnterprise, "企业", "GB 32100-2015 §5"},
		{"enterprise, org check 10→X", "9135021359498494XQ", "", KindEnterprise, "企业", "GB 11714-1997: 10 written X"},
		{"enterprise, Beijing", "91110107082833558H", "", KindEnterprise, "企业", "GB 32100-2015 §5"},
		{"public institution 12…, all digits", "123502001549897397", "", KindOrganisation, "事业单位", "GB 32100-2015 table: 1/2 机构编制 事业单位"},
		{"generated individual business", generated, "", KindIndividualBusiness, "个体工商户", "GB 32100-2015 table: 9/2 个体工商户"},
		{"lower case is normalised", "91512081ma62k0260e", "", KindEnterprise, "企业", "NormalizeCode"},
		{"full width is normalised", "９１５１２０８１ＭＡ６２Ｋ０２６０Ｅ", "", KindEnterprise, "企业", "NormalizeCode: full-width input"},
		{"surrounding spaces are trimmed", "  91512081MA62K0260E\t", "", KindEnterprise, "企业", "NormalizeCode"},

		// Real code that fails the check (whitelisted in 02020/vite; regulation.md §6.1):
		// its org code M0001QAY-9 passes GB 11714, but Σ = 2533, 2533 mod 31 = 22, 31-22 = 9 ≠ B.
		{"real code failing the check", "91350203M0001QAY9B", "uscc.check", "", "", "GB 32100-2015 §5; regulation.md §6.1"},
		{"wrong check character", "91512081MA62K0260F", "uscc.check", "", "", "GB 32100-2015 §5"},
		{"org code check fails", "91512081MA62K0270E", "uscc.org_check", "", "", "GB 11714-1997"},
		{"17 characters", "91512081MA62K0260", "uscc.length", "", "", "GB 32100-2015: 18 characters"},
		{"19 characters", "91512081MA62K0260EE", "uscc.length", "", "", "GB 32100-2015: 18 characters"},
		{"empty", "", "uscc.length", "", "", "GB 32100-2015: 18 characters"},
		{"letter I not used", "91512081MI62K0260E", "uscc.charset", "", "", "GB 32100-2015: I, O, Z, S, V not used"},
		{"letter O not used", "91512081MO62K0260E", "uscc.charset", "", "", "GB 32100-2015: I, O, Z, S, V not used"},
		{"letter Z not used", "91512081MZ62K0260E", "uscc.charset", "", "", "GB 32100-2015: I, O, Z, S, V not used"},
		{"letter S not used", "91512081MS62K0260E", "uscc.charset", "", "", "GB 32100-2015: I, O, Z, S, V not used"},
		{"letter V not used", "91512081MV62K0260E", "uscc.charset", "", "", "GB 32100-2015: I, O, Z, S, V not used"},
		{"hyphen", "91512081-MA62K026E", "uscc.charset", "", "", "GB 32100-2015 alphabet"},
		{"multibyte character", "91512081MA62K0260中", "uscc.charset", "", "", "GB 32100-2015 alphabet"},
		{"unknown authority/type 94", "94512081MA62K0260E", "uscc.org_type", "", "", "GB 32100-2015 positions 1-2"},
		{"unknown authority/type 00", "00512081MA62K0260E", "uscc.org_type", "", "", "GB 32100-2015 positions 1-2"},
		{"division with a letter", "915120A1MA62K0260E", "uscc.division", "", "", "GB 32100-2015 positions 3-8: GB/T 2260"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := ParseUSCC(tt.in)
			if tt.rule != "" {
				if err == nil {
					t.Fatalf("ParseUSCC(%q) accepted, want rule %s (%s)", tt.in, tt.rule, tt.basis)
				}
				if ErrorCode(err) != EINVALID || ruleOf(err) != tt.rule {
					t.Fatalf("ParseUSCC(%q) = %v (rule %q), want %s %s (%s)", tt.in, err, ruleOf(err), EINVALID, tt.rule, tt.basis)
				}
				if ErrorMessage(err) == "" {
					t.Errorf("error without a message")
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseUSCC(%q): %v (%s)", tt.in, err, tt.basis)
			}
			code := strings.ToUpper(strings.TrimSpace(tt.in))
			if tt.name == "full width is normalised" {
				code = "91512081MA62K0260E"
			}
			if id.Code != code {
				t.Errorf("Code = %q, want %q", id.Code, code)
			}
			if id.Kind != tt.kind || id.OrgType == nil || id.OrgType.Type != tt.orgType {
				t.Errorf("Kind/OrgType = %s/%+v, want %s/%s", id.Kind, id.OrgType, tt.kind, tt.orgType)
			}
			if id.Division != code[2:8] {
				t.Errorf("Division = %q, want %q", id.Division, code[2:8])
			}
			if id.Describe() == "" {
				t.Errorf("empty description")
			}
		})
	}
}

func TestCheckCharFunctions(t *testing.T) {
	// USCCCheckChar and OrgCodeCheckChar against the independent helpers
	// (GB 32100-2015 §5, GB 11714-1997).
	for _, first17 := range []string{"91512081MA62K0260", "91350203M0001QAY9", "12350200154989739", "Y1000000000000000", "00000000000000000"} {
		got, err := USCCCheckChar(first17)
		if err != nil || got != refUSCCCheck(t, first17) {
			t.Errorf("USCCCheckChar(%q) = %q, %v; want %q", first17, got, err, refUSCCCheck(t, first17))
		}
	}
	if _, err := USCCCheckChar("91512081MA62K026"); err == nil {
		t.Error("USCCCheckChar accepted 16 characters")
	}
	if _, err := USCCCheckChar("91512081MI62K0260"); err == nil {
		t.Error("USCCCheckChar accepted I")
	}
	for _, first8 := range []string{"MA62K026", "59467239", "59498494", "00000000", "ZZZZZZZZ"} {
		got, err := OrgCodeCheckChar(first8)
		if err != nil || got != refOrgCheck(t, first8) {
			t.Errorf("OrgCodeCheckChar(%q) = %q, %v; want %q", first8, got, err, refOrgCheck(t, first8))
		}
	}
	if _, err := OrgCodeCheckChar("5946723-"); err == nil {
		t.Error("OrgCodeCheckChar accepted -")
	}
	if _, err := OrgCodeCheckChar("5946723"); err == nil {
		t.Error("OrgCodeCheckChar accepted 7 characters")
	}
}

func TestParseCitizenID(t *testing.T) {
	gansuBoy := makeID(t, "62010220100615123")  // 兰州市城关区, born 2010-06-15, sequence 123 (odd: male)
	gansuGirl := makeID(t, "62010220080401124") // born 2008-04-01, sequence 124 (even: female)
	leap := makeID(t, "44030420000229002")      // born on 29 February 2000
	// A check character of 'X' and one of '0' (both edge values of (12-r) mod 11),
	// found by varying the sequence number.
	var withX, with0 string
	for seq := 100; seq < 1000 && (withX == "" || with0 == ""); seq++ {
		id := makeID(t, "33010619900101"+strconv.Itoa(seq))
		switch id[17] {
		case 'X':
			withX = id
		case '0':
			with0 = id
		}
	}
	tests := []struct {
		name, in string
		rule     string
		sex      Sex
		birth    string
		basis    string
	}{
		{"standard's own example", "11010519491231002X", "", Female, "1949-12-31", "GB 11643-1999 example; sequence 002 even = female"},
		{"lower-case x", "11010519491231002x", "", Female, "1949-12-31", "NormalizeCode"},
		{"full width", "１１０１０５１９４９１２３１００２Ｘ", "", Female, "1949-12-31", "NormalizeCode: full-width input"},
		{"generated male", gansuBoy, "", Male, "2010-06-15", "GB 11643-1999: odd sequence = male"},
		{"generated female", gansuGirl, "", Female, "2008-04-01", "GB 11643-1999: even sequence = female"},
		{"born 29 February", leap, "", Female, "2000-02-29", "GB 11643-1999 birth date"},
		{"check X", withX, "", "", "", "GB 11643-1999: 10 written X"},
		{"check 0", with0, "", "", "", "GB 11643-1999: (12-r) mod 11 = 0"},
		{"wrong check", "110105194912310021", "id.check", "", "", "GB 11643-1999 §7"},
		{"X where a digit is due", gansuBoy[:17] + "X", "id.check", "", "", "GB 11643-1999 §7"},
		{"17 characters", "11010519491231002", "id.length", "", "", "GB 11643-1999: 18 characters"},
		{"15-digit first-generation number", "110105491231002", "id.length", "", "", "GB 11643-1999: 18 characters"},
		{"letter inside", "1101051949123100A2", "id.digits", "", "", "GB 11643-1999: 17 digits"},
		{"last character Y", "11010519491231002Y", "id.charset", "", "", "GB 11643-1999: digit or X"},
		{"province 99", makeID(t, "99010519491231002"), "id.division", "", "", "GB/T 2260 province codes"},
		{"province 00", makeID(t, "00010519491231002"), "id.division", "", "", "GB/T 2260 province codes"},
		{"30 February", makeID(t, "11010519490230002"), "id.birth_date", "", "", "GB 11643-1999 positions 7-14: a real date"},
		{"month 13", makeID(t, "11010519491331002"), "id.birth_date", "", "", "GB 11643-1999 positions 7-14: a real date"},
		{"29 February of a common year", makeID(t, "11010519490229002"), "id.birth_date", "", "", "GB 11643-1999 positions 7-14: a real date"},
		{"year 0001", makeID(t, "11010500010101002"), "id.birth_date", "", "", "birth year out of range"},
		{"full-width digit then a Chinese character", "1101051949123100２中", "id.charset", "", "", "GB 11643-1999: digit or X"},
		{"Chinese character inside", "11010519491231中002", "id.digits", "", "", "GB 11643-1999: 17 digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := ParseCitizenID(tt.in)
			if tt.rule != "" {
				if ErrorCode(err) != EINVALID || ruleOf(err) != tt.rule {
					t.Fatalf("ParseCitizenID(%q) = %v (rule %q), want %s (%s)", tt.in, err, ruleOf(err), tt.rule, tt.basis)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseCitizenID(%q): %v (%s)", tt.in, err, tt.basis)
			}
			if id.Kind != KindPerson || id.OrgType != nil {
				t.Errorf("Kind = %s, OrgType = %v", id.Kind, id.OrgType)
			}
			if id.Code[17] != refIDCheck(t, id.Code[:17]) {
				t.Errorf("check does not round-trip: %q", id.Code)
			}
			if id.Division != id.Code[:6] {
				t.Errorf("Division = %q", id.Division)
			}
			if tt.sex != "" && id.Sex != tt.sex {
				t.Errorf("Sex = %s, want %s (%s)", id.Sex, tt.sex, tt.basis)
			}
			if tt.birth != "" && id.Birth.String() != tt.birth {
				t.Errorf("Birth = %s, want %s", id.Birth, tt.birth)
			}
			if id.Describe() == "" {
				t.Errorf("empty description")
			}
		})
	}
}

func TestParseIdentity(t *testing.T) {
	tests := []struct {
		name, in string
		kind     SubjectKind // "" = invalid
		rule     string
		basis    string
	}{
		{"citizen ID", "11010519491231002X", KindPerson, "", "GB 11643-1999"},
		{"USCC enterprise", "91512081MA62K0260E", KindEnterprise, "", "GB 32100-2015"},
		{"USCC 12… with 17 leading digits", "123502001549897397", KindOrganisation, "", "GB 32100-2015: 12 = 机构编制 事业单位; 12 is also 天津's province code"},
		{"generated USCC 51… all digits", makeUSCC(t, "51620100", "50000123"), KindOrganisation, "", "GB 32100-2015: 51 = 民政 社会团体; 51 is also 四川"},
		{"citizen ID, wrong check", "110105194912310021", "", "id.check", "GB 11643-1999 §7"},
		{"USCC failing its check", "91350203M0001QAY9B", "", "uscc.check", "GB 32100-2015 §5"},
		{"garbage", "hello", "", "uscc.length", "GB 32100-2015: 18 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := ParseIdentity(tt.in)
			if tt.kind == "" {
				if ruleOf(err) != tt.rule {
					t.Fatalf("ParseIdentity(%q) = %v, want rule %s (%s)", tt.in, err, tt.rule, tt.basis)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseIdentity(%q): %v (%s)", tt.in, err, tt.basis)
			}
			if id.Kind != tt.kind {
				t.Errorf("Kind = %s, want %s (%s)", id.Kind, tt.kind, tt.basis)
			}
		})
	}
}

func TestMasks(t *testing.T) {
	// DOMAIN.md §3: personal information is published masked,
	// e.g. ID 620102********123X, name 张*明.
	ids := []struct{ in, want string }{
		{"62010219900101123X", "620102********123X"},
		{"11010519491231002X", "110105********002X"},
		{"123", "*23"},
		{"12", "**"},
		{"", ""},
		{"1101051949123100", "**************00"},
		{"中华人民共和国公民身份号码一二三四五", "中华人民共和********二三四五"},
	}
	for _, tt := range ids {
		if got := MaskID(tt.in); got != tt.want {
			t.Errorf("MaskID(%q) = %q, want %q (DOMAIN.md §3)", tt.in, got, tt.want)
		}
	}
	names := []struct{ in, want string }{
		{"张三明", "张*明"}, {"张明", "张*"}, {"张", "*"}, {"", ""}, {" 欧阳晓明 ", "欧**明"},
	}
	for _, tt := range names {
		if got := MaskName(tt.in); got != tt.want {
			t.Errorf("MaskName(%q) = %q, want %q (DOMAIN.md §3)", tt.in, got, tt.want)
		}
	}
}

func TestAgeAndMinority(t *testing.T) {
	tests := []struct {
		birth, on     string
		age           int
		minor, under4 bool
		basis         string
	}{
		{"2008-04-01", "2026-03-31", 17, true, false, "民法典 Art. 17: adult at 18"},
		{"2008-04-01", "2026-04-01", 18, false, false, "民法典 Art. 17: adult on the 18th birthday"},
		{"2012-06-15", "2026-06-14", 13, true, true, "Administrative Penalty Law 2021 Art. 30: under 14"},
		{"2012-06-15", "2026-06-15", 14, true, false, "Administrative Penalty Law 2021 Art. 30: 14 reached"},
		{"1949-12-31", "2026-01-01", 76, false, false, "whole years"},
	}
	for _, tt := range tests {
		b, on := MustDate(tt.birth), MustDate(tt.on)
		if got := AgeOn(b, on); got != tt.age {
			t.Errorf("AgeOn(%s, %s) = %d, want %d (%s)", tt.birth, tt.on, got, tt.age, tt.basis)
		}
		if got := IsMinorOn(b, on); got != tt.minor {
			t.Errorf("IsMinorOn(%s, %s) = %v, want %v (%s)", tt.birth, tt.on, got, tt.minor, tt.basis)
		}
		if got := IsUnder14On(b, on); got != tt.under4 {
			t.Errorf("IsUnder14On(%s, %s) = %v, want %v (%s)", tt.birth, tt.on, got, tt.under4, tt.basis)
		}
	}
}

// checkMask asserts DOMAIN.md §3's masking rule on any input: the mask has as
// many characters as the input and reveals at most 6 + 4 of them.
func checkMask(t *testing.T, s string) {
	m := MaskID(s)
	if utf8.RuneCountInString(m) != utf8.RuneCountInString(s) {
		t.Fatalf("MaskID(%q) = %q changes the length", s, m)
	}
	revealed := 0
	mr, sr := []rune(m), []rune(s)
	for i := range mr {
		if mr[i] != '*' {
			revealed++
			if mr[i] != sr[i] {
				t.Fatalf("MaskID(%q) = %q invents characters", s, m)
			}
		}
	}
	if revealed > 10 {
		t.Fatalf("MaskID(%q) = %q reveals %d characters, more than 6+4", s, m, revealed)
	}
	if n := utf8.RuneCountInString(MaskName(s)) - strings.Count(MaskName(s), "*"); n > 2 {
		t.Fatalf("MaskName(%q) = %q reveals %d characters", s, MaskName(s), n)
	}
}

// checkIdentity asserts what every valid result must satisfy: the check
// characters recomputed independently match (GB 32100-2015, GB 11714-1997,
// GB 11643-1999).
func checkIdentity(t *testing.T, in string, id Identity) {
	c := id.Code
	if len(c) != 18 {
		t.Fatalf("%q: valid code %q is not 18 characters", in, c)
	}
	if id.Kind == KindPerson {
		if c[17] != refIDCheck(t, c[:17]) {
			t.Fatalf("%q: ID check does not round-trip: %q", in, c)
		}
		if id.Birth.IsZero() || id.Birth.String() != c[6:10]+"-"+c[10:12]+"-"+c[12:14] {
			t.Fatalf("%q: birth %s does not match %q", in, id.Birth, c)
		}
		if want := map[bool]Sex{true: Male, false: Female}[(c[16]-'0')%2 == 1]; id.Sex != want {
			t.Fatalf("%q: sex %s, want %s", in, id.Sex, want)
		}
		if m := MaskID(c); m != c[:6]+"********"+c[14:] {
			t.Fatalf("%q: mask %q", in, m)
		}
		return
	}
	for i := 0; i < 18; i++ {
		if strings.IndexByte(refUSCCAlphabet, c[i]) < 0 {
			t.Fatalf("%q: valid USCC %q has %q outside the alphabet", in, c, c[i])
		}
	}
	if c[17] != refUSCCCheck(t, c[:17]) {
		t.Fatalf("%q: USCC check does not round-trip: %q", in, c)
	}
	if c[16] != refOrgCheck(t, c[8:16]) {
		t.Fatalf("%q: GB 11714 check does not round-trip: %q", in, c)
	}
	if !id.Kind.Valid() || id.OrgType == nil || id.Division != c[2:8] {
		t.Fatalf("%q: bad identity %+v", in, id)
	}
	_ = id.Describe()
}

func checkErr(t *testing.T, in string, err error) {
	if ErrorCode(err) != EINVALID || ruleOf(err) == "" || ErrorMessage(err) == "" {
		t.Fatalf("%q: error %v is not an EINVALID error with a rule", in, err)
	}
}

var fuzzSeeds = []string{
	"11010519491231002X", "11010519491231002x", "91512081MA62K0260E", "91350203M0001QAY9B",
	"123502001549897397", "9135021359498494XQ", "", "9", "１１０１０５１９４９１２３１００２Ｘ",
	"1101051949123100\xff", "\xff\xfe11010519491231002X", "11010519490230002X", "62010220100615123 ",
	"中华人民共和国公民身份号码一二三四五", "Y1000000000000000?",
}

func FuzzParseIdentity(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkMask(t, s)
		id, err := ParseIdentity(s)
		if err != nil {
			checkErr(t, s, err)
		} else {
			checkIdentity(t, s, id)
		}
		// Whatever either parser accepts, ParseIdentity accepts too.
		if _, uerr := ParseUSCC(s); uerr == nil && err != nil {
			t.Fatalf("ParseUSCC(%q) accepts but ParseIdentity refuses: %v", s, err)
		}
		if _, cerr := ParseCitizenID(s); cerr == nil && err != nil {
			t.Fatalf("ParseCitizenID(%q) accepts but ParseIdentity refuses: %v", s, err)
		}
	})
}

func FuzzParseUSCC(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseUSCC(s)
		if err != nil {
			checkErr(t, s, err)
			return
		}
		if id.Kind == KindPerson {
			t.Fatalf("ParseUSCC(%q) returned a person", s)
		}
		checkIdentity(t, s, id)
		if id2, err := ParseUSCC(id.Code); err != nil || id2.Code != id.Code {
			t.Fatalf("ParseUSCC not idempotent on %q: %v", id.Code, err)
		}
	})
}

func FuzzParseCitizenID(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkMask(t, s)
		id, err := ParseCitizenID(s)
		if err != nil {
			checkErr(t, s, err)
			return
		}
		if id.Kind != KindPerson {
			t.Fatalf("ParseCitizenID(%q) returned %s", s, id.Kind)
		}
		checkIdentity(t, s, id)
		_ = IsMinorOn(id.Birth, NewDate(2026, time.April, 1))
	})
}

func BenchmarkParseUSCC(b *testing.B) {
	for b.Loop() {
		if _, err := ParseUSCC("91512081MA62K0260E"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseCitizenID(b *testing.B) {
	for b.Loop() {
		if _, err := ParseCitizenID("11010519491231002X"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSingleSubstitutionDetected: with a prime modulus (31, 11) and weights
// that are never 0, every single-character substitution changes the weighted
// sum, so no mistyped code passes (GB 32100-2015 §5; GB 11643-1999 §7).
func TestSingleSubstitutionDetected(t *testing.T) {
	uscc := []string{"91512081MA62K0260E", "9135021359498494XQ", "123502001549897397", makeUSCC(t, "Y1620100", "0A1B2C3D")}
	for _, code := range uscc {
		if _, err := ParseUSCC(code); err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		for i := 0; i < 18; i++ {
			for j := 0; j < len(refUSCCAlphabet); j++ {
				c := refUSCCAlphabet[j]
				if c == code[i] {
					continue
				}
				bad := code[:i] + string(c) + code[i+1:]
				if id, err := ParseUSCC(bad); err == nil {
					t.Errorf("ParseUSCC(%q) accepted a one-character change of %s: %+v", bad, code, id)
				}
			}
		}
	}
	ids := []string{"11010519491231002X", makeID(t, "62010220100615123"), makeID(t, "44030420000229002")}
	for _, code := range ids {
		for i := 0; i < 18; i++ {
			for _, c := range "0123456789X" {
				if byte(c) == code[i] || (c == 'X' && i < 17) {
					continue
				}
				bad := code[:i] + string(c) + code[i+1:]
				if _, err := ParseCitizenID(bad); err == nil {
					t.Errorf("ParseCitizenID(%q) accepted a one-character change of %s", bad, code)
				}
				if id, err := ParseIdentity(bad); err == nil && id.Kind == KindPerson {
					t.Errorf("ParseIdentity(%q) accepted a one-character change of %s as a person", bad, code)
				}
			}
		}
	}
}

// TestBirthDateErrorHidesDigits: a refused citizen ID number's error never
// quotes its birth-date digits, which are what the masked form hides
// (DOMAIN.md §3: 620102********123X): with the mask, they would give the
// whole number back.
func TestBirthDateErrorHidesDigits(t *testing.T) {
	id := makeID(t, "11010519490230002")
	_, err := ParseCitizenID(id)
	if ErrorCode(err) != EINVALID {
		t.Fatalf("30 February accepted: %v", err)
	}
	if msg := ErrorMessage(err) + " " + err.Error(); strings.Contains(msg, "19490230") {
		t.Errorf("the error quotes the birth-date digits: %s", msg)
	}
	for _, fe := range ErrorFields(err) {
		if strings.Contains(fe.Message+fe.Value, "19490230") {
			t.Errorf("a field error quotes the birth-date digits: %+v", fe)
		}
	}
}

// TestAdultBornBy: the last birth day of an adult on a day (Civil Code
// Art. 17: 18 years and over), on ordinary days and around 29 February.
func TestAdultBornBy(t *testing.T) {
	for _, tt := range []struct{ on, want string }{
		{"2026-11-26", "2008-11-26"},
		{"2026-02-28", "2008-02-28"},
		{"2026-03-01", "2008-03-01"},
		{"2024-02-29", "2006-02-28"},
	} {
		on := MustDate(tt.on)
		got := AdultBornBy(on)
		if IsMinorOn(got, on) || !IsMinorOn(got.AddDays(1), on) {
			t.Errorf("AdultBornBy(%s) = %s: not the last adult birth day", tt.on, got)
		}
		if got != MustDate(tt.want) {
			t.Errorf("AdultBornBy(%s) = %s, want %s", tt.on, got, tt.want)
		}
	}
}
