package server

import (
	"bytes"
	"html/template"
	"testing"
	"time"
)

// TestPageTimesInShanghai: pages show stored times (UTC) on the Shanghai
// clock, the calendar of the legal dates beside them: 23:30 UTC on
// 2026-03-09 is 07:30 on 2026-03-10 in Shanghai, for a time and a
// pointer to one; a nil pointer is the zero time.
func TestPageTimesInShanghai(t *testing.T) {
	at := time.Date(2026, 3, 9, 23, 30, 0, 0, time.UTC)
	tpl := template.Must(template.New("t").Funcs(template.FuncMap{"sh": inShanghai}).Parse(`{{(sh .T).Format "2006-01-02 15:04"}}|{{(sh .P).Format "2006-01-02"}}|{{(sh .N).IsZero}}`))
	var b bytes.Buffer
	if err := tpl.Execute(&b, struct {
		T time.Time
		P *time.Time
		N *time.Time
	}{at, &at, nil}); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "2026-03-10 07:30|2026-03-10|true"; got != want {
		t.Errorf("rendered %q, want %q", got, want)
	}
}
