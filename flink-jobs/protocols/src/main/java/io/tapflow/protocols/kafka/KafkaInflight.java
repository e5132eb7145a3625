package io.tapflow.protocols.kafka;

import java.io.Serializable;

/**
 * The requests of one connection still waiting for their response: correlation id → (api key, api version), shared
 * by the connection's two decoders ({@link KafkaParser#newConnection()}): the request decoder remembers each
 * request that expects a response, the response decoder takes the entry of the response it decodes, since where a
 * response's header ends and its error code sits depend on the request's api key and version.
 *
 * <p>Bounded: a ring of at most {@link #CAPACITY} entries in two int arrays (8 slots at first, doubled when full),
 * the oldest evicted once the bound is reached.
 * A broker answers the requests of a connection in the order it received them, so a response normally matches the
 * oldest entry; when it matches a later one, the older entries were never answered in the capture (lost, or the
 * capture started mid-stream) and are dropped with it. Not thread-safe: both decoders of a connection run on the
 * same thread, fed in capture order.
 */
final class KafkaInflight implements Serializable {

    /** Entries kept at most: far above what a client pipelines (kafka-clients' default is 5 in flight). */
    static final int CAPACITY = 1024;

    /** Returned by {@link #take} and {@link #peek} when the correlation id is not remembered. */
    static final int NONE = -1;

    /** Slots a connection starts with; doubled when full, up to the bound. */
    private static final int INITIAL = 8;

    private final int maxEntries;
    private int[] correlationIds;
    /** api key << 16 | api version, both 0-32767. */
    private int[] apis;
    private int capacity;
    private int head;
    private int size;

    KafkaInflight() {
        this(CAPACITY);
    }

    /** A map of at most {@code maxEntries} (at least 1) entries. */
    KafkaInflight(int maxEntries) {
        this.maxEntries = Math.max(1, maxEntries);
        this.capacity = Math.min(INITIAL, this.maxEntries);
        this.correlationIds = new int[capacity];
        this.apis = new int[capacity];
    }

    /** Remembers a request; evicts the oldest entry when full. Keys and versions outside 0-32767 are ignored. */
    void remember(int correlationId, int apiKey, int apiVersion) {
        if (apiKey < 0 || apiKey > Short.MAX_VALUE || apiVersion < 0 || apiVersion > Short.MAX_VALUE) {
            return;
        }
        if (size == capacity) {
            if (capacity < maxEntries) {
                grow();
            } else {
                head = (head + 1) % capacity;
                size--;
            }
        }
        int slot = (head + size) % capacity;
        correlationIds[slot] = correlationId;
        apis[slot] = apiKey << 16 | apiVersion;
        size++;
    }

    /** The api ({@link #apiKey}/{@link #apiVersion}) of a remembered request, left in place; or {@link #NONE}. */
    int peek(int correlationId) {
        int i = find(correlationId);
        return i < 0 ? NONE : apis[(head + i) % capacity];
    }

    /** Like {@link #peek}, and forgets that request and every older one. */
    int take(int correlationId) {
        int i = find(correlationId);
        if (i < 0) {
            return NONE;
        }
        int api = apis[(head + i) % capacity];
        head = (head + i + 1) % capacity;
        size -= i + 1;
        return api;
    }

    /** Requests remembered. */
    int size() {
        return size;
    }

    static int apiKey(int api) {
        return api >>> 16;
    }

    static int apiVersion(int api) {
        return api & 0xFFFF;
    }

    /** Doubles the ring (bounded by maxEntries), the oldest entry first. */
    private void grow() {
        int next = (int) Math.min((long) capacity * 2, maxEntries);
        int[] ids = new int[next];
        int[] as = new int[next];
        for (int i = 0; i < size; i++) {
            ids[i] = correlationIds[(head + i) % capacity];
            as[i] = apis[(head + i) % capacity];
        }
        correlationIds = ids;
        apis = as;
        capacity = next;
        head = 0;
    }

    /** Index from the oldest entry, or -1; the oldest match, as responses come in request order. */
    private int find(int correlationId) {
        for (int i = 0; i < size; i++) {
            if (correlationIds[(head + i) % capacity] == correlationId) {
                return i;
            }
        }
        return -1;
    }
}
