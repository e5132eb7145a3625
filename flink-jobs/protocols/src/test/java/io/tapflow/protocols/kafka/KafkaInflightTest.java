package io.tapflow.protocols.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The per-connection map of requests awaiting a response: lookup, removal and its bound. */
class KafkaInflightTest {

    @Test
    void aResponseFindsItsRequestOnceAndForgetsOlderUnansweredOnes() {
        KafkaInflight m = new KafkaInflight();
        m.remember(1, KafkaApis.METADATA, 4);
        m.remember(2, KafkaApis.PRODUCE, 7);
        m.remember(3, KafkaApis.FETCH, 18);

        int api = m.peek(2);
        assertThat(KafkaInflight.apiKey(api)).isEqualTo(KafkaApis.PRODUCE);
        assertThat(KafkaInflight.apiVersion(api)).isEqualTo(7);
        assertThat(m.size()).as("peek leaves it").isEqualTo(3);

        assertThat(m.take(2)).isEqualTo(api);
        assertThat(m.take(2)).isEqualTo(KafkaInflight.NONE);
        assertThat(m.peek(1)).as("older than an answered request: never answered").isEqualTo(KafkaInflight.NONE);
        assertThat(KafkaInflight.apiKey(m.take(3))).isEqualTo(KafkaApis.FETCH);
        assertThat(m.size()).isZero();
        assertThat(m.take(99)).isEqualTo(KafkaInflight.NONE);
    }

    @Test
    void theMapIsBoundedAndEvictsTheOldest() {
        KafkaInflight m = new KafkaInflight();
        int extra = 300;
        for (int id = 0; id < KafkaInflight.CAPACITY + extra; id++) {
            m.remember(id, KafkaApis.FETCH, id % 19);
            assertThat(m.size()).isLessThanOrEqualTo(KafkaInflight.CAPACITY);
        }
        assertThat(m.size()).isEqualTo(KafkaInflight.CAPACITY);
        for (int id = 0; id < extra; id++) {
            assertThat(m.peek(id)).as("evicted %d", id).isEqualTo(KafkaInflight.NONE);
        }
        for (int id = extra; id < KafkaInflight.CAPACITY + extra; id++) {
            assertThat(KafkaInflight.apiVersion(m.take(id))).as("kept %d", id).isEqualTo(id % 19);
        }
        assertThat(m.size()).isZero();
    }

    @Test
    void growingKeepsTheOrderWhenTheRingHasWrapped() {
        KafkaInflight m = new KafkaInflight(64);
        for (int id = 0; id < 6; id++) {
            m.remember(id, KafkaApis.PRODUCE, 1);
        }
        m.take(4); // the ring now starts at slot 5
        for (int id = 10; id < 40; id++) {
            m.remember(id, KafkaApis.METADATA, id % 13);
        }
        assertThat(m.size()).isEqualTo(31);
        assertThat(KafkaInflight.apiKey(m.take(5))).isEqualTo(KafkaApis.PRODUCE);
        for (int id = 10; id < 40; id++) {
            assertThat(KafkaInflight.apiVersion(m.take(id))).isEqualTo(id % 13);
        }
    }

    @Test
    void keysAndVersionsThatDoNotFitAreNotRemembered() {
        KafkaInflight m = new KafkaInflight();
        m.remember(1, -1, 0);
        m.remember(2, 0, 40_000);
        assertThat(m.size()).isZero();
    }
}
