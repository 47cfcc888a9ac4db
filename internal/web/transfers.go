package web

import (
	"context"
	"net/http"

	"github.com/tallyhq/tally"
)

// transferNote says where a transfer's money went or came from.
type transferNote struct {
	Transfer     string // "Transfer to Savings", "" outside a linked pair
	TransferLink string // the other side's page
}

func newTransferNote(out bool, account, peerID string) transferNote {
	n := transferNote{Transfer: "Transfer from " + account, TransferLink: "/transactions/" + peerID}
	if out {
		n.Transfer = "Transfer to " + account
	}
	if account == "" {
		n.Transfer = "Transfer"
	}
	return n
}

// markTransfers notes each row in a linked transfer pair, in one query.
// When both sides of a pair are on the page and the page is not one
// account's, the pair shows once, as its outflow.
func (h *Handler) markTransfers(ctx context.Context, userID string, rows []txnListRow, names map[string]string, oneAccount bool) []txnListRow {
	ids := make([]string, len(rows))
	onPage := map[string]bool{}
	for i, r := range rows {
		ids[i] = r.ID
		onPage[r.ID] = true
	}
	peers, err := h.Store.TransferPeerAccounts(ctx, userID, ids)
	if err != nil {
		h.logger().WarnContext(ctx, "transfer lookup", "user_id", userID, "error", err)
		return rows // the note is a courtesy
	}
	out := rows[:0]
	for _, r := range rows {
		p, ok := peers[r.ID]
		if ok {
			if !p.Out && onPage[p.ID] && !oneAccount {
				continue
			}
			r.transferNote = newTransferNote(p.Out, names[p.AccountID], p.ID)
		}
		out = append(out, r)
	}
	return out
}

// transferNoteOf is the note of one transaction's detail page.
func (h *Handler) transferNoteOf(ctx context.Context, u *tally.User, t *tally.Transaction) transferNote {
	peers, err := h.Store.TransferPeerAccounts(ctx, u.ID, []string{t.ID})
	p, ok := peers[t.ID]
	if err != nil || !ok {
		return transferNote{}
	}
	name := ""
	if a, err := h.Store.Account(ctx, u.ID, p.AccountID); err == nil {
		name = a.Name
	}
	return newTransferNote(p.Out, name, p.ID)
}

// POST /transactions/{id}/transfer/unlink: the two sides are not a
// transfer; each goes back to its category before matching.
func (h *Handler) unlinkTransfer(w http.ResponseWriter, r *http.Request, u *tally.User) {
	id := r.PathValue("id")
	if err := h.Store.UnlinkTransfer(r.Context(), u.ID, id); err != nil {
		h.failed(w, r, u, err)
		return
	}
	redirect(w, r, "/transactions/"+id, "Not a transfer: both sides are back in their own categories, and Tally will not pair them again.")
}
