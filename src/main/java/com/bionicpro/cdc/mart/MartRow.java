package com.bionicpro.cdc.mart;

import java.util.Arrays;

/**
 * A row of a mart table: values in the order of the table's {@link
 * com.bionicpro.cdc.clickhouse.ClickHouseTableSpec} (without _version and _deleted), canonical
 * strings as in the change events. A Flink POJO.
 */
public class MartRow {
    public String table;
    public String[] values;
    public long version;
    public boolean deleted;

    public MartRow() {}

    public MartRow(String table, String[] values, long version, boolean deleted) {
        this.table = table;
        this.values = values;
        this.version = version;
        this.deleted = deleted;
    }

    @Override
    public String toString() {
        return table + (deleted ? " DELETED " : " ") + Arrays.toString(values) + " v" + version;
    }
}
