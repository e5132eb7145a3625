package io.tapflow.protocols.kafka;

import io.tapflow.schema.ResponseStatus;

/**
 * Kafka error codes: their names (as {@code org.apache.kafka.common.protocol.Errors} of kafka-clients 4.2.0 spells
 * them, codes -1 to 133) and the response status each one means.
 *
 * <p>The status rule: 0 is {@link ResponseStatus#OK}. {@link ResponseStatus#SERVER_ERROR} is for the codes that say
 * the broker or cluster could not serve a well-formed request at that moment — an unexpected server error, a
 * leader, replica, coordinator or controller that is unavailable, moving or still loading, a timeout, a network or
 * storage failure, an in-flight transaction holding the data ({@link #SERVER} lists them). Every other code is
 * {@link ResponseStatus#CLIENT_ERROR}: the request was malformed, unsupported or too large, named a resource that
 * does not exist or that the principal may not use, or carried stale client state (unknown member, illegal
 * generation, rebalance in progress, fenced epochs, offsets out of range) — the client has to change something.
 * Codes newer than the table are SERVER_ERROR, as kafka-clients reads them as UNKNOWN_SERVER_ERROR.
 */
final class KafkaErrors {

    /** Highest code in the table. */
    static final int MAX_CODE = 133;

    /** Names of codes 1 to {@link #MAX_CODE}, at index code - 1. */
    private static final String[] NAMES = {
            "OFFSET_OUT_OF_RANGE", "CORRUPT_MESSAGE", "UNKNOWN_TOPIC_OR_PARTITION", "INVALID_FETCH_SIZE",
            "LEADER_NOT_AVAILABLE", "NOT_LEADER_OR_FOLLOWER", "REQUEST_TIMED_OUT", "BROKER_NOT_AVAILABLE",
            "REPLICA_NOT_AVAILABLE", "MESSAGE_TOO_LARGE", "STALE_CONTROLLER_EPOCH", "OFFSET_METADATA_TOO_LARGE",
            "NETWORK_EXCEPTION", "COORDINATOR_LOAD_IN_PROGRESS", "COORDINATOR_NOT_AVAILABLE", "NOT_COORDINATOR",
            "INVALID_TOPIC_EXCEPTION", "RECORD_LIST_TOO_LARGE", "NOT_ENOUGH_REPLICAS",
            "NOT_ENOUGH_REPLICAS_AFTER_APPEND", "INVALID_REQUIRED_ACKS", "ILLEGAL_GENERATION",
            "INCONSISTENT_GROUP_PROTOCOL", "INVALID_GROUP_ID", "UNKNOWN_MEMBER_ID", "INVALID_SESSION_TIMEOUT",
            "REBALANCE_IN_PROGRESS", "INVALID_COMMIT_OFFSET_SIZE", "TOPIC_AUTHORIZATION_FAILED",
            "GROUP_AUTHORIZATION_FAILED", "CLUSTER_AUTHORIZATION_FAILED", "INVALID_TIMESTAMP",
            "UNSUPPORTED_SASL_MECHANISM", "ILLEGAL_SASL_STATE", "UNSUPPORTED_VERSION", "TOPIC_ALREADY_EXISTS",
            "INVALID_PARTITIONS", "INVALID_REPLICATION_FACTOR", "INVALID_REPLICA_ASSIGNMENT", "INVALID_CONFIG",
            "NOT_CONTROLLER", "INVALID_REQUEST", "UNSUPPORTED_FOR_MESSAGE_FORMAT", "POLICY_VIOLATION",
            "OUT_OF_ORDER_SEQUENCE_NUMBER", "DUPLICATE_SEQUENCE_NUMBER", "INVALID_PRODUCER_EPOCH",
            "INVALID_TXN_STATE", "INVALID_PRODUCER_ID_MAPPING", "INVALID_TRANSACTION_TIMEOUT",
            "CONCURRENT_TRANSACTIONS", "TRANSACTION_COORDINATOR_FENCED", "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
            "SECURITY_DISABLED", "OPERATION_NOT_ATTEMPTED", "KAFKA_STORAGE_ERROR", "LOG_DIR_NOT_FOUND",
            "SASL_AUTHENTICATION_FAILED", "UNKNOWN_PRODUCER_ID", "REASSIGNMENT_IN_PROGRESS",
            "DELEGATION_TOKEN_AUTH_DISABLED", "DELEGATION_TOKEN_NOT_FOUND", "DELEGATION_TOKEN_OWNER_MISMATCH",
            "DELEGATION_TOKEN_REQUEST_NOT_ALLOWED", "DELEGATION_TOKEN_AUTHORIZATION_FAILED",
            "DELEGATION_TOKEN_EXPIRED", "INVALID_PRINCIPAL_TYPE", "NON_EMPTY_GROUP", "GROUP_ID_NOT_FOUND",
            "FETCH_SESSION_ID_NOT_FOUND", "INVALID_FETCH_SESSION_EPOCH", "LISTENER_NOT_FOUND",
            "TOPIC_DELETION_DISABLED", "FENCED_LEADER_EPOCH", "UNKNOWN_LEADER_EPOCH",
            "UNSUPPORTED_COMPRESSION_TYPE", "STALE_BROKER_EPOCH", "OFFSET_NOT_AVAILABLE", "MEMBER_ID_REQUIRED",
            "PREFERRED_LEADER_NOT_AVAILABLE", "GROUP_MAX_SIZE_REACHED", "FENCED_INSTANCE_ID",
            "ELIGIBLE_LEADERS_NOT_AVAILABLE", "ELECTION_NOT_NEEDED", "NO_REASSIGNMENT_IN_PROGRESS",
            "GROUP_SUBSCRIBED_TO_TOPIC", "INVALID_RECORD", "UNSTABLE_OFFSET_COMMIT", "THROTTLING_QUOTA_EXCEEDED",
            "PRODUCER_FENCED", "RESOURCE_NOT_FOUND", "DUPLICATE_RESOURCE", "UNACCEPTABLE_CREDENTIAL",
            "INCONSISTENT_VOTER_SET", "INVALID_UPDATE_VERSION", "FEATURE_UPDATE_FAILED",
            "PRINCIPAL_DESERIALIZATION_FAILURE", "SNAPSHOT_NOT_FOUND", "POSITION_OUT_OF_RANGE", "UNKNOWN_TOPIC_ID",
            "DUPLICATE_BROKER_REGISTRATION", "BROKER_ID_NOT_REGISTERED", "INCONSISTENT_TOPIC_ID",
            "INCONSISTENT_CLUSTER_ID", "TRANSACTIONAL_ID_NOT_FOUND", "FETCH_SESSION_TOPIC_ID_ERROR",
            "INELIGIBLE_REPLICA", "NEW_LEADER_ELECTED", "OFFSET_MOVED_TO_TIERED_STORAGE", "FENCED_MEMBER_EPOCH",
            "UNRELEASED_INSTANCE_ID", "UNSUPPORTED_ASSIGNOR", "STALE_MEMBER_EPOCH", "MISMATCHED_ENDPOINT_TYPE",
            "UNSUPPORTED_ENDPOINT_TYPE", "UNKNOWN_CONTROLLER_ID", "UNKNOWN_SUBSCRIPTION_ID", "TELEMETRY_TOO_LARGE",
            "INVALID_REGISTRATION", "TRANSACTION_ABORTABLE", "INVALID_RECORD_STATE", "SHARE_SESSION_NOT_FOUND",
            "INVALID_SHARE_SESSION_EPOCH", "FENCED_STATE_EPOCH", "INVALID_VOTER_KEY", "DUPLICATE_VOTER",
            "VOTER_NOT_FOUND", "INVALID_REGULAR_EXPRESSION", "REBOOTSTRAP_REQUIRED", "STREAMS_INVALID_TOPOLOGY",
            "STREAMS_INVALID_TOPOLOGY_EPOCH", "STREAMS_TOPOLOGY_FENCED", "SHARE_SESSION_LIMIT_REACHED"
    };

    /** The broker-side codes; see the class comment. */
    private static final int[] SERVER = {
            -1, // UNKNOWN_SERVER_ERROR
            5, 6, 7, // LEADER_NOT_AVAILABLE, NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT
            8, 9, // BROKER_NOT_AVAILABLE, REPLICA_NOT_AVAILABLE
            13, 14, // NETWORK_EXCEPTION, COORDINATOR_LOAD_IN_PROGRESS
            15, 16, // COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR
            19, 20, 41, 51, // NOT_ENOUGH_REPLICAS(_AFTER_APPEND), NOT_CONTROLLER, CONCURRENT_TRANSACTIONS
            56, 72, 75, 78, // KAFKA_STORAGE_ERROR, LISTENER_NOT_FOUND, UNKNOWN_LEADER_EPOCH, OFFSET_NOT_AVAILABLE
            80, 83, 88, 108, // PREFERRED_/ELIGIBLE_LEADERS_NOT_AVAILABLE, UNSTABLE_OFFSET_COMMIT, NEW_LEADER_ELECTED
            116, 133 // UNKNOWN_CONTROLLER_ID, SHARE_SESSION_LIMIT_REACHED
    };

    private static final boolean[] IS_SERVER = new boolean[MAX_CODE + 2];

    static {
        for (int code : SERVER) {
            IS_SERVER[code + 1] = true;
        }
    }

    private KafkaErrors() {
    }

    /** The error's name, {@code NONE} for 0, {@code ERROR_<code>} for codes newer than the table. */
    static String name(int code) {
        if (code == 0) {
            return "NONE";
        }
        if (code == -1) {
            return "UNKNOWN_SERVER_ERROR";
        }
        return code >= 1 && code <= MAX_CODE ? NAMES[code - 1] : "ERROR_" + code;
    }

    /** The status a response carrying this code has; see the class comment. */
    static ResponseStatus status(int code) {
        if (code == 0) {
            return ResponseStatus.OK;
        }
        if (code < -1 || code > MAX_CODE) {
            return ResponseStatus.SERVER_ERROR;
        }
        return IS_SERVER[code + 1] ? ResponseStatus.SERVER_ERROR : ResponseStatus.CLIENT_ERROR;
    }
}
