package com.bionicpro.cdc.mart;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

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
 * <p>State per window: one {@link DailyWindow}, the aggregate and the sorted row timestamps (for the
 * first and last activity after a delete). A window that changed since the last checkpoint is held
 * on the heap and written to state just before the checkpoint (or once {@value #MAX_UNWRITTEN_WINDOWS}
 * windows are held): while a day's telemetry streams in, every row of a window would otherwise cost a
 * state read and a write of all the day's timestamps; now a window costs one of each per checkpoint
 * interval. A window whose rows are all deleted is cleared with its timer. A
 * window is kept for {@code retentionDays} after its day ends (processing time), then expires: its
 * state is dropped and its report row frozen; a row for a day older than that is not counted
 * (metric {@code lateRowsDropped}).
 */
public class DailyUsageAggregator extends AbstractStreamOperator<DailyUsage>
        implements OneInputStreamOperator<TelemetryDelta, DailyUsage>, Triggerable<String, VoidNamespace> {
    private static final long serialVersionUID = 1L;
    static final long MILLIS_PER_DAY = 86_400_000L;
    /** How many changed windows wait on the heap before they are written to state mid-interval. */
    static final int MAX_UNWRITTEN_WINDOWS = 4_096;
    /** In {@link #unwritten}: the window's rows are all gone, its state is to be cleared. */
    private static final DailyWindow CLEARED = new DailyWindow();

    private final int retentionDays;
    private final int maxWindowsPerCheckpoint;

    private transient ValueState<DailyWindow> window;
    /** Set for a window that changed and waits to fire across a checkpoint. */
    private transient ValueState<Boolean> waiting;
    private transient InternalTimerService<VoidNamespace> timers;
    /** Windows changed since they were last written to {@link #window}, by key ({@link #CLEARED}: to clear). */
    private transient Map<String, DailyWindow> unwritten;
    /** Windows that changed since they last fired, oldest first. */
    private transient Set<String> changed;
    /** The windows of {@link #changed} whose waiting flag is set in state. */
    private transient Set<String> flagged;
    private transient Counter lateRows;
    private transient Counter expiredWindows;

    public DailyUsageAggregator(int retentionDays, int maxWindowsPerCheckpoint) {
        this.retentionDays = retentionDays;
        this.maxWindowsPerCheckpoint = maxWindowsPerCheckpoint;
    }

    @Override
    public void open() throws Exception {
        super.open();
        window = getRuntimeContext().getState(new ValueStateDescriptor<>("daily-window", DailyWindow.class));
        ValueStateDescriptor<Boolean> waitingDescriptor = new ValueStateDescriptor<>("waiting-to-fire", Types.BOOLEAN);
        waiting = getRuntimeContext().getState(waitingDescriptor);
        timers = getInternalTimerService("daily-usage-retention", VoidNamespaceSerializer.INSTANCE, this);
        unwritten = new HashMap<>();
        changed = new LinkedHashSet<>();
        flagged = new HashSet<>();
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

    /** When the window of a day expires: retentionDays after the day ended. */
    long expiry(int day) {
        return (day + 1L + retentionDays) * MILLIS_PER_DAY;
    }

    @Override
    public void processElement(StreamRecord<TelemetryDelta> record) throws Exception {
        TelemetryDelta d = record.getValue();
        long now = getProcessingTimeService().getCurrentProcessingTime();
        if (expiry(d.day) <= now) {
            lateRows.inc();
            return;
        }
        String key = (String) getCurrentKey();
        DailyWindow w = current(key);
        if (w == null) {
            if (d.sign < 0) {
                // Leaving a window that has no rows: the row entered before the window expired
                // or was never counted; nothing to take back.
                lateRows.inc();
                return;
            }
            w = new DailyWindow(new DailyUsage(d.prosthesisId, d.day));
            timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, expiry(d.day));
        }
        if (d.sign > 0) {
            w.add(d.timestampMicros);
        } else if (!w.remove(d.timestampMicros)) {
            lateRows.inc(); // a row this window never counted
            return;
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
        changed.add(key);
        if (unwritten.size() >= MAX_UNWRITTEN_WINDOWS) {
            writeWindows();
        }
    }

    /** The window of this key (the current key) as it is now, null when it has no rows. */
    private DailyWindow current(String key) throws Exception {
        DailyWindow w = unwritten.get(key);
        if (w == null) {
            return window.value();
        }
        return w == CLEARED ? null : w;
    }

    /** Writes the windows held on the heap to state. */
    private void writeWindows() throws Exception {
        for (Map.Entry<String, DailyWindow> e : unwritten.entrySet()) {
            setCurrentKey(e.getKey());
            if (e.getValue() == CLEARED) {
                window.clear();
            } else {
                window.update(e.getValue());
            }
        }
        unwritten.clear();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        emitChanged(maxWindowsPerCheckpoint);
        writeWindows();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        writeWindows(); // already done before the barrier; kept so that no snapshot can miss a window
        super.snapshotState(context);
    }

    @Override
    public void finish() throws Exception {
        emitChanged(Integer.MAX_VALUE);
        writeWindows();
        super.finish();
    }

    /** Fires the oldest changed windows (all of them when the input ended). */
    private void emitChanged(int limit) throws Exception {
        Iterator<String> it = changed.iterator();
        for (int fired = 0; fired < limit && it.hasNext(); fired++) {
            String key = it.next();
            it.remove();
            setCurrentKey(key);
            if (flagged.remove(key)) {
                waiting.clear();
            }
            DailyWindow w = current(key);
            DailyUsage u = w == null ? null : w.usage;
            if (u == null) {
                int bar = key.lastIndexOf('|');
                u = new DailyUsage(key.substring(0, bar), Integer.parseInt(key.substring(bar + 1)));
                u.status = DailyUsage.Status.REMOVED;
            } else {
                u = u.copyWith(DailyUsage.Status.LIVE);
            }
            output.collect(new StreamRecord<>(u));
        }
        // What waits past this checkpoint is flagged, so that a restore fires it.
        for (String key : changed) {
            if (flagged.add(key)) {
                setCurrentKey(key);
                waiting.update(true);
            }
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        DailyWindow w = current(timer.getKey());
        if (w != null) {
            DailyUsage u = w.usage;
            window.clear();
            unwritten.remove(timer.getKey());
            changed.remove(timer.getKey());
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
