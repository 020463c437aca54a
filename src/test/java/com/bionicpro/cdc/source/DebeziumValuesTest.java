package com.bionicpro.cdc.source;

import com.bionicpro.cdc.catalog.ColumnSchema;
import com.bionicpro.cdc.catalog.PgType;

import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Debezium's encodings to the job's canonical text, type by type. */
class DebeziumValuesTest {
    private static String render(PgType type, Schema schema, Object value) {
        return DebeziumValues.rendererFor(new ColumnSchema("c", type, type.name(), true, 10, 2), schema, "t").render(value);
    }

    @Test
    void temporalValuesBecomeIso8601() {
        Schema micro = SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").build();
        assertThat(render(PgType.TIMESTAMP, micro, 1_704_067_200_000_001L)).isEqualTo("2024-01-01T00:00:00.000001");
        assertThat(render(PgType.TIMESTAMP, micro, -1L)).isEqualTo("1969-12-31T23:59:59.999999");
        Schema milli = SchemaBuilder.int64().name("io.debezium.time.Timestamp").build();
        assertThat(render(PgType.TIMESTAMP, milli, 1_704_067_200_500L)).isEqualTo("2024-01-01T00:00:00.5");
        Schema date = SchemaBuilder.int32().name("io.debezium.time.Date").build();
        assertThat(render(PgType.DATE, date, 19_723)).isEqualTo("2024-01-01");
        Schema zoned = SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").build();
        assertThat(render(PgType.TIMESTAMPTZ, zoned, "2024-01-01T10:00:00.25Z")).isEqualTo("2024-01-01T10:00:00.25Z");
    }

    @Test
    void numbersKeepTheirExactValue() {
        assertThat(render(PgType.NUMERIC, Schema.STRING_SCHEMA, "12345678901234567890.50")).isEqualTo("12345678901234567890.50");
        assertThat(render(PgType.NUMERIC, Decimal.schema(2), new BigDecimal("12.50"))).isEqualTo("12.50");
        assertThat(render(PgType.DOUBLE, Schema.FLOAT64_SCHEMA, 85.37)).isEqualTo("85.37");
        assertThat(render(PgType.BIGINT, Schema.INT64_SCHEMA, Long.MAX_VALUE)).isEqualTo("9223372036854775807");
        assertThat(render(PgType.BOOLEAN, Schema.BOOLEAN_SCHEMA, true)).isEqualTo("true");
    }

    @Test
    void canonicalTimestampsConvertToEpoch() {
        assertThat(DebeziumValues.epochSeconds("2024-01-01T00:00:01.999")).isEqualTo(1_704_067_201L);
        assertThat(DebeziumValues.epochSeconds("2024-01-01T00:00:01Z")).isEqualTo(1_704_067_201L);
        assertThat(DebeziumValues.epochSeconds("2024-01-01T02:00:01+02:00")).isEqualTo(1_704_067_201L);
        assertThat(DebeziumValues.epochMicros("2024-01-01T00:00:00.000007")).isEqualTo(1_704_067_200_000_007L);
    }

    /** The hand-written fast path against java.time, on random instants of years 0-9999 and beyond. */
    @Test
    void timestampTextMatchesJavaTime() {
        Random random = new Random(20261203);
        long min = LocalDateTime.of(-20, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
        long max = LocalDateTime.of(10_020, 12, 31, 23, 59, 59).toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
        for (int i = 0; i < 200_000; i++) {
            long micros = min + Math.floorMod(random.nextLong(), max - min);
            switch (i % 4) {
                case 0: micros -= Math.floorMod(micros, 1_000_000L); break; // whole seconds
                case 1: micros -= Math.floorMod(micros, 1_000L); break; // milliseconds
                default: break;
            }
            LocalDateTime t = LocalDateTime.ofEpochSecond(
                    Math.floorDiv(micros, 1_000_000L), (int) Math.floorMod(micros, 1_000_000L) * 1000, ZoneOffset.UTC);
            String text = DebeziumValues.formatMicros(micros);
            assertThat(text).isEqualTo(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(t));
            assertThat(DebeziumValues.epochMicros(text)).isEqualTo(micros);
            assertThat(DebeziumValues.epochSeconds(text)).isEqualTo(t.toEpochSecond(ZoneOffset.UTC));
        }
    }

    @Test
    void timestampTextOfOtherShapesParsesAsJavaTime() {
        for (String text : List.of("2024-01-01T00:00", "2024-01-01t10:11:12", "2024-02-29T23:59:59.123456789",
                "2024-01-01T00:00:00.1", "2024-01-01T00:00:00.", "1969-12-31T23:59:59.5", "+10000-01-01T00:00:00", "0000-01-01T00:00:00.000001")) {
            LocalDateTime t = LocalDateTime.parse(text);
            assertThat(DebeziumValues.epochMicros(text)).as(text)
                    .isEqualTo(t.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + t.getNano() / 1000);
            assertThat(DebeziumValues.epochSeconds(text)).as(text).isEqualTo(t.toEpochSecond(ZoneOffset.UTC));
        }
        for (String text : List.of("2023-02-29T00:00:00", "2024-13-01T00:00:00", "2024-01-01T24:00:00",
                "2024-01-01T00:60:00", "2024-01-01T00:00:0x", "2024-01-01 00:00:00",
                "2024-01-01T00:00:00.1234567890")) {
            assertThatThrownBy(() -> DebeziumValues.epochMicros(text)).as(text).isInstanceOf(DateTimeParseException.class);
            assertThatThrownBy(() -> DebeziumValues.epochSeconds(text)).as(text).isInstanceOf(DateTimeParseException.class);
        }
    }
}
