package com.bionicpro.cdc.source;

import io.debezium.connector.base.ChangeEventQueue;
import io.debezium.connector.postgresql.PostgresStreamingChangeEventSource;
import io.debezium.util.LoggingContext;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job's copies of Debezium classes are the ones that run: the classpath resolves them from the
 * job's own classes, ahead of the copies in Flink CDC's and Debezium's jars. {@code JobJarITCase}
 * checks the same of the job jar.
 */
class PatchedClassesTest {
    private static final Path JOB_CLASSES = location(CommitAwareWalPositionLocator.class);

    @Test
    void theStreamingSourceIsTheJobsCopy() {
        assertThat(PostgresStreamingChangeEventSource.BIONICPRO_PATCH).isEqualTo("FLINK-39265, backfill end");
        assertThat(location(PostgresStreamingChangeEventSource.class)).isEqualTo(JOB_CLASSES);
    }

    @Test
    void theChangeEventQueueIsTheJobsCopy() {
        assertThat(ChangeEventQueue.BIONICPRO_PATCH).isEqualTo("poll waits at least 1 ms");
        assertThat(location(ChangeEventQueue.class)).isEqualTo(JOB_CLASSES);
    }

    /**
     * A poll that finds no records waits out its interval. Debezium's own copy spun on the clock in
     * the interval's last millisecond, about 0.9 ms of CPU per poll: 44-46 ms of the thread's CPU for
     * these 50 polls, against 8-12 ms with the job's copy (measured on this machine). Thread CPU
     * time, not the wall clock, tells the two apart; a busy machine can only lower the spin's share.
     */
    @Test
    void pollingAnEmptyQueueWaitsInsteadOfSpinning() throws Exception {
        ChangeEventQueue<Object> queue = new ChangeEventQueue.Builder<Object>()
                .pollInterval(Duration.ofMillis(10))
                .maxBatchSize(16)
                .maxQueueSize(64)
                .loggingContextSupplier(() -> LoggingContext.forConnector("postgres", "test", "test"))
                .build();
        for (int i = 0; i < 10; i++) {
            queue.poll(); // loads and links what a poll uses
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuBefore = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < 50; i++) {
            assertThat(queue.poll()).isEmpty();
        }
        long cpuMillis = (threads.getCurrentThreadCpuTime() - cpuBefore) / 1_000_000;
        assertThat(cpuMillis).as("CPU time of 50 polls of an empty queue, ms").isLessThan(25);
    }

    private static Path location(Class<?> type) {
        try {
            return Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
