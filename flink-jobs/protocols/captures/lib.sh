# Shared by the capture scripts (captures/<proto>.sh): they start a real server on loopback, record real client
# traffic with tcpdump into src/test/resources/golden/<proto>/NN-<op>[-variant].pcap, and stop everything.
# Source it, set PROTO, call the functions. Needs root (tcpdump on lo) and the Debian packages of the peers.
set -euo pipefail

CAPTURES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
GOLDEN_DIR="$CAPTURES_DIR/../src/test/resources/golden"
WORK="$(mktemp -d /tmp/tapflow-capture.XXXXXX)"
_PIDS=()
_TCPDUMP_PID=""

_cleanup() {
  [[ -n "$_TCPDUMP_PID" ]] && kill -INT "$_TCPDUMP_PID" 2>/dev/null && wait "$_TCPDUMP_PID" 2>/dev/null || true
  local pid
  for pid in "${_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap _cleanup EXIT

say() { printf '[capture %s] %s\n' "${PROTO:-?}" "$*" >&2; }

# A free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Runs a command in the background for the rest of the script; it is killed on exit.
background() {
  "$@" >"$WORK/bg-${#_PIDS[@]}.log" 2>&1 &
  _PIDS+=($!)
}

# Waits until something listens on 127.0.0.1:PORT (TCP), at most 30 s.
wait_port() {
  local port="$1" i
  for i in $(seq 1 300); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  say "nothing listens on port $port after 30 s"; return 1
}

# capture_start NAME FILTER — records loopback packets matching FILTER into golden/$PROTO/NAME.pcap.
capture_start() {
  local name="$1" filter="$2" out="$GOLDEN_DIR/$PROTO/$1.pcap"
  mkdir -p "$GOLDEN_DIR/$PROTO"
  rm -f "$out"
  rm -f "$WORK/tcpdump.log" # the wait below must not see the previous capture's "listening on"
  # --immediate-mode: without it packets wait in the capture ring (up to 1 s) and a quick stop loses them
  tcpdump -i lo -U --immediate-mode -s 0 -w "$out" "$filter" 2>"$WORK/tcpdump.log" &
  _TCPDUMP_PID=$!
  local i
  for i in $(seq 1 100); do grep -q "listening on" "$WORK/tcpdump.log" 2>/dev/null && break; sleep 0.05; done
  say "recording $name ($filter)"
}

# Stops the current recording (after letting the last packets land) and prints its size.
capture_stop() {
  sleep 0.5
  kill -INT "$_TCPDUMP_PID" && wait "$_TCPDUMP_PID" 2>/dev/null || true
  _TCPDUMP_PID=""
  say "$(grep -E 'packets captured' "$WORK/tcpdump.log" || true)"
}
