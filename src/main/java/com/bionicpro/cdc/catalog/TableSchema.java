package com.bionicpro.cdc.catalog;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A captured table: its columns in PostgreSQL order, its primary key, and where it goes. Built by
 * the preflight from the live database, so every operator agrees on column positions.
 */
public final class TableSchema implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The source id from the job definition, e.g. "crm". */
    public final String source;
    public final String database;
    public final String schema;
    public final String table;
    public final List<ColumnSchema> columns;
    /** Positions (into {@link #columns}) of the primary key, in key order. */
    public final int[] primaryKey;
    /** ClickHouse replica table, or null when the table is not replicated. */
    public final String replicaTable;
    /** Positions of the columns in the replica's ORDER BY and PARTITION BY expressions. */
    public final int[] replicaKeyColumns;

    private final Map<String, Integer> positions;

    public TableSchema(
            String source,
            String database,
            String schema,
            String table,
            List<ColumnSchema> columns,
            int[] primaryKey,
            String replicaTable,
            int[] replicaKeyColumns) {
        this.source = source;
        this.database = database;
        this.schema = schema;
        this.table = table;
        this.columns = Collections.unmodifiableList(new ArrayList<>(columns));
        this.primaryKey = primaryKey.clone();
        this.replicaTable = replicaTable;
        this.replicaKeyColumns = replicaKeyColumns.clone();
        Map<String, Integer> byName = new HashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            byName.put(columns.get(i).name, i);
        }
        this.positions = byName;
    }

    /** "crm.public.users": the key of this table in the catalog and in the job definition. */
    public String id() {
        return id(source, schema, table);
    }

    public static String id(String source, String schema, String table) {
        return source + "." + schema + "." + table;
    }

    /** Position of a column, or -1. */
    public int position(String column) {
        Integer p = positions.get(column);
        return p == null ? -1 : p;
    }

    public int requirePosition(String column) {
        int p = position(column);
        if (p < 0) {
            throw new IllegalArgumentException("table " + schema + "." + table + " has no column " + column);
        }
        return p;
    }

    public TableSchema withReplica(String replica, int[] keyColumns) {
        return new TableSchema(source, database, schema, table, columns, primaryKey, replica, keyColumns);
    }

    @Override
    public String toString() {
        return database + "." + schema + "." + table + columns;
    }
}
