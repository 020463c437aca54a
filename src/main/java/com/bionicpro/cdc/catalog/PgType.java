package com.bionicpro.cdc.catalog;

import java.util.Locale;

/**
 * The PostgreSQL column types the job captures, with how each is rendered in the audit log and
 * stored in ClickHouse. Anything else is refused before the job starts (see {@link #of}).
 */
public enum PgType {
    UUID(Json.STRING, "String"),
    TEXT(Json.STRING, "String"),
    SMALLINT(Json.NUMBER, "Int16"),
    INTEGER(Json.NUMBER, "Int32"),
    BIGINT(Json.NUMBER, "Int64"),
    REAL(Json.NUMBER, "Float32"),
    DOUBLE(Json.NUMBER, "Float64"),
    /** Exact decimal; rendered as a decimal string, stored as Decimal(p, s). */
    NUMERIC(Json.STRING, null),
    BOOLEAN(Json.BOOLEAN, "UInt8"),
    DATE(Json.STRING, "Date"),
    /** Without time zone: ISO-8601 local date-time, taken as UTC. */
    TIMESTAMP(Json.STRING, "DateTime"),
    /** With time zone: ISO-8601 instant in UTC. */
    TIMESTAMPTZ(Json.STRING, "DateTime"),
    JSON(Json.RAW_JSON, "String");

    /** How a value of the type appears in the audit envelope. */
    public enum Json {
        STRING,
        NUMBER,
        BOOLEAN,
        RAW_JSON
    }

    public final Json json;
    private final String clickHouseType;

    PgType(Json json, String clickHouseType) {
        this.json = json;
        this.clickHouseType = clickHouseType;
    }

    /**
     * The ClickHouse type for a column of this type. Both ClickHouse 18.16 and current versions
     * accept all of them; DateTime (seconds) because 18.16 has no DateTime64.
     */
    public String clickHouseType(int precision, int scale, boolean nullable) {
        String base = clickHouseType;
        if (this == NUMERIC) {
            base = precision > 0 && precision <= 38 ? "Decimal(" + precision + ", " + scale + ")" : "String";
        }
        return nullable ? "Nullable(" + base + ")" : base;
    }

    /**
     * Maps a type from {@code pg_type.typname}; null when the job does not support it.
     */
    public static PgType of(String typname) {
        switch (typname.toLowerCase(Locale.ROOT)) {
            case "uuid":
                return UUID;
            case "text":
            case "varchar":
            case "bpchar":
            case "citext":
                return TEXT;
            case "int2":
                return SMALLINT;
            case "int4":
                return INTEGER;
            case "int8":
                return BIGINT;
            case "float4":
                return REAL;
            case "float8":
                return DOUBLE;
            case "numeric":
                return NUMERIC;
            case "bool":
                return BOOLEAN;
            case "date":
                return DATE;
            case "timestamp":
                return TIMESTAMP;
            case "timestamptz":
                return TIMESTAMPTZ;
            case "json":
            case "jsonb":
                return JSON;
            default:
                return null;
        }
    }
}
