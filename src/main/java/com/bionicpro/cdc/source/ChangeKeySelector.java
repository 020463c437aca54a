package com.bionicpro.cdc.source;

import com.bionicpro.cdc.catalog.CaptureCatalog;

import org.apache.flink.api.java.functions.KeySelector;

/** Keys changes by table and primary key (of the old row for deletes): one row, one key. */
public class ChangeKeySelector implements KeySelector<ChangeEvent, String> {
    private static final long serialVersionUID = 1L;

    private final CaptureCatalog catalog;

    public ChangeKeySelector(CaptureCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public String getKey(ChangeEvent change) {
        int[] primaryKey = catalog.require(change.tableId).primaryKey;
        String[] row = change.row();
        StringBuilder key = new StringBuilder(change.tableId);
        for (int position : primaryKey) {
            // The unit separator cannot occur in a table id; it keeps ("a", "bc") apart from ("ab", "c").
            key.append('\u001f').append(row[position]);
        }
        return key.toString();
    }
}
