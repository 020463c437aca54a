package com.bionicpro.cdc.verify;

import com.bionicpro.cdc.catalog.ColumnSchema;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;

/**
 * Turns a column value, as text from PostgreSQL, ClickHouse or the audit log, into a value the
 * verifier can compare: numbers by value, JSON by structure, timestamps as instants (or as whole
 * seconds where ClickHouse stores DateTime).
 */
final class Values {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Values() {}

    static Object normalize(ColumnSchema column, String text, boolean secondsPrecision) {
        if (text == null || "\\N".equals(text)) {
            return null;
        }
        switch (column.type) {
            case SMALLINT:
            case INTEGER:
            case BIGINT:
                return Long.parseLong(text);
            case REAL:
                return (double) Float.parseFloat(floatText(text));
            case DOUBLE:
                return Double.parseDouble(floatText(text));
            case NUMERIC:
                try {
                    return new BigDecimal(text).stripTrailingZeros();
                } catch (NumberFormatException e) {
                    return text;
                }
            case BOOLEAN:
                return "true".equals(text) || "1".equals(text) || "t".equals(text);
            case DATE:
                return LocalDate.parse(text);
            case TIMESTAMP:
                if (secondsPrecision) {
                    return text.contains("T") || text.contains("-") && text.length() > 10
                            ? epochSeconds(LocalDateTime.parse(text.replace(' ', 'T')))
                            : Long.parseLong(text);
                }
                return LocalDateTime.parse(text.replace(' ', 'T'));
            case TIMESTAMPTZ:
                if (secondsPrecision) {
                    return text.contains("T") ? Instant.parse(text).getEpochSecond() : Long.parseLong(text);
                }
                return Instant.parse(text);
            case JSON:
                try {
                    return JSON.readTree(text);
                } catch (IOException e) {
                    return text;
                }
            default:
                return text;
        }
    }

    private static long epochSeconds(LocalDateTime t) {
        return Math.max(0, t.toEpochSecond(java.time.ZoneOffset.UTC));
    }

    private static String floatText(String text) {
        switch (text) {
            case "nan":
                return "NaN";
            case "inf":
                return "Infinity";
            case "-inf":
                return "-Infinity";
            default:
                return text;
        }
    }
}
