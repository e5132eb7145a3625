package io.tapflow.collector.pcap;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Deterministic socket ids for replayed sockets, standing in for the kernel's socket cookie: the first 8 bytes
 * (big-endian) of SHA-256 over
 * {@code "<tcp|udp>|<client ip>|<client port>|<server ip>|<server port>|<anchor>|<CLIENT|SERVER>|<loop>"}, where
 * the anchor is, for TCP, the client's initial sequence number when the handshake was captured and otherwise the
 * sequence number of the connection's first packet in the file (so a reused 4-tuple gets new ids), and 0 for UDP;
 * {@code loop} is the replay pass (0 for the first), so looped replays never repeat an id. Replaying the same file
 * always yields the same ids; 0 is never returned (it means "no socket" downstream).
 */
final class SocketIds {

    private SocketIds() {
    }

    static long of(String transport, String clientIp, int clientPort, String serverIp, int serverPort, long anchor,
                   String endpoint, int loop) {
        String text = transport + '|' + clientIp + '|' + clientPort + '|' + serverIp + '|' + serverPort + '|'
                + anchor + '|' + endpoint + '|' + loop;
        byte[] digest = sha256().digest(text.getBytes(StandardCharsets.UTF_8));
        long id = 0;
        for (int i = 0; i < 8; i++) {
            id = (id << 8) | (digest[i] & 0xFF);
        }
        return id == 0 ? 1 : id;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
