#!/usr/bin/env bash
# Re-records the MQTT goldens: a real mosquitto broker on 127.0.0.1 (two listeners: anonymous, and one with a
# password file for the refused CONNECT) and the real mosquitto_pub / mosquitto_sub clients, MQTT 3.1.1 and 5.0.
# Run as root (tcpdump on lo): bash flink-jobs/protocols/captures/mqtt.sh
PROTO=mqtt
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OPEN=$(free_port)
AUTH=$(free_port)
mosquitto_passwd -c -b "$WORK/passwd" alice s3cret >/dev/null
cat >"$WORK/mosquitto.conf" <<CONF
# everything of this broker lives in \$WORK; it runs as the invoking user and never touches /etc or /var
user $(id -un)
persistence false
per_listener_settings true
log_dest stderr
listener $OPEN 127.0.0.1
allow_anonymous true
listener $AUTH 127.0.0.1
allow_anonymous false
password_file $WORK/passwd
CONF
background mosquitto -c "$WORK/mosquitto.conf"
wait_port "$OPEN"
wait_port "$AUTH"
TP=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01

# 01: MQTT 3.1.1 CONNECT/CONNACK, one QoS 0 PUBLISH (no response), DISCONNECT.
capture_start 01-publish-qos0-v311 "tcp port $OPEN"
mosquitto_pub -h 127.0.0.1 -p "$OPEN" -V mqttv311 -i tapflow-pub-01 -q 0 -t sensors/kitchen/temp -m 21.5
capture_stop

# 02: MQTT 5 QoS 1 PUBLISH with user properties (traceparent) and a content type → PUBACK.
capture_start 02-publish-qos1-v5-traceparent "tcp port $OPEN"
mosquitto_pub -h 127.0.0.1 -p "$OPEN" -V mqttv5 -i tapflow-pub-02 -q 1 -t orders/created -m '{"id":42}' \
  -D PUBLISH user-property traceparent "$TP" -D PUBLISH user-property tenant acme \
  -D PUBLISH content-type application/json
capture_stop

# 03: QoS 2 retained PUBLISH (PUBLISH/PUBREC/PUBREL/PUBCOMP), 3.1.1 then 5, two connections.
capture_start 03-publish-qos2-retained "tcp port $OPEN"
mosquitto_pub -h 127.0.0.1 -p "$OPEN" -V mqttv311 -i tapflow-pub-03a -q 2 -r -t config/site -m v1
mosquitto_pub -h 127.0.0.1 -p "$OPEN" -V mqttv5 -i tapflow-pub-03b -q 2 -r -t config/site -m v2
capture_stop

# 04: MQTT 5 subscriber to three topic filters (one SUBSCRIBE, SUBACK with three reason codes) receiving the
# retained message and deliveries at QoS 0/1/2 from a 3.1.1 publisher; it pings once (keep alive 5 s, the minimum).
capture_start 04-subscribe-multi-v5 "tcp port $OPEN"
mosquitto_sub -h 127.0.0.1 -p "$OPEN" -V mqttv5 -i tapflow-sub-04 -k 5 -q 2 -t 'config/#' -t 'sensors/+/temp' \
  -t alerts -C 4 >"$WORK/sub04.out" &
SUB=$!
sleep 6.5
mosquitto_pub -h 127.0.0.1 -p "$OPEN" -V mqttv311 -i tapflow-pub-04a -q 1 -t sensors/hall/temp -m 19.0
mosquitto_pub -h 127.0.0.1 -p "$OPEN" -V mqttv311 -i tapflow-pub-04b -q 2 -t alerts -m smoke
mosquitto_pub -h 127.0.0.1 -p "$OPEN" -V mqttv311 -i tapflow-pub-04c -q 0 -t sensors/attic/temp -m 30.1
wait "$SUB"
capture_stop
say "subscriber got: $(tr '\n' ' ' <"$WORK/sub04.out")"

# 05: refused CONNECT — wrong password on the password listener, 3.1.1 (return code 4) and 5 (reason 0x86).
capture_start 05-connect-refused-bad-password "tcp port $AUTH"
mosquitto_pub -h 127.0.0.1 -p "$AUTH" -V mqttv311 -i tapflow-bad-05a -u alice -P wrong -t x -m y || true
mosquitto_pub -h 127.0.0.1 -p "$AUTH" -V mqttv5 -i tapflow-bad-05b -u alice -P wrong -t x -m y || true
capture_stop

# 06: many QoS 1 PUBLISHes on one connection (pipelined: -l sends each stdin line), plus a 6000-byte payload
# that spans several segments (the decoder skips the payload by its remaining length).
head -c 4500 /dev/zero | tr '\0' 'x' >"$WORK/big.txt"
capture_start 06-publish-pipelined-v311 "tcp port $OPEN"
printf 'm1\nm2\nm3\nm4\nm5\n' | mosquitto_pub -h 127.0.0.1 -p "$OPEN" -V mqttv311 -i tapflow-pub-06 -q 1 \
  -t batch/lines -l
mosquitto_pub -h 127.0.0.1 -p "$OPEN" -V mqttv311 -i tapflow-pub-06b -q 1 -t batch/big -f "$WORK/big.txt"
capture_stop

# 07: SUBSCRIBE then UNSUBSCRIBE (3.1.1 and 5): mosquitto_sub -U unsubscribes after subscribing; -E exits once
# acknowledged. An authenticated (correct password) connection on the password listener.
capture_start 07-subscribe-unsubscribe "tcp port $OPEN or tcp port $AUTH"
mosquitto_sub -h 127.0.0.1 -p "$OPEN" -V mqttv311 -i tapflow-sub-07a -t 'a/b' -t 'c/#' -U 'c/#' -E
mosquitto_sub -h 127.0.0.1 -p "$AUTH" -V mqttv5 -i tapflow-sub-07b -u alice -P s3cret -t 'a/b' -U 'a/b' -E
capture_stop

say "done: $(ls "$GOLDEN_DIR/$PROTO")"
