package com.bionicpro.cdc.bench;

import com.bionicpro.cdc.audit.KafkaPreflight;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Commit-to-visible latency at a fixed background rate: every 100 ms a probe row is committed
 * (its commit time noted when COMMIT returns); a poller looks for it in ClickHouse every 50 ms and
 * a read_committed consumer in the audit topic. Percentiles over all probes.
 */
final class Freshness {
    private Freshness() {}

    static void run(BenchContext ctx, double rate, long durationMillis) throws Exception {
        String probeProsthesis = "00000000-0000-0000-0000-00000000beef";
        Map<String, Long> committed = new ConcurrentHashMap<>();
        Map<String, Long> inClickHouse = new ConcurrentHashMap<>();
        Map<String, Long> inKafka = new ConcurrentHashMap<>();
        long end = System.currentTimeMillis() + durationMillis;
        stopped = false;

        Thread background = new Thread(() -> {
            try {
                StreamWriters.run(ctx, rate, durationMillis);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "freshness-load");
        Thread probes = new Thread(() -> {
            try (Connection c = ctx.app(ctx.telemetry); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO public.telemetry_data (id, prosthesis_id, \"timestamp\", battery_level) "
                            + "VALUES (?::uuid, ?::uuid, now() AT TIME ZONE 'UTC', 50)")) {
                while (System.currentTimeMillis() < end) {
                    String id = UUID.randomUUID().toString();
                    ps.setString(1, id);
                    ps.setString(2, probeProsthesis);
                    ps.executeUpdate();
                    committed.put(id, System.currentTimeMillis());
                    Thread.sleep(100); // one probe every 100 ms
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "freshness-probes");
        Thread clickhouse = new Thread(() -> {
            String sql = "SELECT id FROM " + ctx.clickhouseDb + ".telemetry_data_target WHERE prosthesis_id = '" + probeProsthesis
                    + "' AND timestamp >= now() - 3600";
            while (!stopped) {
                try {
                    long now = System.currentTimeMillis();
                    for (String id : ctx.clickhouse.query(sql).split("\n")) {
                        if (committed.containsKey(id)) {
                            inClickHouse.putIfAbsent(id, now);
                        }
                    }
                    Thread.sleep(50); // polling interval of the probe reader
                } catch (Exception e) {
                    return;
                }
            }
        }, "freshness-clickhouse");
        Thread kafka = new Thread(() -> consume(ctx, probeProsthesis, committed, inKafka), "freshness-kafka");

        kafka.start();
        clickhouse.start();
        Thread.sleep(2000); // let the consumers reach the end of the topic before probing
        background.start();
        probes.start();
        probes.join();
        background.join();
        long drain = System.currentTimeMillis() + 15_000;
        while ((inClickHouse.size() < committed.size() || inKafka.size() < committed.size()) && System.currentTimeMillis() < drain) {
            Thread.sleep(100); // the last probes arriving
        }
        stopped = true;
        clickhouse.join();
        kafka.join();

        List<Long> ch = latencies(committed, inClickHouse);
        List<Long> kf = latencies(committed, inKafka);
        ctx.record(ctx.result("freshness", "ClickHouse").put("rate", rate).put("probes", committed.size()).put("seen", ch.size())
                .put("p50", percentile(ch, 50)).put("p95", percentile(ch, 95)).put("p99", percentile(ch, 99)));
        ctx.record(ctx.result("freshness", "Kafka audit (read_committed)").put("rate", rate).put("probes", committed.size())
                .put("seen", kf.size()).put("p50", percentile(kf, 50)).put("p95", percentile(kf, 95)).put("p99", percentile(kf, 99)));
    }

    private static volatile boolean stopped;

    private static void consume(BenchContext ctx, String probe, Map<String, Long> committed, Map<String, Long> seen) {
        Properties props = KafkaPreflight.clientProperties(ctx.definition.kafka);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
        String topic = ctx.telemetry.auditTopicPrefix + ".public.telemetry_data";
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> tps = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList());
            consumer.assign(tps);
            consumer.seekToEnd(tps);
            tps.forEach(consumer::position);
            while (!stopped) {
                long now = System.currentTimeMillis();
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(50))) {
                    if (r.value().contains(probe)) {
                        int at = r.key().indexOf(':');
                        String id = r.key().substring(at + 2, r.key().length() - 2);
                        if (committed.containsKey(id)) {
                            seen.putIfAbsent(id, now);
                        }
                    }
                }
            }
        }
    }

    private static List<Long> latencies(Map<String, Long> committed, Map<String, Long> seen) {
        List<Long> out = new ArrayList<>();
        seen.forEach((id, t) -> out.add(Math.max(0, t - committed.get(id))));
        Collections.sort(out);
        return out;
    }

    static long percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}
