package com.bionicpro.cdc.it;

import com.bionicpro.cdc.testing.LocalStack;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job jar that `flink run` takes carries exactly one copy of each Debezium class the job
 * replaces, and it is the job's (byte for byte the compiled class), not the connectors'.
 */
class JobJarITCase {
    private static final Path ROOT = LocalStack.repoRoot();

    @ParameterizedTest
    @ValueSource(strings = {
        "io/debezium/connector/postgresql/PostgresStreamingChangeEventSource.class",
        "io/debezium/connector/base/ChangeEventQueue.class",
        "io/debezium/connector/base/ChangeEventQueue$Builder.class"
    })
    void carriesTheJobsCopyOfThePatchedDebeziumClass(String entry) throws Exception {
        try (JarFile jar = new JarFile(ROOT.resolve("target/bionicpro-cdc.jar").toFile())) {
            assertThat(jar.stream().filter(e -> e.getName().equals(entry)).collect(Collectors.toList())).hasSize(1);
            byte[] shaded = jar.getInputStream(jar.getEntry(entry)).readAllBytes();
            assertThat(shaded).isEqualTo(Files.readAllBytes(ROOT.resolve("target/classes").resolve(entry)));
        }
    }
}
