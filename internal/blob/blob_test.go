package blob

import (
	"context"
	"strings"
	"testing"

	"github.com/tallyhq/tally"
)

func TestDirPutGet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, err := NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("<OFX></OFX>")
	key := Key("raw", data, ".ofx")
	if !strings.HasPrefix(key, "raw/") || !strings.HasSuffix(key, ".ofx") {
		t.Fatalf("key = %q", key)
	}
	if Key("raw", data, ".ofx") != key {
		t.Fatal("key is not deterministic")
	}
	for range 2 { // a second put of the same content is harmless
		if err := d.Put(ctx, key, data); err != nil {
			t.Fatal(err)
		}
	}
	got, err := d.Get(ctx, key)
	if err != nil || string(got) != string(data) {
		t.Fatalf("Get = %q, %v; want %q", got, err, data)
	}
	if _, err := d.Get(ctx, "raw/missing"); tally.ErrorCode(err) != tally.ENOTFOUND {
		t.Fatalf("Get(missing) error = %v, want not found", err)
	}
	if err := d.Put(ctx, "../escape", data); tally.ErrorCode(err) != tally.EINVALID {
		t.Fatalf("Put(../escape) error = %v, want invalid", err)
	}
}
