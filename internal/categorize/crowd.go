package categorize

import (
	"sort"
	"time"

	"github.com/tallyhq/tally"
)

// Crowd consensus: a seller that is not in the dictionary takes the
// category users chose for it, once enough of the right users agree. Votes
// are cheap to cast, so only some count: a voter must have the seller in
// transactions from a linked bank (not an uploaded file, which anyone can
// write) and an account at least CrowdMinAge old. The number of agreeing
// voters needed grows with how many users have the seller, and the winner
// needs a majority of the counted votes.

// CrowdMinAge is how old an account must be for its votes to count.
const CrowdMinAge = 7 * 24 * time.Hour

// CrowdShare is the share of a seller's users whose agreement is needed,
// above tally.CrowdMinVoters.
const CrowdShare = 0.05

// CrowdUsersCap bounds how many of a seller's users are counted when
// scaling the threshold, so counting stays cheap for sellers everyone has.
const CrowdUsersCap = 2000

// CrowdThreshold is how many counted voters must agree on a seller that
// users users have.
func CrowdThreshold(users int) int {
	n := int(float64(min(users, CrowdUsersCap))*CrowdShare + 0.999999)
	return max(n, tally.CrowdMinVoters)
}

// CrowdConsensus returns the crowd's category for a seller and how many
// voters chose it, from the counted votes per category and the number of
// users who have the seller; "" and 0 when there is no consensus.
func CrowdConsensus(counts map[string]int, users int) (string, int) {
	cats := make([]string, 0, len(counts))
	total := 0
	for c, n := range counts {
		if n > 0 {
			cats = append(cats, c)
			total += n
		}
	}
	if len(cats) == 0 {
		return "", 0
	}
	sort.Slice(cats, func(i, j int) bool {
		if counts[cats[i]] != counts[cats[j]] {
			return counts[cats[i]] > counts[cats[j]]
		}
		return cats[i] < cats[j]
	})
	best := counts[cats[0]]
	if best < CrowdThreshold(users) || 2*best <= total {
		return "", 0
	}
	return cats[0], best
}
