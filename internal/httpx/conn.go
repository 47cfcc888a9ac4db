package httpx

import (
	"context"
	"net"
	"net/http"
	"sync"
	"time"
)

// net/http writes an HTTP/1 response through a 4 KiB buffer per
// connection, so an answer whose headers and body pass that size leaves in
// two or more writes: on loopback and on a LAN each is a TCP segment, a
// system call and a wake-up of the client. A handler that writes a whole
// body it already holds can ask the connection to keep those writes and
// send them, headers and body, in one write once the response is done:
// that is what Listener's connections do, and what WholeResponse asks.

// holdLimit bounds what a connection keeps for one response; past it the
// writes go out as they come. wholeMin is the body size below which
// headers and body fit net/http's buffer anyway.
const (
	holdLimit = 64 << 10
	wholeMin  = 3 << 10
)

// Listener wraps ln so that a handler can ask, with WholeResponse, for its
// response to leave in one write. The server must also use ConnContext.
func Listener(ln net.Listener) net.Listener { return wholeListener{ln} }

type wholeListener struct{ net.Listener }

func (l wholeListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &wholeConn{Conn: c}, nil
}

type wholeConnKey struct{}

// ConnContext is the http.Server ConnContext that lets Middleware find a
// request's connection.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if wc, ok := c.(*wholeConn); ok {
		return context.WithValue(ctx, wholeConnKey{}, wc)
	}
	return ctx
}

// WholeResponse asks that the response w is writing, headers and body of
// size bytes, leave in one write once net/http has finished it. Call it
// before writing a body of known size. It does nothing for a small body,
// one over 64 KiB, or a response that did not come through Middleware on
// a Listener's connection (TLS, HTTP/2, httptest).
func WholeResponse(w http.ResponseWriter, size int) {
	if size < wholeMin || size > holdLimit-4<<10 {
		return
	}
	for {
		switch x := w.(type) {
		case *recorder:
			if x.conn != nil {
				x.conn.hold()
			}
			return
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return
		}
	}
}

// wholeConn keeps writes while holding and sends them together at the
// first SetWriteDeadline: net/http calls it right after it has flushed a
// finished response and before it reads the next request, so what is kept
// leaves as soon as the response is whole, and never later. CloseWrite and
// the size limit send it too. Close is the embedded connection's: a
// connection closed with a response unfinished (a panic, the server
// closing) drops it, as net/http does, and Close takes no lock, so it ends
// a write stuck on a slow client.
type wholeConn struct {
	net.Conn

	mu      sync.Mutex
	holding bool
	held    *[]byte // from heldBuffers while holding, nil otherwise
}

// heldBuffers are the buffers responses are held in, shared by every
// connection, so an idle connection keeps none.
var heldBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

func (c *wholeConn) hold() {
	c.mu.Lock()
	c.holding = true
	c.mu.Unlock()
}

func (c *wholeConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.holding {
		return c.Conn.Write(p)
	}
	if c.held == nil {
		c.held = heldBuffers.Get().(*[]byte)
	}
	if len(*c.held)+len(p) <= holdLimit {
		*c.held = append(*c.held, p...)
		return len(p), nil
	}
	if err := c.sendLocked(); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

// sendLocked writes what is held and stops holding.
func (c *wholeConn) sendLocked() error {
	c.holding = false
	if c.held == nil {
		return nil
	}
	_, err := c.Conn.Write(*c.held)
	*c.held = (*c.held)[:0]
	heldBuffers.Put(c.held)
	c.held = nil
	return err
}

func (c *wholeConn) send() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sendLocked()
}

// SetWriteDeadline sends what is held first, under the deadline it was
// written under.
func (c *wholeConn) SetWriteDeadline(t time.Time) error {
	err := c.send()
	if dErr := c.Conn.SetWriteDeadline(t); err == nil {
		err = dErr
	}
	return err
}

func (c *wholeConn) SetDeadline(t time.Time) error {
	err := c.send()
	if dErr := c.Conn.SetDeadline(t); err == nil {
		err = dErr
	}
	return err
}

// CloseWrite lets net/http half-close the connection after a final
// response, as it does a plain TCP connection's.
func (c *wholeConn) CloseWrite() error {
	err := c.send()
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		if cErr := cw.CloseWrite(); err == nil {
			err = cErr
		}
	}
	return err
}
