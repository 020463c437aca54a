package com.bionicpro.cdc.config;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The job definition: read strictly, every problem reported at once, secrets never literal. */
class JobDefinitionParserTest {
    private static final Path SHIPPED = Paths.get("jobs/bionicpro.yaml");

    private static Map<String, String> secrets() {
        Map<String, String> env = new HashMap<>();
        env.put("CDC_PG_PASSWORD", "pg-secret");
        env.put("CLICKHOUSE_PASSWORD", "ch-secret");
        return env;
    }

    @Test
    void theShippedDefinitionReadsWithLocalStackDefaults() {
        JobDefinition d = JobDefinitionParser.parse(SHIPPED, secrets());
        assertThat(d.sources).containsOnlyKeys("crm", "telemetry");
        assertThat(d.sources.get("crm").port).isEqualTo(15432);
        assertThat(d.sources.get("crm").tables).extracting(t -> t.qualifiedName())
                .containsExactly("public.users", "public.prostheses");
        assertThat(d.sources.get("crm").auditTopicPrefix).isEqualTo("crm_db");
        assertThat(d.sources.get("telemetry").auditTopicPrefix).isEqualTo("telemetry_db");
        assertThat(d.sources.get("crm").pollInterval).isEqualTo(Duration.ofMillis(50));
        assertThat(d.sources.get("crm").password.reveal()).isEqualTo("pg-secret");
        assertThat(d.sources.get("crm").password.toString()).doesNotContain("pg-secret");
        assertThat(d.checkpointInterval).isEqualTo(Duration.ofSeconds(1));
        assertThat(d.marts.reportRetentionDays).isEqualTo(400);
    }

    @Test
    void environmentOverridesDefaults() {
        Map<String, String> env = secrets();
        env.put("PG_HOST", "postgres");
        env.put("PG_PORT", "5432");
        JobDefinition d = JobDefinitionParser.parse(SHIPPED, env);
        assertThat(d.sources.get("telemetry").host).isEqualTo("postgres");
        assertThat(d.sources.get("telemetry").port).isEqualTo(5432);
    }

    @Test
    void kafkaClientPropertiesPassThroughWithTheirReferencesResolved() throws Exception {
        String yaml = Files.readString(SHIPPED, StandardCharsets.UTF_8).replace("  transactionTimeout: 15min\n",
                "  transactionTimeout: 15min\n  properties:\n    linger.ms: \"20\"\n    sasl.jaas.config: ${env:KAFKA_JAAS}\n");
        Map<String, String> env = secrets();
        env.put("KAFKA_JAAS", "jaas-secret");
        JobDefinition d = JobDefinitionParser.parse(yaml, env);
        assertThat(d.kafka.properties).containsExactly(Map.entry("linger.ms", "20"), Map.entry("sasl.jaas.config", "jaas-secret"));
        assertThat(JobDefinitionParser.parse(SHIPPED, secrets()).kafka.properties).isEmpty();
    }

    @Test
    void missingSecretsAreNamed() {
        assertThatThrownBy(() -> JobDefinitionParser.parse(SHIPPED, Map.of()))
                .isInstanceOf(JobDefinitionException.class)
                .hasMessageContaining("sources.crm.password: environment variable CDC_PG_PASSWORD is not set")
                .hasMessageContaining("clickhouse.password: environment variable CLICKHOUSE_PASSWORD is not set");
    }

    @Test
    void everyProblemIsReportedOnItsOwnLine() {
        String yaml = String.join("\n",
                "name: x",
                "paralellism: 2",
                "checkpointInterval: soon",
                "sources:",
                "  crm:",
                "    host: 127.0.0.1",
                "    port: 99999",
                "    database: crm_db",
                "    username: cdc",
                "    password: hunter2",
                "    slot: Bad-Slot",
                "    tabels: {}",
                "kafka:",
                "  bootstrapServers: 127.0.0.1:9092",
                "clickhouse:",
                "  url: 127.0.0.1:8123",
                "  password: ${env:CH_PW}",
                "marts:",
                "  users: crm.public.users",
                "  prostheses: crm.public.prostheses",
                "  telemetry: telemetry.public.telemetry_data");
        assertThatThrownBy(() -> JobDefinitionParser.parse(yaml, Map.of()))
                .isInstanceOfSatisfying(JobDefinitionException.class, e -> assertThat(e.problems()).contains(
                        "paralellism: unknown key (did you mean 'parallelism'?)",
                        "checkpointInterval: expected a duration such as 500ms, 10s, 5min or 1h, got 'soon'",
                        "sources.crm.port: must be between 1 and 65535, got 99999",
                        "sources.crm.password: a secret must not be written in the job definition; use ${env:NAME} or ${file:/path}",
                        "sources.crm.slot: a replication slot name must match [a-z_][a-z0-9_]*, got 'Bad-Slot'",
                        "sources.crm.tables: is required",
                        "sources.crm.tabels: unknown key (did you mean 'tables'?)",
                        "clickhouse.url: expected http(s)://host:port of ClickHouse's HTTP interface, got '127.0.0.1:8123'",
                        "clickhouse.password: environment variable CH_PW is not set",
                        "marts.users: 'crm.public.users' is not a captured table (expected source.schema.table of sources.*.tables)"))
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void aNewTableMayComeInANewSourceOnTheSameDatabaseAndPrefix() throws Exception {
        String source = Files.readString(Paths.get("src/test/resources/fixtures/calibrations-source.yaml"));
        String yaml = Files.readString(SHIPPED).replace("\nkafka:", "\n" + source + "\nkafka:");
        JobDefinition d = JobDefinitionParser.parse(yaml, secrets());
        assertThat(d.sources).containsOnlyKeys("crm", "telemetry", "calibrations");
        assertThat(d.sources.get("calibrations").database).isEqualTo(d.sources.get("telemetry").database);
        assertThat(d.sources.get("calibrations").auditTopicPrefix).isEqualTo("telemetry_db");
        assertThat(d.sources.get("calibrations").slot).isEqualTo("bionicpro_telemetry_calibrations");

        String twice = yaml.replace("public.calibrations: {replica: calibrations_target}",
                "public.telemetry_data: {replica: telemetry_data_target}");
        assertThatThrownBy(() -> JobDefinitionParser.parse(twice, secrets()))
                .isInstanceOfSatisfying(JobDefinitionException.class, e -> assertThat(e.problems()).containsExactly(
                        "sources.calibrations.tables.public.telemetry_data: is captured by another source too"));

        String sharedPublication = yaml.replace("bionicpro_telemetry_pub}_calibrations", "bionicpro_telemetry_pub}");
        assertThatThrownBy(() -> JobDefinitionParser.parse(sharedPublication, secrets()))
                .isInstanceOfSatisfying(JobDefinitionException.class, e -> assertThat(e.problems()).containsExactly(
                        "sources.calibrations.publication: 'bionicpro_telemetry_pub' is used by another source too"));
    }

    @Test
    void secretsMayComeFromFiles() throws Exception {
        Path secret = Files.createTempFile("ch", ".password");
        Files.writeString(secret, "from-file\n", StandardCharsets.UTF_8);
        String yaml = Files.readString(SHIPPED).replace("${env:CLICKHOUSE_PASSWORD}", "${file:" + secret + "}");
        JobDefinition d = JobDefinitionParser.parse(yaml, secrets());
        assertThat(d.clickhouse.password.reveal()).isEqualTo("from-file");
    }

    @Test
    void notYamlIsOneClearProblem() {
        assertThatThrownBy(() -> JobDefinitionParser.parse("sources: [unclosed", Map.of()))
                .hasMessageContaining("the job definition is not valid YAML");
    }
}
