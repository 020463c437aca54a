package com.bionicpro.cdc.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

/**
 * The job's snapshot and streaming throughput, read from the outside: PostgreSQL's counts against
 * ClickHouse's, with the job running on the session cluster (submitted by bin/bench).
 */
final class JobBenchmarks {
    private JobBenchmarks() {}

    /**
     * From the job's submission (startMillis) until the replicas hold every row and the reports mart
     * every (prosthesis, day) of the snapshot; startCpu is the machine's CPU reading then.
     */
    static void snapshot(BenchContext ctx, long startMillis, MachineCpu startCpu) throws Exception {
        long telemetry = ctx.pgCount(ctx.telemetry, "SELECT count(*) FROM public.telemetry_data");
        long users = ctx.pgCount(ctx.crm, "SELECT count(*) FROM public.users");
        long prostheses = ctx.pgCount(ctx.crm, "SELECT count(*) FROM public.prostheses");
        long reportRows = ctx.pgCount(ctx.telemetry, "SELECT count(*) FROM (SELECT DISTINCT prosthesis_id, \"timestamp\"::date "
                + "FROM public.telemetry_data) d");
        String db = ctx.clickhouseDb;
        long deadline = System.currentTimeMillis() + 900_000;
        while (true) {
            boolean done = ctx.chCount("SELECT count() FROM " + db + ".telemetry_data_target") >= telemetry
                    && ctx.chCount("SELECT count() FROM " + db + ".users_target") >= users
                    && ctx.chCount("SELECT count() FROM " + db + ".prostheses_target") >= prostheses
                    && ctx.chCount("SELECT count() FROM " + db + ".prosthesis_reports_mart FINAL WHERE _deleted = 0") >= reportRows;
            if (done) {
                break;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the job's snapshot did not complete in 15 minutes");
            }
            Thread.sleep(250); // polling the targets
        }
        double seconds = (System.currentTimeMillis() - startMillis) / 1000.0;
        MachineCpu cpu = MachineCpu.now();
        long rows = telemetry + users + prostheses;
        ctx.record(cpu.addSince(startCpu, ctx.result("snapshot", "bionicpro-cdc job").put("rows", rows).put("seconds", seconds)
                .put("rowsPerSecond", rows / seconds).put("reportRows", reportRows)));
    }

    /**
     * Steps of rising load: each runs for the duration; afterwards the time ClickHouse needs to hold
     * every row written. A job that keeps up needs about one checkpoint interval; one that falls
     * behind needs its growing backlog's worth.
     */
    static void stream(BenchContext ctx, List<Double> rates, long stepMillis) throws Exception {
        for (double rate : rates) {
            long start = System.nanoTime();
            long written = StreamWriters.run(ctx, rate, stepMillis);
            double writeSeconds = (System.nanoTime() - start) / 1e9;
            long expected = ctx.pgCount(ctx.telemetry, "SELECT count(*) FROM public.telemetry_data");
            long waitStart = System.nanoTime();
            while (ctx.chCount("SELECT count() FROM " + ctx.clickhouseDb + ".telemetry_data_target") < expected) {
                if ((System.nanoTime() - waitStart) / 1e9 > 300) {
                    break;
                }
                Thread.sleep(100); // polling for the backlog to drain
            }
            double catchUp = (System.nanoTime() - waitStart) / 1e9;
            double achieved = written / writeSeconds;
            ctx.record(ctx.result("stream", "bionicpro-cdc job").put("targetRate", rate).put("achievedRate", achieved)
                    .put("seconds", writeSeconds).put("catchUpSeconds", catchUp).put("keptUp", catchUp <= 3.0));
        }
    }

    /** pg_recvlogical's decode rate of a backlog: the ceiling of reading changes out of PostgreSQL. */
    static void recvlogical(BenchContext ctx, long changes) throws Exception {
        String slot = "bench_recvlogical";
        PgRecvLogical.createSlot(ctx, ctx.telemetry, slot);
        StreamWriters.insertBacklog(ctx, changes);
        String endLsn;
        try (Connection c = ctx.app(ctx.telemetry); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            endLsn = rs.getString(1);
        }
        ProcessBuilder pb = PgRecvLogical.command(ctx.telemetry, slot, endLsn);
        long start = System.nanoTime();
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        int rc = p.waitFor();
        double seconds = (System.nanoTime() - start) / 1e9;
        PgRecvLogical.dropSlot(ctx, ctx.telemetry, slot);
        if (rc != 0) {
            throw new IllegalStateException("pg_recvlogical failed: " + out);
        }
        ctx.record(ctx.result("stream-ceiling", "pg_recvlogical (pgoutput decode)").put("changes", changes)
                .put("seconds", seconds).put("changesPerSecond", changes / seconds));
    }
}
