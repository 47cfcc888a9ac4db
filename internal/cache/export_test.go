package cache

// Batched is how many fetches r has sent in pipelines of several.
func (r *Redis) Batched() int64 { return r.batched.Load() }
