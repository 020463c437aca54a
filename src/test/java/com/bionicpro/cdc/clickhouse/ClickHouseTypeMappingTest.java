package com.bionicpro.cdc.clickhouse;

import com.bionicpro.cdc.catalog.ColumnSchema;
import com.bionicpro.cdc.catalog.PgType;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** PostgreSQL types to ClickHouse types (valid on 18.16 and current versions) and their TSV text. */
class ClickHouseTypeMappingTest {
    @Test
    void everySupportedPostgresTypeHasAClickHouseType() {
        assertThat(PgType.of("uuid").clickHouseType(0, 0, false)).isEqualTo("String");
        assertThat(PgType.of("varchar").clickHouseType(0, 0, false)).isEqualTo("String");
        assertThat(PgType.of("bpchar").clickHouseType(0, 0, true)).isEqualTo("Nullable(String)");
        assertThat(PgType.of("int2").clickHouseType(0, 0, false)).isEqualTo("Int16");
        assertThat(PgType.of("int4").clickHouseType(0, 0, false)).isEqualTo("Int32");
        assertThat(PgType.of("int8").clickHouseType(0, 0, false)).isEqualTo("Int64");
        assertThat(PgType.of("float4").clickHouseType(0, 0, false)).isEqualTo("Float32");
        assertThat(PgType.of("float8").clickHouseType(0, 0, true)).isEqualTo("Nullable(Float64)");
        assertThat(PgType.of("numeric").clickHouseType(10, 2, false)).isEqualTo("Decimal(10, 2)");
        assertThat(PgType.of("numeric").clickHouseType(0, 0, false)).as("unconstrained numeric").isEqualTo("String");
        assertThat(PgType.of("bool").clickHouseType(0, 0, false)).isEqualTo("UInt8");
        assertThat(PgType.of("date").clickHouseType(0, 0, false)).isEqualTo("Date");
        assertThat(PgType.of("timestamp").clickHouseType(0, 0, true)).isEqualTo("Nullable(DateTime)");
        assertThat(PgType.of("timestamptz").clickHouseType(0, 0, false)).isEqualTo("DateTime");
        assertThat(PgType.of("jsonb").clickHouseType(0, 0, true)).isEqualTo("Nullable(String)");
        assertThat(PgType.of("json").clickHouseType(0, 0, false)).isEqualTo("String");
    }

    @Test
    void unsupportedTypesAreRefused() {
        assertThat(PgType.of("bytea")).isNull();
        assertThat(PgType.of("interval")).isNull();
        assertThat(PgType.of("_int4")).as("arrays").isNull();
        assertThat(PgType.of("point")).isNull();
    }

    @Test
    void valuesAreWrittenAsClickHouseReadsThem() {
        assertThat(tsv(PgType.TIMESTAMP, "2024-01-01T00:00:01.999999")).isEqualTo("1704067201");
        assertThat(tsv(PgType.TIMESTAMP, "1970-01-01T00:00:05")).as("ten digits for 18.16").isEqualTo("0000000005");
        assertThat(tsv(PgType.TIMESTAMP, "1950-06-01T00:00:00")).as("clamped to DateTime's range").isEqualTo("0000000000");
        assertThat(tsv(PgType.TIMESTAMPTZ, "2024-01-01T00:00:01Z")).isEqualTo("1704067201");
        assertThat(tsv(PgType.DATE, "2024-02-29")).isEqualTo("2024-02-29");
        assertThat(tsv(PgType.DATE, "1969-12-31")).isEqualTo("1970-01-01");
        assertThat(tsv(PgType.BOOLEAN, "true")).isEqualTo("1");
        assertThat(tsv(PgType.DOUBLE, "NaN")).isEqualTo("nan");
        assertThat(tsv(PgType.DOUBLE, "-Infinity")).isEqualTo("-inf");
        assertThat(tsv(PgType.TEXT, "tab\there\nnew line \\ back")).isEqualTo("tab\\there\\nnew line \\\\ back");
        assertThat(tsv(PgType.TEXT, "Zoë 张伟")).isEqualTo("Zoë 张伟");
        assertThat(tsv(PgType.JSON, null)).isEqualTo("\\N");
    }

    @Test
    void escapedFieldsReadBack() {
        assertThat(TsvWriter.unescape("tab\\there\\nnew line \\\\ back")).isEqualTo("tab\there\nnew line \\ back");
    }

    private static String tsv(PgType type, String value) {
        TsvWriter w = new TsvWriter(16);
        ClickHouseValues.write(w, new ColumnSchema("c", type, type.name(), true, 10, 2), value);
        return new String(w.toByteArray(), StandardCharsets.UTF_8);
    }
}
