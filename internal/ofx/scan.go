package ofx

import (
	"bytes"
	"io"
)

// scanner reads a document in large chunks and hands out the text between
// delimiters as slices of its own buffer, valid until the next call: the
// parser copies only what it keeps.
type scanner struct {
	rd   io.Reader
	buf  []byte
	r, w int // unread bytes are buf[r:w]
	eof  bool
	err  error // a read error other than io.EOF
	line int   // 1-based line of buf[r]
}

const scanBuf = 64 << 10

func newScanner(rd io.Reader) scanner {
	return scanner{rd: rd, buf: make([]byte, scanBuf), line: 1}
}

// fill reads more input, moving the unread bytes to the front of the
// buffer (which invalidates earlier slices) and growing it when full.
func (s *scanner) fill() {
	if s.r > 0 {
		copy(s.buf, s.buf[s.r:s.w])
		s.w -= s.r
		s.r = 0
	}
	if s.w == len(s.buf) {
		s.buf = append(s.buf, make([]byte, len(s.buf))...)
	}
	for range 100 {
		n, err := s.rd.Read(s.buf[s.w:])
		s.w += n
		if err != nil {
			s.eof = true
			if err != io.EOF {
				s.err = err
			}
			return
		}
		if n > 0 {
			return
		}
	}
	s.eof = true
	s.err = io.ErrNoProgress
}

// until returns the bytes up to delim and consumes delim. At the end of the
// input it returns the rest and found is false.
func (s *scanner) until(delim byte) (tok []byte, found bool) {
	searched := 0
	for {
		if i := bytes.IndexByte(s.buf[s.r+searched:s.w], delim); i >= 0 {
			end := s.r + searched + i
			tok = s.buf[s.r:end]
			s.r = end + 1
			s.line += bytes.Count(tok, newline)
			return tok, true
		}
		searched = s.w - s.r
		if s.eof {
			tok = s.buf[s.r:s.w]
			s.r = s.w
			s.line += bytes.Count(tok, newline)
			return tok, false
		}
		s.fill()
	}
}

// next returns the next unread byte without consuming it; ok is false at
// the end of the input. It may invalidate slices handed out before.
func (s *scanner) next() (c byte, ok bool) {
	if s.r == s.w && !s.eof {
		s.fill()
	}
	if s.r == s.w {
		return 0, false
	}
	return s.buf[s.r], true
}

var newline = []byte{'\n'}
