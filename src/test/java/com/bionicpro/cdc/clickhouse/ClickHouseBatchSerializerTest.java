package com.bionicpro.cdc.clickhouse;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.zip.Inflater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The committable is part of every checkpoint: its format must read back, and refuse what it cannot. */
class ClickHouseBatchSerializerTest {
    private static final byte[] ROWS = "a\tZoë\t3\t0\nb\t\\N\t5\t1\n".getBytes(StandardCharsets.UTF_8);
    private static final ClickHouseBatch BATCH = new ClickHouseBatch("reports_db.users_target",
            List.of("id", "name", "_version", "_deleted"), 2, ROWS, false);
    private static final ClickHouseBatch DEFLATED = new ClickHouseBatch(BATCH.table, BATCH.columns, 2,
            HexFormat.of().parseHex("78014be48cca3fbc9ad398d3802b8933c68fd394d3900b003bca04b8"), true);

    private final ClickHouseBatchSerializer serializer = new ClickHouseBatchSerializer();

    @Test
    void roundTrip() throws Exception {
        assertSameBatch(serializer.deserialize(serializer.getVersion(), serializer.serialize(BATCH)), BATCH);
        assertSameBatch(serializer.deserialize(serializer.getVersion(), serializer.serialize(DEFLATED)), DEFLATED);
    }

    /** Checkpoints and savepoints of builds before 2026-12-07 hold version 1 (plain payloads): they still restore. */
    @Test
    void readsTheVersionOneLayout() throws Exception {
        assertSameBatch(serializer.deserialize(1, fixture("clickhouse-batch-v1.hex")), BATCH);
    }

    /** This build writes version 2, byte for byte as the fixture holds it. */
    @Test
    void writesAndReadsTheVersionTwoLayout() throws Exception {
        byte[] versionTwo = fixture("clickhouse-batch-v2.hex");
        assertThat(serializer.getVersion()).isEqualTo(2);
        assertThat(serializer.serialize(DEFLATED)).isEqualTo(versionTwo);
        assertSameBatch(serializer.deserialize(2, versionTwo), DEFLATED);
    }

    /** The fixture's deflated payload is the batch's rows: what the committer sends inflates to them. */
    @Test
    void theDeflatedPayloadInflatesToTheRows() throws Exception {
        Inflater inflater = new Inflater();
        inflater.setInput(DEFLATED.payload);
        byte[] rows = new byte[ROWS.length + 1];
        int n = inflater.inflate(rows);
        assertThat(inflater.finished()).isTrue();
        assertThat(Arrays.copyOf(rows, n)).isEqualTo(ROWS);
        inflater.end();
    }

    /** A snapshot's batches are megabytes: the serialized form is the header and the payload, nothing more. */
    @Test
    void aLargePayloadIsStoredAtItsExactSize() throws Exception {
        byte[] payload = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(payload);
        ClickHouseBatch large = new ClickHouseBatch(BATCH.table, BATCH.columns, 40_000, payload, true);
        int header = serializer.serialize(new ClickHouseBatch(BATCH.table, BATCH.columns, 0, new byte[0], true)).length;

        byte[] serialized = serializer.serialize(large);

        assertThat(serialized).hasSize(header + payload.length);
        assertSameBatch(serializer.deserialize(2, serialized), large);
    }

    @Test
    void unknownVersionIsRefused() {
        assertThatThrownBy(() -> serializer.deserialize(99, new byte[0]))
                .isInstanceOf(IOException.class).hasMessageContaining("version 99");
    }

    @Test
    void unknownPayloadEncodingIsRefused() throws Exception {
        byte[] serialized = serializer.serialize(DEFLATED);
        int encodingAt = serialized.length - DEFLATED.payload.length - 4 - 1;
        assertThat(serialized[encodingAt]).isEqualTo((byte) 1);
        serialized[encodingAt] = 7;
        assertThatThrownBy(() -> serializer.deserialize(2, serialized))
                .isInstanceOf(IOException.class).hasMessageContaining("encoding 7");
    }

    private static byte[] fixture(String name) throws IOException {
        return HexFormat.of().parseHex(Files.readAllLines(Paths.get("src/test/resources/fixtures", name))
                .stream().filter(l -> !l.startsWith("#")).map(String::strip).collect(Collectors.joining()));
    }

    private static void assertSameBatch(ClickHouseBatch actual, ClickHouseBatch expected) {
        assertThat(actual.table).isEqualTo(expected.table);
        assertThat(actual.columns).isEqualTo(expected.columns);
        assertThat(actual.rowCount).isEqualTo(expected.rowCount);
        assertThat(actual.payload).isEqualTo(expected.payload);
        assertThat(actual.deflated).isEqualTo(expected.deflated);
    }
}
