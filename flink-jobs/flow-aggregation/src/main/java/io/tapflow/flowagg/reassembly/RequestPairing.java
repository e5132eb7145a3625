package io.tapflow.flowagg.reassembly;

import io.tapflow.protocols.L7Message;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Requests awaiting their response on one flow: in order for protocols that answer in request order (HTTP/1.1,
 * Redis, SQL), by id for the others (HTTP/2 stream, DNS id, Kafka correlation id). Bounded: past the limit the
 * oldest request is given up (returned to be emitted as a timeout).
 */
final class RequestPairing implements Serializable {

    private static final long serialVersionUID = 1L;

    private final ArrayDeque<PendingRequest> inOrder = new ArrayDeque<>();
    private final Map<Long, PendingRequest> byId = new HashMap<>();

    /** Adds a request; returns the requests evicted to stay within {@code max}. */
    List<PendingRequest> add(PendingRequest request, int max) {
        long id = request.message().pairId();
        if (id == L7Message.IN_ORDER) {
            inOrder.addLast(request);
        } else {
            PendingRequest replaced = byId.put(id, request);
            if (replaced != null) {
                // an id reused before its response: the older request will never be answered
                return List.of(replaced);
            }
        }
        List<PendingRequest> evicted = new ArrayList<>(0);
        while (size() > max) {
            evicted.add(removeOldest());
        }
        return evicted;
    }

    /** The request a response answers, removed; null when it was not seen. */
    PendingRequest match(L7Message response) {
        long id = response.pairId();
        return id == L7Message.IN_ORDER ? inOrder.pollFirst() : byId.remove(id);
    }

    /** Removes and returns the requests seen (on the event-time clock) before {@code cutoffNs}, oldest first. */
    List<PendingRequest> expire(long cutoffNs) {
        List<PendingRequest> expired = new ArrayList<>(0);
        while (!inOrder.isEmpty() && inOrder.peekFirst().clockNs() < cutoffNs) {
            expired.add(inOrder.pollFirst());
        }
        for (Iterator<PendingRequest> it = byId.values().iterator(); it.hasNext(); ) {
            PendingRequest p = it.next();
            if (p.clockNs() < cutoffNs) {
                expired.add(p);
                it.remove();
            }
        }
        expired.sort((a, b) -> Long.compare(a.message().startTimestampNs(), b.message().startTimestampNs()));
        return expired;
    }

    /** Removes and returns all, oldest first. */
    List<PendingRequest> drain() {
        return expire(Long.MAX_VALUE);
    }

    /** Event-time clock of the oldest pending request, or -1. */
    long oldestStartNs() {
        long oldest = inOrder.isEmpty() ? Long.MAX_VALUE : inOrder.peekFirst().clockNs();
        for (PendingRequest p : byId.values()) {
            oldest = Math.min(oldest, p.clockNs());
        }
        return oldest == Long.MAX_VALUE ? -1 : oldest;
    }

    int size() {
        return inOrder.size() + byId.size();
    }

    private PendingRequest removeOldest() {
        PendingRequest oldest = inOrder.peekFirst();
        Long oldestId = null;
        for (Map.Entry<Long, PendingRequest> e : byId.entrySet()) {
            if (oldest == null || e.getValue().message().startTimestampNs() < oldest.message().startTimestampNs()) {
                oldest = e.getValue();
                oldestId = e.getKey();
            }
        }
        if (oldestId != null) {
            return byId.remove(oldestId);
        }
        return inOrder.pollFirst();
    }
}
