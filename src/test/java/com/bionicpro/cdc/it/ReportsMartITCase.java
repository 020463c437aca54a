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

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.groups.OperatorMetricGroup;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The daily reports under a generated workload (220 prostheses, 50,000 telemetry rows over 14
 * days, then every kind of change), compared with the report definition evaluated by SQL on
 * PostgreSQL (the verifier's independent query), row for row, and each daily window fired once by
 * the snapshot. Also after the job is killed mid-stream and restored from its checkpoint.
 */
class ReportsMartITCase {
    /** The job's metrics as its operators count them, without the dashboard's fetch delay. */
    private static final InMemoryReporter METRICS = InMemoryReporter.create();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4)
                    .setConfiguration(METRICS.addToConfiguration(new Configuration())).build());

    private static final Path FIXTURES = LocalStack.repoRoot().resolve("src/test/resources/fixtures");

    @TempDir
    Path checkpoints;

    private TestEnvironment env;
    private JobRunner runner;
    private JobDefinition definition;
    private CaptureCatalog catalog;
    private Verifier verifier;

    @BeforeEach
    void createEnvironment() throws Exception {
        runner = new JobRunner(checkpoints);
        env = TestEnvironment.create("reports");
        env.set("SNAPSHOT_CHUNK_SIZE", "4096");
        env.runSqlFile(env.crmDb, FIXTURES.resolve("reports_seed_crm.sql"));
        env.runSqlFile(env.telemetryDb, FIXTURES.resolve("reports_seed_telemetry.sql"));
        definition = env.definition();
        catalog = Preflight.run(definition);
        verifier = new Verifier(definition, catalog, Duration.ofSeconds(90));
    }

    @AfterEach
    void dropEnvironment() throws Exception {
        runner.cancelAll();
        env.close();
    }

    @Test
    void reportsEqualTheDefinitionAfterEveryKindOfChange() throws Exception {
        JobClient job = runner.start(definition, catalog, null);
        JobRunner.awaitRunning(job);
        TableReport snapshot = awaitReports();
        assertThat(snapshot.expected).as("report rows of the snapshot").isGreaterThan(1000);
        // A window that only snapshot reads changed waits for the end of the snapshot and fires
        // once, not at every checkpoint a chunk reached it (the fixture's rows are spread over
        // random UUIDs, so every chunk reaches nearly every window). This snapshot takes seconds,
        // far below the 60 s after which a waiting window fires anyway.
        long windows = Long.parseLong(single(
                "SELECT count(DISTINCT (prosthesis_id, \"timestamp\"::date)) FROM public.telemetry_data", false));
        assertThat(windowFirings(job)).as("daily windows fired by the snapshot: one per (prosthesis, day)")
                .isEqualTo(windows);

        ChangeScript crm = new ChangeScript(FIXTURES.resolve("reports_changes_crm.sql"));
        ChangeScript telemetry = new ChangeScript(FIXTURES.resolve("reports_changes_telemetry.sql"));
        try (Connection c = env.crm(); Connection t = env.telemetry()) {
            while (crm.hasNext() || telemetry.hasNext()) {
                if (telemetry.hasNext()) {
                    telemetry.runNext(t);
                }
                if (crm.hasNext()) {
                    crm.runNext(c);
                }
            }
        }
        awaitReports();
        CdcJobITCase.awaitClean(verifier);
        JobRunner.cancel(job);
    }

    @Test
    void reportsEqualTheDefinitionAfterAKillAndRestore(@InjectMiniCluster MiniCluster cluster) throws Exception {
        JobClient job = runner.start(definition, catalog, null);
        JobRunner.awaitRunning(job);
        ChangeScript crm = new ChangeScript(FIXTURES.resolve("reports_changes_crm.sql"));
        ChangeScript telemetry = new ChangeScript(FIXTURES.resolve("reports_changes_telemetry.sql"));
        try (Connection c = env.crm(); Connection t = env.telemetry()) {
            // Changes race with the snapshot, the TaskManager dies in the middle of the stream.
            telemetry.runNext(t);
            crm.runNext(c);
            Poll.until(Duration.ofSeconds(120), "a checkpoint after the snapshot began", () -> runner.latestCheckpoint().isPresent());
            cluster.terminateTaskManager(0).get();
            telemetry.runNext(t);
            telemetry.runNext(t);
            crm.runNext(c);
            cluster.startTaskManager();
            JobRunner.awaitRunning(job);
            telemetry.runNext(t);
            crm.runNext(c);
            CdcJobITCase.awaitCheckpoint(runner);
            JobRunner.cancel(job);

            while (crm.hasNext() || telemetry.hasNext()) {
                if (crm.hasNext()) {
                    crm.runNext(c);
                }
                if (telemetry.hasNext()) {
                    telemetry.runNext(t);
                }
            }
            JobClient restored = runner.start(definition, catalog, runner.latestCheckpoint().orElseThrow());
            JobRunner.awaitRunning(restored);
            awaitReports();
            CdcJobITCase.awaitClean(verifier);
            JobRunner.cancel(restored);
        }
    }

    /** Today's rows follow new telemetry while the day is still running, not at its end. */
    @Test
    void todaysReportFollowsNewTelemetryDuringTheDay() throws Exception {
        JobClient job = runner.start(definition, catalog, null);
        JobRunner.awaitRunning(job);
        awaitReports();
        String user = single("SELECT md5('ru2')::uuid::text", true);
        String prosthesis = single("SELECT md5('rp1')::uuid::text", true);
        long before = todaysUsage(user, prosthesis);
        try (Connection t = env.telemetry(); var st = t.createStatement()) {
            st.executeUpdate("INSERT INTO public.telemetry_data (prosthesis_id, \"timestamp\", battery_level) VALUES ('"
                    + prosthesis + "', now() AT TIME ZONE 'UTC', 42)");
        }
        Poll.until(Duration.ofSeconds(30), "today's report to count the new row",
                () -> todaysUsage(user, prosthesis) == before + 1);
        JobRunner.cancel(job);
    }

    /** How often the daily windows fired so far, over all their subtasks. */
    private static long windowFirings(JobClient job) {
        List<OperatorMetricGroup> windows = METRICS.findOperatorMetricGroups(job.getJobID(), "Daily usage windows");
        assertThat(windows).as("metric groups of the daily windows").isNotEmpty();
        return windows.stream().mapToLong(g -> g.getIOMetricGroup().getNumRecordsOutCounter().getCount()).sum();
    }

    private long todaysUsage(String user, String prosthesis) throws Exception {
        List<String[]> rows = env.clickhouse().rows("SELECT usage_count FROM " + env.clickhouseDb
                + ".combined_data_view WHERE user_id = '" + user + "' AND prosthesis_id = '" + prosthesis
                + "' AND report_date = toDate(now())");
        return rows.isEmpty() ? 0 : Long.parseLong(rows.get(0)[0]);
    }

    private String single(String sql, boolean crm) throws Exception {
        try (Connection c = crm ? env.crm() : env.telemetry(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private TableReport awaitReports() throws Exception {
        TableReport[] last = new TableReport[1];
        try {
            Poll.until(Duration.ofSeconds(180), "prosthesis_reports_mart to equal the report definition", () -> {
                last[0] = verifier.verifyReportsMart();
                return last[0].clean();
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + last[0], e);
        }
        return last[0];
    }
}
