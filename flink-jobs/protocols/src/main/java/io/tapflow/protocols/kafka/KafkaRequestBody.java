package io.tapflow.protocols.kafka;

/**
 * The topics of a Produce, Fetch or Metadata request body, read from the captured bytes after the request header.
 *
 * <p>Decoded versions: Metadata v0-v13, Produce v0-v13 and Fetch v0-v18 (Kafka 4.2's newest; librdkafka 2.x sends Produce v7 and
 * Fetch v11, kafka-clients 4.x Produce v13 and Fetch v18). Produce v13+ and Fetch v13+ name topics by topic id
 * only; those ids are reported in Kafka's own text form (URL-safe base64, as {@code kafka-topics --describe}
 * prints them) since the name is not on the wire. Newer versions than these are reported header-only, because
 * their layout is not known yet. Topics after the first are found by skipping each partition entry; a Produce
 * record batch usually extends past the captured prefix, so later topics of a multi-topic Produce may be missing.
 */
final class KafkaRequestBody {

    static final int PRODUCE_MAX_VERSION = 13;
    static final int FETCH_MAX_VERSION = 18;
    static final int METADATA_MAX_VERSION = 13;
    /** Topics kept in the attribute; the rest are counted only. */
    static final int MAX_TOPICS = 16;
    static final int MAX_TOPICS_CHARS = 256;

    /** First topic name (or id when the version carries ids only), or null. */
    String firstTopic;
    /** True when the topics are topic ids. */
    boolean topicIds;
    /** Comma-separated topics that were read, bounded. */
    final StringBuilder topics = new StringBuilder();
    /** Produce acks, or {@link Integer#MIN_VALUE} when not read. */
    int acks = Integer.MIN_VALUE;
    String transactionalId;

    /** Reads the body of a Produce/Fetch request of a version we know, or returns null. */
    static KafkaRequestBody read(int apiKey, int version, KafkaReader r) {
        if (apiKey == KafkaApis.PRODUCE && version >= 0 && version <= PRODUCE_MAX_VERSION) {
            KafkaRequestBody body = new KafkaRequestBody();
            body.produce(version, r);
            return body;
        }
        if (apiKey == KafkaApis.FETCH && version >= 0 && version <= FETCH_MAX_VERSION) {
            KafkaRequestBody body = new KafkaRequestBody();
            body.fetch(version, r);
            return body;
        }
        if (apiKey == KafkaApis.METADATA && version >= 0 && version <= METADATA_MAX_VERSION) {
            KafkaRequestBody body = new KafkaRequestBody();
            body.metadata(version, r);
            return body;
        }
        return null;
    }

    /** Metadata v0-v13: the topics asked about (none = all topics); v10+ may name a topic by id only. */
    private void metadata(int v, KafkaReader r) {
        boolean flex = v >= 9;
        int n = flex ? r.compactArrayLength() : r.arrayLength();
        for (int t = 0; t < n && r.ok(); t++) {
            String id = v >= 10 ? r.uuid() : null;
            String name = flex ? r.compactString() : r.string();
            if (flex) {
                r.skipTaggedFields();
            }
            if (!r.ok()) {
                return;
            }
            boolean byId = name == null;
            String topic = byId ? id : name;
            if (topic == null) {
                return;
            }
            if (firstTopic == null) {
                firstTopic = topic;
                topicIds = byId;
            }
            add(topic);
        }
    }

    private void produce(int v, KafkaReader r) {
        boolean flex = v >= 9;
        if (v >= 3) {
            transactionalId = flex ? r.compactString() : r.string();
        }
        int a = r.i16();
        r.i32(); // timeout_ms
        if (!r.ok()) {
            return;
        }
        acks = a;
        int n = flex ? r.compactArrayLength() : r.arrayLength();
        for (int t = 0; t < n && r.ok(); t++) {
            if (!topic(v >= 13, flex, r)) {
                return;
            }
            int partitions = flex ? r.compactArrayLength() : r.arrayLength();
            for (int p = 0; p < partitions && r.ok(); p++) {
                r.i32(); // index
                if (flex) {
                    r.skip(r.uvarint() - 1); // COMPACT_RECORDS, 0 = null
                    r.skipTaggedFields();
                } else {
                    r.skip(Math.max(r.i32(), 0)); // RECORDS, -1 = null
                }
            }
            if (flex) {
                r.skipTaggedFields();
            }
        }
    }

    private void fetch(int v, KafkaReader r) {
        boolean flex = v >= 12;
        if (v < 15) {
            r.i32(); // replica_id (a tagged field from v15)
        }
        r.skip(8); // max_wait_ms, min_bytes
        if (v >= 3) {
            r.i32(); // max_bytes
        }
        if (v >= 4) {
            r.i8(); // isolation_level
        }
        if (v >= 7) {
            r.skip(8); // session_id, session_epoch
        }
        int partitionBytes = 4 + (v >= 9 ? 4 : 0) + 8 + (v >= 12 ? 4 : 0) + (v >= 5 ? 8 : 0) + 4;
        int n = flex ? r.compactArrayLength() : r.arrayLength();
        for (int t = 0; t < n && r.ok(); t++) {
            if (!topic(v >= 13, flex, r)) {
                return;
            }
            int partitions = flex ? r.compactArrayLength() : r.arrayLength();
            for (int p = 0; p < partitions && r.ok(); p++) {
                r.skip(partitionBytes);
                if (flex) {
                    r.skipTaggedFields();
                }
            }
            if (flex) {
                r.skipTaggedFields();
            }
        }
    }

    /** Reads one topic's name or id; false when it was not captured. */
    private boolean topic(boolean byId, boolean flex, KafkaReader r) {
        String topic = byId ? r.uuid() : flex ? r.compactString() : r.string();
        if (!r.ok() || topic == null) {
            return false;
        }
        if (firstTopic == null) {
            firstTopic = topic;
            topicIds = byId;
        }
        add(topic);
        return true;
    }

    private int count;

    private void add(String topic) {
        count++;
        if (count > MAX_TOPICS || topics.length() + topic.length() + 1 > MAX_TOPICS_CHARS) {
            return;
        }
        if (!topics.isEmpty()) {
            topics.append(',');
        }
        topics.append(topic);
    }

    /** Topics read, including those not kept in {@link #topics}. */
    int count() {
        return count;
    }
}
