package com.bionicpro.cdc.source;

import com.bionicpro.cdc.catalog.ColumnSchema;

import org.apache.kafka.connect.data.Schema;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.Year;
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
    private static final long MICROS_PER_SECOND = 1_000_000L;
    private static final long SECONDS_PER_DAY = 86_400L;
    /** No timestamp of years 0-9999 has these epoch microseconds. */
    private static final long NOT_PLAIN = Long.MIN_VALUE;
    private static final long[] POWERS_OF_TEN = {1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L,
        100_000_000L, 1_000_000_000L};

    // Every telemetry row's timestamps are formatted once and parsed three times (replica, mart,
    // report); through java.time that was 6% of the TaskManager's CPU in a snapshot profile. The
    // plain shape ISO_LOCAL_DATE_TIME prints for years 0-9999 is handled by hand; anything else
    // (other years, no seconds, lower-case 't', invalid values) goes through java.time, so results
    // and errors stay java.time's (DebeziumValuesTest compares both on random values).

    /**
     * Epoch microseconds of a TIMESTAMP (no time zone) as ISO-8601 local date-time, as {@link
     * DateTimeFormatter#ISO_LOCAL_DATE_TIME} prints it: seconds always, a fraction without
     * trailing zeros.
     */
    public static String formatMicros(long micros) {
        long seconds = Math.floorDiv(micros, MICROS_PER_SECOND);
        int micro = (int) Math.floorMod(micros, MICROS_PER_SECOND);
        LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(seconds, SECONDS_PER_DAY));
        int year = date.getYear();
        if (year < 0 || year > 9999) {
            return ISO_LOCAL.format(LocalDateTime.ofEpochSecond(seconds, micro * 1000, ZoneOffset.UTC));
        }
        int secondOfDay = (int) Math.floorMod(seconds, SECONDS_PER_DAY);
        char[] c = new char[26];
        digits(c, 0, year, 4);
        c[4] = '-';
        digits(c, 5, date.getMonthValue(), 2);
        c[7] = '-';
        digits(c, 8, date.getDayOfMonth(), 2);
        c[10] = 'T';
        digits(c, 11, secondOfDay / 3600, 2);
        c[13] = ':';
        digits(c, 14, secondOfDay / 60 % 60, 2);
        c[16] = ':';
        digits(c, 17, secondOfDay % 60, 2);
        int length = 19;
        if (micro != 0) {
            c[19] = '.';
            digits(c, 20, micro, 6);
            length = 26;
            while (c[length - 1] == '0') {
                length--;
            }
        }
        return new String(c, 0, length);
    }

    /** Epoch seconds (UTC) of a canonical TIMESTAMP or TIMESTAMPTZ value. */
    public static long epochSeconds(String canonical) {
        if (canonical.endsWith("Z") || canonical.indexOf('+', 10) > 0 || canonical.lastIndexOf('-') > 10) {
            return Instant.parse(canonical).getEpochSecond();
        }
        long micros = plainLocalMicros(canonical);
        if (micros != NOT_PLAIN) {
            return Math.floorDiv(micros, MICROS_PER_SECOND);
        }
        return LocalDateTime.parse(canonical, ISO_LOCAL).toEpochSecond(ZoneOffset.UTC);
    }

    /** Epoch microseconds (UTC) of a canonical TIMESTAMP value. */
    public static long epochMicros(String canonical) {
        long micros = plainLocalMicros(canonical);
        if (micros != NOT_PLAIN) {
            return micros;
        }
        LocalDateTime t = LocalDateTime.parse(canonical, ISO_LOCAL);
        return t.toEpochSecond(ZoneOffset.UTC) * MICROS_PER_SECOND + t.getNano() / 1000;
    }

    /**
     * Epoch microseconds of "yyyy-MM-ddTHH:mm:ss[.f{1,9}]" (digits beyond microseconds are
     * dropped, as java.time's nanoseconds / 1000), or {@link #NOT_PLAIN} for any other text or an
     * invalid date or time.
     */
    private static long plainLocalMicros(String s) {
        int n = s.length();
        if (n < 19 || n == 20 || n > 29 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
                || s.charAt(13) != ':' || s.charAt(16) != ':' || (n > 19 && s.charAt(19) != '.')) {
            return NOT_PLAIN;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        int fraction = n > 19 ? digits(s, 20, n - 20) : 0;
        if ((year | month | day | hour | minute | second | fraction) < 0 || month < 1 || month > 12 || day < 1
                || day > Month.of(month).length(Year.isLeap(year)) || hour > 23 || minute > 59 || second > 59) {
            return NOT_PLAIN;
        }
        int micro = n > 19 ? (int) (fraction * POWERS_OF_TEN[9 - (n - 20)] / 1000) : 0;
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        return (epochDay * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second) * MICROS_PER_SECOND + micro;
    }

    /** The value of {@code count} (at most 9) decimal digits at {@code from}, or -1 if one is not a digit. */
    private static int digits(String s, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            int d = s.charAt(i) - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            value = value * 10 + d;
        }
        return value;
    }

    /** Writes {@code value} as {@code count} decimal digits, zero-padded, at {@code from}. */
    private static void digits(char[] c, int from, int value, int count) {
        for (int i = from + count - 1; i >= from; i--) {
            c[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
