package com.bionicpro.cdc.clickhouse;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A ClickHouse table the job writes: its name and the columns (name, type) its rows fill, in order. */
public final class ClickHouseTableSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String table;
    public final List<String> columns;
    public final List<String> types;

    public ClickHouseTableSpec(String table, List<String> columns, List<String> types) {
        if (columns.size() != types.size()) {
            throw new IllegalArgumentException("columns and types differ in length");
        }
        this.table = table;
        this.columns = Collections.unmodifiableList(new ArrayList<>(columns));
        this.types = Collections.unmodifiableList(new ArrayList<>(types));
    }

    /** A builder-style helper: spec("t").column("a", "String")... */
    public static Builder of(String table) {
        return new Builder(table);
    }

    public static final class Builder {
        private final String table;
        private final List<String> columns = new ArrayList<>();
        private final List<String> types = new ArrayList<>();

        private Builder(String table) {
            this.table = table;
        }

        public Builder column(String name, String type) {
            columns.add(name);
            types.add(type);
            return this;
        }

        public ClickHouseTableSpec build() {
            return new ClickHouseTableSpec(table, columns, types);
        }
    }
}
