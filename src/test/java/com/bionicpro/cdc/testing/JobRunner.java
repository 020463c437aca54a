package com.bionicpro.cdc.testing;

import com.bionicpro.cdc.BionicProCdcJob;
import com.bionicpro.cdc.catalog.CaptureCatalog;
import com.bionicpro.cdc.config.JobDefinition;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointConfigOptions;
import org.apache.flink.streaming.api.environment.ExecutionCheckpointingOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the job in the test's MiniCluster with the production state setup: RocksDB, incremental
 * checkpoints retained on cancellation in a directory of the test, restorable with {@link #start}.
 */
public final class JobRunner {
    private final Path checkpoints;
    private final java.util.List<JobClient> started = new java.util.ArrayList<>();

    public JobRunner(Path checkpoints) {
        this.checkpoints = checkpoints;
    }

    /** Cancels every job this runner started that still runs (for @AfterEach, also after a failure). */
    public void cancelAll() throws Exception {
        for (JobClient c : started) {
            if (!c.getJobStatus().get().isGloballyTerminalState()) {
                cancel(c);
            }
        }
        started.clear();
    }

    public JobClient start(JobDefinition definition, CaptureCatalog catalog, Path restoreFrom) throws Exception {
        return start(BionicProCdcJob.fromDefinition(definition, catalog), definition.name, restoreFrom);
    }

    public JobClient start(BionicProCdcJob job, String name, Path restoreFrom) throws Exception {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(ExecutionCheckpointingOptions.EXTERNALIZED_CHECKPOINT,
                org.apache.flink.streaming.api.environment.CheckpointConfig.ExternalizedCheckpointCleanup.RETAIN_ON_CANCELLATION);
        conf.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 3);
        if (restoreFrom != null) {
            conf.set(SavepointConfigOptions.SAVEPOINT_PATH, restoreFrom.toUri().toString());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        job.build(env);
        JobClient client = env.executeAsync(name);
        started.add(client);
        return client;
    }

    /** Waits until every task of the job runs (the sources read). */
    public static void awaitRunning(JobClient client) throws Exception {
        Poll.until(Duration.ofSeconds(60), "the job to run", () -> {
            JobStatus s = client.getJobStatus().get();
            if (s.isGloballyTerminalState()) {
                throw new AssertionError("job ended: " + s);
            }
            return s == JobStatus.RUNNING;
        });
    }

    /** The newest completed checkpoint of any job that ran with this runner. */
    public Optional<Path> latestCheckpoint() throws IOException {
        if (!Files.exists(checkpoints)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.walk(checkpoints, 2)) {
            return files.filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .filter(p -> Files.exists(p.resolve("_metadata")))
                    .max(Comparator.comparingLong(p -> p.resolve("_metadata").toFile().lastModified()));
        }
    }

    /** Stops the job with a savepoint in {@code directory} (as `flink stop --savepointPath`); returns its path. */
    public static Path stopWithSavepoint(JobClient client, Path directory) throws Exception {
        String savepoint = client.stopWithSavepoint(false, directory.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(2, TimeUnit.MINUTES);
        Poll.until(Duration.ofSeconds(60), "the job to stop",
                () -> client.getJobStatus().get().isGloballyTerminalState());
        return savepoint.startsWith("file:") ? Paths.get(URI.create(savepoint)) : Paths.get(savepoint);
    }

    public static void cancel(JobClient client) throws Exception {
        client.cancel().get();
        Poll.until(Duration.ofSeconds(60), "the job to be cancelled",
                () -> client.getJobStatus().get().isGloballyTerminalState());
    }
}
