package demobank

// A small, fully specified pseudo-random generator, so that generated data
// never changes with the Go release or the platform.

// mix is the SplitMix64 finalizer: a bijective 64-bit hash.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// hashString is 64-bit FNV-1a.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// seedOf combines values into one seed.
func seedOf(vs ...uint64) uint64 {
	h := uint64(0x6a09e667f3bcc908)
	for _, v := range vs {
		h = mix(h ^ mix(v+0x9e3779b97f4a7c15))
	}
	return h
}

// rng is a SplitMix64 stream.
type rng struct{ s uint64 }

func newRng(vs ...uint64) rng { return rng{s: seedOf(vs...)} }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix(r.s)
}

// intn returns a value in [0, n); n must be positive.
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// between returns a value in [lo, hi], uniform.
func (r *rng) between(lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	return lo + int64(r.next()%uint64(hi-lo+1))
}

// amount returns cents in [lo, hi], skewed toward lo as purchase amounts are
// (the square of a uniform draw; mean lo + (hi-lo)/3).
func (r *rng) amount(lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	u := r.next() >> 32 // [0, 2^32)
	f := u * u >> 32    // [0, 2^32), skewed
	return lo + int64(f*uint64(hi-lo)>>32)
}

// chance reports true with probability p/2^32.
func (r *rng) chance(p uint64) bool { return r.next()>>32 < p }
