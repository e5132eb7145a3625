#!/usr/bin/env bash
# Re-records the MySQL/MariaDB goldens: a throwaway mariadbd (datadir, socket and TLS certificate in $WORK) on
# 127.0.0.1:<free port>, the real `mariadb` command-line client over TCP, and node `mysql2` for the binary
# prepared-statement protocol (the mariadb CLI only speaks COM_QUERY; `PREPARE ... EXECUTE` there is SQL text,
# while mysql2's execute() sends COM_STMT_PREPARE / COM_STMT_EXECUTE). The password is a throwaway one.
# Run as root: bash flink-jobs/protocols/captures/mysql.sh
PROTO=mysql
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PW='throwaway-pw-1'
PORT="$(free_port)"
chmod 755 "$WORK"
mkdir -p "$WORK/tls"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
  -keyout "$WORK/tls/key.pem" -out "$WORK/tls/cert.pem" 2>/dev/null

say "initialising a datadir in $WORK/data"
mariadb-install-db --no-defaults --datadir="$WORK/data" --user=root --auth-root-authentication-method=socket \
  --skip-test-db >"$WORK/install.log" 2>&1
background mariadbd --no-defaults --datadir="$WORK/data" --socket="$WORK/mysqld.sock" --port="$PORT" \
  --bind-address=127.0.0.1 --user=root --pid-file="$WORK/mysqld.pid" --skip-name-resolve --skip-log-bin \
  --innodb-buffer-pool-size=16M --ssl-cert="$WORK/tls/cert.pem" --ssl-key="$WORK/tls/key.pem"
wait_port "$PORT"

# A real user with a password (no --skip-grant-tables): the handshake and the auth exchange are genuine.
mariadb --no-defaults -S "$WORK/mysqld.sock" -u root <<SQL
CREATE DATABASE tapdb;
CREATE USER 'tap'@'127.0.0.1' IDENTIFIED BY '$PW';
GRANT ALL ON tapdb.* TO 'tap'@'127.0.0.1';
SQL

cli() { mariadb --no-defaults --skip-ssl -h 127.0.0.1 -P "$PORT" -u tap -p"$PW" "$@"; }
FILTER="tcp port $PORT"

# 01: one session, several statements (the CLI sends each ';'-separated statement as its own COM_QUERY).
capture_start 01-query "$FILTER"
cli tapdb -e "CREATE TABLE t (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(40));
INSERT INTO t (name) VALUES ('alpha'), ('beta'), ('gamma');
UPDATE t SET name = 'delta' WHERE id = 2;
SELECT id, name FROM t ORDER BY id;"
capture_stop

# 02: errors in one session: a syntax error (1064), an unknown table (1146), a duplicate key (1062); --force
# keeps the session going so the last query succeeds after them (from stdin: -e stops at the first error).
capture_start 02-query-error "$FILTER"
cli --force tapdb <<'SQL' || true
SELEC 1;
SELECT * FROM no_such_table;
INSERT INTO t (id, name) VALUES (1, 'dup');
SELECT COUNT(*) FROM t;
SQL
capture_stop

# 03: a multi-statement COM_QUERY (DELIMITER makes the CLI send both SELECTs and the INSERT as one packet) and a
# COM_INIT_DB (the CLI's `USE`).
capture_start 03-multi-statement "$FILTER"
cli -e "USE tapdb
DELIMITER //
SELECT 1 AS a; INSERT INTO t (name) VALUES ('epsilon'); SELECT name FROM t WHERE id > 2//
DELIMITER ;
SELECT 'after';"
capture_stop

# 04: binary prepared statements from node mysql2: execute() = COM_STMT_PREPARE + COM_STMT_EXECUTE, a re-execute
# of the cached statement, an execute that fails, a ping and a normal query; end() sends COM_QUIT.
mkdir -p "$WORK/node"
(cd "$WORK/node" && npm install --silent --no-audit --no-fund mysql2@3.24.5 >/dev/null 2>&1)
cat >"$WORK/node/prep.js" <<'JS'
const mysql = require('mysql2/promise');
(async () => {
  const c = await mysql.createConnection({host: '127.0.0.1', port: +process.argv[2], user: 'tap',
    password: process.argv[3], database: 'tapdb'});
  console.log(await c.execute('SELECT id, name FROM t WHERE id >= ?', [2]));
  console.log(await c.execute('SELECT id, name FROM t WHERE id >= ?', [3]));
  console.log(await c.execute('INSERT INTO t (name) VALUES (?)', ['zeta']));
  try { await c.execute('SELECT * FROM missing_table WHERE id = ?', [1]); } catch (e) { console.log(e.code); }
  await c.ping();
  console.log(await c.query('SELECT COUNT(*) AS n FROM t'));
  await c.end();
})();
JS
capture_start 04-prepared "$FILTER"
node "$WORK/node/prep.js" "$PORT" "$PW"
capture_stop

# 05: failed logins: a wrong password (1045) and a database the user may not use (1044).
capture_start 05-login-error "$FILTER"
mariadb --no-defaults --skip-ssl -h 127.0.0.1 -P "$PORT" -u tap -pwrong-throwaway tapdb -e "SELECT 1" || true
cli mysql -e "SELECT 1" || true
capture_stop

# 06: SQL-level prepared statements (text protocol: PREPARE/EXECUTE/DEALLOCATE are COM_QUERY).
capture_start 06-sql-prepare "$FILTER"
cli tapdb -e "PREPARE s FROM 'SELECT name FROM t WHERE id = ?';
SET @i = 1;
EXECUTE s USING @i;
DEALLOCATE PREPARE s;"
capture_stop

# 07: TLS: the client sends an SSL request and the rest is encrypted; the decoder says so and stops.
capture_start 07-tls "$FILTER"
mariadb --no-defaults --ssl --skip-ssl-verify-server-cert -h 127.0.0.1 -P "$PORT" -u tap -p"$PW" tapdb \
  -e "SELECT 1" || true
capture_stop

say "done"
