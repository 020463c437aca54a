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
import java.util.logging.Logger;

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
        JobClassLoader() {
            super(new URL[] {JdbcClassLoaderRelease.class.getProtectionDomain().getCodeSource().getLocation(),
                    JobDriver.class.getProtectionDomain().getCodeSource().getLocation()},
                    JdbcClassLoaderReleaseTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!JOB_CLASSES.contains(name)) {
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
