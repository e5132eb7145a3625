#!/usr/bin/env bash
# Re-records the collector's replay test captures (run as root): real curl vs nginx, redis-cli vs redis-server and
# dig vs unbound, all on loopback with free ports, recorded with tcpdump/dumpcap into
# src/test/resources/captures/. Beside each capture it writes what an independent dissector (tshark) saw:
#   NAME.segments.tsv  every TCP segment with payload: stream, src ip, src port, dst port, raw seq, length
#   NAME.follow        per TCP stream, tshark's own reassembly of both directions (follow,tcp,raw)
# The replay tests compare the replay source against these. A few variants are derived from the real captures by
# derive.py (byte order, link types, VLAN tag, a cut last record): same packets, different framing.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$HERE/../src/test/resources/captures"
WORK="$(mktemp -d /tmp/tapflow-collector-capture.XXXXXX)"
PIDS=()
CAP_PID=""

cleanup() {
  [[ -n "$CAP_PID" ]] && kill -INT "$CAP_PID" 2>/dev/null && wait "$CAP_PID" 2>/dev/null || true
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

say() { printf '[record] %s\n' "$*" >&2; }
# A free port BELOW the ephemeral range (32768+), so servers have the lower port of every connection: that is the
# replay's rule for connections whose handshake is not in the capture.
free_port() {
  python3 -c '
import random, socket
while True:
    p = random.randint(20000, 32000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass
    finally:
        s.close()'
}
background() { "$@" >"$WORK/bg-${#PIDS[@]}.log" 2>&1 & PIDS+=($!); }
wait_port() {
  local port="$1" i
  for i in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0; sleep 0.1; done
  say "nothing listens on port $port"; return 1
}

# start TOOL FILE IFACE FILTER [extra tool args...]: TOOL is tcpdump or dumpcap (pcapng)
start() {
  local tool="$1" name="$2" file="$OUT/$2" iface="$3" filter="$4"; shift 4
  rm -f "$file" "$WORK/cap.log"
  if [[ "$tool" == dumpcap ]]; then
    dumpcap -q -i "$iface" -f "$filter" -w "$file" "$@" 2>"$WORK/cap.log" &
  else
    tcpdump -i "$iface" -U --immediate-mode -s 0 -w "$file" "$@" "$filter" 2>"$WORK/cap.log" &
  fi
  CAP_PID=$!
  local i
  for i in $(seq 1 100); do grep -qiE "listening on|capturing on" "$WORK/cap.log" 2>/dev/null && break; sleep 0.05; done
  sleep 0.3
  say "recording $name on $iface ($filter)"
}
stop() {
  sleep 0.5
  kill -INT "$CAP_PID" && wait "$CAP_PID" 2>/dev/null || true
  CAP_PID=""
}

# dissect FILE [nofollow]: the tshark views of the capture the tests compare against (tshark exits non-zero on a
# file whose last record is cut, after printing everything before it)
dissect() {
  local file="$OUT/$1" base="$OUT/${1%.*}"
  tshark -r "$file" -Y 'tcp.len > 0' -T fields -E separator=/t \
    -e tcp.stream -e ip.src -e ipv6.src -e tcp.srcport -e tcp.dstport -e tcp.seq_raw -e tcp.len >"$base.segments.tsv" \
    2>/dev/null || true
  say "$1: $(wc -l <"$base.segments.tsv") TCP data segments"
  [[ "${2:-}" == nofollow ]] && return 0
  : >"$base.follow"
  local s
  for s in $(tshark -r "$file" -Y tcp -T fields -e tcp.stream 2>/dev/null | sort -un); do
    tshark -r "$file" -q -z "follow,tcp,raw,$s" >>"$base.follow"
  done
}

mkdir -p "$OUT"

# --- nginx on 127.0.0.1 and [::1] ------------------------------------------------------------------------------
HTTP=$(free_port)
CLOSED=$(free_port) # nothing listens there: the connect is refused with a RST
mkdir -p "$WORK/www" "$WORK/logs" "$WORK/tmp"
printf '<html><body>tapflow collector index</body></html>\n' >"$WORK/www/index.html"
# the large file the tests regenerate to check the reassembled response body (keep in sync with ReplayCaptures)
python3 -c 'import sys; sys.stdout.write("".join("collector replay line %06d padding padding padding padding\n" % i for i in range(3000)))' \
  >"$WORK/www/large.txt"
head -c 5000 "$WORK/www/large.txt" >"$WORK/post-body.txt"
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
  server {
    listen 127.0.0.1:$HTTP;
    listen [::1]:$HTTP;
    root $WORK/www;
    location = /submit { return 201 "created\n"; }
  }
}
CONF
background nginx -c "$WORK/nginx.conf" -p "$WORK"
wait_port "$HTTP"

# 1. pcap, microseconds, Ethernet (Linux lo): keep-alive GETs incl. a 177 kB body, a POST, a refused connect
start tcpdump http-ipv4.pcap lo "tcp port $HTTP or tcp port $CLOSED"
curl -s -o /dev/null -o /dev/null -o /dev/null -w '%{http_code} %{size_download}\n' \
  "http://127.0.0.1:$HTTP/index.html" "http://127.0.0.1:$HTTP/large.txt" "http://127.0.0.1:$HTTP/missing"
curl -s -o /dev/null -w '%{http_code}\n' --data-binary "@$WORK/post-body.txt" "http://127.0.0.1:$HTTP/submit"
curl -s -o /dev/null "http://127.0.0.1:$CLOSED/" || true
stop
dissect http-ipv4.pcap

# 2. pcap, nanoseconds, IPv6
start tcpdump http-ipv6-nano.pcap lo "tcp port $HTTP" --time-stamp-precision=nano
curl -6 -s -o /dev/null -o /dev/null -w '%{http_code} %{size_download}\n' \
  "http://[::1]:$HTTP/large.txt" "http://[::1]:$HTTP/index.html"
stop
dissect http-ipv6-nano.pcap

# --- redis ---------------------------------------------------------------------------------------------------
REDIS=$(free_port)
background redis-server --port "$REDIS" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK"
wait_port "$REDIS"
python3 -c 'import sys; sys.stdout.write("v" * 100000)' >"$WORK/big-value"

# 3. pcapng (dumpcap), Ethernet
start dumpcap redis.pcapng lo "tcp port $REDIS"
redis-cli -p "$REDIS" SET greeting hello >/dev/null
redis-cli -p "$REDIS" GET greeting >/dev/null
redis-cli -p "$REDIS" -x SET big <"$WORK/big-value" >/dev/null
redis-cli -p "$REDIS" GET big >/dev/null
stop
dissect redis.pcapng

# 4. Linux cooked (SLL, -i any), recording starts after the connection is up: no handshake in the file
( sleep 1; echo "SET midstream 1"; sleep 1.5; echo "INCR midstream"; sleep 0.5; echo "GET midstream"; sleep 0.5 ) \
  | redis-cli -p "$REDIS" >/dev/null &
CLI=$!
sleep 0.5
start tcpdump redis-midstream-sll.pcap any "tcp port $REDIS" -y LINUX_SLL
wait "$CLI"
stop
dissect redis-midstream-sll.pcap

# --- unbound ---------------------------------------------------------------------------------------------------
DNS=$(free_port)
cat >"$WORK/unbound.conf" <<CONF
server:
  interface: 127.0.0.1
  port: $DNS
  do-daemonize: no
  chroot: ""
  username: ""
  directory: "$WORK"
  pidfile: "$WORK/unbound.pid"
  use-syslog: no
  logfile: ""
  do-ip6: no
  access-control: 127.0.0.0/8 allow
  local-zone: "tapflow.test." static
  local-data: "api.tapflow.test. 60 IN A 10.20.30.40"
  local-data: "db.tapflow.test. 60 IN A 10.20.30.41"
  local-data: "api.tapflow.test. 60 IN TXT \"collector replay\""
CONF
background unbound -c "$WORK/unbound.conf"
wait_port "$DNS"

# 5. Linux cooked v2 (SLL2, tcpdump's default for -i any): DNS over UDP, and one query over TCP
start tcpdump dns-sll2.pcap any "port $DNS"
dig @127.0.0.1 -p "$DNS" +short api.tapflow.test A
dig @127.0.0.1 -p "$DNS" +short db.tapflow.test A
dig @127.0.0.1 -p "$DNS" +short nothere.tapflow.test A
dig @127.0.0.1 -p "$DNS" +tcp +short api.tapflow.test TXT
stop
dissect dns-sll2.pcap

# 6. one pcapng with two interfaces of different link types and time resolutions (Ethernet ns + SLL2 µs)
mergecap -F pcapng -w "$OUT/mixed-interfaces.pcapng" "$OUT/http-ipv6-nano.pcap" "$OUT/dns-sll2.pcap"
dissect mixed-interfaces.pcapng nofollow

# 7. derived framings of http-ipv4.pcap: big-endian raw IP, BSD null, 802.1Q VLAN, a cut last record
python3 "$HERE/derive.py" "$OUT"
for f in http-ipv4-raw-be.pcap http-ipv4-null.pcap http-ipv4-vlan.pcap http-ipv4-truncated.pcap; do dissect "$f" nofollow; done
say "done: $(ls "$OUT" | wc -l) files in $OUT"
