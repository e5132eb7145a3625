#!/usr/bin/env bash
# Re-records the PostgreSQL goldens: a throwaway PostgreSQL 15 cluster (initdb into $WORK, run as the postgres
# user) on 127.0.0.1:<free port> with its unix socket in $WORK, the real `psql` and `pgbench` over TCP.
# Authentication: trust for one role, md5 for another, scram-sha-256 for the rest; all passwords are throwaway.
# Run as root: bash flink-jobs/protocols/captures/postgresql.sh
PROTO=postgresql
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BIN=/usr/lib/postgresql/15/bin
PW='throwaway-pw-2'
PORT="$(free_port)"
chmod 755 "$WORK"
mkdir -p "$WORK/pg" "$WORK/run"
chown postgres "$WORK/pg" "$WORK/run"
printf '%s\n' "$PW" >"$WORK/pwfile"
chmod 644 "$WORK/pwfile"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
  -keyout "$WORK/run/server.key" -out "$WORK/run/server.crt" 2>/dev/null
chown postgres "$WORK/run/server.key" "$WORK/run/server.crt"
chmod 600 "$WORK/run/server.key"

say "initdb into $WORK/pg"
runuser -u postgres -- "$BIN/initdb" -D "$WORK/pg" -U postgres --pwfile="$WORK/pwfile" -A scram-sha-256 \
  >"$WORK/initdb.log" 2>&1
cat >"$WORK/pg/pg_hba.conf" <<HBA
local all postgres trust
host all trustu 127.0.0.1/32 trust
host all md5u 127.0.0.1/32 md5
host all all 127.0.0.1/32 scram-sha-256
HBA
# TLS settings in the cluster's own config file (not on the command line) so that 08 can switch ssl off by reload.
cat >>"$WORK/pg/postgresql.conf" <<CONF
ssl = on
ssl_cert_file = '$WORK/run/server.crt'
ssl_key_file = '$WORK/run/server.key'
CONF
background runuser -u postgres -- "$BIN/postgres" -D "$WORK/pg" -c listen_addresses=127.0.0.1 -c port="$PORT" \
  -c unix_socket_directories="$WORK/run" -c shared_buffers=16MB -c fsync=off
wait_port "$PORT"

runuser -u postgres -- "$BIN/psql" -q -h "$WORK/run" -p "$PORT" -U postgres -d postgres <<SQL
CREATE ROLE trustu LOGIN;
SET password_encryption = 'md5';
CREATE ROLE md5u LOGIN PASSWORD '$PW';
SET password_encryption = 'scram-sha-256';
CREATE ROLE scramu LOGIN PASSWORD '$PW';
CREATE DATABASE tapdb OWNER trustu;
SQL

# No GSSAPI attempts (no Kerberos here) and no TLS unless a capture asks for it: sslmode=prefer would still send
# an SSLRequest first, which 01 keeps on purpose (the server says 'S' there and the rest is TLS), so set disable.
export PGGSSENCMODE=disable PGSSLMODE=disable
psql_tcp() { "$BIN/psql" -X -h 127.0.0.1 -p "$PORT" "$@"; }
FILTER="tcp port $PORT"

# 01: one psql session (trust auth), one simple Query per -c.
capture_start 01-query "$FILTER"
psql_tcp -U trustu -d tapdb -c "CREATE TABLE t (id serial PRIMARY KEY, name text)" \
  -c "INSERT INTO t (name) VALUES ('alpha'), ('beta'), ('gamma')" \
  -c "UPDATE t SET name = 'delta' WHERE id = 2" -c "SELECT id, name FROM t ORDER BY id"
capture_stop

# 02: errors: syntax (42601), unknown table (42P01), unique violation (23505), then a query that works.
capture_start 02-query-error "$FILTER"
psql_tcp -U trustu -d tapdb -c "SELEC 1" -c "SELECT * FROM no_such_table" \
  -c "INSERT INTO t (id, name) VALUES (1, 'dup')" -c "SELECT count(*) FROM t" || true
capture_stop

# 03: several statements in one Query message (psql sends a -c string as one Query): two result sets and an
# INSERT answered by one ReadyForQuery; md5 password authentication.
capture_start 03-multi-statement-md5 "$FILTER"
PGPASSWORD="$PW" psql_tcp -U md5u -d tapdb -c "SELECT 1 AS a; SELECT 'two' AS b; SELECT relname FROM pg_class WHERE relname = 't'"
capture_stop

# 04/05: the extended query protocol: pgbench -M extended (unnamed statements, Parse/Bind/Describe/Execute/Sync
# per query) and -M prepared (named statements parsed once), a few select-only transactions each. The pgbench
# tables are created before the recording.
runuser -u postgres -- "$BIN/pgbench" -q -i -s 1 -h "$WORK/run" -p "$PORT" -U postgres postgres \
  >"$WORK/pgbench-init.log" 2>&1
runuser -u postgres -- "$BIN/psql" -q -h "$WORK/run" -p "$PORT" -U postgres -d postgres \
  -c "GRANT SELECT ON ALL TABLES IN SCHEMA public TO scramu"
capture_start 04-pgbench-extended "$FILTER"
PGPASSWORD="$PW" "$BIN/pgbench" -n -S -M extended -t 3 -c 1 -h 127.0.0.1 -p "$PORT" -U scramu postgres
capture_stop
capture_start 05-pgbench-prepared "$FILTER"
PGPASSWORD="$PW" "$BIN/pgbench" -n -S -M prepared -t 3 -c 1 -h 127.0.0.1 -p "$PORT" -U scramu postgres
capture_stop

# 06: failed logins: a wrong scram password (28P01) and a database that does not exist (3D000).
capture_start 06-login-error "$FILTER"
PGPASSWORD=wrong-throwaway psql_tcp -U scramu -d postgres -c "SELECT 1" || true
psql_tcp -U trustu -d no_such_db -c "SELECT 1" || true
capture_stop

# 07: TLS: libpq sends an SSLRequest, the server answers 'S' and the rest is encrypted.
capture_start 07-tls "$FILTER"
PGSSLMODE=require psql_tcp -U trustu -d tapdb -c "SELECT 1"
capture_stop

# 08: the server stops offering TLS (ssl is reloadable): sslmode=prefer sends an SSLRequest, the server answers
# 'N' and the same connection goes on in clear text with the StartupMessage.
runuser -u postgres -- "$BIN/psql" -q -h "$WORK/run" -p "$PORT" -U postgres -d postgres \
  -c "ALTER SYSTEM SET ssl = off" -c "SELECT pg_reload_conf()" >/dev/null
sleep 1
capture_start 08-sslrequest-refused "$FILTER"
PGSSLMODE=prefer psql_tcp -U trustu -d tapdb -c "SELECT 2"
capture_stop

say "done"
