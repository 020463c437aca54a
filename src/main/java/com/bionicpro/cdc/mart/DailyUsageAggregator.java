package com.bionicpro.cdc.mart;

import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

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
 * simply updates that day, and thousands of rows of one day cost one downstream update.
 *
 * <p>State per window: the aggregate and the multiset of row timestamps (for the first and last
 * activity after a delete). A window whose rows are all deleted is cleared with its timer. A
 * window is kept for {@code retentionDays} after its day ends (processing time), then expires: its
 * state is dropped and its report row frozen; a row for a day older than that is not counted
 * (metric {@code lateRowsDropped}).
 */
public class DailyUsageAggregator extends AbstractStreamOperator<DailyUsage>
        implements OneInputStreamOperator<TelemetryDelta, DailyUsage>, Triggerable<String, VoidNamespace> {
    private static final long serialVersionUID = 1L;
    static final long MILLIS_PER_DAY = 86_400_000L;

    private final int retentionDays;

    private transient ValueState<DailyUsage> usage;
    private transient MapState<Long, Integer> timestamps;
    private transient InternalTimerService<VoidNamespace> timers;
    private transient Set<String> changed;
    private transient Counter lateRows;
    private transient Counter expiredWindows;

    public DailyUsageAggregator(int retentionDays) {
        this.retentionDays = retentionDays;
    }

    @Override
    public void open() throws Exception {
        super.open();
        usage = getRuntimeContext().getState(new ValueStateDescriptor<>("daily-usage", DailyUsage.class));
        timestamps = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("row-timestamps", Types.LONG, Types.INT));
        timers = getInternalTimerService("daily-usage-retention", VoidNamespaceSerializer.INSTANCE, this);
        changed = new LinkedHashSet<>();
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
        DailyUsage u = usage.value();
        if (u == null) {
            if (d.sign < 0) {
                // Leaving a window that has no rows: the row entered before the window expired
                // or was never counted; nothing to take back.
                lateRows.inc();
                return;
            }
            u = new DailyUsage(d.prosthesisId, d.day);
            timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, expiry(d.day));
        }
        u.usageCount += d.sign;
        u.commands += d.command ? d.sign : 0;
        if (d.hasBattery) {
            u.batterySum += d.sign * d.battery;
            u.batteryCount += d.sign;
        }
        Integer n = timestamps.get(d.timestampMicros);
        int count = (n == null ? 0 : n) + d.sign;
        if (count > 0) {
            timestamps.put(d.timestampMicros, count);
        } else {
            timestamps.remove(d.timestampMicros);
        }
        if (u.usageCount <= 0) {
            usage.clear();
            timestamps.clear();
            timers.deleteProcessingTimeTimer(VoidNamespace.INSTANCE, expiry(d.day));
        } else {
            if (d.sign > 0) {
                u.firstMicros = Math.min(u.firstMicros, d.timestampMicros);
                u.lastMicros = Math.max(u.lastMicros, d.timestampMicros);
            } else if (count <= 0 && (d.timestampMicros == u.firstMicros || d.timestampMicros == u.lastMicros)) {
                recomputeBounds(u);
            }
            if (u.batteryCount == 0) {
                u.batterySum = 0; // no drift from subtracting what was added
            }
            usage.update(u);
        }
        changed.add(d.windowKey());
    }

    private void recomputeBounds(DailyUsage u) throws Exception {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        Iterator<Map.Entry<Long, Integer>> it = timestamps.iterator();
        while (it.hasNext()) {
            long ts = it.next().getKey();
            first = Math.min(first, ts);
            last = Math.max(last, ts);
        }
        u.firstMicros = first;
        u.lastMicros = last;
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        emitChanged();
    }

    @Override
    public void finish() throws Exception {
        emitChanged();
        super.finish();
    }

    private void emitChanged() throws Exception {
        for (String key : changed) {
            setCurrentKey(key);
            DailyUsage u = usage.value();
            if (u == null) {
                int bar = key.lastIndexOf('|');
                u = new DailyUsage(key.substring(0, bar), Integer.parseInt(key.substring(bar + 1)));
                u.status = DailyUsage.Status.REMOVED;
            } else {
                u = u.copyWith(DailyUsage.Status.LIVE);
            }
            output.collect(new StreamRecord<>(u));
        }
        changed.clear();
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        DailyUsage u = usage.value();
        if (u != null) {
            usage.clear();
            timestamps.clear();
            changed.remove(timer.getKey());
            expiredWindows.inc();
            output.collect(new StreamRecord<>(u.copyWith(DailyUsage.Status.EXPIRED)));
        }
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) {}
}
