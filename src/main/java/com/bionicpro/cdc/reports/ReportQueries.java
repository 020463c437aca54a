package com.bionicpro.cdc.reports;

import com.bionicpro.cdc.clickhouse.ClickHouseClient;
import com.bionicpro.cdc.clickhouse.ClickHouseException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.UUID;

/**
 * The reports service's two queries (db-init/clickhouse/queries, packaged with the job jar), run
 * against ClickHouse: a user's reports for a date range, and whether a period is processed. Both
 * read only ClickHouse; the CRM is never touched. Values are validated and quoted before they go
 * into the SQL (ClickHouse 18.16 has no query parameters).
 */
public final class ReportQueries {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ClickHouseClient clickhouse;
    private final String database;

    public ReportQueries(ClickHouseClient clickhouse, String database) {
        this.clickhouse = clickhouse;
        this.database = database;
    }

    public JsonNode reportsForUser(String userId, LocalDate from, LocalDate to) throws IOException {
        return run("reports_for_user.sql", userId, from, to);
    }

    public JsonNode periodProcessed(String userId, LocalDate from, LocalDate to) throws IOException {
        return run("period_processed.sql", userId, from, to);
    }

    private JsonNode run(String query, String userId, LocalDate from, LocalDate to) throws IOException {
        UUID.fromString(userId); // only a UUID gets into the SQL
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("the period ends (" + to + ") before it starts (" + from + ")");
        }
        String sql = template(query)
                .replace("reports_db.", database + ".")
                .replace("{user_id}", ClickHouseClient.quote(userId))
                .replace("{date_from}", ClickHouseClient.quote(from.toString()))
                .replace("{date_to}", ClickHouseClient.quote(to.toString()));
        try {
            // JSON output: column names and typed values, as the reports service consumes them.
            return JSON.readTree(clickhouse.query(sql + " FORMAT JSON"));
        } catch (ClickHouseException e) {
            throw new IOException("report query " + query + " failed: " + e.getMessage(), e);
        }
    }

    static String template(String name) throws IOException {
        try (InputStream in = ReportQueries.class.getResourceAsStream("/queries/" + name)) {
            if (in == null) {
                throw new IOException("query " + name + " is not packaged with the job");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("--[^\n]*", "").strip();
        }
    }
}
