package com.bionicpro.cdc.source;

import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.cdc.connectors.base.source.meta.split.SourceSplitBase;
import org.apache.flink.core.io.InputStatus;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A Flink CDC source that says when its snapshot has been read: the reader that is given the
 * stream split emits {@link ChangeEvent#snapshotEnd} before the split's first change. Flink CDC's
 * enumerator hands out the stream split only once every snapshot chunk has been read and reported
 * finished, and a reader reports a chunk only after emitting all of its rows, so every snapshot
 * read has left the source by then (some may still be on their way downstream). A restore hands
 * the stream split out again, and the marker follows again; downstream it means "no more snapshot
 * reads are coming", which stays true.
 *
 * <p>Everything else is the delegate's: splits, enumerator and serializers, so savepoints are the
 * same as without the wrapper.
 */
public final class SnapshotEndSignallingSource<EnumChkT> extends ForwardingSource<ChangeEvent, SourceSplitBase, EnumChkT> {
    private static final long serialVersionUID = 1L;

    public <S extends Source<ChangeEvent, SourceSplitBase, EnumChkT> & ResultTypeQueryable<ChangeEvent>>
            SnapshotEndSignallingSource(S delegate) {
        super(delegate);
    }

    @Override
    public SourceReader<ChangeEvent, SourceSplitBase> createReader(SourceReaderContext readerContext) throws Exception {
        return new Reader(delegate.createReader(readerContext));
    }

    /** The delegate's reader, which emits the marker first once it is given the stream split. */
    static final class Reader implements SourceReader<ChangeEvent, SourceSplitBase> {
        private final SourceReader<ChangeEvent, SourceSplitBase> delegate;
        private boolean markerDue;

        Reader(SourceReader<ChangeEvent, SourceSplitBase> delegate) {
            this.delegate = delegate;
        }

        @Override
        public void start() {
            delegate.start();
        }

        @Override
        public InputStatus pollNext(ReaderOutput<ChangeEvent> output) throws Exception {
            if (markerDue) {
                markerDue = false;
                output.collect(ChangeEvent.snapshotEnd(System.currentTimeMillis()));
                return InputStatus.MORE_AVAILABLE;
            }
            return delegate.pollNext(output);
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return markerDue ? CompletableFuture.completedFuture(null) : delegate.isAvailable();
        }

        @Override
        public List<SourceSplitBase> snapshotState(long checkpointId) {
            return delegate.snapshotState(checkpointId);
        }

        @Override
        public void addSplits(List<SourceSplitBase> splits) {
            if (splits.stream().anyMatch(SourceSplitBase::isStreamSplit)) {
                markerDue = true;
            }
            delegate.addSplits(splits);
        }

        @Override
        public void notifyNoMoreSplits() {
            delegate.notifyNoMoreSplits();
        }

        @Override
        public void handleSourceEvents(SourceEvent sourceEvent) {
            delegate.handleSourceEvents(sourceEvent);
        }

        @Override
        public void pauseOrResumeSplits(Collection<String> splitsToPause, Collection<String> splitsToResume) {
            delegate.pauseOrResumeSplits(splitsToPause, splitsToResume);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            delegate.notifyCheckpointComplete(checkpointId);
        }

        @Override
        public void notifyCheckpointAborted(long checkpointId) throws Exception {
            delegate.notifyCheckpointAborted(checkpointId);
        }

        @Override
        public void close() throws Exception {
            delegate.close();
        }
    }
}
