package blob

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestOpenRefuses checks that a store that cannot be used is refused at
// Open with a message naming its URL, and that credentials never appear.
func TestOpenRefuses(t *testing.T) {
	const secret = "s3cr3t-never-printed"
	t.Setenv("AWS_ACCESS_KEY_ID", "tally-key")
	t.Setenv("AWS_SECRET_ACCESS_KEY", secret)

	status := func(code int) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(code)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()

	tests := []struct {
		name, url, want string
	}{
		{"bad credentials", "s3://tally/raw?region=us-east-1&endpoint=" + status(http.StatusForbidden), "refused access"},
		{"missing bucket", "s3://tally/raw?region=us-east-1&endpoint=" + status(http.StatusNotFound), `bucket "tally" does not exist`},
		{"unreachable", "s3://tally/raw?region=us-east-1&endpoint=" + closed, "unreachable"},
		{"credentials in the URL", "s3://key:" + secret + "@tally/raw", "not in the URL"},
		{"no bucket", "s3:///raw", "names no bucket"},
		{"unknown parameter", "s3://tally/raw?endpoint=http://127.0.0.1:1&bucket=x", `unknown parameter "bucket"`},
		{"bad endpoint", "s3://tally/raw?endpoint=127.0.0.1:9000", "is not a URL"},
		{"unknown scheme", "gs://tally/raw", `scheme "gs" is not supported`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(context.Background(), tt.url)
			if err == nil {
				t.Fatalf("Open(%s) succeeded", tt.url)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not say %q", msg, tt.want)
			}
			if strings.Contains(msg, secret) {
				t.Errorf("error %q shows the secret", msg)
			}
			if !strings.Contains(msg, "://") && tt.name != "no bucket" {
				t.Errorf("error %q does not name the store's URL", msg)
			}
		})
	}

	t.Run("no credentials", func(t *testing.T) {
		t.Setenv("AWS_SECRET_ACCESS_KEY", "")
		_, err := Open(context.Background(), "s3://tally/raw?endpoint=http://127.0.0.1:1")
		if err == nil || !strings.Contains(err.Error(), "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY") || !strings.Contains(err.Error(), "s3://tally/raw") {
			t.Fatalf("error = %v, want one naming the store and the variables", err)
		}
	})
}
