package com.bionicpro.cdc.verify;

import com.bionicpro.cdc.audit.AuditRecordSerializer;
import com.bionicpro.cdc.audit.KafkaPreflight;
import com.bionicpro.cdc.catalog.CaptureCatalog;
import com.bionicpro.cdc.catalog.ColumnSchema;
import com.bionicpro.cdc.catalog.PgType;
import com.bionicpro.cdc.catalog.TableSchema;
import com.bionicpro.cdc.clickhouse.ClickHouseClient;
import com.bionicpro.cdc.clickhouse.ClickHouseException;
import com.bionicpro.cdc.config.JobDefinition;
import com.bionicpro.cdc.config.JobDefinition.SourceDefinition;
import com.bionicpro.cdc.config.JobDefinitionException;
import com.bionicpro.cdc.source.PostgresConnections;
import com.bionicpro.cdc.source.PostgresPreflight;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Compares what the job produced with PostgreSQL, the source of truth: each ClickHouse replica
 * (FINAL, deleted rows hidden) row for row, crm_data_mart and prosthesis_reports_mart against the
 * same join and report definition evaluated by SQL on PostgreSQL, and each audit topic
 * (read_committed) event by event: no change twice, and replaying a key's events gives its
 * current row. Read-only. Used by bin/verify, the tests and the demo.
 */
public final class Verifier {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JobDefinition definition;
    private final CaptureCatalog catalog;
    private final ClickHouseClient clickhouse;
    private final Duration auditDeadline;

    public Verifier(JobDefinition definition, CaptureCatalog catalog, Duration auditDeadline) {
        this.definition = definition;
        this.catalog = catalog;
        this.clickhouse = ClickHouseClient.of(definition.clickhouse);
        this.auditDeadline = auditDeadline;
    }

    /** The catalog as PostgreSQL describes it now, read without changing anything. */
    public static CaptureCatalog readCatalog(JobDefinition definition) {
        List<String> problems = new ArrayList<>();
        List<TableSchema> tables = new ArrayList<>();
        for (SourceDefinition s : definition.sources.values()) {
            tables.addAll(new PostgresPreflight(s, problems, true).run());
        }
        if (!problems.isEmpty()) {
            throw new JobDefinitionException(problems);
        }
        return new CaptureCatalog(tables);
    }

    public List<TableReport> verifyAll() throws Exception {
        List<TableReport> reports = new ArrayList<>();
        for (TableSchema t : catalog.tables()) {
            if (t.replicaTable != null) {
                reports.add(verifyReplica(t));
            }
        }
        if (definition.marts != null) {
            reports.add(verifyCrmDataMart());
            reports.add(verifyReportsMart());
        }
        for (TableSchema t : catalog.tables()) {
            reports.add(verifyAudit(t));
        }
        return reports;
    }

    public static boolean print(List<TableReport> reports, PrintStream out) {
        out.println(TableReport.header());
        boolean clean = true;
        for (TableReport r : reports) {
            out.println(r);
            clean &= r.clean();
        }
        out.println(clean ? "verification passed: every target equals PostgreSQL" : "verification FAILED");
        return clean;
    }

    // ------------------------------------------------------------------ replicas

    public TableReport verifyReplica(TableSchema t) throws SQLException, ClickHouseException {
        TableReport report = new TableReport(definition.clickhouse.database + "." + t.replicaTable);
        Map<String, List<Object>> expected = new HashMap<>();
        for (String[] row : postgresRows(t, true)) {
            expected.put(key(t, row), normalize(t, row, true));
        }
        String select = t.columns.stream().map(Verifier::clickHouseExpression).collect(Collectors.joining(", "));
        Map<String, List<Object>> actual = new HashMap<>();
        long actualRows = 0;
        for (String[] row : clickhouse.rows("SELECT " + select + " FROM " + definition.clickhouse.database + "."
                + t.replicaTable + " FINAL WHERE _deleted = 0")) {
            actualRows++;
            if (actual.put(key(t, row), normalize(t, row, true)) != null) {
                report.duplicated++;
                report.sample("duplicate key " + key(t, row));
            }
        }
        report.actual = actualRows;
        compare(report, expected, actual, Verifier::sameValues);
        return report;
    }

    /**
     * Equal values; floats to 12 significant digits, because ClickHouse 18.16's text parser may
     * round a float to a neighbouring double.
     */
    static boolean sameValues(List<Object> a, List<Object> b) {
        for (int i = 0; i < a.size(); i++) {
            Object x = a.get(i);
            Object y = b.get(i);
            if (x instanceof Double && y instanceof Double) {
                double dx = (Double) x;
                double dy = (Double) y;
                if (!(dx == dy || Double.isNaN(dx) && Double.isNaN(dy)
                        || Math.abs(dx - dy) <= 1e-12 * Math.max(1, Math.max(Math.abs(dx), Math.abs(dy))))) {
                    return false;
                }
            } else if (!Objects.equals(x, y)) {
                return false;
            }
        }
        return true;
    }

    private List<String[]> postgresRows(TableSchema t, boolean secondsPrecision) throws SQLException {
        String select = t.columns.stream()
                .map(c -> postgresExpression(c, secondsPrecision))
                .collect(Collectors.joining(", "));
        return query(definition.sources.get(t.source),
                "SELECT " + select + " FROM " + quote(t.schema) + "." + quote(t.table), t.columns.size());
    }

    private static String postgresExpression(ColumnSchema c, boolean secondsPrecision) {
        String col = quote(c.name);
        if (c.type == PgType.TIMESTAMP || c.type == PgType.TIMESTAMPTZ) {
            if (secondsPrecision) {
                return epoch(col);
            }
            return c.type == PgType.TIMESTAMP
                    ? "to_char(" + col + ", 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
                    : "to_char(" + col + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";
        }
        return col + "::text";
    }

    private static String clickHouseExpression(ColumnSchema c) {
        if (c.type == PgType.TIMESTAMP || c.type == PgType.TIMESTAMPTZ) {
            return "toUnixTimestamp(" + c.name + ")";
        }
        return c.name;
    }

    private static List<Object> normalize(TableSchema t, String[] row, boolean secondsPrecision) {
        List<Object> values = new ArrayList<>(row.length);
        for (int i = 0; i < row.length; i++) {
            values.add(Values.normalize(t.columns.get(i), row[i], secondsPrecision));
        }
        return values;
    }

    private static String key(TableSchema t, String[] row) {
        StringBuilder sb = new StringBuilder();
        for (int p : t.primaryKey) {
            sb.append(sb.length() == 0 ? "" : "/").append(row[p]);
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ marts

    public TableReport verifyCrmDataMart() throws SQLException, ClickHouseException {
        JobDefinition.MartsDefinition m = definition.marts;
        TableSchema users = catalog.require(m.usersTable);
        TableReport report = new TableReport(definition.clickhouse.database + "." + m.crmDataMart);
        Map<String, List<Object>> expected = new HashMap<>();
        for (String[] r : query(definition.sources.get(users.source),
                "SELECT u.id::text, u.email, u.name, p.id::text, p.model, p.manufacture_date::text, "
                        + epoch("p.created_at") + ", " + epoch("p.updated_at") + ", " + epoch("u.created_at") + ", "
                        + epoch("u.updated_at") + " FROM " + table(m.prosthesesTable) + " p JOIN " + table(m.usersTable)
                        + " u ON u.id = p.user_id", 10)) {
            expected.put(r[0] + "/" + r[3], Arrays.asList((Object[]) r));
        }
        Map<String, List<Object>> actual = new HashMap<>();
        for (String[] r : clickhouse.rows("SELECT user_id, user_email, user_name, prosthesis_id, prosthesis_model, "
                + "toString(manufacture_date), toUnixTimestamp(prosthesis_created_at), toUnixTimestamp(prosthesis_updated_at), "
                + "toUnixTimestamp(user_created_at), toUnixTimestamp(user_updated_at) FROM " + definition.clickhouse.database
                + "." + m.crmDataMart + " FINAL WHERE _deleted = 0")) {
            for (int i = 0; i < r.length; i++) {
                r[i] = "\\N".equals(r[i]) ? null : r[i];
            }
            report.actual++;
            if (actual.put(r[0] + "/" + r[3], Arrays.asList((Object[]) r)) != null) {
                report.duplicated++;
            }
        }
        compare(report, expected, actual, Objects::equals);
        return report;
    }

    public TableReport verifyReportsMart() throws SQLException, ClickHouseException {
        JobDefinition.MartsDefinition m = definition.marts;
        TableSchema prostheses = catalog.require(m.prosthesesTable);
        TableSchema telemetry = catalog.require(m.telemetryTable);
        TableReport report = new TableReport(definition.clickhouse.database + "." + m.reportsMart);
        LocalDate oldest = LocalDate.now(ZoneOffset.UTC).minusDays(m.reportRetentionDays);

        Map<String, String[]> owners = new HashMap<>();
        for (String[] r : query(definition.sources.get(prostheses.source),
                "SELECT p.id::text, u.id::text, u.email, u.name, p.model, p.manufacture_date::text FROM "
                        + table(m.prosthesesTable) + " p JOIN " + table(m.usersTable) + " u ON u.id = p.user_id", 6)) {
            owners.put(r[0], r);
        }
        // Optional column battery_readings (added in 1.1): compared where the table has it and the row has a value.
        boolean readings = !clickhouse.rows("SELECT name FROM system.columns WHERE database = "
                + ClickHouseClient.quote(definition.clickhouse.database) + " AND table = " + ClickHouseClient.quote(m.reportsMart)
                + " AND name = 'battery_readings'").isEmpty();
        // The report definition, evaluated on the telemetry database: one row per prosthesis and UTC day.
        Map<String, List<Object>> expected = new HashMap<>();
        for (String[] r : query(definition.sources.get(telemetry.source),
                "SELECT prosthesis_id::text, (\"timestamp\")::date::text, count(*)::text, "
                        + "round(avg(battery_level)::numeric, 2)::text, "
                        + "count(*) FILTER (WHERE actuator_commands IS NOT NULL AND actuator_commands::text NOT IN "
                        + "('null', '{}', '[]'))::text, "
                        + epoch("max(\"timestamp\")") + ", " + epoch("min(\"timestamp\")") + ", count(battery_level)::text"
                        + " FROM " + table(m.telemetryTable) + " WHERE \"timestamp\" >= '" + oldest + "' GROUP BY 1, 2", 8)) {
            String[] owner = owners.get(r[0]);
            if (owner == null) {
                continue; // telemetry of a prosthesis the CRM does not know: no report row
            }
            long count = Long.parseLong(r[2]);
            expected.put(owner[1] + "/" + r[0] + "/" + r[1], Arrays.asList(owner[1], owner[2], owner[3], r[0], owner[4],
                    owner[5], r[1], count, count * 5, r[3] == null ? "null" : r[3], Long.parseLong(r[4]), r[5], r[6], r[5],
                    r[7]));
        }
        Map<String, List<Object>> actual = new HashMap<>();
        for (String[] r : clickhouse.rows("SELECT user_id, user_email, user_name, prosthesis_id, prosthesis_model, "
                + "toString(manufacture_date), toString(report_date), usage_count, total_usage_minutes, avg_battery_level, "
                + "commands_executed, toUnixTimestamp(last_activity), toUnixTimestamp(data_period_start), "
                + "toUnixTimestamp(data_period_end)" + (readings ? ", battery_readings" : ", NULL")
                + " FROM " + definition.clickhouse.database + "." + m.reportsMart
                + " FINAL WHERE _deleted = 0 AND report_date >= '" + oldest + "'")) {
            report.actual++;
            List<Object> values = Arrays.asList(r[0], r[1], r[2], r[3], r[4], r[5], r[6], Long.parseLong(r[7]),
                    Long.parseLong(r[8]), "\\N".equals(r[9]) ? "null" : r[9], Long.parseLong(r[10]), r[11], r[12], r[13],
                    "\\N".equals(r[14]) ? null : r[14]);
            if (actual.put(r[0] + "/" + r[3] + "/" + r[6], values) != null) {
                report.duplicated++;
            }
        }
        compare(report, expected, actual, Verifier::sameReport);
        return report;
    }

    /**
     * Report rows are equal field by field, the average battery level within 0.01; an optional
     * column ClickHouse holds NULL for (a row written before the column existed) is not compared.
     */
    private static boolean sameReport(List<Object> a, List<Object> b) {
        for (int i = 0; i < a.size(); i++) {
            if (i == 14 && b.get(i) == null) {
                continue;
            }
            if (i == 9 && !"null".equals(a.get(i)) && !"null".equals(b.get(i))) {
                // Within 0.01 (the report's precision); ClickHouse keeps the value as Float32.
                if (Math.abs(Double.parseDouble((String) a.get(i)) - Double.parseDouble((String) b.get(i))) > 0.01 + 1e-5) {
                    return false;
                }
            } else if (!Objects.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Whole Unix seconds as ClickHouse's DateTime holds them (NULL stays NULL). */
    private static String epoch(String column) {
        // greatest() skips NULLs, so NULL is kept explicitly.
        return "CASE WHEN " + column + " IS NULL THEN NULL ELSE greatest(0, floor(extract(epoch from " + column
                + ")))::bigint::text END";
    }

    private String table(String id) {
        TableSchema t = catalog.require(id);
        return quote(t.schema) + "." + quote(t.table);
    }

    // ------------------------------------------------------------------ audit log

    /**
     * Reads the table's audit topic to its end (read_committed) and checks that no change appears
     * twice and that each key's last event leaves exactly its current PostgreSQL row.
     */
    public TableReport verifyAudit(TableSchema t) throws SQLException, IOException {
        String topic = AuditRecordSerializer.topic(definition.sources.get(t.source).auditTopicPrefix, t);
        TableReport report = new TableReport("kafka " + topic);
        Map<String, List<Object>> expected = new HashMap<>();
        for (String[] row : postgresRows(t, false)) {
            expected.put(key(t, row), normalize(t, row, false));
        }
        Map<String, List<Object>> state = new LinkedHashMap<>();
        Map<String, String> seen = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : readTopic(topic)) {
            report.actual++;
            JsonNode value = JSON.readTree(record.value());
            String op = value.get("op").asText();
            JsonNode row = "d".equals(op) ? value.get("before") : value.get("after");
            String[] values = new String[t.columns.size()];
            for (int i = 0; i < values.length; i++) {
                JsonNode v = row.get(t.columns.get(i).name);
                values[i] = v == null || v.isNull() ? null : v.isValueNode() ? v.asText() : v.toString();
            }
            String k = key(t, values);
            // One WAL record changes a row once: the same row at the same position twice is one
            // change delivered twice, also as a snapshot read ('r' keeps the position of a change
            // merged into the snapshot) followed by the change itself.
            String lsn = value.get("source").get("lsn").asText();
            String first = seen.putIfAbsent(k + "@" + lsn, op);
            if (first != null) {
                report.duplicated++;
                report.sample("change twice: " + k + " " + first + " then " + op + " at lsn " + lsn);
            }
            if ("d".equals(op)) {
                state.remove(k);
            } else {
                state.put(k, normalize(t, values, false));
            }
        }
        report.expected = expected.size();
        long events = report.actual;
        compare(report, expected, state, Objects::equals);
        report.actual = events;
        return report;
    }

    private List<ConsumerRecord<byte[], byte[]>> readTopic(String topic) {
        Properties props = KafkaPreflight.clientProperties(definition.kafka);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10));
            if (partitions == null || partitions.isEmpty()) {
                return records;
            }
            List<TopicPartition> tps = partitions.stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .sorted((a, b) -> Integer.compare(a.partition(), b.partition()))
                    .collect(Collectors.toList());
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps, Duration.ofSeconds(10));
            long deadline = System.nanoTime() + auditDeadline.toNanos();
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within " + auditDeadline);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    // ------------------------------------------------------------------ common

    interface RowEquality {
        boolean same(List<Object> a, List<Object> b);
    }

    private static void compare(TableReport report, Map<String, List<Object>> expected, Map<String, List<Object>> actual,
            RowEquality equality) {
        report.expected = expected.size();
        for (Map.Entry<String, List<Object>> e : expected.entrySet()) {
            List<Object> a = actual.get(e.getKey());
            if (a == null) {
                report.missing++;
                report.sample("missing " + e.getKey());
            } else if (!equality.same(e.getValue(), a)) {
                report.different++;
                report.sample("different " + e.getKey() + ": expected " + e.getValue() + " but found " + a);
            }
        }
        for (String k : actual.keySet()) {
            if (!expected.containsKey(k)) {
                report.extra++;
                report.sample("extra " + k);
            }
        }
    }

    private List<String[]> query(SourceDefinition source, String sql, int columns) throws SQLException {
        List<String[]> rows = new ArrayList<>();
        try (Connection c = PostgresConnections.asJob(source, "bionicpro-cdc-verify");
                Statement st = c.createStatement()) {
            // One consistent snapshot of the database for the whole query.
            st.setFetchSize(10_000);
            try (ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    String[] row = new String[columns];
                    for (int i = 0; i < columns; i++) {
                        row[i] = rs.getString(i + 1);
                    }
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
