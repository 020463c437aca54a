package com.bionicpro.cdc.source;

import io.debezium.connector.postgresql.PostgresStreamingChangeEventSource;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.nio.file.Paths;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job's copy of Debezium's streaming source (FLINK-39265) is the one that runs: the classpath
 * resolves it from the job's own classes, ahead of the copies in Flink CDC's and Debezium's jars.
 * {@code JobJarITCase} checks the same of the job jar.
 */
class PatchedClassesTest {
    @Test
    void theStreamingSourceIsTheJobsCopy() throws Exception {
        assertThat(PostgresStreamingChangeEventSource.BIONICPRO_PATCH).isEqualTo("FLINK-39265, backfill end");
        Path location = Paths.get(PostgresStreamingChangeEventSource.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(location).isEqualTo(Paths.get(CommitAwareWalPositionLocator.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
    }
}
