package io.tapflow.collector;

import io.tapflow.collector.metrics.CollectorMetrics;
import io.tapflow.collector.proc.ProcessEnricher;
import io.tapflow.collector.publish.EventKind;
import io.tapflow.collector.publish.KafkaEventPublisher;
import io.tapflow.collector.source.RawEventSink;
import io.tapflow.schema.ProcessInfo;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import java.util.function.Consumer;

/**
 * What happens to each event on the polling thread: enrichment (container id, ProcessInfo on first sight of a
 * process), byte counting, and the non-blocking hand-off to the publisher.
 */
final class AgentPipeline implements RawEventSink {

    private final KafkaEventPublisher publisher;
    private final ProcessEnricher enricher;
    private final CollectorMetrics metrics;
    private final Consumer<ProcessInfo> processSink;

    /** {@code enricher} may be null (enrichment off). */
    AgentPipeline(KafkaEventPublisher publisher, ProcessEnricher enricher, CollectorMetrics metrics) {
        this.publisher = publisher;
        this.enricher = enricher;
        this.metrics = metrics;
        this.processSink = publisher::offer;
    }

    @Override
    public void onSocketData(SocketDataEvent event) {
        if (enricher != null && event.getContainerId() == null) {
            event.setContainerId(enricher.containerId(event.getPid(), processSink));
        }
        metrics.countBytes(EventKind.SOCKET_DATA, event.getByteCount());
        publisher.offer(event);
    }

    @Override
    public void onTcpEvent(TcpEvent event) {
        if (enricher != null && event.getPid() != null) {
            enricher.containerId(event.getPid(), processSink);
        }
        publisher.offer(event);
    }

    /** Periodic: processes that exited get their final ProcessInfo. */
    void sweepProcesses() {
        if (enricher != null) {
            enricher.sweep(processSink);
        }
    }
}
