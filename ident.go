package xinyong

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Identity validation: the unified social credit code (统一社会信用代码,
// GB 32100-2015) with its embedded organisation code (GB 11714-1997), and the
// citizen identity number (公民身份号码, GB 11643-1999).

// usccAlphabet is the GB 32100-2015 character set: value = index. The letters
// I, O, Z, S and V are not used.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are 3^(i-1) mod 31 for i = 1..17 (GB 32100-2015 §5).
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// orgCodeWeights are the GB 11714-1997 weights for positions 1..8.
var orgCodeWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// idWeights are 2^(18-i) mod 11 for i = 1..17 (GB 11643-1999 §7).
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCheck maps Σ mod 11 to the check character (GB 11643-1999 §7: (12 - r) mod 11, 10 = X).
const idCheck = "10X98765432"

// OrgType is one (registration authority, organisation type) pair of GB 32100
// positions 1–2.
type OrgType struct {
	Authority string // e.g. 工商 / 市场监管
	Type      string // e.g. 企业
	Kind      SubjectKind
}

// orgTypes is the GB 32100-2015 table of registration authorities and types
// (positions 1 and 2), as data. Source: regulation.md §6.1.
var orgTypes = map[string]OrgType{
	"11": {"机构编制", "机关", KindOrganisation}, "12": {"机构编制", "事业单位", KindOrganisation},
	"13": {"机构编制", "编办直管群众团体", KindOrganisation}, "19": {"机构编制", "其他", KindOrganisation},
	"21": {"外交", "外国常驻新闻机构", KindOrganisation}, "29": {"外交", "其他", KindOrganisation},
	"31": {"司法行政", "律师执业机构", KindOrganisation}, "32": {"司法行政", "公证处", KindOrganisation},
	"33": {"司法行政", "基层法律服务所", KindOrganisation}, "34": {"司法行政", "司法鉴定机构", KindOrganisation},
	"35": {"司法行政", "仲裁委员会", KindOrganisation}, "39": {"司法行政", "其他", KindOrganisation},
	"41": {"文化", "外国在华文化中心", KindOrganisation}, "49": {"文化", "其他", KindOrganisation},
	"51": {"民政", "社会团体", KindOrganisation}, "52": {"民政", "民办非企业单位", KindOrganisation},
	"53": {"民政", "基金会", KindOrganisation}, "59": {"民政", "其他", KindOrganisation},
	"61": {"旅游", "外国旅游部门常驻代表机构", KindOrganisation}, "62": {"旅游", "港澳台地区旅游部门常驻内地代表机构", KindOrganisation},
	"69": {"旅游", "其他", KindOrganisation},
	"71": {"宗教", "宗教活动场所", KindOrganisation}, "72": {"宗教", "宗教院校", KindOrganisation}, "79": {"宗教", "其他", KindOrganisation},
	"81": {"工会", "基层工会", KindOrganisation}, "89": {"工会", "其他", KindOrganisation},
	"91": {"工商", "企业", KindEnterprise}, "92": {"工商", "个体工商户", KindIndividualBusiness},
	"93": {"工商", "农民专业合作社", KindOrganisation}, "99": {"工商", "其他", KindOrganisation},
	"A1": {"中央军委改革和编制办公室", "军队事业单位", KindOrganisation}, "A9": {"中央军委改革和编制办公室", "其他", KindOrganisation},
	"N1": {"农业", "组级集体经济组织", KindOrganisation}, "N2": {"农业", "村级集体经济组织", KindOrganisation},
	"N3": {"农业", "乡镇级集体经济组织", KindOrganisation}, "N9": {"农业", "其他", KindOrganisation},
	"Y1": {"其他", "其他", KindOrganisation},
}

// provinceCodes are the first two digits of GB/T 2260 division codes that
// appear in citizen ID numbers (83 is used for residence permits of Taiwan
// residents).
var provinceCodes = map[string]string{
	"11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古",
	"21": "辽宁", "22": "吉林", "23": "黑龙江",
	"31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西", "37": "山东",
	"41": "河南", "42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南",
	"50": "重庆", "51": "四川", "52": "贵州", "53": "云南", "54": "西藏",
	"61": "陕西", "62": "甘肃", "63": "青海", "64": "宁夏", "65": "新疆",
	"71": "台湾", "81": "香港", "82": "澳门", "83": "台湾居民",
}

// Sex of a natural person as the ID number tells it.
type Sex string

const (
	Male   Sex = "男"
	Female Sex = "女"
)

// Identity is what a valid code or ID number tells about its holder.
type Identity struct {
	Code     string      `json:"code"`
	Kind     SubjectKind `json:"kind"`
	OrgType  *OrgType    `json:"org_type,omitempty"`
	Division string      `json:"division,omitempty"`
	Sex      Sex         `json:"sex,omitempty"`
	Birth    Date        `json:"birth_date,omitzero"`
}

// Describe returns a one-line description in Chinese and English.
func (id Identity) Describe() string {
	if id.Kind == KindPerson {
		return fmt.Sprintf("natural person (自然人), %s, born %s, region %s", sexEnglish(id.Sex), id.Birth, id.Division)
	}
	return fmt.Sprintf("%s (%s / %s), region %s", id.Kind.English(), id.OrgType.Authority, id.OrgType.Type, id.Division)
}

func sexEnglish(s Sex) string {
	if s == Male {
		return "male (男)"
	}
	return "female (女)"
}

// usccValue maps a byte to its GB 32100 value, or -1.
var usccValue = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(usccAlphabet); i++ {
		t[usccAlphabet[i]] = int8(i)
	}
	return t
}()

// NormalizeCode trims spaces and upper-cases a code; full-width letters and
// digits (as typed with Chinese input methods) become half-width.
func NormalizeCode(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			clean = false
			break
		}
	}
	if clean {
		return s // the common case: nothing to change, nothing to allocate
	}
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '０' && r <= '９':
			r = '0' + (r - '０')
		case r >= 'Ａ' && r <= 'Ｚ':
			r = 'A' + (r - 'Ａ')
		case r >= 'ａ' && r <= 'ｚ':
			r = 'A' + (r - 'ａ')
		case r >= 'a' && r <= 'z':
			r = r - 'a' + 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ParseIdentity validates s as a unified social credit code or a citizen ID
// number, whichever it looks like, and returns what it tells. The error is an
// EINVALID *Error whose message says precisely what is wrong.
func ParseIdentity(s string) (Identity, error) {
	code := NormalizeCode(s)
	if len(code) == 18 && code[0] != '9' && isDigits(code[:17]) {
		// Citizen IDs start with a province code (1–8); USCCs from 工商 start 9.
		// But USCCs of 机构编制, 司法行政, 民政… (12…, 31…, 51…) may also have
		// 17 leading digits and a first pair that is a province code: when
		// the ID check fails and the USCC check passes, it is a USCC.
		if _, ok := provinceCodes[code[:2]]; ok {
			id, err := ParseCitizenID(code)
			if err != nil {
				if u, uerr := ParseUSCC(code); uerr == nil {
					return u, nil
				}
			}
			return id, err
		}
	}
	return ParseUSCC(code)
}

func invalidCode(rule, format string, args ...any) error {
	return &Error{Code: EINVALID, Message: fmt.Sprintf(format, args...), Fields: []FieldError{{Field: "code", Rule: rule, Message: fmt.Sprintf(format, args...)}}}
}

// USCCCheckChar returns the GB 32100-2015 check character for the first 17
// characters of a code, or an error if one of them is outside the alphabet.
func USCCCheckChar(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, fmt.Errorf("need 17 characters, got %d", len(first17))
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := int(usccValue[first17[i]])
		if v < 0 {
			return 0, fmt.Errorf("character %d %q is not allowed", i+1, first17[i])
		}
		sum += v * usccWeights[i]
	}
	return usccAlphabet[(31-sum%31)%31], nil
}

// OrgCodeCheckChar returns the GB 11714-1997 check character for the first 8
// characters of an organisation code.
func OrgCodeCheckChar(first8 string) (byte, error) {
	if len(first8) != 8 {
		return 0, fmt.Errorf("need 8 characters, got %d", len(first8))
	}
	sum := 0
	for i := 0; i < 8; i++ {
		c := first8[i]
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		default:
			return 0, fmt.Errorf("character %d %q is not allowed", i+1, c)
		}
		sum += v * orgCodeWeights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X', nil
	case 11:
		return '0', nil
	default:
		return byte('0' + c), nil
	}
}

// ParseUSCC validates an 18-character unified social credit code: alphabet,
// registration authority and type (positions 1–2), division (3–8), the
// embedded GB 11714 organisation code check (9–17) and the check character (18).
func ParseUSCC(s string) (Identity, error) {
	code := NormalizeCode(s)
	if !utf8.ValidString(code) {
		return Identity{}, invalidCode("uscc.encoding", "code is not valid UTF-8 text")
	}
	if n := utf8.RuneCountInString(code); n != 18 {
		return Identity{}, invalidCode("uscc.length", "a unified social credit code has 18 characters, this has %d", n)
	}
	for i := 0; i < 18; i++ {
		if usccValue[code[i]] < 0 {
			return Identity{}, invalidCode("uscc.charset", "character %d %q is not allowed (GB 32100 uses 0-9 and A-Y without I, O, S, V, Z)", i+1, code[i])
		}
	}
	ot, ok := orgTypes[code[:2]]
	if !ok {
		return Identity{}, invalidCode("uscc.org_type", "positions 1-2 %q are not a registration authority and organisation type in GB 32100", code[:2])
	}
	if !isDigits(code[2:8]) {
		return Identity{}, invalidCode("uscc.division", "positions 3-8 %q must be a 6-digit administrative division code", code[2:8])
	}
	oc, _ := OrgCodeCheckChar(code[8:16])
	if code[16] != oc {
		return Identity{}, invalidCode("uscc.org_check", "the organisation code in positions 9-17 fails its GB 11714 check: expected %q at position 17, found %q", oc, code[16])
	}
	cc, _ := USCCCheckChar(code[:17])
	if code[17] != cc {
		return Identity{}, invalidCode("uscc.check", "check character is %q but the first 17 characters give %q", code[17], cc)
	}
	return Identity{Code: code, Kind: ot.Kind, OrgType: &ot, Division: code[2:8]}, nil
}

// ParseCitizenID validates an 18-character citizen identity number: digits,
// province, birth date, and check character.
func ParseCitizenID(s string) (Identity, error) {
	code := NormalizeCode(s)
	if n := utf8.RuneCountInString(code); n != 18 {
		return Identity{}, invalidCode("id.length", "a citizen ID number has 18 characters, this has %d", n)
	}
	if !isDigits(code[:17]) {
		return Identity{}, invalidCode("id.digits", "the first 17 characters of a citizen ID number must be digits")
	}
	if c := code[17]; !(c >= '0' && c <= '9') && c != 'X' {
		return Identity{}, invalidCode("id.charset", "the last character must be a digit or X, found %q", c)
	}
	if _, ok := provinceCodes[code[:2]]; !ok {
		return Identity{}, invalidCode("id.division", "positions 1-2 %q are not a province code", code[:2])
	}
	birth, err := parseBirth(code[6:14])
	if err != nil {
		// The digits are not quoted: they are what a masked ID number hides.
		return Identity{}, invalidCode("id.birth_date", "positions 7-14 are not a valid birth date (YYYYMMDD)")
	}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(code[i]-'0') * idWeights[i]
	}
	if want := idCheck[sum%11]; code[17] != want {
		return Identity{}, invalidCode("id.check", "check character is %q but the first 17 digits give %q", code[17], want)
	}
	sex := Female
	if (code[16]-'0')%2 == 1 {
		sex = Male
	}
	return Identity{Code: code, Kind: KindPerson, Division: code[:6], Sex: sex, Birth: birth}, nil
}

// parseBirth reads YYYYMMDD (digits already checked) and refuses dates
// that do not exist.
func parseBirth(s string) (Date, error) {
	if len(s) != 8 || !isDigits(s) {
		return Date{}, fmt.Errorf("bad birth date")
	}
	num := func(a, b int) int {
		n := 0
		for i := a; i < b; i++ {
			n = n*10 + int(s[i]-'0')
		}
		return n
	}
	y, m, d := num(0, 4), num(4, 6), num(6, 8)
	if y < 1850 || y > 2200 || m < 1 || m > 12 || d < 1 {
		return Date{}, fmt.Errorf("birth date out of range")
	}
	if dt := (Date{y, time.Month(m), d}); dateOfDays(dt.Days()) != dt {
		return Date{}, fmt.Errorf("no such day") // e.g. 0230, 0431
	}
	return Date{y, time.Month(m), d}, nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

// AgeOn returns the age in whole years on date on, for someone born on birth.
func AgeOn(birth, on Date) int {
	age := on.Year - birth.Year
	if on.Month < birth.Month || (on.Month == birth.Month && on.Day < birth.Day) {
		age--
	}
	return age
}

// IsMinorOn reports whether a person born on birth is under 18 on date on
// (民法典 Art. 17; Administrative Penalty Law 2021 Art. 30).
func IsMinorOn(birth, on Date) bool { return AgeOn(birth, on) < 18 }

// AdultBornBy returns the last birth day of a person who is not a minor on
// on (IsMinorOn decides; a later birth day is a minor's), for a store to
// narrow a read to adults.
func AdultBornBy(on Date) Date {
	d := on.AddMonths(-18 * 12)
	for IsMinorOn(d, on) {
		d = d.AddDays(-1)
	}
	for !IsMinorOn(d.AddDays(1), on) {
		d = d.AddDays(1)
	}
	return d
}

// IsUnder14On reports whether a person born on birth is under 14 on date on
// (Administrative Penalty Law 2021 Art. 30: never penalised; PIPL Art. 28, 31:
// sensitive information needing guardian consent).
func IsUnder14On(birth, on Date) bool { return AgeOn(birth, on) < 14 }

// MaskID masks a citizen ID number as 620102********123X: the division code
// and the last four characters stay. Anything that is not 18 characters is
// masked whole but for its last 2 characters.
func MaskID(id string) string {
	r := []rune(id)
	if len(r) == 18 {
		return string(r[:6]) + "********" + string(r[14:])
	}
	if len(r) <= 2 {
		return strings.Repeat("*", len(r))
	}
	return strings.Repeat("*", len(r)-2) + string(r[len(r)-2:])
}

// MaskName masks a person's name: 张明 → 张*, 张三明 → 张*明, 欧阳晓明 → 欧**明.
func MaskName(name string) string {
	r := []rune(strings.TrimSpace(name))
	switch len(r) {
	case 0:
		return ""
	case 1:
		return "*"
	case 2:
		return string(r[0]) + "*"
	default:
		return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
	}
}
