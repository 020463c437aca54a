package com.bionicpro.cdc.bench;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;

import java.sql.Connection;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The original design's engine: Debezium 1.9 (embedded, postgres connector, pgoutput) with its
 * JSON converter, as Debezium Connect feeds Kafka, into a consumer that only counts. Snapshot: the
 * CRM and telemetry tables from scratch; stream: a backlog of changes. Run with vanilla Debezium
 * jars (bin/bench builds that classpath), not the job's, where Flink CDC replaces some classes.
 */
public final class DebeziumBaseline {
    private DebeziumBaseline() {}

    public static void main(String[] args) throws Exception {
        BenchContext ctx = BenchContext.fromEnvironment();
        String what = args.length > 0 ? args[0] : "snapshot";
        if ("snapshot".equals(what)) {
            snapshot(ctx);
        } else {
            stream(ctx, Long.parseLong(args[1]));
        }
        System.exit(0);
    }

    private static Properties properties(BenchContext ctx, String slot, String snapshotMode) {
        Properties p = new Properties();
        p.setProperty("name", "bench-debezium");
        p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        p.setProperty("offset.storage", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore");
        p.setProperty("offset.flush.interval.ms", "10000");
        p.setProperty("database.hostname", ctx.telemetry.host);
        p.setProperty("database.port", String.valueOf(ctx.telemetry.port));
        p.setProperty("database.user", System.getenv().getOrDefault("APP_PG_USER", "postgres"));
        p.setProperty("database.password", System.getenv().getOrDefault("APP_PG_PASSWORD", ""));
        p.setProperty("database.dbname", ctx.telemetry.database);
        p.setProperty("database.server.name", "bench");
        p.setProperty("plugin.name", "pgoutput");
        p.setProperty("slot.name", slot);
        p.setProperty("slot.drop.on.stop", "true");
        p.setProperty("publication.name", ctx.telemetry.publication);
        p.setProperty("publication.autocreate.mode", "disabled");
        p.setProperty("table.include.list", "public.telemetry_data");
        p.setProperty("snapshot.mode", snapshotMode);
        p.setProperty("decimal.handling.mode", "string");
        p.setProperty("key.converter.schemas.enable", "false");
        p.setProperty("value.converter.schemas.enable", "false");
        return p;
    }

    /** Snapshot of the 1M-row telemetry table until the engine has delivered every row. */
    private static void snapshot(BenchContext ctx) throws Exception {
        long expected = ctx.pgCount(ctx.telemetry, "SELECT count(*) FROM public.telemetry_data");
        MachineCpu cpu = MachineCpu.now();
        Delivery d = runUntil(properties(ctx, "bench_debezium_snapshot", "initial"), expected);
        ctx.record(d.cpuAtEnd.addSince(cpu, ctx.result("snapshot", "Debezium 1.9 embedded (JSON)").put("rows", expected)
                .put("seconds", d.seconds).put("rowsPerSecond", expected / d.seconds)));
    }

    /** Streaming: a backlog of changes written before the engine starts, read until all arrived. */
    private static void stream(BenchContext ctx, long changes) throws Exception {
        String slot = "bench_debezium_stream";
        try (Connection c = ctx.app(ctx.telemetry); Statement st = c.createStatement()) {
            st.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
        }
        StreamWriters.insertBacklog(ctx, changes);
        MachineCpu cpu = MachineCpu.now();
        Delivery d = runUntil(properties(ctx, slot, "never"), changes);
        ctx.record(d.cpuAtEnd.addSince(cpu, ctx.result("stream-ceiling", "Debezium 1.9 embedded (JSON)").put("changes", changes)
                .put("seconds", d.seconds).put("changesPerSecond", changes / d.seconds)));
    }

    /** How long the engine took to deliver every record, and the machine's CPU reading then. */
    private record Delivery(double seconds, MachineCpu cpuAtEnd) {}

    /** Runs the engine until it delivered this many records. */
    private static Delivery runUntil(Properties properties, long records) throws Exception {
        AtomicLong seen = new AtomicLong();
        long start = System.nanoTime();
        AtomicReference<Delivery> delivered = new AtomicReference<>();
        DebeziumEngine<ChangeEvent<String, String>> engine = DebeziumEngine.create(Json.class)
                .using(properties)
                .notifying(record -> {
                    if (seen.incrementAndGet() == records) {
                        delivered.set(new Delivery((System.nanoTime() - start) / 1e9, MachineCpu.now()));
                    }
                })
                .build();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        executor.execute(engine);
        long deadline = System.currentTimeMillis() + 600_000;
        while (delivered.get() == null && System.currentTimeMillis() < deadline) {
            Thread.sleep(100); // waiting for the engine thread to deliver every record
        }
        engine.close();
        executor.shutdown();
        executor.awaitTermination(60, TimeUnit.SECONDS);
        if (delivered.get() == null) {
            throw new IllegalStateException("Debezium delivered " + seen.get() + " of " + records + " records in 10 minutes");
        }
        return delivered.get();
    }
}
