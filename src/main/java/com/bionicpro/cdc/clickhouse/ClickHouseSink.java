package com.bionicpro.cdc.clickhouse;

import com.bionicpro.cdc.config.JobDefinition.ClickHouseDefinition;

import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exactly-once ClickHouse sink: rows are batched per table and checkpoint by the writer and
 * inserted by the committer once the checkpoint completes (two-phase commit, with idempotent
 * ReplacingMergeTree inserts as the second phase).
 */
public final class ClickHouseSink implements Sink<ClickHouseRow>, SupportsCommitter<ClickHouseBatch> {
    private static final long serialVersionUID = 1L;

    private final ClickHouseDefinition clickhouse;
    private final LinkedHashMap<String, List<String>> columnsByTable;

    /**
     * @param columnsByTable every table this sink may write, with the columns its rows hold, in order
     */
    public ClickHouseSink(ClickHouseDefinition clickhouse, Map<String, List<String>> columnsByTable) {
        this.clickhouse = clickhouse;
        this.columnsByTable = new LinkedHashMap<>(columnsByTable);
    }

    @Override
    @Deprecated
    public CommittingSinkWriter<ClickHouseRow, ClickHouseBatch> createWriter(InitContext context) {
        return new ClickHouseSinkWriter(clickhouse.database, columnsByTable, context.metricGroup());
    }

    @Override
    public CommittingSinkWriter<ClickHouseRow, ClickHouseBatch> createWriter(WriterInitContext context) {
        return new ClickHouseSinkWriter(clickhouse.database, columnsByTable, context.metricGroup());
    }

    @Override
    public Committer<ClickHouseBatch> createCommitter(CommitterInitContext context) {
        return new ClickHouseCommitter(ClickHouseClient.of(clickhouse), context.metricGroup());
    }

    @Override
    public SimpleVersionedSerializer<ClickHouseBatch> getCommittableSerializer() {
        return new ClickHouseBatchSerializer();
    }
}
