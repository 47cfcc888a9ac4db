package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/httpx"
	"github.com/tallyhq/tally/internal/ingest"
)

// accountsPage lists the user's connections with their accounts, and the
// forms to link an institution.
type accountsPage struct {
	layout
	Connections []connectionRow
	CanLink     bool
}

type connectionRow struct {
	ID          string
	Kind        string
	KindLabel   string
	Institution string
	Login       string
	Status      string
	StatusLabel string
	Reason      string
	LastSync    string
	Cooldown    string // "You can refresh again in 40 s" while the cooldown runs
	IsFile      bool
	Accounts    []accountItem
}

type accountItem struct {
	accountRow
	Hidden bool
}

var kindLabels = map[string]string{
	tally.ConnectionOFX:       "OFX Direct Connect",
	tally.ConnectionSimpleFIN: "SimpleFIN",
	tally.ConnectionFile:      "Imported files",
}

// GET /accounts
func (h *Handler) accounts(w http.ResponseWriter, r *http.Request, u *tally.User) {
	page, err := h.accountsData(r, u, h.page(w, r, u, "Accounts", "accounts"))
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "accounts", page)
}

func (h *Handler) accountsData(r *http.Request, u *tally.User, l layout) (*accountsPage, error) {
	conns, err := h.Store.Connections(r.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	accounts, err := h.Store.Accounts(r.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	page := &accountsPage{layout: l, CanLink: h.Linker != nil}
	index := map[string]int{}
	now := h.now()
	for _, c := range conns {
		row := connectionRow{ID: c.ID, Kind: c.Kind, KindLabel: label(kindLabels, c.Kind), Institution: c.Institution, Login: c.Login,
			Status: c.Status, StatusLabel: label(statusLabels, c.Status), IsFile: c.Kind == tally.ConnectionFile}
		if row.Institution == "" {
			row.Institution = hostOf(c.URL)
		}
		if row.IsFile {
			row.Institution = "Statement files"
		}
		if c.Status == tally.StatusNeedsAttention {
			row.Reason = c.StatusReason
		}
		if c.LastSyncedAt != nil {
			row.LastSync = "Last synced " + ago(now, *c.LastSyncedAt)
		} else if !row.IsFile {
			row.LastSync = "Not synced yet"
		}
		if c.RefreshRequestedAt != nil {
			if wait := tally.RefreshCooldown - now.Sub(*c.RefreshRequestedAt); wait > 0 {
				row.Cooldown = fmt.Sprintf("You can refresh again in %d s.", int((wait+time.Second-1)/time.Second))
			}
		}
		index[c.ID] = len(page.Connections)
		page.Connections = append(page.Connections, row)
	}
	for _, a := range accounts {
		if i, ok := index[a.ConnectionID]; ok {
			page.Connections[i].Accounts = append(page.Connections[i].Accounts, accountItem{accountRow: newAccountRow(a), Hidden: a.Hidden})
		}
	}
	return page, nil
}

// hostOf is a URL's host, or the URL when it has none.
func hostOf(raw string) string {
	s := raw
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if s == "" {
		return raw
	}
	return s
}

// ago says how long ago t was, roughly.
func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%d min ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h ago", int(d/time.Hour))
	}
	return "on " + t.Format("Jan 2, 2006")
}

// refuseAccounts shows the accounts page again with f's errors.
func (h *Handler) refuseAccounts(w http.ResponseWriter, r *http.Request, u *tally.User, status int, f form) {
	l := h.base(r, u, "Accounts", "accounts")
	l.Form = f
	page, err := h.accountsData(r, u, l)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	h.render(w, r, status, "accounts", page)
}

// checkField validates a required form field of at most max bytes.
func checkField(f *form, name, value, what string, max int) string {
	value = strings.TrimSpace(value)
	switch {
	case value == "":
		f.set(name, "Enter the "+what+".")
	case len(value) > max:
		f.set(name, fmt.Sprintf("The %s is longer than %d characters.", what, max))
	}
	return value
}

// POST /accounts/link: kind ofx (url, login, password) or simplefin
// (setup_token). The institution verifies the credentials before anything
// is stored, exactly as POST /api/v1/connections does.
func (h *Handler) link(w http.ResponseWriter, r *http.Request, u *tally.User) {
	kind := r.PostForm.Get("kind")
	f := newForm("link-"+kind, r)
	var req ingest.ConnectRequest
	switch kind {
	case tally.ConnectionOFX:
		req = ingest.ConnectRequest{Kind: kind,
			URL:      checkField(&f, "url", r.PostForm.Get("url"), "institution's OFX address", 2048),
			Login:    checkField(&f, "login", r.PostForm.Get("login"), "login", 2048),
			Password: r.PostForm.Get("password")}
		if req.Password == "" {
			f.set("password", "Enter the password.")
		} else if len(req.Password) > 2048 {
			f.set("password", "The password is longer than 2048 characters.")
		}
	case tally.ConnectionSimpleFIN:
		req = ingest.ConnectRequest{Kind: kind, SetupToken: checkField(&f, "setup_token", r.PostForm.Get("setup_token"), "setup token", 4096)}
	default:
		h.errorPage(w, r, u, http.StatusBadRequest, "Choose OFX Direct Connect or SimpleFIN.")
		return
	}
	if f.Failed() {
		h.refuseAccounts(w, r, u, http.StatusUnprocessableEntity, f)
		return
	}
	if h.Linker == nil {
		f.set("form", "Linking institutions is not available on this server.")
		h.refuseAccounts(w, r, u, http.StatusServiceUnavailable, f)
		return
	}
	c, accounts, err := h.Linker.Connect(r.Context(), u.ID, req)
	switch code := tally.ErrorCode(err); code {
	case "":
	case tally.EINTERNAL:
		h.serverError(w, r, err)
		return
	default:
		field := "form"
		switch {
		case code == tally.EUNPROCESSABLE && kind == tally.ConnectionOFX:
			field = "password"
		case code == tally.EINVALID && kind == tally.ConnectionOFX:
			field = "url"
		case kind == tally.ConnectionSimpleFIN:
			field = "setup_token"
		}
		f.set(field, capitalize(tally.ErrorMessage(err))+".")
		h.refuseAccounts(w, r, u, httpx.StatusOf(code), f)
		return
	}
	name := c.Institution
	if name == "" {
		name = hostOf(c.URL)
	}
	redirect(w, r, "/accounts", fmt.Sprintf("Linked %s: %d %s. Transactions are on their way.", name, len(accounts), plural(int64(len(accounts)), "account", "accounts")))
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// POST /connections/{id}/refresh
func (h *Handler) refresh(w http.ResponseWriter, r *http.Request, u *tally.User) {
	wait, err := h.Store.RequestRefresh(r.Context(), u.ID, r.PathValue("id"), tally.RefreshCooldown)
	switch code := tally.ErrorCode(err); {
	case err == nil:
		redirect(w, r, "/accounts", "Refreshing. New transactions appear in a minute or two.")
	case code == tally.ERATELIMIT || wait > 0:
		redirect(w, r, "/accounts", fmt.Sprintf("Refreshed a moment ago; you can refresh again in %d s.", int((wait+time.Second-1)/time.Second)))
	case code == tally.ENOTFOUND || code == tally.EINTERNAL:
		h.failed(w, r, u, err)
	case code == tally.ECONFLICT:
		redirect(w, r, "/accounts", "The institution refused this login; update the credentials before refreshing.")
	default:
		redirect(w, r, "/accounts", capitalize(tally.ErrorMessage(err))+".")
	}
}

// POST /connections/{id}/credentials: new login and password, verified
// with the institution before they replace the old ones.
func (h *Handler) updateCredentials(w http.ResponseWriter, r *http.Request, u *tally.User) {
	id := r.PathValue("id")
	if _, err := h.Store.Connection(r.Context(), u.ID, id); err != nil {
		h.failed(w, r, u, err)
		return
	}
	f := newForm("credentials-"+id, r)
	login := strings.TrimSpace(r.PostForm.Get("login"))
	password := r.PostForm.Get("password")
	if len(login) > 2048 {
		f.set("login", "The login is longer than 2048 characters.")
	}
	if password == "" {
		f.set("password", "Enter the new password.")
	} else if len(password) > 2048 {
		f.set("password", "The password is longer than 2048 characters.")
	}
	if !f.Failed() && h.Linker == nil {
		f.set("password", "Updating credentials is not available on this server.")
	}
	if !f.Failed() {
		_, err := h.Linker.UpdateCredentials(r.Context(), u.ID, id, login, password)
		switch code := tally.ErrorCode(err); code {
		case "":
			redirect(w, r, "/accounts", "The institution accepted the new credentials; syncing again.")
			return
		case tally.EINTERNAL, tally.ENOTFOUND:
			h.failed(w, r, u, err)
			return
		default:
			f.set("password", capitalize(tally.ErrorMessage(err))+".")
		}
	}
	h.refuseAccounts(w, r, u, http.StatusUnprocessableEntity, f)
}

// confirmPage asks before something is removed for good.
type confirmPage struct {
	layout
	Heading string
	Message string
	Action  string
	Button  string
	Cancel  string
}

// GET /connections/{id}/remove
func (h *Handler) confirmRemoveConnection(w http.ResponseWriter, r *http.Request, u *tally.User) {
	c, err := h.Store.Connection(r.Context(), u.ID, r.PathValue("id"))
	if err != nil {
		h.failed(w, r, u, err)
		return
	}
	name := c.Institution
	if name == "" {
		name = hostOf(c.URL)
	}
	h.render(w, r, http.StatusOK, "confirm", confirmPage{layout: h.page(w, r, u, "Remove "+name, "accounts"),
		Heading: "Remove " + name + "?",
		Message: "Its accounts and every transaction from them leave Tally, and the stored credentials are deleted. This cannot be undone.",
		Action:  "/connections/" + c.ID + "/remove", Button: "Remove " + name, Cancel: "/accounts"})
}

// POST /connections/{id}/remove
func (h *Handler) removeConnection(w http.ResponseWriter, r *http.Request, u *tally.User) {
	keys, err := h.Store.DeleteConnection(r.Context(), u.ID, r.PathValue("id"))
	if err != nil {
		h.failed(w, r, u, err)
		return
	}
	h.dropBlobs(r.Context(), u.ID, keys)
	redirect(w, r, "/accounts", "Removed, with its accounts and transactions.")
}

// POST /accounts/{id}: rename and hide or show.
func (h *Handler) updateAccount(w http.ResponseWriter, r *http.Request, u *tally.User) {
	id := r.PathValue("id")
	f := newForm("account-"+id, r)
	name, err := tally.CheckAccountName(r.PostForm.Get("name"))
	if err != nil {
		f.set("name", capitalize(tally.ErrorMessage(err))+".")
		if _, err := h.Store.Account(r.Context(), u.ID, id); err != nil {
			h.failed(w, r, u, err)
			return
		}
		h.refuseAccounts(w, r, u, http.StatusUnprocessableEntity, f)
		return
	}
	hidden := r.PostForm.Get("hidden") == "on"
	if _, err := h.Store.UpdateAccount(r.Context(), u.ID, id, &name, &hidden); err != nil {
		h.failed(w, r, u, err)
		return
	}
	redirect(w, r, "/accounts", "Saved "+name+".")
}

// GET /accounts/{id}/delete
func (h *Handler) confirmDeleteAccount(w http.ResponseWriter, r *http.Request, u *tally.User) {
	a, err := h.Store.Account(r.Context(), u.ID, r.PathValue("id"))
	if err != nil {
		h.failed(w, r, u, err)
		return
	}
	h.render(w, r, http.StatusOK, "confirm", confirmPage{layout: h.page(w, r, u, "Delete "+a.Name, "accounts"),
		Heading: "Delete " + a.Name + "?",
		Message: "The account and every transaction imported into it leave Tally, and your spending totals drop by them. This cannot be undone.",
		Action:  "/accounts/" + a.ID + "/delete", Button: "Delete " + a.Name, Cancel: "/accounts"})
}

// POST /accounts/{id}/delete: file-imported accounts only.
func (h *Handler) deleteAccount(w http.ResponseWriter, r *http.Request, u *tally.User) {
	keys, err := h.Store.DeleteFileAccount(r.Context(), u.ID, r.PathValue("id"))
	if err != nil {
		h.failed(w, r, u, err)
		return
	}
	h.dropBlobs(r.Context(), u.ID, keys)
	redirect(w, r, "/accounts", "Deleted the account and its transactions.")
}
