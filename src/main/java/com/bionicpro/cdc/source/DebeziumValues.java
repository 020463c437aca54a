package com.bionicpro.cdc.source;

import com.bionicpro.cdc.catalog.ColumnSchema;

import org.apache.kafka.connect.data.Schema;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Turns Debezium's encoding of a column value into the job's canonical text: ISO-8601 timestamps
 * and dates (not epoch micros / days, which the original design could not parse), exact decimal
 * strings, UUIDs and JSON as text. The same text feeds the audit log, ClickHouse and the marts.
 */
public final class DebeziumValues {
    static final String MICRO_TIMESTAMP = "io.debezium.time.MicroTimestamp";
    static final String MILLI_TIMESTAMP = "io.debezium.time.Timestamp";
    static final String NANO_TIMESTAMP = "io.debezium.time.NanoTimestamp";
    static final String DATE = "io.debezium.time.Date";
    static final String ZONED_TIMESTAMP = "io.debezium.time.ZonedTimestamp";
    static final String CONNECT_DECIMAL = "org.apache.kafka.connect.data.Decimal";

    private DebeziumValues() {}

    /** Renders one value; the value's Connect schema says how Debezium encoded it. */
    public interface Renderer {
        String render(Object value);
    }

    /**
     * The renderer for a column, or an exception naming the column when Debezium's encoding is not
     * the one its PostgreSQL type implies (a type changed under a running job).
     */
    public static Renderer rendererFor(ColumnSchema column, Schema schema, String table) {
        String name = schema.name();
        Schema.Type type = schema.type();
        switch (column.type) {
            case UUID:
            case TEXT:
            case JSON:
            case NUMERIC:
                if (type == Schema.Type.STRING) {
                    return Object::toString;
                }
                if (CONNECT_DECIMAL.equals(name)) {
                    return v -> ((BigDecimal) v).toPlainString();
                }
                break;
            case SMALLINT:
            case INTEGER:
            case BIGINT:
                if (type == Schema.Type.INT16 || type == Schema.Type.INT32 || type == Schema.Type.INT64) {
                    return Object::toString;
                }
                break;
            case REAL:
            case DOUBLE:
                if (type == Schema.Type.FLOAT32 || type == Schema.Type.FLOAT64) {
                    return Object::toString;
                }
                break;
            case BOOLEAN:
                if (type == Schema.Type.BOOLEAN) {
                    return Object::toString;
                }
                break;
            case DATE:
                if (DATE.equals(name)) {
                    return v -> LocalDate.ofEpochDay(((Number) v).longValue()).toString();
                }
                break;
            case TIMESTAMP:
                if (MICRO_TIMESTAMP.equals(name)) {
                    return v -> formatMicros(((Number) v).longValue());
                }
                if (MILLI_TIMESTAMP.equals(name)) {
                    return v -> formatMicros(Math.multiplyExact(((Number) v).longValue(), 1000L));
                }
                if (NANO_TIMESTAMP.equals(name)) {
                    return v -> formatMicros(Math.floorDiv(((Number) v).longValue(), 1000L));
                }
                break;
            case TIMESTAMPTZ:
                if (ZONED_TIMESTAMP.equals(name)) {
                    // Debezium already renders it as ISO-8601 in UTC ("...Z").
                    return Object::toString;
                }
                break;
            default:
                break;
        }
        throw new IllegalStateException(
                String.format(
                        "schema drift in %s: column %s was %s when the job started, but the change stream "
                                + "now encodes it as %s%s. Update the ClickHouse table if needed and resubmit "
                                + "the job from its last savepoint; the replication slot keeps every change meanwhile.",
                        table, column.name, column.declaredType, type, name == null ? "" : " (" + name + ")"));
    }

    private static final DateTimeFormatter ISO_LOCAL = DateTimeFormatter.ISO_LOCAL_DATE_TIME;

    /** Epoch microseconds of a TIMESTAMP (no time zone) as ISO-8601 local date-time. */
    public static String formatMicros(long micros) {
        long seconds = Math.floorDiv(micros, 1_000_000L);
        int nanos = (int) Math.floorMod(micros, 1_000_000L) * 1000;
        return ISO_LOCAL.format(LocalDateTime.ofEpochSecond(seconds, nanos, ZoneOffset.UTC));
    }

    /** Epoch seconds (UTC) of a canonical TIMESTAMP or TIMESTAMPTZ value. */
    public static long epochSeconds(String canonical) {
        if (canonical.endsWith("Z") || canonical.indexOf('+', 10) > 0 || canonical.lastIndexOf('-') > 10) {
            return Instant.parse(canonical).getEpochSecond();
        }
        return LocalDateTime.parse(canonical, ISO_LOCAL).toEpochSecond(ZoneOffset.UTC);
    }

    /** Epoch microseconds (UTC) of a canonical TIMESTAMP value. */
    public static long epochMicros(String canonical) {
        LocalDateTime t = LocalDateTime.parse(canonical, ISO_LOCAL);
        return t.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + t.getNano() / 1000;
    }
}
