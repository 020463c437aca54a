package com.bionicpro.cdc.source;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.cdc.connectors.base.source.meta.split.SnapshotSplit;
import org.apache.flink.cdc.connectors.base.source.meta.split.SourceSplitBase;
import org.apache.flink.cdc.connectors.base.source.meta.split.StreamSplit;
import org.apache.flink.core.io.InputStatus;

import io.debezium.relational.TableId;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** The reader emits the end-of-snapshot marker once it is given the stream split, before the split's changes. */
class SnapshotEndSignallingSourceTest {
    private final ChangesReader changes = new ChangesReader();
    private final SnapshotEndSignallingSource.Reader reader = new SnapshotEndSignallingSource.Reader(changes);
    private final Collected out = new Collected();

    @Test
    void theMarkerComesFirstOnceTheStreamSplitIsGiven() throws Exception {
        reader.addSplits(List.of(new SnapshotSplit(new TableId(null, "public", "t"), 0, null, null, null, null, Collections.emptyMap())));
        changes.pending.add(change("r"));
        pollAll();
        assertThat(out.ops).as("a snapshot split: no marker").containsExactly("r");

        reader.addSplits(List.of(new StreamSplit("stream-split", null, null, List.of(), Collections.emptyMap(), 0)));
        changes.pending.add(change("c"));
        assertThat(reader.isAvailable()).isDone();
        pollAll();
        assertThat(out.ops).containsExactly("r", ChangeEvent.SNAPSHOT_END, "c");
        assertThat(changes.splits).as("the delegate got every split").hasSize(2);

        // Given the stream split again (a restore): the marker again, once.
        reader.addSplits(List.of(new StreamSplit("stream-split", null, null, List.of(), Collections.emptyMap(), 0)));
        pollAll();
        pollAll();
        assertThat(out.ops).containsExactly("r", ChangeEvent.SNAPSHOT_END, "c", ChangeEvent.SNAPSHOT_END);
    }

    private void pollAll() throws Exception {
        while (reader.pollNext(out) == InputStatus.MORE_AVAILABLE) {
            // drain
        }
    }

    private static ChangeEvent change(String op) {
        return new ChangeEvent("telemetry.public.t", op, 1, 1, 1, null, new String[] {"1"});
    }

    /** A reader that emits what it is given, one change per poll. */
    private static final class ChangesReader implements SourceReader<ChangeEvent, SourceSplitBase> {
        final Deque<ChangeEvent> pending = new ArrayDeque<>();
        final List<SourceSplitBase> splits = new ArrayList<>();

        @Override
        public void start() {}

        @Override
        public InputStatus pollNext(ReaderOutput<ChangeEvent> output) {
            if (pending.isEmpty()) {
                return InputStatus.NOTHING_AVAILABLE;
            }
            output.collect(pending.poll());
            return pending.isEmpty() ? InputStatus.NOTHING_AVAILABLE : InputStatus.MORE_AVAILABLE;
        }

        @Override
        public List<SourceSplitBase> snapshotState(long checkpointId) {
            return List.of();
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return new CompletableFuture<>();
        }

        @Override
        public void addSplits(List<SourceSplitBase> added) {
            splits.addAll(added);
        }

        @Override
        public void notifyNoMoreSplits() {}

        @Override
        public void close() {}
    }

    private static final class Collected implements ReaderOutput<ChangeEvent> {
        final List<String> ops = new ArrayList<>();

        @Override
        public void collect(ChangeEvent record) {
            ops.add(record.op);
        }

        @Override
        public void collect(ChangeEvent record, long timestamp) {
            collect(record);
        }

        @Override
        public void emitWatermark(Watermark watermark) {}

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}

        @Override
        public SourceOutput<ChangeEvent> createOutputForSplit(String splitId) {
            return this;
        }

        @Override
        public void releaseOutputForSplit(String splitId) {}
    }
}
