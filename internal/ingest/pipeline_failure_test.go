package ingest_test

import (
	"context"
	"testing"

	"github.com/tallyhq/tally"
)

// While one chunk of a file is stored the next is read; when a chunk
// cannot be stored (here its account was deleted after the first chunk),
// the import stops there and ends failed with the reason, nothing of the
// account is left, and no later chunk is counted or stored.
func TestImportStopsAtAChunkThatCannotBeStored(t *testing.T) {
	t.Parallel()
	const rows, chunk = 3_000, 500
	f := newFixture(t)
	f.svc.ChunkSize = chunk
	ctx := context.Background()
	imp, _ := f.uploadStatement(t, rows)
	var progress []int64
	done, err := f.svc.RunImport(ctx, f.user.ID, imp.ID, func(p *tally.Import) {
		progress = append(progress, p.Parsed)
		if len(progress) != 1 {
			return
		}
		acct, err := f.st.Account(ctx, f.user.ID, p.AccountID)
		if err != nil {
			t.Errorf("account: %v", err)
			return
		}
		if _, err := f.st.DeleteConnection(ctx, f.user.ID, acct.ConnectionID); err != nil {
			t.Errorf("delete connection: %v", err)
		}
	})
	if err != nil {
		t.Fatalf("RunImport: %v, want the import failed and no error", err)
	}
	if done.Status != tally.ImportFailed || done.Parsed != chunk || done.Inserted != chunk {
		t.Fatalf("import ended %s with %d parsed, %d inserted (%s); want failed after the first chunk of %d", done.Status, done.Parsed, done.Inserted, done.Message, chunk)
	}
	if len(progress) != 2 || progress[0] != chunk || progress[1] != chunk {
		t.Errorf("progress %v, want the first chunk then the failed end (%d, %d)", progress, chunk, chunk)
	}
	if n := f.storedCount(t); n != 0 {
		t.Errorf("%d transactions left behind by the deleted account", n)
	}
}
