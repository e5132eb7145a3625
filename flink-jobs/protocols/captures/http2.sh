#!/usr/bin/env bash
# Re-records the HTTP/2 + gRPC goldens (golden/http2/*.pcap): real clients (curl, nghttp, grpc-js) against real
# servers (nginx h2c, nghttpd, grpc-js) on 127.0.0.1. Run as root from anywhere: captures/http2.sh
# Needs: nginx-light, nghttp2-client/server, curl, tcpdump, node + npm (npm ci installs captures/grpc/node_modules).
PROTO=http2
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# --- static content served by nginx and nghttpd ------------------------------------------------------------------
mkdir -p "$WORK/www" "$WORK/nginx/logs" "$WORK/nginx/tmp"
printf '<html><body>tapflow h2c</body></html>\n' >"$WORK/www/index.html"
printf 'alpha\n' >"$WORK/www/a.txt"
printf 'bravo bravo\n' >"$WORK/www/b.txt"
# 40000 bytes: several DATA frames of 16384, so the truncated variants skip uncaptured payloads
python3 -c 'import sys; sys.stdout.write(("0123456789abcdef" * 2500))' >"$WORK/www/big.txt"

NGINX_PORT=$(free_port)
cat >"$WORK/nginx/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log;
events { worker_connections 64; }
http {
    access_log $WORK/nginx/logs/access.log;
    client_body_temp_path $WORK/nginx/tmp/body;
    proxy_temp_path $WORK/nginx/tmp/proxy;
    fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
    scgi_temp_path $WORK/nginx/tmp/scgi;
    default_type text/plain;
    server {
        listen 127.0.0.1:$NGINX_PORT http2;
        server_name localhost;
        root $WORK/www;
    }
}
CONF
background nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf"
wait_port "$NGINX_PORT"
N="http://127.0.0.1:$NGINX_PORT"

capture_start 01-get-200 "tcp port $NGINX_PORT"
curl -sS --http2-prior-knowledge -o /dev/null -w 'curl %{http_version} %{response_code} %{url_effective}\n' "$N/index.html"
capture_stop

capture_start 02-get-404 "tcp port $NGINX_PORT"
curl -sS --http2-prior-knowledge -o /dev/null -w 'curl %{http_version} %{response_code} %{url_effective}\n' "$N/missing.html"
capture_stop

# three streams multiplexed on one connection (nghttp opens them all before reading any response)
capture_start 03-multiplexed "tcp port $NGINX_PORT"
nghttp -n -s "$N/a.txt" "$N/b.txt" "$N/nope.txt"
capture_stop

# a 40 KB body in several DATA frames, on a request with traceparent and x-request-id
capture_start 04-large-body-trace "tcp port $NGINX_PORT"
curl -sS --http2-prior-knowledge -o /dev/null -w 'curl %{http_version} %{response_code} %{url_effective}\n' \
  -H 'traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' -H 'x-request-id: req-h2-big' \
  "$N/big.txt"
capture_stop

# nghttpd as the server; nghttp POSTs a body to two paths on one connection (200 and 404)
NGHTTPD_PORT=$(free_port)
background nghttpd --no-tls -a 127.0.0.1 -d "$WORK/www" "$NGHTTPD_PORT"
wait_port "$NGHTTPD_PORT"
D="http://127.0.0.1:$NGHTTPD_PORT"
printf 'name=tapflow&kind=post\n' >"$WORK/post.txt"
capture_start 05-nghttpd-post "tcp port $NGHTTPD_PORT"
nghttp -n -s -d "$WORK/post.txt" "$D/index.html" "$D/gone.txt"
capture_stop

# --- gRPC: grpc-js client and server ---------------------------------------------------------------------------
GRPC_DIR="$CAPTURES_DIR/grpc"
(cd "$GRPC_DIR" && npm ci --no-audit --no-fund --silent)
GRPC_PORT=$(free_port)
background node "$GRPC_DIR/server.js" "$GRPC_PORT"
wait_port "$GRPC_PORT"
n=6
for mode in unary-ok unary-notfound server-stream traceparent multi deadline; do
  name=$(printf '%02d-grpc-%s' "$n" "$mode")
  capture_start "$name" "tcp port $GRPC_PORT"
  node "$GRPC_DIR/client.js" "$GRPC_PORT" "$mode"
  capture_stop
  n=$((n + 1))
done
