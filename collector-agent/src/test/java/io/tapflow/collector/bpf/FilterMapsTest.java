package io.tapflow.collector.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.tapflow.collector.source.CaptureFilter;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FilterMapsTest {

    @Test
    void defaultsConsultNoMaps() {
        FilterMaps maps = FilterMaps.of(CaptureFilter.defaults(), Duration.ofSeconds(1));

        assertThat(maps.settings()).containsExactly(1024, 1, 0, 1000);
        assertThat(maps.ports()).isEmpty();
        assertThat(maps.pids()).isEmpty();
        assertThat(maps.cgroups()).isEmpty();
    }

    @Test
    void aKeyInBothListsCarriesBothBitsAndEachNonEmptyListItsFlag() {
        CaptureFilter filter = new CaptureFilter(
                Set.of(80, 443), Set.of(443, 9092), Set.of(), Set.of(1), Set.of(77L), Set.of(), 256, 4);

        FilterMaps maps = FilterMaps.of(filter, Duration.ofMillis(250));

        assertThat(maps.settings()).containsExactly(256, 4,
                FilterMaps.CFG_ALLOW_PORTS | FilterMaps.CFG_DENY_PORTS | FilterMaps.CFG_DENY_PIDS
                        | FilterMaps.CFG_ALLOW_CGROUPS, 250);
        assertThat(maps.ports()).containsExactly(80, 443, 9092);
        assertThat(maps.portBits()).containsExactly(FilterMaps.ALLOW, FilterMaps.ALLOW | FilterMaps.DENY,
                FilterMaps.DENY);
        assertThat(maps.pids()).containsExactly(1);
        assertThat(maps.pidBits()).containsExactly(FilterMaps.DENY);
        assertThat(maps.cgroups()).containsExactly(77);
        assertThat(maps.cgroupBits()).containsExactly(FilterMaps.ALLOW);
    }
}
