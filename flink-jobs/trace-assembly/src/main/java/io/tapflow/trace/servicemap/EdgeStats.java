package io.tapflow.trace.servicemap;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.mapping.LogarithmicMapping;
import com.datadoghq.sketch.ddsketch.store.Store;
import com.datadoghq.sketch.ddsketch.store.UnboundedSizeDenseStore;
import io.tapflow.schema.L7Protocol;
import io.tapflow.schema.ObservationPoint;
import io.tapflow.schema.ServiceMapEdge;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;

/**
 * Running RED counts of one service-map edge and window (our own state class, Java-serialized). Latencies are kept
 * as DDSketch bin counts of the contract's mapping (logarithmic, relative accuracy 0.01) rather than as a sketch
 * object: the bins are plain serializable numbers, and a sketch built from them at the end has the same stores as
 * one fed sample by sample, so the serialized bytes depend only on the multiset of samples.
 */
final class EdgeStats implements Serializable {

    private static final long serialVersionUID = 1L;

    static final double RELATIVE_ACCURACY = 0.01;
    private static final LogarithmicMapping MAPPING = new LogarithmicMapping(RELATIVE_ACCURACY);

    private long requests;
    private long clientErrors;
    private long serverErrors;
    private long timeouts;
    private long latencyCount;
    private long latencySumUs;
    private long latencyMaxUs;
    private long zeroCount;
    private final TreeMap<Integer, Long> bins = new TreeMap<>();

    void add(EdgeSample s) {
        requests++;
        switch (s.status()) {
            case "CLIENT_ERROR" -> clientErrors++;
            case "SERVER_ERROR" -> serverErrors++;
            case "TIMEOUT" -> timeouts++;
            default -> {
            }
        }
        if (s.durationUs() >= 0) {
            long us = s.durationUs();
            latencyCount++;
            latencySumUs += us;
            latencyMaxUs = Math.max(latencyMaxUs, us);
            // what DDSketch#accept does: values below the mapping's range count as zeros
            if (us > MAPPING.minIndexableValue()) {
                bins.merge(MAPPING.index(us), 1L, Long::sum);
            } else {
                zeroCount++;
            }
        }
    }

    ServiceMapEdge result(EdgeSample dims, long windowStartMs, long windowSizeMs) {
        DDSketch sketch = latencyCount == 0 ? null : sketch();
        return ServiceMapEdge.newBuilder()
                .setWindowStartMs(windowStartMs)
                .setWindowSizeMs(windowSizeMs)
                .setClientService(dims.clientService())
                .setServerService(dims.serverService())
                .setL7Protocol(L7Protocol.valueOf(dims.l7Protocol()))
                .setObservationPoint(ObservationPoint.valueOf(dims.observationPoint()))
                .setRequests(requests)
                .setClientErrors(clientErrors)
                .setServerErrors(serverErrors)
                .setTimeouts(timeouts)
                .setLatencyCount(latencyCount)
                .setLatencySumUs(latencySumUs)
                .setLatencyMaxUs(latencyMaxUs)
                .setLatencySketch(ByteBuffer.wrap(sketch == null ? new byte[0] : bytes(sketch)))
                .setLatencyP50Us(sketch == null ? null : sketch.getValueAtQuantile(0.50))
                .setLatencyP90Us(sketch == null ? null : sketch.getValueAtQuantile(0.90))
                .setLatencyP99Us(sketch == null ? null : sketch.getValueAtQuantile(0.99))
                .build();
    }

    private DDSketch sketch() {
        Store positive = new UnboundedSizeDenseStore();
        for (Map.Entry<Integer, Long> bin : bins.entrySet()) {
            positive.add(bin.getKey(), bin.getValue());
        }
        return DDSketch.of(MAPPING, new UnboundedSizeDenseStore(), positive, zeroCount);
    }

    private static byte[] bytes(DDSketch sketch) {
        ByteBuffer buffer = sketch.serialize();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }
}
