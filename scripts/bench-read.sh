#!/usr/bin/env bash
# bench-read.sh sqlite|postgres: the read path under load, with wrk.
#
# Starts one `tally serve --demo` (SQLite in a temporary data dir, or a fresh
# PostgreSQL database with Redis), adds a user with 100,000 transactions
# through a CSV import, waits for the background jobs to settle, then
# measures /healthz and every GET endpoint for the demo user and the large
# user: requests per second at saturation (wrk, $CONNS connections), the
# ratio to /healthz in the same run, the server's (and Redis's) CPU time per
# request in that run, and the p50/p95/p99 latencies when requests arrive
# at a constant rate (`tally loadgen --get URL`: it finds the saturating
# rate of its own client, then sends at half of it; each latency counts
# from the time its request was due).
# Prints a Markdown table. ONLY="/healthz /api/v1/summary" measures those
# paths alone (for the demo and the large user).
#
# Needs wrk (Debian: apt-get install wrk), curl and python3; for postgres,
# PostgreSQL at $PG_ADMIN_URL and Redis at $REDIS_URL.
set -euo pipefail
cd "$(dirname "$0")/.."

DB="${1:-sqlite}"
DURATION="${DURATION:-5s}"
CONNS="${CONNS:-16}"
THREADS="${THREADS:-2}"
ROWS="${ROWS:-100000}"
ADDR="${ADDR:-127.0.0.1:18080}"
PG_ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
BASE="http://$ADDR"

work="$(mktemp -d)"
pid=""
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/tally" ./cmd/tally
# SERVE_BIN: serve another build (say the previous release) under the same
# load generator.
serve_bin="${SERVE_BIN:-$work/tally}"
args=(serve --demo --addr "$ADDR" --data-dir "$work/data" --log-level warn)
case "$DB" in
sqlite) ;;
postgres)
	dbname="tally_bench_$$"
	psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $dbname" >/dev/null
	trap 'cleanup; psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" >/dev/null' EXIT
	args+=(--database-url "${PG_ADMIN_URL/\/postgres\?//$dbname?}" --redis-url "$REDIS_URL")
	;;
*) echo "usage: $0 sqlite|postgres" >&2; exit 2 ;;
esac
"$serve_bin" "${args[@]}" >"$work/out.log" 2>&1 &
pid=$!

for _ in $(seq 1 100); do curl -fs "$BASE/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
demo_pw=""
for _ in $(seq 1 300); do
	demo_pw="$(sed -n 's/^Demo user: demo@tally.local  password: \(.*\)$/\1/p' "$work/out.log" | head -1)"
	[ -n "$demo_pw" ] && break
	sleep 0.2
done
[ -n "$demo_pw" ] || { echo "the demo user did not appear; log:" >&2; cat "$work/out.log" >&2; exit 1; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
token() { curl -fs -X POST "$BASE/api/v1/tokens" -d "{\"email\":\"$1\",\"password\":\"$2\"}" | json "['token']"; }
demo_tok="$(token demo@tally.local "$demo_pw")"

# The large user: one CSV file of $ROWS transactions over the last two years.
curl -fs -X POST "$BASE/api/v1/users" -d '{"email":"bulk@example.com","password":"bench password"}' >/dev/null
bulk_tok="$(token bulk@example.com "bench password")"
python3 - "$ROWS" >"$work/bulk.csv" <<'PY'
import datetime, random, sys
n = int(sys.argv[1]); rnd = random.Random(1)
shops = ["WHOLE FOODS MARKET", "SQ *BLUE BOTTLE COFFEE", "EXXONMOBIL 97452 HOUSTON TX", "AMAZON MKTP US", "UBER TRIP",
         "NETFLIX.COM", "TRADER JOE'S #552", "CHIPOTLE 1234", "TARGET 00012345", "SHELL OIL 57444"]
today = datetime.date.today()
print("Date,Description,Amount")
for i in range(n):
    d = today - datetime.timedelta(days=i * 730 // n)
    print(f"{d:%m/%d/%Y},{rnd.choice(shops)} {i},-{rnd.randint(100, 20000) / 100:.2f}")
PY
imp="$(curl -fs -X POST -H "Authorization: Bearer $bulk_tok" -F "file=@$work/bulk.csv" "$BASE/api/v1/imports" | json "['id']")"
for _ in $(seq 1 600); do
	st="$(curl -fs -H "Authorization: Bearer $bulk_tok" "$BASE/api/v1/imports/$imp" | json "['status']")"
	[ "$st" = done ] || [ "$st" = failed ] && break
	sleep 1
done
[ "$st" = done ] || { echo "import $imp: $st" >&2; exit 1; }
# Let the demo's first syncs and the budget checks finish.
for _ in $(seq 1 120); do
	curl -fs -H "Authorization: Bearer $demo_tok" "$BASE/api/v1/connections" | grep -q '"syncing"' || break
	sleep 1
done
sleep 2

ids() { # account id, transaction id, import id of a user
	local t="$1"
	acct="$(curl -fs -H "Authorization: Bearer $t" "$BASE/api/v1/accounts" | json "['accounts'][0]['id']")"
	txn="$(curl -fs -H "Authorization: Bearer $t" "$BASE/api/v1/transactions?limit=1" | json "['transactions'][0]['id']")"
}

# cpu PID: the process's user and system CPU time so far, in clock ticks.
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
redis_pid=""
[ "$DB" = postgres ] && redis_pid="$(pgrep -x redis-server | head -1 || true)"
ticks="$(getconf CLK_TCK)"

# measure NAME TOKEN URL: saturating rate (wrk) with the server's and
# Redis's CPU time per request; then latencies at a constant half of the
# saturating rate of tally loadgen's own client (it, not wrk, sends at the
# constant rate, and it costs more CPU per request than wrk on the same
# cores).
measure() {
	local name="$1" tok="$2" url="$3" hdr=() out sat n c0 c1 r0=0 r1=0 half
	[ -n "$tok" ] && hdr=(-H "Authorization: Bearer $tok")
	curl -fs "${hdr[@]}" "$url" >/dev/null || { echo "GET $url failed" >&2; exit 1; }
	c0="$(cpu "$pid")"; [ -n "$redis_pid" ] && r0="$(cpu "$redis_pid")"
	out="$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" -s scripts/bench-rate.lua "${hdr[@]}" "$url")"
	c1="$(cpu "$pid")"; [ -n "$redis_pid" ] && r1="$(cpu "$redis_pid")"
	sat="$(echo "$out" | awk '/^BENCH/{print $3}')"
	n="$(echo "$out" | awk '/requests in/{print $1}')"
	half="$(TALLY_TOKEN="$tok" "$work/tally" loadgen --get "$url" --conns "$CONNS" --duration "$DURATION" |
		python3 -c "import json,sys; r=json.load(sys.stdin)['at_rate']; print('%.0f %.2f %.2f %.2f %d' % (r['achieved'], r['p50_ms'], r['p95_ms'], r['p99_ms'], r['errors']))")"
	echo "$name $sat $(awk -v a="$c0" -v b="$c1" -v n="$n" -v t="$ticks" 'BEGIN{printf "%.0f", (b-a)*1e6/t/n}') $(awk -v a="$r0" -v b="$r1" -v n="$n" -v t="$ticks" 'BEGIN{printf "%.0f", (b-a)*1e6/t/n}') $half"
}

results="$work/results"
: >"$results"
measure "/healthz" "" "$BASE/healthz" >>"$results"
for who in demo bulk; do
	tok="$demo_tok"; [ "$who" = bulk ] && tok="$bulk_tok"
	ids "$tok"
	for path in /api/v1/summary /api/v1/accounts "/api/v1/accounts/$acct" "/api/v1/transactions?limit=50" \
		"/api/v1/transactions/$txn" /api/v1/categories /api/v1/rules /api/v1/spending /api/v1/budgets \
		/api/v1/profile /api/v1/notifications /api/v1/connections /api/v1/openapi.json; do
		if [ -n "${ONLY:-}" ] && ! [[ " $ONLY " == *" ${path%%\?*} "* ]]; then continue; fi
		measure "$who:$path" "$tok" "$BASE$path" >>"$results"
	done
done

healthz="$(awk '$1=="/healthz"{print $2}' "$results")"
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo
echo "| user | GET | req/s | × /healthz | server CPU µs/req | Redis CPU µs/req | half rate achieved | p50 / p95 / p99 at half rate (ms) | errors |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
while read -r name sat scpu rcpu rate p50 p95 p99 errs; do
	who="${name%%:*}"; path="${name#*:}"
	[ "$name" = /healthz ] && who="-"
	path="$(echo "$path" | sed -E 's#/(accounts|transactions|imports)/[0-9a-z]{20,}#/\1/{id}#')"
	awk -v w="$who" -v p="$path" -v s="$sat" -v h="$healthz" -v c="$scpu" -v d="$rcpu" -v r="$rate" -v a="$p50" -v b="$p95" -v q="$p99" -v e="$errs" \
		'BEGIN{printf "| %s | `%s` | %d | %.2f | %d | %d | %d | %.1f / %.1f / %.1f | %d |\n", w, p, s, s/h, c, d, r, a, b, q, e}'
done <"$results"
