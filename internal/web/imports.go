package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/blob"
	"github.com/tallyhq/tally/internal/httpx"
)

// importsPage is the statement upload page: the form, and the latest
// imports with their progress and rejected rows.
type importsPage struct {
	layout
	Error    string
	Accounts []*tally.Account
	Imports  []importRow
	MaxSize  string
}

type importRow struct {
	*tally.Import
	Created string
	Active  bool
}

// Importer accepts an uploaded statement file and queues its import (the
// ingest service implements it).
type Importer interface {
	NewImport(ctx context.Context, userID, accountID, filename string, r io.Reader, enqueue bool) (*tally.Import, error)
}

func (h *Handler) maxImportBytes() int64 { return tally.MaxImportBytes }

func (h *Handler) importsData(r *http.Request, u *tally.User, l layout, msg string) (importsPage, error) {
	page := importsPage{layout: l, Error: msg,
		MaxSize: fmt.Sprintf("%d MiB", h.maxImportBytes()>>20)}
	accts, err := h.Store.Accounts(r.Context(), u.ID)
	if err != nil {
		return page, err
	}
	page.Accounts = accts
	imps, err := h.Store.Imports(r.Context(), u.ID, 10)
	if err != nil {
		return page, err
	}
	for _, imp := range imps {
		active := imp.Status == tally.ImportQueued || imp.Status == tally.ImportRunning
		page.Syncing = page.Syncing || active
		page.Imports = append(page.Imports, importRow{Import: imp, Created: imp.CreatedAt.Format("Jan 2, 15:04 MST"), Active: active})
	}
	return page, nil
}

// GET /imports
func (h *Handler) imports(w http.ResponseWriter, r *http.Request, u *tally.User) {
	page, err := h.importsData(r, u, h.page(w, r, u, "Import a statement", "accounts"), "")
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "imports", page)
}

// POST /imports?csrf=: multipart with "file" and optionally "account_id".
func (h *Handler) upload(w http.ResponseWriter, r *http.Request, u *tally.User) {
	refuse := func(status int, msg string) {
		page, err := h.importsData(r, u, h.base(r, u, "Import a statement", "accounts"), msg)
		if err != nil {
			h.serverError(w, r, err)
			return
		}
		h.render(w, r, status, "imports", page)
	}
	if h.Importer == nil {
		refuse(http.StatusServiceUnavailable, "File import is not available on this server.")
		return
	}
	limit := h.maxImportBytes()
	r.Body = http.MaxBytesReader(w, r.Body, limit+64<<10)
	// Parts beyond 1 MiB wait in temporary files, not in memory.
	err := r.ParseMultipartForm(1 << 20)
	var f multipart.File
	var hdr *multipart.FileHeader
	if err == nil {
		f, hdr, err = r.FormFile("file")
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			refuse(http.StatusRequestEntityTooLarge, "The file is larger than "+fmt.Sprintf("%d MiB", limit>>20)+".")
			return
		}
		refuse(http.StatusBadRequest, "Choose a statement file to import.")
		return
	}
	defer f.Close()
	file, err := blob.NewSpool(io.LimitReader(f, limit+1))
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	defer file.Close()
	if file.Size() > limit {
		refuse(http.StatusRequestEntityTooLarge, "The file is larger than "+fmt.Sprintf("%d MiB", limit>>20)+".")
		return
	}
	_, err = h.Importer.NewImport(r.Context(), u.ID, r.FormValue("account_id"), hdr.Filename, file, true)
	switch code := tally.ErrorCode(err); {
	case err == nil:
		redirect(w, r, "/imports", "File received; its report appears below.")
	case code == tally.EINTERNAL:
		h.serverError(w, r, err)
	default:
		refuse(httpx.StatusOf(code), tally.ErrorMessage(err))
	}
}
