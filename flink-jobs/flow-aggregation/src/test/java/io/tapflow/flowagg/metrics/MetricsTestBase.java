package io.tapflow.flowagg.metrics;

import io.tapflow.schema.CloseType;
import io.tapflow.schema.FlowLog;
import io.tapflow.schema.IpFamily;
import io.tapflow.schema.L4Protocol;
import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.ResponseStatus;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskMetricGroup;
import org.apache.flink.runtime.metrics.util.TestingMetricRegistry;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * Named instants and fixture factories of the metric tests. Records are built with every contract field a real
 * request log or flow log from the reassembler carries; tests change only what they are about.
 */
abstract class MetricsTestBase {

    /** 2023-11-14T22:14:00Z: a minute (and second) boundary, in microseconds. */
    static final long T0_US = 1_700_000_040_000_000L;
    static final long T0_MS = T0_US / 1000;
    static final long SECOND_US = 1_000_000L;
    static final long MINUTE_US = 60 * SECOND_US;
    static final long SECOND_MS = 1000L;
    static final long MINUTE_MS = 60_000L;

    static final String FRONTEND = "frontend";
    static final String CART = "cart";

    /** A request from frontend to cart observed at the cart server, started {@code offsetUs} after T0. */
    static RequestLog request(long offsetUs, String endpoint, ResponseStatus status, Long durationUs) {
        return requestBuilder(offsetUs)
                .setEndpoint(endpoint)
                .setResponseStatus(status)
                .setResponseDurationUs(durationUs)
                .setEndTimeUs(T0_US + offsetUs + (durationUs == null ? 0 : durationUs))
                .build();
    }

    /** An OK request to GET /cart/{id} observed at the cart server; change what the test is about. */
    /** {@link #request}'s log as the metric stages see it. */
    static RequestSample sample(long offsetUs, String endpoint, ResponseStatus status, Long durationUs) {
        return RequestSample.of(request(offsetUs, endpoint, status, durationUs));
    }

    static RequestLog.Builder requestBuilder(long offsetUs) {
        long start = T0_US + offsetUs;
        return RequestLog.newBuilder()
                .setLogId(String.format("%032x", start))
                .setFlowId("0000000000000000000000000000f10a")
                .setAgentId("agent-1")
                .setStartTimeUs(start)
                .setEndTimeUs(start + 1_500)
                .setObservationPoint(ObservationPoint.SERVER_PROCESS)
                .setIpFamily(IpFamily.IPV4)
                .setL4Protocol(L4Protocol.TCP)
                .setClientIp("10.0.0.1")
                .setClientPort(41234)
                .setClientService(FRONTEND)
                .setServerIp("10.0.0.2")
                .setServerPort(8080)
                .setServerPid(4242)
                .setServerProcess("java")
                .setServerService(CART)
                .setL7Protocol(L7Protocol.HTTP1)
                .setVersion("1.1")
                .setRequestType("GET")
                .setRequestResource("/cart/42")
                .setEndpoint("/cart/{id}")
                .setResponseStatus(ResponseStatus.OK)
                .setResponseCode(200)
                .setRequestLength(120L)
                .setResponseLength(512L)
                .setResponseDurationUs(1_500L)
                .setSyscallTraceIdRequest(0)
                .setSyscallTraceIdResponse(0);
    }

    /**
     * Emission {@code sequence} of a frontend → cart:8080 flow observed at the client, started at T0 +
     * {@code startOffsetUs}, last event at T0 + {@code endOffsetUs}, with no traffic yet.
     */
    static FlowLog.Builder flowBuilder(String flowId, int sequence, long startOffsetUs, long endOffsetUs) {
        return FlowLog.newBuilder()
                .setFlowId(flowId)
                .setAgentId("agent-1")
                .setSocketId(77L)
                .setObservationPoint(ObservationPoint.CLIENT_PROCESS)
                .setIpFamily(IpFamily.IPV4)
                .setL4Protocol(L4Protocol.TCP)
                .setL7Protocol(L7Protocol.HTTP1)
                .setClientIp("10.0.0.1")
                .setClientPort(41234)
                .setClientPid(1111)
                .setClientProcess("node")
                .setClientService(FRONTEND)
                .setServerIp("10.0.0.2")
                .setServerPort(8080)
                .setServerService(CART)
                .setStartTimeUs(T0_US + startOffsetUs)
                .setEndTimeUs(T0_US + endOffsetUs)
                .setDurationUs(endOffsetUs - startOffsetUs)
                .setBytesClientToServer(0)
                .setBytesServerToClient(0)
                .setSyscallsClientToServer(0)
                .setSyscallsServerToClient(0)
                .setRetransmits(0)
                .setResets(0)
                .setIsFinal(false)
                .setSequence(sequence);
    }

    /** A flow's emission with traffic so far; final ones carry {@code closeType}. */
    static FlowLog flow(String flowId, int sequence, long endOffsetUs, long bytesOut, long bytesIn, Long srttUs,
            CloseType closeType) {
        return flowBuilder(flowId, sequence, 0, endOffsetUs)
                .setBytesClientToServer(bytesOut)
                .setBytesServerToClient(bytesIn)
                .setSyscallsClientToServer(bytesOut == 0 ? 0 : 1)
                .setSyscallsServerToClient(bytesIn == 0 ? 0 : 1)
                .setSrttUs(srttUs)
                .setCloseType(closeType)
                .setIsFinal(closeType != null)
                .build();
    }

    /**
     * A harness around {@code function} whose counters land in {@code counters} by name, as a metrics reporter
     * would see them. Set up but not yet opened, so a test may restore state first.
     */
    static <K, IN, OUT> KeyedOneInputStreamOperatorTestHarness<K, IN, OUT> harness(
            KeyedProcessFunction<K, IN, OUT> function, KeySelector<IN, K> keySelector, Class<K> keyClass,
            TypeInformation<OUT> outputType, Map<String, Counter> counters) throws Exception {
        TestingMetricRegistry registry = TestingMetricRegistry.builder()
                .setRegisterConsumer((metric, name, group) -> {
                    if (metric instanceof Counter counter) {
                        counters.put(name, counter);
                    }
                })
                .build();
        TaskMetricGroup taskGroup = TaskManagerMetricGroup
                .createTaskManagerMetricGroup(registry, "localhost", ResourceID.generate())
                .addJob(new JobID(), "flow-aggregation")
                .addTask(ExecutionAttemptID.randomId(), "metrics");
        MockEnvironment env = new MockEnvironmentBuilder().setMetricGroup(taskGroup).build();
        var harness = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(function), keySelector,
                TypeInformation.of(keyClass), env);
        // outputs are copied through this serializer, as between operators: the harness would guess Kryo/flink-avro
        harness.setup(outputType.createSerializer(new SerializerConfigImpl()));
        return harness;
    }
}
