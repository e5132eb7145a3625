package io.tapflow.localstack.query;

/**
 * The SQL of each table view of ./tapflow query, written as the README tells users to query tapflow's tables: FINAL
 * on the ReplacingMergeTrees (replayed rows collapse), sums over windows, one row per observation point so a request
 * seen at both ends is not added up twice. Also the reference for the dashboards' queries.
 */
final class Views {

    private Views() {
    }

    /** The statement of {@code view} (without FORMAT), over the last {@code minutes} (0 = all). */
    static String sql(String view, long minutes) {
        String windows = minutes > 0 ? " WHERE window_start_ms >= " + sinceMs(minutes) : "";
        String starts = minutes > 0 ? " WHERE start_time_us >= " + sinceMs(minutes) + " * 1000" : "";
        return switch (view) {
            case "map" -> "SELECT client_service AS client, server_service AS server, l7_protocol AS protocol,"
                    + " observation_point AS seen_at, sum(requests) AS requests, sum(client_errors) AS client_errors,"
                    + " sum(server_errors) AS server_errors, sum(timeouts) AS timeouts,"
                    + " round(sum(latency_sum_us) / greatest(sum(latency_count), 1) / 1000, 3) AS avg_ms,"
                    + " round(max(latency_max_us) / 1000, 3) AS max_ms"
                    + " FROM app_map_1m FINAL" + windows
                    + " GROUP BY client, server, protocol, seen_at ORDER BY requests DESC LIMIT 50";
            case "red" -> "SELECT service, endpoint, l7_protocol AS protocol, observation_point AS seen_at,"
                    + " sum(requests) AS requests, sum(client_errors) + sum(server_errors) AS errors,"
                    + " sum(timeouts) AS timeouts,"
                    + " round(sum(latency_sum_us) / greatest(sum(latency_count), 1) / 1000, 3) AS avg_ms,"
                    + " round(max(latency_p99_us) / 1000, 3) AS worst_minute_p99_ms,"
                    + " round(max(latency_max_us) / 1000, 3) AS max_ms"
                    + " FROM app_metrics_1m FINAL" + windows
                    + " GROUP BY service, endpoint, protocol, seen_at"
                    + " ORDER BY errors + timeouts DESC, avg_ms DESC LIMIT 20";
            case "traces" -> "SELECT trace_id, root_service, root_endpoint, span_count AS spans,"
                    + " error_count AS errors, round(duration_us / 1000, 3) AS ms, complete,"
                    + " toDateTime(intDiv(start_time_us, 1000000)) AS started"
                    + " FROM traces FINAL" + starts + " ORDER BY start_time_us DESC LIMIT 20";
            case "llm" -> "SELECT service, model, observation_point AS seen_at, count() AS requests,"
                    + " countIf(status != 'OK') AS errors, countIf(complete = 0) AS cut,"
                    + " round(quantile(0.5)(ttft_us) / 1000, 1) AS ttft_p50_ms,"
                    + " round(quantile(0.95)(ttft_us) / 1000, 1) AS ttft_p95_ms,"
                    + " round(quantile(0.5)(tpot_us) / 1000, 2) AS tpot_p50_ms,"
                    + " round(quantile(0.95)(tpot_us) / 1000, 2) AS tpot_p95_ms,"
                    + " sum(input_tokens) AS tokens_in, sum(output_tokens) AS tokens_out,"
                    + " round(avg(tokens_per_second), 1) AS out_tokens_per_s"
                    + " FROM llm_requests FINAL" + starts
                    + " GROUP BY service, model, seen_at ORDER BY requests DESC LIMIT 50";
            case "usage" -> "SELECT tenant, model, toDateTime(intDiv(hour_start_ms, 1000)) AS hour, requests,"
                    + " input_tokens, output_tokens, round(estimated_requests / greatest(requests, 1), 3)"
                    + " AS estimated_share FROM llm_usage_hourly FINAL"
                    + (minutes > 0 ? " WHERE hour_start_ms >= " + sinceMs(minutes) + " - 3600000" : "")
                    + " ORDER BY hour DESC, tenant, model LIMIT 200";
            // llm_usage_hourly gets an hour only once it has closed (the watermark past its end + the hold); the same
            // sums from the per-request table, as the README's reconciliation query makes them, include the open hour
            case "billing" -> "SELECT tenant, model, toDateTime(intDiv(start_time_us, 3600000000) * 3600) AS hour,"
                    + " count() AS requests, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,"
                    + " round(countIf(tokens_estimated = 1) / count(), 3) AS estimated_share"
                    + " FROM llm_requests FINAL" + starts
                    + " GROUP BY tenant, model, hour ORDER BY hour DESC, tenant, model LIMIT 200";
            default -> throw new IllegalArgumentException("unknown view " + view);
        };
    }

    private static String sinceMs(long minutes) {
        return "(toUInt64(toUnixTimestamp(now())) - " + minutes * 60 + ") * 1000";
    }
}
