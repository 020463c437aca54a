package com.bionicpro.cdc.testing;

import com.bionicpro.cdc.catalog.CaptureCatalog;
import com.bionicpro.cdc.catalog.ColumnSchema;
import com.bionicpro.cdc.catalog.PgType;
import com.bionicpro.cdc.catalog.TableSchema;

import java.util.List;

/** The BionicPRO tables as the preflight describes them, for unit tests without a database. */
public final class Tables {
    private Tables() {}

    public static final TableSchema USERS = new TableSchema("crm", "crm_db", "public", "users", List.of(
            new ColumnSchema("id", PgType.UUID, "uuid", false, 0, 0),
            new ColumnSchema("email", PgType.TEXT, "character varying(255)", false, 0, 0),
            new ColumnSchema("name", PgType.TEXT, "character varying(255)", false, 0, 0),
            new ColumnSchema("created_at", PgType.TIMESTAMP, "timestamp without time zone", true, 0, 0),
            new ColumnSchema("updated_at", PgType.TIMESTAMP, "timestamp without time zone", true, 0, 0)),
            new int[] {0}, "users_target", new int[] {0});

    public static final TableSchema PROSTHESES = new TableSchema("crm", "crm_db", "public", "prostheses", List.of(
            new ColumnSchema("id", PgType.UUID, "uuid", false, 0, 0),
            new ColumnSchema("user_id", PgType.UUID, "uuid", false, 0, 0),
            new ColumnSchema("model", PgType.TEXT, "character varying(100)", false, 0, 0),
            new ColumnSchema("manufacture_date", PgType.DATE, "date", false, 0, 0),
            new ColumnSchema("created_at", PgType.TIMESTAMP, "timestamp without time zone", true, 0, 0),
            new ColumnSchema("updated_at", PgType.TIMESTAMP, "timestamp without time zone", true, 0, 0)),
            new int[] {0}, "prostheses_target", new int[] {0});

    public static final TableSchema TELEMETRY = new TableSchema("telemetry", "telemetry_db", "public", "telemetry_data", List.of(
            new ColumnSchema("id", PgType.UUID, "uuid", false, 0, 0),
            new ColumnSchema("prosthesis_id", PgType.UUID, "uuid", false, 0, 0),
            new ColumnSchema("timestamp", PgType.TIMESTAMP, "timestamp without time zone", false, 0, 0),
            new ColumnSchema("sensor_data", PgType.JSON, "jsonb", true, 0, 0),
            new ColumnSchema("actuator_commands", PgType.JSON, "jsonb", true, 0, 0),
            new ColumnSchema("battery_level", PgType.DOUBLE, "double precision", true, 0, 0),
            new ColumnSchema("created_at", PgType.TIMESTAMP, "timestamp without time zone", true, 0, 0)),
            new int[] {0}, "telemetry_data_target", new int[] {1, 2, 0});

    public static final CaptureCatalog CATALOG = new CaptureCatalog(List.of(USERS, PROSTHESES, TELEMETRY));
}
