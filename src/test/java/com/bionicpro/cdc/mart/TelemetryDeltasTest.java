package com.bionicpro.cdc.mart;

import com.bionicpro.cdc.source.ChangeEvent;

import org.apache.flink.api.common.functions.util.ListCollector;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Telemetry changes as window deltas; only snapshot reads are marked as such. */
class TelemetryDeltasTest {
    private static final String TABLE = "telemetry.public.telemetry_data";

    private static String[] row(String prosthesis, String timestamp) {
        return new String[] {"id-1", prosthesis, timestamp, null, "{\"grip\":1}", "55.5", null};
    }

    private static List<TelemetryDelta> deltas(String op, String[] before, String[] after) {
        List<TelemetryDelta> out = new ArrayList<>();
        new TelemetryDeltas(MartHarness.SCHEMA)
                .flatMap(new ChangeEvent(TABLE, op, 1, 1, 1, before, after), new ListCollector<>(out));
        return out;
    }

    @Test
    void snapshotReadsAreMarkedAndStreamChangesAreNot() {
        assertThat(deltas(ChangeEvent.READ, null, row("p1", "2024-01-02T03:04:05"))).singleElement().satisfies(d -> {
            assertThat(d.snapshotRead).isTrue();
            assertThat(d.sign).isEqualTo(1);
            assertThat(d.windowKey()).isEqualTo("p1|" + (19_724));
            assertThat(d.command).isTrue();
            assertThat(d.battery).isEqualTo(55.5);
        });
        assertThat(deltas(ChangeEvent.CREATE, null, row("p1", "2024-01-02T03:04:05")))
                .singleElement().satisfies(d -> assertThat(d.snapshotRead).isFalse());
        List<TelemetryDelta> update = deltas(ChangeEvent.UPDATE, row("p1", "2024-01-02T03:04:05"), row("p2", "2024-01-03T00:00:00"));
        assertThat(update).extracting(d -> d.sign + d.windowKey()).containsExactly("-1p1|19724", "1p2|19725");
        assertThat(update).noneMatch(d -> d.snapshotRead);
        assertThat(deltas(ChangeEvent.DELETE, row("p1", "2024-01-02T03:04:05"), null))
                .singleElement().satisfies(d -> assertThat(d.sign).isEqualTo(-1));
    }
}
