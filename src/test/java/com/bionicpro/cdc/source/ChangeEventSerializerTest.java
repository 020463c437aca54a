package com.bionicpro.cdc.source;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.TypeExtractor;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.StringValue;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The change events' network format: Flink's serializer contract (SerializerTestBase: copies,
 * every kind of view, snapshots, concurrent use), every string exactly as it was, and the type
 * that the job's operators get for the class.
 */
class ChangeEventSerializerTest extends SerializerTestBase<ChangeEvent> {
    @Override
    protected TypeSerializer<ChangeEvent> createSerializer() {
        return ChangeEventSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<ChangeEvent> getTypeClass() {
        return ChangeEvent.class;
    }

    @Override
    protected ChangeEvent[] getTestData() {
        ChangeEvent merged = new ChangeEvent("telemetry.public.telemetry_data", ChangeEvent.READ, 42L, 7L, 1_700_000_000_000L,
                null, new String[] {"4f1c", null, "2024-01-01T00:00:00.000001", "{\"sensor1\": 5}", "", "88.5"});
        merged.mergedChange = true;
        return new ChangeEvent[] {
            merged,
            new ChangeEvent("crm.public.users", ChangeEvent.UPDATE, Long.MAX_VALUE, -1L, 0L,
                    new String[] {"1", "Анна Петрова", "anna@example.org"}, new String[] {"1", "Анна Иванова", "anna@example.org"}),
            new ChangeEvent("crm.public.users", ChangeEvent.DELETE, 1L, 2L, 3L, new String[] {"é ü ß ÿ", "😀 emoji"}, null),
            new ChangeEvent("t", ChangeEvent.CREATE, 0L, 0L, 0L, new String[0], new String[] {"x".repeat(100_000)}),
            new ChangeEvent(null, null, 0L, 0L, 0L, null, null),
        };
    }

    /** ChangeEvent.equals leaves out mergedChange, which the serializer must keep too. */
    @Override
    protected void deepEquals(String message, ChangeEvent should, ChangeEvent is) {
        assertThat(is).as(message).isEqualTo(should);
        assertThat(is.mergedChange).as(message + ": mergedChange").isEqualTo(should.mergedChange);
    }

    @Test
    void everyStringRoundTripsExactly() throws IOException {
        Random random = new Random(20261206);
        for (int round = 0; round < 2_000; round++) {
            String[] values = new String[random.nextInt(8)];
            for (int i = 0; i < values.length; i++) {
                values[i] = random.nextInt(10) == 0 ? null : randomString(random);
            }
            ChangeEvent e = new ChangeEvent(randomString(random), ChangeEvent.CREATE, random.nextLong(), random.nextLong(),
                    random.nextLong(), random.nextBoolean() ? null : values.clone(), values);
            ChangeEvent back = roundTrip(e);
            assertThat(back).isEqualTo(e);
            assertThat(back.after).containsExactly(values);
        }
    }

    @Test
    void latin1StringsAreTheirBytesAndOthersFallBackToStringValue() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        ChangeEventSerializer.writeString("ÿes", out);
        assertThat(Arrays.copyOf(out.getSharedBuffer(), out.length())).containsExactly((3 << 1) | 1, 0xFF - 256, 'e', 's');

        out.clear();
        ChangeEventSerializer.writeString("日本", out);
        DataOutputSerializer expected = new DataOutputSerializer(64);
        expected.writeByte(2);
        StringValue.writeString("日本", expected);
        assertThat(Arrays.copyOf(out.getSharedBuffer(), out.length()))
                .containsExactly(Arrays.copyOf(expected.getSharedBuffer(), expected.length()));
    }

    @Test
    void theJobsOperatorsGetThisSerializerForTheClass() {
        TypeInformation<ChangeEvent> type = TypeInformation.of(ChangeEvent.class);
        assertThat(type).isInstanceOf(ChangeEventTypeInfo.class);
        assertThat(TypeExtractor.createTypeInfo(ChangeEvent.class)).isInstanceOf(ChangeEventTypeInfo.class);
        assertThat(type.createSerializer(new org.apache.flink.api.common.serialization.SerializerConfigImpl()))
                .isSameAs(ChangeEventSerializer.INSTANCE);
    }

    private static ChangeEvent roundTrip(ChangeEvent e) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        ChangeEventSerializer.INSTANCE.serialize(e, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getSharedBuffer(), 0, out.length());
        ChangeEvent back = ChangeEventSerializer.INSTANCE.deserialize(in);
        assertThat(in.available()).isZero();
        return back;
    }

    /** ASCII, Latin-1, other planes, surrogate pairs and lone surrogates, lengths across varint boundaries. */
    private static String randomString(Random random) {
        int length = random.nextInt(5) == 0 ? 100 + random.nextInt(300) : random.nextInt(40);
        StringBuilder s = new StringBuilder(length);
        int kind = random.nextInt(4);
        for (int i = 0; i < length; i++) {
            switch (kind) {
                case 0: s.append((char) (32 + random.nextInt(95))); break;
                case 1: s.append((char) random.nextInt(0x100)); break;
                case 2: s.append((char) random.nextInt(0x10000)); break;
                default: s.appendCodePoint(random.nextInt(Character.MAX_CODE_POINT + 1)); break;
            }
        }
        return s.toString();
    }
}
