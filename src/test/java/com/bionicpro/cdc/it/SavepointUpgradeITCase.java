package com.bionicpro.cdc.it;

import com.bionicpro.cdc.config.JobDefinition;
import com.bionicpro.cdc.testing.FlinkCli;
import com.bionicpro.cdc.testing.LiveWrites;
import com.bionicpro.cdc.testing.LocalStack;
import com.bionicpro.cdc.testing.Poll;
import com.bionicpro.cdc.testing.TestEnvironment;
import com.bionicpro.cdc.verify.Verifier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The documented upgrade, done with the command-line client on the session cluster while changes
 * keep arriving: v1 runs with parallelism 1; `stop --savepointPath`; the reports mart gains a
 * column, and a new table is captured by a new source with its own slot; the job resumes from the
 * savepoint with parallelism 2, fills the new column and snapshots the new table; bin/verify finds
 * nothing lost and nothing duplicated.
 */
class SavepointUpgradeITCase {
    private static final Path FIXTURES = LocalStack.repoRoot().resolve("src/test/resources/fixtures");

    private final FlinkCli flink = new FlinkCli();

    @TempDir
    Path temp;

    private Path v2Definition;
    private TestEnvironment env;
    private String jobId;

    @BeforeEach
    void createEnvironment() throws Exception {
        env = TestEnvironment.create("upgrade");
        v2Definition = temp.resolve("bionicpro-v2.yaml");
        env.runSqlFile(env.crmDb, FIXTURES.resolve("crm_seed.sql"));
        env.runSqlFile(env.telemetryDb, FIXTURES.resolve("telemetry_seed.sql"));
    }

    @AfterEach
    void cleanUp() throws Exception {
        flink.cancelUnlessEnded(env.env(), jobId);
        env.close();
    }

    @Test
    void stopWithSavepointThenResumeAChangedJob() throws Exception {
        Map<String, String> v1 = new HashMap<>(env.env());
        v1.put("JOB_PARALLELISM", "1");
        jobId = FlinkCli.jobId(flink.run(v1, "run", "-d", "target/bionicpro-cdc.jar", "--definition", "jobs/bionicpro.yaml"));
        Poll.until(Duration.ofSeconds(90), "v1 to run", () -> flink.fullyRunning(jobId));
        assertThat(flink.rest("/jobs/" + jobId + "/vertices/" + firstVertex(jobId)).get("parallelism").asInt()).isEqualTo(1);

        try (LiveWrites writes = new LiveWrites(env)) {
            Poll.until(Duration.ofSeconds(60), "changes to flow", () -> writes.statements() > 100);
            String stopped = flink.run(env.env(), "stop", "--savepointPath",
                    LocalStack.get().stackDir() + "/flink/savepoints", jobId);
            String savepoint = FlinkCli.savepointPath(stopped);
            Poll.until(Duration.ofSeconds(60), "v1 to finish", () -> flink.state(jobId).equals("FINISHED"));

            // The new version's schema changes, then v2 with another parallelism resumes.
            env.clickhouse().execute("ALTER TABLE " + env.clickhouseDb
                    + ".prosthesis_reports_mart ADD COLUMN battery_readings Nullable(UInt32) AFTER data_period_end");
            addCalibrationsTable();
            Map<String, String> v2 = new HashMap<>(env.env());
            v2.put("JOB_PARALLELISM", "2");

            // The wrong way first: the table added to the running telemetry source is refused, once,
            // without restarts, and nothing is lost (the savepoint stays usable).
            env.runSqlFile(env.telemetryDb, FIXTURES.resolve("calibrations_in_telemetry_publication.sql"),
                    Map.of("publication", env.env().get("TELEMETRY_PUBLICATION")));
            String refused = FlinkCli.jobId(flink.run(v2, "run", "-d", "-s", savepoint, "target/bionicpro-cdc.jar",
                    "--definition", addedToTelemetrySource().toString()));
            jobId = refused;
            Poll.until(Duration.ofSeconds(90), "the job with a table added to its source to fail",
                    () -> flink.state(refused).equals("FAILED"));
            assertThat(flink.restText("/jobs/" + refused + "/exceptions"))
                    .contains("source 'telemetry' resumes from a checkpoint or savepoint taken while it captured [public.telemetry_data]")
                    .contains("adds [public.calibrations]");

            jobId = FlinkCli.jobId(flink.run(v2, "run", "-d", "-s", savepoint, "target/bionicpro-cdc.jar",
                    "--definition", v2Definition.toString()));
            Poll.until(Duration.ofSeconds(90), "v2 to run", () -> flink.fullyRunning(jobId));
            assertThat(flink.rest("/jobs/" + jobId + "/vertices/" + firstVertex(jobId)).get("parallelism").asInt()).isEqualTo(2);
            long before = writes.statements();
            env.runSqlFile(env.telemetryDb, FIXTURES.resolve("calibrations_changes.sql"));
            Poll.until(Duration.ofSeconds(60), "changes to flow into v2", () -> writes.statements() > before + 200);
        }

        // The operator's own check: nothing lost, nothing duplicated, the new column filled.
        Process verify = verify(env.env(), v2Definition);
        String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(output).contains("verification passed").contains(env.clickhouseDb + ".calibrations_target");
        assertThat(verify.exitValue()).isZero();
        List<String[]> filled = env.clickhouse().rows("SELECT count() FROM " + env.clickhouseDb
                + ".prosthesis_reports_mart FINAL WHERE battery_readings IS NOT NULL AND _deleted = 0");
        assertThat(Long.parseLong(filled.get(0)[0])).as("rows the upgraded job wrote with the new column").isPositive();
    }

    /**
     * A table v2 captures that v1 did not, with rows before the upgrade: in a source of its own
     * (fixtures/calibrations-source.yaml), with its publication and ClickHouse replica.
     */
    private void addCalibrationsTable() throws Exception {
        env.runSqlFile(env.telemetryDb, FIXTURES.resolve("calibrations.sql"), Map.of(
                "cdc_user", LocalStack.get().pgCdcUser(),
                "publication", env.env().get("TELEMETRY_PUBLICATION") + "_calibrations"));
        env.runClickHouseFile(FIXTURES.resolve("calibrations_target.sql"));
        String shipped = Files.readString(LocalStack.repoRoot().resolve("jobs/bionicpro.yaml"), StandardCharsets.UTF_8);
        String source = Files.readString(FIXTURES.resolve("calibrations-source.yaml"), StandardCharsets.UTF_8);
        String v2 = shipped.replace("\nkafka:", "\n" + source + "\nkafka:");
        assertThat(v2).isNotEqualTo(shipped);
        Files.writeString(v2Definition, v2, StandardCharsets.UTF_8);
    }

    /** The refused variant of v2: public.calibrations in the telemetry source's tables. */
    private Path addedToTelemetrySource() throws Exception {
        String shipped = Files.readString(LocalStack.repoRoot().resolve("jobs/bionicpro.yaml"), StandardCharsets.UTF_8);
        String table = "      public.telemetry_data: {replica: telemetry_data_target}\n";
        String wrong = shipped.replace(table, table + "      public.calibrations: {replica: calibrations_target}\n");
        assertThat(wrong).isNotEqualTo(shipped);
        Path file = temp.resolve("bionicpro-v2-refused.yaml");
        Files.writeString(file, wrong, StandardCharsets.UTF_8);
        return file;
    }

    private static Process verify(Map<String, String> jobEnv, Path definition) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(LocalStack.repoRoot().resolve("bin/verify").toString(), "--wait", "120",
                "--definition", definition.toString())
                .directory(LocalStack.repoRoot().toFile()).redirectErrorStream(true);
        pb.environment().putAll(jobEnv);
        pb.environment().put("STACK_DIR", LocalStack.get().stackDir());
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("bin/verify did not finish");
        }
        return p;
    }

    private String firstVertex(String job) throws Exception {
        return flink.rest("/jobs/" + job).get("vertices").get(0).get("id").asText();
    }
}
