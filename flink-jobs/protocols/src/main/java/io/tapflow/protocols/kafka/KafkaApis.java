package io.tapflow.protocols.kafka;

/**
 * The Kafka request API keys up to Kafka 4.2 and the first version of each API that uses the flexible encoding
 * (KIP-482: compact strings and arrays, tagged fields, request header v2). Generated from
 * {@code org.apache.kafka.common.protocol.ApiKeys} of kafka-clients 4.2.0; keys 4-7 (inter-broker APIs removed in
 * 4.0) and the always-flexible APIs whose v0 4.2 no longer accepts (56, 76-79) come from the older message specs.
 */
final class KafkaApis {

    static final int PRODUCE = 0;
    static final int FETCH = 1;
    static final int LIST_OFFSETS = 2;
    static final int METADATA = 3;
    static final int OFFSET_COMMIT = 8;
    static final int OFFSET_FETCH = 9;
    static final int FIND_COORDINATOR = 10;
    static final int JOIN_GROUP = 11;
    static final int HEARTBEAT = 12;
    static final int LEAVE_GROUP = 13;
    static final int SYNC_GROUP = 14;
    static final int API_VERSIONS = 18;
    static final int INIT_PRODUCER_ID = 22;

    /** API names as the protocol guide spells them, indexed by api key. */
    private static final String[] NAMES = {
            "Produce", "Fetch", "ListOffsets", "Metadata", "LeaderAndIsr", "StopReplica", "UpdateMetadata",
            "ControlledShutdown", "OffsetCommit", "OffsetFetch", "FindCoordinator", "JoinGroup", "Heartbeat",
            "LeaveGroup", "SyncGroup", "DescribeGroups", "ListGroups", "SaslHandshake", "ApiVersions",
            "CreateTopics", "DeleteTopics", "DeleteRecords", "InitProducerId", "OffsetForLeaderEpoch",
            "AddPartitionsToTxn", "AddOffsetsToTxn", "EndTxn", "WriteTxnMarkers", "TxnOffsetCommit",
            "DescribeAcls", "CreateAcls", "DeleteAcls", "DescribeConfigs", "AlterConfigs", "AlterReplicaLogDirs",
            "DescribeLogDirs", "SaslAuthenticate", "CreatePartitions", "CreateDelegationToken",
            "RenewDelegationToken", "ExpireDelegationToken", "DescribeDelegationToken", "DeleteGroups",
            "ElectLeaders", "IncrementalAlterConfigs", "AlterPartitionReassignments", "ListPartitionReassignments",
            "OffsetDelete", "DescribeClientQuotas", "AlterClientQuotas", "DescribeUserScramCredentials",
            "AlterUserScramCredentials", "Vote", "BeginQuorumEpoch", "EndQuorumEpoch", "DescribeQuorum",
            "AlterPartition", "UpdateFeatures", "Envelope", "FetchSnapshot", "DescribeCluster",
            "DescribeProducers", "BrokerRegistration", "BrokerHeartbeat", "UnregisterBroker",
            "DescribeTransactions", "ListTransactions", "AllocateProducerIds", "ConsumerGroupHeartbeat",
            "ConsumerGroupDescribe", "ControllerRegistration", "GetTelemetrySubscriptions", "PushTelemetry",
            "AssignReplicasToDirs", "ListConfigResources", "DescribeTopicPartitions", "ShareGroupHeartbeat",
            "ShareGroupDescribe", "ShareFetch", "ShareAcknowledge", "AddRaftVoter", "RemoveRaftVoter",
            "UpdateRaftVoter", "InitializeShareGroupState", "ReadShareGroupState", "WriteShareGroupState",
            "DeleteShareGroupState", "ReadShareGroupStateSummary", "StreamsGroupHeartbeat", "StreamsGroupDescribe",
            "DescribeShareGroupOffsets", "AlterShareGroupOffsets", "DeleteShareGroupOffsets"
    };

    /** First flexible version per api key; {@link Short#MAX_VALUE} for APIs that are never flexible. */
    private static final short[] FIRST_FLEXIBLE = {
            9, 12, 6, 9, 4, 2, 6, 3, 8, 6, 3, 6, 4, 4, 4, 5, 3, Short.MAX_VALUE, 3, 5, 4, 2, 2, 4, 3, 3, 3, 1, 3,
            2, 2, 2, 4, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 0, 0, Short.MAX_VALUE, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    };

    private KafkaApis() {
    }

    /** True for the api keys of the table (0 to the highest key Kafka 4.2 knows). */
    static boolean known(int apiKey) {
        return apiKey >= 0 && apiKey < NAMES.length;
    }

    /** The API name, or {@code ApiKey<n>} for keys newer than the table. */
    static String name(int apiKey) {
        return known(apiKey) ? NAMES[apiKey] : "ApiKey" + apiKey;
    }

    /** Whether a request of this api key and version uses the flexible encoding (request header v2). */
    static boolean flexible(int apiKey, int apiVersion) {
        // keys newer than the table are all flexible: every API added since Kafka 2.4 is flexible from v0
        return !known(apiKey) || apiVersion >= FIRST_FLEXIBLE[apiKey];
    }
}
