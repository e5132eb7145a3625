package io.tapflow.collector.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RecentTextTest {

    @Test
    void findsWhatWasPutUnderTheSameKeyOnly() {
        RecentText cache = new RecentText(16);
        assertThat(cache.find(1, 2)).isNull();
        cache.put(1, 2, "a");
        assertThat(cache.find(1, 2)).isEqualTo("a");
        assertThat(cache.find(2, 1)).isNull();
        assertThat(cache.find(1, 3)).isNull();
    }

    @Test
    void aKeyThatTakesTheSlotReplacesTheOldOne() {
        RecentText cache = new RecentText(1); // every key collides
        cache.put(1, 2, "a");
        cache.put(3, 4, "b");
        assertThat(cache.find(3, 4)).isEqualTo("b");
        assertThat(cache.find(1, 2)).as("replaced, so a miss rather than the other key's text").isNull();
    }

    @Test
    void zeroKeyIsAKeyLikeAnyOther() {
        RecentText cache = new RecentText(8);
        assertThat(cache.find(0, 0)).as("an empty slot is not a hit for the all-zero key").isNull();
        cache.put(0, 0, "0.0.0.0");
        assertThat(cache.find(0, 0)).isEqualTo("0.0.0.0");
    }

    @Test
    void slotsMustBeAPowerOfTwo() {
        assertThatThrownBy(() -> new RecentText(12)).isInstanceOf(IllegalArgumentException.class);
    }
}
