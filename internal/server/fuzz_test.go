package server

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"
)

// FuzzPostRecordJSON sends arbitrary bytes as a record submission: the
// answer is never a 5xx, and always either a problem or a record.
func FuzzPostRecordJSON(f *testing.F) {
	e := newEnv(f)
	d := e.dept(f, "11620000MB192104", "甘肃省市场监督管理局", "XZCF")
	off := e.token(f, "officer", d.Code, "")
	good, _ := json.Marshal(penaltyInput(f, uscc(f, "91620100MA000001"), "兰州某某商贸有限公司", "甘市监罚〔2025〕1号"))
	for _, seed := range []string{
		string(good), "", "{}", "null", "[]", `{"item":"XZCF"}`, `{"item":"XZCF","document":{"decision_date":"2025-13-01"}}`,
		`{"subject_code":"62010219800101789X"}`, `{"fields":{"CF_NR_FK":1e400}}`, `{"leniency":{"minor":true}}`,
		"{\"subject_name\":\"\xff\"}", `{"document":{"number":"` + string(bytes.Repeat([]byte("号"), 100)) + `"}}`,
		`{"item":"XZCF"}}`, `{"department":"x"}`, `{"categories":[null]}`, `{"severity":"严重"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Add(good[:len(good)/2])
	h := e.srv.Handler()
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest("POST", "/api/v1/records", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer "+off)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%d for %q: %s", w.Code, body, w.Body)
		}
		switch w.Code {
		case 200, 201:
			var a struct {
				Record  *struct{ ID string } `json:"record"`
				Outcome string               `json:"outcome"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil || a.Record == nil || a.Record.ID == "" || a.Outcome == "" {
				t.Fatalf("%d without a record for %q: %s", w.Code, body, w.Body)
			}
		default:
			if w.Code < 400 {
				t.Fatalf("status %d for %q", w.Code, body)
			}
			checkProblem(t, w.Code, w.Header(), w.Body.Bytes(), "")
		}
	})
}
