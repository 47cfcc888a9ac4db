package tally

import "sort"

// CrowdWinner returns the category most voters chose and how many chose it,
// when at least min distinct voters agree and no other category has as many
// votes; otherwise "" and 0.
func CrowdWinner(counts map[string]int, min int) (string, int) {
	cats := make([]string, 0, len(counts))
	for c := range counts {
		cats = append(cats, c)
	}
	sort.Slice(cats, func(i, j int) bool { return counts[cats[i]] > counts[cats[j]] })
	if len(cats) == 0 || counts[cats[0]] < min || len(cats) > 1 && counts[cats[1]] == counts[cats[0]] {
		return "", 0
	}
	return cats[0], counts[cats[0]]
}
