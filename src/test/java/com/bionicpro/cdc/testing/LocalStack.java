package com.bionicpro.cdc.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;

/**
 * The running local stack (bin/stack up) the integration tests use: its endpoints from
 * .stack/stack.env (or the file named by -Dstack.env), secrets from the files it names.
 */
public final class LocalStack {
    private static LocalStack instance;

    private final Map<String, String> env;

    private LocalStack(Map<String, String> env) {
        this.env = env;
    }

    public static synchronized LocalStack get() {
        if (instance == null) {
            String file = System.getProperty("stack.env", repoRoot().resolve(".stack/stack.env").toString());
            Path path = Paths.get(file);
            if (!Files.exists(path)) {
                throw new IllegalStateException("no local stack: " + path + " is missing. Run the tests with bin/test, "
                        + "or start the stack with bin/stack up first");
            }
            Map<String, String> env = new HashMap<>();
            try {
                for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
                    int eq = line.indexOf('=');
                    if (!line.startsWith("#") && eq > 0) {
                        env.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            instance = new LocalStack(env);
        }
        return instance;
    }

    public static Path repoRoot() {
        Path p = Paths.get("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("pom.xml"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("cannot find the repository root from " + Paths.get("").toAbsolutePath());
        }
        return p;
    }

    public String value(String key) {
        String v = env.get(key);
        if (v == null) {
            throw new IllegalStateException(key + " missing in stack.env");
        }
        return v;
    }

    private String secret(String fileKey) {
        try {
            return Files.readString(Paths.get(value(fileKey)), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String pgHost() {
        return value("PG_HOST");
    }

    public int pgPort() {
        return Integer.parseInt(value("PG_PORT"));
    }

    public String pgAdminPassword() {
        return secret("PG_ADMIN_PASSWORD_FILE");
    }

    public String pgCdcUser() {
        return value("PG_CDC_USER");
    }

    public String pgCdcPassword() {
        return secret("PG_CDC_PASSWORD_FILE");
    }

    public String kafkaBootstrap() {
        return value("KAFKA_BOOTSTRAP");
    }

    public String clickhouseUrl() {
        return value("CLICKHOUSE_URL");
    }

    public String clickhouseUser() {
        return value("CLICKHOUSE_USER");
    }

    public String clickhousePassword() {
        return secret("CLICKHOUSE_PASSWORD_FILE");
    }

    public String flinkRest() {
        return value("FLINK_REST");
    }

    public String stackDir() {
        return value("STACK_DIR");
    }
}
