package io.tapflow.collector.bpf;

/**
 * The Strings of recently decoded 16-byte keys (an address, a command name), direct-mapped: a host's events repeat
 * a few peers and process names, and formatting them anew for every event was a fifth of the polling thread's CPU.
 * A slot holds the last key that hashed to it, so a miss costs one formatting, never a wrong answer. One decoding
 * thread only.
 */
final class RecentText {

    private final long[] first;
    private final long[] second;
    private final String[] text;
    private final int mask;

    /** @param slots a power of two */
    RecentText(int slots) {
        if (Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two: " + slots);
        }
        first = new long[slots];
        second = new long[slots];
        text = new String[slots];
        mask = slots - 1;
    }

    /** The cached text of the key {@code (a, b)}, or null. */
    String find(long a, long b) {
        int i = slot(a, b);
        String cached = text[i];
        return cached != null && first[i] == a && second[i] == b ? cached : null;
    }

    /** Caches {@code value} as the text of {@code (a, b)}, replacing what its slot held. */
    void put(long a, long b, String value) {
        int i = slot(a, b);
        first[i] = a;
        second[i] = b;
        text[i] = value;
    }

    private int slot(long a, long b) {
        long h = (a * 0x9E3779B97F4A7C15L) ^ (b * 0xC2B2AE3D27D4EB4FL);
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
