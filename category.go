package tally

// Category kinds. Only expense categories count as spending.
const (
	KindExpense  = "expense"
	KindIncome   = "income"
	KindTransfer = "transfer"
)

// Category is one node of the two-level taxonomy. IDs are stable lowercase
// slugs; Parent is "" for top-level categories.
type Category struct {
	ID     string
	Name   string
	Parent string
	Kind   string
}

// Uncategorized is the category of a transaction nothing could place.
const Uncategorized = "uncategorized"
