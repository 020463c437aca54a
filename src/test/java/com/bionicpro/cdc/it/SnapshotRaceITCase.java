package com.bionicpro.cdc.it;

import com.bionicpro.cdc.BionicProCdcJob;
import com.bionicpro.cdc.catalog.CaptureCatalog;
import com.bionicpro.cdc.config.JobDefinition;
import com.bionicpro.cdc.config.JobDefinition.SourceDefinition;
import com.bionicpro.cdc.config.Preflight;
import com.bionicpro.cdc.source.ChangeEvent;
import com.bionicpro.cdc.source.PostgresSourceFactory;
import com.bionicpro.cdc.testing.JobRunner;
import com.bionicpro.cdc.testing.LocalStack;
import com.bionicpro.cdc.testing.Poll;
import com.bionicpro.cdc.testing.TestEnvironment;
import com.bionicpro.cdc.verify.Verifier;

import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.cdc.connectors.base.config.SourceConfig;
import org.apache.flink.cdc.connectors.base.source.meta.split.SnapshotSplit;
import org.apache.flink.cdc.connectors.base.source.utils.hooks.SnapshotPhaseHook;
import org.apache.flink.cdc.connectors.base.source.utils.hooks.SnapshotPhaseHooks;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder.PostgresIncrementalSource;
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
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A transaction races with a snapshot chunk: it writes a row of the chunk after the chunk was read
 * and before its high watermark, and commits only after another transaction committed past the
 * high watermark. PostgreSQL streams it after that one, so Flink CDC 3.5.0's backfill, which stops
 * at the first message past the high watermark, never merges it, and the stream does not emit it
 * either (it was written before the high watermark): the change was lost. The job's backfill waits
 * for such transactions ({@code BackfillEnd}); afterwards every target equals PostgreSQL.
 *
 * <p>Flink CDC's snapshot phase hooks put the racing transaction exactly there, in the first
 * telemetry chunk; the test commits the two transactions once the chunk's high watermark is taken.
 */
class SnapshotRaceITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    private static final Path FIXTURES = LocalStack.repoRoot().resolve("src/test/resources/fixtures");

    /** The racing transaction, opened by the hook inside the job's task (same JVM as the test). */
    private static final AtomicReference<Connection> RACING = new AtomicReference<>();
    private static final AtomicBoolean HIGH_WATERMARK_TAKEN = new AtomicBoolean();

    @TempDir
    Path checkpoints;

    private TestEnvironment env;
    private JobRunner runner;

    @BeforeEach
    void createEnvironment() throws Exception {
        RACING.set(null);
        HIGH_WATERMARK_TAKEN.set(false);
        runner = new JobRunner(checkpoints);
        env = TestEnvironment.create("race");
        env.set("SNAPSHOT_CHUNK_SIZE", "500");
        env.runSqlFile(env.crmDb, FIXTURES.resolve("crm_seed.sql"));
        env.runSqlFile(env.telemetryDb, FIXTURES.resolve("telemetry_seed.sql"));
    }

    @AfterEach
    void dropEnvironment() throws Exception {
        Connection racing = RACING.getAndSet(null);
        if (racing != null) {
            racing.close();
        }
        runner.cancelAll();
        env.close();
    }

    @Test
    void aTransactionCommittingAfterTheChunksHighWatermarkIsNotLost() throws Exception {
        JobDefinition definition = env.definition();
        CaptureCatalog catalog = Preflight.run(definition);
        List<String> race = TestEnvironment.statements(
                Files.readString(FIXTURES.resolve("snapshot_race.sql"), StandardCharsets.UTF_8));

        SnapshotPhaseHooks hooks = new SnapshotPhaseHooks();
        hooks.setPreHighWatermarkAction(new OpenRacingTransaction(
                env.jdbcUrl(env.telemetryDb), "postgres", LocalStack.get().pgAdminPassword(), race.get(0), race.get(1)));
        hooks.setPostHighWatermarkAction((config, split) -> {
            if (RACING.get() != null) {
                HIGH_WATERMARK_TAKEN.set(true);
            }
        });
        Map<String, Source<ChangeEvent, ?, ?>> sources = new LinkedHashMap<>();
        for (SourceDefinition s : definition.sources.values()) {
            PostgresIncrementalSource<ChangeEvent> source = PostgresSourceFactory.create(s, catalog);
            if (s.id.equals("telemetry")) {
                source.setSnapshotHooks(hooks);
            }
            sources.put(s.id, PostgresSourceFactory.forJob(source));
        }
        JobClient job = runner.start(BionicProCdcJob.fromDefinition(definition, catalog, sources), definition.name, null);
        JobRunner.awaitRunning(job);

        Poll.until(Duration.ofSeconds(120), "the first telemetry chunk's high watermark", HIGH_WATERMARK_TAKEN::get);
        try (Connection t = env.telemetry(); Statement st = t.createStatement()) {
            st.executeUpdate(race.get(2));
        }
        RACING.get().commit();

        CdcJobITCase.awaitClean(new Verifier(definition, catalog, Duration.ofSeconds(60)));
    }

    /**
     * Pre-high-watermark hook: in the first telemetry chunk, opens the racing transaction, writes
     * its change, and lets another transaction commit.
     */
    private static final class OpenRacingTransaction implements SnapshotPhaseHook {
        private static final long serialVersionUID = 1L;
        private final String url;
        private final String user;
        private final String password;
        private final String change;
        private final String meanwhile;

        OpenRacingTransaction(String url, String user, String password, String change, String meanwhile) {
            this.url = url;
            this.user = user;
            this.password = password;
            this.change = change;
            this.meanwhile = meanwhile;
        }

        @Override
        public void accept(SourceConfig config, SourceSplit split) throws SQLException {
            SnapshotSplit chunk = (SnapshotSplit) split;
            if (!chunk.getTableId().table().equals("telemetry_data") || chunk.getSplitStart() != null || RACING.get() != null) {
                return;
            }
            Connection c = java.sql.DriverManager.getConnection(url, user, password);
            try (Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                st.executeUpdate(change);
            } catch (SQLException e) {
                c.close();
                throw e;
            }
            RACING.set(c);
            try (Connection other = java.sql.DriverManager.getConnection(url, user, password);
                    Statement st = other.createStatement()) {
                st.executeUpdate(meanwhile);
            }
        }
    }
}
