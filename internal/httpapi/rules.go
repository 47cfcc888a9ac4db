package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/categorize"
	"github.com/tallyhq/tally/internal/store"
)

// engine returns the categorizer that names sellers for rules and votes.
func (s *Server) engine() *categorize.Engine {
	if s.Categorize == nil {
		return categorize.New()
	}
	return s.Categorize
}

// ruleJSON is a rule as the API shows it.
type ruleJSON struct {
	ID          string `json:"id"`
	Merchant    string `json:"merchant"`
	MerchantKey string `json:"merchant_key"`
	Category    string `json:"category"`
	CreatedAt   string `json:"created_at"`
}

func newRuleJSON(r *tally.Rule) ruleJSON {
	return ruleJSON{ID: r.ID, Merchant: r.Merchant, MerchantKey: r.MerchantKey, Category: r.Category,
		CreatedAt: r.CreatedAt.UTC().Format(time.RFC3339)}
}

// GET /api/v1/rules
func (s *Server) listRules(w http.ResponseWriter, r *http.Request, u *tally.User) {
	s.cachedJSON(w, r, u, "rules", func(ctx context.Context) (any, error) {
		rules, err := s.Store.Rules(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		out := struct {
			Rules []ruleJSON `json:"rules"`
		}{Rules: make([]ruleJSON, 0, len(rules))}
		for _, x := range rules {
			out.Rules = append(out.Rules, newRuleJSON(x))
		}
		return out, nil
	})
}

type createRuleRequest struct {
	Merchant string `json:"merchant"`
	Category string `json:"category"`
}

// POST /api/v1/rules: {"merchant", "category"}. The merchant may be a
// display name ("Whole Foods") or a raw descriptor ("WHOLEFDS HOU 10236");
// either is normalized to the seller the categorizer finds in it. The rule
// re-files the user's past transactions of that seller at once (all but
// those set by hand) and applies to future ones.
func (s *Server) createRule(w http.ResponseWriter, r *http.Request, u *tally.User) {
	var req createRuleRequest
	if err := decodeJSON(r, &req); err != nil {
		s.error(w, r, err)
		return
	}
	req.Merchant = strings.TrimSpace(req.Merchant)
	if req.Merchant == "" {
		s.error(w, r, tally.Errorf(tally.EINVALID, "merchant is required"))
		return
	}
	if len(req.Merchant) > 200 {
		s.error(w, r, tally.Errorf(tally.EINVALID, "merchant is longer than 200 characters"))
		return
	}
	if req.Category == "" {
		s.error(w, r, tally.Errorf(tally.EINVALID, "category is required"))
		return
	}
	if _, ok := tally.LookupCategory(req.Category); !ok {
		s.error(w, r, tally.Errorf(tally.EINVALID, "category %q is not a known category id; see GET /api/v1/categories", req.Category))
		return
	}
	m := s.engine().Merchant(req.Merchant)
	if m.Key == "" {
		s.error(w, r, tally.Errorf(tally.EINVALID, "merchant %q names no seller", req.Merchant))
		return
	}
	rule, n, err := s.Store.PutRule(r.Context(), u.ID, m.Key, m.Name, req.Category)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, struct {
		ruleJSON
		Applied int `json:"applied"`
	}{newRuleJSON(rule), n})
}

// DELETE /api/v1/rules/{id}: future transactions of the seller are filed by
// the dictionary and the crowd again; past ones keep the category the rule
// gave them (the user can re-file them by hand).
func (s *Server) deleteRule(w http.ResponseWriter, r *http.Request, u *tally.User) {
	if err := s.Store.DeleteRule(r.Context(), u.ID, r.PathValue("id")); err != nil {
		s.error(w, r, err)
		return
	}
	noContent(w)
}

// recategorize files a transaction by hand; with applyToMerchant it also
// makes a rule for the seller. A seller that is not in the dictionary gets
// the user's vote for its crowd category.
func (s *Server) recategorize(ctx context.Context, userID, id, category string, applyToMerchant bool) (*tally.Transaction, *tally.Rule, error) {
	t, err := s.Store.Transaction(ctx, userID, id)
	if err != nil {
		return nil, nil, err
	}
	e := s.engine()
	res := s.categorized(t)
	if applyToMerchant && res.Key == "" {
		return nil, nil, tally.Errorf(tally.EINVALID, "apply_to_merchant: transaction %s names no seller to make a rule for", id)
	}
	ch := store.CategoryChange{MerchantKey: res.Key, Rule: applyToMerchant}
	if _, known := e.Dictionary().Seller(res.Key); !known {
		ch.Vote = true
	}
	return s.Store.Recategorize(ctx, userID, id, category, ch)
}

// categoryExplanation says which seller matched and through what.
type categoryExplanation struct {
	Source      string  `json:"source"`       // as category_source
	Merchant    string  `json:"merchant"`     // the seller's display name
	MerchantKey string  `json:"merchant_key"` // the seller as rules and votes know it
	Matched     string  `json:"matched"`      // what decided: "seller:whole_foods", "rule:payroll", "term:TAPICERIA", "mcc:5411", "crowd", "user_rule", "history"
	RuleID      *string `json:"rule_id"`      // the user's rule, for source rule
	Voters      *int    `json:"voters"`       // how many users agreed, for source crowd
}

// categorized is how the engine files t's description, with the seller key
// stored with t at insert: that key came from every field of the line (name,
// memo, type, MCC), which the description alone may not name. Transactions
// stored before keys were keep the key of their description.
func (s *Server) categorized(t *tally.Transaction) categorize.Result {
	res := s.engine().Categorize(categorize.Input{Description: t.Description, Amount: t.Amount})
	if t.MerchantKey != "" && !strings.HasPrefix(t.MerchantKey, "name:") {
		res.Key = t.MerchantKey
	}
	return res
}

func (s *Server) explain(ctx context.Context, t *tally.Transaction) categoryExplanation {
	res := s.categorized(t)
	x := categoryExplanation{Source: t.CategorySource, Merchant: t.Merchant, MerchantKey: res.Key, Matched: res.Matched}
	switch t.CategorySource {
	case tally.SourceManual:
		x.Matched = "manual"
	case tally.SourceRule:
		// A rule, or else the user's own earlier filing of the seller,
		// which a sync or import follows without a rule.
		x.Matched = "history"
		if rule, err := s.Store.RuleFor(ctx, t.UserID, res.Key); err == nil {
			x.Matched, x.RuleID = "user_rule", &rule.ID
		}
	case tally.SourceCrowd:
		x.Matched = "crowd"
		if c, err := s.Store.CrowdCategoryOf(ctx, res.Key); err == nil {
			x.Voters = &c.Voters
		}
	case tally.SourceMCC:
		if !strings.HasPrefix(x.Matched, "mcc:") {
			x.Matched = "mcc"
		}
	}
	return x
}
