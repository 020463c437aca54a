package com.bionicpro.cdc.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many concurrent writers committing small transactions of telemetry inserts, paced to a target
 * rate of changes per second in total (the shape of prostheses reporting in).
 */
final class StreamWriters {
    static final int WRITERS = 8;
    static final int ROWS_PER_TRANSACTION = 5;

    private StreamWriters() {}

    /** Writes at the rate for the duration; returns the changes actually committed. */
    static long run(BenchContext ctx, double changesPerSecond, long durationMillis) throws Exception {
        AtomicLong committed = new AtomicLong();
        long end = System.currentTimeMillis() + durationMillis;
        List<Thread> threads = new ArrayList<>();
        List<Exception> failures = new ArrayList<>();
        double perWriter = changesPerSecond / WRITERS;
        for (int w = 0; w < WRITERS; w++) {
            Thread t = new Thread(() -> {
                try (Connection c = ctx.app(ctx.telemetry)) {
                    c.setAutoCommit(false);
                    PreparedStatement ps = insert(c);
                    long started = System.nanoTime();
                    long written = 0;
                    while (System.currentTimeMillis() < end) {
                        addRows(ps, ROWS_PER_TRANSACTION);
                        ps.executeBatch();
                        c.commit();
                        written += ROWS_PER_TRANSACTION;
                        committed.addAndGet(ROWS_PER_TRANSACTION);
                        long due = started + (long) (written / perWriter * 1e9);
                        long ahead = due - System.nanoTime();
                        if (ahead > 0) {
                            Thread.sleep(ahead / 1_000_000, (int) (ahead % 1_000_000)); // pacing to the target rate
                        }
                    }
                } catch (Exception e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            }, "bench-writer-" + w);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        return committed.get();
    }

    /** A backlog of changes in 1,000-row transactions, as fast as PostgreSQL takes them. */
    static void insertBacklog(BenchContext ctx, long changes) throws Exception {
        try (Connection c = ctx.app(ctx.telemetry)) {
            c.setAutoCommit(false);
            PreparedStatement ps = insert(c);
            for (long done = 0; done < changes; ) {
                int n = (int) Math.min(1000, changes - done);
                addRows(ps, n);
                ps.executeBatch();
                c.commit();
                done += n;
            }
        }
    }

    static PreparedStatement insert(Connection c) throws Exception {
        return c.prepareStatement("INSERT INTO public.telemetry_data (id, prosthesis_id, \"timestamp\", sensor_data, "
                + "actuator_commands, battery_level) VALUES (?, md5('bench-prosthesis' || ?)::uuid, ?, ?::jsonb, ?::jsonb, ?)");
    }

    static void addRows(PreparedStatement ps, int n) throws Exception {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        Timestamp now = Timestamp.valueOf(LocalDateTime.now(ZoneOffset.UTC));
        for (int i = 0; i < n; i++) {
            ps.setObject(1, UUID.randomUUID());
            ps.setInt(2, 1 + r.nextInt(1500));
            ps.setTimestamp(3, now);
            ps.setString(4, "{\"sensor1\": " + r.nextInt(100) + ", \"sensor2\": " + r.nextInt(1000) / 100.0 + "}");
            ps.setString(5, r.nextInt(4) == 0 ? null : "{\"command\": \"grasp\", \"intensity\": " + (1 + r.nextInt(10)) + "}");
            ps.setDouble(6, 15 + r.nextInt(850) / 10.0);
            ps.addBatch();
        }
    }
}
