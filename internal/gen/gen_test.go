package gen

import (
	"testing"

	"xinyong"
)

func testConfig(subjects, records int) Config {
	return Config{Seed: 42, Subjects: subjects, Records: records, Today: xinyong.NewDate(2026, 11, 25), Dept: -1}
}

func TestCodesValid(t *testing.T) {
	g, err := New(testConfig(20000, 20000))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	kinds := map[xinyong.SubjectKind]int{}
	minors := 0
	for i := 0; i < 20000; i++ {
		s := g.Subject(i)
		id, err := xinyong.ParseIdentity(s.Code)
		if err != nil {
			t.Fatalf("subject %d %s %s: %v", i, s.Code, s.Name, err)
		}
		if id.Kind != s.Kind {
			t.Fatalf("subject %d %s: parsed as %s, generated as %s", i, s.Code, id.Kind, s.Kind)
		}
		if j, dup := seen[s.Code]; dup {
			t.Fatalf("subjects %d and %d share code %s", j, i, s.Code)
		}
		seen[s.Code] = i
		kinds[s.Kind]++
		if s.Minor {
			minors++
		}
		if s.Kind == xinyong.KindPerson && id.Birth != s.Birth {
			t.Fatalf("birth %s vs %s", id.Birth, s.Birth)
		}
	}
	if minors == 0 || len(kinds) != 4 {
		t.Fatalf("kinds %v minors %d", kinds, minors)
	}
	for _, d := range g.Departments() {
		if _, err := xinyong.ParseUSCC(d.Code); err != nil {
			t.Fatalf("department %s %s: %v", d.Code, d.Name, err)
		}
		if _, dup := seen[d.Code]; dup {
			t.Fatalf("department code %s is a subject's", d.Code)
		}
		seen[d.Code] = -1
	}
	for i := 0; i < 8; i++ {
		t.Logf("%+v", g.Subject(i*97))
	}
}
