package com.bionicpro.cdc.bench;

import com.bionicpro.cdc.clickhouse.ClickHouseClient;
import com.bionicpro.cdc.config.JobDefinition;
import com.bionicpro.cdc.config.JobDefinition.SourceDefinition;
import com.bionicpro.cdc.config.JobDefinitionParser;
import com.bionicpro.cdc.source.PostgresConnections;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What every benchmark needs: the job definition (pointed at the benchmark's databases by
 * bin/bench), connections as the CRM application, ClickHouse, and the results file.
 */
final class BenchContext {
    static final ObjectMapper JSON = new ObjectMapper();

    final JobDefinition definition;
    final SourceDefinition crm;
    final SourceDefinition telemetry;
    final ClickHouseClient clickhouse;
    final String clickhouseDb;
    final Path results;

    BenchContext(Path definitionFile, Path results) {
        this.definition = JobDefinitionParser.parse(definitionFile, System.getenv());
        this.crm = definition.sources.get("crm");
        this.telemetry = definition.sources.get("telemetry");
        this.clickhouse = ClickHouseClient.of(definition.clickhouse);
        this.clickhouseDb = definition.clickhouse.database;
        this.results = results;
    }

    static BenchContext fromEnvironment() {
        return new BenchContext(Paths.get(System.getenv().getOrDefault("BENCH_DEFINITION", "jobs/bionicpro.yaml")),
                Paths.get(System.getenv().getOrDefault("BENCH_RESULTS", ".stack/bench/results.jsonl")));
    }

    /** A connection as the application that owns the data (APP_PG_USER / APP_PG_PASSWORD). */
    Connection app(SourceDefinition source) throws SQLException {
        return PostgresConnections.asApplication(source, "bionicpro-bench");
    }

    /**
     * A PostgreSQL client tool ($PG_BIN/tool) against this source as the application, with the
     * password in its environment; launcher (e.g. taskset) comes first, the tool's own args after
     * the connection options.
     */
    static ProcessBuilder pgTool(List<String> launcher, String tool, SourceDefinition source, List<String> args) {
        List<String> command = new ArrayList<>(launcher);
        command.add(System.getenv().getOrDefault("PG_BIN", "/usr/lib/postgresql/15/bin") + "/" + tool);
        command.addAll(List.of("-h", source.host, "-p", String.valueOf(source.port),
                "-U", System.getenv().getOrDefault("APP_PG_USER", "postgres")));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", System.getenv().getOrDefault("APP_PG_PASSWORD", ""));
        return pb;
    }

    long pgCount(SourceDefinition source, String sql) throws SQLException {
        try (Connection c = app(source); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    long chCount(String sql) throws IOException {
        return Long.parseLong(clickhouse.query(sql).strip());
    }

    /** Appends one measurement to the results file (one JSON object per line). */
    void record(ObjectNode result) throws IOException {
        Files.createDirectories(results.getParent());
        Files.writeString(results, JSON.writeValueAsString(result) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        System.out.println(JSON.writeValueAsString(result));
    }

    ObjectNode result(String benchmark, String subject) {
        ObjectNode n = JSON.createObjectNode();
        n.put("benchmark", benchmark).put("subject", subject).put("at", System.currentTimeMillis());
        return n;
    }
}
