package com.bionicpro.cdc.catalog;

import java.io.Serializable;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Every captured table by id ("crm.public.users"); shipped with the job graph to every operator. */
public final class CaptureCatalog implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Map<String, TableSchema> tables;

    public CaptureCatalog(Collection<TableSchema> tables) {
        Map<String, TableSchema> byId = new LinkedHashMap<>();
        for (TableSchema t : tables) {
            byId.put(t.id(), t);
        }
        this.tables = Collections.unmodifiableMap(byId);
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
