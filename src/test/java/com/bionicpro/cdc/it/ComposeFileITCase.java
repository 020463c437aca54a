package com.bionicpro.cdc.it;

import com.bionicpro.cdc.config.JobDefinition;
import com.bionicpro.cdc.config.JobDefinition.SourceDefinition;
import com.bionicpro.cdc.config.JobDefinitionParser;
import com.bionicpro.cdc.testing.LocalStack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker-compose.yaml cannot run here (no container engine), so it is checked statically against
 * the repository and the job: every mounted path exists (the job jar too, hence after `package`),
 * images are official, ports are published on loopback only, and the endpoints the job definition
 * resolves to inside the submitter are the services' own names and ports.
 */
class ComposeFileITCase {
    private static final Path ROOT = LocalStack.repoRoot();
    private static JsonNode services;
    private static JsonNode flinkConf;

    @BeforeAll
    static void read() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        services = yaml.readTree(ROOT.resolve("docker-compose.yaml").toFile()).get("services");
        flinkConf = yaml.readTree(ROOT.resolve("flink-conf/config.yaml").toFile());
    }

    @Test
    void everyMountedPathExists() {
        List<String> missing = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> service = it.next();
            for (JsonNode volume : service.getValue().path("volumes")) {
                String source = volume.asText().split(":")[0];
                if (source.startsWith("./") && !Files.exists(ROOT.resolve(source))) {
                    missing.add(service.getKey() + ": " + source);
                }
            }
        }
        assertThat(missing).isEmpty();
        assertThat(Files.isExecutable(ROOT.resolve("db-init/postgres/00-init.sh"))).isTrue();
    }

    @Test
    void imagesAreOfficialAndPortsLoopbackOnly() {
        for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> service = it.next();
            assertThat(service.getValue().get("image").asText())
                    .matches("(postgres|apache/kafka|clickhouse/clickhouse-server|flink|zookeeper|prom/prometheus):[\\w.-]+");
            for (JsonNode port : service.getValue().path("ports")) {
                assertThat(port.asText()).as(service.getKey()).startsWith("127.0.0.1:");
            }
        }
    }

    @Test
    void jobEndpointsAreTheServices() {
        Map<String, String> env = new HashMap<>();
        services.get("job-submitter").get("environment").fields()
                .forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText().startsWith("${") ? "secret" : e.getValue().asText()));
        JobDefinition definition = JobDefinitionParser.parse(ROOT.resolve("jobs/bionicpro.yaml"), env);

        for (SourceDefinition s : definition.sources.values()) {
            assertThat(s.host).isEqualTo("postgres");
            assertThat(s.port).isEqualTo(5432);
            assertThat(command(services.get("postgres"))).contains("wal_level=logical");
        }
        assertThat(definition.kafka.bootstrapServers).isEqualTo("kafka:9092");
        assertThat(services.get("kafka").get("environment").get("KAFKA_ADVERTISED_LISTENERS").asText())
                .contains("PLAINTEXT://kafka:9092");
        assertThat(services.get("kafka").get("environment").get("KAFKA_TRANSACTION_MAX_TIMEOUT_MS").asLong())
                .isGreaterThanOrEqualTo(definition.kafka.transactionTimeout.toMillis());
        URI clickhouse = URI.create(definition.clickhouse.url);
        assertThat(clickhouse.getHost()).isEqualTo("clickhouse");
        assertThat(publishedContainerPorts("clickhouse")).contains(clickhouse.getPort());
        assertThat(definition.clickhouse.password.reveal()).isEqualTo("secret");
    }

    @Test
    void flinkConfigurationMatchesTheServices() {
        assertThat(flinkConf.get("jobmanager.rpc.address").asText()).isEqualTo("jobmanager");
        assertThat(publishedContainerPorts("jobmanager")).contains(flinkConf.get("rest.port").asInt());
        for (String role : List.of("jobmanager", "taskmanager")) {
            assertThat(mounts(role)).contains("/opt/flink/conf", "/flink-data");
        }
        assertThat(flinkConf.get("state.checkpoints.dir").asText()).startsWith("file:///flink-data/");
        assertThat(flinkConf.get("state.savepoints.dir").asText()).startsWith("file:///flink-data/");
        assertThat(flinkConf.get("state.backend.type").asText()).isEqualTo("rocksdb");
        assertThat(flinkConf.get("execution.checkpointing.externalized-checkpoint-retention").asText())
                .isEqualTo("RETAIN_ON_CANCELLATION");
        assertThat(flinkConf.get("metrics.reporter.prom.factory.class").asText()).contains("PrometheusReporterFactory");
        assertThat(flinkConf.get("high-availability.type").asText()).isEqualTo("zookeeper");
        assertThat(flinkConf.get("high-availability.zookeeper.quorum").asText()).isEqualTo("zookeeper:2181");
        assertThat(services.has("zookeeper")).isTrue();
        assertThat(flinkConf.get("high-availability.storageDir").asText()).startsWith("file:///flink-data/");
    }

    @Test
    void prometheusScrapesTheFlinkReporter() throws Exception {
        String prometheus = Files.readString(ROOT.resolve("deploy/prometheus.yml"));
        String port = flinkConf.get("metrics.reporter.prom.port").asText();
        assertThat(prometheus).contains("jobmanager:" + port, "taskmanager:" + port);
    }

    private static String command(JsonNode service) {
        StringBuilder sb = new StringBuilder();
        service.path("command").forEach(c -> sb.append(c.asText()).append(' '));
        return sb.toString();
    }

    private static List<Integer> publishedContainerPorts(String service) {
        List<Integer> ports = new ArrayList<>();
        for (JsonNode p : services.get(service).path("ports")) {
            String[] parts = p.asText().split(":");
            ports.add(Integer.parseInt(parts[parts.length - 1]));
        }
        return ports;
    }

    private static List<String> mounts(String service) {
        List<String> targets = new ArrayList<>();
        for (JsonNode v : services.get(service).path("volumes")) {
            targets.add(v.asText().split(":")[1]);
        }
        return targets;
    }
}
