package com.bionicpro.cdc.testing;

import com.bionicpro.cdc.clickhouse.ClickHouseClient;
import com.bionicpro.cdc.config.JobDefinition;
import com.bionicpro.cdc.config.JobDefinitionParser;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One test's private world on the shared local stack: its own CRM and telemetry databases (from
 * db-init/postgres/00-init.sh), ClickHouse database (from db-init/clickhouse), audit topic
 * prefixes, slots and publications; removed again by {@link #close()}. The job runs with
 * jobs/bionicpro.yaml, pointed at these names through its environment references.
 */
public final class TestEnvironment implements AutoCloseable {
    public final String suffix;
    public final String crmDb;
    public final String telemetryDb;
    public final String clickhouseDb;
    private final LocalStack stack = LocalStack.get();
    private final Map<String, String> env = new HashMap<>();

    private TestEnvironment(String name) {
        suffix = name + "_" + UUID.randomUUID().toString().substring(0, 8);
        crmDb = "crm_" + suffix;
        telemetryDb = "telemetry_" + suffix;
        clickhouseDb = "reports_" + suffix;
        env.put("JOB_NAME", "it-" + suffix);
        env.put("PG_HOST", stack.pgHost());
        env.put("PG_PORT", String.valueOf(stack.pgPort()));
        env.put("CRM_DB", crmDb);
        env.put("TELEMETRY_DB", telemetryDb);
        env.put("CDC_PG_USER", stack.pgCdcUser());
        env.put("CDC_PG_PASSWORD", stack.pgCdcPassword());
        env.put("CRM_SLOT", "crm_" + suffix);
        env.put("TELEMETRY_SLOT", "telemetry_" + suffix);
        env.put("CRM_PUBLICATION", "crm_pub_" + suffix);
        env.put("TELEMETRY_PUBLICATION", "telemetry_pub_" + suffix);
        env.put("CRM_TOPIC_PREFIX", "crm_" + suffix);
        env.put("TELEMETRY_TOPIC_PREFIX", "telemetry_" + suffix);
        env.put("KAFKA_BOOTSTRAP", stack.kafkaBootstrap());
        env.put("KAFKA_TRANSACTIONAL_ID_PREFIX", "it-" + suffix);
        env.put("CLICKHOUSE_URL", stack.clickhouseUrl());
        env.put("CLICKHOUSE_DB", clickhouseDb);
        env.put("CLICKHOUSE_USER", stack.clickhouseUser());
        env.put("CLICKHOUSE_PASSWORD", stack.clickhousePassword());
    }

    /** Creates the databases, schemas, grants and publications exactly as db-init does. */
    public static TestEnvironment create(String name) throws Exception {
        TestEnvironment t = new TestEnvironment(name.toLowerCase().replaceAll("[^a-z0-9]", ""));
        t.psql("postgres", List.of(LocalStack.repoRoot().resolve("db-init/postgres/00-init.sh").toString()), Map.of(
                "CRM_DB", t.crmDb, "TELEMETRY_DB", t.telemetryDb,
                "CRM_PUBLICATION", t.env.get("CRM_PUBLICATION"), "TELEMETRY_PUBLICATION", t.env.get("TELEMETRY_PUBLICATION"),
                "CDC_PG_USER", t.stack.pgCdcUser(), "CDC_PG_PASSWORD", t.stack.pgCdcPassword()));
        t.createClickHouseDatabase();
        return t;
    }

    /** Environment references of jobs/bionicpro.yaml; tests may override some (set before parsing). */
    public TestEnvironment set(String key, String value) {
        env.put(key, value);
        return this;
    }

    public Map<String, String> env() {
        return env;
    }

    public JobDefinition definition() {
        return JobDefinitionParser.parse(LocalStack.repoRoot().resolve("jobs/bionicpro.yaml"), env);
    }

    public Connection crm() throws SQLException {
        return admin(crmDb);
    }

    public Connection telemetry() throws SQLException {
        return admin(telemetryDb);
    }

    public Connection admin(String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", stack.pgAdminPassword());
        return DriverManager.getConnection(jdbcUrl(database), p);
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + stack.pgHost() + ":" + stack.pgPort() + "/" + database;
    }

    public ClickHouseClient clickhouse() {
        return new ClickHouseClient(stack.clickhouseUrl(), stack.clickhouseUser(), stack.clickhousePassword(),
                Duration.ofSeconds(60));
    }

    /** Runs a SQL file with psql as the superuser (fixtures with transactions, \gexec, COPY...). */
    public void runSqlFile(String database, Path file) throws Exception {
        runSqlFile(database, file, Map.of());
    }

    /** The same with psql variables ({@code :name} and {@code :"name"} in the file). */
    public void runSqlFile(String database, Path file, Map<String, String> variables) throws Exception {
        List<String> command = new ArrayList<>(List.of("psql", "-v", "ON_ERROR_STOP=1", "-X", "-q"));
        variables.forEach((name, value) -> command.addAll(List.of("-v", name + "=" + value)));
        command.addAll(List.of("-f", file.toString()));
        psql(database, command, Map.of());
    }

    /** Runs a ClickHouse SQL file against this environment's database (written as reports_db). */
    public void runClickHouseFile(Path file) throws Exception {
        ClickHouseClient ch = clickhouse();
        for (String statement : statements(Files.readString(file, StandardCharsets.UTF_8))) {
            ch.execute(statement.replace("reports_db", clickhouseDb));
        }
    }

    private void psql(String database, List<String> command, Map<String, String> extraEnv) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("PGHOST", stack.pgHost());
        pb.environment().put("PGPORT", String.valueOf(stack.pgPort()));
        pb.environment().put("PGUSER", "postgres");
        pb.environment().put("PGPASSWORD", stack.pgAdminPassword());
        pb.environment().put("PGDATABASE", database);
        pb.environment().putAll(extraEnv);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(command + " failed: " + output);
        }
    }

    private void createClickHouseDatabase() throws Exception {
        ClickHouseClient ch = clickhouse();
        try (var files = Files.list(LocalStack.repoRoot().resolve("db-init/clickhouse"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".sql")).sorted().collect(Collectors.toList())) {
                runClickHouseFile(f);
            }
        }
    }

    /** Statements of a SQL file: comments removed, split at semicolons. */
    public static List<String> statements(String sql) {
        List<String> out = new ArrayList<>();
        for (String s : sql.replaceAll("--[^\n]*", "").split(";")) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        return out;
    }

    public String topic(String source, String table) {
        return env.get(source.toUpperCase() + "_TOPIC_PREFIX") + ".public." + table;
    }

    /** Drops slots, databases, the ClickHouse database and the topics. */
    @Override
    public void close() throws Exception {
        try (Connection c = admin("postgres")) {
            for (String slot : List.of(env.get("CRM_SLOT"), env.get("TELEMETRY_SLOT"))) {
                dropSlot(c, slot);
            }
            try (Statement st = c.createStatement()) {
                // Temporary snapshot slots are named after the main slot.
                try (ResultSet rs = st.executeQuery("SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE '%"
                        + suffix + "%'")) {
                    List<String> left = new ArrayList<>();
                    while (rs.next()) {
                        left.add(rs.getString(1));
                    }
                    for (String s : left) {
                        dropSlot(c, s);
                    }
                }
                st.execute("DROP DATABASE IF EXISTS " + crmDb + " WITH (FORCE)");
                st.execute("DROP DATABASE IF EXISTS " + telemetryDb + " WITH (FORCE)");
            }
        }
        clickhouse().execute("DROP DATABASE IF EXISTS " + clickhouseDb);
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrap());
        try (Admin admin = Admin.create(p)) {
            Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> t.contains(suffix))
                    .collect(Collectors.toSet());
            admin.deleteTopics(topics).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static void dropSlot(Connection c, String slot) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = ? AND active")) {
            ps.setString(1, slot);
            ps.execute();
        }
        Poll.until(Duration.ofSeconds(30), "slot " + slot + " to be released", () -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    return !rs.next() || !rs.getBoolean(1);
                }
            }
        });
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            ps.execute();
        }
    }
}
