package com.bionicpro.cdc.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CRM's own throughput (pgbench with a realistic CRM transaction) while the report export
 * runs where it used to (PostgreSQL) or where it runs now (ClickHouse), with and without the job;
 * and with PostgreSQL's logical decoding alone ({@code decoding}: pg_recvlogical on the CRM's slot).
 * With {@code BENCH_CRM_CPUS} set, pgbench runs on those CPUs (bin/bench's split-cores series).
 */
final class Isolation {
    /** The slot of the decoding-only situation: pg_recvlogical on the CRM's publication, no job. */
    private static final String DECODING_SLOT = "bench_isolation_decoding";
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
        List<String> launcher = new ArrayList<>();
        String crmCpus = System.getenv("BENCH_CRM_CPUS");
        if (crmCpus != null && !crmCpus.isEmpty()) {
            // The CRM's clients run on the CRM's cores, not on those of the process that measures.
            launcher.addAll(List.of("taskset", "-c", crmCpus));
        }
        ProcessBuilder pgbench = BenchContext.pgTool(launcher, "pgbench", ctx.crm, List.of("-n", "-f", script.toString(),
                "-c", "4", "-j", "2", "-T", String.valueOf(seconds), ctx.crm.database));
        Process decoding = null;
        Path decodingLog = null;
        String out;
        try {
            if (mode.startsWith("decoding")) {
                PgRecvLogical.createSlot(ctx, ctx.crm, DECODING_SLOT);
                decodingLog = Files.createTempFile("bench-decoding", ".log");
                decoding = PgRecvLogical.command(ctx.crm, DECODING_SLOT, null).redirectOutput(decodingLog.toFile()).start();
            }
            Process p = pgbench.start();
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            if (decoding != null && !decoding.isAlive()) {
                throw new IllegalStateException("pg_recvlogical stopped while pgbench ran: "
                        + Files.readString(decodingLog, StandardCharsets.UTF_8));
            }
        } finally {
            exporting = false;
            if (export != null) {
                export.join();
            }
            if (decoding != null) {
                decoding.destroy();
                decoding.waitFor();
                PgRecvLogical.dropSlot(ctx, ctx.crm, DECODING_SLOT);
            }
            if (decodingLog != null) {
                Files.delete(decodingLog);
            }
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
