package com.bionicpro.cdc.source;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.cdc.connectors.base.relational.connection.JdbcConnectionPools;
import org.apache.flink.cdc.connectors.postgres.source.PostgresConnectionPoolFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Collections;

/**
 * Lets a TaskManager unload a job's classes when the job ends there. Two things held every ended
 * job's user-code class loader, so each submission kept ~17 MB of Metaspace until the TaskManager
 * died of OutOfMemoryError: Metaspace after some 25 (measured: one more live loader per job):
 * <ul>
 *   <li>Flink CDC's static pool registry, through which the source readers open their JDBC
 *       connections; nothing on the TaskManager closes it (the enumerator closes only the
 *       JobManager's), so the pools' housekeeper threads and idle connections to PostgreSQL stayed;
 *   <li>{@link DriverManager}, a JDK class, with which the job's copy of the PostgreSQL driver
 *       registers itself when loaded.
 * </ul>
 * The JobManager, where the split enumerators load the driver too, has no such hook:
 * {@link DriverReleasingSource} counts the job's open enumerators there instead.
 */
public final class JdbcClassLoaderRelease {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcClassLoaderRelease.class);
    static final String RELEASE_HOOK = "bionicpro-cdc: close JDBC pools, deregister JDBC drivers";
    /** Logged when an enumerator opens after the job's last one released the driver (a global failover). */
    public static final String REGISTERED_AGAIN = "registered the job's PostgreSQL driver again for a new split enumerator";

    /** The job's split enumerators open in this JVM (JobManager); guarded by the class. */
    private static int openEnumerators;

    private JdbcClassLoaderRelease() {}

    /** Whether this job's classes are its own, not Flink's (a MiniCluster, the jar in lib/). */
    static boolean jobHasOwnClasses() {
        return JdbcClassLoaderRelease.class.getClassLoader() != RuntimeContext.class.getClassLoader();
    }

    /**
     * Registers, once per job and TaskManager, the hook Flink runs when it releases the job's
     * classes; returns whether it did. Only when the job's classes are its own: where they come
     * from Flink's class loader (a MiniCluster, the jar in lib/), the pools and the driver are
     * shared by every job in the JVM, and releasing them would break the others.
     */
    public static boolean registerOn(RuntimeContext context) {
        if (!jobHasOwnClasses()) {
            return false;
        }
        context.registerUserCodeClassLoaderReleaseHookIfAbsent(RELEASE_HOOK, JdbcClassLoaderRelease::release);
        return true;
    }

    /**
     * A split enumerator of the job is about to open: registers the job's PostgreSQL driver again
     * if the last enumerator to close (before a failover) deregistered it, since Debezium's
     * connections look drivers up in {@link DriverManager}.
     */
    static synchronized void enumeratorOpening() {
        if (!jobHasOwnClasses()) {
            return;
        }
        openEnumerators++;
        try {
            // Loading the class registers the driver the first time; afterwards only this does.
            if (!org.postgresql.Driver.isRegistered()) {
                org.postgresql.Driver.register();
                LOG.info(REGISTERED_AGAIN);
            }
        } catch (SQLException | IllegalStateException e) {
            LOG.warn("registering the PostgreSQL driver again failed", e);
        }
    }

    /** A split enumerator of the job closed: the last one releases the job's JDBC resources. */
    static synchronized void enumeratorClosed() {
        if (!jobHasOwnClasses() || openEnumerators == 0) {
            return;
        }
        if (--openEnumerators == 0) {
            release();
        }
    }

    static void release() {
        try {
            JdbcConnectionPools.getInstance(new PostgresConnectionPoolFactory()).clear();
        } catch (Exception e) {
            LOG.warn("closing Flink CDC's connection pools failed; their connections stay open until PostgreSQL drops them", e);
        }
        int drivers = deregisterOwnPostgresDriver() + deregisterDriversOf(JdbcClassLoaderRelease.class.getClassLoader());
        LOG.info("released the job's JDBC resources: Flink CDC's connection pools closed, {} JDBC driver(s) deregistered", drivers);
    }

    /**
     * pgjdbc remembers its own registration: after {@link DriverManager#deregisterDriver} alone
     * {@code Driver.isRegistered()} stays true and {@code register()} refuses, so the driver could
     * not be registered again after a failover. Only the job's own copy (the shaded jar's); returns 1 if it was registered.
     */
    private static int deregisterOwnPostgresDriver() {
        if (org.postgresql.Driver.class.getClassLoader() != JdbcClassLoaderRelease.class.getClassLoader()) {
            return 0;
        }
        try {
            if (org.postgresql.Driver.isRegistered()) {
                org.postgresql.Driver.deregister();
                return 1;
            }
        } catch (SQLException | IllegalStateException e) {
            LOG.warn("deregistering the PostgreSQL driver failed; the job's classes stay loaded", e);
        }
        return 0;
    }

    /** Deregisters the JDBC drivers that {@code loader} defined; returns how many. */
    static int deregisterDriversOf(ClassLoader loader) {
        int deregistered = 0;
        for (Driver driver : Collections.list(DriverManager.getDrivers())) {
            if (driver.getClass().getClassLoader() != loader) {
                continue;
            }
            try {
                DriverManager.deregisterDriver(driver);
                deregistered++;
            } catch (SQLException | RuntimeException e) {
                LOG.warn("deregistering JDBC driver {} failed; the job's classes stay loaded", driver.getClass().getName(), e);
            }
        }
        return deregistered;
    }
}
