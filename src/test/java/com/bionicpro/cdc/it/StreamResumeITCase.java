package com.bionicpro.cdc.it;

import com.bionicpro.cdc.catalog.CaptureCatalog;
import com.bionicpro.cdc.config.JobDefinition;
import com.bionicpro.cdc.config.JobDefinition.SourceDefinition;
import com.bionicpro.cdc.config.Preflight;
import com.bionicpro.cdc.testing.JobRunner;
import com.bionicpro.cdc.testing.LocalStack;
import com.bionicpro.cdc.testing.Poll;
import com.bionicpro.cdc.testing.ReplicationSlots;
import com.bionicpro.cdc.testing.TestEnvironment;
import com.bionicpro.cdc.verify.Verifier;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stream resumes without loss from a position at a commit (FLINK-39265): the job stops at a
 * quiet point (its stored position is the end of the last commit, Y), a transaction is written
 * whose first WAL record starts exactly at Y, and the resumed job must emit it. Debezium 1.9.8
 * alone takes that record for the one it had processed and drops it; this is how
 * FaultInjectionITCase lost a telemetry row after a TaskManager kill.
 *
 * <p>Whether the next record starts exactly at Y is PostgreSQL's doing (nothing else may write WAL
 * in between); the test reads it from the slot and repeats the round until it held at least once.
 */
class StreamResumeITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final Path FIXTURES = LocalStack.repoRoot().resolve("src/test/resources/fixtures");
    private static final int ROUNDS = 5;

    @TempDir
    Path checkpoints;
    @TempDir
    Path savepoints;

    private TestEnvironment env;
    private JobRunner runner;

    @BeforeEach
    void createEnvironment() throws Exception {
        runner = new JobRunner(checkpoints);
        env = TestEnvironment.create("resume");
        // No heartbeat writes (they would be the next transaction after Y), but frequent heartbeat
        // records, which move the stored position to the end of the last commit while idle.
        env.set("HEARTBEAT_TABLE", "none");
        env.set("HEARTBEAT_INTERVAL", "200ms");
        env.runSqlFile(env.crmDb, FIXTURES.resolve("crm_seed.sql"));
        env.runSqlFile(env.telemetryDb, FIXTURES.resolve("telemetry_seed.sql"));
    }

    @AfterEach
    void dropEnvironment() throws Exception {
        runner.cancelAll();
        env.close();
    }

    @Test
    void aTransactionStartingAtTheStoredCommitPositionIsNotLost() throws Exception {
        JobDefinition definition = env.definition();
        CaptureCatalog catalog = Preflight.run(definition);
        SourceDefinition telemetry = definition.sources.get("telemetry");
        Verifier verifier = new Verifier(definition, catalog, Duration.ofSeconds(60));
        String insertRow = Files.readString(FIXTURES.resolve("resume_telemetry_row.sql"), StandardCharsets.UTF_8);

        JobClient job = runner.start(definition, catalog, null);
        JobRunner.awaitRunning(job);
        CdcJobITCase.awaitClean(verifier);

        int startedAtStoredCommit = 0;
        try (Connection t = env.telemetry()) {
            for (int round = 0; round < ROUNDS && startedAtStoredCommit == 0; round++) {
                // Row A, then quiet until the slot confirms a position past A's change: the job's
                // checkpoints hold the end of A's commit as their position.
                long beforeA = insertLsn(t);
                insertRow(t, insertRow);
                Poll.until(Duration.ofSeconds(60), "the slot to confirm row A",
                        () -> ReplicationSlots.confirmed(t, telemetry.slot) > beforeA);
                Path savepoint = JobRunner.stopWithSavepoint(job, savepoints);
                Poll.until(Duration.ofSeconds(30), "the slot to be released", () -> !ReplicationSlots.active(t, telemetry.slot));

                // Row B while the job is stopped; did its transaction start exactly at the stored position?
                long xidB = insertRow(t, insertRow);
                if (firstRecordOf(t, telemetry, xidB) == ReplicationSlots.confirmed(t, telemetry.slot)) {
                    startedAtStoredCommit++;
                }

                job = runner.start(definition, catalog, savepoint);
                JobRunner.awaitRunning(job);
                // Row B in every replica, mart and the audit log, exactly once.
                CdcJobITCase.awaitClean(verifier);
            }
        }
        assertThat(startedAtStoredCommit)
                .as("rounds in which row B's transaction started at the stored commit position (of %d)", ROUNDS)
                .isPositive();
    }

    /** Inserts one telemetry row in a transaction of its own; returns the transaction's xid. */
    private static long insertRow(Connection c, String sql) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long insertLsn(Connection c) throws Exception {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT (pg_current_wal_insert_lsn() - '0/0')::bigint")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Where the slot's stream starts the transaction: the LSN of its BEGIN (its first record), as
     * pgoutput reports it, read without consuming the slot; -1 when another transaction comes first.
     */
    private static long firstRecordOf(Connection c, SourceDefinition source, long xid) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT (lsn - '0/0')::bigint, xid::text FROM pg_logical_slot_peek_binary_changes(?, NULL, NULL, "
                        + "'proto_version', '1', 'publication_names', ?) LIMIT 1")) {
            ps.setString(1, source.slot);
            ps.setString(2, source.publication);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && Long.parseLong(rs.getString(2)) == xid ? rs.getLong(1) : -1;
            }
        }
    }
}
