package server

import (
	"strings"
	"testing"

	"xinyong"
)

// TestMarksInEnglish: a record under objection is marked 异议处理中 on the
// Chinese page and in English on the English one, with its severity.
func TestMarksInEnglish(t *testing.T) {
	f := newPortal(t)
	e := f.e
	var recs struct {
		Records []xinyong.Record `json:"records"`
	}
	e.do(t, req{Path: "/api/v1/records?limit=1000", Token: f.officer}).json(t, &recs)
	for _, r := range recs.Records {
		if r.Document.Number == f.orgPenalty {
			in := xinyong.RecordObjectionInput{Name: "王五", Contact: "13800000000", Fields: []string{"CF_NR"}, Reasons: "罚款金额有误"}
			if res := e.do(t, req{Method: "POST", Path: "/api/v1/records/" + r.ID + "/objections", Body: in}); res.Status != 201 {
				t.Fatalf("object: %s", res)
			}
		}
	}
	zh := e.do(t, req{Path: "/subjects/" + f.orgCode + "?tab=penalty"}).html(t, 200, "异议处理中", "一般")
	en := e.do(t, req{Path: "/subjects/" + f.orgCode + "?tab=penalty&lang=en"}).html(t, 200, "objection being handled", "general")
	if strings.Contains(zh, "mark.") || strings.Contains(en, "mark.") {
		t.Error("an untranslated mark key on the page")
	}
}
