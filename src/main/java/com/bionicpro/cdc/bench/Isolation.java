package com.bionicpro.cdc.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CRM's own throughput (pgbench with a realistic CRM transaction) while the report export
 * runs where it used to (PostgreSQL) or where it runs now (ClickHouse), with and without the job.
 */
final class Isolation {
    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");

    private Isolation() {}

    static void run(BenchContext ctx, String mode, int seconds, Path script, Path exportPostgres, Path exportClickHouse)
            throws Exception {
        AtomicLong exports = new AtomicLong();
        exporting = true;
        Thread export = null;
        if (mode.startsWith("postgres-export")) {
            String sql = Files.readString(exportPostgres, StandardCharsets.UTF_8);
            export = new Thread(() -> {
                try (Connection c = ctx.app(ctx.telemetry); Statement st = c.createStatement()) {
                    while (exporting) {
                        st.execute(sql);
                        exports.incrementAndGet();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "export-postgres");
        } else if (mode.startsWith("clickhouse-export")) {
            String sql = Files.readString(exportClickHouse, StandardCharsets.UTF_8).replaceAll("--[^\n]*", "")
                    .replace("bench_reports.", ctx.clickhouseDb + ".");
            export = new Thread(() -> {
                while (exporting) {
                    try {
                        ctx.clickhouse.query(sql);
                        exports.incrementAndGet();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }, "export-clickhouse");
        }
        if (export != null) {
            export.start();
        }
        ProcessBuilder pb = new ProcessBuilder(System.getenv().getOrDefault("PG_BIN", "/usr/lib/postgresql/15/bin") + "/pgbench",
                "-n", "-f", script.toString(), "-c", "4", "-j", "2", "-T", String.valueOf(seconds),
                "-h", ctx.crm.host, "-p", String.valueOf(ctx.crm.port), "-U", System.getenv().getOrDefault("APP_PG_USER", "postgres"),
                ctx.crm.database).redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", System.getenv().getOrDefault("APP_PG_PASSWORD", ""));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        exporting = false;
        if (export != null) {
            export.join();
        }
        Matcher m = TPS.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("pgbench did not report a rate: " + out);
        }
        ctx.record(ctx.result("isolation", mode).put("tps", Double.parseDouble(m.group(1))).put("seconds", seconds)
                .put("exports", exports.get()));
    }

    private static volatile boolean exporting;
}
