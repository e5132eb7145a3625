#!/usr/bin/env bash
# Re-records the Redis goldens: a real redis-server (RESP2 and RESP3) on a free loopback port, real redis-cli /
# redis-benchmark clients. Run as root from anywhere: flink-jobs/protocols/captures/redis.sh
PROTO=redis
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PORT="$(free_port)"
# DEBUG PROTOCOL (local connections only) is the one way to make a real server send every RESP3 type
# (big number, verbatim string, attribute, boolean) without a module.
background redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" \
  --enable-debug-command local
wait_port "$PORT"
cli() { redis-cli -h 127.0.0.1 -p "$PORT" "$@"; }
F="tcp port $PORT"
# lib.sh stops tcpdump 0.3 s after the last packet, but without --immediate-mode libpcap hands packets over per
# ring block (1 s timeout) and drops the unfinished block on SIGINT: wait for the block to be handed over first.
stop() { sleep 2; capture_stop; }

capture_start 01-set-get "$F"
cli SET user:1 alice
cli GET user:1
cli INCR visits
cli DEL user:1
cli GET user:1
stop

capture_start 02-hash-list "$F"
cli HSET user:2 name bob lang java
cli HGETALL user:2
cli LPUSH queue a b c
cli LRANGE queue 0 -1
stop

# Errors caused by the command: WRONGTYPE (LPUSH on a string) and an unknown command.
capture_start 03-error-wrongtype "$F"
cli SET greeting hello
cli LPUSH greeting x
cli NOSUCHCMD greeting
cli GET greeting
stop

# Pipelining: redis-cli --pipe writes all commands (RESP) before reading; redis-benchmark -P 16.
capture_start 04-pipeline-cli "$F"
for i in $(seq 1 20); do printf 'SET pipe:%d v%d\r\nINCR hits\r\n' "$i" "$i"; done | cli --pipe
stop

capture_start 05-pipeline-benchmark "$F"
redis-benchmark -h 127.0.0.1 -p "$PORT" -c 1 -n 32 -P 16 -t set,get -q
stop

# RESP3 on one connection: redis-cli -3 sends HELLO 3 (and, reading stdin, COMMAND DOCS: a large nested map),
# then maps, sets, doubles, nulls, booleans, verbatim strings, pushes (DEBUG PROTOCOL push, and an invalidation:
# with tracking on, this client's own SET invalidates the key it read) and a big number. redis-cli 7.0 cannot
# print big numbers and attributes and drops the connection after reading them: they come last, the attribute
# on a second connection.
capture_start 06-resp3 "$F"
printf '%s\n' 'HSET user:3 name carol' 'HGETALL user:3' 'SADD tags x y' 'SMEMBERS tags' \
  'ZADD board 1.5 carol' 'ZSCORE board carol' 'GET missing' 'DEBUG PROTOCOL true' 'DEBUG PROTOCOL verbatim' \
  'DEBUG PROTOCOL push' 'CLIENT TRACKING on' 'GET user:9' 'SET user:9 dave' 'PING' 'DEBUG PROTOCOL bignum' \
  | cli -3 || true
cli -3 DEBUG PROTOCOL attrib || true
stop

# A value larger than 64 KB set and read back (the collector captures only a prefix of such calls).
head -c 102400 /dev/zero | tr '\0' 'v' >"$WORK/big.txt"
capture_start 07-large-value "$F"
cli -x SET blob <"$WORK/big.txt"
cli GET blob >/dev/null
cli STRLEN blob
stop

# AUTH failure against a second server that requires a password.
PORT2="$(free_port)"
background redis-server --port "$PORT2" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" \
  --requirepass s3cret-pw
wait_port "$PORT2"
capture_start 08-auth-failure "tcp port $PORT2"
redis-cli -h 127.0.0.1 -p "$PORT2" GET secret || true
redis-cli -h 127.0.0.1 -p "$PORT2" --no-auth-warning -a wrong-pw GET secret || true
redis-cli -h 127.0.0.1 -p "$PORT2" --no-auth-warning -a s3cret-pw SET secret ok || true
stop
