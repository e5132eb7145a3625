#!/usr/bin/env bash
# Re-records the DNS goldens: a real unbound on a free loopback port, answering from its own local zones (no
# internet, no root hints: nothing is resolved upstream), queried by real dig and kdig over UDP and TCP.
# Run as root from anywhere: flink-jobs/protocols/captures/dns.sh
PROTO=dns
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PORT="$(free_port)"
DEAD="$(free_port)" # nothing listens there: the forward zone that points at it fails (SERVFAIL)
cat >"$WORK/unbound.conf" <<CONF
server:
    interface: 127.0.0.1
    port: $PORT
    do-ip6: no
    do-daemonize: no
    use-syslog: no
    logfile: ""
    verbosity: 1
    username: ""
    chroot: ""
    directory: "$WORK"
    pidfile: "$WORK/unbound.pid"
    access-control: 127.0.0.0/8 allow
    module-config: "iterator"
    # only the forward zone below may query localhost; nothing else is resolved upstream
    do-not-query-localhost: no
    infra-host-ttl: 0
    outbound-msg-retry: 1
    local-zone: "tapflow.test." static
    local-data: "www.tapflow.test. 300 IN A 192.0.2.10"
    local-data: "www.tapflow.test. 300 IN AAAA 2001:db8::10"
    local-data: "api.tapflow.test. 300 IN A 192.0.2.20"
    local-data: "api.tapflow.test. 300 IN A 192.0.2.21"
    local-data: 'txt.tapflow.test. 300 IN TXT "hello tapflow" "v=1"'
    local-data: "mail.tapflow.test. 300 IN MX 10 www.tapflow.test."
    local-zone: "refused.test." refuse
    # test. is one of unbound's default static (NXDOMAIN) zones: let broken.test. through to its forward zone
    local-zone: "broken.test." transparent
    local-zone: "." refuse
forward-zone:
    name: "broken.test."
    forward-addr: 127.0.0.1@$DEAD
remote-control:
    control-enable: no
CONF
background unbound -d -c "$WORK/unbound.conf"
wait_port "$PORT"
F="port $PORT"
# lib.sh stops tcpdump 0.3 s after the last packet, but without --immediate-mode libpcap hands packets over per
# ring block (1 s timeout) and drops the unfinished block on SIGINT: wait for the block to be handed over first.
stop() { sleep 2; capture_stop; }
DIG=(dig @127.0.0.1 -p "$PORT" +tries=1 +time=5)
KDIG=(kdig @127.0.0.1 -p "$PORT")

capture_start 01-a "$F"
"${DIG[@]}" www.tapflow.test A
stop

capture_start 02-aaaa "$F"
"${DIG[@]}" www.tapflow.test AAAA
stop

capture_start 03-txt "$F"
"${KDIG[@]}" txt.tapflow.test TXT
stop

capture_start 04-nxdomain "$F"
"${DIG[@]}" nope.tapflow.test A
stop

capture_start 05-refused "$F"
"${DIG[@]}" www.refused.test A
stop

capture_start 06-servfail "$F"
"${DIG[@]}" www.broken.test A
stop

capture_start 07-tcp "$F"
"${DIG[@]}" +tcp api.tapflow.test A
stop

# Several queries over one TCP connection, from dig (+keepopen) and from kdig (+keepopen).
capture_start 08-tcp-multi "$F"
"${DIG[@]}" +tcp +keepopen www.tapflow.test A txt.tapflow.test TXT nope.tapflow.test A mail.tapflow.test MX
"${KDIG[@]}" +tcp +keepopen www.tapflow.test AAAA api.tapflow.test A
stop

# Several UDP queries from one kdig run (one socket each), including an MX answer.
capture_start 09-udp-multi "$F"
"${KDIG[@]}" www.tapflow.test A api.tapflow.test A mail.tapflow.test MX
stop
