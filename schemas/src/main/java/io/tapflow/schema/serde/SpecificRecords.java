package io.tapflow.schema.serde;

import org.apache.avro.specific.SpecificData;

/** Avro models for writing our generated record classes. */
public final class SpecificRecords {

    private SpecificRecords() {
    }

    /**
     * A model that lets generated records encode themselves ({@code customEncode}: straight-line code per field)
     * instead of the writer walking the schema and fetching every field through {@code GenericData.getField} — that
     * walk was most of the Kafka sinks' and the network shuffles' Avro time in {@code ./tapflow bench flow}. The
     * bytes are the same Avro binary encoding. Off by default in Avro (a JVM-wide system property); enabled here
     * per model, only where the writer schema is the record class's own, which custom coders assume.
     */
    public static SpecificData withCustomCoders(Class<?> recordClass) {
        SpecificData data = new SpecificData(recordClass.getClassLoader());
        data.setCustomCoders(true);
        return data;
    }
}
