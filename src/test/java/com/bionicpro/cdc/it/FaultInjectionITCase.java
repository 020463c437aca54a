package com.bionicpro.cdc.it;

import com.bionicpro.cdc.config.JobDefinition;
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

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job on the session cluster under a steady stream of changes while its world breaks, one
 * fault after the other: the TaskManager is killed (-9) during the snapshot and during the stream,
 * the JobManager restarts, the Kafka broker restarts, ClickHouse is down for 60 s, PostgreSQL
 * restarts. The job recovers on its own each time (restart strategy, ZooKeeper HA); while
 * ClickHouse is down it waits without restarting and within bounded memory. Afterwards the
 * verifier finds every replica and mart equal to PostgreSQL and no audit event lost or twice.
 */
class FaultInjectionITCase {
    private static final Path FIXTURES = LocalStack.repoRoot().resolve("src/test/resources/fixtures");
    private static final long SEEDED_TELEMETRY = 200_000;

    private final FlinkCli flink = new FlinkCli();
    private final StackControl stack = new StackControl();
    private TestEnvironment env;
    private String jobId;

    @BeforeEach
    void createEnvironment() throws Exception {
        env = TestEnvironment.create("faults");
        env.set("SNAPSHOT_CHUNK_SIZE", "2000");
        env.runSqlFile(env.crmDb, FIXTURES.resolve("crm_seed.sql"));
        env.runSqlFile(env.telemetryDb, FIXTURES.resolve("faults_seed_telemetry.sql"));
    }

    @AfterEach
    void cleanUp() throws Exception {
        stack.run("up"); // whatever a failed step left broken
        flink.cancelUnlessEnded(env.env(), jobId);
        env.close();
    }

    @Test
    void recoversFromEveryFaultWithoutLossOrDuplicates() throws Exception {
        jobId = FlinkCli.jobId(flink.run(env.env(), "run", "-d", "target/bionicpro-cdc.jar", "--definition", "jobs/bionicpro.yaml"));
        Poll.until(Duration.ofSeconds(90), "the job to run", () -> flink.fullyRunning(jobId));

        try (LiveWrites writes = new LiveWrites(env)) {
            // 1. TaskManager killed in the middle of the snapshot.
            Poll.until(Duration.ofSeconds(120), "the snapshot to be under way", () -> telemetryInClickHouse() > 0);
            long copied = telemetryInClickHouse();
            assertThat(copied).as("killed during the snapshot").isLessThan(SEEDED_TELEMETRY);
            lastCheckpoint = latestCheckpointId();
            stack.run("kill", "taskmanager");
            stack.run("up");
            awaitRecovered("TaskManager killed during the snapshot");

            // 2. TaskManager killed while streaming.
            Poll.until(Duration.ofSeconds(240), "the snapshot to finish", () -> telemetryInClickHouse() >= SEEDED_TELEMETRY);
            stack.run("kill", "taskmanager");
            stack.run("up");
            awaitRecovered("TaskManager killed while streaming");

            // 3. JobManager restart: ZooKeeper HA gives the job back to the new JobManager.
            stack.run("restart", "jobmanager");
            awaitRecovered("JobManager restarted");

            // 4. Kafka broker restart.
            stack.run("restart", "kafka");
            awaitRecovered("Kafka restarted");

            // 5. ClickHouse down for 60 s: the job waits, it does not restart, memory stays bounded.
            // Bounded means what the TaskManager retains (heap after a full collection), not its
            // resident size: with a 1.2 GB heap, G1 grows into it between collections.
            long restarts = restarts();
            long heapBefore = stack.heapRetainedMb("taskmanager");
            long maxRss = stack.rssMb("taskmanager");
            stack.run("stop", "clickhouse");
            long downUntil = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < downUntil) {
                assertThat(flink.state(jobId)).isEqualTo("RUNNING");
                maxRss = Math.max(maxRss, stack.rssMb("taskmanager"));
                Thread.sleep(2000); // the outage lasts 60 s; this samples it
            }
            long heapDown = stack.heapRetainedMb("taskmanager");
            System.out.printf("TaskManager heap retained: %d MB before, %d MB after 60 s without ClickHouse; resident at most %d MB%n", heapBefore, heapDown, maxRss);
            stack.run("up");
            awaitRecovered("ClickHouse back after 60 s");
            assertThat(restarts()).as("no restart while ClickHouse was down").isEqualTo(restarts);
            assertThat(heapDown).as("TaskManager heap retained after 60 s without ClickHouse (MB; %d before)", heapBefore)
                    .isLessThan(heapBefore + 200);
            assertThat(maxRss).as("TaskManager resident memory while ClickHouse was down (MB)")
                    .isLessThan(taskManagerProcessMb());

            // 6. PostgreSQL restart.
            stack.run("restart", "postgres");
            awaitRecovered("PostgreSQL restarted");
            long before = writes.statements();
            Poll.until(Duration.ofSeconds(60), "writes to go on", () -> writes.statements() > before + 100);
        }

        JobDefinition definition = env.definition();
        CdcJobITCase.awaitClean(new Verifier(definition, Verifier.readCatalog(definition), Duration.ofSeconds(90)));
    }

    private long telemetryInClickHouse() throws Exception {
        List<String[]> rows = env.clickhouse().rows("SELECT count() FROM " + env.clickhouseDb + ".telemetry_data_target");
        return Long.parseLong(rows.get(0)[0]);
    }

    private long restarts() throws Exception {
        for (JsonNode m : flink.rest("/jobs/" + jobId + "/metrics?get=numRestarts")) {
            return m.get("value").asLong();
        }
        return 0;
    }

    private long lastCheckpoint = -1;

    /** The job runs all its tasks again and completes a checkpoint newer than any before the fault. */
    private void awaitRecovered(String fault) throws Exception {
        long before = lastCheckpoint;
        Poll.until(Duration.ofSeconds(180), "the job to recover: " + fault,
                () -> flink.fullyRunning(jobId) && latestCheckpointId() > before);
        lastCheckpoint = latestCheckpointId();
    }

    /** Id of the newest completed checkpoint; ids keep growing across JobManagers (ZooKeeper's counter). */
    private long latestCheckpointId() {
        try {
            JsonNode latest = flink.rest("/jobs/" + jobId + "/checkpoints").path("latest").path("completed");
            return latest.isMissingNode() || latest.isNull() ? -1 : latest.get("id").asLong();
        } catch (Exception e) {
            return -1; // the JobManager is not answering (yet)
        }
    }

    /** The TaskManager's configured process size (Flink's memory model keeps it under this), in MB. */
    private long taskManagerProcessMb() throws Exception {
        String id = flink.rest("/taskmanagers").get("taskmanagers").get(0).get("id").asText();
        return flink.rest("/taskmanagers/" + id).get("memoryConfiguration").get("totalProcessMemory").asLong() >> 20;
    }
}
