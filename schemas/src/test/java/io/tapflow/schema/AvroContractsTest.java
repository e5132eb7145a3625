package io.tapflow.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.tapflow.schema.serde.SpecificRecords;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParser;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
  * Checks the contract files themselves (schemas/avro/**.avsc) and the classes generated from them: they parse, are
  * documented, follow the naming/nullability/enum rules of DESIGN §4, match the generated classes, and every
  * record survives an Avro binary round trip with every field populated.
  */
class AvroContractsTest {

    private static final String NAMESPACE = "io.tapflow.schema";
    private static final Pattern SNAKE_CASE = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");
    private static final Pattern UPPER_SNAKE = Pattern.compile("[A-Z][A-Z0-9]*(_[A-Z0-9]+)*");
    /** Surefire runs with the module directory as working directory. */
    private static final Path AVRO_DIR = Paths.get("avro");

    /** Records other teams consume; the test fails if one disappears or is renamed. */
    private static final List<String> EXPECTED_RECORDS = List.of(
            "SocketDataEvent", "TcpEvent", "ProcessInfo", "RequestLog", "FlowLog", "RedMetric", "ServiceMapEdge",
            "NetMetric", "Span", "Trace", "LlmRequest", "LlmMetric", "LlmUsage", "DeadLetter");

    private static List<Path> files;
    /** Every named schema defined in the files, by full name. */
    private static Map<String, Schema> named;

    @BeforeAll
    static void parseAll() throws IOException {
        try (Stream<Path> walk = Files.walk(AVRO_DIR)) {
            files = walk.filter(p -> p.toString().endsWith(".avsc")).sorted().collect(Collectors.toList());
        }
        assertThat(files).as("avsc files under %s", AVRO_DIR.toAbsolutePath()).isNotEmpty();
        // One parser for all files, like the avro-maven-plugin: references across files resolve at the end and an
        // undefined name fails in getParsedNamedSchemas().
        SchemaParser parser = new SchemaParser();
        for (Path file : files) {
            parser.parse(file);
        }
        named = new TreeMap<>();
        for (Schema s : parser.getParsedNamedSchemas()) {
            assertThat(named.put(s.getFullName(), s)).as("%s defined twice", s.getFullName()).isNull();
        }
    }

    @Test
    void eachFileParsesOnItsOwnGivenTheCommonTypesAndDefinesOneTypeNamedLikeTheFile() throws IOException {
        List<Path> common = files.stream().filter(p -> p.getParent().endsWith("common")).collect(Collectors.toList());
        for (Path file : files) {
            SchemaParser parser = new SchemaParser();
            for (Path c : common) {
                if (!c.equals(file)) {
                    parser.parse(c);
                }
            }
            Schema main = parser.resolve(parser.parse(file));
            String expectedName = file.getFileName().toString().replace(".avsc", "");
            assertThat(main.getName()).as("type defined in %s", file).isEqualTo(expectedName);
            assertThat(main.getNamespace()).as("namespace of %s", file).isEqualTo(NAMESPACE);
        }
    }

    @Test
    void expectedRecordsExist() {
        for (String name : EXPECTED_RECORDS) {
            assertThat(named).as("record %s", name).containsKey(NAMESPACE + "." + name);
            assertThat(named.get(NAMESPACE + "." + name).getType()).isEqualTo(Schema.Type.RECORD);
        }
    }

    @Test
    void everyNamedTypeIsInOurNamespaceAndDocumented() {
        for (Schema s : named.values()) {
            assertThat(s.getNamespace()).as("namespace of %s", s.getFullName()).isEqualTo(NAMESPACE);
            assertThat(s.getDoc()).as("doc of %s", s.getFullName()).isNotBlank();
        }
    }

    @Test
    void everyFieldIsDocumentedAndSnakeCase() {
        for (Schema s : records()) {
            for (Schema.Field f : s.getFields()) {
                String where = s.getName() + "." + f.name();
                assertThat(f.name()).as("name of %s", where).matches(SNAKE_CASE);
                assertThat(f.doc()).as("doc of %s", where).isNotBlank();
                // a doc that only repeats the field name tells nobody anything
                assertThat(f.doc().trim().length()).as("doc length of %s", where).isGreaterThan(f.name().length() + 5);
            }
        }
    }

    @Test
    void timesCarryTheirUnitInTheName() {
        Pattern timeish = Pattern.compile(".*(time|timestamp|latency|duration|ttft|tpot|e2e|srtt|window_start"
                + "|hour_start|_at)(_.*)?");
        Pattern unit = Pattern.compile(".*_(ns|us|ms)(_|$).*|.*_bucket_counts|.*_count|.*_id");
        for (Schema s : records()) {
            for (Schema.Field f : s.getFields()) {
                Schema t = nonNull(f.schema());
                if (timeish.matcher(f.name()).matches() && (t.getType() == Schema.Type.LONG || t.getType() == Schema.Type.DOUBLE)) {
                    assertThat(f.name()).as("unit in the name of %s.%s", s.getName(), f.name()).matches(unit);
                }
            }
        }
    }

    @Test
    void unionsAreOptionalValuesWithNullFirstAndDefaultNull() {
        for (Schema s : records()) {
            for (Schema.Field f : s.getFields()) {
                if (f.schema().getType() != Schema.Type.UNION) {
                    continue;
                }
                String where = s.getName() + "." + f.name();
                List<Schema> branches = f.schema().getTypes();
                assertThat(branches).as("branches of %s", where).hasSize(2);
                assertThat(branches.get(0).getType()).as("first branch of %s", where).isEqualTo(Schema.Type.NULL);
                assertThat(f.hasDefaultValue()).as("%s has a default", where).isTrue();
                assertThat(f.defaultVal()).as("default of %s", where).isEqualTo(JsonProperties.NULL_VALUE);
            }
        }
    }

    @Test
    void enumsStartWithUnknownAndDefaultToIt() {
        List<Schema> enums = named.values().stream().filter(s -> s.getType() == Schema.Type.ENUM)
                .collect(Collectors.toList());
        assertThat(enums).isNotEmpty();
        for (Schema e : enums) {
            assertThat(e.getEnumSymbols().get(0)).as("first symbol of %s", e.getName()).isEqualTo("UNKNOWN");
            assertThat(e.getEnumDefault()).as("default of %s", e.getName()).isEqualTo("UNKNOWN");
            assertThat(e.getEnumSymbols()).as("symbols of %s", e.getName()).allMatch(sym -> UPPER_SNAKE.matcher(sym).matches());
        }
    }

    @Test
    void generatedClassesMatchTheFiles() throws Exception {
        for (Schema s : named.values()) {
            Class<?> generated = SpecificData.get().getClass(s);
            assertThat(generated).as("generated class of %s", s.getFullName()).isNotNull();
            Schema embedded = (Schema) generated.getField("SCHEMA$").get(null);
            // the generator adds "avro.java.string":"String" (stringType String); everything else must be identical,
            // docs and defaults included
            assertThat(withoutJavaStringProps(embedded.toString()))
                    .as("SCHEMA$ of %s (regenerate?)", generated.getName()).isEqualTo(s.toString());
            if (s.getType() == Schema.Type.RECORD) {
                assertThat(SpecificRecord.class).isAssignableFrom(generated);
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> everyRecordRoundTripsFullyPopulated() {
        return records().stream().map(s -> DynamicTest.dynamicTest(s.getName(), () -> {
            SpecificRecordBase original = populate(s, 1);
            assertFullyPopulated(original);
            SpecificRecordBase copy = roundTrip(original);
            assertSameFieldByField(original, copy);
        }));
    }

    @Test
    void customCodersWriteTheSameBytesAsTheSchemaWalkingWriter() throws IOException {
        for (Schema record : records()) {
            for (SpecificRecordBase r : List.of(populate(record, 1),
                    (SpecificRecordBase) SpecificData.get().newRecord(null, record))) {
                for (Schema.Field f : record.getFields()) {
                    if (r.get(f.pos()) == null && f.schema().getType() != Schema.Type.UNION) {
                        r.put(f.pos(), value(f.schema(), f.name(), 3));
                    }
                }
                ByteArrayOutputStream plain = new ByteArrayOutputStream();
                BinaryEncoder enc = EncoderFactory.get().binaryEncoder(plain, null);
                new SpecificDatumWriter<SpecificRecordBase>(record).write(r, enc);
                enc.flush();
                ByteArrayOutputStream custom = new ByteArrayOutputStream();
                enc = EncoderFactory.get().binaryEncoder(custom, null);
                new SpecificDatumWriter<SpecificRecordBase>(record,
                        SpecificRecords.withCustomCoders(r.getClass())).write(r, enc);
                enc.flush();
                assertThat(custom.toByteArray()).as(record.getFullName()).isEqualTo(plain.toByteArray());
            }
        }
    }

    @Test
    void fixturesAreFullyPopulatedAndRoundTrip() throws IOException {
        List<SpecificRecordBase> fixtures = List.of(RawEventFixtures.socketDataEventIpv4(),
                RawEventFixtures.socketDataEventIpv6(), RawEventFixtures.tcpEvent(), RawEventFixtures.processInfo());
        for (SpecificRecordBase r : fixtures) {
            assertFullyPopulated(r);
            assertSameFieldByField(r, roundTrip(r));
        }
    }

    @Test
    void fixtureAddressesMatchTheirFamily() throws IOException {
        SocketDataEvent v4 = RawEventFixtures.socketDataEventIpv4();
        SocketDataEvent v6 = RawEventFixtures.socketDataEventIpv6();
        assertThat(v4.getIpFamily()).isEqualTo(IpFamily.IPV4);
        assertThat(InetAddress.getByName(v4.getLocalIp()).getAddress()).hasSize(4);
        assertThat(InetAddress.getByName(v4.getRemoteIp()).getAddress()).hasSize(4);
        assertThat(v6.getIpFamily()).isEqualTo(IpFamily.IPV6);
        assertThat(InetAddress.getByName(v6.getLocalIp()).getAddress()).hasSize(16);
        assertThat(InetAddress.getByName(v6.getRemoteIp()).getAddress()).hasSize(16);
        // the captured prefix really is a prefix, and the truncation flag says so
        byte[] payload = new byte[v4.getPayload().remaining()];
        v4.getPayload().duplicate().get(payload);
        assertThat(RawEventFixtures.HTTP_GET).startsWith(payload);
        assertThat(v4.getPayloadTruncated()).isEqualTo(payload.length < v4.getByteCount());
        assertThat(new String(payload, StandardCharsets.US_ASCII)).startsWith("GET ");
    }

    @Test
    void roundTripDetectsALostField() throws IOException {
        // guard against a vacuous comparison: a copy with one field changed must not pass
        SocketDataEvent original = RawEventFixtures.socketDataEventIpv4();
        SocketDataEvent changed = SocketDataEvent.newBuilder(roundTrip(original)).setCgroupId(null).build();
        try {
            assertSameFieldByField(original, changed);
        } catch (AssertionError expected) {
            assertThat(expected).hasMessageContaining("cgroup_id");
            return;
        }
        fail("field-by-field comparison did not notice a changed field");
    }

    // ------------------------------------------------------------------ helpers

    private static String withoutJavaStringProps(String json) {
        return json.replace(",\"avro.java.string\":\"String\"", "").replace("{\"type\":\"string\"}", "\"string\"");
    }

    private static List<Schema> records() {
        return named.values().stream().filter(s -> s.getType() == Schema.Type.RECORD).collect(Collectors.toList());
    }

    private static Schema nonNull(Schema s) {
        return s.getType() == Schema.Type.UNION ? s.getTypes().get(1) : s;
    }

    @SuppressWarnings("unchecked")
    private static <T extends SpecificRecordBase> T roundTrip(T record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<T>(record.getSchema()).write(record, enc);
        enc.flush();
        byte[] bytes = out.toByteArray();
        assertThat(bytes).isNotEmpty();
        BinaryDecoder dec = DecoderFactory.get().binaryDecoder(bytes, null);
        T copy = new SpecificDatumReader<T>((Class<T>) record.getClass()).read(null, dec);
        assertThat(dec.isEnd()).as("all bytes consumed").isTrue();
        return copy;
    }

    private static void assertFullyPopulated(SpecificRecordBase r) {
        for (Schema.Field f : r.getSchema().getFields()) {
            Object v = r.get(f.pos());
            assertThat(v).as("%s.%s populated", r.getSchema().getName(), f.name()).isNotNull();
            if (v instanceof Enum<?> e) {
                assertThat(e.name()).as("%s.%s not the default symbol", r.getSchema().getName(), f.name())
                        .isNotEqualTo("UNKNOWN");
            }
            if (v instanceof SpecificRecordBase nested) {
                assertFullyPopulated(nested);
            }
            if (v instanceof List<?> list) {
                assertThat(list).as("%s.%s non-empty", r.getSchema().getName(), f.name()).isNotEmpty();
                list.stream().filter(SpecificRecordBase.class::isInstance)
                        .forEach(x -> assertFullyPopulated((SpecificRecordBase) x));
            }
            if (v instanceof Map<?, ?> map) {
                assertThat(map).as("%s.%s non-empty", r.getSchema().getName(), f.name()).isNotEmpty();
            }
        }
    }

    private static void assertSameFieldByField(SpecificRecordBase expected, SpecificRecordBase actual) {
        assertThat(actual.getClass()).isEqualTo(expected.getClass());
        for (Schema.Field f : expected.getSchema().getFields()) {
            Object e = expected.get(f.pos());
            Object a = actual.get(f.pos());
            String where = expected.getSchema().getName() + "." + f.name();
            if (e instanceof SpecificRecordBase er) {
                assertSameFieldByField(er, (SpecificRecordBase) a);
            } else if (e instanceof List<?> el && !el.isEmpty() && el.get(0) instanceof SpecificRecordBase) {
                List<?> al = (List<?>) a;
                assertThat(al).as(where).hasSameSizeAs(el);
                for (int i = 0; i < el.size(); i++) {
                    assertSameFieldByField((SpecificRecordBase) el.get(i), (SpecificRecordBase) al.get(i));
                }
            } else if (e instanceof ByteBuffer eb) {
                assertThat(bytes((ByteBuffer) a)).as(where).isEqualTo(bytes(eb));
            } else {
                assertThat(a).as(where).isEqualTo(e);
            }
        }
        assertThat(actual).isEqualTo(expected);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /**
      * Builds an instance of the generated class with every field set to a non-default value derived from the field
      * name and a seed (so two fields of the same type get different values and a swapped field is caught).
      */
    private static SpecificRecordBase populate(Schema record, int seed) {
        SpecificRecordBase r = (SpecificRecordBase) SpecificData.get().newRecord(null, record);
        assertThat(r).as("instance of %s", record.getFullName()).isNotNull();
        for (Schema.Field f : record.getFields()) {
            r.put(f.pos(), value(nonNull(f.schema()), f.name(), seed + f.pos()));
        }
        return r;
    }

    private static Object value(Schema t, String name, int seed) {
        switch (t.getType()) {
            case STRING:
                return name + "-" + seed + "-\u00e9\u2603";
            case INT:
                return 1000 + seed;
            case LONG:
                return 1L << 40 | seed;
            case DOUBLE:
                return seed + 0.25;
            case FLOAT:
                return seed + 0.5f;
            case BOOLEAN:
                return true;
            case BYTES:
                return ByteBuffer.wrap(new byte[] {0, (byte) 0xff, (byte) seed, 0x7f, (byte) 0x80});
            case ENUM: {
                List<String> symbols = t.getEnumSymbols();
                String sym = symbols.get(1 + seed % (symbols.size() - 1));
                return SpecificData.get().createEnum(sym, t);
            }
            case ARRAY: {
                List<Object> list = new ArrayList<>();
                list.add(value(t.getElementType(), name, seed));
                list.add(value(t.getElementType(), name, seed + 1));
                return list;
            }
            case MAP: {
                Map<String, Object> map = new LinkedHashMap<>();
                map.put(name + ".a", value(t.getValueType(), name, seed));
                map.put(name + ".b", value(t.getValueType(), name, seed + 1));
                return map;
            }
            case RECORD:
                return populate(t, seed);
            default:
                throw new AssertionError("no test value for " + t + " in " + name + ": extend populate()");
        }
    }
}
