package cache

// Batched is how many fetches r has sent in pipelines of several.
func (r *Redis) Batched() int64 { return r.batched.Load() }

// Current is how many fetches r answered with a GET of a generation the
// caller's copy was filed under.
func (r *Redis) Current() int64 { return r.current.Load() }
