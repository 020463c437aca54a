package com.bionicpro.cdc.mart;

import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Daily windows with retractions: what they emit, and that deleted or expired windows leave no state or timer. */
class DailyUsageAggregatorTest {
    private static final int RETENTION_DAYS = 30;
    private static final long MICROS_PER_DAY = 86_400_000_000L;
    private static final int TODAY = 20_000;

    private KeyedTwoInputStreamOperatorTestHarness<String, TelemetryDelta, Long, DailyUsage> harness;

    @BeforeEach
    void open() throws Exception {
        start(5000, null);
    }

    /** Replaces the harness with a new operator, restored from a snapshot when one is given, at 01:00 today. */
    private void start(int windowsPerCheckpoint, OperatorSubtaskState snapshot) throws Exception {
        start(new DailyUsageAggregator(RETENTION_DAYS, windowsPerCheckpoint), snapshot);
    }

    private void start(DailyUsageAggregator operator, OperatorSubtaskState snapshot) throws Exception {
        if (harness != null) {
            harness.close();
        }
        harness = newHarness(operator);
        if (snapshot != null) {
            harness.initializeState(snapshot);
        }
        harness.open();
        harness.setProcessingTime(TODAY * 86_400_000L + 3_600_000L);
    }

    /** The operator under test on the state backend this class tests (the heap backend, the test's default). */
    protected KeyedTwoInputStreamOperatorTestHarness<String, TelemetryDelta, Long, DailyUsage> newHarness(
            DailyUsageAggregator operator) throws Exception {
        // The second input, the end of the snapshot, is broadcast: no key of its own.
        return new KeyedTwoInputStreamOperatorTestHarness<>(operator, TelemetryDelta::windowKey, end -> "", Types.STRING);
    }

    /** The backend's name in the names of snapshot fixtures. */
    protected String backend() {
        return "heap";
    }

    private KeyedStateBackend<String> backendOfHarness() {
        return ((DailyUsageAggregator) harness.getOperator()).getKeyedStateBackend();
    }

    private Set<String> keysIn(String state) {
        try (Stream<String> keys = backendOfHarness().getKeys(state, VoidNamespace.INSTANCE)) {
            return keys.collect(Collectors.toSet());
        }
    }

    /**
     * Entries in the operator's keyed state: windows and waiting flags (counted the same on every
     * backend). Every window has its aggregate and its rows, and nothing is left in the state of the
     * layout before.
     */
    private long stateEntries() throws Exception {
        Set<String> windows = keysIn(DailyUsageAggregator.AGGREGATE_STATE);
        assertThat(keysIn(DailyUsageAggregator.ROWS_STATE)).as("windows with rows").isEqualTo(windows);
        assertThat(keysIn(DailyUsageAggregator.LEGACY_WINDOW_STATE)).as("windows in the old layout").isEmpty();
        return windows.size() + keysIn(DailyUsageAggregator.WAITING_STATE).size();
    }

    /** The aggregate of this prosthesis and day as its keyed state holds it, null when it has none. */
    private DailyUsage stateOf(String prosthesis, int day) throws Exception {
        KeyedStateBackend<String> backend = backendOfHarness();
        backend.setCurrentKey(prosthesis + "|" + day);
        return backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                new ValueStateDescriptor<>(DailyUsageAggregator.AGGREGATE_STATE, DailyUsage.class)).value();
    }

    /** The chunks of row timestamps that the keyed state holds for this prosthesis and day, in order. */
    private List<long[]> rowChunksOf(String prosthesis, int day) throws Exception {
        KeyedStateBackend<String> backend = backendOfHarness();
        backend.setCurrentKey(prosthesis + "|" + day);
        List<long[]> chunks = new ArrayList<>();
        Iterable<long[]> stored = backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                new ListStateDescriptor<>(DailyUsageAggregator.ROWS_STATE, PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO))
                .get();
        if (stored != null) {
            stored.forEach(chunks::add);
        }
        return chunks;
    }

    private static long at(int day, long secondOfDay) {
        return day * MICROS_PER_DAY + secondOfDay * 1_000_000L;
    }

    private int cached() {
        return ((DailyUsageAggregator) harness.getOperator()).cachedWindows();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private static TelemetryDelta row(int sign, String prosthesis, int day, long secondOfDay, Double battery, boolean command) {
        return new TelemetryDelta(prosthesis, day, sign, day * MICROS_PER_DAY + secondOfDay * 1_000_000L, battery, command);
    }

    private void process(TelemetryDelta... deltas) throws Exception {
        for (TelemetryDelta d : deltas) {
            harness.processElement1(new StreamRecord<>(d));
        }
    }

    private List<DailyUsage> fire() throws Exception {
        harness.getOutput().clear();
        harness.prepareSnapshotPreBarrier(1);
        return harness.extractOutputValues();
    }

    @Test
    void aChangedWindowFiresOncePerCheckpointWithTheWholeDay() throws Exception {
        process(row(1, "p1", TODAY, 100, 80.0, true),
                row(1, "p1", TODAY, 50, null, false),
                row(1, "p1", TODAY, 900, 70.0, false),
                row(1, "p1", TODAY - 1, 10, 10.0, true));
        List<DailyUsage> out = fire();
        assertThat(out).hasSize(2);
        DailyUsage today = out.stream().filter(u -> u.day == TODAY).findFirst().orElseThrow();
        assertThat(today.status).isEqualTo(DailyUsage.Status.LIVE);
        assertThat(today.usageCount).isEqualTo(3);
        assertThat(today.averageBattery()).isEqualTo(75.0);
        assertThat(today.commands).isEqualTo(1);
        assertThat(today.firstMicros).isEqualTo(TODAY * MICROS_PER_DAY + 50_000_000L);
        assertThat(today.lastMicros).isEqualTo(TODAY * MICROS_PER_DAY + 900_000_000L);
        assertThat(fire()).as("nothing changed since the last checkpoint").isEmpty();
        assertThat(harness.numProcessingTimeTimers()).as("one retention timer per window").isEqualTo(2);
    }

    @Test
    void retractionsRecomputeTheDayExactly() throws Exception {
        process(row(1, "p1", TODAY, 50, 90.0, true), row(1, "p1", TODAY, 100, 60.0, false), row(1, "p1", TODAY, 200, null, true));
        fire();
        // Delete the first row of the day, move the last one to yesterday.
        process(row(-1, "p1", TODAY, 50, 90.0, true),
                row(-1, "p1", TODAY, 200, null, true), row(1, "p1", TODAY - 1, 200, null, true));
        List<DailyUsage> out = fire();
        DailyUsage today = out.stream().filter(u -> u.day == TODAY).findFirst().orElseThrow();
        assertThat(today.usageCount).isEqualTo(1);
        assertThat(today.firstMicros).isEqualTo(today.lastMicros).isEqualTo(TODAY * MICROS_PER_DAY + 100_000_000L);
        assertThat(today.averageBattery()).isEqualTo(60.0);
        assertThat(today.commands).isZero();
        DailyUsage yesterday = out.stream().filter(u -> u.day == TODAY - 1).findFirst().orElseThrow();
        assertThat(yesterday.usageCount).isEqualTo(1);
        assertThat(yesterday.averageBattery()).isNull();
    }

    @Test
    void aWindowWhoseRowsAreAllDeletedIsRemovedWithItsStateAndTimer() throws Exception {
        process(row(1, "p1", TODAY, 10, 50.0, true), row(1, "p1", TODAY, 20, 40.0, false));
        fire();
        assertThat(stateEntries()).isPositive();
        process(row(-1, "p1", TODAY, 20, 40.0, false), row(-1, "p1", TODAY, 10, 50.0, true));
        List<DailyUsage> out = fire();
        assertThat(out).singleElement().satisfies(u -> {
            assertThat(u.status).isEqualTo(DailyUsage.Status.REMOVED);
            assertThat(u.prosthesisId).isEqualTo("p1");
            assertThat(u.day).isEqualTo(TODAY);
        });
        assertThat(stateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void aWindowExpiresAfterTheRetentionAndItsStateGoes() throws Exception {
        process(row(1, "p1", TODAY - 2, 10, 50.0, true));
        fire();
        harness.getOutput().clear();
        harness.setProcessingTime((TODAY - 2 + 1L + RETENTION_DAYS) * 86_400_000L);
        assertThat(harness.extractOutputValues()).singleElement()
                .satisfies(u -> assertThat(u.status).isEqualTo(DailyUsage.Status.EXPIRED));
        assertThat(stateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void atMostSoManyWindowsFirePerCheckpointAndWaitingOnesSurviveARestore() throws Exception {
        start(2, null);
        for (int p = 1; p <= 5; p++) {
            process(row(1, "p" + p, TODAY, 10, 50.0, true));
        }
        assertThat(fire()).extracting(u -> u.prosthesisId).containsExactlyInAnyOrder("p1", "p2");
        process(row(1, "p3", TODAY, 20, 40.0, false));
        // Restored elsewhere: p3, p4 and p5 still fire, p3 with both of its rows.
        start(2, harness.snapshot(2, 0));
        List<DailyUsage> first = fire();
        List<DailyUsage> second = fire();
        assertThat(first).hasSize(2);
        assertThat(second).hasSize(1);
        first.addAll(second);
        assertThat(first).extracting(u -> u.prosthesisId).containsExactlyInAnyOrder("p3", "p4", "p5");
        assertThat(first).filteredOn(u -> u.prosthesisId.equals("p3")).singleElement()
                .satisfies(u -> assertThat(u.usageCount).isEqualTo(2));
        assertThat(fire()).isEmpty();
        // Only the five windows remain in state, no waiting flag.
        assertThat(stateEntries()).isEqualTo(5);
    }

    @Test
    void windowsHeldOnTheHeapBetweenCheckpointsAreInEverySnapshot() throws Exception {
        // More changed windows than are held on the heap, some changed again after the overflow,
        // and a snapshot taken without the pre-barrier step (as a savepoint of a finished task).
        int windows = DailyUsageAggregator.MAX_UNWRITTEN_WINDOWS + 100;
        for (int p = 0; p < windows; p++) {
            process(row(1, "p" + p, TODAY, 10, 50.0, true));
        }
        for (int p = 0; p < 200; p++) {
            process(row(1, "p" + p, TODAY, 5, 70.0, false));
        }
        process(row(-1, "p1", TODAY, 10, 50.0, true), row(-1, "p1", TODAY, 5, 70.0, false));
        start(5000, harness.snapshot(1, 0));
        // The restored windows keep their row timestamps: taking the 5 s row out of p0 leaves 10 s.
        process(row(-1, "p0", TODAY, 5, 70.0, false));
        harness.getOutput().clear();
        harness.prepareSnapshotPreBarrier(2);
        List<DailyUsage> out = harness.extractOutputValues();
        assertThat(out).singleElement().satisfies(u -> {
            assertThat(u.prosthesisId).isEqualTo("p0");
            assertThat(u.usageCount).isEqualTo(1);
            assertThat(u.averageBattery()).isEqualTo(50.0);
            assertThat(u.firstMicros).isEqualTo(TODAY * MICROS_PER_DAY + 10_000_000L);
        });
        // Every window but p1 (all of its rows deleted) is in state with its retention timer.
        assertThat(stateEntries()).isEqualTo(windows - 1);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(windows - 1);
    }

    @Test
    void aWindowKeptOnTheHeapAfterItIsWrittenLeavesItsStateAsItWasUntilItIsWrittenAgain() throws Exception {
        // On the heap backend the state holds the very object written, also in a checkpoint still
        // being written; a row for a window kept on the heap must not change it in place.
        process(row(1, "p1", TODAY, 10, 50.0, true));
        assertThat(fire()).singleElement().satisfies(u -> assertThat(u.usageCount).isEqualTo(1));
        assertThat(cached()).isEqualTo(1);
        process(row(1, "p1", TODAY, 20, 70.0, false));
        DailyUsage inState = stateOf("p1", TODAY);
        assertThat(inState.usageCount).isEqualTo(1);
        assertThat(inState.lastMicros).isEqualTo(at(TODAY, 10));
        assertThat(fire()).singleElement().satisfies(u -> {
            assertThat(u.usageCount).isEqualTo(2);
            assertThat(u.averageBattery()).isEqualTo(60.0);
        });
        assertThat(stateOf("p1", TODAY).usageCount).isEqualTo(2);
        assertThat(cached()).isEqualTo(1);
    }

    @Test
    void aCheckpointAppendsTheRowsThatArrivedAndADeleteRewritesTheDay() throws Exception {
        process(row(1, "p1", TODAY, 30, 50.0, true), row(1, "p1", TODAY, 10, 50.0, true));
        fire();
        process(row(1, "p1", TODAY, 20, 50.0, true));
        fire();
        assertThat(fire()).as("nothing changed").isEmpty();
        assertThat(rowChunksOf("p1", TODAY)).as("one chunk per checkpoint interval that brought rows")
                .containsExactly(new long[] {at(TODAY, 10), at(TODAY, 30)}, new long[] {at(TODAY, 20)});
        process(row(-1, "p1", TODAY, 10, 50.0, true), row(1, "p1", TODAY, 5, 50.0, true));
        assertThat(fire()).singleElement().satisfies(u -> {
            assertThat(u.usageCount).isEqualTo(3);
            assertThat(u.firstMicros).isEqualTo(at(TODAY, 5));
            assertThat(u.lastMicros).isEqualTo(at(TODAY, 30));
        });
        assertThat(rowChunksOf("p1", TODAY)).as("a row that left: the day in one chunk")
                .containsExactly(new long[] {at(TODAY, 5), at(TODAY, 20), at(TODAY, 30)});
        // Rows that come after that are appended again; a delete of a row never counted changes nothing.
        process(row(1, "p1", TODAY, 40, 50.0, true), row(-1, "p1", TODAY, 41, 50.0, true));
        assertThat(fire()).singleElement().satisfies(u -> {
            assertThat(u.usageCount).isEqualTo(4);
            assertThat(u.lastMicros).isEqualTo(at(TODAY, 40));
        });
        assertThat(rowChunksOf("p1", TODAY)).containsExactly(new long[] {at(TODAY, 5), at(TODAY, 20), at(TODAY, 30), at(TODAY, 40)});
        // Deleting the last row leaves the one before it as the last activity.
        process(row(-1, "p1", TODAY, 40, 50.0, true));
        assertThat(fire()).singleElement().satisfies(u -> assertThat(u.lastMicros).isEqualTo(at(TODAY, 30)));
        assertThat(stateEntries()).isEqualTo(1);
    }

    @Test
    void aWindowDeletedAndRefilledWithinOneIntervalKeepsOnlyItsNewRows() throws Exception {
        process(row(1, "p1", TODAY, 10, 50.0, true));
        fire();
        process(row(-1, "p1", TODAY, 10, 50.0, true), row(1, "p1", TODAY, 20, 60.0, false));
        assertThat(fire()).singleElement().satisfies(u -> {
            assertThat(u.usageCount).isEqualTo(1);
            assertThat(u.firstMicros).isEqualTo(u.lastMicros).isEqualTo(at(TODAY, 20));
        });
        assertThat(rowChunksOf("p1", TODAY)).containsExactly(new long[] {at(TODAY, 20)});
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
    }

    @Test
    void windowsKeptOnTheHeapStayWithinTheirBoundAndTheOnesLeftOutAreReadFromState() throws Exception {
        start(new DailyUsageAggregator(RETENTION_DAYS, 5000, 3), null);
        for (int p = 1; p <= 6; p++) {
            process(row(1, "p" + p, TODAY, 10, 50.0, true));
        }
        assertThat(fire()).hasSize(6);
        assertThat(cached()).isEqualTo(3);
        process(row(1, "p6", TODAY, 20, 50.0, true), row(1, "p6", TODAY, 30, 50.0, true),
                row(1, "p6", TODAY, 40, 50.0, true));
        assertThat(fire()).singleElement().satisfies(u -> assertThat(u.usageCount).isEqualTo(4));
        assertThat(cached()).isEqualTo(3);
        // Every window, on the heap or not, still has all of its rows.
        for (int p = 1; p <= 6; p++) {
            process(row(1, "p" + p, TODAY, 5, 70.0, false));
        }
        List<DailyUsage> out = fire();
        assertThat(out).hasSize(6);
        assertThat(out).allSatisfy(u -> {
            assertThat(u.usageCount).isEqualTo(u.prosthesisId.equals("p6") ? 5 : 2);
            assertThat(u.firstMicros).isEqualTo(TODAY * MICROS_PER_DAY + 5_000_000L);
            assertThat(u.lastMicros).isEqualTo(TODAY * MICROS_PER_DAY + (u.prosthesisId.equals("p6") ? 40 : 10) * 1_000_000L);
        });
        assertThat(cached()).isEqualTo(3);
        // A window whose rows are all deleted leaves the heap with its state.
        process(row(-1, "p1", TODAY, 10, 50.0, true), row(-1, "p1", TODAY, 5, 70.0, false));
        assertThat(fire()).singleElement().satisfies(u -> assertThat(u.status).isEqualTo(DailyUsage.Status.REMOVED));
        assertThat(stateOf("p1", TODAY)).isNull();
        process(row(1, "p1", TODAY, 60, null, false));
        assertThat(fire()).singleElement().satisfies(u -> assertThat(u.usageCount).isEqualTo(1));
        assertThat(stateEntries()).isEqualTo(6);
    }

    @Test
    void anExpiredWindowLeavesTheHeapToo() throws Exception {
        process(row(1, "p1", TODAY - 2, 10, 50.0, true), row(1, "p2", TODAY, 10, 50.0, true));
        assertThat(fire()).hasSize(2);
        assertThat(cached()).isEqualTo(2);
        harness.setProcessingTime((TODAY - 2 + 1L + RETENTION_DAYS) * 86_400_000L);
        assertThat(cached()).isEqualTo(1);
        assertThat(stateEntries()).isEqualTo(1);
    }

    @Test
    void aWindowThatExpiresBeforeItIsWrittenLeavesNoState() throws Exception {
        process(row(1, "p1", TODAY - 2, 10, 50.0, true));
        harness.setProcessingTime((TODAY - 2 + 1L + RETENTION_DAYS) * 86_400_000L);
        assertThat(harness.extractOutputValues()).singleElement()
                .satisfies(u -> assertThat(u.status).isEqualTo(DailyUsage.Status.EXPIRED));
        assertThat(fire()).as("an expired window does not fire again").isEmpty();
        assertThat(stateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void rowsOlderThanTheRetentionAreNotCounted() throws Exception {
        process(row(1, "p1", TODAY - RETENTION_DAYS - 1, 10, 50.0, true), row(-1, "p2", TODAY, 10, 50.0, true));
        assertThat(fire()).isEmpty();
        assertThat(stateEntries()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    private static TelemetryDelta read(String prosthesis, long secondOfDay) {
        return row(1, prosthesis, TODAY, secondOfDay, 50.0, false).fromSnapshot();
    }

    private List<DailyUsage> snapshotEnds() throws Exception {
        harness.getOutput().clear();
        harness.processElement2(new StreamRecord<>(harness.getProcessingTime()));
        return harness.extractOutputValues();
    }

    @Test
    void windowsThatOnlySnapshotReadsChangedFireOnceAtTheEndOfTheSnapshot() throws Exception {
        process(read("p1", 1), read("p2", 1), row(1, "p3", TODAY, 1, 50.0, false));
        assertThat(fire()).as("only the stream change fires").extracting(u -> u.prosthesisId).containsExactly("p3");
        process(read("p1", 2), read("p1", 3));
        assertThat(fire()).isEmpty();
        List<DailyUsage> atEnd = snapshotEnds();
        assertThat(atEnd).extracting(u -> u.prosthesisId).containsExactlyInAnyOrder("p1", "p2");
        assertThat(atEnd).filteredOn(u -> u.prosthesisId.equals("p1")).singleElement()
                .satisfies(u -> assertThat(u.usageCount).isEqualTo(3));
        assertThat(fire()).as("nothing left to fire").isEmpty();
        // A snapshot read still on its way when the end arrived fires like a stream change.
        process(read("p2", 2));
        assertThat(fire()).singleElement().satisfies(u -> assertThat(u.usageCount).isEqualTo(2));
        assertThat(snapshotEnds()).as("a second end (after a restore) finds nothing waiting").isEmpty();
        assertThat(stateEntries()).as("three windows, no waiting flag").isEqualTo(3);
    }

    @Test
    void aStreamChangeFiresAWindowThatWaitsForTheSnapshot() throws Exception {
        process(read("p1", 1), row(1, "p1", TODAY, 2, 50.0, false), read("p1", 3));
        assertThat(fire()).singleElement().satisfies(u -> assertThat(u.usageCount).isEqualTo(3));
        assertThat(snapshotEnds()).isEmpty();
    }

    @Test
    void aWindowWaitsForTheEndOfTheSnapshotAtMostSoLong() throws Exception {
        long start = harness.getProcessingTime();
        process(read("p1", 0));
        for (int second = 1; second < DailyUsageAggregator.MAX_SNAPSHOT_DEFERRAL_MS / 1000; second++) {
            harness.setProcessingTime(start + second * 1000L);
            process(read("p1", second));
            assertThat(fire()).as("read again at %d s", second).isEmpty();
        }
        harness.setProcessingTime(start + DailyUsageAggregator.MAX_SNAPSHOT_DEFERRAL_MS);
        assertThat(fire()).singleElement().satisfies(u -> assertThat(u.usageCount)
                .isEqualTo(DailyUsageAggregator.MAX_SNAPSHOT_DEFERRAL_MS / 1000));
        // Read again: it waits again, from now.
        process(read("p1", 1000));
        assertThat(fire()).isEmpty();
        assertThat(snapshotEnds()).singleElement().satisfies(u -> assertThat(u.usageCount)
                .isEqualTo(DailyUsageAggregator.MAX_SNAPSHOT_DEFERRAL_MS / 1000 + 1));
    }

    @Test
    void windowsThatWaitForTheSnapshotFireAfterARestoreAndAtTheEndOfInput() throws Exception {
        process(read("p1", 1), read("p2", 1));
        assertThat(fire()).isEmpty();
        start(5000, harness.snapshot(1, 0));
        process(read("p2", 2));
        assertThat(fire()).as("restored windows fire, whatever reads them")
                .extracting(u -> u.prosthesisId).containsExactlyInAnyOrder("p1", "p2");
        process(read("p3", 1));
        harness.getOutput().clear();
        harness.getOperator().finish();
        assertThat(harness.extractOutputValues()).extracting(u -> u.prosthesisId).containsExactly("p3");
        assertThat(stateEntries()).as("three windows, no waiting flag").isEqualTo(3);
    }

    @Test
    void restoresASnapshotOfTheOneInputVersion() throws Exception {
        // Written by the operator of ba06f7f (one input, no end-of-snapshot signal) with two windows
        // per checkpoint: p1 and p2 had fired, p3 (two rows), p4 and p5 were waiting, flagged.
        start(2, OperatorSnapshotUtil.readStateHandle(
                "src/test/resources/fixtures/daily-usage-windows-v1-" + backend() + ".snapshot"));
        List<DailyUsage> fired = fire();
        assertThat(fired).hasSize(2);
        fired.addAll(fire());
        assertThat(fired).extracting(u -> u.prosthesisId).containsExactlyInAnyOrder("p3", "p4", "p5");
        assertThat(fired).filteredOn(u -> u.prosthesisId.equals("p3")).singleElement()
                .satisfies(u -> assertThat(u.usageCount).isEqualTo(2));
        assertThat(fire()).isEmpty();
        process(row(1, "p1", TODAY, 20, 30.0, false));
        assertThat(fire()).singleElement().satisfies(u -> assertThat(u.usageCount).isEqualTo(2));
        // The rows moved with their windows: p3 had rows at 10 s and 20 s.
        process(row(-1, "p3", TODAY, 10, 50.0, true));
        assertThat(fire()).singleElement().satisfies(u -> {
            assertThat(u.usageCount).isEqualTo(1);
            assertThat(u.firstMicros).isEqualTo(u.lastMicros).isEqualTo(at(TODAY, 20));
        });
        assertThat(stateEntries()).isEqualTo(5);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(5);
    }

    @Test
    void restoresASnapshotOfTheOneValuePerWindowLayout() throws Exception {
        // Written by the operator of 3ccdb6e (aggregate and timestamps in one value per window) with
        // one window per checkpoint: p1 rows at 30, 10, 20 s, fired; p2 (10 s) and p3 (10 s, 40 s)
        // fired one checkpoint each; then p1 a row at 5 s, waiting, flagged.
        start(1, OperatorSnapshotUtil.readStateHandle(
                "src/test/resources/fixtures/daily-usage-windows-v2-" + backend() + ".snapshot"));
        assertThat(fire()).singleElement().satisfies(u -> {
            assertThat(u.prosthesisId).isEqualTo("p1");
            assertThat(u.usageCount).isEqualTo(4);
            assertThat(u.averageBattery()).isEqualTo(43.33);
            assertThat(u.firstMicros).isEqualTo(at(TODAY, 5));
            assertThat(u.lastMicros).isEqualTo(at(TODAY, 30));
        });
        assertThat(fire()).isEmpty();
        assertThat(rowChunksOf("p1", TODAY)).containsExactly(new long[] {at(TODAY, 5), at(TODAY, 10), at(TODAY, 20), at(TODAY, 30)});
        process(row(-1, "p1", TODAY, 5, 90.0, false), row(-1, "p3", TODAY, 40, 80.0, false), row(1, "p2", TODAY, 50, null, true));
        List<DailyUsage> out = fire();
        assertThat(out).hasSize(1);
        out.addAll(fire());
        out.addAll(fire());
        assertThat(out).extracting(u -> u.prosthesisId + " " + u.usageCount + " " + u.firstMicros + ".." + u.lastMicros)
                .containsExactlyInAnyOrder(
                        "p1 3 " + at(TODAY, 10) + ".." + at(TODAY, 30),
                        "p2 2 " + at(TODAY, 10) + ".." + at(TODAY, 50),
                        "p3 1 " + at(TODAY, 10) + ".." + at(TODAY, 10));
        assertThat(stateEntries()).isEqualTo(3);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(3);
    }
}
