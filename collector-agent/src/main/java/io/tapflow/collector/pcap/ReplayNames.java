package io.tapflow.collector.pcap;

import io.tapflow.schema.Role;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The processes a capture cannot name, named by port: for connections to server port P, the comm of the accepting
 * end and of the connecting end ({@code P=SERVER[/CLIENT]}, comma-separated). A client named {@code -} is not
 * replayed at all — as a process the live collector was told to leave out (deny-pids), so that a replay observes the
 * same ends as the live capture did. Sockets of other ports keep the default comm.
 */
public final class ReplayNames {

    /** Drops the end it names. */
    public static final String NOT_CAPTURED = "-";

    private record Ends(String server, String client) {
    }

    private final Map<Integer, Ends> byPort;

    private ReplayNames(Map<Integer, Ends> byPort) {
        this.byPort = Map.copyOf(byPort);
    }

    public static ReplayNames none() {
        return new ReplayNames(Map.of());
    }

    /** Parses {@code P=SERVER[/CLIENT],...}; empty = none. */
    public static ReplayNames parse(String spec) {
        Map<Integer, Ends> byPort = new LinkedHashMap<>();
        for (String entry : spec.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("expected PORT=SERVER[/CLIENT], got '" + entry + "'");
            }
            int port = Integer.parseInt(entry.substring(0, eq).trim());
            String[] names = entry.substring(eq + 1).trim().split("/", 2);
            String client = names.length > 1 ? names[1].trim() : null;
            check(names[0].trim());
            if (client != null && !client.equals(NOT_CAPTURED)) {
                check(client);
            }
            byPort.put(port, new Ends(names[0].trim(), client));
        }
        return new ReplayNames(byPort);
    }

    private static void check(String comm) {
        if (comm.isEmpty() || comm.length() > 15) {
            throw new IllegalArgumentException("a comm is 1..15 characters (a kernel task name), was '" + comm + "'");
        }
    }

    /** The comm of {@code socket}'s events, {@code fallback} when its port is not named, null when not replayed. */
    String comm(ReplaySocket socket, String fallback) {
        Ends ends = byPort.get(socket.role == Role.CLIENT ? socket.remotePort : socket.localPort);
        if (ends == null) {
            return fallback;
        }
        if (socket.role == Role.CLIENT) {
            return ends.client() == null ? fallback : ends.client().equals(NOT_CAPTURED) ? null : ends.client();
        }
        return socket.role == Role.SERVER ? ends.server() : fallback;
    }
}
