package server

import (
	"net/url"
	"testing"

	"xinyong/internal/pgtest"
)

// TestPublicFormsBadBytes: the public's objection form and status lookup,
// which no session's CSRF check reads first, refuse names and values that
// are not UTF-8 text or hold NUL with a 400 page naming the field, on both
// stores (PostgreSQL text refuses such bytes; before, a 500).
func TestPublicFormsBadBytes(t *testing.T) {
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			db := ""
			if store == "postgres" {
				db = pgtest.DSN(t)
			}
			e := newEnvOn(t, db)
			for _, tt := range []struct {
				path   string
				fields url.Values
				want   string
			}{
				{"/objections", url.Values{"record_id": {"x"}, "name": {"\x00"}, "reasons": {"r"}}, "Form field name holds a NUL character"},
				{"/objections", url.Values{"record_id": {"x"}, "name": {"张三"}, "reasons": {"\xff"}}, "Form field reasons holds bytes that are not valid UTF-8"},
				{"/objections/lookup", url.Values{"id": {"\xd5\xc5"}, "contact": {"1"}}, "Form field id holds bytes that are not valid UTF-8"},
			} {
				ct, body := form(tt.fields)
				e.do(t, req{Method: "POST", Path: tt.path, Type: ct, Body: body}).html(t, 400, tt.want)
			}
		})
	}
}
