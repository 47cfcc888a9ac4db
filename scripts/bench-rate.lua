-- wrk script for scripts/bench-read.sh: paces each connection so that all
-- of them together send about WRK_RATE requests a second, and prints the
-- 99th percentile latency and the rate achieved.
local rate = tonumber(os.getenv("WRK_RATE") or "0")
local conns = tonumber(os.getenv("WRK_CONNS") or "1")

-- wrk delays in whole milliseconds; the remainder is carried to the next
-- request so the average delay is exact.
local carry = 0

function delay()
	if rate <= 0 then
		return 0
	end
	carry = carry + 1000 * conns / rate
	local d = math.floor(carry)
	carry = carry - d
	return d
end

function done(summary, latency, requests)
	local secs = summary.duration / 1e6
	io.write(string.format("BENCH rate %.0f p99_ms %.2f p50_ms %.2f errors %d\n",
		summary.requests / secs, latency:percentile(99) / 1000, latency:percentile(50) / 1000,
		summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
