package com.bionicpro.cdc.clickhouse;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** One row for a ClickHouse table, already encoded as a TabSeparated line. A Flink POJO. */
public class ClickHouseRow {
    /** Table name inside the job's ClickHouse database. */
    public String table;
    /** The row: TabSeparated fields and the closing newline. */
    public byte[] tsv;

    public ClickHouseRow() {}

    public ClickHouseRow(String table, byte[] tsv) {
        this.table = table;
        this.tsv = tsv;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClickHouseRow
                && Objects.equals(table, ((ClickHouseRow) o).table)
                && java.util.Arrays.equals(tsv, ((ClickHouseRow) o).tsv);
    }

    @Override
    public int hashCode() {
        return Objects.hash(table) * 31 + java.util.Arrays.hashCode(tsv);
    }

    @Override
    public String toString() {
        return table + ": " + new String(tsv, StandardCharsets.UTF_8).stripTrailing();
    }
}
