package server

import (
	"strings"
	"testing"

	"xinyong"
)

// TestImportErrorsKeepNoIDAndNoFormula: errors.csv echoes cells, and a
// cell may hold a person's citizen ID number (here in the date column) or
// a formula: the number is masked (DOMAIN.md §7) and no cell of the file —
// value, column, rule or message — starts a spreadsheet formula.
func TestImportErrorsKeepNoIDAndNoFormula(t *testing.T) {
	e := newEnv(t)
	d := e.dept(t, "11620000MB192104", "甘肃省市场监督管理局", "XZCF")
	off := e.token(t, "officer", d.Code, "")
	id := citizenID(t, "62010219900101123")
	row := penaltyRow(t, uscc(t, "91620100MA000001"), "罚9号", "1", id) // in the date column
	j := e.importAndWait(t, off, "ids.csv", csvBytes(t, header(false), [][]string{row}))
	if j.Rejected != 1 {
		t.Fatalf("job: %+v", j)
	}
	// A column named like a formula (an unknown header echoed as the
	// column), stored as the reader would.
	if err := e.app.Store.Update(e.ctx, func(tx xinyong.Tx) error {
		return tx.AddImportErrors(j.ID, []xinyong.FieldError{{Row: 3, Field: `=HYPERLINK("http://evil.example/","x")`, Rule: "@rule", Message: "+message", Value: "-1"}})
	}); err != nil {
		t.Fatal(err)
	}
	errs := e.importErrors(t, off, j.ID)
	if len(errs) != 2 {
		t.Fatalf("errors: %+v", errs)
	}
	for _, er := range errs {
		for _, cell := range []string{er.column, er.value, er.rule, er.message} {
			if strings.Contains(cell, id) {
				t.Errorf("errors.csv holds the full ID number: %+v", er)
			}
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("errors.csv has a formula cell %q", cell)
			}
		}
	}
}
