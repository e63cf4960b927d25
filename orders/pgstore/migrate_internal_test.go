package pgstore

import (
	"context"
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/orderbot/orderbot/internal/testenv"
)

// A database migrated without one migration (a later one already applied) gets it on the
// next Migrate: a feature's migration merged after another's higher number is not refused.
func TestMigrateAppliesAMigrationNumberedBelowTheLatest(t *testing.T) {
	ctx := context.Background()
	url := testenv.CreateDatabase(t, testenv.RandomName("migrate_"), "")
	s, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const left = "0061_card_claim_owner.sql"
	all := Migrations()
	without := fstest.MapFS{}
	names, err := fs.Glob(all, "*.sql")
	if err != nil || len(names) < 10 {
		t.Fatalf("migrations: %v, %v", names, err)
	}
	for _, n := range names {
		if n == left {
			continue
		}
		b, err := fs.ReadFile(all, n)
		if err != nil {
			t.Fatal(err)
		}
		without[n] = &fstest.MapFile{Data: b}
	}
	if len(without) != len(names)-1 {
		t.Fatalf("%s is not among the migrations", left)
	}
	if err := s.migrate(ctx, without); err != nil {
		t.Fatalf("migrate without %s: %v", left, err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate with %s after later ones: %v", left, err)
	}
	var applied bool
	if err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM goose_db_version WHERE version_id = 61 AND is_applied)`).Scan(&applied); err != nil || !applied {
		t.Fatalf("migration 61 applied: %v, %v", applied, err)
	}
}
