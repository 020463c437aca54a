package com.bionicpro.cdc.mart;

import java.util.Arrays;

/**
 * The state of one daily window: the aggregate and the sorted timestamps of its rows (repeats
 * allowed), from which the first and last activity follow also after a row leaves. One state value
 * per window, so a telemetry row costs one read and one write. A Flink POJO.
 */
public class DailyWindow {
    public DailyUsage usage;
    /** Epoch microseconds of every row in the window, ascending. */
    public long[] timestamps;

    public DailyWindow() {}

    DailyWindow(DailyUsage usage) {
        this.usage = usage;
        this.timestamps = new long[0];
    }

    /**
     * A window equal to this one that can be changed without changing this one: {@link #add} and
     * {@link #remove} replace the timestamp array rather than write into it, so only the aggregate
     * is copied.
     */
    DailyWindow mutableCopy() {
        DailyWindow copy = new DailyWindow(usage.copyWith(usage.status));
        copy.timestamps = timestamps;
        return copy;
    }

    void add(long ts) {
        int i = Arrays.binarySearch(timestamps, ts);
        int at = i >= 0 ? i : -i - 1;
        long[] grown = new long[timestamps.length + 1];
        System.arraycopy(timestamps, 0, grown, 0, at);
        grown[at] = ts;
        System.arraycopy(timestamps, at, grown, at + 1, timestamps.length - at);
        timestamps = grown;
        bounds();
    }

    /** Takes one row with this timestamp out; false when the window has none. */
    boolean remove(long ts) {
        int at = Arrays.binarySearch(timestamps, ts);
        if (at < 0) {
            return false;
        }
        long[] shrunk = new long[timestamps.length - 1];
        System.arraycopy(timestamps, 0, shrunk, 0, at);
        System.arraycopy(timestamps, at + 1, shrunk, at, timestamps.length - at - 1);
        timestamps = shrunk;
        bounds();
        return true;
    }

    private void bounds() {
        if (timestamps.length > 0) {
            usage.firstMicros = timestamps[0];
            usage.lastMicros = timestamps[timestamps.length - 1];
        }
    }
}
