package cache

// Batched is how many fetches r has sent in pipelines of several.
func (r *Redis) Batched() int64 { return r.batched.Load() }

// Shared is how many fetches r answered with another fetch's GET of the
// same generation key in the same pipeline.
func (r *Redis) Shared() int64 { return r.shared.Load() }

// Current is how many fetches r answered with a GET of a generation the
// caller's copy was filed under.
func (r *Redis) Current() int64 { return r.current.Load() }
