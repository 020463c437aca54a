package com.bionicpro.cdc.clickhouse;

import java.io.IOException;
import java.util.Set;

/** A ClickHouse request failed: with the server's error code when it answered, -1 when it did not. */
public class ClickHouseException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Codes that retrying cannot fix: the schema, the data or the credentials are wrong. Anything
     * else (no answer, overload, timeouts, too many parts, memory) is retried.
     */
    private static final Set<Integer> PERMANENT = Set.of(
            6, // CANNOT_PARSE_TEXT
            16, // NO_SUCH_COLUMN_IN_TABLE
            26, // CANNOT_PARSE_QUOTED_STRING
            27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
            38, // CANNOT_PARSE_DATE
            41, // CANNOT_PARSE_DATETIME
            53, // TYPE_MISMATCH
            60, // UNKNOWN_TABLE
            62, // SYNTAX_ERROR
            72, // CANNOT_PARSE_NUMBER
            81, // UNKNOWN_DATABASE
            117, // INCORRECT_DATA
            192, // UNKNOWN_USER
            193, // WRONG_PASSWORD
            194, // REQUIRED_PASSWORD
            497, // ACCESS_DENIED
            516 // AUTHENTICATION_FAILED
    );

    private final int code;

    public ClickHouseException(int code, String message) {
        super(message);
        this.code = code;
    }

    public ClickHouseException(String message, Throwable cause) {
        super(message, cause);
        this.code = -1;
    }

    public int code() {
        return code;
    }

    public boolean isPermanent() {
        return PERMANENT.contains(code);
    }

    public boolean isAuthenticationFailure() {
        return code == 192 || code == 193 || code == 194 || code == 516;
    }
}
