// Package storetest is the one behavioural suite every xinyong.Store must
// pass. A store package's test calls Run with a factory that returns a fresh,
// migrated, empty store:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) xinyong.Store { … })
//	}
//
// The suite runs its subtests in parallel, each on its own store. It takes
// over the store's clock when the store is a *sqlstore.DB (whatever clock the
// factory set is replaced by a Clock the subtest controls), so that no test
// depends on the wall clock.
package storetest

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/sqlstore"
)

// Clock is a settable clock. The zero Clock is not useful; use NewClock.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Start is where each subtest's clock starts: in Shanghai, with nanoseconds,
// so that the suite sees whether stores keep times in UTC at microsecond
// precision.
var Start = time.Date(2026, 3, 14, 17, 26, 53, 589793238, xinyong.Shanghai)

// base is a fixture time already at microsecond precision in UTC.
var base = time.Date(2026, 2, 1, 1, 2, 3, 456789000, time.UTC)

type env struct {
	t   *testing.T
	s   xinyong.Store
	clk *Clock
	ctx context.Context
}

// Run runs the whole suite. open must return a fresh, migrated, empty store
// for the test it is given, and arrange for it to be closed (t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) xinyong.Store) {
	tests := []struct {
		name string
		fn   func(e *env)
	}{
		{"Migrate", testMigrate},
		{"EmptyStore", testEmptyStore},
		{"Clock", testClock},
		{"TimesRoundTrip", testTimesRoundTrip},
		{"Meta", testMeta},
		{"Audit", testAudit},
		{"Categories", testCategories},
		{"CatalogueItems", testCatalogueItems},
		{"CataloguePending", testCataloguePending}, {"CataloguePendingMigration", testCataloguePendingMigration},
		{"MeasuresAndListTypes", testMeasuresAndListTypes},
		{"Regimes", testRegimes},
		{"CalendarOverrides", testOverrides},
		{"Departments", testDepartments},
		{"Accounts", testAccounts},
		{"Tokens", testTokens},
		{"Sessions", testSessions},
		{"LoginFailures", testLoginFailures},
		{"Subjects", testSubjects},
		{"CodeOverrides", testCodeOverrides},
		{"Records", testRecords},
		{"RecordStaleUpdate", testRecordStaleUpdate},
		{"RecordVersionsKeepStatus", testRecordVersionsKeepStatus},
		{"ListRecords", testListRecords},
		{"RecordContents", testRecordContents},
		{"Bulk", testBulk},
		{"BulkRoundTrip", testBulkRoundTrip}, {"BulkConflict", testBulkConflict},
		{"AuditByLedger", testAuditByLedger},
		{"Imports", testImports},
		{"ImportErrors", testImportErrors},
		{"LedgerHead", testLedgerHead},
		{"LedgerEntries", testLedgerEntries},
		{"LedgerNodes", testLedgerNodes},
		{"Checkpoints", testCheckpoints},
		{"Reports", testReports},
		{"Consents", testConsents}, {"QueryUses", testQueryUses},
		{"Listings", testListings},
		{"Objections", testObjections},
		{"Grading", testGrading},
		{"Repairs", testRepairs},
		{"ComplianceCounts", testComplianceCounts}, {"ComplianceFeedback", testComplianceFeedback},
		{"ComplianceDeadlines", testComplianceDeadlines}, {"ComplianceJobs", testComplianceJobs},
		{"MeasureChecks", testMeasureChecks}, {"MeasureFeedback", testMeasureFeedback}, {"CheckRecords", testCheckRecords}, {"Read", testRead},
		{"Events", testEvents}, {"EventsSkipLocked", testEventsSkipLocked},
		{"UpdateCommits", testUpdateCommits},
		{"UpdateRollsBack", testUpdateRollsBack},
		{"UpdatePanicRollsBack", testUpdatePanicRollsBack},
		{"ViewCannotWrite", testViewCannotWrite},
		{"CallbackErrorsStopStreams", testCallbackErrors},
		{"Search", testSearch},
		{"SearchRename", testSearchRename},
		{"SearchPages", testSearchPages},
		{"PublishedRecords", testPublishedRecords},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			clk := NewClock(Start)
			if db, ok := s.(*sqlstore.DB); ok {
				db.Clock = clk.Now
			}
			tt.fn(&env{t: t, s: s, clk: clk, ctx: t.Context()})
		})
	}
}

// ---- helpers ----

// update runs fn in an Update and fails the test on error.
func (e *env) update(fn func(tx xinyong.Tx)) {
	e.t.Helper()
	if err := e.s.Update(e.ctx, func(tx xinyong.Tx) error { fn(tx); return nil }); err != nil {
		e.t.Fatalf("Update: %v", err)
	}
}

// view runs fn in a View and fails the test on error.
func (e *env) view(fn func(tx xinyong.Tx)) {
	e.t.Helper()
	if err := e.s.View(e.ctx, func(tx xinyong.Tx) error { fn(tx); return nil }); err != nil {
		e.t.Fatalf("View: %v", err)
	}
}

// ok fails the test when err is not nil.
func ok(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// wantCode fails the test unless err is a xinyong error with code.
func wantCode(t *testing.T, err error, code, what string) {
	t.Helper()
	if got := xinyong.ErrorCode(err); got != code {
		t.Errorf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
}

// equal fails the test unless got and want are deeply equal.
func equal(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

// sameTime checks that got is want at microsecond precision, in UTC.
func sameTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	w := want.Truncate(time.Microsecond).UTC()
	if !got.Equal(w) || got.Location() != time.UTC {
		t.Errorf("%s: got %v (%v), want %v in UTC", what, got, got.Location(), w)
	}
}

// ---- fixtures (sensible defaults; tests change what they look at) ----

func department(id, code string) xinyong.Department {
	return xinyong.Department{ID: id, Code: code, Name: "市场监督管理局 " + id, Provides: []string{"CF01", "XK01"}, CreatedAt: base}
}

func account(id, username, deptID string) xinyong.Account {
	role := xinyong.RoleOfficer
	if deptID == "" {
		role = xinyong.RoleAdmin
	}
	return xinyong.Account{ID: id, Username: username, Name: "张三 " + id, Role: role, DepartmentID: deptID, PasswordHash: "$argon2id$v=19$" + id, CreatedAt: base}
}

func token(id string, hash string) xinyong.Token {
	return xinyong.Token{ID: id, Name: "system " + id, Role: xinyong.RoleAgency, Organisation: "某银行", Hash: []byte(hash), CreatedAt: base}
}

func subject(id, key string) xinyong.Subject {
	return xinyong.Subject{ID: id, Key: key, Code: key, Kind: xinyong.KindEnterprise, Name: "某某有限公司 " + id, CreatedAt: base}
}

func record(id, deptID, subjID, number string) xinyong.Record {
	decision := xinyong.NewDate(2026, 1, 15)
	return xinyong.Record{
		ID: id, Item: "CF01", Kind: "penalty",
		SubjectID: subjID, SubjectCode: "91110000MA0000000X", SubjectName: "某某有限公司", SubjectKind: xinyong.KindEnterprise,
		DepartmentID: deptID,
		Document:     xinyong.Document{Type: xinyong.DocPenaltyDecision, Number: number, Authority: "某市市场监督管理局", DecisionDate: decision},
		Fields:       map[string]string{"CF_SY": "未按规定公示年度报告", "CF_FK": "1.5"},
		Severity:     xinyong.SeverityGeneral, Categories: []string{"罚款"},
		Window:   xinyong.Window{Published: true, Start: decision, MinEnd: decision.AddMonths(3), MaxEnd: decision.AddMonths(36), Severity: xinyong.SeverityGeneral, Regime: "R2021", Reason: "general"},
		Lateness: xinyong.Lateness{Due: decision.AddDays(9)},
		Version:  1, Status: xinyong.RecordActive,
		SubmittedAt: base, UpdatedAt: base,
		Content: []byte(`{"id":"` + id + `","v":1}`), Salt: []byte("salt-" + id),
		LedgerIdx: 7,
	}
}

func importJob(id, deptID string) xinyong.Import {
	return xinyong.Import{ID: id, DepartmentID: deptID, Kind: "penalty", Item: "CF01", FileName: "行政处罚.csv", FileSize: 1234, FileDigest: "sha256:ab", Format: "csv",
		Status: xinyong.ImportQueued, By: "account:a1", CreatedAt: base, UpdatedAt: base, Path: "/var/lib/xinyong/imports/" + id}
}

// seed creates a department and a subject for records and imports.
func (e *env) seed() (dept xinyong.Department, subj xinyong.Subject) {
	e.t.Helper()
	dept, subj = department("d1", "11110000000000001A"), subject("s1", "91110000MA0000000X")
	e.update(func(tx xinyong.Tx) {
		ok(e.t, tx.CreateDepartment(dept), "CreateDepartment")
		ok(e.t, tx.PutSubject(subj), "PutSubject")
	})
	return dept, subj
}

var errStop = errors.New("stop")
