package io.tapflow.demo;

import io.tapflow.demo.traffic.TrafficRecord;
import io.tapflow.localstack.clickhouse.ClickHouseHttp;
import io.tapflow.localstack.query.QueryMain;
import java.io.PrintStream;
import java.util.List;

/**
 * The demo's output: each section printed by {@code ./tapflow query} itself (the same views a user runs next),
 * then the numbers of {@link ResultCheck} — what the demo sent beside what the tables show — and what to run next.
 */
final class DemoReport {

    private final ClickHouseHttp clickhouse;
    private final String url;
    private final PrintStream out;

    DemoReport(ClickHouseHttp clickhouse, String url, PrintStream out) {
        this.clickhouse = clickhouse;
        this.url = url;
        this.out = out;
    }

    /** Prints every section; returns the id of the trace it showed (null when there was none). */
    String print(TrafficRecord sent, ResultCheck check) {
        // the views over the minutes of this run only, so that earlier runs on the same stack do not add up
        String minutes = Long.toString((System.currentTimeMillis() - check.sinceUs() / 1000) / 60_000 + 2);
        section("Service map: RED per edge, as each end saw it", "map", "--minutes", minutes);
        section("Top endpoints by errors and latency", "red", "--minutes", minutes);
        // the latest complete checkout: the whole chain (both services, Redis and PostgreSQL) in one trace; else the
        // largest trace there is
        List<String[]> trace = clickhouse.rows("SELECT trace_id FROM traces FINAL WHERE start_time_us >= "
                + check.sinceUs() + " ORDER BY root_endpoint = '/api/checkout' AND error_count = 0 AND complete = 1"
                + " DESC, start_time_us DESC LIMIT 1");
        String traceId = trace.isEmpty() ? null : trace.get(0)[0];
        if (traceId != null) {
            section("One assembled trace", "trace", traceId);
        } else {
            out.println("\n== One assembled trace: none in the traces table yet");
        }
        section("LLM serving per model: TTFT and TPOT", "llm", "--minutes", minutes);
        section("Billable LLM usage per tenant, model and hour (llm_usage_hourly gets this hour once it has closed)",
                "billing", "--minutes", minutes);
        out.println("\n== Checked against what the demo sent");
        for (ResultCheck.Line line : check.lines(sent)) {
            out.printf("  %-4s %-58s sent %6d  shown %6s  %s%n", line.section(), line.what(), line.sent(),
                    line.shown() == null ? "-" : line.shown().toString(), line.matches() ? "ok" : "DIFFERS");
        }
        out.println("\n== Query further");
        DemoMain.nextSteps().forEach(s -> out.println("  " + s));
        return traceId;
    }

    private void section(String title, String... view) {
        out.println("\n== " + title + "   (./tapflow query " + String.join(" ", view) + ")");
        String[] args = new String[view.length + 2];
        System.arraycopy(view, 0, args, 0, view.length);
        args[view.length] = "--clickhouse";
        args[view.length + 1] = url;
        QueryMain.run(args, out, out);
    }
}
