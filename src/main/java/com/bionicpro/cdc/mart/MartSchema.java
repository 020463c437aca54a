package com.bionicpro.cdc.mart;

import com.bionicpro.cdc.catalog.CaptureCatalog;
import com.bionicpro.cdc.catalog.PgType;
import com.bionicpro.cdc.catalog.TableSchema;
import com.bionicpro.cdc.clickhouse.ClickHouseTableSpec;
import com.bionicpro.cdc.config.JobDefinition.MartsDefinition;

import java.io.Serializable;
import java.util.List;

/**
 * Where the marts' inputs sit in the captured CRM and telemetry rows, and the columns of the two
 * mart tables. Built once from the catalog; {@link #check} lists what the CRM schema lacks.
 */
public final class MartSchema implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String usersTable;
    public final String prosthesesTable;
    public final String telemetryTable;
    public final String crmDataMart;
    public final String reportsMart;
    public final int retentionDays;
    public final int windowsPerCheckpoint;

    // users
    final int userId;
    final int userEmail;
    final int userName;
    final int userCreatedAt;
    final int userUpdatedAt;
    // prostheses
    final int prosthesisId;
    final int prosthesisUserId;
    final int prosthesisModel;
    final int prosthesisManufactureDate;
    final int prosthesisCreatedAt;
    final int prosthesisUpdatedAt;
    // telemetry_data
    final int telemetryProsthesisId;
    final int telemetryTimestamp;
    final int telemetryBattery;
    final int telemetryCommands;

    private MartSchema(MartsDefinition marts, TableSchema users, TableSchema prostheses, TableSchema telemetry) {
        usersTable = users.id();
        prosthesesTable = prostheses.id();
        telemetryTable = telemetry.id();
        crmDataMart = marts.crmDataMart;
        reportsMart = marts.reportsMart;
        retentionDays = marts.reportRetentionDays;
        windowsPerCheckpoint = marts.windowsPerCheckpoint;
        userId = users.position("id");
        userEmail = users.position("email");
        userName = users.position("name");
        userCreatedAt = users.position("created_at");
        userUpdatedAt = users.position("updated_at");
        prosthesisId = prostheses.position("id");
        prosthesisUserId = prostheses.position("user_id");
        prosthesisModel = prostheses.position("model");
        prosthesisManufactureDate = prostheses.position("manufacture_date");
        prosthesisCreatedAt = prostheses.position("created_at");
        prosthesisUpdatedAt = prostheses.position("updated_at");
        telemetryProsthesisId = telemetry.position("prosthesis_id");
        telemetryTimestamp = telemetry.position("timestamp");
        telemetryBattery = telemetry.position("battery_level");
        telemetryCommands = telemetry.position("actuator_commands");
    }

    public static MartSchema of(MartsDefinition marts, CaptureCatalog catalog) {
        return new MartSchema(marts, catalog.require(marts.usersTable), catalog.require(marts.prosthesesTable),
                catalog.require(marts.telemetryTable));
    }

    /** Position of users.id: the key of the user-side join. */
    public int userIdPosition() {
        return userId;
    }

    /** Position of prostheses.id: the key of the prosthesis-side join. */
    public int prosthesisIdPosition() {
        return prosthesisId;
    }

    /** What the captured tables lack for the marts, one problem per column. */
    public static void check(MartsDefinition marts, CaptureCatalog catalog, List<String> problems) {
        require(catalog.get(marts.usersTable), marts.usersTable, problems,
                "id", PgType.UUID, "email", PgType.TEXT, "name", PgType.TEXT,
                "created_at", PgType.TIMESTAMP, "updated_at", PgType.TIMESTAMP);
        require(catalog.get(marts.prosthesesTable), marts.prosthesesTable, problems,
                "id", PgType.UUID, "user_id", PgType.UUID, "model", PgType.TEXT, "manufacture_date", PgType.DATE,
                "created_at", PgType.TIMESTAMP, "updated_at", PgType.TIMESTAMP);
        require(catalog.get(marts.telemetryTable), marts.telemetryTable, problems,
                "prosthesis_id", PgType.UUID, "timestamp", PgType.TIMESTAMP, "battery_level", PgType.DOUBLE,
                "actuator_commands", PgType.JSON);
    }

    private static void require(TableSchema table, String id, List<String> problems, Object... columnsAndTypes) {
        if (table == null) {
            return; // reported by the PostgreSQL checks
        }
        for (int i = 0; i < columnsAndTypes.length; i += 2) {
            String column = (String) columnsAndTypes[i];
            PgType type = (PgType) columnsAndTypes[i + 1];
            int p = table.position(column);
            if (p < 0) {
                problems.add("marts: " + id + " has no column " + column);
            } else if (table.columns.get(p).type != type
                    && !(type == PgType.DOUBLE && table.columns.get(p).type == PgType.REAL)) {
                problems.add("marts: " + id + "." + column + " is " + table.columns.get(p).declaredType
                        + ", the marts need " + type.name().toLowerCase());
            }
        }
    }

    /** crm_data_mart: one row per prosthesis under its current owner. */
    public ClickHouseTableSpec crmDataMartSpec() {
        return ClickHouseTableSpec.of(crmDataMart)
                .column("user_id", "String")
                .column("user_email", "String")
                .column("user_name", "String")
                .column("prosthesis_id", "String")
                .column("prosthesis_model", "String")
                .column("manufacture_date", "Date")
                .column("prosthesis_created_at", "Nullable(DateTime)")
                .column("prosthesis_updated_at", "Nullable(DateTime)")
                .column("user_created_at", "Nullable(DateTime)")
                .column("user_updated_at", "Nullable(DateTime)")
                .column("_version", "UInt64")
                .column("_deleted", "UInt8")
                .build();
    }

    /** prosthesis_reports_mart: one row per user x prosthesis x UTC day (created_at is ClickHouse's). */
    public ClickHouseTableSpec reportsMartSpec() {
        return ClickHouseTableSpec.of(reportsMart)
                .column("user_id", "String")
                .column("user_email", "String")
                .column("user_name", "String")
                .column("prosthesis_id", "String")
                .column("prosthesis_model", "String")
                .column("manufacture_date", "Date")
                .column("report_date", "Date")
                .column("usage_count", "UInt32")
                .column("total_usage_minutes", "UInt32")
                .column("avg_battery_level", "Nullable(Float32)")
                .column("commands_executed", "UInt32")
                .column("last_activity", "DateTime")
                .column("data_period_start", "DateTime")
                .column("data_period_end", "DateTime")
                // Added in 1.1: rows with a battery reading, to weigh averages over several days.
                // Nullable: rows written before the column existed hold NULL until rewritten.
                .optionalColumn("battery_readings", "Nullable(UInt32)")
                .column("_version", "UInt64")
                .column("_deleted", "UInt8")
                .build();
    }
}
