package com.bionicpro.cdc.source;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;

/**
 * Keyed by table and primary key: drops the second delivery of a change that Flink CDC merged
 * into a snapshot chunk and then emits again from the stream.
 *
 * <p>Why: a chunk's backfill reads the WAL up to the chunk's high watermark and merges the changes
 * it meets into the chunk's rows (they come out as snapshot reads that keep the change's LSN).
 * The stream then emits every change at or after the table's highest watermark, so a change whose
 * WAL record sits exactly at that position — an insert that was in flight when the watermark was
 * taken — arrives twice: once inside the snapshot and once as itself (apache/flink-cdc#2885,
 * still so in 3.5.0). The reports would count it twice.
 *
 * <p>State: for a row that a merged change touched, that change's LSN, until the row's next change
 * from the stream (or a day, whichever comes first). Rows the snapshot read as they were hold none.
 */
public class SnapshotBoundaryDeduplicator extends KeyedProcessFunction<String, ChangeEvent, ChangeEvent> {
    private static final long serialVersionUID = 1L;
    static final Duration RETENTION = Duration.ofDays(1);

    private transient ValueState<Long> mergedChangeLsn;
    private transient Counter dropped;

    @Override
    public void open(OpenContext context) {
        ValueStateDescriptor<Long> descriptor = new ValueStateDescriptor<>("merged-change-lsn", Types.LONG);
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(RETENTION).build());
        mergedChangeLsn = getRuntimeContext().getState(descriptor);
        dropped = getRuntimeContext().getMetricGroup().addGroup("cdc").counter("snapshotBoundaryDuplicatesDropped");
    }

    @Override
    public void processElement(ChangeEvent change, Context context, Collector<ChangeEvent> out) throws Exception {
        if (ChangeEvent.READ.equals(change.op)) {
            // A plain read touches no state: a row is read once per snapshot (a chunk read again
            // after a failure comes with the state of before its first read).
            if (change.mergedChange) {
                mergedChangeLsn.update(change.lsn);
            }
            out.collect(change);
            return;
        }
        Long merged = mergedChangeLsn.value();
        if (merged != null) {
            // A row's changes reach the WAL in the order they commit (row locks), so a stream
            // change at or before the merged one is the merged one or older: already in the read.
            if (change.lsn <= merged) {
                dropped.inc();
                return;
            }
            mergedChangeLsn.clear();
        }
        out.collect(change);
    }
}
