package postgres

import (
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"xinyong/internal/sqlstore"
)

// Bulk intake on PostgreSQL (doc/intake.md "PostgreSQL"): the batches of
// new rows an import writes (records, subjects, ledger leaves and nodes,
// outbox events) go through COPY … FROM STDIN in the binary format, inside
// the import batch's own transaction, instead of multi-row INSERTs of 100
// rows. The server parses and plans nothing per row, and pgx encodes the
// rows in a goroutine of its own while the previous buffer is on the wire.
//
// A COPY cannot skip or update a conflicting row; sqlstore gives it only
// the batches of plain INSERTs (known-new rows). A duplicate key fails
// the whole COPY, and with it the transaction: nothing of the batch is
// written, and sqlstore reports the violation as ECONFLICT naming the
// constraint, as it does for an INSERT.
func init() {
	Dialect.CopyRows = copyRows
	Dialect.DocKeyLookup = docKeyLookup
}

// docKeyLookup finds an import batch's records by decision number with one
// probe of the unique index (department_id, kind, doc_number) per number:
// the LIMIT keeps the subquery from being flattened into a join, whose
// plan would again depend on the statistics. The portable
// "doc_number IN (…)" was planned, on a table analysed while small, as a
// scan of the department's every record filtered against the list
// (40 ms per 500 numbers at 50,000 records, growing with each batch).
const docKeyLookup = `SELECT r.* FROM unnest(CAST(? AS text[])) AS n (doc_number)
CROSS JOIN LATERAL (SELECT %s FROM record WHERE department_id = ? AND kind = ? AND doc_number = n.doc_number LIMIT 1) AS r`

// copyRows writes n rows into table's columns with pgx's CopyFrom on the
// transaction's connection.
func copyRows(t *sqlstore.Tx, table string, cols []string, n int, rowArgs func(i int, args []any) []any) error {
	return t.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("postgres: copy into %s: driver connection is %T, not pgx's", table, dc)
		}
		src := &rowSource{n: n, i: -1, rowArgs: rowArgs, args: make([]any, 0, len(cols))}
		got, err := sc.Conn().CopyFrom(t.Context(), pgx.Identifier{table}, cols, src)
		if err != nil {
			return fmt.Errorf("copy into %s: %w", table, err)
		}
		if got != int64(n) {
			return fmt.Errorf("copy into %s: %d rows written, not %d", table, got, n)
		}
		return nil
	})
}

// rowSource feeds rowArgs(0…n-1) to CopyFrom. pgx encodes each row before
// asking for the next, so one argument slice serves every row.
type rowSource struct {
	n, i    int
	rowArgs func(i int, args []any) []any
	args    []any
}

func (s *rowSource) Next() bool {
	s.i++
	return s.i < s.n
}

func (s *rowSource) Values() ([]any, error) {
	s.args = s.rowArgs(s.i, s.args[:0])
	return s.args, nil
}

func (s *rowSource) Err() error { return nil }
