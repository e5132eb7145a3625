#!/usr/bin/env bash
# Re-records the Kafka goldens: a real Kafka 4.x broker (local-stack's in-process KRaft KafkaBroker, started by
# KafkaBrokerMain, auto.create.topics.enable=false) and real clients: kcat (librdkafka) and the Java
# kafka-clients (captures/KafkaJavaClient.java). Needs the repo's Maven deps in ~/.m2 (builds offline).
# Run as root (tcpdump on lo): bash flink-jobs/protocols/captures/kafka.sh
PROTO=kafka
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROOT="$(cd "$CAPTURES_DIR/../../.." && pwd)"
say "building local-stack (offline)"
mvn -B -ntp -o -q -f "$ROOT/pom.xml" -pl local-stack -am package -DskipTests
mvn -B -ntp -o -q -f "$ROOT/pom.xml" -pl local-stack dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt"
CP="$ROOT/local-stack/target/tapflow-local-stack-0.1.0-SNAPSHOT.jar:$(cat "$WORK/cp.txt")"

# topics exist before any capture; auto-create is off, so "nosuch" stays unknown
background java -cp "$CP" io.tapflow.localstack.kafka.KafkaBrokerMain orders:2 java-orders
for i in $(seq 1 600); do grep -q '^bootstrap=' "$WORK/bg-0.log" && break; sleep 0.2; done
BOOT=$(sed -n 's/^bootstrap=//p' "$WORK/bg-0.log")
[[ -n "$BOOT" ]] || { say "broker did not start"; tail -50 "$WORK/bg-0.log"; exit 1; }
PORT=${BOOT##*:}
B="127.0.0.1:$PORT"
say "broker at $BOOT"
TP=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
# a consumer that exits leaves a long-poll Fetch pending; the broker answers it up to max.wait later, so pause
# between recordings or that answer lands in the next pcap as a connection without its SYN
settle() { sleep 2; }

# 01: metadata listing (ApiVersions, Metadata for all topics).
capture_start 01-metadata-kcat "tcp port $PORT"
kcat -b "$B" -L -X client.id=tapflow-kcat-01 >"$WORK/01.out"
capture_stop
settle

# 02: produce 4 messages to a 2-partition topic (one Produce carries several records; one message is 4000 bytes
# so the Produce request spans several segments and only its prefix would be captured by the collector).
head -c 4000 /dev/zero | tr '\0' 'y' >"$WORK/big.txt"
capture_start 02-produce-kcat "tcp port $PORT"
{ echo one; echo two; echo three; cat "$WORK/big.txt"; echo; } | \
  kcat -b "$B" -P -t orders -X client.id=tapflow-kcat-02 -H "traceparent=$TP" -X linger.ms=50
capture_stop
settle

# 03: consume the topic from the beginning and exit at its end (ListOffsets, Fetch).
capture_start 03-consume-kcat "tcp port $PORT"
kcat -b "$B" -C -t orders -o beginning -e -X client.id=tapflow-kcat-03 >"$WORK/03.out"
capture_stop
settle
say "consumed $(wc -l <"$WORK/03.out") messages"

# 04: error — produce to a topic that does not exist (auto-create off): Metadata answers
# UNKNOWN_TOPIC_OR_PARTITION and kcat gives up after its message timeout.
capture_start 04-produce-unknown-topic-kcat "tcp port $PORT"
echo lost | kcat -b "$B" -P -t nosuch -X client.id=tapflow-kcat-04 -X message.timeout.ms=3000 \
  -X topic.metadata.refresh.interval.ms=1000 || say "kcat failed as expected"
capture_stop
settle

# 05: a balanced consumer group with kcat (FindCoordinator, JoinGroup, SyncGroup, OffsetFetch, Heartbeat,
# OffsetCommit, LeaveGroup); -e exits once every assigned partition reached its end.
capture_start 05-consumer-group-kcat "tcp port $PORT"
kcat -b "$B" -G tapflow-kcat-group orders -o beginning -e -X client.id=tapflow-kcat-05 >"$WORK/05.out" || true
capture_stop
settle

# 06: the Java kafka-clients 4.x: flexible Produce/Fetch versions, a classic consumer group join and commit.
capture_start 06-produce-consume-group-java "tcp port $PORT"
java -cp "$CP" "$CAPTURES_DIR/KafkaJavaClient.java" "$B" java-orders
capture_stop
settle

say "done: $(ls "$GOLDEN_DIR/$PROTO")"
