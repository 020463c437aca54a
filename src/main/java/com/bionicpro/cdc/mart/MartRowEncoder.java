package com.bionicpro.cdc.mart;

import com.bionicpro.cdc.clickhouse.ClickHouseRow;
import com.bionicpro.cdc.clickhouse.ClickHouseTableSpec;
import com.bionicpro.cdc.clickhouse.TsvWriter;
import com.bionicpro.cdc.source.DebeziumValues;

import org.apache.flink.api.common.functions.MapFunction;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Encodes mart rows as TabSeparated lines of their ClickHouse table, by the table's column types. */
public class MartRowEncoder implements MapFunction<MartRow, ClickHouseRow> {
    private static final long serialVersionUID = 1L;

    private final Map<String, List<String>> typesByTable = new HashMap<>();
    private transient TsvWriter tsv;

    public MartRowEncoder(List<ClickHouseTableSpec> marts) {
        for (ClickHouseTableSpec spec : marts) {
            typesByTable.put(spec.table, spec.types);
        }
    }

    @Override
    public ClickHouseRow map(MartRow row) {
        if (tsv == null) {
            tsv = new TsvWriter(512);
        }
        tsv.reset();
        List<String> types = typesByTable.get(row.table);
        for (int i = 0; i < row.values.length; i++) {
            write(types.get(i), row.values[i]);
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
