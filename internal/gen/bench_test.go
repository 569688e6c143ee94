package gen

import (
	"testing"

	"xinyong"
)

func benchGen(b *testing.B) *Generator {
	g, err := New(Config{Seed: 1, Subjects: 1_000_000, Records: 10_000_000, Today: xinyong.NewDate(2026, 11, 25), Dept: -1})
	if err != nil {
		b.Fatal(err)
	}
	return g
}

func BenchmarkSubject(b *testing.B) {
	g := benchGen(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		g.Subject(i % 1_000_000)
	}
}

func BenchmarkRecord(b *testing.B) {
	g := benchGen(b)
	b.ReportAllocs()
	for j := 0; b.Loop(); j++ {
		g.Record(j % 10_000_000)
	}
}

func BenchmarkDecision(b *testing.B) {
	g := benchGen(b)
	for j := 0; b.Loop(); j++ {
		g.Decision(j % 10_000_000)
	}
}

// BenchmarkCSVRow is one record rendered as a CSV row.
func BenchmarkCSVRow(b *testing.B) {
	g := benchGen(b)
	cols, err := Columns("penalty")
	if err != nil {
		b.Fatal(err)
	}
	f, err := openFile(b.TempDir()+"/x.csv", FormatCSV, make([]string, len(cols)))
	if err != nil {
		b.Fatal(err)
	}
	defer f.close()
	row := make([]string, len(cols))
	b.ReportAllocs()
	for j := 0; b.Loop(); j++ {
		r := g.Record(j % 10_000_000)
		for k, c := range cols {
			row[k] = r.Fields[c.Code]
		}
		f.write(row)
	}
}

func BenchmarkUSCC(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		uscc("91", "620100", "MA71ABCD")
	}
}
