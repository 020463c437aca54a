package com.bionicpro.cdc.source;

import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;

import javax.annotation.Nullable;

import java.io.IOException;
import java.util.List;

/**
 * A source that lets the JobManager unload an ended job's classes. Its split enumerators run
 * there and load the job's copy of the PostgreSQL driver, which registers itself with the JDK's
 * {@code DriverManager}; that reference kept every ended job's class loader (~13 MB of Metaspace
 * each, measured: one more loader per submission) until the JobManager's Metaspace ran out. The
 * JobManager offers no class-loader release hook, so the last enumerator of the job to close
 * deregisters the driver ({@link JdbcClassLoaderRelease#enumeratorClosed}), and the next one to
 * open (after a failover) registers it again.
 *
 * <p>Everything else is the delegate's: splits, readers, serializers and the enumerator's
 * checkpoints, so savepoints are the same as without the wrapper.
 */
public final class DriverReleasingSource<T, SplitT extends SourceSplit, EnumChkT> extends ForwardingSource<T, SplitT, EnumChkT> {
    private static final long serialVersionUID = 1L;

    public <S extends Source<T, SplitT, EnumChkT> & ResultTypeQueryable<T>> DriverReleasingSource(S delegate) {
        super(delegate);
    }

    @Override
    public SplitEnumerator<SplitT, EnumChkT> createEnumerator(SplitEnumeratorContext<SplitT> context) throws Exception {
        JdbcClassLoaderRelease.enumeratorOpening();
        return opened(() -> delegate.createEnumerator(context));
    }

    @Override
    public SplitEnumerator<SplitT, EnumChkT> restoreEnumerator(
            SplitEnumeratorContext<SplitT> context, EnumChkT checkpoint) throws Exception {
        JdbcClassLoaderRelease.enumeratorOpening();
        return opened(() -> delegate.restoreEnumerator(context, checkpoint));
    }

    private SplitEnumerator<SplitT, EnumChkT> opened(EnumeratorFactory<SplitT, EnumChkT> factory) throws Exception {
        try {
            return new Enumerator<>(factory.create());
        } catch (Exception | Error e) {
            JdbcClassLoaderRelease.enumeratorClosed();
            throw e;
        }
    }

    private interface EnumeratorFactory<SplitT extends SourceSplit, EnumChkT> {
        SplitEnumerator<SplitT, EnumChkT> create() throws Exception;
    }

    /** The delegate's enumerator; closing it counts towards the driver's release. */
    private static final class Enumerator<SplitT extends SourceSplit, EnumChkT> implements SplitEnumerator<SplitT, EnumChkT> {
        private final SplitEnumerator<SplitT, EnumChkT> delegate;
        private boolean closed;

        Enumerator(SplitEnumerator<SplitT, EnumChkT> delegate) {
            this.delegate = delegate;
        }

        @Override
        public void start() {
            delegate.start();
        }

        @Override
        public void handleSplitRequest(int subtaskId, @Nullable String requesterHostname) {
            delegate.handleSplitRequest(subtaskId, requesterHostname);
        }

        @Override
        public void addSplitsBack(List<SplitT> splits, int subtaskId) {
            delegate.addSplitsBack(splits, subtaskId);
        }

        @Override
        public void addReader(int subtaskId) {
            delegate.addReader(subtaskId);
        }

        @Override
        public EnumChkT snapshotState(long checkpointId) throws Exception {
            return delegate.snapshotState(checkpointId);
        }

        @Override
        public void handleSourceEvent(int subtaskId, SourceEvent sourceEvent) {
            delegate.handleSourceEvent(subtaskId, sourceEvent);
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
        public void close() throws IOException {
            try {
                delegate.close();
            } finally {
                if (!closed) {
                    closed = true;
                    JdbcClassLoaderRelease.enumeratorClosed();
                }
            }
        }
    }
}
