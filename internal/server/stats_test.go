package server

import (
	"testing"

	"xinyong"
)

// TestStats: GET /api/v1/stats answers the store's record and subject
// counts and dialect to the platform's staff, and refuses relying agencies
// and the public.
func TestStats(t *testing.T) {
	e := newEnv(t)
	d := e.dept(t, "11620100MB0001AA", "兰州市市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	for i, num := range []string{"兰市监罚〔2026〕1号", "兰市监罚〔2026〕2号"} {
		in := penaltyInput(t, uscc(t, "91620100MA74QX3"+string(rune('A'+i))), "兰州某某商贸有限公司", num)
		if r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: off, Body: in}); r.Status != 201 {
			t.Fatalf("submit: %s", r)
		}
	}
	for _, tok := range []string{e.admin, off, e.token(t, "auditor", "", "")} {
		r := e.do(t, req{Path: "/api/v1/stats", Token: tok})
		var sz StoreSize
		r.json(t, &sz)
		if sz.Records != 2 || sz.Subjects != 2 || sz.Dialect != "sqlite" || sz.CountedAt.IsZero() {
			t.Errorf("stats %+v", sz)
		}
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q", r.Header.Get("Cache-Control"))
		}
	}
	e.do(t, req{Path: "/api/v1/stats", Token: e.token(t, "agency", "", "某银行")}).problem(t, 403, xinyong.EFORBIDDEN)
	e.do(t, req{Path: "/api/v1/stats"}).problem(t, 401, xinyong.EUNAUTHORIZED)
}
