package com.bionicpro.cdc.source;

import org.apache.flink.api.java.functions.KeySelector;

/** Keys a table's changes by one column of the changed row (the old row for deletes). */
public class RowKeySelector implements KeySelector<ChangeEvent, String> {
    private static final long serialVersionUID = 1L;

    private final int position;

    public RowKeySelector(int position) {
        this.position = position;
    }

    @Override
    public String getKey(ChangeEvent change) {
        return change.row()[position];
    }
}
