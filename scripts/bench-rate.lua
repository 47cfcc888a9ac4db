-- wrk script for scripts/bench-read.sh: prints the rate achieved, the
-- 99th and 50th percentile latencies and the errors of a saturating run.
-- (Latencies at a constant arrival rate come from `tally loadgen --get`:
-- wrk paces each connection by its own answers, so it cannot measure them.)
function done(summary, latency, requests)
	local secs = summary.duration / 1e6
	io.write(string.format("BENCH rate %.0f p99_ms %.2f p50_ms %.2f errors %d\n",
		summary.requests / secs, latency:percentile(99) / 1000, latency:percentile(50) / 1000,
		summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
