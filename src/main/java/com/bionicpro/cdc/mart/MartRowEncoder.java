package com.bionicpro.cdc.mart;

import com.bionicpro.cdc.catalog.CaptureCatalog;
import com.bionicpro.cdc.clickhouse.ClickHouseRow;
import com.bionicpro.cdc.clickhouse.ClickHouseTableSpec;
import com.bionicpro.cdc.clickhouse.TsvWriter;
import com.bionicpro.cdc.source.DebeziumValues;

import org.apache.flink.api.common.functions.MapFunction;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes mart rows as TabSeparated lines of their ClickHouse table, by the table's column types,
 * leaving out optional columns the table does not have (yet).
 */
public class MartRowEncoder implements MapFunction<MartRow, ClickHouseRow> {
    private static final long serialVersionUID = 1L;

    /** Per table: the positions (in the mart row) and types of the columns written. */
    private final Map<String, int[]> positionsByTable = new HashMap<>();
    private final Map<String, List<String>> typesByTable = new HashMap<>();
    private transient TsvWriter tsv;

    public MartRowEncoder(List<ClickHouseTableSpec> marts, CaptureCatalog catalog) {
        for (ClickHouseTableSpec full : marts) {
            ClickHouseTableSpec written = written(full, catalog);
            int n = written.columns.size() - 2; // _version and _deleted come from the row itself
            int[] positions = new int[n];
            for (int i = 0; i < n; i++) {
                positions[i] = full.columns.indexOf(written.columns.get(i));
            }
            positionsByTable.put(full.table, positions);
            typesByTable.put(full.table, written.types);
        }
    }

    /** The columns of a mart the job writes, given what the ClickHouse table has. */
    public static ClickHouseTableSpec written(ClickHouseTableSpec full, CaptureCatalog catalog) {
        return full.writtenInto(catalog.clickHouseColumns(full.table));
    }

    @Override
    public ClickHouseRow map(MartRow row) {
        if (tsv == null) {
            tsv = new TsvWriter(512);
        }
        tsv.reset();
        int[] positions = positionsByTable.get(row.table);
        List<String> types = typesByTable.get(row.table);
        for (int i = 0; i < positions.length; i++) {
            write(types.get(i), row.values[positions[i]]);
        }
        tsv.number(row.version).raw(row.deleted ? "1" : "0").endRow();
        return new ClickHouseRow(row.table, tsv.toByteArray());
    }

    private void write(String type, String value) {
        if (value == null) {
            tsv.nullValue();
            return;
        }
        String base = type.startsWith("Nullable(") ? type.substring(9, type.length() - 1) : type;
        switch (base) {
            case "String":
                tsv.string(value);
                break;
            case "DateTime":
                tsv.dateTime(DebeziumValues.epochSeconds(value));
                break;
            default: // Date, numbers: canonical text is ClickHouse's text
                tsv.raw(value);
        }
    }
}
