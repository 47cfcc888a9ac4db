// Package blob keeps raw documents (institution responses, uploaded files)
// in an object store under content-addressed keys. The embedded default is a
// directory in the data dir.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/tallyhq/tally"
)

// Store keeps immutable objects by key.
type Store interface {
	// Put stores data under key. Putting the same key again is harmless.
	Put(ctx context.Context, key string, data []byte) error
	// Get returns the object stored under key.
	Get(ctx context.Context, key string) ([]byte, error)
}

// Key returns the content-addressed key of data: prefix/sha256-hex.ext,
// fanned out by the first two bytes so no directory grows huge.
func Key(prefix string, data []byte, ext string) string {
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	return prefix + "/" + h[:2] + "/" + h[2:4] + "/" + h + ext
}

// Open opens the store a URL names: file:///path or a plain path.
func Open(rawURL string) (Store, error) {
	if rawURL == "" {
		return nil, errors.New("blob: no store URL")
	}
	if strings.Contains(rawURL, "://") {
		u, err := url.Parse(rawURL)
		if err != nil {
			return nil, fmt.Errorf("blob: store URL %q: %w", rawURL, err)
		}
		if u.Scheme != "file" {
			return nil, fmt.Errorf("blob: store URL %q: scheme %q is not supported (want file:///path)", rawURL, u.Scheme)
		}
		return NewDir(u.Path)
	}
	return NewDir(rawURL)
}

// Dir is a Store in a local directory.
type Dir struct{ root string }

// NewDir returns a Store rooted at dir, creating it if needed.
func NewDir(dir string) (*Dir, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("blob: create %s: %w", dir, err)
	}
	return &Dir{root: dir}, nil
}

func (d *Dir) path(key string) (string, error) {
	clean := filepath.Clean("/" + key)
	if clean == "/" || strings.Contains(key, "..") {
		return "", tally.Errorf(tally.EINVALID, "blob key %q is not valid", key)
	}
	return filepath.Join(d.root, filepath.FromSlash(clean)), nil
}

// Put writes data to a temporary file and renames it into place, so a
// crash never leaves a partial object under the key.
func (d *Dir) Put(ctx context.Context, key string, data []byte) error {
	p, err := d.path(key)
	if err != nil {
		return err
	}
	if _, err := os.Stat(p); err == nil {
		return nil // content-addressed: already there
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, p)
	}
	if werr != nil {
		os.Remove(tmp)
		return fmt.Errorf("blob: put %s: %w", key, werr)
	}
	return nil
}

// Get reads an object.
func (d *Dir) Get(ctx context.Context, key string) ([]byte, error) {
	p, err := d.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, tally.Errorf(tally.ENOTFOUND, "object %s not found", key)
	}
	if err != nil {
		return nil, fmt.Errorf("blob: get %s: %w", key, err)
	}
	defer f.Close()
	return io.ReadAll(f)
}
