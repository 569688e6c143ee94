package workflow

import "context"

// SealObjectionMigrationUnasked writes the seal of SealObjectionMigration
// without asking the store whether this process applied migration 0017: a
// second seal leaf, as code that sealed at every start wrote.
func SealObjectionMigrationUnasked(s *Service, ctx context.Context) (int, error) {
	return s.sealMigratedRows(ctx)
}
