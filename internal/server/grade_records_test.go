package server

import (
	"fmt"
	"strings"
	"testing"

	"xinyong"
)

// TestGradeRecordsShownByRight: a grade's explanation describes the
// records behind it only to who may read them. An officer of another
// department (grades are read across departments) sees what the public
// sees and no more: not a minor's penalty, not a shielded record; a record
// deleted by credit repair is described to nobody, not even the department
// that recorded it or the admin (DOMAIN.md §6, §7).
func TestGradeRecordsShownByRight(t *testing.T) {
	f := newPortal(t)
	e := f.e
	other := e.dept(t, "11620100MB0009XY", "兰州市税务局", "XZCF")
	offB := e.token(t, "officer", other.Code, "")
	admin := e.token(t, "admin", "", "")
	grade := func(code, token string) string {
		t.Helper()
		r := e.do(t, req{Path: "/api/v1/subjects/" + code + "/grade", Token: token})
		if r.Status != 200 {
			t.Fatalf("grade of %s: %s", code, r)
		}
		return string(r.Body)
	}
	const minorPenalty = "兰市监罚〔2026〕303号"
	var minor xinyong.Subject // a person is named by its subject id, never its ID number, in an address
	if err := e.app.Store.View(e.ctx, func(tx xinyong.Tx) (err error) { minor, err = tx.SubjectByKey(e.svc.SubjectKey(f.minorID)); return }); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(grade(minor.ID, f.officer), minorPenalty) {
		t.Error("the recording department does not see its own record behind the minor's grade")
	}
	if strings.Contains(grade(minor.ID, offB), minorPenalty) {
		t.Error("another department's officer sees the minor's penalty behind the grade")
	}
	if !strings.Contains(grade(f.orgCode, offB), f.orgPenalty) {
		t.Error("another department's officer does not see the public penalty behind the grade")
	}
	shielded, deleted := uscc(t, "91620100MA74QR1P"), uscc(t, "91620100MA74QR2P")
	if strings.Contains(grade(shielded, offB), "兰市监罚〔2026〕61号") {
		t.Error("another department's officer sees a record shielded by credit repair")
	}
	if !strings.Contains(grade(shielded, f.officer), "兰市监罚〔2026〕61号") {
		t.Error("the recording department does not see its shielded record")
	}
	for name, token := range map[string]string{"recording officer": f.officer, "other officer": offB, "admin": admin} {
		if body := grade(deleted, token); strings.Contains(body, "兰市监罚〔2026〕62号") {
			t.Error(fmt.Sprintf("%s sees a record deleted by credit repair behind the grade", name))
		}
	}
}
