#!/usr/bin/env bash
# A local S3-compatible server for Tally's tests and multi-process runs:
# Versity's S3 gateway (versitygw, Apache-2.0) over a temporary directory,
# built from the Go module proxy into the state directory (never committed).
#
#   eval "$(scripts/s3-server.sh start)"   # build, start, create the bucket, print exports
#   scripts/s3-server.sh stop              # stop it and remove its files
#
# start prints export lines for AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
# TALLY_TEST_S3_URL (s3://BUCKET/ci?endpoint=...&region=us-east-1). The keys
# are random for each start and are passed to the server through its
# environment, never on a command line.
#
# Settings: S3_SERVER_DIR (state, default /tmp/tally-s3-server),
# S3_SERVER_ADDR (default 127.0.0.1:9000), S3_SERVER_BUCKET (default tally-test).
set -euo pipefail

VERSITYGW=github.com/versity/versitygw/cmd/versitygw@v1.8.0
dir="${S3_SERVER_DIR:-/tmp/tally-s3-server}"
addr="${S3_SERVER_ADDR:-127.0.0.1:9000}"
bucket="${S3_SERVER_BUCKET:-tally-test}"
region=us-east-1

case "$addr" in
127.*:* | localhost:*) ;;
*) echo "s3-server: S3_SERVER_ADDR must be a loopback address, not $addr" >&2; exit 2 ;;
esac

stop() {
	if [ -f "$dir/pid" ]; then
		pid="$(cat "$dir/pid")"
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -rf "$dir/data" "$dir/pid" "$dir/env"
}

start() {
	if [ -f "$dir/pid" ] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
		cat "$dir/env"
		return
	fi
	mkdir -p "$dir/bin" "$dir/data"
	chmod 700 "$dir"
	if [ ! -x "$dir/bin/versitygw" ]; then
		echo "s3-server: building $VERSITYGW" >&2
		t0=$(date +%s)
		GOBIN="$dir/bin" GOFLAGS=-buildvcs=false go install "$VERSITYGW" >&2
		echo "s3-server: built in $(($(date +%s) - t0))s" >&2
	fi
	key="tally$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
	secret="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
	ROOT_ACCESS_KEY_ID="$key" ROOT_SECRET_ACCESS_KEY="$secret" \
		"$dir/bin/versitygw" --port "$addr" --region "$region" --quiet posix "$dir/data" \
		>"$dir/log" 2>&1 &
	echo $! >"$dir/pid"
	endpoint="http://$addr"
	for _ in $(seq 1 100); do
		curl -s -o /dev/null "$endpoint/" && break
		if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
			echo "s3-server: versitygw exited:" >&2; cat "$dir/log" >&2; exit 1
		fi
		sleep 0.1
	done
	# Create the bucket through the S3 API (curl signs the request).
	code="$(curl -s -o "$dir/create.out" -w '%{http_code}' -X PUT \
		--aws-sigv4 "aws:amz:$region:s3" --user "$key:$secret" \
		-H "x-amz-content-sha256: $(printf "" | sha256sum | cut -d" " -f1)" "$endpoint/$bucket")"
	if [ "$code" != 200 ]; then
		echo "s3-server: creating bucket $bucket answered $code:" >&2; cat "$dir/create.out" >&2; exit 1
	fi
	umask 077
	cat >"$dir/env" <<-ENV
		export AWS_ACCESS_KEY_ID=$key
		export AWS_SECRET_ACCESS_KEY=$secret
		export TALLY_TEST_S3_URL='s3://$bucket/ci?endpoint=$endpoint&region=$region'
	ENV
	echo "s3-server: versitygw on $endpoint, bucket $bucket" >&2
	cat "$dir/env"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
