package io.tapflow.protocols.kafka;

import static io.tapflow.protocols.kafka.KafkaApis.API_VERSIONS;
import static io.tapflow.protocols.kafka.KafkaApis.FETCH;
import static io.tapflow.protocols.kafka.KafkaApis.FIND_COORDINATOR;
import static io.tapflow.protocols.kafka.KafkaApis.HEARTBEAT;
import static io.tapflow.protocols.kafka.KafkaApis.INIT_PRODUCER_ID;
import static io.tapflow.protocols.kafka.KafkaApis.JOIN_GROUP;
import static io.tapflow.protocols.kafka.KafkaApis.LEAVE_GROUP;
import static io.tapflow.protocols.kafka.KafkaApis.LIST_OFFSETS;
import static io.tapflow.protocols.kafka.KafkaApis.METADATA;
import static io.tapflow.protocols.kafka.KafkaApis.OFFSET_COMMIT;
import static io.tapflow.protocols.kafka.KafkaApis.OFFSET_FETCH;
import static io.tapflow.protocols.kafka.KafkaApis.PRODUCE;
import static io.tapflow.protocols.kafka.KafkaApis.SYNC_GROUP;

/**
 * The error code of a response body (after the response header), for the APIs where it is cheap to find, up to
 * the versions Kafka 4.2 knows (layouts from the protocol's message specs; newer versions are not guessed):
 * <ul>
 * <li>the top-level error_code: ApiVersions (every version: it is the first field, and an unsupported request
 * version is answered in v0), FindCoordinator v0-3, JoinGroup v0-9, SyncGroup v0-5, Heartbeat v0-4, LeaveGroup
 * v0-5, InitProducerId v0-6;</li>
 * <li>FindCoordinator v4-6: the first non-zero error of the coordinators array;</li>
 * <li>Fetch v0-18: the top-level error_code (v7+) when non-zero, else the first partition's;</li>
 * <li>Produce v0-13, ListOffsets v0-11: the first partition's error_code;</li>
 * <li>Metadata v0-13: the first topic's error_code (after skipping the brokers);</li>
 * <li>OffsetCommit v0-10: the first non-zero partition error; OffsetFetch v0-10: the first non-zero error of the
 * (first group's) partitions and the top-level/group error that follows them.</li>
 * </ul>
 * Where several entries are walked, the code is the first non-zero error met in wire order, else 0 once the first
 * error field was read. A body cut by the capture before that yields {@link #NO_CODE}. Reads only, never throws:
 * every loop consumes bytes and stops when the reader runs out.
 */
final class KafkaResponseBody {

    /** No error code was decoded. */
    static final int NO_CODE = Integer.MIN_VALUE;

    private KafkaResponseBody() {
    }

    /** Whether {@link #errorCode} decodes responses of this request: the decoder reads more of those. */
    static boolean decodes(int apiKey, int v) {
        return switch (apiKey) {
            case API_VERSIONS -> true;
            case PRODUCE, METADATA -> v <= 13;
            case FETCH -> v <= 18;
            case LIST_OFFSETS -> v <= 11;
            case OFFSET_COMMIT, OFFSET_FETCH -> v <= 10;
            case FIND_COORDINATOR, INIT_PRODUCER_ID -> v <= 6;
            case JOIN_GROUP -> v <= 9;
            case HEARTBEAT -> v <= 4;
            case LEAVE_GROUP, SYNC_GROUP -> v <= 5;
            default -> false;
        };
    }

    /** The response's error code, or {@link #NO_CODE}; {@code r} is positioned after the response header. */
    static int errorCode(int apiKey, int v, KafkaReader r) {
        if (!decodes(apiKey, v)) {
            return NO_CODE;
        }
        return switch (apiKey) {
            case API_VERSIONS -> code(r, r.i16());
            case JOIN_GROUP -> topLevel(r, v >= 2);
            case HEARTBEAT, LEAVE_GROUP, SYNC_GROUP -> topLevel(r, v >= 1);
            case INIT_PRODUCER_ID -> topLevel(r, true);
            case FIND_COORDINATOR -> v < 4 ? topLevel(r, v >= 1) : coordinators(r);
            case PRODUCE -> firstPartition(r, v >= 9, v >= 13);
            case FETCH -> fetch(r, v);
            case LIST_OFFSETS -> {
                if (v >= 2) {
                    r.i32(); // throttle_time_ms
                }
                yield firstPartition(r, v >= 6, false);
            }
            case METADATA -> metadata(r, v);
            case OFFSET_COMMIT -> offsetCommit(r, v);
            case OFFSET_FETCH -> offsetFetch(r, v);
            default -> NO_CODE;
        };
    }

    private static int code(KafkaReader r, int code) {
        return r.ok() ? code : NO_CODE;
    }

    /** [throttle_time_ms] error_code. */
    private static int topLevel(KafkaReader r, boolean throttle) {
        if (throttle) {
            r.i32();
        }
        return code(r, r.i16());
    }

    /** FindCoordinator v4+: throttle_time_ms, coordinators [key, node_id, host, port, error_code, message]. */
    private static int coordinators(KafkaReader r) {
        r.i32();
        int n = r.compactArrayLength();
        int found = r.ok() && n == 0 ? 0 : NO_CODE;
        for (int i = 0; i < n && r.ok(); i++) {
            r.skipString(true); // key
            r.i32(); // node_id
            r.skipString(true); // host
            r.i32(); // port
            int code = r.i16();
            if (!r.ok()) {
                break;
            }
            if (code != 0) {
                return code;
            }
            found = 0;
            r.skipString(true); // error_message
            r.skipTaggedFields();
        }
        return found;
    }

    /** Produce, ListOffsets, Fetch: [topic name or id, [partition_index, error_code, …], …]: the first error. */
    private static int firstPartition(KafkaReader r, boolean flex, boolean topicIds) {
        int topics = flex ? r.compactArrayLength() : r.arrayLength();
        if (!r.ok() || topics == 0) {
            return r.ok() ? 0 : NO_CODE;
        }
        if (topicIds) {
            r.skip(16);
        } else {
            r.skipString(flex);
        }
        int partitions = flex ? r.compactArrayLength() : r.arrayLength();
        if (!r.ok() || partitions == 0) {
            return r.ok() ? 0 : NO_CODE;
        }
        r.i32(); // partition_index
        return code(r, r.i16());
    }

    /** Fetch: [throttle_time_ms (v1+)] [error_code, session_id (v7+)] responses. */
    private static int fetch(KafkaReader r, int v) {
        if (v >= 1) {
            r.i32();
        }
        if (v >= 7) {
            int top = r.i16();
            r.i32(); // session_id
            if (!r.ok()) {
                return NO_CODE;
            }
            if (top != 0) {
                return top;
            }
            int first = firstPartition(r, v >= 12, v >= 13);
            return first == NO_CODE ? 0 : first; // the top-level code was read
        }
        return firstPartition(r, v >= 12, v >= 13);
    }

    /** Metadata: [throttle (v3+)] brokers [cluster_id (v2+)] [controller_id (v1+)] topics [error_code, …]. */
    private static int metadata(KafkaReader r, int v) {
        boolean flex = v >= 9;
        if (v >= 3) {
            r.i32();
        }
        int brokers = flex ? r.compactArrayLength() : r.arrayLength();
        for (int i = 0; i < brokers && r.ok(); i++) {
            r.i32(); // node_id
            r.skipString(flex); // host
            r.i32(); // port
            if (v >= 1) {
                r.skipString(flex); // rack
            }
            if (flex) {
                r.skipTaggedFields();
            }
        }
        if (v >= 2) {
            r.skipString(flex); // cluster_id
        }
        if (v >= 1) {
            r.i32(); // controller_id
        }
        int topics = flex ? r.compactArrayLength() : r.arrayLength();
        if (!r.ok() || topics == 0) {
            return r.ok() ? 0 : NO_CODE;
        }
        return code(r, r.i16());
    }

    /** OffsetCommit: [throttle (v3+)] topics [name (v0-9) | topic_id (v10+), partitions [index, error_code]]. */
    private static int offsetCommit(KafkaReader r, int v) {
        boolean flex = v >= 8;
        if (v >= 3) {
            r.i32();
        }
        int topics = flex ? r.compactArrayLength() : r.arrayLength();
        int found = r.ok() && topics == 0 ? 0 : NO_CODE;
        for (int t = 0; t < topics && r.ok(); t++) {
            if (v >= 10) {
                r.skip(16);
            } else {
                r.skipString(flex);
            }
            int partitions = flex ? r.compactArrayLength() : r.arrayLength();
            for (int p = 0; p < partitions && r.ok(); p++) {
                r.i32();
                int code = r.i16();
                if (!r.ok()) {
                    break;
                }
                if (code != 0) {
                    return code;
                }
                found = 0;
                if (flex) {
                    r.skipTaggedFields();
                }
            }
            if (flex) {
                r.skipTaggedFields();
            }
        }
        return found;
    }

    /**
     * OffsetFetch v0-7: [throttle (v3+)] topics [name, partitions [index, offset, leader_epoch (v5+), metadata,
     * error_code]] error_code (v2+). v8+: throttle, groups [group_id, topics [name (v8-9) | topic_id (v10+),
     * partitions […]], error_code] — the first group only.
     */
    private static int offsetFetch(KafkaReader r, int v) {
        boolean flex = v >= 6;
        if (v >= 3) {
            r.i32();
        }
        if (v >= 8) {
            int groups = r.compactArrayLength();
            if (!r.ok() || groups == 0) {
                return r.ok() ? 0 : NO_CODE;
            }
            r.skipString(true); // group_id
        }
        int topics = flex ? r.compactArrayLength() : r.arrayLength();
        int found = r.ok() && topics == 0 ? 0 : NO_CODE;
        for (int t = 0; t < topics && r.ok(); t++) {
            if (v >= 10) {
                r.skip(16);
            } else {
                r.skipString(flex);
            }
            int partitions = flex ? r.compactArrayLength() : r.arrayLength();
            for (int p = 0; p < partitions && r.ok(); p++) {
                r.skip(v >= 5 ? 16 : 12); // partition_index, committed_offset, [committed_leader_epoch]
                r.skipString(flex); // metadata
                int code = r.i16();
                if (!r.ok()) {
                    break;
                }
                if (code != 0) {
                    return code;
                }
                found = 0;
                if (flex) {
                    r.skipTaggedFields();
                }
            }
            if (flex) {
                r.skipTaggedFields();
            }
        }
        if (v >= 2 && r.ok()) {
            int top = r.i16();
            if (r.ok()) {
                return top; // 0 here: no partition error either
            }
        }
        return found;
    }
}
