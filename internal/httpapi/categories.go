package httpapi

import (
	"net/http"

	"github.com/tallyhq/tally"
)

type categoryJSON struct {
	ID     string  `json:"id"`
	Name   string  `json:"name"`
	Parent *string `json:"parent"`
	Kind   string  `json:"kind"`
}

// GET /api/v1/categories: the whole taxonomy, each top level followed by its
// subcategories.
func (s *Server) listCategories(w http.ResponseWriter, r *http.Request, u *tally.User) {
	cats := tally.Categories()
	out := struct {
		Categories []categoryJSON `json:"categories"`
	}{Categories: make([]categoryJSON, 0, len(cats))}
	for _, c := range cats {
		j := categoryJSON{ID: c.ID, Name: c.Name, Kind: c.Kind}
		if c.Parent != "" {
			j.Parent = &c.Parent
		}
		out.Categories = append(out.Categories, j)
	}
	writeJSON(w, http.StatusOK, out)
}
