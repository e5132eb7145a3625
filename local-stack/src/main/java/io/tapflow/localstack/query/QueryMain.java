package io.tapflow.localstack.query;

import io.tapflow.localstack.clickhouse.ClickHouseHttp;
import io.tapflow.localstack.stack.LocalStack;
import io.tapflow.localstack.stack.StackState;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code ./tapflow query map | red | traces | trace <id> [--otlp] | llm | usage}: tapflow's tables read the way the
 * README tells users to (FINAL on the ReplacingMergeTrees, one observation point per row), printed as tables.
 * Reads the local stack's ClickHouse unless {@code --clickhouse URL} names another. Exit codes: 0, 1 on a failed
 * query (ClickHouse's message on stderr), 2 usage, 3 no ClickHouse to read.
 */
public final class QueryMain {

    static final String USAGE = """
            Usage: ./tapflow query map | red | traces | trace <trace-id> [--otlp] | llm | usage | billing  [options]

              map      service-map edges with RED per edge (flow-aggregation, app_map_1m)
              red      the top endpoints by errors and latency (app_metrics_1m)
              traces   the latest assembled traces (trace-assembly, traces)
              trace ID one trace as an indented tree with timings; --otlp prints OTLP/JSON for Jaeger/Tempo
              llm      LLM serving per service and model: TTFT/TPOT p50/p95, tokens, throughput (llm_requests)
              usage    billable tokens per tenant, model and hour (llm_usage_hourly; an hour appears once it closed)
              billing  the same sums from llm_requests, the hour still open included (what usage will bill)

            Options:
              --minutes N          only the last N minutes [all]
              --clickhouse URL     ClickHouse HTTP endpoint [the local stack's, see ./tapflow status]
              --database DB        [tapflow]
              --user USER          [default]   --password PASSWORD (or $TAPFLOW_CLICKHOUSE_PASSWORD)
            """;
    private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*m");

    private QueryMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one query command ({@code args} as on the command line); returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || List.of("-h", "--help").contains(args[0])) {
            out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String view = args[0];
        List<String> positional = new ArrayList<>();
        String url = null;
        String database = LocalStack.DATABASE;
        String user = "default";
        String password = System.getenv().getOrDefault("TAPFLOW_CLICKHOUSE_PASSWORD", "");
        long minutes = 0;
        boolean otlp = false;
        try {
            for (int i = 1; i < args.length; i++) {
                switch (args[i]) {
                    case "--clickhouse" -> url = value(args, ++i);
                    case "--database" -> database = value(args, ++i);
                    case "--user" -> user = value(args, ++i);
                    case "--password" -> password = value(args, ++i);
                    case "--minutes" -> minutes = Long.parseLong(value(args, ++i));
                    case "--otlp" -> otlp = true;
                    default -> {
                        if (args[i].startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + args[i]);
                        }
                        positional.add(args[i]);
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.print(USAGE);
            return 2;
        }
        if (url == null) {
            Path stack = Path.of(System.getProperty("tapflow.home", ".")).resolve(".tapflow").resolve("stack");
            var state = StackState.read(stack).filter(StackState::alive);
            if (state.isEmpty()) {
                err.println("no local stack is running (./tapflow up), and no --clickhouse URL was given");
                return 3;
            }
            url = state.get().endpoints().get("clickhouse");
        }
        ClickHouseHttp clickhouse = new ClickHouseHttp(url, database, user, password);
        try {
            switch (view) {
                case "map", "red", "traces", "llm", "usage", "billing" -> out.print(plain(clickhouse.query(
                        Views.sql(view, minutes) + " FORMAT PrettyCompactMonoBlock")));
                case "trace" -> {
                    if (positional.size() != 1 || !TRACE_ID.matcher(positional.get(0)).matches()) {
                        err.println("trace needs one trace id: 32 lower-case hex characters (see ./tapflow query"
                                + " traces)");
                        return 2;
                    }
                    List<TraceView.Span> spans = clickhouse.rows("SELECT " + TraceView.COLUMNS + " FROM spans FINAL"
                            + " WHERE trace_id = '" + positional.get(0) + "' ORDER BY start_time_us").stream()
                            .map(TraceView::span).toList();
                    if (spans.isEmpty()) {
                        err.println("no trace " + positional.get(0) + " in " + database + ".spans");
                        return 1;
                    }
                    out.print(otlp ? TraceView.otlp(spans) + "\n" : TraceView.tree(spans));
                }
                default -> {
                    err.println("unknown view " + view);
                    err.print(USAGE);
                    return 2;
                }
            }
        } catch (IllegalStateException e) {
            err.println(e.getMessage());
            return 1;
        }
        return 0;
    }

    /**
     * The table without the ANSI bold codes ClickHouse puts around column names (older servers have no setting to
     * turn them off): they are noise in a file or a pipe, and terminals show the table fine without them.
     */
    static String plain(String table) {
        return ANSI.matcher(table).replaceAll("");
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }
}
