package io.tapflow.flowagg;

import io.tapflow.collector.pcap.ReplayOptions;
import io.tapflow.flink.config.PipelineOptions;
import io.tapflow.flink.flow.RawEventStreams;
import io.tapflow.flowagg.config.FlowAggregationOptions;
import io.tapflow.flowagg.reassembly.FlowReassembler;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.util.MiniClusterWithClientResource;
import org.apache.flink.util.Collector;

/**
 * The input floor of {@code ./tapflow bench flow}: the input half of the flow-aggregation job alone, the least any
 * job on raw events does — the same Kafka source, Avro decode, watermarks and keyBy by flow at parallelism 1, into
 * an operator named like the reassembler that only counts each event in one keyed ValueState and emits nothing.
 * Measured like {@link FlowAggregationBench}'s throughput (same input, same metrics, same threads), so the two
 * figures compare: the job cannot sustain more raw events per CPU second than this floor on the same machine.
 */
public final class RawInputFloorBench {

    private RawInputFloorBench() {
    }

    public static void main(String[] args) throws Exception {
        long events = Long.parseLong(FlowAggregationBench.options(args).getOrDefault("events", "500000"));
        MiniClusterWithClientResource flink = FlowAggregationBench.startCluster();
        try (JobFixture fixture = JobFixture.start("flowagg_floor")) {
            System.out.printf("input floor: publishing %,d raw events of real traffic%n", events);
            long published = 0;
            for (int pass = 0; published < events; pass++) {
                GoldenTraffic.Traffic traffic = GoldenTraffic.goldens("fl" + pass,
                        ReplayOptions.defaults().withShiftToNow(true));
                fixture.publish(traffic.events());
                published += traffic.events().size();
            }
            FlowAggregationOptions options = fixture.options(Map.of("parallelism", "1", "checkpoint.interval", "10s"));
            StreamExecutionEnvironment env = flink.getTestStreamEnvironment();
            FlowAggregationJob.configure(env, options);
            env.setParallelism(1);
            PipelineOptions pipeline = options.pipeline();
            RawEventStreams raw = RawEventStreams.decode(new FlowAggregationJob.KafkaClickHouseIo(options)
                    .rawRecords(env), FlowReassembler.JOB, pipeline.registryConfig());
            raw.byFlow(pipeline.outOfOrderness(), pipeline.idleness())
                    .process(new CountPerFlow(), Types.LONG).name("flow reassembler (floor: count only)")
                    .sinkTo(new DiscardingSink<>()).name("discard");
            JobClient job = env.executeAsync("flow-aggregation-input-floor");
            double rate = FlowAggregationBench.throughput(new JobMetrics(flink.getMiniCluster(), job.getJobID()),
                    published);
            System.out.printf("  input floor: %,.0f raw events/s of wall time (the per-CPU-second figures above are"
                    + " what to compare with bench flow's)%n", rate);
            job.cancel().get(60, TimeUnit.SECONDS);
        } finally {
            flink.after();
        }
        System.exit(0);
    }

    /** Counts each event (the reassembler's counters, so the bench reads them alike) and once per flow in state. */
    static final class CountPerFlow extends KeyedCoProcessFunction<String, SocketDataEvent, TcpEvent, Long> {
        private transient ValueState<Long> seen;
        private transient Counter data;
        private transient Counter tcp;

        @Override
        public void open(OpenContext context) {
            seen = getRuntimeContext().getState(new ValueStateDescriptor<>("events-of-flow", Types.LONG));
            MetricGroup g = getRuntimeContext().getMetricGroup().addGroup("reassembly");
            data = g.counter("dataEvents");
            tcp = g.counter("tcpEvents");
        }

        @Override
        public void processElement1(SocketDataEvent e, Context ctx, Collector<Long> out) throws Exception {
            data.inc();
            count();
        }

        @Override
        public void processElement2(TcpEvent e, Context ctx, Collector<Long> out) throws Exception {
            tcp.inc();
            count();
        }

        private void count() throws Exception {
            Long n = seen.value();
            seen.update(n == null ? 1L : n + 1);
        }
    }
}
