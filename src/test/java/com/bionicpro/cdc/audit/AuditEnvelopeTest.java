package com.bionicpro.cdc.audit;

import com.bionicpro.cdc.source.ChangeEvent;
import com.bionicpro.cdc.testing.Tables;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The audit log's key and envelope: readable by people and tools, values typed by their column. */
class AuditEnvelopeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void updateEnvelopeHasTypedValuesAndSource() throws Exception {
        String[] before = {"11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222",
            "2024-05-01T10:00:00.123456", "{\"sensor1\": 7, \"nested\": [1, 2]}", null, "85.37", null};
        String[] after = before.clone();
        after[4] = "{\"command\": \"grasp\", \"intensity\": 3}";
        after[5] = "NaN";
        ChangeEvent change = new ChangeEvent("telemetry.public.telemetry_data", "u", 123456789L, 4321L, 1714557600000L, before, after);

        JsonNode value = JSON.readTree(AuditEnvelope.value(Tables.TELEMETRY, change));
        assertThat(value.get("op").asText()).isEqualTo("u");
        assertThat(value.get("before").get("timestamp").asText()).isEqualTo("2024-05-01T10:00:00.123456");
        assertThat(value.get("before").get("sensor_data").get("nested").get(1).asInt()).as("JSONB embedded as JSON").isEqualTo(2);
        assertThat(value.get("before").get("actuator_commands").isNull()).isTrue();
        assertThat(value.get("before").get("battery_level").isNumber()).isTrue();
        assertThat(value.get("before").get("battery_level").decimalValue()).isEqualByComparingTo("85.37");
        assertThat(value.get("after").get("actuator_commands").get("command").asText()).isEqualTo("grasp");
        assertThat(value.get("after").get("battery_level").asText()).as("NaN is not a JSON number").isEqualTo("NaN");
        JsonNode source = value.get("source");
        assertThat(source.get("database").asText()).isEqualTo("telemetry_db");
        assertThat(source.get("schema").asText()).isEqualTo("public");
        assertThat(source.get("table").asText()).isEqualTo("telemetry_data");
        assertThat(source.get("lsn").asLong()).isEqualTo(123456789L);
        assertThat(source.get("txId").asLong()).isEqualTo(4321L);
        assertThat(source.get("ts_ms").asLong()).isEqualTo(1714557600000L);
        assertThat(source.get("snapshot").asBoolean()).isFalse();
    }

    @Test
    void deleteIsKeyedByTheOldRowAndKeepsNonAsciiText() throws Exception {
        String[] row = {"00000000-0000-0000-0000-00000000000a", "anna@example.com", "Анна Šťastná 🦾", null, "2024-07-01T12:00:00"};
        ChangeEvent delete = new ChangeEvent("crm.public.users", "d", 5L, 6L, 7L, row, null);
        assertThat(new String(AuditEnvelope.key(Tables.USERS, delete), StandardCharsets.UTF_8))
                .isEqualTo("{\"id\":\"00000000-0000-0000-0000-00000000000a\"}");
        JsonNode value = JSON.readTree(AuditEnvelope.value(Tables.USERS, delete));
        assertThat(value.get("after").isNull()).isTrue();
        assertThat(value.get("before").get("name").asText()).isEqualTo("Анна Šťastná 🦾");
        assertThat(value.get("before").get("created_at").isNull()).isTrue();
    }

    @Test
    void snapshotReadsAreMarkedAndTopicsNamedByPrefixSchemaTable() throws Exception {
        String[] row = {"00000000-0000-0000-0000-00000000000a", "a@b", "A", null, null};
        ChangeEvent read = new ChangeEvent("crm.public.users", "r", 0L, 0L, 0L, null, row);
        assertThat(JSON.readTree(AuditEnvelope.value(Tables.USERS, read)).get("source").get("snapshot").asBoolean()).isTrue();
        var record = new AuditRecordSerializer(Tables.CATALOG, Map.of("crm", "crm_db", "telemetry", "telemetry_db"))
                .serialize(read, null, null);
        assertThat(record.topic()).isEqualTo("crm_db.public.users");
        assertThat(record.timestamp()).as("no commit time for a snapshot read").isNull();
    }
}
