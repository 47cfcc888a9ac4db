package blob

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
)

// Spool is a document on its way into a store whose key depends on its
// content: its bytes in a temporary file (never all in memory), its size
// and its SHA-256. Read yields the document from its start; Close removes
// the temporary file.
type Spool struct {
	f      *os.File
	temp   bool // f is ours to remove
	size   int64
	sum    [sha256.Size]byte
	reader *io.SectionReader
}

// NewSpool copies r into a temporary file, hashing it on the way.
func NewSpool(r io.Reader) (*Spool, error) {
	f, err := os.CreateTemp("", "tally-upload-*")
	if err != nil {
		return nil, fmt.Errorf("blob: spool: %w", err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), r)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	s := &Spool{f: f, temp: true, size: n}
	h.Sum(s.sum[:0])
	s.reader = io.NewSectionReader(f, 0, n)
	return s, nil
}

// SpoolFile hashes an open file in place, for a document already on disk
// (tally import's files); Close closes f but leaves it where it is.
func SpoolFile(f *os.File) (*Spool, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("blob: spool %s: %w", f.Name(), err)
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return nil, fmt.Errorf("blob: spool %s: %w", f.Name(), err)
	}
	s := &Spool{f: f, size: n}
	h.Sum(s.sum[:0])
	s.reader = io.NewSectionReader(f, 0, n)
	return s, nil
}

// Size is the document's length in bytes.
func (s *Spool) Size() int64 { return s.size }

// Key is the document's content-addressed key, as Key would compute it
// from its bytes.
func (s *Spool) Key(prefix, ext string) string { return keyOf(prefix, s.sum, ext) }

// Head returns up to the first n bytes of the document.
func (s *Spool) Head(n int) ([]byte, error) {
	b := make([]byte, min(int64(n), s.size))
	if _, err := s.f.ReadAt(b, 0); err != nil && err != io.EOF {
		return nil, fmt.Errorf("blob: spool: %w", err)
	}
	return b, nil
}

// Read reads the document sequentially from its start.
func (s *Spool) Read(p []byte) (int, error) { return s.reader.Read(p) }

// Seek moves the position Read reads from.
func (s *Spool) Seek(offset int64, whence int) (int64, error) {
	return s.reader.Seek(offset, whence)
}

// ReadAt reads from an offset; stores upload a large document in parallel
// parts through it.
func (s *Spool) ReadAt(p []byte, off int64) (int, error) { return s.reader.ReadAt(p, off) }

// Close releases the document, removing a temporary file.
func (s *Spool) Close() error {
	err := s.f.Close()
	if s.temp {
		os.Remove(s.f.Name())
	}
	return err
}
