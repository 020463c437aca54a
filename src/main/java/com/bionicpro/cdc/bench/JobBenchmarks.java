package com.bionicpro.cdc.bench;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The job's snapshot and streaming throughput, read from the outside: PostgreSQL's counts against
 * ClickHouse's, with the job running on the session cluster (submitted by bin/bench).
 */
final class JobBenchmarks {
    /** What Flink's command line prints once `run -d` submitted a job. */
    private static final Pattern SUBMITTED = Pattern.compile("Job has been submitted with JobID ([0-9a-f]{32})");

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

    /**
     * The job draining the backlog the ceilings read: bin/bench stopped it with a savepoint and
     * wrote the backlog ({@code insert-backlog}); this resubmits it from the savepoint (submit, the
     * command line that does, printing the job id) and times from the moment every task of the
     * resumed job runs (restoring state is not reading) until ClickHouse holds every row. Nothing
     * else writes meanwhile, so this is the rate the job sustains with the machine to itself, where
     * the paced steps share it with their writers.
     */
    static void backlog(BenchContext ctx, long changes, String flinkRest, List<String> submit) throws Exception {
        long expected = ctx.pgCount(ctx.telemetry, "SELECT count(*) FROM public.telemetry_data");
        long submittedMillis = System.currentTimeMillis();
        Process client = new ProcessBuilder(submit).redirectErrorStream(true).start();
        String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Matcher submitted = SUBMITTED.matcher(out);
        if (client.waitFor() != 0 || !submitted.find()) {
            throw new IllegalStateException("the job was not resubmitted from the savepoint: " + out);
        }
        String jobId = submitted.group(1);
        long deadline = System.currentTimeMillis() + 600_000;
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest job = HttpRequest.newBuilder(URI.create(flinkRest + "/jobs/" + jobId)).timeout(Duration.ofSeconds(10)).build();
        while (!allTasksRunning(BenchContext.JSON.readTree(http.send(job, HttpResponse.BodyHandlers.ofString()).body()))) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the resumed job " + jobId + " did not start running in 10 minutes");
            }
            Thread.sleep(20); // polling the job's tasks
        }
        long startMillis = System.currentTimeMillis();
        MachineCpu startCpu = MachineCpu.now();
        // The steady rate: the rows that became visible after the first commit of backlog rows,
        // over the time since, leaves out the resumed source's start (reconnecting, the slot).
        long before = expected - changes;
        long firstMillis = 0;
        long firstCount = 0;
        long count;
        while ((count = ctx.chCount("SELECT count() FROM " + ctx.clickhouseDb + ".telemetry_data_target")) < expected) {
            if (firstMillis == 0 && count > before) {
                firstMillis = System.currentTimeMillis();
                firstCount = count;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the resumed job did not drain a " + changes + "-change backlog in 10 minutes");
            }
            Thread.sleep(100); // polling for the backlog to drain
        }
        long endMillis = System.currentTimeMillis();
        MachineCpu cpu = MachineCpu.now();
        double seconds = (endMillis - startMillis) / 1000.0;
        double steadyRate = firstMillis == 0 ? changes / seconds : (expected - firstCount) / ((endMillis - firstMillis) / 1000.0);
        ctx.record(cpu.addSince(startCpu, ctx.result("stream-ceiling", "bionicpro-cdc job (resumed from a savepoint)")
                .put("changes", changes).put("seconds", seconds).put("changesPerSecond", changes / seconds)
                .put("steadyChangesPerSecond", steadyRate).put("firstVisibleSeconds", firstMillis == 0 ? seconds : (firstMillis - startMillis) / 1000.0)
                .put("submittedToRunningSeconds", (startMillis - submittedMillis) / 1000.0)));
    }

    private static boolean allTasksRunning(JsonNode job) {
        JsonNode vertices = job.path("vertices");
        if (!"RUNNING".equals(job.path("state").asText()) || vertices.isEmpty()) {
            return false;
        }
        for (JsonNode v : vertices) {
            if (!"RUNNING".equals(v.path("status").asText())) {
                return false;
            }
        }
        return true;
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
        MachineCpu startCpu = MachineCpu.now();
        long start = System.nanoTime();
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        int rc = p.waitFor();
        double seconds = (System.nanoTime() - start) / 1e9;
        MachineCpu cpu = MachineCpu.now();
        PgRecvLogical.dropSlot(ctx, ctx.telemetry, slot);
        if (rc != 0) {
            throw new IllegalStateException("pg_recvlogical failed: " + out);
        }
        ctx.record(cpu.addSince(startCpu, ctx.result("stream-ceiling", "pg_recvlogical (pgoutput decode)").put("changes", changes)
                .put("seconds", seconds).put("changesPerSecond", changes / seconds)));
    }
}
