package io.tapflow.flink.flow;

import io.tapflow.flink.deadletter.DeadLetters;
import io.tapflow.flink.kafka.AvroRecordDecoder;
import io.tapflow.flink.kafka.KafkaRecord;
import io.tapflow.flink.serde.AvroSpecificTypeInfo;
import io.tapflow.flink.time.EventTimeWatermarks;
import io.tapflow.schema.DeadLetter;
import io.tapflow.schema.SocketDataEvent;
import io.tapflow.schema.TcpEvent;
import io.tapflow.schema.topic.Topic;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.streaming.api.datastream.ConnectedStreams;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The collector's raw events as the per-flow jobs consume them: the records of the raw topics decoded into socket
 * data and TCP events (undecodable ones become dead letters), then both with event-time watermarks, keyed by flow
 * (agent, socket) and connected — the input of a flow's keyed function. The operator uids are the same in every job.
 */
public record RawEventStreams(SingleOutputStreamOperator<SocketDataEvent> data,
                              SingleOutputStreamOperator<TcpEvent> tcp) {

    /** Decodes {@code raw} (records of both raw topics) for job {@code job} with the registry at {@code registry}. */
    public static RawEventStreams decode(DataStream<KafkaRecord> raw, String job, Map<String, String> registry) {
        SingleOutputStreamOperator<SocketDataEvent> data = raw
                .filter(r -> Topic.RAW_SOCKET_DATA.topicName().equals(r.topic)).name("socket-data records")
                .process(new AvroRecordDecoder<>(job, SocketDataEvent.class, registry))
                .returns(AvroSpecificTypeInfo.forRecord(SocketDataEvent.class))
                .uid("decode-socket-data").name("decode socket data");
        SingleOutputStreamOperator<TcpEvent> tcp = raw
                .filter(r -> Topic.RAW_TCP_EVENTS.topicName().equals(r.topic)).name("tcp-event records")
                .process(new AvroRecordDecoder<>(job, TcpEvent.class, registry))
                .returns(AvroSpecificTypeInfo.forRecord(TcpEvent.class))
                .uid("decode-tcp-events").name("decode tcp events");
        return new RawEventStreams(data, tcp);
    }

    /** Both inputs with watermarks ({@code outOfOrderness}, {@code idleness}), keyed by flow and connected. */
    public ConnectedStreams<SocketDataEvent, TcpEvent> byFlow(Duration outOfOrderness, Duration idleness) {
        return data.assignTimestampsAndWatermarks(EventTimeWatermarks.socketData(outOfOrderness, idleness))
                .keyBy(FlowKeys.data())
                .connect(tcp.assignTimestampsAndWatermarks(EventTimeWatermarks.tcpEvents(outOfOrderness, idleness))
                        .keyBy(FlowKeys.tcp()));
    }

    /** The records the decoders could not decode. */
    public DataStream<DeadLetter> deadLetters() {
        return data.getSideOutput(DeadLetters.OUTPUT_TAG).union(tcp.getSideOutput(DeadLetters.OUTPUT_TAG));
    }
}
