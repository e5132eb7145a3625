package io.tapflow.flowagg.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.flink.serde.AvroSpecificTypeInfo;
import io.tapflow.schema.CloseType;
import io.tapflow.schema.FlowLog;
import io.tapflow.schema.NetMetric;
import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.RedMetric;
import io.tapflow.schema.RequestLog;
import io.tapflow.schema.ResponseStatus;
import io.tapflow.schema.ServiceMapEdge;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The three metric stages as {@link FlowMetrics} wires them, at parallelism 2 without generic (Kryo) types, over a
 * bounded stream whose counts are known; run twice to show a replay yields byte-identical rows.
 */
class FlowMetricsITCase extends MetricsTestBase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(() -> new MiniClusterResourceConfiguration
            .Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    /** The rows and late inputs of one run. */
    private record Run(List<RedMetric> red1s, List<RedMetric> red1m, List<ServiceMapEdge> map1m,
            List<NetMetric> net1m, List<RequestSample> lateRequests, List<FlowLog> lateFlows) {
    }

    @Test
    void metricStagesCountABoundedStreamExactlyAndReplayIdentically() throws Exception {
        Run run = run();

        // RED, 1 s: cart's 30 server-side requests, 10 per second, plus the one from an unknown client at 3.5 s
        List<RedMetric> cart1s = run.red1s().stream()
                .filter(r -> r.getObservationPoint() == ObservationPoint.SERVER_PROCESS)
                .sorted(Comparator.comparingLong(RedMetric::getWindowStartMs)).toList();
        assertThat(cart1s).extracting(RedMetric::getWindowStartMs)
                .containsExactly(T0_MS, T0_MS + 1_000, T0_MS + 2_000, T0_MS + 3_000);
        assertThat(cart1s).extracting(RedMetric::getService).containsOnly(CART);
        assertThat(cart1s).extracting(RedMetric::getRequests).containsExactly(10L, 10L, 10L, 1L);
        assertThat(cart1s).extracting(RedMetric::getClientErrors).containsExactly(1L, 1L, 1L, 0L);
        assertThat(cart1s).extracting(RedMetric::getServerErrors).containsExactly(1L, 1L, 1L, 0L);
        assertThat(cart1s).extracting(RedMetric::getTimeouts).containsExactly(0L, 1L, 0L, 0L);
        assertThat(cart1s).extracting(RedMetric::getLatencyCount).containsExactly(10L, 9L, 10L, 1L);
        assertThat(cart1s.get(0).getLatencySumUs()).isEqualTo(10 * 1_000 + 10 * 45);
        assertThat(cart1s.get(0).getLatencyMaxUs()).isEqualTo(1_090);
        assertThat(run.red1s()).filteredOn(r -> r.getObservationPoint() == ObservationPoint.CLIENT_PROCESS)
                .hasSize(5)
                .allSatisfy(r -> {
                    assertThat(r.getService()).isEqualTo(FRONTEND);
                    assertThat(r.getEndpoint()).isEqualTo("/checkout");
                    assertThat(r.getRequests()).isEqualTo(1);
                });

        // RED, 1 min
        assertThat(run.red1m()).hasSize(2);
        RedMetric cart1m = only(run.red1m(), r -> r.getService().equals(CART));
        assertThat(cart1m.getWindowStartMs()).isEqualTo(T0_MS);
        assertThat(cart1m.getWindowSizeMs()).isEqualTo(MINUTE_MS);
        assertThat(cart1m.getRequests()).isEqualTo(31);
        assertThat(cart1m.getClientErrors()).isEqualTo(3);
        assertThat(cart1m.getServerErrors()).isEqualTo(3);
        assertThat(cart1m.getTimeouts()).isEqualTo(1);
        assertThat(cart1m.getLatencyCount()).isEqualTo(30);
        assertThat(LatencySketch.fromBytes(cart1m.getLatencySketch()).getCount()).isEqualTo(30);
        RedMetric frontend1m = only(run.red1m(), r -> r.getService().equals(FRONTEND));
        assertThat(frontend1m.getWindowStartMs()).isEqualTo(T0_MS + MINUTE_MS);
        assertThat(frontend1m.getRequests()).isEqualTo(5);

        // service map, 1 min
        assertThat(run.map1m()).hasSize(3);
        ServiceMapEdge serverSide = only(run.map1m(), e -> e.getClientService().equals(FRONTEND)
                && e.getObservationPoint() == ObservationPoint.SERVER_PROCESS);
        assertThat(serverSide.getServerService()).isEqualTo(CART);
        assertThat(serverSide.getRequests()).isEqualTo(30);
        assertThat(serverSide.getTimeouts()).isEqualTo(1);
        assertThat(only(run.map1m(), e -> e.getClientService().equals("10.0.0.9")).getRequests()).isEqualTo(1);
        assertThat(only(run.map1m(), e -> e.getObservationPoint() == ObservationPoint.CLIENT_PROCESS).getRequests())
                .isEqualTo(5);

        // net, 1 min
        assertThat(run.net1m()).hasSize(3);
        NetMetric cartFirst = only(run.net1m(), n -> n.getServerPort() == 8080 && n.getWindowStartMs() == T0_MS);
        assertThat(cartFirst.getNewFlows()).isEqualTo(2);
        assertThat(cartFirst.getClosedFlows()).isEqualTo(1);
        assertThat(cartFirst.getConnectFailures()).isEqualTo(1);
        assertThat(cartFirst.getBytesClientToServer()).isEqualTo(100);
        assertThat(cartFirst.getBytesServerToClient()).isEqualTo(200);
        assertThat(cartFirst.getConnectLatencyCount()).isEqualTo(1);
        assertThat(cartFirst.getConnectLatencySumUs()).isEqualTo(300);
        assertThat(cartFirst.getSrttCount()).isEqualTo(1);
        assertThat(cartFirst.getSrttMaxUs()).isEqualTo(50);
        NetMetric cartSecond = only(run.net1m(), n -> n.getServerPort() == 8080 && n.getWindowStartMs() > T0_MS);
        assertThat(cartSecond.getWindowStartMs()).isEqualTo(T0_MS + MINUTE_MS);
        assertThat(cartSecond.getNewFlows()).isZero();
        assertThat(cartSecond.getClosedFlows()).isEqualTo(1);
        assertThat(cartSecond.getBytesServerToClient()).isEqualTo(400);
        assertThat(cartSecond.getRetransmits()).isEqualTo(2);
        assertThat(cartSecond.getResets()).isEqualTo(1);
        assertThat(cartSecond.getSrttSumUs()).isEqualTo(60);
        NetMetric redis = only(run.net1m(), n -> n.getServerPort() == 6379);
        assertThat(redis.getServerService()).isEqualTo("redis");
        assertThat(redis.getNewFlows()).isEqualTo(1);
        assertThat(redis.getClosedFlows()).isEqualTo(1);
        assertThat(redis.getBytesClientToServer()).isEqualTo(30);
        assertThat(redis.getBytesServerToClient()).isEqualTo(60);

        // the late request is late for each of the three request-log stages; the late flow log once
        assertThat(run.lateRequests()).hasSize(3).extracting(RequestSample::startTimeUs).containsOnly(T0_US + 500_000);
        assertThat(run.lateFlows()).singleElement().satisfies(f -> assertThat(f.getFlowId()).isEqualTo("late"));

        Run replay = run();
        assertThat(bytesOf(replay.red1s())).isEqualTo(bytesOf(run.red1s()));
        assertThat(bytesOf(replay.red1m())).isEqualTo(bytesOf(run.red1m()));
        assertThat(bytesOf(replay.map1m())).isEqualTo(bytesOf(run.map1m()));
        assertThat(bytesOf(replay.net1m())).isEqualTo(bytesOf(run.net1m()));
    }

    private static Run run() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.configure(new Configuration().set(PipelineOptions.GENERIC_TYPES, false));
        assertThat(env.getConfig().getSerializerConfig().hasGenericTypesDisabled()).isTrue();
        env.setParallelism(2);

        // one source subtask with a watermark after every record: lateness is then decided by the input order
        DataStream<RequestLog> requests = env
                .fromData(requestLogs(), AvroSpecificTypeInfo.forRecord(RequestLog.class)).setParallelism(1)
                .assignTimestampsAndWatermarks(watermarkPerRecord((r, ts) -> r.getStartTimeUs() / 1000))
                .setParallelism(1);
        DataStream<FlowLog> flows = env
                .fromData(flowLogs(), AvroSpecificTypeInfo.forRecord(FlowLog.class)).setParallelism(1)
                .assignTimestampsAndWatermarks(watermarkPerRecord((f, ts) -> f.getEndTimeUs() / 1000))
                .setParallelism(1);

        DataStream<RequestSample> samples = FlowMetrics.samples(requests);
        MetricStage<RedMetric, RequestSample> red1s = FlowMetrics.red(samples, Duration.ofSeconds(1));
        MetricStage<RedMetric, RequestSample> red1m = FlowMetrics.red(samples, Duration.ofMinutes(1));
        MetricStage<ServiceMapEdge, RequestSample> map1m = FlowMetrics.serviceMap(samples, Duration.ofMinutes(1));
        MetricStage<NetMetric, FlowLog> net1m = FlowMetrics.net(flows, Duration.ofMinutes(1));

        try (CloseableIterator<RedMetric> red1sRows = red1s.metrics().collectAsync();
                CloseableIterator<RedMetric> red1mRows = red1m.metrics().collectAsync();
                CloseableIterator<ServiceMapEdge> mapRows = map1m.metrics().collectAsync();
                CloseableIterator<NetMetric> netRows = net1m.metrics().collectAsync();
                CloseableIterator<RequestSample> lateRequests = red1s.lateInputs()
                        .union(red1m.lateInputs(), map1m.lateInputs()).collectAsync();
                CloseableIterator<FlowLog> lateFlows = net1m.lateInputs().collectAsync()) {
            env.execute("flow-metrics-itcase");
            return new Run(drain(red1sRows), drain(red1mRows), drain(mapRows), drain(netRows),
                    drain(lateRequests), drain(lateFlows));
        }
    }

    /** Requests in start-time order, then one whose windows have all fired. */
    private static List<RequestLog> requestLogs() {
        List<RequestLog> logs = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            ResponseStatus status = switch (i % 10) {
                case 8 -> ResponseStatus.CLIENT_ERROR;
                case 9 -> ResponseStatus.SERVER_ERROR;
                default -> i == 15 ? ResponseStatus.TIMEOUT : ResponseStatus.OK;
            };
            Long duration = status == ResponseStatus.TIMEOUT ? null : 1_000L + i % 10 * 10;
            logs.add(request(i * 100_000L, "/cart/{id}", status, duration));
        }
        logs.add(requestBuilder(3_500_000).setClientIp("10.0.0.9").setClientService(null).build());
        for (int s = 61; s <= 65; s++) {
            logs.add(requestBuilder(s * SECOND_US).setObservationPoint(ObservationPoint.CLIENT_PROCESS)
                    .setClientPid(1111).setClientProcess("node").setServerPid(null).setServerProcess(null)
                    .setEndpoint("/checkout").setRequestResource("/checkout").setRequestType("POST").build());
        }
        logs.add(request(500_000, "/cart/{id}", ResponseStatus.OK, 1_000L));
        return logs;
    }

    /** Flow emissions in end-time order, then one from a window that has fired. */
    private static List<FlowLog> flowLogs() {
        return List.of(
                flowBuilder("f2", 0, 0, 3 * SECOND_US).setCloseType(CloseType.CONNECT_FAILED).setIsFinal(true).build(),
                flowBuilder("f1", 0, 0, 10 * SECOND_US).setBytesClientToServer(100).setBytesServerToClient(200)
                        .setSrttUs(50L).setConnectLatencyUs(300L).build(),
                flowBuilder("f3", 0, 15 * SECOND_US, 20 * SECOND_US).setServerPort(6379).setServerService("redis")
                        .setBytesClientToServer(10).setBytesServerToClient(20).build(),
                flowBuilder("f3", 1, 15 * SECOND_US, 30 * SECOND_US).setServerPort(6379).setServerService("redis")
                        .setBytesClientToServer(30).setBytesServerToClient(60)
                        .setCloseType(CloseType.NORMAL).setIsFinal(true).build(),
                flowBuilder("f1", 1, 0, 70 * SECOND_US).setBytesClientToServer(150).setBytesServerToClient(500)
                        .setSrttUs(50L).setConnectLatencyUs(300L).setRetransmits(2).build(),
                flowBuilder("f1", 2, 0, 75 * SECOND_US).setBytesClientToServer(150).setBytesServerToClient(600)
                        .setSrttUs(60L).setConnectLatencyUs(300L).setRetransmits(2).setResets(1)
                        .setCloseType(CloseType.RESET).setIsFinal(true).build(),
                flowBuilder("late", 0, 0, 40 * SECOND_US).setBytesClientToServer(1).build());
    }

    /** Event time from the record, a watermark one millisecond behind each record (none periodic). */
    private static <T> WatermarkStrategy<T> watermarkPerRecord(SerializableTimestampAssigner<T> timestamps) {
        return WatermarkStrategy.<T>forGenerator(ctx -> new WatermarkGenerator<T>() {
            @Override
            public void onEvent(T event, long timestamp, WatermarkOutput output) {
                output.emitWatermark(new Watermark(timestamp - 1));
            }

            @Override
            public void onPeriodicEmit(WatermarkOutput output) {
            }
        }).withTimestampAssigner(timestamps);
    }

    private static <T> List<T> drain(CloseableIterator<T> rows) {
        List<T> all = new ArrayList<>();
        rows.forEachRemaining(all::add);
        return all;
    }

    private static <T> T only(List<T> rows, Predicate<T> match) {
        List<T> matching = rows.stream().filter(match).toList();
        assertThat(matching).hasSize(1);
        return matching.get(0);
    }

    /** The Avro binary of each row, sorted: rows from parallel subtasks arrive in any order. */
    private static List<String> bytesOf(List<? extends SpecificRecordBase> rows) {
        return rows.stream().map(row -> HexFormat.of().formatHex(avroBinary(row))).sorted().toList();
    }

    private static byte[] avroBinary(SpecificRecordBase row) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new SpecificDatumWriter<SpecificRecordBase>(row.getSchema()).write(row, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
