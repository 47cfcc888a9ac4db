#!/usr/bin/env bash
# bench-ab.sh REV [PATH...]: the build at git revision REV against the
# working tree, side by side on PostgreSQL with Redis, for a machine whose
# other load moves from second to second.
#
# Starts `tally serve --demo` from each build (its own database, one Redis),
# then for $ROUNDS rounds measures /healthz and each PATH (default
# /api/v1/summary) on one server and then the other with wrk: requests per
# second, the ratio to /healthz measured just before on the same server, and
# the server's and Redis's CPU time per request. Prints each round and the
# medians. Needs wrk, curl, python3, PostgreSQL at $PG_ADMIN_URL and Redis
# at $REDIS_URL. GZIP=1 sends Accept-Encoding: gzip with each PATH, as
# browsers and HTTP libraries do (wrk sends none unless told).
set -euo pipefail
cd "$(dirname "$0")/.."

REV="${1:?usage: $0 REV [PATH...]}"
shift
PATHS=("${@:-/api/v1/summary}")
[ $# -eq 0 ] && PATHS=(/api/v1/summary)
DURATION="${DURATION:-3s}"
ROUNDS="${ROUNDS:-5}"
CONNS="${CONNS:-16}"
PG_ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"

work="$(mktemp -d)"
pids=()
dbs=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	for d in "${dbs[@]}"; do psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/a-src"
git archive "$REV" | tar -x -C "$work/a-src"
(cd "$work/a-src" && go build -o "$work/a" ./cmd/tally)
go build -o "$work/b" ./cmd/tally

cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ticks="$(getconf CLK_TCK)"
redis_pid="$(pgrep -x redis-server | head -1 || true)"
declare -A pid_of addr_of tok_of
port=18380
for side in a b; do
	db="tally_ab_${side}_$$"
	dbs+=("$db")
	psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $db" >/dev/null
	addr="127.0.0.1:$port"; port=$((port + 1))
	"$work/$side" serve --demo --addr "$addr" --data-dir "$work/$side-data" --log-level warn \
		--database-url "${PG_ADMIN_URL/\/postgres\?//$db?}" --redis-url "$REDIS_URL" >"$work/$side.log" 2>&1 &
	pids+=($!)
	pid_of[$side]=$!
	addr_of[$side]="$addr"
done
for side in a b; do
	base="http://${addr_of[$side]}"
	for _ in $(seq 1 100); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
	pw=""
	for _ in $(seq 1 300); do
		pw="$(sed -n 's/^Demo user: demo@tally.local  password: \(.*\)$/\1/p' "$work/$side.log" | head -1)"
		[ -n "$pw" ] && break
		sleep 0.2
	done
	[ -n "$pw" ] || { echo "$side: the demo user did not appear" >&2; cat "$work/$side.log" >&2; exit 1; }
	tok_of[$side]="$(curl -fs -X POST "$base/api/v1/tokens" -d "{\"email\":\"demo@tally.local\",\"password\":\"$pw\"}" |
		python3 -c "import json,sys; print(json.load(sys.stdin)['token'])")"
	for _ in $(seq 1 120); do
		curl -fs -H "Authorization: Bearer ${tok_of[$side]}" "$base/api/v1/connections" | grep -q '"syncing"' || break
		sleep 1
	done
done
sleep 2

# run SIDE PATH: requests/s, server CPU µs/request, Redis CPU µs/request.
run() {
	local side="$1" path="$2" hdr=() out n c0 c1 r0=0 r1=0
	[ "$path" != /healthz ] && hdr=(-H "Authorization: Bearer ${tok_of[$side]}")
	[ "$path" != /healthz ] && [ "${GZIP:-0}" = 1 ] && hdr+=(-H "Accept-Encoding: gzip")
	c0="$(cpu "${pid_of[$side]}")"; [ -n "$redis_pid" ] && r0="$(cpu "$redis_pid")"
	out="$(wrk -t2 -c"$CONNS" -d"$DURATION" "${hdr[@]}" "http://${addr_of[$side]}$path")"
	c1="$(cpu "${pid_of[$side]}")"; [ -n "$redis_pid" ] && r1="$(cpu "$redis_pid")"
	n="$(echo "$out" | awk '/requests in/{print $1}')"
	echo "$(echo "$out" | awk '/Requests\/sec/{printf "%.0f", $2}') $(awk -v a="$c0" -v b="$c1" -v n="$n" -v t="$ticks" 'BEGIN{printf "%.0f", (b-a)*1e6/t/n}') $(awk -v a="$r0" -v b="$r1" -v n="$n" -v t="$ticks" 'BEGIN{printf "%.0f", (b-a)*1e6/t/n}')"
}

rows="$work/rows"
: >"$rows"
for round in $(seq 1 "$ROUNDS"); do
	for side in a b; do
		read -r h hc _ < <(run "$side" /healthz)
		for path in "${PATHS[@]}"; do
			read -r s sc rc < <(run "$side" "$path")
			echo "$round $side $path $h $hc $s $sc $rc" | tee -a "$rows" >&2
		done
	done
done
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; a = $REV, b = working tree; medians of $ROUNDS rounds"
echo
echo "| build | GET | /healthz req/s | req/s | × /healthz | server CPU µs/req (/healthz) | Redis CPU µs/req |"
echo "|---|---|---:|---:|---:|---:|---:|"
python3 - "$rows" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
for side in ("a", "b"):
    for path in dict.fromkeys(r[2] for r in rows):
        rs = [r for r in rows if r[1] == side and r[2] == path]
        med = lambda i: statistics.median(float(r[i]) for r in rs)
        ratio = statistics.median(float(r[5]) / float(r[3]) for r in rs)
        print(f"| {side} | `{path}` | {med(3):.0f} | {med(5):.0f} | {ratio:.2f} | {med(6):.0f} ({med(4):.0f}) | {med(7):.0f} |")
PY
