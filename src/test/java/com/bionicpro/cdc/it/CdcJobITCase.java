package com.bionicpro.cdc.it;

import com.bionicpro.cdc.catalog.CaptureCatalog;
import com.bionicpro.cdc.config.JobDefinition;
import com.bionicpro.cdc.config.Preflight;
import com.bionicpro.cdc.testing.ChangeScript;
import com.bionicpro.cdc.testing.JobRunner;
import com.bionicpro.cdc.testing.LocalStack;
import com.bionicpro.cdc.testing.Poll;
import com.bionicpro.cdc.testing.TestEnvironment;
import com.bionicpro.cdc.verify.TableReport;
import com.bionicpro.cdc.verify.Verifier;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole job in a MiniCluster against the real PostgreSQL, Kafka and ClickHouse of the local
 * stack: snapshot, then inserts, updates and deletes of every kind; afterwards every replica, both
 * marts and every audit topic equal PostgreSQL, with exactly one audit event per row change.
 */
class CdcJobITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final Path FIXTURES = LocalStack.repoRoot().resolve("src/test/resources/fixtures");

    @TempDir
    Path checkpoints;

    private TestEnvironment env;
    private JobRunner runner;

    @BeforeEach
    void createEnvironment() throws Exception {
        runner = new JobRunner(checkpoints);
        env = TestEnvironment.create("cdc");
        // Small chunks: the snapshot of every table is split on its UUID key into many chunks.
        env.set("SNAPSHOT_CHUNK_SIZE", "64");
        env.runSqlFile(env.crmDb, FIXTURES.resolve("crm_seed.sql"));
        env.runSqlFile(env.telemetryDb, FIXTURES.resolve("telemetry_seed.sql"));
    }

    @AfterEach
    void dropEnvironment() throws Exception {
        runner.cancelAll();
        env.close();
    }

    @Test
    void snapshotThenChangesReachEveryTargetExactlyOnce() throws Exception {
        JobDefinition definition = env.definition();
        CaptureCatalog catalog = Preflight.run(definition);
        Map<String, Long> snapshotRows = rowCounts();
        JobClient job = runner.start(definition, catalog, null);
        JobRunner.awaitRunning(job);
        Verifier verifier = new Verifier(definition, catalog, Duration.ofSeconds(60));
        awaitClean(verifier);

        ChangeScript crm = new ChangeScript(FIXTURES.resolve("crm_changes.sql"));
        ChangeScript telemetry = new ChangeScript(FIXTURES.resolve("telemetry_changes.sql"));
        try (Connection c = env.crm(); Connection t = env.telemetry()) {
            crm.runAll(c);
            telemetry.runAll(t);
        }
        List<TableReport> reports = awaitClean(verifier);
        JobRunner.cancel(job);

        Map<String, TableReport> byName = assertOneEventPerChange(reports, snapshotRows, crm, telemetry);
        // Not vacuous: the fixtures make hundreds of report rows and join rows.
        assertThat(byName.get(env.clickhouseDb + ".prosthesis_reports_mart").expected).isGreaterThan(500);
        assertThat(byName.get(env.clickhouseDb + ".crm_data_mart").expected).isGreaterThan(400);
    }

    /**
     * Failures in the middle of the stream: the TaskManager dies (the job fails over on its own to
     * its last checkpoint), later the job is cancelled and a new one restored from the last retained
     * checkpoint. Changes keep arriving throughout; afterwards everything equals PostgreSQL and the
     * audit log holds every change exactly once.
     */
    @Test
    void recoversFromTaskManagerLossAndRestoreFromCheckpoint(@InjectMiniCluster MiniCluster cluster) throws Exception {
        JobDefinition definition = env.definition();
        CaptureCatalog catalog = Preflight.run(definition);
        Map<String, Long> snapshotRows = rowCounts();
        JobClient job = runner.start(definition, catalog, null);
        JobRunner.awaitRunning(job);
        // Changes that race with the snapshot are folded into its reads (one event instead of
        // two); to count events exactly, the stream starts once the snapshot is complete.
        awaitClean(new Verifier(definition, catalog, Duration.ofSeconds(60)));

        ChangeScript crm = new ChangeScript(FIXTURES.resolve("crm_changes.sql"));
        ChangeScript telemetry = new ChangeScript(FIXTURES.resolve("telemetry_changes.sql"));
        try (Connection c = env.crm(); Connection t = env.telemetry()) {
            runSome(crm, c, 3);
            runSome(telemetry, t, 2);
            awaitCheckpoint(runner);
            cluster.terminateTaskManager(0).get();
            runSome(crm, c, 3);
            runSome(telemetry, t, 2);
            cluster.startTaskManager();
            JobRunner.awaitRunning(job);
            runSome(crm, c, 2);
            awaitCheckpoint(runner);
            runSome(telemetry, t, 2);
            JobRunner.cancel(job);

            Path last = runner.latestCheckpoint().orElseThrow();
            crm.runAll(c);
            JobClient restored = runner.start(definition, catalog, last);
            JobRunner.awaitRunning(restored);
            telemetry.runAll(t);
            List<TableReport> reports = awaitClean(new Verifier(definition, catalog, Duration.ofSeconds(60)));
            JobRunner.cancel(restored);

            assertOneEventPerChange(reports, snapshotRows, crm, telemetry);
        }
    }

    /**
     * ClickHouse refuses a checkpoint's batch for good: a target table is missing (renamed away)
     * while changes flow. The job fails with ClickHouse's message instead of dropping the batch,
     * restarts from the checkpoint that holds it, and once the table is back every target equals
     * PostgreSQL.
     */
    @Test
    void missingTargetTableFailsTheJobAndLosesNothing(@InjectMiniCluster MiniCluster cluster) throws Exception {
        JobDefinition definition = env.definition();
        CaptureCatalog catalog = Preflight.run(definition);
        JobClient job = runner.start(definition, catalog, null);
        JobRunner.awaitRunning(job);
        Verifier verifier = new Verifier(definition, catalog, Duration.ofSeconds(60));
        awaitClean(verifier);

        String target = env.clickhouseDb + ".telemetry_data_target";
        String parked = target + "_parked";
        ChangeScript crm = new ChangeScript(FIXTURES.resolve("crm_changes.sql"));
        ChangeScript telemetry = new ChangeScript(FIXTURES.resolve("telemetry_changes.sql"));
        env.clickhouse().execute("RENAME TABLE " + target + " TO " + parked);
        try (Connection c = env.crm(); Connection t = env.telemetry()) {
            runSome(crm, c, 2);
            runSome(telemetry, t, 3);
            String exceptions = "/jobs/" + job.getJobID() + "/exceptions";
            Poll.until(Duration.ofSeconds(120), "the job to fail on the missing table", () -> {
                String history = restText(cluster, exceptions);
                return history.contains("ClickHouse refused ClickHouseBatch{" + target + ",")
                        && history.contains("Code: 60"); // UNKNOWN_TABLE
            });
            env.clickhouse().execute("RENAME TABLE " + parked + " TO " + target);
            JobRunner.awaitRunning(job);
            crm.runAll(c);
            telemetry.runAll(t);
        }
        awaitClean(verifier);
        JobRunner.cancel(job);
    }

    private static String restText(MiniCluster cluster, String path) throws Exception {
        URI base = cluster.getRestAddress().get();
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    private static void runSome(ChangeScript script, Connection c, int statements) throws Exception {
        for (int i = 0; i < statements && script.hasNext(); i++) {
            script.runNext(c);
        }
    }

    /** Waits for a checkpoint that completes after this call. */
    static void awaitCheckpoint(JobRunner runner) throws Exception {
        Optional<Path> before = runner.latestCheckpoint();
        Poll.until(Duration.ofSeconds(60), "a new checkpoint", () -> {
            Optional<Path> now = runner.latestCheckpoint();
            return now.isPresent() && !now.equals(before);
        });
    }

    /** Every audit topic holds one event per snapshot row and per changed row, none twice. */
    private Map<String, TableReport> assertOneEventPerChange(List<TableReport> reports, Map<String, Long> snapshotRows,
            ChangeScript crm, ChangeScript telemetry) {
        Map<String, TableReport> byName = reports.stream().collect(Collectors.toMap(r -> r.name, Function.identity()));
        assertAuditEvents(byName, "crm", "users", snapshotRows.get("users") + crm.changedRows("users"));
        assertAuditEvents(byName, "crm", "prostheses", snapshotRows.get("prostheses") + crm.changedRows("prostheses"));
        assertAuditEvents(byName, "telemetry", "telemetry_data",
                snapshotRows.get("telemetry_data") + telemetry.changedRows("telemetry_data"));
        return byName;
    }

    private void assertAuditEvents(Map<String, TableReport> reports, String source, String table, long expected) {
        TableReport audit = reports.get("kafka " + env.topic(source, table));
        assertThat(audit.actual).as("audit events of %s", table).isEqualTo(expected);
        assertThat(audit.duplicated).isZero();
    }

    private Map<String, Long> rowCounts() throws Exception {
        try (Connection c = env.crm(); Connection t = env.telemetry()) {
            return Map.of("users", count(c, "users"), "prostheses", count(c, "prostheses"),
                    "telemetry_data", count(t, "telemetry_data"));
        }
    }

    private static long count(Connection c, String table) throws Exception {
        try (var st = c.createStatement(); var rs = st.executeQuery("SELECT count(*) FROM public." + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Polls the verifier until every target equals PostgreSQL; fails with its last report. */
    static List<TableReport> awaitClean(Verifier verifier) throws Exception {
        List<TableReport>[] last = new List[1];
        try {
            Poll.until(Duration.ofSeconds(120), "every target to equal PostgreSQL", () -> {
                last[0] = verifier.verifyAll();
                return last[0].stream().allMatch(TableReport::clean);
            });
        } catch (AssertionError e) {
            StringBuilder sb = new StringBuilder(e.getMessage());
            if (last[0] != null) {
                last[0].forEach(r -> sb.append('\n').append(r));
            }
            throw new AssertionError(sb.toString(), e);
        }
        return last[0];
    }
}
