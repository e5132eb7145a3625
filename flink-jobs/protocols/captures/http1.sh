#!/usr/bin/env bash
# Re-records the HTTP/1 golden captures (run as root): real curl / wrk / node `ws` clients against a real nginx,
# a small real streaming server (http1/stream_server.py) and a `ws` server, all on 127.0.0.1 with files in $WORK.
# Needs the npm registry for the `ws` package (installed into $WORK).
PROTO=http1
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HERE="$CAPTURES_DIR/http1"
# capture_start waits for "listening on" in a log that the previous capture already filled (the new tcpdump
# truncates it only once it runs), so it could return before tcpdump listens: start from a fresh log each time.
record() { rm -f "$WORK/tcpdump.log"; capture_start "$@"; }

# --- nginx serving a temp dir -------------------------------------------------------------------------------
NGINX_PORT=$(free_port)
mkdir -p "$WORK/www" "$WORK/logs" "$WORK/tmp"
printf '<html><body>tapflow index</body></html>\n' >"$WORK/www/index.html"
printf 'plain text file\n' >"$WORK/www/a.txt"
mkdir -p "$WORK/www/api/v1/users/42"
printf '{"id":42,"name":"Ada Lovelace","email":"ada@example.com","active":true}\n' >"$WORK/www/api/v1/users/42/profile"
printf '{"user":42,"orders":[{"id":7,"total":"19.90","currency":"EUR"}]}\n' >"$WORK/www/api/v1/users/42/orders"
# > 64 KB so the body spans many segments; text so gzip makes a chunked response of it
python3 -c 'import sys; sys.stdout.write("".join("line %05d of the large file, padding padding padding\n" % i for i in range(1600)))' \
  >"$WORK/www/large.txt"
head -c 3000 "$WORK/www/large.txt" >"$WORK/post-body.txt"
cat >"$WORK/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/logs/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $WORK/tmp/body;
  proxy_temp_path $WORK/tmp/proxy;
  fastcgi_temp_path $WORK/tmp/fastcgi;
  uwsgi_temp_path $WORK/tmp/uwsgi;
  scgi_temp_path $WORK/tmp/scgi;
  default_type application/octet-stream;
  types { text/html html; text/plain txt; }
  sendfile off;
  gzip on;
  gzip_types text/plain;
  gzip_min_length 1;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    server_name localhost;
    root $WORK/www;
    location = /submit { return 201 "created\n"; }
    location = /broken { return 503; }
    # a JSON API as services call each other (14-api-keepalive): response headers of ~300 bytes
    location /api/ {
      default_type application/json;
      add_header Cache-Control "no-cache, private";
      add_header X-Content-Type-Options nosniff;
    }
  }
}
CONF
background nginx -c "$WORK/nginx.conf" -p "$WORK"
wait_port "$NGINX_PORT"
N="http://127.0.0.1:$NGINX_PORT"

record 01-get-keepalive "tcp port $NGINX_PORT"
# three URLs on one keep-alive connection: 200, 200, 404; trace and request-id headers on every request
curl -s -o /dev/null -o /dev/null -o /dev/null -w '%{http_code}\n' \
  -H 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' -H 'X-Request-ID: req-0001' \
  "$N/index.html" "$N/a.txt" "$N/missing/42"
capture_stop

record 14-api-keepalive "tcp port $NGINX_PORT"
# service-to-service JSON calls on one keep-alive connection (200, 200, 404), with the request headers such a
# client sends (~300 bytes): the "typical 300-byte headers" case of ./tapflow bench parsers
curl -s -o /dev/null -o /dev/null -o /dev/null -w '%{http_code}\n' \
  -H 'User-Agent: okhttp/4.12.0' -H 'Accept: application/json' -H 'Accept-Encoding: gzip' \
  -H 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0YXBmbG93IiwiaWF0IjoxNzAwMDAwMDAwfQ.c2lnbmF0dXJl' \
  -H 'traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' \
  -H 'X-Request-ID: 9f1c2e7a-3b4d-4e5f-8a6b-7c8d9e0f1a2b' \
  "$N/api/v1/users/42/profile" "$N/api/v1/users/42/orders" "$N/api/v1/users/43/profile"
capture_stop

record 02-get-large "tcp port $NGINX_PORT"
curl -s -o /dev/null -w '%{http_code} %{size_download}\n' "$N/large.txt"
capture_stop

record 03-head "tcp port $NGINX_PORT"
# HEAD responses declare Content-Length but carry no body; two on one connection exercise the heuristic
curl -s -I "$N/large.txt" "$N/index.html" -w '%{http_code}\n' -o /dev/null
capture_stop

record 04-post-error "tcp port $NGINX_PORT"
# a POST with a 3000-byte body to a fixed `return 201`, then a GET answered 503, on one connection
curl -s -o /dev/null -w '%{http_code}\n' --data-binary "@$WORK/post-body.txt" -H 'Content-Type: text/plain' \
  "$N/submit" --next -s -o /dev/null -w '%{http_code}\n' "$N/broken"
capture_stop

record 05-chunked-gzip "tcp port $NGINX_PORT"
# gzip makes nginx send the large file chunked (no Content-Length)
curl -s --compressed -o /dev/null -w '%{http_code} %{size_download}\n' "$N/large.txt"
capture_stop

record 06-pipelined "tcp port $NGINX_PORT"
# wrk writes three requests in one send() (HTTP/1.1 pipelining) and stops after their responses
wrk -t1 -c1 -d2s -s "$HERE/pipeline.lua" "$N" >"$WORK/wrk.log" 2>&1 || true
capture_stop

# --- streaming server (SSE, NDJSON, Ollama-style JSON lines, 100-continue, HTTP/1.0 close-delimited) ----------
S11=$(free_port)
S10=$(free_port)
background python3 "$HERE/stream_server.py" "$S11" "$S10"
wait_port "$S11"
wait_port "$S10"

record 07-sse "tcp port $S11"
curl -s -N "http://127.0.0.1:$S11/sse" >/dev/null
capture_stop

record 08-ndjson "tcp port $S11"
curl -s -N "http://127.0.0.1:$S11/ndjson" >/dev/null
capture_stop

record 09-ollama-json "tcp port $S11"
curl -s -N -H 'Content-Type: application/json' -d '{"model":"tiny","prompt":"Why?"}' \
  "http://127.0.0.1:$S11/api/generate" >/dev/null
capture_stop

record 10-sse-http10-close "tcp port $S10"
curl -s -N --http1.0 "http://127.0.0.1:$S10/sse" >/dev/null
capture_stop

record 11-expect-100-continue "tcp port $S11"
# curl sends the head, waits for "100 Continue", then the body; then a 500 on the same connection
curl -s -o /dev/null -w '%{http_code}\n' -H 'Expect: 100-continue' --data-binary "@$WORK/post-body.txt" \
  "http://127.0.0.1:$S11/echo" --next -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$S11/boom"
capture_stop

# --- upgrades -------------------------------------------------------------------------------------------------
# WebSocket: the `ws` npm package (client and server) in $WORK; 101, then WebSocket frames both ways
npm install --silent --no-audit --no-fund --prefix "$WORK/node" ws@8 >/dev/null
WS=$(free_port)
record 12-upgrade-websocket "tcp port $WS"
NODE_PATH="$WORK/node/node_modules" node "$HERE/ws_upgrade.js" "$WS"
capture_stop

# h2c: curl asks to upgrade, nginx does not speak h2c and answers in HTTP/1.1; the next request stays HTTP/1.1
record 13-upgrade-refused "tcp port $NGINX_PORT"
curl -s --http2 -o /dev/null -o /dev/null -w '%{http_code} %{http_version}\n' "$N/index.html" "$N/a.txt"
capture_stop
