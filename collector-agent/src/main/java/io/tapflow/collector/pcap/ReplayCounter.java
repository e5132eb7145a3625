package io.tapflow.collector.pcap;

import java.util.Locale;

/** What the replay counts: packets it could not use (by reason) and what it made of the rest. */
public enum ReplayCounter {
    /** Packet records read from the file. */
    PACKETS,
    /** Records whose frame carries no IPv4/IPv6 packet (ARP, LLC, ...). */
    NOT_IP,
    /** Records on an interface whose link type the replay does not decode. */
    UNSUPPORTED_LINK_TYPE,
    /** IPv4 fragments (more-fragments flag or an offset): skipped, the replay does not reassemble IP. */
    IPV4_FRAGMENTS,
    /** IPv6 packets with a fragment header: skipped. */
    IPV6_FRAGMENTS,
    /** Headers that contradict their lengths. */
    MALFORMED,
    /** IP packets that are neither TCP nor UDP. */
    OTHER_TRANSPORT,
    /** Packets the capture tool kept only partly (snap length): their payload is incomplete. */
    CUT_BY_SNAP_LENGTH,
    /** The record at the end of the file that the file ends inside. */
    TRUNCATED_RECORDS,
    TCP_CONNECTIONS,
    /** Connections whose SYN was not captured: roles come from the port rule (well-known, else lower = server). */
    TCP_CONNECTIONS_WITHOUT_HANDSHAKE,
    UDP_FLOWS,
    /** Data segments whose bytes were all delivered already (retransmissions, duplicates): not re-emitted. */
    RETRANSMITTED_SEGMENTS,
    RETRANSMITTED_BYTES,
    /** Segments that arrived ahead of a missing one and were held back until it came. */
    REORDERED_SEGMENTS,
    /** Holes in a byte stream the replay gave up waiting for (never captured). */
    GAPS,
    GAP_BYTES,
    /** Connections/flows dropped from the tracking table to bound memory (flushed first). */
    EVICTED_FLOWS,
    /** Connections/flows the capture filter excluded (ports, sampling). */
    FILTERED_FLOWS,
    SOCKET_DATA_EVENTS,
    TCP_EVENTS;

    /** The counter's name in metrics and summaries, e.g. {@code ipv4_fragments}. */
    public String metricName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
