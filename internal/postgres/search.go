package postgres

import (
	"strings"

	"github.com/jackc/pgx/v5"

	"xinyong"
	"xinyong/internal/sqlstore"
)

// PostgreSQL's name search (migrations/0002_search.sql): pg_trgm GIN for 3+
// characters, the name_bi text[] column with GIN for 2, ILIKE for 1.
// Search statements run in pgx's exec mode: a plan made for each pattern,
// never a cached statement's generic plan (shared/reference/spikes.md §3:
// 2-character ILIKE 210 ms → 800 ms once the generic plan takes over).
func init() {
	Dialect.Search = sqlstore.SearchDialect{Args: []any{pgx.QueryExecModeExec}, Match: match, Index: index}
}

func match(mode, text string) (string, string, []any) {
	if mode == xinyong.SearchBigram {
		return `subject s`, `s.name_bi @> ARRAY[CAST(? AS text)]`, []any{text}
	}
	// 3+ characters use the trigram index; 1 character cannot, and scans
	// until the page is full.
	return `subject s`, `s.name ILIKE ? ESCAPE '\'`, []any{"%" + sqlstore.EscapeLike(text) + "%"}
}

// unitSep separates the bigrams of one subject in the array parameter
// (names hold no control characters: intake trims them and search refuses
// them).
const unitSep = "\x1f"

// index sets the bigram column of subjects, in one statement per 1,000
// subjects; the trigram index follows the name by itself.
func index(t *sqlstore.Tx, ss []xinyong.Subject) error {
	const chunk = 1000
	for start := 0; start < len(ss); start += chunk {
		part := ss[start:min(start+chunk, len(ss))]
		ids, bis := make([]string, len(part)), make([]string, len(part))
		for i, s := range part {
			ids[i] = s.ID
			bis[i] = strings.Join(xinyong.Bigrams(strings.ReplaceAll(s.Name, unitSep, " ")), unitSep)
		}
		if err := t.Exec(`UPDATE subject AS s SET name_bi = CASE WHEN v.bi = '' THEN '{}'::text[] ELSE string_to_array(v.bi, E'\x1f') END
FROM unnest(CAST(? AS text[]), CAST(? AS text[])) AS v (id, bi) WHERE s.id = v.id AND s.name_bi IS DISTINCT FROM (CASE WHEN v.bi = '' THEN '{}'::text[] ELSE string_to_array(v.bi, E'\x1f') END)`, ids, bis); err != nil {
			return err
		}
	}
	return nil
}
