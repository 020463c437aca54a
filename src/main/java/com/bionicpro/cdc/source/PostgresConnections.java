package com.bionicpro.cdc.source;

import com.bionicpro.cdc.config.JobDefinition.SourceDefinition;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** JDBC connections to a source's database, named in pg_stat_activity by what opened them. */
public final class PostgresConnections {
    private PostgresConnections() {}

    /** As the job's own role (the preflight, the verifier, the operator commands). */
    public static Connection asJob(SourceDefinition source, String applicationName) throws SQLException {
        return open(source, source.username, source.password == null ? "" : source.password.reveal(), applicationName);
    }

    /**
     * As the application that owns the data, from APP_PG_USER / APP_PG_PASSWORD (load generators
     * and benchmarks write like the CRM would).
     */
    public static Connection asApplication(SourceDefinition source, String applicationName) throws SQLException {
        return open(source, System.getenv().getOrDefault("APP_PG_USER", "postgres"),
                System.getenv().getOrDefault("APP_PG_PASSWORD", ""), applicationName);
    }

    private static Connection open(SourceDefinition source, String user, String password, String applicationName)
            throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("ApplicationName", applicationName);
        p.setProperty("connectTimeout", "10");
        p.setProperty("reWriteBatchedInserts", "true");
        return DriverManager.getConnection(source.jdbcUrl(), p);
    }
}
