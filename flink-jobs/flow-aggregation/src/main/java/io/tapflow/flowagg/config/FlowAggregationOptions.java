package io.tapflow.flowagg.config;

import io.tapflow.flink.config.InvalidJobOptionsException;
import io.tapflow.flink.config.JobOption;
import io.tapflow.flink.config.JobOptions;
import io.tapflow.flink.config.PipelineOptions;
import io.tapflow.flowagg.reassembly.ReassemblyOptions;
import io.tapflow.protocols.ParserOptions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The flow-aggregation job's options (config file + flags, see {@link JobOptions}), validated before building. */
public final class FlowAggregationOptions {

    public static final String JOB = "flow-aggregation";

    public static final JobOption REQUEST_TIMEOUT = JobOption.duration("flow.request-timeout", "30s",
            "a request without response for this long is logged as TIMEOUT");
    public static final JobOption IDLE_TIMEOUT = JobOption.duration("flow.idle-timeout", "5m",
            "a flow without events for this long is finished (close type TIMEOUT) and its state freed");
    public static final JobOption CLOSE_GRACE = JobOption.duration("flow.close-grace", "2s",
            "wait after a close event for data events still in flight before finishing the flow");
    public static final JobOption FLOW_LOG_INTERVAL = JobOption.duration("flow.log-interval", "1m",
            "interval of the non-final L4 flow log emissions of a long-lived flow");
    public static final JobOption SERVICES = JobOption.list("services", "",
            "service names: comm=service or ip:port=service pairs, e.g. nginx=gateway,10.0.0.5:5432=orders-db");
    public static final List<JobOption> ALL = Stream.concat(PipelineOptions.declare(JOB).stream(),
            Stream.of(REQUEST_TIMEOUT, IDLE_TIMEOUT, CLOSE_GRACE, FLOW_LOG_INTERVAL, SERVICES)).toList();

    private final JobOptions options;

    private FlowAggregationOptions(JobOptions options) {
        this.options = options;
    }

    public static FlowAggregationOptions parse(String[] args) throws InvalidJobOptionsException {
        return new FlowAggregationOptions(JobOptions.parse(args, ALL));
    }

    public static FlowAggregationOptions of(Map<String, String> values) throws InvalidJobOptionsException {
        return new FlowAggregationOptions(JobOptions.fromMap(values, ALL));
    }

    public JobOptions raw() {
        return options;
    }

    /** Kafka, registry, ClickHouse, checkpoints, watermarks, parallelism: what every job has. */
    public PipelineOptions pipeline() {
        return PipelineOptions.of(options, JOB);
    }

    public ReassemblyOptions reassembly() throws InvalidJobOptionsException {
        Map<String, String> services = new LinkedHashMap<>();
        for (String pair : options.getList(SERVICES)) {
            int eq = pair.indexOf('=');
            if (eq <= 0 || eq == pair.length() - 1) {
                throw new InvalidJobOptionsException(List.of("services: expected name=service pairs, got '"
                        + pair + "'"));
            }
            services.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        ReassemblyOptions d = ReassemblyOptions.defaults();
        return new ReassemblyOptions(options.getDuration(REQUEST_TIMEOUT), options.getDuration(IDLE_TIMEOUT),
                options.getDuration(CLOSE_GRACE), options.getDuration(FLOW_LOG_INTERVAL), d.reorderWait(),
                d.maxHeldSegments(), d.maxPendingRequests(), d.maxPayloadBytes(), d.detectionAttempts(),
                d.minConfidence(), ParserOptions.DEFAULTS, services);
    }

    @Override
    public String toString() {
        return options.toString();
    }
}
