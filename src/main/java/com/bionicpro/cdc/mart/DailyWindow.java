package com.bionicpro.cdc.mart;

/**
 * The state of one daily window in the layout of the jars before the aggregate and the row
 * timestamps were kept apart: the aggregate and the sorted timestamps of its rows in one value.
 * Kept, unchanged (a Flink POJO, its serializer is in their checkpoints), so that
 * {@link DailyUsageAggregator} can read their checkpoints and savepoints and move them to its
 * layout.
 */
public class DailyWindow {
    public DailyUsage usage;
    /** Epoch microseconds of every row in the window, ascending. */
    public long[] timestamps;

    public DailyWindow() {}
}
