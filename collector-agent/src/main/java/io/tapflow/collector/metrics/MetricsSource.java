package io.tapflow.collector.metrics;

/** Something that contributes metric families to a scrape. Called on the HTTP server's thread. */
@FunctionalInterface
public interface MetricsSource {

    void writeTo(PrometheusWriter out);
}
