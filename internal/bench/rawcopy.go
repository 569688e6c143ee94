package bench

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"xinyong"
	"xinyong/internal/intake"
	"xinyong/internal/sqlstore"
	"xinyong/internal/workflow"
)

// RawCopy is RawInsert for a PostgreSQL store: it reads the file with the
// import's reader and copies every row (COPY … FROM STDIN, binary) into a
// plain table of the store's schema (one TEXT column per field, no index,
// no key, no validation, no ledger), one transaction of
// workflow.ImportBatchSize rows at a time, as the import commits. The
// table is dropped afterwards. It returns the number of rows.
func RawCopy(ctx context.Context, db *sqlstore.DB, file string, fields []xinyong.FieldSpec) (int, error) {
	rd, err := intake.OpenPath(file, intake.Options{Fields: fields})
	if err != nil {
		return 0, err
	}
	defer rd.Close()
	conn, err := db.W.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	n := 0
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("raw copy: driver connection is %T, not pgx's", dc)
		}
		c := sc.Conn()
		table := "bench_raw_" + strconv.FormatInt(time.Now().UnixNano(), 36)
		cols := []string{"line"}
		ddl := "CREATE TABLE " + table + " (line BIGINT"
		for _, f := range fields {
			cols = append(cols, f.Code)
			ddl += ", " + pgx.Identifier{f.Code}.Sanitize() + " TEXT"
		}
		if _, err := c.Exec(ctx, ddl+")"); err != nil {
			return err
		}
		defer c.Exec(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+table)
		for done := false; !done; {
			rows := make([][]any, 0, workflow.ImportBatchSize)
			for len(rows) < workflow.ImportBatchSize {
				row, err := rd.Next()
				if err == io.EOF {
					done = true
					break
				}
				if err != nil && row.Fields == nil {
					return err
				}
				vals := make([]any, len(cols))
				vals[0] = int64(row.Line)
				for i, f := range fields {
					vals[i+1] = row.Fields[f.Code]
				}
				rows = append(rows, vals)
			}
			if len(rows) == 0 {
				break
			}
			tx, err := c.Begin(ctx)
			if err != nil {
				return err
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows)); err != nil {
				tx.Rollback(ctx)
				return err
			}
			if err := tx.Commit(ctx); err != nil {
				return err
			}
			n += len(rows)
		}
		return nil
	})
	return n, err
}
