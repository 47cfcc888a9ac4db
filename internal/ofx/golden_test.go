package ofx

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the parser's output")

// golden is what a testdata/NAME.golden.json file holds: the parsed
// document, or the error Parse returned.
type golden struct {
	Response    *Response    `json:",omitempty"`
	Request     *Request     `json:",omitempty"`
	Error       string       `json:",omitempty"`
	StatusError *StatusError `json:",omitempty"`
}

// TestGolden parses every testdata/*.ofx file (with ParseRequest for files
// named request_*) and compares the result with NAME.golden.json. Run
// `go test ./internal/ofx -update` to rewrite the golden files, and review
// the diff.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.ofx")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/*.ofx files")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".ofx")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var g golden
			if strings.HasPrefix(name, "request_") {
				g.Request, err = ParseRequest(bytes.NewReader(data))
			} else {
				g.Response, err = Parse(bytes.NewReader(data))
			}
			if err != nil {
				g.Error = err.Error()
				var se *StatusError
				if errors.As(err, &se) {
					g.StatusError = se
				}
			}
			got, err := json.MarshalIndent(g, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", name+".golden.json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s: parsed result differs from %s (run go test -update and review the diff):\ngot:\n%s", file, path, got)
			}
		})
	}
}
