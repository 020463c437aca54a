package com.bionicpro.cdc.clickhouse;

import com.bionicpro.cdc.catalog.ColumnSchema;
import com.bionicpro.cdc.source.DebeziumValues;

import java.time.LocalDate;

/**
 * Writes a canonical column value (see {@link DebeziumValues}) as a TabSeparated field of the
 * column's ClickHouse type ({@link ColumnSchema#clickHouseType()}).
 */
public final class ClickHouseValues {
    /** ClickHouse's Date and DateTime cover 1970-01-01 ..; earlier values are stored as its minimum. */
    private static final LocalDate MIN_DATE = LocalDate.ofEpochDay(0);

    private ClickHouseValues() {}

    public static void write(TsvWriter out, ColumnSchema column, String value) {
        if (value == null) {
            out.nullValue();
            return;
        }
        switch (column.type) {
            case UUID:
            case TEXT:
            case JSON:
                out.string(value);
                break;
            case NUMERIC:
                if (column.clickHouseType().contains("Decimal")) {
                    out.raw(value);
                } else {
                    out.string(value);
                }
                break;
            case SMALLINT:
            case INTEGER:
            case BIGINT:
                out.raw(value);
                break;
            case REAL:
            case DOUBLE:
                out.raw(floatText(value));
                break;
            case BOOLEAN:
                out.raw("true".equals(value) ? "1" : "0");
                break;
            case DATE:
                out.raw(date(value));
                break;
            case TIMESTAMP:
            case TIMESTAMPTZ:
                out.dateTime(DebeziumValues.epochSeconds(value));
                break;
            default:
                throw new IllegalArgumentException("no ClickHouse encoding for " + column);
        }
    }

    static String floatText(String value) {
        switch (value) {
            case "NaN":
                return "nan";
            case "Infinity":
                return "inf";
            case "-Infinity":
                return "-inf";
            default:
                return value;
        }
    }

    static String date(String isoDate) {
        LocalDate d = LocalDate.parse(isoDate);
        return d.isBefore(MIN_DATE) ? MIN_DATE.toString() : isoDate;
    }
}
