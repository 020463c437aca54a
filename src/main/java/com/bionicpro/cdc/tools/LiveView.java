package com.bionicpro.cdc.tools;

import com.bionicpro.cdc.audit.KafkaPreflight;
import com.bionicpro.cdc.clickhouse.ClickHouseClient;
import com.bionicpro.cdc.config.JobDefinition;
import com.bionicpro.cdc.config.JobDefinition.SourceDefinition;
import com.bionicpro.cdc.config.JobDefinition.TableDefinition;
import com.bionicpro.cdc.reports.ReportQueries;
import com.bionicpro.cdc.source.PostgresConnections;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * What arrives, refreshed every few seconds: the job's state and last checkpoint, PostgreSQL and
 * ClickHouse row counts side by side, the marts, how far today's reports trail the newest telemetry,
 * and the newest audit records. For the demo; reads only.
 *
 * <pre>live [--flink http://127.0.0.1:18081] [--every SECONDS] [--times N]</pre>
 */
final class LiveView {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JobDefinition definition;
    private final String flink;
    private final int everySeconds;
    private final int times;
    private final ClickHouseClient clickhouse;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    LiveView(JobDefinition definition, List<String> args) {
        this.definition = definition;
        this.flink = Cli.option(args, "--flink", "http://127.0.0.1:18081");
        this.everySeconds = Integer.parseInt(Cli.option(args, "--every", "3"));
        this.times = Integer.parseInt(Cli.option(args, "--times", "0"));
        this.clickhouse = ClickHouseClient.of(definition.clickhouse);
    }

    int run() throws Exception {
        for (int i = 0; times <= 0 || i < times; i++) {
            StringBuilder screen = new StringBuilder();
            try {
                render(screen);
            } catch (Exception e) {
                screen.append("  (not available right now: ").append(e.getMessage()).append(")\n");
            }
            System.out.print((times == 1 ? "" : "\033[H\033[2J") + screen);
            System.out.flush();
            if (times <= 0 || i + 1 < times) {
                Thread.sleep(everySeconds * 1000L); // refresh period of the view
            }
        }
        return 0;
    }

    private void render(StringBuilder out) throws Exception {
        out.append(String.format("bionicpro-cdc live view  %s UTC   dashboard: %s   (Ctrl-C stops the demo)%n%n",
                Instant.now().toString().substring(0, 19).replace('T', ' '), flink));
        out.append(jobLine()).append("\n\n");
        out.append(String.format("%-34s %12s %12s%n", "table", "PostgreSQL", "ClickHouse"));
        String db = definition.clickhouse.database;
        for (SourceDefinition s : definition.sources.values()) {
            try (Connection c = PostgresConnections.asJob(s, "bionicpro-cdc-live"); Statement st = c.createStatement()) {
                for (TableDefinition t : s.tables) {
                    long pg;
                    try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + t.qualifiedName())) {
                        rs.next();
                        pg = rs.getLong(1);
                    }
                    String ch = t.replica == null ? "-" : clickhouse.query("SELECT count() FROM " + db + "." + t.replica
                            + " FINAL WHERE _deleted = 0").strip();
                    out.append(String.format("%-34s %12d %12s%n", s.database + "." + t.qualifiedName(), pg, ch));
                }
            }
        }
        if (definition.marts != null) {
            String crmMart = clickhouse.query("SELECT count() FROM " + db + "." + definition.marts.crmDataMart
                    + " FINAL WHERE _deleted = 0").strip();
            String reports = clickhouse.query("SELECT count(), uniqExact(user_id), toString(max(last_activity)) FROM "
                    + db + "." + definition.marts.reportsMart + " FINAL WHERE _deleted = 0").strip();
            String[] r = reports.split("\t");
            out.append(String.format("%-34s %12s %12s%n", db + "." + definition.marts.crmDataMart, "", crmMart));
            out.append(String.format("%-34s %12s %12s   (%s users, newest activity %s)%n",
                    db + "." + definition.marts.reportsMart, "", r[0], r[1], r[2]));
            out.append(freshness());
            out.append(sampleReport());
        }
        out.append("\nnewest audit records (read_committed):\n");
        for (String line : recentAudit(4)) {
            out.append("  ").append(line).append('\n');
        }
    }

    private String jobLine() {
        try {
            JsonNode jobs = get("/jobs/overview").get("jobs");
            for (JsonNode j : jobs) {
                if (j.get("name").asText().equals(definition.name) && j.get("state").asText().equals("RUNNING")) {
                    JsonNode cp = get("/jobs/" + j.get("jid").asText() + "/checkpoints");
                    JsonNode last = cp.path("latest").path("completed");
                    String age = last.isMissingNode() || last.isNull() ? "none yet"
                            : String.format("%.1f s ago", (System.currentTimeMillis() - last.get("latest_ack_timestamp").asLong()) / 1000.0);
                    return String.format("job %s RUNNING (%s), %d checkpoints completed, last %s", definition.name,
                            j.get("jid").asText(), cp.get("counts").get("completed").asInt(), age);
                }
            }
            return "job " + definition.name + " is not running";
        } catch (Exception e) {
            return "Flink at " + flink + " is not answering";
        }
    }

    /** How far today's report trails the newest telemetry row of PostgreSQL. */
    private String freshness() throws Exception {
        SourceDefinition telemetry = definition.sources.get(definition.marts.telemetryTable.split("\\.")[0]);
        String table = definition.marts.telemetryTable.substring(definition.marts.telemetryTable.indexOf('.') + 1);
        long newestPg;
        try (Connection c = PostgresConnections.asJob(telemetry, "bionicpro-cdc-live"); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT coalesce(floor(extract(epoch from max(\"timestamp\"))), 0)::bigint FROM "
                        + table)) {
            rs.next();
            newestPg = rs.getLong(1);
        }
        long newestReport = Long.parseLong(clickhouse.query("SELECT toUnixTimestamp(max(last_activity)) FROM "
                + definition.clickhouse.database + "." + definition.marts.reportsMart).strip());
        return String.format("today's reports trail the newest telemetry row by %d s%n", Math.max(0, newestPg - newestReport));
    }

    /** Today's report of the patient with the most recent activity, as the reports service reads it. */
    private String sampleReport() throws Exception {
        String db = definition.clickhouse.database;
        List<String[]> latest = clickhouse.rows("SELECT user_id FROM " + db + "." + definition.marts.reportsMart
                + " WHERE report_date = today() ORDER BY last_activity DESC LIMIT 1");
        if (latest.isEmpty()) {
            return "";
        }
        JsonNode rows = new ReportQueries(clickhouse, db).reportsForUser(latest.get(0)[0], LocalDate.now(ZoneOffset.UTC),
                LocalDate.now(ZoneOffset.UTC)).get("data");
        StringBuilder sb = new StringBuilder("\ntoday's report of the most recently active patient (bin/report user "
                + latest.get(0)[0] + "):\n");
        for (JsonNode r : rows) {
            sb.append(String.format("  %s %s %s: %d uses, %d min, battery %s, %d commands, last %s%n", r.get("user_name").asText(),
                    r.get("prosthesis_model").asText(), r.get("report_date").asText(), r.get("usage_count").asLong(),
                    r.get("total_usage_minutes").asLong(), r.get("avg_battery_level").asText(), r.get("commands_executed").asLong(),
                    r.get("last_activity").asText()));
        }
        return sb.toString();
    }

    private List<String> recentAudit(int perTopic) {
        List<String> lines = new ArrayList<>();
        Properties props = KafkaPreflight.clientProperties(definition.kafka);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            for (SourceDefinition s : definition.sources.values()) {
                for (TableDefinition t : s.tables) {
                    String topic = s.auditTopicPrefix + "." + t.qualifiedName();
                    List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(2));
                    List<TopicPartition> tps = partitions.stream().map(p -> new TopicPartition(topic, p.partition()))
                            .collect(Collectors.toList());
                    consumer.assign(tps);
                    Map<TopicPartition, Long> end = consumer.endOffsets(tps);
                    tps.forEach(tp -> consumer.seek(tp, Math.max(0, end.get(tp) - perTopic)));
                    long deadline = System.currentTimeMillis() + 1500;
                    while (System.currentTimeMillis() < deadline
                            && tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                    }
                }
            }
            records.sort(Comparator.comparingLong(ConsumerRecord<String, String>::timestamp).reversed());
            for (ConsumerRecord<String, String> r : records.subList(0, Math.min(records.size(), 6))) {
                String v = r.value();
                lines.add(r.topic() + " " + (v.length() > 150 ? v.substring(0, 150) + "..." : v));
            }
        } catch (Exception e) {
            lines.add("(audit log not readable right now: " + e.getMessage() + ")");
        }
        return lines;
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(flink + path)).timeout(Duration.ofSeconds(3)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

}
