package com.bionicpro.cdc.clickhouse;

import java.util.List;

/**
 * The committable of the ClickHouse sink: every row one sink subtask received for one table
 * between two checkpoint barriers, as the body of one INSERT. It is stored in the checkpoint and
 * inserted only when that checkpoint completes, so ClickHouse never shows a change from a
 * checkpoint that failed. Re-inserting it after a restore is harmless: every target table is a
 * ReplacingMergeTree and each row carries its version.
 *
 * <p>The payload is TabSeparated, zlib-compressed when {@link #deflated} (sent with
 * {@code Content-Encoding: deflate}): a snapshot's batches are megabytes, and every copy of them
 * (the checkpoint, Flink's committable state) is a third of the size.
 */
public final class ClickHouseBatch {
    public final String table;
    public final List<String> columns;
    public final int rowCount;
    public final byte[] payload;
    public final boolean deflated;

    public ClickHouseBatch(String table, List<String> columns, int rowCount, byte[] payload, boolean deflated) {
        this.table = table;
        this.columns = List.copyOf(columns);
        this.rowCount = rowCount;
        this.payload = payload;
        this.deflated = deflated;
    }

    @Override
    public String toString() {
        return "ClickHouseBatch{" + table + ", " + rowCount + " rows, " + payload.length + (deflated ? " bytes deflated}" : " bytes}");
    }
}
