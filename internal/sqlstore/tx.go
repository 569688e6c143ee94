package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"xinyong"
)

// Tx implements xinyong.Tx.
type Tx struct {
	db       *DB
	tx       *sql.Tx   // nil for Read: statements run on their own
	q        querier   // tx, or the read pool for Read
	conn     *sql.Conn // the transaction's connection, when the dialect has CopyRows
	ctx      context.Context
	now      time.Time
	readOnly bool
	uses     map[string]int
	stmts    map[string]*sql.Stmt
}

var _ xinyong.Tx = (*Tx)(nil)

// querier is what statements run on: a transaction, or a pool.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// SQL returns the underlying transaction, for dialect packages' bulk paths.
func (t *Tx) SQL() *sql.Tx { return t.tx }

// Raw runs fn on the driver connection the transaction runs on (for
// dialect packages' bulk paths: Dialect.CopyRows). Only read-write
// transactions of a dialect with CopyRows have one.
func (t *Tx) Raw(fn func(driverConn any) error) error {
	if t.conn == nil {
		return errors.New("sqlstore: this transaction has no connection of its own")
	}
	return t.conn.Raw(fn)
}

// Context returns the transaction's context.
func (t *Tx) Context() context.Context { return t.ctx }

// Q rebinds a query for the dialect.
func (t *Tx) Q(query string) string { return t.db.q(query) }

// Now is the transaction's single "now".
func (t *Tx) Now() time.Time { return t.now }

// prepared returns a statement prepared in this transaction for a query that
// runs more than once in it (bulk intake runs the same few statements for
// thousands of rows; parsing them each time cost a third of the time), or
// nil. Only dialects that do not cache statements themselves use it.
func (t *Tx) prepared(query string) *sql.Stmt {
	if !t.db.D.PrepareInTx {
		return nil
	}
	if st, ok := t.stmts[query]; ok {
		return st
	}
	if t.uses == nil {
		t.uses, t.stmts = map[string]int{}, map[string]*sql.Stmt{}
	}
	// A statement the pool prepared before (stmtcache.go).
	pool, cache := t.db.W, &t.db.wStmts
	if t.readOnly {
		pool, cache = t.db.R, &t.db.rStmts
	}
	if st := cache.get(pool, t.db.q(query)); st != nil {
		if t.tx == nil { // Read: the pool's statement itself
			return st
		}
		ts := t.tx.StmtContext(t.ctx, st)
		t.stmts[query] = ts
		return ts
	}
	if t.tx == nil {
		return nil // Read: preparing would take a second connection
	}
	t.uses[query]++
	if t.uses[query] < 2 {
		return nil
	}
	st, err := t.tx.PrepareContext(t.ctx, t.db.q(query))
	if err != nil {
		return nil
	}
	t.stmts[query] = st
	return st
}

func (t *Tx) execResult(query string, args ...any) (sql.Result, error) {
	if st := t.prepared(query); st != nil {
		return st.ExecContext(t.ctx, args...)
	}
	return t.q.ExecContext(t.ctx, t.db.q(query), args...)
}

func (t *Tx) exec(query string, args ...any) error {
	_, err := t.execResult(query, args...)
	if err != nil && t.db.D.IsUnique != nil && t.db.D.IsUnique(err) {
		return uniqueConflict(err)
	}
	return err
}

// execOne runs an UPDATE of one row and returns ENOTFOUND when no row matched.
func (t *Tx) execOne(what, query string, args ...any) error {
	res, err := t.execResult(query, args...)
	if err != nil {
		if t.db.D.IsUnique != nil && t.db.D.IsUnique(err) {
			return uniqueConflict(err)
		}
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return &xinyong.Error{Code: xinyong.ENOTFOUND, Message: what + " not found"}
	}
	return nil
}

func (t *Tx) row(query string, args ...any) *sql.Row {
	if st := t.prepared(query); st != nil {
		return st.QueryRowContext(t.ctx, args...)
	}
	return t.q.QueryRowContext(t.ctx, t.db.q(query), args...)
}

func (t *Tx) rows(query string, args ...any) (*sql.Rows, error) {
	if st := t.prepared(query); st != nil {
		return st.QueryContext(t.ctx, args...)
	}
	return t.q.QueryContext(t.ctx, t.db.q(query), args...)
}

// docKeyLookup is RecordsByDocKeys through the dialect's DocKeyLookup:
// one statement for all the numbers, passed as one array.
func (t *Tx) docKeyLookup(departmentID, kind string, numbers []string) ([]xinyong.Record, error) {
	if len(numbers) == 0 {
		return nil, nil
	}
	return t.scanRecords(fmt.Sprintf(t.db.D.DocKeyLookup, recordCols), numbers, departmentID, kind)
}

// uniqueConflict reports a uniqueness violation as ECONFLICT, naming the
// constraint the database gave (a table and column, never a value).
func uniqueConflict(err error) error {
	msg := "a row with the same key already exists"
	text := err.Error()
	if i := strings.Index(text, "UNIQUE constraint failed: "); i >= 0 { // SQLite: "…: t.a, t.b (2067)"
		cols := text[i+len("UNIQUE constraint failed: "):]
		if j := strings.Index(cols, " ("); j >= 0 {
			cols = cols[:j]
		}
		msg += " (" + strings.TrimSpace(cols) + ")"
	} else if i := strings.Index(text, "unique constraint \""); i >= 0 { // PostgreSQL
		rest := text[i+len("unique constraint \""):]
		if j := strings.IndexByte(rest, '"'); j > 0 {
			msg += " (" + rest[:j] + ")"
		}
	}
	return &xinyong.Error{Code: xinyong.ECONFLICT, Message: msg}
}

func notFound(what string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return &xinyong.Error{Code: xinyong.ENOTFOUND, Message: what + " not found"}
	}
	return err
}

// Micros converts a time to stored microseconds.
func Micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// FromMicros converts stored microseconds to a UTC time.
func FromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only domain structs are marshalled; they always encode
	}
	return string(b)
}

// ---- meta and audit ----

func (t *Tx) Meta(key string) (string, error) {
	var v string
	err := t.row(`SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	return v, notFound("setting "+key, err)
}

func (t *Tx) SetMeta(key, value string) error {
	return t.exec(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
}

func (t *Tx) AppendAudit(e xinyong.AuditEvent) error {
	if e.At.IsZero() {
		e.At = t.now
	}
	return t.exec(`INSERT INTO audit (at, actor, actor_name, action, object_type, object_id, before_digest, after_digest, detail, ledger_idx) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		Micros(e.At), e.Actor, e.ActorName, string(e.Action), e.ObjectType, e.ObjectID, e.BeforeDigest, e.AfterDigest, e.Detail, e.LedgerIdx)
}

func (t *Tx) ListAudit(f xinyong.AuditFilter) ([]xinyong.AuditEvent, error) {
	var where []string
	var args []any
	if f.ObjectType != "" {
		where, args = append(where, "object_type = ?"), append(args, f.ObjectType)
	}
	if f.ObjectID != "" {
		where, args = append(where, "object_id = ?"), append(args, f.ObjectID)
	}
	if f.Actor != "" {
		where, args = append(where, "actor = ?"), append(args, f.Actor)
	}
	if f.Action != "" {
		where, args = append(where, "action = ?"), append(args, string(f.Action))
	}
	q := `SELECT ` + auditCols + ` FROM audit`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 || limit > 10000 {
		limit = 1000
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, limit)
	rows, err := t.rows(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.AuditEvent
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

const auditCols = `id, at, actor, actor_name, action, object_type, object_id, before_digest, after_digest, detail, ledger_idx`

func scanAudit(sc interface{ Scan(...any) error }) (xinyong.AuditEvent, error) {
	var e xinyong.AuditEvent
	var at int64
	var action string
	var idx sql.NullInt64
	err := sc.Scan(&e.ID, &at, &e.Actor, &e.ActorName, &action, &e.ObjectType, &e.ObjectID, &e.BeforeDigest, &e.AfterDigest, &e.Detail, &idx)
	e.At, e.Action, e.LedgerIdx = FromMicros(at), xinyong.Action(action), idx.Int64
	if !idx.Valid {
		e.LedgerIdx = -1
	}
	return e, err
}

func (t *Tx) AuditByLedger(from, to int64, fn func(xinyong.AuditEvent) error) error {
	return t.eachAudit(fn, `SELECT `+auditCols+` FROM audit WHERE ledger_idx >= ? AND ledger_idx < ? ORDER BY ledger_idx`, from, to)
}

func (t *Tx) AuditWithoutLeaf(size int64, fn func(xinyong.AuditEvent) error) error {
	return t.eachAudit(fn, `SELECT `+auditCols+` FROM audit WHERE ledger_idx IS NULL OR ledger_idx < 0 OR ledger_idx >= ? ORDER BY id`, size)
}

func (t *Tx) AllAudit(fn func(xinyong.AuditEvent) error) error {
	return t.eachAudit(fn, `SELECT `+auditCols+` FROM audit ORDER BY id`)
}

func (t *Tx) eachAudit(fn func(xinyong.AuditEvent) error, query string, args ...any) error {
	rows, err := t.rows(query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ---- catalogue and reference data (stored as JSON documents) ----

func (t *Tx) PutCategory(c xinyong.Category) error {
	return t.exec(`INSERT INTO category (code, edition, data) VALUES (?, ?, ?) ON CONFLICT (code) DO UPDATE SET edition = excluded.edition, data = excluded.data`, c.Code, c.Edition, mustJSON(c))
}

func (t *Tx) Categories() ([]xinyong.Category, error) {
	return listJSON[xinyong.Category](t, `SELECT data FROM category ORDER BY code`)
}

func (t *Tx) PutCatalogueItem(it xinyong.CatalogueItem) error {
	it.UpdatedAt, it.Pending = t.now, nil // a listing's view, never stored
	data := mustJSON(it)
	if err := t.exec(`INSERT INTO catalogue_item (code, version, status, data) VALUES (?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET version = excluded.version, status = excluded.status, data = excluded.data`,
		it.Code, it.Version, string(it.Status), data); err != nil {
		return err
	}
	return t.exec(`INSERT INTO catalogue_item_history (code, version, at, data) VALUES (?, ?, ?, ?)`, it.Code, it.Version, Micros(t.now), data)
}

func (t *Tx) CatalogueItem(code string) (xinyong.CatalogueItem, error) {
	var it xinyong.CatalogueItem
	var data string
	if err := t.row(`SELECT data FROM catalogue_item WHERE code = ?`, code).Scan(&data); err != nil {
		return it, notFound("catalogue item "+code, err)
	}
	return it, json.Unmarshal([]byte(data), &it)
}

func (t *Tx) CatalogueItems() ([]xinyong.CatalogueItem, error) {
	return listJSON[xinyong.CatalogueItem](t, `SELECT data FROM catalogue_item ORDER BY code`)
}

func (t *Tx) CatalogueItemHistory(code string) ([]xinyong.CatalogueItem, error) {
	return listJSON[xinyong.CatalogueItem](t, `SELECT data FROM catalogue_item_history WHERE code = ? ORDER BY version`, code)
}

// PutPendingCatalogueItem stores the pending version of an existing item
// (migration 0016) and appends it to the item's history.
func (t *Tx) PutPendingCatalogueItem(it xinyong.CatalogueItem) error {
	var one int
	if err := t.row(`SELECT 1 FROM catalogue_item WHERE code = ?`, it.Code).Scan(&one); err != nil {
		return notFound("catalogue item "+it.Code, err)
	}
	it.UpdatedAt, it.Pending = t.now, nil
	data := mustJSON(it)
	if err := t.exec(`INSERT INTO catalogue_item_pending (code, version, status, data) VALUES (?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET version = excluded.version, status = excluded.status, data = excluded.data`,
		it.Code, it.Version, string(it.Status), data); err != nil {
		return err
	}
	return t.exec(`INSERT INTO catalogue_item_history (code, version, at, data) VALUES (?, ?, ?, ?)`, it.Code, it.Version, Micros(t.now), data)
}

func (t *Tx) PendingCatalogueItem(code string) (xinyong.CatalogueItem, error) {
	var it xinyong.CatalogueItem
	var data string
	if err := t.row(`SELECT data FROM catalogue_item_pending WHERE code = ?`, code).Scan(&data); err != nil {
		return it, notFound("pending version of catalogue item "+code, err)
	}
	return it, json.Unmarshal([]byte(data), &it)
}

func (t *Tx) PendingCatalogueItems() ([]xinyong.CatalogueItem, error) {
	return listJSON[xinyong.CatalogueItem](t, `SELECT data FROM catalogue_item_pending ORDER BY code`)
}

func (t *Tx) DeletePendingCatalogueItem(code string) error {
	return t.execOne("pending version of catalogue item "+code, `DELETE FROM catalogue_item_pending WHERE code = ?`, code)
}

func (t *Tx) AppendCatalogueItemHistory(it xinyong.CatalogueItem) error {
	it.UpdatedAt, it.Pending = t.now, nil
	return t.exec(`INSERT INTO catalogue_item_history (code, version, at, data) VALUES (?, ?, ?, ?)`, it.Code, it.Version, Micros(t.now), mustJSON(it))
}

func (t *Tx) PutMeasure(m xinyong.Measure) error {
	return t.exec(`INSERT INTO measure (code, data) VALUES (?, ?) ON CONFLICT (code) DO UPDATE SET data = excluded.data`, m.Code, mustJSON(m))
}

func (t *Tx) Measures() ([]xinyong.Measure, error) {
	return listJSON[xinyong.Measure](t, `SELECT data FROM measure ORDER BY code`)
}

func (t *Tx) PutListType(lt xinyong.ListType) error {
	return t.exec(`INSERT INTO list_type (code, data) VALUES (?, ?) ON CONFLICT (code) DO UPDATE SET data = excluded.data`, lt.Code, mustJSON(lt))
}

func (t *Tx) ListTypes() ([]xinyong.ListType, error) {
	return listJSON[xinyong.ListType](t, `SELECT data FROM list_type ORDER BY code`)
}

func (t *Tx) PutRegime(r xinyong.Regime) error {
	return t.exec(`INSERT INTO regime (code, data) VALUES (?, ?) ON CONFLICT (code) DO UPDATE SET data = excluded.data`, r.Code, mustJSON(r))
}

func (t *Tx) Regimes() (xinyong.Regimes, error) {
	rs, err := listJSON[xinyong.Regime](t, `SELECT data FROM regime`)
	if err != nil {
		return nil, err
	}
	out := xinyong.Regimes(rs)
	sortRegimes(out)
	return out, nil
}

func sortRegimes(rs xinyong.Regimes) {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].From.Before(rs[j-1].From); j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

func (t *Tx) PutOverride(o xinyong.Override) error {
	return t.exec(`INSERT INTO calendar_override (day, kind, name, reason) VALUES (?, ?, ?, ?) ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name, reason = excluded.reason`,
		o.Date.String(), int(o.Kind), o.Name, o.Reason)
}

func (t *Tx) DeleteOverride(d xinyong.Date) error {
	res, err := t.q.ExecContext(t.ctx, t.db.q(`DELETE FROM calendar_override WHERE day = ?`), d.String())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &xinyong.Error{Code: xinyong.ENOTFOUND, Message: "no calendar override on " + d.String()}
	}
	return nil
}

func (t *Tx) Overrides() ([]xinyong.Override, error) {
	rows, err := t.rows(`SELECT day, kind, name, reason FROM calendar_override ORDER BY day`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.Override
	for rows.Next() {
		var o xinyong.Override
		var kind int
		if err := rows.Scan(&o.Date, &kind, &o.Name, &o.Reason); err != nil {
			return nil, err
		}
		o.Kind = xinyong.DayKind(kind)
		out = append(out, o)
	}
	return out, rows.Err()
}

func listJSON[T any](t *Tx, query string, args ...any) ([]T, error) {
	rows, err := t.rows(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var v T
		if err := json.Unmarshal([]byte(data), &v); err != nil {
			return nil, fmt.Errorf("decode stored row: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// ---- departments ----

const deptCols = `id, code, name, provides, disabled, created_at`

func scanDept(sc interface{ Scan(...any) error }) (xinyong.Department, error) {
	var d xinyong.Department
	var provides string
	var created int64
	if err := sc.Scan(&d.ID, &d.Code, &d.Name, &provides, &d.Disabled, &created); err != nil {
		return d, err
	}
	d.CreatedAt = FromMicros(created)
	err := json.Unmarshal([]byte(provides), &d.Provides)
	return d, err
}

func (t *Tx) CreateDepartment(d xinyong.Department) error {
	if d.Provides == nil {
		d.Provides = []string{}
	}
	return t.exec(`INSERT INTO department (`+deptCols+`) VALUES (?, ?, ?, ?, ?, ?)`, d.ID, d.Code, d.Name, mustJSON(d.Provides), d.Disabled, Micros(d.CreatedAt))
}

func (t *Tx) UpdateDepartment(d xinyong.Department) error {
	if d.Provides == nil {
		d.Provides = []string{}
	}
	return t.execOne("department "+d.ID, `UPDATE department SET name = ?, provides = ?, disabled = ? WHERE id = ?`, d.Name, mustJSON(d.Provides), d.Disabled, d.ID)
}

func (t *Tx) Department(id string) (xinyong.Department, error) {
	d, err := scanDept(t.row(`SELECT `+deptCols+` FROM department WHERE id = ?`, id))
	return d, notFound("department", err)
}

func (t *Tx) DepartmentByCode(code string) (xinyong.Department, error) {
	d, err := scanDept(t.row(`SELECT `+deptCols+` FROM department WHERE code = ?`, code))
	return d, notFound("department "+code, err)
}

func (t *Tx) Departments() ([]xinyong.Department, error) {
	rows, err := t.rows(`SELECT ` + deptCols + ` FROM department ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.Department
	for rows.Next() {
		d, err := scanDept(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ---- accounts, tokens, sessions ----

const accountCols = `id, username, name, role, department_id, subject_id, organisation, password_hash, disabled, created_at`

func scanAccount(sc interface{ Scan(...any) error }) (xinyong.Account, error) {
	var a xinyong.Account
	var dept, subj sql.NullString
	var role string
	var created int64
	if err := sc.Scan(&a.ID, &a.Username, &a.Name, &role, &dept, &subj, &a.Organisation, &a.PasswordHash, &a.Disabled, &created); err != nil {
		return a, err
	}
	a.Role, a.DepartmentID, a.SubjectID, a.CreatedAt = xinyong.Role(role), dept.String, subj.String, FromMicros(created)
	return a, nil
}

func (t *Tx) CreateAccount(a xinyong.Account) error {
	return t.exec(`INSERT INTO account (`+accountCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.Username, a.Name, string(a.Role), nullStr(a.DepartmentID), nullStr(a.SubjectID), a.Organisation, a.PasswordHash, a.Disabled, Micros(a.CreatedAt))
}

func (t *Tx) UpdateAccount(a xinyong.Account) error {
	return t.execOne("account "+a.ID, `UPDATE account SET name = ?, role = ?, department_id = ?, subject_id = ?, organisation = ?, password_hash = ?, disabled = ? WHERE id = ?`,
		a.Name, string(a.Role), nullStr(a.DepartmentID), nullStr(a.SubjectID), a.Organisation, a.PasswordHash, a.Disabled, a.ID)
}

func (t *Tx) Account(id string) (xinyong.Account, error) {
	a, err := scanAccount(t.row(`SELECT `+accountCols+` FROM account WHERE id = ?`, id))
	return a, notFound("account", err)
}

func (t *Tx) AccountByUsername(username string) (xinyong.Account, error) {
	a, err := scanAccount(t.row(`SELECT `+accountCols+` FROM account WHERE username = ?`, username))
	return a, notFound("account", err)
}

func (t *Tx) Accounts() ([]xinyong.Account, error) {
	rows, err := t.rows(`SELECT ` + accountCols + ` FROM account ORDER BY username`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

const tokenCols = `id, name, role, department_id, organisation, hash, created_at, revoked_at`

func scanToken(sc interface{ Scan(...any) error }) (xinyong.Token, error) {
	var k xinyong.Token
	var dept sql.NullString
	var role string
	var created int64
	var revoked sql.NullInt64
	if err := sc.Scan(&k.ID, &k.Name, &role, &dept, &k.Organisation, &k.Hash, &created, &revoked); err != nil {
		return k, err
	}
	k.Role, k.DepartmentID, k.CreatedAt = xinyong.Role(role), dept.String, FromMicros(created)
	if revoked.Valid {
		at := FromMicros(revoked.Int64)
		k.RevokedAt = &at
	}
	return k, nil
}

func (t *Tx) CreateToken(k xinyong.Token) error {
	return t.exec(`INSERT INTO token (`+tokenCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)`,
		k.ID, k.Name, string(k.Role), nullStr(k.DepartmentID), k.Organisation, k.Hash, Micros(k.CreatedAt))
}

func (t *Tx) TokenByHash(hash []byte) (xinyong.Token, error) {
	k, err := scanToken(t.row(`SELECT `+tokenCols+` FROM token WHERE hash = ?`, hash))
	return k, notFound("token", err)
}

func (t *Tx) Tokens() ([]xinyong.Token, error) {
	rows, err := t.rows(`SELECT ` + tokenCols + ` FROM token ORDER BY created_at`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.Token
	for rows.Next() {
		k, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

func (t *Tx) RevokeToken(id string, at time.Time) error {
	res, err := t.q.ExecContext(t.ctx, t.db.q(`UPDATE token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`), Micros(at), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return &xinyong.Error{Code: xinyong.ENOTFOUND, Message: "no active token " + id}
	}
	return nil
}

func (t *Tx) CreateSession(s xinyong.Session) error {
	return t.exec(`INSERT INTO session (hash, account_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`, s.Hash, s.AccountID, s.CSRF, Micros(s.CreatedAt), Micros(s.ExpiresAt))
}

func (t *Tx) SessionByHash(hash []byte) (xinyong.Session, error) {
	var s xinyong.Session
	var created, expires int64
	err := t.row(`SELECT hash, account_id, csrf, created_at, expires_at FROM session WHERE hash = ?`, hash).Scan(&s.Hash, &s.AccountID, &s.CSRF, &created, &expires)
	s.CreatedAt, s.ExpiresAt = FromMicros(created), FromMicros(expires)
	return s, notFound("session", err)
}

func (t *Tx) DeleteSession(hash []byte) error {
	return t.exec(`DELETE FROM session WHERE hash = ?`, hash)
}

func (t *Tx) DeleteAccountSessions(accountID string) (int64, error) {
	res, err := t.execResult(`DELETE FROM session WHERE account_id = ?`, accountID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (t *Tx) AddLoginFailure(key string, at time.Time) error {
	return t.exec(`INSERT INTO login_failure (key, at) VALUES (?, ?)`, key, Micros(at))
}

// DeleteLoginFailure removes one failure of key at at (the table has no
// row id: the others recorded at that same microsecond are put back).
func (t *Tx) DeleteLoginFailure(key string, at time.Time) error {
	var n int
	if err := t.row(`SELECT COUNT(*) FROM login_failure WHERE key = ? AND at = ?`, key, Micros(at)).Scan(&n); err != nil || n == 0 {
		return err
	}
	if err := t.exec(`DELETE FROM login_failure WHERE key = ? AND at = ?`, key, Micros(at)); err != nil {
		return err
	}
	for range n - 1 {
		if err := t.AddLoginFailure(key, at); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tx) CountLoginFailures(key string, since time.Time) (int, error) {
	var n int
	err := t.row(`SELECT COUNT(*) FROM login_failure WHERE key = ? AND at >= ?`, key, Micros(since)).Scan(&n)
	return n, err
}

// ---- subjects ----

const subjectCols = `id, key, code, kind, name, birth, code_override, created_at`

func scanSubject(sc interface{ Scan(...any) error }) (xinyong.Subject, error) {
	var s xinyong.Subject
	var kind string
	var created int64
	if err := sc.Scan(&s.ID, &s.Key, &s.Code, &kind, &s.Name, &s.Birth, &s.CodeOverride, &created); err != nil {
		return s, err
	}
	s.Kind, s.CreatedAt = xinyong.SubjectKind(kind), FromMicros(created)
	return s, nil
}

func (t *Tx) PutSubject(s xinyong.Subject) error {
	return t.exec(`INSERT INTO subject (`+subjectCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET name = excluded.name, code = excluded.code, code_override = excluded.code_override`,
		s.ID, s.Key, s.Code, string(s.Kind), s.Name, s.Birth, s.CodeOverride, Micros(s.CreatedAt))
}

// InsertSubjects inserts new subjects with multi-row statements.
func (t *Tx) InsertSubjects(ss []xinyong.Subject) error {
	return t.insertMany(`INSERT INTO subject (`+subjectCols+`) VALUES `, 8, len(ss), func(i int, args []any) []any {
		s := ss[i]
		return append(args, s.ID, s.Key, s.Code, string(s.Kind), s.Name, s.Birth, s.CodeOverride, Micros(s.CreatedAt))
	})
}

// SubjectsByKeys returns the stored subjects among keys.
func (t *Tx) SubjectsByKeys(keys []string) ([]xinyong.Subject, error) {
	return t.subjectsIn("key", keys)
}

// subjectsIn returns the stored subjects whose column (key or id) is
// among values, read in chunks.
func (t *Tx) subjectsIn(column string, values []string) ([]xinyong.Subject, error) {
	var out []xinyong.Subject
	for start := 0; start < len(values); start += inChunk {
		chunk := values[start:min(start+inChunk, len(values))]
		args := make([]any, len(chunk))
		for i, k := range chunk {
			args[i] = k
		}
		rows, err := t.rows(`SELECT `+subjectCols+` FROM subject WHERE `+column+` IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			s, err := scanSubject(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, s)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (t *Tx) Subject(id string) (xinyong.Subject, error) {
	s, err := scanSubject(t.row(`SELECT `+subjectCols+` FROM subject WHERE id = ?`, id))
	return s, notFound("subject", err)
}

func (t *Tx) SubjectByKey(key string) (xinyong.Subject, error) {
	s, err := scanSubject(t.row(`SELECT `+subjectCols+` FROM subject WHERE key = ?`, key))
	return s, notFound("subject", err)
}

func (t *Tx) CodeOverride(code string) (xinyong.CodeOverride, error) {
	var o xinyong.CodeOverride
	var kind string
	var created int64
	err := t.row(`SELECT code, kind, reason, by_actor, created_at FROM code_override WHERE code = ?`, code).Scan(&o.Code, &kind, &o.Reason, &o.By, &created)
	o.Kind, o.CreatedAt = xinyong.SubjectKind(kind), FromMicros(created)
	return o, notFound("code override for "+code, err)
}

func (t *Tx) PutCodeOverride(o xinyong.CodeOverride) error {
	return t.exec(`INSERT INTO code_override (code, kind, reason, by_actor, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET kind = excluded.kind, reason = excluded.reason, by_actor = excluded.by_actor, created_at = excluded.created_at`,
		o.Code, string(o.Kind), o.Reason, o.By, Micros(o.CreatedAt))
}

// parseInsertPrefix reads the table and columns of insertMany's prefix,
// "INSERT INTO table (a, b, …) VALUES ", for Dialect.CopyRows; ok is false
// for any other form (INSERT OR IGNORE, a schema-qualified or quoted name),
// which stays on multi-row INSERT.
func parseInsertPrefix(prefix string) (table string, cols []string, ok bool) {
	rest, found := strings.CutPrefix(prefix, "INSERT INTO ")
	if !found {
		return "", nil, false
	}
	table, rest, found = strings.Cut(rest, " (")
	if !found || !plainName(table) {
		return "", nil, false
	}
	list, rest, found := strings.Cut(rest, ")")
	if !found || strings.TrimSpace(rest) != "VALUES" {
		return "", nil, false
	}
	for c := range strings.SplitSeq(list, ",") {
		c = strings.TrimSpace(c)
		if !plainName(c) {
			return "", nil, false
		}
		cols = append(cols, c)
	}
	return table, cols, len(cols) > 0
}

// plainName reports whether s is an unquoted lower-case SQL identifier.
func plainName(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
