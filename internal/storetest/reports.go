package storetest

import (
	"bytes"
	"time"

	"xinyong"
)

func issuedReport(number, subjectID string, at time.Time) xinyong.IssuedReport {
	return xinyong.IssuedReport{
		Number: number, SubjectID: subjectID, SubjectCode: "91110000MA0000000X", SubjectName: "某某有限公司", SubjectKind: xinyong.KindEnterprise,
		Scope: "public", IssuedAt: at, IssuedBy: "public",
		CheckpointSize: 42, CheckpointRoot: bytes.Repeat([]byte{0xab}, 32),
		Digest:    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		Note:      []byte("xinyong-report/v1\n" + number + "\n9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n\n— test.xinyong/ledger abcd\n"),
		LedgerIdx: 41,
	}
}

// testReports: the register of issued credit reports keeps every field,
// refuses a number twice, answers ENOTFOUND for unknown numbers, and lists a
// subject's reports newest first.
func testReports(e *env) {
	t := e.t
	_, subj := e.seed()
	other := subject("s2", "91110000MA0000001X")
	e.update(func(tx xinyong.Tx) { ok(t, tx.PutSubject(other), "PutSubject") })
	r1 := issuedReport("XY-20260314-AAAAAAAAAA", subj.ID, base)
	r2 := issuedReport("XY-20260314-BBBBBBBBBB", subj.ID, base.Add(time.Minute))
	r3 := issuedReport("XY-20260314-CCCCCCCCCC", other.ID, base.Add(2*time.Minute))
	e.update(func(tx xinyong.Tx) {
		for _, r := range []xinyong.IssuedReport{r1, r2, r3} {
			ok(t, tx.PutReport(r), "PutReport "+r.Number)
		}
	})
	err := e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.PutReport(r1) })
	wantCode(t, err, xinyong.ECONFLICT, "PutReport of a number issued before")
	e.view(func(tx xinyong.Tx) {
		got, err := tx.Report(r2.Number)
		ok(t, err, "Report")
		equal(t, "Report", got, r2)
		sameTime(t, "IssuedAt", got.IssuedAt, r2.IssuedAt)
		_, err = tx.Report("XY-20260314-ZZZZZZZZZZ")
		wantCode(t, err, xinyong.ENOTFOUND, "Report of an unknown number")
		list, err := tx.ReportsBySubject(subj.ID, 0)
		ok(t, err, "ReportsBySubject")
		equal(t, "ReportsBySubject (newest first)", list, []xinyong.IssuedReport{r2, r1})
		one, err := tx.ReportsBySubject(subj.ID, 1)
		ok(t, err, "ReportsBySubject(1)")
		equal(t, "ReportsBySubject(1)", one, []xinyong.IssuedReport{r2})
		none, err := tx.ReportsBySubject("nobody", 0)
		ok(t, err, "ReportsBySubject(nobody)")
		if len(none) != 0 {
			t.Errorf("ReportsBySubject(nobody) = %v, want none", none)
		}
	})
}
