// Package blob keeps raw documents (institution responses, uploaded files)
// in an object store under content-addressed keys. The embedded default is a
// directory in the data dir; at scale it is any S3-compatible store, so that
// API and worker processes on different hosts share uploads.
//
// Objects stream in both directions: Put reads from an io.Reader and Get
// returns an io.ReadCloser, so no document is held whole in memory.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/tallyhq/tally"
)

// Store keeps immutable objects by key.
type Store interface {
	// Put stores what r yields under key. size is the number of bytes r
	// yields, or -1 when it is not known in advance. Putting the same key
	// again is harmless; an object is never visible half-written.
	Put(ctx context.Context, key string, r io.Reader, size int64) error
	// Get opens the object stored under key; the caller closes it. A key
	// with no object is ENOTFOUND.
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes the objects under keys; a key with no object is not
	// an error, so deleting twice is harmless.
	Delete(ctx context.Context, keys ...string) error
	// List returns the keys of every object whose key starts with prefix,
	// in no particular order.
	List(ctx context.Context, prefix string) ([]string, error)
}

// RawPrefix is the prefix of the keys of a user's institution responses,
// and UploadPrefix that of their uploaded statement files: every object of
// a user lies under one of the two.
func RawPrefix(userID string) string { return "raw/" + userID }

// UploadPrefix: see RawPrefix.
func UploadPrefix(userID string) string { return "imports/" + userID }

// DeleteUser removes every object of the user from s.
func DeleteUser(ctx context.Context, s Store, userID string) error {
	for _, prefix := range []string{RawPrefix(userID) + "/", UploadPrefix(userID) + "/"} {
		keys, err := s.List(ctx, prefix)
		if err != nil {
			return err
		}
		if err := s.Delete(ctx, keys...); err != nil {
			return err
		}
	}
	return nil
}

// Key returns the content-addressed key of data: prefix/sha256-hex.ext,
// fanned out by the first two bytes so no directory grows huge.
func Key(prefix string, data []byte, ext string) string {
	return keyOf(prefix, sha256.Sum256(data), ext)
}

func keyOf(prefix string, sum [sha256.Size]byte, ext string) string {
	h := hex.EncodeToString(sum[:])
	return prefix + "/" + h[:2] + "/" + h[2:4] + "/" + h + ext
}

// checkKey refuses keys that could name something outside the store.
func checkKey(key string) error {
	if key == "" || strings.HasPrefix(key, "/") || strings.Contains(key, "..") || strings.Contains(key, `\`) {
		return tally.Errorf(tally.EINVALID, "blob key %q is not valid", key)
	}
	return nil
}

// Open opens the store a URL names and checks that it can be used, so a
// process refuses to start rather than fail on its first document:
//
//	/path or file:///path                      a local directory
//	s3://BUCKET/PREFIX?endpoint=URL&region=R   an S3-compatible bucket; credentials
//	                                           from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY
//
// Errors name the URL without credentials.
func Open(ctx context.Context, rawURL string) (Store, error) {
	if rawURL == "" {
		return nil, errors.New("blob: no store URL")
	}
	if !strings.Contains(rawURL, "://") {
		return NewDir(rawURL)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error quotes the whole URL, which may hold credentials.
		return nil, fmt.Errorf("blob: the object store URL cannot be parsed; want file:///path or s3://BUCKET/PREFIX?endpoint=URL&region=R")
	}
	switch u.Scheme {
	case "file":
		return NewDir(u.Path)
	case "s3":
		return OpenS3(ctx, u)
	}
	return nil, fmt.Errorf("blob: object store %s: scheme %q is not supported (want file:///path or s3://BUCKET/PREFIX)", Redact(u), u.Scheme)
}

// Redact returns u as text without any user name or password in it.
func Redact(u *url.URL) string {
	c := *u
	c.User = nil
	return c.String()
}

// Seekable returns r as an io.ReadSeekCloser, for readers that read a
// document more than once (the statement parsers check a whole file, then
// read it again in chunks). Both stores' objects can seek already and are
// returned as they are (Close then does nothing: close the object itself);
// any other reader is copied to a temporary file first, which Close
// removes.
func Seekable(r io.Reader) (io.ReadSeekCloser, error) {
	if rs, ok := r.(io.ReadSeeker); ok {
		return nopCloser{rs}, nil
	}
	return NewSpool(r)
}

type nopCloser struct{ io.ReadSeeker }

func (nopCloser) Close() error { return nil }
