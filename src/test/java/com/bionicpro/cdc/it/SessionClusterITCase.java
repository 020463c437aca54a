package com.bionicpro.cdc.it;

import com.bionicpro.cdc.catalog.CaptureCatalog;
import com.bionicpro.cdc.config.JobDefinition;
import com.bionicpro.cdc.testing.ChangeScript;
import com.bionicpro.cdc.testing.FlinkCli;
import com.bionicpro.cdc.testing.LocalStack;
import com.bionicpro.cdc.testing.Poll;
import com.bionicpro.cdc.testing.TestEnvironment;
import com.bionicpro.cdc.verify.Verifier;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shaded job jar on the local session cluster, submitted with bin/flink run as a user does:
 * it appears RUNNING on /jobs, completes checkpoints, moves data into ClickHouse, and keeps its
 * secrets out of what the dashboard shows.
 */
class SessionClusterITCase {
    private static final Path FIXTURES = LocalStack.repoRoot().resolve("src/test/resources/fixtures");

    private final FlinkCli flink = new FlinkCli();
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
}
