package xinyong

import (
	"encoding/json"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in    string
		want  string // "" = refused
		basis string
	}{
		{"2024-02-29", "2024-02-29", "ISO 8601 / API form YYYY-MM-DD"},
		{"2024/02/29", "2024-02-29", "双公示 files: YYYY/MM/DD (regulation.md §5)"},
		{"20240229", "2024-02-29", "双公示 files: YYYYMMDD (CF_JDRQ as exported)"},
		{"2024年02月29日", "2024-02-29", "双公示 files: YYYY年MM月DD日"},
		{"2024-2-9", "2024-02-09", "双公示 files: no leading zeros"},
		{"2024/2/9", "2024-02-09", "双公示 files: no leading zeros"},
		{"2024年2月9日", "2024-02-09", "双公示 files: no leading zeros"},
		{"2026-04-01", "2026-04-01", "Order 36 in force"},
		{"2023-02-29", "", "impossible date: 2023 is a common year"},
		{"2024-02-30", "", "impossible date"},
		{"2024-13-01", "", "impossible date: month 13"},
		{"2024-00-10", "", "impossible date: month 0"},
		{"2024-04-31", "", "impossible date: April has 30 days"},
		{"20230229", "", "impossible date in YYYYMMDD"},
		{"2024年02月30日", "", "impossible date in Chinese form"},
		{"", "", "empty is not a date"},
		{"24-02-29", "", "two-digit year refused"},
		{"2024-02-29T00:00:00Z", "", "timestamps are not dates"},
		{"29/02/2024", "", "day-first refused"},
		{"yesterday", "", "not a date"},
	}
	for _, tt := range tests {
		d, err := ParseDate(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("ParseDate(%q) = %s, want an error (%s)", tt.in, d, tt.basis)
			}
			continue
		}
		if err != nil || d.String() != tt.want {
			t.Errorf("ParseDate(%q) = %s, %v; want %s (%s)", tt.in, d, err, tt.want, tt.basis)
		}
	}
}

func TestMustDatePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustDate of an impossible date did not panic")
		}
	}()
	MustDate("2023-02-29")
}

func TestAddMonths(t *testing.T) {
	// Periods are counted in calendar months from the decision date
	// (regulation.md §3); a day missing from the target month falls back to
	// that month's last day.
	tests := []struct {
		from   string
		months int
		want   string
		basis  string
	}{
		{"2024-01-31", 1, "2024-02-29", "end of month, leap year"},
		{"2023-01-31", 1, "2023-02-28", "end of month, common year"},
		{"2024-03-31", -1, "2024-02-29", "end of month backwards"},
		{"2024-12-31", 2, "2025-02-28", "across a year end"},
		{"2024-02-29", 12, "2025-02-28", "one year from 29 February"},
		{"2024-02-29", 48, "2028-02-29", "four years from 29 February"},
		{"2026-03-31", 3, "2026-06-30", "3-month minimum from 31 March (Order 58)"},
		{"2024-08-31", 1, "2024-09-30", "31 → 30"},
		{"2023-05-01", 36, "2026-05-01", "3-year maximum (Order 58)"},
		{"2024-05-15", 0, "2024-05-15", "zero months"},
		{"2024-01-15", -13, "2022-12-15", "back across a year"},
		{"2024-11-30", 3, "2025-02-28", "30 → 28"},
	}
	for _, tt := range tests {
		if got := MustDate(tt.from).AddMonths(tt.months).String(); got != tt.want {
			t.Errorf("%s + %d months = %s, want %s (%s)", tt.from, tt.months, got, tt.want, tt.basis)
		}
	}
}

func TestDateArithmetic(t *testing.T) {
	if d := NewDate(2024, time.February, 30); d.String() != "2024-03-01" {
		t.Errorf("NewDate normalises like time.Date: got %s", d)
	}
	if d := MustDate("2024-12-31").AddDays(1); d.String() != "2025-01-01" {
		t.Errorf("AddDays across a year: %s", d)
	}
	if d := MustDate("2024-03-01").AddDays(-1); d.String() != "2024-02-29" {
		t.Errorf("AddDays backwards: %s", d)
	}
	if n := MustDate("1970-01-01").Days(); n != 0 {
		t.Errorf("Days(1970-01-01) = %d", n)
	}
	if n := MustDate("1969-12-31").Days(); n != -1 {
		t.Errorf("Days(1969-12-31) = %d", n)
	}
	a, b := MustDate("2026-03-31"), MustDate("2026-04-01")
	if !a.Before(b) || a.After(b) || b.Before(a) || !b.After(a) || a.Before(a) || a.After(a) {
		t.Error("Before/After wrong")
	}
	if w := MustDate("2026-10-10").Weekday(); w != time.Saturday {
		t.Errorf("2026-10-10 is a %s, want Saturday", w)
	}
	// DateOf counts in Asia/Shanghai (UTC+8): 2026-03-31T17:00Z is 1 April there.
	if d := DateOf(time.Date(2026, 3, 31, 17, 0, 0, 0, time.UTC)); d.String() != "2026-04-01" {
		t.Errorf("DateOf in Shanghai = %s, want 2026-04-01", d)
	}
	if d := DateOf(time.Date(2026, 3, 31, 15, 59, 0, 0, time.UTC)); d.String() != "2026-03-31" {
		t.Errorf("DateOf in Shanghai = %s, want 2026-03-31", d)
	}
	d := MustDate("2026-04-01")
	if !d.Start().Equal(time.Date(2026, 3, 31, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("Start = %v", d.Start())
	}
	if DateOf(d.Time()) != d {
		t.Errorf("DateOf(Time()) != d")
	}
	var zero Date
	if !zero.IsZero() || zero.String() != "" || d.IsZero() {
		t.Error("IsZero/String of the zero Date")
	}
}

func TestDateJSONAndText(t *testing.T) {
	type doc struct {
		Decision Date `json:"decision"`
		End      Date `json:"end,omitzero"`
		Any      Date `json:"any"`
	}
	in := doc{Decision: MustDate("2026-04-01"), End: MustDate("2029-04-01")}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"decision":"2026-04-01","end":"2029-04-01","any":""}`; string(b) != want {
		t.Errorf("json = %s, want %s", b, want)
	}
	var out doc
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Errorf("round trip = %+v, %v; want %+v", out, err, in)
	}
	b, _ = json.Marshal(doc{Decision: in.Decision})
	if want := `{"decision":"2026-04-01","any":""}`; string(b) != want {
		t.Errorf("omitzero: json = %s, want %s", b, want)
	}
	if err := json.Unmarshal([]byte(`{"decision":"2023-02-29"}`), &out); err == nil {
		t.Error("impossible date accepted in JSON")
	}
	if err := json.Unmarshal([]byte(`{"decision":"2024年2月9日"}`), &out); err != nil || out.Decision.String() != "2024-02-09" {
		t.Errorf("Chinese date in JSON: %v %s", err, out.Decision)
	}

	for _, s := range []string{"2024-02-29", "1949-12-31", "2200-01-01", ""} {
		var d Date
		if err := d.UnmarshalText([]byte(s)); err != nil {
			t.Fatalf("UnmarshalText(%q): %v", s, err)
		}
		got, _ := d.MarshalText()
		if string(got) != s {
			t.Errorf("text round trip %q → %q", s, got)
		}
	}
}

func TestDateScanValue(t *testing.T) {
	want := MustDate("2026-10-10")
	tests := []struct {
		name string
		src  any
		want Date
		err  bool
	}{
		{"nil is the zero Date", nil, Date{}, false},
		{"text", "2026-10-10", want, false},
		{"bytes", []byte("2026-10-10"), want, false},
		{"empty text", "", Date{}, false},
		{"time at UTC midnight (SQL DATE)", time.Date(2026, 10, 10, 0, 0, 0, 0, time.UTC), want, false},
		{"time in Shanghai", time.Date(2026, 10, 10, 23, 0, 0, 0, Shanghai), want, false},
		{"impossible text", "2026-02-30", Date{}, true},
		{"integer", int64(20261010), Date{}, true},
	}
	for _, tt := range tests {
		d := MustDate("2000-01-01")
		err := d.Scan(tt.src)
		if (err != nil) != tt.err {
			t.Errorf("%s: Scan(%v) err = %v", tt.name, tt.src, err)
			continue
		}
		if !tt.err && d != tt.want {
			t.Errorf("%s: Scan(%v) = %s, want %s", tt.name, tt.src, d, tt.want)
		}
	}
	if v, err := (Date{}).Value(); v != nil || err != nil {
		t.Errorf("zero Value = %v, %v; want NULL", v, err)
	}
	v, err := want.Value()
	if err != nil || v != "2026-10-10" {
		t.Errorf("Value = %v, %v", v, err)
	}
	var back Date
	if err := back.Scan(v); err != nil || back != want {
		t.Errorf("Value/Scan round trip = %s, %v", back, err)
	}
}

// TestDaysMatchesTime checks the integer calendar arithmetic against the
// time package over 1900–2100.
func TestDaysMatchesTime(t *testing.T) {
	for tm := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC); tm.Year() <= 2100; tm = tm.AddDate(0, 0, 1) {
		d := Date{tm.Year(), tm.Month(), tm.Day()}
		want := int(tm.Unix() / 86400)
		if got := d.Days(); got != want {
			t.Fatalf("%s: Days() = %d, want %d", d, got, want)
		}
		if back := dateOfDays(want); back != d {
			t.Fatalf("dateOfDays(%d) = %s, want %s", want, back, d)
		}
		if d.Weekday() != tm.Weekday() {
			t.Fatalf("%s: Weekday() = %s, want %s", d, d.Weekday(), tm.Weekday())
		}
	}
}
