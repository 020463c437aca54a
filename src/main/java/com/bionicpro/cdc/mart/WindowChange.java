package com.bionicpro.cdc.mart;

import java.util.Arrays;

/**
 * A daily window that changed since it was last written to state: its aggregate, owned by this
 * object, and its row timestamps as a change to the written ones. While rows only enter, the
 * change is the rows that entered, appended to the window's row list in state, so a checkpoint
 * writes a window's new rows rather than its whole day. Once a row leaves, every row of the window
 * is held here and replaces the list at the next write.
 */
final class WindowChange {
    private static final long[] NONE = new long[0];

    final DailyUsage usage;
    /** Rows that entered since the last write, in arrival order; the first {@link #enteredCount}. */
    private long[] entered = NONE;
    private int enteredCount;
    /** Every row of the window but those in {@link #entered}, ascending; null while the written rows stand. */
    private long[] rows;

    private WindowChange(DailyUsage usage, long[] rows) {
        this.usage = usage;
        this.rows = rows;
    }

    /** A window that has no rows in state: what it writes replaces whatever the state held before. */
    static WindowChange ofNewWindow(DailyUsage usage) {
        return new WindowChange(usage, NONE);
    }

    /** A window whose rows in state stand until a row leaves; {@code usage} becomes this change's own. */
    static WindowChange ofWrittenWindow(DailyUsage usage) {
        return new WindowChange(usage, null);
    }

    void enter(long ts) {
        if (enteredCount == entered.length) {
            entered = Arrays.copyOf(entered, Math.max(8, enteredCount * 2));
        }
        entered[enteredCount++] = ts;
        usage.firstMicros = Math.min(usage.firstMicros, ts);
        usage.lastMicros = Math.max(usage.lastMicros, ts);
    }

    /** Whether {@link #leave} needs the rows in state first ({@link #holdAllRows}). */
    boolean needsWrittenRows() {
        return rows == null;
    }

    /** Takes over the rows in state, in the chunks the state holds them. */
    void holdAllRows(Iterable<long[]> written) {
        if (written == null) {
            rows = NONE;
            return;
        }
        int n = 0;
        for (long[] chunk : written) {
            n += chunk.length;
        }
        rows = new long[n];
        int at = 0;
        for (long[] chunk : written) {
            System.arraycopy(chunk, 0, rows, at, chunk.length);
            at += chunk.length;
        }
        Arrays.sort(rows);
    }

    /** Takes one row with this timestamp out; false when the window has none. Needs every row held. */
    boolean leave(long ts) {
        if (rows == null) {
            throw new IllegalStateException("the rows in state are not held");
        }
        mergeEntered();
        int at = Arrays.binarySearch(rows, ts);
        if (at < 0) {
            return false;
        }
        long[] shrunk = new long[rows.length - 1];
        System.arraycopy(rows, 0, shrunk, 0, at);
        System.arraycopy(rows, at + 1, shrunk, at, rows.length - at - 1);
        rows = shrunk;
        if (rows.length > 0) {
            usage.firstMicros = rows[0];
            usage.lastMicros = rows[rows.length - 1];
        }
        return true;
    }

    /** Whether the write replaces the window's rows in state ({@link #rowsToWrite} is all of them) or appends to them. */
    boolean replacesWrittenRows() {
        return rows != null;
    }

    /** The rows to append to the state's list, or all rows when {@link #replacesWrittenRows}; empty for none. */
    long[] rowsToWrite() {
        if (rows != null) {
            mergeEntered();
            return rows;
        }
        return Arrays.copyOf(entered, enteredCount);
    }

    private void mergeEntered() {
        if (enteredCount == 0) {
            return;
        }
        long[] merged = Arrays.copyOf(rows, rows.length + enteredCount);
        System.arraycopy(entered, 0, merged, rows.length, enteredCount);
        Arrays.sort(merged);
        rows = merged;
        entered = NONE;
        enteredCount = 0;
    }
}
