package com.bionicpro.cdc.replica;

import com.bionicpro.cdc.clickhouse.ClickHouseRow;
import com.bionicpro.cdc.source.ChangeEvent;
import com.bionicpro.cdc.testing.Tables;

import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Changes as ReplacingMergeTree rows: versions from the WAL position, deletes and moved keys as deleted rows. */
class ReplicaRowMapperTest {
    private final ReplicaRowMapper mapper = new ReplicaRowMapper(Tables.CATALOG);

    @Test
    void insertAndDeleteCarryTheirVersion() {
        String[] row = {"u1", "a@b", "Ann", "2024-01-01T00:00:00", null};
        assertThat(lines(new ChangeEvent("crm.public.users", "c", 100, 1, 1, null, row)))
                .containsExactly("users_target: u1\ta@b\tAnn\t1704067200\t\\N\t201\t0");
        assertThat(lines(new ChangeEvent("crm.public.users", "d", 150, 1, 1, row, null)))
                .containsExactly("users_target: u1\ta@b\tAnn\t1704067200\t\\N\t301\t1");
    }

    @Test
    void anUpdateThatMovesTheSortingKeyDeletesTheOldKeyFirst() {
        String[] before = {"t1", "p1", "2024-01-01T10:00:00", null, null, "50.0", null};
        String[] after = before.clone();
        after[2] = "2024-01-02T10:00:00";
        assertThat(lines(new ChangeEvent("telemetry.public.telemetry_data", "u", 500, 1, 1, before, after))).containsExactly(
                "telemetry_data_target: t1\tp1\t1704103200\t\\N\t\\N\t50.0\t\\N\t1000\t1",
                "telemetry_data_target: t1\tp1\t1704189600\t\\N\t\\N\t50.0\t\\N\t1001\t0");
    }

    @Test
    void anUpdateWithinTheKeyIsOneRow() {
        String[] before = {"t1", "p1", "2024-01-01T10:00:00", null, null, "50.0", null};
        String[] after = before.clone();
        after[5] = "49.5";
        assertThat(lines(new ChangeEvent("telemetry.public.telemetry_data", "u", 600, 1, 1, before, after))).hasSize(1);
    }

    private List<String> lines(ChangeEvent e) {
        List<String> out = new ArrayList<>();
        mapper.flatMap(e, new Collector<>() {
            @Override
            public void collect(ClickHouseRow r) {
                out.add(r.table + ": " + new String(r.tsv, StandardCharsets.UTF_8).stripTrailing());
            }

            @Override
            public void close() {}
        });
        return out;
    }
}
