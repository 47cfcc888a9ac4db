package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"sync"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/blob"
	"github.com/tallyhq/tally/internal/categorize"
	"github.com/tallyhq/tally/internal/config"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/store"
)

// maxImportFile caps a file given to tally import: the whole file is kept
// in the object store as uploaded files are.
const maxImportFile = 1 << 30

// runImport imports statement files for a user in this process, through the
// same path as an uploaded file's job.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := config.Default()
	var email, accountID, cpuProfile, memProfile string
	fs, err := parseFlags("import", args, stderr, &c, func(fs *flag.FlagSet) {
		c.DataFlags(fs)
		fs.StringVar(&c.BlobURL, "blob-url", c.BlobURL, "object store for raw documents: file:///path or s3://BUCKET/PREFIX?endpoint=URL&region=R (default: the data dir's blobs/)")
		fs.StringVar(&email, "email", "", "the user whose accounts receive the transactions")
		fs.StringVar(&accountID, "account", "", "the account id to import into (default: the file's own account, or one named after the file)")
		fs.StringVar(&cpuProfile, "cpuprofile", "", "write a pprof CPU profile of the import to this file")
		fs.StringVar(&memProfile, "memprofile", "", "write a pprof heap profile (allocations) to this file when the import ends")
	})
	if err != nil {
		return err
	}
	files := fs.Args()
	if email == "" || len(files) == 0 {
		return errors.New("usage: tally import --email EMAIL [--account ID] FILE...")
	}
	stopProfiles, err := startProfiles(cpuProfile, memProfile)
	if err != nil {
		return err
	}
	defer stopProfiles()
	// The categorization engine is a good part of the command's fixed start
	// (its dictionary and lexicon take tens of milliseconds to build): it is
	// built while the database opens and the file is stored, and waited for
	// when the first rows are categorized.
	engine := sync.OnceValue(categorize.New)
	go engine()
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	db, err := openDatabase(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	blobURL := c.BlobURL
	if blobURL == "" {
		blobURL = filepath.Join(c.DataDir, "blobs")
	}
	blobs, err := blob.Open(ctx, blobURL)
	if err != nil {
		return err
	}
	st := store.New(db, store.NoJobs{})
	u, _, err := st.UserByEmail(ctx, email)
	if err != nil {
		return fmt.Errorf("import: %s", tally.ErrorMessage(err))
	}
	svc := &ingest.Service{Store: st, Blobs: blobs, Categorizer: engine, Logger: newLogger(&c, io.Discard)}
	tty := isTerminal(stdout)
	failed := 0
	for _, path := range files {
		if err := importOne(ctx, svc, u.ID, accountID, path, stdout, tty); err != nil {
			failed++
			fmt.Fprintf(stdout, "%s: %s\n", path, tally.ErrorMessage(err))
			if tally.ErrorCode(err) == tally.EINTERNAL {
				fmt.Fprintf(stderr, "tally import: %s: %v\n", path, err)
			}
		}
	}
	if failed > 0 {
		return fmt.Errorf("import: %d of %d files failed", failed, len(files))
	}
	return nil
}

func importOne(ctx context.Context, svc *ingest.Service, userID, accountID, path string, out io.Writer, tty bool) error {
	f, err := os.Open(path)
	if err != nil {
		return tally.Errorf(tally.EINVALID, "%v", err)
	}
	defer f.Close()
	file, err := blob.SpoolFile(f) // read in place, never whole in memory
	if err != nil {
		return tally.Errorf(tally.EINVALID, "%v", err)
	}
	if file.Size() > maxImportFile {
		return tally.Errorf(tally.ETOOLARGE, "the file is larger than 1 GiB")
	}
	imp, err := svc.NewImport(ctx, userID, accountID, filepath.Base(path), file, false)
	if err != nil {
		return err
	}
	var total int64
	if tty { // the progress bar's total; a log has no bar
		if _, err := file.Seek(0, io.SeekStart); err != nil {
			return err
		}
		if total, err = estimateRows(file, imp.Format); err != nil {
			return tally.Errorf(tally.EINVALID, "%v", err)
		}
	}
	name := filepath.Base(path)
	imp, err = svc.RunImport(ctx, userID, imp.ID, func(p *tally.Import) {
		done := p.Parsed + p.Rejected
		if p.Status != tally.ImportRunning {
			total = done // the estimate counted header and blank lines
		}
		if tty {
			fmt.Fprintf(out, "\r%s", progressBar(name, done, total))
		} else if p.Status == tally.ImportRunning {
			fmt.Fprintf(out, "%s: %d rows read, %d new\n", name, done, p.Inserted)
		}
	})
	if tty {
		fmt.Fprintln(out)
	}
	if err != nil {
		return err
	}
	if imp.Status == tally.ImportFailed {
		return tally.Errorf(tally.EUNPROCESSABLE, "failed: %s", imp.Message)
	}
	fmt.Fprintf(out, "%s: %s, %d transactions: %d new, %d already stored, %d rows rejected (account %s, import %s)\n",
		name, strings.ToUpper(imp.Format), imp.Parsed, imp.Inserted, imp.Duplicates, imp.Rejected, imp.AccountID, imp.ID)
	for _, e := range imp.Errors {
		fmt.Fprintf(out, "  line %d: %s\n", e.Line, e.Reason)
	}
	if int64(len(imp.Errors)) < imp.Rejected {
		fmt.Fprintf(out, "  ... and %d more\n", imp.Rejected-int64(len(imp.Errors)))
	}
	return nil
}

// estimateRows guesses a file's transaction count for the progress bar,
// reading it once.
func estimateRows(r io.Reader, format string) (int64, error) {
	sep, fold := []byte("\n"), false
	switch format {
	case "ofx":
		sep, fold = []byte("<STMTTRN>"), true
	case "qif":
		sep = []byte("\n^")
	}
	var n int64
	buf := make([]byte, 256<<10)
	carry := 0 // bytes kept from the previous block so a separator may span two
	for {
		m, err := io.ReadFull(r, buf[carry:])
		block := buf[:carry+m]
		if fold {
			upperASCII(block[carry:]) // the carried tail is upper case already
		}
		n += int64(bytes.Count(block, sep))
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		// Keep the tail shorter than a separator: it cannot hold a whole
		// one already counted.
		carry = len(sep) - 1
		copy(buf, buf[len(buf)-carry:])
	}
}

// upperASCII upper-cases the ASCII letters of b in place.
func upperASCII(b []byte) {
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - ('a' - 'A')
		}
	}
}

func progressBar(name string, done, total int64) string {
	const width = 30
	if total < done {
		total = done
	}
	frac := 1.0
	if total > 0 {
		frac = float64(done) / float64(total)
	}
	n := int(frac * width)
	return fmt.Sprintf("%s [%s%s] %3.0f%% %d/%d rows", name, strings.Repeat("=", n), strings.Repeat(" ", width-n), frac*100, done, total)
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// startProfiles starts a CPU profile into cpuPath and returns what ends it
// and writes the heap profile into memPath (either may be empty).
func startProfiles(cpuPath, memPath string) (stop func(), err error) {
	var cpu *os.File
	if cpuPath != "" {
		if cpu, err = os.Create(cpuPath); err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(cpu); err != nil {
			cpu.Close()
			return nil, err
		}
	}
	return func() {
		if cpu != nil {
			pprof.StopCPUProfile()
			cpu.Close()
		}
		if memPath != "" {
			f, err := os.Create(memPath)
			if err != nil {
				return
			}
			defer f.Close()
			pprof.Lookup("allocs").WriteTo(f, 0)
		}
	}, nil
}
