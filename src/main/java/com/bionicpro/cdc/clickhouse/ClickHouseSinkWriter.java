package com.bionicpro.cdc.clickhouse;

import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects rows per table until the next checkpoint barrier, then hands them to the committer as
 * one {@link ClickHouseBatch} per table. Memory per subtask is what arrives within one checkpoint
 * interval (the README gives the figures); nothing is written to ClickHouse here.
 */
final class ClickHouseSinkWriter implements CommittingSinkWriter<ClickHouseRow, ClickHouseBatch> {
    /** A buffer that grew beyond this is dropped after its batch, not kept for the next one. */
    static final int RETAINED_BUFFER_BYTES = 8 << 20;

    private final String database;
    private final Map<String, List<String>> columnsByTable;
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    private final Counter rowsIn;
    private final PayloadDeflater deflater = new PayloadDeflater();

    ClickHouseSinkWriter(String database, Map<String, List<String>> columnsByTable, SinkWriterMetricGroup metrics) {
        this.database = database;
        this.columnsByTable = columnsByTable;
        this.rowsIn = metrics.addGroup("clickhouse").counter("rowsBuffered");
    }

    @Override
    public void write(ClickHouseRow row, Context context) {
        Pending p = pending.get(row.table);
        if (p == null) {
            if (!columnsByTable.containsKey(row.table)) {
                throw new IllegalArgumentException("no ClickHouse table " + row.table + " is configured for this sink");
            }
            p = new Pending();
            pending.put(row.table, p);
        }
        p.rows.append(row.tsv, 0, row.tsv.length);
        p.count++;
        rowsIn.inc();
    }

    @Override
    public void flush(boolean endOfInput) {
        // Nothing to do: rows become visible only through the committer, after the checkpoint.
    }

    @Override
    public Collection<ClickHouseBatch> prepareCommit() {
        List<ClickHouseBatch> batches = new ArrayList<>();
        for (Map.Entry<String, Pending> e : pending.entrySet()) {
            Pending p = e.getValue();
            if (p.count == 0) {
                continue;
            }
            batches.add(new ClickHouseBatch(database + "." + e.getKey(), columnsByTable.get(e.getKey()), p.count,
                    deflater.deflate(p.rows.buffer(), p.rows.size()), true));
            if (p.rows.buffer().length > RETAINED_BUFFER_BYTES) {
                p.rows = new TsvWriter(64 << 10);
            } else {
                p.rows.reset();
            }
            p.count = 0;
        }
        return batches;
    }

    @Override
    public void close() {
        pending.clear();
        deflater.close();
    }

    private static final class Pending {
        TsvWriter rows = new TsvWriter(64 << 10);
        int count;
    }
}
