package httpapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/blob"
	"github.com/tallyhq/tally/internal/httpx"
)

// Importer stores an uploaded statement file and queues its import; nothing
// is stored when the file is refused. The file streams from r (a
// *blob.Spool is used as it is). *ingest.Service implements it.
type Importer interface {
	NewImport(ctx context.Context, userID, accountID, filename string, r io.Reader, enqueue bool) (*tally.Import, error)
}

// RefreshCooldown is how often a user may refresh one connection.
const RefreshCooldown = tally.RefreshCooldown

// DefaultMaxImportBytes caps an uploaded statement file.
const DefaultMaxImportBytes = tally.MaxImportBytes

// routeImports registers the endpoints of statement imports and of keeping
// connections in sync.
func (s *Server) routeImports(mux *http.ServeMux) {
	limit := s.MaxImportBytes
	if limit <= 0 {
		limit = DefaultMaxImportBytes
	}
	// Multipart framing adds a little to the file itself.
	s.patterns = append(s.patterns, "POST /api/v1/imports")
	mux.Handle("POST /api/v1/imports", limitBody(limit+64<<10, s.authed(s.createImport)))
	s.handleAuth(mux, "GET /api/v1/imports/{id}", s.getImport)
	s.handleAuth(mux, "PATCH /api/v1/connections/{id}", s.patchConnection)
}

// authed is handleAuth's authentication for a handler registered with its
// own body limit.
func (s *Server) authed(h authedHandler) http.HandlerFunc {
	serve := func(w http.ResponseWriter, r *http.Request, u *tally.User) {
		httpx.SetRequestUser(r.Context(), u.ID)
		if err := s.Store.TouchUser(r.Context(), u); err != nil {
			s.logger().WarnContext(r.Context(), "touch user", "user_id", u.ID, "error", err)
		}
		h(w, r, u)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && s.Cache != nil && cachedRoutes[r.Pattern] {
			if u, rr, d := s.authenticateCached(r); d != nil {
				serve(w, rr, u)
				if !d.retry {
					return
				}
				// The user wrote since the token was remembered, and
				// nothing was answered: authenticate as below.
			}
		}
		var u *tally.User
		var err error
		if r.Method == http.MethodGet && s.Cache != nil {
			u, r, err = s.authenticateRead(r)
		} else {
			u, err = s.authenticate(r)
		}
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="tally"`)
			s.error(w, r, err)
			return
		}
		serve(w, r, u)
	}
}

type importJSON struct {
	ID         string              `json:"id"`
	Status     string              `json:"status"`
	Filename   string              `json:"filename"`
	Format     string              `json:"format"`
	AccountID  string              `json:"account_id"`
	Message    string              `json:"message,omitempty"`
	Parsed     int64               `json:"parsed"`
	Inserted   int64               `json:"inserted"`
	Duplicates int64               `json:"duplicates"`
	Rejected   int64               `json:"rejected"`
	Errors     []tally.ImportError `json:"errors"`
	CreatedAt  string              `json:"created_at"`
	FinishedAt *string             `json:"finished_at"`
}

// POST /api/v1/imports: multipart/form-data with the statement in the part
// "file" and optionally "account_id". Answers 202 at once; the import runs
// as a job.
func (s *Server) createImport(w http.ResponseWriter, r *http.Request, u *tally.User) {
	if s.Importer == nil {
		s.error(w, r, tally.Errorf(tally.EUNAVAILABLE, "file import is not available on this server"))
		return
	}
	limit := s.MaxImportBytes
	if limit <= 0 {
		limit = DefaultMaxImportBytes
	}
	mr, err := r.MultipartReader()
	if err != nil {
		s.error(w, r, tally.Errorf(tally.EINVALID, "send the statement as multipart/form-data with the file in a part named \"file\""))
		return
	}
	var file *blob.Spool
	defer func() {
		if file != nil {
			file.Close()
		}
	}()
	var filename, accountID string
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			s.error(w, r, uploadError(err, limit))
			return
		}
		switch p.FormName() {
		case "file":
			filename = p.FileName()
			if file != nil {
				file.Close()
			}
			// On disk, not in memory, until the object store has it.
			file, err = blob.NewSpool(io.LimitReader(p, limit+1))
			if err == nil && file.Size() > limit {
				err = &http.MaxBytesError{Limit: limit}
			}
		case "account_id":
			var b []byte
			b, err = io.ReadAll(io.LimitReader(p, 256))
			accountID = strings.TrimSpace(string(b))
		default:
			_, err = io.Copy(io.Discard, p)
		}
		if err != nil {
			s.error(w, r, uploadError(err, limit))
			return
		}
	}
	if file == nil {
		s.error(w, r, tally.Errorf(tally.EINVALID, "the multipart part \"file\" is required"))
		return
	}
	imp, err := s.Importer.NewImport(r.Context(), u.ID, accountID, filename, file, true)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}{imp.ID, imp.Status})
}

func uploadError(err error, limit int64) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tally.Errorf(tally.ETOOLARGE, "the file is larger than %s", byteSize(limit))
	}
	return tally.Errorf(tally.EINVALID, "the multipart body cannot be read: %v", err)
}

// GET /api/v1/imports/{id}
func (s *Server) getImport(w http.ResponseWriter, r *http.Request, u *tally.User) {
	// Every write of an import's progress moves its owner's cache
	// generation, so a client polling the import sees each step.
	id := r.PathValue("id")
	s.cachedJSON(w, r, u, "import:"+id, func(ctx context.Context) (any, error) {
		imp, err := s.Store.Import(ctx, u.ID, id)
		if err != nil {
			return nil, err
		}
		return newImportJSON(imp), nil
	})
}

func newImportJSON(imp *tally.Import) importJSON {
	errs := imp.Errors
	if errs == nil {
		errs = []tally.ImportError{}
	}
	return importJSON{
		ID:         imp.ID,
		Status:     imp.Status,
		Filename:   imp.Filename,
		Format:     imp.Format,
		AccountID:  imp.AccountID,
		Message:    imp.Message,
		Parsed:     imp.Parsed,
		Inserted:   imp.Inserted,
		Duplicates: imp.Duplicates,
		Rejected:   imp.Rejected,
		Errors:     errs,
		CreatedAt:  timeJSON(imp.CreatedAt),
		FinishedAt: optTime(imp.FinishedAt),
	}
}
