package com.bionicpro.cdc.source;

import com.bionicpro.cdc.testing.Tables;

import org.apache.flink.api.common.functions.util.ListCollector;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Debezium's envelope, as pgoutput and the snapshot produce it, into ChangeEvents. */
class ChangeEventDeserializerTest {
    private static final Schema UUID = SchemaBuilder.string().name("io.debezium.data.Uuid").build();
    private static final Schema JSON = SchemaBuilder.string().name("io.debezium.data.Json").optional().build();
    private static final Schema TS = SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").build();
    /** Debezium gives DEFAULT CURRENT_TIMESTAMP columns a default of epoch 0. */
    private static final Schema TS_WITH_DEFAULT = SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp")
            .optional().defaultValue(0L).build();

    private static final Schema TELEMETRY_ROW = SchemaBuilder.struct().name("telemetry.Value").optional()
            .field("id", UUID).field("prosthesis_id", UUID).field("timestamp", TS)
            .field("sensor_data", JSON).field("actuator_commands", JSON)
            .field("battery_level", Schema.OPTIONAL_FLOAT64_SCHEMA).field("created_at", TS_WITH_DEFAULT).build();

    private static final Schema SOURCE = SchemaBuilder.struct().name("io.debezium.connector.postgresql.Source")
            .field("db", Schema.STRING_SCHEMA).field("schema", Schema.STRING_SCHEMA).field("table", Schema.STRING_SCHEMA)
            .field("lsn", Schema.OPTIONAL_INT64_SCHEMA).field("txId", Schema.OPTIONAL_INT64_SCHEMA)
            .field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA).build();

    private final ChangeEventDeserializer deserializer = new ChangeEventDeserializer("telemetry", Tables.CATALOG);

    @Test
    void updateCarriesBothRowsRenderedForHumans() {
        Struct before = telemetry("b0c1", 1_700_000_000_123_456L, "{\"sensor1\": 1}", 80.5);
        Struct after = telemetry("b0c1", 1_700_000_000_000_000L, "{\"sensor1\": 2}", null);
        ChangeEvent e = single(record("telemetry_data", "u", before, after, 4242L));

        assertThat(e.tableId).isEqualTo("telemetry.public.telemetry_data");
        assertThat(e.op).isEqualTo("u");
        assertThat(e.lsn).isEqualTo(4242L);
        assertThat(e.txId).isEqualTo(77L);
        assertThat(e.sourceTsMs).isEqualTo(1_700_000_001_000L);
        assertThat(e.before).containsExactly("00000000-0000-0000-0000-00000000b0c1", "00000000-0000-0000-0000-0000000000p1",
                "2023-11-14T22:13:20.123456", "{\"sensor1\": 1}", null, "80.5", null);
        assertThat(e.after[2]).isEqualTo("2023-11-14T22:13:20");
        assertThat(e.after[5]).as("NULL battery").isNull();
        assertThat(e.after[6]).as("NULL created_at stays NULL despite the column default").isNull();
    }

    @Test
    void deleteCarriesTheOldRow() {
        ChangeEvent e = single(record("telemetry_data", "d", telemetry("dead", 0L, null, 1.0), null, 9L));
        assertThat(e.isDelete()).isTrue();
        assertThat(e.after).isNull();
        assertThat(e.row()[0]).endsWith("dead");
        assertThat(e.row()[2]).isEqualTo("1970-01-01T00:00:00");
    }

    @Test
    void aSnapshotReadWithAPositionIsAMergedChange() {
        ChangeEvent plain = single(record("telemetry_data", "r", null, telemetry("a", 1L, null, 1.0), null));
        assertThat(plain.mergedChange).isFalse();
        assertThat(plain.lsn).as("stamped with the catalog's snapshot position").isEqualTo(Tables.CATALOG.snapshotLsn("telemetry"));
        ChangeEvent merged = single(record("telemetry_data", "r", null, telemetry("a", 1L, null, 1.0), 5150L));
        assertThat(merged.mergedChange).isTrue();
        assertThat(merged.lsn).isEqualTo(5150L);
        assertThat(single(record("telemetry_data", "c", null, telemetry("a", 1L, null, 1.0), 5150L)).mergedChange).isFalse();
    }

    @Test
    void unchangedToastValueIsTakenFromTheOldRow() {
        String big = "[\"" + "x".repeat(9000) + "\"]";
        Struct before = telemetry("7057", 5L, big, 40.0);
        Struct after = telemetry("7057", 5L, ChangeEventDeserializer.UNAVAILABLE_VALUE, 55.5);
        ChangeEvent e = single(record("telemetry_data", "u", before, after, 10L));
        assertThat(e.after[3]).isEqualTo(big);
        assertThat(e.after[5]).isEqualTo("55.5");
    }

    @Test
    void tablesOutsideTheCatalogAreSkipped() {
        Schema heartbeat = SchemaBuilder.struct().optional().field("id", Schema.INT32_SCHEMA).build();
        Struct row = new Struct(heartbeat).put("id", 1);
        assertThat(deserialize(record("cdc_heartbeat", "u", row, row, 1L))).isEmpty();
    }

    @Test
    void anAddedColumnIsSchemaDriftWithAClearMessage() {
        Schema drifted = SchemaBuilder.struct().optional()
                .field("id", UUID).field("prosthesis_id", UUID).field("timestamp", TS)
                .field("sensor_data", JSON).field("actuator_commands", JSON)
                .field("battery_level", Schema.OPTIONAL_FLOAT64_SCHEMA).field("created_at", TS_WITH_DEFAULT)
                .field("firmware", Schema.OPTIONAL_STRING_SCHEMA).build();
        Struct row = new Struct(drifted).put("id", "a").put("prosthesis_id", "p").put("timestamp", 0L);
        assertThatThrownBy(() -> deserialize(record("telemetry_data", "c", null, row, 1L)))
                .hasMessageContaining("schema drift in telemetry_db.public.telemetry_data")
                .hasMessageContaining("added [firmware]")
                .hasMessageContaining("resubmit the job from its last savepoint");
    }

    @Test
    void aRetypedColumnIsSchemaDrift() {
        Schema retyped = SchemaBuilder.struct().optional()
                .field("id", UUID).field("prosthesis_id", UUID).field("timestamp", Schema.STRING_SCHEMA)
                .field("sensor_data", JSON).field("actuator_commands", JSON)
                .field("battery_level", Schema.OPTIONAL_FLOAT64_SCHEMA).field("created_at", TS_WITH_DEFAULT).build();
        Struct row = new Struct(retyped).put("id", "a").put("prosthesis_id", "p").put("timestamp", "x");
        assertThatThrownBy(() -> deserialize(record("telemetry_data", "c", null, row, 1L)))
                .hasMessageContaining("column timestamp was timestamp without time zone");
    }

    private static Struct telemetry(String id, long micros, String sensor, Double battery) {
        return new Struct(TELEMETRY_ROW)
                .put("id", "00000000-0000-0000-0000-00000000" + id)
                .put("prosthesis_id", "00000000-0000-0000-0000-0000000000p1")
                .put("timestamp", micros)
                .put("sensor_data", sensor)
                .put("battery_level", battery);
    }

    private static SourceRecord record(String table, String op, Struct before, Struct after, Long lsn) {
        Schema rowSchema = before != null ? before.schema() : after.schema();
        Schema envelope = SchemaBuilder.struct().name("envelope")
                .field("before", rowSchema).field("after", rowSchema).field("source", SOURCE)
                .field("op", Schema.STRING_SCHEMA).build();
        Struct source = new Struct(SOURCE).put("db", "telemetry_db").put("schema", "public").put("table", table)
                .put("lsn", lsn).put("txId", 77L).put("ts_ms", 1_700_000_001_000L);
        Struct value = new Struct(envelope).put("before", before).put("after", after).put("source", source).put("op", op);
        return new SourceRecord(Map.of(), Map.of(), "topic", null, envelope, value);
    }

    private ChangeEvent single(SourceRecord r) {
        List<ChangeEvent> out = deserialize(r);
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    private List<ChangeEvent> deserialize(SourceRecord r) {
        List<ChangeEvent> out = new ArrayList<>();
        deserializer.deserialize(r, new ListCollector<>(out));
        return out;
    }
}
