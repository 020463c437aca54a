package com.bionicpro.cdc.it;

import com.bionicpro.cdc.config.JobDefinitionException;
import com.bionicpro.cdc.config.Preflight;
import com.bionicpro.cdc.testing.LocalStack;
import com.bionicpro.cdc.testing.TestEnvironment;
import com.bionicpro.cdc.testing.ThrowawayPostgres;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The checks before the job is built, against real services in a bad state: each problem comes
 * out as its own clear line, and nothing is started.
 */
class PreflightITCase {
    private TestEnvironment env;

    @BeforeEach
    void createEnvironment() throws Exception {
        env = TestEnvironment.create("preflight");
    }

    @AfterEach
    void dropEnvironment() throws Exception {
        env.close();
    }

    private List<String> problems() {
        try {
            Preflight.run(env.definition());
        } catch (JobDefinitionException e) {
            return e.problems();
        }
        throw new AssertionError("the preflight found no problem");
    }

    private void crm(String sql) throws Exception {
        try (Connection c = env.crm(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aHealthyStackPasses() {
        assertThat(Preflight.run(env.definition()).tables()).hasSize(3);
    }

    @Test
    void missingTable() throws Exception {
        crm("DROP TABLE public.prostheses");
        assertThat(problems()).contains("sources.crm: table public.prostheses does not exist in database " + env.crmDb);
    }

    @Test
    void tableWithoutPrimaryKeyWithoutFullReplicaIdentityOrWithAnUnsupportedType() throws Exception {
        crm("ALTER TABLE public.users DROP CONSTRAINT users_pkey CASCADE");
        crm("ALTER TABLE public.prostheses REPLICA IDENTITY DEFAULT");
        crm("ALTER TABLE public.prostheses ADD COLUMN photo bytea");
        assertThat(problems()).contains(
                "sources.crm: table public.users has no primary key; the audit log, the replica and exactly-once delivery "
                        + "need one (ALTER TABLE public.users ADD PRIMARY KEY (...))",
                "sources.crm: table public.prostheses has REPLICA IDENTITY DEFAULT; the job needs FULL so that updates and "
                        + "deletes carry the old row (ALTER TABLE public.prostheses REPLICA IDENTITY FULL)",
                "sources.crm: column public.prostheses.photo has type bytea, which the job does not support (supported: "
                        + "uuid, text, varchar, char, smallint, integer, bigint, real, double precision, numeric, boolean, "
                        + "date, timestamp, timestamptz, json, jsonb)");
    }

    @Test
    void walLevelNotLogical() throws Exception {
        try (ThrowawayPostgres pg = ThrowawayPostgres.start("wal_level = replica")) {
            pg.script(LocalStack.repoRoot().resolve("db-init/postgres/00-init.sh"), Map.of(
                    "CDC_PG_PASSWORD", "x", "CRM_DB", env.crmDb, "TELEMETRY_DB", env.telemetryDb));
            env.set("PG_PORT", String.valueOf(pg.port)).set("CDC_PG_PASSWORD", "x");
            assertThat(problems()).contains("sources.crm: wal_level is 'replica' but logical decoding needs 'logical' "
                    + "(set wal_level = logical in postgresql.conf and restart PostgreSQL)");
        }
    }

    @Test
    void unreachableServices() throws Exception {
        int pg = closedPort();
        int kafka = closedPort();
        int clickhouse = closedPort();
        env.set("PG_PORT", String.valueOf(pg))
                .set("KAFKA_BOOTSTRAP", "127.0.0.1:" + kafka)
                .set("CLICKHOUSE_URL", "http://127.0.0.1:" + clickhouse);
        List<String> problems = problems();
        assertThat(problems).anyMatch(p -> p.startsWith("sources.crm: PostgreSQL at 127.0.0.1:" + pg + " is unreachable"));
        assertThat(problems).anyMatch(p -> p.startsWith("sources.telemetry: PostgreSQL at 127.0.0.1:" + pg + " is unreachable"));
        assertThat(problems).contains("kafka: the brokers at 127.0.0.1:" + kafka + " are unreachable (no answer in 15 s)");
        assertThat(problems).anyMatch(p -> p.startsWith("clickhouse: ClickHouse at http://127.0.0.1:" + clickhouse
                + " is unreachable"));
    }

    @Test
    void wrongCredentials() throws Exception {
        env.set("CDC_PG_PASSWORD", "not-the-password").set("CLICKHOUSE_PASSWORD", "not-the-password");
        List<String> problems = problems();
        assertThat(problems).contains(
                "sources.crm: PostgreSQL at 127.0.0.1:" + LocalStack.get().pgPort()
                        + " rejected the credentials of user 'cdc_reader' (28P01)",
                "clickhouse: ClickHouse at " + LocalStack.get().clickhouseUrl() + " rejected the credentials of user 'default'");
        assertThat(String.join("\n", problems)).doesNotContain("not-the-password");
    }

    @Test
    void missingClickHouseTableAndMismatchedColumns() throws Exception {
        env.clickhouse().execute("DROP TABLE " + env.clickhouseDb + ".users_target");
        env.clickhouse().execute("ALTER TABLE " + env.clickhouseDb + ".prostheses_target MODIFY COLUMN model Int32");
        env.clickhouse().execute("ALTER TABLE " + env.clickhouseDb + ".crm_data_mart DROP COLUMN user_email");
        assertThat(problems()).contains(
                "clickhouse: table " + env.clickhouseDb + ".users_target does not exist (db-init/clickhouse creates it)",
                "clickhouse: table " + env.clickhouseDb + ".prostheses_target does not match what the job writes: "
                        + "model is Int32, expected String",
                "clickhouse: table " + env.clickhouseDb + ".crm_data_mart does not match what the job writes: "
                        + "user_email is missing (expected String)");
    }

    @Test
    void aPublicationTheRoleCannotCreateIsExplained() {
        env.set("CRM_PUBLICATION", "not_there_" + env.suffix);
        assertThat(problems()).anyMatch(p -> p.startsWith("sources.crm: publication 'not_there_" + env.suffix
                + "' does not exist and user 'cdc_reader' cannot create it")
                && p.endsWith("have the tables' owner run: CREATE PUBLICATION \"not_there_" + env.suffix
                + "\" FOR TABLE \"public\".\"users\", \"public\".\"prostheses\", \"public\".\"cdc_heartbeat\""));
    }

    @Test
    void aPublicationIsCreatedWhenTheRoleMay() throws Exception {
        // The tables' owner runs the job here (e.g. a dedicated CDC database), so it may create it.
        env.set("CDC_PG_USER", "postgres").set("CDC_PG_PASSWORD", LocalStack.get().pgAdminPassword())
                .set("CRM_PUBLICATION", "created_" + env.suffix);
        Preflight.run(env.definition());
        try (Connection c = env.crm(); Statement st = c.createStatement();
                var rs = st.executeQuery("SELECT count(*) FROM pg_publication_tables WHERE pubname = 'created_" + env.suffix + "'")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(3);
        }
    }
}
