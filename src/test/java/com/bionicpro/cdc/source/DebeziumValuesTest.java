package com.bionicpro.cdc.source;

import com.bionicpro.cdc.catalog.ColumnSchema;
import com.bionicpro.cdc.catalog.PgType;

import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;

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
}
