package com.bionicpro.cdc.clickhouse;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The committable is part of every checkpoint: its format must read back, and refuse what it cannot. */
class ClickHouseBatchSerializerTest {
    @Test
    void roundTrip() throws Exception {
        ClickHouseBatch batch = new ClickHouseBatch("reports_db.users_target", List.of("id", "name", "_version", "_deleted"), 2,
                "a\tZoë\t3\t0\nb\t\\N\t5\t1\n".getBytes(StandardCharsets.UTF_8));
        ClickHouseBatchSerializer s = new ClickHouseBatchSerializer();
        ClickHouseBatch back = s.deserialize(s.getVersion(), s.serialize(batch));
        assertThat(back.table).isEqualTo(batch.table);
        assertThat(back.columns).isEqualTo(batch.columns);
        assertThat(back.rowCount).isEqualTo(2);
        assertThat(back.payload).isEqualTo(batch.payload);
    }

    @Test
    void unknownVersionIsRefused() {
        assertThatThrownBy(() -> new ClickHouseBatchSerializer().deserialize(99, new byte[0]))
                .isInstanceOf(IOException.class).hasMessageContaining("version 99");
    }
}
