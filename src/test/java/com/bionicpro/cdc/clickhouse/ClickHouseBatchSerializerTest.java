package com.bionicpro.cdc.clickhouse;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The committable is part of every checkpoint: its format must read back, and refuse what it cannot. */
class ClickHouseBatchSerializerTest {
    private static final ClickHouseBatch BATCH = new ClickHouseBatch("reports_db.users_target",
            List.of("id", "name", "_version", "_deleted"), 2, "a\tZoë\t3\t0\nb\t\\N\t5\t1\n".getBytes(StandardCharsets.UTF_8));

    private final ClickHouseBatchSerializer serializer = new ClickHouseBatchSerializer();

    @Test
    void roundTrip() throws Exception {
        assertSameBatch(serializer.deserialize(serializer.getVersion(), serializer.serialize(BATCH)), BATCH);
    }

    /** Checkpoints and savepoints of earlier builds hold version 1: it is written and read byte for byte. */
    @Test
    void writesAndReadsTheVersionOneLayout() throws Exception {
        byte[] versionOne = HexFormat.of().parseHex(Files.readAllLines(Paths.get("src/test/resources/fixtures/clickhouse-batch-v1.hex"))
                .stream().filter(l -> !l.startsWith("#")).map(String::strip).collect(Collectors.joining()));
        assertThat(serializer.getVersion()).isEqualTo(1);
        assertThat(serializer.serialize(BATCH)).isEqualTo(versionOne);
        assertSameBatch(serializer.deserialize(1, versionOne), BATCH);
    }

    /** A snapshot's batches are megabytes: the serialized form is the header and the payload, nothing more. */
    @Test
    void aLargePayloadIsStoredAtItsExactSize() throws Exception {
        byte[] payload = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(payload);
        ClickHouseBatch large = new ClickHouseBatch(BATCH.table, BATCH.columns, 40_000, payload);
        int header = serializer.serialize(new ClickHouseBatch(BATCH.table, BATCH.columns, 0, new byte[0])).length;

        byte[] serialized = serializer.serialize(large);

        assertThat(serialized).hasSize(header + payload.length);
        assertSameBatch(serializer.deserialize(1, serialized), large);
    }

    @Test
    void unknownVersionIsRefused() {
        assertThatThrownBy(() -> serializer.deserialize(99, new byte[0]))
                .isInstanceOf(IOException.class).hasMessageContaining("version 99");
    }

    private static void assertSameBatch(ClickHouseBatch actual, ClickHouseBatch expected) {
        assertThat(actual.table).isEqualTo(expected.table);
        assertThat(actual.columns).isEqualTo(expected.columns);
        assertThat(actual.rowCount).isEqualTo(expected.rowCount);
        assertThat(actual.payload).isEqualTo(expected.payload);
    }
}
