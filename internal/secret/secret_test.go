package secret

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpen(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte{7}, 32)
	b, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	sealed := b.Seal([]byte("hunter2"), []byte("conn-1"))
	if bytes.Contains(sealed, []byte("hunter2")) {
		t.Fatal("sealed value contains the plaintext")
	}
	got, err := b.Open(sealed, []byte("conn-1"))
	if err != nil || string(got) != "hunter2" {
		t.Fatalf("Open = %q, %v; want hunter2", got, err)
	}
	if _, err := b.Open(sealed, []byte("conn-2")); err == nil {
		t.Fatal("Open with other additional data succeeded")
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := b.Open(sealed, []byte("conn-1")); err == nil {
		t.Fatal("Open of a tampered value succeeded")
	}
	other, _ := New(bytes.Repeat([]byte{8}, 32))
	if _, err := other.Open(b.Seal([]byte("x"), nil), nil); err == nil {
		t.Fatal("Open with another key succeeded")
	}
}

func TestLoadKeyCreatesPrivateFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	k1, err := LoadKey("", dir)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, want 0600", fi.Mode().Perm())
	}
	k2, err := LoadKey("", dir)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("second LoadKey = %x, %v; want the same key", k2, err)
	}
}

func TestLoadKeyFromEnv(t *testing.T) {
	t.Parallel()
	hexKey := "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	k, err := LoadKey(hexKey, t.TempDir())
	if err != nil || len(k) != 32 || k[31] != 0x1f {
		t.Fatalf("LoadKey(hex) = %x, %v", k, err)
	}
	if _, err := LoadKey("short", t.TempDir()); err == nil {
		t.Fatal("LoadKey accepted a short key")
	}
}
