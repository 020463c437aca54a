package com.bionicpro.cdc.catalog;

import java.io.Serializable;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.Map;

/** Every captured table by id ("crm.public.users"); shipped with the job graph to every operator. */
public final class CaptureCatalog implements Serializable {
    private static final long serialVersionUID = 2L;

    private final Map<String, TableSchema> tables;
    private final Map<String, Long> snapshotLsns;
    private final Map<String, Set<String>> clickHouseColumns;

    public CaptureCatalog(Collection<TableSchema> tables) {
        this(tables, Map.of(), Map.of());
    }

    public CaptureCatalog(Collection<TableSchema> tables, Map<String, Long> snapshotLsns) {
        this(tables, snapshotLsns, Map.of());
    }

    /**
     * @param snapshotLsns per source, PostgreSQL's WAL position when the job was built: every
     *     snapshot read happens after it, every change it streams lies beyond it
     */
    public CaptureCatalog(
            Collection<TableSchema> tables, Map<String, Long> snapshotLsns, Map<String, Set<String>> clickHouseColumns) {
        Map<String, TableSchema> byId = new LinkedHashMap<>();
        for (TableSchema t : tables) {
            byId.put(t.id(), t);
        }
        this.tables = Collections.unmodifiableMap(byId);
        this.snapshotLsns = Map.copyOf(snapshotLsns);
        Map<String, Set<String>> columns = new HashMap<>();
        clickHouseColumns.forEach((t, c) -> columns.put(t, new HashSet<>(c)));
        this.clickHouseColumns = columns;
    }

    /** The columns a ClickHouse target table had when the job was built (empty if not checked). */
    public Set<String> clickHouseColumns(String table) {
        return clickHouseColumns.getOrDefault(table, Set.of());
    }

    /** The WAL position snapshot reads of a source are stamped with (0 when unknown). */
    public long snapshotLsn(String source) {
        return snapshotLsns.getOrDefault(source, 0L);
    }

    public TableSchema get(String source, String schema, String table) {
        return tables.get(TableSchema.id(source, schema, table));
    }

    public TableSchema get(String id) {
        return tables.get(id);
    }

    public TableSchema require(String id) {
        TableSchema t = tables.get(id);
        if (t == null) {
            throw new IllegalArgumentException("table " + id + " is not captured by this job");
        }
        return t;
    }

    public Collection<TableSchema> tables() {
        return tables.values();
    }
}
