package storetest

import (
	"time"

	"xinyong"
)

// testMeasureChecks: a check keeps every field (times in UTC at microsecond
// precision, the answer and the receipt byte for byte); a repeated id is
// ECONFLICT and an unknown one ENOTFOUND.
func testMeasureChecks(e *env) {
	t := e.t
	_, subj := e.seed()
	c := xinyong.MeasureCheck{ID: "chk1", At: base, Actor: "token:t1", Organisation: "某银行", SubjectID: subj.ID, SubjectDigest: "ab12",
		Matter: "贷款审批 <第1号> & \"引号\"", Purpose: "授信", Result: []byte(`[{"measure_id":"2021-A1"}]`), ResultDigest: "cd34",
		Receipt: []byte(`{"check_id":"chk1","signature":"— x abc\n"}`), QueryID: "q1", LedgerIdx: 42}
	e.update(func(tx xinyong.Tx) { ok(t, tx.AddMeasureCheck(c), "AddMeasureCheck") })
	err := e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.AddMeasureCheck(c) })
	wantCode(t, err, xinyong.ECONFLICT, "AddMeasureCheck of an id stored before")
	e.view(func(tx xinyong.Tx) {
		got, err := tx.MeasureCheck("chk1")
		ok(t, err, "MeasureCheck")
		equal(t, "MeasureCheck", got, c)
		sameTime(t, "At", got.At, c.At)
		_, err = tx.MeasureCheck("nope")
		wantCode(t, err, xinyong.ENOTFOUND, "MeasureCheck of an unknown id")
	})
}

// testMeasureFeedback: feedback rows come back oldest first with their
// flags; CountRefusedFeedback counts only refused rows at or after since.
func testMeasureFeedback(e *env) {
	t := e.t
	fb := []xinyong.MeasureFeedback{
		{ID: "f1", CheckID: "chk1", At: base, Actor: "token:t1", MeasureID: "2021-A1", Applied: true, Reason: "已限制"},
		{ID: "f2", CheckID: "chk1", At: base.Add(time.Second), Actor: "token:t1", MeasureID: "GPL-22-PROCUREMENT", Applied: false, Reason: "不适用"},
		{ID: "f3", CheckID: "chk1", At: base.Add(2 * time.Second), Actor: "token:t1", MeasureID: "INVENTED", Applied: true, Refused: true, Refusal: "not on the list"},
		{ID: "f4", CheckID: "chk2", At: base.Add(time.Hour), Actor: "token:t2", MeasureID: "2021-A2", Applied: true, Refused: true, Refusal: "not triggered"},
	}
	e.update(func(tx xinyong.Tx) { ok(t, tx.AddMeasureFeedback(fb), "AddMeasureFeedback") })
	err := e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.AddMeasureFeedback(fb[:1]) })
	wantCode(t, err, xinyong.ECONFLICT, "AddMeasureFeedback of an id stored before")
	e.view(func(tx xinyong.Tx) {
		got, err := tx.MeasureFeedback("chk1")
		ok(t, err, "MeasureFeedback")
		equal(t, "MeasureFeedback", got, fb[:3])
		none, err := tx.MeasureFeedback("nope")
		ok(t, err, "MeasureFeedback of an unknown check")
		if len(none) != 0 {
			t.Errorf("MeasureFeedback of an unknown check = %+v", none)
		}
		n, err := tx.CountRefusedFeedback(time.Time{})
		ok(t, err, "CountRefusedFeedback")
		equal(t, "refused, all time", n, int64(2))
		n, err = tx.CountRefusedFeedback(base.Add(time.Minute))
		ok(t, err, "CountRefusedFeedback since")
		equal(t, "refused since", n, int64(1))
	})
}

// testCheckRecords: the measures check's slim read returns the subject's
// active records only, by id, with the severity and the publication window
// (published, start, maximum end) the full record has; a record without a
// published window or without a maximum end comes back so.
func testCheckRecords(e *env) {
	t := e.t
	dept, subj := e.seed()
	other := subject("s2", "91110000MA0000001X")
	r1 := record("r1", dept.ID, subj.ID, "罚〔2026〕1号")
	r2 := record("r2", dept.ID, subj.ID, "罚〔2026〕2号")
	r2.Severity, r2.Window.Published, r2.Window.Start, r2.Window.MaxEnd = xinyong.SeveritySerious, false, xinyong.Date{}, xinyong.Date{}
	r3 := record("r3", dept.ID, subj.ID, "罚〔2026〕3号")
	r3.Status = xinyong.RecordWithdrawn
	r4 := record("r4", dept.ID, other.ID, "罚〔2026〕4号")
	r5 := record("r5", dept.ID, subj.ID, "许〔2026〕5号")
	r5.Kind, r5.Item, r5.Severity, r5.Window.MaxEnd = "license", "XK01", xinyong.SeverityNone, xinyong.Date{}
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.PutSubject(other), "PutSubject")
		ok(t, tx.InsertRecords([]xinyong.Record{r1, r2, r3, r4, r5}), "InsertRecords")
	})
	e.view(func(tx xinyong.Tx) {
		got, err := tx.CheckRecords(subj.ID, 100)
		ok(t, err, "CheckRecords")
		var want []xinyong.CheckRecord
		for _, r := range []xinyong.Record{r1, r2, r5} {
			want = append(want, xinyong.CheckRecord{ID: r.ID, Item: r.Item, Severity: r.Severity, Status: r.Status,
				Window: xinyong.Window{Published: r.Window.Published, Start: r.Window.Start, MaxEnd: r.Window.MaxEnd, Severity: r.Severity}})
		}
		equal(t, "CheckRecords", got, want)
		got, err = tx.CheckRecords(subj.ID, 0)
		ok(t, err, "CheckRecords without a limit")
		equal(t, "CheckRecords without a limit", got, want)
		got, err = tx.CheckRecords(subj.ID, 1)
		ok(t, err, "CheckRecords limit 1")
		equal(t, "CheckRecords limit 1", len(got), 1)
		got, err = tx.CheckRecords("nobody", 100)
		ok(t, err, "CheckRecords of an unknown subject")
		equal(t, "CheckRecords of an unknown subject", len(got), 0)
	})
}
