package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/tallyhq/tally"
)

// S3 is a Store in a bucket of an S3-compatible object store.
type S3 struct {
	client *minio.Client
	bucket string
	prefix string // "" or ending in "/"
	name   string // the store's URL, without credentials, for messages
}

// CheckTimeout bounds how long OpenS3 waits for the store to answer.
const CheckTimeout = 15 * time.Second

// unknownPartSize is the part size of an upload whose size is not known in
// advance: what the client buffers in memory at a time.
const unknownPartSize = 8 << 20

// OpenS3 opens s3://BUCKET/PREFIX?endpoint=URL&region=R with credentials
// from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN
// when set), then checks that the bucket exists and the credentials are
// accepted. Without endpoint the store is Amazon S3 itself.
func OpenS3(ctx context.Context, u *url.URL) (*S3, error) {
	name := Redact(u)
	if u.User != nil {
		return nil, fmt.Errorf("blob: object store %s: put credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, not in the URL", name)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("blob: object store %s: the URL names no bucket (want s3://BUCKET/PREFIX)", name)
	}
	q := u.Query()
	for k := range q {
		if k != "endpoint" && k != "region" {
			return nil, fmt.Errorf("blob: object store %s: unknown parameter %q (want endpoint and region)", name, k)
		}
	}
	host, secure := "s3.amazonaws.com", true
	if ep := q.Get("endpoint"); ep != "" {
		e, err := url.Parse(ep)
		if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" || (e.Path != "" && e.Path != "/") {
			return nil, fmt.Errorf("blob: object store %s: endpoint %q is not a URL like http://HOST:PORT", name, ep)
		}
		host, secure = e.Host, e.Scheme == "https"
	}
	if os.Getenv("AWS_ACCESS_KEY_ID") == "" || os.Getenv("AWS_SECRET_ACCESS_KEY") == "" {
		return nil, fmt.Errorf("blob: object store %s: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", name)
	}
	client, err := minio.New(host, &minio.Options{
		Creds:  credentials.NewEnvAWS(),
		Secure: secure,
		Region: q.Get("region"),
	})
	if err != nil {
		return nil, fmt.Errorf("blob: object store %s: %w", name, err)
	}
	prefix := strings.Trim(u.Path, "/")
	if prefix != "" {
		prefix += "/"
	}
	s := &S3{client: client, bucket: u.Host, prefix: prefix, name: name}
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// check asks whether the bucket exists: it fails when the store is
// unreachable, refuses the credentials, or has no such bucket.
func (s *S3) check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, CheckTimeout)
	defer cancel()
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		if r := minio.ToErrorResponse(err); r.Code != "" {
			return fmt.Errorf("blob: object store %s refused access: %s (%s)", s.name, r.Message, r.Code)
		}
		return fmt.Errorf("blob: object store %s is unreachable: %w", s.name, err)
	}
	if !ok {
		return fmt.Errorf("blob: object store %s: bucket %q does not exist", s.name, s.bucket)
	}
	return nil
}

// String is the store's URL without credentials.
func (s *S3) String() string { return s.name }

// Put uploads r. A document of unknown size goes up in parts of 8 MiB,
// each buffered in memory in turn; one whose size is known streams.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if err := checkKey(key); err != nil {
		return err
	}
	opts := minio.PutObjectOptions{ContentType: "application/octet-stream"}
	if size < 0 {
		opts.PartSize = unknownPartSize
	}
	if _, err := s.client.PutObject(ctx, s.bucket, s.prefix+key, r, size, opts); err != nil {
		return fmt.Errorf("blob: put %s in %s: %w", key, s.name, err)
	}
	return nil
}

// Get opens an object; reading it streams from the store.
func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, s.prefix+key, minio.GetObjectOptions{})
	if err == nil {
		_, err = obj.Stat() // the request is made here
	}
	if err != nil {
		if obj != nil {
			obj.Close()
		}
		var r minio.ErrorResponse
		if errors.As(err, &r) && (r.Code == minio.NoSuchKey || r.StatusCode == 404) {
			return nil, tally.Errorf(tally.ENOTFOUND, "object %s not found", key)
		}
		return nil, fmt.Errorf("blob: get %s from %s: %w", key, s.name, err)
	}
	return obj, nil
}

// Delete removes the objects in batches (S3's multi-object delete).
func (s *S3) Delete(ctx context.Context, keys ...string) error {
	for _, key := range keys {
		if err := checkKey(key); err != nil {
			return err
		}
	}
	objects := make(chan minio.ObjectInfo)
	go func() {
		defer close(objects)
		for _, key := range keys {
			select {
			case objects <- minio.ObjectInfo{Key: s.prefix + key}:
			case <-ctx.Done():
				return
			}
		}
	}()
	var first error
	for e := range s.client.RemoveObjects(ctx, s.bucket, objects, minio.RemoveObjectsOptions{}) {
		if first == nil && e.Err != nil {
			first = fmt.Errorf("blob: delete %s from %s: %w", strings.TrimPrefix(e.ObjectName, s.prefix), s.name, e.Err)
		}
	}
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// List pages through the bucket's keys under prefix.
func (s *S3) List(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	for o := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix + prefix, Recursive: true}) {
		if o.Err != nil {
			return nil, fmt.Errorf("blob: list %s in %s: %w", prefix, s.name, o.Err)
		}
		keys = append(keys, strings.TrimPrefix(o.Key, s.prefix))
	}
	return keys, nil
}
