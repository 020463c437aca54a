package com.bionicpro.cdc.source;

import org.apache.flink.api.common.functions.RuntimeContext;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.function.Predicate;
import java.util.logging.Logger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The release hook deregisters exactly the drivers its own class loader defined, as Flink loads a
 * job's classes: the hook and a driver in a child-first loader of their own, like a job's
 * {@code ChildFirstClassLoader} with its shaded PostgreSQL driver.
 */
class JdbcClassLoaderReleaseTest {
    private static final Set<String> JOB_CLASSES =
            Set.of(JdbcClassLoaderRelease.class.getName(), JobDriver.class.getName());

    @Test
    void deregistersTheDriversOfTheJobsClassLoaderOnly() throws Exception {
        try (JobClassLoader job = new JobClassLoader()) {
            Class<?> driverClass = job.loadClass(JobDriver.class.getName());
            assertThat(driverClass.getClassLoader()).isSameAs(job);
            DriverManager.registerDriver((Driver) driverClass.getDeclaredConstructor().newInstance());

            Method deregister = job.loadClass(JdbcClassLoaderRelease.class.getName())
                    .getDeclaredMethod("deregisterDriversOf", ClassLoader.class);
            deregister.setAccessible(true);
            assertThat(deregister.invoke(null, job)).isEqualTo(1);
            assertThat(deregister.invoke(null, job)).as("nothing left to deregister").isEqualTo(0);
        }
        // The application's own PostgreSQL driver is untouched.
        assertThat(DriverManager.getDriver("jdbc:postgresql://127.0.0.1/x")).isNotNull();
    }

    @Test
    void theLastEnumeratorToCloseDeregistersTheJobsDriver() throws Exception {
        try (JobClassLoader job = new JobClassLoader()) {
            Class<?> driverClass = job.loadClass(JobDriver.class.getName());
            Driver driver = (Driver) driverClass.getDeclaredConstructor().newInstance();
            DriverManager.registerDriver(driver);
            Class<?> release = job.loadClass(JdbcClassLoaderRelease.class.getName());
            Method opening = release.getDeclaredMethod("enumeratorOpening");
            Method closed = release.getDeclaredMethod("enumeratorClosed");
            // DriverManager shows a driver only to classes of its loader: probe from inside.
            Method deregister = release.getDeclaredMethod("deregisterDriversOf", ClassLoader.class);
            for (Method m : List.of(opening, closed, deregister)) {
                m.setAccessible(true);
            }

            // Two sources, so two enumerators: the driver stays until both have closed.
            opening.invoke(null);
            opening.invoke(null);
            closed.invoke(null);
            assertThat(deregister.invoke(null, job)).as("still registered with one enumerator open").isEqualTo(1);
            DriverManager.registerDriver(driver);
            closed.invoke(null);
            assertThat(deregister.invoke(null, job)).as("deregistered when both closed").isEqualTo(0);
            DriverManager.registerDriver(driver);
            closed.invoke(null);
            assertThat(deregister.invoke(null, job)).as("a close too many releases nothing").isEqualTo(1);
        }
        assertThat(DriverManager.getDriver("jdbc:postgresql://127.0.0.1/x")).isNotNull();
    }

    @Test
    void theNextEnumeratorToOpenRegistersTheJobsPostgresDriverAgain() throws Exception {
        // The job's own copy of the PostgreSQL driver, as in the shaded job jar.
        try (JobClassLoader job = new JobClassLoader(name -> name.startsWith("org.postgresql."),
                org.postgresql.Driver.class.getProtectionDomain().getCodeSource().getLocation())) {
            Class<?> release = job.loadClass(JdbcClassLoaderRelease.class.getName());
            Method opening = release.getDeclaredMethod("enumeratorOpening");
            Method closed = release.getDeclaredMethod("enumeratorClosed");
            Method deregister = release.getDeclaredMethod("deregisterDriversOf", ClassLoader.class);
            Method isRegistered = job.loadClass("org.postgresql.Driver").getMethod("isRegistered");
            for (Method m : List.of(opening, closed, deregister)) {
                m.setAccessible(true);
            }

            opening.invoke(null);
            assertThat(isRegistered.invoke(null)).as("registered when loaded").isEqualTo(true);
            closed.invoke(null);
            assertThat(isRegistered.invoke(null)).as("deregistered by the last close").isEqualTo(false);
            // A global failover: the job's enumerators open again in the same class loader.
            opening.invoke(null);
            assertThat(isRegistered.invoke(null)).as("registered again").isEqualTo(true);
            assertThat(deregister.invoke(null, job)).as("exactly one of the job's drivers").isEqualTo(1);
        }
        assertThat(DriverManager.getDriver("jdbc:postgresql://127.0.0.1/x").getClass())
                .isSameAs(org.postgresql.Driver.class);
    }

    @Test
    void enumeratorsLeaveTheDriversAloneWhereTheJobsClassesAreShared() throws Exception {
        JdbcClassLoaderRelease.enumeratorOpening();
        JdbcClassLoaderRelease.enumeratorClosed();
        assertThat(DriverManager.getDriver("jdbc:postgresql://127.0.0.1/x")).isNotNull();
    }

    @Test
    void registersTheHookOnlyWhereTheJobHasClassesOfItsOwn() throws Exception {
        List<String> registered = new ArrayList<>();
        RuntimeContext context = (RuntimeContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {RuntimeContext.class}, (proxy, method, args) -> {
                    if (method.getName().equals("registerUserCodeClassLoaderReleaseHookIfAbsent")) {
                        registered.add((String) args[0]);
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        // Here, as in a MiniCluster, the job's classes are the application's: shared, left alone.
        assertThat(JdbcClassLoaderRelease.registerOn(context)).isFalse();
        assertThat(registered).isEmpty();
        try (JobClassLoader job = new JobClassLoader()) {
            Method registerOn = job.loadClass(JdbcClassLoaderRelease.class.getName())
                    .getDeclaredMethod("registerOn", RuntimeContext.class);
            assertThat(registerOn.invoke(null, context)).isEqualTo(true);
        }
        assertThat(registered).containsExactly(JdbcClassLoaderRelease.RELEASE_HOOK);
    }

    /** Defines the job classes itself and delegates everything else to the application loader. */
    private static final class JobClassLoader extends URLClassLoader {
        private final Predicate<String> alsoTheJobs;

        JobClassLoader() {
            this(name -> false);
        }

        JobClassLoader(Predicate<String> alsoTheJobs, URL... more) {
            super(Stream.concat(Stream.of(JdbcClassLoaderRelease.class.getProtectionDomain().getCodeSource().getLocation(),
                    JobDriver.class.getProtectionDomain().getCodeSource().getLocation()), Stream.of(more))
                    .toArray(URL[]::new), JdbcClassLoaderReleaseTest.class.getClassLoader());
            this.alsoTheJobs = alsoTheJobs;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!JOB_CLASSES.contains(name) && !alsoTheJobs.test(name)) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                return loaded != null ? loaded : findClass(name);
            }
        }
    }

    /** A driver that accepts no URL. */
    public static final class JobDriver implements Driver {
        @Override
        public Connection connect(String url, Properties info) {
            return null;
        }

        @Override
        public boolean acceptsURL(String url) {
            return false;
        }

        @Override
        public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
            return new DriverPropertyInfo[0];
        }

        @Override
        public int getMajorVersion() {
            return 1;
        }

        @Override
        public int getMinorVersion() {
            return 0;
        }

        @Override
        public boolean jdbcCompliant() {
            return false;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }
    }
}
