package io.tapflow.flink.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tapflow.schema.RawEventFixtures;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.clock.ManualClock;
import org.apache.flink.util.clock.RelativeClock;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

class EventTimeWatermarksTest {

    /** 2026-01-01T00:00:00.123456789Z in nanoseconds. */
    private static final long T0_NS = 1_767_225_600_123_456_789L;
    private static final long T0_MS = 1_767_225_600_123L;

    private final ManualClock clock = new ManualClock();

    @Test
    void timestampIsTimestampNsInMillis() {
        SocketDataEvent data = SocketDataEvent.newBuilder(someSocketData()).setTimestampNs(T0_NS).build();
        TimestampAssigner<SocketDataEvent> assigner = EventTimeWatermarks
                .socketData(Duration.ofSeconds(5), Duration.ZERO).createTimestampAssigner(assignerContext());
        assertThat(assigner.extractTimestamp(data, 42L)).isEqualTo(T0_MS);

        TcpEvent tcp = TcpEvent.newBuilder(someTcpEvent()).setTimestampNs(T0_NS + 999_999).build();
        TimestampAssigner<TcpEvent> tcpAssigner = EventTimeWatermarks
                .tcpEvents(Duration.ofSeconds(5), Duration.ZERO).createTimestampAssigner(assignerContext());
        assertThat(tcpAssigner.extractTimestamp(tcp, 42L)).isEqualTo(T0_MS + 1);
    }

    @Test
    void nanosRoundDownAlsoBeforeTheEpoch() {
        assertThat(EventTimeWatermarks.nanosToMillis(1_999_999)).isEqualTo(1);
        assertThat(EventTimeWatermarks.nanosToMillis(-1)).isEqualTo(-1);
    }

    @Test
    void periodicWatermarkTrailsTheMaxTimestampByTheBound() {
        WatermarkGenerator<Long> generator = EventTimeWatermarks.<Long>fromNanos(ns -> ns, Duration.ofMillis(200),
                Duration.ZERO).createWatermarkGenerator(generatorContext());
        RecordingOutput out = new RecordingOutput();

        generator.onEvent(0L, 1_000, out);
        generator.onEvent(0L, 3_000, out);
        generator.onEvent(0L, 2_000, out); // late but within the bound: must not move the watermark back
        assertThat(out.watermarks).as("bounded out-of-orderness emits only on the periodic call").isEmpty();

        generator.onPeriodicEmit(out);
        // Flink's convention: watermark = max - bound - 1, so an event exactly at the bound is still on time
        assertThat(out.watermarks).containsExactly(3_000L - 200 - 1);
    }

    @Test
    void quietSplitIsMarkedIdleAfterTheIdleness() throws Exception {
        WatermarkStrategy<Long> strategy = EventTimeWatermarks.fromNanos(ns -> ns, Duration.ofSeconds(1),
                Duration.ofSeconds(30));
        // the strategy travels with the job graph
        WatermarkStrategy<Long> shipped = InstantiationUtil.clone(strategy);
        WatermarkGenerator<Long> generator = shipped.createWatermarkGenerator(generatorContext());
        RecordingOutput out = new RecordingOutput();

        generator.onEvent(0L, 10_000, out);
        generator.onPeriodicEmit(out);
        clock.advanceTime(10, TimeUnit.SECONDS);
        generator.onPeriodicEmit(out);
        clock.advanceTime(10, TimeUnit.SECONDS);
        generator.onPeriodicEmit(out);
        assertThat(out.idle).isFalse();

        clock.advanceTime(21, TimeUnit.SECONDS);
        generator.onPeriodicEmit(out);
        assertThat(out.idle).isTrue();
    }

    @Test
    void zeroIdlenessNeverMarksIdle() {
        WatermarkGenerator<Long> generator = EventTimeWatermarks.<Long>fromNanos(ns -> ns, Duration.ofSeconds(1),
                Duration.ZERO).createWatermarkGenerator(generatorContext());
        RecordingOutput out = new RecordingOutput();
        for (int i = 0; i < 3; i++) {
            clock.advanceTime(1, TimeUnit.HOURS);
            generator.onPeriodicEmit(out);
        }
        assertThat(out.idle).isFalse();
    }

    @Test
    void negativeDurationsAreRejected() {
        assertThatThrownBy(() -> EventTimeWatermarks.socketData(Duration.ofSeconds(-1), Duration.ZERO))
                .hasMessageContaining("outOfOrderness");
        assertThatThrownBy(() -> EventTimeWatermarks.tcpEvents(Duration.ZERO, Duration.ofSeconds(-1)))
                .hasMessageContaining("idleness");
    }

    private static SocketDataEvent someSocketData() {
        return RawEventFixtures.socketDataEventIpv4();
    }

    private static TcpEvent someTcpEvent() {
        return RawEventFixtures.tcpEvent();
    }

    private static TimestampAssignerSupplier.Context assignerContext() {
        return UnregisteredMetricsGroup::new;
    }

    private WatermarkGeneratorSupplier.Context generatorContext() {
        return new WatermarkGeneratorSupplier.Context() {
            @Override
            public MetricGroup getMetricGroup() {
                return new UnregisteredMetricsGroup();
            }

            @Override
            public RelativeClock getInputActivityClock() {
                return clock;
            }
        };
    }

    private static final class RecordingOutput implements WatermarkOutput {
        final List<Long> watermarks = new ArrayList<>();
        boolean idle;

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
            idle = false;
        }

        @Override
        public void markIdle() {
            idle = true;
        }

        @Override
        public void markActive() {
            idle = false;
        }
    }
}
