package com.bionicpro.cdc.it;

import com.bionicpro.cdc.clickhouse.ClickHouseClient;
import com.bionicpro.cdc.clickhouse.TsvWriter;
import com.bionicpro.cdc.testing.LocalStack;
import com.bionicpro.cdc.testing.Poll;
import com.bionicpro.cdc.testing.TestEnvironment;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.SinkFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.runtime.jobgraph.SavepointConfigOptions;
import org.apache.flink.streaming.api.environment.CheckpointConfig;
import org.apache.flink.streaming.api.environment.ExecutionCheckpointingOptions;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import java.util.zip.Deflater;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proof that each component of the local stack is the real thing: a row written in PostgreSQL is
 * read back through a pgoutput logical replication slot, a Kafka transaction is committed (and
 * another aborted) and read back read_committed, ClickHouse stores and returns an insert, and a
 * Flink checkpoint is written, read back and restored.
 */
class LocalStackITCase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @TempDir
    Path checkpoints;

    @Test
    void postgresLogicalReplicationSlotDecodesAWrite() throws Exception {
        try (TestEnvironment env = TestEnvironment.create("slot"); Connection c = env.crm(); Statement st = c.createStatement()) {
            String slot = "proof_" + env.suffix;
            try (ResultSet rs = st.executeQuery("SHOW wal_level")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("logical");
            }
            st.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
            String marker = "slot-proof-" + UUID.randomUUID();
            st.execute("INSERT INTO public.users (email, name) VALUES ('" + marker + "@example', 'x')");
            try (ResultSet rs = st.executeQuery("SELECT data FROM pg_logical_slot_get_binary_changes('" + slot
                    + "', NULL, NULL, 'proto_version', '1', 'publication_names', '" + env.env().get("CRM_PUBLICATION") + "')")) {
                StringBuilder decoded = new StringBuilder();
                while (rs.next()) {
                    decoded.append(new String(rs.getBytes(1), StandardCharsets.UTF_8));
                }
                assertThat(decoded.toString()).contains(marker);
            } finally {
                st.execute("SELECT pg_drop_replication_slot('" + slot + "')");
            }
        }
    }

    @Test
    void kafkaTransactionsAreVisibleOnlyWhenCommitted() throws Exception {
        String bootstrap = LocalStack.get().kafkaBootstrap();
        String topic = "proof-" + UUID.randomUUID();
        Properties admin = new Properties();
        admin.put("bootstrap.servers", bootstrap);
        try (Admin a = Admin.create(admin)) {
            a.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, topic);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, "k", "committed"));
                producer.commitTransaction();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, "k", "aborted"));
                producer.flush();
                producer.abortTransaction();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, "k", "committed again"));
                producer.commitTransaction();
            }
            Properties c = new Properties();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            List<String> values = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
                TopicPartition tp = new TopicPartition(topic, 0);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                long end = consumer.endOffsets(List.of(tp)).get(tp);
                Poll.until(Duration.ofSeconds(30), "the topic to be read", () -> {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        values.add(r.value());
                    }
                    return consumer.position(tp) >= end;
                });
            }
            assertThat(values).containsExactly("committed", "committed again");
            a.deleteTopics(List.of(topic)).all().get();
        }
    }

    @Test
    void clickHouseStoresAndReturnsAnInsert() throws Exception {
        LocalStack stack = LocalStack.get();
        ClickHouseClient ch = new ClickHouseClient(stack.clickhouseUrl(), stack.clickhouseUser(), stack.clickhousePassword(),
                Duration.ofSeconds(30));
        String db = "proof_" + UUID.randomUUID().toString().substring(0, 8);
        ch.execute("CREATE DATABASE " + db);
        try {
            ch.execute("CREATE TABLE " + db + ".t (id UInt32, name String, at DateTime) ENGINE = MergeTree ORDER BY id");
            TsvWriter rows = new TsvWriter(64);
            rows.number(1).string("Zoë\ttab").dateTime(1_700_000_000).endRow();
            rows.number(2).string("line\nbreak").dateTime(0).endRow();
            ch.insert(db + ".t", List.of("id", "name", "at"), rows.buffer(), rows.size(), false);
            // The sink's batches go zlib-compressed (Content-Encoding: deflate), which 18.16 inflates.
            TsvWriter more = new TsvWriter(64);
            more.number(3).string("ünïcode \\ backslash").dateTime(86_400).endRow();
            Deflater deflater = new Deflater(Deflater.BEST_SPEED);
            deflater.setInput(more.toByteArray());
            deflater.finish();
            byte[] deflated = new byte[256];
            int length = deflater.deflate(deflated);
            assertThat(deflater.finished()).isTrue();
            deflater.end();
            ch.insert(db + ".t", List.of("id", "name", "at"), deflated, length, true);
            assertThat(ch.rows("SELECT id, name, toUnixTimestamp(at) FROM " + db + ".t ORDER BY id"))
                    .containsExactly(new String[] {"1", "Zoë\ttab", "1700000000"}, new String[] {"2", "line\nbreak", "0"},
                            new String[] {"3", "ünïcode \\ backslash", "86400"});
            assertThat(ch.query("SELECT version()")).startsWith("18.");
        } finally {
            ch.execute("DROP DATABASE " + db);
        }
    }

    /** Keyed counts survive a checkpoint: the restored job continues every count where it stood. */
    @Test
    void flinkCheckpointIsWrittenReadBackAndRestored() throws Exception {
        JobClient first = countingJob(null).executeAsync("checkpoint proof");
        Poll.until(Duration.ofSeconds(60), "a completed checkpoint", () -> latestCheckpoint() != null);
        first.cancel().get();
        Path checkpoint = latestCheckpoint();

        try (DataInputStream in = new DataInputStream(Files.newInputStream(checkpoint.resolve("_metadata")))) {
            CheckpointMetadata metadata = Checkpoints.loadCheckpointMetadata(in, getClass().getClassLoader(), checkpoint.toString());
            assertThat(metadata.getOperatorStates()).anySatisfy(
                    (OperatorState s) -> assertThat(s.getStates()).anySatisfy(st -> assertThat(st.getManagedKeyedState()).isNotEmpty()));
        }

        OUTPUT.clear();
        JobClient second = countingJob(checkpoint).executeAsync("checkpoint proof restored");
        Poll.until(Duration.ofSeconds(60), "output of the restored job", () -> OUTPUT.size() > 50);
        second.cancel().get();
        List<Tuple3<Long, Long, Long>> out = new ArrayList<>(OUTPUT);
        assertThat(out.get(0).f0).as("the source resumed from its checkpointed position").isGreaterThan(0);
        // Element i is the (i / 4 + 1)-th of its key: only true if the counts were restored.
        assertThat(out).allSatisfy(t -> assertThat(t.f2).isEqualTo(t.f0 / 4 + 1));
    }

    private static final ConcurrentLinkedQueue<Tuple3<Long, Long, Long>> OUTPUT = new ConcurrentLinkedQueue<>();

    private StreamExecutionEnvironment countingJob(Path restoreFrom) {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        conf.set(ExecutionCheckpointingOptions.EXTERNALIZED_CHECKPOINT,
                CheckpointConfig.ExternalizedCheckpointCleanup.RETAIN_ON_CANCELLATION);
        if (restoreFrom != null) {
            conf.set(SavepointConfigOptions.SAVEPOINT_PATH, restoreFrom.toUri().toString());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        env.enableCheckpointing(200);
        env.fromSource(new DataGeneratorSource<>((GeneratorFunction<Long, Long>) i -> i, Long.MAX_VALUE,
                        RateLimiterStrategy.perSecond(200), Types.LONG), WatermarkStrategy.noWatermarks(), "numbers")
                .uid("numbers")
                .keyBy(i -> i % 4, Types.LONG)
                .process(new Counter()).uid("counter")
                .addSink(new SinkFunction<Tuple3<Long, Long, Long>>() {
                    @Override
                    public void invoke(Tuple3<Long, Long, Long> value, Context context) {
                        OUTPUT.add(value);
                    }
                });
        return env;
    }

    private Path latestCheckpoint() throws Exception {
        try (Stream<Path> files = Files.walk(checkpoints, 2)) {
            return files.filter(p -> p.getFileName().toString().startsWith("chk-") && Files.exists(p.resolve("_metadata")))
                    .max(java.util.Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().substring(4))))
                    .orElse(null);
        }
    }

    /** (element, key, how many elements of this key so far). */
    private static final class Counter extends KeyedProcessFunction<Long, Long, Tuple3<Long, Long, Long>> {
        private transient ValueState<Long> count;

        @Override
        public void open(OpenContext context) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
        }

        @Override
        public void processElement(Long i, Context ctx, Collector<Tuple3<Long, Long, Long>> out) throws Exception {
            long n = count.value() == null ? 1 : count.value() + 1;
            count.update(n);
            out.collect(Tuple3.of(i, i % 4, n));
        }
    }
}
