package com.bionicpro.cdc.bench;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.Base64;

/**
 * The load ceiling: the telemetry table COPYed out of PostgreSQL as TabSeparated and loaded
 * into a ClickHouse table of the replica's shape, streaming, no job in between.
 */
final class CopyCeiling {
    static void run(BenchContext ctx) throws Exception {
        String table = ctx.clickhouseDb + ".copy_ceiling";
        ctx.clickhouse.execute("DROP TABLE IF EXISTS " + table);
        ctx.clickhouse.execute("CREATE TABLE " + table + " AS " + ctx.clickhouseDb + ".telemetry_data_target");
        long rows = ctx.pgCount(ctx.telemetry, "SELECT count(*) FROM public.telemetry_data");
        String copy = "COPY (SELECT id, prosthesis_id, lpad(floor(extract(epoch from \"timestamp\"))::bigint::text, 10, '0'), "
                + "sensor_data::text, actuator_commands::text, battery_level, "
                + "lpad(floor(extract(epoch from created_at))::bigint::text, 10, '0'), 1, 0 "
                + "FROM public.telemetry_data) TO STDOUT";
        String insert = "INSERT INTO " + table + " FORMAT TabSeparated";
        MachineCpu cpu = MachineCpu.now();
        long start = System.nanoTime();
        try (Connection c = ctx.app(ctx.telemetry)) {
            CopyOut out = c.unwrap(PGConnection.class).getCopyAPI().copyOut(copy);
            HttpClient http = HttpClient.newHttpClient();
            // 100k-row blocks: streamed, as a loader would, without holding the table in memory.
            ByteArrayOutputStream block = new ByteArrayOutputStream(32 << 20);
            int inBlock = 0;
            byte[] line;
            while ((line = out.readFromCopy()) != null) {
                block.write(line);
                if (++inBlock == 100_000) {
                    post(http, ctx, insert, block.toByteArray());
                    block.reset();
                    inBlock = 0;
                }
            }
            if (inBlock > 0) {
                post(http, ctx, insert, block.toByteArray());
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        MachineCpu cpuEnd = MachineCpu.now();
        long loaded = ctx.chCount("SELECT count() FROM " + table);
        ctx.clickhouse.execute("DROP TABLE " + table);
        if (loaded != rows) {
            throw new IllegalStateException("COPY ceiling loaded " + loaded + " of " + rows + " rows");
        }
        ctx.record(cpuEnd.addSince(cpu, ctx.result("snapshot", "COPY to ClickHouse (ceiling)").put("rows", rows)
                .put("seconds", seconds).put("rowsPerSecond", rows / seconds)));
    }

    private static void post(HttpClient http, BenchContext ctx, String insert, byte[] body) throws Exception {
        String auth = Base64.getEncoder().encodeToString((ctx.definition.clickhouse.username + ":"
                + ctx.definition.clickhouse.password.reveal()).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(ctx.definition.clickhouse.url + "/?query="
                        + URLEncoder.encode(insert, StandardCharsets.UTF_8)))
                .header("Authorization", "Basic " + auth)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("ClickHouse refused the COPY block: " + r.body());
        }
    }
}
