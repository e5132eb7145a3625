package io.tapflow.localstack.kafka;

import java.util.concurrent.CountDownLatch;

/**
 * Runs one in-process {@link KafkaBroker} until the JVM is killed, for scripts that need a real broker (e.g. the
 * protocol capture scripts). Prints {@code bootstrap=<host:port>} on stdout once the broker is ready.
 *
 * <p>Optional arguments are topics to create before the address is printed, as {@code name} or
 * {@code name:partitions}.
 */
public final class KafkaBrokerMain {

    private KafkaBrokerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        KafkaBroker broker = KafkaBroker.start();
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "kafka-broker-shutdown"));
        for (String topic : args) {
            int colon = topic.indexOf(':');
            if (colon < 0) {
                broker.createTopic(topic, 1);
            } else {
                broker.createTopic(topic.substring(0, colon), Integer.parseInt(topic.substring(colon + 1)));
            }
        }
        System.out.println("bootstrap=" + broker.bootstrapServers());
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
