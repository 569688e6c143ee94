package refdata_test

import (
	"encoding/json"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"xinyong"
	"xinyong/data"
	"xinyong/internal/refdata"
)

func load(t *testing.T) *refdata.Set {
	t.Helper()
	s, err := refdata.Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return s
}

func TestLoad(t *testing.T) {
	s := load(t)
	if len(s.Editions) != 2 || s.Editions[0].Edition != "2024" || s.Editions[1].Edition != "2021" {
		t.Errorf("editions = %+v", s.Editions)
	}
	if len(s.MeasureKinds) != 3 {
		t.Errorf("measure kinds = %d, want 3", len(s.MeasureKinds))
	}
	if err := s.Regimes.Check(); err != nil {
		t.Errorf("Regimes.Check: %v", err)
	}
}

// The 13 categories of the 2024 edition (national-lists.md §2.2): five
// verbatim and 知识产权信息 confirmed, the rest unconfirmed.
func TestCategories2024(t *testing.T) {
	s := load(t)
	if len(s.Categories) != 13 {
		t.Fatalf("%d categories, want 13", len(s.Categories))
	}
	confirmed := []string{"登记注册基本信息", "司法裁判及执行信息", "行政管理信息", "职称和职业信息", "经营（活动）异常名录（状态）信息", "知识产权信息"}
	unconfirmed := []string{"严重失信主体名单信息", "有关合同履行信息", "信用承诺及其履行情况信息", "信用评价结果信息", "诚实守信相关荣誉信息", "市场主体自愿提供的信用信息", "遵守法律法规情况信息"}
	byName := map[string]xinyong.Category{}
	for _, c := range s.Categories {
		byName[c.Name] = c
		if c.Edition != "2024" {
			t.Errorf("category %s: edition %q", c.Code, c.Edition)
		}
	}
	for _, n := range confirmed {
		if c, ok := byName[n]; !ok || c.Provenance != xinyong.ProvenanceConfirmed {
			t.Errorf("category %s: present %v, provenance %q, want confirmed", n, ok, c.Provenance)
		}
	}
	for _, n := range unconfirmed {
		if c, ok := byName[n]; !ok || c.Provenance != xinyong.ProvenanceUnconfirmed {
			t.Errorf("category %s: present %v, provenance %q, want unconfirmed", n, ok, c.Provenance)
		}
	}
}

func TestNamedItems(t *testing.T) {
	s := load(t)
	want := map[string]string{
		"XZXK": "administrative", "XZCF": "administrative", "SFZX": "judicial", "YZSX": "serious_list",
		"JYYC": "abnormal_operation", "XYCN": "commitment", "XYPJ": "evaluation", "CXRY": "honour", "DJZC": "registration",
	}
	for code, cat := range want {
		it, ok := s.Item(code)
		if !ok {
			t.Errorf("item %s missing", code)
			continue
		}
		if it.Category != cat || len(it.Fields) == 0 || it.Status != xinyong.ItemApproved || it.Layer != xinyong.LayerNational ||
			it.Edition != "2024" || it.Version != 1 || it.EffectiveFrom.IsZero() || it.LegalBasis == "" || len(it.Providers) == 0 {
			t.Errorf("item %s: %+v", code, it)
		}
		// no national per-item attribute was read: nothing may claim to be confirmed
		if it.Provenance != xinyong.ProvenanceUnconfirmed {
			t.Errorf("item %s: provenance %q, want unconfirmed", code, it.Provenance)
		}
		if !it.InForce(xinyong.MustDate("2026-01-05")) {
			t.Errorf("item %s not in force", code)
		}
	}

	cf, _ := s.Item("XZCF")
	if cf.Kind != "penalty" || !cf.Negative {
		t.Errorf("XZCF kind %q negative %v", cf.Kind, cf.Negative)
	}
	for _, c := range []struct {
		code     string
		typ      xinyong.FieldType
		unit     string
		required bool
		personal bool
	}{
		{"CF_NR_FK", xinyong.FieldAmount, "万元", false, false},
		{"CF_NR_WFFF", xinyong.FieldAmount, "万元", false, false},
		{"CF_JDRQ", xinyong.FieldDate, "", true, false},
		{"CF_WSH", xinyong.FieldText, "", true, false},
		{"CF_XDR_ZJHM", xinyong.FieldCode, "", false, true},
		{"CF_GSJZQ", xinyong.FieldDate, "", false, false},
	} {
		f, ok := cf.Field(c.code)
		if !ok || f.Type != c.typ || f.Unit != c.unit || f.Required != c.required || f.Personal != c.personal || f.Label == "" {
			t.Errorf("XZCF field %s = %+v (found %v)", c.code, f, ok)
		}
	}
	if f, _ := cf.Field("处罚类别"); f.Code != "CF_CFLB" || f.Type != xinyong.FieldEnum || !slices.Equal(f.Values, xinyong.PenaltyCategories) {
		t.Errorf("CF_CFLB = %+v, want the 14 categories of publication.go", f)
	}

	xk, _ := s.Item("XZXK")
	if xk.Kind != "license" || xk.Negative {
		t.Errorf("XZXK kind %q negative %v", xk.Kind, xk.Negative)
	}
	for _, code := range []string{"XK_XDR_MC", "XK_XDR_LB", "XK_XDR_SHXYM", "XK_XDR_GSZC", "XK_XDR_ZZJG", "XK_XDR_SWDJ", "XK_XDR_SYDW", "XK_XDR_SHZZ",
		"XK_FRDB", "XK_FR_ZJLX", "XK_FR_ZJHM", "XK_XDR_ZJLX", "XK_XDR_ZJHM", "XK_XKWS", "XK_WSH", "XK_XKLB", "XK_XKZS", "XK_XKBH", "XK_NR",
		"XK_JDRQ", "XK_YXQZ", "XK_YXQZI", "XK_XKJG", "XK_XKJGDM", "XK_ZT", "XK_LYDW", "XK_LYDWDM", "BZ"} {
		if _, ok := xk.Field(code); !ok {
			t.Errorf("XZXK lacks %s", code)
		}
	}
	for _, code := range []string{"XK_XDR_ZJHM", "XK_FR_ZJHM", "XK_FRDB"} {
		if f, _ := xk.Field(code); !f.Personal {
			t.Errorf("XZXK %s is not marked personal", code)
		}
	}
	if f, _ := xk.Field("XK_JDRQ"); f.Type != xinyong.FieldDate || !f.Required {
		t.Errorf("XK_JDRQ = %+v", f)
	}
}

func TestEveryRowHasProvenance(t *testing.T) {
	s := load(t)
	check := func(what, code string, p xinyong.Provenance, source string) {
		if !p.Valid() || strings.TrimSpace(source) == "" {
			t.Errorf("%s %s: provenance %q, source %q", what, code, p, source)
		}
	}
	for _, c := range s.Categories {
		check("category", c.Code, c.Provenance, c.Source)
	}
	for _, it := range s.Items {
		check("item", it.Code, it.Provenance, it.Source)
	}
	for _, m := range s.Measures {
		check("measure", m.Code, m.Provenance, m.Source)
	}
	for _, k := range s.MeasureKinds {
		check("kind", string(rune('0'+k.Kind)), k.Provenance, k.Source)
	}
	for _, lt := range s.ListTypes {
		check("list type", lt.Code, lt.Provenance, lt.Source)
	}
	for _, r := range s.Regimes {
		check("regime", r.Code, r.Provenance, r.Source)
	}
}

func TestMeasuresAndListTypes(t *testing.T) {
	s := load(t)
	for _, code := range []string{"2021-A1", "2021-A2"} {
		m, ok := s.Measure(code)
		if !ok || m.Provenance != xinyong.ProvenanceConfirmed || m.Edition != "2021" || m.LegalBasis == "" {
			t.Errorf("measure %s = %+v", code, m)
		}
	}
	if m, _ := s.Measure("2021-A1"); !strings.Contains(m.LegalBasis, "第七十八条") || !strings.Contains(m.LegalBasis, "第七十九条") {
		t.Errorf("2021-A1 basis %q", m.LegalBasis)
	}
	for _, code := range []string{"GPL-22-PROCUREMENT", "CL-178-OFFICER", "SPC-HIGH-CONSUMPTION"} {
		if m, ok := s.Measure(code); !ok || m.Provenance != xinyong.ProvenanceUnconfirmed {
			t.Errorf("measure %s must be unconfirmed: %+v", code, m)
		}
	}
	// Only rows read in an edition carry it.
	for _, m := range s.Measures {
		if m.Edition != "" && !strings.HasPrefix(m.Code, m.Edition+"-") {
			t.Errorf("measure %s claims edition %s", m.Code, m.Edition)
		}
	}
	spc, ok := s.ListType("SPC_DEFAULTER")
	if !ok || spc.PeriodMonths != 24 || spc.ExtensionMinMonths != 12 || spc.ExtensionMaxMonths != 36 || spc.EarlyRemovalMonths != 0 || spc.MinorsMayBeListed || spc.Field != xinyong.FieldStatutoryDuty {
		t.Errorf("SPC_DEFAULTER = %+v", spc)
	}
	samr, ok := s.ListType("SAMR_SERIOUS")
	if !ok || samr.PeriodMonths != 36 || samr.EarlyRemovalMonths != 12 || samr.Field != xinyong.FieldFairCompetition || samr.Remedies != "行政复议、行政诉讼" {
		t.Errorf("SAMR_SERIOUS = %+v", samr)
	}
	if lt, ok := s.ListType("STA_MAJOR_TAX"); !ok || lt.Provenance != xinyong.ProvenanceUnconfirmed || lt.PeriodMonths != 36 {
		t.Errorf("STA_MAJOR_TAX = %+v", lt)
	}
	if lt, ok := s.ListType("WAGE_ARREARS"); !ok || !strings.Contains(lt.LegalBasis, "第四十八条") || !strings.Contains(lt.LegalBasis, "第45号") {
		t.Errorf("WAGE_ARREARS = %+v", lt)
	}
	for _, lt := range s.ListTypes {
		if lt.ObjectionWorkingDays == 5 && !strings.Contains(lt.Source, "LOCAL DEFAULT") {
			t.Errorf("list type %s: default objection days not marked as local default", lt.Code)
		}
	}
}

func TestRegimes(t *testing.T) {
	s := load(t)
	if len(s.Regimes) != 3 {
		t.Fatalf("%d regimes", len(s.Regimes))
	}
	cases := []struct {
		decision string
		sev      xinyong.Severity
		cats     []string
		sector   string
		regime   string
		pub      bool
		minEnd   string
		maxEnd   string
	}{
		{"2020-03-10", xinyong.SeverityGeneral, []string{"罚款"}, "", "R2019-527", true, "2020-06-10", "2021-03-10"},
		{"2020-03-10", xinyong.SeveritySerious, []string{"罚款"}, "", "R2019-527", true, "2020-09-10", "2023-03-10"},
		{"2020-03-10", xinyong.SeverityMinor, []string{"罚款"}, "", "R2019-527", true, "2020-06-10", "2021-03-10"},
		{"2024-05-06", xinyong.SeverityGeneral, []string{"罚款"}, "", "R2023-O58", true, "2024-08-06", "2027-05-06"},
		{"2024-05-06", xinyong.SeverityGeneral, []string{"罚款"}, "特种设备", "R2023-O58", true, "2025-05-06", "2027-05-06"},
		{"2024-05-06", xinyong.SeverityGeneral, []string{"警告"}, "", "R2023-O58", false, "", ""},
		{"2026-04-01", xinyong.SeverityMinor, []string{"通报批评"}, "", "R2026-22", false, "", ""},
		{"2026-04-01", xinyong.SeverityGeneral, []string{"罚款"}, "", "R2026-22", true, "2026-07-01", "2027-04-01"},
		{"2026-04-01", xinyong.SeverityGeneral, []string{"罚款", "吊销许可证件"}, "", "R2026-22", true, "2027-04-01", "2029-04-01"},
		{"2026-04-01", xinyong.SeveritySerious, []string{"限制从业"}, "", "R2026-22", true, "2027-04-01", "2029-04-01"},
	}
	for _, c := range cases {
		w := xinyong.PublicationWindow(s.Regimes, xinyong.PublicationInput{Decision: xinyong.MustDate(c.decision), Severity: c.sev, Categories: c.cats, Sector: c.sector})
		if w.Regime != c.regime || w.Published != c.pub || w.MinEnd.String() != c.minEnd || w.MaxEnd.String() != c.maxEnd {
			t.Errorf("%s %s %v %s: %+v", c.decision, c.sev, c.cats, c.sector, w)
		}
	}
	if _, ok := s.Regimes.For(xinyong.MustDate("2019-06-30")); ok {
		t.Error("a regime governs decisions before 2019-07-01")
	}
}

// Loading a changed copy of the files: errors name the file, the row and
// the field; unknown fields are refused.
func TestLoadFSErrors(t *testing.T) {
	base := fstest.MapFS{}
	for _, n := range []string{refdata.CatalogueFile, refdata.MeasuresFile, refdata.ListTypesFile, refdata.RegimesFile} {
		b, err := fs.ReadFile(data.FS, n)
		if err != nil {
			t.Fatal(err)
		}
		base[n] = &fstest.MapFile{Data: b}
	}
	edit := func(name string, f func(m map[string]any)) fstest.MapFS {
		var m map[string]any
		if err := json.Unmarshal(base[name].Data, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		b, _ := json.Marshal(m)
		out := fstest.MapFS{}
		for k, v := range base {
			out[k] = v
		}
		out[name] = &fstest.MapFile{Data: b}
		return out
	}
	if _, err := refdata.LoadFS(base); err != nil {
		t.Fatalf("unchanged copy: %v", err)
	}
	cases := []struct {
		name string
		fsys fstest.MapFS
		want []string
	}{
		{"item without legal basis", edit(refdata.CatalogueFile, func(m map[string]any) {
			m["items"].([]any)[1].(map[string]any)["legal_basis"] = ""
		}), []string{refdata.CatalogueFile, "items[1].legal_basis", "XZCF"}},
		{"item in unknown category", edit(refdata.CatalogueFile, func(m map[string]any) {
			m["items"].([]any)[0].(map[string]any)["category"] = "nope"
		}), []string{refdata.CatalogueFile, "items[0].category", "XZXK"}},
		{"unknown field", edit(refdata.CatalogueFile, func(m map[string]any) {
			m["items"].([]any)[0].(map[string]any)["colour"] = "red"
		}), []string{refdata.CatalogueFile, "colour"}},
		{"measure naming an unknown list type", edit(refdata.MeasuresFile, func(m map[string]any) {
			m["measures"].([]any)[1].(map[string]any)["list_types"] = []string{"NOPE"}
		}), []string{refdata.MeasuresFile, "measures[1].list_types", "2021-A2", "NOPE"}},
		{"list type outside the four fields", edit(refdata.ListTypesFile, func(m map[string]any) {
			m["list_types"].([]any)[0].(map[string]any)["field"] = "traffic"
		}), []string{refdata.ListTypesFile, "list_types[0].field", "SPC_DEFAULTER"}},
		{"overlapping regimes", edit(refdata.RegimesFile, func(m map[string]any) {
			m["regimes"].([]any)[0].(map[string]any)["to"] = "2024-01-01"
		}), []string{refdata.RegimesFile, "overlap"}},
	}
	for _, c := range cases {
		_, err := refdata.LoadFS(c.fsys)
		if err == nil {
			t.Errorf("%s: loaded", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not name %q", c.name, err, w)
			}
		}
	}
}

const goodSupplement = `{
  "layer": "provincial",
  "edition": "2025",
  "legal_basis": "《甘肃省社会信用条例》",
  "effective_from": "2025-01-01",
  "source": "test",
  "items": [{
    "code": "GS-NMG",
    "name": "农民工工资支付信息",
    "category": "administrative",
    "negative": true,
    "providers": ["省人力资源社会保障厅"],
    "fields": [{"code": "WSH", "label": "决定书文号", "type": "text", "required": true}],
    "sharing_scope": "conditional",
    "disclosure_scope": "authorised",
    "legal_basis": "《甘肃省社会信用条例》",
    "provenance": "local"
  }],
  "measures": [{
    "code": "GS-M1", "kind": 2, "item": "加强日常监管", "target": "拖欠农民工工资失信联合惩戒对象",
    "means": "提高检查频次", "body": "省人力资源社会保障厅", "legal_basis": "《甘肃省社会信用条例》",
    "list_types": ["WAGE_ARREARS"], "severities": [], "edition": "2025", "provenance": "local", "effective_from": "2025-01-01"
  }]
}`

func TestParseSupplement(t *testing.T) {
	sup, err := refdata.ParseSupplement(strings.NewReader(goodSupplement))
	if err != nil {
		t.Fatalf("good supplement: %v", err)
	}
	if it := sup.Items[0]; it.Layer != xinyong.LayerProvincial || it.Status != xinyong.ItemDraft || it.Version != 1 {
		t.Errorf("defaults not applied: %+v", it)
	}
	s := load(t)
	if err := s.CheckSupplement(sup); err != nil {
		t.Errorf("CheckSupplement: %v", err)
	}

	cases := []struct {
		name     string
		old, new string
		want     []string
	}{
		{"item without legal basis", `"legal_basis": "《甘肃省社会信用条例》",
    "provenance": "local"`, `"provenance": "local"`, []string{"GS-NMG", "legal_basis"}},
		{"measure without legal basis", `"legal_basis": "《甘肃省社会信用条例》",
    "list_types"`, `"list_types"`, []string{"GS-M1", "legal_basis"}},
		{"national layer", `"layer": "provincial"`, `"layer": "national"`, []string{"layer", "national", "GS-NMG"}},
		{"item claiming national layer", `"category": "administrative",`, `"category": "administrative", "layer": "national",`, []string{"GS-NMG", "items[0].layer"}},
		{"confirmed provenance", `"provenance": "local"
  }]`, `"provenance": "confirmed"
  }]`, []string{"GS-NMG", "provenance"}},
		{"unconfirmed measure", `"provenance": "local", "effective_from"`, `"provenance": "unconfirmed", "effective_from"`, []string{"GS-M1", "provenance"}},
		{"file without legal basis", `"legal_basis": "《甘肃省社会信用条例》",
  "effective_from"`, `"effective_from"`, []string{"legal_basis"}},
		{"unknown field", `"source": "test",`, `"source": "test", "extra": 1,`, []string{"extra"}},
	}
	for _, c := range cases {
		in := strings.Replace(goodSupplement, c.old, c.new, 1)
		if in == goodSupplement {
			t.Fatalf("%s: replacement did not apply", c.name)
		}
		_, err := refdata.ParseSupplement(strings.NewReader(in))
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		if xinyong.ErrorCode(err) != xinyong.EINVALID {
			t.Errorf("%s: code %s", c.name, xinyong.ErrorCode(err))
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not name %q", c.name, err, w)
			}
		}
	}

	// against the national set: a repeated national code and an unknown category
	bad := strings.Replace(strings.Replace(goodSupplement, `"code": "GS-NMG"`, `"code": "XZCF"`, 1), `"category": "administrative"`, `"category": "wages"`, 1)
	sup, err = refdata.ParseSupplement(strings.NewReader(bad))
	if err != nil {
		t.Fatal(err)
	}
	err = s.CheckSupplement(sup)
	if err == nil || !strings.Contains(err.Error(), "XZCF") || !strings.Contains(err.Error(), "wages") {
		t.Errorf("CheckSupplement: %v", err)
	}
}
