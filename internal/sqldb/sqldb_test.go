package sqldb

import (
	"io/fs"
	"slices"
	"testing"
)

// Both dialects must have the same migrations, file for file.
func TestMigrationsMatchAcrossDialects(t *testing.T) {
	t.Parallel()
	names := func(d Dialect) []string {
		entries, err := fs.ReadDir(migrations, "migrations/"+string(d))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	lite, pg := names(SQLite), names(Postgres)
	if len(lite) == 0 || !slices.Equal(lite, pg) {
		t.Fatalf("migrations differ: sqlite %v, postgres %v", lite, pg)
	}
}

func TestRebind(t *testing.T) {
	t.Parallel()
	q := `SELECT a FROM t WHERE b = ? AND c IN (?, ?)`
	if got := Rebind(SQLite, q); got != q {
		t.Errorf("sqlite: %q", got)
	}
	if got, want := Rebind(Postgres, q), `SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)`; got != want {
		t.Errorf("postgres: got %q, want %q", got, want)
	}
}

func TestRedactHidesPassword(t *testing.T) {
	t.Parallel()
	if got := Redact("postgres://u:secret@h/db"); got != "postgres://u:xxxxx@h/db" {
		t.Errorf("Redact = %q", got)
	}
}
