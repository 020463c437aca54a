package com.bionicpro.cdc.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A second, short-lived PostgreSQL server from the same binaries as the local stack, for what the
 * shared one must not be changed for (e.g. wal_level = replica). Trust authentication on 127.0.0.1.
 */
public final class ThrowawayPostgres implements AutoCloseable {
    public final int port;
    private final Path dir;
    private final Path bin;

    private ThrowawayPostgres(Path dir, Path bin, int port) {
        this.dir = dir;
        this.bin = bin;
        this.port = port;
    }

    public static ThrowawayPostgres start(String... settings) throws Exception {
        Path bin;
        try (Stream<Path> versions = Files.list(Paths.get("/usr/lib/postgresql"))) {
            bin = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.naturalOrder()).orElseThrow();
        }
        Path dir = Files.createTempDirectory("throwaway-pg");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ThrowawayPostgres pg = new ThrowawayPostgres(dir, bin, port);
        if (isRoot()) {
            run(List.of("chown", "-R", "postgres", dir.toString()));
        }
        pg.asPostgres(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "postgres",
                "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8");
        StringBuilder conf = new StringBuilder("listen_addresses = '127.0.0.1'\nunix_socket_directories = '" + dir + "'\n");
        for (String s : settings) {
            conf.append(s).append('\n');
        }
        Files.writeString(dir.resolve("data/postgresql.conf"), conf.toString(), StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
        pg.asPostgres(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-o", "-p " + port,
                "-l", dir.resolve("log").toString(), "-w", "start");
        return pg;
    }

    /** Runs psql as the superuser against this server. */
    public void psql(String database, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("psql", "-v", "ON_ERROR_STOP=1", "-X", "-q", "-h", "127.0.0.1",
                "-p", String.valueOf(port), "-U", "postgres", "-d", database));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        run(pb);
    }

    /** Runs a script (db-init/postgres/00-init.sh) with PG* variables pointing here. */
    public void script(Path script, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(script.toString()).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.environment().put("PGHOST", "127.0.0.1");
        pb.environment().put("PGPORT", String.valueOf(port));
        pb.environment().put("PGUSER", "postgres");
        run(pb);
    }

    private void asPostgres(String... command) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (isRoot()) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(List.of(command));
        run(cmd);
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void run(List<String> cmd) throws Exception {
        run(new ProcessBuilder(cmd).redirectErrorStream(true));
    }

    private static void run(ProcessBuilder pb) throws Exception {
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(pb.command() + " failed: " + out);
        }
    }

    @Override
    public void close() throws Exception {
        asPostgres(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.delete(f);
                } catch (IOException e) {
                    // best effort
                }
            });
        }
    }
}
