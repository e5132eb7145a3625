#!/usr/bin/env bash
# Creates tapflow's topics (idempotent). Partitions: raise them with your parallelism; the collector keys raw
# events by socket id, so any count keeps per-socket order. tapflow.raw.process is compacted (latest per process).
set -euo pipefail
bootstrap="$1"
topics=/opt/kafka/bin/kafka-topics.sh
create() {
  "$topics" --bootstrap-server "$bootstrap" --create --if-not-exists --topic "$1" --partitions "$2" \
    --replication-factor 1 "${@:3}"
}
create tapflow.raw.socket-data 4
create tapflow.raw.tcp-events 4
create tapflow.raw.process 1 --config cleanup.policy=compact
create tapflow.l7.request-log 4
create tapflow.traces 2
create tapflow.llm.requests 2
create tapflow.llm.usage 1
create tapflow.dead-letters 1
"$topics" --bootstrap-server "$bootstrap" --list
