package com.bionicpro.cdc.source;

import org.apache.flink.api.common.typeinfo.TypeInfo;

import java.util.Arrays;
import java.util.Objects;

/**
 * One row change of a captured table, as it left PostgreSQL. Values are canonical strings (see
 * {@link DebeziumValues}) in the column order of the table's {@link
 * com.bionicpro.cdc.catalog.TableSchema}; null is SQL NULL. Crosses the network with {@link
 * ChangeEventSerializer}, in no state.
 */
@TypeInfo(ChangeEventTypeInfo.Factory.class)
public class ChangeEvent {
    public static final String READ = "r";
    public static final String CREATE = "c";
    public static final String UPDATE = "u";
    public static final String DELETE = "d";
    /**
     * Not a change: the snapshot of the source's tables has been read (see {@link
     * SnapshotEndSignallingSource}). Split off right after the source by {@link SnapshotEndSplitter}.
     */
    public static final String SNAPSHOT_END = "snapshot-end";

    /** Catalog id of the table: source.schema.table. */
    public String tableId;
    /** r (snapshot read), c, u or d, as in Debezium's envelope. */
    public String op;
    /** WAL position of the change (source.lsn); for snapshot reads, where the chunk was read. */
    public long lsn;
    public long txId;
    /** When PostgreSQL committed the change (snapshot reads: when the row was read), epoch ms. */
    public long sourceTsMs;
    public String[] before;
    public String[] after;
    /**
     * A snapshot read that carries a change Flink CDC merged into its chunk; {@link #lsn} is that
     * change's position (see {@link SnapshotBoundaryDeduplicator}).
     */
    public boolean mergedChange;

    public ChangeEvent() {}

    public ChangeEvent(
            String tableId, String op, long lsn, long txId, long sourceTsMs, String[] before, String[] after) {
        this.tableId = tableId;
        this.op = op;
        this.lsn = lsn;
        this.txId = txId;
        this.sourceTsMs = sourceTsMs;
        this.before = before;
        this.after = after;
    }

    /** The marker that the snapshot has been read, from the reader that was given the stream split. */
    public static ChangeEvent snapshotEnd(long atMs) {
        return new ChangeEvent(null, SNAPSHOT_END, 0, 0, atMs, null, null);
    }

    public boolean isSnapshotEnd() {
        return SNAPSHOT_END.equals(op);
    }

    public boolean isDelete() {
        return DELETE.equals(op);
    }

    /** The row as it is after the change; for a delete, the row that was deleted. */
    public String[] row() {
        return isDelete() ? before : after;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ChangeEvent)) {
            return false;
        }
        ChangeEvent e = (ChangeEvent) o;
        return lsn == e.lsn
                && txId == e.txId
                && sourceTsMs == e.sourceTsMs
                && Objects.equals(tableId, e.tableId)
                && Objects.equals(op, e.op)
                && Arrays.equals(before, e.before)
                && Arrays.equals(after, e.after);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tableId, op, lsn) * 31 + Arrays.hashCode(after);
    }

    @Override
    public String toString() {
        return tableId + " " + op + " lsn=" + lsn + " before=" + Arrays.toString(before) + " after=" + Arrays.toString(after);
    }
}
