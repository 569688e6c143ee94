// Package gen generates a deterministic synthetic province for tests and
// benchmarks: departments, subjects (enterprises, other organisations,
// individual businesses, natural persons including minors) with valid codes
// and ID numbers, and 双公示 licensing and penalty records over seven years.
//
// Nothing is held in memory: subject i and record j are computed from the
// seed and their index alone (math/rand/v2 PCG seeded with the index), so a
// run streams any number of records, and the same seed gives the same data,
// byte for byte. Records come in decision-date order.
package gen

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"xinyong"
	"xinyong/internal/holiday"
)

// Config says what to generate.
type Config struct {
	Seed     uint64
	Subjects int
	Records  int
	// Today is the last possible decision date; records spread over Years
	// years (default 7) up to it.
	Today xinyong.Date
	Years int
	// NumberPrefix goes before the serial of every document number (e.g. a
	// run tag, so that a benchmark's rows are new records each run).
	NumberPrefix string
	// Calendar decides working days; the zero value is the official
	// calendar (internal/holiday).
	Calendar xinyong.Calendar
	// PenaltyOnly makes every record a penalty (import benchmarks); Dept, if
	// not negative, puts every record in that department.
	PenaltyOnly bool
	Dept        int
}

// Department is one identifying department: a sector at the province or a
// city level.
type Department struct {
	Index  int
	Code   string // its USCC (机关, 11…)
	Name   string // 兰州市生态环境局
	Abbr   string // 兰环 (in document numbers)
	City   int    // index in cities, -1 for the province
	Sector string // market, eco, …
}

// Subject is one credit subject.
type Subject struct {
	Index int
	Kind  xinyong.SubjectKind
	Code  string // USCC, or the citizen ID number in clear
	Name  string
	Legal string // legal representative or operator (organisations)
	City  int
	Birth xinyong.Date // natural persons
	// Minor: a person born in the minors' range (under 18 at some decision
	// dates of the window).
	Minor       bool
	Penalisable bool // may receive penalties at all
}

// Category is the 双公示 行政相对人类别.
func (s Subject) Category() string {
	switch s.Kind {
	case xinyong.KindPerson:
		return "自然人"
	case xinyong.KindIndividualBusiness:
		return "个体工商户"
	}
	return "法人及非法人组织"
}

// Record is one generated 双公示 record.
type Record struct {
	Index      int
	Kind       string // "penalty" or "license"
	Dept       int
	Subject    Subject
	Decision   xinyong.Date
	Submitted  xinyong.Date // decision + a realistic delay in working days (clamped to Today)
	DelayDays  int          // the delay in working days
	Severity   xinyong.Severity
	Categories []string
	Sector     string
	Leniency   xinyong.Leniency
	Fields     map[string]string // CF_* or XK_*
	// Withdraw: the decision is later revoked, changed or voided; the
	// record is withdrawn on WithdrawOn.
	Withdraw       bool
	WithdrawOn     xinyong.Date
	WithdrawReason string
	WithdrawNote   string
}

// Item returns the catalogue item code of the record.
func (r Record) Item() string {
	if r.Kind == "penalty" {
		return "XZCF"
	}
	return "XZXK"
}

// MinorPenalty reports whether the record penalises a minor (it carries the
// minor leniency flag, which 双公示 files cannot carry).
func (r Record) MinorPenalty() bool { return r.Kind == "penalty" && r.Leniency.Minor }

// Input returns the submission of the record.
func (r Record) Input(depts []Department) xinyong.RecordInput {
	d := depts[r.Dept]
	doc := xinyong.Document{Type: xinyong.DocPenaltyDecision, Authority: d.Name, DecisionDate: r.Decision, EffectiveDate: r.Decision}
	if r.Kind == "penalty" {
		doc.Number = r.Fields["CF_WSH"]
	} else {
		doc.Type, doc.Number = xinyong.DocLicenseDecision, r.Fields["XK_WSH"]
	}
	fields := make(map[string]string, len(r.Fields))
	for k, v := range r.Fields {
		fields[k] = v
	}
	return xinyong.RecordInput{Item: r.Item(), SubjectCode: r.Subject.Code, SubjectName: r.Subject.Name, Document: doc, Fields: fields,
		Severity: string(r.Severity), Categories: r.Categories, Sector: r.Sector, Leniency: r.Leniency}
}

// Generator computes subjects and records.
type Generator struct {
	cfg       Config
	cal       xinyong.Calendar
	depts     []Department
	deptOf    map[[2]int]int // (sector, city+1) → department
	start     xinyong.Date
	span      int
	lastWork  xinyong.Date
	divisions []county // persons' birth registration places
	divCity   []int
	adultFrom xinyong.Date
	adultDays int
	minorFrom xinyong.Date
	minorDays int
	permDigit perm // 8-digit organisation codes
	permMA    perm // MA + 6 characters
	permAdult perm
	permMinor perm
}

// New returns a generator.
func New(cfg Config) (*Generator, error) {
	if cfg.Subjects <= 0 || cfg.Records < 0 {
		return nil, fmt.Errorf("gen: need at least one subject and no negative record count")
	}
	if cfg.Today.IsZero() {
		return nil, fmt.Errorf("gen: Today is required")
	}
	if cfg.Years <= 0 {
		cfg.Years = 7
	}
	g := &Generator{cfg: cfg, cal: cfg.Calendar}
	if g.cal.Source == nil && g.cal.Overrides == nil {
		g.cal = xinyong.Calendar{Source: holiday.New()}
	}
	g.start = cfg.Today.AddMonths(-12 * cfg.Years).AddDays(1)
	g.span = cfg.Today.Days() - g.start.Days() + 1
	g.lastWork = cfg.Today
	for !g.cal.IsWorkingDay(g.lastWork) {
		g.lastWork = g.lastWork.AddDays(-1)
	}
	for ci, c := range cities {
		for _, k := range c.counties {
			g.divisions = append(g.divisions, k)
			g.divCity = append(g.divCity, ci)
		}
	}
	// Adults were born 19+Years to 80 years before today (adults on every
	// decision date); minors 12 to 22 years before it, so that they are
	// under 18 (some under 14) at some decision dates of the window.
	g.adultFrom = cfg.Today.AddMonths(-12 * 80)
	g.adultDays = cfg.Today.AddMonths(-12*(19+cfg.Years)).Days() - g.adultFrom.Days()
	g.minorFrom = cfg.Today.AddMonths(-12 * 22)
	g.minorDays = cfg.Today.AddMonths(-12*12).Days() - g.minorFrom.Days()
	s := cfg.Seed
	g.permDigit = newPerm(100_000_000, s, 1)
	g.permMA = newPerm(31*31*31*31*31*31, s, 2)
	g.permAdult = newPerm(uint64(len(g.divisions)*g.adultDays*1000), s, 3)
	g.permMinor = newPerm(uint64(len(g.divisions)*g.minorDays*1000), s, 4)
	if uint64(cfg.Subjects) > g.permMinor.n {
		return nil, fmt.Errorf("gen: at most %d subjects", g.permMinor.n)
	}
	g.buildDepartments()
	return g, nil
}

// Config returns the configuration (with defaults applied).
func (g *Generator) Config() Config { return g.cfg }

// Start returns the earliest decision date.
func (g *Generator) Start() xinyong.Date { return g.start }

// Departments returns the departments, in a fixed order.
func (g *Generator) Departments() []Department { return g.depts }

// Calendar returns the working-day calendar the generator uses.
func (g *Generator) Calendar() xinyong.Calendar { return g.cal }

func (g *Generator) buildDepartments() {
	g.deptOf = map[[2]int]int{}
	add := func(si, ci int) {
		sec := sectors[si]
		var name, abbr, div string
		if ci < 0 {
			name, abbr, div = province.full+sec.prov, province.abbr+sec.abbr, province.code
		} else {
			c := cities[ci]
			name, abbr, div = c.full+sec.city, c.abbr+sec.abbr, c.code
		}
		if sec.key == "tax" {
			name = "国家税务总局" + name
		}
		idx := len(g.depts)
		body := fmt.Sprintf("%08d", g.permDigit.at(uint64(90_000_000+idx)))
		g.depts = append(g.depts, Department{Index: idx, Code: uscc("11", div, body), Name: name, Abbr: abbr, City: ci, Sector: sec.key})
		g.deptOf[[2]int{si, ci + 1}] = idx
	}
	for si, sec := range sectors {
		add(si, -1)
		if sec.cityLevel {
			for ci := range cities {
				add(si, ci)
			}
		}
	}
}

// uscc builds a unified social credit code from its type, division and
// 8-character organisation code body, computing both check characters.
func uscc(typ, div, body string) string {
	oc, err := xinyong.OrgCodeCheckChar(body)
	if err != nil {
		panic(err)
	}
	first := typ + div + body + string(oc)
	cc, err := xinyong.USCCCheckChar(first)
	if err != nil {
		panic(err)
	}
	return first + string(cc)
}

// citizenID builds a citizen ID number with its check character.
func citizenID(div string, birth xinyong.Date, seq int) string {
	first := fmt.Sprintf("%s%04d%02d%02d%03d", div, birth.Year, int(birth.Month), birth.Day, seq)
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first[i]-'0') * idWeights[i]
	}
	return first + string("10X98765432"[sum%11])
}

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// ---- deterministic randomness ----

const (
	saltSubject = 0x9e3779b97f4a7c15
	saltRecord  = 0xc2b2ae3d27d4eb4f
	saltTraits  = 0x165667b19e3779f9
)

func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// perm is an affine permutation of [0, n): i → (a·i + b) mod n.
type perm struct{ n, a, b uint64 }

func newPerm(n, seed, k uint64) perm {
	a := mix64(seed^k*0x2545F4914F6CDD1D)%n | 1
	for gcd(a, n) != 1 {
		a += 2
		if a >= n {
			a = 1
		}
	}
	return perm{n: n, a: a, b: mix64(seed+k) % n}
}

func (p perm) at(i uint64) uint64 {
	hi, lo := bits.Mul64(p.a, i%p.n)
	return (bits.Rem64(hi, lo, p.n) + p.b) % p.n
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// traits are what record generation needs of a subject, cheaply.
type traits struct {
	kind        xinyong.SubjectKind
	typ         string // 91, 92, 12, 51, 52 or "" for persons
	city        int
	minor       bool
	penalisable bool
}

func (g *Generator) traits(i int) traits {
	h := mix64(g.cfg.Seed ^ saltTraits ^ uint64(i)*0x9E3779B97F4A7C15)
	var t traits
	switch r := h % 1000; {
	case r < 500:
		t.kind, t.typ = xinyong.KindEnterprise, "91"
	case r < 740:
		t.kind, t.typ = xinyong.KindIndividualBusiness, "92"
	case r < 930:
		t.kind = xinyong.KindPerson
	case r < 960:
		t.kind, t.typ = xinyong.KindOrganisation, "12"
	case r < 980:
		t.kind, t.typ = xinyong.KindOrganisation, "51"
	default:
		t.kind, t.typ = xinyong.KindOrganisation, "52"
	}
	h >>= 10
	if t.kind == xinyong.KindPerson {
		t.minor = h%100 < 6
		_, ci, _, _ := g.personID(i, t.minor)
		t.city = ci
	} else {
		t.city = pickWeighted(h%1000, cityWeights)
	}
	h >>= 10
	t.penalisable = h%100 < 45
	return t
}

var cityWeights = func() []int {
	w := make([]int, len(cities))
	for i, c := range cities {
		w[i] = c.weight
	}
	return w
}()

// pickWeighted maps r in [0, 1000) to an index of weights.
func pickWeighted(r uint64, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := int(r) * total / 1000
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// personID returns the division, city, birth date and ID number sequence
// of person i: a bijection of i, so no two persons share a number.
func (g *Generator) personID(i int, minor bool) (county, int, xinyong.Date, int) {
	p, from, days := g.permAdult, g.adultFrom, g.adultDays
	if minor {
		p, from, days = g.permMinor, g.minorFrom, g.minorDays
	}
	x := p.at(uint64(i))
	seq := int(x % 1000)
	x /= 1000
	day := int(x % uint64(days))
	div := int(x / uint64(days))
	return g.divisions[div], g.divCity[div], from.AddDays(day), seq
}

func (g *Generator) newRand(salt uint64, i int) *rand.Rand {
	return rand.New(rand.NewPCG(g.cfg.Seed^salt, uint64(i)))
}

// Subject returns subject i (0 ≤ i < Subjects).
func (g *Generator) Subject(i int) Subject {
	t := g.traits(i)
	rng := g.newRand(saltSubject, i)
	s := Subject{Index: i, Kind: t.kind, City: t.city, Minor: t.minor, Penalisable: t.penalisable}
	c := cities[t.city]
	county := ""
	switch t.typ {
	case "":
		div, _, birth, seq := g.personID(i, t.minor)
		s.Birth = birth
		s.Code = citizenID(div.code, birth, seq)
		s.Name = personName(rng)
		return s
	case "91":
		region := c.name
		if rng.IntN(10) == 0 {
			region = province.name
		}
		s.Name = region + tradeName(rng) + pick(rng, industries) + pick(rng, companySuffixes)
	case "92":
		k := pick(rng, c.counties)
		county = k.code
		trade := tradeName(rng)
		if rng.IntN(4) == 0 {
			trade = "老" + string(pick(rng, surnames))
		}
		s.Name = k.name + trade + pick(rng, shopKinds)
	case "12":
		place := c.full
		if rng.IntN(2) == 0 {
			place = pick(rng, c.counties).name
		}
		s.Name = place + pick(rng, publicInstitutions)
	case "51":
		s.Name = c.full + pick(rng, associations)
	case "52":
		s.Name = c.full + tradeName(rng) + pick(rng, privateNonEnterprises)
	}
	s.Legal = personName(rng)
	div := c.code
	if t.typ == "91" && rng.IntN(3) > 0 {
		div = pick(rng, c.counties).code
	}
	if county != "" {
		div = county
	}
	var body string
	if (t.typ == "91" && rng.IntN(10) < 6) || (t.typ == "92" && rng.IntN(10) < 7) {
		x := g.permMA.at(uint64(i))
		b := []byte("MA")
		for k := 0; k < 6; k++ {
			b = append(b, usccAlphabet[x%31])
			x /= 31
		}
		body = string(b)
	} else {
		body = fmt.Sprintf("%08d", g.permDigit.at(uint64(i)))
	}
	s.Code = uscc(t.typ, div, body)
	return s
}

const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

func tradeName(rng *rand.Rand) string {
	n := 2 + rng.IntN(3)
	if rng.IntN(3) > 0 {
		n = 2 + rng.IntN(2)
	}
	b := make([]rune, n)
	for k := range b {
		b[k] = pick(rng, tradeChars)
	}
	return string(b)
}

func personName(rng *rand.Rand) string {
	n := 1 + rng.IntN(2)
	if rng.IntN(5) == 0 {
		n = 1
	}
	b := []rune{pick(rng, surnames)}
	for k := 0; k < n; k++ {
		b = append(b, pick(rng, givenChars))
	}
	return string(b)
}

// Decision returns the decision date of record j: non-decreasing in j,
// denser in recent years, on working days.
func (g *Generator) Decision(j int) xinyong.Date {
	m := max(g.cfg.Records, 1)
	u := (float64(j) + 0.5) / float64(m)
	off := min(int(float64(g.span)*math.Pow(u, 0.85)), g.span-1)
	d := g.start.AddDays(off)
	for !g.cal.IsWorkingDay(d) {
		d = d.AddDays(1)
	}
	if d.After(g.lastWork) {
		d = g.lastWork
	}
	return d
}

// Record returns record j (0 ≤ j < Records).
func (g *Generator) Record(j int) Record {
	rng := g.newRand(saltRecord, j)
	r := Record{Index: j, Decision: g.Decision(j), Kind: "license"}
	if g.cfg.PenaltyOnly || rng.IntN(100) < 42 {
		r.Kind = "penalty"
	}
	n := g.cfg.Subjects
	pickSubject := func() int {
		u := rng.Float64()
		return min(int(float64(n)*math.Pow(u, 1.3)), n-1)
	}
	var t traits
	var i int
	minorPenalty := false
	if r.Kind == "penalty" {
		found := false
		for try := 0; try < 40 && !found; try++ {
			i = pickSubject()
			t = g.traits(i)
			if !t.penalisable {
				continue
			}
			if t.minor {
				_, _, birth, _ := g.personID(i, true)
				if xinyong.IsUnder14On(birth, r.Decision) {
					continue // never penalised (Administrative Penalty Law 2021 Art. 30)
				}
				if xinyong.IsMinorOn(birth, r.Decision) {
					if g.cfg.PenaltyOnly || rng.IntN(3) > 0 {
						continue // few minors are penalised
					}
					minorPenalty = true
				}
			}
			found = true
		}
		if !found {
			r.Kind = "license"
		}
	}
	if r.Kind == "license" {
		i = pickSubject()
		t = g.traits(i)
	}
	r.Subject = g.Subject(i)
	person := t.kind == xinyong.KindPerson
	if r.Kind == "penalty" {
		g.fillPenalty(rng, &r, person, minorPenalty)
	} else {
		g.fillLicence(rng, &r, person, t.minor)
	}
	// 双公示 delay: each department uploads its decisions on its own
	// weekday (province departments and the capital's twice a week), so
	// most records go online 1–5 working days after the decision; about
	// 5 % miss a few uploads and are later than 7 working days.
	sub := g.nextUpload(r.Dept, r.Decision.AddDays(1))
	if rng.IntN(100) < 5 {
		sub = g.nextUpload(r.Dept, sub.AddDays(7*(1+rng.IntN(5))+1))
	}
	if sub.After(g.cfg.Today) {
		sub = g.cfg.Today
	}
	r.Submitted = sub
	r.DelayDays = g.cal.WorkingDaysBetween(r.Decision, sub)
	if rng.IntN(100) == 0 {
		w := pick(rng, withdrawNotes)
		r.Withdraw, r.WithdrawReason, r.WithdrawNote = true, w.reason, w.note
		r.WithdrawOn = g.cal.AddWorkingDays(r.Submitted, 1+rng.IntN(5))
		if r.WithdrawOn.After(g.cfg.Today) {
			r.WithdrawOn = g.cfg.Today
		}
	}
	return r
}

// nextUpload returns the first upload day of department d on or after
// from: a working day on one of the department's weekdays, or the next
// working day when that weekday is a holiday.
func (g *Generator) nextUpload(d int, from xinyong.Date) xinyong.Date {
	h := mix64(g.cfg.Seed ^ uint64(d)*0x9E3779B97F4A7C15)
	first := time.Weekday(1 + h%5)
	twice := g.depts[d].City <= 0 // the province and Lanzhou
	for day := from; ; day = day.AddDays(1) {
		wd := day.Weekday()
		if wd == first || (twice && wd == (first+2-1)%5+1) {
			for !g.cal.IsWorkingDay(day) {
				day = day.AddDays(1)
			}
			return day
		}
	}
}

// department returns the department of sector si for a subject of city ci:
// the city's own department mostly, the province's sometimes.
func (g *Generator) department(rng *rand.Rand, si, ci int) int {
	if g.cfg.Dept >= 0 && g.cfg.PenaltyOnly {
		return g.cfg.Dept
	}
	if d, ok := g.deptOf[[2]int{si, ci + 1}]; ok && rng.IntN(100) >= 12 {
		return d
	}
	return g.deptOf[[2]int{si, 0}]
}

func (g *Generator) fillPenalty(rng *rand.Rand, r *Record, person, minor bool) {
	// A sector and a violation that fit the subject.
	var si int
	var v violation
	for {
		if g.cfg.Dept >= 0 && g.cfg.PenaltyOnly {
			si = sectorIndex(g.depts[g.cfg.Dept].Sector)
		} else if minor {
			si = sectorIndex("police")
		} else {
			si = pickSector(rng, person, false)
		}
		var vs []violation
		for _, x := range sectors[si].violations {
			if (person && x.who != whoOrgs) || (!person && x.who != whoPersons) {
				vs = append(vs, x)
			}
		}
		if len(vs) > 0 {
			v = pick(rng, vs)
			break
		}
		if g.cfg.Dept >= 0 && g.cfg.PenaltyOnly {
			v = sectors[si].violations[0] // the department's own line of work
			break
		}
	}
	r.Dept = g.department(rng, si, r.Subject.City)
	d := g.depts[r.Dept]
	sec := sectors[si]
	// Penalty categories: mostly a fine.
	var cats []string
	if person && sec.key == "police" {
		switch x := rng.IntN(10); {
		case minor && x < 6, !minor && x < 2:
			cats = []string{"警告"}
		case minor, x < 7:
			cats = []string{"罚款"}
		default:
			cats = []string{"行政拘留"}
		}
	} else {
		total := 0
		for _, m := range baseMixes {
			total += m.weight
		}
		x := rng.IntN(total)
		for _, m := range baseMixes {
			if x < m.weight {
				cats = append(cats, m.cats...)
				break
			}
			x -= m.weight
		}
		if cats[len(cats)-1] == "EXTRA" {
			cats = cats[:len(cats)-1]
			if len(v.extra) > 0 {
				cats = append(cats, pick(rng, v.extra))
			}
		}
		if person {
			for k, c := range cats {
				if c == "吊销许可证件" || c == "暂扣许可证件" || c == "责令停产停业" || c == "降低资质等级" || c == "限制开展生产经营活动" {
					cats[k] = "没收违法所得"
				}
			}
			cats = dedupe(cats)
		}
	}
	r.Categories = cats
	// Severity: mostly general, some minor, few serious; the heavy
	// categories make it serious more often.
	heavy := false
	for _, c := range cats {
		switch c {
		case "吊销许可证件", "责令停产停业", "责令关闭", "降低资质等级", "限制开展生产经营活动":
			heavy = true
		}
	}
	switch x := rng.IntN(100); {
	case heavy && x < 55:
		r.Severity = xinyong.SeveritySerious
	case heavy:
		r.Severity = xinyong.SeverityGeneral
	case len(cats) == 1 && cats[0] == "警告" && x < 50, x < 14:
		r.Severity = xinyong.SeverityMinor
	case x < 18:
		r.Severity = xinyong.SeveritySerious
	default:
		r.Severity = xinyong.SeverityGeneral
	}
	r.Sector = sec.pubSector
	if strings.Contains(v.what, "特种设备") {
		r.Sector = "特种设备"
	}
	bz := ""
	if minor {
		r.Leniency = xinyong.Leniency{Minor: true, Reason: "当事人违法时已满十四周岁不满十八周岁，依法从轻处罚；监护人已到场（《行政处罚法》第三十条）"}
		bz = "当事人系未成年人，依法从轻处罚"
	} else if r.Severity == xinyong.SeverityMinor && rng.IntN(4) == 0 {
		r.Leniency = xinyong.Leniency{FirstMinor: true, Reason: "初次违法且危害后果轻微并及时改正（《行政处罚法》第三十三条）"}
	}
	// Amounts in 万元.
	fine := niceWan(v.fine[0], v.fine[1], rng)
	if minor {
		fine = niceWan(0.02, 0.05, rng)
	}
	year := r.Decision.Year
	serial := g.cfg.NumberPrefix + strconv.Itoa(r.Index+1)
	number := d.Abbr + "罚〔" + strconv.Itoa(year) + "〕" + serial + "号"
	if sec.key == "police" {
		number = d.Abbr + "（治）行罚决字〔" + strconv.Itoa(year) + "〕" + serial + "号"
	}
	f := map[string]string{
		"CF_XDR_MC": r.Subject.Name, "CF_XDR_LB": r.Subject.Category(), "CF_WSH": number,
		"CF_WFXW": v.what, "CF_SY": fmt.Sprintf(v.fact, r.Subject.Name), "CF_YJ": v.basis,
		"CF_CFLB": strings.Join(cats, ";"), "CF_JDRQ": r.Decision.String(),
		"CF_CFJG": d.Name, "CF_CFJGDM": d.Code, "CF_SJLY": d.Name, "CF_SJLYDM": d.Code,
	}
	if bz != "" {
		f["BZ"] = bz
	}
	subjectFields(f, "CF_", r.Subject)
	var nr []string
	for _, c := range cats {
		switch c {
		case "罚款":
			f["CF_NR_FK"] = fine
			nr = append(nr, "罚款人民币"+fine+"万元")
		case "没收违法所得":
			w := niceWan(0.01, max(v.fine[0], 0.05), rng)
			f["CF_NR_WFFF"] = w
			nr = append(nr, "没收违法所得"+w+"万元")
		case "暂扣许可证件", "吊销许可证件":
			cert := "营业执照"
			if len(sec.licences) > 0 && sec.licences[0].cert != "" {
				cert = sec.licences[0].cert
			}
			f["CF_NR_ZKDX"] = "《" + cert + "》" + d.Abbr + "许" + strconv.Itoa(100000+rng.IntN(900000))
			if c == "暂扣许可证件" {
				nr = append(nr, "暂扣《"+cert+"》三个月")
			} else {
				nr = append(nr, "吊销《"+cert+"》")
			}
		case "行政拘留":
			nr = append(nr, "行政拘留"+strconv.Itoa(3+rng.IntN(8))+"日")
		case "责令停产停业":
			nr = append(nr, "责令停产停业整顿")
		case "限制开展生产经营活动":
			nr = append(nr, "限制开展生产经营活动六个月")
		default:
			nr = append(nr, c)
		}
	}
	f["CF_NR"] = strings.Join(nr, "，")
	r.Fields = f
}

func (g *Generator) fillLicence(rng *rand.Rand, r *Record, person, minor bool) {
	var si int
	var l licence
	for {
		if minor {
			si = sectorIndex("police")
		} else {
			si = pickSector(rng, person, true)
		}
		var ls []licence
		for _, x := range sectors[si].licences {
			if x.persons == person && (!x.orgsOnly || r.Subject.Kind != xinyong.KindIndividualBusiness) {
				ls = append(ls, x)
			}
		}
		if len(ls) > 0 {
			l = pick(rng, ls)
			break
		}
	}
	r.Dept = g.department(rng, si, r.Subject.City)
	d := g.depts[r.Dept]
	year := r.Decision.Year
	serial := g.cfg.NumberPrefix + strconv.Itoa(r.Index+1)
	until := r.Decision.AddMonths(12 * l.years).AddDays(-1)
	f := map[string]string{
		"XK_XDR_MC": r.Subject.Name, "XK_XDR_LB": r.Subject.Category(), "XK_XKWS": l.doc,
		"XK_WSH": d.Abbr + "许〔" + strconv.Itoa(year) + "〕" + serial + "号", "XK_XKLB": l.category,
		"XK_NR": l.content, "XK_JDRQ": r.Decision.String(), "XK_YXQZ": r.Decision.String(), "XK_YXQZI": until.String(),
		"XK_XKJG": d.Name, "XK_XKJGDM": d.Code, "XK_ZT": "有效", "XK_LYDW": d.Name, "XK_LYDWDM": d.Code,
	}
	if l.cert != "" {
		f["XK_XKZS"] = l.cert
		f["XK_XKBH"] = d.Abbr + strconv.Itoa(year) + fmt.Sprintf("%07d", r.Index+1)
	}
	subjectFields(f, "XK_", r.Subject)
	r.Fields = f
}

func subjectFields(f map[string]string, p string, s Subject) {
	if s.Kind == xinyong.KindPerson {
		f[p+"XDR_ZJLX"] = "身份证"
		f[p+"XDR_ZJHM"] = s.Code
		return
	}
	f[p+"XDR_SHXYM"] = s.Code
	f[p+"FRDB"] = s.Legal
	f[p+"FR_ZJLX"] = "身份证"
}

func sectorIndex(key string) int {
	for i, s := range sectors {
		if s.key == key {
			return i
		}
	}
	panic("gen: no sector " + key)
}

// pickSector picks a sector by weight among those that deal with the
// subject's kind.
func pickSector(rng *rand.Rand, person, licence bool) int {
	total := 0
	w := make([]int, len(sectors))
	for i, s := range sectors {
		if person && !s.persons {
			continue
		}
		if licence {
			w[i] = s.lweight
		} else {
			w[i] = s.weight
		}
		total += w[i]
	}
	x := rng.IntN(total)
	for i := range w {
		if x < w[i] {
			return i
		}
		x -= w[i]
	}
	return len(w) - 1
}

func dedupe(xs []string) []string {
	var out []string
	for _, x := range xs {
		dup := false
		for _, o := range out {
			dup = dup || o == x
		}
		if !dup {
			out = append(out, x)
		}
	}
	return out
}

// niceWan returns an amount in 万元 between lo and hi (log-uniform),
// rounded as decisions write them: "0.05", "0.2", "1.5", "30".
func niceWan(lo, hi float64, rng *rand.Rand) string {
	v := lo * math.Exp(rng.Float64()*math.Log(hi/lo))
	var step int64 // in units of 0.01 万元 (100 yuan)
	switch {
	case v < 0.1:
		step = 1
	case v < 1:
		step = 5
	case v < 10:
		step = 10
	default:
		step = 100
	}
	c := int64(math.Round(v*100/float64(step))) * step
	if c <= 0 {
		c = step
	}
	s := strconv.FormatInt(c/100, 10)
	if frac := c % 100; frac != 0 {
		fs := fmt.Sprintf("%02d", frac)
		s += "." + strings.TrimRight(fs, "0")
	}
	return s
}
