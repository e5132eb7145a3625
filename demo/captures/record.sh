#!/usr/bin/env bash
# Re-records demo.pcap, the capture ./tapflow demo replays where eBPF is not available, and demo.expected.properties,
# what the demo's clients sent and the servers answered while it was recorded (the replay is checked against it).
# Runs the live demo (root, eBPF, the local stack: ./tapflow demo starts it) with tcpdump on the loopback interface
# limited to the demo's ports; after the traffic the clock runs on for 2 min so every window closes in a replay too.
# Usage: sudo demo/captures/record.sh [SECONDS [./tapflow demo options]]
#   SECONDS: traffic duration, default 30 (keeps the capture small); e.g. --no-build to skip the Maven build
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
seconds="${1:-30}"
[[ $# -gt 0 ]] && shift
exec ./tapflow demo --seconds "$seconds" --record demo/captures/demo.pcap "$@"
