package com.bionicpro.cdc.source;

import org.apache.flink.api.common.functions.FilterFunction;

/** Keeps the changes of one captured table. */
public class TableFilter implements FilterFunction<ChangeEvent> {
    private static final long serialVersionUID = 1L;

    private final String tableId;

    public TableFilter(String tableId) {
        this.tableId = tableId;
    }

    @Override
    public boolean filter(ChangeEvent change) {
        return tableId.equals(change.tableId);
    }
}
