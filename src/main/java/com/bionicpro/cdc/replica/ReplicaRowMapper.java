package com.bionicpro.cdc.replica;

import com.bionicpro.cdc.catalog.CaptureCatalog;
import com.bionicpro.cdc.catalog.TableSchema;
import com.bionicpro.cdc.clickhouse.ClickHouseRow;
import com.bionicpro.cdc.clickhouse.ClickHouseValues;
import com.bionicpro.cdc.clickhouse.TsvWriter;
import com.bionicpro.cdc.source.ChangeEvent;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.List;

/**
 * A change of a replicated table as rows of its ClickHouse ReplacingMergeTree replica: the row with
 * {@code _version = 2 * lsn + 1} (deletes: the old row with {@code _deleted = 1}). When an update
 * moves the row to another sorting or partition key, the old key also gets a deleted row, with
 * {@code _version = 2 * lsn}, so no stale copy stays visible under {@code FINAL}.
 *
 * <p>Why the WAL position orders correctly: two transactions that change the same row are
 * serialised by its row lock, so the later one writes its change after the earlier one committed.
 */
public class ReplicaRowMapper implements FlatMapFunction<ChangeEvent, ClickHouseRow> {
    private static final long serialVersionUID = 1L;

    private final CaptureCatalog catalog;
    private transient TsvWriter tsv;

    public ReplicaRowMapper(CaptureCatalog catalog) {
        this.catalog = catalog;
    }

    /** The replica's columns: the table's, then _version and _deleted. */
    public static List<String> replicaColumns(TableSchema table) {
        List<String> names = new ArrayList<>();
        table.columns.forEach(c -> names.add(c.name));
        names.add("_version");
        names.add("_deleted");
        return names;
    }

    @Override
    public void flatMap(ChangeEvent change, Collector<ClickHouseRow> out) {
        TableSchema table = catalog.get(change.tableId);
        if (table == null || table.replicaTable == null) {
            return;
        }
        long version = 2 * change.lsn + 1;
        if (change.isDelete()) {
            out.collect(row(table, change.before, version, true));
            return;
        }
        if (change.before != null && keyMoved(table, change.before, change.after)) {
            out.collect(row(table, change.before, version - 1, true));
        }
        out.collect(row(table, change.after, version, false));
    }

    private static boolean keyMoved(TableSchema table, String[] before, String[] after) {
        for (int p : table.replicaKeyColumns) {
            if (before[p] == null ? after[p] != null : !before[p].equals(after[p])) {
                return true;
            }
        }
        return false;
    }

    private ClickHouseRow row(TableSchema table, String[] values, long version, boolean deleted) {
        if (tsv == null) {
            tsv = new TsvWriter(512);
        }
        tsv.reset();
        for (int i = 0; i < values.length; i++) {
            ClickHouseValues.write(tsv, table.columns.get(i), values[i]);
        }
        tsv.number(version).raw(deleted ? "1" : "0").endRow();
        return new ClickHouseRow(table.replicaTable, tsv.toByteArray());
    }
}
