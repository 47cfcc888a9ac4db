#!/usr/bin/env bash
# A multi-process run of Tally that anyone can repeat on one machine: two
# API processes and two workers over a fresh PostgreSQL database and a local
# S3-compatible server, behind Debian's nginx as the load balancer, driven
# by `tally loadgen`. One worker is killed with SIGKILL while the users'
# history is being imported and one API process while their days pass;
# both are restarted. Afterwards every user must hold exactly the demo
# bank's transactions, nothing may be duplicated, and `tally reconcile`
# must be clean; the script exits non-zero otherwise.
#
#   scripts/multiprocess.sh                 # 20 users, a 3-minute daily phase
#   USERS=50 DURATION=5m scripts/multiprocess.sh
#
# Settings: USERS, DURATION (the daily phase), PG_ADMIN_URL (a PostgreSQL
# role that may create databases, default postgres://postgres@127.0.0.1:5432/postgres),
# BASE_PORT (default 28480: nginx there, API processes and workers on the
# next ports, the S3 server on BASE_PORT+20, the demo bank on BASE_PORT+30;
# the script refuses to start when any of them is taken). Everything listens on
# 127.0.0.1 and lives in a temporary directory removed at exit, as is the
# database. The loadgen report and the checks are printed at the end and
# kept in REPORT (default: multiprocess-report.json in the current directory).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

USERS="${USERS:-20}"
DURATION="${DURATION:-3m}"
PG_ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"
BASE_PORT="${BASE_PORT:-28480}"
REPORT="${REPORT:-$PWD/multiprocess-report.json}"

log() { printf '%s multiprocess: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

command -v psql >/dev/null || { echo "multiprocess: psql is required" >&2; exit 1; }
if ! command -v nginx >/dev/null; then
	if [ "$(id -u)" = 0 ]; then
		log "installing Debian's nginx"
		apt-get install -y -qq nginx >/dev/null
	else
		echo "multiprocess: nginx is required (apt-get install nginx)" >&2; exit 1
	fi
fi

# Every port must be free: a server already there would answer in place of
# the ones started here.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in $BASE_PORT $((BASE_PORT + 1)) $((BASE_PORT + 2)) $((BASE_PORT + 11)) $((BASE_PORT + 12)) \
	$((BASE_PORT + 20)) $((BASE_PORT + 30)); do
	if listening "$port"; then
		echo "multiprocess: 127.0.0.1:$port is already in use; choose another BASE_PORT" >&2; exit 1
	fi
done

tmp="$(mktemp -d /tmp/tally-multiprocess.XXXXXX)"
db="tally_mp_$$"
declare -A pids=()
cleanup() {
	set +e
	for name in "${!pids[@]}"; do kill "${pids[$name]}" 2>/dev/null; done
	for name in "${!pids[@]}"; do wait "${pids[$name]}" 2>/dev/null; done
	S3_SERVER_DIR="$tmp/s3" "$repo/scripts/s3-server.sh" stop
	psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

log "building tally"
go build -o "$tmp/tally" ./cmd/tally

log "starting the S3-compatible server"
s3env="$(S3_SERVER_DIR="$tmp/s3" S3_SERVER_ADDR="127.0.0.1:$((BASE_PORT + 20))" S3_SERVER_BUCKET=tally-mp "$repo/scripts/s3-server.sh" start)"
eval "$s3env"
blob_url="${TALLY_TEST_S3_URL/\/ci\?/\/multiprocess?}"

log "creating database $db"
psql -q "$PG_ADMIN_URL" -c "CREATE DATABASE $db" >/dev/null
db_url="$(printf '%s' "$PG_ADMIN_URL" | sed -E "s#/[^/?]+(\?|$)#/$db\1#")"
"$tmp/tally" migrate --database-url "$db_url" >/dev/null

export TALLY_SECRET_KEY="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
export TALLY_LOG_LEVEL=warn
# tally loadgen's demo bank listens on loopback.
export TALLY_OUTBOUND_ALLOW_CIDR=127.0.0.1/32
# A killed worker's jobs run again after --rescue-after. The load generator
# signs its users up through the API, so sign-up is open.
start_process() { # name role port
	local name=$1 role=$2 port=$3
	mkdir -p "$tmp/$name"
	"$tmp/tally" serve --role "$role" --addr "127.0.0.1:$port" --data-dir "$tmp/$name" --signup open \
		--database-url "$db_url" --blob-url "$blob_url" --job-timeout 1m --rescue-after 75s \
		>>"$tmp/$name.log" 2>&1 &
	pids[$name]=$!
	for _ in $(seq 1 100); do
		curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return
		kill -0 "${pids[$name]}" 2>/dev/null || { cat "$tmp/$name.log" >&2; exit 1; }
		sleep 0.1
	done
	echo "multiprocess: $name did not answer on port $port" >&2; exit 1
}
log "starting api1, api2, worker1, worker2"
start_process api1 api $((BASE_PORT + 1))
start_process api2 api $((BASE_PORT + 2))
start_process worker1 worker $((BASE_PORT + 11))
start_process worker2 worker $((BASE_PORT + 12))

user_line=""
[ "$(id -u)" = 0 ] && user_line="user root;"
cat >"$tmp/nginx.conf" <<NGINX
$user_line
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $tmp/nginx-body;
	proxy_temp_path $tmp/nginx-proxy;
	fastcgi_temp_path $tmp/nginx-fastcgi;
	uwsgi_temp_path $tmp/nginx-uwsgi;
	scgi_temp_path $tmp/nginx-scgi;
	client_max_body_size 70m;
	upstream tally {
		server 127.0.0.1:$((BASE_PORT + 1)) max_fails=1 fail_timeout=5s;
		server 127.0.0.1:$((BASE_PORT + 2)) max_fails=1 fail_timeout=5s;
		keepalive 32;
	}
	server {
		listen 127.0.0.1:$BASE_PORT;
		location / {
			proxy_pass http://tally;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_set_header Host \$host;
			proxy_next_upstream error timeout http_502 http_503;
		}
	}
}
NGINX
nginx -t -q -p "$tmp" -c "$tmp/nginx.conf"
nginx -p "$tmp" -c "$tmp/nginx.conf" -g 'daemon off;' 2>>"$tmp/nginx-error.log" &
pids[nginx]=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$BASE_PORT/healthz" >/dev/null && break; sleep 0.1; done
kill -0 "${pids[nginx]}" 2>/dev/null || { echo "multiprocess: nginx did not start:" >&2; cat "$tmp/nginx-error.log" >&2; exit 1; }

log "loadgen: $USERS users, daily phase $DURATION"
"$tmp/tally" loadgen --target "http://127.0.0.1:$BASE_PORT" --users "$USERS" --duration "$DURATION" \
	--bank-addr "127.0.0.1:$((BASE_PORT + 30))" >"$tmp/report.json" 2>"$tmp/loadgen.log" &
loadgen=$!

wait_for_log() { # pattern
	while ! grep -qs "$1" "$tmp/loadgen.log"; do
		kill -0 "$loadgen" 2>/dev/null || return 1
		sleep 0.5
	done
}
kill_and_restart() { # name role port pause
	log "SIGKILL $1"
	kill -9 "${pids[$1]}"
	wait "${pids[$1]}" 2>/dev/null || true
	sleep "$4"
	log "restarting $1"
	start_process "$1" "$2" "$3"
}
kills=0
if wait_for_log "importing"; then
	sleep 1 # the workers are inside the history import
	kill_and_restart worker1 worker $((BASE_PORT + 11)) 2
	kills=$((kills + 1))
fi
if wait_for_log "history imported"; then
	sleep 20
	kill_and_restart api1 api $((BASE_PORT + 1)) 5
	kills=$((kills + 1))
fi
status=0
wait "$loadgen" || status=$?
cat "$tmp/loadgen.log" >&2

# Peak memory (VmHWM) of each process still running; the restarted ones
# count from their restart.
rss_json=""
for name in api1 api2 worker1 worker2; do
	kb="$(awk '/^VmHWM/ {print $2}' "/proc/${pids[$name]}/status" 2>/dev/null || echo 0)"
	rss_json="$rss_json${rss_json:+, }\"$name\": $((kb / 1024))"
done

log "checking the database"
dups="$(psql -tAq "$db_url" -c "SELECT COUNT(*) - COUNT(DISTINCT (user_id, account_id, external_id)) FROM transactions")"
extra_accounts="$(psql -tAq "$db_url" -c "SELECT COUNT(*) FROM (SELECT user_id FROM accounts GROUP BY user_id HAVING COUNT(*) <> 4) x")"
total="$(psql -tAq "$db_url" -c "SELECT COUNT(*) FROM transactions")"
users="$(psql -tAq "$db_url" -c "SELECT COUNT(*) FROM users")"
written="$(sed -n 's/^  "transactions_written": \([0-9]*\),$/\1/p' "$tmp/report.json")"
reconcile_out="$("$tmp/tally" reconcile --database-url "$db_url" 2>&1)" && reconcile=clean || reconcile=failed
log "reconcile: $reconcile_out"

ok=true
[ "$status" = 0 ] || ok=false
[ "$dups" = 0 ] || ok=false
[ "$extra_accounts" = 0 ] || ok=false
[ "$reconcile" = clean ] || ok=false
[ "$kills" = 2 ] || ok=false
# The load went through the processes started here: their database holds
# the users and every transaction loadgen counted.
[ "$users" = "$USERS" ] || ok=false
[ "$total" = "${written:-missing}" ] || ok=false
{
	printf '{"loadgen": '
	if [ -s "$tmp/report.json" ]; then cat "$tmp/report.json"; else echo null; fi
	printf ', "processes": {"api": 2, "worker": 2, "killed_and_restarted": %d, "peak_rss_mib": {%s}},\n' "$kills" "$rss_json"
	printf ' "checks": {"loadgen_exit": %d, "users_in_database": %s, "transactions_in_database": %s, "duplicates": %s, "users_without_exactly_4_accounts": %s, "reconcile": "%s", "ok": %s}}\n' \
		"$status" "$users" "$total" "$dups" "$extra_accounts" "$reconcile" "$ok"
} >"$REPORT"
cat "$REPORT"
$ok || { log "FAILED"; exit 1; }
log "passed"
