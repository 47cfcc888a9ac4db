package main

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/config"
	"github.com/tallyhq/tally/internal/secret"
	"github.com/tallyhq/tally/internal/sqldb"
	"github.com/tallyhq/tally/internal/store"
)

// Backups of the embedded default are a gzipped tar: the database as
// tally.db (an online snapshot, VACUUM INTO) and the raw documents under
// blobs/. The secret key is not in it: keep it apart (TALLY_SECRET_KEY or
// secret.key), as the backup alone must not open stored credentials.

const backupDB = "tally.db"

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := config.Default()
	var to string
	if _, err := parseFlags("backup", args, stderr, &c, func(fs *flag.FlagSet) {
		c.DataFlags(fs)
		fs.StringVar(&c.BlobURL, "blob-url", c.BlobURL, "object store of raw documents (default: the data dir's blobs/)")
		fs.StringVar(&to, "to", "", "the backup file to write (.tar.gz)")
	}); err != nil {
		return err
	}
	if to == "" {
		return errors.New("backup: --to FILE is required")
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "sqlite:") {
		return errors.New("backup: PostgreSQL is backed up with its own tools (pg_dump or a base backup); see docs/operations.md")
	}
	db, err := sqldb.Open(ctx, dbURL(&c))
	if err != nil {
		return err
	}
	defer db.Close()
	tmp, err := os.MkdirTemp(filepath.Dir(to), ".tally-backup-")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(tmp)
	snap := filepath.Join(tmp, backupDB)
	// VACUUM INTO writes a consistent copy while other connections write.
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, snap); err != nil {
		return fmt.Errorf("backup: snapshot the database: %w", err)
	}
	part := to + ".part"
	f, err := os.OpenFile(part, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(part)
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	if err := addFile(tw, snap, backupDB); err != nil {
		f.Close()
		return err
	}
	// Raw documents are content-addressed and never change: those the
	// snapshot names were all written before it.
	blobs := blobDir(&c)
	files := 0
	err = filepath.WalkDir(blobs, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return err
		}
		rel, _ := filepath.Rel(blobs, p)
		files++
		return addFile(tw, p, "blobs/"+filepath.ToSlash(rel))
	})
	if err == nil {
		err = tw.Close()
	}
	if err == nil {
		err = gz.Close()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(part, to); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(stdout, "backup written to %s (database and %d raw documents; the secret key is not included)\n", to, files)
	return nil
}

func addFile(tw *tar.Writer, path, name string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: fi.Size(), ModTime: fi.ModTime(), Typeflag: tar.TypeReg}); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := io.Copy(tw, f); err != nil {
		return fmt.Errorf("backup: %s: %w", name, err)
	}
	return nil
}

func dbURL(c *config.Config) string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return sqldb.DefaultURL(c.DataDir)
}

func blobDir(c *config.Config) string {
	if c.BlobURL != "" {
		return strings.TrimPrefix(c.BlobURL, "file://")
	}
	return filepath.Join(c.DataDir, "blobs")
}

func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := config.Default()
	var from string
	var force bool
	if _, err := parseFlags("restore", args, stderr, &c, func(fs *flag.FlagSet) {
		c.DataFlags(fs)
		fs.StringVar(&from, "from", "", "the backup file to restore (.tar.gz from tally backup)")
		fs.BoolVar(&force, "force", false, "replace a database that exists in the data dir")
	}); err != nil {
		return err
	}
	if from == "" {
		return errors.New("restore: --from FILE is required")
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "sqlite:") {
		return errors.New("restore: PostgreSQL is restored with its own tools (pg_restore); see docs/operations.md")
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	unlock, err := lockDataDir(c.DataDir)
	if err != nil {
		return fmt.Errorf("restore: %w (stop tally serve first)", err)
	}
	defer unlock()
	dbPath := strings.TrimPrefix(strings.TrimPrefix(dbURL(&c), "sqlite:"), "//")
	if _, err := os.Stat(dbPath); err == nil && !force {
		return fmt.Errorf("restore: %s exists; pass --force to replace it", dbPath)
	}
	f, err := os.Open(from)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("restore: %s is not a tally backup: %w", from, err)
	}
	tr := tar.NewReader(gz)
	blobs := filepath.Join(c.DataDir, "blobs")
	staged := dbPath + ".restore"
	defer os.Remove(staged)
	sawDB, docs := false, 0
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("restore: read %s: %w", from, err)
		}
		name := filepath.Clean(filepath.FromSlash(h.Name))
		if h.Typeflag != tar.TypeReg || filepath.IsAbs(name) || strings.HasPrefix(name, "..") {
			return fmt.Errorf("restore: %s holds an unexpected entry %q", from, h.Name)
		}
		var dst string
		switch {
		case name == backupDB:
			dst, sawDB = staged, true
		case strings.HasPrefix(name, "blobs"+string(filepath.Separator)):
			dst = filepath.Join(blobs, strings.TrimPrefix(name, "blobs"+string(filepath.Separator)))
			docs++
		default:
			return fmt.Errorf("restore: %s holds an unexpected entry %q", from, h.Name)
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		_, err = io.Copy(out, tr)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("restore: %s: %w", h.Name, err)
		}
	}
	if !sawDB {
		return fmt.Errorf("restore: %s holds no database", from)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(dbPath + suffix)
	}
	if err := os.Rename(staged, dbPath); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	db, err := sqldb.Open(ctx, dbURL(&c))
	if err != nil {
		return fmt.Errorf("restore: the restored database does not open: %w", err)
	}
	defer db.Close()
	var users int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&users); err != nil {
		return fmt.Errorf("restore: the restored database cannot be read: %w", err)
	}
	fmt.Fprintf(stdout, "restored %d users and %d raw documents into %s; run tally reconcile to check the totals\n", users, docs, c.DataDir)
	return nil
}

// runRotateKey re-seals every stored secret under a new key. The new key
// is written beside the old one (secret.key.new) before the database
// changes and takes its place after, so a crash leaves both keys on disk.
func runRotateKey(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := config.Default()
	if _, err := parseFlags("rotate-key", args, stderr, &c, c.DataFlags); err != nil {
		return err
	}
	oldKey, err := secret.LoadKey(c.SecretKey, c.DataDir)
	if err != nil {
		return err
	}
	var newKey []byte
	if v := os.Getenv("TALLY_NEW_SECRET_KEY"); v != "" {
		if newKey, err = secret.ParseKey(v); err != nil {
			return fmt.Errorf("rotate-key: TALLY_NEW_SECRET_KEY: %w", err)
		}
	} else if c.SecretKey != "" {
		return errors.New("rotate-key: the key comes from TALLY_SECRET_KEY; set TALLY_NEW_SECRET_KEY to the new one (64 hex characters) and run again")
	} else {
		newKey = make([]byte, 32)
		if _, err := rand.Read(newKey); err != nil {
			return fmt.Errorf("rotate-key: %w", err)
		}
	}
	oldBox, err := secret.New(oldKey)
	if err != nil {
		return err
	}
	newBox, err := secret.New(newKey)
	if err != nil {
		return err
	}
	keyPath := filepath.Join(c.DataDir, secret.KeyFile)
	pending := keyPath + ".new"
	if c.SecretKey == "" {
		if _, err := os.Stat(pending); err == nil {
			return fmt.Errorf("rotate-key: %s exists from an interrupted rotation; find which key opens the secrets before removing either", pending)
		}
		if err := os.WriteFile(pending, []byte(hex.EncodeToString(newKey)+"\n"), 0o600); err != nil {
			return fmt.Errorf("rotate-key: %w", err)
		}
	}
	db, err := openDatabase(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	st := store.New(db, store.NoJobs{})
	start := time.Now()
	n, err := st.ResealAll(ctx, func(x store.Sealed) ([]byte, error) {
		pt, err := oldBox.Open(x.Value, x.Additional)
		if err != nil {
			return nil, err
		}
		return newBox.Seal(pt, x.Additional), nil
	})
	if err != nil {
		os.Remove(pending)
		return fmt.Errorf("rotate-key: nothing changed: %w", err)
	}
	if c.SecretKey == "" {
		if err := os.Rename(pending, keyPath); err != nil {
			return fmt.Errorf("rotate-key: the secrets are sealed under the key in %s; move it to %s: %w", pending, keyPath, err)
		}
		fmt.Fprintf(stdout, "re-sealed %d secrets under a new key in %s (%.1fs)\n", n, keyPath, time.Since(start).Seconds())
		return nil
	}
	fmt.Fprintf(stdout, "re-sealed %d secrets under TALLY_NEW_SECRET_KEY (%.1fs); set TALLY_SECRET_KEY to it before starting tally again\n", n, time.Since(start).Seconds())
	return nil
}
