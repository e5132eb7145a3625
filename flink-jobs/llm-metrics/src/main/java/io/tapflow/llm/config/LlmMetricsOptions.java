package io.tapflow.llm.config;

import io.tapflow.flink.config.InvalidJobOptionsException;
import io.tapflow.flink.config.JobOption;
import io.tapflow.flink.config.JobOptions;
import io.tapflow.flink.config.PipelineOptions;
import io.tapflow.llm.LlmPipeline;
import io.tapflow.llm.assembly.AssemblyOptions;
import io.tapflow.llm.recognition.LlmEndpoints;
import io.tapflow.llm.recognition.TenantResolver;
import io.tapflow.schema.ObservationPoint;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The llm-metrics job's options (config file + flags, see {@link JobOptions}), validated before building. */
public final class LlmMetricsOptions {

    public static final String JOB = "llm-metrics";

    public static final JobOption ROUTES = JobOption.list("llm.routes", "",
            "extra LLM routes besides the built-in OpenAI/vLLM/TGI/Ollama ones, as provider:dialect:operation:regex"
                    + " (dialect openai|tgi|ollama), e.g. gw:openai:chat:/llm/[a-z]+/chat");
    public static final JobOption TENANT_HEADER = JobOption.string("llm.tenant-header", "",
            "request header naming the billing tenant; empty = bill by API key (Authorization: Bearer, x-api-key)");
    /** Named "secret" so that its value is masked wherever options are printed. */
    public static final JobOption TENANT_SALT = JobOption.string("llm.tenant-hash-secret", null,
            "salt of the tenant hash (SHA-256 of salt + header value or API key); keep it secret and stable, a new"
                    + " salt starts new tenant ids").asRequired();
    public static final JobOption PROMETHEUS_URL = JobOption.string("prometheus.remote-write-url", "",
            "Prometheus remote-write endpoint, e.g. http://prometheus:9090/api/v1/write; empty = no Prometheus"
                    + " output");
    public static final JobOption EXCHANGE_TIMEOUT = JobOption.duration("llm.exchange-timeout", "10m",
            "a request whose response has not ended this long after it started ends as TIMEOUT; 1-min rows and"
                    + " hourly usage wait this long for requests in flight");
    public static final JobOption IDLE_TIMEOUT = JobOption.duration("llm.idle-timeout", "15m",
            "a connection without events for this long is forgotten");
    public static final JobOption CLOSE_GRACE = JobOption.duration("llm.close-grace", "2s",
            "wait after a close event for data events still in flight before a still-open stream counts as cut");
    public static final JobOption USAGE_RETENTION = JobOption.duration("llm.usage-retention", "2h",
            "how long after an hour's first usage emission late requests still update it");
    public static final JobOption BILLED_AT = JobOption.string("llm.billing-observation-point", "SERVER_PROCESS",
            "whose requests are billed in llm_usage_hourly: SERVER_PROCESS (your inference servers, the default) or"
                    + " CLIENT_PROCESS (your applications calling an LLM API you do not host); requests of the other"
                    + " point are still in llm_requests and the metrics");
    public static final List<JobOption> ALL = Stream.concat(PipelineOptions.declare(JOB).stream(),
            Stream.of(ROUTES, TENANT_HEADER, TENANT_SALT, PROMETHEUS_URL, EXCHANGE_TIMEOUT, IDLE_TIMEOUT,
                    CLOSE_GRACE, USAGE_RETENTION, BILLED_AT)).toList();

    private final JobOptions options;

    private LlmMetricsOptions(JobOptions options) {
        this.options = options;
    }

    public static LlmMetricsOptions parse(String[] args) throws InvalidJobOptionsException {
        return validated(new LlmMetricsOptions(JobOptions.parse(args, ALL)));
    }

    public static LlmMetricsOptions of(Map<String, String> values) throws InvalidJobOptionsException {
        return validated(new LlmMetricsOptions(JobOptions.fromMap(values, ALL)));
    }

    /** Routes and timeouts are checked here, so a bad value fails the submission rather than the running job. */
    private static LlmMetricsOptions validated(LlmMetricsOptions o) throws InvalidJobOptionsException {
        o.assembly();
        o.billedAt();
        String url = o.prometheusUrl();
        if (!url.isEmpty() && !url.startsWith("http://") && !url.startsWith("https://")) {
            throw new InvalidJobOptionsException(List.of(PROMETHEUS_URL.name() + ": not an http(s) URL: " + url));
        }
        return o;
    }

    public JobOptions raw() {
        return options;
    }

    /** Kafka, registry, ClickHouse, checkpoints, watermarks, parallelism: what every job has. */
    public PipelineOptions pipeline() {
        return PipelineOptions.of(options, JOB);
    }

    public LlmEndpoints endpoints() throws InvalidJobOptionsException {
        try {
            return LlmEndpoints.withRoutes(options.getList(ROUTES));
        } catch (RuntimeException e) {
            throw new InvalidJobOptionsException(List.of(ROUTES.name() + ": " + e.getMessage()));
        }
    }

    public TenantResolver tenants() {
        return new TenantResolver(options.getString(TENANT_HEADER), options.required(TENANT_SALT));
    }

    public AssemblyOptions assembly() throws InvalidJobOptionsException {
        try {
            return AssemblyOptions.defaults(endpoints(), tenants()).withTimeouts(options.getDuration(EXCHANGE_TIMEOUT),
                    options.getDuration(IDLE_TIMEOUT), options.getDuration(CLOSE_GRACE));
        } catch (IllegalArgumentException e) {
            throw new InvalidJobOptionsException(List.of(e.getMessage()));
        }
    }

    public LlmPipeline.Settings pipelineSettings() {
        LlmPipeline.Settings d = LlmPipeline.Settings.DEFAULTS;
        return new LlmPipeline.Settings(options.getDuration(EXCHANGE_TIMEOUT), d.prometheusWindow(),
                d.prometheusHold(), options.getDuration(USAGE_RETENTION), d.prometheusIdle(), billedAtOrDefault());
    }

    private ObservationPoint billedAtOrDefault() {
        try {
            return billedAt();
        } catch (InvalidJobOptionsException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The observation point whose requests are billed. */
    public ObservationPoint billedAt() throws InvalidJobOptionsException {
        String value = options.getString(BILLED_AT).trim();
        if (value.equals(ObservationPoint.SERVER_PROCESS.name()) || value.equals(ObservationPoint.CLIENT_PROCESS.name())) {
            return ObservationPoint.valueOf(value);
        }
        throw new InvalidJobOptionsException(List.of(BILLED_AT.name() + ": SERVER_PROCESS or CLIENT_PROCESS, not '"
                + value + "'"));
    }

    /** The remote-write URL, or "" when there is no Prometheus output. */
    public String prometheusUrl() {
        String url = options.getString(PROMETHEUS_URL);
        return url == null ? "" : url.trim();
    }

    /** The options with their values, the salt masked: safe to log. */
    @Override
    public String toString() {
        return options.toString();
    }
}
