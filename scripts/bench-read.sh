#!/usr/bin/env bash
# bench-read.sh [sqlite] [postgres]: the read path under load, on each
# database named (both when none is), in one run.
#
# For each database it starts one `tally serve --demo` (SQLite in a
# temporary data dir, or a fresh PostgreSQL database with Redis), adds a
# user with $ROWS transactions (100,000) through a CSV import, waits for the
# background jobs to settle, then:
#
#  1. Throughput, $ROUNDS rounds (3): in each round /healthz, then every GET
#     endpoint for the demo user and the large ("bulk") user, each for
#     $DURATION with wrk ($CONNS connections): requests per second, the
#     ratio to the round's /healthz, and the server's (and Redis's) CPU time
#     per request. The summary is measured twice, the second time with
#     Accept-Encoding: gzip as browsers and HTTP libraries send it (wrk sends
#     no Accept-Encoding unless told). The table gives medians over the
#     rounds, and the range of the ratio.
#  2. Latency (PIN=1, the default; needs taskset): the server restarted on
#     core 0 alone (taskset -c 0, GOMAXPROCS=1), `tally loadgen --get` on
#     core 1 alone, so the client does not fall behind the server it
#     measures. For /healthz and the summary of each user, $LAT_ROUNDS
#     rounds (3): loadgen finds the saturating rate of its client, then sends
#     requests at half of it for $LAT_DURATION, each latency counted from the
#     time its request was due. PostgreSQL and Redis are not pinned.
#
# ONLY="/healthz /api/v1/summary" measures those paths alone in step 1;
# ROUNDS=0 skips it, PIN=0 skips step 2.
# Not measured: the whole-data exports (/transactions.csv, /export) and
# the two-factor setup (/totp).
# SERVE_BIN serves another build under the same load generators.
# Needs wrk (Debian: apt-get install wrk), curl and python3; for postgres,
# PostgreSQL at $PG_ADMIN_URL and Redis at $REDIS_URL.
set -euo pipefail
cd "$(dirname "$0")/.."

DBS=("$@")
[ ${#DBS[@]} -eq 0 ] && DBS=(sqlite postgres)
for db in "${DBS[@]}"; do
	case "$db" in sqlite | postgres) ;; *) echo "usage: $0 [sqlite] [postgres]" >&2; exit 2 ;; esac
done
DURATION="${DURATION:-3s}"
ROUNDS="${ROUNDS:-3}"
CONNS="${CONNS:-16}"
THREADS="${THREADS:-2}"
ROWS="${ROWS:-100000}"
PIN="${PIN:-1}"
LAT_ROUNDS="${LAT_ROUNDS:-3}"
LAT_DURATION="${LAT_DURATION:-4s}"
ADDR="${ADDR:-127.0.0.1:18080}"
PG_ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
BASE="http://$ADDR"

work="$(mktemp -d)"
pid=""
dbname=""
stop() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	pid=""
}
cleanup() {
	stop
	[ -n "$dbname" ] && psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" >/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/tally" ./cmd/tally
serve_bin="${SERVE_BIN:-$work/tally}"
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
token() { curl -fs -X POST "$BASE/api/v1/tokens" -d "{\"email\":\"$1\",\"password\":\"$2\"}" | json "['token']"; }
wait_up() { for _ in $(seq 1 100); do curl -fs "$BASE/healthz" >/dev/null 2>&1 && return; sleep 0.2; done; echo "the server did not start" >&2; exit 1; }
# cpu PID: the process's user and system CPU time so far, in clock ticks.
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ticks="$(getconf CLK_TCK)"
rows="$work/rows" # throughput: db round who path rps server-µs redis-µs
lat="$work/lat"   # latency: db round who path saturated achieved p50 p95 p99 errors
: >"$rows"
: >"$lat"
loads=()

# wrk_run TOKEN URL [HEADER]: requests/s, server CPU µs/request, Redis CPU µs/request.
wrk_run() {
	local tok="$1" url="$2" extra="${3:-}" hdr=() out n c0 c1 r0=0 r1=0
	[ -n "$tok" ] && hdr+=(-H "Authorization: Bearer $tok")
	[ -n "$extra" ] && hdr+=(-H "$extra")
	curl -fs "${hdr[@]}" "$url" >/dev/null || { echo "GET $url failed" >&2; exit 1; }
	c0="$(cpu "$pid")"; [ -n "$redis_pid" ] && r0="$(cpu "$redis_pid")"
	out="$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "${hdr[@]}" "$url")"
	c1="$(cpu "$pid")"; [ -n "$redis_pid" ] && r1="$(cpu "$redis_pid")"
	n="$(echo "$out" | awk '/requests in/{print $1}')"
	echo "$(echo "$out" | awk '/Requests\/sec/{printf "%.0f", $2}') $(awk -v a="$c0" -v b="$c1" -v n="$n" -v t="$ticks" 'BEGIN{printf "%.0f", (b-a)*1e6/t/n}') $(awk -v a="$r0" -v b="$r1" -v n="$n" -v t="$ticks" 'BEGIN{printf "%.0f", (b-a)*1e6/t/n}')"
}

for DB in "${DBS[@]}"; do
	rm -rf "$work/data"
	args=(serve --demo --addr "$ADDR" --data-dir "$work/data" --log-level warn)
	redis_pid=""
	if [ "$DB" = postgres ]; then
		dbname="tally_bench_$$"
		psql "$PG_ADMIN_URL" -qc "CREATE DATABASE $dbname" >/dev/null
		args+=(--database-url "${PG_ADMIN_URL/\/postgres\?//$dbname?}" --redis-url "$REDIS_URL")
		redis_pid="$(pgrep -x redis-server | head -1 || true)"
	fi
	"$serve_bin" "${args[@]}" >"$work/out.log" 2>&1 &
	pid=$!
	wait_up
	demo_pw=""
	for _ in $(seq 1 300); do
		demo_pw="$(sed -n 's/^Demo user: demo@tally.local  password: \(.*\)$/\1/p' "$work/out.log" | head -1)"
		[ -n "$demo_pw" ] && break
		sleep 0.2
	done
	[ -n "$demo_pw" ] || { echo "the demo user did not appear; log:" >&2; cat "$work/out.log" >&2; exit 1; }
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
	for _ in $(seq 1 900); do
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

	declare -A acct txn imports
	imports=([demo]="" [bulk]="/api/v1/imports/$imp")
	for who in demo bulk; do
		tok="$demo_tok"; [ "$who" = bulk ] && tok="$bulk_tok"
		acct[$who]="$(curl -fs -H "Authorization: Bearer $tok" "$BASE/api/v1/accounts" | json "['accounts'][0]['id']")"
		txn[$who]="$(curl -fs -H "Authorization: Bearer $tok" "$BASE/api/v1/transactions?limit=1" | json "['transactions'][0]['id']")"
	done

	for round in $(seq 1 "$ROUNDS"); do
		echo "$DB $round - /healthz $(wrk_run "" "$BASE/healthz")" >>"$rows"
		for who in demo bulk; do
			tok="$demo_tok"; [ "$who" = bulk ] && tok="$bulk_tok"
			for path in /api/v1/summary "/api/v1/summary gzip" /api/v1/accounts "/api/v1/accounts/${acct[$who]}" \
				"/api/v1/transactions?limit=50" "/api/v1/transactions/${txn[$who]}" /api/v1/categories /api/v1/rules \
				/api/v1/spending /api/v1/budgets /api/v1/trends /api/v1/profile /api/v1/notifications /api/v1/connections \
				/api/v1/tokens /api/v1/recurring /api/v1/networth /api/v1/holdings ${imports[$who]} /api/v1/openapi.json; do
				if [ -n "${ONLY:-}" ] && ! [[ " $ONLY " == *" ${path%%[? ]*} "* ]]; then continue; fi
				extra=""
				[[ "$path" == *" gzip" ]] && extra="Accept-Encoding: gzip"
				echo "$DB $round $who ${path// /+} $(wrk_run "$tok" "$BASE${path%% *}" "$extra")" >>"$rows"
			done
		done
		echo "$DB throughput round $round done" >&2
	done
	loads+=("$DB throughput: $(cut -d' ' -f1-3 /proc/loadavg)")

	if [ "$PIN" = 1 ]; then
		stop
		pinned=()
		for a in "${args[@]}"; do [ "$a" != --demo ] && pinned+=("$a"); done
		GOMAXPROCS=1 taskset -c 0 "$serve_bin" "${pinned[@]}" >"$work/out2.log" 2>&1 &
		pid=$!
		wait_up
		for round in $(seq 1 "$LAT_ROUNDS"); do
			for who in - demo bulk; do
				tok="$demo_tok"; [ "$who" = bulk ] && tok="$bulk_tok"
				url="$BASE/api/v1/summary"; [ "$who" = - ] && url="$BASE/healthz" && tok=""
				curl -fs -H "Authorization: Bearer $tok" "$url" >/dev/null
				r="$(TALLY_TOKEN="$tok" taskset -c 1 "$work/tally" loadgen --get "$url" --conns "$CONNS" --duration "$LAT_DURATION" |
					python3 -c "import json,sys; d=json.load(sys.stdin); s=d['saturated']; r=d['at_rate']; print('%.0f %.0f %.2f %.2f %.2f %d' % (s['achieved'], r['achieved'], r['p50_ms'], r['p95_ms'], r['p99_ms'], r['errors']))")"
				echo "$DB $round $who ${url#"$BASE"} $r" >>"$lat"
			done
			echo "$DB latency round $round done" >&2
		done
		loads+=("$DB latency: $(cut -d' ' -f1-3 /proc/loadavg)")
	fi
	stop
	if [ "$DB" = postgres ]; then
		psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" >/dev/null || true
		dbname=""
	fi
done

echo "Load average (1, 5, 15 min) at the end of each phase, on $(nproc) cores:"
for l in "${loads[@]}"; do echo "- $l"; done
python3 - "$rows" "$lat" "$ROUNDS" "$LAT_ROUNDS" <<'PY'
import re, statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
lat = [l.split() for l in open(sys.argv[2])]
med = statistics.median
def label(p):
    p = p.replace("+", " ")
    return re.sub(r"/(accounts|transactions|imports)/[0-9a-z]{16,}", r"/\1/{id}", p)
for db in dict.fromkeys([r[0] for r in rows] + [r[0] for r in lat]):
    rs = [r for r in rows if r[0] == db]
    health = {r[1]: float(r[4]) for r in rs if r[3] == "/healthz"}
    if rs:
        print(f"\n{db}: medians of {sys.argv[3]} rounds (ratio: to the same round's /healthz)\n")
        print("| user | GET | req/s | × /healthz (min-max) | server CPU µs/req | Redis CPU µs/req |")
        print("|---|---|---:|---:|---:|---:|")
    for key in dict.fromkeys((r[2], r[3]) for r in rs):
        xs = [r for r in rs if (r[2], r[3]) == key]
        ratios = [float(r[4]) / health[r[1]] for r in xs]
        print(f"| {key[0]} | `{label(key[1])}` | {med(float(r[4]) for r in xs):.0f} | {med(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f}) "
              f"| {med(float(r[5]) for r in xs):.0f} | {med(float(r[6]) for r in xs):.0f} |")
    ls = [r for r in lat if r[0] == db]
    if not ls:
        continue
    print(f"\n{db}, server on core 0 (GOMAXPROCS=1), loadgen on core 1: {sys.argv[4]} rounds, median [min-max]\n")
    print("| user | GET | saturating req/s | half rate achieved | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for key in dict.fromkeys((r[2], r[3]) for r in ls):
        xs = [r for r in ls if (r[2], r[3]) == key]
        f = lambda i, d: f"{med(float(r[i]) for r in xs):.{d}f} [{min(float(r[i]) for r in xs):.{d}f}-{max(float(r[i]) for r in xs):.{d}f}]"
        print(f"| {key[0]} | `{key[1]}` | {f(4, 0)} | {f(5, 0)} | {f(6, 1)} | {f(7, 1)} | {f(8, 1)} | {sum(int(r[9]) for r in xs)} |")
PY
