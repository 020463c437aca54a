package com.bionicpro.cdc.it;

import com.bionicpro.cdc.catalog.CaptureCatalog;
import com.bionicpro.cdc.config.JobDefinition;
import com.bionicpro.cdc.source.JdbcClassLoaderRelease;
import com.bionicpro.cdc.testing.ChangeScript;
import com.bionicpro.cdc.testing.FlinkCli;
import com.bionicpro.cdc.testing.LiveWrites;
import com.bionicpro.cdc.testing.LocalStack;
import com.bionicpro.cdc.testing.Poll;
import com.bionicpro.cdc.testing.StackControl;
import com.bionicpro.cdc.testing.TestEnvironment;
import com.bionicpro.cdc.verify.Verifier;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shaded job jar on the local session cluster, submitted with bin/flink run as a user does:
 * it appears RUNNING on /jobs, completes checkpoints, moves data into ClickHouse, and keeps its
 * secrets out of what the dashboard shows; stops with a savepoint at parallelism 2 under load, and
 * the cluster unloads the classes of the jobs that ended; comes back from a global failover, which
 * replaces its split enumerators on the JobManager.
 */
class SessionClusterITCase {
    private static final Path FIXTURES = LocalStack.repoRoot().resolve("src/test/resources/fixtures");

    private final FlinkCli flink = new FlinkCli();
    private final StackControl stack = new StackControl();
    private TestEnvironment env;
    private String jobId;

    @BeforeEach
    void createEnvironment() throws Exception {
        env = TestEnvironment.create("session");
        env.runSqlFile(env.crmDb, FIXTURES.resolve("crm_seed.sql"));
        env.runSqlFile(env.telemetryDb, FIXTURES.resolve("telemetry_seed.sql"));
    }

    @AfterEach
    void cleanUp() throws Exception {
        flink.cancelUnlessEnded(env.env(), jobId);
        env.close();
    }

    private String metricNames() throws Exception {
        StringBuilder names = new StringBuilder();
        for (JsonNode vertex : flink.rest("/jobs/" + jobId).get("vertices")) {
            for (JsonNode m : flink.rest("/jobs/" + jobId + "/vertices/" + vertex.get("id").asText() + "/metrics")) {
                names.append(m.get("id").asText()).append('\n');
            }
        }
        return names.toString();
    }

    @Test
    void submittedWithBinFlinkRunsOnTheSessionCluster() throws Exception {
        String output = flink.run(env.env(), "run", "-d", "target/bionicpro-cdc.jar", "--definition", "jobs/bionicpro.yaml");
        jobId = FlinkCli.jobId(output);

        Poll.until(Duration.ofSeconds(90), "the job and all its tasks to run", () -> flink.fullyRunning(jobId));
        JsonNode jobs = flink.rest("/jobs/overview");
        assertThat(jobs.get("jobs").findValuesAsText("jid")).contains(jobId);
        assertThat(flink.rest("/jobs/" + jobId).get("name").asText()).isEqualTo("it-" + env.suffix);

        JobDefinition definition = env.definition();
        CaptureCatalog catalog = Verifier.readCatalog(definition);
        Verifier verifier = new Verifier(definition, catalog, Duration.ofSeconds(60));
        CdcJobITCase.awaitClean(verifier);
        try (Connection c = env.crm()) {
            new ChangeScript(FIXTURES.resolve("crm_changes.sql")).runAll(c);
        }
        CdcJobITCase.awaitClean(verifier);

        Poll.until(Duration.ofSeconds(30), "completed checkpoints",
                () -> flink.rest("/jobs/" + jobId + "/checkpoints").get("counts").get("completed").asInt() > 0);
        // The job's own metrics, as the dashboard lists them per task (fetched every 10 s).
        Poll.until(Duration.ofSeconds(60), "the job's metrics in the dashboard", () -> {
            String metrics = metricNames();
            return List.of("cdc.changeLagMs", "cdc.changeLagMsHistogram_p99",
                    "cdc.table.crm_public_users.snapshotReads", "cdc.table.crm_public_users.inserts",
                    "cdc.table.crm_public_prostheses.deletes", "clickhouse.rows", "clickhouse.bytes", "clickhouse.batches",
                    "clickhouse.insertLatencyMs_p99", "clickhouse.insertFailures", "clickhouse.insertRetries",
                    "clickhouse.rowsBuffered", "lateRowsDropped", "numRecordsOut").stream().allMatch(metrics::contains);
        });
        // What the dashboard shows of the job: arguments and configuration, never a secret.
        String shown = flink.restText("/jobs/" + jobId + "/config") + flink.restText("/jobs/" + jobId)
                + flink.restText("/jobs/" + jobId + "/jobmanager/config");
        assertThat(shown).doesNotContain(env.env().get("CDC_PG_PASSWORD")).doesNotContain(env.env().get("CLICKHOUSE_PASSWORD"));
    }

    @Test
    void stopsWithASavepointAtParallelismTwoAndUnloadsEndedJobs() throws Exception {
        // Loaders of jobs that ended before this test (the other test's) may still be on their way out.
        long taskManagerBefore = Math.max(1, stack.jobClassLoaders("taskmanager"));
        long jobManagerBefore = Math.max(1, stack.jobClassLoaders("jobmanager"));
        jobId = FlinkCli.jobId(flink.run(env.env(), "run", "-d", "target/bionicpro-cdc.jar", "--definition", "jobs/bionicpro.yaml"));
        Poll.until(Duration.ofSeconds(90), "the job and all its tasks to run", () -> flink.fullyRunning(jobId));
        JobDefinition definition = env.definition();
        assertThat(definition.parallelism).isEqualTo(2);
        Verifier verifier = new Verifier(definition, Verifier.readCatalog(definition), Duration.ofSeconds(60));
        CdcJobITCase.awaitClean(verifier);

        try (LiveWrites writes = new LiveWrites(env)) {
            Poll.until(Duration.ofSeconds(60), "changes to flow", () -> writes.statements() > 100);
            // Union operator state once made Flink decline this savepoint and fail the job over
            // (PartialFinishingNotSupportedByStateException) at parallelism 2.
            String savepoint = FlinkCli.savepointPath(flink.run(env.env(), "stop", "--savepointPath",
                    LocalStack.get().stackDir() + "/flink/savepoints", jobId));
            String stopped = jobId;
            Poll.until(Duration.ofSeconds(60), "the job to finish", () -> flink.state(stopped).equals("FINISHED"));
            assertThat(flink.rest("/jobs/" + stopped + "/exceptions").get("exceptionHistory").get("entries")).isEmpty();

            jobId = FlinkCli.jobId(flink.run(env.env(), "run", "-d", "-s", savepoint, "target/bionicpro-cdc.jar",
                    "--definition", "jobs/bionicpro.yaml"));
            Poll.until(Duration.ofSeconds(90), "the resumed job to run", () -> flink.fullyRunning(jobId));
            long before = writes.statements();
            Poll.until(Duration.ofSeconds(60), "changes to flow into the resumed job", () -> writes.statements() > before + 100);
        }
        CdcJobITCase.awaitClean(verifier);
        flink.cancelUnlessEnded(env.env(), jobId);

        // Every job's classes are loaded anew in a class loader of its own; one that stays
        // reachable after its job ended keeps ~15 MB of Metaspace, and the cluster's processes died
        // of OutOfMemoryError: Metaspace after some 25 submissions. The JVMs let go of the latest
        // ended job's loader a little later than of the others, hence one may stay. A leak shows
        // as one more per job: this test's two jobs would leave at least two.
        long[] loaders = new long[2];
        try {
            Poll.until(Duration.ofSeconds(180), "the session cluster to unload the classes of ended jobs", () -> {
                loaders[0] = stack.jobClassLoaders("taskmanager");
                loaders[1] = stack.jobClassLoaders("jobmanager");
                return loaders[0] <= taskManagerBefore && loaders[1] <= jobManagerBefore;
            });
        } catch (AssertionError e) {
            throw new AssertionError("job class loaders still loaded: taskmanager " + loaders[0] + " (before: "
                    + taskManagerBefore + "), jobmanager " + loaders[1] + " (before: " + jobManagerBefore + ")", e);
        }
    }

    /**
     * A global failover: the checkpoint storage refuses a checkpoint (a regular file stands where
     * its directory goes, as a full or read-only volume would refuse it) and, with no failed
     * checkpoint tolerated, the whole job restarts from its last checkpoint. That replaces the
     * split enumerators on the JobManager, and the last one to close deregisters the job's
     * PostgreSQL driver (so that an ended job's classes can be unloaded); the new ones open JDBC
     * connections at once (Flink CDC checks the replication slot), so the driver must be
     * registered again. Only here: in a MiniCluster the job's classes are the tests' and the
     * release does nothing.
     */
    @Test
    void comesBackFromAGlobalFailoverWithItsJdbcDriver() throws Exception {
        jobId = FlinkCli.jobId(flink.run(env.env(), "run", "-d", "-Dexecution.checkpointing.tolerable-failed-checkpoints=0",
                "target/bionicpro-cdc.jar", "--definition", "jobs/bionicpro.yaml"));
        Poll.until(Duration.ofSeconds(90), "the job and all its tasks to run", () -> flink.fullyRunning(jobId));
        JobDefinition definition = env.definition();
        Verifier verifier = new Verifier(definition, Verifier.readCatalog(definition), Duration.ofSeconds(60));
        CdcJobITCase.awaitClean(verifier);

        Path checkpoints = Paths.get(LocalStack.get().stackDir(), "flink", "checkpoints", jobId);
        List<Path> refused = refuseNextCheckpoints(checkpoints, 5);
        try {
            Poll.until(Duration.ofSeconds(60), "a global failover on the refused checkpoint", () -> flink
                    .restText("/jobs/" + jobId + "/exceptions").contains("Exceeded checkpoint tolerable failure threshold"));
        } finally {
            for (Path p : refused) {
                Files.deleteIfExists(p);
            }
        }
        Poll.until(Duration.ofSeconds(120), "the job to run again", () -> flink.fullyRunning(jobId));
        try (Connection c = env.crm()) {
            new ChangeScript(FIXTURES.resolve("crm_changes.sql")).runAll(c);
        }
        CdcJobITCase.awaitClean(verifier);
        long completed = completedCheckpoints();
        Poll.until(Duration.ofSeconds(30), "checkpoints to complete again", () -> completedCheckpoints() > completed);

        // The path under test ran: after the failover the JobManager registered the driver again.
        String log = Files.readString(Paths.get(LocalStack.get().stackDir(), "logs", "flink-jobmanager.log"));
        int failover = log.indexOf("(" + jobId + ") switched from state RUNNING to RESTARTING");
        assertThat(failover).as("the job's failover in the JobManager's log").isNotNegative();
        assertThat(log.indexOf(JdbcClassLoaderRelease.REGISTERED_AGAIN, failover))
                .as("the driver registered again after the failover").isGreaterThan(failover);
    }

    private long completedCheckpoints() throws Exception {
        return flink.rest("/jobs/" + jobId + "/checkpoints").get("counts").get("completed").asLong();
    }

    /**
     * Regular files where the directories of the job's next checkpoints go; creating the directory
     * then fails with an IOException, a failure that counts against the tolerated ones.
     */
    private static List<Path> refuseNextCheckpoints(Path checkpoints, int count) throws Exception {
        long latest;
        try (Stream<Path> dirs = Files.list(checkpoints)) {
            latest = dirs.map(p -> p.getFileName().toString()).filter(n -> n.matches("chk-\\d+"))
                    .mapToLong(n -> Long.parseLong(n.substring(4))).max().orElse(0);
        }
        List<Path> refused = new ArrayList<>();
        for (long id = latest + 1; id <= latest + count; id++) {
            try {
                refused.add(Files.createFile(checkpoints.resolve("chk-" + id)));
            } catch (FileAlreadyExistsException e) {
                // The coordinator got there first; a later one is refused.
            }
        }
        return refused;
    }
}
