package com.bionicpro.cdc.source;

import com.bionicpro.cdc.catalog.CaptureCatalog;
import com.bionicpro.cdc.testing.Tables;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The second delivery of a change merged into a snapshot chunk is dropped; nothing else is. */
class SnapshotBoundaryDeduplicatorTest {
    private static final String TELEMETRY = "telemetry.public.telemetry_data";
    private static final CaptureCatalog CATALOG = new CaptureCatalog(List.of(Tables.TELEMETRY));

    private KeyedOneInputStreamOperatorTestHarness<String, ChangeEvent, ChangeEvent> harness;

    @BeforeEach
    void open() throws Exception {
        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new SnapshotBoundaryDeduplicator()), new ChangeKeySelector(CATALOG), Types.STRING);
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void theStreamCopyOfAMergedInsertIsDroppedAndTheRowForgotten() throws Exception {
        ChangeEvent merged = read("a", 500, true, 21);
        ChangeEvent again = change(ChangeEvent.CREATE, "a", 500, null, 21);
        ChangeEvent next = change(ChangeEvent.UPDATE, "a", 700, 21, 99);
        process(merged, again, next);
        assertThat(harness.extractOutputValues()).containsExactly(merged, next);
        assertThat(harness.numKeyedStateEntries()).as("state once the stream passed the merged change").isZero();
    }

    @Test
    void aMergedUpdateIsAlsoCoveredAndOlderStreamCopiesToo() throws Exception {
        ChangeEvent merged = read("a", 500, true, 30);
        process(merged, change(ChangeEvent.UPDATE, "a", 420, 10, 20), change(ChangeEvent.UPDATE, "a", 500, 20, 30));
        assertThat(harness.extractOutputValues()).containsExactly(merged);
        assertThat(harness.numKeyedStateEntries()).as("kept until a newer change of the row").isEqualTo(1);
        ChangeEvent delete = change(ChangeEvent.DELETE, "a", 900, 30, null);
        process(delete);
        assertThat(harness.extractOutputValues()).containsExactly(merged, delete);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void plainSnapshotReadsAndOtherRowsPassUntouchedWithoutState() throws Exception {
        ChangeEvent plain = read("a", 100, false, 10);
        ChangeEvent otherRowMerged = read("b", 500, true, 20);
        // Same position, other row: not a copy.
        ChangeEvent updateOfA = change(ChangeEvent.UPDATE, "a", 500, 10, 11);
        process(plain, otherRowMerged, updateOfA);
        assertThat(harness.extractOutputValues()).containsExactly(plain, otherRowMerged, updateOfA);
        assertThat(harness.numKeyedStateEntries()).as("only row b, whose read carries a merged change").isEqualTo(1);
    }

    @Test
    void theMergedPositionSurvivesARestore() throws Exception {
        process(read("a", 500, true, 21));
        var snapshot = harness.snapshot(1, 1);
        harness.close();
        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new SnapshotBoundaryDeduplicator()), new ChangeKeySelector(CATALOG), Types.STRING);
        harness.initializeState(snapshot);
        harness.open();
        process(change(ChangeEvent.CREATE, "a", 500, null, 21));
        assertThat(harness.extractOutputValues()).isEmpty();
    }

    @Test
    void stateExpiresAfterTheRetention() throws Exception {
        harness.setStateTtlProcessingTime(0);
        process(read("a", 500, true, 21));
        harness.setStateTtlProcessingTime(SnapshotBoundaryDeduplicator.RETENTION.toMillis() + 1);
        ChangeEvent late = change(ChangeEvent.UPDATE, "a", 500, 21, 22);
        process(late);
        assertThat(harness.extractOutputValues()).last().isEqualTo(late);
    }

    private void process(ChangeEvent... changes) throws Exception {
        for (ChangeEvent c : changes) {
            harness.processElement(new StreamRecord<>(c));
        }
    }

    private static ChangeEvent read(String id, long lsn, boolean merged, int battery) {
        ChangeEvent e = new ChangeEvent(TELEMETRY, ChangeEvent.READ, lsn, 1, 1, null, row(id, battery));
        e.mergedChange = merged;
        return e;
    }

    private static ChangeEvent change(String op, String id, long lsn, Integer before, Integer after) {
        return new ChangeEvent(TELEMETRY, op, lsn, 1, 1, before == null ? null : row(id, before), after == null ? null : row(id, after));
    }

    private static String[] row(String id, int battery) {
        String[] row = new String[Tables.TELEMETRY.columns.size()];
        row[Tables.TELEMETRY.primaryKey[0]] = id;
        row[Tables.TELEMETRY.requirePosition("battery_level")] = String.valueOf(battery);
        return row;
    }
}
