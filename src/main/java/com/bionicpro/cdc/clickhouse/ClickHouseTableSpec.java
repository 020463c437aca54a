package com.bionicpro.cdc.clickhouse;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * A ClickHouse table the job writes: its name and the columns (name, type) its rows fill, in order.
 * An optional column is written only where the table has it: adding it to ClickHouse and resuming
 * the job from its savepoint is how a mart grows a column.
 */
public final class ClickHouseTableSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String table;
    public final List<String> columns;
    public final List<String> types;
    public final List<Boolean> optional;

    public ClickHouseTableSpec(String table, List<String> columns, List<String> types, List<Boolean> optional) {
        if (columns.size() != types.size() || columns.size() != optional.size()) {
            throw new IllegalArgumentException("columns, types and optional flags differ in length");
        }
        this.table = table;
        this.columns = Collections.unmodifiableList(new ArrayList<>(columns));
        this.types = Collections.unmodifiableList(new ArrayList<>(types));
        this.optional = Collections.unmodifiableList(new ArrayList<>(optional));
    }

    /** The columns to write into a table that has the given columns: required ones and present optional ones. */
    public ClickHouseTableSpec writtenInto(Set<String> present) {
        List<String> c = new ArrayList<>();
        List<String> t = new ArrayList<>();
        List<Boolean> o = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            if (!optional.get(i) || present.contains(columns.get(i))) {
                c.add(columns.get(i));
                t.add(types.get(i));
                o.add(optional.get(i));
            }
        }
        return new ClickHouseTableSpec(table, c, t, o);
    }

    /** A builder-style helper: of("t").column("a", "String")... */
    public static Builder of(String table) {
        return new Builder(table);
    }

    public static final class Builder {
        private final String table;
        private final List<String> columns = new ArrayList<>();
        private final List<String> types = new ArrayList<>();
        private final List<Boolean> optional = new ArrayList<>();

        private Builder(String table) {
            this.table = table;
        }

        public Builder column(String name, String type) {
            columns.add(name);
            types.add(type);
            optional.add(false);
            return this;
        }

        public Builder optionalColumn(String name, String type) {
            columns.add(name);
            types.add(type);
            optional.add(true);
            return this;
        }

        public ClickHouseTableSpec build() {
            return new ClickHouseTableSpec(table, columns, types, optional);
        }
    }
}
