package com.bionicpro.cdc.source;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Right after a source: takes the end-of-snapshot marker of {@link SnapshotEndSignallingSource} out
 * of the changes and puts its time on the side output {@link #SNAPSHOT_ENDS}, for the operators
 * that wait for the snapshot's end; the changes go on unchanged.
 */
public class SnapshotEndSplitter extends ProcessFunction<ChangeEvent, ChangeEvent> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotEndSplitter.class);

    /** When a reader of the source was given the stream split, epoch ms. */
    public static final OutputTag<Long> SNAPSHOT_ENDS = new OutputTag<>("snapshot-ends", Types.LONG);

    private final String sourceId;

    public SnapshotEndSplitter(String sourceId) {
        this.sourceId = sourceId;
    }

    @Override
    public void processElement(ChangeEvent change, Context ctx, Collector<ChangeEvent> out) {
        if (change.isSnapshotEnd()) {
            LOG.info("Source {}: the snapshot has been read, the stream split is being read", sourceId);
            ctx.output(SNAPSHOT_ENDS, change.sourceTsMs);
        } else {
            out.collect(change);
        }
    }
}
