package httpapi

import (
	"encoding/json"
	"net/http"
	"sync"

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
// The taxonomy is fixed at build time, so its answer is rendered once.
func (s *Server) listCategories(w http.ResponseWriter, r *http.Request, u *tally.User) {
	writeJSONBytes(w, categoriesJSON())
}

var categoriesJSON = sync.OnceValue(func() []byte {
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
	b, err := json.Marshal(out)
	if err != nil {
		panic(err) // a plain struct of strings always marshals
	}
	return append(b, '\n')
})
