package com.bionicpro.cdc.mart;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Daily tumbling windows of telemetry per prosthesis (keyed by "prosthesis|day", the UTC day of
 * the row's timestamp), with retractions: a deleted or updated row leaves its window exactly.
 *
 * <p>Firing: a window that changed is emitted once per checkpoint, just before the barrier, so
 * today's report follows every commit within one checkpoint interval, a late row for an older day
 * simply updates that day, and thousands of rows of one day cost one downstream update. At most
 * {@code maxWindowsPerCheckpoint} windows fire per checkpoint (oldest change first): while a
 * snapshot or a backlog touches every window every second, the rest wait and keep coalescing
 * instead of rewriting the whole mart at every checkpoint. A window that waits across a checkpoint
 * is flagged in keyed state, so a restore fires it too.
 *
 * <p>Snapshot reads: a window that only they changed since it last fired waits for the end of the
 * snapshot, signalled on the second input (broadcast, from the telemetry source's reader of the
 * stream split, see {@link com.bionicpro.cdc.source.SnapshotEndSignallingSource}), and fires then,
 * with every other such window at once; or once it has waited {@value #MAX_SNAPSHOT_DEFERRAL_MS} ms,
 * so that a long snapshot still shows progress. Without this a window fired at every checkpoint that
 * a snapshot chunk reached it (the snapshot's chunks are ranges of random UUIDs, so every chunk
 * reaches nearly every window): five times per window in a snapshot of 1M rows, each firing a join
 * and a ClickHouse row. A stream change fires its window at the next checkpoint as before. The
 * waiting is not state of its own: a waiting window is flagged like any other, and a restore fires
 * it.
 *
 * <p>State per window: its aggregate ({@value #AGGREGATE_STATE}) and the timestamps of its rows
 * ({@value #ROWS_STATE}, a list of chunks, for the first and last activity after a delete). A window
 * that changed since the last checkpoint is held on the heap as a {@link WindowChange} and written
 * to state just before the checkpoint (or once {@value #MAX_UNWRITTEN_WINDOWS} windows are held): its
 * aggregate, and the rows that entered as one more chunk of the list (on RocksDB a merge, no read),
 * so that an incremental checkpoint holds the rows that arrived rather than every window's whole
 * day again; a row that leaves reads the window's rows, and its next write replaces them. Windows
 * written to state keep their aggregate on the heap too (the least recently used leave first), up
 * to {@value #MAX_CACHED_WINDOWS} windows per subtask: a snapshot's rows come in random order, so
 * nearly every row met its window in a different interval from the one before and read it back
 * from state (the state read was 6% of the TaskManager in a snapshot profile). The state is only
 * ever written here, so the heap copy stays equal to it; it is never changed in place, because a
 * heap state backend holds the same object in the checkpoint being written. A window whose rows
 * are all deleted is cleared with its timer. State of the jars before this layout (one
 * {@link DailyWindow} value per window, {@value #LEGACY_WINDOW_STATE}) is moved to it on restore. A
 * window is kept for {@code retentionDays} after its day ends (processing time), then expires: its
 * state is dropped and its report row frozen; a row for a day older than that is not counted
 * (metric {@code lateRowsDropped}).
 */
public class DailyUsageAggregator extends AbstractStreamOperator<DailyUsage>
        implements TwoInputStreamOperator<TelemetryDelta, Long, DailyUsage>, Triggerable<String, VoidNamespace> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DailyUsageAggregator.class);
    static final String AGGREGATE_STATE = "daily-usage";
    static final String ROWS_STATE = "daily-usage-rows";
    /** The state of one window until this layout: aggregate and timestamps in one value. */
    static final String LEGACY_WINDOW_STATE = "daily-window";
    static final String WAITING_STATE = "waiting-to-fire";
    static final long MILLIS_PER_DAY = 86_400_000L;
    /** How many changed windows wait on the heap before they are written to state mid-interval. */
    static final int MAX_UNWRITTEN_WINDOWS = 4_096;
    /** How many windows already written to state are kept on the heap at most, per subtask. */
    static final int MAX_CACHED_WINDOWS = 65_536;
    /** How long a window that only snapshot reads changed waits for the end of the snapshot at most. */
    static final long MAX_SNAPSHOT_DEFERRAL_MS = 60_000;
    /** In {@link #unwritten}: the window's rows are all gone, its state is to be cleared. */
    private static final WindowChange CLEARED = WindowChange.ofNewWindow(new DailyUsage());

    private final int retentionDays;
    private final int maxWindowsPerCheckpoint;
    private final int maxCachedWindows;

    private transient ValueState<DailyUsage> aggregate;
    /** The timestamps of the window's rows, in the chunks written (ascending within each). */
    private transient ListState<long[]> rows;
    /** Set for a window that changed and waits to fire across a checkpoint. */
    private transient ValueState<Boolean> waiting;
    private transient InternalTimerService<VoidNamespace> timers;
    /** Windows changed since they were last written to state, by key ({@link #CLEARED}: to clear). */
    private transient Map<String, WindowChange> unwritten;
    /** Aggregates as last written to {@link #aggregate}, least recently used first; not changed in place. */
    private transient LinkedHashMap<String, DailyUsage> written;
    /** Windows that changed since they last fired, oldest first. */
    private transient Set<String> changed;
    /** The windows of {@link #changed} whose waiting flag is set in state. */
    private transient Set<String> flagged;
    /** The windows of {@link #changed} that only snapshot reads changed, with when the first of them came. */
    private transient Map<String, Long> deferred;
    /** Whether this subtask has been told that the snapshot has been read. */
    private transient boolean snapshotEnded;
    private transient Counter lateRows;
    private transient Counter expiredWindows;

    public DailyUsageAggregator(int retentionDays, int maxWindowsPerCheckpoint) {
        this(retentionDays, maxWindowsPerCheckpoint, MAX_CACHED_WINDOWS);
    }

    /** With a smaller bound on the windows kept on the heap after they are written, for tests. */
    DailyUsageAggregator(int retentionDays, int maxWindowsPerCheckpoint, int maxCachedWindows) {
        this.retentionDays = retentionDays;
        this.maxWindowsPerCheckpoint = maxWindowsPerCheckpoint;
        this.maxCachedWindows = maxCachedWindows;
    }

    @Override
    public void open() throws Exception {
        super.open();
        aggregate = getRuntimeContext().getState(new ValueStateDescriptor<>(AGGREGATE_STATE, DailyUsage.class));
        rows = getRuntimeContext().getListState(new ListStateDescriptor<>(ROWS_STATE, PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        ValueStateDescriptor<Boolean> waitingDescriptor = new ValueStateDescriptor<>(WAITING_STATE, Types.BOOLEAN);
        waiting = getRuntimeContext().getState(waitingDescriptor);
        timers = getInternalTimerService("daily-usage-retention", VoidNamespaceSerializer.INSTANCE, this);
        unwritten = new HashMap<>();
        written = new LinkedHashMap<>(16, 0.75f, true);
        changed = new LinkedHashSet<>();
        flagged = new HashSet<>();
        deferred = new LinkedHashMap<>();
        snapshotEnded = false;
        moveLegacyWindows();
        // Windows that were waiting when the checkpoint restored here was taken.
        getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, waitingDescriptor,
                (key, state) -> {
                    if (Boolean.TRUE.equals(state.value())) {
                        changed.add((String) key);
                        flagged.add((String) key);
                    }
                });
        lateRows = getMetricGroup().counter("lateRowsDropped");
        expiredWindows = getMetricGroup().counter("expiredWindows");
    }

    /**
     * Moves the windows of a checkpoint or savepoint taken before this layout into it: each
     * {@link DailyWindow} becomes an aggregate and one chunk of rows, and leaves its old state empty.
     * Their timers and waiting flags are kept as they are.
     */
    private void moveLegacyWindows() throws Exception {
        List<String> keys;
        try (Stream<String> legacyKeys = this.<String>getKeyedStateBackend().getKeys(LEGACY_WINDOW_STATE, VoidNamespace.INSTANCE)) {
            keys = legacyKeys.collect(Collectors.toList());
        }
        if (keys.isEmpty()) {
            return; // also when the state restored has no such state: nothing is registered then
        }
        ValueState<DailyWindow> legacy =
                getRuntimeContext().getState(new ValueStateDescriptor<>(LEGACY_WINDOW_STATE, DailyWindow.class));
        for (String key : keys) {
            setCurrentKey(key);
            DailyWindow w = legacy.value();
            if (w != null) {
                aggregate.update(w.usage);
                rows.update(List.of(w.timestamps));
            }
            legacy.clear();
        }
        LOG.info("Moved {} daily windows of the previous state layout ({}) to {} and {}", keys.size(),
                LEGACY_WINDOW_STATE, AGGREGATE_STATE, ROWS_STATE);
    }

    /** When the window of a day expires: retentionDays after the day ended. */
    long expiry(int day) {
        return (day + 1L + retentionDays) * MILLIS_PER_DAY;
    }

    @Override
    public void processElement1(StreamRecord<TelemetryDelta> record) throws Exception {
        TelemetryDelta d = record.getValue();
        long now = getProcessingTimeService().getCurrentProcessingTime();
        if (expiry(d.day) <= now) {
            lateRows.inc();
            return;
        }
        String key = (String) getCurrentKey();
        WindowChange w = unwritten.get(key);
        if (w == null) {
            DailyUsage last = written.remove(key);
            if (last != null) {
                w = WindowChange.ofWrittenWindow(last.copyWith(last.status));
            } else {
                DailyUsage stored = aggregate.value();
                w = stored != null ? WindowChange.ofWrittenWindow(stored) : null;
            }
        } else if (w == CLEARED) {
            w = null;
        }
        if (w == null) {
            if (d.sign < 0) {
                // Leaving a window that has no rows: the row entered before the window expired
                // or was never counted; nothing to take back.
                lateRows.inc();
                return;
            }
            w = WindowChange.ofNewWindow(new DailyUsage(d.prosthesisId, d.day));
            timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, expiry(d.day));
        }
        if (d.sign > 0) {
            w.enter(d.timestampMicros);
        } else {
            if (w.needsWrittenRows()) {
                w.holdAllRows(rows.get());
            }
            if (!w.leave(d.timestampMicros)) {
                unwritten.put(key, w); // it holds every row now; the state's rows stand as they are
                lateRows.inc(); // a row this window never counted
                return;
            }
        }
        DailyUsage u = w.usage;
        u.usageCount += d.sign;
        u.commands += d.command ? d.sign : 0;
        if (d.hasBattery) {
            u.batterySum += d.sign * d.battery;
            u.batteryCount += d.sign;
        }
        if (u.batteryCount == 0) {
            u.batterySum = 0; // no drift from subtracting what was added
        }
        if (u.usageCount <= 0) {
            unwritten.put(key, CLEARED);
            timers.deleteProcessingTimeTimer(VoidNamespace.INSTANCE, expiry(d.day));
        } else {
            unwritten.put(key, w);
        }
        if (!d.snapshotRead || snapshotEnded) {
            deferred.remove(key);
        } else if (!changed.contains(key)) {
            deferred.put(key, now);
        }
        changed.add(key);
        if (unwritten.size() >= MAX_UNWRITTEN_WINDOWS) {
            writeWindows();
        }
    }

    /** The snapshot has been read: the windows that waited for it fire now. */
    @Override
    public void processElement2(StreamRecord<Long> snapshotEnd) throws Exception {
        snapshotEnded = true;
        for (String key : deferred.keySet()) {
            changed.remove(key);
            fire(key);
        }
        deferred.clear();
    }

    /** The aggregate of this key's window (the current key) as it is now, null when it has no rows; not to be changed. */
    private DailyUsage current(String key) throws Exception {
        WindowChange w = unwritten.get(key);
        if (w == null) {
            DailyUsage u = written.get(key);
            return u != null ? u : aggregate.value();
        }
        return w == CLEARED ? null : w.usage;
    }

    /** How many written windows are kept on the heap; for tests. */
    int cachedWindows() {
        return written.size();
    }

    /** Writes the windows held on the heap to state, and keeps their aggregates as written while there is room. */
    private void writeWindows() throws Exception {
        for (Map.Entry<String, WindowChange> e : unwritten.entrySet()) {
            setCurrentKey(e.getKey());
            WindowChange w = e.getValue();
            if (w == CLEARED) {
                aggregate.clear();
                rows.clear();
                continue;
            }
            aggregate.update(w.usage);
            long[] rowsToWrite = w.rowsToWrite();
            if (w.replacesWrittenRows()) {
                rows.update(List.of(rowsToWrite));
            } else if (rowsToWrite.length > 0) {
                rows.add(rowsToWrite);
            }
            written.put(e.getKey(), w.usage);
        }
        unwritten.clear();
        Iterator<DailyUsage> eldest = written.values().iterator();
        while (written.size() > maxCachedWindows) {
            eldest.next();
            eldest.remove();
        }
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        emitChanged(maxWindowsPerCheckpoint, false);
        writeWindows();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        writeWindows(); // already done before the barrier; kept so that no snapshot can miss a window
        super.snapshotState(context);
    }

    @Override
    public void finish() throws Exception {
        emitChanged(Integer.MAX_VALUE, true);
        writeWindows();
        super.finish();
    }

    /**
     * Fires the oldest changed windows, up to {@code limit}, except those that wait for the end of
     * the snapshot; all of them when {@code all} (the input ended).
     */
    private void emitChanged(int limit, boolean all) throws Exception {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        Iterator<String> it = changed.iterator();
        for (int fired = 0; fired < limit && it.hasNext(); ) {
            String key = it.next();
            Long since = deferred.get(key);
            if (since != null && !all && now - since < MAX_SNAPSHOT_DEFERRAL_MS) {
                continue;
            }
            it.remove();
            deferred.remove(key);
            fire(key);
            fired++;
        }
        // What waits past this checkpoint is flagged, so that a restore fires it.
        for (String key : changed) {
            if (flagged.add(key)) {
                setCurrentKey(key);
                waiting.update(true);
            }
        }
    }

    /** Emits the window of this key as it is now (removed when it has no rows) and clears its waiting flag. */
    private void fire(String key) throws Exception {
        setCurrentKey(key);
        if (flagged.remove(key)) {
            waiting.clear();
        }
        DailyUsage u = current(key);
        if (u == null) {
            int bar = key.lastIndexOf('|');
            u = new DailyUsage(key.substring(0, bar), Integer.parseInt(key.substring(bar + 1)));
            u.status = DailyUsage.Status.REMOVED;
        } else {
            u = u.copyWith(DailyUsage.Status.LIVE);
        }
        output.collect(new StreamRecord<>(u));
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        DailyUsage u = current(timer.getKey());
        if (u != null) {
            aggregate.clear();
            rows.clear();
            unwritten.remove(timer.getKey());
            written.remove(timer.getKey());
            changed.remove(timer.getKey());
            deferred.remove(timer.getKey());
            if (flagged.remove(timer.getKey())) {
                waiting.clear();
            }
            expiredWindows.inc();
            output.collect(new StreamRecord<>(u.copyWith(DailyUsage.Status.EXPIRED)));
        }
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) {}
}
