package com.bionicpro.cdc;

import com.bionicpro.cdc.audit.AuditRecordSerializer;
import com.bionicpro.cdc.audit.KafkaPreflight;
import com.bionicpro.cdc.catalog.CaptureCatalog;
import com.bionicpro.cdc.catalog.TableSchema;
import com.bionicpro.cdc.clickhouse.ClickHouseRow;
import com.bionicpro.cdc.clickhouse.ClickHouseSink;
import com.bionicpro.cdc.clickhouse.ClickHouseTableSpec;
import com.bionicpro.cdc.config.JobDefinition;
import com.bionicpro.cdc.config.JobDefinition.SourceDefinition;
import com.bionicpro.cdc.config.JobDefinitionParser;
import com.bionicpro.cdc.config.Preflight;
import com.bionicpro.cdc.mart.DailyUsage;
import com.bionicpro.cdc.mart.DailyUsageAggregator;
import com.bionicpro.cdc.mart.MartRow;
import com.bionicpro.cdc.mart.MartRowEncoder;
import com.bionicpro.cdc.mart.MartSchema;
import com.bionicpro.cdc.mart.OwnerMessage;
import com.bionicpro.cdc.mart.ProsthesisOwnerJoin;
import com.bionicpro.cdc.mart.TelemetryDelta;
import com.bionicpro.cdc.mart.TelemetryDeltas;
import com.bionicpro.cdc.mart.UserMartJoin;
import com.bionicpro.cdc.replica.ReplicaRowMapper;
import com.bionicpro.cdc.source.CapturedTablesGuard;
import com.bionicpro.cdc.source.ChangeEvent;
import com.bionicpro.cdc.source.ChangeEventMetrics;
import com.bionicpro.cdc.source.ChangeKeySelector;
import com.bionicpro.cdc.source.PostgresSourceFactory;
import com.bionicpro.cdc.source.RowKeySelector;
import com.bionicpro.cdc.source.SnapshotBoundaryDeduplicator;
import com.bionicpro.cdc.source.SnapshotEndSplitter;
import com.bionicpro.cdc.source.TableFilter;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.java.utils.ParameterTool;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * The BionicPRO CDC job. Per PostgreSQL source: the change stream to its Kafka audit topics
 * (exactly-once transactions) and to its ClickHouse replicas; from the CRM and telemetry streams
 * together: crm_data_mart and the daily prosthesis_reports_mart. Every stateful operator, source
 * and sink has a fixed uid: they are the names of the job's state in savepoints.
 *
 * <pre>
 * Each source: snapshot end ─ guard ─ keyBy(table, primary key) ─ snapshot boundary dedup ─ metrics, then:
 *
 * postgres(crm) ─┬─ metrics ─┬─ audit (Kafka, per source)
 *                │           └─ replica rows ───────────────────────────────────────┐
 *                ├─ users ──────────────────────────────────────────┐               │
 *                └─ prostheses ─ keyBy(prosthesis) ─ owner join ─ keyBy(user) ─ user mart join ─ mart rows ─┤
 * postgres(telemetry) ─ metrics ─┬─ audit                ▲                                             │
 *                                ├─ replica rows ────────┼──────────────────────────── ClickHouse (2PC) ┘
 *                                └─ deltas ─ keyBy(prosthesis|day) ─ daily windows
 *                                      (and the telemetry source's snapshot end, broadcast to them)
 * </pre>
 */
public final class BionicProCdcJob {
    private final JobDefinition definition;
    private final CaptureCatalog catalog;
    private final Map<String, Source<ChangeEvent, ?, ?>> sources;
    private final Function<SourceDefinition, Sink<ChangeEvent>> auditSinks;
    private final Sink<ClickHouseRow> clickHouseSink;

    public BionicProCdcJob(
            JobDefinition definition,
            CaptureCatalog catalog,
            Map<String, Source<ChangeEvent, ?, ?>> sources,
            Function<SourceDefinition, Sink<ChangeEvent>> auditSinks,
            Sink<ClickHouseRow> clickHouseSink) {
        this.definition = definition;
        this.catalog = catalog;
        this.sources = sources;
        this.auditSinks = auditSinks;
        this.clickHouseSink = clickHouseSink;
    }

    /** The job wired with the real connectors that the definition and catalog describe. */
    public static BionicProCdcJob fromDefinition(JobDefinition definition, CaptureCatalog catalog) {
        Map<String, Source<ChangeEvent, ?, ?>> sources = new LinkedHashMap<>();
        for (SourceDefinition s : definition.sources.values()) {
            sources.put(s.id, PostgresSourceFactory.forJob(PostgresSourceFactory.create(s, catalog)));
        }
        return fromDefinition(definition, catalog, sources);
    }

    /** The same with these sources (one per source id of the definition), e.g. instrumented by a test. */
    public static BionicProCdcJob fromDefinition(
            JobDefinition definition, CaptureCatalog catalog, Map<String, Source<ChangeEvent, ?, ?>> sources) {
        return new BionicProCdcJob(definition, catalog, sources,
                s -> auditSink(definition, catalog, s),
                new ClickHouseSink(definition.clickhouse, clickHouseTables(definition, catalog)));
    }

    public void build(StreamExecutionEnvironment env) {
        env.setParallelism(definition.parallelism);
        env.enableCheckpointing(definition.checkpointInterval.toMillis(), CheckpointingMode.EXACTLY_ONCE);

        Map<String, DataStream<ChangeEvent>> changes = new LinkedHashMap<>();
        Map<String, DataStream<Long>> snapshotEnds = new LinkedHashMap<>();
        List<DataStream<ClickHouseRow>> clickHouseRows = new ArrayList<>();
        for (SourceDefinition s : definition.sources.values()) {
            SingleOutputStreamOperator<ChangeEvent> read = env
                    .fromSource(sources.get(s.id), WatermarkStrategy.noWatermarks(), "PostgreSQL " + s.database)
                    .uid("postgres-source-" + s.id)
                    .process(new SnapshotEndSplitter(s.id), TypeInformation.of(ChangeEvent.class))
                    .name("Snapshot end " + s.id)
                    .uid("snapshot-end-" + s.id);
            snapshotEnds.put(s.id, read.getSideOutput(SnapshotEndSplitter.SNAPSHOT_ENDS));
            DataStream<ChangeEvent> stream = read
                    .map(CapturedTablesGuard.of(s))
                    .name("Captured tables " + s.id)
                    .uid("captured-tables-" + s.id)
                    .keyBy(new ChangeKeySelector(catalog), Types.STRING)
                    .process(new SnapshotBoundaryDeduplicator(), TypeInformation.of(ChangeEvent.class))
                    .name("Snapshot boundary dedup " + s.id)
                    .uid("snapshot-boundary-dedup-" + s.id)
                    .map(new ChangeEventMetrics())
                    .name("Change metrics " + s.id)
                    .uid("change-metrics-" + s.id);
            changes.put(s.id, stream);
            stream.sinkTo(auditSinks.apply(s)).name("Kafka audit log " + s.auditTopicPrefix).uid("audit-kafka-" + s.id);
            clickHouseRows.add(stream
                    .flatMap(new ReplicaRowMapper(catalog))
                    .name("Replica rows " + s.id)
                    .uid("replica-rows-" + s.id));
        }
        if (definition.marts != null) {
            clickHouseRows.add(marts(MartSchema.of(definition.marts, catalog), changes, snapshotEnds));
        }
        DataStream<ClickHouseRow> all = clickHouseRows.get(0);
        for (int i = 1; i < clickHouseRows.size(); i++) {
            all = all.union(clickHouseRows.get(i));
        }
        all.sinkTo(clickHouseSink).name("ClickHouse " + definition.clickhouse.database).uid("clickhouse-sink");
    }

    private DataStream<ClickHouseRow> marts(
            MartSchema schema, Map<String, DataStream<ChangeEvent>> changes, Map<String, DataStream<Long>> snapshotEnds) {
        DataStream<ChangeEvent> users = sourceOf(schema.usersTable, changes)
                .filter(new TableFilter(schema.usersTable)).name("Users").uid("filter-users");
        DataStream<ChangeEvent> prostheses = sourceOf(schema.prosthesesTable, changes)
                .filter(new TableFilter(schema.prosthesesTable)).name("Prostheses").uid("filter-prostheses");
        DataStream<DailyUsage> dailyUsage = sourceOf(schema.telemetryTable, changes)
                .flatMap(new TelemetryDeltas(schema)).name("Telemetry deltas").uid("telemetry-deltas")
                .keyBy(TelemetryDelta::windowKey, Types.STRING)
                .connect(sourceOf(schema.telemetryTable, snapshotEnds).broadcast())
                .transform("Daily usage windows", TypeInformation.of(DailyUsage.class),
                        new DailyUsageAggregator(schema.retentionDays, schema.windowsPerCheckpoint))
                .uid("daily-usage-windows");
        DataStream<OwnerMessage> owned = prostheses
                .keyBy(new RowKeySelector(schema.prosthesisIdPosition()), Types.STRING)
                .connect(dailyUsage.keyBy(u -> u.prosthesisId, Types.STRING))
                .process(new ProsthesisOwnerJoin(schema), TypeInformation.of(OwnerMessage.class))
                .name("Prosthesis owner join").uid("prosthesis-owner-join");
        DataStream<MartRow> martRows = users
                .keyBy(new RowKeySelector(schema.userIdPosition()), Types.STRING)
                .connect(owned.keyBy(m -> m.userId, Types.STRING))
                .process(new UserMartJoin(schema), TypeInformation.of(MartRow.class))
                .name("User mart join").uid("user-mart-join");
        return martRows
                .map(new MartRowEncoder(List.of(schema.crmDataMartSpec(), schema.reportsMartSpec()), catalog))
                .name("Mart rows").uid("mart-rows");
    }

    /** The stream of the source that captures this table. */
    private <T> DataStream<T> sourceOf(String tableId, Map<String, DataStream<T>> streams) {
        return streams.get(catalog.require(tableId).source);
    }

    /** Every ClickHouse table the job writes, with the columns its rows fill. */
    public static Map<String, List<String>> clickHouseTables(JobDefinition definition, CaptureCatalog catalog) {
        Map<String, List<String>> tables = new LinkedHashMap<>();
        for (TableSchema t : catalog.tables()) {
            if (t.replicaTable != null) {
                tables.put(t.replicaTable, ReplicaRowMapper.replicaColumns(t));
            }
        }
        if (definition.marts != null) {
            MartSchema marts = MartSchema.of(definition.marts, catalog);
            for (ClickHouseTableSpec spec : List.of(marts.crmDataMartSpec(), marts.reportsMartSpec())) {
                tables.put(spec.table, MartRowEncoder.written(spec, catalog).columns);
            }
        }
        return tables;
    }

    /** The exactly-once Kafka sink of one source's audit topics. */
    public static Sink<ChangeEvent> auditSink(JobDefinition definition, CaptureCatalog catalog, SourceDefinition source) {
        Map<String, String> prefixes = new LinkedHashMap<>();
        definition.sources.values().forEach(s -> prefixes.put(s.id, s.auditTopicPrefix));
        Properties producer = KafkaPreflight.clientProperties(definition.kafka);
        producer.putIfAbsent("transaction.timeout.ms", String.valueOf(definition.kafka.transactionTimeout.toMillis()));
        producer.putIfAbsent("compression.type", "lz4");
        producer.putIfAbsent("linger.ms", "5");
        return KafkaSink.<ChangeEvent>builder()
                .setBootstrapServers(definition.kafka.bootstrapServers)
                .setKafkaProducerConfig(producer)
                .setRecordSerializer(new AuditRecordSerializer(catalog, prefixes))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(definition.kafka.transactionalIdPrefix + "-" + source.id)
                .build();
    }

    /**
     * {@code flink run bionicpro-cdc.jar --definition jobs/bionicpro.yaml}. Reads the definition
     * (secrets from the environment, never from arguments), checks every service, then submits.
     */
    public static void main(String[] args) throws Exception {
        ParameterTool params = ParameterTool.fromArgs(args);
        String path = params.get("definition", "jobs/bionicpro.yaml");
        JobDefinition definition = JobDefinitionParser.parse(Paths.get(path), System.getenv());
        CaptureCatalog catalog = Preflight.run(definition);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        fromDefinition(definition, catalog).build(env);
        env.execute(definition.name);
    }
}
