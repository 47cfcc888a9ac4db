#!/usr/bin/env bash
# Import benchmark: `tally import` of a 100,000-transaction OFX statement
# against the same rows bulk-loaded into a plain four-column table, with
# `sqlite3 .import` on SQLite and `COPY` on PostgreSQL, in one run. Prints
# both times, their ratio, tally import's peak memory (maximum RSS from
# /usr/bin/time -v), and the bytes each database holds per transaction.
# A second baseline loads the rows Tally stored, all their columns, into
# Tally's own table with the same loaders: the cost of the table's keys and
# indexes alone, with no parsing, categorizing or deduplicating. The ratios:
# on PostgreSQL the heap plus indexes of every partition of
# transaction_rows after VACUUM (and with the merchants table they reference),
# on SQLite the database file after VACUUM.
#
#   scripts/bench-import.sh                      # SQLite, and PostgreSQL if reachable
#   ROWS=100000 PG_ADMIN_URL=postgres://postgres@127.0.0.1:5432/postgres scripts/bench-import.sh
#   TALLY_BIN=/tmp/tally-old scripts/bench-import.sh   # a binary built before, to compare
#
# Needs Debian's sqlite3 and time packages (and psql for PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS="${ROWS:-100000}"
PG_ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"
for tool in sqlite3 /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench-import: $tool is required (apt-get install sqlite3 time)" >&2; exit 1; }
done

tmp="$(mktemp -d /tmp/tally-bench-import.XXXXXX)"
db="tally_bench_$$"
plain="tally_bench_plain_$$"
cleanup() {
	psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS $db" -c "DROP DATABASE IF EXISTS $plain" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT

if [ -n "${TALLY_BIN:-}" ]; then
	cp "$TALLY_BIN" "$tmp/tally"
else
	go build -o "$tmp/tally" ./cmd/tally
fi
"$tmp/tally" demo-bank --statement "$ROWS" >"$tmp/statement.ofx"
"$tmp/tally" demo-bank --statement "$ROWS" --format tsv >"$tmp/rows.tsv"
printf 'statement: %d transactions, %d bytes of OFX\n' "$ROWS" "$(stat -c %s "$tmp/statement.ofx")"

# seconds and peak KiB of a command, from /usr/bin/time -v
timed() { # out-prefix command...
	local out=$1; shift
	/usr/bin/time -v -o "$tmp/$out.time" "$@" >"$tmp/$out.log" 2>&1 || { cat "$tmp/$out.log" >&2; exit 1; }
	local wall rss cpu
	wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$tmp/$out.time")"
	rss="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/$out.time")"
	cpu="$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$tmp/$out.time")"
	# m:ss.cc or h:mm:ss
	secs="$(awk -v t="$wall" 'BEGIN { n = split(t, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }')"
	echo "$secs $rss $cpu"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

bench() { # name database-url(empty for SQLite) data-dir
	local name=$1 url=$2 dir=$3
	mkdir -p "$dir"
	local flags=(--data-dir "$dir")
	[ -n "$url" ] && flags+=(--database-url "$url")
	"$tmp/tally" migrate "${flags[@]}" >/dev/null
	echo "bench password" | "$tmp/tally" user add "${flags[@]}" --email bench@example.com >/dev/null
	timed "import-$name" "$tmp/tally" import "${flags[@]}" --email bench@example.com "$tmp/statement.ofx"
}

echo
echo "SQLite"
read -r t_import rss_import cpu_import < <(bench sqlite "" "$tmp/sqlite")
read -r t_plain _ cpu_plain < <(timed sqlite-plain sqlite3 "$tmp/plain.db" \
	"CREATE TABLE t (posted TEXT, amount INTEGER, fitid TEXT, description TEXT);" ".mode tabs" ".import $tmp/rows.tsv t")
n="$(sqlite3 "$tmp/plain.db" 'SELECT COUNT(*) FROM t')"
[ "$n" = "$ROWS" ] || { echo "bench-import: sqlite3 loaded $n rows, want $ROWS" >&2; exit 1; }
dbfile="$(ls "$tmp"/sqlite/*.db | head -1)"
# The stored rows, into the transaction_rows of a new, migrated database.
sqlite3 -separator $'\t' "$dbfile" 'SELECT * FROM transaction_rows' >"$tmp/stored.tsv"
mkdir -p "$tmp/sqlite-same"
"$tmp/tally" migrate --data-dir "$tmp/sqlite-same" >/dev/null
samefile="$(ls "$tmp"/sqlite-same/*.db | head -1)"
read -r t_same _ cpu_same < <(timed sqlite-same sqlite3 "$samefile" ".mode tabs" ".import $tmp/stored.tsv transaction_rows")
n="$(sqlite3 "$samefile" 'SELECT COUNT(*) FROM transaction_rows')"
[ "$n" = "$ROWS" ] || { echo "bench-import: sqlite3 loaded $n rows into transaction_rows, want $ROWS" >&2; exit 1; }
sqlite3 "$dbfile" 'VACUUM'
stored="$(sqlite3 "$dbfile" 'SELECT COUNT(*) FROM transaction_rows')"
[ "$stored" = "$ROWS" ] || { echo "bench-import: tally import stored $stored rows, want $ROWS" >&2; exit 1; }
printf '  tally import      %6.2f s (CPU %.2f s)   peak RSS %s MiB\n' "$t_import" "$cpu_import" "$(mib "$rss_import")"
printf '  sqlite3 .import   %6.2f s (CPU %.2f s)\n' "$t_plain" "$cpu_plain"
printf '  ratio             %6s x (CPU %s x: both run in one process, so this one holds on a busy machine)\n' \
	"$(ratio "$t_import" "$t_plain")" "$(ratio "$cpu_import" "$cpu_plain")"
printf '  sqlite3 .import into transaction_rows (its keys and indexes) %.2f s (CPU %.2f s)\n' "$t_same" "$cpu_same"
printf '  ratio to that     %6s x (CPU %s x)\n' "$(ratio "$t_import" "$t_same")" "$(ratio "$cpu_import" "$cpu_same")"
printf '  database file     %d bytes/transaction (%s after VACUUM)\n' "$(($(stat -c %s "$dbfile") / ROWS))" "$(basename "$dbfile")"

if ! psql -q "$PG_ADMIN_URL" -c 'SELECT 1' >/dev/null 2>&1; then
	echo; echo "PostgreSQL at $PG_ADMIN_URL is not reachable: skipped"; exit 0
fi
pg_url() { printf '%s' "$PG_ADMIN_URL" | sed -E "s#/[^/?]+(\?|$)#/$1\1#"; }
psql -q "$PG_ADMIN_URL" -c "CREATE DATABASE $db" -c "CREATE DATABASE $plain" >/dev/null
echo
echo "PostgreSQL"
read -r t_import rss_import _ < <(bench postgres "$(pg_url "$db")" "$tmp/pg")
psql -q "$(pg_url "$plain")" -c "CREATE TABLE t (posted DATE, amount BIGINT, fitid TEXT, description TEXT)"
read -r t_plain _ _ < <(timed pg-copy psql -q "$(pg_url "$plain")" -c "\\copy t FROM '$tmp/rows.tsv'")
psql -q "$(pg_url "$db")" -c "VACUUM ANALYZE transaction_rows" -c "VACUUM ANALYZE merchants"
# transaction_rows is partitioned: its bytes are its partitions'.
read -r stored parts heap idx < <(psql -tA -F ' ' "$(pg_url "$db")" -c \
	"SELECT (SELECT COUNT(*) FROM transaction_rows), COUNT(*), SUM(pg_table_size(relid)), SUM(pg_indexes_size(relid))
	 FROM pg_partition_tree('transaction_rows') WHERE isleaf")
read -r merchants < <(psql -tA "$(pg_url "$db")" -c "SELECT pg_total_relation_size('merchants')")
[ "$stored" = "$ROWS" ] || { echo "bench-import: tally import stored $stored rows, want $ROWS" >&2; exit 1; }
printf '  tally import      %6.2f s   peak RSS %s MiB\n' "$t_import" "$(mib "$rss_import")"
printf '  psql \\copy (COPY) %6.2f s\n' "$t_plain"
printf '  ratio             %6s x\n' "$(ratio "$t_import" "$t_plain")"
printf '  transactions      %d bytes/transaction: heap %d + indexes %d bytes after VACUUM, in %d partitions\n' \
	"$(((heap + idx) / ROWS))" "$heap" "$idx" "$parts"
printf '  with merchants    %d bytes/transaction (merchants table %d bytes)\n' "$(((heap + idx + merchants) / ROWS))" "$merchants"

# The same statement for a second user: its rows go into partitions that
# exist already (the first import created those of the statement's years),
# which is where nearly every row of a running installation goes.
flags=(--data-dir "$tmp/pg" --database-url "$(pg_url "$db")")
echo "bench password" | "$tmp/tally" user add "${flags[@]}" --email bench2@example.com >/dev/null
read -r t_import2 rss_import2 _ < <(timed import-pg2 "$tmp/tally" import "${flags[@]}" --email bench2@example.com "$tmp/statement.ofx")
psql -q "$(pg_url "$db")" -c "VACUUM ANALYZE transaction_rows"
read -r stored2 heap2 idx2 < <(psql -tA -F ' ' "$(pg_url "$db")" -c \
	"SELECT (SELECT COUNT(*) FROM transaction_rows), SUM(pg_table_size(relid)), SUM(pg_indexes_size(relid))
	 FROM pg_partition_tree('transaction_rows') WHERE isleaf")
[ "$stored2" = "$((2 * ROWS))" ] || { echo "bench-import: second import left $stored2 rows, want $((2 * ROWS))" >&2; exit 1; }
echo "  second user, into existing partitions:"
printf '  tally import      %6.2f s   peak RSS %s MiB   ratio to COPY %s x\n' "$t_import2" "$(mib "$rss_import2")" "$(ratio "$t_import2" "$t_plain")"
printf '  transactions      %d bytes/transaction for both users; %d bytes for each of the second user'"'"'s\n' \
	"$(((heap2 + idx2) / (2 * ROWS)))" "$(((heap2 + idx2 - heap - idx) / ROWS))"

# The first user's stored rows, all their columns, copied into the same
# partitions under a user number no one has: COPY with the table's keys and
# indexes, as the second user's import had them.
psql -q "$(pg_url "$db")" -c "\\copy (SELECT id, amount, 2147483000, posted_on, merchant_id, account_num, category, category_source, pending, currency, external_id, description FROM transaction_rows WHERE user_num = (SELECT MIN(user_num) FROM transaction_rows)) TO '$tmp/stored-pg-other.tsv'"
read -r t_same _ _ < <(timed pg-same psql -q "$(pg_url "$db")" -c "\\copy transaction_rows (id, amount, user_num, posted_on, merchant_id, account_num, category, category_source, pending, currency, external_id, description) FROM '$tmp/stored-pg-other.tsv'")
n="$(psql -tA "$(pg_url "$db")" -c 'SELECT COUNT(*) FROM transaction_rows WHERE user_num = 2147483000')"
[ "$n" = "$ROWS" ] || { echo "bench-import: COPY loaded $n rows into transaction_rows, want $ROWS" >&2; exit 1; }
printf '  COPY into transaction_rows (its keys and indexes) %.2f s; tally import of the second user is %s x that\n' \
	"$t_same" "$(ratio "$t_import2" "$t_same")"
