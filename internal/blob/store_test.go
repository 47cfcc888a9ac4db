package blob

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tallyhq/tally"
)

// testStore is the behaviour every Store keeps; each implementation runs it.
func testStore(t *testing.T, s Store) {
	ctx := context.Background()
	get := func(t *testing.T, key string) []byte {
		t.Helper()
		rc, err := s.Get(ctx, key)
		if err != nil {
			t.Fatalf("Get(%s): %v", key, err)
		}
		defer rc.Close()
		b, err := io.ReadAll(rc)
		if err != nil {
			t.Fatalf("read %s: %v", key, err)
		}
		return b
	}

	t.Run("put and get", func(t *testing.T) {
		data := []byte("<OFX></OFX>")
		key := Key("raw/u1", data, ".ofx")
		if !strings.HasPrefix(key, "raw/u1/") || !strings.HasSuffix(key, ".ofx") {
			t.Fatalf("key = %q", key)
		}
		if Key("raw/u1", data, ".ofx") != key {
			t.Fatal("key is not deterministic")
		}
		for range 2 { // a second put of the same content is harmless
			if err := s.Put(ctx, key, bytes.NewReader(data), int64(len(data))); err != nil {
				t.Fatal(err)
			}
		}
		if got := get(t, key); !bytes.Equal(got, data) {
			t.Fatalf("Get = %q, want %q", got, data)
		}
	})

	t.Run("unknown size streams", func(t *testing.T) {
		// Larger than one part of an upload of unknown size.
		data := bytes.Repeat([]byte("0123456789abcdef"), (unknownPartSize+1<<20)/16)
		key := Key("imports/u1", data, ".csv")
		if err := s.Put(ctx, key, io.MultiReader(bytes.NewReader(data)), -1); err != nil {
			t.Fatal(err)
		}
		if got := get(t, key); !bytes.Equal(got, data) {
			t.Fatalf("Get returned %d bytes, want %d", len(got), len(data))
		}
	})

	t.Run("spool", func(t *testing.T) {
		data := []byte("Date,Amount\n2026-01-02,-4.50\n")
		sp, err := NewSpool(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		defer sp.Close()
		if sp.Size() != int64(len(data)) || sp.Key("imports/u1", ".csv") != Key("imports/u1", data, ".csv") {
			t.Fatalf("spool size %d key %s, want %d %s", sp.Size(), sp.Key("imports/u1", ".csv"), len(data), Key("imports/u1", data, ".csv"))
		}
		if head, _ := sp.Head(4); string(head) != "Date" {
			t.Fatalf("Head(4) = %q", head)
		}
		key := sp.Key("imports/u1", ".csv")
		if err := s.Put(ctx, key, sp, sp.Size()); err != nil {
			t.Fatal(err)
		}
		if got := get(t, key); !bytes.Equal(got, data) {
			t.Fatalf("Get = %q, want %q", got, data)
		}
	})

	t.Run("failed put leaves nothing", func(t *testing.T) {
		key := "raw/u1/broken.ofx"
		r := io.MultiReader(strings.NewReader("<OFX>half"), errReader{})
		if err := s.Put(ctx, key, r, -1); err == nil {
			t.Fatal("Put of a failing reader succeeded")
		}
		if _, err := s.Get(ctx, key); tally.ErrorCode(err) != tally.ENOTFOUND {
			t.Fatalf("Get after a failed put: %v, want not found", err)
		}
	})

	t.Run("delete and list", func(t *testing.T) {
		put := func(key string) {
			t.Helper()
			if err := s.Put(ctx, key, strings.NewReader(key), int64(len(key))); err != nil {
				t.Fatal(err)
			}
		}
		mine := []string{Key(RawPrefix("ud"), []byte("a"), ".ofx"), Key(RawPrefix("ud"), []byte("b"), ".json"), Key(UploadPrefix("ud"), []byte("c"), ".csv")}
		// Another user whose id starts with the same letters keeps theirs.
		theirs := []string{Key(RawPrefix("ud2"), []byte("a"), ".ofx"), Key(UploadPrefix("ud2"), []byte("c"), ".csv")}
		for _, k := range append(append([]string(nil), mine...), theirs...) {
			put(k)
		}
		list := func(prefix string) []string {
			t.Helper()
			keys, err := s.List(ctx, prefix)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(keys)
			return keys
		}
		want := append([]string(nil), mine[:2]...)
		slices.Sort(want)
		if got := list(RawPrefix("ud") + "/"); !slices.Equal(got, want) {
			t.Fatalf("List(raw of ud) = %q, want %q", got, want)
		}
		if err := s.Delete(ctx, mine[0]); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, mine[0]); tally.ErrorCode(err) != tally.ENOTFOUND {
			t.Fatalf("Get after Delete: %v, want not found", err)
		}
		if got := list(RawPrefix("ud") + "/"); !slices.Equal(got, []string{mine[1]}) {
			t.Fatalf("List after Delete = %q, want %q", got, mine[1:2])
		}
		// Deleting again, or a key never stored, is harmless.
		if err := s.Delete(ctx, mine[0], "raw/ud/never/stored.ofx"); err != nil {
			t.Fatalf("Delete of missing keys: %v", err)
		}
		if err := DeleteUser(ctx, s, "ud"); err != nil {
			t.Fatal(err)
		}
		for _, prefix := range []string{RawPrefix("ud") + "/", UploadPrefix("ud") + "/"} {
			if got := list(prefix); len(got) != 0 {
				t.Fatalf("after DeleteUser, %s holds %q", prefix, got)
			}
		}
		for _, k := range theirs {
			if got := get(t, k); string(got) != k {
				t.Fatalf("another user's object %s changed: %q", k, got)
			}
		}
		if err := s.Delete(ctx, "../escape"); tally.ErrorCode(err) != tally.EINVALID {
			t.Fatalf("Delete(../escape) error = %v, want invalid", err)
		}
	})

	t.Run("missing and invalid keys", func(t *testing.T) {
		if _, err := s.Get(ctx, "raw/missing"); tally.ErrorCode(err) != tally.ENOTFOUND {
			t.Fatalf("Get(missing) error = %v, want not found", err)
		}
		for _, key := range []string{"../escape", "", "/abs", `raw\x`} {
			if err := s.Put(ctx, key, strings.NewReader("x"), 1); tally.ErrorCode(err) != tally.EINVALID {
				t.Fatalf("Put(%q) error = %v, want invalid", key, err)
			}
		}
	})
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestDir(t *testing.T) {
	t.Parallel()
	d, err := NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	testStore(t, d)
}

// TestS3 runs the store tests against the S3-compatible server that
// TALLY_TEST_S3_URL names (s3://BUCKET/PREFIX?endpoint=URL&region=R, with
// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set); .ci/run starts one.
func TestS3(t *testing.T) {
	s := openTestS3(t)
	testStore(t, s)
}

// openTestS3 opens a fresh prefix of the test bucket, or skips.
func openTestS3(t *testing.T) Store {
	t.Helper()
	raw := os.Getenv("TALLY_TEST_S3_URL")
	if raw == "" {
		t.Skip("TALLY_TEST_S3_URL is not set; .ci/run starts an S3-compatible server and sets it")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("TALLY_TEST_S3_URL: %v", err)
	}
	var b [6]byte
	rand.Read(b[:])
	u.Path = strings.TrimSuffix(u.Path, "/") + "/blobtest-" + hex.EncodeToString(b[:])
	s, err := Open(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSeekable(t *testing.T) {
	t.Parallel()
	data := strings.Repeat("x", 100<<10)
	// A reader that cannot seek is copied aside; one that can is kept.
	for _, r := range []io.Reader{io.MultiReader(strings.NewReader(data)), strings.NewReader(data)} {
		rs, err := Seekable(r)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // read it all twice
			if _, err := rs.Seek(0, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			all, err := io.ReadAll(rs)
			if err != nil || string(all) != data {
				t.Fatalf("read %d bytes, %v; want %d", len(all), err, len(data))
			}
		}
		if err := rs.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Seekable(io.MultiReader(strings.NewReader("half"), errReader{})); err == nil {
		t.Fatal("Seekable of a failing reader succeeded")
	}
}

// TestS3Refuses checks Open's refusals against the real server: a bucket
// it does not have, and a secret key it does not accept.
func TestS3Refuses(t *testing.T) {
	raw := os.Getenv("TALLY_TEST_S3_URL")
	if raw == "" {
		t.Skip("TALLY_TEST_S3_URL is not set; .ci/run starts an S3-compatible server and sets it")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	missing := *u
	missing.Host = "no-such-bucket-" + strings.ToLower(hex.EncodeToString([]byte(t.Name()))[:8])
	if _, err := Open(context.Background(), missing.String()); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("Open of a missing bucket: %v, want it refused", err)
	}
	const wrong = "wrong-secret-never-printed"
	t.Setenv("AWS_SECRET_ACCESS_KEY", wrong)
	_, err = Open(context.Background(), raw)
	if err == nil || !strings.Contains(err.Error(), "refused access") || !strings.Contains(err.Error(), u.Host) {
		t.Errorf("Open with a wrong secret: %v, want refused access naming the store", err)
	}
	if err != nil && strings.Contains(err.Error(), wrong) {
		t.Errorf("error %q shows the secret", err)
	}
}
