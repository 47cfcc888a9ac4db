#!/usr/bin/env bash
# pg-replica.sh start|stop|url: a PostgreSQL streaming replica of the local
# primary (127.0.0.1:5432) on 127.0.0.1:5433, made with pg_basebackup, for
# the read-replica tests and benchmarks. start allows replication
# connections from 127.0.0.1 on the primary (one pg_hba.conf line and a
# reload) when it does not yet. The replica's files live in
# $TALLY_REPLICA_DIR (default /var/tmp/tally-pg-replica).
set -euo pipefail

PRIMARY_HOST=127.0.0.1
PRIMARY_PORT="${TALLY_PRIMARY_PORT:-5432}"
PORT="${TALLY_REPLICA_PORT:-5433}"
DIR="${TALLY_REPLICA_DIR:-/var/tmp/tally-pg-replica}"
PGBIN="${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"

# as_pg runs a command as the postgres user when this script runs as root
# (the server refuses to run as root).
as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

psql_primary() { psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -Atqc "$1" postgres; }

start() {
	if "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then
		echo "replica already answers on 127.0.0.1:$PORT"
		return
	fi
	hba="$(psql_primary 'SHOW hba_file')"
	if ! grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]+(all|postgres)[[:space:]]+127\.0\.0\.1/32' "$hba"; then
		echo "allowing replication connections from 127.0.0.1 in $hba"
		echo "host replication all 127.0.0.1/32 trust" >>"$hba"
		psql_primary 'SELECT pg_reload_conf()' >/dev/null
	fi
	if [ "$(psql_primary 'SHOW wal_level')" = minimal ]; then
		echo "the primary's wal_level is minimal; set it to replica and restart it" >&2
		exit 1
	fi
	rm -rf "$DIR"
	mkdir -p "$DIR"
	[ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
	chmod 700 "$DIR"
	as_pg "$PGBIN/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -D "$DIR" -R -X stream -c fast
	# Debian keeps the configuration outside the data directory; the
	# replica gets its own, with the settings a hot standby must share with
	# its primary.
	{
		echo "port = $PORT"
		echo "listen_addresses = '127.0.0.1'"
		echo "unix_socket_directories = '$DIR'"
		echo "hot_standby = on"
		for s in max_connections max_worker_processes max_wal_senders max_prepared_transactions max_locks_per_transaction; do
			echo "$s = $(psql_primary "SHOW $s")"
		done
	} | as_pg tee "$DIR/postgresql.conf" >/dev/null
	printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' | as_pg tee "$DIR/pg_hba.conf" >/dev/null
	as_pg "$PGBIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w start >/dev/null
	echo "replica of $PRIMARY_HOST:$PRIMARY_PORT answers on 127.0.0.1:$PORT"
}

stop() {
	if [ -f "$DIR/postmaster.pid" ]; then
		as_pg "$PGBIN/pg_ctl" -D "$DIR" -m fast -w stop >/dev/null || true
	fi
	rm -rf "$DIR"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
url) echo "postgres://postgres@127.0.0.1:$PORT/test?sslmode=disable" ;;
*)
	echo "usage: $0 start|stop|url" >&2
	exit 2
	;;
esac
