package tally

import "time"

// Import statuses.
const (
	ImportQueued  = "queued"
	ImportRunning = "running"
	ImportDone    = "done"
	ImportFailed  = "failed"
)

// MaxImportErrors caps the rejected rows an import keeps (with their line
// and reason); Rejected counts them all.
const MaxImportErrors = 100

// MaxImportBytes caps an uploaded statement file.
const MaxImportBytes = 64 << 20

// Import is a statement file a user uploaded and its progress.
type Import struct {
	ID         string
	UserID     string
	AccountID  string // the account the file went into; "" until known
	Filename   string
	Format     string // ofx, qif or csv
	BlobKey    string // the raw file in the object store
	Size       int64
	Status     string // ImportQueued, ...
	Message    string // why a failed import failed
	Parsed     int64  // transactions read from the file
	Inserted   int64  // of which new
	Duplicates int64  // of which already stored
	Rejected   int64  // rows that could not be read
	Errors     []ImportError
	CreatedAt  time.Time
	StartedAt  *time.Time
	FinishedAt *time.Time
}

// ImportError is a rejected row of an imported file.
type ImportError struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}
