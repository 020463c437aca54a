package com.bionicpro.cdc.it;

import com.bionicpro.cdc.catalog.CaptureCatalog;
import com.bionicpro.cdc.config.JobDefinition;
import com.bionicpro.cdc.config.Preflight;
import com.bionicpro.cdc.testing.JobRunner;
import com.bionicpro.cdc.testing.LocalStack;
import com.bionicpro.cdc.testing.Poll;
import com.bionicpro.cdc.testing.ReplicationSlots;
import com.bionicpro.cdc.testing.TestEnvironment;

import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replication slot does not pin WAL: its confirmed position follows completed checkpoints,
 * also when the captured tables are idle and only other tables are written (the heartbeat). And
 * bin/slots lists the job's slots and refuses to drop one that is active.
 */
class ReplicationSlotITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    @TempDir
    Path checkpoints;

    private TestEnvironment env;
    private JobRunner runner;

    @BeforeEach
    void createEnvironment() throws Exception {
        runner = new JobRunner(checkpoints);
        env = TestEnvironment.create("slots");
        env.set("HEARTBEAT_INTERVAL", "1s");
        env.runSqlFile(env.crmDb, LocalStack.repoRoot().resolve("src/test/resources/fixtures/crm_seed.sql"));
    }

    @AfterEach
    void dropEnvironment() throws Exception {
        runner.cancelAll();
        env.close();
    }

    @Test
    void confirmedPositionFollowsCheckpointsAlsoWhileCapturedTablesAreIdle() throws Exception {
        JobDefinition definition = env.definition();
        CaptureCatalog catalog = Preflight.run(definition);
        JobClient job = runner.start(definition, catalog, null);
        JobRunner.awaitRunning(job);
        String slot = definition.sources.get("crm").slot;

        try (Connection c = env.crm(); Statement st = c.createStatement()) {
            Poll.until(Duration.ofSeconds(60), "the slot to exist", () -> ReplicationSlots.confirmed(c, slot) > 0);

            // A change of a captured table.
            st.executeUpdate("UPDATE public.users SET name = 'slot test' WHERE email = 'anna@bionicpro.example'");
            long afterChange = currentLsn(c);
            Poll.until(Duration.ofSeconds(60), "the slot to confirm the change", () -> ReplicationSlots.confirmed(c, slot) >= afterChange);

            // Only a table the job does not capture is written: 20 MB of WAL.
            st.execute("CREATE TABLE public.crm_audit_trail (id serial PRIMARY KEY, note text)");
            st.executeUpdate("INSERT INTO public.crm_audit_trail (note) SELECT repeat(md5(i::text), 20) FROM generate_series(1, 30000) AS i");
            long afterOtherWrites = currentLsn(c);
            assertThat(afterOtherWrites - afterChange).isGreaterThan(10_000_000L);
            Poll.until(Duration.ofSeconds(90), "the slot to move past WAL of tables the job does not capture",
                    () -> ReplicationSlots.confirmed(c, slot) >= afterOtherWrites);

            // bin/slots: listed as active, and not dropped while the job reads it.
            String listed = slots("list");
            assertThat(listed).contains(slot).containsPattern(slot + "\\s+yes");
            String refused = slots("drop");
            assertThat(refused).contains("refusing to drop " + slot + ": it is active");

            JobRunner.cancel(job);
            Poll.until(Duration.ofSeconds(30), "the slot to be released", () -> !ReplicationSlots.active(c, slot));
            String dropped = slots("drop");
            assertThat(dropped).contains("dropped " + slot);
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
        }
    }

    private String slots(String action) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(LocalStack.repoRoot().resolve("bin/slots").toString(), action)
                .directory(LocalStack.repoRoot().toFile()).redirectErrorStream(true);
        pb.environment().putAll(env.env());
        pb.environment().put("STACK_DIR", LocalStack.get().stackDir());
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return out;
    }

    private static long currentLsn(Connection c) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT (pg_current_wal_lsn() - '0/0')::bigint")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
