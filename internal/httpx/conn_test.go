package httpx_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tallyhq/tally/internal/httpx"
)

// countingListener counts the writes its connections make to the network.
type countingListener struct {
	net.Listener
	mu     sync.Mutex
	writes int
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, l: l}, nil
}

func (l *countingListener) take() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.writes
	l.writes = 0
	return n
}

type countingConn struct {
	net.Conn
	l *countingListener
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.l.mu.Lock()
	c.l.writes++
	c.l.mu.Unlock()
	return c.Conn.Write(p)
}

// serveWhole serves h behind Middleware on a Listener over a counting
// listener, as tally serve does.
func serveWhole(t *testing.T, h http.Handler) (*countingListener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := &countingListener{Listener: ln}
	srv := &http.Server{Handler: httpx.Middleware(h, slog.New(slog.DiscardHandler)), ConnContext: httpx.ConnContext}
	go srv.Serve(httpx.Listener(cl))
	t.Cleanup(func() { srv.Close() })
	return cl, ln.Addr().String()
}

// readResponse reads one response off br and returns its body.
func readResponse(t *testing.T, br *bufio.Reader, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	res, err := http.ReadResponse(br, req)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res, body
}

// A JSON answer larger than net/http's connection buffer arrives whole
// and exact, headers and body in one write, for every size around the
// buffer's multiples (so a response that fills the buffer exactly is not
// held back), on one kept-alive connection.
func TestWholeResponseLeavesInOneWrite(t *testing.T) {
	t.Parallel()
	cl, addr := serveWhole(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		httpx.WriteJSON(w, http.StatusOK, strings.Repeat("x", n))
	}))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	var sizes []int
	for n := 3900; n <= 4400; n++ {
		sizes = append(sizes, n)
	}
	for n := 8000; n <= 8400; n++ {
		sizes = append(sizes, n)
	}
	sizes = append(sizes, 30000, 70000, 100) // past the hold limit, and small
	for _, n := range sizes {
		cl.take()
		req, _ := http.NewRequest("GET", "http://"+addr+"/?n="+strconv.Itoa(n), nil)
		if err := req.Write(conn); err != nil {
			t.Fatal(err)
		}
		res, body := readResponse(t, br, req)
		want := `"` + strings.Repeat("x", n) + `"` + "\n"
		if res.StatusCode != 200 || string(body) != want {
			t.Fatalf("n=%d: status %d, body of %d bytes, want %d", n, res.StatusCode, len(body), len(want))
		}
		if res.ContentLength != int64(len(want)) {
			t.Fatalf("n=%d: Content-Length %d, want %d", n, res.ContentLength, len(want))
		}
		// The server's writes for this response are done once the
		// client has read all of it; its next read comes after.
		if got := cl.take(); n <= 60000 && got != 1 {
			t.Fatalf("n=%d: the response took %d writes, want 1", n, got)
		}
	}
}

// Responses that do not ask to be held (a streamed answer, flushed as it
// goes) still leave as they are written: nothing waits for the end.
func TestStreamedResponseIsNotHeld(t *testing.T) {
	t.Parallel()
	next := make(chan struct{})
	_, addr := serveWhole(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A held large answer first, on this connection, then a stream.
		if r.URL.Path == "/big" {
			httpx.WriteJSON(w, http.StatusOK, strings.Repeat("y", 9000))
			return
		}
		fmt.Fprint(w, strings.Repeat("a", 5000))
		http.NewResponseController(w).Flush()
		<-next // the client must see the first part before this returns
		fmt.Fprint(w, "end")
	}))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	big, _ := http.NewRequest("GET", "http://"+addr+"/big", nil)
	big.Write(conn)
	if _, body := readResponse(t, br, big); len(body) != 9003 {
		t.Fatalf("big answer: %d bytes", len(body))
	}
	stream, _ := http.NewRequest("GET", "http://"+addr+"/stream", nil)
	stream.Write(conn)
	res, err := http.ReadResponse(br, stream)
	if err != nil {
		t.Fatal(err)
	}
	first := make([]byte, 5000)
	if _, err := io.ReadFull(res.Body, first); err != nil {
		t.Fatalf("the streamed part did not arrive before the handler finished: %v", err)
	}
	close(next)
	rest, _ := io.ReadAll(res.Body)
	if !bytes.Equal(first, bytes.Repeat([]byte("a"), 5000)) || string(rest) != "end" {
		t.Fatalf("stream: %q...%q", first[:10], rest)
	}
}
